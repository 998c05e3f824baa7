import { requireNumber } from '@headroom/core';
import {
  DAY_MS,
  MAX_HORIZON_MS,
  fitForecastModel,
  forecastAt,
  formatDurationMs,
  methodOf,
  resolveForecastOptions,
  type ForecastMethod,
  type ForecastOptions,
  type ResolvedForecastOptions,
} from './forecast.js';
import { bucketHistory, isValidPoint, type DemandPoint } from './history.js';

/** Share of the history held back when it is shorter than 5 days (24 h is 20% of 5 days). */
const HOLDOUT_FRACTION = 0.2;

/** What {@link backtest} is asked for. */
export interface BacktestOptions extends ForecastOptions {
  /** The end of the history (the current time), epoch ms; points after it are ignored. */
  readonly nowMs: number;
  /**
   * How much of the end of the history to hold back and forecast, ms, in (0, 7 days].
   * @defaultValue the shorter of 24 h and 20% of the history's span (oldest used point to `nowMs`)
   */
  readonly holdoutMs?: number;
}

/**
 * How a backtest ended:
 *
 * - `ok`: `mape` is a number.
 * - `no_history`: no usable point in the lookback window.
 * - `no_training_history`: nothing before the held-back part to forecast from.
 * - `no_nonzero_actuals`: the held-back part has no bucket with demand above 0 (MAPE divides by
 *   the actual value, so zero actuals are skipped; none was left).
 */
export type BacktestOutcome = 'ok' | 'no_history' | 'no_training_history' | 'no_nonzero_actuals';

/** The result of {@link backtest}. */
export interface BacktestResult {
  /**
   * Mean absolute percentage error, as a fraction (0.05 is 5%): the mean over compared buckets
   * of |forecast - actual| / actual, capped at `Number.MAX_VALUE` (an actual near the smallest
   * double could overflow it). Undefined unless `outcome` is `ok`.
   */
  readonly mape: number | undefined;
  /** Buckets compared (held-back buckets with data and an actual above 0). */
  readonly points: number;
  /** Held-back buckets with an actual of exactly 0, left out of the MAPE. */
  readonly skippedZeroActuals: number;
  /** The length held back, ms. */
  readonly holdoutMs: number;
  /** Where training stops and the held-back part starts: epoch ms, on a bucket boundary. */
  readonly cutoffMs: number;
  /** The method of the forecast that was scored (`no_history` when there was none). */
  readonly method: ForecastMethod;
  /** How the backtest ended; see {@link BacktestOutcome}. */
  readonly outcome: BacktestOutcome;
  /** The same in words, with the figures: for logs and dashboards. */
  readonly detail: string;
}

function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/**
 * Scores the forecaster on history it has not seen. @internal
 */
export function runBacktest(
  history: readonly DemandPoint[],
  nowMs: number,
  holdoutOverrideMs: number | undefined,
  options: ResolvedForecastOptions,
): BacktestResult {
  const { stepMs, lookbackMs } = options;
  let oldestMs = Infinity;
  for (const p of history) {
    if (isValidPoint(p) && p.atMs <= nowMs && p.atMs >= nowMs - lookbackMs && p.atMs < oldestMs) {
      oldestMs = p.atMs;
    }
  }
  if (oldestMs === Infinity) {
    return {
      mape: undefined,
      points: 0,
      skippedZeroActuals: 0,
      holdoutMs: holdoutOverrideMs ?? 0,
      cutoffMs: nowMs,
      method: 'no_history',
      outcome: 'no_history',
      detail: 'no usable history to backtest',
    };
  }
  const spanMs = nowMs - oldestMs;
  const holdoutMs = holdoutOverrideMs ?? Math.min(DAY_MS, HOLDOUT_FRACTION * spanMs);
  const cutoffMs = Math.floor((nowMs - holdoutMs) / stepMs) * stepMs;
  const model = fitForecastModel(history, cutoffMs, false, options);
  if (model.kind === 'no_history') {
    return {
      mape: undefined,
      points: 0,
      skippedZeroActuals: 0,
      holdoutMs,
      cutoffMs,
      method: 'no_history',
      outcome: 'no_training_history',
      detail: `no history before the held-back ${formatDurationMs(holdoutMs)} to forecast from`,
    };
  }
  const actuals = bucketHistory(history, cutoffMs, nowMs, true, stepMs);
  let sum = 0;
  let points = 0;
  let zeros = 0;
  for (let b = 0; b < actuals.means.length; b++) {
    const mean = actuals.means[b] ?? Number.NaN;
    if (Number.isNaN(mean)) continue;
    const actual = mean * actuals.scale;
    const forecast = forecastAt(model, (actuals.firstBucket + b) * stepMs);
    if (!(actual > 0)) {
      zeros++;
      continue;
    }
    sum += Math.abs(forecast - actual) / actual;
    points++;
  }
  const method = methodOf(model);
  const zerosNote =
    zeros > 0 ? `; ${zeros} zero actuals skipped (a percentage error is undefined at 0)` : '';
  if (points === 0) {
    return {
      mape: undefined,
      points: 0,
      skippedZeroActuals: zeros,
      holdoutMs,
      cutoffMs,
      method,
      outcome: 'no_nonzero_actuals',
      detail: `no held-back bucket with demand above 0 in the last ${formatDurationMs(holdoutMs)}${zerosNote}`,
    };
  }
  // A vanishingly small actual (a subnormal) can make one term overflow: keep the MAPE finite.
  const mape = Math.min(Number.MAX_VALUE, sum / points);
  return {
    mape,
    points,
    skippedZeroActuals: zeros,
    holdoutMs,
    cutoffMs,
    method,
    outcome: 'ok',
    detail: `MAPE ${formatPercent(mape)} over ${points} buckets of the last ${formatDurationMs(holdoutMs)}, forecast (${method}) from the history before${zerosNote}`,
  };
}

/**
 * Measures the forecaster's error on the end of the history: holds back the last part (by default
 * the shorter of 24 h and 20% of the history), forecasts it from the rest with the same options,
 * and reports the mean absolute percentage error per `stepMs` bucket.
 *
 * The forecast is made once, at the start of the held-back part, for all of it: a day-ahead
 * error, stricter than the few-minutes-ahead forecast a scaling decision uses. Buckets whose
 * actual demand is 0 are skipped (a percentage of 0 is undefined) and counted in
 * `skippedZeroActuals`; with none left, `mape` is undefined and `outcome` says why.
 *
 * @param history - demand points in any order; invalid ones are skipped.
 * @param options - `nowMs`, the optional `holdoutMs` and the forecaster's {@link ForecastOptions}.
 * @returns the MAPE (a fraction), the number of buckets compared and how it ended.
 * @throws `HeadroomError` `invalid_argument` when `nowMs` is not finite, `holdoutMs` is outside
 * (0, 7 days], or a forecast option is outside its bounds.
 * @example
 * ```ts
 * const { mape, points } = backtest(history, { nowMs });
 * // two weeks of 5-minute history: the last 24 h held back, points = 288, mape = 0.046 (4.6%)
 * ```
 */
export function backtest(
  history: readonly DemandPoint[],
  options: BacktestOptions,
): BacktestResult {
  const nowMs = requireNumber(options.nowMs, ['nowMs']);
  const holdoutMs =
    options.holdoutMs === undefined
      ? undefined
      : requireNumber(options.holdoutMs, ['holdoutMs'], {
          min: 0,
          minExclusive: true,
          max: MAX_HORIZON_MS,
        });
  return runBacktest(history, nowMs, holdoutMs, resolveForecastOptions(options));
}
