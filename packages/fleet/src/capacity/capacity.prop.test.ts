import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erlangC, predictQueueWait, replicasForSlo, type ReplicasForSloInput } from './index.js';

const RUNS = { numRuns: 1000 };

const serviceArb = fc.record({
  meanMs: fc.double({ min: 0.5, max: 60_000, noNaN: true }),
  cv: fc.double({ min: 0, max: 4, noNaN: true }),
});

const inputArb: fc.Arbitrary<ReplicasForSloInput> = fc.record({
  arrivalRatePerS: fc.oneof(
    fc.double({ min: 0.001, max: 50, noNaN: true }),
    fc.double({ min: 0, max: 500, noNaN: true }),
  ),
  service: serviceArb,
  arrivalCv: fc.double({ min: 0, max: 3, noNaN: true }),
  slo: fc.oneof(
    fc.record({
      waitMs: fc.double({ min: 0, max: 5_000, noNaN: true }),
      percentile: fc.constantFrom(50, 90, 95, 99, 99.9),
    }),
    fc.record({
      latencyMs: fc.double({ min: 1, max: 60_000, noNaN: true }),
      percentile: fc.double({ min: 1, max: 99.99, noNaN: true }),
    }),
  ),
  slotsPerReplica: fc.integer({ min: 1, max: 64 }),
  minReplicas: fc.integer({ min: 0, max: 4 }),
  maxReplicas: fc.integer({ min: 4, max: 2_000 }),
});

function percentileOf(input: ReplicasForSloInput): number {
  return input.slo.percentile;
}

function waitAt(input: ReplicasForSloInput, replicas: number): number {
  const service = input.service as { meanMs: number; cv: number };
  const p = predictQueueWait({
    servers: replicas * (input.slotsPerReplica ?? 1),
    arrivalRatePerS: input.arrivalRatePerS,
    serviceMeanMs: service.meanMs,
    serviceCv: service.cv,
    arrivalCv: input.arrivalCv ?? 1,
  });
  if (!p.stable) return Number.POSITIVE_INFINITY;
  const q = percentileOf(input) / 100;
  return p.probabilityOfWait <= 1 - q
    ? 0
    : p.meanWaitGivenWaitMs * Math.log(p.probabilityOfWait / (1 - q));
}

describe('capacity model properties', () => {
  it('Erlang C is a probability, non-increasing in servers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3_000 }),
        fc.double({ min: 0, max: 3_000, noNaN: true }),
        (servers, load) => {
          const c = erlangC(servers, load);
          const next = erlangC(servers + 1, load);
          expect(c).toBeGreaterThanOrEqual(0);
          expect(c).toBeLessThanOrEqual(1);
          expect(next).toBeLessThanOrEqual(c + 1e-12);
        },
      ),
      RUNS,
    );
  });

  it('predicted waits are non-increasing in servers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        serviceArb,
        fc.double({ min: 0, max: 3, noNaN: true }),
        (servers, rate, service, arrivalCv) => {
          const at = (c: number) =>
            predictQueueWait({
              servers: c,
              arrivalRatePerS: rate,
              serviceMeanMs: service.meanMs,
              serviceCv: service.cv,
              arrivalCv,
            });
          const a = at(servers);
          const b = at(servers + 1);
          if (!a.stable) return;
          expect(b.stable).toBe(true);
          if (!b.stable) return;
          const slack = (x: number) => x * (1 + 1e-9) + 1e-9;
          expect(b.meanWaitMs).toBeLessThanOrEqual(slack(a.meanWaitMs));
          expect(b.p95WaitMs).toBeLessThanOrEqual(slack(a.p95WaitMs));
          expect(b.p99WaitMs).toBeLessThanOrEqual(slack(a.p99WaitMs));
          for (const v of [a.meanWaitMs, a.p95WaitMs, a.p99WaitMs, a.probabilityOfWait]) {
            expect(Number.isFinite(v) && v >= 0).toBe(true);
          }
        },
      ),
      RUNS,
    );
  });

  it('replicasForSlo: the answer meets the objective and one fewer does not; finite results', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const r = replicasForSlo(input);
        for (const v of Object.values(r)) {
          if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
        }
        if (r.kind === 'unreachable') {
          if (r.reason === 'max_replicas' && r.waitBudgetMs >= 0) {
            expect(waitAt(input, r.replicas)).toBeGreaterThan(r.waitBudgetMs);
          }
          return;
        }
        expect(Number.isFinite(r.prediction.p99WaitMs)).toBe(true);
        expect(r.replicas).toBeGreaterThanOrEqual(input.minReplicas ?? 1);
        expect(r.replicas).toBeLessThanOrEqual(input.maxReplicas ?? 10_000);
        if (input.arrivalRatePerS === 0 || r.reason === 'no_load') return;
        expect(r.waitAtPercentileMs).toBeLessThanOrEqual(r.waitBudgetMs);
        expect(waitAt(input, r.replicas)).toBeLessThanOrEqual(r.waitBudgetMs * (1 + 1e-12));
        expect(r.utilizationTarget).toBeGreaterThan(0);
        expect(r.utilizationTarget).toBeLessThan(1);
        const floor = Math.max(r.stabilityMinReplicas, input.minReplicas ?? 1, 1);
        if (r.replicas > floor) {
          expect(r.reason).toBe('slo');
          expect(waitAt(input, r.replicas - 1)).toBeGreaterThan(r.waitBudgetMs);
        }
      }),
      RUNS,
    );
  });
});
