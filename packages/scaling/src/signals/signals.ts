import { checkMetric, type InstanceSnapshot, type MetricProblem } from '@headroom/core';

/**
 * What a signal measures.
 *
 * - `gpu_utilization`: mean GPU utilization of the instance's GPUs, 0..1.
 * - `queue_depth`: requests waiting, per instance.
 * - `active_streams`: open streams per instance. Feed the peak since the last decision (the
 *   poller in `@headroom/adapters-nvml` reports core's high-water mark), so short streams count.
 * - `kv_cache`: KV-cache utilization, 0..1.
 * - `latency`: a fleet-wide latency percentile (p95, p99) in ms against an SLO, from `fleet` input.
 * - `custom`: a per-instance value read by your own function.
 */
export type SignalKind =
  'gpu_utilization' | 'queue_depth' | 'active_streams' | 'kv_cache' | 'latency' | 'custom';

/** One signal of a composite: what to read, its target, and how much to trust it. */
export interface SignalSpec {
  /** A unique name, reported as the driving signal. */
  readonly name: string;
  /** What it measures. */
  readonly kind: SignalKind;
  /**
   * Target per instance in the signal's unit (utilization 0..1, requests, streams, KV fraction), or
   * the SLO in ms for `latency`; > 0. Pressure = observed / target.
   */
  readonly target: number;
  /** Values older than this, ms, are stale (treated as missing). @defaultValue 60_000 */
  readonly maxAgeMs?: number;
  /** Weight in a `weighted_mean` composite, > 0. @defaultValue 1 */
  readonly weight?: number;
  /** For `custom`: reads the value and its sample time from an instance. */
  readonly read?: (instance: InstanceSnapshot) => {
    readonly value: number | undefined;
    readonly sampledAtMs: number | undefined;
  };
}

/** A fleet-wide reading (a latency percentile) for a `latency` signal, by signal name. */
export interface FleetSignalValue {
  /** The value, ms for latency. */
  readonly value: number | undefined;
  /** When it was computed, epoch ms. */
  readonly sampledAtMs: number | undefined;
}

/** One instance's value for a signal, or why it has none. */
export type InstanceSignalValue =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly problem: MetricProblem };

/** Reads a per-instance signal from a snapshot, through core's metric gate (missing, NaN, negative, stale). */
export function readInstanceSignal(
  spec: SignalSpec,
  instance: InstanceSnapshot,
  nowMs: number,
): InstanceSignalValue {
  const maxAgeMs = spec.maxAgeMs ?? 60_000;
  let value: number | undefined;
  let sampledAtMs: number | undefined = instance.observedAtMs;
  switch (spec.kind) {
    case 'gpu_utilization': {
      const utils = instance.gpus.map((g) => g.utilization);
      if (utils.length === 0 || utils.some((u) => u === undefined)) {
        value = undefined;
      } else {
        value = (utils as number[]).reduce((a, b) => a + b, 0) / utils.length;
        sampledAtMs = Math.min(...instance.gpus.map((g) => g.sampledAtMs));
      }
      break;
    }
    case 'queue_depth':
      value = instance.load.queueDepth;
      break;
    case 'active_streams':
      value = instance.load.activeStreams;
      break;
    case 'kv_cache':
      value = instance.load.kvCacheUtilization;
      break;
    case 'custom': {
      const r = spec.read?.(instance);
      value = r?.value;
      sampledAtMs = r?.sampledAtMs;
      break;
    }
    case 'latency':
      value = undefined;
      break;
  }
  const checked = checkMetric(value, { nowMs, maxAgeMs, sampledAtMs });
  return checked.ok ? { ok: true, value: checked.value } : { ok: false, problem: checked.problem };
}
