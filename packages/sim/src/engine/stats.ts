import type { Quantiles } from './types.js';

/** Rounds to a microsecond, so reports stay short and exact across runs. */
export function roundMs(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Nearest-rank quantile of a sorted sample (q in (0, 1]). */
function rank(sorted: Float64Array, q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

/**
 * Summary quantiles (nearest rank) of the first `count` values of `values`, rounded to 1 µs; all
 * 0 for an empty sample. Sorts a copy.
 */
export function quantilesOf(values: Float64Array, count: number): Quantiles {
  if (count === 0) return { p50: 0, p90: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  const sorted = values.slice(0, count).sort();
  let sum = 0;
  for (let i = 0; i < count; i++) sum += sorted[i] as number;
  return {
    p50: roundMs(rank(sorted, 0.5)),
    p90: roundMs(rank(sorted, 0.9)),
    p95: roundMs(rank(sorted, 0.95)),
    p99: roundMs(rank(sorted, 0.99)),
    max: roundMs(sorted[count - 1] as number),
    mean: roundMs(sum / count),
  };
}

/**
 * An empirical CDF of the first `count` values as about `points` pairs `[value, fraction]`: the
 * nearest-rank quantile at each fraction k / points (k = 1..points), with repeated values merged
 * (keeping the highest fraction). Empty for an empty sample.
 */
export function cdfOf(values: Float64Array, count: number, points = 100): [number, number][] {
  if (count === 0) return [];
  const sorted = values.slice(0, count).sort();
  const out: [number, number][] = [];
  for (let k = 1; k <= points; k++) {
    const fraction = k / points;
    const value = roundMs(rank(sorted, fraction));
    const last = out[out.length - 1];
    if (last !== undefined && last[0] === value) last[1] = fraction;
    else out.push([value, fraction]);
  }
  return out;
}
