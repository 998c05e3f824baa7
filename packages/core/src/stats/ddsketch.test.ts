import { describe, expect, it } from 'vitest';
import { DDSketch, isHeadroomError } from '@headroom/core';

describe('DDSketch', () => {
  it('reports p50/p99 of a known distribution within 1%', () => {
    const sketch = new DDSketch({ relativeAccuracy: 0.01 });
    for (let ms = 1; ms <= 10_000; ms++) sketch.add(ms);
    expect(sketch.quantile(0.5)).toBeCloseTo(5000, -2);
    expect(Math.abs((sketch.quantile(0.99) as number) - 9900) / 9900).toBeLessThanOrEqual(0.01);
    expect(sketch.quantile(0)).toBe(1);
    expect(sketch.quantile(1)).toBe(10_000);
    expect(sketch.sum).toBe(50_005_000);
  });

  it('is empty until a value arrives, and after clear()', () => {
    const sketch = new DDSketch();
    expect(sketch.quantile(0.5)).toBeUndefined();
    sketch.add(3);
    expect(sketch.quantile(0.5)).toBeCloseTo(3, 1);
    sketch.clear();
    expect(sketch.quantile(0.5)).toBeUndefined();
    expect(sketch.count).toBe(0);
  });

  it('reports values below minIndexableValue as 0', () => {
    const sketch = new DDSketch({ minIndexableValue: 1e-3 });
    sketch.add(1e-4, 3);
    sketch.add(5);
    expect(sketch.quantile(0.5)).toBe(0);
    expect(sketch.quantile(0)).toBe(1e-4); // the exact minimum is tracked
  });

  it('rejects bad options and quantiles with typed errors', () => {
    for (const make of [
      () => new DDSketch({ relativeAccuracy: 0 }),
      () => new DDSketch({ relativeAccuracy: 1 }),
      () => new DDSketch({ maxBuckets: 8 }),
      () => new DDSketch().quantile(1.5),
      () => new DDSketch().merge(new DDSketch({ relativeAccuracy: 0.02 })),
    ]) {
      expect(make).toThrow();
      try {
        make();
      } catch (error) {
        expect(isHeadroomError(error, 'invalid_argument')).toBe(true);
      }
    }
  });
});
