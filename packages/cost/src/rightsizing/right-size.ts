import { CAPACITY_TYPES, fromZodError, HeadroomError, type CapacityType } from '@headroom/core';
import { z } from 'zod';
import type { Catalog, GpuClass, InstanceType } from '../catalog/schema.js';
import { migCapableGpus, migGeometry, type MigGeometry, type MigProfile } from '../mig/geometry.js';
import { RooflineModelSchema, rooflineRequestsPerSecond, weightBytes } from './roofline.js';

/** The kinds of candidate {@link rightSize} weighs. */
export const RIGHT_SIZE_KINDS = ['mig', 'gpu', 'instance'] as const;

/**
 * A kind of candidate:
 *
 * - `mig`: one MIG instance of a profile on a MIG-capable GPU (Kubernetes resource
 *   `nvidia.com/mig-<profile>`), priced as a share of the GPU (see `migPricing`). Only GPU
 *   classes with `migCapable: true` AND a MIG geometry in `migGeometry` (the NVIDIA tables
 *   headroom ships) get MIG candidates; media-extension (`+me`) profiles are skipped, being the
 *   same slice plus the GPU's only video engines.
 * - `gpu`: `k` whole GPUs of a class (k a power of two up to the largest instance of that class;
 *   tensor parallel when k > 1), priced per GPU at the cheapest instance type of the class, as a
 *   Kubernetes pod requesting `nvidia.com/gpu: k` on a shared node pays.
 * - `instance`: a whole instance type, running as many replicas of the smallest GPU group that
 *   fits as its GPUs allow.
 */
export type RightSizeKind = (typeof RIGHT_SIZE_KINDS)[number];

/**
 * How a MIG instance is priced:
 *
 * - `compute-slices`: `computeSlices / gpuComputeSlices` of the GPU's price (1/7 of a GPU per
 *   compute slice on A100/H100/H200/B200, 1/4 on A30), the common chargeback rule.
 * - `dominant-share`: the larger of its compute share and its memory share
 *   (`memorySlices / gpuMemorySlices`), the part of the GPU no other instance can use. A `3g`
 *   takes 4 of 8 memory slices, so two of them fill a GPU and each costs half of it; a `1g.2x`
 *   (e.g. `1g.20gb`) costs a quarter. Use it when your layouts cannot fill the leftovers.
 */
export type MigPricing = 'compute-slices' | 'dominant-share';

/**
 * Measured throughput, requests per second, by hardware: `perGpuClass` per ONE whole GPU of a
 * class (a k-GPU replica is assumed to serve k times as much), `perMigProfile` per MIG instance,
 * keyed by GPU class then profile name. Every value is finite and > 0.
 */
export const ThroughputProfileSchema = z.strictObject({
  /** Requests/s of ONE whole GPU, by GPU class name (> 0). */
  perGpuClass: z.record(z.string(), z.number().positive()).optional(),
  /** Requests/s of one MIG instance, by GPU class name then profile name (> 0). */
  perMigProfile: z.record(z.string(), z.record(z.string(), z.number().positive())).optional(),
});

/**
 * What a model needs from its hardware, for {@link rightSize}.
 *
 * - `memoryGiB`: weights plus the KV cache and activations the target batch needs, GiB (> 0).
 * - `headroomFraction`: extra memory on top, a fraction >= 0 (at most 4): the pick must have
 *   `memoryGiB * (1 + headroomFraction)`. 0.2-0.3 covers KV-cache growth, batch buffers,
 *   CUDA graphs and fragmentation for typical vLLM/SGLang deployments. @defaultValue 0.2
 * - `requestsPerSecond`: the load to carry, requests/s (>= 0; 0 = memory only). @defaultValue 0
 * - `requireFp8`: only hardware with FP8 tensor cores (Ada, Hopper, Blackwell). @defaultValue false
 * - `capacityType`: which price to pay: `on-demand`, `reserved` or `spot`. @defaultValue 'on-demand'
 * - `kinds`: which candidate kinds to weigh. @defaultValue ['mig', 'gpu', 'instance']
 * - `maxReplicas`: the most replicas a candidate may need to carry the load, integer >= 1.
 *   @defaultValue 1000
 * - `migPricing`: see {@link MigPricing}. @defaultValue 'compute-slices'
 * - `throughputProfile`: measured requests/s per GPU class or MIG profile (see
 *   {@link ThroughputProfileSchema}); used first.
 * - `model`: the model shape for a roofline estimate where no profile entry exists (see
 *   `RooflineModelSchema`); its weights must fit in `memoryGiB`.
 */
export const RightSizeRequirementSchema = z.strictObject({
  /** Weights plus KV cache and activations, GiB (> 0). */
  memoryGiB: z.number().positive(),
  /** Extra memory on top of `memoryGiB`, a fraction in [0, 4]. @defaultValue 0.2 */
  headroomFraction: z.number().min(0).max(4).default(0.2),
  /** The load to carry, requests/s (>= 0; 0 = memory only). @defaultValue 0 */
  requestsPerSecond: z.number().min(0).default(0),
  /** Only hardware with FP8 tensor cores. @defaultValue false */
  requireFp8: z.boolean().default(false),
  /** Which price to pay. @defaultValue 'on-demand' */
  capacityType: z.literal(CAPACITY_TYPES).default('on-demand'),
  /** Which candidate kinds to weigh. @defaultValue ['mig', 'gpu', 'instance'] */
  kinds: z
    .array(z.literal(RIGHT_SIZE_KINDS))
    .min(1)
    .default([...RIGHT_SIZE_KINDS]),
  /** The most replicas a candidate may need, integer >= 1. @defaultValue 1000 */
  maxReplicas: z.number().int().min(1).default(1000),
  /** How a MIG instance is priced; see `MigPricing`. @defaultValue 'compute-slices' */
  migPricing: z.literal(['compute-slices', 'dominant-share']).default('compute-slices'),
  /** Measured requests/s per GPU class or MIG profile; used first. */
  throughputProfile: ThroughputProfileSchema.optional(),
  /** The model shape for a roofline estimate where no profile entry exists. */
  model: RooflineModelSchema.optional(),
});

/** What a caller passes to {@link rightSize} (defaults not yet applied). */
export type RightSizeRequirementInput = z.input<typeof RightSizeRequirementSchema>;

/** A validated {@link RightSizeRequirementSchema}. */
export type RightSizeRequirement = z.output<typeof RightSizeRequirementSchema>;

/** Where a candidate's requests/s per replica came from. */
export type ThroughputSource = 'profile' | 'roofline' | 'not_required';

/** A candidate that fits memory (with headroom) and, with enough replicas, the load. */
export interface AcceptedCandidate {
  /** Which kind; see {@link RightSizeKind}. */
  readonly kind: RightSizeKind;
  /** Display name: `'L4 x1'`, `'H100-80GB 3g.40gb'`, `'p5.48xlarge'`. */
  readonly name: string;
  /** GPU class of the hardware. */
  readonly gpuClass: string;
  /** MIG profile, for `mig` candidates. */
  readonly migProfile?: string;
  /**
   * The instance type: the whole instance for `instance` candidates; the instance type the per-GPU
   * price (for `gpu` and `mig` candidates) was taken from.
   */
  readonly instanceType: string;
  /** GPUs billed per replica: k for `gpu`, the priced share for `mig`, all GPUs for `instance`. */
  readonly gpusPerReplica: number;
  /** Memory one replica offers, GiB (usable memory for MIG profiles). */
  readonly memoryGiB: number;
  /** USD per hour of one replica at the requirement's capacity type. */
  readonly usdPerReplicaHour: number;
  /** Requests/s one replica sustains, or `null` when no load was asked for. */
  readonly requestsPerSecondPerReplica: number | null;
  /** Where `requestsPerSecondPerReplica` came from. */
  readonly throughputSource: ThroughputSource;
  /** Replicas needed: `max(1, ceil(requestsPerSecond / requestsPerSecondPerReplica))`. */
  readonly replicas: number;
  /** What the candidate costs, USD per hour: `replicas * usdPerReplicaHour`. */
  readonly usdPerHour: number;
}

/**
 * Why a candidate was rejected, as a stable code:
 *
 * - `fp8`: FP8 was required and the architecture lacks it.
 * - `memory`: the replica's memory is below the need with headroom.
 * - `price`: no price for the capacity type (or no instance type offers the GPU).
 * - `throughput`: no way to know its requests/s, or it needs more than `maxReplicas` replicas.
 */
export type RejectionReason = 'fp8' | 'memory' | 'price' | 'throughput';

/** A candidate {@link rightSize} weighed and rejected, with the reason in words. */
export interface RejectedCandidate {
  /** Which kind; see {@link RightSizeKind}. */
  readonly kind: RightSizeKind;
  /** Display name, as in {@link AcceptedCandidate.name}. */
  readonly name: string;
  /** GPU class of the hardware. */
  readonly gpuClass: string;
  /** The stable reason code. */
  readonly reason: RejectionReason;
  /**
   * The reason in words, prefixed by its code, e.g.
   * `memory: needs 48.0 GiB with 20% headroom, profile 3g.40gb has 39.5 GiB usable`.
   */
  readonly detail: string;
}

/** What {@link rightSize} returns. */
export interface RightSizeResult {
  /** The cheapest accepted candidate, or `null` when none fits. */
  readonly pick: AcceptedCandidate | null;
  /** Every accepted candidate, cheapest first (the pick is the first). */
  readonly accepted: readonly AcceptedCandidate[];
  /** Every rejected candidate with its reason, in the order weighed. */
  readonly rejected: readonly RejectedCandidate[];
  /** The memory a replica must have: `memoryGiB * (1 + headroomFraction)`, GiB. */
  readonly requiredMemoryGiB: number;
  /** The requirement after validation and defaults. */
  readonly requirement: RightSizeRequirement;
}

/** Relative slack when rounding replicas up, so 3.0000000000000004 replicas is 3. */
const CEIL_SLACK = 1e-9;
const KIND_ORDER: Readonly<Record<RightSizeKind, number>> = { mig: 0, gpu: 1, instance: 2 };

interface PerGpuPrice {
  readonly usdPerGpuHour: number;
  readonly instanceType: string;
}

interface Context {
  readonly req: RightSizeRequirement;
  readonly needGiB: number;
  readonly accepted: AcceptedCandidate[];
  readonly rejected: RejectedCandidate[];
}

function gib(value: number): string {
  return `${value.toFixed(1)} GiB`;
}

function memoryDetail(ctx: Context, what: string): string {
  const pct = Math.round(ctx.req.headroomFraction * 100);
  return `memory: needs ${gib(ctx.needGiB)} with ${pct}% headroom, ${what}`;
}

/** The cheapest per-GPU price among the class's instance types for the capacity type. */
function cheapestPerGpu(
  types: readonly InstanceType[],
  capacityType: CapacityType,
): PerGpuPrice | undefined {
  let best: PerGpuPrice | undefined;
  for (const t of types) {
    const price = t.prices[capacityType];
    if (price === undefined) continue;
    const perGpu = price.usdPerHour / t.gpuCount;
    if (best === undefined || perGpu < best.usdPerGpuHour) {
      best = { usdPerGpuHour: perGpu, instanceType: t.name };
    }
  }
  return best;
}

/** Dense tensor TFLOPS the model runs at: FP8 when its weights are <= 1 byte and the GPU has it. */
function tflopsFor(gpu: GpuClass, req: RightSizeRequirement): number {
  if (req.model !== undefined && req.model.bytesPerParam <= 1 && gpu.fp8Tflops !== undefined) {
    return gpu.fp8Tflops;
  }
  return gpu.bf16Tflops;
}

type Throughput =
  | { readonly ok: true; readonly rps: number | null; readonly source: ThroughputSource }
  | { readonly ok: false; readonly detail: string };

/**
 * Requests/s of one replica: the profile first, then the roofline over the replica's share of
 * bandwidth and compute; `null` (not needed) when no load is asked for.
 */
function throughputOf(
  req: RightSizeRequirement,
  profileRps: number | undefined,
  bandwidthGBs: number,
  tflops: number,
  what: string,
): Throughput {
  if (req.requestsPerSecond === 0) return { ok: true, rps: null, source: 'not_required' };
  if (profileRps !== undefined) return { ok: true, rps: profileRps, source: 'profile' };
  if (req.model !== undefined) {
    const rps = rooflineRequestsPerSecond(req.model, { bandwidthGBs, tflops }).requestsPerSecond;
    return { ok: true, rps, source: 'roofline' };
  }
  return {
    ok: false,
    detail: `throughput: no profile entry for ${what} and no model for a roofline estimate`,
  };
}

function accept(
  ctx: Context,
  base: Omit<
    AcceptedCandidate,
    'requestsPerSecondPerReplica' | 'throughputSource' | 'replicas' | 'usdPerHour'
  >,
  throughput: Throughput,
): void {
  if (!throughput.ok) {
    ctx.rejected.push({
      kind: base.kind,
      name: base.name,
      gpuClass: base.gpuClass,
      reason: 'throughput',
      detail: throughput.detail,
    });
    return;
  }
  const replicas =
    throughput.rps === null
      ? 1
      : Math.max(1, Math.ceil(ctx.req.requestsPerSecond / throughput.rps - CEIL_SLACK));
  if (!Number.isFinite(replicas) || replicas > ctx.req.maxReplicas) {
    ctx.rejected.push({
      kind: base.kind,
      name: base.name,
      gpuClass: base.gpuClass,
      reason: 'throughput',
      detail: `throughput: needs ${Number.isFinite(replicas) ? replicas : 'unbounded'} replicas at ${describeRps(throughput.rps)} req/s each for ${ctx.req.requestsPerSecond} req/s, above maxReplicas ${ctx.req.maxReplicas}`,
    });
    return;
  }
  ctx.accepted.push({
    ...base,
    requestsPerSecondPerReplica: throughput.rps,
    throughputSource: throughput.source,
    replicas,
    usdPerHour: replicas * base.usdPerReplicaHour,
  });
}

function describeRps(rps: number | null): string {
  return rps === null ? 'n/a' : rps.toPrecision(3);
}

function reject(
  ctx: Context,
  kind: RightSizeKind,
  name: string,
  gpuClass: string,
  reason: RejectionReason,
  detail: string,
): void {
  ctx.rejected.push({ kind, name, gpuClass, reason, detail });
}

function fp8Detail(gpu: GpuClass): string {
  return `fp8: not supported on ${gpu.arch} (${gpu.name})`;
}

function noPriceDetail(gpu: GpuClass, types: readonly InstanceType[], capacity: string): string {
  return types.length === 0
    ? `price: no instance type in the catalog offers ${gpu.name}`
    : `price: no ${capacity} price for any instance type of ${gpu.name}`;
}

/** Powers of two up to `max`, plus `max` itself. */
function groupSizes(max: number): number[] {
  const sizes: number[] = [];
  for (let k = 1; k <= max; k *= 2) sizes.push(k);
  if (sizes[sizes.length - 1] !== max && max >= 1) sizes.push(max);
  return sizes;
}

function weighGpus(ctx: Context, gpu: GpuClass, types: readonly InstanceType[]): void {
  const maxCount = types.reduce((m, t) => Math.max(m, t.gpuCount), 1);
  const price = cheapestPerGpu(types, ctx.req.capacityType);
  const perGpuRps = ctx.req.throughputProfile?.perGpuClass?.[gpu.name];
  for (const k of groupSizes(maxCount)) {
    const name = `${gpu.name} x${k}`;
    const memoryGiB = k * gpu.memoryGiB;
    if (ctx.req.requireFp8 && !gpu.fp8) {
      reject(ctx, 'gpu', name, gpu.name, 'fp8', fp8Detail(gpu));
    } else if (memoryGiB < ctx.needGiB) {
      reject(
        ctx,
        'gpu',
        name,
        gpu.name,
        'memory',
        memoryDetail(ctx, `${k} x ${gpu.name} has ${gib(memoryGiB)}`),
      );
    } else if (price === undefined) {
      reject(ctx, 'gpu', name, gpu.name, 'price', noPriceDetail(gpu, types, ctx.req.capacityType));
    } else {
      accept(
        ctx,
        {
          kind: 'gpu',
          name,
          gpuClass: gpu.name,
          instanceType: price.instanceType,
          gpusPerReplica: k,
          memoryGiB,
          usdPerReplicaHour: k * price.usdPerGpuHour,
        },
        throughputOf(
          ctx.req,
          perGpuRps === undefined ? undefined : k * perGpuRps,
          k * gpu.bandwidthGBs,
          k * tflopsFor(gpu, ctx.req),
          `GPU class ${gpu.name}`,
        ),
      );
    }
  }
}

function migShare(geometry: MigGeometry, profile: MigProfile, pricing: MigPricing): number {
  const compute = profile.computeSlices / geometry.computeSlices;
  if (pricing === 'compute-slices') return compute;
  return Math.max(compute, profile.memorySlices / geometry.memorySlices);
}

function weighMig(ctx: Context, gpu: GpuClass, types: readonly InstanceType[]): void {
  if (!gpu.migCapable || !migCapableGpus().includes(gpu.name)) return;
  const geometry = migGeometry(gpu.name);
  const price = cheapestPerGpu(types, ctx.req.capacityType);
  const perProfile = ctx.req.throughputProfile?.perMigProfile?.[gpu.name];
  for (const profile of geometry.profiles) {
    // Media-extension profiles are the same hardware as their plain sibling plus the GPU's only
    // video engines; they are not a right-sizing choice for a text model.
    if (profile.mediaExtensions) continue;
    const name = `${gpu.name} ${profile.name}`;
    if (ctx.req.requireFp8 && !gpu.fp8) {
      reject(ctx, 'mig', name, gpu.name, 'fp8', fp8Detail(gpu));
    } else if (profile.memoryGiB < ctx.needGiB) {
      reject(
        ctx,
        'mig',
        name,
        gpu.name,
        'memory',
        memoryDetail(ctx, `profile ${profile.name} has ${gib(profile.memoryGiB)} usable`),
      );
    } else if (price === undefined) {
      reject(ctx, 'mig', name, gpu.name, 'price', noPriceDetail(gpu, types, ctx.req.capacityType));
    } else {
      const share = migShare(geometry, profile, ctx.req.migPricing);
      accept(
        ctx,
        {
          kind: 'mig',
          name,
          gpuClass: gpu.name,
          migProfile: profile.name,
          instanceType: price.instanceType,
          gpusPerReplica: share,
          memoryGiB: profile.memoryGiB,
          usdPerReplicaHour: share * price.usdPerGpuHour,
        },
        throughputOf(
          ctx.req,
          perProfile?.[profile.name],
          (gpu.bandwidthGBs * profile.memorySlices) / geometry.memorySlices,
          (tflopsFor(gpu, ctx.req) * profile.sms) / geometry.totalSMs,
          `MIG profile ${gpu.name} ${profile.name}`,
        ),
      );
    }
  }
}

function weighInstance(ctx: Context, gpu: GpuClass, t: InstanceType): void {
  const memoryGiB = t.gpuCount * gpu.memoryGiB;
  const price = t.prices[ctx.req.capacityType];
  if (ctx.req.requireFp8 && !gpu.fp8) {
    reject(ctx, 'instance', t.name, gpu.name, 'fp8', fp8Detail(gpu));
    return;
  }
  if (memoryGiB < ctx.needGiB) {
    reject(
      ctx,
      'instance',
      t.name,
      gpu.name,
      'memory',
      memoryDetail(ctx, `${t.name} has ${gib(memoryGiB)} (${t.gpuCount} x ${gpu.name})`),
    );
    return;
  }
  if (price === undefined) {
    reject(
      ctx,
      'instance',
      t.name,
      gpu.name,
      'price',
      `price: no ${ctx.req.capacityType} price for ${t.name}`,
    );
    return;
  }
  // The smallest GPU group that fits; the instance runs as many such replicas as its GPUs allow.
  const group = groupSizes(t.gpuCount).find((k) => k * gpu.memoryGiB >= ctx.needGiB) ?? t.gpuCount;
  const perInstance = Math.floor(t.gpuCount / group);
  const perGpuRps = ctx.req.throughputProfile?.perGpuClass?.[gpu.name];
  const throughput = throughputOf(
    ctx.req,
    perGpuRps === undefined ? undefined : group * perGpuRps,
    group * gpu.bandwidthGBs,
    group * tflopsFor(gpu, ctx.req),
    `GPU class ${gpu.name}`,
  );
  accept(
    ctx,
    {
      kind: 'instance',
      name: t.name,
      gpuClass: gpu.name,
      instanceType: t.name,
      gpusPerReplica: t.gpuCount,
      memoryGiB,
      usdPerReplicaHour: price.usdPerHour,
    },
    throughput.ok && throughput.rps !== null
      ? { ...throughput, rps: perInstance * throughput.rps }
      : throughput,
  );
}

function compareAccepted(a: AcceptedCandidate, b: AcceptedCandidate): number {
  return (
    a.usdPerHour - b.usdPerHour ||
    a.replicas * a.gpusPerReplica - b.replicas * b.gpusPerReplica ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}

/**
 * Picks the cheapest hardware that holds a model with memory headroom and carries its load.
 *
 * Candidates, each weighed for every GPU class of the catalog (see {@link RightSizeKind}): MIG
 * profiles on MIG-capable GPUs (usable memory decides the fit), groups of whole GPUs, and whole
 * instance types. A candidate is rejected, with the first reason in this order, when FP8 is
 * required and its architecture lacks it; when a replica's memory is below
 * `memoryGiB * (1 + headroomFraction)`; when there is no price for the capacity type; or when its
 * requests/s are unknown or it needs more than `maxReplicas` replicas.
 *
 * Multiple replicas are allowed: a candidate that fits memory carries the load with
 * `replicas = max(1, ceil(requestsPerSecond / requestsPerSecondPerReplica))` copies, and costs
 * `replicas x usdPerReplicaHour`. Requests/s per replica come from `throughputProfile` when it
 * has an entry, else from a roofline estimate (`rooflineRequestsPerSecond`) over the replica's
 * share of the GPU: a MIG instance gets `memorySlices / gpuMemorySlices` of the bandwidth and
 * `sms / totalSMs` of the TFLOPS. The pick is the cheapest accepted candidate; ties go to fewer
 * GPUs billed, then MIG before whole GPUs before instances, then name.
 *
 * @param catalog - a validated catalog (`defaultCatalog()` or `loadCatalog(...)`).
 * @param requirement - see {@link RightSizeRequirementSchema}.
 * @returns the pick, every accepted candidate (cheapest first) and every rejection with its reason.
 * @throws `HeadroomError` `invalid_argument` naming the path (under `requirement`) of a bad
 * field, or when the model's weights exceed `memoryGiB`.
 * @example
 * ```ts
 * const result = rightSize(defaultCatalog(), {
 *   memoryGiB: 14, // a 7B model in FP16
 *   requestsPerSecond: 2,
 *   model: { paramsBillions: 7, batchSize: 8 },
 * });
 * result.pick?.name; // the cheapest fit, e.g. a small MIG profile or an L4
 * ```
 */
export function rightSize(
  catalog: Catalog,
  requirement: RightSizeRequirementInput,
): RightSizeResult {
  const parsed = RightSizeRequirementSchema.safeParse(requirement, { reportInput: true });
  if (!parsed.success) throw fromZodError(parsed.error, 'invalid_argument', ['requirement']);
  const req = parsed.data;
  if (req.model !== undefined) {
    const weightsGiB = weightBytes(req.model) / 2 ** 30;
    if (weightsGiB > req.memoryGiB) {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: `must cover the model's weights (${weightsGiB.toFixed(1)} GiB for ${req.model.paramsBillions}B parameters at ${req.model.bytesPerParam} bytes each) plus its KV cache`,
        path: ['requirement', 'memoryGiB'],
        value: req.memoryGiB,
        limit: `>= ${weightsGiB.toFixed(1)}`,
      });
    }
  }
  const ctx: Context = {
    req,
    needGiB: req.memoryGiB * (1 + req.headroomFraction),
    accepted: [],
    rejected: [],
  };
  const kinds = new Set(req.kinds);
  for (const gpu of catalog.gpuClasses) {
    const types = catalog.instanceTypes.filter((t) => t.gpuClass === gpu.name);
    if (kinds.has('mig')) weighMig(ctx, gpu, types);
    if (kinds.has('gpu')) weighGpus(ctx, gpu, types);
    if (kinds.has('instance')) for (const t of types) weighInstance(ctx, gpu, t);
  }
  const accepted = [...ctx.accepted].sort(compareAccepted);
  return {
    pick: accepted[0] ?? null,
    accepted,
    rejected: ctx.rejected,
    requiredMemoryGiB: ctx.needGiB,
    requirement: req,
  };
}
