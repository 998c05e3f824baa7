import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimeDecayedEwma } from '@headroom/core';

/** A piecewise-constant signal: each segment holds `value` for `durationMs`. */
const segments = fc.array(
  fc.record({
    value: fc.double({ min: -1e3, max: 1e3, noNaN: true }),
    durationMs: fc.integer({ min: 1, max: 120_000 }),
  }),
  {
    minLength: 1,
    maxLength: 40,
  },
);
const halfLifeMs = fc.integer({ min: 100, max: 600_000 });

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

describe('TimeDecayedEwma properties (irregular sampling)', () => {
  it('gives the same average whether a constant stretch is sampled once or at many irregular points', () => {
    fc.assert(
      fc.property(
        segments,
        halfLifeMs,
        fc.array(fc.double({ min: 0.01, max: 0.99, noNaN: true }), { maxLength: 5 }),
        (segs, half, cuts) => {
          const coarse = new TimeDecayedEwma({ halfLifeMs: half });
          const fine = new TimeDecayedEwma({ halfLifeMs: half });
          let t = 0;
          coarse.update(0, t);
          fine.update(0, t);
          for (const seg of segs) {
            // The fine sampler also reports the same value at irregular points inside the segment.
            for (const c of [...cuts].sort((a, b) => a - b))
              fine.update(seg.value, t + c * seg.durationMs);
            t += seg.durationMs;
            coarse.update(seg.value, t);
            fine.update(seg.value, t);
          }
          expect(close(coarse.value as number, fine.value as number)).toBe(true);
        },
      ),
    );
  });

  it('stays between the smallest and largest sample', () => {
    fc.assert(
      fc.property(segments, halfLifeMs, (segs, half) => {
        const ewma = new TimeDecayedEwma({ halfLifeMs: half });
        let t = 0;
        for (const seg of segs) {
          ewma.update(seg.value, t);
          t += seg.durationMs;
        }
        const values = segs.map((s) => s.value);
        expect(ewma.value as number).toBeGreaterThanOrEqual(Math.min(...values) - 1e-9);
        expect(ewma.value as number).toBeLessThanOrEqual(Math.max(...values) + 1e-9);
      }),
    );
  });

  it('weights a new value by 1 − 2^(−Δt/halfLife), whatever the interval', () => {
    fc.assert(
      fc.property(
        halfLifeMs,
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.double({ min: -10, max: 10, noNaN: true }),
        (half, dt, x) => {
          const ewma = new TimeDecayedEwma({ halfLifeMs: half });
          ewma.update(0, 1_000);
          ewma.update(x, 1_000 + dt);
          const expected = x * (1 - 2 ** (-dt / half));
          expect(Math.abs((ewma.value as number) - expected)).toBeLessThanOrEqual(
            1e-9 * Math.max(1, Math.abs(x)),
          );
        },
      ),
    );
  });

  it('ignores out-of-order and non-finite samples and keeps its value', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
        (x, bad) => {
          const ewma = new TimeDecayedEwma({ halfLifeMs: 1_000 });
          ewma.update(x, 10_000);
          expect(ewma.update(bad, 11_000)).toBe(false);
          expect(ewma.update(x + 1, bad)).toBe(false);
          expect(ewma.update(x + 1, 9_000)).toBe(false);
          expect(ewma.value).toBe(x);
          expect(ewma.rejectedCount).toBe(3);
        },
      ),
    );
  });
});

describe('TimeDecayedEwma', () => {
  it('halves the distance to a new level after one half-life', () => {
    const ewma = new TimeDecayedEwma({ halfLifeMs: 30_000 });
    expect(ewma.value).toBeUndefined();
    expect(ewma.ageMs(0)).toBe(Number.POSITIVE_INFINITY);
    ewma.update(0.2, 0);
    ewma.update(0.8, 30_000);
    expect(ewma.value).toBeCloseTo(0.5, 12);
    expect(ewma.ageMs(45_000)).toBe(15_000);
    expect(TimeDecayedEwma.fromJSON(JSON.parse(JSON.stringify(ewma))).value).toBe(ewma.value);
  });

  it('rejects a non-positive half-life', () => {
    expect(() => new TimeDecayedEwma({ halfLifeMs: 0 })).toThrow(/invalid_argument at halfLifeMs/);
  });
});
