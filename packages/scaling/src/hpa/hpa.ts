import { HeadroomError, parseConfig } from '@headroom/core';
import {
  podMetricProposal,
  valueMetricProposal,
  type HpaMetricReading,
  type HpaPod,
  type MetricProposal,
} from './replica-calculator.js';
import {
  HpaSpecSchema,
  resolveRules,
  type HpaSpec,
  type HpaSpecInput,
  type ResolvedScalingRules,
} from './spec.js';

/** A past recommendation, kept for the stabilization windows. */
export interface TimestampedRecommendation {
  /** The unstabilized desired replicas. */
  readonly replicas: number;
  /** When it was made, epoch ms. */
  readonly atMs: number;
}

/** A past scale event, kept for the rate-limit policies. */
export interface TimestampedScaleEvent {
  /** Replicas added (scale-up events) or removed (scale-down events), > 0. */
  readonly change: number;
  /** When it happened, epoch ms. */
  readonly atMs: number;
  /** Older than the longest policy period when last checked (the slot may be reused). */
  readonly outdated: boolean;
}

/** What the HPA controller remembers between reconciles for one autoscaler. Plain JSON. */
export interface HpaState {
  /** Recommendations, for stabilization. */
  readonly recommendations: readonly TimestampedRecommendation[];
  /** Scale-up events, for the scale-up policies. */
  readonly scaleUpEvents: readonly TimestampedScaleEvent[];
  /** Scale-down events, for the scale-down policies. */
  readonly scaleDownEvents: readonly TimestampedScaleEvent[];
}

/** A fresh state (a new controller, or a new autoscaler). */
export function initialHpaState(): HpaState {
  return { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
}

/** What one reconcile sees. */
export interface HpaInput {
  /** The reconcile time, epoch ms. */
  readonly nowMs: number;
  /** `scale.spec.replicas`: the replicas currently asked for. */
  readonly specReplicas: number;
  /** `scale.status.replicas`: the replicas observed. @defaultValue specReplicas */
  readonly statusReplicas?: number;
  /** The pods the scale target selects. */
  readonly pods: readonly HpaPod[];
  /** One reading per metric of the spec, in the same order. */
  readonly metrics: readonly (HpaMetricReading | undefined)[];
}

/**
 * Why the decision is what it is, as the HPA's conditions would say it.
 *
 * - `scaling_disabled`: `spec.replicas` is 0 and `minReplicas` is not (autoscaling is off).
 * - `above_max` / `below_min`: current replicas outside the bounds are brought inside first.
 * - `invalid_metrics`: every metric failed, or some failed and the rest would scale down: hold.
 * - `desired_within_range`, `scale_up_limit`, `scale_down_limit`, `too_many_replicas`,
 *   `too_few_replicas`: the rate-limit and bound step (the `ScalingLimited` condition's reasons).
 */
export type HpaReasonCode =
  | 'scaling_disabled'
  | 'above_max'
  | 'below_min'
  | 'invalid_metrics'
  | 'desired_within_range'
  | 'scale_up_limit'
  | 'scale_down_limit'
  | 'too_many_replicas'
  | 'too_few_replicas';

/** The outcome of {@link hpaStep}. */
export interface HpaDecision {
  /** The replicas the HPA would set. */
  readonly desiredReplicas: number;
  /** True when `desiredReplicas` differs from `specReplicas` (the HPA would update the scale). */
  readonly rescale: boolean;
  /** The state to keep for the next reconcile. */
  readonly state: HpaState;
  /** The reason, in the HPA's terms. */
  readonly reason: {
    readonly code: HpaReasonCode;
    /** Human-readable, close to the HPA's event and condition messages. */
    readonly message: string;
    /** The metric that drove the recommendation (the largest proposal), by `type/name`. */
    readonly drivingMetric?: string;
    /** The recommendation from metrics, before stabilization and limits. */
    readonly metricReplicas?: number;
    /** The recommendation after the stabilization window, before rate limits. */
    readonly stabilizedReplicas?: number;
    /** Each metric's proposal (or its error), in spec order. */
    readonly proposals: readonly MetricProposal[];
  };
}

/** A validated HPA spec, ready for {@link hpaStep}. */
export interface HpaController {
  /** The spec with defaults resolved. */
  readonly spec: HpaSpec;
  /** Resolved scale-up rules. */
  readonly scaleUp: ResolvedScalingRules;
  /** Resolved scale-down rules. */
  readonly scaleDown: ResolvedScalingRules;
}

/**
 * Validates an HPA spec once (Kubernetes `autoscaling/v2` fields; see {@link HpaSpecSchema}).
 * @throws `HeadroomError` `invalid_config` naming the field, the bound and the value.
 */
export function createHpaController(spec: HpaSpecInput): HpaController {
  const parsed = parseConfig(HpaSpecSchema, spec, ['hpa']);
  return {
    spec: parsed,
    scaleUp: resolveRules(parsed, 'up'),
    scaleDown: resolveRules(parsed, 'down'),
  };
}

function metricKey(m: { type: string; name: string }): string {
  return `${m.type}/${m.name}`;
}

/** Sum of changes of events strictly newer than now − period (the HPA's getReplicasChangePerPeriod). */
function changeInPeriod(
  events: readonly TimestampedScaleEvent[],
  periodSeconds: number,
  nowMs: number,
): number {
  const cutoff = nowMs - periodSeconds * 1000;
  let sum = 0;
  for (const e of events) if (e.atMs > cutoff) sum += e.change;
  return sum;
}

/**
 * The replica limit the direction's policies allow this period (the HPA's
 * calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors): each policy
 * starts from the replicas at the start of its period (current, minus scale-ups, plus scale-downs
 * within it); `Max` picks the policy allowing the most change, `Min` the least, `Disabled` none.
 */
function policyLimit(
  direction: 'up' | 'down',
  current: number,
  state: HpaState,
  rules: ResolvedScalingRules,
  nowMs: number,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const mostChange = direction === 'up' ? Math.max : Math.min;
  const leastChange = direction === 'up' ? Math.min : Math.max;
  const pick = rules.selectPolicy === 'Min' ? leastChange : mostChange;
  let result: number | undefined;
  for (const p of rules.policies) {
    const start =
      current -
      changeInPeriod(state.scaleUpEvents, p.periodSeconds, nowMs) +
      changeInPeriod(state.scaleDownEvents, p.periodSeconds, nowMs);
    const proposed =
      direction === 'up'
        ? p.type === 'Pods'
          ? start + p.value
          : Math.ceil(start * (1 + p.value / 100))
        : p.type === 'Pods'
          ? start - p.value
          : Math.trunc(start * (1 - p.value / 100));
    result = result === undefined ? proposed : pick(result, proposed);
  }
  return result ?? current;
}

/**
 * Computes what the Kubernetes HPA controller (1.33+) would do on one reconcile, exactly: the
 * replica calculation per metric (integer milli-unit averages, tolerance, the missing and unready
 * pod rules), the largest proposal across metrics (holding when every metric failed, or when some
 * failed and the rest would scale down), the stabilization windows over past recommendations, the
 * rate-limit policies over past scale events (`selectPolicy` Max / Min / Disabled), and the legacy
 * rules when the spec has no `behavior` (5-minute downscale stabilization, scale-up to at most
 * max(2 × current, 4)).
 *
 * Pure: pass the state it returns to the next call, and {@link recordHpaScale} after the scale is
 * applied, as the controller stores scale events only after a successful update. Metric values
 * that are not finite and non-negative never reach the math (a pod sample counts as missing, a
 * single value fails its metric).
 *
 * @throws `HeadroomError` `invalid_argument` when `specReplicas` or `statusReplicas` is not a
 * non-negative integer.
 *
 * @example
 * ```ts
 * const hpa = createHpaController({ minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Pods', name: 'queue_depth', target: { type: 'AverageValue', averageValue: 5 } }] });
 * let state = initialHpaState();
 * const d = hpaStep(hpa, state, { nowMs, specReplicas: 3, pods, metrics: [{ kind: 'pods', samples }] });
 * state = d.state;
 * if (d.rescale) state = recordHpaScale(hpa, state, 3, d.desiredReplicas, nowMs);
 * ```
 */
export function hpaStep(controller: HpaController, state: HpaState, input: HpaInput): HpaDecision {
  const { spec } = controller;
  const { nowMs, specReplicas } = input;
  const statusReplicas = input.statusReplicas ?? specReplicas;
  for (const [name, value] of [
    ['specReplicas', specReplicas],
    ['statusReplicas', statusReplicas],
  ] as const) {
    if (!(Number.isSafeInteger(value) && value >= 0)) {
      // Kubernetes replica counts are non-negative integers: anything else is misuse.
      throw new HeadroomError({
        code: 'invalid_argument',
        message: 'must be a non-negative integer',
        path: [name],
        value,
        limit: 'integer >= 0',
      });
    }
  }
  const proposals: MetricProposal[] = [];
  const done = (
    desiredReplicas: number,
    code: HpaReasonCode,
    message: string,
    nextState: HpaState,
    extra: object = {},
  ): HpaDecision => ({
    desiredReplicas,
    rescale: desiredReplicas !== specReplicas,
    state: nextState,
    reason: { code, message, proposals, ...extra },
  });

  if (specReplicas === 0 && spec.minReplicas !== 0) {
    return done(0, 'scaling_disabled', LIMIT_MESSAGES.scaling_disabled, state);
  }
  if (specReplicas > spec.maxReplicas) {
    return done(spec.maxReplicas, 'above_max', LIMIT_MESSAGES.above_max, state);
  }
  if (specReplicas < spec.minReplicas) {
    return done(spec.minReplicas, 'below_min', LIMIT_MESSAGES.below_min, state);
  }

  // computeReplicasForMetrics: the largest proposal; hold on invalid metrics as the HPA does.
  const tolerances = { up: controller.scaleUp.tolerance, down: controller.scaleDown.tolerance };
  const timing = {
    cpuInitializationPeriodMs: spec.cpuInitializationPeriodSeconds * 1000,
    initialReadinessDelayMs: spec.initialReadinessDelaySeconds * 1000,
  };
  let replicas = 0;
  let driving: string | undefined;
  let invalid = 0;
  let firstError = '';
  spec.metrics.forEach((metric, i) => {
    const reading = input.metrics[i];
    let proposal: MetricProposal;
    if (reading === undefined)
      proposal = { ok: false, message: `no reading for metric ${metricKey(metric)}` };
    else if (reading.kind === 'error') proposal = { ok: false, message: reading.message };
    else if (reading.kind === 'pods') {
      proposal =
        metric.type === 'Resource' || metric.type === 'Pods'
          ? podMetricProposal(
              metric,
              reading.samples,
              input.pods,
              specReplicas,
              tolerances,
              timing,
              nowMs,
            )
          : {
              ok: false,
              message: `metric ${metricKey(metric)} takes a single value, not per-pod samples`,
            };
    } else {
      proposal =
        metric.type === 'Object' || metric.type === 'External'
          ? valueMetricProposal(
              metric,
              reading.milliValue,
              input.pods,
              specReplicas,
              statusReplicas,
              tolerances,
            )
          : {
              ok: false,
              message: `metric ${metricKey(metric)} takes per-pod samples, not a single value`,
            };
    }
    proposals.push(proposal);
    if (!proposal.ok) {
      if (invalid === 0) firstError = proposal.message;
      invalid++;
      return;
    }
    if (replicas === 0 || proposal.replicas > replicas) {
      replicas = proposal.replicas;
      driving = metricKey(metric);
    }
  });
  if (invalid >= spec.metrics.length || (invalid > 0 && replicas < specReplicas)) {
    return done(
      specReplicas,
      'invalid_metrics',
      `${LIMIT_MESSAGES.invalid_metrics}: ${firstError}`,
      state,
    );
  }
  const metricReplicas = replicas;
  const normalized = normalizeRecommendation(
    controller,
    state,
    specReplicas,
    metricReplicas,
    nowMs,
  );
  return done(normalized.desiredReplicas, normalized.code, normalized.message, normalized.state, {
    ...(driving === undefined ? {} : { drivingMetric: driving }),
    metricReplicas,
    stabilizedReplicas: normalized.stabilizedReplicas,
  });
}

/** The HPA's wording for each outcome of the stabilization and rate-limit step. */
const LIMIT_MESSAGES: Readonly<Record<HpaReasonCode, string>> = {
  scaling_disabled: 'scaling is disabled since the replica count of the target is zero',
  above_max: 'current number of replicas above spec.maxReplicas',
  below_min: 'current number of replicas below spec.minReplicas',
  invalid_metrics: 'failed to compute desired number of replicas based on listed metrics',
  desired_within_range: 'the desired count is within the acceptable range',
  scale_up_limit: 'the desired replica count is increasing faster than the maximum scale rate',
  scale_down_limit: 'the desired replica count is decreasing faster than the maximum scale rate',
  too_many_replicas: 'the desired replica count is more than the maximum replica count',
  too_few_replicas: 'the desired replica count is less than the minimum replica count',
};

/** The outcome of {@link normalizeRecommendation}. */
export interface NormalizedRecommendation {
  /** Replicas after stabilization, rate limits and bounds. */
  readonly desiredReplicas: number;
  /** Replicas after stabilization only. */
  readonly stabilizedReplicas: number;
  /** Which rule decided. */
  readonly code: HpaReasonCode;
  /** Human-readable reason. */
  readonly message: string;
  /** State with this recommendation recorded. */
  readonly state: HpaState;
}

/**
 * The HPA's second half: turn a recommendation from metrics into the replicas to set, by the
 * stabilization windows and rate-limit policies of `behavior` (or the legacy rules without it),
 * within [minReplicas, maxReplicas]. Records the recommendation in the returned state. Used by
 * {@link hpaStep} and by policies that compute their own recommendation (target tracking on GPU
 * signals) but want the HPA's behavior semantics.
 */
export function normalizeRecommendation(
  controller: HpaController,
  state: HpaState,
  specReplicas: number,
  metricReplicas: number,
  nowMs: number,
): NormalizedRecommendation {
  const { spec } = controller;
  const result = (
    desiredReplicas: number,
    stabilizedReplicas: number,
    code: HpaReasonCode,
    nextState: HpaState,
  ): NormalizedRecommendation => ({
    desiredReplicas,
    stabilizedReplicas,
    code,
    message: LIMIT_MESSAGES[code],
    state: nextState,
  });
  if (spec.behavior === undefined) {
    // Legacy path: stabilize over the downscale window (max), then the fixed scale-up limit.
    const cutoff = nowMs - spec.downscaleStabilizationSeconds * 1000;
    let stabilized = metricReplicas;
    let oldIndex = -1;
    state.recommendations.forEach((rec, i) => {
      if (rec.atMs < cutoff) oldIndex = i;
      else if (rec.replicas > stabilized) stabilized = rec.replicas;
    });
    const nextState = {
      ...state,
      recommendations: withRecommendation(state.recommendations, oldIndex, {
        replicas: metricReplicas,
        atMs: nowMs,
      }),
    };
    const limit = Math.max(2 * specReplicas, 4);
    const maxAllowed = spec.maxReplicas > limit ? limit : spec.maxReplicas;
    if (stabilized < spec.minReplicas) {
      return result(spec.minReplicas, stabilized, 'too_few_replicas', nextState);
    }
    if (stabilized > maxAllowed) {
      return spec.maxReplicas > limit
        ? result(maxAllowed, stabilized, 'scale_up_limit', nextState)
        : result(maxAllowed, stabilized, 'too_many_replicas', nextState);
    }
    return result(stabilized, stabilized, 'desired_within_range', nextState);
  }

  // Behavior path: stabilize between the up window's min and the down window's max.
  const upCutoff = nowMs - controller.scaleUp.stabilizationWindowMs;
  const downCutoff = nowMs - controller.scaleDown.stabilizationWindowMs;
  let upRecommendation = metricReplicas;
  let downRecommendation = metricReplicas;
  let oldIndex = -1;
  state.recommendations.forEach((rec, i) => {
    if (rec.atMs > upCutoff) upRecommendation = Math.min(rec.replicas, upRecommendation);
    if (rec.atMs > downCutoff) downRecommendation = Math.max(rec.replicas, downRecommendation);
    if (rec.atMs < upCutoff && rec.atMs < downCutoff) oldIndex = i;
  });
  let stabilized = specReplicas;
  if (stabilized < upRecommendation) stabilized = upRecommendation;
  if (stabilized > downRecommendation) stabilized = downRecommendation;
  const nextState = {
    ...state,
    recommendations: withRecommendation(state.recommendations, oldIndex, {
      replicas: metricReplicas,
      atMs: nowMs,
    }),
  };

  if (stabilized > specReplicas) {
    const limit = Math.max(
      policyLimit('up', specReplicas, state, controller.scaleUp, nowMs),
      specReplicas,
    );
    const limited = spec.maxReplicas > limit;
    const maxAllowed = limited ? limit : spec.maxReplicas;
    if (stabilized > maxAllowed) {
      return limited
        ? result(maxAllowed, stabilized, 'scale_up_limit', nextState)
        : result(maxAllowed, stabilized, 'too_many_replicas', nextState);
    }
  } else if (stabilized < specReplicas) {
    const limit = Math.min(
      policyLimit('down', specReplicas, state, controller.scaleDown, nowMs),
      specReplicas,
    );
    const limited = spec.minReplicas < limit;
    const minAllowed = limited ? limit : spec.minReplicas;
    if (stabilized < minAllowed) {
      return limited
        ? result(minAllowed, stabilized, 'scale_down_limit', nextState)
        : result(minAllowed, stabilized, 'too_few_replicas', nextState);
    }
  }
  return result(stabilized, stabilized, 'desired_within_range', nextState);
}

function withRecommendation(
  list: readonly TimestampedRecommendation[],
  replaceIndex: number,
  rec: TimestampedRecommendation,
): TimestampedRecommendation[] {
  const next = [...list];
  if (replaceIndex >= 0) next[replaceIndex] = rec;
  else next.push(rec);
  return next;
}

/**
 * Records a scale the controller applied (`from` → `to` at `nowMs`), for the rate-limit
 * policies; a no-op without `behavior`, as in the HPA. Events older than the direction's longest
 * policy period are marked outdated and their slot reused, so the state stays bounded.
 */
export function recordHpaScale(
  controller: HpaController,
  state: HpaState,
  from: number,
  to: number,
  nowMs: number,
): HpaState {
  if (controller.spec.behavior === undefined || from === to) return state;
  const up = to > from;
  const rules = up ? controller.scaleUp : controller.scaleDown;
  const longestMs = 1000 * Math.max(0, ...rules.policies.map((p) => p.periodSeconds));
  const events = (up ? state.scaleUpEvents : state.scaleDownEvents).map((e) =>
    e.atMs < nowMs - longestMs ? { ...e, outdated: true } : e,
  );
  const event = { change: Math.abs(to - from), atMs: nowMs, outdated: false };
  const reuse = events.findIndex((e) => e.outdated);
  if (reuse >= 0) events[reuse] = event;
  else events.push(event);
  return up ? { ...state, scaleUpEvents: events } : { ...state, scaleDownEvents: events };
}
