import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SaturationConfigSchema,
  ScoringConfigSchema,
  headroomWeight,
  idleHeadroomWeight,
  isSaturated,
  loadScore,
  scoreInto,
  type EndpointSignals,
} from './scoring.js';

const RUNS = { numRuns: 1000 };
const GIB = 1024 ** 3;
const any = fc.oneof(
  fc.double({ noNaN: false }),
  fc.constantFrom(Number.NaN, 0, -1, Number.POSITIVE_INFINITY, 1),
  fc.double({ min: 0, max: 1, noNaN: true }),
);
const signalsArb = fc.record({
  memoryUsedBytes: any,
  memoryTotalBytes: any,
  kvCacheUtilization: any,
  activeStreams: any,
  maxStreamSlots: any,
  queueDepth: any,
});
const configArb = fc.record({
  formula: fc.constantFrom('product' as const, 'weighted_sum' as const),
  exponents: fc.record({
    memory: fc.double({ min: 0, max: 8, noNaN: true }),
    kvCache: fc.double({ min: 0, max: 8, noNaN: true }),
    streams: fc.double({ min: 0, max: 8, noNaN: true }),
    queue: fc.double({ min: 0, max: 8, noNaN: true }),
  }),
});

describe('scoring properties', () => {
  it('weights and load scores are finite and >= 0 for any signals, NaN and Infinity included', () => {
    fc.assert(
      fc.property(signalsArb, configArb, (s: EndpointSignals, c) => {
        const config = ScoringConfigSchema.parse(c);
        const saturation = SaturationConfigSchema.parse({});
        for (const v of [
          headroomWeight(s, config),
          idleHeadroomWeight(s, config),
          loadScore(s, saturation),
        ]) {
          expect(Number.isFinite(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(0);
        }
        expect(typeof isSaturated(s, saturation)).toBe('boolean');
      }),
      RUNS,
    );
  });

  it('scoreInto gives exactly headroomWeight, loadScore and isSaturated', () => {
    const saturationArb = fc.record({
      kvCacheUtilization: fc.double({ min: 0.01, max: 1, noNaN: true }),
      queueDepth: fc.double({ min: 1, max: 1e6, noNaN: true }),
      memoryUtilization: fc.double({ min: 0.01, max: 1, noNaN: true }),
      streamSlots: fc.boolean(),
    });
    const sharesArb = fc.record({
      memory: fc.double({ min: 0, max: 1, noNaN: true }),
      kvCache: fc.double({ min: 0, max: 1, noNaN: true }),
      streams: fc.double({ min: 0, max: 1, noNaN: true }),
      queue: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    const out = new Float64Array(2);
    fc.assert(
      fc.property(
        signalsArb,
        configArb,
        sharesArb,
        saturationArb,
        (s: EndpointSignals, c, sh, sat) => {
          const config = ScoringConfigSchema.parse({ ...c, shares: sh });
          const saturation = SaturationConfigSchema.parse(sat);
          const saturated = scoreInto(s, config, saturation, out);
          expect(out[0]).toBe(headroomWeight(s, config));
          expect(out[1]).toBe(loadScore(s, saturation));
          expect(saturated).toBe(isSaturated(s, saturation));
        },
      ),
      RUNS,
    );
  });

  it('with default exponents the weight is proportional to free memory', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        (u1, u2) => {
          const config = ScoringConfigSchema.parse({});
          const total = 80 * GIB;
          const base = {
            kvCacheUtilization: Number.NaN,
            activeStreams: Number.NaN,
            maxStreamSlots: 0,
            queueDepth: 0,
          };
          const w1 = headroomWeight(
            { ...base, memoryUsedBytes: u1 * total, memoryTotalBytes: total },
            config,
          );
          const w2 = headroomWeight(
            { ...base, memoryUsedBytes: u2 * total, memoryTotalBytes: total },
            config,
          );
          expect(w1 * (1 - u2)).toBeCloseTo(w2 * (1 - u1), 9);
        },
      ),
      RUNS,
    );
  });
});

describe('scoring examples', () => {
  it('an endpoint at 40% memory gets 4x the weight of one at 85%', () => {
    const config = ScoringConfigSchema.parse({});
    const base = {
      kvCacheUtilization: Number.NaN,
      activeStreams: Number.NaN,
      maxStreamSlots: 0,
      queueDepth: 0,
    };
    const t = 80 * GIB;
    const at40 = headroomWeight({ ...base, memoryUsedBytes: 0.4 * t, memoryTotalBytes: t }, config);
    const at85 = headroomWeight(
      { ...base, memoryUsedBytes: 0.85 * t, memoryTotalBytes: t },
      config,
    );
    expect(at40 / at85).toBeCloseTo(4, 10);
  });

  it('saturates at any one threshold and scores load by the bottleneck', () => {
    const saturation = SaturationConfigSchema.parse({});
    const idle = {
      memoryUsedBytes: Number.NaN,
      memoryTotalBytes: Number.NaN,
      kvCacheUtilization: 0.1,
      activeStreams: 2,
      maxStreamSlots: 8,
      queueDepth: 0,
    };
    expect(isSaturated(idle, saturation)).toBe(false);
    expect(isSaturated({ ...idle, kvCacheUtilization: 0.95 }, saturation)).toBe(true);
    expect(isSaturated({ ...idle, queueDepth: 32 }, saturation)).toBe(true);
    expect(isSaturated({ ...idle, activeStreams: 8 }, saturation)).toBe(true);
    expect(loadScore({ ...idle, queueDepth: 16 }, saturation)).toBeCloseTo(0.5, 12);
    expect(loadScore({ ...idle, activeStreams: 6 }, saturation)).toBeCloseTo(0.75, 12);
  });
});
