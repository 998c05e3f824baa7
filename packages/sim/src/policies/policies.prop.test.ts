import type { InstanceSnapshot, LifecycleState } from '@headroom/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PolicyObservation } from '../engine/types.js';
import { evenTrace } from './fixtures.js';
import { POLICY_NAMES, createPolicy } from './index.js';

const STATES: LifecycleState[] = [
  'requested',
  'provisioning',
  'loading',
  'warming',
  'ready',
  'draining',
  'terminated',
  'failed',
];

/** Numbers a broken metrics pipeline might deliver. */
const wild = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0),
);

const instanceArb = fc.record({
  state: fc.constantFrom(...STATES),
  utilization: wild,
  queueDepth: wild,
  inFlightRequests: wild,
  kvCacheUtilization: wild,
});

const tickArb = fc.record({
  instances: fc.array(instanceArb, { maxLength: 12 }),
  arrivalRatePerSec: wild,
  capacityPerReplicaRps: fc.oneof(wild, fc.constant(1.5)),
  currentReplicas: fc.oneof(fc.integer({ min: 0, max: 60 }), wild),
  p95: wild,
});

describe('every policy, fed arbitrary (also broken) observations', () => {
  it('returns a finite integer within [minReplicas, maxReplicas] at every tick', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...POLICY_NAMES),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 40 }),
        fc.array(tickArb, { minLength: 1, maxLength: 12 }),
        (name, minReplicas, extra, ticks) => {
          const maxReplicas = minReplicas + extra;
          const policy = createPolicy(name);
          const initial = policy.initialReplicas({
            minReplicas,
            maxReplicas,
            trace: evenTrace(3, 30_000),
            capacityPerReplicaRps: 1,
          });
          expect(Number.isInteger(initial)).toBe(true);
          expect(initial).toBeGreaterThanOrEqual(minReplicas);
          expect(initial).toBeLessThanOrEqual(maxReplicas);
          ticks.forEach((tick, k) => {
            const nowMs = (k + 1) * 15_000;
            const instances: InstanceSnapshot[] = tick.instances.map((f, i) => ({
              id: `i${i}`,
              state: f.state,
              labels: {},
              load: {
                queueDepth: f.queueDepth,
                inFlightRequests: f.inFlightRequests,
                kvCacheUtilization: f.kvCacheUtilization,
              },
              gpus: [{ gpuId: `g${i}`, utilization: f.utilization, sampledAtMs: nowMs }],
              observedAtMs: nowMs,
            }));
            const obs: PolicyObservation = {
              nowMs,
              currentReplicas: tick.currentReplicas,
              readyReplicas: instances.filter((i) => i.state === 'ready').length,
              instances,
              arrivalRatePerSec: tick.arrivalRatePerSec,
              recentArrivalRates: [],
              coldStartMs: { p50: tick.p95, p95: tick.p95 },
              capacityPerReplicaRps: tick.capacityPerReplicaRps,
            };
            const desired = policy.decide(obs);
            expect(Number.isInteger(desired)).toBe(true);
            expect(desired).toBeGreaterThanOrEqual(minReplicas);
            expect(desired).toBeLessThanOrEqual(maxReplicas);
          });
        },
      ),
      { numRuns: 1000 },
    );
  });
});
