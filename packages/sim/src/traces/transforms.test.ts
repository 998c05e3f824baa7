import { createRandom, isHeadroomError } from '@headroom/core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  assignModels,
  parseAzureTrace,
  scaleRate,
  scaleTime,
  sliceTrace,
  traceStats,
  validateTrace,
  type Trace,
} from './index.js';

const conv = parseAzureTrace(
  readFileSync(
    new URL('../../../../../shared/data/traces/AzureLLMInferenceTrace_conv.csv', import.meta.url),
    'utf8',
  ),
  { file: 'AzureLLMInferenceTrace_conv.csv' },
);

const tiny: Trace = {
  name: 'tiny',
  source: 'test',
  startEpochMs: 1_000_000,
  durationMs: 10_000,
  requests: [
    { arrivalMs: 0, promptTokens: 1, outputTokens: 1 },
    { arrivalMs: 2000, promptTokens: 2, outputTokens: 2, model: 'a' },
    { arrivalMs: 2000, promptTokens: 3, outputTokens: 3 },
    { arrivalMs: 7000, promptTokens: 4, outputTokens: 4, prefixHashes: [1, 2] },
  ],
};

describe('scaleTime', () => {
  it('compresses the Azure trace 10x: same requests, a tenth of the time, 10x the rate', () => {
    const fast = scaleTime(conv, 0.1);
    expect(fast.requests).toHaveLength(conv.requests.length);
    expect(fast.durationMs).toBeCloseTo(conv.durationMs / 10, 6);
    expect(traceStats(fast).meanRatePerSec).toBeCloseTo(traceStats(conv).meanRatePerSec * 10, 6);
    expect(fast.transforms).toEqual(['scaleTime(0.1)']);
    expect(fast.startEpochMs).toBe(conv.startEpochMs);
    expect(() => validateTrace(fast)).not.toThrow();
  });

  it('rejects a factor that is not finite and > 0', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => scaleTime(tiny, bad)).toThrow(/invalid_argument at factor/);
    }
  });
});

describe('scaleRate', () => {
  // Count = Binomial(n, p) (+ n * whole copies): within 5 standard deviations (+1) of f * n.
  it.each([0.1, 0.5, 0.9, 1.5, 2, 2.7])(
    'scales the Azure conversation trace by %s within the binomial tolerance (seed 42)',
    (factor) => {
      const n = conv.requests.length;
      const scaled = scaleRate(conv, factor, createRandom(42));
      const p = factor < 1 ? factor : factor - Math.floor(factor);
      expect(Math.abs(scaled.requests.length - factor * n)).toBeLessThanOrEqual(
        5 * Math.sqrt(n * p * (1 - p)) + 1,
      );
      expect(scaled.durationMs).toBe(conv.durationMs);
      expect(() => validateTrace(scaled)).not.toThrow();
    },
  );

  it('keeps every field of a copy, jitters it within jitterMs, and is the identity at 1', () => {
    const doubled = scaleRate(tiny, 2, createRandom(1), { jitterMs: 100 });
    expect(doubled.requests).toHaveLength(8);
    for (const original of tiny.requests) {
      const copies = doubled.requests.filter((r) => r.promptTokens === original.promptTokens);
      expect(copies).toHaveLength(2);
      for (const copy of copies) {
        expect({ ...copy, arrivalMs: 0 }).toEqual({ ...original, arrivalMs: 0 });
        expect(Math.abs(copy.arrivalMs - original.arrivalMs)).toBeLessThanOrEqual(50);
      }
    }
    expect(scaleRate(tiny, 1, createRandom(1)).requests).toEqual(tiny.requests);
    expect(scaleRate(tiny, 0, createRandom(1)).requests).toEqual([]);
  });

  it('rejects a factor or jitter out of range', () => {
    expect(() => scaleRate(tiny, -0.5, createRandom(1))).toThrow(/invalid_argument at factor/);
    expect(() => scaleRate(tiny, 2, createRandom(1), { jitterMs: -1 })).toThrow(
      /options\.jitterMs/,
    );
  });
});

describe('sliceTrace', () => {
  it('keeps [fromMs, toMs) and rebases to 0 by default', () => {
    const slice = sliceTrace(tiny, 2000, 7000);
    expect(slice.requests.map((r) => r.arrivalMs)).toEqual([0, 0]);
    expect(slice.durationMs).toBe(5000);
    expect(slice.startEpochMs).toBe(1_002_000);
    const kept = sliceTrace(tiny, 2000, Number.POSITIVE_INFINITY, { rebase: false });
    expect(kept.requests.map((r) => r.arrivalMs)).toEqual([2000, 2000, 7000]);
    expect(kept.durationMs).toBe(10_000);
    expect(kept.startEpochMs).toBe(1_000_000);
    expect(sliceTrace(tiny, 20_000, 30_000).durationMs).toBe(0);
  });

  it('takes the first ten minutes of the Azure trace', () => {
    const slice = sliceTrace(conv, 0, 600_000);
    expect(slice.durationMs).toBe(600_000);
    expect(slice.requests.length).toBe(conv.requests.filter((r) => r.arrivalMs < 600_000).length);
  });

  it('rejects reversed or non-finite bounds', () => {
    expect(() => sliceTrace(tiny, 5, 5)).toThrow(/invalid_argument at toMs/);
    expect(() => sliceTrace(tiny, -1, 5)).toThrow(/invalid_argument at fromMs/);
    expect(() => sliceTrace(tiny, Number.NaN, 5)).toThrow(/fromMs/);
  });
});

describe('assignModels', () => {
  it('draws models with Zipf popularity', () => {
    const models = ['big', 'medium', 'small', 'tiny'];
    const assigned = assignModels(conv, models, { zipfS: 1 }, createRandom(3));
    const counts = models.map((m) => assigned.requests.filter((r) => r.model === m).length);
    // Weights 1, 1/2, 1/3, 1/4 (sum 25/12): shares 0.48, 0.24, 0.16, 0.12.
    const n = conv.requests.length;
    [0.48, 0.24, 0.16, 0.12].forEach((share, i) => {
      expect(Math.abs(counts[i]! / n - share)).toBeLessThan(0.02);
    });
    const uniform = assignModels(conv, models, { zipfS: 0 }, createRandom(3));
    for (const m of models) {
      expect(
        Math.abs(uniform.requests.filter((r) => r.model === m).length / n - 0.25),
      ).toBeLessThan(0.02);
    }
  });

  it('rejects an empty list, an empty name or a bad exponent', () => {
    const check = (fn: () => unknown, path: string): void => {
      try {
        fn();
        expect.unreachable();
      } catch (error) {
        expect(isHeadroomError(error, 'invalid_argument')).toBe(true);
        expect((error as Error).message).toContain(path);
      }
    };
    check(() => assignModels(tiny, [], {}, createRandom(1)), 'models');
    check(() => assignModels(tiny, ['a', ''], {}, createRandom(1)), 'models[1]');
    check(() => assignModels(tiny, ['a'], { zipfS: Number.NaN }, createRandom(1)), 'options.zipfS');
  });
});

describe('traceStats and validateTrace', () => {
  it('summarises a small trace', () => {
    const stats = traceStats(tiny);
    expect(stats).toMatchObject({
      requests: 4,
      durationMs: 10_000,
      meanRatePerSec: 0.4,
      peakRatePerSec: 2,
      peakWindowStartMs: 2000,
      emptyWindowFraction: 0.7,
    });
    expect(stats.promptTokens).toEqual({ mean: 2.5, p50: 2, p99: 4, max: 4, total: 10 });
    expect(traceStats(tiny, { windowMs: 5000 }).peakRatePerSec).toBe(0.6);
    expect(traceStats({ ...tiny, durationMs: 0, requests: [] }).meanRatePerSec).toBe(0);
  });

  it('names the first bad field', () => {
    const bad = {
      ...tiny,
      requests: [...tiny.requests, { arrivalMs: 8000, promptTokens: 1, outputTokens: 0 }],
    };
    expect(() => validateTrace(bad)).toThrow(/invalid_input at requests\[4\]\.outputTokens/);
    const unsorted = { ...tiny, requests: [...tiny.requests].reverse() };
    expect(() => validateTrace(unsorted)).toThrow(/requests\[1\]\.arrivalMs/);
  });
});
