import { describe, expect, it } from 'vitest';
import type { InstanceSnapshot } from '@headroom/core';
import { selectDrainVictims } from './index.js';

function instance(
  id: string,
  state: InstanceSnapshot['state'],
  load: InstanceSnapshot['load'] = {},
): InstanceSnapshot {
  return { id, state, labels: {}, load, gpus: [], observedAtMs: 0 };
}

describe('selectDrainVictims', () => {
  it('picks the least-loaded ready instances by streams, then in-flight requests, then id', () => {
    const fleet = [
      instance('d', 'ready', { activeStreams: 1, inFlightRequests: 0 }),
      instance('c', 'ready', { activeStreams: 0, inFlightRequests: 3 }),
      instance('b', 'ready', { activeStreams: 0, inFlightRequests: 3 }),
      instance('a', 'ready', { activeStreams: 0, inFlightRequests: 1 }),
      instance('e', 'loading'),
      instance('f', 'draining', { activeStreams: 0 }),
    ];
    expect(selectDrainVictims(fleet, 3)).toEqual(['a', 'b', 'c']);
  });

  it('drains instances whose load is unknown last, never non-ready ones, and at most count', () => {
    const fleet = [
      instance('x', 'ready'),
      instance('y', 'ready', { activeStreams: 40 }),
      instance('z', 'warming', { activeStreams: 0 }),
    ];
    expect(selectDrainVictims(fleet, 5)).toEqual(['y', 'x']);
    expect(selectDrainVictims(fleet, 0)).toEqual([]);
    expect(selectDrainVictims([], 2)).toEqual([]);
  });
});
