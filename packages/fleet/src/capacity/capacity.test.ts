import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import {
  allenCunneenMeanWaitMs,
  erlangB,
  erlangC,
  kingmanMeanWaitMs,
  mmcMeanWaitMs,
  mmcWaitPercentileMs,
  mmcWaitTailProbability,
  predictQueueWait,
  queueWaitPercentileMs,
  queueWaitTailProbability,
  replicasForSlo,
  resolveServiceTime,
  serviceTimeFromSamples,
} from './index.js';
import { thrown } from '../../../../tools/test-utils.js';

describe('Erlang B and C', () => {
  it('matches textbook values', () => {
    // Erlang B(10, 8) = 0.1217 and C(10, 8) = 0.4092 (standard tables).
    expect(erlangB(10, 8)).toBeCloseTo(0.12166, 4);
    expect(erlangC(10, 8)).toBeCloseTo(0.40918, 4);
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 10);
    // M/M/1: the probability of waiting is the utilization.
    expect(erlangC(1, 0.5)).toBeCloseTo(0.5, 12);
    expect(erlangC(3, 0)).toBe(0);
  });

  it('is stable for thousands of servers', () => {
    const c = erlangC(5000, 4900);
    expect(c).toBeGreaterThan(0);
    expect(c).toBeLessThan(1);
    expect(erlangC(20_000, 19_000)).toBeLessThan(1e-6);
    expect(erlangB(100_000, 90_000)).toBeGreaterThan(0);
  });

  it('returns 1 for an unstable load', () => {
    expect(erlangC(4, 4)).toBe(1);
    expect(erlangC(4, 10)).toBe(1);
  });

  it('rejects bad arguments with typed errors naming the argument', () => {
    const e = thrown(() => erlangC(0, 1));
    expect(isHeadroomError(e, 'invalid_argument')).toBe(true);
    expect((e as { path: unknown }).path).toEqual(['servers']);
    expect(
      isHeadroomError(
        thrown(() => erlangC(2.5, 1)),
        'invalid_argument',
      ),
    ).toBe(true);
    expect(
      isHeadroomError(
        thrown(() => erlangC(2, Number.NaN)),
        'invalid_argument',
      ),
    ).toBe(true);
    expect(
      isHeadroomError(
        thrown(() => erlangB(2, -1)),
        'invalid_argument',
      ),
    ).toBe(true);
  });
});

describe('M/M/c waits', () => {
  it('M/M/1 mean wait is rho / (mu - lambda)', () => {
    // λ = 5/s, μ = 10/s: ρ = 0.5, E[Wq] = 0.5 / 5 s = 100 ms.
    expect(mmcMeanWaitMs({ servers: 1, arrivalRatePerS: 5, serviceMeanMs: 100 })).toBeCloseTo(
      100,
      9,
    );
    // λ = 8/s, μ = 10/s: ρ = 0.8, E[Wq] = 0.8 / 2 s = 400 ms.
    expect(mmcMeanWaitMs({ servers: 1, arrivalRatePerS: 8, serviceMeanMs: 100 })).toBeCloseTo(
      400,
      9,
    );
  });

  it('M/M/c mean wait is C / (c mu - lambda)', () => {
    const c = erlangC(10, 8);
    expect(mmcMeanWaitMs({ servers: 10, arrivalRatePerS: 80, serviceMeanMs: 100 })).toBeCloseTo(
      (c / (100 - 80)) * 1000,
      9,
    );
  });

  it('the tail starts at C and decays at c mu - lambda', () => {
    const input = { servers: 10, arrivalRatePerS: 80, serviceMeanMs: 100 };
    const c = erlangC(10, 8);
    expect(mmcWaitTailProbability(input, 0)).toBeCloseTo(c, 12);
    expect(mmcWaitTailProbability(input, 50)).toBeCloseTo(c * Math.exp(-20 * 0.05), 12);
    const p99 = mmcWaitPercentileMs(input, 99);
    expect(mmcWaitTailProbability(input, p99)).toBeCloseTo(0.01, 10);
    // Fewer than 5% wait at all at c = 10, a = 4: the P95 wait is 0.
    expect(mmcWaitPercentileMs({ servers: 10, arrivalRatePerS: 40, serviceMeanMs: 100 }, 95)).toBe(
      0,
    );
  });

  it('rejects an unstable queue', () => {
    const e = thrown(() => mmcMeanWaitMs({ servers: 2, arrivalRatePerS: 20, serviceMeanMs: 100 }));
    expect(isHeadroomError(e, 'invalid_argument')).toBe(true);
    expect((e as Error).message).toContain('unstable');
  });
});

describe('M/G/c approximations', () => {
  it('Kingman is Pollaczek-Khinchine for M/D/1 and M/M/1', () => {
    // M/D/1 at ρ = 0.8: E[Wq] = ρ / (2 (1 − ρ)) E[S] = 200 ms.
    expect(kingmanMeanWaitMs({ arrivalRatePerS: 8, serviceMeanMs: 100, serviceCv: 0 })).toBeCloseTo(
      200,
      9,
    );
    expect(kingmanMeanWaitMs({ arrivalRatePerS: 8, serviceMeanMs: 100, serviceCv: 1 })).toBeCloseTo(
      400,
      9,
    );
  });

  it('Allen-Cunneen scales the M/M/c wait by (ca² + cs²) / 2', () => {
    const mmc = mmcMeanWaitMs({ servers: 10, arrivalRatePerS: 80, serviceMeanMs: 100 });
    expect(
      allenCunneenMeanWaitMs({
        servers: 10,
        arrivalRatePerS: 80,
        serviceMeanMs: 100,
        serviceCv: 2,
      }),
    ).toBeCloseTo(mmc * 2.5, 9);
    expect(
      allenCunneenMeanWaitMs({
        servers: 10,
        arrivalRatePerS: 80,
        serviceMeanMs: 100,
        serviceCv: 0.5,
        arrivalCv: 0.5,
      }),
    ).toBeCloseTo(mmc * 0.25, 9);
  });

  it('names the model it used and agrees with M/M/c for cv 1', () => {
    const mmc = predictQueueWait({
      servers: 10,
      arrivalRatePerS: 80,
      serviceMeanMs: 100,
      serviceCv: 1,
    });
    expect(mmc.stable && mmc.model).toBe('erlang-c');
    if (!mmc.stable) throw new Error('stable');
    expect(mmc.p99WaitMs).toBeCloseTo(
      mmcWaitPercentileMs({ servers: 10, arrivalRatePerS: 80, serviceMeanMs: 100 }, 99),
      9,
    );
    expect(queueWaitPercentileMs(mmc, 99)).toBeCloseTo(mmc.p99WaitMs, 9);
    expect(queueWaitTailProbability(mmc, mmc.p95WaitMs)).toBeCloseTo(0.05, 9);
    const one = predictQueueWait({
      servers: 1,
      arrivalRatePerS: 5,
      serviceMeanMs: 100,
      serviceCv: 1,
    });
    expect(one.stable && one.model).toBe('kingman');
    const ac = predictQueueWait({
      servers: 4,
      arrivalRatePerS: 30,
      serviceMeanMs: 100,
      serviceCv: 1.5,
    });
    expect(ac.stable && ac.model).toBe('allen-cunneen');
  });

  it('says when the queue is unstable instead of returning infinite waits', () => {
    const p = predictQueueWait({
      servers: 2,
      arrivalRatePerS: 30,
      serviceMeanMs: 100,
      serviceCv: 1,
    });
    expect(p).toEqual({ stable: false, servers: 2, offeredLoad: 3, utilization: 1.5 });
    expect(
      isHeadroomError(
        thrown(() =>
          allenCunneenMeanWaitMs({
            servers: 2,
            arrivalRatePerS: 30,
            serviceMeanMs: 100,
            serviceCv: 1,
          }),
        ),
        'invalid_argument',
      ),
    ).toBe(true);
  });
});

describe('service time input', () => {
  it('computes mean and sample cv', () => {
    expect(serviceTimeFromSamples([100, 200, 300])).toEqual({ meanMs: 200, cv: 0.5 });
    expect(serviceTimeFromSamples([42])).toEqual({ meanMs: 42, cv: 0 });
    expect(resolveServiceTime({ meanMs: 800, cv: 1.2 })).toEqual({ meanMs: 800, cv: 1.2 });
    expect(resolveServiceTime({ samplesMs: [100, 200, 300] }).meanMs).toBe(200);
  });

  it('rejects empty, NaN, negative and all-zero samples', () => {
    expect(
      isHeadroomError(
        thrown(() => serviceTimeFromSamples([])),
        'invalid_argument',
      ),
    ).toBe(true);
    const nan = thrown(() => serviceTimeFromSamples([1, Number.NaN]));
    expect(isHeadroomError(nan, 'invalid_argument')).toBe(true);
    expect((nan as { path: unknown }).path).toEqual(['samplesMs', 1]);
    expect(
      isHeadroomError(
        thrown(() => serviceTimeFromSamples([0, 0])),
        'invalid_argument',
      ),
    ).toBe(true);
    expect(
      isHeadroomError(
        thrown(() => resolveServiceTime({ samplesMs: [] })),
        'invalid_config',
      ),
    ).toBe(true);
    expect(
      isHeadroomError(
        thrown(() => resolveServiceTime({ samplesMs: [-1] })),
        'invalid_config',
      ),
    ).toBe(true);
    expect(
      isHeadroomError(
        thrown(() => resolveServiceTime({ meanMs: 0, cv: 1 })),
        'invalid_config',
      ),
    ).toBe(true);
  });
});

describe('replicasForSlo', () => {
  it('finds the fewest replicas meeting a P99 wait and the utilization it implies', () => {
    const r = replicasForSlo({
      arrivalRatePerS: 80,
      service: { meanMs: 100, cv: 1 },
      slo: { waitMs: 20, percentile: 99 },
    });
    if (r.kind !== 'met') throw new Error(r.detail);
    expect(r.reason).toBe('slo');
    expect(r.model).toBe('erlang-c');
    expect(r.waitAtPercentileMs).toBeLessThanOrEqual(20);
    expect(
      mmcWaitPercentileMs({ servers: r.replicas, arrivalRatePerS: 80, serviceMeanMs: 100 }, 99),
    ).toBeLessThanOrEqual(20);
    expect(
      mmcWaitPercentileMs({ servers: r.replicas - 1, arrivalRatePerS: 80, serviceMeanMs: 100 }, 99),
    ).toBeGreaterThan(20);
    expect(r.utilizationTarget).toBeCloseTo(8 / r.replicas, 12);
    expect(r.stabilityMinReplicas).toBe(9);
    expect(r.prediction.p99WaitMs).toBeCloseTo(r.waitAtPercentileMs, 9);
  });

  it('counts batch slots as servers', () => {
    const r = replicasForSlo({
      arrivalRatePerS: 20,
      service: { meanMs: 6_000, cv: 0.8 },
      slotsPerReplica: 32,
      slo: { waitMs: 500, percentile: 99 },
    });
    if (r.kind !== 'met') throw new Error(r.detail);
    expect(r.servers).toBe(r.replicas * 32);
    expect(r.stabilityMinReplicas).toBe(4); // 120 Erlangs over 32 slots: 3.75 -> 4
    expect(r.utilizationTarget).toBeCloseTo(120 / r.servers, 12);
  });

  it('reads a latency objective as a wait budget of latency minus mean service', () => {
    const r = replicasForSlo({
      arrivalRatePerS: 8,
      service: { samplesMs: [50, 100, 150] },
      slo: { latencyMs: 1_100, percentile: 95 },
    });
    if (r.kind !== 'met') throw new Error(r.detail);
    expect(r.waitBudgetMs).toBe(1_000);
    expect(r.service.meanMs).toBe(100);
    expect(r.model).toBe('kingman'); // one replica: rho 0.8, cs 0.5, P95 ≈ 866 ms
    expect(r.replicas).toBe(1);
  });

  it('returns unreachable when the service time alone exceeds a latency objective', () => {
    const r = replicasForSlo({
      arrivalRatePerS: 5,
      service: { meanMs: 900, cv: 1 },
      slo: { latencyMs: 500, percentile: 99 },
    });
    expect(r.kind).toBe('unreachable');
    if (r.kind !== 'unreachable') return;
    expect(r.reason).toBe('service_exceeds_slo');
    expect(r.waitBudgetMs).toBe(-400);
    expect(r.detail).toContain('no number of replicas');
  });

  it('returns unreachable when maxReplicas cannot carry the load or meet the objective', () => {
    const load = replicasForSlo({
      arrivalRatePerS: 100,
      service: { meanMs: 100, cv: 1 },
      slo: { waitMs: 10, percentile: 99 },
      maxReplicas: 5,
    });
    expect(load.kind === 'unreachable' && load.reason).toBe('max_replicas');
    expect(load.prediction.stable).toBe(false);
    const slo = replicasForSlo({
      arrivalRatePerS: 50,
      service: { meanMs: 100, cv: 1 },
      slo: { waitMs: 1, percentile: 99.9 },
      maxReplicas: 6,
    });
    expect(slo.kind === 'unreachable' && slo.reason).toBe('max_replicas');
    expect(slo.prediction.stable).toBe(true);
  });

  it('returns minReplicas with no wait at zero load, and honours minReplicas', () => {
    const idle = replicasForSlo({
      arrivalRatePerS: 0,
      service: { meanMs: 100, cv: 1 },
      slo: { waitMs: 10, percentile: 99 },
      minReplicas: 2,
    });
    expect(idle.kind === 'met' && [idle.reason, idle.replicas, idle.utilizationTarget]).toEqual([
      'no_load',
      2,
      0,
    ]);
    const floor = replicasForSlo({
      arrivalRatePerS: 1,
      service: { meanMs: 100, cv: 1 },
      slo: { waitMs: 1000, percentile: 99 },
      minReplicas: 3,
    });
    expect(floor.kind === 'met' && [floor.reason, floor.replicas]).toEqual(['min_replicas', 3]);
    const stable = replicasForSlo({
      arrivalRatePerS: 1,
      service: { meanMs: 100, cv: 1 },
      slo: { waitMs: 1000, percentile: 99 },
    });
    expect(stable.kind === 'met' && [stable.reason, stable.replicas]).toEqual(['stability', 1]);
  });

  it('rejects malformed input with invalid_config naming the field', () => {
    const cases: [unknown, string][] = [
      [{ arrivalRatePerS: Number.NaN }, 'arrivalRatePerS'],
      [{ arrivalRatePerS: -1 }, 'arrivalRatePerS'],
      [{ slo: { waitMs: 10, latencyMs: 20, percentile: 99 } }, 'slo'],
      [{ slo: { percentile: 99 } }, 'slo'],
      [{ slo: { waitMs: 10, percentile: 100 } }, 'slo'],
      [{ slo: { waitMs: 10, percentile: 0 } }, 'slo'],
      [{ slotsPerReplica: 0 }, 'slotsPerReplica'],
      [{ maxReplicas: 1, minReplicas: 2 }, 'maxReplicas'],
      [{ maxReplicas: 1_000_000, slotsPerReplica: 64 }, 'maxReplicas'],
      [{ service: { samplesMs: [] } }, 'service'],
      [{ service: { meanMs: 10, cv: Number.POSITIVE_INFINITY } }, 'service'],
    ];
    for (const [patch, field] of cases) {
      const input = {
        arrivalRatePerS: 10,
        service: { meanMs: 100, cv: 1 },
        slo: { waitMs: 50, percentile: 99 },
        ...(patch as object),
      };
      const e = thrown(() => replicasForSlo(input as Parameters<typeof replicasForSlo>[0]));
      expect(isHeadroomError(e, 'invalid_config'), JSON.stringify(patch)).toBe(true);
      expect((e as { path: unknown[] }).path.slice(0, 2)).toEqual(['replicasForSlo', field]);
    }
  });
});
