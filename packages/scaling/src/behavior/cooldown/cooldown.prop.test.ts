import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InstanceSnapshot } from '@headroom/core';
import { scaleDownCooldown } from './index.js';

const RUNS = { numRuns: 1000 };

const stateArb = fc.constantFrom<InstanceSnapshot['state']>('ready', 'loading', 'draining');

const instancesArb = fc.array(
  fc.record({
    state: stateArb,
    stateSinceMs: fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined }),
  }),
  { maxLength: 6 },
);

const scenarioArb = fc.record({
  afterScaleUpMs: fc.integer({ min: 0, max: 5_000 }),
  afterReadyMs: fc.integer({ min: 0, max: 5_000 }),
  nowMs: fc.integer({ min: 0, max: 30_000 }),
  from: fc.integer({ min: 0, max: 20 }),
  to: fc.integer({ min: 0, max: 20 }),
  lastScaleUpAtMs: fc.option(fc.integer({ min: 0, max: 30_000 }), { nil: null }),
  instances: instancesArb,
});

describe('scaleDownCooldown properties', () => {
  it('never allows a scale-down before either cooldown has passed; always allows scale-ups', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const instances: InstanceSnapshot[] = s.instances.map((i, n) => ({
          id: `i-${n}`,
          state: i.state,
          labels: {},
          load: {},
          gpus: [],
          observedAtMs: 0,
          ...(i.stateSinceMs === undefined ? {} : { stateSinceMs: i.stateSinceMs }),
        }));
        const result = scaleDownCooldown(
          { afterScaleUpMs: s.afterScaleUpMs, afterReadyMs: s.afterReadyMs },
          { nowMs: s.nowMs, from: s.from, to: s.to, lastScaleUpAtMs: s.lastScaleUpAtMs, instances },
        );
        if (s.to >= s.from) {
          expect(result.allowed).toBe(true);
          return;
        }
        const inUpCooldown =
          s.lastScaleUpAtMs !== null && s.nowMs < s.lastScaleUpAtMs + s.afterScaleUpMs;
        const inReadyCooldown = instances.some(
          (i) =>
            i.state === 'ready' &&
            i.stateSinceMs !== undefined &&
            s.nowMs < i.stateSinceMs + s.afterReadyMs,
        );
        expect(result.allowed).toBe(!inUpCooldown && !inReadyCooldown);
        if (!result.allowed) {
          expect(result.untilMs).toBeGreaterThan(s.nowMs);
          // At untilMs it is allowed.
          const later = scaleDownCooldown(
            { afterScaleUpMs: s.afterScaleUpMs, afterReadyMs: s.afterReadyMs },
            {
              nowMs: result.untilMs!,
              from: s.from,
              to: s.to,
              lastScaleUpAtMs: s.lastScaleUpAtMs,
              instances,
            },
          );
          expect(later.allowed).toBe(true);
        }
      }),
      RUNS,
    );
  });
});
