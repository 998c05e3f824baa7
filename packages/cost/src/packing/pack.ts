import { addDuplicateIssues, HeadroomError, parseConfig, type ErrorPath } from '@headroom/core';
import { z } from 'zod';

/** The share of each GPU's memory kept free when none is configured: 20 %. */
export const DEFAULT_MEMORY_HEADROOM = 0.2;

/** One model to place: every replica needs `memoryGiB` and `compute` on one GPU. */
export const PackingModelSchema = z.strictObject({
  /** Unique model id. */
  id: z.string().min(1),
  /** GPU memory one replica needs, GiB, > 0 (weights plus its own KV-cache budget). */
  memoryGiB: z.number().positive(),
  /**
   * Compute one replica needs, >= 0, in the unit of the GPU types' `computeCapacity`: a share of
   * one GPU (0..1, the default capacity being 1) or a throughput (for example tokens/s) when the
   * GPU types state theirs.
   */
  compute: z.number().min(0),
  /** Replicas to place, an integer 0..100 000. */
  replicas: z.number().int().min(0).max(100_000),
  /**
   * When true, no two replicas of this model share a GPU (Kubernetes pod anti-affinity with the
   * GPU as topology domain): losing one GPU takes down at most one replica.
   * @defaultValue false
   */
  antiAffinity: z.boolean().optional(),
  /** Ids of other models this one must never share a GPU with (symmetric). */
  antiAffinityWith: z.array(z.string().min(1)).optional(),
});

/** A GPU type replicas can be packed onto. */
export const PackingGpuTypeSchema = z.strictObject({
  /** Unique type id, for example `H100-80GB`. */
  id: z.string().min(1),
  /** Physical GPU memory, GiB, > 0. */
  memoryGiB: z.number().positive(),
  /** Compute capacity in the models' `compute` unit, > 0. @defaultValue 1 (a whole GPU) */
  computeCapacity: z.number().positive().default(1),
  /** How many GPUs of this type may be used; unlimited when absent. */
  count: z.number().int().min(0).optional(),
  /** Price, USD per hour, >= 0: when every type has one, GPUs are shrunk to the cheapest fit. */
  usdPerHour: z.number().min(0).optional(),
});

/** The input of {@link packReplicas}. Unknown keys are rejected. */
export const PackingInputSchema = z
  .strictObject({
    /** Models and their replicas. */
    models: z.array(PackingModelSchema).max(10_000),
    /** GPU types available, at least one. */
    gpuTypes: z.array(PackingGpuTypeSchema).min(1).max(100),
    /**
     * Share of every GPU's memory left unassigned, 0..0.5. Inference servers need 20-30 % beyond
     * the replicas' stated footprint for KV-cache growth, activation and batch buffers, CUDA
     * context and fragmentation (vLLM's `gpu_memory_utilization` defaults to 0.9 for the same
     * reason). @defaultValue 0.2
     */
    memoryHeadroom: z.number().min(0).max(0.5).default(DEFAULT_MEMORY_HEADROOM),
    /** Share of every GPU's compute left unassigned, 0..0.5. @defaultValue 0 */
    computeHeadroom: z.number().min(0).max(0.5).default(0),
    /** At most this many GPUs in all, an integer >= 0; unlimited when absent. */
    maxGpus: z.number().int().min(0).optional(),
    /** Run the local improvement (GPU elimination, then shrinking to cheaper types). @defaultValue true */
    improve: z.boolean().default(true),
  })
  .superRefine((input, ctx) => {
    const ids = addDuplicateIssues(
      ctx,
      input.models,
      (m) => m.id,
      (i) => ['models', i, 'id'],
      'model id',
    );
    input.models.forEach((m, i) =>
      m.antiAffinityWith?.forEach((other, j) => {
        if (!ids.has(other)) {
          ctx.addIssue({
            code: 'custom',
            message: 'names no model of the input',
            path: ['models', i, 'antiAffinityWith', j],
            input: other,
          });
        }
      }),
    );
    addDuplicateIssues(
      ctx,
      input.gpuTypes,
      (t) => t.id,
      (i) => ['gpuTypes', i, 'id'],
      'GPU type id',
    );
  });

/** What {@link packReplicas} accepts: {@link PackingInputSchema}'s input. */
export type PackingInput = z.input<typeof PackingInputSchema>;

/** Why a replica was not placed. */
export type UnplacedReason =
  /** Its memory exceeds every GPU type's usable memory (after headroom). */
  | 'exceeds_gpu_memory'
  /** Its compute exceeds every GPU type's usable compute. */
  | 'exceeds_gpu_compute'
  /** Each dimension fits some type, but no single type fits both. */
  | 'no_gpu_type_fits'
  /** It fits a GPU type, but the inventory (`count`, `maxGpus`) is used up. */
  | 'inventory_exhausted'
  /** Open GPUs had room but anti-affinity forbade them, and no new GPU could be added. */
  | 'anti_affinity';

/** One replica of one model. */
export interface PackedReplica {
  /** The model. */
  readonly modelId: string;
  /** Replica number, 0-based. */
  readonly replica: number;
}

/** One GPU of the plan and what it holds. */
export interface PackedGpu {
  /** Position in the plan, 0-based. */
  readonly index: number;
  /** Its GPU type. */
  readonly gpuTypeId: string;
  /** The replicas on it. */
  readonly replicas: readonly PackedReplica[];
  /** Physical memory, GiB. */
  readonly memoryGiB: number;
  /** Memory that may be assigned (physical × (1 - memoryHeadroom)), GiB. */
  readonly memoryUsableGiB: number;
  /** Memory assigned, GiB, <= `memoryUsableGiB`. */
  readonly memoryUsedGiB: number;
  /** Compute capacity, in the models' unit. */
  readonly computeCapacity: number;
  /** Compute that may be assigned (capacity × (1 - computeHeadroom)). */
  readonly computeUsable: number;
  /** Compute assigned, <= `computeUsable`. */
  readonly computeUsed: number;
  /** `memoryUsedGiB / memoryGiB`, 0..1. */
  readonly memoryUtilization: number;
  /** `computeUsed / computeCapacity`, 0..1. */
  readonly computeUtilization: number;
}

/** A replica that could not be placed, and why. */
export interface UnplacedReplica extends PackedReplica {
  /** Why; see {@link UnplacedReason}. */
  readonly reason: UnplacedReason;
  /** The reason in words, with the numbers. */
  readonly detail: string;
}

/** What {@link packReplicas} returns. */
export interface PackingResult {
  /** The GPUs used, in plan order. */
  readonly gpus: readonly PackedGpu[];
  /** How many GPUs the plan uses. */
  readonly gpusUsed: number;
  /** GPUs used per type id (types not used are absent). */
  readonly gpusUsedByType: Readonly<Record<string, number>>;
  /** A lower bound on the GPUs any plan needs for the placeable replicas; see {@link packingLowerBound}. */
  readonly lowerBound: number;
  /** Replicas placed. */
  readonly placedReplicas: number;
  /** Replicas not placed, with reasons. Placed plus unplaced is every replica asked for. */
  readonly unplaced: readonly UnplacedReplica[];
  /**
   * Fleet utilization over the GPUs used, per dimension, 0..1: memory assigned / physical memory,
   * memory assigned / usable memory, compute assigned / capacity. 0 when no GPU is used.
   */
  readonly utilization: {
    /** Memory assigned / physical memory. */
    readonly memory: number;
    /** Memory assigned / usable memory (after headroom). */
    readonly memoryOfUsable: number;
    /** Compute assigned / compute capacity. */
    readonly compute: number;
  };
  /** The plan's price, USD per hour, when every GPU type used has `usdPerHour`. */
  readonly usdPerHour: number | undefined;
}

interface TypeInfo {
  readonly id: string;
  readonly memoryGiB: number;
  readonly usableMemory: number;
  readonly capacity: number;
  readonly usableCompute: number;
  readonly count: number;
  readonly usdPerHour: number | undefined;
}

interface Item {
  readonly model: number;
  readonly replica: number;
  readonly memory: number;
  readonly compute: number;
}

interface Gpu {
  type: TypeInfo;
  memUsed: number;
  compUsed: number;
  items: Item[];
  models: Map<number, number>;
}

interface Ctx {
  readonly types: readonly TypeInfo[];
  readonly modelIds: readonly string[];
  readonly selfAnti: readonly boolean[];
  readonly conflicts: readonly Set<number>[];
  readonly maxGpus: number;
  readonly priced: boolean;
}

type ParsedInput = z.output<typeof PackingInputSchema>;

function fitsCapacity(gpu: Gpu, item: Item): boolean {
  return (
    gpu.memUsed + item.memory <= gpu.type.usableMemory &&
    gpu.compUsed + item.compute <= gpu.type.usableCompute
  );
}

function affinityAllows(ctx: Ctx, gpu: Gpu, item: Item): boolean {
  if (ctx.selfAnti[item.model] === true && (gpu.models.get(item.model) ?? 0) > 0) return false;
  for (const other of ctx.conflicts[item.model] ?? []) {
    if ((gpu.models.get(other) ?? 0) > 0) return false;
  }
  return true;
}

function recompute(gpu: Gpu): void {
  // Sums recomputed from the items, so moves never accumulate floating-point drift.
  let mem = 0;
  let comp = 0;
  for (const item of gpu.items) {
    mem += item.memory;
    comp += item.compute;
  }
  gpu.memUsed = mem;
  gpu.compUsed = comp;
}

function add(gpu: Gpu, item: Item): void {
  gpu.items.push(item);
  gpu.models.set(item.model, (gpu.models.get(item.model) ?? 0) + 1);
  recompute(gpu);
}

function remove(gpu: Gpu, item: Item): void {
  const at = gpu.items.indexOf(item);
  if (at >= 0) gpu.items.splice(at, 1);
  const left = (gpu.models.get(item.model) ?? 0) - 1;
  if (left > 0) gpu.models.set(item.model, left);
  else gpu.models.delete(item.model);
  recompute(gpu);
}

function typeFits(type: TypeInfo, memory: number, compute: number): boolean {
  return memory <= type.usableMemory && compute <= type.usableCompute;
}

function usedOfType(gpus: readonly Gpu[], type: TypeInfo): number {
  let n = 0;
  for (const g of gpus) if (g.type === type) n++;
  return n;
}

/** Order for opening a GPU: most usable memory, then most compute, then id. */
function largestFirst(a: TypeInfo, b: TypeInfo): number {
  return (
    b.usableMemory - a.usableMemory ||
    b.usableCompute - a.usableCompute ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** Order for shrinking a GPU: cheapest when every type is priced, else smallest; then id. */
function preferredSmall(priced: boolean): (a: TypeInfo, b: TypeInfo) => number {
  return (a, b) =>
    (priced ? (a.usdPerHour ?? 0) - (b.usdPerHour ?? 0) : 0) ||
    a.usableMemory - b.usableMemory ||
    a.usableCompute - b.usableCompute ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function load(gpu: Gpu): number {
  return gpu.memUsed / gpu.type.usableMemory + gpu.compUsed / gpu.type.usableCompute;
}

function buildContext(input: ParsedInput): { ctx: Ctx; items: Item[] } {
  const headroomMem = 1 - input.memoryHeadroom;
  const headroomComp = 1 - input.computeHeadroom;
  const types: TypeInfo[] = input.gpuTypes.map((t) => ({
    id: t.id,
    memoryGiB: t.memoryGiB,
    usableMemory: t.memoryGiB * headroomMem,
    capacity: t.computeCapacity,
    usableCompute: t.computeCapacity * headroomComp,
    count: t.count ?? Number.POSITIVE_INFINITY,
    usdPerHour: t.usdPerHour,
  }));
  const index = new Map(input.models.map((m, i) => [m.id, i]));
  const conflicts = input.models.map(() => new Set<number>());
  const selfAnti = input.models.map((m) => m.antiAffinity === true);
  input.models.forEach((m, i) => {
    for (const other of m.antiAffinityWith ?? []) {
      const j = index.get(other);
      if (j === undefined) continue;
      if (j === i) selfAnti[i] = true;
      else {
        conflicts[i]?.add(j);
        conflicts[j]?.add(i);
      }
    }
  });
  const items: Item[] = [];
  input.models.forEach((m, i) => {
    for (let r = 0; r < m.replicas; r++) {
      items.push({ model: i, replica: r, memory: m.memoryGiB, compute: m.compute });
    }
  });
  return {
    ctx: {
      types,
      modelIds: input.models.map((m) => m.id),
      selfAnti,
      conflicts,
      maxGpus: input.maxGpus ?? Number.POSITIVE_INFINITY,
      priced: types.every((t) => t.usdPerHour !== undefined),
    },
    items,
  };
}

function lowerBoundOf(ctx: Ctx, items: readonly Item[]): number {
  const maxMem = Math.max(...ctx.types.map((t) => t.usableMemory));
  const maxComp = Math.max(...ctx.types.map((t) => t.usableCompute));
  let mem = 0;
  let comp = 0;
  let bigMem = 0;
  let bigComp = 0;
  const perAnti = new Map<number, number>();
  for (const item of items) {
    mem += item.memory;
    comp += item.compute;
    if (item.memory > maxMem / 2) bigMem++;
    if (item.compute > maxComp / 2) bigComp++;
    if (ctx.selfAnti[item.model] === true)
      perAnti.set(item.model, (perAnti.get(item.model) ?? 0) + 1);
  }
  // Tolerance so that floating-point sums just above an integer do not round the bound up.
  const ceil = (x: number): number => Math.max(0, Math.ceil(x - 1e-9));
  return Math.max(
    ceil(mem / maxMem),
    maxComp > 0 ? ceil(comp / maxComp) : 0,
    bigMem,
    bigComp,
    ...perAnti.values(),
  );
}

function placeableReason(ctx: Ctx, item: Item): UnplacedReplica | undefined {
  if (ctx.types.some((t) => typeFits(t, item.memory, item.compute))) return undefined;
  const modelId = ctx.modelIds[item.model] ?? '';
  const maxMem = Math.max(...ctx.types.map((t) => t.usableMemory));
  const maxComp = Math.max(...ctx.types.map((t) => t.usableCompute));
  if (item.memory > maxMem) {
    return {
      modelId,
      replica: item.replica,
      reason: 'exceeds_gpu_memory',
      detail: `needs ${item.memory} GiB; the largest usable GPU memory is ${maxMem} GiB`,
    };
  }
  if (item.compute > maxComp) {
    return {
      modelId,
      replica: item.replica,
      reason: 'exceeds_gpu_compute',
      detail: `needs compute ${item.compute}; the largest usable GPU compute is ${maxComp}`,
    };
  }
  return {
    modelId,
    replica: item.replica,
    reason: 'no_gpu_type_fits',
    detail: `no single GPU type has both ${item.memory} GiB and compute ${item.compute} usable`,
  };
}

/** First fit over open GPUs, else open the largest type that fits and has inventory. */
function placeOne(ctx: Ctx, gpus: Gpu[], item: Item): UnplacedReason | undefined {
  let blockedByAffinity = false;
  for (const gpu of gpus) {
    if (!fitsCapacity(gpu, item)) continue;
    if (!affinityAllows(ctx, gpu, item)) {
      blockedByAffinity = true;
      continue;
    }
    add(gpu, item);
    return undefined;
  }
  if (gpus.length < ctx.maxGpus) {
    const candidates = ctx.types
      .filter((t) => typeFits(t, item.memory, item.compute) && usedOfType(gpus, t) < t.count)
      .sort(largestFirst);
    const type = candidates[0];
    if (type !== undefined) {
      const gpu: Gpu = { type, memUsed: 0, compUsed: 0, items: [], models: new Map() };
      add(gpu, item);
      gpus.push(gpu);
      return undefined;
    }
  }
  return blockedByAffinity ? 'anti_affinity' : 'inventory_exhausted';
}

/** Tries to move every replica off `victim` into the other GPUs; commits only if all move. */
function tryEliminate(ctx: Ctx, gpus: Gpu[], victim: Gpu): boolean {
  const others = gpus.filter((g) => g !== victim).sort((a, b) => load(b) - load(a));
  const moved: { item: Item; to: Gpu }[] = [];
  const items = [...victim.items].sort((a, b) => b.memory - a.memory || b.compute - a.compute);
  for (const item of items) {
    const to = others.find((g) => fitsCapacity(g, item) && affinityAllows(ctx, g, item));
    if (to === undefined) {
      for (const m of moved) remove(m.to, m.item);
      return false;
    }
    add(to, item);
    moved.push({ item, to });
  }
  gpus.splice(gpus.indexOf(victim), 1);
  return true;
}

function improve(ctx: Ctx, gpus: Gpu[]): void {
  // 1. GPU elimination: empty the least-loaded GPU into the others while one can be emptied.
  let progress = true;
  let rounds = 0;
  while (progress && rounds < 10_000) {
    progress = false;
    rounds++;
    const byLoad = [...gpus].sort((a, b) => load(a) - load(b));
    for (const victim of byLoad) {
      if (tryEliminate(ctx, gpus, victim)) {
        progress = true;
        break;
      }
    }
  }
  // 2. Shrink: move each GPU's contents to the cheapest (or smallest) type that holds them.
  const order = preferredSmall(ctx.priced);
  for (const gpu of gpus) {
    const candidates = ctx.types
      .filter(
        (t) =>
          typeFits(t, gpu.memUsed, gpu.compUsed) &&
          (t === gpu.type || usedOfType(gpus, t) < t.count),
      )
      .sort(order);
    const best = candidates[0];
    if (best !== undefined && order(best, gpu.type) < 0) gpu.type = best;
  }
}

function parse(input: PackingInput, path: ErrorPath): ParsedInput {
  return parseConfig(PackingInputSchema, input, path) as ParsedInput;
}

/**
 * A lower bound on the number of GPUs that any packing of the placeable replicas needs: the
 * largest of total memory / largest usable GPU memory and total compute / largest usable compute
 * (rounded up), the count of replicas needing more than half of the largest GPU in one
 * dimension (no two of them can share), and the replica count of each anti-affine model.
 * Replicas that fit no GPU type are left out.
 *
 * @param input - the same input as {@link packReplicas}.
 * @returns the bound, an integer >= 0.
 * @throws `HeadroomError` `invalid_config` as {@link packReplicas}.
 * @example
 * ```ts
 * packingLowerBound({ models: [{ id: 'a', memoryGiB: 30, compute: 0.2, replicas: 5 }],
 *   gpuTypes: [{ id: 'H100', memoryGiB: 80 }] }); // 3 (150 GiB over 64 usable GiB per GPU)
 * ```
 */
export function packingLowerBound(input: PackingInput): number {
  const { ctx, items } = buildContext(parse(input, []));
  return lowerBoundOf(
    ctx,
    items.filter((item) => placeableReason(ctx, item) === undefined),
  );
}

/**
 * Packs model replicas onto whole GPUs: two-dimensional vector bin packing over memory (GiB)
 * and compute, each GPU keeping `memoryHeadroom` of its memory free (default 20 %).
 *
 * Heuristic, deterministic for a given input:
 *
 * 1. First-fit decreasing by dominant resource: replicas are sorted by their largest share of the
 *    largest GPU type (max of memory share and compute share, as in dominant resource fairness),
 *    ties by memory, model id and replica number; each goes onto the first open GPU with room in
 *    both dimensions that anti-affinity allows, else onto a new GPU of the largest type that fits
 *    and has inventory left (fewest GPUs first).
 * 2. Local improvement (unless `improve: false`): repeatedly empty the least-loaded GPU into the
 *    others (fullest first) when every replica on it fits elsewhere; then give each GPU the
 *    cheapest type (when every type has a price, else the smallest) that still holds its
 *    replicas, within inventory.
 *
 * Replicas that cannot be placed are reported with a reason, never dropped silently. The plan
 * never assigns more than a GPU's usable memory or compute, and keeps anti-affinity.
 *
 * @param input - models, GPU types and limits; see {@link PackingInputSchema}.
 * @returns the GPUs with their replicas, utilization, the lower bound and unplaced replicas.
 * @throws `HeadroomError` `invalid_config` naming the field (for example
 *   `models[2].memoryGiB`) for a bad input: non-finite or out-of-range numbers, duplicate ids,
 *   an `antiAffinityWith` naming no model.
 * @example
 * ```ts
 * const plan = packReplicas({
 *   models: [
 *     { id: 'llama-8b', memoryGiB: 20, compute: 0.3, replicas: 4, antiAffinity: true },
 *     { id: 'whisper', memoryGiB: 6, compute: 0.2, replicas: 2 },
 *   ],
 *   gpuTypes: [{ id: 'H100-80GB', memoryGiB: 80, count: 8 }],
 * });
 * // plan.gpusUsed === 4, plan.unplaced.length === 0
 * ```
 */
export function packReplicas(input: PackingInput): PackingResult {
  const parsed = parse(input, []);
  const { ctx, items } = buildContext(parsed);
  const maxMem = Math.max(...ctx.types.map((t) => t.usableMemory));
  const maxComp = Math.max(...ctx.types.map((t) => t.usableCompute));
  const dominant = (item: Item): number =>
    Math.max(item.memory / maxMem, maxComp > 0 ? item.compute / maxComp : 0);
  const sorted = [...items].sort(
    (a, b) =>
      dominant(b) - dominant(a) ||
      b.memory - a.memory ||
      b.compute - a.compute ||
      ((ctx.modelIds[a.model] ?? '') < (ctx.modelIds[b.model] ?? '')
        ? -1
        : (ctx.modelIds[a.model] ?? '') > (ctx.modelIds[b.model] ?? '')
          ? 1
          : 0) ||
      a.replica - b.replica,
  );

  const gpus: Gpu[] = [];
  const unplaced: UnplacedReplica[] = [];
  const retry: Item[] = [];
  const placeable: Item[] = [];
  for (const item of sorted) {
    const never = placeableReason(ctx, item);
    if (never !== undefined) {
      unplaced.push(never);
      continue;
    }
    placeable.push(item);
    if (placeOne(ctx, gpus, item) !== undefined) retry.push(item);
  }
  if (parsed.improve) improve(ctx, gpus);
  // Elimination can free inventory: try the replicas that did not fit once more.
  for (const item of retry) {
    const reason = placeOne(ctx, gpus, item);
    if (reason !== undefined) {
      const modelId = ctx.modelIds[item.model] ?? '';
      unplaced.push({
        modelId,
        replica: item.replica,
        reason,
        detail:
          reason === 'anti_affinity'
            ? `open GPUs with room host a conflicting replica, and no GPU can be added (maxGpus or type counts)`
            : `fits a GPU type, but no GPU can be added (maxGpus or type counts reached)`,
      });
    }
  }
  unplaced.sort(
    (a, b) => (a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0) || a.replica - b.replica,
  );

  let mem = 0;
  let memPhysical = 0;
  let memUsable = 0;
  let comp = 0;
  let compCapacity = 0;
  let usd = 0;
  let priced = true;
  const byType: Record<string, number> = {};
  const out: PackedGpu[] = gpus.map((gpu, index) => {
    mem += gpu.memUsed;
    memPhysical += gpu.type.memoryGiB;
    memUsable += gpu.type.usableMemory;
    comp += gpu.compUsed;
    compCapacity += gpu.type.capacity;
    if (gpu.type.usdPerHour === undefined) priced = false;
    else usd += gpu.type.usdPerHour;
    byType[gpu.type.id] = (byType[gpu.type.id] ?? 0) + 1;
    return {
      index,
      gpuTypeId: gpu.type.id,
      replicas: gpu.items
        .map((item) => ({ modelId: ctx.modelIds[item.model] ?? '', replica: item.replica }))
        .sort(
          (a, b) =>
            (a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0) || a.replica - b.replica,
        ),
      memoryGiB: gpu.type.memoryGiB,
      memoryUsableGiB: gpu.type.usableMemory,
      memoryUsedGiB: gpu.memUsed,
      computeCapacity: gpu.type.capacity,
      computeUsable: gpu.type.usableCompute,
      computeUsed: gpu.compUsed,
      memoryUtilization: gpu.memUsed / gpu.type.memoryGiB,
      computeUtilization: gpu.compUsed / gpu.type.capacity,
    };
  });
  if (unplaced.length + out.reduce((n, g) => n + g.replicas.length, 0) !== items.length) {
    throw new HeadroomError({ code: 'internal', message: 'packing lost a replica' });
  }
  return {
    gpus: out,
    gpusUsed: out.length,
    gpusUsedByType: byType,
    lowerBound: lowerBoundOf(ctx, placeable),
    placedReplicas: items.length - unplaced.length,
    unplaced,
    utilization: {
      memory: memPhysical > 0 ? mem / memPhysical : 0,
      memoryOfUsable: memUsable > 0 ? mem / memUsable : 0,
      compute: compCapacity > 0 ? comp / compCapacity : 0,
    },
    usdPerHour: priced && out.length > 0 ? usd : priced ? 0 : undefined,
  };
}
