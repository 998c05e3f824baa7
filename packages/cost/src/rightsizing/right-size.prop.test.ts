import fc from 'fast-check';
import { CAPACITY_TYPES } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { defaultCatalog, loadCatalog, type Catalog } from '../catalog/index.js';
import { RIGHT_SIZE_KINDS, rightSize, type RightSizeRequirementInput } from '../index.js';

const base = defaultCatalog();
const gpuNames = base.gpuClasses.map((g) => g.name);
const typeNames = base.instanceTypes.map((t) => t.name);

const catalogArb: fc.Arbitrary<Catalog> = fc
  .record({
    reservedDiscount: fc.double({ min: 0, max: 0.9, noNaN: true }),
    spotDiscount: fc.double({ min: 0, max: 0.9, noNaN: true }),
    withoutSpot: fc.subarray(typeNames),
  })
  .map(({ reservedDiscount, spotDiscount, withoutSpot }) =>
    loadCatalog(
      { instanceTypes: withoutSpot.map((name) => ({ name, prices: { spot: null } })) },
      { base: defaultCatalog({ reservedDiscount, spotDiscount }) },
    ),
  );

const requirementArb: fc.Arbitrary<RightSizeRequirementInput> = fc
  .record({
    memoryGiB: fc.double({ min: 0.5, max: 1500, noNaN: true }),
    headroomFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    requestsPerSecond: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 300, noNaN: true })),
    requireFp8: fc.boolean(),
    capacityType: fc.constantFrom(...CAPACITY_TYPES),
    kinds: fc.subarray([...RIGHT_SIZE_KINDS], { minLength: 1 }),
    maxReplicas: fc.integer({ min: 1, max: 2000 }),
    migPricing: fc.constantFrom('compute-slices' as const, 'dominant-share' as const),
    profile: fc.option(
      fc.dictionary(fc.constantFrom(...gpuNames), fc.double({ min: 0.01, max: 50, noNaN: true })),
      { nil: undefined },
    ),
    model: fc.option(
      fc.record({
        weightShare: fc.double({ min: 0.05, max: 1, noNaN: true }),
        bytesPerParam: fc.constantFrom(0.5, 1, 2),
        avgPromptTokens: fc.integer({ min: 0, max: 8000 }),
        avgOutputTokens: fc.integer({ min: 1, max: 2000 }),
        batchSize: fc.integer({ min: 1, max: 64 }),
      }),
      { nil: undefined },
    ),
  })
  .map((r) => {
    const req: RightSizeRequirementInput = {
      memoryGiB: r.memoryGiB,
      headroomFraction: r.headroomFraction,
      requestsPerSecond: r.requestsPerSecond,
      requireFp8: r.requireFp8,
      capacityType: r.capacityType,
      kinds: r.kinds,
      maxReplicas: r.maxReplicas,
      migPricing: r.migPricing,
      ...(r.profile === undefined ? {} : { throughputProfile: { perGpuClass: r.profile } }),
      ...(r.model === undefined
        ? {}
        : {
            model: {
              // Weights take a share of the memory need, so the requirement is always consistent.
              paramsBillions:
                (r.model.weightShare * r.memoryGiB * 2 ** 30) / 1e9 / r.model.bytesPerParam,
              bytesPerParam: r.model.bytesPerParam,
              avgPromptTokens: r.model.avgPromptTokens,
              avgOutputTokens: r.model.avgOutputTokens,
              batchSize: r.model.batchSize,
            },
          }),
    };
    return req;
  });

describe('rightSize properties', () => {
  it('picks a candidate that fits memory with headroom, meets throughput, and is cheapest', () => {
    fc.assert(
      fc.property(catalogArb, requirementArb, (catalog, requirement) => {
        const result = rightSize(catalog, requirement);
        const need = result.requiredMemoryGiB;
        const rps = result.requirement.requestsPerSecond;
        const fp8ByClass = new Map(catalog.gpuClasses.map((g) => [g.name, g.fp8]));
        for (const a of result.accepted) {
          expect(a.memoryGiB).toBeGreaterThanOrEqual(need);
          expect(Number.isFinite(a.usdPerHour)).toBe(true);
          expect(a.usdPerHour).toBeGreaterThanOrEqual(0);
          expect(a.replicas).toBeLessThanOrEqual(result.requirement.maxReplicas);
          if (rps > 0) {
            expect(a.requestsPerSecondPerReplica).not.toBeNull();
            expect(a.replicas * (a.requestsPerSecondPerReplica ?? 0)).toBeGreaterThanOrEqual(
              rps * (1 - 1e-9),
            );
          }
          if (result.requirement.requireFp8) expect(fp8ByClass.get(a.gpuClass)).toBe(true);
        }
        if (result.pick === null) {
          expect(result.accepted).toHaveLength(0);
        } else {
          expect(result.pick.memoryGiB).toBeGreaterThanOrEqual(need);
          for (const a of result.accepted) {
            expect(a.usdPerHour).toBeGreaterThanOrEqual(result.pick.usdPerHour);
          }
        }
        for (const r of result.rejected) expect(r.detail.startsWith(`${r.reason}: `)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
