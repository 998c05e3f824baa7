import { parseConfig, type Random } from '@headroom/core';
import { z } from 'zod';
import {
  BurstTraceOptionsSchema,
  DiurnalTraceOptionsSchema,
  PoissonTraceOptionsSchema,
  RampTraceOptionsSchema,
  burstTrace,
  diurnalTrace,
  poissonTrace,
  rampTrace,
} from './generators.js';
import type { Trace } from './types.js';

/**
 * A synthetic trace described as plain data: a generator's options plus its `kind`. Shapes are
 * what property-tested policy experiments generate (with fast-check, in the test, so this package
 * needs no fast-check at run time) and shrink; {@link traceFromShape} turns one into a trace.
 *
 * - `poisson`: {@link PoissonTraceOptionsSchema}
 * - `diurnal`: {@link DiurnalTraceOptionsSchema}
 * - `burst`: {@link BurstTraceOptionsSchema}
 * - `ramp`: {@link RampTraceOptionsSchema}
 */
export const TraceShapeSchema = z.discriminatedUnion('kind', [
  PoissonTraceOptionsSchema.extend({
    /** A homogeneous Poisson trace. */
    kind: z.literal('poisson'),
  }),
  DiurnalTraceOptionsSchema.extend({
    /** A daily (and weekly) cycle. */
    kind: z.literal('diurnal'),
  }),
  BurstTraceOptionsSchema.extend({
    /** A base rate with bursts. */
    kind: z.literal('burst'),
  }),
  RampTraceOptionsSchema.extend({
    /** A linear ramp. */
    kind: z.literal('ramp'),
  }),
]);

/** What {@link traceFromShape} accepts: {@link TraceShapeSchema}'s input. */
export type TraceShape = z.input<typeof TraceShapeSchema>;

/** The kinds of {@link TraceShape}. */
export const TRACE_SHAPE_KINDS = ['poisson', 'diurnal', 'burst', 'ramp'] as const;

/**
 * Builds the trace a {@link TraceShape} describes, with the matching generator. Deterministic:
 * the same shape and `random` state give the same trace.
 *
 * @throws `HeadroomError` `invalid_config` naming the bad field of the shape.
 * @example
 * ```ts
 * // In a test: let fast-check search shapes, and shrink a failing one to the smallest.
 * const shape = fc.record({
 *   kind: fc.constant('burst' as const),
 *   baseRatePerSec: fc.double({ min: 0.5, max: 20, noNaN: true }),
 *   durationMs: fc.constant(600_000),
 *   bursts: fc.array(
 *     fc.record({
 *       atMs: fc.integer({ min: 0, max: 540_000 }),
 *       durationMs: fc.integer({ min: 1_000, max: 60_000 }),
 *       multiplier: fc.double({ min: 1, max: 10, noNaN: true }),
 *     }),
 *     { maxLength: 3 },
 *   ),
 * });
 * fc.assert(fc.property(shape, fc.integer(), (s, seed) => {
 *   const trace = traceFromShape(s, createRandom(seed));
 *   return runPolicy(trace).requests.sloAttainment >= 0.99;
 * }));
 * ```
 */
export function traceFromShape(shape: TraceShape, random: Random): Trace {
  const parsed = parseConfig(TraceShapeSchema, shape, ['shape']);
  switch (parsed.kind) {
    case 'poisson': {
      const { kind: _kind, ...options } = parsed;
      return poissonTrace(options, random);
    }
    case 'diurnal': {
      const { kind: _kind, ...options } = parsed;
      return diurnalTrace(options, random);
    }
    case 'burst': {
      const { kind: _kind, ...options } = parsed;
      return burstTrace(options, random);
    }
    case 'ramp': {
      const { kind: _kind, ...options } = parsed;
      return rampTrace(options, random);
    }
  }
}
