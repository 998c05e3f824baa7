import { describe, expect, it } from 'vitest';
import { thrownCode } from '../../../../../tools/test-utils.js';
import {
  FLAP_WINDOW_DEFAULT_MS,
  flapBudgetStep,
  initialFlapState,
  type FlapBudgetConfig,
  type FlapState,
} from './index.js';

const MINUTE_MS = 60_000;

describe('flapBudgetStep', () => {
  it('allows the first scale and same-direction scales without counting them', () => {
    const config: FlapBudgetConfig = { maxDirectionChanges: 1 };

    const first = flapBudgetStep(config, initialFlapState(), { from: 2, to: 4, nowMs: 0 });
    const again = flapBudgetStep(config, first.state, { from: 4, to: 8, nowMs: MINUTE_MS });

    expect(first).toEqual({
      allowed: true,
      reason: 'no_direction_change',
      state: { lastDirection: 'up', changesAtMs: [], lastStepAtMs: 0 },
      changesInWindow: 0,
    });
    expect(again.reason).toBe('no_direction_change');
    expect(again.state.lastDirection).toBe('up');
  });

  it('allows a hold and keeps the last direction', () => {
    const state: FlapState = { lastDirection: 'down', changesAtMs: [], lastStepAtMs: 0 };
    const hold = flapBudgetStep({ maxDirectionChanges: 1 }, state, { from: 3, to: 3, nowMs: 5 });
    expect(hold.allowed).toBe(true);
    expect(hold.reason).toBe('no_direction_change');
    expect(hold.state.lastDirection).toBe('down');
  });

  it('refuses the (K+1)th direction change inside the window and allows it once one expires', () => {
    // Arrange: K = 2 per 10 minutes; up at 0, down at 1 min (change 1), up at 2 min (change 2).
    const config: FlapBudgetConfig = { maxDirectionChanges: 2, windowMs: 10 * MINUTE_MS };
    let state = initialFlapState();
    state = flapBudgetStep(config, state, { from: 2, to: 3, nowMs: 0 }).state;
    const change1 = flapBudgetStep(config, state, { from: 3, to: 2, nowMs: MINUTE_MS });
    const change2 = flapBudgetStep(config, change1.state, { from: 2, to: 3, nowMs: 2 * MINUTE_MS });

    // Act: a third reversal at 5 min, and again once the first change has left the window.
    const refused = flapBudgetStep(config, change2.state, { from: 3, to: 2, nowMs: 5 * MINUTE_MS });
    const sameDirection = flapBudgetStep(config, refused.state, {
      from: 3,
      to: 4,
      nowMs: 6 * MINUTE_MS,
    });
    const stillRefused = flapBudgetStep(config, sameDirection.state, {
      from: 4,
      to: 2,
      nowMs: 11 * MINUTE_MS - 1,
    });
    const allowedAgain = flapBudgetStep(config, stillRefused.state, {
      from: 4,
      to: 2,
      nowMs: 11 * MINUTE_MS,
    });

    // Assert
    expect([change1.reason, change1.changesInWindow]).toEqual(['allowed', 1]);
    expect([change2.reason, change2.changesInWindow]).toEqual(['allowed', 2]);
    expect(refused).toEqual({
      allowed: false,
      reason: 'flap_budget_spent',
      state: {
        lastDirection: 'up',
        changesAtMs: [MINUTE_MS, 2 * MINUTE_MS],
        lastStepAtMs: 5 * MINUTE_MS,
      },
      changesInWindow: 2,
    });
    expect(sameDirection.allowed).toBe(true);
    // The change at 1 min counts until 1 min + windowMs = 11 min, exclusive.
    expect(stillRefused.reason).toBe('flap_budget_spent');
    expect(allowedAgain.reason).toBe('allowed');
    expect(allowedAgain.state.changesAtMs).toEqual([2 * MINUTE_MS, 11 * MINUTE_MS]);
  });

  it('defaults the window to one hour', () => {
    expect(FLAP_WINDOW_DEFAULT_MS).toBe(3_600_000);
    const state: FlapState = { lastDirection: 'up', changesAtMs: [0], lastStepAtMs: 0 };
    const config: FlapBudgetConfig = { maxDirectionChanges: 1 };
    expect(flapBudgetStep(config, state, { from: 2, to: 1, nowMs: 3_599_999 }).allowed).toBe(false);
    expect(flapBudgetStep(config, state, { from: 2, to: 1, nowMs: 3_600_000 }).allowed).toBe(true);
  });

  it('evaluates a proposal from a clock that stepped back at the latest time seen', () => {
    const config: FlapBudgetConfig = { maxDirectionChanges: 1, windowMs: 1_000 };
    const state: FlapState = { lastDirection: 'up', changesAtMs: [], lastStepAtMs: 5_000 };

    const result = flapBudgetStep(config, state, { from: 2, to: 1, nowMs: 1_000 });

    expect(result.state).toEqual({
      lastDirection: 'down',
      changesAtMs: [5_000],
      lastStepAtMs: 5_000,
    });
  });

  it('prunes and caps a restored state to the K latest changes inside the window', () => {
    const state: FlapState = {
      lastDirection: 'down',
      changesAtMs: [900, 100, 800, 700],
      lastStepAtMs: 900,
    };
    const result = flapBudgetStep({ maxDirectionChanges: 2, windowMs: 500 }, state, {
      from: 1,
      to: 1,
      nowMs: 1_000,
    });
    expect(result.state.changesAtMs).toEqual([800, 900]);
  });

  it('keeps its state plain JSON', () => {
    const config: FlapBudgetConfig = { maxDirectionChanges: 3 };
    const a = flapBudgetStep(config, initialFlapState(), { from: 1, to: 2, nowMs: 10 });
    const b = flapBudgetStep(config, a.state, { from: 2, to: 1, nowMs: 20 });
    const restored = JSON.parse(JSON.stringify(b.state)) as FlapState;
    expect(restored).toEqual(b.state);
    expect(flapBudgetStep(config, restored, { from: 1, to: 2, nowMs: 30 })).toEqual(
      flapBudgetStep(config, b.state, { from: 1, to: 2, nowMs: 30 }),
    );
  });

  it('throws invalid_config on a bad budget and invalid_argument on a bad proposal or state', () => {
    const state = initialFlapState();
    const proposal = { from: 1, to: 2, nowMs: 0 };
    expect(thrownCode(() => flapBudgetStep({ maxDirectionChanges: 0 }, state, proposal))).toBe(
      'invalid_config',
    );
    expect(thrownCode(() => flapBudgetStep({ maxDirectionChanges: 1.5 }, state, proposal))).toBe(
      'invalid_config',
    );
    expect(
      thrownCode(() => flapBudgetStep({ maxDirectionChanges: 1, windowMs: 0 }, state, proposal)),
    ).toBe('invalid_config');
    expect(
      thrownCode(() =>
        flapBudgetStep({ maxDirectionChanges: 1 }, state, { from: 1, to: 2, nowMs: Number.NaN }),
      ),
    ).toBe('invalid_argument');
    expect(
      thrownCode(() =>
        flapBudgetStep({ maxDirectionChanges: 1 }, state, { from: -1, to: 2, nowMs: 0 }),
      ),
    ).toBe('invalid_argument');
    expect(
      thrownCode(() =>
        flapBudgetStep(
          { maxDirectionChanges: 1 },
          {
            lastDirection: 'sideways',
            changesAtMs: [],
            lastStepAtMs: null,
          } as unknown as FlapState,
          proposal,
        ),
      ),
    ).toBe('invalid_argument');
  });
});
