import fc from 'fast-check';
import { CAPACITY_TYPES, LIFECYCLE_STATES, type InstanceSnapshot } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { onSpotInterruption } from './index.js';

const RUNS = { numRuns: 1000 };

const fleetArb: fc.Arbitrary<InstanceSnapshot[]> = fc.array(
  fc
    .record({
      id: fc.constantFrom('a', 'b', 'c'),
      state: fc.constantFrom(...LIFECYCLE_STATES),
      capacityType: fc.option(fc.constantFrom(...CAPACITY_TYPES), { nil: undefined }),
      streams: fc.option(fc.nat(3), { nil: undefined }),
    })
    .map((r) => ({
      id: r.id,
      state: r.state,
      labels: r.capacityType === undefined ? {} : { capacityType: r.capacityType },
      load: r.streams === undefined ? {} : { activeStreams: r.streams },
      gpus: [],
      observedAtMs: 0,
    })),
  { maxLength: 5 },
);

describe('onSpotInterruption properties', () => {
  it('orders one replacement exactly for live capacity, and drains within the notice', () => {
    fc.assert(
      fc.property(
        fleetArb,
        fc.constantFrom('a', 'b', 'c', 'd'),
        fc.nat(1_000_000),
        fc.option(fc.nat(1_000_000), { nil: undefined }),
        (fleet, instanceId, noticeAtMs, terminateAtMs) => {
          const notice =
            terminateAtMs === undefined
              ? { instanceId, noticeAtMs }
              : { instanceId, noticeAtMs, terminateAtMs };
          const response = onSpotInterruption(notice, fleet);
          const state = fleet.find((i) => i.id === instanceId)?.state;
          const live = state !== undefined && !['draining', 'terminated', 'failed'].includes(state);

          expect(response.instanceState).toBe(state);
          expect(response.replacement !== null).toBe(live);
          expect(response.terminateAtMs).toBeGreaterThanOrEqual(noticeAtMs);
          if (response.drain !== null) {
            expect(response.drain.instanceId).toBe(instanceId);
            expect(response.drain.deadlineMs).toBeGreaterThanOrEqual(noticeAtMs);
            expect(response.drain.deadlineMs).toBeLessThanOrEqual(response.terminateAtMs);
          }
          expect(new Set(response.warnings).size).toBe(response.warnings.length);
        },
      ),
      RUNS,
    );
  });
});
