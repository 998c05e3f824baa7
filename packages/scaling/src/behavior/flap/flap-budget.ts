import { HeadroomError, requireNumber } from '@headroom/core';

/** The flap budget's window when the config gives none: one hour, ms. */
export const FLAP_WINDOW_DEFAULT_MS = 3_600_000;

/** Configuration of {@link flapBudgetStep}. */
export interface FlapBudgetConfig {
  /**
   * K: the most direction changes (a scale-up after a scale-down, or the reverse) allowed in any
   * trailing window of `windowMs`. An integer >= 1. Each change costs a cold start or cuts
   * streams, so a small K (2 to 4 per hour) keeps a noisy signal from churning GPUs.
   */
  readonly maxDirectionChanges: number;
  /**
   * The trailing window, ms, > 0. A change at time `t` counts until `t + windowMs` (exclusive).
   *
   * @defaultValue 3_600_000 ({@link FLAP_WINDOW_DEFAULT_MS}, one hour)
   */
  readonly windowMs?: number;
}

/** The direction of a scale. */
export type ScaleDirection = 'up' | 'down';

/**
 * What the flap budget remembers: plain JSON, bounded to at most K timestamps. Start from
 * {@link initialFlapState}; store it and pass it back (a new leader resumes from it).
 */
export interface FlapState {
  /** The direction of the last allowed scale, or `null` before the first. */
  readonly lastDirection: ScaleDirection | null;
  /**
   * When the direction changes still inside the window happened, epoch ms, oldest first; at most
   * `maxDirectionChanges` entries.
   */
  readonly changesAtMs: readonly number[];
  /**
   * The latest `nowMs` seen, epoch ms, or `null` before the first step. A proposal with an
   * earlier `nowMs` (a clock that stepped back, a leader with skew) is evaluated at this time,
   * so time never runs backwards inside the budget.
   */
  readonly lastStepAtMs: number | null;
}

/** A proposed scale, from the policy, before it is applied. */
export interface FlapProposal {
  /** Current replicas (or capacity units), >= 0. */
  readonly from: number;
  /** Proposed replicas, >= 0. Equal to `from` is a hold. */
  readonly to: number;
  /** Now, epoch ms. */
  readonly nowMs: number;
}

/**
 * Why the proposal was allowed or refused.
 *
 * - `allowed`: a direction change, inside the budget; it is now counted.
 * - `no_direction_change`: a hold, the first scale, or a scale in the same direction as the last
 *   one; always allowed and never counted.
 * - `flap_budget_spent`: a direction change while K changes already happened in the trailing
 *   window; refused. Hold the current count.
 */
export type FlapReason = 'allowed' | 'no_direction_change' | 'flap_budget_spent';

/** What {@link flapBudgetStep} returns. */
export interface FlapStepResult {
  /** Whether the proposal may be applied. */
  readonly allowed: boolean;
  /** Why; see {@link FlapReason}. */
  readonly reason: FlapReason;
  /**
   * The next state, assuming an allowed proposal is applied. If you end up not applying an
   * allowed scale (the actuator failed), keep the previous state instead.
   */
  readonly state: FlapState;
  /** Direction changes in the trailing window after this step (this one included if allowed). */
  readonly changesInWindow: number;
}

/** The state before the first scale: no direction, no changes. */
export function initialFlapState(): FlapState {
  return { lastDirection: null, changesAtMs: [], lastStepAtMs: null };
}

function resolveConfig(config: FlapBudgetConfig): { maxChanges: number; windowMs: number } {
  const maxChanges = requireNumber(
    config.maxDirectionChanges,
    ['maxDirectionChanges'],
    { min: 1, integer: true },
    'invalid_config',
  );
  const windowMs =
    config.windowMs === undefined
      ? FLAP_WINDOW_DEFAULT_MS
      : requireNumber(
          config.windowMs,
          ['windowMs'],
          { min: 0, minExclusive: true },
          'invalid_config',
        );
  return { maxChanges, windowMs };
}

function checkState(state: FlapState): void {
  const direction: unknown = state.lastDirection;
  const changes: unknown = state.changesAtMs;
  const last: unknown = state.lastStepAtMs;
  const ok =
    (direction === null || direction === 'up' || direction === 'down') &&
    Array.isArray(changes) &&
    changes.every((t) => typeof t === 'number' && Number.isFinite(t)) &&
    (last === null || (typeof last === 'number' && Number.isFinite(last)));
  if (!ok) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'is not a flap budget state',
      path: ['state'],
      value: state,
      limit:
        '{ lastDirection: up | down | null, changesAtMs: finite[], lastStepAtMs: finite | null }',
    });
  }
}

/**
 * Guards against flapping: refuses a scale that reverses direction when K direction changes
 * already happened in the trailing window, and allows everything else.
 *
 * A direction change is a scale whose direction (`to > from` up, `to < from` down) differs from
 * the last allowed scale's. Holds, the first scale and scales in the same direction are always
 * allowed (the budget limits churn, not reaction). A change at `nowMs` is allowed when fewer
 * than K changes lie in `(nowMs − windowMs, nowMs]`. Applying only allowed proposals, with
 * `nowMs` never decreasing, no trailing window of `windowMs` ever holds more than K changes
 * (a property test checks this). The state keeps at most K timestamps: older ones are pruned.
 *
 * Compose it after the policy: a refused proposal means hold at `from` and report the reason.
 *
 * @param config - K (`maxDirectionChanges`, integer >= 1) and `windowMs` (> 0, default one hour).
 * @param state - from {@link initialFlapState} or the previous step.
 * @param proposal - `from`, `to` (>= 0) and `nowMs` (epoch ms).
 * @returns whether the proposal is allowed, why, the next state and the changes in the window.
 * @throws `HeadroomError` `invalid_config` when `maxDirectionChanges` is not an integer >= 1 or
 *   `windowMs` is not a finite number > 0; `invalid_argument` when `from`, `to` or `nowMs` is not a
 *   finite number >= 0, or `state` is malformed.
 * @example
 * ```ts
 * const budget = { maxDirectionChanges: 3, windowMs: 3_600_000 };
 * let flap = initialFlapState();
 * // each time the policy proposes a scale:
 * const check = flapBudgetStep(budget, flap, { from: replicas, to: decision.to, nowMs });
 * if (check.allowed) {
 *   await actuator.setReplicas(decision.to);
 *   flap = check.state;
 * } else {
 *   // hold; check.reason === 'flap_budget_spent'
 * }
 * ```
 */
export function flapBudgetStep(
  config: FlapBudgetConfig,
  state: FlapState,
  proposal: FlapProposal,
): FlapStepResult {
  const { maxChanges, windowMs } = resolveConfig(config);
  checkState(state);
  const from = requireNumber(proposal.from, ['proposal', 'from'], { min: 0 });
  const to = requireNumber(proposal.to, ['proposal', 'to'], { min: 0 });
  const nowMs = requireNumber(proposal.nowMs, ['proposal', 'nowMs'], { min: 0 });

  const atMs = state.lastStepAtMs === null ? nowMs : Math.max(nowMs, state.lastStepAtMs);
  const cutoffMs = atMs - windowMs;
  // Sorted and capped defensively: a state restored from storage may have been written under a
  // larger K; only the latest K changes can decide anything.
  const live = state.changesAtMs
    .filter((t) => t > cutoffMs)
    .sort((a, b) => a - b)
    .slice(-maxChanges);
  const direction: ScaleDirection | null = to > from ? 'up' : to < from ? 'down' : null;
  const isChange =
    direction !== null && state.lastDirection !== null && direction !== state.lastDirection;

  if (!isChange) {
    return {
      allowed: true,
      reason: 'no_direction_change',
      state: {
        lastDirection: direction ?? state.lastDirection,
        changesAtMs: live,
        lastStepAtMs: atMs,
      },
      changesInWindow: live.length,
    };
  }
  if (live.length >= maxChanges) {
    return {
      allowed: false,
      reason: 'flap_budget_spent',
      state: { lastDirection: state.lastDirection, changesAtMs: live, lastStepAtMs: atMs },
      changesInWindow: live.length,
    };
  }
  const changesAtMs = [...live, atMs];
  return {
    allowed: true,
    reason: 'allowed',
    state: { lastDirection: direction, changesAtMs, lastStepAtMs: atMs },
    changesInWindow: changesAtMs.length,
  };
}
