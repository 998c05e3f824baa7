import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  packMig,
  repackMig,
  validateLayout,
  type MigDemandInput,
  type MigGpuLayout,
} from '../index.js';

const RUNS = { numRuns: 1000 };

const demandArb = fc.record({
  memoryGiB: fc.constantFrom(5, 9, 15, 19, 30, 39, 60, 100),
  computeSlices: fc.constantFrom(1, 1, 2, 4),
  replicas: fc.integer({ min: 0, max: 3 }),
  antiAffinity: fc.boolean(),
});

const scenarioArb = fc.record({
  before: fc.array(demandArb, { maxLength: 5 }),
  after: fc.array(fc.option(demandArb, { nil: undefined }), { maxLength: 6 }),
  spare: fc.integer({ min: 0, max: 2 }),
});

function instanceSet(l: MigGpuLayout): string {
  return [...l.placements, ...l.unassigned]
    .map((p) => `${p.profile}@${p.start}`)
    .sort()
    .join(',');
}

describe('repackMig properties', () => {
  it('keeps untouched GPUs, validates, and never reconfigures more than a full re-pack', () => {
    fc.assert(
      fc.property(scenarioArb, ({ before, after, spare }) => {
        const d0: MigDemandInput[] = before.map((d, i) => ({ id: `d${i}`, ...d }));
        // The new demand set: each old demand kept, changed or dropped (undefined), plus new ones.
        const d1: MigDemandInput[] = [];
        after.forEach((d, i) => {
          if (d !== undefined) d1.push({ id: `d${i}`, ...d });
        });
        const current = packMig(
          d0,
          { unlimited: 'H100-80GB', idPrefix: 'n/' },
          { exactMaxReplicas: 0 },
        ).layouts;
        const options = {
          exactMaxReplicas: 6,
          maxSearchNodes: 2_000,
          spare: {
            gpus: Array.from({ length: spare }, (_, i) => ({ id: `s/${i}`, gpu: 'H100-80GB' })),
          },
        };
        const r = repackMig(current, d1, options);
        const full = repackMig(current, d1, { ...options, mode: 'full' });
        expect(r.reconfigured.length).toBeLessThanOrEqual(full.reconfigured.length);
        // (No claim that the full re-pack places everything the incremental one does: with a
        // bounded search budget the full heuristic can leave a replica out where the
        // incremental plan, starting from the current layouts, does not.)
        const reconfigured = new Set(r.reconfigured);
        const byId = new Map(r.layouts.map((l) => [l.gpuId, l]));
        for (const c of current) {
          const l = byId.get(c.gpuId) as MigGpuLayout;
          expect(l).toBeDefined();
          if (!reconfigured.has(c.gpuId)) expect(instanceSet(l)).toBe(instanceSet(c));
        }
        // Every drained GPU is a reconfigured one, listed with what it serves now.
        expect(r.drainFirst.map((d) => d.gpuId)).toEqual(r.reconfigured);
        const seen = new Map<string, number[]>();
        for (const l of r.layouts) {
          expect(validateLayout(l.gpu, [...l.placements, ...l.unassigned])).toEqual({
            valid: true,
          });
          const onGpu = new Set<string>();
          for (const p of l.placements) {
            const d = d1.find((x) => x.id === p.demandId) as MigDemandInput;
            expect(d).toBeDefined();
            if (d.antiAffinity === true) expect(onGpu.has(d.id)).toBe(false);
            onGpu.add(d.id);
            seen.set(d.id, [...(seen.get(d.id) ?? []), p.replica]);
          }
        }
        for (const u of r.unplaced)
          seen.set(u.demandId, [...(seen.get(u.demandId) ?? []), ...u.replicas]);
        for (const d of d1) {
          expect([...(seen.get(d.id) ?? [])].sort((a, b) => a - b)).toEqual(
            Array.from({ length: d.replicas }, (_, i) => i),
          );
        }
      }),
      RUNS,
    );
  });
});
