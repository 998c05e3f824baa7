import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SLOW_START_MIN_ELAPSED_MS, slowStartFactor, slowStartShareCap } from './index.js';

const RUNS = { numRuns: 1000 };
const READY = 1_700_000_000_000;

const configArb = fc.record({
  windowMs: fc.integer({ min: 1, max: 600_000 }),
  aggression: fc.double({ min: 0.05, max: 20, noNaN: true }),
  minWeightPercent: fc.double({ min: 0, max: 100, noNaN: true }),
});

describe('slowStartFactor properties', () => {
  it('stays within [min, (max(elapsed, 1 s) / window)^(1/aggression)] during the window and is 1 after it', () => {
    fc.assert(
      fc.property(configArb, fc.integer({ min: -100_000, max: 1_000_000 }), (c, elapsed) => {
        const f = slowStartFactor(c, READY, READY + elapsed);
        const min = c.minWeightPercent / 100;
        expect(Number.isFinite(f)).toBe(true);
        expect(f).toBeLessThanOrEqual(1);
        expect(f).toBeGreaterThanOrEqual(min - 1e-12);
        if (elapsed >= c.windowMs) {
          expect(f).toBe(1);
        } else {
          const timeFactor = Math.min(
            1,
            Math.max(elapsed, SLOW_START_MIN_ELAPSED_MS, 0) / c.windowMs,
          );
          const ramp = timeFactor ** (1 / c.aggression);
          expect(f).toBeLessThanOrEqual(Math.max(min, ramp) + 1e-12);
          expect(f).toBeGreaterThanOrEqual(Math.max(min, ramp) - 1e-12);
        }
      }),
      RUNS,
    );
  });

  it('is monotone non-decreasing in time', () => {
    fc.assert(
      fc.property(
        configArb,
        fc.integer({ min: -10_000, max: 700_000 }),
        fc.integer({ min: 0, max: 700_000 }),
        (c, a, gap) => {
          expect(slowStartFactor(c, READY, READY + a + gap)).toBeGreaterThanOrEqual(
            slowStartFactor(c, READY, READY + a),
          );
        },
      ),
      RUNS,
    );
  });

  it('caps a new endpoint’s share during its window below its full-weight share', () => {
    fc.assert(
      fc.property(
        configArb,
        fc.integer({ min: 0, max: 700_000 }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 1_000, noNaN: true }),
        (c, elapsed, weight, others) => {
          const share = slowStartShareCap(c, READY, READY + elapsed, weight, others);
          const full = weight / (weight + others);
          expect(share).toBeGreaterThanOrEqual(0);
          expect(share).toBeLessThanOrEqual(full + 1e-12);
          if (elapsed >= c.windowMs) expect(share).toBeCloseTo(full, 12);
        },
      ),
      RUNS,
    );
  });
});
