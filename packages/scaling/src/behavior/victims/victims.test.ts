import { type CapacityType, type InstanceSnapshot, type LifecycleState } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { thrownCode } from '../../../../../tools/test-utils.js';
import { chooseScaleInVictims, drainPlan, type ScaleInVictim } from './index.js';

interface Spec {
  readonly streams?: number;
  readonly inFlight?: number;
  readonly capacityType?: CapacityType;
  readonly sinceMs?: number;
}

function instance(id: string, state: LifecycleState, spec: Spec = {}): InstanceSnapshot {
  return {
    id,
    state,
    ...(spec.sinceMs === undefined ? {} : { stateSinceMs: spec.sinceMs }),
    labels: spec.capacityType === undefined ? {} : { capacityType: spec.capacityType },
    load: {
      ...(spec.streams === undefined ? {} : { activeStreams: spec.streams }),
      ...(spec.inFlight === undefined ? {} : { inFlightRequests: spec.inFlight }),
    },
    gpus: [],
    observedAtMs: 1_000_000,
  };
}

const idle = (id: string, spec: Spec = {}): InstanceSnapshot =>
  instance(id, 'ready', { streams: 0, inFlight: 0, ...spec });

function ids(victims: readonly ScaleInVictim[]): string[] {
  return victims.map((v) => v.id);
}

describe('chooseScaleInVictims', () => {
  it('removes idle ready instances before busy ones, spot before on-demand before reserved', () => {
    // Arrange
    const fleet = [
      instance('busy', 'ready', { streams: 1, inFlight: 0, capacityType: 'spot' }),
      idle('reserved', { capacityType: 'reserved' }),
      idle('on-demand', { capacityType: 'on-demand' }),
      idle('spot', { capacityType: 'spot' }),
    ];

    // Act
    const result = chooseScaleInVictims(fleet, 3);

    // Assert
    expect(ids(result.victims)).toEqual(['spot', 'on-demand', 'reserved']);
    expect(result.victims.every((v) => v.reason === 'idle')).toBe(true);
    expect(result.skipped).toEqual([]);
    expect(result.shortfall).toBe(0);
  });

  it('removes the newest idle ready instance first within a capacity type', () => {
    const fleet = [
      idle('old', { sinceMs: 1_000 }),
      idle('new', { sinceMs: 9_000 }),
      idle('unknown'),
    ];
    expect(ids(chooseScaleInVictims(fleet, 3).victims)).toEqual(['new', 'old', 'unknown']);
  });

  it('cancels instances that are not ready before idle ready ones, least progress first', () => {
    const fleet = [
      idle('ready-idle'),
      instance('warming', 'warming', { sinceMs: 5_000 }),
      instance('loading-old', 'loading', { sinceMs: 1_000 }),
      instance('loading-new', 'loading', { sinceMs: 4_000 }),
      instance('requested', 'requested'),
      instance('provisioning', 'provisioning'),
    ];

    const result = chooseScaleInVictims(fleet, 6);

    expect(ids(result.victims)).toEqual([
      'requested',
      'provisioning',
      'loading-new',
      'loading-old',
      'warming',
      'ready-idle',
    ]);
    expect(result.victims.map((v) => v.reason)).toEqual([
      'not_ready',
      'not_ready',
      'not_ready',
      'not_ready',
      'not_ready',
      'idle',
    ]);
  });

  it('takes idle ready instances first with notReadyFirst: false', () => {
    const fleet = [instance('loading', 'loading'), idle('ready-idle')];
    const result = chooseScaleInVictims(fleet, 1, { notReadyFirst: false });
    expect(ids(result.victims)).toEqual(['ready-idle']);
  });

  it('counts unknown load on a ready instance as busy', () => {
    const fleet = [
      instance('unknown-streams', 'ready', { inFlight: 0 }),
      instance('unknown-inflight', 'ready', { streams: 0 }),
      instance('one-stream', 'ready', { streams: 1, inFlight: 0 }),
    ];

    const result = chooseScaleInVictims(fleet, 3);

    // Fewest streams first (unknown is the most), then fewest in flight (unknown is the most).
    expect(ids(result.victims)).toEqual(['unknown-inflight', 'one-stream', 'unknown-streams']);
    expect(result.victims.every((v) => v.reason === 'least_busy')).toBe(true);
  });

  it('treats unknown load on an instance that is not ready as none, and reported load as load', () => {
    const fleet = [
      instance('loading-unknown', 'loading'),
      instance('warming-serving', 'warming', { streams: 2 }),
      instance('busy-ready', 'ready', { streams: 3, inFlight: 0 }),
    ];

    const result = chooseScaleInVictims(fleet, 3);

    expect(result.victims.map((v) => [v.id, v.reason])).toEqual([
      ['loading-unknown', 'not_ready'],
      ['warming-serving', 'least_busy'],
      ['busy-ready', 'least_busy'],
    ]);
  });

  it('orders busy instances by fewest streams, then fewest in flight, then capacity type', () => {
    const fleet = [
      instance('a', 'ready', { streams: 2, inFlight: 0, capacityType: 'spot' }),
      instance('b', 'ready', { streams: 1, inFlight: 5, capacityType: 'spot' }),
      instance('c', 'ready', { streams: 1, inFlight: 2, capacityType: 'reserved' }),
      instance('d', 'ready', { streams: 1, inFlight: 2, capacityType: 'spot' }),
    ];
    expect(ids(chooseScaleInVictims(fleet, 4).victims)).toEqual(['d', 'c', 'b', 'a']);
  });

  it('never chooses instances that are already leaving, and says why', () => {
    const fleet = [
      instance('draining', 'draining', { streams: 0, inFlight: 0 }),
      instance('terminated', 'terminated'),
      instance('failed', 'failed'),
      idle('ok'),
      idle('ok'),
    ];

    const result = chooseScaleInVictims(fleet, 5);

    expect(ids(result.victims)).toEqual(['ok']);
    expect(result.skipped).toEqual([
      { id: 'draining', reason: 'already_draining' },
      { id: 'terminated', reason: 'already_terminated' },
      { id: 'failed', reason: 'already_failed' },
      { id: 'ok', reason: 'duplicate_id' },
    ]);
    expect(result.shortfall).toBe(4);
  });

  it('breaks ties by id whatever the input order', () => {
    const forward = [idle('b'), idle('a'), idle('c')];
    const result = chooseScaleInVictims(forward, 2);
    expect(ids(result.victims)).toEqual(['a', 'b']);
    expect(chooseScaleInVictims([...forward].reverse(), 2)).toEqual(result);
  });

  it('returns no victims for a count of 0', () => {
    expect(chooseScaleInVictims([idle('a')], 0)).toEqual({
      victims: [],
      skipped: [],
      shortfall: 0,
    });
  });

  it('reads load through the callbacks, and a bad reading counts as unknown', () => {
    const fleet = [idle('x'), idle('y'), idle('z')];
    const streams: Record<string, number> = { x: 4, y: Number.NaN, z: 0 };

    const result = chooseScaleInVictims(fleet, 3, {
      activeStreamsOf: (i) => streams[i.id],
      inFlightOf: () => 0,
    });

    expect(result.victims.map((v) => [v.id, v.activeStreams])).toEqual([
      ['z', 0],
      ['x', 4],
      ['y', undefined],
    ]);
  });

  it('follows a custom capacity order, with unlabelled instances last', () => {
    const fleet = [
      idle('unlabelled'),
      idle('spot', { capacityType: 'spot' }),
      idle('on-demand', { capacityType: 'on-demand' }),
    ];
    const result = chooseScaleInVictims(fleet, 3, { capacityTypeOrder: ['on-demand', 'spot'] });
    expect(ids(result.victims)).toEqual(['on-demand', 'spot', 'unlabelled']);
  });

  it('throws invalid_argument on a count that is not a non-negative integer', () => {
    for (const count of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(thrownCode(() => chooseScaleInVictims([], count))).toBe('invalid_argument');
    }
  });

  it('throws invalid_argument on malformed options', () => {
    expect(
      thrownCode(() =>
        chooseScaleInVictims([], 1, { capacityTypeOrder: ['spot', 'cheap' as CapacityType] }),
      ),
    ).toBe('invalid_argument');
    expect(
      thrownCode(() => chooseScaleInVictims([], 1, { notReadyFirst: 'yes' as unknown as boolean })),
    ).toBe('invalid_argument');
  });
});

describe('drainPlan', () => {
  it('cancels instances that are not ready at once and drains the others until the deadline', () => {
    // Arrange
    const fleet = [
      instance('loading', 'loading'),
      idle('idle'),
      instance('busy', 'ready', { streams: 3, inFlight: 1 }),
      instance('unknown', 'ready'),
    ];
    const { victims } = chooseScaleInVictims(fleet, 4);

    // Act
    const plan = drainPlan(victims, { nowMs: 10_000, drainDeadlineMs: 300_000 });

    // Assert
    expect(plan).toEqual([
      { id: 'loading', drainUntilMs: 10_000, streamsToMove: 0 },
      { id: 'idle', drainUntilMs: 310_000, streamsToMove: 0 },
      { id: 'busy', drainUntilMs: 310_000, streamsToMove: 3 },
      { id: 'unknown', drainUntilMs: 310_000, streamsToMove: undefined },
    ]);
  });

  it('throws invalid_argument on a bad time or deadline', () => {
    expect(thrownCode(() => drainPlan([], { nowMs: Number.NaN, drainDeadlineMs: 0 }))).toBe(
      'invalid_argument',
    );
    expect(thrownCode(() => drainPlan([], { nowMs: 0, drainDeadlineMs: -1 }))).toBe(
      'invalid_argument',
    );
  });
});
