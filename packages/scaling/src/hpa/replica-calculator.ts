import type { HpaMetricSpec } from './spec.js';

/** A pod as the HPA controller sees it. Times are epoch ms. */
export interface HpaPod {
  /** Pod name (keys the metric samples). */
  readonly name: string;
  /** Pod phase. */
  readonly phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  /** True when the pod has a deletion timestamp (it is ignored, as a Failed pod is). */
  readonly deleted?: boolean;
  /** `status.startTime`, epoch ms; absent if the pod has not started. */
  readonly startTimeMs?: number;
  /** The `Ready` condition: its status and when it last changed, epoch ms. */
  readonly readyCondition?: { readonly ready: boolean; readonly lastTransitionTimeMs: number };
  /** Resource requests summed over the pod's containers, milli-units (CPU millicores), by resource name. */
  readonly requestsMilli?: Readonly<Record<string, number>>;
}

/** One pod's metric sample, as the metrics API returns it. */
export interface HpaPodSample {
  /** The value in milli-units (Kubernetes `Quantity.MilliValue()`: CPU in millicores). */
  readonly milliValue: number;
  /** When the sample was taken, epoch ms. */
  readonly timestampMs: number;
  /** The window the sample covers, ms (CPU from metrics-server: 15–60 s). */
  readonly windowMs: number;
}

/**
 * The reading for one metric of the spec: per-pod samples (`Resource` and `Pods` metrics), a
 * single value (`Object`, and `External` summed over its series), or an error (the metrics API
 * failed for this metric).
 */
export type HpaMetricReading =
  | { readonly kind: 'pods'; readonly samples: Readonly<Record<string, HpaPodSample>> }
  | { readonly kind: 'value'; readonly milliValue: number }
  | { readonly kind: 'error'; readonly message: string };

/** Tolerances around a usage ratio of 1: no change while `1 − down ≤ ratio ≤ 1 + up`. */
export interface Tolerances {
  /** Tolerance above 1 (scale-up side). */
  readonly up: number;
  /** Tolerance below 1 (scale-down side). */
  readonly down: number;
}

/** Timing parameters of the CPU readiness rules. */
export interface ReadinessTiming {
  /** `--horizontal-pod-autoscaler-cpu-initialization-period`, ms. */
  readonly cpuInitializationPeriodMs: number;
  /** `--horizontal-pod-autoscaler-initial-readiness-delay`, ms. */
  readonly initialReadinessDelayMs: number;
}

/** A metric's proposal, or why there is none. */
export type MetricProposal =
  | {
      readonly ok: true;
      readonly replicas: number;
      /** The usage ratio (observed / target) the proposal came from. */
      readonly usageRatio: number;
      /** Pods counted as ready, missing and unready (pods metrics only). */
      readonly pods?: {
        readonly ready: number;
        readonly missing: number;
        readonly unready: number;
        readonly ignored: number;
      };
    }
  | { readonly ok: false; readonly message: string };

/** Quantity-like conversion of a target in user units to milli-units (rounding up, as `MilliValue()` does). */
export function toMilli(value: number): number {
  return Math.ceil(Math.round(value * 1e9) / 1e6);
}

function isWithin(ratio: number, t: Tolerances): boolean {
  return 1 - t.down <= ratio && ratio <= 1 + t.up;
}

interface Grouped {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/** The HPA's pod grouping: ignored (deleted/failed), unready (pending; CPU readiness rules), missing metrics, ready. */
function groupPods(
  pods: readonly HpaPod[],
  samples: Readonly<Record<string, HpaPodSample>>,
  isCpu: boolean,
  timing: ReadinessTiming,
  nowMs: number,
): Grouped {
  const g: Grouped = {
    readyPodCount: 0,
    unready: new Set(),
    missing: new Set(),
    ignored: new Set(),
  };
  for (const pod of pods) {
    if (pod.deleted === true || pod.phase === 'Failed') {
      g.ignored.add(pod.name);
      continue;
    }
    if (pod.phase === 'Pending') {
      g.unready.add(pod.name);
      continue;
    }
    const sample = samples[pod.name];
    // A sample that is not a finite, non-negative number never reaches the math: the pod counts as missing.
    if (sample === undefined || !(Number.isFinite(sample.milliValue) && sample.milliValue >= 0)) {
      g.missing.add(pod.name);
      continue;
    }
    if (isCpu) {
      let unready: boolean;
      const condition = pod.readyCondition;
      if (condition === undefined || pod.startTimeMs === undefined) {
        unready = true;
      } else if (pod.startTimeMs + timing.cpuInitializationPeriodMs > nowMs) {
        // Still possibly initializing: skip an unready pod, or a sample whose window began before the last transition.
        unready =
          !condition.ready || sample.timestampMs < condition.lastTransitionTimeMs + sample.windowMs;
      } else {
        // Skip a pod that is unready and has never been ready.
        unready =
          !condition.ready &&
          pod.startTimeMs + timing.initialReadinessDelayMs > condition.lastTransitionTimeMs;
      }
      if (unready) {
        g.unready.add(pod.name);
        continue;
      }
    }
    g.readyPodCount++;
  }
  return g;
}

/** Average per pod (integer division of milli-units, as the controller does) over target. */
function plainUsageRatio(values: ReadonlyMap<string, number>, targetMilli: number): number {
  let total = 0;
  for (const v of values.values()) total += v;
  const average = Math.trunc(total / values.size);
  return average / targetMilli;
}

/** Utilization (integer percent of requests) over the target percent. */
function utilizationRatio(
  values: ReadonlyMap<string, number>,
  requests: ReadonlyMap<string, number>,
  targetPercent: number,
): number | undefined {
  let metricsTotal = 0;
  let requestsTotal = 0;
  for (const [pod, v] of values) {
    const request = requests.get(pod);
    if (request === undefined) continue;
    metricsTotal += v;
    requestsTotal += request;
  }
  if (requestsTotal === 0) return undefined;
  return Math.trunc((metricsTotal * 100) / requestsTotal) / targetPercent;
}

/**
 * The replica proposal for a `Resource` or `Pods` metric, with the HPA's rules for missing and
 * unready pods: on a scale-down a pod without a sample counts as exactly at target (100% of its
 * request for utilization), on a scale-up as idle; unready pods count as idle on a scale-up and
 * are left out otherwise; if filling in flips the direction, or lands inside the tolerance, the
 * proposal is the current count.
 */
export function podMetricProposal(
  metric: HpaMetricSpec,
  samples: Readonly<Record<string, HpaPodSample>>,
  pods: readonly HpaPod[],
  currentReplicas: number,
  tolerances: Tolerances,
  timing: ReadinessTiming,
  nowMs: number,
): MetricProposal {
  const isCpu = metric.type === 'Resource' && metric.name === 'cpu';
  const g = groupPods(pods, samples, isCpu, timing, nowMs);
  const values = new Map<string, number>();
  for (const pod of pods) {
    const s = samples[pod.name];
    if (
      s !== undefined &&
      !g.ignored.has(pod.name) &&
      !g.unready.has(pod.name) &&
      !g.missing.has(pod.name)
    )
      values.set(pod.name, s.milliValue);
  }
  const podCounts = {
    ready: g.readyPodCount,
    missing: g.missing.size,
    unready: g.unready.size,
    ignored: g.ignored.size,
  };
  if (values.size === 0)
    return {
      ok: false,
      message: 'did not receive metrics for targeted pods (pods might be unready)',
    };

  const utilization = metric.target.type === 'Utilization';
  let requests = new Map<string, number>();
  let ratioOf: (v: ReadonlyMap<string, number>) => number | undefined;
  let fillDown: (pod: string) => number;
  if (utilization) {
    const targetPercent = (metric.target as { averageUtilization: number }).averageUtilization;
    for (const pod of pods) {
      const request = pod.requestsMilli?.[metric.name];
      if (request === undefined)
        return { ok: false, message: `missing request for ${metric.name} in pod ${pod.name}` };
      requests.set(pod.name, request);
    }
    ratioOf = (v) => utilizationRatio(v, requests, targetPercent);
    const fallbackPercent = Math.max(100, targetPercent);
    fillDown = (pod) => Math.trunc(((requests.get(pod) ?? 0) * fallbackPercent) / 100);
  } else {
    requests = new Map();
    const targetMilli = toMilli((metric.target as { averageValue: number }).averageValue);
    ratioOf = (v) => plainUsageRatio(v, targetMilli);
    fillDown = () => targetMilli;
  }

  const usageRatio = ratioOf(values);
  if (usageRatio === undefined)
    return { ok: false, message: 'no metrics returned matched known pods' };
  const scaleUpWithUnready = g.unready.size > 0 && usageRatio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (isWithin(usageRatio, tolerances))
      return { ok: true, replicas: currentReplicas, usageRatio, pods: podCounts };
    return {
      ok: true,
      replicas: Math.ceil(usageRatio * g.readyPodCount),
      usageRatio,
      pods: podCounts,
    };
  }
  if (g.missing.size > 0) {
    if (usageRatio < 1) for (const pod of g.missing) values.set(pod, fillDown(pod));
    else if (usageRatio > 1) for (const pod of g.missing) values.set(pod, 0);
  }
  if (scaleUpWithUnready) for (const pod of g.unready) values.set(pod, 0);
  const newUsageRatio = ratioOf(values);
  if (newUsageRatio === undefined)
    return { ok: false, message: 'no metrics returned matched known pods' };
  if (
    isWithin(newUsageRatio, tolerances) ||
    (usageRatio > 1 && newUsageRatio < 1) ||
    (usageRatio < 1 && newUsageRatio > 1)
  ) {
    return { ok: true, replicas: currentReplicas, usageRatio: newUsageRatio, pods: podCounts };
  }
  const newReplicas = Math.ceil(newUsageRatio * values.size);
  if (
    (newUsageRatio < 1 && newReplicas > currentReplicas) ||
    (newUsageRatio > 1 && newReplicas < currentReplicas)
  ) {
    return { ok: true, replicas: currentReplicas, usageRatio: newUsageRatio, pods: podCounts };
  }
  return { ok: true, replicas: newReplicas, usageRatio: newUsageRatio, pods: podCounts };
}

/** Ready pods: Running with a true Ready condition (the count an `Object`/`External` Value target multiplies). */
export function readyPodsCount(pods: readonly HpaPod[]): number {
  let n = 0;
  for (const pod of pods) if (pod.phase === 'Running' && pod.readyCondition?.ready === true) n++;
  return n;
}

/**
 * The replica proposal for an `Object` or `External` metric: a `Value` target scales the ready pod
 * count by observed / target (from zero replicas: ceil(ratio)); an `AverageValue` target asks for
 * ceil(observed / target) replicas unless observed / (target × status replicas) is within tolerance.
 */
export function valueMetricProposal(
  metric: HpaMetricSpec,
  milliValue: number,
  pods: readonly HpaPod[],
  specReplicas: number,
  statusReplicas: number,
  tolerances: Tolerances,
): MetricProposal {
  if (!(Number.isFinite(milliValue) && milliValue >= 0)) {
    return {
      ok: false,
      message: `invalid value for metric ${metric.type}/${metric.name}: ${String(milliValue)}`,
    };
  }
  if (metric.target.type === 'Value') {
    const usageRatio = milliValue / toMilli(metric.target.value);
    if (specReplicas === 0) return { ok: true, replicas: Math.ceil(usageRatio), usageRatio };
    if (isWithin(usageRatio, tolerances)) return { ok: true, replicas: specReplicas, usageRatio };
    // The controller fails the metric when the selector matches no pods, rather than scaling to 0.
    if (pods.length === 0)
      return { ok: false, message: 'no pods returned by selector while calculating replica count' };
    return { ok: true, replicas: Math.ceil(usageRatio * readyPodsCount(pods)), usageRatio };
  }
  const targetMilli = toMilli((metric.target as { averageValue: number }).averageValue);
  const usageRatio = milliValue / (targetMilli * statusReplicas);
  if (isWithin(usageRatio, tolerances)) return { ok: true, replicas: statusReplicas, usageRatio };
  return { ok: true, replicas: Math.ceil(milliValue / targetMilli), usageRatio };
}
