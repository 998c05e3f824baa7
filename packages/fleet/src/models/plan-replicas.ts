import { addDuplicateIssues, parseConfig, type ErrorPath } from '@headroom/core';
import {
  DEFAULT_MEMORY_HEADROOM,
  MigInventorySchema,
  PackingGpuTypeSchema,
  packMig,
  packReplicas,
  type MigPackOptions,
  type MigPackResult,
  type PackingResult,
} from '@headroom/cost';
import { z } from 'zod';

/**
 * Default share of a replica's measured throughput it is planned to run at: 0.8. The 20 % left
 * absorbs bursts between scaling steps (the Kubernetes HPA is commonly run at a 70-80 % target
 * for the same reason).
 */
export const DEFAULT_MODEL_TARGET_UTILIZATION = 0.8;

/** One model served from the shared pool: its demand, per-replica capacity and footprint. */
export const ModelReplicaDemandSchema = z
  .strictObject({
    /** Unique model id. */
    id: z.string().min(1),
    /** Demand, requests per second, finite and >= 0. */
    demandRps: z.number().min(0),
    /**
     * Requests per second one replica serves while meeting its latency SLO (measured, or from
     * the capacity model), > 0. With continuous batching this is the batch's throughput.
     */
    throughputRpsPerReplica: z.number().positive(),
    /** Fewest replicas, an integer >= 0 (0 allows scale to zero). @defaultValue 0 */
    minReplicas: z.number().int().min(0).default(0),
    /** Most replicas, an integer >= `minReplicas`. @defaultValue 1000 */
    maxReplicas: z.number().int().min(0).max(100_000).default(1000),
    /** GPU memory one replica needs, GiB, > 0: weights plus its KV-cache budget. */
    memoryGiB: z.number().positive(),
    /**
     * Whole-GPU placement: share of one GPU's compute a replica uses at its planned load, >= 0
     * (in the unit of the GPU types' `computeCapacity`, 1 by default). 0 lets memory alone
     * decide co-location, as when small models share a GPU. @defaultValue 0
     */
    compute: z.number().min(0).default(0),
    /** MIG placement: compute slices a replica needs, an integer >= 1. @defaultValue 1 */
    computeSlices: z.number().int().min(1).default(1),
    /** No two replicas of this model on one GPU. @defaultValue false */
    antiAffinity: z.boolean().default(false),
  })
  .refine((m) => m.maxReplicas >= m.minReplicas, {
    message: 'maxReplicas must be >= minReplicas',
    path: ['maxReplicas'],
  });

/** Whole-GPU placement with `packReplicas` from `@headroom/cost`. */
export const ModelWholeGpuPlacementSchema = z.strictObject({
  /** Discriminant. */
  kind: z.literal('whole-gpu'),
  /** GPU types of the pool (`count` caps each; absent means as many as needed). */
  gpuTypes: z.array(PackingGpuTypeSchema).min(1).max(100),
  /**
   * Share of each GPU's memory kept free, 0..0.5. @defaultValue 0.2 (cost's
   * `DEFAULT_MEMORY_HEADROOM`)
   */
  memoryHeadroom: z.number().min(0).max(0.5).default(DEFAULT_MEMORY_HEADROOM),
  /** At most this many GPUs in all; unlimited when absent. */
  maxGpus: z.number().int().min(0).optional(),
});

/**
 * MIG placement with `packMig` from `@headroom/cost`: each replica gets the smallest MIG
 * profile with `memoryGiB` and `computeSlices`. A MIG instance's memory is isolated, so the
 * memory headroom does not apply: state the KV-cache budget in `memoryGiB`.
 */
export const ModelMigPlacementSchema = z.strictObject({
  /** Discriminant. */
  kind: z.literal('mig'),
  /** The GPUs: a list, or `{ unlimited: 'H100-80GB', maxGpus? }`. */
  inventory: MigInventorySchema,
});

/** The input of {@link planModelReplicas}. Unknown keys are rejected. */
export const ModelReplicaPlanInputSchema = z
  .strictObject({
    /** The models, ids unique. */
    models: z.array(ModelReplicaDemandSchema).max(10_000),
    /**
     * Share of a replica's throughput to plan for, in (0, 1].
     * @defaultValue {@link DEFAULT_MODEL_TARGET_UTILIZATION}
     */
    targetUtilization: z.number().gt(0).max(1).default(DEFAULT_MODEL_TARGET_UTILIZATION),
    /** Where replicas go: whole GPUs or MIG instances. */
    placement: z.discriminatedUnion('kind', [
      ModelWholeGpuPlacementSchema,
      ModelMigPlacementSchema,
    ]),
  })
  .superRefine((input, ctx) => {
    addDuplicateIssues(
      ctx,
      input.models,
      (m) => m.id,
      (i) => ['models', i, 'id'],
      'model id',
    );
  });

/** What {@link planModelReplicas} accepts: {@link ModelReplicaPlanInputSchema}'s input. */
export type ModelReplicaPlanInput = z.input<typeof ModelReplicaPlanInputSchema>;

/**
 * Why a model got its replica count:
 *
 * - `demand`: `ceil(demandRps / (throughputRpsPerReplica × targetUtilization))`, within bounds.
 * - `no_demand`: zero demand and `minReplicas` 0: scaled to zero.
 * - `min_replicas`: demand asked for fewer; raised to `minReplicas`.
 * - `max_replicas`: demand asked for more; capped at `maxReplicas` (the model will run hot).
 */
export type ModelReplicaReason = 'demand' | 'no_demand' | 'min_replicas' | 'max_replicas';

/** The replica count of one model and how much of it was placed. */
export interface ModelReplicaCount {
  /** The model. */
  readonly id: string;
  /** What demand alone asks for: `ceil(demandRps / (throughputRpsPerReplica × targetUtilization))`. */
  readonly desiredReplicas: number;
  /** The count after `minReplicas` / `maxReplicas`. */
  readonly replicas: number;
  /** Why; see {@link ModelReplicaReason}. */
  readonly reason: ModelReplicaReason;
  /** Replicas the pool could place, <= `replicas`. */
  readonly placedReplicas: number;
  /**
   * Utilization of the placed replicas at this demand, `demandRps / (placed × throughput)`:
   * above `targetUtilization` when capped or not all placed; `Infinity` never (0 placed and
   * demand > 0 reads as 1, meaning saturated).
   */
  readonly utilization: number;
}

/** Replicas of one model the pool could not take. */
export interface ModelReplicaUnplaced {
  /** The model. */
  readonly id: string;
  /** How many of its replicas. */
  readonly replicas: number;
  /**
   * The packer's reason: `exceeds_gpu_memory`, `exceeds_gpu_compute`, `no_gpu_type_fits`,
   * `inventory_exhausted` (the pool is too small), `anti_affinity` for whole GPUs;
   * `no_profile_fits`, `no_allowed_gpu`, `inventory_exhausted` for MIG.
   */
  readonly reason: string;
  /** The reason in words, from the packer. */
  readonly detail: string;
}

/** A whole-GPU placement: `packReplicas`' result. */
export interface ModelReplicaWholeGpuPlacement {
  /** Discriminant. */
  readonly kind: 'whole-gpu';
  /** The packing as `@headroom/cost` returned it. */
  readonly packing: PackingResult;
}

/** A MIG placement: `packMig`'s result. */
export interface ModelReplicaMigPlacement {
  /** Discriminant. */
  readonly kind: 'mig';
  /** The packing as `@headroom/cost` returned it. */
  readonly packing: MigPackResult;
}

/** What {@link planModelReplicas} returns. */
export interface ModelReplicaPlan {
  /** Per model, in input order. */
  readonly models: readonly ModelReplicaCount[];
  /** The placement, as the cost package's packer returned it. */
  readonly placement: ModelReplicaWholeGpuPlacement | ModelReplicaMigPlacement;
  /** Replicas not placed, grouped by model and reason; empty when the pool is big enough. */
  readonly unplaced: readonly ModelReplicaUnplaced[];
  /** Replicas asked for in all (after bounds). */
  readonly totalReplicas: number;
  /** Replicas placed in all. */
  readonly placedReplicas: number;
  /** GPUs the placement uses. */
  readonly gpusUsed: number;
}

/** Options of {@link planModelReplicas}. */
export interface ModelReplicaPlanOptions {
  /** Passed to `packMig` for MIG placement (custom geometries, search budget). */
  readonly mig?: MigPackOptions;
  /** Where the input sits in a larger one, prefixed to error paths. @defaultValue [] */
  readonly path?: ErrorPath;
}

function replicaCount(
  m: z.output<typeof ModelReplicaDemandSchema>,
  target: number,
): { desired: number; replicas: number; reason: ModelReplicaReason } {
  const raw = m.demandRps / (m.throughputRpsPerReplica * target);
  // Guard float noise: 2.0000000000000004 replicas is 2.
  const desired = Math.max(0, Math.ceil(raw - 1e-9));
  if (desired < m.minReplicas) {
    return {
      desired,
      replicas: m.minReplicas,
      reason: desired === 0 && m.minReplicas === 0 ? 'no_demand' : 'min_replicas',
    };
  }
  if (desired > m.maxReplicas) return { desired, replicas: m.maxReplicas, reason: 'max_replicas' };
  return { desired, replicas: desired, reason: desired === 0 ? 'no_demand' : 'demand' };
}

/**
 * Model-level scaling on a shared GPU pool: sizes every model's replica count from its demand,
 * then places all replicas together with the cost package's packers, so models share GPUs (or
 * MIG instances) instead of each holding its own.
 *
 * Replicas per model are `ceil(demandRps / (throughputRpsPerReplica × targetUtilization))`,
 * clamped to `[minReplicas, maxReplicas]` (the target-tracking rule of the Kubernetes HPA, with
 * the replica's measured SLO throughput as the per-pod capacity). Whole-GPU placement uses
 * `packReplicas` (first-fit decreasing over memory and compute, with 20 % memory headroom
 * by default, then GPU elimination); MIG placement uses `packMig`. Replicas the pool
 * cannot take are reported per model with the packer's reason, never dropped silently.
 *
 * @throws `HeadroomError` `invalid_config` naming the field for a bad input (negative or NaN
 * demand, `maxReplicas < minReplicas`, a duplicate id, an unknown GPU type); errors of the
 * packers (an unknown MIG GPU model: `not_found`).
 * @example
 * ```ts
 * const plan = planModelReplicas({
 *   models: [
 *     { id: 'llama-3-8b', demandRps: 40, throughputRpsPerReplica: 10, memoryGiB: 24 },
 *     { id: 'mistral-7b', demandRps: 5, throughputRpsPerReplica: 10, memoryGiB: 20 },
 *   ],
 *   placement: { kind: 'whole-gpu', gpuTypes: [{ id: 'H100-80GB', memoryGiB: 80 }] },
 * });
 * plan.models[0]?.replicas; // 5 (40 / (10 × 0.8))
 * plan.gpusUsed; // 3 (64 GiB usable per GPU: two 24 GiB replicas each, plus the 20 GiB ones)
 * ```
 */
export function planModelReplicas(
  input: ModelReplicaPlanInput,
  options: ModelReplicaPlanOptions = {},
): ModelReplicaPlan {
  const parsed = parseConfig(ModelReplicaPlanInputSchema, input, options.path ?? []);
  const target = parsed.targetUtilization;
  const counts = parsed.models.map((m) => replicaCount(m, target));
  const unplacedBy = new Map<string, { replicas: number; reason: string; detail: string }[]>();
  const note = (id: string, reason: string, replicas: number, detail: string): void => {
    const list = unplacedBy.get(id) ?? [];
    const same = list.find((u) => u.reason === reason);
    if (same === undefined) list.push({ replicas, reason, detail });
    else same.replicas += replicas;
    unplacedBy.set(id, list);
  };
  let placement: ModelReplicaPlan['placement'];
  const p = parsed.placement;
  if (p.kind === 'whole-gpu') {
    const packing = packReplicas({
      models: parsed.models.map((m, i) => ({
        id: m.id,
        memoryGiB: m.memoryGiB,
        compute: m.compute,
        replicas: counts[i]?.replicas ?? 0,
        antiAffinity: m.antiAffinity,
      })),
      gpuTypes: p.gpuTypes,
      memoryHeadroom: p.memoryHeadroom,
      ...(p.maxGpus === undefined ? {} : { maxGpus: p.maxGpus }),
    });
    for (const u of packing.unplaced) note(u.modelId, u.reason, 1, u.detail);
    placement = { kind: 'whole-gpu', packing };
  } else {
    const packing = packMig(
      parsed.models.map((m, i) => ({
        id: m.id,
        memoryGiB: m.memoryGiB,
        computeSlices: m.computeSlices,
        replicas: counts[i]?.replicas ?? 0,
        antiAffinity: m.antiAffinity,
      })),
      p.inventory,
      options.mig,
    );
    for (const u of packing.unplaced) note(u.demandId, u.reason, u.replicas.length, u.message);
    placement = { kind: 'mig', packing };
  }
  let total = 0;
  let placedAll = 0;
  const models = parsed.models.map((m, i): ModelReplicaCount => {
    const c = counts[i] ?? { desired: 0, replicas: 0, reason: 'no_demand' as const };
    const missing = (unplacedBy.get(m.id) ?? []).reduce((n, u) => n + u.replicas, 0);
    const placed = c.replicas - missing;
    total += c.replicas;
    placedAll += placed;
    const capacity = placed * m.throughputRpsPerReplica;
    return {
      id: m.id,
      desiredReplicas: c.desired,
      replicas: c.replicas,
      reason: c.reason,
      placedReplicas: placed,
      utilization: capacity > 0 ? m.demandRps / capacity : m.demandRps > 0 ? 1 : 0,
    };
  });
  const unplaced: ModelReplicaUnplaced[] = [];
  for (const m of parsed.models) {
    for (const u of unplacedBy.get(m.id) ?? []) unplaced.push({ id: m.id, ...u });
  }
  return {
    models,
    placement,
    unplaced,
    totalReplicas: total,
    placedReplicas: placedAll,
    gpusUsed: placement.packing.gpusUsed,
  };
}
