import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '@headroom/core/testing';
import { DEFAULT_RETRY, backoffDelayMs, resolveRetryOptions } from './index.js';

describe('retry backoff', () => {
  it('doubles from 1 s up to 60 s, each delay within ±20 % of its base and never above maxMs', () => {
    const retry = resolveRetryOptions();
    const random = createRandom(11);
    const bases = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000];
    bases.forEach((base, i) => {
      const delay = backoffDelayMs(i + 1, retry, random);
      expect(delay).toBeGreaterThanOrEqual(base * 0.8);
      expect(delay).toBeLessThanOrEqual(Math.min(60_000, base * 1.2));
    });
  });

  it('is exact without jitter and follows the seed with it', () => {
    const exact = resolveRetryOptions({
      jitterRatio: 0,
      initialMs: 250,
      multiplier: 3,
      maxMs: 5_000,
    });
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, exact, createRandom(1)))).toEqual([
      250, 750, 2_250, 5_000,
    ]);
    const draw = (seed: number) => backoffDelayMs(2, DEFAULT_RETRY, createRandom(seed));
    expect(draw(5)).toBe(draw(5));
  });

  it('stays within [base × (1 − j), min(maxMs, base × (1 + j))] for any options (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 40 }),
        fc.nat(),
        (initialMs, multiplier, jitterRatio, attempt, seed) => {
          const retry = resolveRetryOptions({ initialMs, multiplier, jitterRatio, maxMs: 120_000 });
          const base = Math.min(120_000, initialMs * multiplier ** (attempt - 1));
          const delay = backoffDelayMs(attempt, retry, createRandom(seed));
          expect(delay).toBeGreaterThanOrEqual(base * (1 - jitterRatio) - 1e-9);
          expect(delay).toBeLessThanOrEqual(Math.min(120_000, base * (1 + jitterRatio)) + 1e-9);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects bad options with invalid_config naming the field', () => {
    expect(() => resolveRetryOptions({ initialMs: 0 })).toThrow(
      expect.objectContaining({ code: 'invalid_config', path: ['retry', 'initialMs'] }),
    );
    expect(() => resolveRetryOptions({ initialMs: 5_000, maxMs: 1_000 })).toThrow(
      expect.objectContaining({ code: 'invalid_config', path: ['retry', 'maxMs'] }),
    );
    expect(() => resolveRetryOptions({ multiplier: 0.5 })).toThrow(
      expect.objectContaining({ path: ['retry', 'multiplier'] }),
    );
    expect(() => resolveRetryOptions({ maxAttempts: 1.5 })).toThrow(
      expect.objectContaining({ path: ['retry', 'maxAttempts'] }),
    );
  });
});
