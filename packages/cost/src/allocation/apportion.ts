import { HeadroomError } from '@headroom/core';

/**
 * An exact non-negative dyadic rational `n × 2^e`. Every finite double is one, so sums and
 * products of input quantities are computed without rounding, in any order.
 */
export interface Dyadic {
  readonly n: bigint;
  readonly e: number;
}

/** The exact dyadic value of a finite, non-negative double. */
export function toDyadic(x: number): Dyadic {
  if (x === 0) return { n: 0n, e: 0 };
  let v = x;
  let e = 0;
  // Doubling is exact; a finite double becomes an integer after at most 1074 doublings.
  while (!Number.isInteger(v)) {
    v *= 2;
    e -= 1;
  }
  return { n: BigInt(v), e };
}

/** `a + b`, exactly. */
export function addDyadic(a: Dyadic, b: Dyadic): Dyadic {
  if (a.n === 0n) return b;
  if (b.n === 0n) return a;
  const e = Math.min(a.e, b.e);
  return { n: (a.n << BigInt(a.e - e)) + (b.n << BigInt(b.e - e)), e };
}

/** `a × b`, exactly. */
export function mulDyadic(a: Dyadic, b: Dyadic): Dyadic {
  return { n: a.n * b.n, e: a.e + b.e };
}

/** `a × k` for a non-negative integer `k`, exactly. */
export function scaleDyadic(a: Dyadic, k: bigint): Dyadic {
  return { n: a.n * k, e: a.e };
}

/** `a - b`, exactly (may be negative). */
export function subDyadic(a: Dyadic, b: Dyadic): Dyadic {
  return addDyadic(a, { n: -b.n, e: b.e });
}

/** Sign of `a - b`: -1, 0 or 1. */
export function compareDyadic(a: Dyadic, b: Dyadic): number {
  const d = subDyadic(a, b).n;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** The nearest double to a dyadic. */
export function dyadicToNumber(a: Dyadic): number {
  if (a.n === 0n) return 0;
  // Split the power so that neither factor under- or overflows on its own for ordinary inputs.
  const half = Math.trunc(a.e / 2);
  return Number(a.n) * 2 ** half * 2 ** (a.e - half);
}

/**
 * `part / whole` clamped to [0, 1], computed on the exact values so that a denormal `whole` (whose
 * nearest double is 0) still gives a finite ratio; 1 when `whole` is 0.
 */
export function exactFraction(part: Dyadic, whole: Dyadic): number {
  if (whole.n <= 0n) return 1;
  if (part.n <= 0n) return 0;
  const [p = 0n, w = 1n] = alignDyadics([part, whole]);
  if (p >= w) return 1;
  return Number((p * 1_000_000_000_000n) / w) / 1e12;
}

/** Expresses all values over one common power of two, as plain integers. */
export function alignDyadics(values: readonly Dyadic[]): bigint[] {
  let e = 0;
  for (const v of values) if (v.n !== 0n && v.e < e) e = v.e;
  return values.map((v) => (v.n === 0n ? 0n : v.n << BigInt(v.e - e)));
}

/** The ordering keys are tie-broken by: plain UTF-16 code unit order, as `<` on strings. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Largest-remainder (Hamilton) apportionment of an integer total over exact integer weights.
 * Each entry first gets `floor(total × weight / Σweights)`; the units left over go one each to
 * the entries with the largest remainders, ties broken by `key` ascending. The result sums to
 * `total` exactly and each entry is within one unit of its exact quota.
 *
 * @internal Shared by {@link apportionLargestRemainder} and the allocator; weights are bigints.
 */
export function apportionExact(
  total: bigint,
  entries: readonly { readonly key: string; readonly weight: bigint }[],
): bigint[] {
  let sum = 0n;
  for (const entry of entries) sum += entry.weight;
  if (sum <= 0n) {
    throw new HeadroomError({
      code: 'internal',
      message: 'apportionment needs a positive total weight',
    });
  }
  const shares: bigint[] = [];
  const remainders: bigint[] = [];
  let given = 0n;
  for (const entry of entries) {
    const product = total * entry.weight;
    const share = product / sum;
    shares.push(share);
    remainders.push(product % sum);
    given += share;
  }
  let left = total - given;
  if (left > 0n) {
    const order = entries.map((_, i) => i);
    order.sort((a, b) => {
      const ra = remainders[a] ?? 0n;
      const rb = remainders[b] ?? 0n;
      if (ra !== rb) return ra > rb ? -1 : 1;
      return compareKeys(entries[a]?.key ?? '', entries[b]?.key ?? '');
    });
    for (const i of order) {
      if (left === 0n) break;
      shares[i] = (shares[i] ?? 0n) + 1n;
      left -= 1n;
    }
  }
  return shares;
}

/** One weighted claim on a total, for {@link apportionLargestRemainder}. */
export interface WeightedKey {
  /** A unique key; ties between equal remainders go to the smaller key (code unit order). */
  readonly key: string;
  /** The claim's weight: a finite number >= 0, in any unit shared by all entries. */
  readonly weight: number;
}

/**
 * Splits an integer amount (for example micro-dollars) over weighted keys so the parts are
 * integers that sum to the amount exactly: largest-remainder (Hamilton) rounding, with ties
 * between equal remainders broken by key ascending, so the result never depends on input
 * order. Weights are taken as the exact binary values of the doubles you pass; the arithmetic is
 * exact (BigInt).
 *
 * @param total - the amount to split, a safe integer >= 0.
 * @param weights - the keys and their weights; keys must be unique and at least one weight > 0.
 * @returns a map from key to its integer part.
 * @throws `HeadroomError` `invalid_argument` for a negative or non-integer total, a negative or
 *   non-finite weight, a duplicate key, or all-zero weights.
 * @example
 * ```ts
 * apportionLargestRemainder(10, [
 *   { key: 'a', weight: 1 },
 *   { key: 'b', weight: 1 },
 *   { key: 'c', weight: 1 },
 * ]); // Map { a => 4, b => 3, c => 3 }
 * ```
 */
export function apportionLargestRemainder(
  total: number,
  weights: readonly WeightedKey[],
): Map<string, number> {
  if (!Number.isSafeInteger(total) || total < 0) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be a safe integer >= 0',
      path: ['total'],
      value: total,
      limit: 'safe integer >= 0',
    });
  }
  const seen = new Set<string>();
  const dyadics: Dyadic[] = [];
  weights.forEach((w, i) => {
    if (typeof w.weight !== 'number' || !Number.isFinite(w.weight) || w.weight < 0) {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: 'must be a finite number >= 0',
        path: ['weights', i, 'weight'],
        value: w.weight,
        limit: 'finite, >= 0',
      });
    }
    if (seen.has(w.key)) {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: 'duplicate key',
        path: ['weights', i, 'key'],
        value: w.key,
        limit: 'unique keys',
      });
    }
    seen.add(w.key);
    dyadics.push(toDyadic(w.weight));
  });
  const aligned = alignDyadics(dyadics);
  if (aligned.every((w) => w === 0n)) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'at least one weight must be > 0',
      path: ['weights'],
      value: weights.length,
      limit: 'some weight > 0',
    });
  }
  const parts = apportionExact(
    BigInt(total),
    weights.map((w, i) => ({ key: w.key, weight: aligned[i] ?? 0n })),
  );
  const out = new Map<string, number>();
  weights.forEach((w, i) => out.set(w.key, Number(parts[i] ?? 0n)));
  return out;
}
