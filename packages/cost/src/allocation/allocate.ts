import { parseConfig, type ErrorPath } from '@headroom/core';
import { z } from 'zod';
import {
  addDyadic,
  alignDyadics,
  apportionExact,
  compareDyadic,
  compareKeys,
  dyadicToNumber,
  exactFraction,
  mulDyadic,
  scaleDyadic,
  subDyadic,
  toDyadic,
  type Dyadic,
} from './apportion.js';
import { invalidInput } from './input-error.js';

/** The model and tenant of the line that carries unused (idle) provisioned cost. */
export const IDLE_KEY = '__idle__';

/**
 * How the cost of unused provisioned capacity is handled, OpenCost's three idle options:
 *
 * - `separate`: idle is its own line, model and tenant {@link IDLE_KEY} (OpenCost's `__idle__`
 *   allocation with idle not shared).
 * - `proportional`: each resource's idle cost is shared among the keys that used it, in proportion
 *   to their usage (OpenCost's `shareIdle=true`, weighted). A resource nobody used keeps its whole
 *   cost on the `__idle__` line.
 * - `even`: each resource's idle cost is split equally among the keys with a usage record on it,
 *   zero-usage records included (OpenCost's even split). A resource with no usage records keeps
 *   its whole cost on the `__idle__` line.
 *
 * Idle is measured per resource (OpenCost's `idleByNode`, at GPU or MIG-slice grain): the idle of
 * one GPU is never charged to a tenant that only used another.
 */
export const IDLE_MODES = ['separate', 'proportional', 'even'] as const;

/** One of {@link IDLE_MODES}. */
export type IdleMode = (typeof IDLE_MODES)[number];

/**
 * Options of {@link allocateCost}. Unknown keys are rejected.
 */
export const AllocationOptionsSchema = z.strictObject({
  /** How idle cost is handled; see {@link IDLE_MODES}. @defaultValue `'separate'` */
  idle: z.literal(IDLE_MODES).default('separate'),
  /**
   * What to do when a resource's usage exceeds its provisioned capacity: `error` throws
   * `invalid_input` naming the record that crossed it; `clip` scales that resource's usage down
   * so it fills the capacity exactly (keys keep their proportions; the resource has no idle).
   * @defaultValue `'error'`
   */
  overUsage: z.literal(['error', 'clip']).default('error'),
  /**
   * How a MIG slice's share of a whole GPU is derived when a whole-GPU resource carries
   * `migSliceSeconds` usage: `compute` uses compute slices / 7 (the `Ng` of a profile such as
   * `3g.40gb` is 3 of the 7 GPCs of an A100 or H100); `memory` uses memory slices / 8 (the
   * record must then give `memorySlices`, since the slice count behind `Ngb` depends on the
   * GPU's memory size). `migProfileShares` overrides both. @defaultValue `'compute'`
   */
  migShareBasis: z.literal(['compute', 'memory']).default('compute'),
  /**
   * Explicit GPU shares per MIG profile name, in (0, 1], for example `{ '1g.10gb': 0.125 }`;
   * they take precedence over `migShareBasis`.
   */
  migProfileShares: z.record(z.string().min(1), z.number().gt(0).max(1)).optional(),
});

/** What {@link allocateCost} accepts as options: {@link AllocationOptionsSchema}'s input. */
export type AllocationOptionsInput = z.input<typeof AllocationOptionsSchema>;

/** Validated {@link AllocationOptionsSchema}, defaults filled in. */
export type AllocationOptions = Readonly<z.output<typeof AllocationOptionsSchema>>;

/**
 * One billed resource: a whole GPU or one MIG slice, with its cost over the billing period.
 */
export interface BilledResource {
  /** Unique resource id (a GPU UUID, a node and index, a MIG instance id). */
  readonly id: string;
  /** Display name for reports and FOCUS `ResourceName`; the id when absent. */
  readonly name?: string;
  /**
   * What the resource cost over the period, integer micro-USD >= 0 (see `usdToMicro`). The whole
   * bill must stay within `Number.MAX_SAFE_INTEGER` micro-USD (about 9 billion USD).
   */
  readonly costMicroUsd: number;
  /**
   * Seconds the resource was provisioned (billable) during the period, >= 0. For a whole GPU this
   * is its GPU-seconds of capacity; for a MIG slice, the slice's seconds.
   */
  readonly provisionedSeconds: number;
  /**
   * Set when the resource is one MIG slice (for example `3g.40gb`): its usage must then be
   * `migSliceSeconds`, counted one for one against `provisionedSeconds`.
   */
  readonly migProfile?: string;
  /**
   * For resources metered in tokens: how many tokens the resource could have served in the period.
   * The gap to the tokens used is idle; without it a token-metered resource has no idle.
   */
  readonly capacityTokens?: number;
  /** Resource tags, copied to FOCUS `Tags`. */
  readonly tags?: Readonly<Record<string, string>>;
}

interface UsageBase {
  /** The {@link BilledResource.id} used. */
  readonly resourceId: string;
  /** The model served, for example `llama-3.1-8b`. Not {@link IDLE_KEY}. */
  readonly model: string;
  /** The tenant (team, customer, cost centre) it was served for. Not {@link IDLE_KEY}. */
  readonly tenant: string;
}

/** Usage measured in whole-GPU seconds. */
export interface GpuSecondsUsage extends UsageBase {
  /** GPU-seconds used, >= 0. */
  readonly gpuSeconds: number;
}

/** Usage measured in seconds of a MIG slice. */
export interface MigSliceUsage extends UsageBase {
  /** Seconds the slice was used, >= 0. */
  readonly migSliceSeconds: number;
  /** The slice's MIG profile, for example `3g.40gb`. */
  readonly profile: string;
  /** Compute slices (GPCs) of the profile, 1..7; parsed from `profile`'s `Ng` when absent. */
  readonly computeSlices?: number;
  /** Memory slices of the profile, 1..8; required for the `memory` share basis. */
  readonly memorySlices?: number;
}

/** Usage measured in tokens served. */
export interface TokenUsage extends UsageBase {
  /** Tokens served (input plus output, or whatever you bill by), >= 0. */
  readonly tokens: number;
}

/**
 * One usage record: which (model, tenant) used how much of which resource. Records of the same
 * key on the same resource are summed. All records on one resource must measure time
 * (`gpuSeconds`, `migSliceSeconds`) or all tokens.
 */
export type UsageRecord = GpuSecondsUsage | MigSliceUsage | TokenUsage;

/** The input of {@link allocateCost}. */
export interface AllocationInput {
  /** The bill: every resource and its cost. Ids must be unique. */
  readonly resources: readonly BilledResource[];
  /** The usage records, in any order (the result does not depend on it). */
  readonly usage: readonly UsageRecord[];
  /** Options; see {@link AllocationOptionsSchema}. */
  readonly options?: AllocationOptionsInput;
}

/** The unit a resource's usage and capacity are measured in. */
export type UsageUnit = 'gpu_seconds' | 'slice_seconds' | 'tokens';

/** One resource's cost given to one (model, tenant) key, or to the idle line. */
export interface AllocationLine {
  /** The resource. */
  readonly resourceId: string;
  /** The model, or {@link IDLE_KEY} on the idle line. */
  readonly model: string;
  /** The tenant, or {@link IDLE_KEY} on the idle line. */
  readonly tenant: string;
  /** The cost given, integer micro-USD >= 0. A resource's lines sum to its cost exactly. */
  readonly costMicroUsd: number;
  /** The key's usage of the resource in `unit` (after clipping); the idle amount on the idle line. */
  readonly usage: number;
  /** The unit of `usage`. */
  readonly unit: UsageUnit;
  /** The exact share of the resource's cost this line is entitled to, 0..1 (before rounding). */
  readonly ratio: number;
}

/** How one resource's capacity was used, and what it cost. */
export interface ResourceAllocation {
  /** The resource. */
  readonly resourceId: string;
  /** Its display name (the id when none was given). */
  readonly name: string;
  /** Its cost, integer micro-USD. */
  readonly costMicroUsd: number;
  /** The unit of `capacity`, `used` and `idle`. */
  readonly unit: UsageUnit;
  /** Provisioned capacity in `unit`; for tokens without `capacityTokens`, equal to `used`. */
  readonly capacity: number;
  /** Usage in `unit`, after clipping. */
  readonly used: number;
  /** `capacity - used`, >= 0. */
  readonly idle: number;
  /** `idle / capacity`, 0..1; 1 for a resource with zero capacity and no usage. */
  readonly idleFraction: number;
  /** The part of the cost that paid for idle capacity, integer micro-USD (whatever the mode). */
  readonly idleMicroUsd: number;
  /** True when usage exceeded capacity and was scaled down (`overUsage: 'clip'`). */
  readonly clipped: boolean;
  /** The resource's tags (empty when none were given). */
  readonly tags: Readonly<Record<string, string>>;
}

/** One (model, tenant) key's total over all resources. */
export interface KeyAllocation {
  /** The model, or {@link IDLE_KEY}. */
  readonly model: string;
  /** The tenant, or {@link IDLE_KEY}. */
  readonly tenant: string;
  /** Total cost given, integer micro-USD. */
  readonly costMicroUsd: number;
}

/** What {@link allocateCost} returns. Every list is sorted, so equal inputs give equal output. */
export interface CostAllocation {
  /** The idle mode used. */
  readonly idleMode: IdleMode;
  /** The bill's total, integer micro-USD: the sum of every line, key and resource. */
  readonly totalMicroUsd: number;
  /** The total on the idle line ({@link IDLE_KEY}), integer micro-USD. */
  readonly unallocatedIdleMicroUsd: number;
  /** Every (resource, key) line, sorted by resource id, then model, then tenant (idle last). */
  readonly lines: readonly AllocationLine[];
  /** Per-key totals, sorted by model then tenant (idle last). */
  readonly keys: readonly KeyAllocation[];
  /** Per-resource capacity, usage and idle, sorted by resource id. */
  readonly resources: readonly ResourceAllocation[];
}

/** One group of a roll-up from {@link rollUpAllocation}. */
export interface RollUpRow {
  /** The model or tenant (or {@link IDLE_KEY}). */
  readonly key: string;
  /** Total cost, integer micro-USD. */
  readonly costMicroUsd: number;
  /** Share of the bill, 0..1 (0 when the bill is 0). */
  readonly share: number;
}

// Time usage is kept in units of 1/56 resource-second so compute (×1/7) and memory (×1/8) MIG
// shares stay exact integers.
const TIME_SCALE = 56n;

interface KeyUsage {
  readonly model: string;
  readonly tenant: string;
  amount: Dyadic;
}

interface ResourceWork {
  readonly resource: BilledResource;
  readonly index: number;
  unit: UsageUnit | undefined;
  capacity: Dyadic;
  used: Dyadic;
  readonly keys: Map<string, KeyUsage>;
  clipped: boolean;
}

function requireString(value: unknown, path: ErrorPath): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidInput(path, 'must be a non-empty string', value, 'non-empty string');
  }
  return value;
}

function requireQuantity(value: unknown, path: ErrorPath): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidInput(path, 'must be a finite number >= 0', value, 'finite, >= 0');
  }
  return value;
}

function keyOf(model: string, tenant: string): string {
  return JSON.stringify([model, tenant]);
}

function compareLines(
  a: { model: string; tenant: string },
  b: { model: string; tenant: string },
): number {
  const ai = a.model === IDLE_KEY && a.tenant === IDLE_KEY;
  const bi = b.model === IDLE_KEY && b.tenant === IDLE_KEY;
  if (ai !== bi) return ai ? 1 : -1;
  return compareKeys(a.model, b.model) || compareKeys(a.tenant, b.tenant);
}

const PROFILE_COMPUTE = /^(\d+)g\./;

function migWeight(
  record: MigSliceUsage,
  index: number,
  seconds: Dyadic,
  options: AllocationOptions,
): Dyadic {
  const path: ErrorPath = ['usage', index];
  const override = options.migProfileShares?.[record.profile];
  if (override !== undefined)
    return scaleDyadic(mulDyadic(seconds, toDyadic(override)), TIME_SCALE);
  if (options.migShareBasis === 'memory') {
    const slices = record.memorySlices;
    if (typeof slices !== 'number' || !Number.isInteger(slices) || slices < 1 || slices > 8) {
      throw invalidInput(
        [...path, 'memorySlices'],
        'must be an integer 1..8 for the memory share basis (or set migProfileShares for this profile)',
        slices,
        'integer 1..8',
      );
    }
    return scaleDyadic(seconds, BigInt(slices) * (TIME_SCALE / 8n));
  }
  let slices = record.computeSlices;
  if (slices === undefined) {
    const parsed = PROFILE_COMPUTE.exec(record.profile);
    if (parsed === null) {
      throw invalidInput(
        [...path, 'profile'],
        'names no compute slices (expected a profile like 3g.40gb; or give computeSlices)',
        record.profile,
        'profile Ng.*',
      );
    }
    slices = Number(parsed[1]);
  }
  if (!Number.isInteger(slices) || slices < 1 || slices > 7) {
    throw invalidInput(
      [...path, 'computeSlices'],
      'must be an integer 1..7',
      slices,
      'integer 1..7',
    );
  }
  return scaleDyadic(seconds, BigInt(slices) * (TIME_SCALE / 7n));
}

function readResources(resources: readonly BilledResource[]): Map<string, ResourceWork> {
  if (!Array.isArray(resources)) throw invalidInput(['resources'], 'must be an array', resources);
  const byId = new Map<string, ResourceWork>();
  let total = 0n;
  resources.forEach((resource, index) => {
    const path: ErrorPath = ['resources', index];
    if (typeof resource !== 'object' || resource === null)
      throw invalidInput(path, 'must be an object', resource);
    const id = requireString(resource.id, [...path, 'id']);
    if (byId.has(id))
      throw invalidInput([...path, 'id'], 'duplicate resource id', id, 'unique ids');
    const cost = resource.costMicroUsd;
    if (typeof cost !== 'number' || !Number.isSafeInteger(cost) || cost < 0) {
      throw invalidInput(
        [...path, 'costMicroUsd'],
        'must be a safe integer >= 0 (micro-USD; see usdToMicro)',
        cost,
        'safe integer >= 0',
      );
    }
    total += BigInt(cost);
    if (total > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw invalidInput(
        [...path, 'costMicroUsd'],
        `takes the bill's total beyond ${Number.MAX_SAFE_INTEGER} micro-USD (about 9 billion USD); split the bill`,
        cost,
        'bill total <= Number.MAX_SAFE_INTEGER',
      );
    }
    requireQuantity(resource.provisionedSeconds, [...path, 'provisionedSeconds']);
    if (resource.capacityTokens !== undefined) {
      requireQuantity(resource.capacityTokens, [...path, 'capacityTokens']);
    }
    if (resource.migProfile !== undefined)
      requireString(resource.migProfile, [...path, 'migProfile']);
    byId.set(id, {
      resource,
      index,
      unit: undefined,
      capacity: { n: 0n, e: 0 },
      used: { n: 0n, e: 0 },
      keys: new Map(),
      clipped: false,
    });
  });
  return byId;
}

function unitCapacity(work: ResourceWork, unit: UsageUnit): Dyadic {
  if (unit === 'tokens') {
    const cap = work.resource.capacityTokens;
    return cap === undefined ? work.used : toDyadic(cap);
  }
  return scaleDyadic(toDyadic(work.resource.provisionedSeconds), TIME_SCALE);
}

function readUsage(
  usage: readonly UsageRecord[],
  byId: Map<string, ResourceWork>,
  options: AllocationOptions,
): void {
  if (!Array.isArray(usage)) throw invalidInput(['usage'], 'must be an array', usage);
  usage.forEach((record, index) => {
    const path: ErrorPath = ['usage', index];
    if (typeof record !== 'object' || record === null)
      throw invalidInput(path, 'must be an object', record);
    const resourceId = requireString(record.resourceId, [...path, 'resourceId']);
    const model = requireString(record.model, [...path, 'model']);
    const tenant = requireString(record.tenant, [...path, 'tenant']);
    if (model === IDLE_KEY)
      throw invalidInput([...path, 'model'], 'is reserved for the idle line', model);
    if (tenant === IDLE_KEY)
      throw invalidInput([...path, 'tenant'], 'is reserved for the idle line', tenant);
    const work = byId.get(resourceId);
    if (work === undefined) {
      throw invalidInput(
        [...path, 'resourceId'],
        'names no resource of the bill',
        resourceId,
        'an id in resources',
      );
    }
    const fields = (['gpuSeconds', 'migSliceSeconds', 'tokens'] as const).filter(
      (f) => (record as unknown as Record<string, unknown>)[f] !== undefined,
    );
    const field = fields[0];
    if (field === undefined || fields.length > 1) {
      throw invalidInput(
        path,
        'must give exactly one of gpuSeconds, migSliceSeconds, tokens',
        fields.join(', ') || 'none',
        'exactly one',
      );
    }
    const amount = requireQuantity((record as unknown as Record<string, unknown>)[field], [
      ...path,
      field,
    ]);
    const sliceResource = work.resource.migProfile !== undefined;
    let unit: UsageUnit;
    let weight: Dyadic;
    if (field === 'tokens') {
      unit = 'tokens';
      weight = toDyadic(amount);
    } else if (sliceResource) {
      if (field === 'gpuSeconds') {
        throw invalidInput(
          [...path, field],
          `is not valid on MIG-slice resource ${resourceId}; report migSliceSeconds`,
          amount,
          'migSliceSeconds',
        );
      }
      const profile = requireString((record as MigSliceUsage).profile, [...path, 'profile']);
      if (profile !== work.resource.migProfile) {
        throw invalidInput(
          [...path, 'profile'],
          `does not match the resource's profile ${String(work.resource.migProfile)}`,
          profile,
        );
      }
      unit = 'slice_seconds';
      weight = scaleDyadic(toDyadic(amount), TIME_SCALE);
    } else if (field === 'migSliceSeconds') {
      requireString((record as MigSliceUsage).profile, [...path, 'profile']);
      unit = 'gpu_seconds';
      weight = migWeight(record as MigSliceUsage, index, toDyadic(amount), options);
    } else {
      unit = 'gpu_seconds';
      weight = scaleDyadic(toDyadic(amount), TIME_SCALE);
    }
    if (work.unit !== undefined && (work.unit === 'tokens') !== (unit === 'tokens')) {
      throw invalidInput(
        [...path, field],
        `mixes units on resource ${resourceId} (its earlier records measure ${work.unit})`,
        amount,
        `one unit family per resource`,
      );
    }
    work.unit = unit;
    const key = keyOf(model, tenant);
    const entry = work.keys.get(key);
    if (entry === undefined) work.keys.set(key, { model, tenant, amount: weight });
    else entry.amount = addDyadic(entry.amount, weight);
    work.used = addDyadic(work.used, weight);
    if (unit !== 'tokens' || work.resource.capacityTokens !== undefined) {
      const capacity = unitCapacity(work, unit);
      if (compareDyadic(work.used, capacity) > 0) {
        if (options.overUsage === 'error') {
          throw invalidInput(
            [...path, field],
            `takes the usage of resource ${resourceId} beyond its provisioned capacity (${dyadicToNumber(capacity) / (unit === 'tokens' ? 1 : 56)} ${unit}); pass overUsage: 'clip' to scale it down`,
            amount,
            `total usage <= capacity`,
          );
        }
        work.clipped = true;
      }
    }
  });
}

/**
 * Allocates a GPU bill to (model, tenant) keys by usage share, so that the parts sum to the bill
 * exactly in integer micro-dollars.
 *
 * For each resource with cost `B` and capacity `C` (its provisioned seconds, or its
 * `capacityTokens`), used `u_k` by key `k` (`U = Σu_k`, idle `I = C - U`), the exact shares are:
 *
 * - `separate`: key `k` gets `B·u_k/C`, the {@link IDLE_KEY} line `B·I/C`.
 * - `proportional`: key `k` gets `B·u_k/U` (idle shared by usage); all to idle when `U = 0`.
 * - `even`: key `k` gets `B·u_k/C + B·I/(C·n)` over the `n` keys with a record on the resource;
 *   all to idle when there are none.
 *
 * Each resource's shares are rounded to integer micro-dollars by largest remainder (Hamilton):
 * floors first, then one micro-dollar each to the largest remainders, ties to the smaller
 * (model, tenant) key in code-unit order, the idle line last. So every resource's lines sum to its
 * cost, the keys sum to the bill, and each line is within 1 micro-USD of its exact share. Usage
 * quantities are summed exactly (BigInt over their binary values), so reordering records
 * changes nothing.
 *
 * MIG usage on a whole-GPU resource counts as GPU-seconds: `migSliceSeconds × share`, the share
 * being compute slices / 7 (default) or memory slices / 8 (`migShareBasis`), or an explicit
 * `migProfileShares` entry; NVIDIA's MIG user guide names both slice kinds. On a resource that is
 * itself a slice (`migProfile` set), slice-seconds count one for one.
 *
 * Usage beyond a resource's capacity is an error by default (`overUsage: 'error'`); with
 * `overUsage: 'clip'` that resource's usage is scaled down to fill it (no idle).
 *
 * Semantics follow OpenCost's allocation model (idle as its own `__idle__` allocation, or shared
 * by weight or evenly, at node grain), in our own formulation.
 *
 * @param input - the resources (with integer micro-USD costs), the usage records and options.
 * @returns lines per (resource, key), totals per key, and per-resource idle.
 * @throws `HeadroomError` `invalid_config` for bad options; `invalid_input` for a bad resource or
 *   record, naming `resources[i].field` or `usage[i].field`: negative, NaN or infinite
 *   quantities, a missing field, a record naming no resource of the bill, mixed units on one
 *   resource, usage beyond capacity (unless clipped), or a bill beyond `Number.MAX_SAFE_INTEGER`
 *   micro-USD.
 * @example
 * ```ts
 * const allocation = allocateCost({
 *   resources: [{ id: 'gpu-0', costMicroUsd: usdToMicro(4), provisionedSeconds: 3600 }],
 *   usage: [
 *     { resourceId: 'gpu-0', model: 'llama-8b', tenant: 'search', gpuSeconds: 1800 },
 *     { resourceId: 'gpu-0', model: 'llama-8b', tenant: 'chat', gpuSeconds: 900 },
 *   ],
 *   options: { idle: 'separate' },
 * });
 * // search 2 USD, chat 1 USD, __idle__ 1 USD
 * ```
 */
export function allocateCost(input: AllocationInput): CostAllocation {
  const options = parseConfig(AllocationOptionsSchema, input.options ?? {}, ['options']);
  const byId = readResources(input.resources);
  readUsage(input.usage, byId, options);

  const lines: AllocationLine[] = [];
  const resources: ResourceAllocation[] = [];
  let total = 0;
  const works = [...byId.values()].sort((a, b) => compareKeys(a.resource.id, b.resource.id));
  for (const work of works) {
    const unit: UsageUnit =
      work.unit ?? (work.resource.migProfile === undefined ? 'gpu_seconds' : 'slice_seconds');
    const cost = work.resource.costMicroUsd;
    total += cost;
    const keys = [...work.keys.values()].sort(compareLines);
    const capacity = work.clipped ? work.used : unitCapacity(work, unit);
    const idle = subDyadic(capacity, work.used);
    const divisor = unit === 'tokens' ? 1 : 56;
    const toNumber = (d: Dyadic): number => dyadicToNumber(d) / divisor;

    // Exact weights, key lines first and the idle line last (see allocateCost's formulas):
    // with nobody to share it (zero capacity; no usage when proportional; no keys when even) the
    // whole cost is idle; otherwise keys weigh their usage (even: usage × n + idle), and in
    // `separate` mode the idle line weighs the idle.
    const zero: Dyadic = { n: 0n, e: 0 };
    const n = BigInt(keys.length);
    const allIdle =
      capacity.n === 0n ||
      (options.idle === 'proportional' && work.used.n === 0n) ||
      (options.idle === 'even' && keys.length === 0);
    const weights: Dyadic[] = [];
    const labels: { model: string; tenant: string; usage: Dyadic }[] = [];
    for (const k of keys) {
      labels.push({ model: k.model, tenant: k.tenant, usage: k.amount });
      if (allIdle) weights.push(zero);
      else if (options.idle === 'even') weights.push(addDyadic(scaleDyadic(k.amount, n), idle));
      else weights.push(k.amount);
    }
    if (allIdle || (options.idle === 'separate' && idle.n > 0n)) {
      labels.push({ model: IDLE_KEY, tenant: IDLE_KEY, usage: idle });
      weights.push(allIdle ? { n: 1n, e: 0 } : idle);
    }
    const aligned = alignDyadics(weights);
    const sum = aligned.reduce((a, b) => a + b, 0n);
    const parts =
      sum > 0n
        ? apportionExact(
            BigInt(cost),
            labels.map((l, i) => ({
              key: l.model === IDLE_KEY ? '\uffff' : keyOf(l.model, l.tenant),
              weight: aligned[i] ?? 0n,
            })),
          )
        : labels.map(() => 0n);
    labels.forEach((l, i) => {
      lines.push({
        resourceId: work.resource.id,
        model: l.model,
        tenant: l.tenant,
        costMicroUsd: Number(parts[i] ?? 0n),
        usage: toNumber(l.usage),
        unit,
        ratio: sum > 0n ? Number(((aligned[i] ?? 0n) * 1_000_000_000_000n) / sum) / 1e12 : 0,
      });
    });

    const capacityN = toNumber(capacity);
    const idleN = toNumber(idle);
    let idleMicro = 0;
    if (idle.n > 0n || capacity.n === 0n) {
      if (work.used.n === 0n) idleMicro = cost;
      else {
        const [u, i] = alignDyadics([work.used, idle]);
        idleMicro = Number(
          apportionExact(BigInt(cost), [
            { key: 'used', weight: u ?? 0n },
            { key: 'idle', weight: i ?? 0n },
          ])[1] ?? 0n,
        );
      }
    }
    resources.push({
      resourceId: work.resource.id,
      name: work.resource.name ?? work.resource.id,
      costMicroUsd: cost,
      unit,
      capacity: capacityN,
      used: toNumber(work.used),
      idle: idleN,
      idleFraction: exactFraction(idle, capacity),
      idleMicroUsd: idleMicro,
      clipped: work.clipped,
      tags: { ...work.resource.tags },
    });
  }

  const keyTotals = new Map<string, { model: string; tenant: string; costMicroUsd: number }>();
  for (const line of lines) {
    const key = keyOf(line.model, line.tenant);
    const entry = keyTotals.get(key);
    if (entry === undefined) {
      keyTotals.set(key, {
        model: line.model,
        tenant: line.tenant,
        costMicroUsd: line.costMicroUsd,
      });
    } else entry.costMicroUsd += line.costMicroUsd;
  }
  const keys = [...keyTotals.values()].sort(compareLines);
  const idleTotal = keyTotals.get(keyOf(IDLE_KEY, IDLE_KEY))?.costMicroUsd ?? 0;
  return {
    idleMode: options.idle,
    totalMicroUsd: total,
    unallocatedIdleMicroUsd: idleTotal,
    lines,
    keys,
    resources,
  };
}

/**
 * Rolls an allocation up by model or by tenant: one row per distinct value with its total cost,
 * sorted by cost descending, then key ascending. The idle line ({@link IDLE_KEY}) stays its own
 * row. Rows sum to the bill exactly.
 *
 * @param allocation - a result of {@link allocateCost}.
 * @param by - the dimension to group by.
 * @returns the rows.
 * @example
 * ```ts
 * for (const row of rollUpAllocation(allocation, 'tenant')) {
 *   report(row.key, formatMicroUsd(row.costMicroUsd));
 * }
 * ```
 */
export function rollUpAllocation(allocation: CostAllocation, by: 'model' | 'tenant'): RollUpRow[] {
  const totals = new Map<string, number>();
  for (const k of allocation.keys) {
    const key = by === 'model' ? k.model : k.tenant;
    totals.set(key, (totals.get(key) ?? 0) + k.costMicroUsd);
  }
  const bill = allocation.totalMicroUsd;
  return [...totals.entries()]
    .map(([key, costMicroUsd]) => ({
      key,
      costMicroUsd,
      share: bill > 0 ? costMicroUsd / bill : 0,
    }))
    .sort((a, b) => b.costMicroUsd - a.costMicroUsd || compareKeys(a.key, b.key));
}
