import {
  CAPACITY_TYPES,
  HeadroomError,
  requireNumber,
  type CapacityType,
  type InstanceSnapshot,
  type LifecycleState,
} from '@headroom/core';

/**
 * Why an instance was chosen for removal; the tier it was taken from.
 *
 * - `not_ready`: it is `requested`, `provisioning`, `loading` or `warming` and reports no load.
 *   It serves nothing yet, so cancelling it disrupts nothing, and it wastes less cold-start work
 *   than removing an instance that has finished its cold start.
 * - `idle`: it is `ready` and reports zero open streams and zero in-flight requests.
 * - `least_busy`: every quieter candidate was already taken; this one carries the fewest open
 *   streams, then the fewest in-flight requests, of those left. Its streams must move or finish.
 */
export type ScaleInVictimReason = 'not_ready' | 'idle' | 'least_busy';

/**
 * Why an instance was not a candidate at all.
 *
 * - `already_draining`, `already_terminated`, `already_failed`: it is already leaving the fleet
 *   (or gone); removing it again would free nothing, so it cannot count towards the scale-in.
 * - `duplicate_id`: an earlier instance in the input had the same id; only the first is considered.
 */
export type ScaleInSkipReason =
  'already_draining' | 'already_terminated' | 'already_failed' | 'duplicate_id';

/** One instance chosen for removal. */
export interface ScaleInVictim {
  /** The instance id. */
  readonly id: string;
  /** Why it was chosen; see {@link ScaleInVictimReason}. */
  readonly reason: ScaleInVictimReason;
  /** Its lifecycle state when chosen. */
  readonly state: LifecycleState;
  /** Open streams it reported (after `activeStreamsOf`), or `undefined` when unknown. */
  readonly activeStreams: number | undefined;
  /** In-flight requests it reported (after `inFlightOf`), or `undefined` when unknown. */
  readonly inFlightRequests: number | undefined;
}

/** One instance that was not a candidate for removal, and why. */
export interface ScaleInSkip {
  /** The instance id. */
  readonly id: string;
  /** Why it was not a candidate; see {@link ScaleInSkipReason}. */
  readonly reason: ScaleInSkipReason;
}

/** What {@link chooseScaleInVictims} returns. */
export interface ScaleInVictims {
  /** The instances to remove, in the order they were chosen (the safest first). Ids are distinct. */
  readonly victims: readonly ScaleInVictim[];
  /** Instances that were not candidates (already leaving, or a duplicate id), in input order. */
  readonly skipped: readonly ScaleInSkip[];
  /**
   * How many of the requested removals could not be made because there were too few candidates
   * (`count − victims.length`); 0 when the request was met in full.
   */
  readonly shortfall: number;
}

/** Options of {@link chooseScaleInVictims}. */
export interface ScaleInVictimOptions {
  /**
   * Reads an instance's open streams. Return `undefined` when unknown; a negative, non-finite or
   * non-number result also counts as unknown.
   *
   * @defaultValue `(instance) => instance.load.activeStreams`
   */
  readonly activeStreamsOf?: (instance: InstanceSnapshot) => number | undefined;
  /**
   * Reads an instance's in-flight requests. Return `undefined` when unknown; a negative,
   * non-finite or non-number result also counts as unknown.
   *
   * @defaultValue `(instance) => instance.load.inFlightRequests`
   */
  readonly inFlightOf?: (instance: InstanceSnapshot) => number | undefined;
  /**
   * Which capacity to give up first, within each tier. Capacity types left out of the list, and
   * instances without a `capacityType` label, come after the listed ones (an unlabelled instance
   * may be prepaid). The default keeps the most dependable capacity: spot can be reclaimed at two
   * minutes' notice, cutting streams and forcing a cold start elsewhere, and reserved capacity is
   * paid for whether it runs or not, so removing it saves nothing. Put `'on-demand'` first to
   * save the most money per removal instead.
   *
   * @defaultValue `['spot', 'on-demand', 'reserved']`
   */
  readonly capacityTypeOrder?: readonly CapacityType[];
  /**
   * When true (the default), instances that are not ready yet go before idle ready ones; when
   * false, idle ready instances go first. Cancelling a `requested` instance wastes nothing, and
   * one still loading has done only part of its cold start, while an idle ready instance has done
   * all of it and is capacity now: keeping it leaves more capacity ready during the next minutes
   * at the same final count. This is also the order of the Kubernetes ReplicaSet controller
   * (unready pods are deleted before ready ones). Set false if instances still loading are more
   * valuable than the ones running (for example, a rollout to a new model version).
   *
   * @defaultValue true
   */
  readonly notReadyFirst?: boolean;
}

const DEFAULT_CAPACITY_ORDER: readonly CapacityType[] = ['spot', 'on-demand', 'reserved'];

const NOT_READY_STAGE: Readonly<Partial<Record<LifecycleState, number>>> = {
  requested: 0,
  provisioning: 1,
  loading: 2,
  warming: 3,
};

const LEAVING: Readonly<Partial<Record<LifecycleState, ScaleInSkipReason>>> = {
  draining: 'already_draining',
  terminated: 'already_terminated',
  failed: 'already_failed',
};

interface Candidate {
  readonly instance: InstanceSnapshot;
  readonly tier: number;
  readonly reason: ScaleInVictimReason;
  readonly streams: number | undefined;
  readonly inFlight: number | undefined;
  readonly capacityRank: number;
}

function readCount(
  read: ((instance: InstanceSnapshot) => number | undefined) | undefined,
  instance: InstanceSnapshot,
  fallback: number | undefined,
): number | undefined {
  const value: unknown = read === undefined ? fallback : read(instance);
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Newest first: a later `stateSinceMs` sorts earlier; an unknown one sorts last (as the oldest). */
function compareNewestFirst(a: InstanceSnapshot, b: InstanceSnapshot): number {
  const ta = a.stateSinceMs;
  const tb = b.stateSinceMs;
  if (ta === tb) return 0;
  if (ta === undefined) return 1;
  if (tb === undefined) return -1;
  return tb - ta;
}

/** Fewest first; unknown (`undefined`) sorts last, as the busiest. */
function compareFewest(a: number | undefined, b: number | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a - b;
}

function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.tier !== b.tier) return a.tier - b.tier;
  let c: number;
  if (a.reason === 'not_ready') {
    c =
      (NOT_READY_STAGE[a.instance.state] ?? 0) - (NOT_READY_STAGE[b.instance.state] ?? 0) ||
      compareNewestFirst(a.instance, b.instance) ||
      a.capacityRank - b.capacityRank;
  } else if (a.reason === 'idle') {
    c = a.capacityRank - b.capacityRank || compareNewestFirst(a.instance, b.instance);
  } else {
    c =
      compareFewest(a.streams, b.streams) ||
      compareFewest(a.inFlight, b.inFlight) ||
      a.capacityRank - b.capacityRank ||
      compareNewestFirst(a.instance, b.instance);
  }
  return c || compareIds(a.instance.id, b.instance.id);
}

function validateOptions(options: ScaleInVictimOptions): readonly CapacityType[] {
  for (const key of ['activeStreamsOf', 'inFlightOf'] as const) {
    const fn: unknown = options[key];
    if (fn !== undefined && typeof fn !== 'function') {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: 'must be a function',
        path: ['options', key],
        value: fn,
        limit: 'function or undefined',
      });
    }
  }
  const order: unknown = options.capacityTypeOrder ?? DEFAULT_CAPACITY_ORDER;
  const known: readonly unknown[] = CAPACITY_TYPES;
  if (!Array.isArray(order) || !order.every((t) => known.includes(t))) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be an array of capacity types',
      path: ['options', 'capacityTypeOrder'],
      value: order,
      limit: `each one of: ${CAPACITY_TYPES.join(', ')}`,
    });
  }
  const notReadyFirst: unknown = options.notReadyFirst;
  if (notReadyFirst !== undefined && typeof notReadyFirst !== 'boolean') {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be a boolean',
      path: ['options', 'notReadyFirst'],
      value: notReadyFirst,
      limit: 'boolean or undefined',
    });
  }
  return order as readonly CapacityType[];
}

/**
 * Chooses which instances to remove on a scale-in of `count`, so that the fewest live streams
 * are cut and the least cold-start work is thrown away.
 *
 * Candidates are instances that are `requested`, `provisioning`, `loading`, `warming` or `ready`.
 * `draining`, `terminated` and `failed` instances are already leaving: they are never chosen
 * (removing them frees nothing) and are listed in `skipped`. Candidates are taken tier by tier:
 *
 * 1. **Not ready** (`not_ready`): instances still starting that report no open streams and no
 *    in-flight requests (an unknown load counts as none here: they receive no traffic). The least
 *    progress first: `requested`, then `provisioning`, `loading`, `warming`; within a state the
 *    newest (latest `stateSinceMs`) first; then by `capacityTypeOrder`.
 * 2. **Idle ready** (`idle`): `ready` instances reporting exactly zero open streams and zero
 *    in-flight requests. By `capacityTypeOrder`, then newest first (the most recently ready, as
 *    the Kubernetes ReplicaSet controller does: long-lived instances have warm caches and a
 *    proven record).
 * 3. **Busy** (`least_busy`): every other candidate (a `ready` instance with load or an unknown
 *    load, or an instance still starting that reports load). Fewest open streams first, then
 *    fewest in-flight requests (unknown counts as the most), then `capacityTypeOrder`, then
 *    newest first.
 *
 * With `notReadyFirst: false`, tiers 1 and 2 swap. Either way, an instance with a live stream is
 * never chosen while an idle ready instance is left. Within a tier the last tie-break is the id
 * (code-unit order), so the choice does not depend on the input order. Unknown instance
 * `stateSinceMs` counts as the oldest. Only the first instance with a given id is considered.
 *
 * @param instances - the fleet (or pool) to shrink, core `InstanceSnapshot`s.
 * @param count - how many instances to remove, an integer >= 0. Asking for more than there are
 *   candidates removes every candidate and reports the difference as `shortfall`.
 * @param options - load readers, capacity order and tier order; see {@link ScaleInVictimOptions}.
 * @returns the victims in removal order, the instances skipped and the shortfall.
 * @throws `HeadroomError` `invalid_argument` when `count` is not a finite integer >= 0, or an
 *   option has the wrong type (path `options.<name>`).
 * @example
 * ```ts
 * const { victims } = chooseScaleInVictims(fleet.instances, current - decision.to);
 * const plan = drainPlan(victims, { nowMs, drainDeadlineMs: 300_000 });
 * for (const step of plan) await actuator.drain(step.id, step.drainUntilMs);
 * ```
 */
export function chooseScaleInVictims(
  instances: readonly InstanceSnapshot[],
  count: number,
  options: ScaleInVictimOptions = {},
): ScaleInVictims {
  requireNumber(count, ['count'], { min: 0, integer: true });
  const list: unknown = instances;
  if (!Array.isArray(list)) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be an array of instance snapshots',
      path: ['instances'],
      value: list,
      limit: 'array',
    });
  }
  const order = validateOptions(options);
  const notReadyFirst = options.notReadyFirst ?? true;
  const rankOf = (type: CapacityType | undefined): number => {
    const index = type === undefined ? -1 : order.indexOf(type);
    return index === -1 ? order.length : index;
  };

  const seen = new Set<string>();
  const skipped: ScaleInSkip[] = [];
  const candidates: Candidate[] = [];
  for (const instance of instances) {
    if (seen.has(instance.id)) {
      skipped.push({ id: instance.id, reason: 'duplicate_id' });
      continue;
    }
    seen.add(instance.id);
    const leaving = LEAVING[instance.state];
    if (leaving !== undefined) {
      skipped.push({ id: instance.id, reason: leaving });
      continue;
    }
    const streams = readCount(options.activeStreamsOf, instance, instance.load?.activeStreams);
    const inFlight = readCount(options.inFlightOf, instance, instance.load?.inFlightRequests);
    const capacityRank = rankOf(instance.labels?.capacityType);
    let reason: ScaleInVictimReason;
    let tier: number;
    if (instance.state === 'ready') {
      const idle = streams === 0 && inFlight === 0;
      reason = idle ? 'idle' : 'least_busy';
      tier = idle ? (notReadyFirst ? 1 : 0) : 2;
    } else {
      // Not ready yet: it receives no traffic, so unknown load is none; reported load is load.
      const loaded = (streams ?? 0) > 0 || (inFlight ?? 0) > 0;
      reason = loaded ? 'least_busy' : 'not_ready';
      tier = loaded ? 2 : notReadyFirst ? 0 : 1;
    }
    candidates.push({ instance, tier, reason, streams, inFlight, capacityRank });
  }

  candidates.sort(compareCandidates);
  const victims: ScaleInVictim[] = candidates.slice(0, count).map((c) => ({
    id: c.instance.id,
    reason: c.reason,
    state: c.instance.state,
    activeStreams: c.streams,
    inFlightRequests: c.inFlight,
  }));
  return { victims, skipped, shortfall: count - victims.length };
}
