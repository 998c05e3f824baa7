// Traces: loaders (pure, from text), transforms and seeded synthetic generators.
export type { Trace, TraceRequest } from './types.js';
export {
  ZeroOutputTokensSchema,
  type TraceParseOptions,
  type ZeroOutputTokens,
} from './parse-common.js';
export { parseTraceTimestampMs } from './timestamp.js';
export { AZURE_TRACE_COLUMNS, parseAzureTrace, type AzureTraceParseOptions } from './azure.js';
export { parseMooncakeTrace, type MooncakeTraceParseOptions } from './mooncake.js';
export {
  BURSTGPT_TRACE_COLUMNS,
  parseBurstGptTrace,
  type BurstGptTraceParseOptions,
} from './burstgpt.js';
export {
  GenericCsvColumnsSchema,
  GenericCsvOptionsSchema,
  parseGenericCsv,
  type GenericCsvColumns,
  type GenericCsvOptions,
} from './generic-csv.js';
export {
  assignModels,
  scaleRate,
  scaleTime,
  sliceTrace,
  validateTrace,
  type AssignModelsOptions,
  type ScaleRateOptions,
  type SliceTraceOptions,
} from './transforms.js';
export { traceStats, type TokenSummary, type TraceStats, type TraceStatsOptions } from './stats.js';
export {
  DEFAULT_OUTPUT_TOKENS,
  DEFAULT_PROMPT_TOKENS,
  TokenDistributionSchema,
  TokenLengthsSchema,
  createTokenSampler,
  parseTokenLengths,
  tokenLengthsFromTrace,
  type TokenDistribution,
  type TokenDistributionInput,
  type LognormalTokenDistribution,
  type TokenLengths,
  type TokenLengthsInput,
  type TokenSampler,
} from './tokens.js';
export {
  BurstSchema,
  BurstTraceOptionsSchema,
  DiurnalTraceOptionsSchema,
  PoissonTraceOptionsSchema,
  RampTraceOptionsSchema,
  burstTrace,
  diurnalTrace,
  poissonTrace,
  rampTrace,
  type BurstTraceOptions,
  type DiurnalTraceOptions,
  type PoissonTraceOptions,
  type RampTraceOptions,
} from './generators.js';
export { TRACE_SHAPE_KINDS, TraceShapeSchema, traceFromShape, type TraceShape } from './shapes.js';
