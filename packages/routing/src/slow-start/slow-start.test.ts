import { describe, expect, it } from 'vitest';
import { isHeadroomError } from '@headroom/core';
import {
  parseSlowStartConfig,
  slowStartEndsAtMs,
  slowStartFactor,
  slowStartShareCap,
} from './index.js';

const READY = 1_700_000_000_000;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isHeadroomError(error) ? `${error.code} ${error.path.join('.')}` : 'not a HeadroomError';
  }
  return undefined;
}

describe('slowStartFactor', () => {
  it('ramps linearly with aggression 1 and is 1 from the end of the window', () => {
    const c = { windowMs: 60_000 };
    expect(slowStartFactor(c, READY, READY + 30_000)).toBe(0.5);
    expect(slowStartFactor(c, READY, READY + 45_000)).toBe(0.75);
    expect(slowStartFactor(c, READY, READY + 59_999)).toBeCloseTo(59_999 / 60_000, 12);
    expect(slowStartFactor(c, READY, READY + 60_000)).toBe(1);
    expect(slowStartFactor(c, READY, READY + 1e9)).toBe(1);
  });

  it('applies the minimum weight percent and Envoy’s one-second floor', () => {
    expect(slowStartFactor({ windowMs: 60_000 }, READY, READY)).toBe(0.1);
    expect(slowStartFactor({ windowMs: 60_000, minWeightPercent: 0 }, READY, READY)).toBeCloseTo(
      1 / 60,
      12,
    );
    expect(slowStartFactor({ windowMs: 500, minWeightPercent: 0 }, READY, READY)).toBe(1);
  });

  it('raises the time factor to 1 / aggression', () => {
    expect(slowStartFactor({ windowMs: 60_000, aggression: 2 }, READY, READY + 15_000)).toBe(0.5);
    expect(
      slowStartFactor(
        { windowMs: 60_000, aggression: 0.5, minWeightPercent: 0 },
        READY,
        READY + 30_000,
      ),
    ).toBeCloseTo(0.25, 12);
  });

  it('is off with a zero window', () => {
    expect(slowStartFactor({ windowMs: 0 }, READY, READY)).toBe(1);
  });

  it('follows one documented rule for odd times', () => {
    const c = { windowMs: 60_000 };
    expect(slowStartFactor(c, READY, READY - 5_000)).toBe(0.1); // ready in the future
    expect(slowStartFactor(c, Number.NaN, READY)).toBe(0.1);
    expect(slowStartFactor(c, READY, Number.NaN)).toBe(0.1);
    expect(slowStartFactor(c, Number.NEGATIVE_INFINITY, READY)).toBe(1);
    expect(slowStartFactor(c, Number.POSITIVE_INFINITY, READY)).toBe(0.1);
  });

  it('validates the configuration, naming the field', () => {
    expect(codeOf(() => slowStartFactor({ windowMs: -1 }, READY, READY))).toBe(
      'invalid_config windowMs',
    );
    expect(codeOf(() => slowStartFactor({ aggression: 0 }, READY, READY))).toBe(
      'invalid_config aggression',
    );
    expect(codeOf(() => parseSlowStartConfig({ minWeightPercent: 101 }))).toBe(
      'invalid_config minWeightPercent',
    );
    expect(parseSlowStartConfig()).toEqual({
      windowMs: 60_000,
      aggression: 1,
      minWeightPercent: 10,
    });
  });

  it('accepts a parsed configuration', () => {
    const c = parseSlowStartConfig({ windowMs: 10_000 });
    expect(slowStartFactor(c, READY, READY + 5_000)).toBe(0.5);
    expect(slowStartEndsAtMs(c, READY)).toBe(READY + 10_000);
  });
});

describe('slowStartShareCap', () => {
  it('is the slowed weight over the total', () => {
    const c = { windowMs: 60_000 };
    expect(slowStartShareCap(c, READY, READY + 6_000, 1, 3)).toBeCloseTo(0.1 / 3.1, 12);
    expect(slowStartShareCap(c, READY, READY + 60_000, 1, 3)).toBe(0.25);
    expect(slowStartShareCap(c, READY, READY, 0, 0)).toBe(0);
    expect(slowStartShareCap(c, READY, READY, Number.NaN, 3)).toBe(0);
    expect(slowStartShareCap(c, READY, READY, 2, -1)).toBe(1);
  });
});
