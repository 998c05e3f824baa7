import type { Random } from '@headroom/core';

/**
 * Weighted random pick by a linear scan: index i with probability `weights[i] / sum`, over the
 * first `count` entries. Non-positive and non-finite weights are never picked. One
 * `random.nextFloat()` draw. O(count), no allocation: the exact fallback behind the router's
 * O(log n) {@link FenwickTree} path, and the baseline it is benchmarked against.
 *
 * @returns the picked index, or -1 when no weight is positive.
 * @example
 * ```ts
 * pickWeightedScan(Float64Array.of(60, 15), 2, createRandom(1)); // 0 with probability 0.8
 * ```
 */
export function pickWeightedScan(
  weights: ArrayLike<number>,
  count: number,
  random: Random,
): number {
  let total = 0;
  for (let i = 0; i < count; i++) {
    const w = weights[i] as number;
    if (w > 0 && w < Infinity) total += w;
  }
  if (!(total > 0)) return -1;
  let target = random.nextFloat() * total;
  let last = -1;
  for (let i = 0; i < count; i++) {
    const w = weights[i] as number;
    if (!(w > 0 && w < Infinity)) continue;
    last = i;
    if (target < w) return i;
    target -= w;
  }
  return last; // rounding put the target at the very top: the last positive weight
}

/**
 * Power of two choices (Mitzenmacher, 2001; Envoy's least-request balancer with two choices):
 * draws two distinct indices uniformly from the first `count` entries and returns the one with
 * the lower `loads` value; on a tie, the one drawn first. With one entry it is returned without a
 * draw; two `random.nextInt` draws otherwise. O(1), no allocation.
 *
 * @returns the picked index, or -1 when `count` is 0.
 */
export function pickTwoChoices(loads: ArrayLike<number>, count: number, random: Random): number {
  if (count <= 0) return -1;
  if (count === 1) return 0;
  const a = random.nextInt(count);
  let b = random.nextInt(count - 1);
  if (b >= a) b++;
  return (loads[b] as number) < (loads[a] as number) ? b : a;
}

/**
 * Deterministic least-loaded pick: the index with the lowest `loads` value among the first
 * `count`; ties go to the lowest `tieKeys` value (the router passes a 32-bit hash of the endpoint
 * id, so every gateway replica breaks ties the same way whatever its slot order), then to the
 * lowest index. NaN loads count as +Infinity. O(count), no draw, no allocation.
 *
 * @returns the picked index, or -1 when `count` is 0.
 */
export function pickLeastLoaded(
  loads: ArrayLike<number>,
  tieKeys: ArrayLike<number>,
  count: number,
): number {
  let best = -1;
  let bestLoad = Infinity;
  let bestKey = Infinity;
  for (let i = 0; i < count; i++) {
    const raw = loads[i] as number;
    const load = raw === raw ? raw : Infinity;
    const key = tieKeys[i] as number;
    if (best < 0 || load < bestLoad || (load === bestLoad && key < bestKey)) {
      best = i;
      bestLoad = load;
      bestKey = key;
    }
  }
  return best;
}
