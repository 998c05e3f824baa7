import { HeadroomError, MinHeap, type ErrorPath } from '@headroom/core';
import {
  BUDGET_CLASS_RANK,
  DEFAULT_BUDGET_CLASS_PRIORITY,
  budgetPoolKey,
  parseBudgetArbitrationInput,
  type BudgetArbitrationInput,
  type BudgetWorkloadClass,
  type ParsedBudgetArbitrationInput,
} from './schema.js';

/**
 * Why a workload got what it got. A dashboard can group by these; each comes with a sentence and
 * the ids of the workloads involved.
 *
 * - `granted_full`: granted everything it desired.
 * - `held_minimum`: cut, and held at its guaranteed minimum.
 * - `kept_current`: non-preemptible, so it kept its running replicas although a higher-priority
 *   workload of its pool was cut (the policy `allowPreemptingRealtime` is false).
 * - `cut_priority`: cut; the listed higher-priority workloads of its pool took precedence.
 * - `cut_benefit`: cut; the listed workloads of equal priority and class got the remaining
 *   replicas by higher marginal benefit per GPU (or by turns, when equal).
 * - `cut_nonpreemptible`: cut; the listed lower-priority non-preemptible workloads keep their
 *   running replicas.
 * - `cut_budget`: cut; the pool's budget is used up (or too few GPUs are left for one replica).
 *   Lists the lower-priority workloads that hold guaranteed minimums in the pool.
 * - `cut_fleet_cap`: cut; the fleet-wide cap is used up. Lists the workloads that took
 *   precedence anywhere in the fleet.
 * - `below_minimum`: granted less than its guaranteed minimum, because the minimums of its pool
 *   (or fleet) exceed the budget; see {@link BudgetArbitration.infeasible}.
 * - `preempted_for`: running replicas taken away; the listed workloads (of higher or equal
 *   priority, in its pool) grew with them.
 * - `preempted_budget`: running replicas taken away because the budget no longer covers them,
 *   with nobody growing in their place.
 */
export type BudgetReasonCode =
  | 'granted_full'
  | 'held_minimum'
  | 'kept_current'
  | 'cut_priority'
  | 'cut_benefit'
  | 'cut_nonpreemptible'
  | 'cut_budget'
  | 'cut_fleet_cap'
  | 'below_minimum'
  | 'preempted_for'
  | 'preempted_budget';

/** One reason of a {@link BudgetGrant}. */
export interface BudgetReason {
  /** Stable code; see {@link BudgetReasonCode}. */
  readonly code: BudgetReasonCode;
  /** The reason in words, with the numbers and the workloads that took precedence. */
  readonly message: string;
  /**
   * Ids of the workloads the reason names (who took precedence, who it was preempted for), in
   * grant order: the first 20 at most; the message gives the total.
   */
  readonly workloads: readonly string[];
}

/** What one workload was granted, and why. */
export interface BudgetGrant {
  /** Workload id. */
  readonly id: string;
  /** Its pool's key, `region/gpuClass`. */
  readonly pool: string;
  /** Its region. */
  readonly region: string;
  /** Its GPU class. */
  readonly gpuClass: string;
  /** Its workload class. */
  readonly class: BudgetWorkloadClass;
  /** Its priority (explicit or the class default). */
  readonly priority: number;
  /** Whether its running replicas could be taken away (explicit or the class default). */
  readonly preemptible: boolean;
  /** GPUs per replica. */
  readonly gpusPerReplica: number;
  /** Replicas running before this decision. */
  readonly currentReplicas: number;
  /** Replicas its autoscaler asked for. */
  readonly desiredReplicas: number;
  /** Its guaranteed minimum replicas. */
  readonly minReplicas: number;
  /** Replicas granted, <= `desiredReplicas`. */
  readonly grantedReplicas: number;
  /** GPUs granted: `grantedReplicas × gpusPerReplica`. */
  readonly grantedGpus: number;
  /** `desiredReplicas - grantedReplicas`, >= 0. */
  readonly cutReplicas: number;
  /**
   * Running replicas taken away: `max(0, min(currentReplicas, desiredReplicas) - grantedReplicas)`.
   * Replicas above `desiredReplicas` are its own scale-down, not preemption.
   */
  readonly preemptedReplicas: number;
  /** Why; at least one. */
  readonly reasons: readonly BudgetReason[];
}

/** How one pool's budget was used. */
export interface BudgetPoolUsage {
  /** Its key, `region/gpuClass`. */
  readonly pool: string;
  /** Its region. */
  readonly region: string;
  /** Its GPU class. */
  readonly gpuClass: string;
  /** The budget, GPUs. */
  readonly budgetGpus: number;
  /** GPUs granted to its workloads, <= `budgetGpus`. */
  readonly usedGpus: number;
  /** `budgetGpus - usedGpus`. */
  readonly freeGpus: number;
  /** GPUs its workloads desired. */
  readonly desiredGpus: number;
  /** GPUs its workloads' guaranteed minimums need. */
  readonly minimumGpus: number;
}

/** Minimums that do not fit: a pool's (or the fleet's) guaranteed minimums exceed its budget. */
export interface BudgetInfeasibility {
  /** `pool` for one pool's budget, `fleet` for the fleet-wide cap. */
  readonly scope: 'pool' | 'fleet';
  /** The pool's key; `undefined` for the fleet. */
  readonly pool: string | undefined;
  /** The budget (or cap), GPUs. */
  readonly budgetGpus: number;
  /** GPUs the guaranteed minimums need. */
  readonly minimumGpus: number;
  /** Ids of the workloads with a minimum there, in grant order (highest priority first). */
  readonly workloads: readonly string[];
  /** The problem in words. */
  readonly message: string;
}

/** What {@link arbitrateBudget} returns. */
export interface BudgetArbitration {
  /** False when some guaranteed minimums could not all be granted; see {@link infeasible}. */
  readonly feasible: boolean;
  /** Each pool (and the fleet cap) whose minimums exceed its budget; empty when feasible. */
  readonly infeasible: readonly BudgetInfeasibility[];
  /** One grant per workload, in grant order: priority, then class, then id. */
  readonly workloads: readonly BudgetGrant[];
  /** One usage per pool, by key. */
  readonly pools: readonly BudgetPoolUsage[];
  /** Fleet-wide usage. */
  readonly fleet: {
    /** The fleet-wide cap, GPUs; `undefined` when none. */
    readonly capGpus: number | undefined;
    /** GPUs granted over all pools. */
    readonly usedGpus: number;
    /** `capGpus - usedGpus`; `undefined` when there is no cap. */
    readonly freeGpus: number | undefined;
  };
  /** Whether non-preemptible workloads could lose running replicas in this decision. */
  readonly allowPreemptingRealtime: boolean;
}

interface Entry {
  readonly id: string;
  readonly pool: number;
  readonly cls: BudgetWorkloadClass;
  readonly priority: number;
  readonly classRank: number;
  readonly preemptible: boolean;
  readonly gpr: number;
  readonly current: number;
  readonly desired: number;
  readonly min: number;
  /** The replicas granted before priority order: the minimum, or the kept current replicas. */
  readonly floor: number;
  readonly benefit: readonly number[] | undefined;
  granted: number;
  /** Replicas granted in the priority phase (beyond the floor). */
  extra: number;
}

interface PoolState {
  readonly key: string;
  readonly region: string;
  readonly gpuClass: string;
  readonly budget: number;
  free: number;
  readonly members: Entry[];
}

/** Negative when `a` is served before `b`: priority, then class, then id. */
function byRank(a: Entry, b: Entry): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.classRank !== b.classRank) return b.classRank - a.classRank;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Positive when `a` ranks strictly above `b` (a higher tier), 0 on the same tier. */
function tierCompare(a: Entry, b: Entry): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  return a.classRank - b.classRank;
}

function nextBenefitPerGpu(e: Entry): number {
  const benefit = e.benefit === undefined ? 1 : (e.benefit[e.granted] ?? 0);
  return benefit / e.gpr;
}

/** Within a tier: higher marginal benefit per GPU first, then fewer replicas added, then id. */
function byBenefit(a: Entry, b: Entry): number {
  const ba = nextBenefitPerGpu(a);
  const bb = nextBenefitPerGpu(b);
  if (ba !== bb) return bb > ba ? 1 : -1;
  if (a.extra !== b.extra) return a.extra - b.extra;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function toEntries(
  input: ParsedBudgetArbitrationInput,
  pools: ReadonlyMap<string, number>,
): Entry[] {
  const protect = !input.policy.allowPreemptingRealtime;
  return input.workloads.map((w): Entry => {
    const preemptible = w.preemptible ?? (w.class === 'batch' || w.class === 'training');
    const floor =
      protect && !preemptible
        ? Math.max(w.minReplicas, Math.min(w.currentReplicas, w.desiredReplicas))
        : w.minReplicas;
    return {
      id: w.id,
      pool: pools.get(budgetPoolKey(w.region, w.gpuClass)) as number,
      cls: w.class,
      priority: w.priority ?? DEFAULT_BUDGET_CLASS_PRIORITY[w.class],
      classRank: BUDGET_CLASS_RANK[w.class],
      preemptible,
      gpr: w.gpusPerReplica,
      current: w.currentReplicas,
      desired: w.desiredReplicas,
      min: w.minReplicas,
      floor,
      benefit: w.benefit,
      granted: 0,
      extra: 0,
    };
  });
}

/**
 * Divides fixed GPU budgets (one per region and GPU class, plus an optional fleet-wide cap)
 * between autoscaled workloads that together want more than fits, and says who was cut and why.
 *
 * The order of service:
 * 1. **Guaranteed minimums** first, whatever the priority (Kubernetes `ResourceQuota` and
 *    Kueue's nominal quota play the same part). When a pool's minimums exceed its budget the
 *    result is not an error but `feasible: false` with an {@link BudgetInfeasibility} naming the
 *    pool and the workloads: minimums are then granted in priority order as far as they fit, so a
 *    controller still gets a safe, within-budget plan when capacity is lost at run time.
 * 2. **Kept replicas** (unless `policy.allowPreemptingRealtime`): a non-preemptible workload
 *    (realtime and inference by default) keeps its running replicas, up to its desired count,
 *    even when a higher-priority workload wants them; the higher one gets less, and both grants
 *    say so (`cut_nonpreemptible`, `kept_current`). Like Kubernetes' `preemptionPolicy: Never`
 *    seen from the victim's side: serving capacity is never reclaimed to feed someone else.
 * 3. **Priority**: the rest of each budget goes to workloads by priority, highest first (then
 *    class: realtime > inference > batch > training), up to their desired replicas. Inside one
 *    priority and class, one replica at a time goes to the workload whose next replica has the
 *    highest marginal SLO benefit per GPU (`benefit[r] / gpusPerReplica`), ties by turns, then
 *    by id: a greedy that is optimal for diminishing-returns curves and equal replica sizes.
 *    A replica that no longer fits (pool or fleet cap) stops that workload; smaller replicas of
 *    later workloads may still use the GPUs left over.
 * 4. **Preemption** falls out of the grants: a workload running more than its grant (up to its
 *    desired count) loses the difference, reported as `preemptedReplicas` with the workloads
 *    that grew in its place (`preempted_for`). Batch and training are preempted, never
 *    non-preemptible serving, unless the policy says so.
 *
 * Guarantees (property-tested): every pool's used GPUs stay within its budget and the fleet
 * within its cap; every workload gets its minimum when the minimums fit; `grantedReplicas <=
 * desiredReplicas`; the result does not depend on the order of pools or workloads in the input;
 * and a workload `H` is cut only when the GPUs free in its pool plus every GPU granted above its
 * floor to lower-priority workloads of that pool are fewer than one replica of `H` (or the same
 * holds fleet-wide under the cap), where the floor is the minimum, or the kept replicas of a
 * protected non-preemptible workload. With one GPU per replica and no protection that reads: a
 * higher-priority workload is never cut while a lower-priority one of its pool keeps more than
 * its minimum.
 *
 * Pure: no clock, no randomness; O((n + R) log n) for n workloads and R replicas granted.
 *
 * @param input - pools, workloads and policy; see {@link BudgetArbitrationInputSchema}.
 * @param path - where the input sits in a larger one, prefixed to error paths. @defaultValue `[]`
 * @throws `HeadroomError` `invalid_input` naming the path, the bound and the value: a duplicate
 * pool or workload id, a workload naming no pool, `minReplicas > desiredReplicas`, an increasing
 * benefit curve, a non-integer or negative count.
 * @example
 * ```ts
 * const result = arbitrateBudget({
 *   pools: [{ region: 'us-east-1', gpuClass: 'H100-80GB', gpus: 16 }],
 *   workloads: [
 *     { id: 'chat', region: 'us-east-1', gpuClass: 'H100-80GB', class: 'realtime', gpusPerReplica: 2, desiredReplicas: 6, minReplicas: 2 },
 *     { id: 'embed', region: 'us-east-1', gpuClass: 'H100-80GB', class: 'batch', desiredReplicas: 8, currentReplicas: 8 },
 *     { id: 'finetune', region: 'us-east-1', gpuClass: 'H100-80GB', class: 'training', gpusPerReplica: 8, desiredReplicas: 1, currentReplicas: 1 },
 *   ],
 * });
 * // chat 6 (12 GPUs, granted_full); embed 4 (cut 4, preempted 4 for chat);
 * // finetune 0 (its 8-GPU replica preempted for chat)
 * ```
 */
export function arbitrateBudget(
  input: BudgetArbitrationInput,
  path: ErrorPath = [],
): BudgetArbitration {
  const parsed = parseBudgetArbitrationInput(input, path);
  if (!parsed.ok) throw parsed.error;
  return arbitrateParsed(parsed.value);
}

function arbitrateParsed(input: ParsedBudgetArbitrationInput): BudgetArbitration {
  const sortedPools = [...input.pools]
    .map((p) => ({ ...p, key: budgetPoolKey(p.region, p.gpuClass) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const poolIndex = new Map(sortedPools.map((p, i) => [p.key, i]));
  const pools: PoolState[] = sortedPools.map((p) => ({
    key: p.key,
    region: p.region,
    gpuClass: p.gpuClass,
    budget: p.gpus,
    free: p.gpus,
    members: [],
  }));
  const entries = toEntries(input, poolIndex).sort(byRank);
  for (const e of entries) poolOf(pools, e).members.push(e);
  const cap = input.fleetGpuCap;
  let fleetFree = cap ?? Number.POSITIVE_INFINITY;

  const fits = (e: Entry, replicas: number): number => {
    const pool = poolOf(pools, e);
    return Math.max(
      0,
      Math.min(replicas, Math.floor(pool.free / e.gpr), Math.floor(fleetFree / e.gpr)),
    );
  };
  const grant = (e: Entry, replicas: number): void => {
    e.granted += replicas;
    poolOf(pools, e).free -= replicas * e.gpr;
    fleetFree -= replicas * e.gpr;
  };

  // 1. Guaranteed minimums, in priority order as far as they fit.
  for (const e of entries) grant(e, fits(e, e.min));
  // 2. Kept replicas of protected non-preemptible workloads.
  for (const e of entries) if (e.floor > e.granted) grant(e, fits(e, e.floor - e.granted));
  // 3. The rest by priority tier; inside a tier, greedy by marginal benefit per GPU.
  let start = 0;
  while (start < entries.length) {
    let end = start + 1;
    while (
      end < entries.length &&
      tierCompare(entries[start] as Entry, entries[end] as Entry) === 0
    )
      end++;
    const heap = new MinHeap<Entry>(byBenefit);
    for (let i = start; i < end; i++) {
      const e = entries[i] as Entry;
      // An entry whose floor was not met is blocked already: nothing is freed later.
      if (e.granted >= e.floor && e.granted < e.desired) heap.push(e);
    }
    for (let e = heap.pop(); e !== undefined; e = heap.pop()) {
      if (fits(e, 1) === 0) continue;
      grant(e, 1);
      e.extra++;
      if (e.granted < e.desired) heap.push(e);
    }
    start = end;
  }

  const infeasible = findInfeasible(pools, entries, cap);
  const fleetUsed = pools.reduce((sum, p) => sum + p.budget - p.free, 0);
  const protect = !input.policy.allowPreemptingRealtime;
  const context: ReasonContext = {
    pools,
    poolIndexes: pools.map((p) => buildRankIndex(p.members, protect)),
    fleetIndex: buildRankIndex(entries, protect),
    cap,
    fleetFree: cap === undefined ? undefined : cap - fleetUsed,
    protect,
    infeasible,
  };
  const workloads = entries.map((e) => toGrant(e, context));
  return {
    feasible: infeasible.length === 0,
    infeasible,
    workloads,
    pools: pools.map((p) => ({
      pool: p.key,
      region: p.region,
      gpuClass: p.gpuClass,
      budgetGpus: p.budget,
      usedGpus: p.budget - p.free,
      freeGpus: p.free,
      desiredGpus: p.members.reduce((sum, e) => sum + e.desired * e.gpr, 0),
      minimumGpus: p.members.reduce((sum, e) => sum + e.min * e.gpr, 0),
    })),
    fleet: {
      capGpus: cap,
      usedGpus: fleetUsed,
      freeGpus: cap === undefined ? undefined : cap - fleetUsed,
    },
    allowPreemptingRealtime: input.policy.allowPreemptingRealtime,
  };
}

function poolOf(pools: readonly PoolState[], e: Entry): PoolState {
  const pool = pools[e.pool];
  if (pool === undefined) {
    throw new HeadroomError({ code: 'internal', message: `workload ${e.id} lost its pool` });
  }
  return pool;
}

function findInfeasible(
  pools: readonly PoolState[],
  entries: readonly Entry[],
  cap: number | undefined,
): BudgetInfeasibility[] {
  const out: BudgetInfeasibility[] = [];
  for (const p of pools) {
    const holders = p.members.filter((e) => e.min > 0);
    const minimumGpus = holders.reduce((sum, e) => sum + e.min * e.gpr, 0);
    if (minimumGpus > p.budget) {
      out.push({
        scope: 'pool',
        pool: p.key,
        budgetGpus: p.budget,
        minimumGpus,
        workloads: holders.map((e) => e.id),
        message: `pool ${p.key}: guaranteed minimums need ${plural(minimumGpus, 'GPU')} but the budget is ${p.budget}: ${names({ list: holders.slice(0, REASON_WORKLOADS_LIMIT), total: holders.length }, (e) => `${e.min} x ${e.gpr} GPUs`)}`,
      });
    }
  }
  if (cap !== undefined) {
    const holders = entries.filter((e) => e.min > 0);
    const minimumGpus = holders.reduce((sum, e) => sum + e.min * e.gpr, 0);
    if (minimumGpus > cap) {
      out.push({
        scope: 'fleet',
        pool: undefined,
        budgetGpus: cap,
        minimumGpus,
        workloads: holders.map((e) => e.id),
        message: `fleet: guaranteed minimums need ${plural(minimumGpus, 'GPU')} but the fleet-wide cap is ${cap}: ${names({ list: holders.slice(0, REASON_WORKLOADS_LIMIT), total: holders.length }, (e) => `${e.min} x ${e.gpr} GPUs`)}`,
      });
    }
  }
  return out;
}

/** At most this many ids are listed in a reason's `workloads`; its message gives the total. */
const REASON_WORKLOADS_LIMIT = 20;

/** Some of the workloads that match, in grant order, and how many match in all. */
interface Picked {
  readonly list: readonly Entry[];
  readonly total: number;
}

type Predicate = 'granted' | 'extra' | 'minHeld' | 'kept' | 'wanting' | 'gain';

/**
 * Counts over a rank-ordered list, so each reason is found in time proportional to the ids it
 * names rather than to the whole pool: tiers are contiguous, so "higher" is a prefix and "lower"
 * a suffix.
 */
interface RankIndex {
  readonly list: readonly Entry[];
  readonly position: ReadonlyMap<Entry, number>;
  readonly tierStart: Int32Array;
  readonly tierEnd: Int32Array;
  readonly tests: Readonly<Record<Predicate, (e: Entry) => boolean>>;
  /** `prefix[p][i]`: how many of `list[0..i)` match `p`. */
  readonly prefix: Readonly<Record<Predicate, Int32Array>>;
  /** `extraGpusFrom[i]`: GPUs granted above their floors to `list[i..n)`. */
  readonly extraGpusFrom: Float64Array;
}

function buildRankIndex(list: readonly Entry[], protect: boolean): RankIndex {
  const n = list.length;
  const tests: Record<Predicate, (e: Entry) => boolean> = {
    granted: (e) => e.granted > 0,
    extra: (e) => e.extra > 0,
    minHeld: (e) => e.min > 0 && e.granted > 0,
    kept: (e) => protect && !e.preemptible && e.floor > e.min && e.granted > e.min,
    wanting: (e) => e.granted < e.desired,
    gain: (e) => e.granted > e.current,
  };
  const prefix = {} as Record<Predicate, Int32Array>;
  for (const key of Object.keys(tests) as Predicate[]) {
    const counts = new Int32Array(n + 1);
    const test = tests[key];
    list.forEach((e, i) => {
      counts[i + 1] = (counts[i] as number) + (test(e) ? 1 : 0);
    });
    prefix[key] = counts;
  }
  const extraGpusFrom = new Float64Array(n + 1);
  for (let i = n - 1; i >= 0; i--) {
    const e = list[i] as Entry;
    extraGpusFrom[i] = (extraGpusFrom[i + 1] as number) + e.extra * e.gpr;
  }
  const tierStart = new Int32Array(n);
  const tierEnd = new Int32Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && tierCompare(list[start] as Entry, list[end] as Entry) === 0) end++;
    tierStart.fill(start, start, end);
    tierEnd.fill(end, start, end);
    start = end;
  }
  return {
    list,
    position: new Map(list.map((e, i) => [e, i])),
    tierStart,
    tierEnd,
    tests,
    prefix,
    extraGpusFrom,
  };
}

/** The workloads of `index.list[from..to)` (other than `exclude`) that match `predicate`. */
function pick(
  index: RankIndex,
  predicate: Predicate,
  from: number,
  to: number,
  exclude?: Entry,
): Picked {
  const test = index.tests[predicate];
  const counts = index.prefix[predicate];
  let total = (counts[to] as number) - (counts[from] as number);
  if (exclude !== undefined && test(exclude)) {
    const at = index.position.get(exclude) ?? -1;
    if (at >= from && at < to) total--;
  }
  const want = Math.min(total, REASON_WORKLOADS_LIMIT);
  const list: Entry[] = [];
  for (let i = from; i < to && list.length < want; i++) {
    const e = index.list[i] as Entry;
    if (e !== exclude && test(e)) list.push(e);
  }
  return { list, total };
}

function names(picked: Picked, describe: (e: Entry) => string): string {
  const shown = picked.list.slice(0, 5).map((e) => `${e.id} (${describe(e)})`);
  const more = picked.total > shown.length ? ` and ${picked.total - shown.length} more` : '';
  return `${shown.join(', ')}${more}`;
}

const gpusOf = (e: Entry): string => plural(e.granted * e.gpr, 'GPU');

interface ReasonContext {
  readonly pools: readonly PoolState[];
  readonly poolIndexes: readonly RankIndex[];
  readonly fleetIndex: RankIndex;
  readonly cap: number | undefined;
  readonly fleetFree: number | undefined;
  readonly protect: boolean;
  readonly infeasible: readonly BudgetInfeasibility[];
}

function reason(code: BudgetReasonCode, message: string, picked?: Picked): BudgetReason {
  return { code, message, workloads: picked === undefined ? [] : picked.list.map((e) => e.id) };
}

function indexOf(
  ctx: ReasonContext,
  e: Entry,
): { index: RankIndex; at: number; s: number; t: number } {
  const index = ctx.poolIndexes[e.pool] as RankIndex;
  const at = index.position.get(e) as number;
  return { index, at, s: index.tierStart[at] as number, t: index.tierEnd[at] as number };
}

function cutReasons(e: Entry, ctx: ReasonContext): BudgetReason[] {
  const pool = poolOf(ctx.pools, e);
  const { index, at, s, t } = indexOf(ctx, e);
  const fleet = ctx.fleetIndex;
  const fleetAt = fleet.position.get(e) as number;
  const out: BudgetReason[] = [];
  const cut = e.desired - e.granted;
  const poolBound = pool.free + (index.extraGpusFrom[t] as number) < e.gpr;
  const fleetBound =
    ctx.fleetFree !== undefined &&
    ctx.fleetFree + (fleet.extraGpusFrom[fleet.tierEnd[fleetAt] as number] as number) < e.gpr;

  if (e.granted < e.min) {
    const where = ctx.infeasible.find((i) => i.pool === pool.key) ?? ctx.infeasible[0];
    out.push(
      reason(
        'below_minimum',
        `granted ${e.granted} of its guaranteed ${plural(e.min, 'replica')}: ${where?.message ?? 'the minimums exceed the budget'}`,
        pick(index, 'granted', 0, at),
      ),
    );
  } else if (e.granted === e.min && e.min > 0) {
    out.push(
      reason('held_minimum', `held at its guaranteed minimum of ${plural(e.min, 'replica')}`),
    );
  }

  if (poolBound || !fleetBound) {
    const higher = pick(index, 'granted', 0, s);
    if (higher.total > 0) {
      out.push(
        reason(
          'cut_priority',
          `higher priority ${names(higher, gpusOf)} took precedence in ${pool.key}`,
          higher,
        ),
      );
    }
    const peers = pick(index, 'extra', s, t, e);
    if (peers.total > 0) {
      out.push(
        reason(
          'cut_benefit',
          `equal priority ${names(peers, gpusOf)} got the remaining replicas by higher marginal benefit per GPU (by turns on ties)`,
          peers,
        ),
      );
    }
    const kept = pick(index, 'kept', t, index.list.length);
    if (kept.total > 0) {
      out.push(
        reason(
          'cut_nonpreemptible',
          `lower priority non-preemptible ${names(kept, (o) => `${o.floor} running`)} ${kept.total === 1 ? 'keeps its' : 'keep their'} running replicas; set policy.allowPreemptingRealtime to preempt them`,
          kept,
        ),
      );
    }
    const minimums = pick(index, 'minHeld', t, index.list.length);
    const smaller = pick(index, 'extra', t, index.list.length);
    const parts = [
      `cut ${plural(cut, 'replica')} (${plural(cut * e.gpr, 'GPU')}): pool ${pool.key} has ${plural(pool.budget, 'GPU')}, ${pool.budget - pool.free} granted, ${pool.free} free, one replica needs ${e.gpr}`,
    ];
    if (minimums.total > 0) {
      parts.push(
        `guaranteed minimums of lower priority ${names(minimums, (o) => plural(Math.min(o.min, o.granted) * o.gpr, 'GPU'))} come first`,
      );
    }
    if (smaller.total > 0) {
      parts.push(
        `GPUs too few for one of its replicas went to smaller replicas of ${names(smaller, (o) => plural(o.extra * o.gpr, 'GPU'))}`,
      );
    }
    out.push(reason('cut_budget', parts.join('; '), minimums));
  }
  if (fleetBound) {
    const ahead = pick(fleet, 'granted', 0, fleetAt);
    out.push(
      reason(
        'cut_fleet_cap',
        `cut ${plural(cut, 'replica')}: the fleet-wide cap of ${plural(ctx.cap ?? 0, 'GPU')} is used up (${(ctx.cap ?? 0) - (ctx.fleetFree ?? 0)} granted); ahead of it: ${ahead.total > 0 ? names(ahead, gpusOf) : 'nobody'}`,
        ahead,
      ),
    );
  }
  return out;
}

function toGrant(e: Entry, ctx: ReasonContext): BudgetGrant {
  const pool = poolOf(ctx.pools, e);
  const { index, s, t } = indexOf(ctx, e);
  const reasons: BudgetReason[] = [];
  if (e.granted >= e.desired) {
    reasons.push(reason('granted_full', `granted all ${plural(e.desired, 'desired replica')}`));
  } else {
    reasons.push(...cutReasons(e, ctx));
  }
  if (ctx.protect && !e.preemptible && e.floor > e.min && e.granted > e.min) {
    const wanting = pick(index, 'wanting', 0, s);
    if (wanting.total > 0) {
      reasons.push(
        reason(
          'kept_current',
          `non-preemptible: kept its ${plural(e.floor, 'running replica')} although higher priority ${names(wanting, (o) => `cut ${o.desired - o.granted}`)} wanted more (policy.allowPreemptingRealtime is false)`,
          wanting,
        ),
      );
    }
  }
  const preempted = Math.max(0, Math.min(e.current, e.desired) - e.granted);
  if (preempted > 0) {
    const gainers = pick(index, 'gain', 0, t, e);
    const policyNote = e.preemptible
      ? ''
      : ctx.protect
        ? ' (non-preemptible, but the budget cannot hold its running replicas)'
        : ' (non-preemptible, preempted because policy.allowPreemptingRealtime is true)';
    if (gainers.total > 0 && (e.preemptible || !ctx.protect)) {
      reasons.push(
        reason(
          'preempted_for',
          `preempted ${plural(preempted, 'running replica')} (${plural(preempted * e.gpr, 'GPU')}) for ${names(gainers, (o) => `+${o.granted - o.current}`)}${policyNote}`,
          gainers,
        ),
      );
    } else {
      reasons.push(
        reason(
          'preempted_budget',
          `lost ${plural(preempted, 'running replica')}: the budget of ${pool.key} (${plural(pool.budget, 'GPU')})${ctx.cap === undefined ? '' : ` or the fleet cap (${ctx.cap})`} no longer covers them${policyNote}`,
        ),
      );
    }
  }
  return {
    id: e.id,
    pool: pool.key,
    region: pool.region,
    gpuClass: pool.gpuClass,
    class: e.cls,
    priority: e.priority,
    preemptible: e.preemptible,
    gpusPerReplica: e.gpr,
    currentReplicas: e.current,
    desiredReplicas: e.desired,
    minReplicas: e.min,
    grantedReplicas: e.granted,
    grantedGpus: e.granted * e.gpr,
    cutReplicas: e.desired - e.granted,
    preemptedReplicas: preempted,
    reasons,
  };
}
