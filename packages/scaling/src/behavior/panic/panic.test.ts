import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import {
  initialPanicState,
  panicStep,
  panicWindowMs,
  parsePanicConfig,
  windowAverages,
  type DemandSample,
  type PanicState,
} from './index.js';

const T0 = 1_700_000_000_000;
const SECOND = 1_000;

/** One sample every `everyMs` in [fromMs, toMs], each with the value `valueAt(t)`. */
function series(
  fromMs: number,
  toMs: number,
  everyMs: number,
  valueAt: (atMs: number) => number,
): DemandSample[] {
  const out: DemandSample[] = [];
  for (let atMs = fromMs; atMs <= toMs; atMs += everyMs) out.push({ atMs, value: valueAt(atMs) });
  return out;
}

/** A minute of samples, one a second, ending at `nowMs`: `base` until the last 6 s, then `burst`. */
function burst(nowMs: number, base: number, burstValue: number): DemandSample[] {
  return series(nowMs - 60 * SECOND, nowMs, SECOND, (t) =>
    t > nowMs - 6 * SECOND ? burstValue : base,
  );
}

/** Enters panic at T0 with 5 ready replicas and a target of 10 (a burst to 100). */
function enterPanic(): { state: PanicState; desired: number } {
  const step = panicStep({ targetPerReplica: 10 }, initialPanicState(), {
    nowMs: T0,
    readyReplicas: 5,
    observed: burst(T0, 50, 100),
  });
  expect(step.reason).toBe('panic_entered');
  return { state: step.state, desired: step.desiredReplicas };
}

describe('panicStep: Knative Pod Autoscaler stable and panic modes', () => {
  it('defaults to a 60 s stable window, a 10% (6 s) panic window and a 200% threshold (Knative defaults)', () => {
    // Arrange / Act
    const config = parsePanicConfig({ targetPerReplica: 10 });

    // Assert
    expect(config).toEqual({
      stableWindowMs: 60_000,
      panicWindowPercentage: 10,
      panicThresholdPercentage: 200,
      targetPerReplica: 10,
    });
    expect(panicWindowMs(config)).toBe(6_000);
  });

  it('in stable mode proposes ceil(average demand over the stable window / target)', () => {
    // Arrange: 30 concurrent requests for a minute, target 10 per replica, 4 ready.
    const observed = series(T0 - 60 * SECOND, T0, 2 * SECOND, () => 30);

    // Act
    const step = panicStep({ targetPerReplica: 10 }, initialPanicState(), {
      nowMs: T0,
      readyReplicas: 4,
      observed,
    });

    // Assert: 30 / 10 = 3 exactly (no stray replica from floating-point noise).
    expect(step).toMatchObject({
      desiredReplicas: 3,
      stableDesired: 3,
      panicDesired: 3,
      inPanic: false,
      reason: 'stable',
    });
    expect(step.state).toEqual(initialPanicState());
  });

  it('enters panic when the panic proposal is >= 200% of the ready replicas (threshold inclusive)', () => {
    // Arrange: 5 ready; 100 concurrent over the last 6 s proposes 10 = 2 × 5.
    const observed = burst(T0, 50, 100);

    // Act
    const step = panicStep({ targetPerReplica: 10 }, initialPanicState(), {
      nowMs: T0,
      readyReplicas: 5,
      observed,
    });

    // Assert: stable average (54 s × 50 + 6 s × 100) / 60 s = 55 -> 6; panic -> 10; max wins.
    expect(step).toMatchObject({
      stableDesired: 6,
      panicDesired: 10,
      desiredReplicas: 10,
      inPanic: true,
      reason: 'panic_entered',
    });
    expect(step.state).toEqual({ panicSinceMs: T0, lastTriggeredAtMs: T0, maxPanicReplicas: 10 });
  });

  it('stays in stable mode just below the threshold', () => {
    // Arrange: 90 concurrent over the last 6 s proposes 9 < 2 × 5.
    const step = panicStep({ targetPerReplica: 10 }, initialPanicState(), {
      nowMs: T0,
      readyReplicas: 5,
      observed: burst(T0, 50, 90),
    });

    // Assert: the stable proposal, (54 × 50 + 6 × 90) / 60 = 54 -> 6.
    expect(step).toMatchObject({
      panicDesired: 9,
      stableDesired: 6,
      desiredReplicas: 6,
      inPanic: false,
      reason: 'stable',
    });
  });

  it('honours a custom threshold and panic window percentage', () => {
    // Arrange: threshold 150% of 4 ready = 6; a 20% panic window of 60 s = 12 s.
    const config = {
      targetPerReplica: 10,
      panicThresholdPercentage: 150,
      panicWindowPercentage: 20,
    };
    const observed = series(T0 - 60 * SECOND, T0, SECOND, (t) => (t > T0 - 12 * SECOND ? 60 : 20));

    // Act
    const step = panicStep(config, initialPanicState(), { nowMs: T0, readyReplicas: 4, observed });

    // Assert
    expect(step).toMatchObject({ panicDesired: 6, inPanic: true, reason: 'panic_entered' });
  });

  it('never scales down while in panic: the count holds when demand falls (Knative: no scale-down in panic)', () => {
    // Arrange
    const { state, desired } = enterPanic();

    // Act: 2 s later the burst is over, demand is back to 10.
    const nowMs = T0 + 2 * SECOND;
    const step = panicStep({ targetPerReplica: 10 }, state, {
      nowMs,
      readyReplicas: 10,
      observed: series(nowMs - 60 * SECOND, nowMs, SECOND, () => 10),
    });

    // Assert
    expect(step).toMatchObject({
      desiredReplicas: desired,
      stableDesired: 1,
      inPanic: true,
      reason: 'panic_holding',
    });
  });

  it('in panic the count can still rise, to the larger of both proposals', () => {
    // Arrange
    const { state } = enterPanic();

    // Act: a bigger burst, 180 concurrent, with 10 ready: 18 < 20, below the threshold, but in panic.
    const nowMs = T0 + 2 * SECOND;
    const step = panicStep({ targetPerReplica: 10 }, state, {
      nowMs,
      readyReplicas: 10,
      observed: burst(nowMs, 50, 180),
    });

    // Assert
    expect(step).toMatchObject({ desiredReplicas: 18, inPanic: true, reason: 'panic_rising' });
    expect(step.state.maxPanicReplicas).toBe(18);
    // The threshold was not reached again: the panic's clock was not restarted.
    expect(step.state.lastTriggeredAtMs).toBe(T0);
  });

  it('leaves panic only after a full stable window without re-triggering (Knative: un-panic)', () => {
    // Arrange
    const { state } = enterPanic();
    const calm = (nowMs: number): DemandSample[] =>
      series(nowMs - 60 * SECOND, nowMs, SECOND, () => 20);

    // Act: exactly one stable window after the trigger, and 1 ms later.
    const atWindow = panicStep({ targetPerReplica: 10 }, state, {
      nowMs: T0 + 60_000,
      readyReplicas: 10,
      observed: calm(T0 + 60_000),
    });
    const after = panicStep({ targetPerReplica: 10 }, atWindow.state, {
      nowMs: T0 + 60_001,
      readyReplicas: 10,
      observed: calm(T0 + 60_001),
    });

    // Assert: still held at the window's end; the step after it uses the stable proposal again.
    expect(atWindow).toMatchObject({ inPanic: true, desiredReplicas: 10, reason: 'panic_holding' });
    expect(after).toMatchObject({
      inPanic: false,
      desiredReplicas: 2,
      stableDesired: 2,
      reason: 'panic_exited',
    });
    expect(after.state).toEqual(initialPanicState());
  });

  it('reaching the threshold again restarts the stable window before panic can end', () => {
    // Arrange
    const { state } = enterPanic();
    const retriggerAtMs = T0 + 30 * SECOND;
    const retrigger = panicStep({ targetPerReplica: 10 }, state, {
      nowMs: retriggerAtMs,
      readyReplicas: 5,
      observed: burst(retriggerAtMs, 50, 100),
    });
    const calm = (nowMs: number): DemandSample[] =>
      series(nowMs - 60 * SECOND, nowMs, SECOND, () => 20);

    // Act
    const stillPanicking = panicStep({ targetPerReplica: 10 }, retrigger.state, {
      nowMs: T0 + 61 * SECOND,
      readyReplicas: 10,
      observed: calm(T0 + 61 * SECOND),
    });
    const exited = panicStep({ targetPerReplica: 10 }, stillPanicking.state, {
      nowMs: retriggerAtMs + 60_001,
      readyReplicas: 10,
      observed: calm(retriggerAtMs + 60_001),
    });

    // Assert
    expect(retrigger.state).toMatchObject({ panicSinceMs: T0, lastTriggeredAtMs: retriggerAtMs });
    expect(stillPanicking.inPanic).toBe(true);
    expect(exited).toMatchObject({ inPanic: false, reason: 'panic_exited' });
  });

  it('counts zero ready replicas as one when comparing with the threshold (Knative)', () => {
    // Arrange: 0 ready, target 10.
    const observe = (value: number): DemandSample[] =>
      series(T0 - 10 * SECOND, T0, SECOND, () => value);

    // Act
    const two = panicStep({ targetPerReplica: 10 }, initialPanicState(), {
      nowMs: T0,
      readyReplicas: 0,
      observed: observe(20),
    });
    const one = panicStep({ targetPerReplica: 10 }, initialPanicState(), {
      nowMs: T0,
      readyReplicas: 0,
      observed: observe(10),
    });

    // Assert: 2 >= 200% × max(1, 0); 1 is not.
    expect(two).toMatchObject({ inPanic: true, desiredReplicas: 2 });
    expect(one).toMatchObject({ inPanic: false, desiredReplicas: 1, reason: 'stable' });
  });

  it('without samples in a window, that window proposes the ready count', () => {
    // Arrange / Act: nothing at all.
    const empty = panicStep({ targetPerReplica: 10 }, initialPanicState(), {
      nowMs: T0,
      readyReplicas: 7,
      observed: [],
    });
    // Samples only older than the panic window (30 s to 10 s ago).
    const old = panicStep({ targetPerReplica: 10 }, initialPanicState(), {
      nowMs: T0,
      readyReplicas: 7,
      observed: series(T0 - 30 * SECOND, T0 - 10 * SECOND, SECOND, () => 40),
    });

    // Assert
    expect(empty).toMatchObject({
      desiredReplicas: 7,
      stableDesired: 7,
      panicDesired: 7,
      reason: 'no_data',
      inPanic: false,
    });
    expect(old).toMatchObject({ stableDesired: 4, panicDesired: 7, desiredReplicas: 4 });
  });

  it('ignores non-finite, negative and future samples and counts them', () => {
    // Arrange
    const good = series(T0 - 60 * SECOND, T0, 2 * SECOND, () => 30);
    const bad: DemandSample[] = [
      { atMs: T0 - 1_000, value: Number.NaN },
      { atMs: T0 - 1_500, value: Number.POSITIVE_INFINITY },
      { atMs: T0 - 500, value: -40 },
      { atMs: Number.NaN, value: 10 },
      { atMs: T0 + 5_000, value: 1_000 },
    ];

    // Act
    const clean = panicStep({ targetPerReplica: 10 }, initialPanicState(), {
      nowMs: T0,
      readyReplicas: 4,
      observed: good,
    });
    const dirty = panicStep({ targetPerReplica: 10 }, initialPanicState(), {
      nowMs: T0,
      readyReplicas: 4,
      observed: [...bad, ...good],
    });

    // Assert
    expect(dirty.ignoredSamples).toBe(5);
    expect({ ...dirty, ignoredSamples: 0 }).toEqual(clean);
  });

  it('weights samples by the time they stand for, so bunched scrapes do not dominate', () => {
    // Arrange: 10 for 58 s (one scrape), then 20 scrapes of 100 within the last 2 s.
    const observed: DemandSample[] = [
      { atMs: T0 - 60 * SECOND, value: 10 },
      { atMs: T0 - 2 * SECOND, value: 10 },
      ...series(T0 - 1_900, T0, 100, () => 100),
    ];

    // Act
    const { windows } = windowAverages(observed, T0, [60_000]);
    const step = panicStep({ targetPerReplica: 10 }, initialPanicState(), {
      nowMs: T0,
      readyReplicas: 10,
      observed,
    });

    // Assert: (58 s × 10 + 2 s × 100) / 60 s = 13, not the plain mean of about 96.
    expect(windows[0]?.average).toBeCloseTo(13, 9);
    expect(step.stableDesired).toBe(2);
  });

  it('averages a window whose samples cover no time as their plain mean', () => {
    // Arrange: a single scrape in the panic window, with no sample before it.
    const { windows } = windowAverages([{ atMs: T0, value: 42 }], T0, [6_000]);

    // Assert
    expect(windows[0]).toEqual({ average: 42, samples: 1 });
  });

  it('resumes from a JSON round-trip of its state', () => {
    // Arrange
    const { state } = enterPanic();
    const nowMs = T0 + 4 * SECOND;
    const input = { nowMs, readyReplicas: 10, observed: burst(nowMs, 10, 10) };

    // Act
    const direct = panicStep({ targetPerReplica: 10 }, state, input);
    const revived = panicStep(
      { targetPerReplica: 10 },
      JSON.parse(JSON.stringify(state)) as PanicState,
      input,
    );

    // Assert
    expect(revived).toEqual(direct);
  });

  it('reads a malformed state as the initial state', () => {
    // Arrange
    const corrupt = { panicSinceMs: 'yesterday', lastTriggeredAtMs: null } as unknown as PanicState;

    // Act
    const step = panicStep({ targetPerReplica: 10 }, corrupt, {
      nowMs: T0,
      readyReplicas: 3,
      observed: series(T0 - 60 * SECOND, T0, SECOND, () => 20),
    });

    // Assert
    expect(step).toMatchObject({ inPanic: false, desiredReplicas: 2, reason: 'stable' });
  });
});

describe('panicStep: validation', () => {
  it.each([
    [{ targetPerReplica: 10, stableWindowMs: 5_000 }, 'stableWindowMs', '>= 6000', 5_000],
    [
      { targetPerReplica: 10, stableWindowMs: 4_000_000 },
      'stableWindowMs',
      '<= 3600000',
      4_000_000,
    ],
    [{ targetPerReplica: 10, panicWindowPercentage: 0.5 }, 'panicWindowPercentage', '>= 1', 0.5],
    [
      { targetPerReplica: 10, panicThresholdPercentage: 100 },
      'panicThresholdPercentage',
      '>= 110',
      100,
    ],
    [{ targetPerReplica: 0 }, 'targetPerReplica', '> 0', 0],
  ])(
    'rejects %o with invalid_config naming the path, bound and value',
    (config, path, limit, value) => {
      // Act
      let caught: unknown;
      try {
        panicStep(config, initialPanicState(), { nowMs: T0, readyReplicas: 1, observed: [] });
      } catch (error) {
        caught = error;
      }

      // Assert
      expect(isHeadroomError(caught, 'invalid_config')).toBe(true);
      expect(caught).toMatchObject({ path: [path], limit, value });
    },
  );

  it('rejects unknown keys', () => {
    expect(() =>
      parsePanicConfig({ targetPerReplica: 10, panicWindowPercent: 10 } as never),
    ).toThrow(/invalid_config/);
  });

  it.each([
    ['readyReplicas', { nowMs: T0, readyReplicas: -1, observed: [] }],
    ['readyReplicas', { nowMs: T0, readyReplicas: 1.5, observed: [] }],
    ['readyReplicas', { nowMs: T0, readyReplicas: Number.NaN, observed: [] }],
    ['nowMs', { nowMs: Number.POSITIVE_INFINITY, readyReplicas: 1, observed: [] }],
  ])('rejects an invalid %s with invalid_argument', (path, input) => {
    let caught: unknown;
    try {
      panicStep({ targetPerReplica: 10 }, initialPanicState(), input);
    } catch (error) {
      caught = error;
    }
    expect(isHeadroomError(caught, 'invalid_argument')).toBe(true);
    expect(caught).toMatchObject({ path: [path] });
  });
});
