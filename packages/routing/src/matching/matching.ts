import { parseConfig, type ErrorPath } from '@headroom/core';
import { z } from 'zod';
import {
  DEFAULT_TIERS_BY_LATENCY_CLASS,
  GPU_TIERS,
  LATENCY_CLASSES,
  type GpuClassInfo,
  type GpuTier,
  type LatencyClass,
} from './gpu-classes.js';

const TierListSchema = z.array(z.literal(GPU_TIERS)).min(1).max(GPU_TIERS.length);

/**
 * The matching policy: which GPU tiers each latency class may use, whether it prefers the
 * cheaper or the faster of them, and how much GPU memory to keep free. Unknown keys are rejected;
 * every field has a default.
 */
export const MatchingPolicySchema = z.strictObject({
  /**
   * The tiers each latency class may use.
   * @defaultValue {@link DEFAULT_TIERS_BY_LATENCY_CLASS}
   */
  tiersByLatencyClass: z
    .strictObject({
      /** Tiers for `realtime`. @defaultValue `['flagship', 'performance']` */
      realtime: TierListSchema.default(() => [...DEFAULT_TIERS_BY_LATENCY_CLASS.realtime]),
      /** Tiers for `interactive`. @defaultValue `['flagship', 'performance', 'mainstream']` */
      interactive: TierListSchema.default(() => [...DEFAULT_TIERS_BY_LATENCY_CLASS.interactive]),
      /** Tiers for `batch`. @defaultValue every tier */
      batch: TierListSchema.default(() => [...DEFAULT_TIERS_BY_LATENCY_CLASS.batch]),
    })
    .prefault({}),
  /**
   * Whether each latency class prefers the cheapest allowed tier (true) or the fastest (false) in
   * {@link workloadPreference}.
   * @defaultValue `{ realtime: false, interactive: false, batch: true }`
   */
  preferCheaper: z
    .strictObject({
      /** @defaultValue false */
      realtime: z.boolean().default(false),
      /** @defaultValue false */
      interactive: z.boolean().default(false),
      /** @defaultValue true */
      batch: z.boolean().default(true),
    })
    .prefault({}),
  /**
   * The fraction of GPU memory kept free, in [0, 0.9]: a model fits when
   * `modelMemoryGiB <= memoryGiB × (1 - memoryHeadroom)`. A requirement may override it.
   * @defaultValue 0.1
   */
  memoryHeadroom: z.number().min(0).max(0.9).default(0.1),
});

/** What a user passes: {@link MatchingPolicySchema}'s input. */
export type MatchingPolicy = z.input<typeof MatchingPolicySchema>;

/** A validated, frozen {@link MatchingPolicySchema} with defaults filled in. */
export type ResolvedMatchingPolicy = Readonly<z.output<typeof MatchingPolicySchema>>;

const resolved = new WeakSet<object>();
const cache = new WeakMap<object, ResolvedMatchingPolicy>();

/**
 * Validates a matching policy once: returns it frozen with defaults filled in.
 *
 * @param input - see {@link MatchingPolicySchema}. @defaultValue `{}`
 * @param path - where the policy sits in a larger configuration. @defaultValue `[]`
 * @throws `HeadroomError` `invalid_config` naming the field, the bound and the offending value.
 * @example
 * ```ts
 * const policy = parseMatchingPolicy({ tiersByLatencyClass: { interactive: ['flagship'] } });
 * ```
 */
export function parseMatchingPolicy(
  input: MatchingPolicy = {},
  path: ErrorPath = [],
): ResolvedMatchingPolicy {
  const policy = parseConfig(MatchingPolicySchema, input, path);
  resolved.add(policy);
  return policy;
}

function resolve(
  policy: MatchingPolicy | ResolvedMatchingPolicy | undefined,
): ResolvedMatchingPolicy {
  if (policy === undefined) return DEFAULT_MATCHING_POLICY;
  if (resolved.has(policy)) return policy as ResolvedMatchingPolicy;
  const known = cache.get(policy);
  if (known !== undefined) return known;
  const parsed = parseMatchingPolicy(policy);
  cache.set(policy, parsed);
  return parsed;
}

/** The matching policy with every default. */
export const DEFAULT_MATCHING_POLICY: ResolvedMatchingPolicy = parseMatchingPolicy({});

/** What a workload needs from a GPU. */
export interface WorkloadRequirement {
  /** The workload's latency class; decides the allowed GPU tiers. */
  readonly latencyClass: LatencyClass;
  /**
   * GPU memory the model needs on one GPU, GiB, finite and >= 0: weights plus the KV-cache and
   * activation reserve it runs with (per GPU when tensor-parallel).
   */
  readonly modelMemoryGiB: number;
  /** True when the model runs FP8 kernels (FP8 weights or KV cache): needs FP8 tensor cores. */
  readonly fp8?: boolean;
  /**
   * Overrides the policy's `memoryHeadroom` for this workload, in [0, 1).
   */
  readonly memoryHeadroom?: number;
  /** Overrides the policy's allowed tiers for this workload (an empty list allows none). */
  readonly allowedTiers?: readonly GpuTier[];
}

/**
 * Why a GPU does not suit a workload.
 *
 * - `invalid_requirement`: the requirement itself is malformed (unknown latency class, memory not
 *   a finite number >= 0, headroom outside [0, 1)); nothing matches it.
 * - `tier_not_allowed`: the GPU's tier is not allowed for the latency class.
 * - `fp8_unsupported`: the workload needs FP8 and the GPU has no FP8 tensor cores.
 * - `insufficient_memory`: the model does not fit in the GPU's memory less the headroom.
 */
export type WorkloadRejection =
  'invalid_requirement' | 'tier_not_allowed' | 'fp8_unsupported' | 'insufficient_memory';

/** The outcome of {@link explainWorkloadMatch}. */
export type WorkloadMatch =
  | {
      /** The GPU suits the workload. */
      readonly allowed: true;
      /** Always `allowed`. */
      readonly reason: 'allowed';
      /** {@link workloadPreference} of the pair, in (0, 1]. */
      readonly preference: number;
      /** The memory the GPU offers after headroom, GiB. */
      readonly usableMemoryGiB: number;
    }
  | {
      /** The GPU does not suit the workload. */
      readonly allowed: false;
      /** The first failing check, in the order requirement, tier, FP8, memory. */
      readonly reason: WorkloadRejection;
      /** A sentence for people: what failed, with the numbers. */
      readonly detail: string;
    };

const OK = 0;
const INVALID = 1;
const TIER = 2;
const FP8 = 3;
const MEMORY = 4;

function headroomOf(req: WorkloadRequirement, policy: ResolvedMatchingPolicy): number {
  return req.memoryHeadroom ?? policy.memoryHeadroom;
}

function tiersOf(req: WorkloadRequirement, policy: ResolvedMatchingPolicy): readonly GpuTier[] {
  return req.allowedTiers ?? policy.tiersByLatencyClass[req.latencyClass];
}

function check(
  req: WorkloadRequirement,
  gpu: GpuClassInfo,
  policy: ResolvedMatchingPolicy,
): number {
  const mem = req.modelMemoryGiB;
  const headroom = headroomOf(req, policy);
  if (
    !LATENCY_CLASSES.includes(req.latencyClass) ||
    typeof mem !== 'number' ||
    !Number.isFinite(mem) ||
    mem < 0 ||
    typeof headroom !== 'number' ||
    !(headroom >= 0 && headroom < 1)
  ) {
    return INVALID;
  }
  if (!tiersOf(req, policy).includes(gpu.tier)) return TIER;
  if (req.fp8 === true && gpu.fp8 !== true) return FP8;
  if (!(mem <= gpu.memoryGiB * (1 - headroom))) return MEMORY;
  return OK;
}

/**
 * Whether a GPU class may serve a workload: its tier is allowed for the workload's latency class,
 * it has FP8 tensor cores if the workload needs them (FP8 models run only on Ada, Hopper and
 * Blackwell), and the model fits: `modelMemoryGiB <= memoryGiB × (1 - headroom)`. Never throws on a
 * malformed requirement: it is simply not allowed (see {@link explainWorkloadMatch} for why).
 * O(tiers), allocates nothing.
 *
 * @param req - the workload's needs.
 * @param gpu - the GPU class (for example from {@link GPU_CLASS_INFO}).
 * @param policy - tiers per latency class and memory headroom (raw or resolved).
 * @defaultValue {@link DEFAULT_MATCHING_POLICY}
 * @returns true when the GPU suits the workload.
 * @throws `HeadroomError` `invalid_config` when a raw `policy` is invalid.
 * @example
 * ```ts
 * workloadAllows({ latencyClass: 'realtime', modelMemoryGiB: 40, fp8: true }, GPU_CLASS_INFO['H100-80GB']!); // true
 * workloadAllows({ latencyClass: 'realtime', modelMemoryGiB: 40, fp8: true }, GPU_CLASS_INFO['A100-80GB']!); // false: no FP8
 * ```
 */
export function workloadAllows(
  req: WorkloadRequirement,
  gpu: GpuClassInfo,
  policy?: MatchingPolicy | ResolvedMatchingPolicy,
): boolean {
  return check(req, gpu, resolve(policy)) === OK;
}

/**
 * How much a workload prefers a GPU class among those it may use, in (0, 1]; 0 when not allowed.
 * The allowed tiers are ranked fastest first ({@link GPU_TIERS} order); a class that prefers speed
 * scores `(k - i) / k` for the i-th of k allowed tiers (the fastest 1), one that prefers cost
 * (`preferCheaper`, `batch` by default) scores `(i + 1) / k` (the cheapest 1).
 *
 * @param req - the workload's needs.
 * @param gpu - the GPU class.
 * @param policy - the matching policy (raw or resolved). @defaultValue {@link DEFAULT_MATCHING_POLICY}
 * @returns the preference in [0, 1].
 * @throws `HeadroomError` `invalid_config` when a raw `policy` is invalid.
 * @example
 * ```ts
 * workloadPreference({ latencyClass: 'batch', modelMemoryGiB: 10 }, GPU_CLASS_INFO.T4!); // 1
 * workloadPreference({ latencyClass: 'batch', modelMemoryGiB: 10 }, GPU_CLASS_INFO['H100-80GB']!); // 0.25
 * ```
 */
export function workloadPreference(
  req: WorkloadRequirement,
  gpu: GpuClassInfo,
  policy?: MatchingPolicy | ResolvedMatchingPolicy,
): number {
  const p = resolve(policy);
  if (check(req, gpu, p) !== OK) return 0;
  return preferenceOf(req, gpu, p);
}

function preferenceOf(
  req: WorkloadRequirement,
  gpu: GpuClassInfo,
  policy: ResolvedMatchingPolicy,
): number {
  const allowed = tiersOf(req, policy);
  let k = 0;
  let i = -1;
  for (const tier of GPU_TIERS) {
    if (!allowed.includes(tier)) continue;
    if (tier === gpu.tier) i = k;
    k += 1;
  }
  if (i < 0 || k === 0) return 0;
  return policy.preferCheaper[req.latencyClass] ? (i + 1) / k : (k - i) / k;
}

/**
 * Like {@link workloadAllows}, with the reason: the first failing check (requirement, tier, FP8,
 * memory) and a sentence with the numbers, or the preference and usable memory when allowed.
 *
 * @param req - the workload's needs.
 * @param gpu - the GPU class.
 * @param policy - the matching policy (raw or resolved). @defaultValue {@link DEFAULT_MATCHING_POLICY}
 * @returns the match outcome.
 * @throws `HeadroomError` `invalid_config` when a raw `policy` is invalid.
 * @example
 * ```ts
 * explainWorkloadMatch({ latencyClass: 'interactive', modelMemoryGiB: 70 }, GPU_CLASS_INFO['A100-80GB']!);
 * // { allowed: false, reason: 'insufficient_memory', detail: 'model needs 70 GiB; A100-80GB offers 72 GiB (80 GiB less 10% headroom)' }
 * ```
 */
export function explainWorkloadMatch(
  req: WorkloadRequirement,
  gpu: GpuClassInfo,
  policy?: MatchingPolicy | ResolvedMatchingPolicy,
): WorkloadMatch {
  const p = resolve(policy);
  const code = check(req, gpu, p);
  const headroom = headroomOf(req, p);
  const usable = gpu.memoryGiB * (1 - headroom);
  switch (code) {
    case OK:
      return {
        allowed: true,
        reason: 'allowed',
        preference: preferenceOf(req, gpu, p),
        usableMemoryGiB: usable,
      };
    case INVALID:
      return {
        allowed: false,
        reason: 'invalid_requirement',
        detail: invalidDetail(req, headroom),
      };
    case TIER:
      return {
        allowed: false,
        reason: 'tier_not_allowed',
        detail: `${gpu.name} is tier ${gpu.tier}; ${req.latencyClass} workloads may use ${formatTiers(tiersOf(req, p))}`,
      };
    case FP8:
      return {
        allowed: false,
        reason: 'fp8_unsupported',
        detail: `the model runs FP8; ${gpu.name} (${gpu.arch}) has no FP8 tensor cores (Ada, Hopper and Blackwell do)`,
      };
    default:
      return {
        allowed: false,
        reason: 'insufficient_memory',
        detail: `model needs ${round(req.modelMemoryGiB)} GiB; ${gpu.name} offers ${round(usable)} GiB (${round(gpu.memoryGiB)} GiB less ${round(headroom * 100)}% headroom)`,
      };
  }
}

function formatTiers(tiers: readonly GpuTier[]): string {
  return tiers.length === 0 ? 'no tier' : tiers.join(', ');
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function invalidDetail(req: WorkloadRequirement, headroom: number): string {
  if (!LATENCY_CLASSES.includes(req.latencyClass)) {
    return `latencyClass must be one of ${LATENCY_CLASSES.join(', ')} (got ${String(req.latencyClass)})`;
  }
  if (!(Number.isFinite(req.modelMemoryGiB) && req.modelMemoryGiB >= 0)) {
    return `modelMemoryGiB must be a finite number >= 0 (got ${String(req.modelMemoryGiB)})`;
  }
  return `memoryHeadroom must be in [0, 1) (got ${String(headroom)})`;
}

/**
 * The GPU classes that may serve a workload, best first: by {@link workloadPreference}, then by
 * more usable memory, then by name. Use it to choose where to place or scale a model.
 *
 * @param req - the workload's needs.
 * @param gpus - candidate GPU classes (for example `Object.values(GPU_CLASS_INFO)`).
 * @param policy - the matching policy (raw or resolved). @defaultValue {@link DEFAULT_MATCHING_POLICY}
 * @returns the allowed classes, best first (a new array).
 * @throws `HeadroomError` `invalid_config` when a raw `policy` is invalid.
 * @example
 * ```ts
 * rankGpuClasses({ latencyClass: 'batch', modelMemoryGiB: 14 }, Object.values(GPU_CLASS_INFO))[0]?.name; // 'T4'
 * ```
 */
export function rankGpuClasses(
  req: WorkloadRequirement,
  gpus: Iterable<GpuClassInfo>,
  policy?: MatchingPolicy | ResolvedMatchingPolicy,
): GpuClassInfo[] {
  const p = resolve(policy);
  const scored: { gpu: GpuClassInfo; pref: number }[] = [];
  for (const gpu of gpus) {
    if (check(req, gpu, p) === OK) scored.push({ gpu, pref: preferenceOf(req, gpu, p) });
  }
  scored.sort(
    (a, b) =>
      b.pref - a.pref ||
      b.gpu.memoryGiB - a.gpu.memoryGiB ||
      (a.gpu.name < b.gpu.name ? -1 : a.gpu.name > b.gpu.name ? 1 : 0),
  );
  return scored.map((s) => s.gpu);
}
