import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InstanceSnapshot } from '@headroom/core';
import { initialHpaState } from '../hpa/index.js';
import { createTargetTracking, targetTrackingStep } from './index.js';

const NOW = 1_764_000_000_000;
const RUNS = { numRuns: 1000 };
const hostile = fc.oneof(
  fc.double({ min: 0, max: 1e6, noNaN: true }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 1e300),
);
const lifecycle = fc.constantFrom(
  'ready',
  'ready',
  'ready',
  'loading',
  'warming',
  'draining',
  'failed',
) as fc.Arbitrary<InstanceSnapshot['state']>;

function fleet(
  specs: { state: InstanceSnapshot['state']; queue: number; util: number; ageMs: number }[],
): InstanceSnapshot[] {
  // Built without validation on purpose: the policy must survive values the schema would reject.
  return specs.map((s, i) => ({
    id: `i${i}`,
    state: s.state,
    labels: {},
    load: { queueDepth: s.queue },
    gpus: [{ gpuId: `g${i}`, utilization: s.util, sampledAtMs: NOW - s.ageMs }],
    observedAtMs: NOW - s.ageMs,
  }));
}
const instanceSpec = fc.record({
  state: lifecycle,
  queue: hostile,
  util: hostile,
  ageMs: fc.integer({ min: 0, max: 300_000 }),
});

describe('target tracking invariants', () => {
  it('replicas stay finite integers within [min, max] for any input, including NaN, Infinity, negative and stale', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 80 }),
        fc.array(instanceSpec, { maxLength: 12 }),
        (a, b, current, specs) => {
          const minReplicas = Math.min(a, b);
          const maxReplicas = Math.max(a, b);
          const policy = createTargetTracking({
            minReplicas,
            maxReplicas,
            signals: [
              { name: 'q', kind: 'queue_depth', target: 4 },
              { name: 'g', kind: 'gpu_utilization', target: 0.7 },
            ],
          });
          const d = targetTrackingStep(policy, initialHpaState(), {
            nowMs: NOW,
            currentReplicas: current,
            instances: fleet(specs),
          });
          const to = d.decision.kind === 'scale' ? d.decision.to : d.decision.replicas;
          expect(Number.isInteger(to)).toBe(true);
          expect(to).toBeGreaterThanOrEqual(Math.min(minReplicas, current));
          expect(to).toBeLessThanOrEqual(Math.max(maxReplicas, Math.min(current, maxReplicas)));
          if (current >= minReplicas && current <= maxReplicas) {
            expect(to).toBeGreaterThanOrEqual(minReplicas);
            expect(to).toBeLessThanOrEqual(maxReplicas);
          }
        },
      ),
      RUNS,
    );
  });

  it('no data at all never scales down (and so never to zero)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(lifecycle, { maxLength: 8 }),
        (current, states) => {
          const policy = createTargetTracking({
            minReplicas: 0,
            maxReplicas: 40,
            signals: [{ name: 'q', kind: 'queue_depth', target: 4 }],
          });
          const instances = states.map((state, i) => ({
            id: `i${i}`,
            state,
            labels: {},
            load: {},
            gpus: [],
            observedAtMs: NOW,
          }));
          const d = targetTrackingStep(policy, initialHpaState(), {
            nowMs: NOW,
            currentReplicas: current,
            instances,
          });
          const to = d.decision.kind === 'scale' ? d.decision.to : d.decision.replicas;
          expect(to).toBeGreaterThanOrEqual(current);
        },
      ),
      RUNS,
    );
  });

  it('more load never yields fewer replicas', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 10 }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        (queues, extra) => {
          const policy = createTargetTracking({
            maxReplicas: 500,
            signals: [{ name: 'q', kind: 'queue_depth', target: 4 }],
            behavior: {
              scaleUp: { policies: [{ type: 'Percent', value: 100_000, periodSeconds: 15 }] },
              scaleDown: { stabilizationWindowSeconds: 0 },
            },
          });
          const base = fleet(
            queues.map((q) => ({ state: 'ready' as const, queue: q, util: 0.5, ageMs: 0 })),
          );
          const more = fleet(
            queues.map((q) => ({ state: 'ready' as const, queue: q + extra, util: 0.5, ageMs: 0 })),
          );
          const replicas = (instances: InstanceSnapshot[]) => {
            const d = targetTrackingStep(policy, initialHpaState(), {
              nowMs: NOW,
              currentReplicas: instances.length,
              instances,
            });
            return d.decision.kind === 'scale' ? d.decision.to : d.decision.replicas;
          };
          expect(replicas(more)).toBeGreaterThanOrEqual(replicas(base));
        },
      ),
      RUNS,
    );
  });
});
