import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { HOURS_PER_MONTH, planCapacity } from '../index.js';

function thrown(fn: () => unknown): { code: string; path: readonly (string | number)[] } {
  try {
    fn();
  } catch (error) {
    if (isHeadroomError(error)) return { code: error.code, path: error.path };
    return { code: 'not a HeadroomError', path: [] };
  }
  return { code: 'no error', path: [] };
}

const ramp = Array.from({ length: 100 }, (_, h) => h); // 0..99 GPUs, one hour each

describe('planCapacity', () => {
  it('reserves the (1 - reserved/on-demand) quantile of demand without spot', () => {
    const plan = planCapacity({
      regions: [
        { region: 'r', demandGpus: ramp, onDemandUsdPerGpuHour: 2, reservedUsdPerGpuHour: 1 },
      ],
    });
    const r = plan.regions[0]!;
    // A reserved GPU pays off while demand exceeds it in more than half of the hours:
    // #{d > R} = 99 - R <= 50 from R = 49 on, and R = 49 is the smaller of two equal optima.
    expect(r.reservedBreakEvenFraction).toBe(0.5);
    expect(r.reservedGpus).toBe(49);
    expect(r.tiers.spot.gpuHours).toBe(0);
    expect(r.notes.map((n) => n.code)).toEqual(['no_spot_pools']);
    const reservedUsd = 49 * 100 * 1;
    const onDemandGpuHours = ramp.reduce((s, d) => s + Math.max(0, d - 49), 0);
    expect(r.tiers.reserved.usd).toBe(reservedUsd);
    expect(r.tiers.onDemand.gpuHours).toBe(onDemandGpuHours);
    expect(r.totalUsd).toBe(reservedUsd + 2 * onDemandGpuHours);
    expect(r.allOnDemandUsd).toBe(2 * 4950);
    expect(r.savingsUsd).toBeGreaterThan(0);
  });

  it('reserves all of a flat demand, and nothing when reserved is not cheaper', () => {
    const flat = Array.from({ length: 168 }, () => 10);
    const plan = planCapacity({
      regions: [
        {
          region: 'a',
          demandGpus: flat,
          onDemandUsdPerGpuHour: 6.88,
          reservedUsdPerGpuHour: 4.128,
        },
        { region: 'b', demandGpus: flat, onDemandUsdPerGpuHour: 6.88, reservedUsdPerGpuHour: 7 },
      ],
    });
    const [a, b] = plan.regions;
    expect(a?.reservedGpus).toBe(10);
    expect(a?.reservedUtilization).toBe(1);
    expect(a?.tiers.onDemand.gpuHours).toBe(0);
    expect(b?.reservedGpus).toBe(0);
    expect(b?.notes.map((n) => n.code)).toContain('reserved_not_cheaper');
    expect(plan.totalUsd).toBeCloseTo((a?.totalUsd ?? 0) + (b?.totalUsd ?? 0), 9);
    expect(plan.allOnDemandUsd).toBeCloseTo(2 * 168 * 10 * 6.88, 9);
  });

  it('rounds fractional demand up to whole GPUs', () => {
    const plan = planCapacity({
      regions: [
        {
          region: 'r',
          demandGpus: [0.2, 1, 2.5],
          onDemandUsdPerGpuHour: 1,
          reservedUsdPerGpuHour: 2,
        },
      ],
    });
    expect(plan.regions[0]?.hourly.demand).toEqual([1, 1, 3]);
  });

  it('puts burst above the percentile on spot, capped by share and spread over pools', () => {
    // 20 quiet hours at 10 GPUs, then 4 peak hours at 40.
    const demand = [...Array.from({ length: 20 }, () => 10), 40, 40, 40, 40];
    const plan = planCapacity({
      regions: [
        {
          region: 'us-east-1',
          demandGpus: demand,
          onDemandUsdPerGpuHour: 4,
          reservedUsdPerGpuHour: 2.4,
          spotPools: [
            { name: 'pool-a', usdPerGpuHour: 1.5, interruptionBucket: 0 },
            { name: 'pool-b', usdPerGpuHour: 1.6, interruptionBucket: 3, maxGpus: 3 },
            { name: 'pool-c', usdPerGpuHour: 5 },
          ],
        },
      ],
      maxSpotShare: 0.5,
      burstPercentile: 0.8,
      minSpotPools: 2,
    });
    const r = plan.regions[0]!;
    expect(r.burstThresholdGpus).toBe(10);
    expect(r.reservedGpus).toBe(10);
    // Peak hour: budget floor(0.5 * 40) = 20, per pool ceil(20 / 2) = 10, pool-b capped at 3.
    expect(r.hourly.spot.slice(20)).toEqual([13, 13, 13, 13]);
    expect(r.hourly.onDemand.slice(20)).toEqual([17, 17, 17, 17]);
    expect(r.hourly.spot.slice(0, 20).every((s) => s === 0)).toBe(true);
    expect(r.spotPools.map((p) => [p.name, p.gpuHours, p.peakGpus])).toEqual([
      ['pool-a', 40, 10],
      ['pool-b', 12, 3],
    ]);
    expect(r.notes.map((n) => n.code)).toContain('spot_not_cheaper');
    const [a, b] = r.spotPools;
    expect(a?.monthlyInterruptionRate).toBe(0.05);
    expect(a?.expectedInterruptions).toBeCloseTo((40 * 0.05) / HOURS_PER_MONTH, 12);
    expect(b?.expectedLostGpuHours).toBeCloseTo(((12 * 0.2) / HOURS_PER_MONTH) * 0.1, 12);
    expect(r.expectedInterruptions).toBeCloseTo(
      (a?.expectedInterruptions ?? 0) + (b?.expectedInterruptions ?? 0),
      12,
    );
    expect(r.tiers.spot.usd).toBeCloseTo(40 * 1.5 + 12 * 1.6, 9);
    expect(r.totalUsd).toBeLessThan(r.allOnDemandUsd);
  });

  it('notes too few pools and uses less spot', () => {
    const plan = planCapacity({
      regions: [
        {
          region: 'r',
          demandGpus: [10, 10, 10, 30],
          onDemandUsdPerGpuHour: 4,
          reservedUsdPerGpuHour: 3.9,
          spotPools: [{ name: 'only', usdPerGpuHour: 1, monthlyInterruptionRate: 0.5 }],
        },
      ],
      maxSpotShare: 1,
      burstPercentile: 0.75,
      minSpotPools: 4,
    });
    const r = plan.regions[0]!;
    expect(r.notes.map((n) => n.code)).toContain('spot_pools_below_minimum');
    // Budget 30, one pool may carry ceil(30 / 4) = 8 of it.
    expect(r.hourly.spot[3]).toBe(8);
    expect(r.spotPools[0]?.monthlyInterruptionRate).toBe(0.5);
  });

  it('plans around a given reserved count', () => {
    const plan = planCapacity({
      regions: [
        {
          region: 'r',
          demandGpus: ramp,
          onDemandUsdPerGpuHour: 2,
          reservedUsdPerGpuHour: 1,
          reservedGpus: 80,
        },
      ],
    });
    const r = plan.regions[0]!;
    expect(r.reservedGpus).toBe(80);
    expect(r.notes.map((n) => n.code)).toContain('reserved_fixed');
    expect(r.reservedUtilization).toBeLessThan(1);
  });

  it('rejects bad input with typed errors naming the path', () => {
    const region = {
      region: 'r',
      demandGpus: [1, 2, 3],
      onDemandUsdPerGpuHour: 2,
      reservedUsdPerGpuHour: 1,
    };
    expect(
      thrown(() => planCapacity({ regions: [{ ...region, demandGpus: [1, 2, Number.NaN] }] })),
    ).toEqual({ code: 'invalid_argument', path: ['input', 'regions', 0, 'demandGpus', 2] });
    expect(
      thrown(() => planCapacity({ regions: [{ ...region, demandGpus: [1, -1] }] })).path,
    ).toEqual(['input', 'regions', 0, 'demandGpus', 1]);
    expect(
      thrown(() => planCapacity({ regions: [{ ...region, demandGpus: [Infinity] }] })).path,
    ).toEqual(['input', 'regions', 0, 'demandGpus', 0]);
    expect(thrown(() => planCapacity({ regions: [{ ...region, demandGpus: [] }] })).path).toEqual([
      'input',
      'regions',
      0,
      'demandGpus',
    ]);
    expect(
      thrown(() => planCapacity({ regions: [{ ...region, reservedUsdPerGpuHour: -1 }] })).path,
    ).toEqual(['input', 'regions', 0, 'reservedUsdPerGpuHour']);
    expect(
      thrown(() =>
        planCapacity({
          regions: [{ ...region, spotPools: [{ name: 'p', usdPerGpuHour: -0.5 }] }],
        }),
      ).path,
    ).toEqual(['input', 'regions', 0, 'spotPools', 0, 'usdPerGpuHour']);
    expect(thrown(() => planCapacity({ regions: [region, region] })).path).toEqual([
      'input',
      'regions',
      1,
      'region',
    ]);
    expect(
      thrown(() =>
        planCapacity({
          regions: [
            {
              ...region,
              spotPools: [
                { name: 'p', usdPerGpuHour: 1 },
                { name: 'p', usdPerGpuHour: 1 },
              ],
            },
          ],
        }),
      ).path,
    ).toEqual(['input', 'regions', 0, 'spotPools', 1, 'name']);
    expect(thrown(() => planCapacity({ regions: [region], maxSpotShare: 1.5 })).path).toEqual([
      'input',
      'maxSpotShare',
    ]);
    expect(thrown(() => planCapacity({ regions: [] })).code).toBe('invalid_argument');
  });
});
