import { AWS_PRICES_US_EAST_1_DATA } from './data/aws-prices-us-east-1.js';

/**
 * One AWS Spot Instance Advisor interruption-frequency bucket.
 *
 * The advisor reports, per instance type and region, how often spot capacity of that type was
 * reclaimed during the trailing month, as one of five buckets. headroom turns a bucket into an
 * expected monthly interruption rate for planning (see `assumedMonthlyRate`).
 */
export interface SpotInterruptionBucket {
  /** Bucket index, 0 (least interrupted) to 4 (most). */
  readonly index: number;
  /** The advisor's label, e.g. `'<5%'`. */
  readonly label: string;
  /** The upper bound the advisor's own data uses for the bucket, percent per month. */
  readonly maxPercent: number;
  /**
   * The monthly interruption rate headroom assumes for the bucket, a fraction in [0, 1]: the top
   * of the labelled range (5%, 10%, 15%, 20%), so plans err towards more interruptions; the open
   * `>20%` bucket is an assumption of 30%. Override it per pool where you know better.
   */
  readonly assumedMonthlyRate: number;
}

const ASSUMED_MONTHLY_RATES = [0.05, 0.1, 0.15, 0.2, 0.3] as const;

/**
 * The five Spot Instance Advisor buckets (from the repository's AWS price facts, 2026-07-20) with
 * the monthly interruption rate headroom assumes for each.
 */
export const SPOT_INTERRUPTION_BUCKETS: readonly SpotInterruptionBucket[] = Object.freeze(
  AWS_PRICES_US_EAST_1_DATA.spotInterruptionBuckets.map((b) =>
    Object.freeze({
      index: b.index,
      label: b.label,
      maxPercent: b.maxPercent,
      assumedMonthlyRate: ASSUMED_MONTHLY_RATES[b.index] ?? 0.3,
    }),
  ),
);

/**
 * The bucket planning assumes when a spot price's bucket is unknown: the worst one (`>20%`), so an
 * unknown pool is never treated as safer than a measured one.
 */
export const UNKNOWN_SPOT_BUCKET_INDEX = 4;

/**
 * The monthly interruption rate headroom assumes for a bucket index (unknown or out of range:
 * the worst bucket's rate).
 *
 * @param index - a bucket index 0..4, or `undefined` when unknown.
 * @returns a fraction of instances interrupted per month, in [0, 1].
 * @example
 * ```ts
 * spotMonthlyInterruptionRate(0); // 0.05
 * spotMonthlyInterruptionRate(undefined); // 0.3
 * ```
 */
export function spotMonthlyInterruptionRate(index: number | undefined): number {
  const bucket =
    index === undefined ? undefined : SPOT_INTERRUPTION_BUCKETS.find((b) => b.index === index);
  return bucket?.assumedMonthlyRate ?? ASSUMED_MONTHLY_RATES[UNKNOWN_SPOT_BUCKET_INDEX];
}
