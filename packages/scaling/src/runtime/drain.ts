import type { InstanceSnapshot } from '@headroom/core';

function loadKey(value: number | undefined): number {
  // Unknown load is not idle: an instance whose streams are unknown is drained last.
  return value === undefined || !Number.isFinite(value) ? Number.POSITIVE_INFINITY : value;
}

/**
 * The instances to drain for a scale-in of `count` replicas: the least-loaded `ready` instances,
 * ordered by open streams (`load.activeStreams`), then requests in flight
 * (`load.inFlightRequests`), then id, so the choice is deterministic. A load the source did not
 * report counts as the highest (unknown is not idle: draining it could cut live streams).
 * Instances in any other lifecycle state are never chosen.
 *
 * @param instances - the instances (core's `InstanceSnapshot`s), any lifecycle state.
 * @param count - how many to choose; at most this many ids come back (fewer when fewer are ready).
 * @returns the chosen ids, least loaded first.
 * @example
 * ```ts
 * selectDrainVictims(reading.instances, 2); // ['llm-3', 'llm-0']
 * ```
 */
export function selectDrainVictims(
  instances: readonly InstanceSnapshot[],
  count: number,
): string[] {
  if (!(count > 0)) return [];
  const ready = instances.filter((i) => i.state === 'ready');
  ready.sort(
    (a, b) =>
      loadKey(a.load?.activeStreams) - loadKey(b.load?.activeStreams) ||
      loadKey(a.load?.inFlightRequests) - loadKey(b.load?.inFlightRequests) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return ready.slice(0, Math.floor(count)).map((i) => i.id);
}
