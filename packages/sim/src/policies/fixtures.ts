/**
 * Hand-made observations for the policies' tests (not exported from the package).
 * @internal
 */
import type { InstanceSnapshot, LifecycleState } from '@headroom/core';
import type { PolicyObservation } from '../engine/types.js';
import type { Trace } from '../traces/types.js';

/** Load and GPU figures of one hand-made instance. */
export interface InstanceFigures {
  /** Lifecycle state. @defaultValue 'ready' */
  readonly state?: LifecycleState;
  /** GPU busy fraction, 0..1. */
  readonly utilization?: number;
  /** Requests waiting. */
  readonly queueDepth?: number;
  /** Requests running. */
  readonly inFlightRequests?: number;
  /** KV-cache utilization, 0..1. */
  readonly kvCacheUtilization?: number;
  /** Sample time, ms. @defaultValue 0 */
  readonly atMs?: number;
}

/** One instance snapshot with a single GPU. */
export function instance(id: string, f: InstanceFigures = {}): InstanceSnapshot {
  const atMs = f.atMs ?? 0;
  return {
    id,
    state: f.state ?? 'ready',
    stateSinceMs: 0,
    labels: {},
    load: {
      ...(f.queueDepth === undefined ? {} : { queueDepth: f.queueDepth }),
      ...(f.inFlightRequests === undefined ? {} : { inFlightRequests: f.inFlightRequests }),
      ...(f.kvCacheUtilization === undefined ? {} : { kvCacheUtilization: f.kvCacheUtilization }),
    },
    gpus: [
      {
        gpuId: `${id}-gpu0`,
        sampledAtMs: atMs,
        ...(f.utilization === undefined ? {} : { utilization: f.utilization }),
      },
    ],
    observedAtMs: atMs,
  };
}

/** `n` instances with the same figures, ids `i0..i{n-1}`. */
export function fleet(n: number, f: InstanceFigures = {}, prefix = 'i'): InstanceSnapshot[] {
  return Array.from({ length: n }, (_, i) => instance(`${prefix}${i}`, f));
}

/** An observation at `nowMs` with the given instances; counts derived from them unless given. */
export function observation(
  nowMs: number,
  instances: readonly InstanceSnapshot[],
  extra: Partial<PolicyObservation> = {},
): PolicyObservation {
  const ready = instances.filter((i) => i.state === 'ready').length;
  const live = instances.filter((i) => i.state !== 'terminated' && i.state !== 'failed').length;
  return {
    nowMs,
    currentReplicas: live,
    readyReplicas: ready,
    instances: instances.map((i) => ({
      ...i,
      observedAtMs: nowMs,
      gpus: i.gpus.map((g) => ({ ...g, sampledAtMs: nowMs })),
    })),
    arrivalRatePerSec: 0,
    recentArrivalRates: [],
    coldStartMs: { p50: 20_000, p95: 45_000 },
    capacityPerReplicaRps: 1,
    ...extra,
  };
}

/** A trace of evenly spaced requests: `ratePerSec` for `durationMs`. */
export function evenTrace(ratePerSec: number, durationMs: number, name = 'even'): Trace {
  const requests = [];
  const gap = 1_000 / ratePerSec;
  for (let t = 0; t < durationMs; t += gap) {
    requests.push({ arrivalMs: t, promptTokens: 100, outputTokens: 10 });
  }
  return { name, source: 'test', durationMs, requests };
}
