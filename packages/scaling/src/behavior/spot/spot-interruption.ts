import {
  HeadroomError,
  requireNumber,
  type InstanceSnapshot,
  type LifecycleState,
} from '@headroom/core';

/**
 * How long a spot interruption notice gives before the instance is reclaimed when the notice does
 * not say: two minutes, as on AWS EC2 (the `instance-action` notice). ms.
 */
export const SPOT_NOTICE_DEFAULT_MS = 120_000;

/** A spot interruption notice, as a cloud adapter reports it. */
export interface SpotInterruptionNotice {
  /** The instance that will be reclaimed. */
  readonly instanceId: string;
  /** When the notice was received, epoch ms; also the time the response is computed for. */
  readonly noticeAtMs: number;
  /**
   * When the cloud will reclaim the instance, epoch ms (AWS: the `time` of the `instance-action`
   * notice).
   *
   * @defaultValue `noticeAtMs + 120_000` ({@link SPOT_NOTICE_DEFAULT_MS})
   */
  readonly terminateAtMs?: number;
}

/** Options of {@link onSpotInterruption}. */
export interface SpotInterruptionOptions {
  /**
   * What to buy in place of the reclaimed instance. On-demand by default: when a spot pool is
   * being reclaimed, a spot replacement in the same pool is likely to be refused or reclaimed in
   * turn, and the capacity is needed now.
   *
   * @defaultValue 'on-demand'
   */
  readonly replacementCapacityType?: 'on-demand' | 'spot';
  /**
   * Lists the ids of the streams open on an instance (from your router or gateway). Without it,
   * `streamsToMove` is empty and, if the instance reports open streams, a `streams_not_listed`
   * warning says so.
   */
  readonly streamsOf?: (instanceId: string) => readonly string[];
}

/** Stop routing to the instance, and let it finish or hand over its streams until `deadlineMs`. */
export interface SpotDrain {
  /** The instance to mark `draining`. */
  readonly instanceId: string;
  /**
   * Its streams must have moved by this instant, epoch ms: `terminateAtMs` for a `ready` or
   * `draining` instance; `noticeAtMs` for one that is not ready yet (it serves nothing, so it is
   * cancelled at once).
   */
  readonly deadlineMs: number;
}

/** Capacity to order at once, in place of the instance being reclaimed. */
export interface SpotReplacement {
  /** How many instances to order: always one per notice. */
  readonly count: 1;
  /** What to buy; see {@link SpotInterruptionOptions.replacementCapacityType}. */
  readonly capacityType: 'on-demand' | 'spot';
  /** Why: always `spot_interruption`, for dashboards and the actuator's audit log. */
  readonly reason: 'spot_interruption';
}

/**
 * Something about the notice or the fleet that the caller should know. Each is a stable code.
 *
 * - `unknown_instance`: the instance is not in the fleet snapshot; nothing is drained or ordered.
 * - `already_terminated`, `already_failed`: the instance is gone or failed; nothing is drained or
 *   ordered (a failed instance's replacement belongs to failure handling).
 * - `already_draining`: the instance was already leaving (a scale-in, or an earlier copy of this
 *   notice: clouds repeat them); its drain deadline is brought forward, and no replacement is
 *   ordered, so a repeated notice never orders capacity twice.
 * - `not_spot`: the instance is labelled `on-demand` or `reserved`; the notice is obeyed anyway.
 * - `terminate_before_notice`: `terminateAtMs` was before `noticeAtMs` (clock skew, or a late
 *   notice); the deadline is `noticeAtMs`.
 * - `streams_not_listed`: the instance reports open streams but no `streamsOf` was given.
 */
export type SpotWarning =
  | 'unknown_instance'
  | 'already_terminated'
  | 'already_failed'
  | 'already_draining'
  | 'not_spot'
  | 'terminate_before_notice'
  | 'streams_not_listed';

/** What {@link onSpotInterruption} returns. */
export interface SpotInterruptionResponse {
  /** The drain to apply, or `null` when there is nothing to drain (unknown or gone instance). */
  readonly drain: SpotDrain | null;
  /** The capacity to order now, or `null` when none is needed (see {@link SpotWarning}). */
  readonly replacement: SpotReplacement | null;
  /**
   * Ids of the streams that must move off the instance before the deadline, from `streamsOf`
   * (duplicates removed, order kept). Reported even for an instance missing from the snapshot:
   * a stream the router still places on a reclaimed machine has to move wherever the snapshot
   * stands.
   */
  readonly streamsToMove: readonly string[];
  /** When the instance will be reclaimed, epoch ms (after the default is applied). */
  readonly terminateAtMs: number;
  /** The instance's lifecycle state in the snapshot, or `undefined` when it is not there. */
  readonly instanceState: LifecycleState | undefined;
  /** Everything unusual, as stable codes; empty for an ordinary notice. */
  readonly warnings: readonly SpotWarning[];
}

const NOT_READY: readonly LifecycleState[] = ['requested', 'provisioning', 'loading', 'warming'];

function validate(
  notice: SpotInterruptionNotice,
  options: SpotInterruptionOptions,
): { readonly terminateAtMs: number; readonly capacityType: 'on-demand' | 'spot' } {
  const instanceId: unknown = notice.instanceId;
  if (typeof instanceId !== 'string') {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be a string',
      path: ['notice', 'instanceId'],
      value: instanceId,
      limit: 'string',
    });
  }
  const noticeAtMs = requireNumber(notice.noticeAtMs, ['notice', 'noticeAtMs'], { min: 0 });
  const terminateAtMs =
    notice.terminateAtMs === undefined
      ? noticeAtMs + SPOT_NOTICE_DEFAULT_MS
      : requireNumber(notice.terminateAtMs, ['notice', 'terminateAtMs'], { min: 0 });
  const capacityType: unknown = options.replacementCapacityType ?? 'on-demand';
  if (capacityType !== 'on-demand' && capacityType !== 'spot') {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be a capacity type that can be ordered at once',
      path: ['options', 'replacementCapacityType'],
      value: capacityType,
      limit: 'one of: on-demand, spot',
    });
  }
  const streamsOf: unknown = options.streamsOf;
  if (streamsOf !== undefined && typeof streamsOf !== 'function') {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be a function',
      path: ['options', 'streamsOf'],
      value: streamsOf,
      limit: 'function or undefined',
    });
  }
  return { terminateAtMs, capacityType };
}

function listStreams(
  streamsOf: ((instanceId: string) => readonly string[]) | undefined,
  instanceId: string,
): readonly string[] {
  if (streamsOf === undefined) return [];
  const listed: unknown = streamsOf(instanceId);
  if (!Array.isArray(listed)) return [];
  const unique = new Set<string>();
  for (const id of listed) if (typeof id === 'string') unique.add(id);
  return [...unique];
}

/**
 * Responds to a spot interruption notice: mark the instance `draining`, order its replacement at
 * once (on-demand by default), and list the streams that must move before the cloud reclaims it.
 * Pure: it decides and the caller applies (drain, order, move streams).
 *
 * By the instance's state in `fleet`:
 *
 * - `ready`: drain until `terminateAtMs`, order one replacement, move its streams.
 * - `requested`, `provisioning`, `loading`, `warming`: cancel at once (drain deadline
 *   `noticeAtMs`: it serves nothing) and order one replacement, since that capacity was wanted.
 * - `draining`: already leaving; drain deadline `terminateAtMs`, no replacement, warning
 *   `already_draining`. Apply the first response before the next snapshot, and the notice's
 *   repeats order nothing more.
 * - `terminated`, `failed`, or missing: no drain, no replacement, and a warning.
 *
 * Bad runtime data (an unknown or departed instance, a termination time before the notice) never
 * throws: it comes back as a warning.
 *
 * @param notice - the notice; `terminateAtMs` defaults to `noticeAtMs + 120_000` (AWS's two
 *   minutes).
 * @param fleet - the current snapshot, core `InstanceSnapshot`s; the first instance with the id
 *   is used.
 * @param options - replacement capacity type and the stream lister; see
 *   {@link SpotInterruptionOptions}.
 * @throws `HeadroomError` `invalid_argument` when `noticeAtMs` or a given `terminateAtMs` is not
 *   a finite number >= 0, `instanceId` is not a string, `replacementCapacityType` is not
 *   `on-demand` or `spot`, or `streamsOf` is not a function.
 * @example
 * ```ts
 * // AWS: the instance-action notice arrived at noticeAtMs; the instance goes two minutes later.
 * const response = onSpotInterruption({ instanceId: 'i-0abc', noticeAtMs }, fleet.instances, {
 *   streamsOf: (id) => router.streamsOn(id),
 * });
 * if (response.drain) await actuator.drain(response.drain.instanceId, response.drain.deadlineMs);
 * if (response.replacement) await actuator.order(response.replacement);
 * for (const streamId of response.streamsToMove) router.migrate(streamId);
 * ```
 */
export function onSpotInterruption(
  notice: SpotInterruptionNotice,
  fleet: readonly InstanceSnapshot[],
  options: SpotInterruptionOptions = {},
): SpotInterruptionResponse {
  const { terminateAtMs: statedTerminateAtMs, capacityType } = validate(notice, options);
  const { instanceId, noticeAtMs } = notice;
  const warnings: SpotWarning[] = [];
  const terminateAtMs = Math.max(statedTerminateAtMs, noticeAtMs);
  if (statedTerminateAtMs < noticeAtMs) warnings.push('terminate_before_notice');

  const list: unknown = fleet;
  const instance = Array.isArray(list)
    ? (list as readonly InstanceSnapshot[]).find((i) => i.id === instanceId)
    : undefined;
  const streamsToMove = listStreams(options.streamsOf, instanceId);
  const respond = (
    drain: SpotDrain | null,
    replacement: SpotReplacement | null,
  ): SpotInterruptionResponse => ({
    drain,
    replacement,
    streamsToMove,
    terminateAtMs,
    instanceState: instance?.state,
    warnings,
  });

  if (instance === undefined) {
    warnings.push('unknown_instance');
    return respond(null, null);
  }
  if (instance.state === 'terminated' || instance.state === 'failed') {
    warnings.push(instance.state === 'terminated' ? 'already_terminated' : 'already_failed');
    return respond(null, null);
  }
  const labelled = instance.labels.capacityType;
  if (labelled !== undefined && labelled !== 'spot') warnings.push('not_spot');
  if (options.streamsOf === undefined && (instance.load.activeStreams ?? 0) > 0) {
    warnings.push('streams_not_listed');
  }
  if (instance.state === 'draining') {
    warnings.push('already_draining');
    return respond({ instanceId, deadlineMs: terminateAtMs }, null);
  }
  const replacement: SpotReplacement = { count: 1, capacityType, reason: 'spot_interruption' };
  const deadlineMs = NOT_READY.includes(instance.state) ? noticeAtMs : terminateAtMs;
  return respond({ instanceId, deadlineMs }, replacement);
}
