import { parseConfig, requireNumber } from '@headroom/core';
import { z } from 'zod';
import { runBacktest } from './backtest.js';
import {
  DAY_MS,
  FORECAST_BOUNDS,
  FORECAST_DEFAULTS,
  fitForecastModel,
  forecastAt,
  formatDurationMs,
  methodOf,
  type ForecastMethod,
  type ForecastOptions,
  type ResolvedForecastOptions,
} from './forecast.js';
import type { DemandPoint } from './history.js';

/**
 * What the predictive policy does with its forecast (AWS predictive scaling's two modes):
 *
 * - `forecast_only`: forecast, backtest and report what the floor would be; set none. Run this
 *   first and watch `mape` and `wouldBeReplicas` before trusting the forecast with capacity.
 * - `forecast_and_scale`: also set `floorReplicas` and propose `max(currentReplicas, floor)`.
 */
export type PredictiveMode = 'forecast_only' | 'forecast_and_scale';

/**
 * Whether the forecast may push capacity above `maxReplicas` (AWS `MaxCapacityBreachBehavior`):
 *
 * - `honor`: never; `maxReplicas` is a hard limit.
 * - `increase`: the floor may exceed `maxReplicas`; the decision's `effectiveMaxReplicas` is
 *   raised to the floor plus `maxCapacityBufferFraction` of it. Watch it: a wrong forecast then
 *   buys GPUs nobody capped.
 */
export type MaxCapacityBehavior = 'honor' | 'increase';

/** The predictive policy's configuration, as a user writes it (see {@link PredictiveScalingConfigSchema}). */
export interface PredictiveScalingConfigInput {
  /** Whether to act on the forecast; see {@link PredictiveMode}. */
  readonly mode: PredictiveMode;
  /**
   * Cold-start time of one replica, ms: from asking for it to it serving (a GPU instance's
   * provisioning, image pull, model load and warm-up). An integer in [0, 1 day].
   */
  readonly leadTimeMs: number;
  /**
   * Extra time, ms, by which capacity is made ready before the forecast needs it (AWS
   * `SchedulingBufferTime`): the policy provisions for the demand at
   * `nowMs + leadTimeMs + schedulingBufferMs`. An integer in [0, 3 600 000].
   * @defaultValue 300_000 (5 minutes, as AWS)
   */
  readonly schedulingBufferMs?: number | undefined;
  /**
   * Demand one replica serves at its target load, in the history's unit (if history is in
   * requests/s, the requests/s one replica handles within its SLO). Finite and > 0.
   */
  readonly demandPerReplica: number;
  /** Fewest replicas the floor may name: an integer >= 0. */
  readonly minReplicas: number;
  /** Most replicas the floor may name under `honor`: an integer >= `minReplicas`. */
  readonly maxReplicas: number;
  /**
   * Whether the forecast may exceed `maxReplicas`; see {@link MaxCapacityBehavior}.
   * @defaultValue 'honor'
   */
  readonly maxCapacityBehavior?: MaxCapacityBehavior | undefined;
  /**
   * Under `increase`, headroom above the forecast floor, as a fraction of it in [0, 1], that
   * `effectiveMaxReplicas` leaves for reactive policies (AWS `MaxCapacityBuffer`, in percent there).
   * Ignored under `honor`.
   * @defaultValue 0
   */
  readonly maxCapacityBufferFraction?: number | undefined;
  /**
   * The forecaster's knobs; see {@link ForecastOptions}.
   * @defaultValue every option's own default
   */
  readonly forecast?: ForecastOptions | undefined;
}

/** The parsed configuration: {@link PredictiveScalingConfigInput} with every default filled in; frozen. */
export interface PredictiveScalingConfig {
  /** See {@link PredictiveScalingConfigInput.mode}. */
  readonly mode: PredictiveMode;
  /** Cold-start time of one replica, ms. */
  readonly leadTimeMs: number;
  /** Extra time capacity is ready ahead of the forecast, ms. */
  readonly schedulingBufferMs: number;
  /** Demand one replica serves, in the history's unit. */
  readonly demandPerReplica: number;
  /** Fewest replicas the floor may name. */
  readonly minReplicas: number;
  /** Most replicas the floor may name under `honor`. */
  readonly maxReplicas: number;
  /** Whether the forecast may exceed `maxReplicas`. */
  readonly maxCapacityBehavior: MaxCapacityBehavior;
  /** Headroom above the floor under `increase`, a fraction. */
  readonly maxCapacityBufferFraction: number;
  /** The forecaster's options, defaults filled in. */
  readonly forecast: ResolvedForecastOptions;
}

const MAX_SCHEDULING_BUFFER_MS = 3_600_000;

const ForecastOptionsSchema = z.strictObject({
  stepMs: z
    .number()
    .int()
    .min(FORECAST_BOUNDS.stepMs.min)
    .max(FORECAST_BOUNDS.stepMs.max)
    .refine((v) => DAY_MS % v === 0, {
      message: 'must divide a day (86400000 ms) evenly (limit a divisor of 86400000)',
    })
    .default(FORECAST_DEFAULTS.stepMs),
  lookbackMs: z
    .number()
    .min(FORECAST_BOUNDS.lookbackMs.min)
    .max(FORECAST_BOUNDS.lookbackMs.max)
    .default(FORECAST_DEFAULTS.lookbackMs),
  levelHalfLifeMs: z.number().positive().default(FORECAST_DEFAULTS.levelHalfLifeMs),
  smoothingMs: z
    .number()
    .min(FORECAST_BOUNDS.smoothingMs.min)
    .max(FORECAST_BOUNDS.smoothingMs.max)
    .default(FORECAST_DEFAULTS.smoothingMs),
  maxLevelRatio: z.number().min(1).default(FORECAST_DEFAULTS.maxLevelRatio),
});

/**
 * The zod schema of {@link PredictiveScalingConfigInput}: unknown keys are rejected (a typo such
 * as `leadTime` fails instead of being ignored), `maxReplicas` must be at least `minReplicas`.
 * Shared with adapters and the simulator; emit JSON Schema from it for config files.
 */
export const PredictiveScalingConfigSchema: z.ZodType<
  PredictiveScalingConfig,
  PredictiveScalingConfigInput
> = z
  .strictObject({
    mode: z.enum(['forecast_only', 'forecast_and_scale']),
    leadTimeMs: z.number().int().min(0).max(DAY_MS),
    schedulingBufferMs: z.number().int().min(0).max(MAX_SCHEDULING_BUFFER_MS).default(300_000),
    demandPerReplica: z.number().positive(),
    minReplicas: z.number().int().min(0),
    maxReplicas: z.number().int().min(0),
    maxCapacityBehavior: z.enum(['honor', 'increase']).default('honor'),
    maxCapacityBufferFraction: z.number().min(0).max(1).default(0),
    forecast: ForecastOptionsSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    if (config.maxReplicas < config.minReplicas) {
      ctx.addIssue({
        code: 'too_small',
        origin: 'number',
        minimum: config.minReplicas,
        inclusive: true,
        input: config.maxReplicas,
        path: ['maxReplicas'],
        message: `maxReplicas must be >= minReplicas (${config.minReplicas})`,
      });
    }
  });

const parsedConfigs = new WeakSet<object>();

/**
 * Validates a predictive policy configuration once and returns it frozen, defaults filled in.
 * Pass the result to {@link predictiveDecision} so each decision skips validation.
 *
 * @param input - the configuration as written.
 * @param path - where the configuration sits in a larger one, for error paths. @defaultValue []
 * @throws `HeadroomError` `invalid_config` naming the path, the bound and the value, for
 * example `invalid_config at demandPerReplica: ... (limit > 0) (got 0)`.
 * @example
 * ```ts
 * const config = parsePredictiveScalingConfig({
 *   mode: 'forecast_and_scale',
 *   leadTimeMs: 120_000,
 *   demandPerReplica: 40, // requests/s per replica
 *   minReplicas: 1,
 *   maxReplicas: 32,
 * });
 * config.schedulingBufferMs; // 300_000
 * ```
 */
export function parsePredictiveScalingConfig(
  input: PredictiveScalingConfigInput,
  path: readonly (string | number)[] = [],
): PredictiveScalingConfig {
  const config = parseConfig(PredictiveScalingConfigSchema, input, path);
  parsedConfigs.add(config);
  return config;
}

/** What {@link predictiveDecision} decides from. */
export interface PredictiveDecisionInput {
  /** Demand history, in any order; invalid points are skipped and counted. */
  readonly history: readonly DemandPoint[];
  /** The current time, epoch ms. */
  readonly nowMs: number;
  /**
   * Replicas the fleet has now (or has asked for). Not a non-negative integer means unknown: the
   * floor is still reported but nothing is proposed.
   */
  readonly currentReplicas: number;
}

/**
 * Why the decision came out as it did; a string literal a dashboard can group by:
 *
 * - `forecast_only`: the mode reports and sets nothing.
 * - `raise_to_forecast`: the floor is above the current replicas; `proposedReplicas` raises to it.
 * - `current_covers_forecast`: the current replicas already meet the floor; nothing to do
 *   (predictive never scales in).
 * - `unknown_current_replicas`: `currentReplicas` was not a non-negative integer; no proposal.
 */
export type PredictiveReason =
  'forecast_only' | 'raise_to_forecast' | 'current_covers_forecast' | 'unknown_current_replicas';

/** The output of {@link predictiveDecision}: plain data. */
export interface PredictiveDecision {
  /** The configured mode. */
  readonly mode: PredictiveMode;
  /** The time the forecast is for: `nowMs + leadTimeMs + schedulingBufferMs`, epoch ms. */
  readonly leadTargetAtMs: number;
  /**
   * Demand expected at `leadTargetAtMs` (the mean over the forecast bucket holding it), in the
   * history's unit; finite and >= 0.
   */
  readonly forecastAtLead: number;
  /** How the forecast was made; see {@link ForecastMethod}. */
  readonly method: ForecastMethod;
  /**
   * The replica floor the forecast sets: `wouldBeReplicas` in `forecast_and_scale` mode,
   * undefined in `forecast_only`. A floor only raises capacity: combine it as
   * `max(reactiveTarget, floorReplicas)`; scale-in is left to reactive policies.
   */
  readonly floorReplicas: number | undefined;
  /**
   * `ceil(forecastAtLead / demandPerReplica)` clamped to [minReplicas, maxReplicas] (under
   * `increase`, to [minReplicas, 2^53 - 1]): a finite integer, reported in both modes.
   */
  readonly wouldBeReplicas: number;
  /**
   * In `forecast_and_scale` mode with a known current count, `max(currentReplicas,
   * floorReplicas)`: never below the current replicas. Undefined otherwise.
   */
  readonly proposedReplicas: number | undefined;
  /**
   * The upper limit reactive policies should use: `maxReplicas`, or under `increase` with a
   * forecast above it, the floor plus `maxCapacityBufferFraction` of it (rounded up).
   */
  readonly effectiveMaxReplicas: number;
  /** Which configured limit changed the floor, if any. */
  readonly limitedBy: 'min_replicas' | 'max_replicas' | undefined;
  /** The forecaster's MAPE on held-back history, a fraction; see {@link backtest}. */
  readonly mape: number | undefined;
  /** Buckets the MAPE was computed over (0 when `mape` is undefined). */
  readonly backtestPoints: number;
  /** Invalid history points skipped (NaN, infinite or negative demand, non-finite time). */
  readonly skippedPoints: number;
  /** Why, as a literal; see {@link PredictiveReason}. */
  readonly reason: PredictiveReason;
  /** Why, in words, with the figures (forecast, method, MAPE): for logs and dashboards. */
  readonly detail: string;
}

function resolveConfig(config: PredictiveScalingConfigInput | PredictiveScalingConfig) {
  return parsedConfigs.has(config)
    ? (config as PredictiveScalingConfig)
    : parsePredictiveScalingConfig(config);
}

function formatDemand(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}

/**
 * One step of predictive scaling: forecasts demand at `nowMs + leadTimeMs + schedulingBufferMs`
 * from the history (see {@link forecastDemand}), turns it into a replica floor, and scores the
 * forecaster on the history's end (see {@link backtest}).
 *
 * Capacity asked for now serves only after its cold start, so the floor is set for the demand one
 * lead time (plus the scheduling buffer) ahead: replicas are ready before the morning ramp rather
 * than one cold start into it.
 *
 * The floor never scales in: a forecast below the current replicas proposes the current
 * replicas (`current_covers_forecast`). Removing capacity is left to reactive policies, which see
 * the demand that actually arrived, as AWS predictive scaling leaves scale-in to dynamic scaling.
 * Semantics (modes, scheduling buffer, max-capacity behaviour, no scale-in on a forecast alone)
 * follow AWS EC2 Auto Scaling predictive scaling:
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-predictive-scaling.html
 * and https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PredictiveScalingConfiguration.html.
 * Unlike AWS, which forecasts hourly and every 6 hours, the forecast here is redone on every call
 * at `stepMs` resolution.
 *
 * Bad runtime data never throws: invalid history points are skipped and counted, an unknown
 * `currentReplicas` gives no proposal. Cost: two forecaster fits (the forecast and the backtest),
 * O(points + buckets); about 1 ms for two weeks of 5-minute history.
 *
 * @param config - a config from {@link parsePredictiveScalingConfig} (validated once), or the
 * raw input (validated on every call).
 * @param input - the history, `nowMs` and `currentReplicas`.
 * @throws `HeadroomError` `invalid_config` for a raw config that fails validation;
 * `invalid_argument` when `nowMs` is not finite.
 * @example
 * ```ts
 * const config = parsePredictiveScalingConfig({
 *   mode: 'forecast_and_scale',
 *   leadTimeMs: 120_000, // a replica takes 2 minutes to load its model
 *   demandPerReplica: 40, // requests/s one replica serves
 *   minReplicas: 1,
 *   maxReplicas: 32,
 * });
 * const decision = predictiveDecision(config, { history, nowMs, currentReplicas: 4 });
 * // decision.forecastAtLead: 395 (requests/s expected 7 minutes from now)
 * // decision.floorReplicas: 10; decision.proposedReplicas: 10; decision.reason: 'raise_to_forecast'
 * const target = Math.max(reactiveTarget, decision.floorReplicas ?? 0);
 * ```
 */
export function predictiveDecision(
  config: PredictiveScalingConfigInput | PredictiveScalingConfig,
  input: PredictiveDecisionInput,
): PredictiveDecision {
  const c = resolveConfig(config);
  const nowMs = requireNumber(input.nowMs, ['nowMs']);
  const { history, currentReplicas } = input;

  const aheadMs = c.leadTimeMs + c.schedulingBufferMs;
  const leadTargetAtMs = nowMs + aheadMs;
  const model = fitForecastModel(history, nowMs, true, c.forecast);
  const forecastAtLead = forecastAt(model, leadTargetAtMs);
  const method = methodOf(model);

  const needed = Math.ceil(forecastAtLead / c.demandPerReplica);
  const raw = Number.isFinite(needed)
    ? Math.min(needed, Number.MAX_SAFE_INTEGER)
    : Number.MAX_SAFE_INTEGER;
  let wouldBeReplicas: number;
  let effectiveMaxReplicas = c.maxReplicas;
  let limitedBy: PredictiveDecision['limitedBy'];
  if (raw < c.minReplicas) {
    wouldBeReplicas = c.minReplicas;
    limitedBy = 'min_replicas';
  } else if (raw > c.maxReplicas && c.maxCapacityBehavior === 'honor') {
    wouldBeReplicas = c.maxReplicas;
    limitedBy = 'max_replicas';
  } else {
    wouldBeReplicas = raw;
  }
  if (c.maxCapacityBehavior === 'increase') {
    const withBuffer = Math.min(
      Number.MAX_SAFE_INTEGER,
      Math.ceil(wouldBeReplicas * (1 + c.maxCapacityBufferFraction)),
    );
    effectiveMaxReplicas = Math.max(c.maxReplicas, withBuffer);
  }

  const bt = runBacktest(history, nowMs, undefined, c.forecast);
  const floorReplicas = c.mode === 'forecast_and_scale' ? wouldBeReplicas : undefined;
  const currentKnown = Number.isSafeInteger(currentReplicas) && currentReplicas >= 0;
  const proposedReplicas =
    floorReplicas !== undefined && currentKnown
      ? Math.max(currentReplicas, floorReplicas)
      : undefined;

  let reason: PredictiveReason;
  let action: string;
  if (c.mode === 'forecast_only') {
    reason = 'forecast_only';
    action = `forecast only: a floor of ${wouldBeReplicas} would be set; none is`;
  } else if (!currentKnown) {
    reason = 'unknown_current_replicas';
    action = `current replicas unknown (got ${String(currentReplicas)}): floor ${wouldBeReplicas}, no proposal`;
  } else if (wouldBeReplicas > currentReplicas) {
    reason = 'raise_to_forecast';
    action = `raise from ${currentReplicas} to ${wouldBeReplicas}`;
  } else {
    reason = 'current_covers_forecast';
    action = `current ${currentReplicas} covers the floor of ${wouldBeReplicas} (predictive never scales in; reactive policies do)`;
  }
  const limitNote =
    limitedBy === 'min_replicas'
      ? ` (raised to minReplicas ${c.minReplicas})`
      : limitedBy === 'max_replicas'
        ? ` (capped at maxReplicas ${c.maxReplicas})`
        : '';
  const detail =
    `${method}: ${formatDemand(forecastAtLead)} expected at now + ${formatDurationMs(aheadMs)} ` +
    `(lead ${formatDurationMs(c.leadTimeMs)} + buffer ${formatDurationMs(c.schedulingBufferMs)}) ` +
    `needs ${raw} replicas at ${formatDemand(c.demandPerReplica)} each${limitNote}; ${action}. ` +
    `Forecast: ${model.detail}. Backtest: ${bt.detail}.`;

  return {
    mode: c.mode,
    leadTargetAtMs,
    forecastAtLead,
    method,
    floorReplicas,
    wouldBeReplicas,
    proposedReplicas,
    effectiveMaxReplicas,
    limitedBy,
    mape: bt.mape,
    backtestPoints: bt.points,
    skippedPoints: model.history.skippedPoints,
    reason,
    detail,
  };
}
