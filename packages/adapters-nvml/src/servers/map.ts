import {
  GpuSampleSchema,
  InstanceLoadSchema,
  err,
  ok,
  parseInput,
  type GpuSample,
  type InstanceLabels,
  type InstanceLoad,
  type LatencyObservation,
  type Result,
} from '@headroom/core';
import {
  histogramDelta,
  histogramQuantile,
  histogramSeries,
  type HistogramBucket,
  type HistogramSeries,
} from '../prometheus/histogram.js';
import type { Exposition, MetricFamily } from '../prometheus/parse.js';

/** The inference servers whose `/metrics` headroom understands. */
export const SERVER_KINDS = ['vllm', 'triton', 'sglang', 'tgi'] as const;

/** One of {@link SERVER_KINDS}. */
export type ServerKind = (typeof SERVER_KINDS)[number];

/** What one scrape leaves behind for the next: cumulative counters and histograms, to take deltas. */
export interface ServerScrapeState {
  /** Cumulative histograms by family name (all label sets summed). */
  readonly histograms: ReadonlyMap<string, HistogramSeries>;
  /** Cumulative counters by family name (all label sets summed). */
  readonly counters: ReadonlyMap<string, number>;
}

/** What a server's page says about its instance. */
export interface ServerReading {
  /** Load fields the server reports; others stay `undefined`. */
  readonly load: InstanceLoad;
  /** Latency over the interval since the previous scrape; empty on the first scrape. */
  readonly latency: LatencyObservation;
  /** Labels found on the page (the served model). */
  readonly labels: InstanceLabels;
  /** GPU samples the server exports itself (Triton does). */
  readonly gpus: readonly GpuSample[];
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

/** Sums every label set of a histogram family into one series (engines, models). */
function mergedHistogram(family: MetricFamily | undefined): Result<HistogramSeries | undefined> {
  if (family === undefined) return ok(undefined);
  const series = histogramSeries(family);
  if (!series.ok) return series;
  const [first, ...rest] = series.value;
  if (first === undefined) return ok(undefined);
  const buckets = first.buckets.map((b) => ({ ...b }));
  let total = first.count;
  let s = first.sum;
  for (const other of rest) {
    if (
      other.buckets.length !== buckets.length ||
      other.buckets.some((b, i) => b.le !== (buckets[i] as HistogramBucket).le)
    )
      continue;
    other.buckets.forEach((b, i) => ((buckets[i] as { count: number }).count += b.count));
    total += other.count;
    s = s === undefined || other.sum === undefined ? undefined : s + other.sum;
  }
  return ok({ labels: {}, buckets, sum: s, count: total });
}

interface Collector {
  histograms: Map<string, HistogramSeries>;
  counters: Map<string, number>;
  latency: Record<string, number>;
}

function quantilesMs(
  c: Collector,
  exposition: Exposition,
  previous: ServerScrapeState | undefined,
  familyName: string,
  prefix: 'ttft' | 'e2e',
): Result<void> {
  const merged = mergedHistogram(exposition.families.get(familyName));
  if (!merged.ok) return merged;
  const current = merged.value;
  if (current === undefined) return ok(undefined);
  c.histograms.set(familyName, current);
  const before = previous?.histograms.get(familyName);
  if (before === undefined) return ok(undefined); // a window needs two scrapes
  const window = histogramDelta(before, current);
  for (const [q, key] of [
    [0.5, 'P50Ms'],
    [0.95, 'P95Ms'],
    [0.99, 'P99Ms'],
  ] as const) {
    const seconds = histogramQuantile(q, window);
    if (seconds !== undefined) c.latency[`${prefix}${key}`] = seconds * 1000;
  }
  return ok(undefined);
}

function counterDelta(
  c: Collector,
  previous: ServerScrapeState | undefined,
  name: string,
  value: number | undefined,
): number | undefined {
  if (value === undefined) return undefined;
  c.counters.set(name, value);
  const before = previous?.counters.get(name);
  if (before === undefined || value < before) return undefined;
  return value - before;
}

/**
 * Maps an inference server's `/metrics` page to its instance's load and latency.
 *
 * | server | queueDepth | inFlightRequests | kvCacheUtilization | latency |
 * | --- | --- | --- | --- | --- |
 * | vLLM | `vllm:num_requests_waiting` | `vllm:num_requests_running` | `vllm:kv_cache_usage_perc`, else the pre-0.9.2 `vllm:gpu_cache_usage_perc` | TTFT and e2e histograms |
 * | Triton | `nv_inference_pending_request_count` | — | — | mean queue wait from `nv_inference_queue_duration_us` / requests |
 * | SGLang | `sglang:num_queue_reqs` | `sglang:num_running_reqs` | `sglang:token_usage` | — |
 * | TGI | `tgi_queue_size` | `tgi_batch_current_size` | — | e2e from `tgi_request_duration` |
 *
 * Series of several engines or models on one server are summed (queues) or maxed (KV-cache).
 * Latency and Triton's queue wait are rates: they cover the interval since `previous` and are
 * absent on the first scrape, and a counter that went down (a restart) restarts the window.
 * A family absent from the page leaves its field `undefined`.
 */
export function mapServerExposition(
  kind: ServerKind,
  exposition: Exposition,
  options: { readonly sampledAtMs: number; readonly previous?: ServerScrapeState | undefined },
): Result<ServerReading> {
  const f = (name: string) => exposition.families.get(name);
  const c: Collector = { histograms: new Map(), counters: new Map(), latency: {} };
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
    for (const [family, prefix] of [
      ['vllm:time_to_first_token_seconds', 'ttft'],
      ['vllm:e2e_request_latency_seconds', 'e2e'],
    ] as const) {
      const r = quantilesMs(c, exposition, options.previous, family, prefix);
      if (!r.ok) return r;
    }
  } else if (kind === 'sglang') {
    setCount('queueDepth', sum(f('sglang:num_queue_reqs')));
    setCount('inFlightRequests', sum(f('sglang:num_running_reqs')));
    const kv = max(f('sglang:token_usage'));
    if (kv !== undefined) load['kvCacheUtilization'] = kv;
    setModel(firstLabel(f('sglang:num_running_reqs'), 'model_name'));
  } else if (kind === 'tgi') {
    setCount('queueDepth', sum(f('tgi_queue_size')));
    setCount('inFlightRequests', sum(f('tgi_batch_current_size')));
    const r = quantilesMs(c, exposition, options.previous, 'tgi_request_duration', 'e2e');
    if (!r.ok) return r;
  } else {
    setCount('queueDepth', sum(f('nv_inference_pending_request_count')));
    setModel(firstLabel(f('nv_inference_request_success'), 'model'));
    const queueUs = counterDelta(
      c,
      options.previous,
      'nv_inference_queue_duration_us',
      sum(f('nv_inference_queue_duration_us')),
    );
    const success = sum(f('nv_inference_request_success'));
    const failure = sum(f('nv_inference_request_failure'));
    const requests = counterDelta(
      c,
      options.previous,
      'requests',
      success === undefined ? undefined : success + (failure ?? 0),
    );
    if (queueUs !== undefined && requests !== undefined && requests > 0)
      c.latency['queueWaitMeanMs'] = queueUs / requests / 1000;
    const byGpu = new Map<string, Record<string, number | string>>();
    for (const [family, field] of [
      ['nv_gpu_utilization', 'utilization'],
      ['nv_gpu_memory_total_bytes', 'memoryTotalBytes'],
      ['nv_gpu_memory_used_bytes', 'memoryUsedBytes'],
      ['nv_gpu_power_usage', 'powerW'],
    ] as const) {
      for (const s of f(family)?.samples ?? []) {
        const uuid = s.labels['gpu_uuid'];
        if (uuid === undefined || !Number.isFinite(s.value)) continue;
        const g = byGpu.get(uuid) ?? { gpuId: uuid, sampledAtMs: options.sampledAtMs };
        g[field] = s.value;
        byGpu.set(uuid, g);
      }
    }
    for (const [i, g] of [...byGpu.values()].entries()) {
      const parsed = parseInput(GpuSampleSchema, g, ['gpus', i]);
      if (!parsed.ok) return err(parsed.error);
      gpus.push(parsed.value);
    }
  }
  const parsedLoad = parseInput(InstanceLoadSchema, load, ['load']);
  if (!parsedLoad.ok) return err(parsedLoad.error);
  return ok({
    load: parsedLoad.value,
    latency: c.latency,
    labels,
    gpus,
    state: { histograms: c.histograms, counters: c.counters },
  });
}
