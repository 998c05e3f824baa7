import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { gammaQ } from './admission.js';
import {
  predictQueueWait,
  queueWaitPercentileMs,
  queueWaitTailProbability,
  replicasForSlo,
  type QueueWaitInput,
} from './index.js';
import { thrown } from '../../../../tools/test-utils.js';

// One replica of 16 slots, 10 s per request measured at the load, 0.5 req/s: 5 Erlangs on 16
// slots (almost never a slot wait), decode steps of 40 ms, prefills of 200 ms.
const LIGHT: QueueWaitInput = {
  servers: 16,
  arrivalRatePerS: 0.5,
  serviceMeanMs: 10_000,
  serviceCv: 1,
  admission: {
    slotsPerReplica: 16,
    stepMs: 40,
    prefillMs: 200,
    prefillCv: 0,
    serviceMeasuredAt: 'at-load',
  },
};

describe('incomplete gamma', () => {
  it('matches closed forms', () => {
    expect(gammaQ(1, 1)).toBeCloseTo(Math.exp(-1), 12);
    // Q(3, 2) = e^-2 (1 + 2 + 2) = 0.676676...
    expect(gammaQ(3, 2)).toBeCloseTo(5 * Math.exp(-2), 12);
    expect(gammaQ(0.5, 30)).toBeLessThan(1e-13);
    expect(gammaQ(2, 0)).toBe(1);
  });
});

describe('predictQueueWait with an admission term', () => {
  it('adds the residual of the running step where the slot queue alone predicts no wait', () => {
    const { admission: _unused, ...plain } = LIGHT;
    const without = predictQueueWait(plain);
    const withAdmission = predictQueueWait(LIGHT);
    expect(without.stable && withAdmission.stable).toBe(true);
    if (!without.stable || !withAdmission.stable) return;
    expect(without.p99WaitMs).toBe(0);
    const term = withAdmission.admission;
    expect(term).toBeDefined();
    if (term === undefined) return;
    // Busy with probability 1 − e^−5; prefill steps (240 ms) a share 0.5 × 0.24 = 0.12 of the time.
    const busy = 1 - Math.exp(-5);
    expect(term.busyProbability).toBeCloseTo(busy, 12);
    expect(term.prefillStepShare).toBeCloseTo(0.12, 12);
    // Fixed prefill: P(D > t) = busy × 0.12 × (1 − t / 240) above one decode step, so P99 is
    // 240 × (1 − 0.01 / (busy × 0.12)) up to the tiny slot-wait share.
    const expected = 240 * (1 - 0.01 / (busy * 0.12));
    expect(withAdmission.p99WaitMs).toBeGreaterThan(expected * 0.99);
    expect(withAdmission.p99WaitMs).toBeLessThan(expected * 1.01);
    // Mean: busy × (0.12 × 240 / 2 + 0.88 × 40 / 2).
    expect(term.meanDelayMs).toBeCloseTo(busy * (0.12 * 120 + 0.88 * 20), 9);
    expect(withAdmission.meanWaitMs).toBeGreaterThan(term.meanDelayMs * 0.99);
  });

  it('percentile and tail functions agree with the prediction', () => {
    const p = predictQueueWait({
      ...LIGHT,
      arrivalRatePerS: 1.4,
      admission: { slotsPerReplica: 16, stepMs: 40, prefillMs: 200, prefillCv: 0.7 },
    });
    expect(p.stable).toBe(true);
    if (!p.stable) return;
    expect(queueWaitPercentileMs(p, 99)).toBeCloseTo(p.p99WaitMs, 9);
    expect(queueWaitTailProbability(p, p.p99WaitMs)).toBeCloseTo(0.01, 9);
    expect(queueWaitTailProbability(p, p.p95WaitMs)).toBeCloseTo(0.05, 9);
    expect(p.p95WaitMs).toBeLessThanOrEqual(p.p99WaitMs);
    expect(queueWaitPercentileMs(p, 99.9)).toBeGreaterThan(p.p99WaitMs);
  });

  it('rescales a full-batch service time to the load', () => {
    // Measured at a full batch of 16: 11 s. At 0.8 req/s on 2 replicas (0.4 per replica):
    // (11000 − 16 × 190) / (1 − 0.4 × 0.19).
    const p = predictQueueWait({
      servers: 32,
      arrivalRatePerS: 0.8,
      serviceMeanMs: 11_000,
      serviceCv: 1,
      admission: { slotsPerReplica: 16, stepMs: 42, prefillMs: 190 },
    });
    expect(p.stable).toBe(true);
    if (!p.stable) return;
    const expected = (11_000 - 16 * 190) / (1 - 0.4 * 0.19);
    expect(p.admission?.serviceMeanMs).toBeCloseTo(expected, 9);
    expect(p.admission?.givenServiceMeanMs).toBe(11_000);
    expect(p.offeredLoad).toBeCloseTo((0.8 * expected) / 1000, 12);
    expect(p.admission?.prefillCv).toBe(1);
  });

  it('is unstable when the replica would do nothing but prefill', () => {
    const p = predictQueueWait({
      servers: 16,
      arrivalRatePerS: 6,
      serviceMeanMs: 11_000,
      serviceCv: 1,
      admission: { slotsPerReplica: 16, stepMs: 42, prefillMs: 190 },
    });
    expect(p.stable).toBe(false);
  });

  it('rejects inconsistent or malformed admission inputs, naming the field', () => {
    const base = LIGHT.admission as NonNullable<QueueWaitInput['admission']>;
    const cases: [QueueWaitInput['admission'], string][] = [
      [{ ...base, slotsPerReplica: 5 }, 'admission.slotsPerReplica'],
      [{ ...base, stepMs: 0 }, 'admission.stepMs'],
      [{ ...base, prefillMs: Number.NaN }, 'admission.prefillMs'],
      [{ ...base, prefillCv: -1 }, 'admission.prefillCv'],
      // 16 × 700 ms of prefill cannot fit in a 10 s service time measured at a full batch.
      [{ ...base, prefillMs: 700, serviceMeasuredAt: 'full-batch' }, 'admission.prefillMs'],
    ];
    for (const [admission, path] of cases) {
      const error = thrown(() =>
        predictQueueWait({ ...LIGHT, ...(admission === undefined ? {} : { admission }) }),
      );
      expect(isHeadroomError(error, 'invalid_argument')).toBe(true);
      if (isHeadroomError(error)) expect(error.path.join('.')).toBe(path);
    }
  });
});

describe('replicasForSlo with an admission term', () => {
  const admission = { stepMs: 42, prefillMs: 190, prefillCv: 0.65 } as const;

  function p99At(rate: number, replicas: number): number {
    const p = predictQueueWait({
      servers: replicas * 16,
      arrivalRatePerS: rate,
      serviceMeanMs: 11_000,
      serviceCv: 1,
      admission: { ...admission, slotsPerReplica: 16 },
    });
    return p.stable ? p.p99WaitMs : Number.POSITIVE_INFINITY;
  }

  it('returns the fewest replicas whose slot wait plus admission delay meets the budget', () => {
    for (const rate of [1, 5, 20]) {
      const plan = replicasForSlo({
        arrivalRatePerS: rate,
        service: { meanMs: 11_000, cv: 1 },
        slotsPerReplica: 16,
        slo: { waitMs: 500, percentile: 99 },
        admission,
      });
      expect(plan.kind).toBe('met');
      if (plan.kind !== 'met') return;
      expect(plan.prediction.admission).toBeDefined();
      expect(plan.waitAtPercentileMs).toBeCloseTo(p99At(rate, plan.replicas), 6);
      expect(plan.waitAtPercentileMs).toBeLessThanOrEqual(500);
      if (plan.replicas > plan.stabilityMinReplicas) {
        expect(p99At(rate, plan.replicas - 1)).toBeGreaterThan(500);
      }
      expect(plan.utilizationTarget).toBeCloseTo(plan.prediction.utilization, 12);
    }
  });

  it('needs more replicas than the slot queue alone when the budget is near a prefill step', () => {
    const input = {
      arrivalRatePerS: 5,
      service: { meanMs: 11_000, cv: 1 },
      slotsPerReplica: 16,
      slo: { waitMs: 150, percentile: 99 },
    } as const;
    const plain = replicasForSlo(input);
    const batched = replicasForSlo({ ...input, admission });
    expect(plain.kind === 'met' && batched.kind === 'met').toBe(true);
    if (plain.kind !== 'met' || batched.kind !== 'met') return;
    expect(batched.replicas).toBeGreaterThan(plain.replicas);
  });

  it('reports max_replicas when the admission delay alone exceeds the budget at maxReplicas', () => {
    const plan = replicasForSlo({
      arrivalRatePerS: 5,
      service: { meanMs: 11_000, cv: 1 },
      slotsPerReplica: 16,
      slo: { waitMs: 50, percentile: 99 },
      maxReplicas: 10,
      admission,
    });
    expect(plan.kind).toBe('unreachable');
    if (plan.kind === 'unreachable') expect(plan.reason).toBe('max_replicas');
  });

  it('rejects a malformed admission with invalid_config naming the field', () => {
    const error = thrown(() =>
      replicasForSlo({
        arrivalRatePerS: 5,
        service: { meanMs: 11_000, cv: 1 },
        slotsPerReplica: 16,
        slo: { waitMs: 500, percentile: 99 },
        admission: { stepMs: -1, prefillMs: 190 },
      }),
    );
    expect(isHeadroomError(error, 'invalid_config')).toBe(true);
    if (isHeadroomError(error)) expect(error.path.join('.')).toContain('admission.stepMs');
  });
});
