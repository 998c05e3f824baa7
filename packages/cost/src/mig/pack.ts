import { HeadroomError, MinHeap, parseConfig } from '@headroom/core';
import { z } from 'zod';
import {
  resolveMigGeometry,
  type MigGeometry,
  type MigGeometryInput,
  type MigGeometrySpec,
  type MigProfile,
} from './geometry.js';
import {
  baseFromInstances,
  bitCount,
  compileGeometry,
  emptyBase,
  patternsFor,
  solveMultiset,
  type CompiledClass,
  type CompiledGeometry,
  type GpuBase,
} from './slots.js';
import { assertValidLayout, type MigPlacement } from './validate.js';

// ---- schemas and public types -----------------------------------------------------------------

/** Schema of one placement `{ profile, start }`. */
export const MigPlacementSchema = z
  .object({ profile: z.string().min(1), start: z.number().int().min(0) })
  .strict();

/**
 * Schema of one demand: `replicas` instances of a model that each need `memoryGiB` of usable GPU
 * memory and at least `computeSlices` compute slices.
 */
export const MigDemandSchema = z
  .object({
    /** Unique id of the demand. */
    id: z.string().min(1),
    /** The model served, for reports only. */
    model: z.string().optional(),
    /** Usable GPU memory one replica needs, GiB; finite, >= 0. */
    memoryGiB: z.number().finite().min(0),
    /** Smallest number of compute slices one replica needs; integer >= 1. @defaultValue 1 */
    computeSlices: z.number().int().min(1).default(1),
    /** Replicas to place; integer >= 0. */
    replicas: z.number().int().min(0),
    /** When true, no two replicas of this demand share a GPU. @defaultValue false */
    antiAffinity: z.boolean().default(false),
    /** GPU models a replica may use (inventory `gpu` keys); absent means any. */
    gpuClasses: z.array(z.string().min(1)).min(1).optional(),
    /** When true, a replica needs a media-extension (`+me`) profile; otherwise it never gets one. @defaultValue false */
    mediaExtensions: z.boolean().default(false),
  })
  .strict();

/** What callers pass for a demand (defaults may be omitted). */
export type MigDemandInput = z.input<typeof MigDemandSchema>;
/** A parsed demand, defaults filled in. */
export type MigDemand = z.output<typeof MigDemandSchema>;

/** Schema of a demand list: ids must be unique. */
export const MigDemandsSchema = z.array(MigDemandSchema).superRefine((demands, ctx) => {
  const seen = new Set<string>();
  demands.forEach((d, i) => {
    if (seen.has(d.id)) {
      ctx.addIssue({
        code: 'custom',
        message: `duplicate demand id ${d.id}`,
        path: [i, 'id'],
      });
    }
    seen.add(d.id);
  });
});

/** Schema of one GPU of a finite inventory. */
export const MigInventoryGpuSchema = z
  .object({
    /** Unique GPU id, for example `'node-a/0'`. */
    id: z.string().min(1),
    /** GPU model key: a catalog key (`'H100-80GB'`) or one of `options.geometries`. */
    gpu: z.string().min(1),
    /** Instances already on the GPU that the plan must keep where they are. @defaultValue [] */
    existing: z.array(MigPlacementSchema).default([]),
  })
  .strict();

/**
 * Schema of an inventory: either a list of GPUs, or as many GPUs of one model as needed
 * (`unlimited`, optionally capped by `maxGpus`; ids are `idPrefix` + index).
 */
export const MigInventorySchema = z.union([
  z
    .object({ gpus: z.array(MigInventoryGpuSchema) })
    .strict()
    .superRefine((inv, ctx) => {
      const seen = new Set<string>();
      inv.gpus.forEach((g, i) => {
        if (seen.has(g.id)) {
          ctx.addIssue({
            code: 'custom',
            message: `duplicate GPU id ${g.id}`,
            path: ['gpus', i, 'id'],
          });
        }
        seen.add(g.id);
      });
    }),
  z
    .object({
      unlimited: z.string().min(1),
      maxGpus: z.number().int().min(0).optional(),
      idPrefix: z.string().default('gpu-'),
    })
    .strict(),
]);

/** What callers pass for an inventory. */
export type MigInventoryInput = z.input<typeof MigInventorySchema>;

/** Options of the packers. */
export interface MigPackOptions {
  /** Custom geometries by GPU model key; they take precedence over the catalog. */
  readonly geometries?: Readonly<Record<string, MigGeometryInput | MigGeometry>>;
  /**
   * Problems with at most this many replicas get the exact branch-and-bound search; larger ones the
   * pattern heuristic. Integer in [0, 40].
   * @defaultValue 12
   */
  readonly exactMaxReplicas?: number;
  /**
   * Node budget of the exact search; when spent, the best packing found so far is returned with
   * `optimal: false` (unless it meets the lower bound). Integer >= 1.
   * @defaultValue 200000
   */
  readonly maxSearchNodes?: number;
}

/** A placement serving one replica of one demand. */
export interface MigAssignedPlacement extends MigPlacement {
  /** The demand this instance serves. */
  readonly demandId: string;
  /** Replica index within the demand, 0-based. */
  readonly replica: number;
}

/** The MIG layout of one GPU. */
export interface MigGpuLayout {
  /** GPU id from the inventory. */
  readonly gpuId: string;
  /** GPU model key. */
  readonly gpu: string;
  /** Instances serving demands, ascending by start. */
  readonly placements: readonly MigAssignedPlacement[];
  /** Instances on the GPU that serve none of the demands (pre-existing or vacated), ascending by start. */
  readonly unassigned: readonly MigPlacement[];
}

/** Why replicas could not be placed. */
export type MigUnplacedReason = 'no_profile_fits' | 'no_allowed_gpu' | 'inventory_exhausted';

/** Replicas of one demand that the packer could not place, with the reason. */
export interface MigUnplaced {
  /** The demand. */
  readonly demandId: string;
  /** The replica indices left unplaced. */
  readonly replicas: readonly number[];
  /** Machine-readable reason. */
  readonly reason: MigUnplacedReason;
  /** A sentence naming the demand's needs and what was missing. */
  readonly message: string;
}

/** The outcome of a packing. */
export interface MigPackResult {
  /** Every GPU that holds at least one instance, in inventory order. */
  readonly layouts: readonly MigGpuLayout[];
  /** Number of GPUs in `layouts`. */
  readonly gpusUsed: number;
  /** Sum over used GPUs of free memory slices on which no further instance could be created. */
  readonly strandedSlices: number;
  /** Replicas not placed, grouped by demand and reason; empty when everything fits. */
  readonly unplaced: readonly MigUnplaced[];
  /** Which algorithm produced the layouts. */
  readonly method: 'exact' | 'heuristic' | 'first_fit_decreasing';
  /**
   * True when the GPU count is proven minimal (the exact search finished, or the count meets the
   * lower bound) for the replicas placed.
   */
  readonly optimal: boolean;
  /** A lower bound on the GPUs any packing of the placeable replicas needs. */
  readonly lowerBound: number;
  /** Search nodes the exact search visited (0 for the heuristics). */
  readonly searchNodes: number;
}

// ---- problem model ----------------------------------------------------------------------------

interface TypeCtx {
  readonly index: number;
  readonly key: string;
  readonly cg: CompiledGeometry;
}

interface PoolGpu {
  readonly index: number;
  readonly id: string;
  readonly type: TypeCtx;
  readonly base: GpuBase;
  readonly unassigned: readonly MigPlacement[];
  /** Demands (by index) with a replica already on this GPU (anti-affinity), re-packing only. */
  readonly present: ReadonlySet<number>;
  /** Assigned placements already on the GPU that are kept as they are (re-packing only). */
  readonly kept: readonly MigAssignedPlacement[];
  readonly fresh: boolean;
}

interface Item {
  readonly index: number;
  readonly demand: number;
  readonly replica: number;
  /** Slot class per type index (undefined: not allowed or nothing fits). */
  readonly cls: readonly (CompiledClass | undefined)[];
  readonly profile: readonly (MigProfile | undefined)[];
  readonly aa: boolean;
  readonly equivKey: string;
  readonly minMem: number;
  readonly minCompute: number;
}

interface Problem {
  readonly demands: readonly MigDemand[];
  readonly types: readonly TypeCtx[];
  readonly pool: readonly PoolGpu[];
  readonly items: readonly Item[];
  readonly unplaceable: readonly { item: Item; reason: MigUnplacedReason }[];
  readonly finite: boolean;
  readonly exactMaxReplicas: number;
  readonly maxSearchNodes: number;
}

/** Assignment of items to pool GPUs: `gpuItems[g]` lists item indices. */
interface Assignment {
  readonly gpuItems: number[][];
  readonly unplaced: number[];
}

/** Internal: extra per-GPU state the re-packer passes in. */
export interface PoolGpuSeed {
  readonly id: string;
  readonly gpu: string;
  readonly fixed: readonly MigPlacement[];
  readonly kept?: readonly MigAssignedPlacement[];
}

/**
 * Chooses the smallest MIG profile of a geometry that fits one replica: usable memory at least
 * `memoryGiB`, compute slices at least `computeSlices`, media extensions exactly when asked for.
 * "Smallest" orders by memory slices, then compute slices, then name: so `1g.20gb` (1 compute
 * slice) beats `2g.20gb` for a 15 GiB model, and `3g.40gb` beats `4g.40gb`; the winner always
 * uses no more of either slice axis and has at least as many valid starts.
 *
 * @returns the profile, or undefined when none fits.
 * @throws `HeadroomError` `not_found` / `invalid_config` for an unknown GPU or a bad geometry.
 * @example
 * ```ts
 * smallestFittingProfile('H100-80GB', { memoryGiB: 15 })?.name; // '1g.20gb'
 * smallestFittingProfile('H100-80GB', { memoryGiB: 15, computeSlices: 2 })?.name; // '2g.20gb'
 * ```
 */
export function smallestFittingProfile(
  gpu: MigGeometrySpec,
  need: {
    readonly memoryGiB: number;
    readonly computeSlices?: number;
    readonly mediaExtensions?: boolean;
  },
): MigProfile | undefined {
  const g = resolveMigGeometry(gpu);
  const compute = need.computeSlices ?? 1;
  const media = need.mediaExtensions === true;
  if (!Number.isFinite(need.memoryGiB) || !Number.isFinite(compute)) return undefined;
  // Profiles are sorted small to large, so the first fit is the smallest.
  return g.profiles.find(
    (p) =>
      p.mediaExtensions === media && p.memoryGiB >= need.memoryGiB && p.computeSlices >= compute,
  );
}

function resolveType(
  key: string,
  options: MigPackOptions,
  path: readonly (string | number)[],
): MigGeometry {
  const custom = options.geometries?.[key];
  if (custom !== undefined) return resolveMigGeometry(custom, ['geometries', key]);
  try {
    return resolveMigGeometry(key, path);
  } catch (error) {
    throw new HeadroomError({
      code: 'not_found',
      message: `unknown GPU model ${JSON.stringify(key)}: not in the MIG catalog and not in options.geometries`,
      path,
      value: key,
      cause: error,
    });
  }
}

function checkOptions(options: MigPackOptions): {
  exactMaxReplicas: number;
  maxSearchNodes: number;
} {
  const exactMaxReplicas = options.exactMaxReplicas ?? 12;
  const maxSearchNodes = options.maxSearchNodes ?? 200_000;
  if (!Number.isInteger(exactMaxReplicas) || exactMaxReplicas < 0 || exactMaxReplicas > 40) {
    throw new HeadroomError({
      code: 'invalid_config',
      message: 'exactMaxReplicas must be an integer in [0, 40]',
      path: ['exactMaxReplicas'],
      value: exactMaxReplicas,
      limit: 'integer in [0, 40]',
    });
  }
  if (!Number.isInteger(maxSearchNodes) || maxSearchNodes < 1) {
    throw new HeadroomError({
      code: 'invalid_config',
      message: 'maxSearchNodes must be an integer >= 1',
      path: ['maxSearchNodes'],
      value: maxSearchNodes,
      limit: 'integer >= 1',
    });
  }
  return { exactMaxReplicas, maxSearchNodes };
}

/** Internal: builds the problem. `seeds` replaces a parsed inventory (re-packing). */
export function buildProblem(
  demandsInput: readonly MigDemandInput[],
  inventory:
    | MigInventoryInput
    | {
        readonly seeds: readonly PoolGpuSeed[];
        readonly unlimited?: string;
        readonly maxGpus?: number;
        readonly idPrefix?: string;
      },
  options: MigPackOptions,
  skipReplicas?: ReadonlyMap<string, ReadonlySet<number>>,
): Problem {
  const { exactMaxReplicas, maxSearchNodes } = checkOptions(options);
  const demands = parseConfig(MigDemandsSchema, demandsInput, ['demands']) as readonly MigDemand[];
  const typeByKey = new Map<string, TypeCtx>();
  const typeOf = (key: string, path: readonly (string | number)[]): TypeCtx => {
    let t = typeByKey.get(key);
    if (t === undefined) {
      t = { index: typeByKey.size, key, cg: compileGeometry(resolveType(key, options, path)) };
      typeByKey.set(key, t);
    }
    return t;
  };
  const pool: PoolGpu[] = [];
  const demandIndex = new Map(demands.map((d, i) => [d.id, i]));
  const addSeed = (seed: PoolGpuSeed, path: readonly (string | number)[]): void => {
    const type = typeOf(seed.gpu, [...path, 'gpu']);
    const all = [...seed.fixed, ...(seed.kept ?? [])];
    assertValidLayout(type.cg.geometry, all, [...path, 'existing']);
    const base = baseFromInstances(
      type.cg,
      all.map((p) => {
        const entry = type.cg.profileByName.get(p.profile);
        return { cls: entry?.cls as CompiledClass, start: p.start };
      }),
    );
    const present = new Set<number>();
    for (const k of seed.kept ?? []) {
      const d = demandIndex.get(k.demandId);
      if (d !== undefined) present.add(d);
    }
    pool.push({
      index: pool.length,
      id: seed.id,
      type,
      base,
      unassigned: [...seed.fixed].sort((a, b) => a.start - b.start),
      present,
      kept: seed.kept ?? [],
      fresh: all.length === 0,
    });
  };
  let unlimitedKey: string | undefined;
  let maxGpus = Number.POSITIVE_INFINITY;
  let idPrefix = 'gpu-';
  let finite = true;
  if ('seeds' in inventory) {
    inventory.seeds.forEach((s, i) => addSeed(s, ['inventory', 'gpus', i]));
    if (inventory.unlimited !== undefined) {
      unlimitedKey = inventory.unlimited;
      maxGpus = inventory.maxGpus ?? Number.POSITIVE_INFINITY;
    }
    idPrefix = inventory.idPrefix ?? idPrefix;
  } else {
    const inv = parseConfig(MigInventorySchema, inventory, ['inventory']);
    if ('gpus' in inv) {
      inv.gpus.forEach((g, i) =>
        addSeed({ id: g.id, gpu: g.gpu, fixed: g.existing }, ['inventory', 'gpus', i]),
      );
    } else {
      unlimitedKey = inv.unlimited;
      maxGpus = inv.maxGpus ?? Number.POSITIVE_INFINITY;
      idPrefix = inv.idPrefix;
    }
  }
  if (unlimitedKey !== undefined) typeOf(unlimitedKey, ['inventory', 'unlimited']);
  const types = [...typeByKey.values()];

  const items: Item[] = [];
  const unplaceable: { item: Item; reason: MigUnplacedReason }[] = [];
  demands.forEach((d, di) => {
    const skip = skipReplicas?.get(d.id);
    const cls: (CompiledClass | undefined)[] = [];
    const profile: (MigProfile | undefined)[] = [];
    let allowedAny = false;
    for (const t of types) {
      const allowed = d.gpuClasses === undefined || d.gpuClasses.includes(t.key);
      allowedAny ||= allowed;
      const p = allowed ? smallestFittingProfile(t.cg.geometry, d) : undefined;
      profile.push(p);
      cls.push(p === undefined ? undefined : t.cg.classByName.get(p.slotClass));
    }
    let minMem = Number.POSITIVE_INFINITY;
    let minCompute = Number.POSITIVE_INFINITY;
    for (const c of cls) {
      if (c === undefined) continue;
      minMem = Math.min(minMem, c.memorySlices);
      minCompute = Math.min(minCompute, c.computeSlices);
    }
    const equivKey = `${cls.map((c) => (c === undefined ? '-' : c.name)).join('/')}|${d.antiAffinity ? d.id : ''}`;
    for (let r = 0; r < d.replicas; r++) {
      if (skip?.has(r) === true) continue;
      const item: Item = {
        index: items.length,
        demand: di,
        replica: r,
        cls,
        profile,
        aa: d.antiAffinity,
        equivKey,
        minMem,
        minCompute,
      };
      if (!allowedAny) unplaceable.push({ item, reason: 'no_allowed_gpu' });
      else if (cls.every((c) => c === undefined))
        unplaceable.push({ item, reason: 'no_profile_fits' });
      else items.push(item);
    }
  });
  // Re-index placeable items densely, largest first (then demand order, then replica).
  items.sort(
    (a, b) =>
      b.minMem - a.minMem ||
      b.minCompute - a.minCompute ||
      (a.equivKey < b.equivKey ? -1 : a.equivKey > b.equivKey ? 1 : 0) ||
      a.demand - b.demand ||
      a.replica - b.replica,
  );
  const sortedItems = items.map((it, index) => ({ ...it, index }));

  if (unlimitedKey !== undefined) {
    finite = Number.isFinite(maxGpus);
    const type = typeByKey.get(unlimitedKey) as TypeCtx;
    const need = Math.min(maxGpus, sortedItems.length);
    const base = emptyBase(type.cg);
    for (let i = 0; i < need; i++) {
      pool.push({
        index: pool.length,
        id: `${idPrefix}${i}`,
        type,
        base,
        unassigned: [],
        present: new Set(),
        kept: [],
        fresh: true,
      });
    }
  }
  return {
    demands,
    types,
    pool,
    items: sortedItems,
    unplaceable,
    finite,
    exactMaxReplicas,
    maxSearchNodes,
  };
}

// ---- lower bound ------------------------------------------------------------------------------

function lowerBoundOfItems(p: Problem): number {
  // Valid for any pool: every used GPU offers at most the largest geometry's slices.
  let mem = 0;
  let compute = 0;
  let maxM = 1;
  let maxC = 1;
  for (const t of p.types) {
    maxM = Math.max(maxM, t.cg.memorySlices);
    maxC = Math.max(maxC, t.cg.computeSlices);
  }
  const aa = new Map<number, number>();
  const singleType = p.types.length === 1 ? p.types[0] : undefined;
  const perClass = new Map<CompiledClass, number>();
  let big = 0;
  for (const it of p.items) {
    mem += it.minMem;
    compute += it.minCompute;
    if (it.aa) aa.set(it.demand, (aa.get(it.demand) ?? 0) + 1);
    if (singleType !== undefined) {
      const c = it.cls[0] as CompiledClass;
      perClass.set(c, (perClass.get(c) ?? 0) + 1);
      if (2 * c.computeSlices > singleType.cg.computeSlices) big++;
    }
  }
  // Fixed instances on pool GPUs occupy capacity too.
  let fixedGpus = 0;
  for (const g of p.pool) {
    if (g.fresh) continue;
    fixedGpus++;
    mem += bitCount(g.base.mask);
    compute += g.base.compute;
  }
  let lb = Math.max(Math.ceil(mem / maxM), Math.ceil(compute / maxC), fixedGpus);
  for (const n of aa.values()) lb = Math.max(lb, n);
  if (singleType !== undefined && fixedGpus === 0) {
    for (const [c, n] of perClass) lb = Math.max(lb, Math.ceil(n / c.maxCount));
    lb = Math.max(lb, big);
  }
  return lb;
}

/**
 * A lower bound on the GPUs of one model that any MIG packing of `demands` needs: the largest of
 * ceil(total memory slices / GPU memory slices), ceil(total compute slices / GPU compute slices),
 * the replicas of any anti-affinity demand, ceil(instances of a class / its per-GPU maximum), and
 * the number of instances taking more than half the compute slices (no two share a GPU). Each
 * replica counts with its smallest fitting profile; replicas nothing fits are left out.
 *
 * @throws `HeadroomError` `invalid_config` for bad demands, `not_found` for an unknown GPU.
 * @example
 * ```ts
 * lowerBound([{ id: 'llm', memoryGiB: 30, replicas: 5 }], 'H100-80GB'); // 3 (two 3g.40gb per GPU)
 * ```
 */
export function lowerBound(
  demands: readonly MigDemandInput[],
  gpu: string,
  options: MigPackOptions = {},
): number {
  const p = buildProblem(demands, { unlimited: gpu, maxGpus: 0 }, options);
  return lowerBoundOfItems(p);
}

// ---- the pattern heuristic --------------------------------------------------------------------

interface Availability {
  /** Remaining replicas per demand. */
  readonly remaining: number[];
  /** Per type, per class: remaining replicas of demands without anti-affinity. */
  readonly nonAa: number[][];
  /** Per type, per class: items of non-AA demands not yet placed (stack). */
  readonly nonAaItems: number[][][];
  /** Per type, per class: AA demands by remaining replicas (max-heap, lazily corrected). */
  readonly aaHeaps: MinHeap<{ demand: number; remaining: number }>[][];
  /** Per type, per class: AA demands with remaining replicas. */
  readonly aaActive: number[][];
  /** Per demand: its unplaced items (stack, lowest replica last). */
  readonly demandItems: number[][];
  readonly placed: boolean[];
}

function buildAvailability(p: Problem, subset: readonly number[]): Availability {
  const remaining = p.demands.map(() => 0);
  const demandItems: number[][] = p.demands.map(() => []);
  const nonAa = p.types.map((t) => t.cg.classes.map(() => 0));
  const nonAaItems = p.types.map((t) => t.cg.classes.map((): number[] => []));
  const aaHeaps = p.types.map((t) =>
    t.cg.classes.map(
      () =>
        new MinHeap<{ demand: number; remaining: number }>(
          (a, b) => b.remaining - a.remaining || a.demand - b.demand,
        ),
    ),
  );
  const aaActive = p.types.map((t) => t.cg.classes.map(() => 0));
  for (let k = subset.length - 1; k >= 0; k--) {
    const it = p.items[subset[k] as number] as Item;
    remaining[it.demand] = (remaining[it.demand] ?? 0) + 1;
    (demandItems[it.demand] as number[]).push(it.index);
    if (!it.aa) {
      it.cls.forEach((c, t) => {
        if (c === undefined) return;
        (nonAa[t] as number[])[c.index] = ((nonAa[t] as number[])[c.index] ?? 0) + 1;
        ((nonAaItems[t] as number[][])[c.index] as number[]).push(it.index);
      });
    }
  }
  // demandItems: pop() must give the lowest replica first.
  for (const list of demandItems)
    list.sort((a, b) => (p.items[b] as Item).replica - (p.items[a] as Item).replica);
  p.demands.forEach((d, di) => {
    if (!d.antiAffinity || (remaining[di] ?? 0) === 0) return;
    const first = p.items[(demandItems[di] as number[])[0] as number] as Item;
    first.cls.forEach((c, t) => {
      if (c === undefined) return;
      (
        (aaHeaps[t] as MinHeap<{ demand: number; remaining: number }>[])[c.index] as MinHeap<{
          demand: number;
          remaining: number;
        }>
      ).push({ demand: di, remaining: remaining[di] as number });
      (aaActive[t] as number[])[c.index] = ((aaActive[t] as number[])[c.index] ?? 0) + 1;
    });
  });
  return {
    remaining,
    nonAa,
    nonAaItems,
    aaHeaps,
    aaActive,
    demandItems,
    placed: p.items.map(() => false),
  };
}

function markPlaced(p: Problem, av: Availability, itemIndex: number): void {
  const it = p.items[itemIndex] as Item;
  av.placed[itemIndex] = true;
  const left = (av.remaining[it.demand] as number) - 1;
  av.remaining[it.demand] = left;
  if (it.aa) {
    if (left === 0) {
      it.cls.forEach((c, t) => {
        if (c !== undefined)
          (av.aaActive[t] as number[])[c.index] =
            ((av.aaActive[t] as number[])[c.index] as number) - 1;
      });
    }
  } else {
    it.cls.forEach((c, t) => {
      if (c !== undefined)
        (av.nonAa[t] as number[])[c.index] = ((av.nonAa[t] as number[])[c.index] as number) - 1;
    });
  }
}

/** Picks and places concrete items for `add` on GPU `g`; returns the item indices. */
function takeItems(p: Problem, av: Availability, g: PoolGpu, add: readonly number[]): number[] {
  const t = g.type.index;
  const out: number[] = [];
  add.forEach((n, c) => {
    if (n === 0) return;
    let need = n;
    // Anti-affinity demands first, those with the most replicas left first: spreading them early
    // keeps enough distinct GPUs for their last replicas.
    const heap = (av.aaHeaps[t] as MinHeap<{ demand: number; remaining: number }>[])[c] as MinHeap<{
      demand: number;
      remaining: number;
    }>;
    const skipped = new Map<number, number>();
    while (need > 0 && heap.size > 0) {
      const top = heap.pop() as { demand: number; remaining: number };
      const actual = av.remaining[top.demand] as number;
      if (actual === 0 || skipped.has(top.demand)) continue;
      if (actual !== top.remaining) {
        heap.push({ demand: top.demand, remaining: actual });
        continue;
      }
      if (g.present.has(top.demand)) {
        skipped.set(top.demand, actual);
        continue;
      }
      const list = av.demandItems[top.demand] as number[];
      const itemIndex = list.pop() as number;
      out.push(itemIndex);
      markPlaced(p, av, itemIndex);
      skipped.set(top.demand, actual - 1);
      need--;
    }
    for (const [demand, remaining] of skipped) if (remaining > 0) heap.push({ demand, remaining });
    const stack = (av.nonAaItems[t] as number[][])[c] as number[];
    while (need > 0 && stack.length > 0) {
      const itemIndex = stack.pop() as number;
      if (av.placed[itemIndex] === true) continue;
      out.push(itemIndex);
      markPlaced(p, av, itemIndex);
      // keep the demand's own stack consistent (lazy: filtered when used)
      need--;
    }
  });
  return out;
}

/** Availability of each class on GPU `g` for one more instance set: what a pattern may use. */
function availableOn(p: Problem, av: Availability, g: PoolGpu): number[] {
  const t = g.type.index;
  return g.type.cg.classes.map((c) => {
    let aa = (av.aaActive[t] as number[])[c.index] as number;
    if (aa > 0 && g.present.size > 0) {
      for (const d of g.present) {
        const it = p.items[(av.demandItems[d] as number[])[0] ?? -1];
        if (it !== undefined && it.aa && (av.remaining[d] as number) > 0 && it.cls[t] === c) aa--;
      }
    }
    return ((av.nonAa[t] as number[])[c.index] as number) + aa;
  });
}

function bestPattern(
  g: PoolGpu,
  avail: readonly number[],
): { add: readonly number[]; score: number } | undefined {
  for (const pat of patternsFor(g.type.cg, g.base)) {
    let ok = true;
    for (let c = 0; c < avail.length; c++) {
      if ((pat.add[c] as number) > (avail[c] as number)) {
        ok = false;
        break;
      }
    }
    if (ok) return pat;
  }
  return undefined;
}

/**
 * The pattern heuristic: fill one GPU at a time with the feasible multiset (precomputed per GPU
 * base) that covers most of it, among those the remaining replicas can supply. GPUs that already
 * hold instances are filled first (they are in use anyway); then fresh GPUs, choosing the model
 * whose best pattern fills most.
 */
function heuristic(
  p: Problem,
  subset: readonly number[],
  poolSubset?: readonly number[],
): Assignment {
  const av = buildAvailability(p, subset);
  const gpuItems: number[][] = p.pool.map(() => []);
  const poolIdx = poolSubset ?? p.pool.map((g) => g.index);
  let left = subset.length;
  for (const gi of poolIdx) {
    const g = p.pool[gi] as PoolGpu;
    if (g.fresh || left === 0) continue;
    const pat = bestPattern(g, availableOn(p, av, g));
    if (pat === undefined) continue;
    const taken = takeItems(p, av, g, pat.add);
    gpuItems[gi] = taken;
    left -= taken.length;
  }
  // Fresh GPUs, per type in pool order.
  const freshByType = p.types.map(() => [] as number[]);
  for (const gi of poolIdx) {
    const g = p.pool[gi] as PoolGpu;
    if (g.fresh) (freshByType[g.type.index] as number[]).push(gi);
  }
  const next = p.types.map(() => 0);
  while (left > 0) {
    let best: { gi: number; add: readonly number[]; score: number } | undefined;
    for (const t of p.types) {
      const list = freshByType[t.index] as number[];
      const gi = list[next[t.index] as number];
      if (gi === undefined) continue;
      const g = p.pool[gi] as PoolGpu;
      const pat = bestPattern(g, availableOn(p, av, g));
      if (pat !== undefined && (best === undefined || pat.score > best.score)) {
        best = { gi, add: pat.add, score: pat.score };
      }
    }
    if (best === undefined) break;
    const g = p.pool[best.gi] as PoolGpu;
    next[g.type.index] = (next[g.type.index] as number) + 1;
    const taken = takeItems(p, av, g, best.add);
    gpuItems[best.gi] = taken;
    left -= taken.length;
  }
  const unplaced = subset.filter((i) => av.placed[i] !== true);
  return { gpuItems, unplaced };
}

// ---- exact branch and bound -------------------------------------------------------------------

interface Score {
  readonly unplaced: number;
  readonly used: number;
  readonly stranded: number;
}

function better(a: Score, b: Score): boolean {
  return (
    a.unplaced < b.unplaced ||
    (a.unplaced === b.unplaced &&
      (a.used < b.used || (a.used === b.used && a.stranded < b.stranded)))
  );
}

function scoreOf(p: Problem, a: Assignment): Score {
  let used = 0;
  let stranded = 0;
  p.pool.forEach((g, gi) => {
    const items = a.gpuItems[gi] ?? [];
    if (g.fresh && items.length === 0) return;
    used++;
    const sol = solveMultiset(g.type.cg, g.base, addVector(p, g, items));
    stranded += sol?.stranded ?? 0;
  });
  return { unplaced: a.unplaced.length, used, stranded };
}

function addVector(p: Problem, g: PoolGpu, items: readonly number[]): number[] {
  const add = g.type.cg.classes.map(() => 0);
  for (const i of items) {
    const c = (p.items[i] as Item).cls[g.type.index] as CompiledClass;
    add[c.index] = (add[c.index] ?? 0) + 1;
  }
  return add;
}

function exact(
  p: Problem,
  incumbent: Assignment,
  rootBound: number,
): { assignment: Assignment; nodes: number; complete: boolean } {
  const n = p.items.length;
  let best = incumbent;
  let bestScore = scoreOf(p, incumbent);
  const gpuAdd = p.pool.map((g) => g.type.cg.classes.map(() => 0));
  const gpuItems: number[][] = p.pool.map(() => []);
  const gpuDemands: number[][] = p.pool.map((g) => [...g.present]);
  const open: number[] = [];
  const freshByType = p.types.map(() => [] as number[]);
  for (const g of p.pool) {
    if (g.fresh) (freshByType[g.type.index] as number[]).push(g.index);
    else open.push(g.index);
  }
  const nextFresh = p.types.map(() => 0);
  const itemGpu: number[] = new Array<number>(n).fill(-1);
  const unplaced: number[] = [];
  let used = open.length;
  let nodes = 0;
  let aborted = false;
  const maxM = Math.max(...p.types.map((t) => t.cg.memorySlices));
  const maxC = Math.max(...p.types.map((t) => t.cg.computeSlices));
  // Suffix sums of the items' smallest slice needs, for the bound.
  const sufMem: number[] = new Array<number>(n + 1).fill(0);
  const sufCmp: number[] = new Array<number>(n + 1).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    const it = p.items[i] as Item;
    sufMem[i] = (sufMem[i + 1] as number) + it.minMem;
    sufCmp[i] = (sufCmp[i + 1] as number) + it.minCompute;
  }
  const usedMem = p.pool.map((g) => bitCount(g.base.mask));
  const usedCmp = p.pool.map((g) => g.base.compute);

  const bound = (i: number): number => {
    let freeMem = 0;
    let freeCmp = 0;
    for (const gi of open) {
      const g = p.pool[gi] as PoolGpu;
      freeMem += g.type.cg.memorySlices - (usedMem[gi] as number);
      freeCmp += g.type.cg.computeSlices - (usedCmp[gi] as number);
    }
    const extra = Math.max(
      0,
      Math.ceil(((sufMem[i] as number) - freeMem) / maxM),
      Math.ceil(((sufCmp[i] as number) - freeCmp) / maxC),
    );
    return Math.max(used + extra, rootBound);
  };

  const done = (): boolean =>
    bestScore.unplaced === 0 && bestScore.used <= rootBound && bestScore.stranded === 0;

  const dfs = (i: number): void => {
    if (aborted) return;
    nodes++;
    if (nodes > p.maxSearchNodes) {
      aborted = true;
      return;
    }
    if (i === n) {
      const a: Assignment = { gpuItems: gpuItems.map((l) => [...l]), unplaced: [...unplaced] };
      const s = scoreOf(p, a);
      if (better(s, bestScore)) {
        best = a;
        bestScore = s;
      }
      return;
    }
    const lb = bound(i);
    if (
      unplaced.length > bestScore.unplaced ||
      (unplaced.length === bestScore.unplaced &&
        (lb > bestScore.used || (lb === bestScore.used && bestScore.stranded === 0)))
    ) {
      return;
    }
    const it = p.items[i] as Item;
    const prev = i > 0 ? (p.items[i - 1] as Item) : undefined;
    const minGpu =
      prev !== undefined && prev.equivKey === it.equivKey ? (itemGpu[i - 1] as number) : -1;
    const tryGpu = (gi: number, opening: boolean): void => {
      const g = p.pool[gi] as PoolGpu;
      const t = g.type.index;
      const c = it.cls[t];
      if (c === undefined) return;
      if (gi < minGpu || (it.aa && gi === minGpu)) return;
      if (it.aa && (gpuDemands[gi] as number[]).includes(it.demand)) return;
      const add = gpuAdd[gi] as number[];
      add[c.index] = (add[c.index] as number) + 1;
      if (solveMultiset(g.type.cg, g.base, add) !== null) {
        (gpuItems[gi] as number[]).push(i);
        (gpuDemands[gi] as number[]).push(it.demand);
        usedMem[gi] = (usedMem[gi] as number) + c.memorySlices;
        usedCmp[gi] = (usedCmp[gi] as number) + c.computeSlices;
        itemGpu[i] = gi;
        if (opening) {
          open.push(gi);
          used++;
          nextFresh[t] = (nextFresh[t] as number) + 1;
        }
        dfs(i + 1);
        if (opening) {
          open.pop();
          used--;
          nextFresh[t] = (nextFresh[t] as number) - 1;
        }
        usedMem[gi] = (usedMem[gi] as number) - c.memorySlices;
        usedCmp[gi] = (usedCmp[gi] as number) - c.computeSlices;
        (gpuDemands[gi] as number[]).pop();
        (gpuItems[gi] as number[]).pop();
      }
      add[c.index] = (add[c.index] as number) - 1;
    };
    for (const gi of [...open].sort((a, b) => a - b)) {
      tryGpu(gi, false);
      if (aborted || done()) return;
    }
    for (const t of p.types) {
      const gi = (freshByType[t.index] as number[])[nextFresh[t.index] as number];
      if (gi !== undefined) tryGpu(gi, true);
      if (aborted || done()) return;
    }
    if (p.finite) {
      itemGpu[i] = Number.MAX_SAFE_INTEGER;
      unplaced.push(i);
      dfs(i + 1);
      unplaced.pop();
    }
  };
  if (!done()) dfs(0);
  return { assignment: best, nodes, complete: !aborted };
}

// ---- results ----------------------------------------------------------------------------------

function describeNeed(d: MigDemand): string {
  return `${d.memoryGiB} GiB and ${d.computeSlices} compute slice${d.computeSlices === 1 ? '' : 's'}${d.mediaExtensions ? ' with media extensions' : ''}`;
}

function unplacedEntries(p: Problem, a: Assignment): MigUnplaced[] {
  const groups = new Map<
    string,
    { demand: number; reason: MigUnplacedReason; replicas: number[] }
  >();
  const add = (it: Item, reason: MigUnplacedReason): void => {
    const key = `${it.demand}|${reason}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { demand: it.demand, reason, replicas: [] };
      groups.set(key, g);
    }
    g.replicas.push(it.replica);
  };
  for (const u of p.unplaceable) add(u.item, u.reason);
  for (const i of a.unplaced) add(p.items[i] as Item, 'inventory_exhausted');
  const typeKeys = p.types.map((t) => t.key).join(', ');
  return [...groups.values()]
    .sort((x, y) => x.demand - y.demand || (x.reason < y.reason ? -1 : 1))
    .map((g) => {
      const d = p.demands[g.demand] as MigDemand;
      const replicas = [...g.replicas].sort((x, y) => x - y);
      let message: string;
      if (g.reason === 'no_allowed_gpu') {
        message = `demand ${d.id} allows GPU models ${(d.gpuClasses ?? []).join(', ')}; the inventory has ${typeKeys || 'none'}`;
      } else if (g.reason === 'no_profile_fits') {
        const largest = p.types
          .filter((t) => d.gpuClasses === undefined || d.gpuClasses.includes(t.key))
          .map((t) => {
            const top = [...t.cg.geometry.profiles].sort((x, y) => y.memoryGiB - x.memoryGiB)[0];
            return top === undefined ? t.key : `${t.key} ${top.name} (${top.memoryGiB} GiB usable)`;
          })
          .join('; ');
        message = `demand ${d.id} needs ${describeNeed(d)} per replica: no MIG profile fits (largest: ${largest})`;
      } else {
        message = `${replicas.length} of ${d.replicas} replicas of demand ${d.id} (${describeNeed(d)}) did not fit: the inventory has no room left on an allowed GPU${d.antiAffinity ? ' without another replica of it (anti-affinity)' : ''}`;
      }
      return { demandId: d.id, replicas, reason: g.reason, message };
    });
}

/** Internal: turns an assignment into per-GPU layouts with concrete starts. */
function layoutsOf(p: Problem, a: Assignment, includeIdle = false): MigGpuLayout[] {
  const layouts: MigGpuLayout[] = [];
  p.pool.forEach((g, gi) => {
    const items = a.gpuItems[gi] ?? [];
    if (!includeIdle && g.fresh && items.length === 0) return;
    const sol = solveMultiset(g.type.cg, g.base, addVector(p, g, items));
    if (sol === null) {
      throw new HeadroomError({
        code: 'internal',
        message: `packer produced an infeasible GPU ${g.id}`,
      });
    }
    const byClass = new Map<number, Item[]>();
    for (const i of items) {
      const it = p.items[i] as Item;
      const c = it.cls[g.type.index] as CompiledClass;
      const list = byClass.get(c.index) ?? [];
      list.push(it);
      byClass.set(c.index, list);
    }
    const placements: MigAssignedPlacement[] = [...g.kept];
    for (const [c, list] of byClass) {
      list.sort((x, y) => x.demand - y.demand || x.replica - y.replica);
      const starts = sol.starts[c] as readonly number[];
      list.forEach((it, k) => {
        placements.push({
          profile: (it.profile[g.type.index] as MigProfile).name,
          start: starts[k] as number,
          demandId: (p.demands[it.demand] as MigDemand).id,
          replica: it.replica,
        });
      });
    }
    placements.sort((x, y) => x.start - y.start);
    layouts.push({ gpuId: g.id, gpu: g.type.key, placements, unassigned: g.unassigned });
  });
  return layouts;
}

function finish(
  p: Problem,
  a: Assignment,
  method: MigPackResult['method'],
  optimal: boolean,
  nodes: number,
): MigPackResult {
  const layouts = layoutsOf(p, a);
  const s = scoreOf(p, a);
  const lb = lowerBoundOfItems(p);
  return {
    layouts,
    gpusUsed: layouts.length,
    strandedSlices: s.stranded,
    unplaced: unplacedEntries(p, a),
    method,
    optimal: optimal || (a.unplaced.length === 0 && layouts.length <= lb),
    lowerBound: lb,
    searchNodes: nodes,
  };
}

/** Internal: packs a built problem (shared with the re-packer). */
export function packProblem(p: Problem): MigPackResult {
  const all = p.items.map((it) => it.index);
  const h = heuristic(p, all);
  if (p.items.length > p.exactMaxReplicas) return finish(p, h, 'heuristic', false, 0);
  const lb = lowerBoundOfItems(p);
  const r = exact(p, h, lb);
  return finish(p, r.assignment, 'exact', r.complete, r.nodes);
}

/**
 * Packs MIG instances for a set of demands onto GPUs: each replica gets the smallest fitting
 * profile of each allowed GPU model ({@link smallestFittingProfile}), then instances go onto GPUs
 * with concrete start positions, minimizing the GPUs used, then the stranded memory slices.
 *
 * - Up to `exactMaxReplicas` replicas (default 12): exact branch and bound over the GPU of each
 *   replica, largest first, with symmetry breaking (identical fresh GPUs are opened in order;
 *   interchangeable replicas take GPUs in ascending order), a slice-sum bound, and a memoized
 *   per-GPU feasibility test (does a start assignment exist for this multiset of slot classes on
 *   top of what the GPU holds?). Seeded with the heuristic's answer.
 * - Larger problems: the pattern heuristic. Every feasible multiset per GPU base is precomputed
 *   (77 on an empty 8-slice GPU); each GPU in turn takes the multiset that fills most of it (mean
 *   of its memory and compute shares; ties: fewer stranded slices, then larger classes) among
 *   those the remaining replicas can supply; anti-affinity demands with most replicas left go
 *   first. Measured by `npm run bench` at 1.00-1.01x the lower bound on realistic mixes.
 *
 * Instance starts within a GPU are chosen to strand the fewest slices (so 2x`1g` + `2g` + `3g`
 * places the `3g` at slice 4, and `4g` + `3g` puts the `4g` at 0); every layout passes
 * {@link validateLayout}. Infeasible demand never throws: it comes back in `unplaced` with a reason.
 *
 * @throws `HeadroomError` `invalid_config` for malformed demands, inventory or options;
 * `not_found` for an unknown GPU model; `invalid_input` when an inventory GPU's existing instances
 * form an invalid layout.
 * @example
 * ```ts
 * const plan = packMig(
 *   [
 *     { id: 'llama-8b', memoryGiB: 17, replicas: 3 },
 *     { id: 'llama-70b-awq', memoryGiB: 38, replicas: 2, antiAffinity: true },
 *   ],
 *   { unlimited: 'H100-80GB' },
 * );
 * plan.gpusUsed; // 2
 * ```
 */
export function packMig(
  demands: readonly MigDemandInput[],
  inventory: MigInventoryInput,
  options: MigPackOptions = {},
): MigPackResult {
  return packProblem(buildProblem(demands, inventory, options));
}

/**
 * The naive baseline: first-fit decreasing. Replicas sorted by slot size (memory, then compute
 * slices) each go to the first GPU, in opening order, where the first free valid start of their
 * profile fits; else a new GPU is opened. No look-ahead on start positions, so a `3g` at 0 can
 * block a later `4g`. Same inputs and result shape as {@link packMig}.
 *
 * @throws `HeadroomError` as {@link packMig}.
 * @example
 * ```ts
 * packFirstFitDecreasing([{ id: 'a', memoryGiB: 9, replicas: 8 }], { unlimited: 'H100-80GB' }).gpusUsed; // 2
 * ```
 */
export function packFirstFitDecreasing(
  demands: readonly MigDemandInput[],
  inventory: MigInventoryInput,
  options: MigPackOptions = {},
): MigPackResult {
  const p = buildProblem(demands, inventory, options);
  const gpuItems: number[][] = p.pool.map(() => []);
  const state = p.pool.map((g) => ({
    mask: g.base.mask,
    compute: g.base.compute,
    counts: [...g.base.counts],
    media: g.base.media,
    demands: new Set(g.present),
    starts: new Map<number, number>(),
  }));
  const open: number[] = p.pool.filter((g) => !g.fresh).map((g) => g.index);
  const fresh = p.pool.filter((g) => g.fresh).map((g) => g.index);
  let nextFresh = 0;
  const unplaced: number[] = [];
  const tryPlace = (gi: number, it: Item): boolean => {
    const g = p.pool[gi] as PoolGpu;
    const c = it.cls[g.type.index];
    if (c === undefined) return false;
    const s = state[gi] as (typeof state)[number];
    if (it.aa && s.demands.has(it.demand)) return false;
    if ((s.counts[c.index] as number) >= c.maxCount) return false;
    if (s.compute + c.computeSlices > g.type.cg.computeSlices) return false;
    if (c.media && s.media >= 1) return false;
    const k = c.masks.findIndex((m) => (m & s.mask) === 0);
    if (k < 0) return false;
    s.mask |= c.masks[k] as number;
    s.compute += c.computeSlices;
    s.counts[c.index] = (s.counts[c.index] as number) + 1;
    if (c.media) s.media++;
    s.demands.add(it.demand);
    s.starts.set(it.index, c.starts[k] as number);
    (gpuItems[gi] as number[]).push(it.index);
    return true;
  };
  const isFull = (gi: number): boolean => {
    const g = p.pool[gi] as PoolGpu;
    const s = state[gi] as (typeof state)[number];
    return s.compute >= g.type.cg.computeSlices || s.mask === (1 << g.type.cg.memorySlices) - 1;
  };
  for (const it of p.items) {
    let done = false;
    for (let k = 0; k < open.length; k++) {
      const gi = open[k] as number;
      if (tryPlace(gi, it)) {
        done = true;
        // A full GPU leaves the scan list (its layout is final).
        if (isFull(gi)) open.splice(k, 1);
        break;
      }
    }
    while (!done && nextFresh < fresh.length) {
      // Open the next fresh GPU of a model this replica may use.
      let k = nextFresh;
      while (
        k < fresh.length &&
        it.cls[(p.pool[fresh[k] as number] as PoolGpu).type.index] === undefined
      )
        k++;
      if (k >= fresh.length) break;
      const gi = fresh[k] as number;
      if (k !== nextFresh) {
        fresh.splice(k, 1);
        fresh.splice(nextFresh, 0, gi);
      }
      nextFresh++;
      open.push(gi);
      done = tryPlace(gi, it);
    }
    if (!done) unplaced.push(it.index);
  }
  const a: Assignment = { gpuItems, unplaced };
  // Report FFD's own starts (not re-optimized), so the baseline stays naive.
  const layouts: MigGpuLayout[] = [];
  let stranded = 0;
  for (const g of p.pool) {
    const items = gpuItems[g.index] as number[];
    if (g.fresh && items.length === 0) continue;
    const s = state[g.index] as (typeof state)[number];
    const placements: MigAssignedPlacement[] = items.map((i) => {
      const it = p.items[i] as Item;
      return {
        profile: (it.profile[g.type.index] as MigProfile).name,
        start: s.starts.get(i) as number,
        demandId: (p.demands[it.demand] as MigDemand).id,
        replica: it.replica,
      };
    });
    placements.sort((x, y) => x.start - y.start);
    layouts.push({ gpuId: g.id, gpu: g.type.key, placements, unassigned: g.unassigned });
    stranded += strandedOf(g, s);
  }
  const lb = lowerBoundOfItems(p);
  return {
    layouts,
    gpusUsed: layouts.length,
    strandedSlices: stranded,
    unplaced: unplacedEntries(p, a),
    method: 'first_fit_decreasing',
    optimal: unplaced.length === 0 && layouts.length <= lb,
    lowerBound: lb,
    searchNodes: 0,
  };
}

function strandedOf(
  g: PoolGpu,
  s: { mask: number; compute: number; counts: number[]; media: number },
): number {
  const cg = g.type.cg;
  const full = (1 << cg.memorySlices) - 1;
  const free = full & ~s.mask;
  let reachable = 0;
  for (const c of cg.classes) {
    if ((s.counts[c.index] as number) >= c.maxCount) continue;
    if (s.compute + c.computeSlices > cg.computeSlices) continue;
    if (c.media && s.media >= 1) continue;
    for (const m of c.masks) if ((m & s.mask) === 0) reachable |= m;
  }
  return bitCount(free & ~reachable);
}
