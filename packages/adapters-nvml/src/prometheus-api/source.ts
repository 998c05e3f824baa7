import {
  HeadroomError,
  err,
  ok,
  systemClock,
  type Clock,
  type GpuSample,
  type InstanceLoad,
  type InstanceObservation,
  type LatencyObservation,
  type MetricReadOptions,
  type MetricSource,
  type Result,
} from '@headroom/core';
import { parseBaseUrl } from './base-url.js';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  queryInstantDetailed,
  type PromInstantResult,
} from './client.js';

/**
 * The PromQL templates a Prometheus source runs, one per observed field. Two placeholders are
 * substituted before a query is sent: `{{by}}` becomes the instance labels joined by `, `
 * (`namespace, pod`), `{{window}}` the range window (`1m`). Every query must return an instant
 * vector with at most one series per instance (group it `by ({{by}})`). An empty string disables
 * that field.
 */
export interface PromQueryTemplates {
  /** GPU compute utilization of the instance's GPUs, 0..1 (mean over its GPUs). */
  readonly gpuUtilization: string;
  /** Framebuffer memory in use on the instance's GPUs, bytes (sum). */
  readonly gpuMemoryUsedBytes: string;
  /** Framebuffer memory in total on the instance's GPUs, bytes (sum). */
  readonly gpuMemoryTotalBytes: string;
  /** Requests waiting to be scheduled (count). */
  readonly queueDepth: string;
  /** Requests in the running batch (count). */
  readonly inFlightRequests: string;
  /** Fraction of the KV-cache in use, 0..1. */
  readonly kvCacheUtilization: string;
  /** Time to first token, median over the window, ms. */
  readonly ttftP50Ms: string;
  /** Time to first token, 95th percentile over the window, ms. */
  readonly ttftP95Ms: string;
  /** Time to first token, 99th percentile over the window, ms. */
  readonly ttftP99Ms: string;
  /** End-to-end request latency, median over the window, ms. */
  readonly e2eP50Ms: string;
  /** End-to-end request latency, 95th percentile over the window, ms. */
  readonly e2eP95Ms: string;
  /** End-to-end request latency, 99th percentile over the window, ms. */
  readonly e2eP99Ms: string;
  /** Mean time a request waited in the server's queue over the window, ms. */
  readonly queueWaitMeanMs: string;
}

/** The name of one query of {@link PromQueryTemplates}. */
export type PromQueryName = keyof PromQueryTemplates;

const histogramQuantile = (q: number, metric: string): string =>
  `histogram_quantile(${q}, sum by (le, {{by}}) (rate(${metric}_bucket[{{window}}]))) * 1000`;

/**
 * The default PromQL templates, for a DCGM exporter (whole GPUs and MIG instances) and vLLM
 * scraped by the same Prometheus.
 *
 * - GPU utilization reads `DCGM_FI_DEV_GPU_UTIL` (percent) and falls back, with `or`, to
 *   `DCGM_FI_PROF_GR_ENGINE_ACTIVE` (a ratio), which is the only utilization a MIG instance has.
 * - Memory is reported by DCGM in MiB and converted to bytes. The total is, per GPU,
 *   `DCGM_FI_DEV_FB_TOTAL` when exported, else `FB_USED + FB_FREE + FB_RESERVED` (reserved
 *   counted as 0 where the exporter does not report it), the same rule as the DCGM scrape
 *   (`mapDcgmExposition`). Each `or` matches series on their labels (not their names), so
 *   the fallback applies GPU by GPU before the `sum by ({{by}})`.
 * - KV-cache use reads `vllm:kv_cache_usage_perc` and falls back to the older
 *   `vllm:gpu_cache_usage_perc` (vLLM renamed the gauge).
 * - Latency quantiles come from vLLM's histograms over `{{window}}`; with no requests in the
 *   window they are NaN and therefore missing.
 */
export const DEFAULT_PROM_QUERIES: Readonly<PromQueryTemplates> = Object.freeze({
  gpuUtilization:
    '(avg by ({{by}}) (DCGM_FI_DEV_GPU_UTIL) / 100) or avg by ({{by}}) (DCGM_FI_PROF_GR_ENGINE_ACTIVE)',
  gpuMemoryUsedBytes: 'sum by ({{by}}) (DCGM_FI_DEV_FB_USED) * 1048576',
  gpuMemoryTotalBytes:
    'sum by ({{by}}) (DCGM_FI_DEV_FB_TOTAL or (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE + (DCGM_FI_DEV_FB_RESERVED or DCGM_FI_DEV_FB_USED * 0))) * 1048576',
  queueDepth: 'sum by ({{by}}) (vllm:num_requests_waiting)',
  inFlightRequests: 'sum by ({{by}}) (vllm:num_requests_running)',
  kvCacheUtilization:
    'max by ({{by}}) (vllm:kv_cache_usage_perc) or max by ({{by}}) (vllm:gpu_cache_usage_perc)',
  ttftP50Ms: histogramQuantile(0.5, 'vllm:time_to_first_token_seconds'),
  ttftP95Ms: histogramQuantile(0.95, 'vllm:time_to_first_token_seconds'),
  ttftP99Ms: histogramQuantile(0.99, 'vllm:time_to_first_token_seconds'),
  e2eP50Ms: histogramQuantile(0.5, 'vllm:e2e_request_latency_seconds'),
  e2eP95Ms: histogramQuantile(0.95, 'vllm:e2e_request_latency_seconds'),
  e2eP99Ms: histogramQuantile(0.99, 'vllm:e2e_request_latency_seconds'),
  queueWaitMeanMs:
    'sum by ({{by}}) (rate(vllm:request_queue_time_seconds_sum[{{window}}])) / sum by ({{by}}) (rate(vllm:request_queue_time_seconds_count[{{window}}])) * 1000',
});

/** The labels that identify an instance by default: a Kubernetes pod. */
export const DEFAULT_PROM_INSTANCE_LABELS: readonly string[] = Object.freeze(['namespace', 'pod']);

/** The default range window of `rate()` in the latency queries. */
export const DEFAULT_PROM_RANGE_WINDOW = '1m';

/** The default deadline of each query of a Prometheus source, ms. */
export const DEFAULT_PROM_TIMEOUT_MS = 5_000;

/** Options of {@link createPrometheusSource}. */
export interface PrometheusSourceOptions {
  /** The Prometheus server's base URL (`http:` or `https:`), for example `http://prometheus:9090`. */
  readonly baseUrl: string;
  /**
   * The labels that identify an instance; each query is grouped by them and the instance id is
   * their values joined by `/` (`llm/vllm-7d9c5b6f4-x2x9p`). Valid Prometheus label names, not
   * `le`, no duplicates, at least one. A series missing any of them is skipped and counted.
   *
   * @defaultValue `['namespace', 'pod']`
   */
  readonly instanceLabels?: readonly string[];
  /**
   * Replaces some of the {@link DEFAULT_PROM_QUERIES}; an empty string disables a field.
   *
   * @defaultValue {@link DEFAULT_PROM_QUERIES}
   */
  readonly queries?: Partial<PromQueryTemplates>;
  /**
   * The range of `rate()` in the latency queries, a PromQL duration such as `30s`, `1m` or
   * `1m30s`; it should cover at least two scrapes.
   *
   * @defaultValue `'1m'`
   */
  readonly rangeWindow?: string;
  /**
   * Deadline of each query, ms; 1 to 600000.
   *
   * @defaultValue 5000
   */
  readonly timeoutMs?: number;
  /**
   * Largest response body accepted per query, bytes.
   *
   * @defaultValue 8 MiB ({@link DEFAULT_MAX_RESPONSE_BYTES})
   */
  readonly maxResponseBytes?: number;
  /**
   * How many queries run at once, 1 to 16.
   *
   * @defaultValue 4
   */
  readonly concurrency?: number;
  /**
   * The clock that stamps `observedAtMs` and the evaluation time of every query of a read.
   *
   * @defaultValue `systemClock`
   */
  readonly clock?: Clock;
  /**
   * The fetch implementation.
   *
   * @defaultValue `globalThis.fetch`
   */
  readonly fetch?: typeof fetch;
}

/** Counters of what a Prometheus source skipped, since it was created. */
export interface PrometheusSourceStats {
  /** Reads started. */
  readonly reads: number;
  /** Reads that returned an error. */
  readonly failedReads: number;
  /** Samples whose value was NaN or infinite (an empty histogram window, a 0/0), left missing. */
  readonly droppedNonFiniteSamples: number;
  /** Series that lacked one of the instance labels (for example an unassigned MIG instance). */
  readonly droppedUnattributedSeries: number;
  /** Values outside their field's domain (a utilization above 1, a fractional queue depth). */
  readonly droppedOutOfRangeValues: number;
}

/** A `MetricSource` over the Prometheus HTTP API, with counters of what it skipped. */
export interface PrometheusMetricSource extends MetricSource {
  /** A snapshot of the counters. */
  stats(): PrometheusSourceStats;
}

type Domain = 'fraction' | 'count' | 'nonNegative';

const QUERY_DOMAINS: Readonly<Record<PromQueryName, Domain>> = {
  gpuUtilization: 'fraction',
  gpuMemoryUsedBytes: 'nonNegative',
  gpuMemoryTotalBytes: 'nonNegative',
  queueDepth: 'count',
  inFlightRequests: 'count',
  kvCacheUtilization: 'fraction',
  ttftP50Ms: 'nonNegative',
  ttftP95Ms: 'nonNegative',
  ttftP99Ms: 'nonNegative',
  e2eP50Ms: 'nonNegative',
  e2eP95Ms: 'nonNegative',
  e2eP99Ms: 'nonNegative',
  queueWaitMeanMs: 'nonNegative',
};

const QUERY_NAMES = Object.keys(QUERY_DOMAINS) as PromQueryName[];
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const DURATION = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;
const MAX_TIMEOUT_MS = 600_000;
const DEFAULT_CONCURRENCY = 4;

function configError(
  path: readonly (string | number)[],
  message: string,
  value: unknown,
  limit?: string,
): HeadroomError {
  return new HeadroomError({
    code: 'invalid_config',
    message,
    path,
    value,
    ...(limit === undefined ? {} : { limit }),
  });
}

function checkInteger(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw configError([path], `must be an integer from ${min} to ${max}`, value, `${min}..${max}`);
  }
  return value;
}

function checkInstanceLabels(value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw configError(['instanceLabels'], 'must be a non-empty array of label names', value);
  }
  const seen = new Set<string>();
  value.forEach((label: unknown, index) => {
    if (
      typeof label !== 'string' ||
      !LABEL_NAME.test(label) ||
      label === 'le' ||
      label.startsWith('__')
    ) {
      throw configError(
        ['instanceLabels', index],
        'must be a Prometheus label name other than `le` and not starting with `__`',
        label,
        '[a-zA-Z_][a-zA-Z0-9_]*',
      );
    }
    if (seen.has(label)) throw configError(['instanceLabels', index], 'is a duplicate', label);
    seen.add(label);
  });
  return Object.freeze([...(value as string[])]);
}

function checkQueries(value: unknown): Readonly<PromQueryTemplates> {
  if (value === undefined) return DEFAULT_PROM_QUERIES;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw configError(['queries'], 'must be an object of PromQL templates', value);
  }
  const merged: Record<string, string> = { ...DEFAULT_PROM_QUERIES };
  for (const [name, template] of Object.entries(value)) {
    if (!(name in QUERY_DOMAINS)) {
      throw configError(
        ['queries', name],
        'is not a known query',
        name,
        `one of: ${QUERY_NAMES.join(', ')}`,
      );
    }
    if (typeof template !== 'string') {
      throw configError(
        ['queries', name],
        'must be a PromQL template string (empty to disable)',
        template,
      );
    }
    merged[name] = template;
  }
  return Object.freeze(merged) as unknown as Readonly<PromQueryTemplates>;
}

/**
 * Creates a `MetricSource` that reads GPU, load and latency metrics of every instance from a
 * Prometheus server's HTTP API: it runs the {@link PromQueryTemplates} as instant queries at one
 * evaluation time (the clock's `now`), joins their series by the instance labels and returns one
 * `InstanceObservation` per instance, sorted by id.
 *
 * Each observation has `load` and `latency` with the fields some query returned, and a single
 * `gpus` entry (`gpuId` = `<instanceId>:aggregate`) when a GPU query returned a value. A field no
 * query returned stays `undefined`, never 0. NaN and infinite values are missing; values outside
 * their domain and series lacking an instance label are skipped; all three are counted in
 * {@link PrometheusMetricSource.stats}.
 *
 * `read` never throws or rejects: if any query fails, the whole read is `{ ok: false, error }`
 * with that query's error code (see {@link queryInstant}) and its name in the message and `path`
 * (`['queries', 'queueDepth']`). A query returning two series for one instance is
 * `invalid_input`.
 *
 * @throws `HeadroomError` `invalid_config` when an option is invalid: `baseUrl` not an
 * absolute http(s) URL, `timeoutMs` outside 1..600000, a bad label name, window, query name or
 * template, every query disabled, `concurrency` outside 1..16, a `clock` without `now()`.
 * @example
 * ```ts
 * const source = createPrometheusSource({ baseUrl: 'http://prometheus.monitoring:9090' });
 * const result = await source.read({ signal: AbortSignal.timeout(10_000) });
 * if (result.ok) {
 *   for (const o of result.value) console.log(o.instanceId, o.load?.queueDepth, o.gpus?.[0]?.utilization);
 * }
 * ```
 */
export function createPrometheusSource(options: PrometheusSourceOptions): PrometheusMetricSource {
  if (typeof options !== 'object' || options === null) {
    throw configError([], 'options must be an object', options);
  }
  const baseUrl = parseBaseUrl(options.baseUrl, 'invalid_config').toString();
  const instanceLabels = checkInstanceLabels(
    options.instanceLabels ?? DEFAULT_PROM_INSTANCE_LABELS,
  );
  const templates = checkQueries(options.queries);
  const rangeWindow = options.rangeWindow ?? DEFAULT_PROM_RANGE_WINDOW;
  if (
    typeof rangeWindow !== 'string' ||
    !DURATION.test(rangeWindow) ||
    !/[1-9]/.test(rangeWindow)
  ) {
    throw configError(
      ['rangeWindow'],
      'must be a positive PromQL duration such as 30s, 1m or 1m30s',
      rangeWindow,
      '<number><ms|s|m|h|d|w|y>...',
    );
  }
  const timeoutMs = checkInteger(
    options.timeoutMs ?? DEFAULT_PROM_TIMEOUT_MS,
    'timeoutMs',
    1,
    MAX_TIMEOUT_MS,
  );
  const maxResponseBytes = checkInteger(
    options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    'maxResponseBytes',
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const concurrency = checkInteger(
    options.concurrency ?? DEFAULT_CONCURRENCY,
    'concurrency',
    1,
    16,
  );
  const clock = options.clock ?? systemClock;
  if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function') {
    throw configError(['clock'], 'must be a Clock with a now() method', clock);
  }
  const fetchImpl = options.fetch;
  if (fetchImpl !== undefined && typeof fetchImpl !== 'function') {
    throw configError(['fetch'], 'must be a fetch function', fetchImpl);
  }

  const by = instanceLabels.join(', ');
  const queries: readonly (readonly [PromQueryName, string])[] = QUERY_NAMES.filter(
    (name) => templates[name].trim() !== '',
  ).map(
    (name) =>
      [
        name,
        templates[name].replaceAll('{{by}}', by).replaceAll('{{window}}', rangeWindow),
      ] as const,
  );

  if (queries.length === 0) {
    throw configError(['queries'], 'disables every query; keep at least one', options.queries);
  }

  const counters = {
    reads: 0,
    failedReads: 0,
    droppedNonFiniteSamples: 0,
    droppedUnattributedSeries: 0,
    droppedOutOfRangeValues: 0,
  };

  async function runQueries(
    timeMs: number,
    signal: AbortSignal | undefined,
  ): Promise<(Result<PromInstantResult> | undefined)[]> {
    const results: (Result<PromInstantResult> | undefined)[] = queries.map(() => undefined);
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (!failed && next < queries.length) {
        const index = next;
        next += 1;
        const [, query] = queries[index] as readonly [PromQueryName, string];
        const result = await queryInstantDetailed({
          baseUrl,
          query,
          timeMs,
          timeoutMs,
          maxResponseBytes,
          ...(signal === undefined ? {} : { signal }),
          ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }),
        });
        results[index] = result;
        if (!result.ok) failed = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queries.length) }, worker));
    return results;
  }

  async function read(
    readOptions?: MetricReadOptions,
  ): Promise<Result<readonly InstanceObservation[]>> {
    counters.reads += 1;
    const observedAtMs = clock.now();
    const results = await runQueries(observedAtMs, readOptions?.signal);
    for (const [index, result] of results.entries()) {
      if (result === undefined || result.ok) continue;
      const [name, query] = queries[index] as readonly [PromQueryName, string];
      counters.failedReads += 1;
      return err(
        new HeadroomError({
          code: result.error.code,
          message: `query ${name} (${query}) failed: ${result.error.detail}`,
          path: ['queries', name],
          ...(result.error.limit === undefined ? {} : { limit: result.error.limit }),
          cause: result.error,
        }),
      );
    }

    const byInstance = new Map<
      string,
      { labels: Record<string, string>; values: Partial<Record<PromQueryName, number>> }
    >();
    for (const [index, result] of results.entries()) {
      if (result === undefined || !result.ok) continue;
      const [name, query] = queries[index] as readonly [PromQueryName, string];
      counters.droppedNonFiniteSamples += result.value.droppedNonFiniteSamples;
      for (const sample of result.value.samples) {
        const labelValues: string[] = [];
        for (const label of instanceLabels) {
          const value = sample.labels[label];
          if (value === undefined || value === '') break;
          labelValues.push(value);
        }
        if (labelValues.length !== instanceLabels.length) {
          counters.droppedUnattributedSeries += 1;
          continue;
        }
        if (!inDomain(sample.value, QUERY_DOMAINS[name])) {
          counters.droppedOutOfRangeValues += 1;
          continue;
        }
        const instanceId = labelValues.join('/');
        let entry = byInstance.get(instanceId);
        if (entry === undefined) {
          const labels: Record<string, string> = {};
          instanceLabels.forEach((label, i) => {
            labels[label] = labelValues[i] as string;
          });
          entry = { labels, values: {} };
          byInstance.set(instanceId, entry);
        }
        if (entry.values[name] !== undefined) {
          counters.failedReads += 1;
          return err(
            new HeadroomError({
              code: 'invalid_input',
              message: `query ${name} (${query}) returned more than one series for instance ${instanceId}; aggregate it by (${by})`,
              path: ['queries', name],
              value: sample.labels,
            }),
          );
        }
        entry.values[name] = sample.value;
      }
    }

    const observations: InstanceObservation[] = [];
    for (const instanceId of [...byInstance.keys()].sort()) {
      const { labels, values } = byInstance.get(instanceId) as {
        labels: Record<string, string>;
        values: Partial<Record<PromQueryName, number>>;
      };
      if (
        values.gpuMemoryUsedBytes !== undefined &&
        values.gpuMemoryTotalBytes !== undefined &&
        values.gpuMemoryUsedBytes > values.gpuMemoryTotalBytes
      ) {
        // Used above total (queries over different series): keep the one that was measured directly.
        delete values.gpuMemoryTotalBytes;
        counters.droppedOutOfRangeValues += 1;
      }
      observations.push(buildObservation(instanceId, labels, values, observedAtMs));
    }
    return ok(Object.freeze(observations));
  }

  return Object.freeze({
    name: `prometheus ${baseUrl}`,
    async read(readOptions?: MetricReadOptions): Promise<Result<readonly InstanceObservation[]>> {
      try {
        return await read(readOptions);
      } catch (error) {
        counters.failedReads += 1;
        return err(
          new HeadroomError({
            code: 'internal',
            message: `unexpected failure reading Prometheus at ${baseUrl}`,
            cause: error,
          }),
        );
      }
    },
    stats: (): PrometheusSourceStats => ({ ...counters }),
  });
}

function inDomain(value: number, domain: Domain): boolean {
  switch (domain) {
    case 'fraction':
      return value >= 0 && value <= 1;
    case 'count':
      return value >= 0 && Number.isInteger(value);
    case 'nonNegative':
      return value >= 0;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function buildObservation(
  instanceId: string,
  labels: Record<string, string>,
  values: Partial<Record<PromQueryName, number>>,
  observedAtMs: number,
): InstanceObservation {
  const load: Mutable<InstanceLoad> = {};
  if (values.queueDepth !== undefined) load.queueDepth = values.queueDepth;
  if (values.inFlightRequests !== undefined) load.inFlightRequests = values.inFlightRequests;
  if (values.kvCacheUtilization !== undefined) load.kvCacheUtilization = values.kvCacheUtilization;

  const latency: Mutable<LatencyObservation> = {};
  const latencyFields = [
    'ttftP50Ms',
    'ttftP95Ms',
    'ttftP99Ms',
    'e2eP50Ms',
    'e2eP95Ms',
    'e2eP99Ms',
    'queueWaitMeanMs',
  ] as const;
  for (const field of latencyFields) {
    const value = values[field];
    if (value !== undefined) latency[field] = value;
  }

  let gpu: Mutable<GpuSample> | undefined;
  if (
    values.gpuUtilization !== undefined ||
    values.gpuMemoryUsedBytes !== undefined ||
    values.gpuMemoryTotalBytes !== undefined
  ) {
    gpu = { gpuId: `${instanceId}:aggregate`, sampledAtMs: observedAtMs };
    if (values.gpuUtilization !== undefined) gpu.utilization = values.gpuUtilization;
    if (values.gpuMemoryUsedBytes !== undefined) gpu.memoryUsedBytes = values.gpuMemoryUsedBytes;
    if (values.gpuMemoryTotalBytes !== undefined) gpu.memoryTotalBytes = values.gpuMemoryTotalBytes;
  }

  const observation: Mutable<InstanceObservation> = {
    instanceId,
    observedAtMs,
    labels: { extra: labels },
  };
  if (Object.keys(load).length > 0) observation.load = load;
  if (Object.keys(latency).length > 0) observation.latency = latency;
  if (gpu !== undefined) observation.gpus = [gpu];
  return observation;
}
