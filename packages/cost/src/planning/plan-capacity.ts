import { HeadroomError, fromZodError } from '@headroom/core';
import { z } from 'zod';
import { SPOT_INTERRUPTION_BUCKET_COUNT } from '../catalog/schema.js';
import { spotMonthlyInterruptionRate } from '../catalog/spot-buckets.js';

/** Hours in an average month (8,760 / 12): turns a monthly interruption rate into an hourly one. */
export const HOURS_PER_MONTH = 730;

/** The most GPUs one hour of demand may ask for in one region (a sanity bound on input). */
export const MAX_DEMAND_GPUS = 10_000_000;

/**
 * One spot capacity pool: an instance type in an availability zone (AWS's unit of spot capacity).
 *
 * - `name`: unique within the region, e.g. `'g6e.12xlarge/us-east-1a'`.
 * - `usdPerGpuHour`: the spot price per GPU-hour, finite and >= 0. A pool at or above the region's
 *   on-demand price is never used.
 * - `interruptionBucket`: Spot Instance Advisor bucket index 0..4 (see `SPOT_INTERRUPTION_BUCKETS`);
 *   unknown means the worst bucket.
 * - `monthlyInterruptionRate`: your own measured rate, a fraction in [0, 1]; wins over the bucket.
 * - `maxGpus`: the most GPUs the pool can give in any hour, integer >= 0. @defaultValue no limit
 */
export const SpotPoolSchema = z.strictObject({
  /** Unique within the region, e.g. `g6e.12xlarge/us-east-1a`. */
  name: z.string().min(1),
  /** Spot price per GPU-hour, >= 0. */
  usdPerGpuHour: z.number().min(0),
  /** Spot Instance Advisor bucket index 0..4; unknown means the worst bucket. */
  interruptionBucket: z
    .number()
    .int()
    .min(0)
    .max(SPOT_INTERRUPTION_BUCKET_COUNT - 1)
    .optional(),
  /** Your own monthly interruption rate, in [0, 1]; wins over the bucket. */
  monthlyInterruptionRate: z.number().min(0).max(1).optional(),
  /** The most GPUs the pool gives in any hour, integer >= 0. @defaultValue no limit */
  maxGpus: z.number().int().min(0).optional(),
});

/** An input to {@link SpotPoolSchema}. */
export type SpotPoolInput = z.input<typeof SpotPoolSchema>;

/**
 * One region's demand and prices.
 *
 * - `region`: unique name, e.g. `'us-east-1'`.
 * - `demandGpus`: GPUs needed in each hour, in order (at least one hour), each finite, >= 0 and
 *   <= {@link MAX_DEMAND_GPUS}. A fraction of a GPU needs a whole one: each hour is rounded up.
 * - `onDemandUsdPerGpuHour`: on-demand price per GPU-hour, > 0.
 * - `reservedUsdPerGpuHour`: the effective hourly price of a reserved GPU (Savings Plan or
 *   reservation, upfront amortised), >= 0; paid for every hour of the horizon, used or not.
 * - `spotPools`: the spot pools to spread burst over. @defaultValue []
 * - `reservedGpus`: a reserved count to plan around instead of optimising one (reservations
 *   already bought), integer >= 0.
 */
export const RegionDemandSchema = z.strictObject({
  /** Unique region name. */
  region: z.string().min(1),
  /** GPUs needed in each hour, each in [0, MAX_DEMAND_GPUS]; rounded up to whole GPUs. */
  demandGpus: z.array(z.number().min(0).max(MAX_DEMAND_GPUS)).min(1),
  /** On-demand price per GPU-hour, > 0. */
  onDemandUsdPerGpuHour: z.number().positive(),
  /** Effective reserved price per GPU-hour, >= 0, paid every hour. */
  reservedUsdPerGpuHour: z.number().min(0),
  /** Spot pools to spread burst over. @defaultValue [] */
  spotPools: z.array(SpotPoolSchema).default([]),
  /** A reserved count to plan around instead of optimising one, integer >= 0. */
  reservedGpus: z.number().int().min(0).max(MAX_DEMAND_GPUS).optional(),
});

/** An input to {@link RegionDemandSchema}. */
export type RegionDemandInput = z.input<typeof RegionDemandSchema>;

/**
 * What {@link planCapacity} takes.
 *
 * - `regions`: one entry per region (names unique), each planned on its own.
 * - `maxSpotShare`: the most of an hour's demand spot may carry, a fraction in [0, 1]. Spot can
 *   be reclaimed with two minutes' notice, so for real-time inference keep it at a share whose
 *   loss you can absorb while replacements load. @defaultValue 0.3 (1 suits batch work)
 * - `burstPercentile`: hours' demand above this quantile of hourly demand (nearest rank) is burst,
 *   the only demand spot may carry; demand up to it is the predictable peak and goes on-demand.
 *   In [0, 1]; 1 means no spot. @defaultValue 0.8
 * - `minSpotPools`: spread spot over at least this many pools: in an hour with spot budget B
 *   (`floor(maxSpotShare * demand)`), no pool carries more than `ceil(B / minSpotPools)` GPUs, so
 *   losing one pool loses at most about 1/minSpotPools of the spot tier. With fewer usable pools,
 *   less spot is used. Integer >= 1. @defaultValue 2
 * - `interruptionRecoveryHours`: GPU-hours of work lost per interrupted GPU (the replacement's
 *   provisioning and model load), >= 0. @defaultValue 0.1 (6 minutes)
 */
export const PlanCapacityInputSchema = z.strictObject({
  /** One entry per region, names unique. */
  regions: z.array(RegionDemandSchema).min(1),
  /** The most of an hour's demand spot may carry, in [0, 1]. @defaultValue 0.3 */
  maxSpotShare: z.number().min(0).max(1).default(0.3),
  /** Demand above this quantile of hourly demand is burst (spot-eligible), in [0, 1]. @defaultValue 0.8 */
  burstPercentile: z.number().min(0).max(1).default(0.8),
  /** Spread spot over at least this many pools, integer >= 1. @defaultValue 2 */
  minSpotPools: z.number().int().min(1).default(2),
  /** GPU-hours lost per interrupted GPU, >= 0. @defaultValue 0.1 */
  interruptionRecoveryHours: z.number().min(0).default(0.1),
});

/** What a caller passes to {@link planCapacity} (defaults not yet applied). */
export type PlanCapacityInput = z.input<typeof PlanCapacityInputSchema>;

/** One tier's totals over the horizon. */
export interface TierSummary {
  /** GPU-hours paid for (for reserved: every reserved GPU in every hour). */
  readonly gpuHours: number;
  /** USD paid over the horizon. */
  readonly usd: number;
  /** The most GPUs of the tier in any hour. */
  readonly peakGpus: number;
}

/** What one spot pool carries over the horizon, and its interruption exposure. */
export interface SpotPoolPlan {
  /** The pool's name. */
  readonly name: string;
  /** GPU-hours on the pool. */
  readonly gpuHours: number;
  /** USD paid to the pool. */
  readonly usd: number;
  /** The most GPUs on the pool in any hour. */
  readonly peakGpus: number;
  /** The monthly interruption rate assumed (given, or from the bucket; unknown: worst bucket). */
  readonly monthlyInterruptionRate: number;
  /** Expected interrupted GPUs: `gpuHours * monthlyInterruptionRate / HOURS_PER_MONTH`. */
  readonly expectedInterruptions: number;
  /** Expected GPU-hours of work lost: `expectedInterruptions * interruptionRecoveryHours`. */
  readonly expectedLostGpuHours: number;
}

/**
 * Something about a region's plan worth knowing, as a stable code with words:
 *
 * - `reserved_fixed`: the reserved count was given, not optimised.
 * - `reserved_not_cheaper`: the reserved price is not below on-demand, so nothing is reserved.
 * - `no_spot_pools`: no spot pools were given.
 * - `spot_not_cheaper`: a pool's price is not below on-demand; it is not used.
 * - `spot_pools_below_minimum`: fewer usable pools than `minSpotPools`, so spot is capped below
 *   its budget.
 */
export interface PlanNote {
  /** The stable code. */
  readonly code:
    | 'reserved_fixed'
    | 'reserved_not_cheaper'
    | 'no_spot_pools'
    | 'spot_not_cheaper'
    | 'spot_pools_below_minimum';
  /** The note in words. */
  readonly detail: string;
}

/** The GPUs of each tier in every hour: `reserved[h] + onDemand[h] + spot[h] === demand[h]`. */
export interface HourlyTiers {
  /** GPUs needed, rounded up to whole GPUs. */
  readonly demand: readonly number[];
  /** Reserved GPUs in use: `min(demand, reservedGpus)`. */
  readonly reserved: readonly number[];
  /** On-demand GPUs. */
  readonly onDemand: readonly number[];
  /** Spot GPUs, all pools together. */
  readonly spot: readonly number[];
}

/** The plan for one region. */
export interface RegionPlan {
  /** The region's name. */
  readonly region: string;
  /** Hours in the horizon. */
  readonly hours: number;
  /** GPUs to reserve for the whole horizon. */
  readonly reservedGpus: number;
  /**
   * `reservedUsdPerGpuHour / onDemandUsdPerGpuHour`: without spot, a reserved GPU pays off when
   * demand exceeds it in more than this fraction of hours.
   */
  readonly reservedBreakEvenFraction: number;
  /** Demand at `burstPercentile` (GPUs): spot carries only demand above it (and above reserved). */
  readonly burstThresholdGpus: number;
  /** Totals per tier. */
  readonly tiers: {
    /** Reserved GPUs (paid every hour). */
    readonly reserved: TierSummary;
    /** On-demand GPUs. */
    readonly onDemand: TierSummary;
    /** Spot GPUs, all pools. */
    readonly spot: TierSummary;
  };
  /** Reserved GPU-hours used over reserved GPU-hours paid, in [0, 1] (1 when none reserved). */
  readonly reservedUtilization: number;
  /** Each usable pool's share of the spot tier and its interruption exposure, cheapest first. */
  readonly spotPools: readonly SpotPoolPlan[];
  /** Expected cost of the plan over the horizon, USD. */
  readonly totalUsd: number;
  /** What the same demand costs all on-demand, USD. */
  readonly allOnDemandUsd: number;
  /** `allOnDemandUsd - totalUsd`, >= 0. */
  readonly savingsUsd: number;
  /** Expected interrupted spot GPUs over the horizon, all pools. */
  readonly expectedInterruptions: number;
  /** Expected GPU-hours of work lost to interruptions, all pools. */
  readonly expectedLostGpuHours: number;
  /** The hour-by-hour tiers. */
  readonly hourly: HourlyTiers;
  /** Notes; see {@link PlanNote}. */
  readonly notes: readonly PlanNote[];
}

/** What {@link planCapacity} returns: a plan per region and the totals. */
export interface CapacityPlan {
  /** One plan per input region, in input order. */
  readonly regions: readonly RegionPlan[];
  /** Sum of the regions' `totalUsd`. */
  readonly totalUsd: number;
  /** Sum of the regions' `allOnDemandUsd`. */
  readonly allOnDemandUsd: number;
  /** `allOnDemandUsd - totalUsd`. */
  readonly savingsUsd: number;
  /** Sum of the regions' expected interrupted GPUs. */
  readonly expectedInterruptions: number;
  /** Sum of the regions' expected lost GPU-hours. */
  readonly expectedLostGpuHours: number;
}

type PlanOptions = z.output<typeof PlanCapacityInputSchema>;
type Region = z.output<typeof RegionDemandSchema>;

interface UsablePool {
  readonly name: string;
  readonly usdPerGpuHour: number;
  readonly monthlyRate: number;
  readonly maxGpus: number;
}

/** Per-region facts that do not depend on the reserved count. */
interface Prepared {
  readonly demand: Float64Array;
  readonly pools: readonly UsablePool[];
  /** Per hour, the most spot GPUs usable: min(spot budget, sum of pool caps). */
  readonly spotCap: Float64Array;
  /** Per hour, the cap of each pool (hour-major: h * pools + p). */
  readonly poolCap: Float64Array;
  readonly threshold: number;
  readonly od: number;
  readonly pr: number;
}

const EPS = 1e-9;

function prepare(region: Region, options: PlanOptions, notes: PlanNote[]): Prepared {
  const hours = region.demandGpus.length;
  const demand = new Float64Array(hours);
  for (let h = 0; h < hours; h++)
    demand[h] = Math.max(0, Math.ceil((region.demandGpus[h] ?? 0) - EPS));
  const sorted = Array.from(demand).sort((a, b) => a - b);
  const rank = Math.max(0, Math.ceil(options.burstPercentile * hours - EPS) - 1);
  const threshold = sorted[Math.min(rank, hours - 1)] ?? 0;

  const od = region.onDemandUsdPerGpuHour;
  if (region.spotPools.length === 0) {
    notes.push({ code: 'no_spot_pools', detail: 'no spot pools given: no spot tier' });
  }
  const pools: UsablePool[] = [];
  for (const p of region.spotPools) {
    if (p.usdPerGpuHour >= od) {
      notes.push({
        code: 'spot_not_cheaper',
        detail: `spot pool ${p.name} at $${p.usdPerGpuHour}/GPU-hour is not below on-demand $${od}: not used`,
      });
      continue;
    }
    pools.push({
      name: p.name,
      usdPerGpuHour: p.usdPerGpuHour,
      monthlyRate: p.monthlyInterruptionRate ?? spotMonthlyInterruptionRate(p.interruptionBucket),
      maxGpus: p.maxGpus ?? Number.POSITIVE_INFINITY,
    });
  }
  pools.sort((a, b) => a.usdPerGpuHour - b.usdPerGpuHour || (a.name < b.name ? -1 : 1));
  if (pools.length > 0 && pools.length < options.minSpotPools) {
    notes.push({
      code: 'spot_pools_below_minimum',
      detail: `${pools.length} usable spot pool(s), fewer than minSpotPools ${options.minSpotPools}: each carries at most 1/${options.minSpotPools} of the spot budget`,
    });
  }

  const spotCap = new Float64Array(hours);
  const poolCap = new Float64Array(hours * pools.length);
  for (let h = 0; h < hours; h++) {
    const d = demand[h] ?? 0;
    const budget = Math.floor(options.maxSpotShare * d + EPS);
    const perPool = Math.ceil(budget / options.minSpotPools);
    let total = 0;
    pools.forEach((p, i) => {
      const cap = Math.min(p.maxGpus, perPool);
      poolCap[h * pools.length + i] = cap;
      total += cap;
    });
    spotCap[h] = Math.min(budget, total);
  }
  return { demand, pools, spotCap, poolCap, threshold, od, pr: region.reservedUsdPerGpuHour };
}

/** Spot GPUs in hour h with `reserved` GPUs reserved: burst above max(threshold, reserved), capped. */
function spotAt(prep: Prepared, h: number, reserved: number): number {
  const d = prep.demand[h] ?? 0;
  const burst = Math.max(0, d - Math.max(prep.threshold, reserved));
  return Math.min(burst, prep.spotCap[h] ?? 0);
}

/** USD of `spot` GPUs in hour h, cheapest pools first; calls `place` per pool when given. */
function spotUsd(
  prep: Prepared,
  h: number,
  spot: number,
  place?: (pool: number, gpus: number) => void,
): number {
  let left = spot;
  let usd = 0;
  const n = prep.pools.length;
  for (let p = 0; p < n && left > 0; p++) {
    const take = Math.min(left, prep.poolCap[h * n + p] ?? 0);
    if (take <= 0) continue;
    usd += take * (prep.pools[p]?.usdPerGpuHour ?? 0);
    left -= take;
    place?.(p, take);
  }
  return usd;
}

/** What hour h costs beyond the reserved GPUs, with `reserved` GPUs reserved. */
function hourUsd(prep: Prepared, h: number, reserved: number): number {
  const d = prep.demand[h] ?? 0;
  const excess = Math.max(0, d - reserved);
  const spot = spotAt(prep, h, reserved);
  return prep.od * (excess - spot) + spotUsd(prep, h, spot);
}

/** cost(R + 1) - cost(R), summed hour by hour (each term is small, so the sum stays accurate). */
function marginalUsd(prep: Prepared, reserved: number): number {
  let delta = prep.pr * prep.demand.length;
  for (let h = 0; h < prep.demand.length; h++) {
    if ((prep.demand[h] ?? 0) <= reserved) continue;
    delta += hourUsd(prep, h, reserved + 1) - hourUsd(prep, h, reserved);
  }
  return delta;
}

/**
 * The reserved count that minimises the region's cost. Each hour's cost beyond reserved is convex
 * in R (its slope is -onDemand while on-demand GPUs remain above R, then minus the marginal spot
 * price, which falls as R rises, then 0), so the total is convex and the optimum is the smallest R
 * whose marginal cost `cost(R + 1) - cost(R)` is >= 0: a binary search.
 */
function optimalReserved(prep: Prepared): number {
  let hi = 0;
  for (const d of prep.demand) hi = Math.max(hi, d);
  let lo = 0;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (marginalUsd(prep, mid) >= 0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function planRegion(region: Region, options: PlanOptions): RegionPlan {
  const notes: PlanNote[] = [];
  const prep = prepare(region, options, notes);
  const hours = prep.demand.length;
  let reservedGpus: number;
  if (region.reservedGpus !== undefined) {
    reservedGpus = region.reservedGpus;
    notes.push({ code: 'reserved_fixed', detail: `reserved count ${reservedGpus} given` });
  } else if (prep.pr >= prep.od) {
    reservedGpus = 0;
    notes.push({
      code: 'reserved_not_cheaper',
      detail: `reserved $${prep.pr}/GPU-hour is not below on-demand $${prep.od}: nothing reserved`,
    });
  } else {
    reservedGpus = optimalReserved(prep);
  }

  const demand: number[] = new Array<number>(hours);
  const reserved: number[] = new Array<number>(hours);
  const onDemand: number[] = new Array<number>(hours);
  const spot: number[] = new Array<number>(hours);
  const poolGpuHours = new Float64Array(prep.pools.length);
  const poolUsd = new Float64Array(prep.pools.length);
  const poolPeak = new Float64Array(prep.pools.length);
  let odUsd = 0;
  let spotTotalUsd = 0;
  let reservedUsed = 0;
  let allOnDemandUsd = 0;
  for (let h = 0; h < hours; h++) {
    const d = prep.demand[h] ?? 0;
    const r = Math.min(d, reservedGpus);
    const s = spotAt(prep, h, reservedGpus);
    const o = d - r - s;
    spotTotalUsd += spotUsd(prep, h, s, (p, gpus) => {
      poolGpuHours[p] = (poolGpuHours[p] ?? 0) + gpus;
      poolUsd[p] = (poolUsd[p] ?? 0) + gpus * (prep.pools[p]?.usdPerGpuHour ?? 0);
      poolPeak[p] = Math.max(poolPeak[p] ?? 0, gpus);
    });
    odUsd += o * prep.od;
    allOnDemandUsd += d * prep.od;
    reservedUsed += r;
    demand[h] = d;
    reserved[h] = r;
    onDemand[h] = o;
    spot[h] = s;
  }
  const reservedUsd = reservedGpus * hours * prep.pr;
  const totalUsd = reservedUsd + odUsd + spotTotalUsd;
  const spotPools: SpotPoolPlan[] = prep.pools.map((p, i) => {
    const gpuHours = poolGpuHours[i] ?? 0;
    const expectedInterruptions = (gpuHours * p.monthlyRate) / HOURS_PER_MONTH;
    return {
      name: p.name,
      gpuHours,
      usd: poolUsd[i] ?? 0,
      peakGpus: poolPeak[i] ?? 0,
      monthlyInterruptionRate: p.monthlyRate,
      expectedInterruptions,
      expectedLostGpuHours: expectedInterruptions * options.interruptionRecoveryHours,
    };
  });
  const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
  const peak = (values: readonly number[]): number => values.reduce((a, b) => Math.max(a, b), 0);
  return {
    region: region.region,
    hours,
    reservedGpus,
    reservedBreakEvenFraction: prep.pr / prep.od,
    burstThresholdGpus: prep.threshold,
    tiers: {
      reserved: { gpuHours: reservedGpus * hours, usd: reservedUsd, peakGpus: reservedGpus },
      onDemand: { gpuHours: sum(onDemand), usd: odUsd, peakGpus: peak(onDemand) },
      spot: { gpuHours: sum(spot), usd: spotTotalUsd, peakGpus: peak(spot) },
    },
    reservedUtilization: reservedGpus === 0 ? 1 : reservedUsed / (reservedGpus * hours),
    spotPools,
    totalUsd,
    allOnDemandUsd,
    savingsUsd: allOnDemandUsd - totalUsd,
    expectedInterruptions: sum(spotPools.map((p) => p.expectedInterruptions)),
    expectedLostGpuHours: sum(spotPools.map((p) => p.expectedLostGpuHours)),
    hourly: { demand, reserved, onDemand, spot },
    notes,
  };
}

function checkUnique(names: readonly string[], path: (i: number) => (string | number)[]): void {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (seen.has(name)) {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: `name ${JSON.stringify(name)} appears more than once`,
        path: path(i),
        value: name,
        limit: 'unique names',
      });
    }
    seen.add(name);
  });
}

/**
 * Plans GPU capacity in three tiers per region from an hourly demand curve: a reserved baseline,
 * on-demand for the predictable peak, and spot for burst, spread over several pools.
 *
 * Reserved count. With reserved price `pr` and on-demand `pod` per GPU-hour over `H` hours, the
 * cost of reserving R GPUs is `cost(R) = R * pr * H + sum_h c_h(R)`, where `c_h` pays for the
 * demand above R in hour h. Without spot, `c_h(R) = pod * max(0, d_h - R)`, so one more reserved
 * GPU changes the cost by `pr * H - pod * #{h : d_h > R}`: it pays off while demand exceeds R in a
 * fraction of hours greater than `pr / pod`, and the optimum is the `(1 - pr / pod)` quantile of
 * hourly demand (AWS's and the FinOps Foundation's "commit to the baseline" rule, made exact).
 * With spot, `c_h` is still convex in R, so the planner finds the exact optimum by binary search
 * on the marginal cost; ties go to the smaller commitment.
 *
 * Each hour, with demand `d` rounded up to whole GPUs: reserved carries `min(d, R)`; spot carries
 * the demand above both R and the burst threshold (the `burstPercentile` quantile of demand), at
 * most `floor(maxSpotShare * d)`, spread cheapest-first over pools cheaper than on-demand with no
 * pool above `min(maxGpus, ceil(budget / minSpotPools))`; on-demand carries the rest. So
 * `reserved + onDemand + spot = d` every hour, spot never exceeds its share, and the plan never
 * costs more than all on-demand (R = 0 with spot only where it is cheaper is always a candidate).
 *
 * Interruption exposure: a pool with monthly interruption rate `m` (AWS Spot Instance Advisor
 * bucket, or your own) interrupts each GPU with probability `m / 730` per hour, so
 * `expectedInterruptions = spotGpuHours * m / 730`, and each costs `interruptionRecoveryHours`
 * GPU-hours of lost work.
 *
 * @param input - see {@link PlanCapacityInputSchema}.
 * @returns a {@link RegionPlan} per region and the totals.
 * @throws `HeadroomError` `invalid_argument` naming the path (under `input`) of a bad field:
 * a NaN or negative demand hour, a negative price, a duplicate region or pool name.
 * @example
 * ```ts
 * const plan = planCapacity({
 *   regions: [{
 *     region: 'us-east-1',
 *     demandGpus: weekOfHourlyGpus, // e.g. 168 numbers
 *     onDemandUsdPerGpuHour: 6.88,
 *     reservedUsdPerGpuHour: 4.13,
 *     spotPools: [
 *       { name: 'p5.48xlarge/use1-az1', usdPerGpuHour: 2.75, interruptionBucket: 1 },
 *       { name: 'p5.48xlarge/use1-az2', usdPerGpuHour: 2.9, interruptionBucket: 2 },
 *     ],
 *   }],
 *   maxSpotShare: 0.3,
 * });
 * plan.regions[0]?.reservedGpus;
 * ```
 */
export function planCapacity(input: PlanCapacityInput): CapacityPlan {
  const parsed = PlanCapacityInputSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw fromZodError(parsed.error, 'invalid_argument', ['input']);
  const options = parsed.data;
  checkUnique(
    options.regions.map((r) => r.region),
    (i) => ['input', 'regions', i, 'region'],
  );
  options.regions.forEach((r, i) =>
    checkUnique(
      r.spotPools.map((p) => p.name),
      (j) => ['input', 'regions', i, 'spotPools', j, 'name'],
    ),
  );
  const regions = options.regions.map((r) => planRegion(r, options));
  const total = (pick: (r: RegionPlan) => number): number =>
    regions.reduce((sum, r) => sum + pick(r), 0);
  const totalUsd = total((r) => r.totalUsd);
  const allOnDemandUsd = total((r) => r.allOnDemandUsd);
  return {
    regions,
    totalUsd,
    allOnDemandUsd,
    savingsUsd: allOnDemandUsd - totalUsd,
    expectedInterruptions: total((r) => r.expectedInterruptions),
    expectedLostGpuHours: total((r) => r.expectedLostGpuHours),
  };
}
