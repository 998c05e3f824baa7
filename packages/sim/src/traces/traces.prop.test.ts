import { createRandom } from '@headroom/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assignModels,
  scaleRate,
  scaleTime,
  sliceTrace,
  traceFromShape,
  traceStats,
  validateTrace,
  type Trace,
  type TraceShape,
} from './index.js';

/** A small valid trace: sorted arrivals inside the duration. */
const traceArb: fc.Arbitrary<Trace> = fc
  .record({
    gaps: fc.array(fc.double({ min: 0, max: 5000, noNaN: true }), { maxLength: 60 }),
    tail: fc.double({ min: 0.001, max: 5000, noNaN: true }),
    tokens: fc.array(fc.tuple(fc.nat(10_000), fc.integer({ min: 1, max: 4000 })), {
      minLength: 60,
      maxLength: 60,
    }),
  })
  .map(({ gaps, tail, tokens }) => {
    let t = 0;
    const requests = gaps.map((gap, i) => {
      t += gap;
      const [promptTokens, outputTokens] = tokens[i]!;
      return { arrivalMs: t, promptTokens, outputTokens };
    });
    return { name: 'arb', source: 'fast-check', durationMs: t + tail, requests };
  });

const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });

/** Shapes within bounds that keep a trace to a few hundred requests. */
const shapeArb: fc.Arbitrary<TraceShape> = fc.oneof(
  fc.record({
    kind: fc.constant('poisson' as const),
    ratePerSec: fc.double({ min: 0, max: 20, noNaN: true }),
    durationMs: fc.integer({ min: 1, max: 20_000 }),
  }),
  fc.record({
    kind: fc.constant('diurnal' as const),
    meanRatePerSec: fc.double({ min: 0, max: 20, noNaN: true }),
    amplitude: fc.double({ min: 0, max: 1, noNaN: true }),
    periodMs: fc.integer({ min: 100, max: 10_000 }),
    weeklyAmplitude: fc.double({ min: 0, max: 0.9, noNaN: true }),
    durationMs: fc.integer({ min: 1, max: 20_000 }),
  }),
  fc.record({
    kind: fc.constant('burst' as const),
    baseRatePerSec: fc.double({ min: 0, max: 10, noNaN: true }),
    durationMs: fc.integer({ min: 1, max: 20_000 }),
    bursts: fc.array(
      fc.record({
        atMs: fc.integer({ min: 0, max: 20_000 }),
        durationMs: fc.integer({ min: 1, max: 5_000 }),
        multiplier: fc.double({ min: 0, max: 5, noNaN: true }),
      }),
      { maxLength: 3 },
    ),
  }),
  fc.record({
    kind: fc.constant('ramp' as const),
    fromRatePerSec: fc.double({ min: 0, max: 20, noNaN: true }),
    toRatePerSec: fc.double({ min: 0, max: 20, noNaN: true }),
    rampStartMs: fc.integer({ min: 0, max: 10_000 }),
    durationMs: fc.integer({ min: 1, max: 20_000 }),
  }),
);

function isSorted(trace: Trace): boolean {
  for (let i = 1; i < trace.requests.length; i++) {
    if (trace.requests[i]!.arrivalMs < trace.requests[i - 1]!.arrivalMs) return false;
  }
  return true;
}

describe('trace transforms (properties)', () => {
  it('scaleTime preserves the count, the order and the tokens, and scales every arrival', () => {
    fc.assert(
      fc.property(traceArb, fc.double({ min: 0.001, max: 1000, noNaN: true }), (trace, factor) => {
        const scaled = scaleTime(trace, factor);
        expect(scaled.requests).toHaveLength(trace.requests.length);
        scaled.requests.forEach((r, i) => {
          const original = trace.requests[i]!;
          expect(r.arrivalMs).toBe(original.arrivalMs * factor);
          expect(r.promptTokens).toBe(original.promptTokens);
          expect(r.outputTokens).toBe(original.outputTokens);
        });
        expect(isSorted(scaled)).toBe(true);
        expect(() => validateTrace(scaled)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });

  it('scaleRate(f) keeps about f * n requests: within 5 binomial standard deviations (+1)', () => {
    // 100 copies of the same small trace (n requests), so the count has a real spread.
    fc.assert(
      fc.property(
        traceArb.filter((t) => t.requests.length > 0),
        fc.double({ min: 0, max: 5, noNaN: true }),
        seedArb,
        (base, factor, seed) => {
          const requests = Array.from({ length: 100 }, () => base.requests).flat();
          requests.sort((a, b) => a.arrivalMs - b.arrivalMs);
          const trace = { ...base, requests };
          const n = requests.length;
          const scaled = scaleRate(trace, factor, createRandom(seed));
          const p = factor < 1 ? factor : factor - Math.floor(factor);
          const tolerance = 5 * Math.sqrt(n * p * (1 - p)) + 1;
          expect(Math.abs(scaled.requests.length - factor * n)).toBeLessThanOrEqual(tolerance);
          expect(isSorted(scaled)).toBe(true);
          expect(scaled.durationMs).toBe(trace.durationMs);
          const inside = scaled.requests.every(
            (r) => r.arrivalMs >= 0 && r.arrivalMs < scaled.durationMs,
          );
          expect(inside).toBe(true);
          // Deterministic per seed.
          const again = scaleRate(trace, factor, createRandom(seed)).requests;
          const same =
            again.length === scaled.requests.length &&
            again.every((r, i) => r.arrivalMs === scaled.requests[i]!.arrivalMs);
          expect(same).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('slices partition a trace: consecutive slices hold every request exactly once', () => {
    fc.assert(
      fc.property(traceArb, fc.double({ min: 0, max: 1, noNaN: true }), (trace, cut) => {
        const at = cut * trace.durationMs;
        const left = sliceTrace(trace, 0, at === 0 ? Number.MIN_VALUE : at);
        const right = sliceTrace(
          trace,
          at === 0 ? Number.MIN_VALUE : at,
          Number.POSITIVE_INFINITY,
          {
            rebase: false,
          },
        );
        expect(left.requests.length + right.requests.length).toBe(trace.requests.length);
        expect([...left.requests, ...right.requests].map((r) => r.promptTokens)).toEqual(
          trace.requests.map((r) => r.promptTokens),
        );
        expect(() => validateTrace(left)).not.toThrow();
        expect(() => validateTrace(right)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });

  it('assignModels gives every request one of the models and keeps everything else', () => {
    fc.assert(
      fc.property(
        traceArb,
        fc.array(fc.string({ minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        seedArb,
        (trace, models, zipfS, seed) => {
          const assigned = assignModels(trace, models, { zipfS }, createRandom(seed));
          assigned.requests.forEach((r, i) => {
            expect(models).toContain(r.model);
            expect({ ...r, model: undefined }).toEqual({ ...trace.requests[i], model: undefined });
          });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('traceStats: the peak window holds at least the mean, and empty windows are a fraction', () => {
    fc.assert(
      fc.property(traceArb, fc.integer({ min: 1, max: 10_000 }), (trace, windowMs) => {
        const stats = traceStats(trace, { windowMs });
        expect(stats.requests).toBe(trace.requests.length);
        expect(stats.emptyWindowFraction).toBeGreaterThanOrEqual(0);
        expect(stats.emptyWindowFraction).toBeLessThanOrEqual(1);
        const windows = Math.max(1, Math.ceil(trace.durationMs / windowMs));
        expect(stats.peakRatePerSec * (windowMs / 1000) * windows).toBeGreaterThanOrEqual(
          trace.requests.length - 1e-9,
        );
      }),
      { numRuns: 1000 },
    );
  });
});

describe('synthetic generators (properties)', () => {
  it('are deterministic per seed, with sorted arrivals inside [0, durationMs) and valid tokens', () => {
    fc.assert(
      fc.property(shapeArb, seedArb, (shape, seed) => {
        const trace = traceFromShape(shape, createRandom(seed));
        expect(traceFromShape(shape, createRandom(seed))).toEqual(trace);
        expect(trace.durationMs).toBe(shape.durationMs);
        expect(isSorted(trace)).toBe(true);
        for (const r of trace.requests) {
          expect(r.arrivalMs).toBeGreaterThanOrEqual(0);
          expect(r.arrivalMs).toBeLessThan(trace.durationMs);
        }
        expect(() => validateTrace(trace)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });
});
