import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packReplicas, type PackingInput } from '../index.js';

const RUNS = { numRuns: 1000 };

const inputArb = fc
  .record({
    models: fc.array(
      fc.record({
        memoryGiB: fc.double({ min: 0.5, max: 120, noNaN: true }),
        compute: fc.double({ min: 0, max: 1.2, noNaN: true }),
        replicas: fc.integer({ min: 0, max: 5 }),
        antiAffinity: fc.boolean(),
        conflictWithPrevious: fc.boolean(),
      }),
      { maxLength: 5 },
    ),
    gpuTypes: fc.array(
      fc.record({
        memoryGiB: fc.constantFrom(24, 48, 80, 141),
        computeCapacity: fc.constantFrom(1, 1, 2),
        count: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
        usdPerHour: fc.option(fc.double({ min: 0, max: 10, noNaN: true }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    memoryHeadroom: fc.double({ min: 0, max: 0.5, noNaN: true }),
    computeHeadroom: fc.constantFrom(0, 0.1),
    maxGpus: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
    improve: fc.boolean(),
  })
  .map((s): PackingInput => ({
    models: s.models.map((m, i) => ({
      id: `m${i}`,
      memoryGiB: m.memoryGiB,
      compute: m.compute,
      replicas: m.replicas,
      antiAffinity: m.antiAffinity,
      ...(m.conflictWithPrevious && i > 0 ? { antiAffinityWith: [`m${i - 1}`] } : {}),
    })),
    gpuTypes: s.gpuTypes.map((t, i) => ({
      id: `t${i}`,
      memoryGiB: t.memoryGiB,
      computeCapacity: t.computeCapacity,
      ...(t.count === undefined ? {} : { count: t.count }),
      ...(t.usdPerHour === undefined ? {} : { usdPerHour: t.usdPerHour }),
    })),
    memoryHeadroom: s.memoryHeadroom,
    computeHeadroom: s.computeHeadroom,
    ...(s.maxGpus === undefined ? {} : { maxGpus: s.maxGpus }),
    improve: s.improve,
  }));

describe('packReplicas properties', () => {
  it('never exceeds a GPU, keeps anti-affinity and inventory, and accounts for every replica', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const plan = packReplicas(input);
        const models = new Map(input.models.map((m) => [m.id, m]));
        const types = new Map(input.gpuTypes.map((t) => [t.id, t]));
        const headroom = input.memoryHeadroom ?? 0.2;
        const seen = new Set<string>();
        for (const gpu of plan.gpus) {
          const type = types.get(gpu.gpuTypeId);
          expect(type).toBeDefined();
          let mem = 0;
          let comp = 0;
          const counts = new Map<string, number>();
          for (const r of gpu.replicas) {
            const m = models.get(r.modelId);
            if (m === undefined) throw new Error('unknown model');
            mem += m.memoryGiB;
            comp += m.compute;
            counts.set(r.modelId, (counts.get(r.modelId) ?? 0) + 1);
            const id = `${r.modelId}#${r.replica}`;
            expect(seen.has(id)).toBe(false);
            seen.add(id);
          }
          const usableMem = (type?.memoryGiB ?? 0) * (1 - headroom);
          const usableComp = (type?.computeCapacity ?? 1) * (1 - (input.computeHeadroom ?? 0));
          expect(mem).toBeLessThanOrEqual(usableMem * (1 + 1e-12));
          expect(comp).toBeLessThanOrEqual(usableComp * (1 + 1e-12) + 1e-12);
          expect(gpu.memoryUsedGiB).toBeLessThanOrEqual(gpu.memoryUsableGiB);
          expect(gpu.computeUsed).toBeLessThanOrEqual(gpu.computeUsable);
          for (const [id, n] of counts) {
            const m = models.get(id);
            if (m?.antiAffinity === true) expect(n).toBe(1);
            for (const other of m?.antiAffinityWith ?? []) expect(counts.has(other)).toBe(false);
          }
        }
        for (const u of plan.unplaced) {
          const id = `${u.modelId}#${u.replica}`;
          expect(seen.has(id)).toBe(false);
          seen.add(id);
        }
        const asked = input.models.reduce((n, m) => n + m.replicas, 0);
        expect(seen.size).toBe(asked);
        expect(plan.placedReplicas).toBe(asked - plan.unplaced.length);
        if (input.maxGpus !== undefined) expect(plan.gpusUsed).toBeLessThanOrEqual(input.maxGpus);
        for (const t of input.gpuTypes) {
          if (t.count !== undefined) {
            expect(plan.gpusUsedByType[t.id] ?? 0).toBeLessThanOrEqual(t.count);
          }
        }
        if (plan.unplaced.length === 0)
          expect(plan.gpusUsed).toBeGreaterThanOrEqual(plan.lowerBound);
        for (const v of Object.values(plan.utilization)) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1 + 1e-12);
        }
      }),
      RUNS,
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        expect(packReplicas(input)).toEqual(packReplicas(input));
      }),
      { numRuns: 200 },
    );
  });
});
