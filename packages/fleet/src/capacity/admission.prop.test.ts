import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  predictQueueWait,
  queueWaitTailProbability,
  replicasForSlo,
  type QueueWaitAdmissionInput,
} from './index.js';

const RUNS = { numRuns: 1000 };

const admissionArb = fc.record({
  stepMs: fc.double({ min: 1, max: 200, noNaN: true }),
  prefillMs: fc.double({ min: 0, max: 2_000, noNaN: true }),
  prefillCv: fc.double({ min: 0, max: 3, noNaN: true }),
  serviceMeasuredAt: fc.constantFrom('full-batch' as const, 'at-load' as const),
});

describe('admission term properties', () => {
  it('predictions stay finite and ordered, and the tail matches the percentiles', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 32 }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.double({ min: 1_000, max: 60_000, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        admissionArb,
        (replicas, slots, rate, meanMs, cv, admission) => {
          // A full-batch time must hold its slots' prefills: scale the prefill down when not.
          const prefillMs = Math.min(admission.prefillMs, (meanMs / slots) * 0.9);
          const input: QueueWaitAdmissionInput = {
            ...admission,
            prefillMs,
            slotsPerReplica: slots,
          };
          const p = predictQueueWait({
            servers: replicas * slots,
            arrivalRatePerS: rate,
            serviceMeanMs: meanMs,
            serviceCv: cv,
            admission: input,
          });
          if (!p.stable) {
            expect(p.utilization).toBeGreaterThanOrEqual(1);
            return;
          }
          for (const v of [p.meanWaitMs, p.p95WaitMs, p.p99WaitMs, p.probabilityOfWait]) {
            expect(Number.isFinite(v) && v >= 0).toBe(true);
          }
          expect(p.p95WaitMs).toBeLessThanOrEqual(p.p99WaitMs * (1 + 1e-12) + 1e-12);
          expect(p.utilization).toBeLessThan(1);
          const term = p.admission;
          expect(term).toBeDefined();
          if (term === undefined) return;
          expect(term.serviceMeanMs).toBeLessThanOrEqual(meanMs * (1 + 1e-12));
          expect(term.prefillStepShare).toBeGreaterThanOrEqual(0);
          expect(term.prefillStepShare).toBeLessThanOrEqual(1);
          // The admission delay of a request with a free slot never exceeds its mean step share.
          expect(term.meanDelayMs).toBeLessThanOrEqual(
            (admission.stepMs + prefillMs * (1 + admission.prefillCv ** 2)) * (1 + 1e-9),
          );
          if (p.p99WaitMs > 0) {
            expect(queueWaitTailProbability(p, p.p99WaitMs)).toBeCloseTo(0.01, 6);
          }
        },
      ),
      RUNS,
    );
  });

  it('replicasForSlo: the answer meets the objective, one fewer does not, within the limits', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 30, noNaN: true }),
        fc.double({ min: 2_000, max: 30_000, noNaN: true }),
        fc.integer({ min: 1, max: 16 }),
        fc.double({ min: 0, max: 3_000, noNaN: true }),
        fc.constantFrom(90, 95, 99),
        fc.integer({ min: 0, max: 3 }),
        admissionArb,
        (rate, meanMs, slots, waitMs, percentile, minReplicas, admission) => {
          const prefillMs = Math.min(admission.prefillMs, (meanMs / slots) * 0.9);
          const r = replicasForSlo({
            arrivalRatePerS: rate,
            service: { meanMs, cv: 1 },
            slotsPerReplica: slots,
            slo: { waitMs, percentile },
            minReplicas,
            maxReplicas: 300,
            admission: { ...admission, prefillMs },
          });
          for (const v of Object.values(r)) {
            if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
          }
          const waitAt = (replicas: number): number => {
            const p = predictQueueWait({
              servers: replicas * slots,
              arrivalRatePerS: rate,
              serviceMeanMs: meanMs,
              serviceCv: 1,
              admission: { ...admission, prefillMs, slotsPerReplica: slots },
            });
            if (!p.stable) return Number.POSITIVE_INFINITY;
            return percentile === 99 ? p.p99WaitMs : percentile === 95 ? p.p95WaitMs : NaN;
          };
          if (r.kind === 'unreachable') {
            if (percentile !== 90) expect(waitAt(300)).toBeGreaterThan(waitMs);
            return;
          }
          expect(r.replicas).toBeGreaterThanOrEqual(Math.max(minReplicas, 1));
          expect(r.replicas).toBeLessThanOrEqual(300);
          expect(r.waitAtPercentileMs).toBeLessThanOrEqual(waitMs);
          if (percentile !== 90) {
            expect(waitAt(r.replicas)).toBeLessThanOrEqual(waitMs * (1 + 1e-9) + 1e-9);
          }
          const floor = Math.max(r.stabilityMinReplicas, minReplicas, 1);
          if (r.replicas > floor) {
            expect(r.reason).toBe('slo');
            if (percentile !== 90) expect(waitAt(r.replicas - 1)).toBeGreaterThan(waitMs);
          }
          expect(r.utilizationTarget).toBeGreaterThan(0);
          expect(r.utilizationTarget).toBeLessThan(1);
        },
      ),
      RUNS,
    );
  });
});
