/**
 * `@headroom/adapters-nvml`: GPU and inference-server metric sources, turned into
 * `@headroom/core` observations.
 *
 * - {@link parsePrometheusText}: a strict Prometheus text / OpenMetrics parser, with
 *   {@link histogramSeries}, {@link histogramDelta} and {@link histogramQuantile}.
 * - {@link createDcgmSource}: NVIDIA's DCGM exporter, per GPU and per MIG instance.
 * - {@link createInferenceServerSource}: vLLM, Triton, SGLang and TGI `/metrics`.
 * - {@link createNvidiaSmiSource}: `nvidia-smi --query-gpu` on the local host.
 * - {@link createPrometheusSource}: PromQL instant queries against a Prometheus server.
 * - {@link createMetricPoller}: polls sources with jitter and backoff, drops stale data, reports peaks.
 *
 * Every source implements core's `MetricSource`: `read()` never throws, failures are typed values.
 *
 * @packageDocumentation
 */

export { parseFloatToken, parsePrometheusText } from './prometheus/parse.js';
export type {
  Exemplar,
  Exposition,
  MetricFamily,
  MetricType,
  ParseOptions,
  Sample,
} from './prometheus/parse.js';
export { histogramDelta, histogramQuantile, histogramSeries } from './prometheus/histogram.js';
export type { HistogramBucket, HistogramSeries } from './prometheus/histogram.js';

export {
  DCGM_BLANK_THRESHOLD,
  DCGM_INT32_BLANK_MAX,
  DCGM_INT32_BLANK_MIN,
  isDcgmBlank,
  mapDcgmExposition,
} from './dcgm/map.js';
export type { DcgmGpuReading, DcgmMapResult, DroppedGpuField } from './dcgm/map.js';
export { createDcgmSource } from './dcgm/source.js';
export type { DcgmSourceOptions } from './dcgm/source.js';

export { SERVER_KINDS, detectServerKind, mapServerExposition } from './servers/map.js';
export type { ServerKind, ServerReading, ServerScrapeState } from './servers/map.js';
export { createInferenceServerSource } from './servers/source.js';
export type { InferenceServerSourceOptions } from './servers/source.js';

export {
  NVIDIA_SMI_DEFAULT_FIELDS,
  NVIDIA_SMI_FIELDS,
  createNvidiaSmiSource,
  isNvidiaSmiField,
  parseNvidiaSmiCsv,
} from './nvidia-smi/index.js';
export type {
  NvidiaSmiField,
  NvidiaSmiParseOptions,
  NvidiaSmiSourceOptions,
} from './nvidia-smi/index.js';

export {
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_PROM_INSTANCE_LABELS,
  DEFAULT_PROM_QUERIES,
  DEFAULT_PROM_RANGE_WINDOW,
  DEFAULT_PROM_TIMEOUT_MS,
  createPrometheusSource,
  queryInstant,
  queryInstantDetailed,
} from './prometheus-api/index.js';
export type {
  PromInstantResult,
  PromQueryName,
  PromQueryTemplates,
  PromVectorSample,
  PrometheusMetricSource,
  PrometheusSourceOptions,
  PrometheusSourceStats,
  QueryInstantOptions,
} from './prometheus-api/index.js';

export { createMetricPoller } from './poller/index.js';
export type {
  MetricPoller,
  MetricPollerOptions,
  PollerBackoffOptions,
  SourceStatus,
} from './poller/index.js';

export { fetchText } from './http/fetch-text.js';
export type { FetchTextOptions } from './http/fetch-text.js';
export { describeFetchFailure, errorCodeForStatus, httpGet } from './http/http-get.js';
export type { HttpGetOptions, HttpTextResponse } from './http/http-get.js';
