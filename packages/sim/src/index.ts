/**
 * `@headroom/sim`: a deterministic discrete-event fleet simulator that replays real LLM traffic
 * through headroom's scaling policies, router and cost model, with cold starts, and compares
 * policies against an oracle bound.
 *
 * - Traces: {@link parseAzureTrace}, {@link parseMooncakeTrace}, {@link parseBurstGptTrace},
 *   {@link parseGenericCsv}; transforms ({@link scaleTime}, {@link scaleRate}, {@link sliceTrace});
 *   seeded generators and {@link traceFromShape} for property-tested policy experiments.
 * - Engine: {@link simulate} (one policy or schedule over a trace), {@link createServiceModel}
 *   (prefill and decode times calibrated from Splitwise profiles, roofline fallback),
 *   cold-start presets, {@link summarize}.
 * - Policies: {@link createPolicy} (`static`, `hpa`, `knative`, `keda`, `headroom`) and the
 *   oracle bound {@link runOracle}.
 * - Reports: {@link renderTable} and {@link renderHtmlReport} (one offline HTML file).
 *
 * Reading files and the command line live in the `@headroom/sim/node` entry.
 *
 * @packageDocumentation
 */

export * from './traces/index.js';
export type {
  PolicyObservation,
  PolicyRunResult,
  Quantiles,
  ReplicaSchedule,
  SimPolicy,
  SimReport,
} from './engine/types.js';
export { simulate } from './engine/simulate.js';
export type { RequestLog, SimulationResult } from './engine/simulate.js';
export { SimConfigSchema, StreamSessionSchema } from './engine/config.js';
export type { ResolvedSimConfig, SimConfig } from './engine/config.js';
export {
  COLD_START_PRESETS,
  ColdStartDistributionSchema,
  coldStartPreset,
  coldStartQuantileMs,
  describeColdStart,
  resolveColdStart,
  sampleColdStartMs,
} from './engine/cold-start.js';
export type {
  ColdStartDistribution,
  ColdStartDistributionInput,
  ColdStartPresetName,
} from './engine/cold-start.js';
export { EventQueue } from './engine/event-queue.js';
export { summarize } from './engine/summarize.js';
export {
  MODEL_SPECS,
  ModelSpecSchema,
  ServiceModelConfigSchema,
  createServiceModel,
} from './service/service-model.js';
export type { ModelSpec, ServiceModel, ServiceModelConfig } from './service/service-model.js';
export { SPLITWISE_PROFILES } from './service/data/splitwise.js';
export type { SplitwiseProfile } from './service/data/splitwise.js';
export * from './policies/index.js';
export { baselineTargets } from './policies/targets.js';
export type { BaselineTargets } from './policies/targets.js';
export * from './oracle/index.js';
export * from './report/index.js';
