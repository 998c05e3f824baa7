import { createRandom, isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OUTPUT_TOKENS,
  DEFAULT_PROMPT_TOKENS,
  burstTrace,
  createTokenSampler,
  diurnalTrace,
  parseTokenLengths,
  poissonTrace,
  rampTrace,
  tokenLengthsFromTrace,
  traceFromShape,
  traceStats,
  validateTrace,
  type Trace,
} from './index.js';

/** Requests arriving in [fromMs, toMs). */
function countIn(trace: Trace, fromMs: number, toMs: number): number {
  return trace.requests.filter((r) => r.arrivalMs >= fromMs && r.arrivalMs < toMs).length;
}

/** A Poisson count with this mean lies within 5 standard deviations (+1) of it. */
function expectPoissonCount(count: number, mean: number): void {
  expect(Math.abs(count - mean)).toBeLessThanOrEqual(5 * Math.sqrt(mean) + 1);
}

describe('poissonTrace', () => {
  it('draws about rate x duration requests, sorted, inside the duration', () => {
    const trace = poissonTrace({ ratePerSec: 50, durationMs: 600_000 }, createRandom(1));
    expect(trace.name).toBe('poisson');
    expect(trace.source).toBe('poisson(ratePerSec=50, durationMs=600000)');
    expect(trace.durationMs).toBe(600_000);
    expectPoissonCount(trace.requests.length, 30_000);
    expect(() => validateTrace(trace)).not.toThrow();
    expect(trace.requests.at(-1)!.arrivalMs).toBeLessThan(600_000);
  });

  it('has exponential gaps: the coefficient of variation of the gaps is about 1', () => {
    const trace = poissonTrace({ ratePerSec: 20, durationMs: 1_000_000 }, createRandom(2));
    const gaps = trace.requests.slice(1).map((r, i) => r.arrivalMs - trace.requests[i]!.arrivalMs);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
    expect(mean).toBeCloseTo(50, -1);
    expect(sd / mean).toBeGreaterThan(0.95);
    expect(sd / mean).toBeLessThan(1.05);
  });

  it('is deterministic per seed and different across seeds', () => {
    const options = { ratePerSec: 5, durationMs: 60_000 };
    expect(poissonTrace(options, createRandom(9))).toEqual(poissonTrace(options, createRandom(9)));
    expect(poissonTrace(options, createRandom(9))).not.toEqual(
      poissonTrace(options, createRandom(10)),
    );
  });

  it('draws default token lengths roughly like the Azure conversation trace', () => {
    const trace = poissonTrace({ ratePerSec: 100, durationMs: 600_000 }, createRandom(3));
    const stats = traceStats(trace);
    // Azure conv: prompt median 1,020 and mean 1,155; output median 129 and mean 211.
    expect(stats.promptTokens.p50).toBeGreaterThan(950);
    expect(stats.promptTokens.p50).toBeLessThan(1090);
    expect(stats.promptTokens.mean).toBeGreaterThan(1155 * 0.85);
    expect(stats.promptTokens.mean).toBeLessThan(1155 * 1.15);
    expect(stats.outputTokens.p50).toBeGreaterThan(120);
    expect(stats.outputTokens.p50).toBeLessThan(138);
    expect(stats.outputTokens.mean).toBeGreaterThan(211 * 0.8);
    expect(stats.outputTokens.mean).toBeLessThan(211 * 1.2);
    expect(stats.promptTokens.max).toBeLessThanOrEqual(DEFAULT_PROMPT_TOKENS.max);
    expect(stats.outputTokens.max).toBeLessThanOrEqual(DEFAULT_OUTPUT_TOKENS.max);
  });

  it('takes fixed, uniform and empirical token distributions; output is at least 1', () => {
    const trace = poissonTrace(
      {
        ratePerSec: 10,
        durationMs: 60_000,
        tokens: {
          prompt: { kind: 'uniform', min: 5, max: 7 },
          output: { kind: 'fixed', tokens: 0 },
        },
      },
      createRandom(4),
    );
    expect(new Set(trace.requests.map((r) => r.promptTokens))).toEqual(new Set([5, 6, 7]));
    expect(trace.requests.every((r) => r.outputTokens === 1)).toBe(true);
    const resampled = poissonTrace(
      { ratePerSec: 10, durationMs: 60_000, tokens: tokenLengthsFromTrace(trace) },
      createRandom(4),
    );
    expect(resampled.requests.every((r) => r.promptTokens >= 5 && r.promptTokens <= 7)).toBe(true);
  });

  it('rejects bad options with invalid_config naming the field', () => {
    expect(() => poissonTrace({ ratePerSec: -1, durationMs: 1000 }, createRandom(1))).toThrow(
      /invalid_config at poissonTrace\.ratePerSec/,
    );
    expect(() => poissonTrace({ ratePerSec: 1, durationMs: Number.NaN }, createRandom(1))).toThrow(
      /poissonTrace\.durationMs/,
    );
    expect(() =>
      poissonTrace(
        {
          ratePerSec: 1,
          durationMs: 1000,
          tokens: { prompt: { kind: 'uniform', min: 9, max: 2 } },
        },
        createRandom(1),
      ),
    ).toThrow(/poissonTrace\.tokens\.prompt\.max/);
    try {
      poissonTrace({ ratePerSec: 1_000_000, durationMs: 86_400_000 }, createRandom(1));
      expect.unreachable();
    } catch (error) {
      expect(isHeadroomError(error, 'invalid_config')).toBe(true);
      expect((error as Error).message).toContain('maxRequests');
    }
  });
});

describe('diurnalTrace', () => {
  it('peaks at peakAtMs and troughs half a period later, with the configured amplitude', () => {
    const periodMs = 600_000; // a "day" of 10 minutes
    const trace = diurnalTrace(
      { meanRatePerSec: 50, amplitude: 0.8, periodMs, durationMs: 4 * periodMs },
      createRandom(5),
    );
    expectPoissonCount(trace.requests.length, 50 * 4 * 600);
    // Default peak: mid-period. Around the peak the rate is ~1.8x the mean, around the trough ~0.2x.
    let peak = 0;
    let trough = 0;
    for (let day = 0; day < 4; day++) {
      peak += countIn(trace, day * periodMs + 270_000, day * periodMs + 330_000);
      trough += countIn(trace, day * periodMs, day * periodMs + 30_000);
      trough += countIn(trace, day * periodMs + 570_000, (day + 1) * periodMs);
    }
    expect(peak / (4 * 60 * 50)).toBeGreaterThan(1.65);
    expect(trough / (4 * 60 * 50)).toBeLessThan(0.35);
    expect(() => validateTrace(trace)).not.toThrow();
  });

  it('keeps the weekly mean while weekends run weeklyAmplitude below weekdays', () => {
    const periodMs = 60_000;
    const trace = diurnalTrace(
      {
        meanRatePerSec: 40,
        amplitude: 0,
        periodMs,
        weeklyAmplitude: 0.5,
        durationMs: 14 * periodMs,
      },
      createRandom(6),
    );
    expectPoissonCount(trace.requests.length, 40 * 14 * 60);
    const weekday = countIn(trace, 0, 5 * periodMs) + countIn(trace, 7 * periodMs, 12 * periodMs);
    const weekend =
      countIn(trace, 5 * periodMs, 7 * periodMs) + countIn(trace, 12 * periodMs, 14 * periodMs);
    const ratio = weekend / 4 / (weekday / 10);
    expect(ratio).toBeGreaterThan(0.45);
    expect(ratio).toBeLessThan(0.55);
  });
});

describe('burstTrace', () => {
  it('multiplies the rate during bursts, overlapping bursts multiply', () => {
    const trace = burstTrace(
      {
        baseRatePerSec: 10,
        durationMs: 300_000,
        bursts: [
          { atMs: 60_000, durationMs: 60_000, multiplier: 5 },
          { atMs: 90_000, durationMs: 60_000, multiplier: 2 },
          { atMs: 200_000, durationMs: 50_000, multiplier: 0 },
        ],
      },
      createRandom(7),
    );
    expectPoissonCount(countIn(trace, 0, 60_000), 600);
    expectPoissonCount(countIn(trace, 60_000, 90_000), 1500);
    expectPoissonCount(countIn(trace, 90_000, 120_000), 3000);
    expectPoissonCount(countIn(trace, 120_000, 150_000), 600);
    expect(countIn(trace, 200_000, 250_000)).toBe(0);
    expectPoissonCount(countIn(trace, 250_000, 300_000), 500);
  });
});

describe('rampTrace', () => {
  it('ramps linearly from one rate to another', () => {
    const trace = rampTrace(
      {
        fromRatePerSec: 0,
        toRatePerSec: 100,
        rampStartMs: 60_000,
        rampDurationMs: 120_000,
        durationMs: 240_000,
      },
      createRandom(8),
    );
    expect(countIn(trace, 0, 60_000)).toBe(0);
    expectPoissonCount(countIn(trace, 60_000, 120_000), 1500); // 0 -> 50 req/s
    expectPoissonCount(countIn(trace, 120_000, 180_000), 4500); // 50 -> 100 req/s
    expectPoissonCount(countIn(trace, 180_000, 240_000), 6000);
    const down = rampTrace(
      { fromRatePerSec: 20, toRatePerSec: 0, durationMs: 100_000 },
      createRandom(8),
    );
    expectPoissonCount(down.requests.length, 1000);
  });
});

describe('traceFromShape', () => {
  it('builds the trace the matching generator builds', () => {
    const shape = {
      kind: 'burst',
      baseRatePerSec: 2,
      durationMs: 60_000,
      bursts: [{ atMs: 10_000, durationMs: 5_000, multiplier: 10 }],
    } as const;
    const { kind: _kind, ...options } = shape;
    expect(traceFromShape(shape, createRandom(11))).toEqual(burstTrace(options, createRandom(11)));
    expect(
      traceFromShape({ kind: 'poisson', ratePerSec: 1, durationMs: 5000 }, createRandom(1)).name,
    ).toBe('poisson');
  });

  it('rejects an unknown kind or a bad field with invalid_config', () => {
    expect(() =>
      traceFromShape({ kind: 'square', ratePerSec: 1, durationMs: 1 } as never, createRandom(1)),
    ).toThrow(/invalid_config at shape/);
    expect(() =>
      traceFromShape(
        { kind: 'diurnal', meanRatePerSec: 1, amplitude: 2, durationMs: 1000 },
        createRandom(1),
      ),
    ).toThrow(/shape\.amplitude/);
  });
});

describe('token samplers', () => {
  it('lognormal: median near the configured median, clamped to [min, max]', () => {
    const sample = createTokenSampler(parseTokenLengths({}).output);
    const random = createRandom(12);
    const values = Array.from({ length: 20_001 }, () => sample(random)).sort((a, b) => a - b);
    expect(values[10_000]).toBeGreaterThan(124);
    expect(values[10_000]).toBeLessThan(134);
    expect(values[0]).toBeGreaterThanOrEqual(1);
    expect(values.at(-1)).toBeLessThanOrEqual(2048);
  });
});
