import { HeadroomError, parseConfig } from '@headroom/core';
import { z } from 'zod';
import type { MigGeometry, MigProfile } from './geometry.js';
import {
  MigDemandsSchema,
  MigInventorySchema,
  MigPlacementSchema,
  buildProblem,
  packProblem,
  type MigAssignedPlacement,
  type MigDemand,
  type MigDemandInput,
  type MigGpuLayout,
  type MigInventoryInput,
  type MigPackOptions,
  type MigUnplaced,
  type PoolGpuSeed,
} from './pack.js';
import { compileGeometry } from './slots.js';
import { assertValidLayout, type MigPlacement } from './validate.js';
import { resolveMigGeometry } from './geometry.js';

/** Schema of one GPU's current layout, as {@link packMig} or a previous re-pack returned it. */
export const MigCurrentGpuSchema = z
  .object({
    gpuId: z.string().min(1),
    gpu: z.string().min(1),
    placements: z.array(
      MigPlacementSchema.extend({
        demandId: z.string().min(1),
        replica: z.number().int().min(0),
      }),
    ),
    unassigned: z.array(MigPlacementSchema).optional(),
  })
  .strict();

/** What {@link repackMig} accepts as one GPU's current layout (a {@link MigGpuLayout} fits). */
export interface MigCurrentGpu {
  /** GPU id. */
  readonly gpuId: string;
  /** GPU model key. */
  readonly gpu: string;
  /** Instances serving demand replicas. */
  readonly placements: readonly MigAssignedPlacement[];
  /** Instances serving nothing; the re-packer may give them to a replica. @defaultValue [] */
  readonly unassigned?: readonly MigPlacement[];
}

/** Options of {@link repackMig}. */
export interface MigRepackOptions extends MigPackOptions {
  /**
   * Empty GPUs that may be brought into use (a list whose `existing` are empty, or an unlimited
   * model). Using a spare GPU reconfigures nothing, so it is preferred over reconfiguring a GPU
   * that serves traffic. @defaultValue none
   */
  readonly spare?: MigInventoryInput;
  /**
   * `'incremental'` (default): reconfigure as few GPUs as possible. `'full'`: the naive baseline,
   * a fresh packing of everything onto all GPUs.
   * @defaultValue 'incremental'
   */
  readonly mode?: 'incremental' | 'full';
}

/** A placement together with the GPU it is on. */
export interface MigPlacementOnGpu extends MigAssignedPlacement {
  /** The GPU. */
  readonly gpuId: string;
}

/** A GPU to drain before its reconfiguration: every replica it serves now. */
export interface MigDrain {
  /** The GPU to reconfigure. */
  readonly gpuId: string;
  /** The placements serving traffic on it now. */
  readonly placements: readonly MigAssignedPlacement[];
  /** Distinct demand ids among them, in order of first appearance. */
  readonly demandIds: readonly string[];
}

/** The outcome of {@link repackMig}. */
export interface MigRepackResult {
  /** The new layout of every current GPU (input order), then of each spare GPU brought into use. */
  readonly layouts: readonly MigGpuLayout[];
  /** GPUs that held instances and whose set of instances (profile and start) changes. */
  readonly reconfigured: readonly string[];
  /** Spare (or previously empty) GPUs that get instances. */
  readonly newGpus: readonly string[];
  /** What to drain, per reconfigured GPU, before applying its new layout. */
  readonly drainFirst: readonly MigDrain[];
  /** Replica placements that are new (including moved ones, at their new place). */
  readonly added: readonly MigPlacementOnGpu[];
  /** Replica placements that disappear (including moved ones, at their old place). */
  readonly removed: readonly MigPlacementOnGpu[];
  /** Replicas that could not be placed, with reasons. */
  readonly unplaced: readonly MigUnplaced[];
  /** GPUs holding at least one instance afterwards. */
  readonly gpusUsed: number;
  /** Which plan won: the incremental one or the full re-pack (when it reconfigures fewer GPUs). */
  readonly strategy: 'incremental' | 'full';
}

interface SpareUnlimited {
  readonly key: string;
  readonly maxGpus?: number;
  readonly idPrefix: string;
}

interface Slot {
  readonly profile: string;
  readonly start: number;
  assigned: { demandId: string; replica: number } | undefined;
}

interface GpuState {
  readonly input: MigCurrentGpu;
  readonly gpuId: string;
  readonly gpu: string;
  readonly geometry: MigGeometry;
  readonly slots: Slot[];
  changed: boolean;
}

function fits(profile: MigProfile, d: MigDemand, gpu: string): boolean {
  return (
    (d.gpuClasses === undefined || d.gpuClasses.includes(gpu)) &&
    profile.mediaExtensions === d.mediaExtensions &&
    profile.memoryGiB >= d.memoryGiB &&
    profile.computeSlices >= d.computeSlices
  );
}

function instanceKey(slots: readonly { profile: string; start: number }[]): string {
  return slots
    .map((s) => `${s.profile}@${s.start}`)
    .sort()
    .join(',');
}

function repackGeometry(key: string, options: MigPackOptions): MigGeometry {
  const custom = options.geometries?.[key];
  return resolveMigGeometry(custom ?? key, ['current', 'gpu']);
}

interface Plan {
  readonly layouts: MigGpuLayout[];
  readonly reconfigured: string[];
  readonly newGpus: string[];
  readonly unplacedCount: number;
  readonly unplaced: readonly MigUnplaced[];
}

/**
 * Incremental MIG re-packing: given the current layouts (with the demand replica each instance
 * serves) and a new demand set, plans new layouts that reconfigure as few GPUs as possible. A
 * reconfiguration clears the whole GPU, as NVIDIA mig-parted and the k8s-mig-manager apply a
 * config (every instance is destroyed and recreated, and nothing drains it for you), so:
 *
 * 1. Replicas that still fit where they are stay (a replica whose demand shrank, vanished, or
 *    whose profile no longer fits leaves its instance vacant; the instance itself stays).
 * 2. Missing replicas first take vacant instances that fit (smallest first): same layout, no
 *    reconfiguration.
 * 3. Then spare or empty GPUs (configuring an empty GPU drains nothing).
 * 4. Then GPUs are cleared and re-packed one at a time, cheapest first (fewest serving replicas to
 *    drain, then most free or vacant slices), until everything placeable is placed.
 *
 * The naive full re-pack is computed too, and returned instead when it reconfigures fewer GPUs, so
 * the result never reconfigures more than a full re-pack. GPUs that are not reconfigured keep
 * their instances exactly; a GPU whose assignments did not change is returned as the same object.
 *
 * @throws `HeadroomError` `invalid_config` for malformed demands or options; `invalid_input`
 * for a malformed or invalid current layout, duplicate GPU ids, or a spare GPU that is not empty;
 * `not_found` for an unknown GPU model.
 * @example
 * ```ts
 * const before = packMig([{ id: 'a', memoryGiB: 17, replicas: 4 }], { unlimited: 'H100-80GB' });
 * const after = repackMig(before.layouts, [{ id: 'a', memoryGiB: 17, replicas: 5 }]);
 * after.reconfigured; // the one GPU that gets the fifth 1g.20gb (or none if a spare is given)
 * ```
 */
export function repackMig(
  current: readonly MigCurrentGpu[],
  demandsInput: readonly MigDemandInput[],
  options: MigRepackOptions = {},
): MigRepackResult {
  const demands = parseConfig(MigDemandsSchema, demandsInput, ['demands']) as readonly MigDemand[];
  const parsedCurrent = current.map((c, i) => {
    const r = MigCurrentGpuSchema.safeParse(c);
    if (!r.success) {
      throw new HeadroomError({
        code: 'invalid_input',
        message: `current layout ${i} is malformed: ${r.error.issues[0]?.message ?? 'invalid'}`,
        path: ['current', i, ...(r.error.issues[0]?.path.map(String) ?? [])],
        cause: r.error,
      });
    }
    return r.data;
  });
  const ids = new Set<string>();
  const states: GpuState[] = parsedCurrent.map((c, i) => {
    if (ids.has(c.gpuId)) {
      throw new HeadroomError({
        code: 'invalid_input',
        message: `duplicate GPU id ${c.gpuId}`,
        path: ['current', i, 'gpuId'],
        value: c.gpuId,
      });
    }
    ids.add(c.gpuId);
    const geometry = repackGeometry(c.gpu, options);
    const instances = [...c.placements, ...(c.unassigned ?? [])];
    assertValidLayout(geometry, instances, ['current', i, 'placements']);
    const slots: Slot[] = [
      ...c.placements.map((p) => ({
        profile: p.profile,
        start: p.start,
        assigned: { demandId: p.demandId, replica: p.replica },
      })),
      ...(c.unassigned ?? []).map((p) => ({
        profile: p.profile,
        start: p.start,
        assigned: undefined,
      })),
    ];
    return {
      input: current[i] as MigCurrentGpu,
      gpuId: c.gpuId,
      gpu: c.gpu,
      geometry,
      slots,
      changed: false,
    };
  });

  const spareSeeds: PoolGpuSeed[] = [];
  let spareUnlimited: SpareUnlimited | undefined;
  if (options.spare !== undefined) {
    const spare = parseConfig(MigInventorySchema, options.spare, ['spare']);
    if ('gpus' in spare) {
      spare.gpus.forEach((g, i) => {
        if (g.existing.length > 0) {
          throw new HeadroomError({
            code: 'invalid_input',
            message: `spare GPU ${g.id} already holds instances; spare GPUs must be empty`,
            path: ['spare', 'gpus', i, 'existing'],
          });
        }
        if (ids.has(g.id)) {
          throw new HeadroomError({
            code: 'invalid_input',
            message: `spare GPU id ${g.id} is also a current GPU`,
            path: ['spare', 'gpus', i, 'id'],
            value: g.id,
          });
        }
        ids.add(g.id);
        spareSeeds.push({ id: g.id, gpu: g.gpu, fixed: [] });
      });
    } else {
      spareUnlimited = {
        key: spare.unlimited,
        idPrefix: spare.idPrefix,
        ...(spare.maxGpus === undefined ? {} : { maxGpus: spare.maxGpus }),
      };
    }
  }

  const full = fullPlan(states, demandsInput, spareSeeds, spareUnlimited, ids, options);
  const plan =
    options.mode === 'full'
      ? { plan: full, strategy: 'full' as const }
      : pickBetter(
          incrementalPlan(
            states,
            demands,
            demandsInput,
            spareSeeds,
            spareUnlimited,
            ids,
            options,
            full.unplacedCount,
          ),
          full,
        );
  return report(states, plan.plan, plan.strategy);
}

function pickBetter(inc: Plan, full: Plan): { plan: Plan; strategy: 'incremental' | 'full' } {
  if (
    full.unplacedCount < inc.unplacedCount ||
    (full.unplacedCount === inc.unplacedCount && full.reconfigured.length < inc.reconfigured.length)
  ) {
    return { plan: full, strategy: 'full' };
  }
  return { plan: inc, strategy: 'incremental' };
}

/** Candidates evaluated per growth round of the incremental plan. */
const CANDIDATES_PER_ROUND = 32;

const SPARE_PREFIX = '\u0000spare-';

function seedsAndInventory(
  cleared: readonly GpuState[],
  spareSeeds: readonly PoolGpuSeed[],
  spareUnlimited: SpareUnlimited | undefined,
): { seeds: PoolGpuSeed[]; unlimited?: string; maxGpus?: number; idPrefix: string } {
  const seeds: PoolGpuSeed[] = [
    ...cleared.map((s) => ({ id: s.gpuId, gpu: s.gpu, fixed: [] })),
    ...spareSeeds,
  ];
  if (spareUnlimited === undefined) return { seeds, idPrefix: SPARE_PREFIX };
  return {
    seeds,
    unlimited: spareUnlimited.key,
    idPrefix: SPARE_PREFIX,
    ...(spareUnlimited.maxGpus === undefined ? {} : { maxGpus: spareUnlimited.maxGpus }),
  };
}

/** Packs the replicas not in `skip` onto `cleared` GPUs plus spares. */
function packOnto(
  cleared: readonly GpuState[],
  demandsInput: readonly MigDemandInput[],
  skip: ReadonlyMap<string, ReadonlySet<number>>,
  spareSeeds: readonly PoolGpuSeed[],
  spareUnlimited: SpareUnlimited | undefined,
  ids: ReadonlySet<string>,
  options: MigPackOptions,
): { layouts: MigGpuLayout[]; unplaced: readonly MigUnplaced[]; unplacedCount: number } {
  const inv = seedsAndInventory(cleared, spareSeeds, spareUnlimited);
  const p = buildProblem(demandsInput, inv, options, skip);
  const result = packProblem(p);
  // Generated ids of unlimited spares: prefix + running index, skipping ids already in use.
  let counter = 0;
  const prefix = spareUnlimited?.idPrefix ?? 'gpu-';
  const layouts = result.layouts.map((l) => {
    if (!l.gpuId.startsWith(SPARE_PREFIX)) return l;
    let id = `${prefix}${counter++}`;
    while (ids.has(id)) id = `${prefix}${counter++}`;
    return { ...l, gpuId: id };
  });
  let unplacedCount = 0;
  for (const u of result.unplaced) unplacedCount += u.replicas.length;
  return { layouts, unplaced: result.unplaced, unplacedCount };
}

function assignedSkip(
  states: readonly GpuState[],
  except: ReadonlySet<GpuState>,
): Map<string, Set<number>> {
  const skip = new Map<string, Set<number>>();
  for (const s of states) {
    if (except.has(s)) continue;
    for (const slot of s.slots) {
      if (slot.assigned === undefined) continue;
      let set = skip.get(slot.assigned.demandId);
      if (set === undefined) {
        set = new Set();
        skip.set(slot.assigned.demandId, set);
      }
      set.add(slot.assigned.replica);
    }
  }
  return skip;
}

function fullPlan(
  states: readonly GpuState[],
  demandsInput: readonly MigDemandInput[],
  spareSeeds: readonly PoolGpuSeed[],
  spareUnlimited: SpareUnlimited | undefined,
  ids: ReadonlySet<string>,
  options: MigPackOptions,
): Plan {
  const packed = packOnto(
    states,
    demandsInput,
    new Map(),
    spareSeeds,
    spareUnlimited,
    ids,
    options,
  );
  return assemble(states, new Set(states), packed);
}

/** Combines untouched GPUs (their slots as they are now) with the packed layouts of the rest. */
function assemble(
  states: readonly GpuState[],
  cleared: ReadonlySet<GpuState>,
  packed: { layouts: MigGpuLayout[]; unplaced: readonly MigUnplaced[]; unplacedCount: number },
): Plan {
  const byId = new Map(packed.layouts.map((l) => [l.gpuId, l]));
  const layouts: MigGpuLayout[] = [];
  const reconfigured: string[] = [];
  const newGpus: string[] = [];
  for (const s of states) {
    if (!cleared.has(s)) {
      layouts.push(layoutOfState(s));
      continue;
    }
    const l = byId.get(s.gpuId) ?? { gpuId: s.gpuId, gpu: s.gpu, placements: [], unassigned: [] };
    byId.delete(s.gpuId);
    const before = instanceKey(s.slots);
    const after = instanceKey([...l.placements, ...l.unassigned]);
    if (before !== after) {
      if (s.slots.length > 0) reconfigured.push(s.gpuId);
      else newGpus.push(s.gpuId);
      layouts.push(l);
    } else {
      // Same instances: keep the instance order of the input, with the new assignments.
      layouts.push(sameInstancesLayout(s, l));
    }
  }
  for (const l of byId.values()) {
    layouts.push(l);
    newGpus.push(l.gpuId);
  }
  return {
    layouts,
    reconfigured,
    newGpus,
    unplaced: packed.unplaced,
    unplacedCount: packed.unplacedCount,
  };
}

function sameInstancesLayout(s: GpuState, l: MigGpuLayout): MigGpuLayout {
  const pool = [...l.placements];
  const slots: Slot[] = s.slots.map((slot) => {
    const k = pool.findIndex((p) => p.profile === slot.profile && p.start === slot.start);
    if (k < 0) return { profile: slot.profile, start: slot.start, assigned: undefined };
    const p = pool[k] as MigAssignedPlacement;
    pool.splice(k, 1);
    return {
      profile: slot.profile,
      start: slot.start,
      assigned: { demandId: p.demandId, replica: p.replica },
    };
  });
  const unchanged = slots.every(
    (x, i) =>
      (x.assigned === undefined && s.slots[i]?.assigned === undefined) ||
      (x.assigned !== undefined &&
        s.slots[i]?.assigned?.demandId === x.assigned.demandId &&
        s.slots[i]?.assigned?.replica === x.assigned.replica),
  );
  return layoutOfState({ ...s, slots, changed: !unchanged });
}

function layoutOfState(s: GpuState): MigGpuLayout {
  const input = s.input as MigGpuLayout;
  if (!s.changed && input.unassigned !== undefined) return input;
  const placements: MigAssignedPlacement[] = [];
  const unassigned: MigPlacement[] = [];
  for (const slot of s.slots) {
    if (slot.assigned === undefined) unassigned.push({ profile: slot.profile, start: slot.start });
    else
      placements.push({
        profile: slot.profile,
        start: slot.start,
        demandId: slot.assigned.demandId,
        replica: slot.assigned.replica,
      });
  }
  return { gpuId: s.gpuId, gpu: s.gpu, placements, unassigned };
}

function incrementalPlan(
  original: readonly GpuState[],
  demands: readonly MigDemand[],
  demandsInput: readonly MigDemandInput[],
  spareSeeds: readonly PoolGpuSeed[],
  spareUnlimited: SpareUnlimited | undefined,
  ids: ReadonlySet<string>,
  options: MigPackOptions,
  target: number,
): Plan {
  // Work on copies of the slots.
  const states: GpuState[] = original.map((s) => ({
    ...s,
    slots: s.slots.map((x) => ({ ...x })),
    changed: false,
  }));
  const byId = new Map(demands.map((d) => [d.id, d]));
  // 1. Keep what still fits; vacate the rest.
  const seen = new Set<string>();
  for (const s of states) {
    const cg = compileGeometry(s.geometry);
    const onGpu = new Set<string>();
    for (const slot of s.slots) {
      const a = slot.assigned;
      if (a === undefined) continue;
      const d = byId.get(a.demandId);
      const profile = cg.profileByName.get(slot.profile)?.profile;
      const key = `${a.demandId}\u0000${a.replica}`;
      const keep =
        d !== undefined &&
        profile !== undefined &&
        a.replica < d.replicas &&
        !seen.has(key) &&
        fits(profile, d, s.gpu) &&
        !(d.antiAffinity && onGpu.has(d.id));
      if (keep) {
        seen.add(key);
        onGpu.add(a.demandId);
      } else {
        slot.assigned = undefined;
        s.changed = true;
      }
    }
  }
  // 2. Missing replicas take vacant instances that fit, largest demands first.
  const missing: { d: MigDemand; replica: number }[] = [];
  for (const d of demands) {
    for (let r = 0; r < d.replicas; r++) {
      if (!seen.has(`${d.id}\u0000${r}`)) missing.push({ d, replica: r });
    }
  }
  missing.sort((x, y) => y.d.memoryGiB - x.d.memoryGiB || y.d.computeSlices - x.d.computeSlices);
  for (const m of missing) {
    let best: { s: GpuState; slot: Slot; mem: number } | undefined;
    for (const s of states) {
      if (m.d.antiAffinity && s.slots.some((x) => x.assigned?.demandId === m.d.id)) continue;
      const cg = compileGeometry(s.geometry);
      for (const slot of s.slots) {
        if (slot.assigned !== undefined) continue;
        const profile = cg.profileByName.get(slot.profile)?.profile;
        if (profile === undefined || !fits(profile, m.d, s.gpu)) continue;
        if (best === undefined || profile.memoryGiB < best.mem)
          best = { s, slot, mem: profile.memoryGiB };
      }
    }
    if (best !== undefined) {
      best.slot.assigned = { demandId: m.d.id, replica: m.replica };
      best.s.changed = true;
      seen.add(`${m.d.id}\u0000${m.replica}`);
    }
  }
  // 3. Empty current GPUs and spares; 4. then clear GPUs one at a time.
  const cleared = new Set<GpuState>(states.filter((s) => s.slots.length === 0));
  const candidates = states
    .filter((s) => s.slots.length > 0)
    .map((s, order) => {
      let serving = 0;
      let freeSlices = s.geometry.memorySlices;
      const cg = compileGeometry(s.geometry);
      for (const slot of s.slots) {
        const cls = cg.profileByName.get(slot.profile)?.cls;
        if (slot.assigned !== undefined) {
          serving++;
          freeSlices -= cls?.memorySlices ?? 0;
        }
      }
      return { s, serving, freeSlices, order };
    })
    .sort((a, b) => a.serving - b.serving || b.freeSlices - a.freeSlices || a.order - b.order);
  const run = (set: ReadonlySet<GpuState>): ReturnType<typeof packOnto> =>
    packOnto(
      states.filter((s) => set.has(s)),
      demandsInput,
      assignedSkip(states, set),
      spareSeeds,
      spareUnlimited,
      ids,
      options,
    );
  let packed = run(cleared);
  // Greedy growth of the cleared set: each round adds the candidate that leaves the fewest
  // replicas unplaced (ties: fewest replicas to drain, most free slices, input order), looking
  // at no more than CANDIDATES_PER_ROUND candidates a round to bound the work on large fleets.
  let pending = [...candidates];
  while (packed.unplacedCount > target && pending.length > 0) {
    let best: { k: number; result: ReturnType<typeof packOnto> } | undefined;
    const round = pending.slice(0, CANDIDATES_PER_ROUND);
    for (let k = 0; k < round.length; k++) {
      const trial = new Set(cleared);
      trial.add((round[k] as (typeof round)[number]).s);
      const result = run(trial);
      if (best === undefined || result.unplacedCount < best.result.unplacedCount)
        best = { k, result };
      if (result.unplacedCount <= target) break;
    }
    if (best === undefined) break;
    const chosen = best.k;
    cleared.add((round[chosen] as (typeof round)[number]).s);
    pending = pending.filter((_, k) => k !== chosen);
    packed = best.result;
  }
  return assemble(states, cleared, packed);
}

function report(
  states: readonly GpuState[],
  plan: Plan,
  strategy: 'incremental' | 'full',
): MigRepackResult {
  const before: MigPlacementOnGpu[] = [];
  for (const s of states) {
    for (const slot of s.slots) {
      if (slot.assigned !== undefined) {
        before.push({ gpuId: s.gpuId, profile: slot.profile, start: slot.start, ...slot.assigned });
      }
    }
  }
  const after: MigPlacementOnGpu[] = [];
  for (const l of plan.layouts) for (const p of l.placements) after.push({ gpuId: l.gpuId, ...p });
  const key = (p: MigPlacementOnGpu): string =>
    `${p.gpuId}\u0000${p.profile}\u0000${p.start}\u0000${p.demandId}\u0000${p.replica}`;
  const beforeKeys = new Set(before.map(key));
  const afterKeys = new Set(after.map(key));
  const reconfigured = new Set(plan.reconfigured);
  const drainFirst: MigDrain[] = states
    .filter((s) => reconfigured.has(s.gpuId))
    .map((s) => {
      const placements = s.slots
        .filter((x) => x.assigned !== undefined)
        .map((x) => ({
          profile: x.profile,
          start: x.start,
          demandId: (x.assigned as { demandId: string }).demandId,
          replica: (x.assigned as { replica: number }).replica,
        }));
      return {
        gpuId: s.gpuId,
        placements,
        demandIds: [...new Set(placements.map((p) => p.demandId))],
      };
    });
  return {
    layouts: plan.layouts,
    reconfigured: plan.reconfigured,
    newGpus: plan.newGpus,
    drainFirst,
    added: after.filter((p) => !beforeKeys.has(key(p))),
    removed: before.filter((p) => !afterKeys.has(key(p))),
    unplaced: plan.unplaced,
    gpusUsed: plan.layouts.filter((l) => l.placements.length + l.unassigned.length > 0).length,
    strategy,
  };
}
