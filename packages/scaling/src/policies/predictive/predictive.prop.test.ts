import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backtest,
  forecastDemand,
  predictiveDecision,
  type DemandPoint,
  type PredictiveScalingConfigInput,
} from './index.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** A fixed "now": Wednesday 2024-01-10 13:37:00 UTC. */
const NOW_MS = Date.UTC(2024, 0, 10, 13, 37);

/**
 * How far back a generated history reaches: 2 hours (recent level), 3 days (daily profile) or
 * 16 days (weekly profile); points may also fall up to an hour after now (ignored).
 */
const spanMs = fc.constantFrom(2 * HOUR_MS, 3 * DAY_MS, 16 * DAY_MS);
const atMsWithin = (span: number) => fc.integer({ min: NOW_MS - span, max: NOW_MS + HOUR_MS });

/** Demand that stays finite when scaled by up to 100. */
const boundedDemand = fc.double({ min: 0, max: 1e6, noNaN: true });

/** Anything a broken exporter might send, including the extremes of the double range. */
const anyDemand = fc.oneof(
  boundedDemand,
  fc.double({ min: 0, max: Number.MAX_VALUE, noNaN: true }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, -0),
  fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
);

/** Histories of up to 60 points, unsorted, with invalid entries (bad demand, bad time, null). */
const dirtyHistory: fc.Arbitrary<DemandPoint[]> = spanMs.chain((span) =>
  fc.array(
    fc.oneof(
      { weight: 8, arbitrary: fc.record({ atMs: atMsWithin(span), demand: anyDemand }) },
      {
        weight: 1,
        arbitrary: fc.record({
          atMs: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
          demand: boundedDemand,
        }),
      },
      { weight: 1, arbitrary: fc.constant(null as unknown as DemandPoint) },
    ),
    { maxLength: 60, size: 'max' },
  ),
);

/** Valid histories with bounded demand, for the scaling and ordering properties. */
const cleanHistory: fc.Arbitrary<DemandPoint[]> = spanMs.chain((span) =>
  fc.array(fc.record({ atMs: atMsWithin(span), demand: boundedDemand }), {
    maxLength: 60,
    size: 'max',
  }),
);

const config: fc.Arbitrary<PredictiveScalingConfigInput> = fc
  .record({
    mode: fc.constantFrom('forecast_only' as const, 'forecast_and_scale' as const),
    leadTimeMs: fc.integer({ min: 0, max: HOUR_MS }),
    schedulingBufferMs: fc.integer({ min: 0, max: HOUR_MS }),
    demandPerReplica: fc.double({ min: 1e-3, max: 1e4, noNaN: true }),
    minReplicas: fc.integer({ min: 0, max: 20 }),
    extraReplicas: fc.integer({ min: 0, max: 50 }),
    maxCapacityBehavior: fc.constantFrom('honor' as const, 'increase' as const),
    maxCapacityBufferFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ extraReplicas, ...rest }) => ({
    ...rest,
    maxReplicas: rest.minReplicas + extraReplicas,
  }));

const currentReplicas = fc.oneof(
  { weight: 9, arbitrary: fc.integer({ min: 0, max: 100 }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, -1, 2.5, Number.POSITIVE_INFINITY) },
);

/** a >= b up to floating-point rounding (relative 1e-9). */
function atLeast(a: number, b: number): boolean {
  return a >= b - 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

describe('predictiveDecision properties', () => {
  it('gives a finite integer floor within [minReplicas, maxReplicas] for any history (honor)', () => {
    fc.assert(
      fc.property(dirtyHistory, config, currentReplicas, (history, c, current) => {
        const d = predictiveDecision(
          { ...c, maxCapacityBehavior: 'honor' },
          { history, nowMs: NOW_MS, currentReplicas: current },
        );
        expect(Number.isSafeInteger(d.wouldBeReplicas)).toBe(true);
        expect(d.wouldBeReplicas).toBeGreaterThanOrEqual(c.minReplicas);
        expect(d.wouldBeReplicas).toBeLessThanOrEqual(c.maxReplicas);
        expect(d.effectiveMaxReplicas).toBe(c.maxReplicas);
        if (c.mode === 'forecast_and_scale') expect(d.floorReplicas).toBe(d.wouldBeReplicas);
        else expect(d.floorReplicas).toBeUndefined();
        expect(Number.isFinite(d.forecastAtLead)).toBe(true);
        expect(d.forecastAtLead).toBeGreaterThanOrEqual(0);
        expect(d.mape === undefined || (Number.isFinite(d.mape) && d.mape >= 0)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("under 'increase' the floor is a finite integer >= minReplicas, within effectiveMaxReplicas", () => {
    fc.assert(
      fc.property(dirtyHistory, config, (history, c) => {
        const d = predictiveDecision(
          { ...c, maxCapacityBehavior: 'increase' },
          { history, nowMs: NOW_MS, currentReplicas: 0 },
        );
        expect(Number.isSafeInteger(d.wouldBeReplicas)).toBe(true);
        expect(d.wouldBeReplicas).toBeGreaterThanOrEqual(c.minReplicas);
        expect(Number.isSafeInteger(d.effectiveMaxReplicas)).toBe(true);
        expect(d.effectiveMaxReplicas).toBeGreaterThanOrEqual(c.maxReplicas);
        expect(d.effectiveMaxReplicas).toBeGreaterThanOrEqual(d.wouldBeReplicas);
      }),
      { numRuns: 1000 },
    );
  });

  it('never proposes fewer replicas than current: proposed = max(current, floor)', () => {
    fc.assert(
      fc.property(dirtyHistory, config, currentReplicas, (history, c, current) => {
        const d = predictiveDecision(
          { ...c, mode: 'forecast_and_scale' },
          { history, nowMs: NOW_MS, currentReplicas: current },
        );
        const known = Number.isSafeInteger(current) && current >= 0;
        if (!known) {
          expect(d.proposedReplicas).toBeUndefined();
          expect(d.reason).toBe('unknown_current_replicas');
          return;
        }
        expect(d.proposedReplicas).toBe(Math.max(current, d.floorReplicas ?? Number.NaN));
        expect(d.proposedReplicas).toBeGreaterThanOrEqual(current);
        expect(d.reason).toBe(
          (d.floorReplicas ?? 0) > current ? 'raise_to_forecast' : 'current_covers_forecast',
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('is deterministic: the same input gives the same decision', () => {
    fc.assert(
      fc.property(dirtyHistory, config, currentReplicas, (history, c, current) => {
        const input = { history, nowMs: NOW_MS, currentReplicas: current };
        expect(predictiveDecision(c, input)).toEqual(predictiveDecision(c, input));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('forecastDemand properties', () => {
  it('never lowers the forecast when the whole history is scaled by a factor >= 1', () => {
    fc.assert(
      fc.property(
        cleanHistory,
        fc.double({ min: 1, max: 100, noNaN: true }),
        fc.integer({ min: 0, max: 2 * HOUR_MS }),
        (history, factor, horizonMs) => {
          const scaled = history.map((p) => ({ atMs: p.atMs, demand: p.demand * factor }));
          const a = forecastDemand(history, { nowMs: NOW_MS, horizonMs });
          const b = forecastDemand(scaled, { nowMs: NOW_MS, horizonMs });
          expect(b.method).toBe(a.method);
          expect(b.points).toHaveLength(a.points.length);
          a.points.forEach((p, i) => {
            expect(atLeast(b.points[i]?.demand ?? Number.NaN, p.demand)).toBe(true);
          });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('gives finite, non-negative demand on the step grid for any history', () => {
    fc.assert(
      fc.property(
        dirtyHistory,
        fc.integer({ min: 0, max: 3 * HOUR_MS }),
        fc.constantFrom(MINUTE_MS, 5 * MINUTE_MS, 15 * MINUTE_MS, HOUR_MS),
        (history, horizonMs, stepMs) => {
          const f = forecastDemand(history, { nowMs: NOW_MS, horizonMs, stepMs });
          const first = Math.floor(NOW_MS / stepMs);
          const last = Math.floor((NOW_MS + horizonMs) / stepMs);
          expect(f.points).toHaveLength(last - first + 1);
          f.points.forEach((p, i) => {
            expect(p.atMs).toBe((first + i) * stepMs);
            expect(Number.isFinite(p.demand)).toBe(true);
            expect(p.demand).toBeGreaterThanOrEqual(0);
          });
          expect(f.usedPoints + f.skippedPoints + f.ignoredPoints).toBe(history.length);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('does not depend on the order of the history (up to rounding)', () => {
    fc.assert(
      fc.property(
        cleanHistory.chain((h) =>
          fc.tuple(fc.constant(h), fc.shuffledSubarray(h, { minLength: h.length })),
        ),
        ([history, shuffled]) => {
          const a = forecastDemand(history, { nowMs: NOW_MS, horizonMs: HOUR_MS });
          const b = forecastDemand(shuffled, { nowMs: NOW_MS, horizonMs: HOUR_MS });
          expect(b.method).toBe(a.method);
          a.points.forEach((p, i) => {
            const q = b.points[i]?.demand ?? Number.NaN;
            expect(atLeast(q, p.demand) && atLeast(p.demand, q)).toBe(true);
          });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('ignores invalid points entirely, counting each one', () => {
    fc.assert(
      fc.property(
        cleanHistory,
        fc.array(
          fc.record({
            index: fc.nat(),
            demand: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -5),
          }),
          { maxLength: 10 },
        ),
        (history, junk) => {
          const dirty = [...history];
          for (const j of junk) {
            dirty.splice(j.index % (dirty.length + 1), 0, { atMs: NOW_MS, demand: j.demand });
          }
          const a = forecastDemand(history, { nowMs: NOW_MS, horizonMs: HOUR_MS });
          const b = forecastDemand(dirty, { nowMs: NOW_MS, horizonMs: HOUR_MS });
          expect(b.points).toEqual(a.points);
          expect(b.skippedPoints).toBe(a.skippedPoints + junk.length);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('backtest properties', () => {
  it('returns a finite MAPE >= 0 with the buckets it compared, or undefined with a reason', () => {
    fc.assert(
      fc.property(dirtyHistory, (history) => {
        const r = backtest(history, { nowMs: NOW_MS });
        if (r.outcome === 'ok') {
          expect(Number.isFinite(r.mape)).toBe(true);
          expect(r.mape).toBeGreaterThanOrEqual(0);
          expect(r.points).toBeGreaterThan(0);
        } else {
          expect(r.mape).toBeUndefined();
          expect(r.points).toBe(0);
        }
        expect(r.cutoffMs).toBeLessThanOrEqual(NOW_MS);
      }),
      { numRuns: 1000 },
    );
  });
});
