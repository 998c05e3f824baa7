import fc from 'fast-check';
import {
  CAPACITY_TYPES,
  LIFECYCLE_STATES,
  type InstanceSnapshot,
  type LifecycleState,
} from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { chooseScaleInVictims, drainPlan } from './index.js';

const RUNS = { numRuns: 1000 };

const LEAVING: readonly LifecycleState[] = ['draining', 'terminated', 'failed'];

const instanceArb: fc.Arbitrary<InstanceSnapshot> = fc
  .record({
    id: fc.string({ minLength: 1, maxLength: 3 }),
    state: fc.constantFrom(...LIFECYCLE_STATES),
    sinceMs: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
    capacityType: fc.option(fc.constantFrom(...CAPACITY_TYPES), { nil: undefined }),
    streams: fc.option(fc.nat(3), { nil: undefined, freq: 3 }),
    inFlight: fc.option(fc.nat(3), { nil: undefined, freq: 3 }),
  })
  .map((r) => ({
    id: r.id,
    state: r.state,
    ...(r.sinceMs === undefined ? {} : { stateSinceMs: r.sinceMs }),
    labels: r.capacityType === undefined ? {} : { capacityType: r.capacityType },
    load: {
      ...(r.streams === undefined ? {} : { activeStreams: r.streams }),
      ...(r.inFlight === undefined ? {} : { inFlightRequests: r.inFlight }),
    },
    gpus: [],
    observedAtMs: 0,
  }));

const fleetArb = fc.uniqueArray(instanceArb, { selector: (i) => i.id, maxLength: 12 });

const caseArb = fleetArb.chain((fleet) =>
  fc.record({
    fleet: fc.constant(fleet),
    shuffled: fc.shuffledSubarray(fleet, { minLength: fleet.length, maxLength: fleet.length }),
    count: fc.nat(fleet.length + 3),
    notReadyFirst: fc.boolean(),
  }),
);

const isIdleReady = (i: InstanceSnapshot): boolean =>
  i.state === 'ready' && i.load.activeStreams === 0 && i.load.inFlightRequests === 0;
const hasLiveStream = (i: InstanceSnapshot): boolean => (i.load.activeStreams ?? 0) > 0;
const isCandidate = (i: InstanceSnapshot): boolean => !LEAVING.includes(i.state);

describe('chooseScaleInVictims properties', () => {
  it('never cuts a live stream while an idle ready instance is kept', () => {
    fc.assert(
      fc.property(caseArb, ({ fleet, count, notReadyFirst }) => {
        const { victims } = chooseScaleInVictims(fleet, count, { notReadyFirst });
        const chosen = new Set(victims.map((v) => v.id));
        const byId = new Map(fleet.map((i) => [i.id, i]));
        const cutsStream = victims.some((v) => hasLiveStream(byId.get(v.id)!));
        const keepsIdle = fleet.some((i) => isIdleReady(i) && !chosen.has(i.id));
        expect(cutsStream && keepsIdle).toBe(false);
      }),
      RUNS,
    );
  });

  it('chooses distinct candidates, as many as asked and available, and skips the rest', () => {
    fc.assert(
      fc.property(caseArb, ({ fleet, count, notReadyFirst }) => {
        const result = chooseScaleInVictims(fleet, count, { notReadyFirst });
        const candidates = fleet.filter(isCandidate);
        const victimIds = result.victims.map((v) => v.id);

        expect(new Set(victimIds).size).toBe(victimIds.length);
        expect(victimIds.length).toBe(Math.min(count, candidates.length));
        expect(result.shortfall).toBe(count - victimIds.length);
        const candidateIds = new Set(candidates.map((i) => i.id));
        expect(victimIds.every((id) => candidateIds.has(id))).toBe(true);
        expect(result.skipped.map((s) => s.id)).toEqual(
          fleet.filter((i) => !isCandidate(i)).map((i) => i.id),
        );
      }),
      RUNS,
    );
  });

  it('is deterministic and independent of the input order', () => {
    fc.assert(
      fc.property(caseArb, ({ fleet, shuffled, count, notReadyFirst }) => {
        const first = chooseScaleInVictims(fleet, count, { notReadyFirst });
        expect(chooseScaleInVictims(fleet, count, { notReadyFirst })).toEqual(first);
        expect(chooseScaleInVictims(shuffled, count, { notReadyFirst }).victims).toEqual(
          first.victims,
        );
      }),
      RUNS,
    );
  });

  it('takes a prefix of the full order: asking for one more adds one at the end', () => {
    fc.assert(
      fc.property(caseArb, ({ fleet, count, notReadyFirst }) => {
        const fewer = chooseScaleInVictims(fleet, count, { notReadyFirst }).victims;
        const more = chooseScaleInVictims(fleet, count + 1, { notReadyFirst }).victims;
        expect(more.slice(0, fewer.length)).toEqual(fewer);
      }),
      RUNS,
    );
  });

  it('drains every victim no earlier than now and no later than the deadline', () => {
    fc.assert(
      fc.property(
        caseArb,
        fc.nat(1_000_000),
        fc.nat(600_000),
        ({ fleet, count }, nowMs, drainDeadlineMs) => {
          const { victims } = chooseScaleInVictims(fleet, count);
          const plan = drainPlan(victims, { nowMs, drainDeadlineMs });
          expect(plan.map((p) => p.id)).toEqual(victims.map((v) => v.id));
          for (const step of plan) {
            expect(step.drainUntilMs).toBeGreaterThanOrEqual(nowMs);
            expect(step.drainUntilMs).toBeLessThanOrEqual(nowMs + drainDeadlineMs);
          }
        },
      ),
      RUNS,
    );
  });
});
