import { HeadroomError, parseConfig, type ErrorPath } from '@headroom/core';
import { z } from 'zod';

/** One hour, ms. */
export const HOUR_MS = 3_600_000;

/** Hours in a week: the seasonal period. */
export const HOURS_PER_WEEK = 168;

/** The constant that makes a MAD-based z-score comparable to a normal z-score (Φ⁻¹(0.75)). */
export const MAD_Z_CONSTANT = 0.6745;

/**
 * Configuration of the cost anomaly detector ({@link createAnomalyDetector},
 * {@link detectAnomalies}). Unknown keys are rejected.
 */
export const AnomalyConfigSchema = z
  .strictObject({
    /**
     * Weeks of history behind the seasonal baseline: the same hour-of-week in each of the last
     * `weeks` weeks, an integer 1..52. @defaultValue 4
     */
    weeks: z.number().int().min(1).max(52).default(4),
    /**
     * How many of those weeks must have a value for the seasonal baseline to be used, 1..weeks;
     * with fewer, the detector falls back to an EWMA of the same hour-of-week.
     * @defaultValue `weeks`
     */
    minSeasonalWeeks: z.number().int().min(1).max(52).optional(),
    /**
     * The |z| at or above which an hour is an anomaly, > 0. 3.5 is Iglewicz and Hoaglin's
     * recommended cut-off for the MAD-based (modified) z-score. @defaultValue 3.5
     */
    threshold: z.number().positive().default(3.5),
    /**
     * Which deviations alert: `up` (spend above baseline, the usual cost concern), `down` (spend
     * collapsing, often a broken pipeline or lost traffic) or `both`. @defaultValue `'up'`
     */
    direction: z.literal(['up', 'down', 'both']).default('up'),
    /**
     * Absolute floor on the spread (MAD or EWMA deviation), USD, > 0: a perfectly flat history
     * does not turn a one-cent change into an anomaly. @defaultValue 0.01
     */
    madFloorUsd: z.number().positive().default(0.01),
    /**
     * Relative floor on the spread, as a fraction of the baseline, 0..1: with the default, a
     * deviation must exceed about 26 % of the baseline (3.5 / 0.6745 × 5 %) to alert against a
     * flat history. @defaultValue 0.05
     */
    madFloorFraction: z.number().min(0).max(1).default(0.05),
    /** Smoothing factor of the EWMA fallback, in (0, 1]: the weight of the newest week. @defaultValue 0.5 */
    ewmaAlpha: z.number().gt(0).max(1).default(0.5),
  })
  .refine((c) => c.minSeasonalWeeks === undefined || c.minSeasonalWeeks <= c.weeks, {
    message: 'must be <= weeks',
    path: ['minSeasonalWeeks'],
    params: { limit: '<= weeks' },
  });

/** What the detector accepts as configuration: {@link AnomalyConfigSchema}'s input. */
export type AnomalyConfigInput = z.input<typeof AnomalyConfigSchema>;

/** A validated {@link AnomalyConfigSchema}, defaults filled in. */
export type AnomalyConfig = Readonly<z.output<typeof AnomalyConfigSchema>>;

/** One hour of spend for one series. Give exactly one of `usd` and `microUsd`. */
export interface SpendPoint {
  /** The series (a tenant, a model, a cluster); `'total'` when absent. */
  readonly key?: string;
  /** Start of the hour, epoch ms (UTC), a multiple of {@link HOUR_MS}. */
  readonly hourStartMs: number;
  /** Spend in the hour, USD, finite. */
  readonly usd?: number;
  /** Spend in the hour, integer micro-USD (converted to USD). */
  readonly microUsd?: number;
}

/** The baseline an hour was compared with. */
export interface AnomalyBaseline {
  /**
   * `seasonal_median`: median of the same hour-of-week over the past weeks, spread = MAD.
   * `ewma`: exponentially weighted average of the same hour-of-week (fewer weeks of history than
   * `minSeasonalWeeks`), spread = EWMA of absolute deviations.
   */
  readonly method: 'seasonal_median' | 'ewma';
  /** Weeks of history behind it (same-hour-of-week values seen). */
  readonly weeksUsed: number;
  /** The expected spend, USD. */
  readonly valueUsd: number;
  /** The spread before the floors, USD. */
  readonly rawSpreadUsd: number;
  /** The spread used in the z-score, after `madFloorUsd` and `madFloorFraction`, USD. */
  readonly spreadUsd: number;
}

/** One anomalous hour. */
export interface CostAnomaly {
  /** The series. */
  readonly key: string;
  /** Start of the hour, epoch ms. */
  readonly hourStartMs: number;
  /** Hour of the week, 0..167, 0 being Monday 00:00 UTC. */
  readonly hourOfWeek: number;
  /** Spend observed, USD. */
  readonly actualUsd: number;
  /** `actualUsd - baseline.valueUsd`, USD. */
  readonly deviationUsd: number;
  /** `deviationUsd / |baseline.valueUsd|`; `null` when the baseline is 0. */
  readonly deviationRatio: number | null;
  /** `0.6745 × deviationUsd / baseline.spreadUsd`. */
  readonly zScore: number;
  /** `up` when spend is above the baseline, `down` below. */
  readonly direction: 'up' | 'down';
  /** What it was compared with. */
  readonly baseline: AnomalyBaseline;
}

/** One series' memory: plain JSON. */
export interface AnomalySeriesState {
  /** The last hour observed, as an hour index (epoch ms / {@link HOUR_MS}). */
  readonly lastHour: number;
  /** `[hourIndex, usd]` of the last `weeks` weeks, oldest first. */
  readonly history: readonly (readonly [number, number])[];
  /** Per hour-of-week (168 entries): `[level, spread, weeksSeen]`, or `null` before any value. */
  readonly ewma: readonly (readonly [number, number, number] | null)[];
}

/** The detector's whole state, JSON-serializable; pass it to {@link createAnomalyDetector} to resume. */
export interface AnomalyDetectorState {
  /** Format version, 1. */
  readonly version: 1;
  /** Per series key. */
  readonly series: Readonly<Record<string, AnomalySeriesState>>;
}

/** A streaming cost anomaly detector. */
export interface AnomalyDetector {
  /**
   * Feeds one hour of one series; returns the anomaly when the hour is one. Hours of a series
   * must arrive in increasing order (gaps are fine).
   *
   * @throws `HeadroomError` `invalid_argument` for a bad point (non-finite amount or time, an
   *   hour not aligned to {@link HOUR_MS}, both or neither amount); `out_of_order` for an hour
   *   not after the series' last one.
   */
  observe(point: SpendPoint): CostAnomaly | undefined;
  /** The state as plain JSON data. */
  toJSON(): AnomalyDetectorState;
}

const StateSchema = z.strictObject({
  version: z.literal(1),
  series: z.record(
    z.string(),
    z.strictObject({
      lastHour: z.number().int(),
      history: z.array(z.tuple([z.number().int(), z.number()])),
      ewma: z
        .array(z.tuple([z.number(), z.number().min(0), z.number().int().min(0)]).nullable())
        .length(HOURS_PER_WEEK),
    }),
  ),
});

interface Series {
  lastHour: number;
  history: Map<number, number>;
  ewma: ([number, number, number] | null)[];
}

function hourOfWeekOf(hour: number): number {
  // Hour 0 of the epoch is Thursday 00:00 UTC, hour 72 of an ISO (Monday-first) week.
  return (((hour + 72) % HOURS_PER_WEEK) + HOURS_PER_WEEK) % HOURS_PER_WEEK;
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function readPoint(point: SpendPoint, path: ErrorPath): { key: string; hour: number; usd: number } {
  const fail = (field: string, message: string, value: unknown, limit: string): never => {
    throw new HeadroomError({
      code: 'invalid_argument',
      message,
      path: [...path, field],
      value,
      limit,
    });
  };
  const key = point.key ?? 'total';
  if (typeof key !== 'string' || key.length === 0)
    fail('key', 'must be a non-empty string', key, 'non-empty string');
  const ms = point.hourStartMs;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms % HOUR_MS !== 0) {
    fail(
      'hourStartMs',
      'must be a finite epoch ms at the start of an hour (UTC)',
      ms,
      `multiple of ${HOUR_MS}`,
    );
  }
  const hasUsd = point.usd !== undefined;
  const hasMicro = point.microUsd !== undefined;
  if (hasUsd === hasMicro)
    fail('usd', 'give exactly one of usd and microUsd', point.usd, 'exactly one');
  let usd: number;
  if (hasUsd) {
    usd = point.usd as number;
    if (typeof usd !== 'number' || !Number.isFinite(usd))
      fail('usd', 'must be a finite number', usd, 'finite');
  } else {
    const micro = point.microUsd as number;
    if (!Number.isSafeInteger(micro))
      fail('microUsd', 'must be a safe integer', micro, 'safe integer');
    usd = micro / 1_000_000;
  }
  return { key, hour: ms / HOUR_MS, usd };
}

function evaluate(
  config: AnomalyConfig,
  series: Series | undefined,
  key: string,
  hour: number,
  usd: number,
): CostAnomaly | undefined {
  if (series === undefined) return undefined;
  const minWeeks = config.minSeasonalWeeks ?? config.weeks;
  const same: number[] = [];
  for (let k = 1; k <= config.weeks; k++) {
    const v = series.history.get(hour - k * HOURS_PER_WEEK);
    if (v !== undefined) same.push(v);
  }
  const slot = hourOfWeekOf(hour);
  let baseline: Omit<AnomalyBaseline, 'spreadUsd'>;
  if (same.length >= minWeeks) {
    same.sort((a, b) => a - b);
    const mid = median(same);
    const deviations = same.map((v) => Math.abs(v - mid)).sort((a, b) => a - b);
    baseline = {
      method: 'seasonal_median',
      weeksUsed: same.length,
      valueUsd: mid,
      rawSpreadUsd: median(deviations),
    };
  } else {
    const e = series.ewma[slot];
    if (e === null || e === undefined) return undefined;
    baseline = { method: 'ewma', weeksUsed: e[2], valueUsd: e[0], rawSpreadUsd: e[1] };
  }
  const spread = Math.max(
    baseline.rawSpreadUsd,
    config.madFloorUsd,
    config.madFloorFraction * Math.abs(baseline.valueUsd),
  );
  const deviation = usd - baseline.valueUsd;
  const z = (MAD_Z_CONSTANT * deviation) / spread;
  if (!Number.isFinite(z) || Math.abs(z) < config.threshold || deviation === 0) return undefined;
  const direction = deviation > 0 ? 'up' : 'down';
  if (config.direction !== 'both' && config.direction !== direction) return undefined;
  return {
    key,
    hourStartMs: hour * HOUR_MS,
    hourOfWeek: slot,
    actualUsd: usd,
    deviationUsd: deviation,
    deviationRatio: baseline.valueUsd === 0 ? null : deviation / Math.abs(baseline.valueUsd),
    zScore: z,
    direction,
    baseline: { ...baseline, spreadUsd: spread },
  };
}

function learn(config: AnomalyConfig, series: Series, hour: number, usd: number): void {
  series.lastHour = hour;
  series.history.set(hour, usd);
  const oldest = hour - config.weeks * HOURS_PER_WEEK;
  for (const h of series.history.keys()) {
    // Map iteration is in insertion order, which is hour order: stop at the first kept hour.
    if (h >= oldest) break;
    series.history.delete(h);
  }
  const slot = hourOfWeekOf(hour);
  const e = series.ewma[slot];
  if (e === null || e === undefined) {
    series.ewma[slot] = [usd, 0, 1];
  } else {
    const deviation = Math.abs(usd - e[0]);
    // level + α(x - level) is exactly x when x equals the level, so a repeating week stays put.
    series.ewma[slot] = [
      e[0] + config.ewmaAlpha * (usd - e[0]),
      e[1] + config.ewmaAlpha * (deviation - e[1]),
      e[2] + 1,
    ];
  }
}

/**
 * Creates a streaming cost anomaly detector for hourly spend series.
 *
 * For each hour `x` of a series it builds a seasonal baseline from the same hour-of-week (UTC,
 * weeks starting Monday 00:00) in each of the last `weeks` weeks: the median `m` of those values
 * and their median absolute deviation `MAD`. It scores the hour with the robust (modified)
 * z-score of Iglewicz and Hoaglin, `z = 0.6745 (x - m) / max(MAD, madFloorUsd,
 * madFloorFraction·|m|)`, and alerts when `|z| >= threshold` in the configured direction. The
 * floors keep a flat history from flagging tiny changes. With fewer than `minSeasonalWeeks` of
 * those weeks present (a new series, or gaps), it falls back to an EWMA of the same hour-of-week
 * (level and mean absolute deviation, smoothing `ewmaAlpha`); before a slot has any value it only
 * learns. Every hour, anomalous or not, joins the history: the median keeps one spike from moving
 * the baseline. A series that repeats exactly week over week never alerts.
 *
 * This is the seasonal-median-plus-MAD approach used by Twitter's seasonal hybrid ESD and many
 * cost anomaly monitors, in a streaming, deterministic form: no clock, no randomness.
 *
 * @param config - see {@link AnomalyConfigSchema}; all fields have defaults.
 * @param state - a previous detector's `toJSON()`, to resume it (a new leader, a restart).
 * @returns the detector.
 * @throws `HeadroomError` `invalid_config` for a bad config or state.
 * @example
 * ```ts
 * const detector = createAnomalyDetector({ weeks: 4, threshold: 3.5 });
 * for (const point of hourlySpend) {
 *   const alert = detector.observe(point); // { key, hourStartMs, usd }
 *   if (alert) notify(`${alert.key}: ${alert.actualUsd} USD vs ${alert.baseline.valueUsd} expected`);
 * }
 * saveState(JSON.stringify(detector.toJSON()));
 * ```
 */
export function createAnomalyDetector(
  config: AnomalyConfigInput = {},
  state?: AnomalyDetectorState,
): AnomalyDetector {
  const parsed = parseConfig(AnomalyConfigSchema, config, ['config']);
  const all = new Map<string, Series>();
  if (state !== undefined) {
    const s = parseConfig(StateSchema, state, ['state']);
    for (const [key, series] of Object.entries(s.series)) {
      all.set(key, {
        lastHour: series.lastHour,
        history: new Map([...series.history].sort((a, b) => a[0] - b[0]).map(([h, v]) => [h, v])),
        ewma: series.ewma.map((e) => (e === null ? null : [e[0], e[1], e[2]])),
      });
    }
  }
  return {
    observe(point: SpendPoint): CostAnomaly | undefined {
      const { key, hour, usd } = readPoint(point, ['point']);
      const series = all.get(key);
      if (series !== undefined && hour <= series.lastHour) {
        throw new HeadroomError({
          code: 'out_of_order',
          message: `is not after the last hour of series ${JSON.stringify(key)} (${series.lastHour * HOUR_MS})`,
          path: ['point', 'hourStartMs'],
          value: point.hourStartMs,
          limit: `> ${series.lastHour * HOUR_MS}`,
        });
      }
      const alert = evaluate(parsed, series, key, hour, usd);
      const target =
        series ??
        ({
          lastHour: hour,
          history: new Map<number, number>(),
          ewma: Array.from({ length: HOURS_PER_WEEK }, () => null),
        } satisfies Series);
      if (series === undefined) all.set(key, target);
      learn(parsed, target, hour, usd);
      return alert;
    },
    toJSON(): AnomalyDetectorState {
      const series: Record<string, AnomalySeriesState> = {};
      for (const [key, s] of [...all.entries()].sort((a, b) =>
        a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0,
      )) {
        series[key] = {
          lastHour: s.lastHour,
          history: [...s.history.entries()].map(([h, v]) => [h, v] as const),
          ewma: s.ewma.map((e) => (e === null ? null : ([e[0], e[1], e[2]] as const))),
        };
      }
      return { version: 1, series };
    },
  };
}

/**
 * Batch form of {@link createAnomalyDetector}: sorts the points by series and hour, runs them
 * through one fresh detector and returns every anomaly, sorted by hour then series key.
 *
 * @param points - hourly spend, any order, any number of series; one point per series and hour.
 * @param config - see {@link AnomalyConfigSchema}.
 * @returns the anomalies.
 * @throws `HeadroomError` `invalid_config` for a bad config; `invalid_argument` for a bad point,
 *   naming `points[i]`; `invalid_input` for two points of one series in the same hour.
 * @example
 * ```ts
 * const anomalies = detectAnomalies(
 *   rows.map((r) => ({ key: r.tenant, hourStartMs: r.hourMs, microUsd: r.costMicroUsd })),
 *   { weeks: 4 },
 * );
 * ```
 */
export function detectAnomalies(
  points: readonly SpendPoint[],
  config: AnomalyConfigInput = {},
): CostAnomaly[] {
  const read = points.map((p, i) => ({ ...readPoint(p, ['points', i]), index: i, point: p }));
  read.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) || a.hour - b.hour);
  for (let i = 1; i < read.length; i++) {
    const prev = read[i - 1];
    const cur = read[i];
    if (prev !== undefined && cur !== undefined && prev.key === cur.key && prev.hour === cur.hour) {
      throw new HeadroomError({
        code: 'invalid_input',
        message: `repeats the hour of points[${prev.index}] in series ${JSON.stringify(cur.key)}`,
        path: ['points', cur.index, 'hourStartMs'],
        value: cur.point.hourStartMs,
        limit: 'one point per series and hour',
      });
    }
  }
  const detector = createAnomalyDetector(config);
  const alerts: CostAnomaly[] = [];
  for (const r of read) {
    const alert = detector.observe(r.point);
    if (alert !== undefined) alerts.push(alert);
  }
  return alerts.sort(
    (a, b) => a.hourStartMs - b.hourStartMs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}
