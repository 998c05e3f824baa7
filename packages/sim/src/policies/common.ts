import {
  hpaStep,
  recordHpaScale,
  type HpaController,
  type HpaDecision,
  type HpaMetricReading,
  type HpaPod,
  type HpaPodSample,
  type HpaState,
} from '@headroom/scaling';
import { HeadroomError, type InstanceSnapshot, type LifecycleState } from '@headroom/core';
import type { PolicyObservation } from '../engine/types.js';
import type { Trace } from '../traces/types.js';

/** The replica bounds the engine hands a policy at t = 0 (and clamps its decisions to). */
export interface ReplicaBounds {
  /** Fewest replicas, an integer >= 0. */
  readonly minReplicas: number;
  /** Most replicas, an integer >= `minReplicas`. */
  readonly maxReplicas: number;
}

/**
 * The window over which a trace's start rate and peak rate are measured: one minute, the
 * resolution at which capacity planners quote a "peak rate".
 */
export const RATE_WINDOW_MS = 60_000;

/**
 * `value` rounded up to an integer and clamped to [minReplicas, maxReplicas]; a value that is not
 * a finite number becomes `fallback` (clamped the same way), so the result is always a finite
 * integer inside the bounds.
 */
export function clampReplicas(value: number, bounds: ReplicaBounds, fallback: number): number {
  const lo = bounds.minReplicas;
  const hi = Math.max(lo, bounds.maxReplicas);
  const pick = Number.isFinite(value) ? value : Number.isFinite(fallback) ? fallback : lo;
  return Math.min(hi, Math.max(lo, Math.ceil(pick)));
}

/** True for a non-negative safe integer (a usable replica count). */
export function isReplicaCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** True for a finite number > 0. */
export function isPositiveFinite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/** `value` when it is a finite number >= 0, else `undefined` (bad metrics never reach the math). */
export function finiteNonNegative(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Arrivals per second over the busiest window of `windowMs` in the trace (a sliding window over
 * arrival times, two pointers, O(n)). A trace shorter than the window is measured over its own
 * duration (at least one second), so ten requests in two seconds read as 5 requests/s, not as
 * ten per minute.
 */
export function peakArrivalRatePerSec(trace: Trace, windowMs: number = RATE_WINDOW_MS): number {
  const requests = trace.requests;
  if (requests.length === 0) return 0;
  const span = Math.max(1_000, Math.min(windowMs, trace.durationMs));
  let best = 0;
  let j = 0;
  for (let i = 0; i < requests.length; i++) {
    const start = (requests[i] as { arrivalMs: number }).arrivalMs;
    if (j < i) j = i;
    while (j < requests.length && (requests[j] as { arrivalMs: number }).arrivalMs < start + span) {
      j++;
    }
    if (j - i > best) best = j - i;
  }
  return best / (span / 1_000);
}

/**
 * Arrivals per second over the trace's first `windowMs` (or its whole duration when shorter,
 * at least one second): the load a fleet already running when the replay begins was sized for.
 */
export function startArrivalRatePerSec(trace: Trace, windowMs: number = RATE_WINDOW_MS): number {
  const span = Math.max(1_000, Math.min(windowMs, trace.durationMs));
  const first = trace.requests[0]?.arrivalMs ?? 0;
  let n = 0;
  for (const r of trace.requests) {
    if (r.arrivalMs >= first + span) break;
    n++;
  }
  return n / (span / 1_000);
}

/** What the engine passes to `initialReplicas`. */
export interface InitialContext extends ReplicaBounds {
  /** The trace to be replayed. */
  readonly trace: Trace;
  /** The service model's requests/s per replica at the SLO. */
  readonly capacityPerReplicaRps: number;
}

/**
 * The starting count shared by every reactive policy of the suite: the replicas that carry the
 * trace's first minute at `capacityPerReplicaRps`, within the bounds, so each policy starts
 * from a fleet already sized for the load when the replay begins (as it would be in production)
 * rather than from a cold, empty one (the oracle starts from its own plan's first count). A
 * capacity that is not a finite number > 0 cannot size anything: the policy starts at
 * `minReplicas` (at least 1 when the bounds allow it).
 */
export function startingReplicas(ctx: InitialContext): number {
  const bounds = { minReplicas: ctx.minReplicas, maxReplicas: ctx.maxReplicas };
  const floor = Math.min(Math.max(1, ctx.minReplicas), ctx.maxReplicas);
  if (!isPositiveFinite(ctx.capacityPerReplicaRps)) return clampReplicas(floor, bounds, floor);
  const needed = Math.ceil(startArrivalRatePerSec(ctx.trace) / ctx.capacityPerReplicaRps - 1e-9);
  return clampReplicas(Math.max(floor, needed), bounds, floor);
}

/**
 * The count a policy starts a run at: its `initialReplicas` option clamped into the bounds, or
 * {@link startingReplicas} when the option is unset.
 */
export function initialReplicaCount(
  ctx: InitialContext,
  bounds: ReplicaBounds,
  initialReplicas: number | undefined,
): number {
  return initialReplicas === undefined
    ? startingReplicas(ctx)
    : clampReplicas(initialReplicas, bounds, bounds.minReplicas);
}

/**
 * The observation's current replicas when they are a replica count, else `fallback` (the
 * policy's last answer): a policy never trusts a broken count.
 */
export function observedReplicas(obs: PolicyObservation, fallback: number): number {
  return isReplicaCount(obs.currentReplicas) ? obs.currentReplicas : fallback;
}

/** What {@link hpaReconcile} returns. */
export interface HpaReconcile {
  /** The controller's decision, for inspection. */
  readonly decision: HpaDecision;
  /** The state to carry to the next reconcile (with the scale recorded when there is one). */
  readonly state: HpaState;
  /** The replicas to run: the decision clamped into the bounds. */
  readonly desired: number;
}

/**
 * One HPA reconcile as the HPA-based policies run it: `hpaStep` over the fleet's instances as
 * pods and one metric reading, its count clamped into the bounds (falling back to `current`),
 * and the scale recorded in the state when the count changes, as the controller does when it
 * writes the scale subresource.
 */
export function hpaReconcile(
  controller: HpaController,
  state: HpaState,
  bounds: ReplicaBounds,
  obs: PolicyObservation,
  nowMs: number,
  current: number,
  metric: HpaMetricReading,
): HpaReconcile {
  const decision = hpaStep(controller, state, {
    nowMs,
    specReplicas: current,
    pods: obs.instances.map(instanceAsPod),
    metrics: [metric],
  });
  const desired = clampReplicas(decision.desiredReplicas, bounds, current);
  const next =
    desired === current
      ? decision.state
      : recordHpaScale(controller, decision.state, current, desired, nowMs);
  return { decision, state: next, desired };
}

/**
 * Validates the bounds the engine passes at t = 0.
 * @throws `HeadroomError` `invalid_argument` when `minReplicas` or `maxReplicas` is not a
 * non-negative integer, or `maxReplicas < minReplicas` (a misuse by the caller, not bad data).
 */
export function checkBounds(ctx: ReplicaBounds, policy: string): ReplicaBounds {
  for (const key of ['minReplicas', 'maxReplicas'] as const) {
    if (!isReplicaCount(ctx[key])) {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: `${policy}: ${key} must be a non-negative integer`,
        path: ['initialReplicas', key],
        value: ctx[key],
        limit: 'integer >= 0',
      });
    }
  }
  if (ctx.maxReplicas < ctx.minReplicas) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: `${policy}: maxReplicas must be >= minReplicas (${ctx.minReplicas})`,
      path: ['initialReplicas', 'maxReplicas'],
      value: ctx.maxReplicas,
      limit: `>= ${ctx.minReplicas}`,
    });
  }
  return { minReplicas: ctx.minReplicas, maxReplicas: ctx.maxReplicas };
}

/**
 * The error a policy throws when `decide` is called before `initialReplicas` (the engine calls
 * `initialReplicas` once at t = 0; a policy learns its bounds there).
 */
export function notStarted(policy: string): HeadroomError {
  return new HeadroomError({
    code: 'invalid_argument',
    message: `${policy}: decide() was called before initialReplicas(); call initialReplicas at t = 0 first`,
    path: ['decide'],
  });
}

const SERVING: ReadonlySet<LifecycleState> = new Set(['ready']);
const ON_ITS_WAY: ReadonlySet<LifecycleState> = new Set([
  'requested',
  'provisioning',
  'loading',
  'warming',
]);

/**
 * An instance as the Kubernetes HPA sees its pod: `ready` is a Running, Ready pod; `requested`,
 * `provisioning`, `loading` and `warming` are Pending (unready: they count as idle on a
 * scale-up); `draining` is a pod being deleted and `terminated`/`failed` a Failed one (both
 * ignored). Every GPU of the instance is one requested `nvidia.com/gpu` (1000 milli-units).
 */
export function instanceAsPod(instance: InstanceSnapshot): HpaPod {
  const requestsMilli = { [GPU_RESOURCE]: Math.max(1, instance.gpus.length) * 1_000 };
  if (SERVING.has(instance.state)) {
    const since = instance.stateSinceMs ?? 0;
    return {
      name: instance.id,
      phase: 'Running',
      readyCondition: { ready: true, lastTransitionTimeMs: since },
      startTimeMs: since,
      requestsMilli,
    };
  }
  if (ON_ITS_WAY.has(instance.state)) return { name: instance.id, phase: 'Pending', requestsMilli };
  if (instance.state === 'draining') {
    return { name: instance.id, phase: 'Running', deleted: true, requestsMilli };
  }
  return { name: instance.id, phase: 'Failed', requestsMilli };
}

/** The resource name the HPA baseline targets: the GPU, as the NVIDIA device plugin names it. */
export const GPU_RESOURCE = 'nvidia.com/gpu';

/**
 * A ready instance's GPU utilization as a `Resource` metric sample: the sum over its GPUs of
 * utilization × 1000 milli-units (so a pod with one GPU 90% busy reports 900m of its 1000m
 * request). `undefined` when a GPU has no valid utilization (the pod is then "missing").
 */
export function gpuUtilizationSample(
  instance: InstanceSnapshot,
  windowMs: number,
): HpaPodSample | undefined {
  if (instance.gpus.length === 0) return undefined;
  let milli = 0;
  let sampledAtMs = Number.POSITIVE_INFINITY;
  for (const gpu of instance.gpus) {
    const u = finiteNonNegative(gpu.utilization);
    if (u === undefined) return undefined;
    milli += Math.round(Math.min(1, u) * 1_000);
    sampledAtMs = Math.min(sampledAtMs, gpu.sampledAtMs);
  }
  return {
    milliValue: milli,
    timestampMs: Number.isFinite(sampledAtMs) ? sampledAtMs : instance.observedAtMs,
    windowMs,
  };
}

/**
 * Requests at an instance: waiting (`queueDepth`) plus running (`inFlightRequests`); missing or
 * invalid parts count 0.
 */
export function instanceConcurrency(instance: InstanceSnapshot): number {
  return (
    (finiteNonNegative(instance.load.queueDepth) ?? 0) +
    (finiteNonNegative(instance.load.inFlightRequests) ?? 0)
  );
}
