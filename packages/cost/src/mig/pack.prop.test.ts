import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  migGeometry,
  migProfile,
  packFirstFitDecreasing,
  packMig,
  validateLayout,
  type MigDemandInput,
  type MigInventoryInput,
  type MigPackResult,
  type MigPlacement,
  type MigProfile,
} from '../index.js';

const RUNS = { numRuns: 1000 };
const GPUS = ['H100-80GB', 'A100-40GB', 'A30-24GB', 'H200-141GB'] as const;

const demandArb = (i: number): fc.Arbitrary<MigDemandInput> =>
  fc
    .record({
      memoryGiB: fc.oneof(
        fc.constantFrom(4, 9, 15, 19, 30, 39, 45, 60, 75, 120),
        fc.double({ min: 0, max: 150, noNaN: true }),
      ),
      computeSlices: fc.constantFrom(1, 1, 1, 2, 3, 4),
      replicas: fc.integer({ min: 0, max: 4 }),
      antiAffinity: fc.boolean(),
      mediaExtensions: fc.constantFrom(false, false, false, false, true),
      gpuClasses: fc.option(fc.subarray([...GPUS], { minLength: 1 }), { nil: undefined }),
    })
    .map((d) => ({
      id: `d${i}`,
      memoryGiB: d.memoryGiB,
      computeSlices: d.computeSlices,
      replicas: d.replicas,
      antiAffinity: d.antiAffinity,
      mediaExtensions: d.mediaExtensions,
      ...(d.gpuClasses === undefined ? {} : { gpuClasses: d.gpuClasses }),
    }));

const demandsArb = fc
  .integer({ min: 0, max: 8 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => demandArb(i))));

/** A valid random layout: random candidate instances kept while the layout stays valid. */
const existingArb = (gpu: string): fc.Arbitrary<MigPlacement[]> =>
  fc
    .array(
      fc.record({
        p: fc.integer({ min: 0, max: 20 }),
        s: fc.integer({ min: 0, max: 7 }),
      }),
      { maxLength: 5 },
    )
    .map((cands) => {
      const profiles = migGeometry(gpu).profiles;
      const out: MigPlacement[] = [];
      for (const c of cands) {
        const prof = profiles[c.p % profiles.length] as MigProfile;
        const next = [
          ...out,
          { profile: prof.name, start: prof.starts[c.s % prof.starts.length] as number },
        ];
        if (validateLayout(gpu, next).valid) out.push(next[next.length - 1] as MigPlacement);
      }
      return out;
    });

const inventoryArb: fc.Arbitrary<MigInventoryInput> = fc.oneof(
  fc.constantFrom(...GPUS).map((gpu) => ({ unlimited: gpu })),
  fc
    .array(
      fc
        .constantFrom(...GPUS)
        .chain((gpu) => existingArb(gpu).map((existing) => ({ gpu, existing }))),
      { maxLength: 6 },
    )
    .map((gpus) => ({ gpus: gpus.map((g, i) => ({ id: `n/${i}`, ...g })) })),
);

function check(
  demands: readonly MigDemandInput[],
  inventory: MigInventoryInput,
  r: MigPackResult,
): void {
  const byId = new Map(demands.map((d) => [d.id, d]));
  const seen = new Map<string, number[]>();
  for (const l of r.layouts) {
    const all = [...l.placements, ...l.unassigned];
    // Every emitted layout validates.
    expect(validateLayout(l.gpu, all)).toEqual({ valid: true });
    // Never more memory or compute slices than the GPU has.
    const g = migGeometry(l.gpu);
    let mem = 0;
    let cmp = 0;
    for (const p of all) {
      const prof = migProfile(l.gpu, p.profile);
      mem += prof.memorySlices;
      cmp += prof.computeSlices;
    }
    expect(mem).toBeLessThanOrEqual(g.memorySlices);
    expect(cmp).toBeLessThanOrEqual(g.computeSlices);
    const onGpu = new Set<string>();
    for (const p of l.placements) {
      const d = byId.get(p.demandId) as MigDemandInput;
      // Anti-affinity holds.
      if (d.antiAffinity === true) expect(onGpu.has(d.id)).toBe(false);
      onGpu.add(d.id);
      // The profile fits the demand and the GPU model is allowed.
      const prof = migProfile(l.gpu, p.profile);
      expect(prof.memoryGiB).toBeGreaterThanOrEqual(d.memoryGiB);
      expect(prof.computeSlices).toBeGreaterThanOrEqual(d.computeSlices ?? 1);
      expect(prof.mediaExtensions).toBe(d.mediaExtensions === true);
      if (d.gpuClasses !== undefined) expect(d.gpuClasses).toContain(l.gpu);
      const list = seen.get(d.id) ?? [];
      list.push(p.replica);
      seen.set(d.id, list);
    }
  }
  if ('gpus' in inventory) {
    // Existing instances stay where they were.
    for (const g of inventory.gpus) {
      const l = r.layouts.find((x) => x.gpuId === g.id);
      if ((g.existing ?? []).length > 0) {
        expect(l?.unassigned).toEqual([...(g.existing ?? [])].sort((a, b) => a.start - b.start));
      }
    }
  }
  // Every replica is placed exactly once or reported unplaced with a reason.
  for (const u of r.unplaced) {
    expect(u.message.length).toBeGreaterThan(0);
    expect(['no_profile_fits', 'no_allowed_gpu', 'inventory_exhausted']).toContain(u.reason);
    const list = seen.get(u.demandId) ?? [];
    list.push(...u.replicas);
    seen.set(u.demandId, list);
  }
  for (const d of demands) {
    const list = [...(seen.get(d.id) ?? [])].sort((a, b) => a - b);
    expect(list).toEqual(Array.from({ length: d.replicas }, (_, i) => i));
  }
  expect(r.gpusUsed).toBe(r.layouts.length);
  if (r.unplaced.length === 0) expect(r.gpusUsed).toBeGreaterThanOrEqual(r.lowerBound);
}

describe('packMig properties', () => {
  it('emits valid, in-bounds, anti-affine layouts and accounts for every replica', () => {
    fc.assert(
      fc.property(demandsArb, inventoryArb, (demands, inventory) => {
        check(demands, inventory, packMig(demands, inventory, { maxSearchNodes: 20_000 }));
      }),
      RUNS,
    );
  });

  it('the first-fit-decreasing baseline keeps the same invariants', () => {
    fc.assert(
      fc.property(demandsArb, inventoryArb, (demands, inventory) => {
        check(demands, inventory, packFirstFitDecreasing(demands, inventory));
      }),
      RUNS,
    );
  });
});

// ---- brute force ------------------------------------------------------------------------------

function smallest(gpu: string, d: MigDemandInput): MigProfile | undefined {
  return migGeometry(gpu)
    .profiles.filter(
      (p) =>
        !p.mediaExtensions &&
        p.memoryGiB >= d.memoryGiB &&
        p.computeSlices >= (d.computeSlices ?? 1),
    )
    .sort((a, b) => a.memorySlices - b.memorySlices || a.computeSlices - b.computeSlices)[0];
}

/** Does some start assignment make these profiles a valid layout? Plain DFS over starts. */
function feasible(
  gpu: string,
  profiles: readonly MigProfile[],
  memo: Map<string, boolean>,
): boolean {
  const key = profiles
    .map((p) => p.name)
    .sort()
    .join(',');
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const sorted = [...profiles].sort((a, b) => b.memorySlices - a.memorySlices);
  const chosen: MigPlacement[] = [];
  const used = new Set<number>();
  const dfs = (i: number): boolean => {
    if (i === sorted.length) return validateLayout(gpu, chosen).valid;
    const p = sorted[i] as MigProfile;
    for (const s of p.starts) {
      let free = true;
      for (let k = s; k < s + p.memorySlices; k++) if (used.has(k)) free = false;
      if (!free) continue;
      for (let k = s; k < s + p.memorySlices; k++) used.add(k);
      chosen.push({ profile: p.name, start: s });
      const ok = dfs(i + 1);
      chosen.pop();
      for (let k = s; k < s + p.memorySlices; k++) used.delete(k);
      if (ok) return true;
    }
    return false;
  };
  const result = dfs(0);
  memo.set(key, result);
  return result;
}

/** Minimum GPUs by DP over count vectors of "kinds" (a profile, or one anti-affinity demand). */
function bruteForce(gpu: string, demands: readonly MigDemandInput[]): number {
  const kinds: { profile: MigProfile; aa: boolean; count: number }[] = [];
  for (const d of demands) {
    const p = smallest(gpu, d);
    if (p === undefined || d.replicas === 0) continue;
    if (d.antiAffinity === true) kinds.push({ profile: p, aa: true, count: d.replicas });
    else {
      const k = kinds.find((x) => !x.aa && x.profile === p);
      if (k === undefined) kinds.push({ profile: p, aa: false, count: d.replicas });
      else k.count += d.replicas;
    }
  }
  const memoFeasible = new Map<string, boolean>();
  const memo = new Map<string, number>();
  const f = (v: number[]): number => {
    const first = v.findIndex((x) => x > 0);
    if (first < 0) return 0;
    const key = v.join(',');
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let best = Number.POSITIVE_INFINITY;
    const take: number[] = v.map(() => 0);
    const walk = (k: number): void => {
      if (k === v.length) {
        if ((take[first] as number) === 0) return;
        const profiles: MigProfile[] = [];
        take.forEach((n, i) => {
          for (let j = 0; j < n; j++) profiles.push((kinds[i] as (typeof kinds)[number]).profile);
        });
        if (!feasible(gpu, profiles, memoFeasible)) return;
        best = Math.min(best, 1 + f(v.map((x, i) => x - (take[i] as number))));
        return;
      }
      const max = (kinds[k] as (typeof kinds)[number]).aa
        ? Math.min(1, v[k] as number)
        : (v[k] as number);
      for (let n = 0; n <= max; n++) {
        take[k] = n;
        walk(k + 1);
      }
      take[k] = 0;
    };
    walk(0);
    memo.set(key, best);
    return best;
  };
  return f(kinds.map((k) => k.count));
}

const smallDemandsArb = fc
  .array(
    fc.record({
      memoryGiB: fc.constantFrom(5, 9, 15, 19, 30, 39, 60),
      computeSlices: fc.constantFrom(1, 1, 1, 2, 4),
      replicas: fc.integer({ min: 1, max: 4 }),
      antiAffinity: fc.boolean(),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((ds) => {
    let left = 12;
    const out: MigDemandInput[] = [];
    ds.forEach((d, i) => {
      const replicas = Math.min(d.replicas, left);
      left -= replicas;
      if (replicas > 0) out.push({ id: `d${i}`, ...d, replicas });
    });
    return out;
  });

describe('exactness', () => {
  it('matches a brute-force optimum on up to 12 instances (H100 and A30)', () => {
    fc.assert(
      fc.property(smallDemandsArb, fc.constantFrom('H100-80GB', 'A30-24GB'), (demands, gpu) => {
        const r = packMig(demands, { unlimited: gpu });
        expect(r.method).toBe('exact');
        expect(r.optimal).toBe(true);
        expect(r.gpusUsed).toBe(bruteForce(gpu, demands));
      }),
      RUNS,
    );
  });
});
