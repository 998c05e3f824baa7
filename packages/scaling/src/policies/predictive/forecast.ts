import { HeadroomError, requireNumber } from '@headroom/core';
import { bucketHistory, type BucketedHistory, type DemandPoint } from './history.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** One day, ms: the daily period. */
export const DAY_MS = 86_400_000;
/** One week, ms: the weekly period. */
const WEEK_MS = 7 * DAY_MS;
/** Longest horizon a forecast (or a backtest's holdout) may ask for: one weekly period. */
export const MAX_HORIZON_MS = WEEK_MS;
/** Seasonal profiles need this much history (AWS predictive scaling's minimum as well). */
const MIN_SEASONAL_SPAN_MS = DAY_MS;
/** ... and observations in at least this many distinct hours of the day. */
const MIN_SEASONAL_HOURS = 12;
/** A weekly slot seen this many times (weeks) is trusted alone; fewer blends in the daily profile. */
const WEEKS_FOR_FULL_WEEKLY_WEIGHT = 2;
/** Level weights below this (about 40 half-lives old) are dropped from the level sums. */
const MIN_LEVEL_WEIGHT = 1e-12;

/**
 * How a forecast was made, from the least to the most history:
 *
 * - `no_history`: no usable point in the lookback window; the forecast is 0 demand.
 * - `recent_level`: less than 24 h of history, or observations in fewer than 12 distinct hours of
 *   the day; the forecast is flat at the recent level (a time-decayed mean of recent demand).
 * - `seasonal_daily`: less than 7 days of history; the forecast follows the hour-of-day (daily)
 *   profile scaled by the recent level ratio (a time of the week already seen counts half).
 * - `seasonal_blend`: 7 to 14 days of history; times of the week seen once blend the hour-of-week
 *   (weekly) profile half and half with the daily one.
 * - `seasonal_weekly`: 14 days of history or more; the weekly profile alone wherever two weeks
 *   cover the time, so weekends and weekdays each follow their own shape.
 */
export type ForecastMethod =
  'no_history' | 'recent_level' | 'seasonal_daily' | 'seasonal_blend' | 'seasonal_weekly';

/**
 * Knobs of the forecaster. All are optional; the defaults suit 5-minute history of request
 * rates with a daily and a weekly cycle.
 */
export interface ForecastOptions {
  /**
   * Bucket width, ms: history is averaged into buckets of this width (aligned to the epoch, so
   * to UTC days) and the forecast is given per bucket. An integer in [60 000, 3 600 000] that
   * divides a day evenly (1, 2, 5, 10, 15, 30 or 60 minutes, among others).
   * @defaultValue 300_000 (5 minutes)
   */
  readonly stepMs?: number | undefined;
  /**
   * How far back history is used, ms, in [1 day, 8 weeks]. Older points are ignored (counted,
   * not skipped).
   * @defaultValue 1_296_000_000 (15 days: the 14 days AWS predictive scaling uses, plus one, so
   * every time of the next 24 h has two weekly observations)
   */
  readonly lookbackMs?: number | undefined;
  /**
   * Half-life of the weights that make the recent level, ms (> 0): a bucket this much older than
   * the newest one counts half as much.
   * @defaultValue 1_800_000 (30 minutes)
   */
  readonly levelHalfLifeMs?: number | undefined;
  /**
   * Width of the centred moving average applied to each seasonal profile, ms, in [0, 6 h];
   * 0 turns smoothing off. It averages out noise; a wider window also rounds the corners of a
   * ramp (a linear ramp is kept exactly).
   * @defaultValue 600_000 (10 minutes)
   */
  readonly smoothingMs?: number | undefined;
  /**
   * Bound on the recent level ratio (recent demand / what the profile expected for the same
   * buckets): it is clamped to [1 / maxLevelRatio, maxLevelRatio], so a quiet night that runs
   * 3x its usual level does not triple the morning forecast. At least 1.
   * @defaultValue 2
   */
  readonly maxLevelRatio?: number | undefined;
}

/** What {@link forecastDemand} is asked for. */
export interface ForecastRequest extends ForecastOptions {
  /** The current time, epoch ms; points after it are ignored (counted in `ignoredPoints`). */
  readonly nowMs: number;
  /** How far ahead to forecast, ms, in [0, 7 days]. */
  readonly horizonMs: number;
}

/** The result of {@link forecastDemand}. */
export interface DemandForecast {
  /**
   * One point per bucket that overlaps [nowMs, nowMs + horizonMs], oldest first: `atMs` is the
   * bucket's start (epoch ms, a multiple of `stepMs`) and `demand` the mean demand expected
   * during [atMs, atMs + stepMs), in the history's unit, never negative.
   */
  readonly points: readonly DemandPoint[];
  /** How the forecast was made; see {@link ForecastMethod}. */
  readonly method: ForecastMethod;
  /** Why that method, in words (history span, hours seen, level ratio): for logs and dashboards. */
  readonly detail: string;
  /** The recent level (history's unit) for `recent_level`; undefined otherwise. */
  readonly level: number | undefined;
  /** The clamped recent level ratio for the seasonal methods; undefined otherwise. */
  readonly levelRatio: number | undefined;
  /** From the oldest used point to `nowMs`, ms; 0 without history. */
  readonly historySpanMs: number;
  /** Valid points used. */
  readonly usedPoints: number;
  /** Invalid points skipped: not an object, non-finite time, NaN, infinite or negative demand. */
  readonly skippedPoints: number;
  /** Valid points outside [nowMs - lookbackMs, nowMs]. */
  readonly ignoredPoints: number;
}

/** {@link ForecastOptions} with every default filled in and every bound checked. */
export interface ResolvedForecastOptions {
  /** Bucket width, ms; see {@link ForecastOptions.stepMs}. */
  readonly stepMs: number;
  /** How far back history is used, ms; see {@link ForecastOptions.lookbackMs}. */
  readonly lookbackMs: number;
  /** Half-life of the recent level's weights, ms; see {@link ForecastOptions.levelHalfLifeMs}. */
  readonly levelHalfLifeMs: number;
  /** Width of the profiles' moving average, ms; see {@link ForecastOptions.smoothingMs}. */
  readonly smoothingMs: number;
  /** Bound on the recent level ratio; see {@link ForecastOptions.maxLevelRatio}. */
  readonly maxLevelRatio: number;
}

/** The forecaster's defaults. @internal */
export const FORECAST_DEFAULTS: ResolvedForecastOptions = Object.freeze({
  stepMs: 5 * MINUTE_MS,
  lookbackMs: 15 * DAY_MS,
  levelHalfLifeMs: 30 * MINUTE_MS,
  smoothingMs: 10 * MINUTE_MS,
  maxLevelRatio: 2,
});

/** Bounds shared by the argument checks here and the config schema. @internal */
export const FORECAST_BOUNDS = Object.freeze({
  stepMs: { min: MINUTE_MS, max: HOUR_MS },
  lookbackMs: { min: DAY_MS, max: 8 * WEEK_MS },
  smoothingMs: { min: 0, max: 6 * HOUR_MS },
});

/**
 * Checks forecast options and fills in defaults.
 *
 * @throws `HeadroomError` with `code` (default `invalid_argument`) naming the option, bound and value.
 * @internal
 */
export function resolveForecastOptions(
  options: ForecastOptions,
  code: 'invalid_argument' | 'invalid_config' = 'invalid_argument',
  path: readonly (string | number)[] = [],
): ResolvedForecastOptions {
  const stepMs = requireNumber(
    options.stepMs ?? FORECAST_DEFAULTS.stepMs,
    [...path, 'stepMs'],
    { ...FORECAST_BOUNDS.stepMs, integer: true },
    code,
  );
  if (DAY_MS % stepMs !== 0) {
    throw new HeadroomError({
      code,
      message: 'must divide a day (86 400 000 ms) evenly',
      path: [...path, 'stepMs'],
      value: stepMs,
      limit: 'a divisor of 86400000',
    });
  }
  return {
    stepMs,
    lookbackMs: requireNumber(
      options.lookbackMs ?? FORECAST_DEFAULTS.lookbackMs,
      [...path, 'lookbackMs'],
      FORECAST_BOUNDS.lookbackMs,
      code,
    ),
    levelHalfLifeMs: requireNumber(
      options.levelHalfLifeMs ?? FORECAST_DEFAULTS.levelHalfLifeMs,
      [...path, 'levelHalfLifeMs'],
      { min: 0, minExclusive: true },
      code,
    ),
    smoothingMs: requireNumber(
      options.smoothingMs ?? FORECAST_DEFAULTS.smoothingMs,
      [...path, 'smoothingMs'],
      FORECAST_BOUNDS.smoothingMs,
      code,
    ),
    maxLevelRatio: requireNumber(
      options.maxLevelRatio ?? FORECAST_DEFAULTS.maxLevelRatio,
      [...path, 'maxLevelRatio'],
      { min: 1 },
      code,
    ),
  };
}

/** Seasonal profiles over slots of one step: values in the history's unit. */
interface SeasonalProfile {
  /** Smoothed mean per time-of-day slot; gaps filled by circular linear interpolation. */
  readonly daily: Float64Array;
  /** Smoothed mean per time-of-week slot; NaN where no observation is in the window. */
  readonly weekly: Float64Array;
  /** Weight of `weekly` per time-of-week slot, in [0, 1]: weeks seen / 2, capped at 1. */
  readonly weeklyWeight: Float64Array;
}

/**
 * A fitted forecaster: plain data. `forecastAt` reads it.
 *
 * @internal
 */
export type ForecastModel =
  | {
      readonly kind: 'no_history';
      readonly stepMs: number;
      readonly history: BucketedHistory;
      readonly spanMs: number;
      readonly detail: string;
    }
  | {
      readonly kind: 'recent_level';
      readonly stepMs: number;
      readonly history: BucketedHistory;
      readonly spanMs: number;
      readonly level: number;
      readonly detail: string;
    }
  | {
      readonly kind: 'seasonal';
      readonly method: 'seasonal_daily' | 'seasonal_blend' | 'seasonal_weekly';
      readonly stepMs: number;
      readonly history: BucketedHistory;
      readonly spanMs: number;
      readonly profile: SeasonalProfile;
      readonly ratio: number;
      readonly detail: string;
    };

function mod(a: number, m: number): number {
  const r = a % m;
  return r < 0 ? r + m : r;
}

/** Formats a duration for a reason string: `45 s`, `57 min`, `3.5 h`, `14 d`. @internal */
export function formatDurationMs(ms: number): string {
  if (ms < MINUTE_MS) return `${Math.round(ms / 1000)} s`;
  if (ms < 2 * HOUR_MS) return `${Math.round(ms / MINUTE_MS)} min`;
  if (ms < 2 * DAY_MS) return `${Math.round((ms / HOUR_MS) * 10) / 10} h`;
  return `${Math.round((ms / DAY_MS) * 10) / 10} d`;
}

/**
 * Centred circular window sums, computed directly (no running subtraction, so a window of zeros
 * sums to exactly 0 and scaling the input scales the output).
 */
function circularWindowSums(src: Float64Array, halfWidth: number): Float64Array {
  const period = src.length;
  const out = new Float64Array(period);
  for (let i = 0; i < period; i++) {
    let s = 0;
    for (let j = i - halfWidth; j <= i + halfWidth; j++) s += src[mod(j, period)] ?? 0;
    out[i] = s;
  }
  return out;
}

/** Fills NaN entries by linear interpolation between the nearest known entries, circularly. */
function fillCircular(values: Float64Array): void {
  const period = values.length;
  let firstKnown = -1;
  for (let i = 0; i < period; i++) {
    if (!Number.isNaN(values[i])) {
      firstKnown = i;
      break;
    }
  }
  if (firstKnown < 0) {
    values.fill(0);
    return;
  }
  // Walk once round the circle from the first known entry; fill each gap between known entries.
  let prevOffset = 0;
  let prevValue = values[firstKnown] ?? 0;
  for (let offset = 1; offset <= period; offset++) {
    const v = values[(firstKnown + offset) % period] ?? Number.NaN;
    if (Number.isNaN(v)) continue;
    const distance = offset - prevOffset;
    for (let k = 1; k < distance; k++) {
      values[(firstKnown + prevOffset + k) % period] = prevValue + ((v - prevValue) * k) / distance;
    }
    prevOffset = offset;
    prevValue = v;
  }
}

function buildProfile(h: BucketedHistory, smoothingMs: number): SeasonalProfile {
  const step = h.stepMs;
  const slotsPerDay = DAY_MS / step;
  const slotsPerWeek = 7 * slotsPerDay;
  const sumD = new Float64Array(slotsPerDay);
  const cntD = new Float64Array(slotsPerDay);
  const sumW = new Float64Array(slotsPerWeek);
  const cntW = new Float64Array(slotsPerWeek);
  const { means, firstBucket } = h;
  for (let b = 0; b < means.length; b++) {
    const m = means[b] ?? Number.NaN;
    if (Number.isNaN(m)) continue;
    const abs = firstBucket + b;
    const sd = mod(abs, slotsPerDay);
    const sw = mod(abs, slotsPerWeek);
    sumD[sd] = (sumD[sd] ?? 0) + m;
    cntD[sd] = (cntD[sd] ?? 0) + 1;
    sumW[sw] = (sumW[sw] ?? 0) + m;
    cntW[sw] = (cntW[sw] ?? 0) + 1;
  }
  const halfWidth = Math.min(Math.round(smoothingMs / 2 / step), Math.floor((slotsPerDay - 1) / 2));
  const width = 2 * halfWidth + 1;

  const dSum = circularWindowSums(sumD, halfWidth);
  const dCnt = circularWindowSums(cntD, halfWidth);
  const daily = new Float64Array(slotsPerDay);
  for (let s = 0; s < slotsPerDay; s++) {
    const c = dCnt[s] ?? 0;
    daily[s] = c > 0 ? (dSum[s] ?? 0) / c : Number.NaN;
  }
  fillCircular(daily);

  const wSum = circularWindowSums(sumW, halfWidth);
  const wCnt = circularWindowSums(cntW, halfWidth);
  const weekly = new Float64Array(slotsPerWeek);
  const weeklyWeight = new Float64Array(slotsPerWeek);
  for (let s = 0; s < slotsPerWeek; s++) {
    const c = wCnt[s] ?? 0;
    weekly[s] = c > 0 ? (wSum[s] ?? 0) / c : Number.NaN;
    weeklyWeight[s] = Math.min(1, c / width / WEEKS_FOR_FULL_WEEKLY_WEIGHT);
  }
  return { daily, weekly, weeklyWeight };
}

/** Seasonal expectation for an absolute bucket index: the weekly and daily profiles blended. */
function expectedAt(profile: SeasonalProfile, absBucket: number): number {
  const d = profile.daily[mod(absBucket, profile.daily.length)] ?? 0;
  const sw = mod(absBucket, profile.weekly.length);
  const a = profile.weeklyWeight[sw] ?? 0;
  return a > 0 ? a * (profile.weekly[sw] ?? d) + (1 - a) * d : d;
}

/**
 * Fits the forecaster to the history in [nowMs - lookbackMs, nowMs] (`nowMs` itself included
 * when `includeNow`). O(points + buckets + slots x smoothing width).
 *
 * @internal
 */
export function fitForecastModel(
  history: readonly DemandPoint[],
  nowMs: number,
  includeNow: boolean,
  options: ResolvedForecastOptions,
): ForecastModel {
  const { stepMs, lookbackMs, levelHalfLifeMs, smoothingMs, maxLevelRatio } = options;
  const h = bucketHistory(history, nowMs - lookbackMs, nowMs, includeNow, stepMs);
  const skippedNote = h.skippedPoints > 0 ? `; ${h.skippedPoints} invalid points skipped` : '';
  if (h.newestBucket === undefined || h.oldestMs === undefined) {
    return {
      kind: 'no_history',
      stepMs,
      history: h,
      spanMs: 0,
      detail: `no usable history in the last ${formatDurationMs(lookbackMs)}: forecast 0${skippedNote}`,
    };
  }
  const spanMs = nowMs - h.oldestMs;
  const newest = h.newestBucket;
  const staleMs = nowMs - (newest + 1) * stepMs;
  const notes =
    (staleMs > levelHalfLifeMs ? `; newest data ${formatDurationMs(staleMs)} old` : '') +
    skippedNote;

  // Which hours of the day have been observed at least once.
  const hoursSeen = new Uint8Array(24);
  for (let b = 0; b < h.means.length; b++) {
    if (Number.isNaN(h.means[b])) continue;
    hoursSeen[Math.floor(mod((h.firstBucket + b) * stepMs, DAY_MS) / HOUR_MS)] = 1;
  }
  let hours = 0;
  for (const seen of hoursSeen) hours += seen;

  // Time-decayed sums over the filled buckets, weights anchored at the newest one.
  const levelSums = (expected: ((abs: number) => number) | undefined) => {
    let num = 0;
    let den = 0;
    for (let abs = newest; abs >= h.firstBucket; abs--) {
      const m = h.means[abs - h.firstBucket] ?? Number.NaN;
      if (Number.isNaN(m)) continue;
      const w = 2 ** (-((newest - abs) * stepMs) / levelHalfLifeMs);
      if (w < MIN_LEVEL_WEIGHT) break;
      num += w * m;
      den += w * (expected === undefined ? 1 : expected(abs));
    }
    return { num, den };
  };

  if (spanMs < MIN_SEASONAL_SPAN_MS || hours < MIN_SEASONAL_HOURS) {
    const { num, den } = levelSums(undefined);
    const level = den > 0 ? Math.min(Number.MAX_VALUE, h.scale * (num / den)) : 0;
    const why =
      spanMs < MIN_SEASONAL_SPAN_MS
        ? `only ${formatDurationMs(spanMs)} of history (seasonal profiles need 24 h)`
        : `observations in only ${hours} of 24 hours of the day (seasonal profiles need ${MIN_SEASONAL_HOURS})`;
    return {
      kind: 'recent_level',
      stepMs,
      history: h,
      spanMs,
      level,
      detail: `recent level only: ${why}; time-decayed mean (half-life ${formatDurationMs(levelHalfLifeMs)}) = ${formatDemand(level)}${notes}`,
    };
  }

  const profile = buildProfile(h, smoothingMs);
  const { num, den } = levelSums((abs) => expectedAt(profile, abs));
  const raw = den > 0 ? num / den : 1;
  const ratio = Math.min(maxLevelRatio, Math.max(1 / maxLevelRatio, raw));
  const clampNote = ratio === raw ? '' : ` (clamped from ${raw.toFixed(3)})`;
  const method =
    spanMs < WEEK_MS
      ? 'seasonal_daily'
      : spanMs < 2 * WEEK_MS
        ? 'seasonal_blend'
        : 'seasonal_weekly';
  return {
    kind: 'seasonal',
    method,
    stepMs,
    history: h,
    spanMs,
    profile,
    ratio,
    detail: `${method.slice('seasonal_'.length)} profile from ${formatDurationMs(spanMs)} of history x recent level ratio ${ratio.toFixed(3)}${clampNote}${notes}`,
  };
}

function formatDemand(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}

/**
 * The model's forecast for the bucket holding `atMs`: the mean demand expected over that bucket,
 * in the history's unit; finite and never negative.
 *
 * @internal
 */
export function forecastAt(model: ForecastModel, atMs: number): number {
  switch (model.kind) {
    case 'no_history':
      return 0;
    case 'recent_level':
      return model.level;
    case 'seasonal': {
      const e = expectedAt(model.profile, Math.floor(atMs / model.stepMs));
      return Math.min(Number.MAX_VALUE, model.history.scale * Math.max(0, model.ratio * e));
    }
  }
}

/** The method label of a fitted model. @internal */
export function methodOf(model: ForecastModel): ForecastMethod {
  return model.kind === 'seasonal' ? model.method : model.kind;
}

/**
 * Forecasts demand from history with daily and weekly seasonality.
 *
 * The algorithm, chosen because every number it produces can be explained from the history:
 *
 * 1. Drop invalid points (counted) and points outside [nowMs - lookbackMs, nowMs] (counted);
 *    average the rest into `stepMs` buckets aligned to UTC days. Empty buckets are unknown, not 0.
 * 2. With less than 24 h of history, or observations in fewer than 12 hours of the day, forecast
 *    the **recent level**: a mean of the buckets weighted by 2^(-age / levelHalfLifeMs), age
 *    counted from the newest bucket. Flat over the horizon (`recent_level`).
 * 3. Otherwise build two **seasonal profiles**: the mean demand per time-of-day slot (daily
 *    period) and per time-of-week slot (weekly period), each smoothed by a centred moving average
 *    `smoothingMs` wide; daily gaps are filled by linear interpolation. A time of week seen in 2 or
 *    more weeks uses the weekly profile; seen once, half weekly and half daily; never, the daily
 *    profile. So with under two weeks of data the forecast leans on the daily shape, and weekends
 *    separate from weekdays as weeks accumulate.
 * 4. Scale the profile by the **recent level ratio**: the decayed sum of recent demand over the
 *    decayed sum of what the profile expected for the same buckets, clamped to
 *    [1 / maxLevelRatio, maxLevelRatio]. A day running 10% above its usual shape forecasts 10%
 *    above it.
 *
 * Why not Holt-Winters: it needs a full season (a week of 5-minute steps is 2016 seasonal states)
 * before it initialises, three smoothing constants to tune, and it cannot take gaps or irregular
 * samples without imputation; the profile above degrades gracefully with every missing piece and
 * has no hidden state. There is no trend term: growth shows up through the level ratio. Means,
 * weighted sums and a scale-free ratio only: scaling the whole history by k > 0 scales the forecast
 * by k (up to rounding), so more demand never forecasts less.
 *
 * Cost: O(points + buckets + slots x smoothing width): about 0.3 ms for two weeks of 5-minute
 * history. Time of day is UTC; a daylight-saving shift misaligns the older part of the weekly
 * profile by an hour until it ages out (the level ratio and smoothing absorb part of it).
 *
 * Semantics modelled on AWS EC2 Auto Scaling predictive scaling (at least 24 h of data to start,
 * about two weeks used, daily and weekly patterns): see
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-predictive-scaling.html.
 * The algorithm here is our own.
 *
 * @param history - demand points in any order; invalid ones are skipped and counted.
 * @param request - `nowMs`, `horizonMs` and the optional knobs of {@link ForecastOptions}.
 * @returns the forecast per bucket, the method and why, and the point counts.
 * @throws `HeadroomError` `invalid_argument` when `nowMs` is not finite, `horizonMs` is outside
 * [0, 7 days], or an option is outside its documented bounds (naming the option, bound and value).
 * @example
 * ```ts
 * const forecast = forecastDemand(history, { nowMs, horizonMs: 3_600_000 });
 * forecast.method; // 'seasonal_weekly' with two weeks of history, 'recent_level' with an hour
 * forecast.points[0]; // { atMs: <start of the current 5-minute bucket>, demand: 412.5 }
 * ```
 */
export function forecastDemand(
  history: readonly DemandPoint[],
  request: ForecastRequest,
): DemandForecast {
  const nowMs = requireNumber(request.nowMs, ['nowMs']);
  const horizonMs = requireNumber(request.horizonMs, ['horizonMs'], {
    min: 0,
    max: MAX_HORIZON_MS,
  });
  const options = resolveForecastOptions(request);
  const model = fitForecastModel(history, nowMs, true, options);
  const { stepMs } = options;
  const first = Math.floor(nowMs / stepMs);
  const last = Math.floor((nowMs + horizonMs) / stepMs);
  const points: DemandPoint[] = [];
  for (let b = first; b <= last; b++) {
    const atMs = b * stepMs;
    points.push({ atMs, demand: forecastAt(model, atMs) });
  }
  return {
    points,
    method: methodOf(model),
    detail: model.detail,
    level: model.kind === 'recent_level' ? model.level : undefined,
    levelRatio: model.kind === 'seasonal' ? model.ratio : undefined,
    historySpanMs: model.spanMs,
    usedPoints: model.history.usedPoints,
    skippedPoints: model.history.skippedPoints,
    ignoredPoints: model.history.ignoredPoints,
  };
}
