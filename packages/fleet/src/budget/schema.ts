import { addDuplicateIssues, parseInput, type ErrorPath, type Result } from '@headroom/core';
import { z } from 'zod';

/**
 * The workload classes of {@link arbitrateBudget}, highest first: `realtime` (interactive,
 * latency-bound serving such as chat or voice), `inference` (online APIs with looser SLOs),
 * `batch` (offline inference, embeddings backfills) and `training` (fine-tuning, pre-training).
 * Latency-sensitive inference is served first; batch and training fill what is left.
 */
export const BUDGET_WORKLOAD_CLASSES = ['realtime', 'inference', 'batch', 'training'] as const;

/** One of {@link BUDGET_WORKLOAD_CLASSES}. */
export type BudgetWorkloadClass = (typeof BUDGET_WORKLOAD_CLASSES)[number];

/**
 * The priority a workload gets when it states none, by class: realtime 300, inference 200,
 * batch 100, training 0. Higher is served first. Kubernetes `PriorityClass` values work the same
 * way (a larger integer wins); pick explicit priorities to reorder workloads inside or across
 * classes.
 */
export const DEFAULT_BUDGET_CLASS_PRIORITY: Readonly<Record<BudgetWorkloadClass, number>> =
  Object.freeze({ realtime: 300, inference: 200, batch: 100, training: 0 });

/**
 * The rank of each class when explicit priorities tie, higher first: realtime 3, inference 2,
 * batch 1, training 0.
 */
export const BUDGET_CLASS_RANK: Readonly<Record<BudgetWorkloadClass, number>> = Object.freeze({
  realtime: 3,
  inference: 2,
  batch: 1,
  training: 0,
});

const replicaCount = z.number().int().min(0).max(100_000);

/** One GPU budget: the whole GPUs of one class in one region that workloads may share. */
export const BudgetPoolSchema = z.strictObject({
  /** Region (or any failure domain you budget by), for example `us-east-1`. Non-empty. */
  region: z.string().min(1),
  /** GPU class, for example `H100-80GB`. Non-empty. */
  gpuClass: z.string().min(1),
  /** GPUs the workloads of this pool may use in all, an integer 0..1 000 000. */
  gpus: z.number().int().min(0).max(1_000_000),
});

/** One autoscaled workload asking for GPUs from one pool. */
export const BudgetWorkloadSchema = z
  .strictObject({
    /** Unique workload id. Non-empty. */
    id: z.string().min(1),
    /** Region of the pool it runs in; with `gpuClass`, it must name one of the input's pools. */
    region: z.string().min(1),
    /** GPU class of the pool it runs in. */
    gpuClass: z.string().min(1),
    /** Workload class; see {@link BUDGET_WORKLOAD_CLASSES}. */
    class: z.literal(BUDGET_WORKLOAD_CLASSES),
    /**
     * Priority, an integer -1 000 000..1 000 000; higher is served first. Ties are broken by
     * class (realtime > inference > batch > training), then by marginal benefit per GPU, then by
     * id. @defaultValue by class, see {@link DEFAULT_BUDGET_CLASS_PRIORITY}
     */
    priority: z.number().int().min(-1_000_000).max(1_000_000).optional(),
    /** Whole GPUs one replica needs, an integer 1..1 024. @defaultValue 1 */
    gpusPerReplica: z.number().int().min(1).max(1024).default(1),
    /** Replicas running now, an integer 0..100 000. @defaultValue 0 */
    currentReplicas: replicaCount.default(0),
    /** Replicas its autoscaler wants, an integer 0..100 000, at least `minReplicas`. */
    desiredReplicas: replicaCount,
    /**
     * Guaranteed minimum replicas, an integer 0..100 000, at most `desiredReplicas`: granted
     * before anything else, whatever the priority. @defaultValue 0
     */
    minReplicas: replicaCount.default(0),
    /**
     * Whether its running replicas may be taken away to feed another workload.
     * @defaultValue true for `batch` and `training`, false for `realtime` and `inference`
     */
    preemptible: z.boolean().optional(),
    /**
     * Marginal SLO benefit per replica: `benefit[r]` is what going from `r` to `r + 1` replicas
     * is worth (for example the gain in SLO attainment, or in revenue), finite, >= 0 and
     * non-increasing (diminishing returns), at most 100 000 entries. Replicas past the end of the
     * array are worth 0. It only orders workloads of equal priority and class: the next replica
     * goes to the highest `benefit / gpusPerReplica`. When absent every replica is worth 1; see
     * {@link budgetBenefitFromSloAttainment} to derive it from an SLO model.
     */
    benefit: z.array(z.number().min(0)).max(100_000).optional(),
  })
  .superRefine((w, ctx) => {
    if (w.minReplicas > w.desiredReplicas) {
      ctx.addIssue({
        code: 'custom',
        message: `minReplicas must be at most desiredReplicas (${w.desiredReplicas})`,
        path: ['minReplicas'],
        input: w.minReplicas,
        params: { limit: `<= desiredReplicas (${w.desiredReplicas})` },
      });
    }
    const benefit = w.benefit ?? [];
    for (let i = 1; i < benefit.length; i++) {
      if ((benefit[i] as number) > (benefit[i - 1] as number)) {
        ctx.addIssue({
          code: 'custom',
          message: `benefit must be non-increasing (benefit[${i - 1}] is ${benefit[i - 1]})`,
          path: ['benefit', i],
          input: benefit[i],
          params: { limit: `<= ${benefit[i - 1]}` },
        });
        break;
      }
    }
  });

/** Policy switches of {@link arbitrateBudget}. Unknown keys are rejected. */
export const BudgetPolicySchema = z.strictObject({
  /**
   * When false (the default), a non-preemptible workload keeps its current replicas (up to its
   * desired count) even when a higher-priority workload wants them: the higher one gets less, and
   * the reasons say so. When true, non-preemptible workloads lose replicas like preemptible ones,
   * down to their guaranteed minimum. @defaultValue false
   */
  allowPreemptingRealtime: z.boolean().default(false),
});

/** The input of {@link arbitrateBudget}. Unknown keys are rejected. */
export const BudgetArbitrationInputSchema = z
  .strictObject({
    /** The GPU budgets, one per (region, GPU class), at most 10 000. */
    pools: z.array(BudgetPoolSchema).max(10_000),
    /** A fleet-wide cap on GPUs over all pools, an integer 0..100 000 000; none when absent. */
    fleetGpuCap: z.number().int().min(0).max(100_000_000).optional(),
    /** The workloads, at most 10 000, ids unique. */
    workloads: z.array(BudgetWorkloadSchema).max(10_000),
    /** Policy switches; see {@link BudgetPolicySchema}. @defaultValue `{}` */
    policy: BudgetPolicySchema.default({ allowPreemptingRealtime: false }),
  })
  .superRefine((input, ctx) => {
    const pools = new Set<string>();
    input.pools.forEach((p, i) => {
      const key = budgetPoolKey(p.region, p.gpuClass);
      if (pools.has(key)) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicate pool ${key}`,
          path: ['pools', i],
          input: key,
        });
      }
      pools.add(key);
    });
    addDuplicateIssues(
      ctx,
      input.workloads,
      (w) => w.id,
      (i) => ['workloads', i, 'id'],
      'workload id',
    );
    input.workloads.forEach((w, i) => {
      const key = budgetPoolKey(w.region, w.gpuClass);
      if (!pools.has(key)) {
        ctx.addIssue({
          code: 'custom',
          message: `names no pool of the input (pools: ${[...pools].join(', ') || 'none'})`,
          path: ['workloads', i, 'gpuClass'],
          input: key,
          params: { limit: 'one of the pools' },
        });
      }
    });
  });

/** What {@link arbitrateBudget} accepts: {@link BudgetArbitrationInputSchema}'s input. */
export type BudgetArbitrationInput = z.input<typeof BudgetArbitrationInputSchema>;

/** A validated, frozen {@link BudgetArbitrationInputSchema}, defaults filled in. */
export type ParsedBudgetArbitrationInput = Readonly<z.output<typeof BudgetArbitrationInputSchema>>;

/** One workload as {@link BudgetWorkloadSchema} accepts it. */
export type BudgetWorkloadInput = z.input<typeof BudgetWorkloadSchema>;

/** One pool as {@link BudgetPoolSchema} accepts it. */
export type BudgetPoolInput = z.input<typeof BudgetPoolSchema>;

/**
 * The key of a pool: `region/gpuClass`, for example `us-east-1/H100-80GB`.
 *
 * @example
 * ```ts
 * budgetPoolKey('us-east-1', 'H100-80GB'); // 'us-east-1/H100-80GB'
 * ```
 */
export function budgetPoolKey(region: string, gpuClass: string): string {
  return `${region}/${gpuClass}`;
}

/**
 * Validates an arbitration input without throwing: the parsed input with defaults filled in, or
 * an `invalid_input` `HeadroomError` naming the path, the bound and the
 * offending value (a duplicate id, a workload naming no pool, `minReplicas > desiredReplicas`, a
 * benefit curve that increases).
 *
 * @param input - the input; see {@link BudgetArbitrationInputSchema}.
 * @param path - where the input sits in a larger one, prefixed to error paths. @defaultValue `[]`
 * @example
 * ```ts
 * const parsed = parseBudgetArbitrationInput({ pools: [], workloads: [] });
 * if (!parsed.ok) console.error(parsed.error.message);
 * ```
 */
export function parseBudgetArbitrationInput(
  input: BudgetArbitrationInput,
  path: ErrorPath = [],
): Result<ParsedBudgetArbitrationInput> {
  return parseInput(BudgetArbitrationInputSchema, input, path);
}
