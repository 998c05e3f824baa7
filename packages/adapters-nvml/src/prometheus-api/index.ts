// The Prometheus HTTP API metric source: createPrometheusSource reads GPU (DCGM exporter), load
// and latency (vLLM) metrics of every instance with PromQL instant queries; queryInstant runs one
// query with typed errors.
export { DEFAULT_MAX_RESPONSE_BYTES, queryInstant, queryInstantDetailed } from './client.js';
export type { PromInstantResult, PromVectorSample, QueryInstantOptions } from './client.js';
export {
  DEFAULT_PROM_INSTANCE_LABELS,
  DEFAULT_PROM_QUERIES,
  DEFAULT_PROM_RANGE_WINDOW,
  DEFAULT_PROM_TIMEOUT_MS,
  createPrometheusSource,
} from './source.js';
export type {
  PromQueryName,
  PromQueryTemplates,
  PrometheusMetricSource,
  PrometheusSourceOptions,
  PrometheusSourceStats,
} from './source.js';
