import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  flapBudgetStep,
  initialFlapState,
  type FlapBudgetConfig,
  type ScaleDirection,
} from './index.js';

const RUNS = { numRuns: 1000 };

const scenarioArb = fc.record({
  maxDirectionChanges: fc.integer({ min: 1, max: 4 }),
  windowMs: fc.integer({ min: 1, max: 1_000 }),
  startReplicas: fc.integer({ min: 0, max: 10 }),
  steps: fc.array(
    fc.record({
      // Gaps from 0 (several proposals at one instant) to past a whole window.
      gapMs: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 1_500 }),
      ),
      to: fc.integer({ min: 0, max: 10 }),
    }),
    { maxLength: 80 },
  ),
});

describe('flapBudgetStep properties', () => {
  it('never lets any trailing window hold more than K direction changes', () => {
    fc.assert(
      fc.property(scenarioArb, ({ maxDirectionChanges, windowMs, startReplicas, steps }) => {
        // Arrange
        const config: FlapBudgetConfig = { maxDirectionChanges, windowMs };
        let state = initialFlapState();
        let replicas = startReplicas;
        let nowMs = 0;
        let lastApplied: ScaleDirection | null = null;
        const changeTimesMs: number[] = [];

        // Act: apply only what the budget allows, and count reversals independently.
        for (const step of steps) {
          nowMs += step.gapMs;
          const result = flapBudgetStep(config, state, { from: replicas, to: step.to, nowMs });
          const direction = step.to > replicas ? 'up' : step.to < replicas ? 'down' : null;
          const reverses = direction !== null && lastApplied !== null && direction !== lastApplied;
          const inWindow = changeTimesMs.filter((t) => t > nowMs - windowMs).length;

          // The decision matches the model: only a reversal past the budget is refused.
          expect(result.allowed).toBe(!reverses || inWindow < maxDirectionChanges);
          expect(result.reason).toBe(
            !reverses ? 'no_direction_change' : result.allowed ? 'allowed' : 'flap_budget_spent',
          );
          expect(result.changesInWindow).toBe(inWindow + (reverses && result.allowed ? 1 : 0));
          expect(result.state.changesAtMs.length).toBeLessThanOrEqual(maxDirectionChanges);

          state = result.state;
          if (result.allowed) {
            if (reverses) changeTimesMs.push(nowMs);
            if (direction !== null) lastApplied = direction;
            replicas = step.to;
          }
        }

        // Assert: the busiest trailing window ends at a change; check every one.
        for (const endMs of changeTimesMs) {
          const count = changeTimesMs.filter((t) => t > endMs - windowMs && t <= endMs).length;
          expect(count).toBeLessThanOrEqual(maxDirectionChanges);
        }
      }),
      RUNS,
    );
  });

  it('is deterministic and its state survives a JSON round trip', () => {
    fc.assert(
      fc.property(scenarioArb, ({ maxDirectionChanges, windowMs, startReplicas, steps }) => {
        const config: FlapBudgetConfig = { maxDirectionChanges, windowMs };
        let direct = initialFlapState();
        let viaJson = initialFlapState();
        let replicas = startReplicas;
        let nowMs = 0;
        for (const step of steps) {
          nowMs += step.gapMs;
          const proposal = { from: replicas, to: step.to, nowMs };
          const a = flapBudgetStep(config, direct, proposal);
          const b = flapBudgetStep(config, viaJson, proposal);
          expect(b).toEqual(a);
          direct = a.state;
          viaJson = JSON.parse(JSON.stringify(b.state)) as typeof viaJson;
          if (a.allowed) replicas = step.to;
        }
      }),
      RUNS,
    );
  });
});
