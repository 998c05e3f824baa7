import { createRandom, isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import {
  HOUR_MS,
  HOURS_PER_WEEK,
  createAnomalyDetector,
  detectAnomalies,
  type SpendPoint,
} from '../index.js';
import { thrown } from '../../../../tools/test-utils.js';

// Monday 2025-01-06 00:00 UTC.
const START = Date.UTC(2025, 0, 6);

/** A daily and weekly pattern: busy weekday afternoons, quiet nights and weekends. */
function seasonal(hour: number): number {
  const hourOfWeek = hour % HOURS_PER_WEEK;
  const day = Math.floor(hourOfWeek / 24);
  const hourOfDay = hourOfWeek % 24;
  const weekday = day < 5 ? 1 : 0.3;
  return 20 + 80 * weekday * Math.max(0, Math.sin(((hourOfDay - 6) / 12) * Math.PI));
}

function series(weeks: number, value: (hour: number) => number, key = 'total'): SpendPoint[] {
  return Array.from({ length: weeks * HOURS_PER_WEEK }, (_, h) => ({
    key,
    hourStartMs: START + h * HOUR_MS,
    usd: value(h),
  }));
}

describe('createAnomalyDetector', () => {
  it('detects an injected spike, saying what, by how much and against which baseline', () => {
    const random = createRandom(7);
    const points = series(6, (h) => seasonal(h) * (1 + 0.02 * (random.nextFloat() - 0.5)));
    const spikeAt = 5 * HOURS_PER_WEEK + 24 * 2 + 14; // Wednesday 14:00 of week 6
    points[spikeAt] = { ...points[spikeAt]!, usd: seasonal(spikeAt) * 3 };
    const alerts = detectAnomalies(points);
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(alert.hourStartMs).toBe(START + spikeAt * HOUR_MS);
    expect(alert.key).toBe('total');
    expect(alert.hourOfWeek).toBe(2 * 24 + 14);
    expect(alert.direction).toBe('up');
    expect(alert.baseline.method).toBe('seasonal_median');
    expect(alert.baseline.weeksUsed).toBe(4);
    expect(alert.deviationRatio).toBeGreaterThan(1.8);
    expect(alert.deviationUsd).toBeCloseTo(alert.actualUsd - alert.baseline.valueUsd);
    expect(alert.zScore).toBeGreaterThan(3.5);
  });

  it('does not flag weekly seasonality, even with large daily swings', () => {
    const random = createRandom(11);
    const points = series(8, (h) => seasonal(h) * (1 + 0.04 * (random.nextFloat() - 0.5)));
    expect(detectAnomalies(points, { direction: 'both' })).toEqual([]);
  });

  it('does not flag a flat series with tiny noise', () => {
    const random = createRandom(3);
    const points = series(6, () => 50 + 0.2 * (random.nextFloat() - 0.5));
    expect(detectAnomalies(points, { direction: 'both' })).toEqual([]);
  });

  it('falls back to an EWMA of the same hour-of-week before it has enough weeks', () => {
    const points = series(2, (h) => seasonal(h));
    const spikeAt = HOURS_PER_WEEK + 10;
    points[spikeAt] = { ...points[spikeAt]!, usd: 500 };
    const alerts = detectAnomalies(points);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.baseline).toMatchObject({ method: 'ewma', weeksUsed: 1 });
  });

  it('alerts on drops only when asked', () => {
    const points = series(5, () => 100);
    points[4 * HOURS_PER_WEEK + 3] = { ...points[4 * HOURS_PER_WEEK + 3]!, usd: 10 };
    expect(detectAnomalies(points)).toEqual([]);
    const down = detectAnomalies(points, { direction: 'down' });
    expect(down.map((a) => a.direction)).toEqual(['down']);
  });

  it('keeps series apart and accepts micro-dollars', () => {
    const a = series(5, () => 10, 'a');
    const b = series(5, () => 1000, 'b').map((p) => ({
      key: 'b',
      hourStartMs: p.hourStartMs,
      microUsd: Math.round((p.usd ?? 0) * 1e6),
    }));
    b[4 * HOURS_PER_WEEK] = { ...b[4 * HOURS_PER_WEEK]!, microUsd: 5_000_000_000 };
    const alerts = detectAnomalies([...b, ...a]);
    expect(alerts.map((x) => [x.key, x.actualUsd])).toEqual([['b', 5000]]);
  });

  it('resumes from JSON state exactly where it stopped', () => {
    const random = createRandom(5);
    const points = series(6, (h) => seasonal(h) * (1 + 0.3 * (random.nextFloat() - 0.5)));
    points[5 * HOURS_PER_WEEK + 40] = { ...points[5 * HOURS_PER_WEEK + 40]!, usd: 900 };
    const whole = createAnomalyDetector();
    const first = points.map((p) => whole.observe(p));
    const part = createAnomalyDetector();
    const cut = 4 * HOURS_PER_WEEK + 17;
    const before = points.slice(0, cut).map((p) => part.observe(p));
    const resumed = createAnomalyDetector({}, JSON.parse(JSON.stringify(part.toJSON())));
    const after = points.slice(cut).map((p) => resumed.observe(p));
    expect([...before, ...after]).toEqual(first);
    expect(first.filter((a) => a !== undefined).length).toBeGreaterThanOrEqual(1);
  });

  it('rejects bad points and bad config', () => {
    const detector = createAnomalyDetector();
    detector.observe({ hourStartMs: START, usd: 1 });
    const order = thrown(() => detector.observe({ hourStartMs: START, usd: 1 }));
    expect(isHeadroomError(order, 'out_of_order')).toBe(true);
    const aligned = thrown(() => detector.observe({ hourStartMs: START + 1, usd: 1 }));
    expect(isHeadroomError(aligned, 'invalid_argument') && aligned.path).toEqual([
      'point',
      'hourStartMs',
    ]);
    const nan = thrown(() => detector.observe({ hourStartMs: START + HOUR_MS, usd: Number.NaN }));
    expect(isHeadroomError(nan, 'invalid_argument')).toBe(true);
    const both = thrown(() =>
      detector.observe({ hourStartMs: START + HOUR_MS, usd: 1, microUsd: 1 }),
    );
    expect(isHeadroomError(both, 'invalid_argument')).toBe(true);
    const config = thrown(() => createAnomalyDetector({ weeks: 2, minSeasonalWeeks: 3 }));
    expect(isHeadroomError(config, 'invalid_config') && config.path).toEqual([
      'config',
      'minSeasonalWeeks',
    ]);
    const floor = thrown(() => createAnomalyDetector({ madFloorUsd: 0 }));
    expect(isHeadroomError(floor, 'invalid_config')).toBe(true);
    const dup = thrown(() =>
      detectAnomalies([
        { hourStartMs: START, usd: 1 },
        { hourStartMs: START, usd: 2 },
      ]),
    );
    expect(isHeadroomError(dup, 'invalid_input') && dup.path).toEqual(['points', 1, 'hourStartMs']);
  });
});
