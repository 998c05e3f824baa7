import { createRandom } from '@headroom/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from '../engine/simulate.js';
import { POLICY_NAMES, createPolicy } from '../policies/index.js';
import { baselineTargets } from '../policies/targets.js';
import { createServiceModel } from '../service/service-model.js';
import { traceFromShape, type TraceShape } from '../traces/shapes.js';
import { runOracle } from './index.js';

const DURATION_MS = 300_000;
const service = createServiceModel();

/** Short traces (5 minutes) of every shape the issue names, within bounds a test runs quickly. */
const shapeArb: fc.Arbitrary<TraceShape> = fc.oneof(
  fc.record({
    kind: fc.constant('burst' as const),
    baseRatePerSec: fc.double({ min: 0.5, max: 5, noNaN: true }),
    durationMs: fc.constant(DURATION_MS),
    bursts: fc.array(
      fc.record({
        atMs: fc.integer({ min: 0, max: DURATION_MS - 10_000 }),
        durationMs: fc.integer({ min: 2_000, max: 60_000 }),
        multiplier: fc.double({ min: 1, max: 4, noNaN: true }),
      }),
      { maxLength: 3 },
    ),
  }),
  fc.record({
    kind: fc.constant('ramp' as const),
    fromRatePerSec: fc.double({ min: 0.5, max: 6, noNaN: true }),
    toRatePerSec: fc.double({ min: 0.5, max: 6, noNaN: true }),
    rampStartMs: fc.integer({ min: 0, max: DURATION_MS / 2 }),
    rampDurationMs: fc.integer({ min: 0, max: DURATION_MS / 2 }),
    durationMs: fc.constant(DURATION_MS),
  }),
  fc.record({
    kind: fc.constant('diurnal' as const),
    meanRatePerSec: fc.double({ min: 0.5, max: 5, noNaN: true }),
    amplitude: fc.double({ min: 0, max: 0.9, noNaN: true }),
    // A compressed "day" so a 5-minute trace holds a whole cycle.
    periodMs: fc.integer({ min: 60_000, max: DURATION_MS }),
    durationMs: fc.constant(DURATION_MS),
  }),
);

describe('the oracle bound (acceptance property)', () => {
  // numRuns 20: each case simulates the oracle's per-window evaluations, its replay and the five
  // policies on a 5-minute trace (about a second per case on the 2-core machine); the seed is
  // global, so CI explores new traces run after run.
  it('is never above any policy’s GPU-hours when the policy’s SLO attainment is equal or better', () => {
    fc.assert(
      fc.property(shapeArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (shape, seed) => {
        const trace = traceFromShape(shape, createRandom(seed));
        fc.pre(trace.requests.length > 0);
        const base = { service, sloTtftMs: 2_000, seed, minReplicas: 1, maxReplicas: 40 };
        const oracle = runOracle(trace, base).result;
        const targets = baselineTargets({ service, trace, sloTtftMs: 2_000 });
        for (const name of POLICY_NAMES) {
          const options =
            name === 'knative' ? targets.knative : name === 'keda' ? targets.keda : {};
          const run = simulate({ ...base, trace, policy: createPolicy(name, options) });
          if (run.requests.sloAttainment >= oracle.requests.sloAttainment) {
            expect(
              oracle.gpuHours.total,
              `${name}: ${run.gpuHours.total} GPU-h at ${run.requests.sloAttainment} vs oracle ${oracle.gpuHours.total} at ${oracle.requests.sloAttainment}`,
            ).toBeLessThanOrEqual(run.gpuHours.total + 1e-9);
          }
        }
      }),
      { numRuns: 20 },
    );
  });
});
