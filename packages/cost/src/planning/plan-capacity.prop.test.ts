import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planCapacity, type PlanCapacityInput, type RegionDemandInput } from '../index.js';

const poolArb = fc.record(
  {
    usdPerGpuHour: fc.double({ min: 0, max: 8, noNaN: true }),
    interruptionBucket: fc.integer({ min: 0, max: 4 }),
    maxGpus: fc.integer({ min: 0, max: 40 }),
  },
  { requiredKeys: ['usdPerGpuHour'] },
);

const regionArb = (maxHours: number, maxDemand: number): fc.Arbitrary<RegionDemandInput> =>
  fc
    .record({
      demandGpus: fc.array(
        fc.oneof(
          fc.integer({ min: 0, max: maxDemand }),
          fc.double({ min: 0, max: maxDemand, noNaN: true }),
        ),
        { minLength: 1, maxLength: maxHours },
      ),
      onDemandUsdPerGpuHour: fc.double({ min: 0.1, max: 8, noNaN: true }),
      reservedShare: fc.double({ min: 0, max: 1.2, noNaN: true }),
      spotPools: fc.array(poolArb, { maxLength: 4 }),
    })
    .map((r) => ({
      region: 'r',
      demandGpus: r.demandGpus,
      onDemandUsdPerGpuHour: r.onDemandUsdPerGpuHour,
      reservedUsdPerGpuHour: r.onDemandUsdPerGpuHour * r.reservedShare,
      spotPools: r.spotPools.map((p, i) => ({ ...p, name: `pool-${i}` })),
    }));

const optionsArb = fc.record({
  maxSpotShare: fc.double({ min: 0, max: 1, noNaN: true }),
  burstPercentile: fc.double({ min: 0, max: 1, noNaN: true }),
  minSpotPools: fc.integer({ min: 1, max: 4 }),
});

const inputArb: fc.Arbitrary<PlanCapacityInput> = fc
  .record({
    regions: fc.array(regionArb(120, 60), { minLength: 1, maxLength: 3 }),
    options: optionsArb,
  })
  .map(({ regions, options }) => ({
    regions: regions.map((r, i) => ({ ...r, region: `region-${i}` })),
    ...options,
  }));

describe('planCapacity properties', () => {
  it('never costs more than all on-demand; tiers sum to demand; the spot share cap holds', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const plan = planCapacity(input);
        const maxSpotShare = input.maxSpotShare ?? 0.3;
        const minPools = input.minSpotPools ?? 2;
        // Plain checks gathered into one assertion: a thousand runs of many `expect`s is slow.
        const problems: string[] = [];
        const check = (ok: boolean, what: string): void => {
          if (!ok) problems.push(what);
        };
        check(
          plan.totalUsd <= plan.allOnDemandUsd * (1 + 1e-9) + 1e-9,
          'total above all on-demand',
        );
        plan.regions.forEach((r, i) => {
          const region = input.regions[i]!;
          check(Number.isFinite(r.totalUsd), `${r.region}: total not finite`);
          check(
            r.totalUsd <= r.allOnDemandUsd * (1 + 1e-9) + 1e-9,
            `${r.region}: ${r.totalUsd} above all on-demand ${r.allOnDemandUsd}`,
          );
          for (let h = 0; h < r.hours; h++) {
            const d = Math.max(0, Math.ceil((region.demandGpus[h] ?? 0) - 1e-9));
            const [res, od, spot] = [
              r.hourly.reserved[h]!,
              r.hourly.onDemand[h]!,
              r.hourly.spot[h]!,
            ];
            check(r.hourly.demand[h] === d, `${r.region} h${h}: demand`);
            check(res + od + spot === d, `${r.region} h${h}: tiers ${res}+${od}+${spot} != ${d}`);
            check(Math.min(res, od, spot) >= 0, `${r.region} h${h}: negative tier`);
            check(
              Number.isInteger(res) && Number.isInteger(od) && Number.isInteger(spot),
              `${r.region} h${h}: fractional GPUs`,
            );
            check(spot <= maxSpotShare * d + 1e-9, `${r.region} h${h}: spot ${spot} above share`);
          }
          // Diversification: no pool above ceil(budget / minSpotPools) in its peak hour.
          let peakBudget = 0;
          for (const d of r.hourly.demand) {
            peakBudget = Math.max(peakBudget, Math.floor(maxSpotShare * d + 1e-9));
          }
          let poolGpuHours = 0;
          for (const p of r.spotPools) {
            const pool = region.spotPools?.find((q) => q.name === p.name);
            check(p.peakGpus <= Math.ceil(peakBudget / minPools), `${p.name}: above its share`);
            check(
              pool?.maxGpus === undefined || p.peakGpus <= pool.maxGpus,
              `${p.name}: above maxGpus`,
            );
            check(
              (pool?.usdPerGpuHour ?? 0) < region.onDemandUsdPerGpuHour,
              `${p.name}: not cheaper than on-demand`,
            );
            check(p.expectedInterruptions >= 0, `${p.name}: negative interruptions`);
            poolGpuHours += p.gpuHours;
          }
          check(
            Math.abs(r.tiers.spot.gpuHours - poolGpuHours) < 1e-9,
            `${r.region}: pools do not add up to the spot tier`,
          );
        });
        expect(problems).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('chooses a reserved count no other count beats', () => {
    fc.assert(
      fc.property(regionArb(48, 16), optionsArb, (region, options) => {
        const best = planCapacity({ regions: [region], ...options }).regions[0]!;
        const maxDemand = Math.max(...best.hourly.demand);
        for (let reservedGpus = 0; reservedGpus <= maxDemand + 1; reservedGpus++) {
          const fixed = planCapacity({ regions: [{ ...region, reservedGpus }], ...options })
            .regions[0]!;
          expect(best.totalUsd).toBeLessThanOrEqual(fixed.totalUsd * (1 + 1e-9) + 1e-9);
        }
      }),
      { numRuns: 200 },
    );
  });
});
