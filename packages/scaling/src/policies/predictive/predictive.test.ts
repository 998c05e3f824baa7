import { createRandom, isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../../../tools/test-utils.js';
import {
  backtest,
  forecastDemand,
  parsePredictiveScalingConfig,
  predictiveDecision,
  type DemandPoint,
  type PredictiveScalingConfigInput,
} from './index.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Monday 2024-01-01 00:00 UTC. */
const START_MS = Date.UTC(2024, 0, 1);

/**
 * A synthetic fleet's demand (requests/s) at `tMs`: 20 at night; a sharp morning ramp from
 * 08:00 to 08:15 UTC up to 200; a gentle hump through the day; down to 20 from 18:00 to 22:00.
 * Weekends run half the daytime excess over the night level.
 */
function shape(tMs: number): number {
  const hour = (((tMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  const dayOfWeek = (Math.floor(tMs / DAY_MS) + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  let v: number;
  if (hour < 8) v = 20;
  else if (hour < 8.25) v = 20 + (180 * (hour - 8)) / 0.25;
  else if (hour < 18) v = 200 + 30 * Math.sin((Math.PI * (hour - 8.25)) / 9.75);
  else if (hour < 22) v = 200 - (180 * (hour - 18)) / 4;
  else v = 20;
  return dayOfWeek === 0 || dayOfWeek === 6 ? 20 + (v - 20) * 0.5 : v;
}

/**
 * One sample per 5 minutes at a random instant inside each 5-minute slot (irregular spacing),
 * with multiplicative Gaussian noise of standard deviation `noise`.
 */
function syntheticHistory(fromMs: number, toMs: number, seed: number, noise = 0.05): DemandPoint[] {
  const random = createRandom(seed);
  const points: DemandPoint[] = [];
  for (let t = fromMs; t < toMs; t += 5 * MINUTE_MS) {
    const atMs = t + Math.floor(random.nextFloat() * 5 * MINUTE_MS);
    const u = 1 - random.nextFloat();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextFloat());
    points.push({ atMs, demand: shape(atMs) * (1 + noise * z) });
  }
  return points;
}

const BASE_CONFIG: PredictiveScalingConfigInput = {
  mode: 'forecast_and_scale',
  leadTimeMs: 10 * MINUTE_MS,
  schedulingBufferMs: 5 * MINUTE_MS,
  demandPerReplica: 10,
  minReplicas: 1,
  maxReplicas: 40,
};

describe('forecastDemand', () => {
  const history = syntheticHistory(START_MS, START_MS + 21 * DAY_MS, 11);

  it('uses the weekly profile with three weeks of history, one point per bucket', () => {
    const nowMs = START_MS + 21 * DAY_MS + 7 * MINUTE_MS;
    const forecast = forecastDemand(history, { nowMs, horizonMs: HOUR_MS });

    expect(forecast.method).toBe('seasonal_weekly');
    // Buckets overlapping [now, now + 1 h]: the current one and the 12 after it.
    expect(forecast.points).toHaveLength(13);
    expect(forecast.points[0]?.atMs).toBe(START_MS + 21 * DAY_MS + 5 * MINUTE_MS);
    for (const p of forecast.points) {
      expect(p.atMs % (5 * MINUTE_MS)).toBe(0);
      expect(p.demand).toBeGreaterThanOrEqual(0);
    }
    // The default lookback is 15 days; the rest is older and ignored (counted, not skipped).
    expect(forecast.usedPoints + forecast.ignoredPoints).toBe(history.length);
    expect(Math.abs(forecast.usedPoints - 15 * 288)).toBeLessThanOrEqual(2);
    expect(forecast.skippedPoints).toBe(0);
    expect(forecast.levelRatio).toBeGreaterThan(0.9);
    expect(forecast.levelRatio).toBeLessThan(1.1);
  });

  it('separates weekends from weekdays once weeks of history exist', () => {
    // Saturday 2024-01-20 and Monday 2024-01-22, both at noon, each forecast from the 14 days before.
    const saturdayNoonMs = START_MS + 19 * DAY_MS + 12 * HOUR_MS;
    const mondayNoonMs = START_MS + 21 * DAY_MS + 12 * HOUR_MS;
    const all = syntheticHistory(START_MS, START_MS + 23 * DAY_MS, 12);
    const at = (tMs: number) =>
      forecastDemand(all, { nowMs: tMs - HOUR_MS, horizonMs: HOUR_MS }).points.at(-1)?.demand ?? 0;

    const relativeError = (tMs: number) => Math.abs(at(tMs) - shape(tMs)) / shape(tMs);
    expect(relativeError(saturdayNoonMs)).toBeLessThan(0.1);
    expect(relativeError(mondayNoonMs)).toBeLessThan(0.1);
    expect(at(saturdayNoonMs)).toBeLessThan(0.7 * at(mondayNoonMs));
  });

  it('blends in the daily profile while fewer than two weeks cover a time of the week', () => {
    const tenDays = forecastDemand(history, { nowMs: START_MS + 10 * DAY_MS, horizonMs: HOUR_MS });
    const threeDays = forecastDemand(history, { nowMs: START_MS + 3 * DAY_MS, horizonMs: HOUR_MS });

    expect(tenDays.method).toBe('seasonal_blend');
    expect(threeDays.method).toBe('seasonal_daily');
  });

  it('falls back to the recent level with less than 24 h of history, and says so', () => {
    const nowMs = START_MS + 14 * HOUR_MS;
    const sixHours = history.filter((p) => p.atMs >= nowMs - 6 * HOUR_MS && p.atMs <= nowMs);

    const forecast = forecastDemand(sixHours, { nowMs, horizonMs: 2 * HOUR_MS });

    expect(forecast.method).toBe('recent_level');
    expect(forecast.detail).toContain('recent level only');
    expect(forecast.detail).toMatch(/only \d(\.\d)? h of history \(seasonal profiles need 24 h\)/);
    expect(forecast.level).toBeDefined();
    for (const p of forecast.points) expect(p.demand).toBe(forecast.level);
    // The recent level is the decayed mean of the last hours: near the midday level, not the night's.
    expect(forecast.level).toBeGreaterThan(180);
    expect(forecast.level).toBeLessThan(250);
  });

  it('forecasts 0 with no usable history, and counts what it skipped', () => {
    const junk = [
      { atMs: START_MS, demand: Number.NaN },
      { atMs: START_MS, demand: Number.POSITIVE_INFINITY },
      { atMs: START_MS, demand: -1 },
      { atMs: Number.NaN, demand: 5 },
      null as unknown as DemandPoint,
    ];

    const forecast = forecastDemand(junk, { nowMs: START_MS, horizonMs: 10 * MINUTE_MS });

    expect(forecast.method).toBe('no_history');
    expect(forecast.skippedPoints).toBe(5);
    expect(forecast.points.every((p) => p.demand === 0)).toBe(true);
    expect(forecast.detail).toContain('5 invalid points skipped');
  });

  it('skips invalid points and ignores future ones without changing the forecast', () => {
    const nowMs = START_MS + 15 * DAY_MS;
    const clean = history.filter((p) => p.atMs <= nowMs);
    const dirty: DemandPoint[] = [];
    clean.forEach((p, i) => {
      dirty.push(p);
      if (i % 100 === 0)
        dirty.push({ atMs: p.atMs, demand: Number.NaN }, { atMs: p.atMs, demand: -3 });
    });
    dirty.push({ atMs: nowMs + HOUR_MS, demand: 1e9 });

    const a = forecastDemand(clean, { nowMs, horizonMs: HOUR_MS });
    const b = forecastDemand(dirty, { nowMs, horizonMs: HOUR_MS });

    expect(b.points).toEqual(a.points);
    expect(b.skippedPoints).toBe(2 * Math.ceil(clean.length / 100));
    expect(b.ignoredPoints).toBe(a.ignoredPoints + 1);
  });

  it('rejects options outside their bounds with invalid_argument naming the option', () => {
    const bad = [
      [{ nowMs: Number.NaN, horizonMs: 0 }, 'nowMs'],
      [{ nowMs: START_MS, horizonMs: -1 }, 'horizonMs'],
      [{ nowMs: START_MS, horizonMs: 8 * DAY_MS }, 'horizonMs'],
      [{ nowMs: START_MS, horizonMs: 0, stepMs: 7 * MINUTE_MS }, 'stepMs'],
      [{ nowMs: START_MS, horizonMs: 0, stepMs: 1000 }, 'stepMs'],
      [{ nowMs: START_MS, horizonMs: 0, levelHalfLifeMs: 0 }, 'levelHalfLifeMs'],
      [{ nowMs: START_MS, horizonMs: 0, maxLevelRatio: 0.5 }, 'maxLevelRatio'],
    ] as const;
    for (const [request, field] of bad) {
      const error = thrown(() => forecastDemand(history, request));
      expect(isHeadroomError(error, 'invalid_argument')).toBe(true);
      expect((error as { path: unknown }).path).toEqual([field]);
    }
    const notDivisor = thrown(() =>
      forecastDemand(history, { nowMs: START_MS, horizonMs: 0, stepMs: 7 * MINUTE_MS }),
    );
    expect(notDivisor).toMatchObject({ limit: 'a divisor of 86400000', value: 7 * MINUTE_MS });
  });
});

describe('backtest', () => {
  it('scores a day-ahead forecast of three weeks of 5%-noise history under 15% MAPE', () => {
    const nowMs = START_MS + 21 * DAY_MS;
    const history = syntheticHistory(START_MS, nowMs, 21, 0.05);

    const result = backtest(history, { nowMs });

    // Measured: 4.6% (the 5% noise alone costs about 4%, E|z| x 5%).
    expect(result.outcome).toBe('ok');
    expect(result.holdoutMs).toBe(DAY_MS);
    expect(result.points).toBe(288);
    expect(result.method).toBe('seasonal_weekly');
    expect(result.mape).toBeLessThan(0.15);
    expect(result.mape).toBeLessThan(0.06);
    expect(result.detail).toMatch(/^MAPE \d+\.\d% over 288 buckets of the last 24 h/);
  });

  it('holds back 20% of a history shorter than five days', () => {
    const nowMs = START_MS + 2 * DAY_MS;
    const history = syntheticHistory(START_MS, nowMs, 22);

    const result = backtest(history, { nowMs });

    expect(result.holdoutMs).toBeCloseTo(0.2 * (nowMs - (history[0]?.atMs ?? 0)), 6);
    expect(result.cutoffMs % (5 * MINUTE_MS)).toBe(0);
    expect(result.outcome).toBe('ok');
    expect(result.mape).toBeLessThan(0.15);
  });

  it('skips zero actuals, counts them, and reports no MAPE when none is left', () => {
    const nowMs = START_MS + 2 * HOUR_MS;
    const steady = Array.from({ length: 24 }, (_, i) => ({
      atMs: START_MS + i * 5 * MINUTE_MS,
      demand: i < 18 ? 10 : 0,
    }));

    const result = backtest(steady, { nowMs, holdoutMs: 30 * MINUTE_MS });

    expect(result.outcome).toBe('no_nonzero_actuals');
    expect(result.mape).toBeUndefined();
    expect(result.skippedZeroActuals).toBe(6);
    expect(result.detail).toContain('a percentage error is undefined at 0');

    const mixed = backtest(steady, { nowMs, holdoutMs: 40 * MINUTE_MS });
    expect(mixed.outcome).toBe('ok');
    expect(mixed.points).toBe(2);
    expect(mixed.skippedZeroActuals).toBe(6);
  });

  it('reports no MAPE, with the reason, without history or without anything to train on', () => {
    expect(backtest([], { nowMs: START_MS })).toMatchObject({
      mape: undefined,
      points: 0,
      outcome: 'no_history',
    });
    const single = backtest([{ atMs: START_MS, demand: 3 }], { nowMs: START_MS });
    expect(single).toMatchObject({ mape: undefined, outcome: 'no_training_history' });
  });
});

describe('predictiveDecision', () => {
  const history = syntheticHistory(START_MS, START_MS + 16 * DAY_MS, 31);
  /** Tuesday 2024-01-16 08:00 UTC: the morning ramp, with two weeks of history before it. */
  const rampMs = START_MS + 15 * DAY_MS + 8 * HOUR_MS;
  const config = parsePredictiveScalingConfig(BASE_CONFIG);
  const nightReplicas = 3;

  it('raises the floor before the morning ramp by at least the lead time', () => {
    let firstRaiseMs: number | undefined;
    for (let nowMs = rampMs - 3 * HOUR_MS; nowMs <= rampMs; nowMs += MINUTE_MS) {
      const d = predictiveDecision(config, { history, nowMs, currentReplicas: nightReplicas });
      if (nowMs === rampMs - 3 * HOUR_MS) {
        expect(d.floorReplicas).toBeLessThanOrEqual(nightReplicas);
        expect(d.reason).toBe('current_covers_forecast');
      }
      if ((d.floorReplicas ?? 0) >= 6 && firstRaiseMs === undefined) {
        firstRaiseMs = nowMs;
        expect(d.reason).toBe('raise_to_forecast');
        expect(d.proposedReplicas).toBe(d.floorReplicas);
        expect(d.leadTargetAtMs).toBe(nowMs + 15 * MINUTE_MS);
        // What a reactive policy sees at that moment is still the night level.
        const seen = history.filter((p) => p.atMs <= nowMs).at(-1)?.demand ?? 0;
        expect(seen).toBeLessThan(30);
      }
    }
    expect(firstRaiseMs).toBeDefined();
    const leadMs = BASE_CONFIG.leadTimeMs;
    // Ready one cold start before the ramp, and not absurdly early (lead + buffer + smoothing).
    expect(firstRaiseMs).toBeLessThanOrEqual(rampMs - leadMs);
    expect(firstRaiseMs).toBeGreaterThanOrEqual(rampMs - leadMs - 5 * MINUTE_MS - 20 * MINUTE_MS);

    // By the time the ramp starts, the floor covers most of the demand one lead time later.
    const atRamp = predictiveDecision(config, { history, nowMs: rampMs, currentReplicas: 3 });
    expect(atRamp.floorReplicas).toBeGreaterThanOrEqual(
      Math.ceil((0.8 * shape(rampMs + 15 * MINUTE_MS)) / 10),
    );
    expect(atRamp.method).toBe('seasonal_weekly');
    expect(atRamp.mape).toBeLessThan(0.15);
  });

  it('in forecast-only mode reports what it would do and sets no floor', () => {
    const nowMs = rampMs - 10 * MINUTE_MS;
    const input = { history, nowMs, currentReplicas: nightReplicas };
    const scale = predictiveDecision(config, input);
    const only = predictiveDecision({ ...BASE_CONFIG, mode: 'forecast_only' }, input);

    expect(only.mode).toBe('forecast_only');
    expect(only.floorReplicas).toBeUndefined();
    expect(only.proposedReplicas).toBeUndefined();
    expect(only.reason).toBe('forecast_only');
    expect(only.wouldBeReplicas).toBe(scale.floorReplicas);
    expect(only.forecastAtLead).toBe(scale.forecastAtLead);
    expect(only.mape).toBe(scale.mape);
    expect(only.detail).toContain(`a floor of ${only.wouldBeReplicas} would be set; none is`);
  });

  it('never proposes scaling in on a forecast alone', () => {
    const nowMs = rampMs - 4 * HOUR_MS;
    const d = predictiveDecision(config, { history, nowMs, currentReplicas: 30 });

    expect(d.floorReplicas).toBeLessThan(30);
    expect(d.proposedReplicas).toBe(30);
    expect(d.reason).toBe('current_covers_forecast');
    expect(d.detail).toContain('predictive never scales in');
  });

  it('falls back to the recent level with too little history, and says so', () => {
    const nowMs = START_MS + 12 * HOUR_MS;
    const short = history.filter((p) => p.atMs >= nowMs - 3 * HOUR_MS && p.atMs <= nowMs);

    const d = predictiveDecision(config, { history: short, nowMs, currentReplicas: 1 });

    expect(d.method).toBe('recent_level');
    expect(d.detail).toMatch(/recent level only: only \d(\.\d)? h of history/);
    expect(d.forecastAtLead).toBeGreaterThan(150);
    expect(d.floorReplicas).toBe(Math.ceil(d.forecastAtLead / 10));
    // Backtest on 36 minutes held back from a 3-hour history: a flat level across the day's hump.
    expect(d.backtestPoints).toBeGreaterThan(0);
    expect(Number.isFinite(d.mape)).toBe(true);
  });

  it('clamps the floor to [minReplicas, maxReplicas] and says which limit applied', () => {
    const nowMs = rampMs + 2 * HOUR_MS;
    const capped = predictiveDecision(
      { ...BASE_CONFIG, maxReplicas: 5 },
      { history, nowMs, currentReplicas: 2 },
    );
    expect(capped.floorReplicas).toBe(5);
    expect(capped.limitedBy).toBe('max_replicas');
    expect(capped.effectiveMaxReplicas).toBe(5);

    const raised = predictiveDecision(
      { ...BASE_CONFIG, minReplicas: 35 },
      { history: [], nowMs, currentReplicas: 2 },
    );
    expect(raised.method).toBe('no_history');
    expect(raised.forecastAtLead).toBe(0);
    expect(raised.floorReplicas).toBe(35);
    expect(raised.limitedBy).toBe('min_replicas');
  });

  it("under 'increase' lets the forecast exceed maxReplicas, with a buffer for reactive policies", () => {
    const nowMs = rampMs + 2 * HOUR_MS;
    const d = predictiveDecision(
      {
        ...BASE_CONFIG,
        maxReplicas: 5,
        maxCapacityBehavior: 'increase',
        maxCapacityBufferFraction: 0.1,
      },
      { history, nowMs, currentReplicas: 2 },
    );
    const needed = Math.ceil(d.forecastAtLead / 10);

    expect(needed).toBeGreaterThan(5);
    expect(d.floorReplicas).toBe(needed);
    expect(d.limitedBy).toBeUndefined();
    expect(d.effectiveMaxReplicas).toBe(Math.ceil(needed * 1.1));
  });

  it('reports the floor but proposes nothing when the current replica count is unknown', () => {
    const d = predictiveDecision(config, {
      history,
      nowMs: rampMs,
      currentReplicas: Number.NaN,
    });

    expect(d.reason).toBe('unknown_current_replicas');
    expect(d.floorReplicas).toBeGreaterThan(0);
    expect(d.proposedReplicas).toBeUndefined();
  });

  it('publishes the same MAPE as backtest() on the same history', () => {
    const nowMs = rampMs;
    const d = predictiveDecision(config, { history, nowMs, currentReplicas: 3 });
    const bt = backtest(history, { nowMs });

    expect(d.mape).toBe(bt.mape);
    expect(d.backtestPoints).toBe(bt.points);
  });

  it('gives the same decision for a raw config as for its parsed form', () => {
    const input = { history, nowMs: rampMs, currentReplicas: 3 };
    expect(predictiveDecision(BASE_CONFIG, input)).toEqual(predictiveDecision(config, input));
  });

  it('throws invalid_argument for a non-finite nowMs', () => {
    const error = thrown(() =>
      predictiveDecision(config, { history, nowMs: Number.NaN, currentReplicas: 1 }),
    );
    expect(isHeadroomError(error, 'invalid_argument')).toBe(true);
  });
});

describe('parsePredictiveScalingConfig', () => {
  it('fills in the defaults and freezes the result', () => {
    const config = parsePredictiveScalingConfig({
      mode: 'forecast_only',
      leadTimeMs: 120_000,
      demandPerReplica: 40,
      minReplicas: 0,
      maxReplicas: 8,
    });

    expect(config).toEqual({
      mode: 'forecast_only',
      leadTimeMs: 120_000,
      schedulingBufferMs: 300_000,
      demandPerReplica: 40,
      minReplicas: 0,
      maxReplicas: 8,
      maxCapacityBehavior: 'honor',
      maxCapacityBufferFraction: 0,
      forecast: {
        stepMs: 300_000,
        lookbackMs: 15 * DAY_MS,
        levelHalfLifeMs: 1_800_000,
        smoothingMs: 600_000,
        maxLevelRatio: 2,
      },
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.forecast)).toBe(true);
  });

  it('rejects bad configs with invalid_config naming the path, the bound and the value', () => {
    const cases: [Record<string, unknown>, (string | number)[], string | undefined, unknown][] = [
      [{ demandPerReplica: 0 }, ['policy', 'demandPerReplica'], '> 0', 0],
      [{ minReplicas: 5, maxReplicas: 4 }, ['policy', 'maxReplicas'], '>= 5', 4],
      [{ leadTimeMs: -1 }, ['policy', 'leadTimeMs'], '>= 0', -1],
      [
        { schedulingBufferMs: 3_600_001 },
        ['policy', 'schedulingBufferMs'],
        '<= 3600000',
        3_600_001,
      ],
      [{ minReplicas: 1.5 }, ['policy', 'minReplicas'], 'type int', 1.5],
      [{ forecast: { stepMs: 420_000 } }, ['policy', 'forecast', 'stepMs'], undefined, 420_000],
      [{ mode: 'scale' }, ['policy', 'mode'], 'one of: forecast_only, forecast_and_scale', 'scale'],
    ];
    for (const [patch, path, limit, value] of cases) {
      const error = thrown(() =>
        parsePredictiveScalingConfig({ ...BASE_CONFIG, ...patch } as PredictiveScalingConfigInput, [
          'policy',
        ]),
      );
      expect(isHeadroomError(error, 'invalid_config')).toBe(true);
      expect(error).toMatchObject({ path, value });
      if (limit !== undefined) expect(error).toMatchObject({ limit });
    }
    const typo = thrown(() =>
      parsePredictiveScalingConfig({ ...BASE_CONFIG, leadTime: 5 } as PredictiveScalingConfigInput),
    );
    expect(typo).toMatchObject({ code: 'invalid_config', limit: 'known keys only' });
  });
});
