import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DDSketch } from '@headroom/core';

/** Exact quantile with the rank rule the sketch documents: sorted[floor(q × (n − 1))]. */
function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))] as number;
}

// Latency-like values spanning nine orders of magnitude, plus exact zeros.
const value = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 1e-3, max: 1e6, noNaN: true }) },
  { weight: 1, arbitrary: fc.constant(0) },
);
const quantile = fc.oneof(
  fc.constantFrom(0, 0.5, 0.9, 0.95, 0.99, 0.999, 1),
  fc.double({ min: 0, max: 1, noNaN: true }),
);
const accuracy = fc.constantFrom(0.001, 0.005, 0.01, 0.02, 0.05);

describe('DDSketch properties', () => {
  it('every quantile is within the relative accuracy of the exact sorted quantile', () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 2000 }),
        fc.array(quantile, { minLength: 1, maxLength: 8 }),
        accuracy,
        (values, qs, alpha) => {
          // Enough buckets that nothing collapses (the collapsing case has its own property below).
          const sketch = new DDSketch({ relativeAccuracy: alpha, maxBuckets: 20_000 });
          for (const v of values) sketch.add(v);
          expect(sketch.collapsed).toBe(false);
          const sorted = [...values].sort((a, b) => a - b);
          for (const q of qs) {
            const exact = exactQuantile(sorted, q);
            const estimate = sketch.quantile(q) as number;
            expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(
              alpha * exact * (1 + 1e-12) + 1e-300,
            );
          }
          expect(sketch.count).toBe(values.length);
          expect(sketch.min).toBe(sorted[0]);
          expect(sketch.max).toBe(sorted[sorted.length - 1]);
        },
      ),
    );
  });

  it('merging two sketches equals one sketch of all the values', () => {
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 500 }),
        fc.array(value, { maxLength: 500 }),
        quantile,
        (left, right, q) => {
          const a = new DDSketch();
          const b = new DDSketch();
          const all = new DDSketch();
          for (const v of left) {
            a.add(v);
            all.add(v);
          }
          for (const v of right) {
            b.add(v);
            all.add(v);
          }
          a.merge(b);
          expect(a.count).toBe(all.count);
          expect(a.quantile(q)).toBe(all.quantile(q));
        },
      ),
    );
  });

  it('round-trips through JSON exactly', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 300 }), quantile, (values, q) => {
        const sketch = new DDSketch();
        for (const v of values) sketch.add(v);
        const copy = DDSketch.fromJSON(JSON.parse(JSON.stringify(sketch)));
        expect(copy.quantile(q)).toBe(sketch.quantile(q));
        expect(copy.count).toBe(sketch.count);
      }),
    );
  });

  it('never records NaN, Infinity or negative values, and stays usable', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            value,
            fc.constantFrom(
              Number.NaN,
              Number.POSITIVE_INFINITY,
              Number.NEGATIVE_INFINITY,
              -1,
              -1e-9,
            ),
          ),
          { maxLength: 300 },
        ),
        (values) => {
          const sketch = new DDSketch();
          let accepted = 0;
          for (const v of values) if (sketch.add(v)) accepted++;
          const valid = values.filter((v) => v >= 0 && Number.isFinite(v));
          expect(accepted).toBe(valid.length);
          expect(sketch.rejectedCount).toBe(values.length - valid.length);
          const p99 = sketch.quantile(0.99);
          if (valid.length === 0) expect(p99).toBeUndefined();
          else expect(Number.isFinite(p99)).toBe(true);
        },
      ),
    );
  });

  it('keeps memory bounded: after collapsing, every quantile at or above the lowest kept bucket keeps the bound', () => {
    const alpha = 0.01;
    const lnGamma = Math.log((1 + alpha) / (1 - alpha));
    const key = (v: number) => Math.ceil(Math.log(v) / lnGamma);
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-6, max: 1e12, noNaN: true }), {
          minLength: 10,
          maxLength: 500,
        }),
        quantile,
        (values, q) => {
          const sketch = new DDSketch({ relativeAccuracy: alpha, maxBuckets: 64 });
          for (const v of values) sketch.add(v);
          expect(sketch.toJSON().counts.length).toBeLessThanOrEqual(64);
          const sorted = [...values].sort((a, b) => a - b);
          const lowestKept = key(sorted[sorted.length - 1] as number) - 63;
          const exact = exactQuantile(sorted, q);
          if (key(exact) >= lowestKept) {
            expect(Math.abs((sketch.quantile(q) as number) - exact)).toBeLessThanOrEqual(
              alpha * exact * (1 + 1e-9),
            );
          }
          // p99 of latency-like data (within a factor of ~3.5 of the max) always keeps the bound.
          const p99 = exactQuantile(sorted, 0.99);
          if (p99 * 3.5 >= (sorted[sorted.length - 1] as number)) {
            expect(Math.abs((sketch.quantile(0.99) as number) - p99)).toBeLessThanOrEqual(
              alpha * p99 * (1 + 1e-9),
            );
          }
        },
      ),
    );
  });

  it('refuses inconsistent JSON instead of answering NaN', () => {
    const good = new DDSketch();
    good.add(5);
    good.add(7);
    const json = good.toJSON();
    expect(() => DDSketch.fromJSON({ ...json, min: Number.NaN })).toThrow(
      /invalid_argument at min/,
    );
    expect(() => DDSketch.fromJSON({ ...json, count: 5 })).toThrow(/invalid_argument at count/);
    expect(() => DDSketch.fromJSON({ ...json, firstKey: 1.5 })).toThrow(
      /invalid_argument at firstKey/,
    );
  });
});
