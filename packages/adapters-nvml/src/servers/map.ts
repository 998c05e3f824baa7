import {
  GpuSampleSchema,
  HeadroomError,
  InstanceLoadSchema,
  err,
  ok,
  type GpuSample,
  type InstanceLabels,
  type InstanceLoad,
  type LatencyObservation,
  type Result,
} from '@headroom/core';
import { validateDroppingFields } from '../dcgm/map.js';
import {
  histogramDelta,
  histogramQuantile,
  histogramSeries,
  type HistogramSeries,
} from '../prometheus/histogram.js';
import type { Exposition, MetricFamily } from '../prometheus/parse.js';

/** The inference servers whose `/metrics` headroom understands. */
export const SERVER_KINDS = ['vllm', 'triton', 'sglang', 'tgi'] as const;

/** One of {@link SERVER_KINDS}. */
export type ServerKind = (typeof SERVER_KINDS)[number];

/** What one scrape leaves behind for the next: cumulative counters and histograms, to take deltas. */
export interface ServerScrapeState {
  /**
   * Cumulative histograms by family name, then by series (the label set without `le`, as a
   * stable key), so that the next scrape takes each series' difference on its own.
   */
  readonly histograms: ReadonlyMap<string, ReadonlyMap<string, HistogramSeries>>;
  /** Cumulative counters by family name (all label sets summed). */
  readonly counters: ReadonlyMap<string, number>;
}

/** What a server's page says about its instance. */
export interface ServerReading {
  /** Load fields the server reports; others stay `undefined`. */
  readonly load: InstanceLoad;
  /**
   * Latency over the interval since the previous scrape; empty on the first scrape. Every value
   * is finite and ≥ 0; one that would not be is left out and explained in `problems`.
   */
  readonly latency: LatencyObservation;
  /** Labels found on the page (the served model). */
  readonly labels: InstanceLabels;
  /** GPU samples the server exports itself (Triton does). */
  readonly gpus: readonly GpuSample[];
  /**
   * What was left out and why: a broken histogram (its latency only), an out-of-range load or
   * GPU field, histogram series whose bucket bounds differ. Empty when the page was clean.
   */
  readonly problems: readonly string[];
  /** Pass this to the next call as `previous`. */
  readonly state: ServerScrapeState;
}

/** Guesses the server from the metric names on its page, or `undefined` if none matches. */
export function detectServerKind(exposition: Exposition): ServerKind | undefined {
  for (const name of exposition.families.keys()) {
    if (name.startsWith('vllm:')) return 'vllm';
    if (name.startsWith('sglang:')) return 'sglang';
    if (name.startsWith('nv_inference_')) return 'triton';
    if (name.startsWith('tgi_')) return 'tgi';
  }
  return undefined;
}

function finiteValues(family: MetricFamily | undefined): number[] {
  if (family === undefined) return [];
  return family.samples
    .filter((s) => s.name === family.name && Number.isFinite(s.value))
    .map((s) => s.value);
}

function sum(family: MetricFamily | undefined): number | undefined {
  const values = finiteValues(family);
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
}

function max(family: MetricFamily | undefined): number | undefined {
  const values = finiteValues(family);
  return values.length === 0 ? undefined : Math.max(...values);
}

function firstLabel(family: MetricFamily | undefined, label: string): string | undefined {
  return family?.samples.find((s) => s.labels[label] !== undefined)?.labels[label];
}

interface Collector {
  histograms: Map<string, ReadonlyMap<string, HistogramSeries>>;
  counters: Map<string, number>;
  latency: Record<string, number>;
  problems: string[];
}

/** A stable key of a series' labels (`le` is already removed by `histogramSeries`). */
function seriesKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0001${labels[k] as string}`)
    .join('\u0000');
}

function sameBounds(a: HistogramSeries, b: HistogramSeries): boolean {
  return (
    a.buckets.length === b.buckets.length && a.buckets.every((x, i) => x.le === b.buckets[i]?.le)
  );
}

/** Sets a latency field if it is finite and ≥ 0; otherwise leaves it out and says why. */
function setLatency(c: Collector, key: string, ms: number, from: string): void {
  if (Number.isFinite(ms) && ms >= 0) c.latency[key] = ms === 0 ? 0 : ms;
  else c.problems.push(`${key} from ${from} is ${ms}: left out`);
}

/**
 * Latency percentiles of one histogram family over the interval since `previous`, like PromQL's
 * `histogram_quantile(q, sum by (le) (rate(x_bucket[..])))`: each series (label set without
 * `le`) is differenced on its own, a series whose counts went down (a restart) or that is new
 * contributes its current cumulative counts, and the per-series differences are summed by `le`.
 * A broken histogram costs only this latency, recorded in `problems`.
 */
function quantilesMs(
  c: Collector,
  exposition: Exposition,
  previous: ServerScrapeState | undefined,
  familyName: string,
  prefix: 'ttft' | 'e2e',
): void {
  const family = exposition.families.get(familyName);
  if (family === undefined) return;
  const parsed = histogramSeries(family);
  if (!parsed.ok) {
    c.problems.push(`${prefix} latency left out: ${parsed.error.detail}`);
    return;
  }
  for (const s of parsed.value) {
    const bad = s.buckets.slice(0, -1).find((b) => !Number.isFinite(b.le));
    if (bad !== undefined) {
      c.problems.push(
        `${prefix} latency left out: histogram ${familyName}${JSON.stringify(s.labels)}: a bucket bound before +Inf is ${bad.le}`,
      );
      return;
    }
  }
  const current = new Map<string, HistogramSeries>();
  for (const s of parsed.value) current.set(seriesKey(s.labels), s);
  c.histograms.set(familyName, current);
  const before = previous?.histograms.get(familyName);
  if (before === undefined) return; // a window needs two scrapes
  let first: HistogramSeries | undefined;
  let counts: number[] = [];
  for (const [key, series] of current) {
    const delta = histogramDelta(before.get(key), series);
    if (first === undefined) {
      first = delta;
      counts = delta.buckets.map((b) => b.count);
    } else if (!sameBounds(first, delta)) {
      c.problems.push(
        `histogram ${familyName}${JSON.stringify(series.labels)}: bucket bounds differ from ${JSON.stringify(first.labels)}; left out of the ${prefix} percentiles`,
      );
    } else {
      delta.buckets.forEach((b, i) => (counts[i] = (counts[i] as number) + b.count));
    }
  }
  if (first === undefined) return;
  const window: HistogramSeries = {
    labels: {},
    buckets: first.buckets.map((b, i) => ({ le: b.le, count: counts[i] as number })),
    sum: undefined,
    count: counts[counts.length - 1] ?? 0,
  };
  for (const [q, key] of [
    [0.5, 'P50Ms'],
    [0.95, 'P95Ms'],
    [0.99, 'P99Ms'],
  ] as const) {
    const seconds = histogramQuantile(q, window);
    if (seconds !== undefined) setLatency(c, `${prefix}${key}`, seconds * 1000, familyName);
  }
}

/** The increase of a counter since `previous`; `undefined` on the first scrape or after a reset. */
function counterDelta(
  c: Collector,
  previous: ServerScrapeState | undefined,
  name: string,
  value: number | undefined,
): number | undefined {
  if (value === undefined || !Number.isFinite(value)) return undefined;
  c.counters.set(name, value);
  const before = previous?.counters.get(name);
  if (before === undefined || value < before) return undefined;
  return value - before;
}

const REQUIRED_GPU_FIELDS: ReadonlySet<string> = new Set(['gpuId', 'sampledAtMs']);
const NO_REQUIRED_FIELDS: ReadonlySet<string> = new Set();

/**
 * Maps an inference server's `/metrics` page to its instance's load and latency.
 *
 * | server | queueDepth | inFlightRequests | kvCacheUtilization | latency |
 * | --- | --- | --- | --- | --- |
 * | vLLM | `vllm:num_requests_waiting` | `vllm:num_requests_running` | `vllm:kv_cache_usage_perc`, else the pre-0.9.2 `vllm:gpu_cache_usage_perc` | TTFT and e2e histograms |
 * | Triton | `nv_inference_pending_request_count` | — | — | mean queue wait: Δ`nv_inference_queue_duration_us` / Δ`nv_inference_request_success` |
 * | SGLang | `sglang:num_queue_reqs` | `sglang:num_running_reqs` | `sglang:token_usage` | — |
 * | TGI | `tgi_queue_size` | `tgi_batch_current_size` | — | e2e from `tgi_request_duration` |
 *
 * Series of several engines or models on one server are summed (queues) or maxed (KV-cache).
 * Latency and Triton's queue wait are rates: they cover the interval since `previous` and are
 * absent on the first scrape. Histogram percentiles difference each series (engine, model) on
 * its own and sum the differences by `le`, so one engine's restart does not hide the others'
 * traffic; a summed counter that went down (a restart) restarts Triton's window. Triton
 * accumulates its queue duration over successful requests only, so the mean divides by those.
 * A family absent from the page leaves its field `undefined`.
 *
 * One bad family costs only what it feeds: a broken histogram drops its latency, an
 * out-of-range load or GPU value drops that field, and each is explained in `problems`. Latency
 * values are always finite and ≥ 0.
 *
 * @returns the reading, or an `invalid_input` error only when a GPU sample cannot be repaired by
 *   leaving fields out (an invalid `sampledAtMs`).
 */
export function mapServerExposition(
  kind: ServerKind,
  exposition: Exposition,
  options: { readonly sampledAtMs: number; readonly previous?: ServerScrapeState | undefined },
): Result<ServerReading> {
  const f = (name: string) => exposition.families.get(name);
  const c: Collector = { histograms: new Map(), counters: new Map(), latency: {}, problems: [] };
  const load: Record<string, number> = {};
  const labels: Record<string, string> = {};
  const gpus: GpuSample[] = [];
  const setCount = (key: string, value: number | undefined) => {
    if (value !== undefined) load[key] = Math.max(0, Math.round(value));
  };
  const setModel = (model: string | undefined) => {
    if (model !== undefined && model !== '') labels['model'] = model;
  };

  if (kind === 'vllm') {
    setCount('queueDepth', sum(f('vllm:num_requests_waiting')));
    setCount('inFlightRequests', sum(f('vllm:num_requests_running')));
    const kv = max(f('vllm:kv_cache_usage_perc')) ?? max(f('vllm:gpu_cache_usage_perc'));
    if (kv !== undefined) load['kvCacheUtilization'] = kv;
    setModel(firstLabel(f('vllm:num_requests_running'), 'model_name'));
    quantilesMs(c, exposition, options.previous, 'vllm:time_to_first_token_seconds', 'ttft');
    quantilesMs(c, exposition, options.previous, 'vllm:e2e_request_latency_seconds', 'e2e');
  } else if (kind === 'sglang') {
    setCount('queueDepth', sum(f('sglang:num_queue_reqs')));
    setCount('inFlightRequests', sum(f('sglang:num_running_reqs')));
    const kv = max(f('sglang:token_usage'));
    if (kv !== undefined) load['kvCacheUtilization'] = kv;
    setModel(firstLabel(f('sglang:num_running_reqs'), 'model_name'));
  } else if (kind === 'tgi') {
    setCount('queueDepth', sum(f('tgi_queue_size')));
    setCount('inFlightRequests', sum(f('tgi_batch_current_size')));
    quantilesMs(c, exposition, options.previous, 'tgi_request_duration', 'e2e');
  } else {
    setCount('queueDepth', sum(f('nv_inference_pending_request_count')));
    setModel(firstLabel(f('nv_inference_request_success'), 'model'));
    const queueUs = counterDelta(
      c,
      options.previous,
      'nv_inference_queue_duration_us',
      sum(f('nv_inference_queue_duration_us')),
    );
    // Triton accumulates nv_inference_queue_duration_us over successful requests only.
    const successes = counterDelta(
      c,
      options.previous,
      'nv_inference_request_success',
      sum(f('nv_inference_request_success')),
    );
    if (queueUs !== undefined && successes !== undefined && successes > 0)
      setLatency(
        c,
        'queueWaitMeanMs',
        queueUs / successes / 1000,
        'nv_inference_queue_duration_us',
      );
    const byGpu = new Map<string, Record<string, number | string>>();
    for (const [family, field] of [
      ['nv_gpu_utilization', 'utilization'],
      ['nv_gpu_memory_total_bytes', 'memoryTotalBytes'],
      ['nv_gpu_memory_used_bytes', 'memoryUsedBytes'],
      ['nv_gpu_power_usage', 'powerW'],
    ] as const) {
      for (const s of f(family)?.samples ?? []) {
        const uuid = s.labels['gpu_uuid'];
        if (uuid === undefined || uuid === '' || !Number.isFinite(s.value)) continue;
        const g = byGpu.get(uuid) ?? { gpuId: uuid, sampledAtMs: options.sampledAtMs };
        g[field] = s.value;
        byGpu.set(uuid, g);
      }
    }
    for (const [i, g] of [...byGpu.values()].entries()) {
      const checked = validateDroppingFields(GpuSampleSchema, g, REQUIRED_GPU_FIELDS);
      if (!checked.ok) {
        return err(
          new HeadroomError({
            code: 'invalid_input',
            message: `GPU ${String(g['gpuId'])}: ${checked.message}`,
            path: ['gpus', i],
          }),
        );
      }
      for (const d of checked.dropped)
        c.problems.push(
          `GPU ${String(g['gpuId'])}: ${d.field} ${String(d.value)} left out: ${d.reason}`,
        );
      gpus.push(checked.value);
    }
  }
  const checkedLoad = validateDroppingFields(InstanceLoadSchema, load, NO_REQUIRED_FIELDS);
  if (!checkedLoad.ok) {
    // Unreachable: every load field is optional. Kept so a schema change cannot pass silently.
    return err(
      new HeadroomError({ code: 'invalid_input', message: checkedLoad.message, path: ['load'] }),
    );
  }
  for (const d of checkedLoad.dropped)
    c.problems.push(`load.${d.field} ${String(d.value)} left out: ${d.reason}`);
  return ok({
    load: checkedLoad.value,
    latency: c.latency,
    labels,
    gpus,
    problems: c.problems,
    state: { histograms: c.histograms, counters: c.counters },
  });
}
