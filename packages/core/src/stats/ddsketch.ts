import { HeadroomError } from '../errors/headroom-error.js';
import { requireNumber } from '../errors/checks.js';

/** Options of {@link DDSketch}. */
export interface DDSketchOptions {
  /**
   * Relative accuracy α: every quantile the sketch returns is within α × the exact value, in
   * (0, 1). @defaultValue 0.01 (1%)
   */
  readonly relativeAccuracy?: number;
  /**
   * Most buckets kept, an integer ≥ 16; bounds memory at 8 bytes a bucket. 2048 buckets cover a
   * ratio of about 10^17 between the smallest and largest value at α = 1% (about 60× at
   * α = 0.1%) before the lowest buckets are collapsed.
   * @defaultValue 2048
   */
  readonly maxBuckets?: number;
  /**
   * Values below this (and ≥ 0) are counted as zero and reported as 0. @defaultValue 1e-9
   */
  readonly minIndexableValue?: number;
}

/** The JSON form of a {@link DDSketch}, restored by {@link DDSketch.fromJSON}. */
export interface DDSketchJSON {
  readonly relativeAccuracy: number;
  readonly maxBuckets: number;
  readonly minIndexableValue: number;
  readonly zeroCount: number;
  /** Bucket index of `counts[0]`. */
  readonly firstKey: number;
  readonly counts: readonly number[];
  readonly count: number;
  readonly sum: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly collapsed: boolean;
}

/**
 * A DDSketch (Masson, Rim and Lee, "DDSketch: A fast and fully-mergeable quantile sketch with
 * relative-error guarantees", VLDB 2019): a quantile sketch with a **relative**-error guarantee,
 * which is the one latency SLOs need (p99 of 2 s is reported as 2 s ± 20 ms, p99 of 20 ms as
 * 20 ms ± 0.2 ms, at α = 1%).
 *
 * Values are mapped to logarithmic buckets `(γ^(i−1), γ^i]` with γ = (1 + α) / (1 − α); a quantile
 * returns its bucket's midpoint `2γ^i / (γ + 1)`, which is within α of every value in the bucket.
 *
 * **Error bound**: for q in [0, 1], with `n` values recorded and `r = floor(q × (n − 1))`, the
 * result `x̂` and the exact value `x = sorted[r]` satisfy `|x̂ − x| ≤ α × x`, provided the
 * sketch has not collapsed (see {@link DDSketch.collapsed}); values below `minIndexableValue`
 * are reported as 0. Memory is bounded by `maxBuckets`: when the range of values needs more,
 * the lowest buckets are merged (upper quantiles, the ones latency SLOs use, keep the bound).
 *
 * Only non-negative finite values are accepted; anything else is rejected and counted in
 * {@link DDSketch.rejectedCount}, never added.
 *
 * @example
 * ```ts
 * const sketch = new DDSketch({ relativeAccuracy: 0.01 });
 * for (const latencyMs of latencies) sketch.add(latencyMs);
 * const p99 = sketch.quantile(0.99);
 * ```
 */
export class DDSketch {
  /** Relative accuracy α. */
  readonly relativeAccuracy: number;
  /** Most buckets kept. */
  readonly maxBuckets: number;
  /** Smallest value given its own bucket; smaller non-negative values count as zero. */
  readonly minIndexableValue: number;
  readonly #gamma: number;
  readonly #invLnGamma: number;
  readonly #lnGamma: number;
  #counts: Float64Array = new Float64Array(0);
  #offset = 0;
  #minKey = Number.POSITIVE_INFINITY;
  #maxKey = Number.NEGATIVE_INFINITY;
  #zeroCount = 0;
  #count = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;
  #rejected = 0;
  #collapsed = false;

  /** @throws {@link HeadroomError} `invalid_argument` when an option is outside its bounds. */
  constructor(options: DDSketchOptions = {}) {
    this.relativeAccuracy = requireNumber(options.relativeAccuracy ?? 0.01, ['relativeAccuracy'], {
      min: 0,
      max: 1,
      minExclusive: true,
      maxExclusive: true,
    });
    this.maxBuckets = requireNumber(options.maxBuckets ?? 2048, ['maxBuckets'], {
      integer: true,
      min: 16,
    });
    this.minIndexableValue = requireNumber(
      options.minIndexableValue ?? 1e-9,
      ['minIndexableValue'],
      {
        min: 0,
        minExclusive: true,
      },
    );
    this.#gamma = (1 + this.relativeAccuracy) / (1 - this.relativeAccuracy);
    this.#lnGamma = Math.log(this.#gamma);
    this.#invLnGamma = 1 / this.#lnGamma;
  }

  /** Number of values recorded (sum of their counts). */
  get count(): number {
    return this.#count;
  }

  /** Sum of the values recorded (exact). */
  get sum(): number {
    return this.#sum;
  }

  /** Smallest value recorded (exact), or `undefined` when empty. */
  get min(): number | undefined {
    return this.#count === 0 ? undefined : this.#min;
  }

  /** Largest value recorded (exact), or `undefined` when empty. */
  get max(): number | undefined {
    return this.#count === 0 ? undefined : this.#max;
  }

  /** Number of `add` calls rejected for a negative, NaN or infinite value or count. */
  get rejectedCount(): number {
    return this.#rejected;
  }

  /**
   * True once the lowest buckets had to be merged to stay within `maxBuckets`; from then on the
   * error bound holds only for values at or above the lowest kept bucket.
   */
  get collapsed(): boolean {
    return this.#collapsed;
  }

  /**
   * Records `value` (`count` times). Returns false, and records nothing, when the value is
   * negative, NaN or infinite, or the count is not a positive finite number.
   */
  add(value: number, count = 1): boolean {
    if (!(
      value >= 0 &&
      value < Number.POSITIVE_INFINITY &&
      count > 0 &&
      count < Number.POSITIVE_INFINITY
    )) {
      this.#rejected++;
      return false;
    }
    if (value < this.minIndexableValue) this.#zeroCount += count;
    else this.#addKey(Math.ceil(Math.log(value) * this.#invLnGamma), count);
    this.#count += count;
    this.#sum += value * count;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
    return true;
  }

  /**
   * The value at quantile `q` (0 = min, 0.5 = median, 1 = max), within the relative-error bound,
   * or `undefined` when the sketch is empty.
   * @throws {@link HeadroomError} `invalid_argument` when `q` is not in [0, 1].
   */
  quantile(q: number): number | undefined {
    if (!(q >= 0 && q <= 1)) requireNumber(q, ['q'], { min: 0, max: 1 });
    if (this.#count === 0) return undefined;
    const rank = Math.floor(q * (this.#count - 1));
    // The extremes are tracked exactly.
    if (rank <= 0) return this.#min;
    if (rank >= this.#count - 1) return this.#max;
    if (rank < this.#zeroCount) return 0;
    let cumulative = this.#zeroCount;
    const counts = this.#counts;
    for (let key = this.#minKey; key <= this.#maxKey; key++) {
      cumulative += counts[key - this.#offset] as number;
      if (cumulative > rank) {
        const estimate = (2 * Math.exp(key * this.#lnGamma)) / (1 + this.#gamma);
        // The exact value lies in [min, max], so clamping can only bring the estimate closer.
        return Math.min(Math.max(estimate, this.#min), this.#max);
      }
    }
    return this.#max;
  }

  /**
   * Adds every value of `other` into this sketch (the union of the two multisets).
   * @throws {@link HeadroomError} `invalid_argument` when the sketches' accuracy or zero threshold differ.
   */
  merge(other: DDSketch): void {
    if (
      other.relativeAccuracy !== this.relativeAccuracy ||
      other.minIndexableValue !== this.minIndexableValue
    ) {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: 'can only merge sketches with the same relativeAccuracy and minIndexableValue',
        path: ['other'],
        value: {
          relativeAccuracy: other.relativeAccuracy,
          minIndexableValue: other.minIndexableValue,
        },
        limit: `relativeAccuracy ${this.relativeAccuracy}, minIndexableValue ${this.minIndexableValue}`,
      });
    }
    if (other.#count === 0) return;
    for (let key = other.#minKey; key <= other.#maxKey; key++) {
      const c = other.#counts[key - other.#offset] as number;
      if (c > 0) this.#addKey(key, c);
    }
    this.#zeroCount += other.#zeroCount;
    this.#count += other.#count;
    this.#sum += other.#sum;
    if (other.#min < this.#min) this.#min = other.#min;
    if (other.#max > this.#max) this.#max = other.#max;
    this.#collapsed ||= other.#collapsed;
  }

  /** Forgets every value (keeps the allocated buckets for reuse). */
  clear(): void {
    if (this.#minKey <= this.#maxKey)
      this.#counts.fill(0, this.#minKey - this.#offset, this.#maxKey - this.#offset + 1);
    this.#minKey = Number.POSITIVE_INFINITY;
    this.#maxKey = Number.NEGATIVE_INFINITY;
    this.#zeroCount = 0;
    this.#count = 0;
    this.#sum = 0;
    this.#min = Number.POSITIVE_INFINITY;
    this.#max = Number.NEGATIVE_INFINITY;
    this.#collapsed = false;
  }

  /** A plain-data form; {@link DDSketch.fromJSON} restores it exactly. */
  toJSON(): DDSketchJSON {
    const empty = this.#minKey > this.#maxKey;
    return {
      relativeAccuracy: this.relativeAccuracy,
      maxBuckets: this.maxBuckets,
      minIndexableValue: this.minIndexableValue,
      zeroCount: this.#zeroCount,
      firstKey: empty ? 0 : this.#minKey,
      counts: empty
        ? []
        : Array.from(
            this.#counts.subarray(this.#minKey - this.#offset, this.#maxKey - this.#offset + 1),
          ),
      count: this.#count,
      sum: this.#sum,
      min: this.#count === 0 ? null : this.#min,
      max: this.#count === 0 ? null : this.#max,
      collapsed: this.#collapsed,
    };
  }

  /**
   * Restores a sketch from {@link DDSketch.toJSON}.
   * @throws {@link HeadroomError} `invalid_argument` when the options in `json` are out of bounds.
   */
  static fromJSON(json: DDSketchJSON): DDSketch {
    const sketch = new DDSketch(json);
    requireNumber(json.firstKey, ['firstKey'], { integer: true });
    if (!Array.isArray(json.counts) || json.counts.length > sketch.maxBuckets) {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: 'counts must be an array of at most maxBuckets numbers',
        path: ['counts'],
        value: json.counts,
        limit: `length <= ${sketch.maxBuckets}`,
      });
    }
    const bucketTotal = json.counts.reduce((a, b) => a + b, 0) + json.zeroCount;
    if (json.count > 0) {
      requireNumber(json.min, ['min'], { min: 0 });
      requireNumber(json.max, ['max'], { min: json.min ?? 0 });
    }
    if (!(Math.abs(bucketTotal - json.count) <= 1e-9 * Math.max(1, json.count))) {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: 'count must equal zeroCount plus the bucket counts',
        path: ['count'],
        value: json.count,
        limit: `${bucketTotal}`,
      });
    }
    json.counts.forEach((c, i) => {
      requireNumber(c, ['counts', i], { min: 0 });
      if (c > 0) sketch.#addKey(json.firstKey + i, c);
    });
    sketch.#zeroCount = requireNumber(json.zeroCount, ['zeroCount'], { min: 0 });
    sketch.#count = requireNumber(json.count, ['count'], { min: 0 });
    sketch.#sum = requireNumber(json.sum, ['sum']);
    sketch.#min = json.min ?? Number.POSITIVE_INFINITY;
    sketch.#max = json.max ?? Number.NEGATIVE_INFINITY;
    sketch.#collapsed = json.collapsed;
    return sketch;
  }

  #addKey(rawKey: number, count: number): void {
    let key = rawKey;
    if (key < this.#minKey || key > this.#maxKey) key = this.#extend(key);
    this.#counts[key - this.#offset] = (this.#counts[key - this.#offset] as number) + count;
  }

  /** Makes room for `key`, collapsing the lowest buckets if the span would exceed maxBuckets. */
  #extend(key: number): number {
    const empty = this.#minKey > this.#maxKey;
    let lo = empty ? key : Math.min(this.#minKey, key);
    const hi = empty ? key : Math.max(this.#maxKey, key);
    let target = key;
    if (hi - lo + 1 > this.maxBuckets) {
      lo = hi - this.maxBuckets + 1;
      this.#collapsed = true;
      if (target < lo) target = lo;
    }
    const fits = lo >= this.#offset && hi < this.#offset + this.#counts.length;
    if (!fits) {
      const span = hi - lo + 1;
      const capacity = Math.min(
        this.maxBuckets,
        Math.max(64, 2 ** Math.ceil(Math.log2(span * 1.5))),
      );
      const next = new Float64Array(capacity);
      const offset = lo - Math.floor((capacity - span) / 2);
      if (!empty) {
        for (let k = this.#minKey; k <= this.#maxKey; k++) {
          const c = this.#counts[k - this.#offset] as number;
          if (c > 0) {
            const dest = Math.max(k, lo);
            next[dest - offset] = (next[dest - offset] as number) + c;
          }
        }
      }
      this.#counts = next;
      this.#offset = offset;
    } else if (!empty && lo > this.#minKey) {
      // Collapse in place: fold every bucket below `lo` into `lo`.
      let folded = 0;
      for (let k = this.#minKey; k < lo; k++) {
        folded += this.#counts[k - this.#offset] as number;
        this.#counts[k - this.#offset] = 0;
      }
      this.#counts[lo - this.#offset] = (this.#counts[lo - this.#offset] as number) + folded;
    }
    this.#minKey = lo;
    this.#maxKey = hi;
    return target;
  }
}
