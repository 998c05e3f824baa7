/**
 * Demand history: the points a forecast is built from, and the bucketing that turns irregular,
 * possibly dirty samples into a regular grid of means.
 */

/**
 * One observation of demand.
 *
 * Points may come in any order and at irregular spacing. A point whose `atMs` is not finite, or
 * whose `demand` is NaN, infinite or negative (or that is not an object at all), is skipped and
 * counted; it never reaches the math.
 */
export interface DemandPoint {
  /** When the demand was observed: epoch milliseconds. */
  readonly atMs: number;
  /**
   * The demand at that time, in the caller's unit (requests per second, open streams, GPUs
   * needed): finite and `>= 0`. The same unit as `demandPerReplica` in the policy config.
   */
  readonly demand: number;
}

/**
 * History cut into fixed steps: the mean demand of the valid points in each step.
 *
 * @internal
 */
export interface BucketedHistory {
  /** Bucket width, ms. */
  readonly stepMs: number;
  /** Absolute index (`floor(atMs / stepMs)`) of `means[0]`. */
  readonly firstBucket: number;
  /**
   * Mean demand per bucket divided by `scale` (so sums over thousands of buckets cannot
   * overflow); NaN where the bucket holds no valid point (unknown, not zero).
   */
  readonly means: Float64Array;
  /** The largest used demand, or 1 when that is 0: multiply `means` by it for the demand unit. */
  readonly scale: number;
  /** How many buckets hold at least one point. */
  readonly filledBuckets: number;
  /** Absolute index of the newest filled bucket; undefined when none. */
  readonly newestBucket: number | undefined;
  /** Valid points inside the window (the ones that were bucketed). */
  readonly usedPoints: number;
  /** Points skipped as invalid: not an object, non-finite time, NaN, infinite or negative demand. */
  readonly skippedPoints: number;
  /** Valid points outside the window (too old, or after its end). */
  readonly ignoredPoints: number;
  /** Time of the oldest used point, epoch ms; undefined when none. */
  readonly oldestMs: number | undefined;
}

/** Whether a history entry is usable: an object with a finite time and a finite demand >= 0. */
export function isValidPoint(point: unknown): point is DemandPoint {
  if (typeof point !== 'object' || point === null) return false;
  const { atMs, demand } = point as { atMs?: unknown; demand?: unknown };
  return (
    typeof atMs === 'number' &&
    Number.isFinite(atMs) &&
    typeof demand === 'number' &&
    Number.isFinite(demand) &&
    demand >= 0
  );
}

/**
 * Buckets the valid points with `fromMs <= atMs` and `atMs <= toMs` (or `< toMs` when
 * `toInclusive` is false) into steps of `stepMs`, aligned to the epoch. Each bucket's value is
 * the running mean of its points, divided by the largest used demand (no overflow for finite input). The grid runs from the oldest
 * used point's bucket to the bucket holding `toMs`. O(points + buckets).
 *
 * @internal
 */
export function bucketHistory(
  history: readonly DemandPoint[],
  fromMs: number,
  toMs: number,
  toInclusive: boolean,
  stepMs: number,
): BucketedHistory {
  let skippedPoints = 0;
  let ignoredPoints = 0;
  let usedPoints = 0;
  let oldestMs = Infinity;
  let maxDemand = 0;
  const n = history.length;
  for (let i = 0; i < n; i++) {
    const p: unknown = history[i];
    if (!isValidPoint(p)) {
      skippedPoints++;
      continue;
    }
    if (p.atMs < fromMs || p.atMs > toMs || (!toInclusive && p.atMs === toMs)) {
      ignoredPoints++;
      continue;
    }
    usedPoints++;
    if (p.atMs < oldestMs) oldestMs = p.atMs;
    if (p.demand > maxDemand) maxDemand = p.demand;
  }
  const lastBucket = Math.floor(toMs / stepMs);
  if (usedPoints === 0) {
    return {
      stepMs,
      firstBucket: lastBucket,
      means: new Float64Array(0),
      scale: 1,
      filledBuckets: 0,
      newestBucket: undefined,
      usedPoints,
      skippedPoints,
      ignoredPoints,
      oldestMs: undefined,
    };
  }
  const scale = maxDemand > 0 ? maxDemand : 1;
  const firstBucket = Math.floor(oldestMs / stepMs);
  const size = lastBucket - firstBucket + 1;
  const means = new Float64Array(size);
  const counts = new Float64Array(size);
  for (let i = 0; i < n; i++) {
    const p: unknown = history[i];
    if (!isValidPoint(p)) continue;
    if (p.atMs < fromMs || p.atMs > toMs || (!toInclusive && p.atMs === toMs)) continue;
    const b = Math.floor(p.atMs / stepMs) - firstBucket;
    const c = (counts[b] ?? 0) + 1;
    counts[b] = c;
    const m = means[b] ?? 0;
    means[b] = m + (p.demand / scale - m) / c;
  }
  let filledBuckets = 0;
  let newest: number | undefined;
  for (let b = 0; b < size; b++) {
    if (counts[b] === 0) means[b] = Number.NaN;
    else {
      filledBuckets++;
      newest = b;
    }
  }
  return {
    stepMs,
    firstBucket,
    means,
    scale,
    filledBuckets,
    newestBucket: newest === undefined ? undefined : newest + firstBucket,
    usedPoints,
    skippedPoints,
    ignoredPoints,
    oldestMs,
  };
}
