import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planWarmPool, warmPoolSize, type NeededReplicas } from './index.js';

const RUNS = { numRuns: 1000 };
const NOW_MS = 1_000;

/** Integer times in [0, NOW_MS] and integer needs, so a brute force on a half-ms grid is exact. */
const historyArb: fc.Arbitrary<NeededReplicas[]> = fc.array(
  fc.record({
    atMs: fc.integer({ min: 0, max: NOW_MS }),
    replicas: fc.integer({ min: 0, max: 40 }),
  }),
  { maxLength: 40 },
);

/** The need at time t: the last point at or before t (the last given among equal times). */
function needAt(sorted: readonly NeededReplicas[], t: number): number | undefined {
  let level: number | undefined;
  for (const p of sorted) {
    if (p.atMs <= t) level = p.replicas;
    else break;
  }
  return level;
}

function sortStable(history: readonly NeededReplicas[]): NeededReplicas[] {
  return [...history].sort((a, b) => a.atMs - b.atMs);
}

/** max over starts t of max over s in (t, t + c] of need(s) − need(t), by brute force. */
function bruteForceMaxIncrease(history: readonly NeededReplicas[], coldStartMs: number): number {
  const sorted = sortStable(history);
  const first = sorted[0];
  if (first === undefined) return 0;
  let best = 0;
  for (let t2 = first.atMs * 2; t2 <= NOW_MS * 2; t2 += 1) {
    const t = t2 / 2;
    const base = needAt(sorted, t) as number;
    for (const p of sorted) {
      if (p.atMs > t && p.atMs <= t + coldStartMs) {
        best = Math.max(best, (needAt(sorted, p.atMs) as number) - base);
      }
    }
  }
  return best;
}

/** The per-point increases, O(n²): the worst start in each segment. */
function naiveIncreases(history: readonly NeededReplicas[], coldStartMs: number): number[] {
  const sorted = sortStable(history);
  const points: NeededReplicas[] = [];
  for (const p of sorted) {
    if (points.length > 0 && points[points.length - 1]?.atMs === p.atMs)
      points[points.length - 1] = p;
    else points.push(p);
  }
  return points.map((p, i) => {
    const reach = (points[i + 1]?.atMs ?? NOW_MS) + coldStartMs;
    let peak = p.replicas;
    for (let j = i; j < points.length; j++) {
      const q = points[j] as NeededReplicas;
      if (j > i && q.atMs >= reach) break;
      peak = Math.max(peak, q.replicas);
    }
    return peak - p.replicas;
  });
}

const boundsArb = fc
  .record({
    minSize: fc.integer({ min: 0, max: 10 }),
    extra: fc.option(fc.integer({ min: 0, max: 20 })),
  })
  .map(({ minSize, extra }) => ({
    minSize,
    maxSize: extra === null ? undefined : minSize + extra,
  }));

describe('warmPoolSize properties', () => {
  it('is a finite integer within [minSize, maxSize], whatever the history', () => {
    const messyArb = fc.array(
      fc.record({
        atMs: fc.oneof(
          fc.integer({ min: -2_000, max: 2_000 }),
          fc.constantFrom(Number.NaN, Infinity),
        ),
        replicas: fc.oneof(
          fc.double({ min: 0, max: 1e6, noNaN: true }),
          fc.constantFrom(Number.NaN, -1, Infinity, 1e300),
        ),
      }),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(
        messyArb,
        boundsArb,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.constantFrom('rising' as const, 'all' as const),
        (demandHistory, bounds, quantile, coldStartMs, lookbackMs, quantileOver) => {
          const { size } = warmPoolSize({
            demandHistory,
            nowMs: NOW_MS,
            coldStartMs,
            quantile,
            lookbackMs,
            quantileOver,
            minSize: bounds.minSize,
            maxSize: bounds.maxSize,
          });
          expect(Number.isInteger(size)).toBe(true);
          expect(size).toBeGreaterThanOrEqual(bounds.minSize);
          expect(size).toBeLessThanOrEqual(bounds.maxSize ?? Number.POSITIVE_INFINITY);
        },
      ),
      RUNS,
    );
  });

  it('its largest increase matches a brute force over every start time', () => {
    fc.assert(
      fc.property(historyArb, fc.integer({ min: 0, max: 300 }), (demandHistory, coldStartMs) => {
        const result = warmPoolSize({
          demandHistory,
          nowMs: NOW_MS,
          coldStartMs,
          lookbackMs: 10_000,
        });
        expect(result.maxIncrease).toBe(bruteForceMaxIncrease(demandHistory, coldStartMs));
      }),
      RUNS,
    );
  });

  it('its quantile matches the O(n²) computation of the same increases (nearest rank)', () => {
    fc.assert(
      fc.property(
        historyArb,
        fc.integer({ min: 0, max: 400 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom('rising' as const, 'all' as const),
        (demandHistory, coldStartMs, quantile, quantileOver) => {
          const result = warmPoolSize({
            demandHistory,
            nowMs: NOW_MS,
            coldStartMs,
            quantile,
            quantileOver,
            lookbackMs: 10_000,
          });
          const all = naiveIncreases(demandHistory, coldStartMs);
          const considered = (quantileOver === 'rising' ? all.filter((x) => x > 0) : all).sort(
            (a, b) => a - b,
          );
          const rank = Math.max(0, Math.ceil(quantile * considered.length - 1e-9) - 1);
          expect(result.horizons).toBe(considered.length);
          expect(result.quantileIncrease).toBe(considered[rank] ?? 0);
          expect(result.size).toBe(considered[rank] ?? 0);
        },
      ),
      RUNS,
    );
  });

  it('never shrinks when asked for a higher quantile or a longer cold start', () => {
    fc.assert(
      fc.property(
        historyArb,
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 300 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (demandHistory, c1, c2, q1, q2) => {
          const size = (coldStartMs: number, quantile: number) =>
            warmPoolSize({
              demandHistory,
              nowMs: NOW_MS,
              coldStartMs,
              quantile,
              quantileOver: 'all',
            }).size;
          const [qLow, qHigh] = q1 <= q2 ? [q1, q2] : [q2, q1];
          const [cShort, cLong] = c1 <= c2 ? [c1, c2] : [c2, c1];
          expect(size(cShort, qLow)).toBeLessThanOrEqual(size(cShort, qHigh));
          expect(size(cShort, qLow)).toBeLessThanOrEqual(size(cLong, qLow));
        },
      ),
      RUNS,
    );
  });
});

const planArb = fc.record({
  desiredServing: fc.integer({ min: 0, max: 50 }),
  serving: fc.integer({ min: 0, max: 50 }),
  pool: fc.integer({ min: 0, max: 20 }),
  launching: fc.integer({ min: 0, max: 10 }),
  targetPoolSize: fc.integer({ min: 0, max: 20 }),
  instanceUsdPerHour: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 100, noNaN: true })),
});

describe('planWarmPool properties', () => {
  it('promotes no more than the pool holds, nor more than the scale-up needs', () => {
    fc.assert(
      fc.property(planArb, (input) => {
        const plan = planWarmPool(input);
        expect(plan.promote).toBeLessThanOrEqual(input.pool);
        expect(plan.promote).toBeLessThanOrEqual(Math.max(0, input.desiredServing - input.serving));
        for (const n of [
          plan.promote,
          plan.demote,
          plan.launchToPool,
          plan.terminateFromPool,
          plan.unmet,
        ]) {
          expect(Number.isInteger(n) && n >= 0).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('reaches desiredServing by promotion whenever the pool suffices', () => {
    fc.assert(
      fc.property(planArb, (input) => {
        const plan = planWarmPool(input);
        const shortfall = Math.max(0, input.desiredServing - input.serving);
        if (input.pool >= shortfall) {
          expect(input.serving + plan.promote).toBeGreaterThanOrEqual(input.desiredServing);
          expect(plan.unmet).toBe(0);
        } else {
          expect(plan.unmet).toBe(shortfall - input.pool);
        }
      }),
      RUNS,
    );
  });

  it('prices the idle pool at its size × the instance price, never negative', () => {
    fc.assert(
      fc.property(planArb, (input) => {
        const plan = planWarmPool(input);
        expect(plan.poolAfter).toBe(
          input.pool - plan.promote + plan.demote - plan.terminateFromPool,
        );
        expect(plan.idlePoolUsdPerHour).toBe(plan.poolAfter * input.instanceUsdPerHour);
        expect(plan.idlePoolUsdPerHour).toBeGreaterThanOrEqual(0);
        expect(Object.is(plan.idlePoolUsdPerHour, -0)).toBe(false);
      }),
      RUNS,
    );
  });

  it('converges on the target: never both launches and terminates, never orders twice', () => {
    fc.assert(
      fc.property(planArb, (input) => {
        const plan = planWarmPool(input);
        const onTheWay = plan.poolAfter + input.launching + plan.launchToPool;
        expect(plan.launchToPool === 0 || plan.terminateFromPool === 0).toBe(true);
        expect(plan.poolAfter).toBeLessThanOrEqual(input.targetPoolSize);
        // Enough is ready or on its way for the target and the unmet replicas...
        expect(onTheWay).toBeGreaterThanOrEqual(input.targetPoolSize + plan.unmet);
        // ...and a launch orders exactly the difference, counting what is already launching.
        if (plan.launchToPool > 0) expect(onTheWay).toBe(input.targetPoolSize + plan.unmet);
      }),
      RUNS,
    );
  });
});
