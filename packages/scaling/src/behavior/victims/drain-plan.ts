import { HeadroomError, requireNumber } from '@headroom/core';
import type { ScaleInVictim } from './scale-in-victims.js';

/** Options of {@link drainPlan}. */
export interface DrainPlanOptions {
  /** Now, epoch ms. */
  readonly nowMs: number;
  /**
   * How long a draining instance may keep serving the streams it has before it is terminated,
   * ms (a duration, not an instant), >= 0. New work stops being routed to it at once.
   */
  readonly drainDeadlineMs: number;
}

/** What to do with one victim. */
export interface DrainStep {
  /** The instance id. */
  readonly id: string;
  /**
   * Terminate it at this instant, epoch ms, or earlier once it has no open streams and no
   * in-flight requests. For a `not_ready` victim this is `nowMs`: it serves nothing, so it is
   * cancelled at once (core's lifecycle lets any state before `ready` go straight to
   * `terminated`). For every other victim it is `nowMs + drainDeadlineMs`.
   */
  readonly drainUntilMs: number;
  /**
   * Open streams that must finish by `drainUntilMs` or move to another instance: the victim's
   * `activeStreams` when it was chosen, 0 for a `not_ready` victim, and `undefined` when a busy
   * victim's streams were unknown (unknown is not 0: ask the router).
   */
  readonly streamsToMove: number | undefined;
}

/**
 * Turns chosen victims into a drain plan: for each, until when it may finish its open streams
 * and how many streams must finish or move. Pure: it tells the caller what to do and changes
 * nothing. Mark each instance `draining` (stop routing to it) when you apply the plan.
 *
 * @param victims - from {@link chooseScaleInVictims}.
 * @param options - `nowMs` (epoch ms, >= 0) and `drainDeadlineMs` (ms, >= 0).
 * @returns one {@link DrainStep} per victim, in the victims' order.
 * @throws `HeadroomError` `invalid_argument` when `nowMs` or `drainDeadlineMs` is not a finite
 *   number >= 0, or `victims` is not an array.
 * @example
 * ```ts
 * const { victims } = chooseScaleInVictims(instances, 2);
 * drainPlan(victims, { nowMs, drainDeadlineMs: 300_000 });
 * // [{ id: 'gpu-7', drainUntilMs: nowMs + 300_000, streamsToMove: 0 }, ...]
 * ```
 */
export function drainPlan(
  victims: readonly ScaleInVictim[],
  options: DrainPlanOptions,
): readonly DrainStep[] {
  const nowMs = requireNumber(options.nowMs, ['options', 'nowMs'], { min: 0 });
  const drainDeadlineMs = requireNumber(options.drainDeadlineMs, ['options', 'drainDeadlineMs'], {
    min: 0,
  });
  const list: unknown = victims;
  if (!Array.isArray(list)) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be an array of victims',
      path: ['victims'],
      value: list,
      limit: 'array',
    });
  }
  return victims.map((victim) => {
    const cancel = victim.reason === 'not_ready';
    return {
      id: victim.id,
      drainUntilMs: cancel ? nowMs : nowMs + drainDeadlineMs,
      streamsToMove: cancel ? 0 : victim.activeStreams,
    };
  });
}
