import type { InstanceSnapshot } from '@headroom/core';
import { chooseScaleInVictims } from '../behavior/victims/index.js';

/**
 * The instances to drain for a scale-in of `count` replicas: `chooseScaleInVictims` applied to the
 * `ready` instances only (instances in any other lifecycle state are never chosen, unlike
 * `chooseScaleInVictims`, which also takes instances still starting). So idle ready instances
 * (zero open streams and zero in-flight requests) come first, by capacity type (spot, on-demand,
 * reserved, unlabelled), then the most recently ready (latest `stateSinceMs`) first; then the
 * others by open streams (`load.activeStreams`), then requests in flight
 * (`load.inFlightRequests`), then capacity type, then most recently ready; the last tie-break is
 * the id, so the choice is deterministic. A load the source did not report counts as the highest
 * (unknown is not idle: draining it could cut live streams). Only the first instance with a
 * given id is considered.
 *
 * @param instances - the instances (core's `InstanceSnapshot`s), any lifecycle state.
 * @param count - how many to choose (a fraction is rounded down; not > 0 chooses none); at most
 *   this many ids come back (fewer when fewer are ready).
 * @returns the chosen ids, the first to drain first.
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
  const n = Math.min(Math.floor(count), ready.length);
  if (n === 0) return [];
  return chooseScaleInVictims(ready, n).victims.map((v) => v.id);
}
