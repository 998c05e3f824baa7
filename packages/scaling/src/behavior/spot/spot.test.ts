import { type CapacityType, type InstanceSnapshot, type LifecycleState } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { thrownCode } from '../../../../../tools/test-utils.js';
import { SPOT_NOTICE_DEFAULT_MS, onSpotInterruption } from './index.js';

function instance(
  id: string,
  state: LifecycleState,
  capacityType: CapacityType | undefined = 'spot',
  activeStreams?: number,
): InstanceSnapshot {
  return {
    id,
    state,
    labels: capacityType === undefined ? {} : { capacityType },
    load: activeStreams === undefined ? {} : { activeStreams },
    gpus: [],
    observedAtMs: 0,
  };
}

const NOTICE_AT_MS = Date.UTC(2025, 0, 15, 12, 0, 0);

describe('onSpotInterruption', () => {
  it('answers the AWS two-minute notice: drain until reclaim, order on-demand now, move streams', () => {
    // Arrange: an EC2 instance-action notice carries no time here, so the two minutes apply.
    const fleet = [instance('i-0abc', 'ready', 'spot', 2), instance('i-0def', 'ready')];
    const streams: Record<string, readonly string[]> = { 'i-0abc': ['s-1', 's-2'] };

    // Act
    const response = onSpotInterruption({ instanceId: 'i-0abc', noticeAtMs: NOTICE_AT_MS }, fleet, {
      streamsOf: (id) => streams[id] ?? [],
    });

    // Assert
    expect(SPOT_NOTICE_DEFAULT_MS).toBe(120_000);
    expect(response).toEqual({
      drain: { instanceId: 'i-0abc', deadlineMs: NOTICE_AT_MS + 120_000 },
      replacement: { count: 1, capacityType: 'on-demand', reason: 'spot_interruption' },
      streamsToMove: ['s-1', 's-2'],
      terminateAtMs: NOTICE_AT_MS + 120_000,
      instanceState: 'ready',
      warnings: [],
    });
  });

  it('uses the termination time the notice states', () => {
    const terminateAtMs = NOTICE_AT_MS + 90_000;
    const response = onSpotInterruption(
      { instanceId: 'a', noticeAtMs: NOTICE_AT_MS, terminateAtMs },
      [instance('a', 'ready')],
    );
    expect(response.drain).toEqual({ instanceId: 'a', deadlineMs: terminateAtMs });
    expect(response.terminateAtMs).toBe(terminateAtMs);
  });

  it('orders spot when asked', () => {
    const response = onSpotInterruption(
      { instanceId: 'a', noticeAtMs: NOTICE_AT_MS },
      [instance('a', 'ready')],
      { replacementCapacityType: 'spot' },
    );
    expect(response.replacement).toEqual({
      count: 1,
      capacityType: 'spot',
      reason: 'spot_interruption',
    });
  });

  it('cancels an instance that is not ready yet at once, and still replaces it', () => {
    const response = onSpotInterruption({ instanceId: 'a', noticeAtMs: NOTICE_AT_MS }, [
      instance('a', 'loading'),
    ]);
    expect(response.drain).toEqual({ instanceId: 'a', deadlineMs: NOTICE_AT_MS });
    expect(response.replacement?.count).toBe(1);
    expect(response.warnings).toEqual([]);
  });

  it('warns and orders nothing for an unknown instance, but still lists its streams', () => {
    const response = onSpotInterruption(
      { instanceId: 'ghost', noticeAtMs: NOTICE_AT_MS },
      [instance('a', 'ready')],
      { streamsOf: (id) => (id === 'ghost' ? ['s-9'] : []) },
    );
    expect(response.drain).toBeNull();
    expect(response.replacement).toBeNull();
    expect(response.streamsToMove).toEqual(['s-9']);
    expect(response.instanceState).toBeUndefined();
    expect(response.warnings).toEqual(['unknown_instance']);
  });

  it('warns and orders nothing for an instance already terminated or failed', () => {
    for (const [state, warning] of [
      ['terminated', 'already_terminated'],
      ['failed', 'already_failed'],
    ] as const) {
      const response = onSpotInterruption({ instanceId: 'a', noticeAtMs: NOTICE_AT_MS }, [
        instance('a', state),
      ]);
      expect(response.drain).toBeNull();
      expect(response.replacement).toBeNull();
      expect(response.warnings).toEqual([warning]);
    }
  });

  it('orders no second replacement for a repeated notice once the instance is draining', () => {
    // Arrange: the first notice was applied, so the next snapshot shows the instance draining.
    const first = onSpotInterruption({ instanceId: 'a', noticeAtMs: NOTICE_AT_MS }, [
      instance('a', 'ready'),
    ]);

    // Act: AWS repeats the notice (the metadata endpoint keeps answering it).
    const repeat = onSpotInterruption({ instanceId: 'a', noticeAtMs: NOTICE_AT_MS + 5_000 }, [
      instance('a', 'draining'),
    ]);

    // Assert
    expect(first.replacement).not.toBeNull();
    expect(repeat.replacement).toBeNull();
    expect(repeat.drain).toEqual({ instanceId: 'a', deadlineMs: NOTICE_AT_MS + 125_000 });
    expect(repeat.warnings).toEqual(['already_draining']);
  });

  it('obeys a notice for an instance not labelled spot, with a warning', () => {
    const response = onSpotInterruption({ instanceId: 'a', noticeAtMs: NOTICE_AT_MS }, [
      instance('a', 'ready', 'on-demand'),
    ]);
    expect(response.replacement).not.toBeNull();
    expect(response.warnings).toEqual(['not_spot']);
  });

  it('takes the notice time as the deadline when the termination time is earlier', () => {
    const response = onSpotInterruption(
      { instanceId: 'a', noticeAtMs: NOTICE_AT_MS, terminateAtMs: NOTICE_AT_MS - 1_000 },
      [instance('a', 'ready')],
    );
    expect(response.drain?.deadlineMs).toBe(NOTICE_AT_MS);
    expect(response.warnings).toEqual(['terminate_before_notice']);
  });

  it('warns when the instance has open streams but nobody listed them', () => {
    const response = onSpotInterruption({ instanceId: 'a', noticeAtMs: NOTICE_AT_MS }, [
      instance('a', 'ready', 'spot', 3),
    ]);
    expect(response.streamsToMove).toEqual([]);
    expect(response.warnings).toEqual(['streams_not_listed']);
  });

  it('removes duplicate stream ids and keeps their order', () => {
    const response = onSpotInterruption(
      { instanceId: 'a', noticeAtMs: NOTICE_AT_MS },
      [instance('a', 'ready')],
      { streamsOf: () => ['s-2', 's-1', 's-2'] },
    );
    expect(response.streamsToMove).toEqual(['s-2', 's-1']);
  });

  it('throws invalid_argument on misuse', () => {
    const fleet = [instance('a', 'ready')];
    expect(
      thrownCode(() => onSpotInterruption({ instanceId: 'a', noticeAtMs: Number.NaN }, fleet)),
    ).toBe('invalid_argument');
    expect(
      thrownCode(() =>
        onSpotInterruption(
          { instanceId: 'a', noticeAtMs: 0, terminateAtMs: Number.POSITIVE_INFINITY },
          fleet,
        ),
      ),
    ).toBe('invalid_argument');
    expect(
      thrownCode(() =>
        onSpotInterruption({ instanceId: 'a', noticeAtMs: 0 }, fleet, {
          replacementCapacityType: 'reserved' as 'spot',
        }),
      ),
    ).toBe('invalid_argument');
    expect(
      thrownCode(() =>
        onSpotInterruption({ instanceId: 7 as unknown as string, noticeAtMs: 0 }, fleet),
      ),
    ).toBe('invalid_argument');
  });
});
