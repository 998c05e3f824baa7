import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOUR_MS, HOURS_PER_WEEK, createAnomalyDetector } from '../index.js';

const RUNS = { numRuns: 1000 };

describe('anomaly detector properties', () => {
  it('never alerts on a series that repeats exactly week over week', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), {
          minLength: HOURS_PER_WEEK,
          maxLength: HOURS_PER_WEEK,
        }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.constantFrom('up', 'down', 'both' as const),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        (week, weeks, repeats, startHour, direction, ewmaAlpha) => {
          const detector = createAnomalyDetector({ weeks, direction, ewmaAlpha });
          const alerts = [];
          for (let h = 0; h < repeats * HOURS_PER_WEEK; h++) {
            const alert = detector.observe({
              hourStartMs: (startHour + h) * HOUR_MS,
              usd: week[h % HOURS_PER_WEEK] ?? 0,
            });
            if (alert !== undefined) alerts.push(alert);
          }
          expect(alerts).toEqual([]);
        },
      ),
      RUNS,
    );
  });

  it('every alert is finite and consistent with its baseline', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), {
          minLength: 1,
          maxLength: 3 * HOURS_PER_WEEK,
        }),
        (values) => {
          const detector = createAnomalyDetector({ weeks: 2, direction: 'both' });
          values.forEach((usd, h) => {
            const alert = detector.observe({ hourStartMs: h * HOUR_MS, usd });
            if (alert === undefined) return;
            expect(Number.isFinite(alert.zScore)).toBe(true);
            expect(Math.abs(alert.zScore)).toBeGreaterThanOrEqual(3.5);
            expect(alert.baseline.spreadUsd).toBeGreaterThanOrEqual(0.01);
            expect(alert.deviationUsd).toBe(usd - alert.baseline.valueUsd);
            expect(alert.direction).toBe(alert.deviationUsd > 0 ? 'up' : 'down');
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
