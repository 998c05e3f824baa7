import { HeadroomError, type Random } from '@headroom/core';

/** `sample` draws `high × 2^27 + low` with `high < 2^26` and `low < 2^27`: 53 random bits. */
const DRAW_HIGH = 67_108_864;
const DRAW_LOW = 134_217_728;
const DRAW_SPACE = 9_007_199_254_740_992;

/**
 * A Fenwick (binary indexed) tree of non-negative weights over `Float64Array`s, for weighted
 * random picks with O(log n) updates and O(log n) picks (Fenwick, 1994: "A new data structure for
 * cumulative frequency tables").
 *
 * - Zero weights are allowed and are never picked: the descent skips every subtree whose sum is
 *   not above the remaining target.
 * - Floating-point drift: each update adds a delta to O(log n) partial sums, so after many updates
 *   the partial sums carry rounding error (a removed weight can leave a residue like 1e-17). The
 *   tree therefore rebuilds itself exactly from the point weights (O(n)) after
 *   `max(rebuildEvery, size)` updates, keeping the amortized cost O(log n), and {@link total}
 *   never returns a negative. A pick that lands on a zero weight through residual drift steps to
 *   the nearest positive weight.
 * - Storage grows by doubling; `size` may shrink (swap-remove is the caller's job).
 *
 * @example
 * ```ts
 * const tree = new FenwickTree();
 * tree.push(60); tree.push(15);
 * tree.sample(random); // 0 four times out of five
 * ```
 */
export class FenwickTree {
  #weights: Float64Array;
  #tree: Float64Array;
  #size = 0;
  #updatesSinceRebuild = 0;
  #rebuildEvery: number;

  /**
   * @param capacity - initial capacity in entries. @defaultValue 16
   * @param rebuildEvery - updates between exact rebuilds (at least the size). @defaultValue 4096
   */
  constructor(capacity = 16, rebuildEvery = 4096) {
    const cap = Math.max(1, Math.floor(capacity));
    this.#weights = new Float64Array(cap);
    this.#tree = new Float64Array(cap + 1);
    this.#rebuildEvery = Math.max(1, Math.floor(rebuildEvery));
  }

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /** The weight at `index` (0 when out of range). */
  get(index: number): number {
    return index >= 0 && index < this.#size ? (this.#weights[index] as number) : 0;
  }

  /** Appends an entry with `weight` and returns its index. Amortized O(log n). */
  push(weight: number): number {
    if (this.#size === this.#weights.length) this.#grow();
    const index = this.#size++;
    this.#weights[index] = 0;
    // The new node covers (index+1 - lowbit, index+1]: fill its partial sum from its children.
    const node = index + 1;
    let sum = 0;
    const low = node & -node;
    for (let child = node - 1; child > node - low; child -= child & -child) {
      sum += this.#tree[child] as number;
    }
    this.#tree[node] = sum;
    this.set(index, weight);
    return index;
  }

  /** Removes the last entry. O(log n). */
  pop(): void {
    if (this.#size === 0) return;
    this.set(this.#size - 1, 0);
    this.#size--;
  }

  /**
   * Sets the weight at `index`; negative or non-finite weights are stored as 0.
   * @throws `HeadroomError` `invalid_argument` when `index` is out of range.
   */
  set(index: number, weight: number): void {
    if (!(index >= 0 && index < this.#size)) {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: `index out of range [0, ${this.#size})`,
        path: ['index'],
        value: index,
      });
    }
    const w = weight > 0 && weight < Infinity ? weight : 0;
    const delta = w - (this.#weights[index] as number);
    if (delta === 0) return;
    this.#weights[index] = w;
    if (++this.#updatesSinceRebuild >= Math.max(this.#rebuildEvery, this.#size)) {
      this.rebuild();
      return;
    }
    const tree = this.#tree;
    const n = this.#size;
    for (let node = index + 1; node <= n; node += node & -node) {
      tree[node] = (tree[node] as number) + delta;
    }
  }

  /**
   * {@link set} with the weight read from `weights[at]`: for callers on a hot path that keep
   * weights in a typed array, so no double is passed through a call V8 may not inline (it would
   * box it on the heap). Same rules and errors as {@link set}.
   */
  setFrom(index: number, weights: Float64Array, at: number): void {
    this.set(index, weights[at] as number);
  }

  /** Recomputes every partial sum exactly from the point weights. O(n). */
  rebuild(): void {
    const tree = this.#tree;
    const weights = this.#weights;
    const n = this.#size;
    for (let i = 1; i <= n; i++) tree[i] = weights[i - 1] as number;
    for (let i = 1; i <= n; i++) {
      const parent = i + (i & -i);
      if (parent <= n) tree[parent] = (tree[parent] as number) + (tree[i] as number);
    }
    this.#updatesSinceRebuild = 0;
  }

  /** Sum of all weights (never negative). O(log n). */
  total(): number {
    let sum = 0;
    for (let node = this.#size; node > 0; node -= node & -node) sum += this.#tree[node] as number;
    return sum > 0 ? sum : 0;
  }

  /**
   * The index whose cumulative range contains `target` (`0 <= target < total()`): index i is
   * returned for targets in [w0+...+w(i-1), w0+...+wi). Returns -1 when every weight is 0.
   * O(log n).
   */
  find(target: number): number {
    const n = this.#size;
    if (n === 0) return -1;
    const tree = this.#tree;
    let pos = 0;
    let rest = target > 0 ? target : 0;
    let step = 1;
    while (step * 2 <= n) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= n && (tree[next] as number) <= rest) {
        pos = next;
        rest -= tree[next] as number;
      }
    }
    if (pos < n && (this.#weights[pos] as number) > 0) return pos;
    return this.#nearestPositive(pos);
  }

  /**
   * Drift or a target at the very top put the descent on a zero weight: the nearest positive
   * weight, searching down first (rare; kept out of {@link find} so the hot path stays small).
   */
  #nearestPositive(pos: number): number {
    const weights = this.#weights;
    const n = this.#size;
    for (let i = Math.min(pos, n - 1); i >= 0; i--) if ((weights[i] as number) > 0) return i;
    for (let i = pos + 1; i < n; i++) if ((weights[i] as number) > 0) return i;
    return -1;
  }

  /**
   * A weighted random index: the index {@link find} returns for a uniform target in
   * `[0, total())`, drawn with 53 bits of resolution (as `nextFloat` has) from two
   * `random.nextInt` draws (`nextInt(2^26)`, then `nextInt(2^27)`); -1 without a draw when every
   * weight is 0. O(log n), no allocation.
   *
   * Why not `find(random.nextFloat() * total())`: V8 boxes a double on the heap whenever one
   * crosses a call it does not inline (an argument or a return value). Whether `nextFloat`,
   * `total` and `find` get inlined into a caller depends on that caller's inlining budget, which
   * a router that also ran another picker (more inlined code at the call site) can exhaust:
   * picks then allocated up to ~150 B each. Here the sum and the descent are written out in this
   * one method and the draws are small integers (which V8 never boxes), so a pick allocates
   * nothing whether or not anything is inlined.
   */
  sample(random: Random): number {
    const n = this.#size;
    const tree = this.#tree;
    let total = 0;
    for (let node = n; node > 0; node -= node & -node) total += tree[node] as number;
    if (!(total > 0)) return -1;
    const high = random.nextInt(DRAW_HIGH);
    const low = random.nextInt(DRAW_LOW);
    let rest = ((high * DRAW_LOW + low) / DRAW_SPACE) * total;
    // The descent of `find`, repeated here so no double crosses a call.
    let pos = 0;
    let step = 1;
    while (step * 2 <= n) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= n && (tree[next] as number) <= rest) {
        pos = next;
        rest -= tree[next] as number;
      }
    }
    if (pos < n && (this.#weights[pos] as number) > 0) return pos;
    return this.#nearestPositive(pos);
  }

  #grow(): void {
    const cap = this.#weights.length * 2;
    const weights = new Float64Array(cap);
    weights.set(this.#weights);
    const tree = new Float64Array(cap + 1);
    this.#weights = weights;
    this.#tree = tree;
    this.rebuild();
  }
}
