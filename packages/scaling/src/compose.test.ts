import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { composeReplicas } from './compose.js';

describe('composeReplicas: scheduled bounds, predictive floor, reactive spikes', () => {
  it('the predictive floor provisions ahead of the ramp', () => {
    expect(
      composeReplicas({
        minReplicas: 2,
        maxReplicas: 40,
        reactiveReplicas: 6,
        scheduled: { minReplicas: 10, maxReplicas: undefined },
        predictiveFloor: 14,
      }),
    ).toEqual({
      replicas: 14,
      floor: 14,
      ceiling: 40,
      limitedBy: 'predictive_floor',
    });
  });

  it('reactive spikes go above the forecast up to the ceiling', () => {
    expect(
      composeReplicas({
        minReplicas: 2,
        maxReplicas: 40,
        reactiveReplicas: 30,
        predictiveFloor: 14,
        scheduled: { minReplicas: undefined, maxReplicas: 24 },
      }),
    ).toEqual({
      replicas: 24,
      floor: 14,
      ceiling: 24,
      limitedBy: 'schedule_ceiling',
    });
  });

  it('a forecast never goes above the ceiling, and schedules never past the hard bounds', () => {
    expect(
      composeReplicas({ minReplicas: 2, maxReplicas: 40, reactiveReplicas: 3, predictiveFloor: 90 })
        .replicas,
    ).toBe(40);
    expect(
      composeReplicas({
        minReplicas: 2,
        maxReplicas: 40,
        reactiveReplicas: 3,
        scheduled: { minReplicas: 100, maxReplicas: 120 },
      }).replicas,
    ).toBe(40);
  });

  it('a conflicting schedule (floor above ceiling) keeps the floor', () => {
    expect(
      composeReplicas({
        minReplicas: 0,
        maxReplicas: 40,
        reactiveReplicas: 3,
        scheduled: { minReplicas: 12, maxReplicas: 8 },
      }),
    ).toMatchObject({ replicas: 12, ceiling: 12 });
  });

  it('ignores non-finite layers', () => {
    expect(
      composeReplicas({
        minReplicas: 1,
        maxReplicas: 10,
        reactiveReplicas: 4,
        predictiveFloor: Number.NaN,
        scheduled: { minReplicas: Number.POSITIVE_INFINITY, maxReplicas: undefined },
      }),
    ).toMatchObject({ replicas: 4, limitedBy: 'reactive' });
  });

  it('properties: inside the hard bounds; never below a feasible predictive floor or schedule floor; a forecast alone never lowers the count', () => {
    const maybe = fc.option(
      fc.oneof(
        fc.integer({ min: 0, max: 200 }),
        fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY),
      ),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 200 }),
        maybe,
        maybe,
        maybe,
        (a, b, reactive, sFloor, sCeil, pFloor) => {
          const minReplicas = Math.min(a, b);
          const maxReplicas = Math.max(a, b);
          const withForecast = composeReplicas({
            minReplicas,
            maxReplicas,
            reactiveReplicas: reactive,
            scheduled: { minReplicas: sFloor, maxReplicas: sCeil },
            predictiveFloor: pFloor,
          });
          const without = composeReplicas({
            minReplicas,
            maxReplicas,
            reactiveReplicas: reactive,
            scheduled: { minReplicas: sFloor, maxReplicas: sCeil },
          });
          expect(Number.isInteger(withForecast.replicas)).toBe(true);
          expect(withForecast.replicas).toBeGreaterThanOrEqual(minReplicas);
          expect(withForecast.replicas).toBeLessThanOrEqual(maxReplicas);
          expect(withForecast.replicas).toBeGreaterThanOrEqual(without.replicas);
          if (pFloor !== undefined && Number.isFinite(pFloor))
            expect(withForecast.replicas).toBeGreaterThanOrEqual(
              Math.min(pFloor, withForecast.ceiling),
            );
          if (sFloor !== undefined && Number.isFinite(sFloor))
            expect(withForecast.replicas).toBeGreaterThanOrEqual(
              Math.min(Math.max(sFloor, minReplicas), maxReplicas),
            );
        },
      ),
      { numRuns: 1000 },
    );
  });
});
