import { parseConfig } from '@headroom/core';
import {
  composeReplicas,
  createHpaController,
  createTargetTracking,
  initialHpaState,
  normalizeRecommendation,
  parsePredictiveScalingConfig,
  predictiveDecision,
  recordHpaScale,
  targetTrackingStep,
  warmPoolSize,
  type DemandPoint,
  type HpaController,
  type HpaState,
  type NeededReplicas,
  type SignalSpec,
  type TargetTracking,
} from '@headroom/scaling';
import { z } from 'zod';
import type { PolicyObservation, SimPolicy } from '../engine/types.js';
import {
  checkBounds,
  clampReplicas,
  finiteNonNegative,
  initialReplicaCount,
  isPositiveFinite,
  notStarted,
  observedReplicas,
  type ReplicaBounds,
} from './common.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Options of {@link headroomPolicy}. Unknown keys are rejected; every default is documented. */
export const HeadroomPolicyOptionsSchema = z.strictObject({
  /** The decision period, ms, in [1 000, 600 000]. @defaultValue 10_000 */
  intervalMs: z.number().int().min(1_000).max(600_000).default(10_000),
  /** Target KV-cache utilization per ready replica (0..1] for the reactive composite. @defaultValue 0.85 */
  kvCacheTarget: z.number().gt(0).max(1).default(0.85),
  /** Target requests waiting per ready replica for the reactive composite, > 0. @defaultValue 4 */
  queuePerReplicaTarget: z.number().positive().default(4),
  /**
   * Target GPU utilization (busy fraction) per ready replica for the reactive composite, (0, 1].
   * A continuously batching server is busy whenever one sequence runs, so the busy fraction
   * saturates early and is kept as a last guard only. @defaultValue 0.95
   */
  gpuUtilizationTarget: z.number().gt(0).max(1).default(0.95),
  /**
   * k in the headroom margin `k × cv` (cv: the coefficient of variation of the recent arrival
   * rate), >= 0; 0 turns the variability margin off. @defaultValue 1
   */
  marginK: z.number().min(0).max(10).default(1),
  /** The window the arrival rate's variability (cv) is measured over, ms. @defaultValue 300_000 */
  variabilityWindowMs: z.number().int().min(10_000).max(DAY_MS).default(300_000),
  /** The window the current level of the arrival rate is averaged over, ms. @defaultValue 60_000 */
  levelWindowMs: z.number().int().min(1_000).max(DAY_MS).default(60_000),
  /**
   * The window the arrival-rate trend (least-squares slope) is fitted over, ms; the trend is
   * projected one cold start (p95) plus one decision period ahead, upward only. @defaultValue 180_000
   */
  trendWindowMs: z.number().int().min(10_000).max(DAY_MS).default(180_000),
  /**
   * The quantile of the rise in needed replicas within one cold start (p95) that the warm margin
   * covers (`warmPoolSize`), in [0, 1]; 0 turns the warm-pool margin off. @defaultValue 0.95
   */
  warmPoolQuantile: z.number().min(0).max(1).default(0.95),
  /** How far back the warm-pool sizing reads the needed-replica history, ms. @defaultValue 3_600_000 */
  warmPoolLookbackMs: z
    .number()
    .int()
    .min(MINUTE_MS)
    .max(7 * DAY_MS)
    .default(3_600_000),
  /**
   * Scale-down stabilization, ms: the count never drops below the highest recommendation of this
   * window (the HPA's scale-down window, and its default length). Shorter follows a stationary
   * load more tightly (fewer GPU-hours); longer keeps capacity between recurring bursts instead of
   * paying a cold start for each. @defaultValue 300_000
   */
  scaleDownStabilizationMs: z.number().int().min(0).max(3_600_000).default(300_000),
  /** At most this percent of the replicas is removed per minute, (0, 100]. @defaultValue 25 */
  scaleDownPercentPerMinute: z.number().int().min(1).max(100).default(25),
  /**
   * The predictive floor: `auto` uses `predictiveDecision` once a day of arrival history exists
   * (a daily profile can be fitted), `off` never. @defaultValue 'auto'
   */
  predictive: z.literal(['auto', 'off']).default('auto'),
  /**
   * Replicas at t = 0, an integer >= 0 (clamped to the run's bounds).
   * @defaultValue the count that carries the trace's first minute (see `startingReplicas`)
   */
  initialReplicas: z.number().int().min(0).optional(),
});

/** What {@link headroomPolicy} accepts: {@link HeadroomPolicyOptionsSchema}'s input. */
export type HeadroomPolicyOptions = z.input<typeof HeadroomPolicyOptionsSchema>;

/** Which part of {@link headroomPolicy} set the recommendation. */
export type HeadroomDriver = 'model' | 'reactive' | 'predictive_floor' | 'hold';

/** The arithmetic of the last {@link headroomPolicy} decision, for tests and reports. */
export interface HeadroomInspection {
  /** Arrival rate level over `levelWindowMs`, requests/s. */
  readonly levelRps: number;
  /** Level projected one cold start (p95) + one period ahead along the trend, requests/s. */
  readonly projectedRps: number;
  /** Coefficient of variation of the arrival rate over `variabilityWindowMs`, in [0, 1]. */
  readonly cv: number;
  /** The warm-pool margin: the rise in needed replicas within one cold start at the quantile. */
  readonly warmMargin: number;
  /** The capacity model's count: ceil(projected / capacity + max(k·cv·needed, warm margin)). */
  readonly modelReplicas: number;
  /** The reactive composite's count when it asks for more than the current count, else 0. */
  readonly reactiveReplicas: number;
  /** The predictive floor, when one was in force. */
  readonly predictiveFloor: number | undefined;
  /** The count returned, after stabilization, rate limits and the floor. */
  readonly desiredReplicas: number;
  /** What set the recommendation. */
  readonly driver: HeadroomDriver;
}

/** A {@link SimPolicy} that can also report the arithmetic of its last decision. */
export interface HeadroomSimPolicy extends SimPolicy {
  /** The last decision's arithmetic, or `undefined` before one. */
  inspect(): HeadroomInspection | undefined;
}

interface RatePoint {
  readonly atMs: number;
  readonly perSec: number;
}

function mean(points: readonly RatePoint[]): number {
  if (points.length === 0) return 0;
  let s = 0;
  for (const p of points) s += p.perSec;
  return s / points.length;
}

/** Least-squares slope, requests/s per ms; 0 with fewer than 3 points or no time spread. */
function slope(points: readonly RatePoint[]): number {
  if (points.length < 3) return 0;
  let mt = 0;
  let mv = 0;
  for (const p of points) {
    mt += p.atMs;
    mv += p.perSec;
  }
  mt /= points.length;
  mv /= points.length;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.atMs - mt) * (p.perSec - mv);
    den += (p.atMs - mt) * (p.atMs - mt);
  }
  return den > 0 ? num / den : 0;
}

/** Coefficient of variation (population), clamped to [0, 1]; 0 with fewer than 3 points. */
function coefficientOfVariation(points: readonly RatePoint[]): number {
  if (points.length < 3) return 0;
  const m = mean(points);
  if (!(m > 0)) return 0;
  let ss = 0;
  for (const p of points) ss += (p.perSec - m) * (p.perSec - m);
  return Math.min(1, Math.sqrt(ss / points.length) / m);
}

/**
 * headroom's recommended scaling policy for GPU inference, from the SDK's own primitives. Each
 * decision (every 10 s by default):
 *
 * 1. **Capacity model, cold-start aware.** Capacity ordered now serves only after a cold start,
 *    so the policy sizes for the demand one cold start (the distribution's p95) plus one period
 *    ahead: the arrival rate's level (mean over the last minute) extended along its recent
 *    least-squares trend (upward only; a falling trend is left to the slow scale-down).
 *    Replicas still loading are part of the current count the engine reports, so capacity on its
 *    way is counted at its expected readiness and never ordered twice.
 * 2. **Headroom margin.** On top of `projected / capacityPerReplicaRps` it keeps the larger of a
 *    variability margin `k × cv × needed` (cv of the arrival rate over the last 5 minutes) and a
 *    warm-pool margin: the p95 rise in needed replicas within one cold start over the last hour
 *    (`warmPoolSize`). The first covers noise around the level, the second ramps that outrun a
 *    cold start.
 * 3. **Reactive composite as a safety net.** KV-cache utilization, waiting requests per replica
 *    and GPU busy fraction, each through target tracking (`createTargetTracking`, max
 *    composite, the HPA's rules for unready and missing instances). It can only raise the count:
 *    it catches a capacity model that is wrong for the traffic (long prompts fill the KV cache
 *    and the queue before the request rate moves).
 * 4. **Predictive floor** where history allows: with a day of arrival history or more,
 *    `predictiveDecision` forecasts the rate one cold start ahead from the daily (and weekly)
 *    profile and `composeReplicas` applies it as a floor. Shorter runs never use it.
 * 5. **Asymmetric behavior** through the HPA behavior engine (`normalizeRecommendation`): up at
 *    once (no stabilization, no practical rate limit), down slowly (the highest recommendation of
 *    the last 5 minutes, at most 25% of the replicas per minute).
 *
 * Why these choices: for GPUs, a replica ordered late costs SLO misses for a whole cold start,
 * while one kept a little too long costs minutes of one GPU; so the policy leads demand by the
 * cold start and trails it down. GPU busy fraction alone over-provisions a batching server (it
 * reads "busy" at a fraction of its capacity), so it is a guard, not the driver.
 *
 * @param options - see {@link HeadroomPolicyOptionsSchema}.
 * @throws `HeadroomError` `invalid_config` naming the option, its bound and the value.
 * @example
 * ```ts
 * const policy = headroomPolicy();
 * const eager = headroomPolicy({ marginK: 2, scaleDownStabilizationMs: 300_000 });
 * ```
 */
export function headroomPolicy(options: HeadroomPolicyOptions = {}): HeadroomSimPolicy {
  const config = parseConfig(HeadroomPolicyOptionsSchema, options, ['headroomPolicy']);
  const signals: SignalSpec[] = [
    { name: 'kv_cache', kind: 'kv_cache', target: config.kvCacheTarget },
    { name: 'queue', kind: 'queue_depth', target: config.queuePerReplicaTarget },
    { name: 'gpu', kind: 'gpu_utilization', target: config.gpuUtilizationTarget },
  ];
  const keepMs =
    Math.max(config.variabilityWindowMs, config.levelWindowMs, config.trendWindowMs) +
    config.intervalMs;

  let bounds: ReplicaBounds | undefined;
  let behavior: HpaController | undefined;
  let reactive: TargetTracking | undefined;
  let state: HpaState = initialHpaState();
  let rates: RatePoint[] = [];
  let needed: NeededReplicas[] = [];
  let minuteHistory: DemandPoint[] = [];
  let minuteSum = 0;
  let minuteCount = 0;
  let minuteStart = Number.NaN;
  let predictiveFloor: number | undefined;
  let nextPredictiveAtMs = Number.NEGATIVE_INFINITY;
  let last: HeadroomInspection | undefined;
  let lastReplicas = 0;

  const record = (atMs: number, perSec: number): void => {
    const tail = rates[rates.length - 1];
    if (tail !== undefined && tail.atMs >= atMs) return; // time only moves forward
    rates.push({ atMs, perSec });
    let drop = 0;
    while (drop < rates.length && (rates[drop] as RatePoint).atMs < atMs - keepMs) drop++;
    if (drop > 0) rates = rates.slice(drop);
    // Minute buckets for the predictive forecaster (bounded: 15 days of minutes).
    const bucket = Math.floor(atMs / MINUTE_MS) * MINUTE_MS;
    if (bucket !== minuteStart) {
      if (minuteCount > 0)
        minuteHistory.push({ atMs: minuteStart, demand: minuteSum / minuteCount });
      if (minuteHistory.length > 15 * 1_440) minuteHistory = minuteHistory.slice(-15 * 1_440);
      minuteStart = bucket;
      minuteSum = 0;
      minuteCount = 0;
    }
    minuteSum += perSec;
    minuteCount += 1;
  };

  return {
    name: 'headroom',
    intervalMs: config.intervalMs,
    initialReplicas(ctx) {
      bounds = checkBounds(ctx, 'headroom');
      const maxReplicas = Math.max(1, bounds.maxReplicas);
      behavior = createHpaController({
        minReplicas: bounds.minReplicas,
        maxReplicas,
        metrics: [
          { type: 'Pods', name: 'headroom', target: { type: 'AverageValue', averageValue: 1 } },
        ],
        behavior: {
          scaleUp: {
            stabilizationWindowSeconds: 0,
            selectPolicy: 'Max',
            policies: [
              { type: 'Percent', value: 1_000, periodSeconds: 15 },
              { type: 'Pods', value: 1_000, periodSeconds: 15 },
            ],
          },
          scaleDown: {
            stabilizationWindowSeconds: Math.round(config.scaleDownStabilizationMs / 1_000),
            selectPolicy: 'Max',
            policies: [
              { type: 'Percent', value: config.scaleDownPercentPerMinute, periodSeconds: 60 },
              { type: 'Pods', value: 1, periodSeconds: 60 },
            ],
          },
        },
      });
      reactive = createTargetTracking({
        minReplicas: bounds.minReplicas,
        maxReplicas,
        signals,
        // Only the recommendation is used (before any behavior): the behavior is applied once,
        // to the combined count, below.
        behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
      });
      state = initialHpaState();
      rates = [];
      needed = [];
      minuteHistory = [];
      minuteSum = 0;
      minuteCount = 0;
      minuteStart = Number.NaN;
      predictiveFloor = undefined;
      nextPredictiveAtMs = Number.NEGATIVE_INFINITY;
      last = undefined;
      lastReplicas = initialReplicaCount(ctx, bounds, config.initialReplicas);
      return lastReplicas;
    },
    decide(obs: PolicyObservation): number {
      if (bounds === undefined || behavior === undefined || reactive === undefined) {
        throw notStarted('headroom');
      }
      const current = clampReplicas(observedReplicas(obs, lastReplicas), bounds, lastReplicas);
      const nowMs = obs.nowMs;
      if (!Number.isFinite(nowMs)) return (lastReplicas = current);

      // 1. The arrival-rate level, trend and variability.
      const rate = finiteNonNegative(obs.arrivalRatePerSec);
      if (rate !== undefined) record(nowMs, rate);
      const within = (ms: number): RatePoint[] => rates.filter((p) => p.atMs > nowMs - ms);
      const levelRps = mean(within(config.levelWindowMs));
      const coldStartP95 = finiteNonNegative(obs.coldStartMs?.p95) ?? 0;
      const leadMs = coldStartP95 + config.intervalMs;
      const trend = slope(within(config.trendWindowMs));
      const projectedRps = levelRps + Math.max(0, trend) * leadMs;
      const cv = coefficientOfVariation(within(config.variabilityWindowMs));

      // 2. The capacity model with its margin (skipped without a usable capacity).
      const capacity = obs.capacityPerReplicaRps;
      let modelReplicas = 0;
      let warmMargin = 0;
      const haveModel = isPositiveFinite(capacity) && rates.length > 0;
      if (haveModel) {
        const neededNow = projectedRps / capacity;
        needed.push({ atMs: nowMs, replicas: levelRps / capacity });
        while (
          needed.length > 0 &&
          (needed[0] as NeededReplicas).atMs < nowMs - config.warmPoolLookbackMs
        ) {
          needed.shift();
        }
        if (config.warmPoolQuantile > 0 && needed.length > 1) {
          warmMargin = warmPoolSize({
            demandHistory: needed,
            nowMs,
            coldStartMs: coldStartP95,
            quantile: config.warmPoolQuantile,
            lookbackMs: config.warmPoolLookbackMs,
            quantileOver: 'all',
          }).quantileIncrease;
        }
        const margin = Math.max(config.marginK * cv * neededNow, warmMargin);
        modelReplicas = Math.ceil(neededNow + margin - 1e-9);
      }

      // 3. The reactive composite: only ever raises.
      const step = targetTrackingStep(reactive, initialHpaState(), {
        nowMs,
        currentReplicas: current,
        instances: obs.instances,
      });
      const recommended = step.reason.recommendedReplicas;
      const reactiveReplicas = recommended !== undefined && recommended > current ? recommended : 0;

      let driver: HeadroomDriver = modelReplicas >= reactiveReplicas ? 'model' : 'reactive';
      let target = Math.max(modelReplicas, reactiveReplicas);
      if (!haveModel && reactiveReplicas === 0) {
        target = current; // nothing to go on: hold
        driver = 'hold';
      }
      const normalized = normalizeRecommendation(
        behavior,
        state,
        current,
        clampReplicas(target, bounds, current),
        nowMs,
      );
      state = normalized.state;

      // 4. The predictive floor, refreshed every 5 minutes once a day of history exists.
      if (config.predictive === 'auto' && haveModel && nowMs >= nextPredictiveAtMs) {
        nextPredictiveAtMs = nowMs + 5 * MINUTE_MS;
        const first = minuteHistory[0];
        if (first !== undefined && nowMs - first.atMs >= DAY_MS) {
          const predictive = predictiveDecision(
            parsePredictiveScalingConfig({
              mode: 'forecast_and_scale',
              leadTimeMs: Math.min(DAY_MS, Math.round(leadMs)),
              schedulingBufferMs: 0,
              demandPerReplica: capacity,
              minReplicas: bounds.minReplicas,
              maxReplicas: Math.max(1, bounds.maxReplicas),
            }),
            { history: minuteHistory, nowMs, currentReplicas: current },
          );
          predictiveFloor = predictive.floorReplicas;
        } else {
          predictiveFloor = undefined;
        }
      }
      const composed = composeReplicas({
        minReplicas: bounds.minReplicas,
        maxReplicas: Math.max(bounds.minReplicas, bounds.maxReplicas),
        reactiveReplicas: normalized.desiredReplicas,
        predictiveFloor,
      });
      if (composed.limitedBy === 'predictive_floor') driver = 'predictive_floor';
      const desired = clampReplicas(composed.replicas, bounds, current);
      if (desired !== current) state = recordHpaScale(behavior, state, current, desired, nowMs);
      last = {
        levelRps,
        projectedRps,
        cv,
        warmMargin,
        modelReplicas,
        reactiveReplicas,
        predictiveFloor,
        desiredReplicas: desired,
        driver,
      };
      lastReplicas = desired;
      return desired;
    },
    inspect: () => last,
  };
}
