import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planModelReplicas, type ModelReplicaPlanInput } from './index.js';

const inputArb = fc
  .record({
    models: fc.array(
      fc.record({
        demandRps: fc.double({ min: 0, max: 200, noNaN: true }),
        throughputRpsPerReplica: fc.double({ min: 0.5, max: 50, noNaN: true }),
        minReplicas: fc.integer({ min: 0, max: 3 }),
        extra: fc.integer({ min: 0, max: 8 }),
        memoryGiB: fc.double({ min: 1, max: 100, noNaN: true }),
        compute: fc.constantFrom(0, 0.25, 0.5),
      }),
      { maxLength: 5 },
    ),
    targetUtilization: fc.double({ min: 0.1, max: 1, noNaN: true }),
    memoryGiB: fc.constantFrom(24, 48, 80, 141),
    count: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
    memoryHeadroom: fc.double({ min: 0, max: 0.5, noNaN: true }),
  })
  .map((s): ModelReplicaPlanInput => ({
    models: s.models.map((m, i) => ({
      id: `m${i}`,
      demandRps: m.demandRps,
      throughputRpsPerReplica: m.throughputRpsPerReplica,
      minReplicas: m.minReplicas,
      maxReplicas: m.minReplicas + m.extra,
      memoryGiB: m.memoryGiB,
      compute: m.compute,
    })),
    targetUtilization: s.targetUtilization,
    placement: {
      kind: 'whole-gpu',
      gpuTypes: [
        {
          id: 'gpu',
          memoryGiB: s.memoryGiB,
          ...(s.count === undefined ? {} : { count: s.count }),
        },
      ],
      memoryHeadroom: s.memoryHeadroom,
    },
  }));

describe('planModelReplicas properties', () => {
  it('keeps replicas within bounds, never overfills a GPU and accounts for every replica', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const plan = planModelReplicas(input);
        const memory = new Map(input.models.map((m) => [m.id, m.memoryGiB]));
        input.models.forEach((m, i) => {
          const c = plan.models[i];
          if (c === undefined) throw new Error('missing model');
          expect(c.replicas).toBeGreaterThanOrEqual(m.minReplicas ?? 0);
          expect(c.replicas).toBeLessThanOrEqual(m.maxReplicas ?? 1000);
          expect(c.placedReplicas).toBeGreaterThanOrEqual(0);
          expect(c.placedReplicas).toBeLessThanOrEqual(c.replicas);
          expect(Number.isFinite(c.utilization)).toBe(true);
          // Within bounds, enough replicas to keep utilization at or under target.
          if (c.reason === 'demand' && c.placedReplicas === c.replicas) {
            expect(c.utilization).toBeLessThanOrEqual((input.targetUtilization ?? 0.8) + 1e-6);
          }
        });
        if (plan.placement.kind !== 'whole-gpu') throw new Error('whole-gpu expected');
        const headroom =
          input.placement.kind === 'whole-gpu' ? (input.placement.memoryHeadroom ?? 0.2) : 0;
        let placed = 0;
        for (const gpu of plan.placement.packing.gpus) {
          const used = gpu.replicas.reduce((n, r) => n + (memory.get(r.modelId) ?? 0), 0);
          expect(used).toBeLessThanOrEqual(gpu.memoryGiB * (1 - headroom) * (1 + 1e-12));
          expect(used).toBeLessThanOrEqual(gpu.memoryGiB);
          placed += gpu.replicas.length;
        }
        expect(placed).toBe(plan.placedReplicas);
        const missing = plan.unplaced.reduce((n, u) => n + u.replicas, 0);
        expect(plan.placedReplicas + missing).toBe(plan.totalReplicas);
      }),
      { numRuns: 1000 },
    );
  });
});
