import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import {
  initialScaleToZeroState,
  parseScaleToZeroConfig,
  scaleToZeroStep,
  type ScaleToZeroConfigInput,
  type ScaleToZeroState,
} from './index.js';

const T0 = 1_700_000_000_000;
const BATCH: ScaleToZeroConfigInput = {
  activationThreshold: 5,
  allowed: true,
  coldStartMs: 90_000,
};
const REALTIME: ScaleToZeroConfigInput = {
  activationThreshold: 5,
  allowed: false,
  coldStartMs: 90_000,
};

/** The state after an active sample at `atMs`. */
function activeAt(atMs: number): ScaleToZeroState {
  const step = scaleToZeroStep(BATCH, initialScaleToZeroState(), {
    nowMs: atMs,
    currentReplicas: 2,
    metricValue: 50,
  });
  expect(step.reason).toBe('active');
  return step.state;
}

describe('scaleToZeroStep: KEDA activation and cooldown', () => {
  it('defaults the cooldown to 300 s (KEDA cooldownPeriod)', () => {
    expect(parseScaleToZeroConfig(BATCH).cooldownMs).toBe(300_000);
  });

  it('activates 0 -> 1 only when the metric is strictly above activationThreshold (KEDA IsActive)', () => {
    // Act
    const at = scaleToZeroStep(BATCH, initialScaleToZeroState(), {
      nowMs: T0,
      currentReplicas: 0,
      metricValue: 5,
    });
    const above = scaleToZeroStep(BATCH, initialScaleToZeroState(), {
      nowMs: T0,
      currentReplicas: 0,
      metricValue: 5.5,
    });

    // Assert
    expect(at).toMatchObject({ action: 'none', replicas: undefined, reason: 'idle_at_zero' });
    expect(at.state.lastActiveAtMs).toBeNull();
    expect(above).toMatchObject({
      action: 'activate',
      replicas: 1,
      reason: 'activate',
      coldStartPenaltyMs: 90_000,
      state: { lastActiveAtMs: T0 },
    });
    expect(above.detail).toContain('90000 ms');
  });

  it('leaves 1 <-> N to the HPA: an active workload with replicas is not touched', () => {
    const step = scaleToZeroStep(BATCH, initialScaleToZeroState(), {
      nowMs: T0,
      currentReplicas: 7,
      metricValue: 500,
    });
    expect(step).toMatchObject({
      action: 'none',
      replicas: undefined,
      reason: 'active',
      coldStartPenaltyMs: undefined,
      cooldownEndsAtMs: T0 + 300_000,
    });
  });

  it('scales to zero only once the cooldown has passed since the last active sample (KEDA cooldownPeriod)', () => {
    // Arrange: active at T0; inactive (0 <= 5) afterwards.
    let state = activeAt(T0);
    const inactive = (nowMs: number) =>
      scaleToZeroStep(BATCH, state, { nowMs, currentReplicas: 2, metricValue: 0 });

    // Act / Assert: inactive steps do not move the cooldown's start.
    for (const nowMs of [T0 + 100_000, T0 + 200_000, T0 + 300_000]) {
      const step = inactive(nowMs);
      expect(step).toMatchObject({ action: 'none', reason: 'cooling_down' });
      expect(step.state.lastActiveAtMs).toBe(T0);
      state = step.state;
    }
    const after = inactive(T0 + 300_001);
    expect(after).toMatchObject({
      action: 'deactivate',
      replicas: 0,
      reason: 'deactivate',
      coldStartPenaltyMs: undefined,
    });
  });

  it('an active sample during the cooldown restarts it', () => {
    // Arrange
    const first = activeAt(T0);
    const again = scaleToZeroStep(BATCH, first, {
      nowMs: T0 + 250_000,
      currentReplicas: 1,
      metricValue: 6,
    });

    // Act
    const step = scaleToZeroStep(BATCH, again.state, {
      nowMs: T0 + 400_000,
      currentReplicas: 1,
      metricValue: 0,
    });

    // Assert
    expect(step).toMatchObject({
      action: 'none',
      reason: 'cooling_down',
      cooldownEndsAtMs: T0 + 550_000,
    });
  });

  it('honours a custom cooldown, including 0', () => {
    const config = { ...BATCH, cooldownMs: 0 };
    const state = activeAt(T0);
    expect(
      scaleToZeroStep(config, state, { nowMs: T0, currentReplicas: 1, metricValue: 0 }).action,
    ).toBe('none');
    expect(
      scaleToZeroStep(config, state, { nowMs: T0 + 1, currentReplicas: 1, metricValue: 0 }).action,
    ).toBe('deactivate');
  });

  it('never scales to zero on a missing metric, and says so', () => {
    // Arrange: active long ago.
    const state = activeAt(T0);

    // Act
    const step = scaleToZeroStep(BATCH, state, {
      nowMs: T0 + 86_400_000,
      currentReplicas: 3,
      metricValue: undefined,
    });

    // Assert
    expect(step).toMatchObject({ action: 'none', replicas: undefined, reason: 'metric_missing' });
    expect(step.detail).toMatch(/missing/);
    expect(step.detail).toMatch(/never scaling to zero/);
    expect(step.state).toEqual(state);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, -1])(
    'holds on an invalid metric (%s): never scales to zero, never activates',
    (metricValue) => {
      const running = scaleToZeroStep(BATCH, activeAt(T0), {
        nowMs: T0 + 86_400_000,
        currentReplicas: 3,
        metricValue,
      });
      const atZero = scaleToZeroStep(BATCH, initialScaleToZeroState(), {
        nowMs: T0,
        currentReplicas: 0,
        metricValue,
      });
      expect(running).toMatchObject({ action: 'none', reason: 'metric_invalid' });
      expect(atZero).toMatchObject({ action: 'none', reason: 'metric_invalid' });
    },
  );

  it('never scales a class that is not allowed to zero, and brings it up if found at zero', () => {
    // Act
    const idle = scaleToZeroStep(REALTIME, activeAt(T0), {
      nowMs: T0 + 86_400_000,
      currentReplicas: 2,
      metricValue: 0,
    });
    const atZero = scaleToZeroStep(REALTIME, initialScaleToZeroState(), {
      nowMs: T0,
      currentReplicas: 0,
      metricValue: undefined,
    });

    // Assert
    expect(idle).toMatchObject({
      action: 'none',
      reason: 'not_allowed',
      cooldownEndsAtMs: undefined,
    });
    expect(atZero).toMatchObject({
      action: 'activate',
      replicas: 1,
      reason: 'zero_not_allowed',
      coldStartPenaltyMs: 90_000,
    });
  });

  it('starts the cooldown when it first sees a running workload (unlike KEDA, which scales it to zero at once)', () => {
    // Act: a fresh leader, no state, an idle workload of 3 replicas.
    const first = scaleToZeroStep(BATCH, initialScaleToZeroState(), {
      nowMs: T0,
      currentReplicas: 3,
      metricValue: 0,
    });
    const later = scaleToZeroStep(BATCH, first.state, {
      nowMs: T0 + 300_001,
      currentReplicas: 3,
      metricValue: 0,
    });

    // Assert
    expect(first).toMatchObject({
      action: 'none',
      reason: 'cooling_down',
      state: { lastActiveAtMs: T0 },
    });
    expect(later).toMatchObject({ action: 'deactivate', replicas: 0 });
  });

  it('holds on an invalid replica count', () => {
    const step = scaleToZeroStep(BATCH, activeAt(T0), {
      nowMs: T0 + 86_400_000,
      currentReplicas: -1,
      metricValue: 0,
    });
    expect(step).toMatchObject({
      action: 'none',
      reason: 'replicas_invalid',
      state: { lastActiveAtMs: T0 },
    });
  });

  it('resumes from a JSON round-trip of its state, and reads malformed state as initial', () => {
    const state = activeAt(T0);
    const input = { nowMs: T0 + 300_001, currentReplicas: 1, metricValue: 0 };
    const revived = JSON.parse(JSON.stringify(state)) as ScaleToZeroState;
    expect(scaleToZeroStep(BATCH, revived, input)).toEqual(scaleToZeroStep(BATCH, state, input));

    const corrupt = { lastActiveAtMs: 'x' } as unknown as ScaleToZeroState;
    expect(scaleToZeroStep(BATCH, corrupt, input)).toMatchObject({
      reason: 'cooling_down',
      state: { lastActiveAtMs: T0 + 300_001 },
    });
  });
});

describe('scaleToZeroStep: validation', () => {
  it.each([
    [{ ...BATCH, cooldownMs: -1 }, 'cooldownMs', '>= 0', -1],
    [
      { ...BATCH, activationThreshold: Number.NaN },
      'activationThreshold',
      'type number',
      Number.NaN,
    ],
    [{ ...BATCH, activationThreshold: -2 }, 'activationThreshold', '>= 0', -2],
    [{ ...BATCH, coldStartMs: -5 }, 'coldStartMs', '>= 0', -5],
    [{ activationThreshold: 0, coldStartMs: 0 }, 'allowed', 'type boolean', undefined],
  ])(
    'rejects %o with invalid_config naming the path, bound and value',
    (config, path, limit, value) => {
      let caught: unknown;
      try {
        scaleToZeroStep(config as ScaleToZeroConfigInput, initialScaleToZeroState(), {
          nowMs: T0,
          currentReplicas: 1,
          metricValue: 0,
        });
      } catch (error) {
        caught = error;
      }
      expect(isHeadroomError(caught, 'invalid_config')).toBe(true);
      expect(caught).toMatchObject({ path: [path], limit, value });
    },
  );

  it('rejects a non-finite nowMs with invalid_argument', () => {
    expect(() =>
      scaleToZeroStep(BATCH, initialScaleToZeroState(), {
        nowMs: Number.NaN,
        currentReplicas: 1,
        metricValue: 0,
      }),
    ).toThrow(/invalid_argument at nowMs/);
  });
});
