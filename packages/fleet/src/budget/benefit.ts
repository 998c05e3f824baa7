import { HeadroomError } from '@headroom/core';

/**
 * Turns an SLO model's attainment curve into the `benefit` curve {@link arbitrateBudget} wants.
 *
 * `attainment[r]` is the share of requests that meet the SLO with `r` replicas (for example from
 * an Erlang C or M/G/c model: the probability that the wait stays under the target), finite, in
 * 0..1 and non-decreasing in `r`. The marginal gains `attainment[r + 1] - attainment[r]` are
 * usually not diminishing at first (a queue is unstable until enough replicas exist, then
 * attainment jumps), so they are replaced by the slopes of the least concave majorant of the
 * curve (pool-adjacent-violators): a jump reached only after several replicas is spread evenly
 * over them. The result is non-increasing, so a greedy grant by benefit per GPU values a block of
 * replicas that only pays off together at its average.
 *
 * @param attainment - SLO attainment with 0, 1, 2, ... replicas, at most 100 001 entries.
 * @returns `attainment.length - 1` marginal benefits, non-increasing, >= 0.
 * @throws `HeadroomError` `invalid_argument` naming the index when a value is not finite, lies
 * outside 0..1 or decreases.
 * @example
 * ```ts
 * budgetBenefitFromSloAttainment([0, 0, 0.6, 0.9, 0.97]);
 * // [0.3, 0.3, 0.3, 0.07]: the first two replicas only pay off together
 * ```
 */
export function budgetBenefitFromSloAttainment(attainment: readonly number[]): number[] {
  if (attainment.length > 100_001) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'too many entries',
      path: ['attainment'],
      value: attainment.length,
      limit: '<= 100001 entries',
    });
  }
  attainment.forEach((value, i) => {
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: 'SLO attainment must be finite and in 0..1',
        path: ['attainment', i],
        value,
        limit: '0..1',
      });
    }
    const previous = i > 0 ? (attainment[i - 1] as number) : value;
    if (value < previous) {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: `SLO attainment must not decrease with more replicas (attainment[${i - 1}] is ${previous})`,
        path: ['attainment', i],
        value,
        limit: `>= ${previous}`,
      });
    }
  });
  // Pool adjacent violators over the differences: blocks of (sum, count) with non-increasing means.
  const sums: number[] = [];
  const counts: number[] = [];
  for (let i = 1; i < attainment.length; i++) {
    let sum = (attainment[i] as number) - (attainment[i - 1] as number);
    let count = 1;
    while (sums.length > 0) {
      const lastSum = sums[sums.length - 1] as number;
      const lastCount = counts[counts.length - 1] as number;
      if (lastSum / lastCount >= sum / count) break;
      sum += lastSum;
      count += lastCount;
      sums.pop();
      counts.pop();
    }
    sums.push(sum);
    counts.push(count);
  }
  const out: number[] = [];
  sums.forEach((sum, b) => {
    const count = counts[b] as number;
    const mean = Math.max(0, sum / count);
    for (let k = 0; k < count; k++) out.push(mean);
  });
  // Floating-point means of merged blocks can come out a hair out of order; make it exact.
  for (let i = 1; i < out.length; i++) {
    if ((out[i] as number) > (out[i - 1] as number)) out[i] = out[i - 1] as number;
  }
  return out;
}
