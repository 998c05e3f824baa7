import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isHeadroomError } from '@headroom/core';
import {
  createHealthTracker,
  restoreHealthTracker,
  type GpuHealthSignals,
  type HealthTracker,
} from './index.js';

const RUNS = { numRuns: 1000 };
const T0 = 1_700_000_000_000;
const IDS = ['a', 'b', 'c', 'd'];

type Op =
  | {
      readonly kind: 'gpu';
      readonly id: number;
      readonly signals: GpuHealthSignals;
      readonly dt: number;
    }
  | {
      readonly kind: 'outcome';
      readonly id: number;
      readonly success: boolean;
      readonly dt: number;
    }
  | { readonly kind: 'drain'; readonly id: number; readonly on: boolean; readonly dt: number }
  | { readonly kind: 'evaluate'; readonly dt: number };

const id = fc.integer({ min: 0, max: IDS.length - 1 });
const dt = fc.integer({ min: 0, max: 15_000 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('gpu' as const),
    id,
    signals: fc.constantFrom<GpuHealthSignals>(
      { temperatureC: 60 },
      { temperatureC: 88 },
      { temperatureC: 95 },
      { throttled: true },
      { xid: [79] },
    ),
    dt,
  }),
  fc.record({ kind: fc.constant('outcome' as const), id, success: fc.boolean(), dt }),
  fc.record({ kind: fc.constant('drain' as const), id, on: fc.boolean(), dt }),
  fc.record({ kind: fc.constant('evaluate' as const), dt }),
);

const config = {
  recoveryMs: 5_000,
  consecutive5xx: 2,
  baseEjectionTimeMs: 4_000,
  successRateMinimumHosts: 2,
  successRateRequestVolume: 2,
  successRateStdevFactor: 0.5,
  maxEjectionPercent: 50,
};

function apply(h: HealthTracker, op: Op, t: number): string {
  switch (op.kind) {
    case 'gpu':
      return h.observeGpu(IDS[op.id] ?? 'a', op.signals, t);
    case 'outcome':
      return h.recordOutcome(IDS[op.id] ?? 'a', op.success, t);
    case 'drain':
      return h.setDraining(IDS[op.id] ?? 'a', op.on, t);
    case 'evaluate':
      return JSON.stringify(h.evaluate(t));
  }
}

describe('health tracker state', () => {
  it('a tracker restored from its JSON behaves exactly as the original', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 30 }),
        fc.array(opArb, { maxLength: 30 }),
        (before, after) => {
          const original = createHealthTracker(config);
          let t = T0;
          for (const op of before) {
            t += op.dt;
            apply(original, op, t);
          }
          const saved = JSON.parse(JSON.stringify(original.toJSON())) as unknown;
          const resumed = restoreHealthTracker(config, saved);
          expect(resumed.toJSON()).toEqual(original.toJSON());
          for (const op of after) {
            t += op.dt;
            expect(apply(resumed, op, t)).toBe(apply(original, op, t));
            for (const name of IDS) {
              expect(resumed.details(name, t)).toEqual(original.details(name, t));
            }
          }
          expect(resumed.toJSON()).toEqual(original.toJSON());
        },
      ),
      RUNS,
    );
  });

  it('rejects a malformed state naming the path', () => {
    const h = createHealthTracker();
    h.recordOutcome('a', false, T0);
    const state = h.toJSON();
    const broken = {
      ...state,
      endpoints: [{ id: 'a', state: { ...state.endpoints[0]?.state, gpuRank: 7 } }],
    };
    try {
      restoreHealthTracker({}, broken);
      expect.unreachable();
    } catch (error) {
      expect(isHeadroomError(error, 'invalid_input')).toBe(true);
      if (isHeadroomError(error))
        expect(error.path).toEqual(['state', 'endpoints', 0, 'state', 'gpuRank']);
    }
    const duplicate = { ...state, endpoints: [...state.endpoints, ...state.endpoints] };
    expect(() => restoreHealthTracker({}, duplicate)).toThrow(/duplicate endpoint id/);
  });
});
