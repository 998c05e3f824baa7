import { requireNumber, type InstanceSnapshot } from '@headroom/core';

/** The scale-down cooldowns when the config gives none: five minutes, ms. */
export const SCALE_DOWN_COOLDOWN_DEFAULT_MS = 300_000;

/** Configuration of {@link scaleDownCooldown}. */
export interface ScaleDownCooldownConfig {
  /**
   * How long after the last scale-up a scale-down is refused, ms, a finite number >= 0 (0 turns
   * this cooldown off).
   *
   * @defaultValue 300_000 ({@link SCALE_DOWN_COOLDOWN_DEFAULT_MS}, five minutes)
   */
  readonly afterScaleUpMs?: number;
  /**
   * How long after the most recent instance became `ready` a scale-down is refused, ms, a finite
   * number >= 0 (0 turns this cooldown off). A freshly ready instance has not yet taken its share
   * of the load, so the signals still overstate the pressure per instance.
   *
   * @defaultValue 300_000 ({@link SCALE_DOWN_COOLDOWN_DEFAULT_MS}, five minutes)
   */
  readonly afterReadyMs?: number;
}

/** The input of one {@link scaleDownCooldown} check. */
export interface ScaleDownCooldownInput {
  /** Now, epoch ms, finite. */
  readonly nowMs: number;
  /** The current replicas. */
  readonly from: number;
  /** The proposed replicas; below `from` is a scale-down, anything else is always allowed. */
  readonly to: number;
  /** When the last scale-up was applied, epoch ms, or `null` when there was none. */
  readonly lastScaleUpAtMs: number | null;
  /**
   * The fleet (core's `InstanceSnapshot`s). An instance in state `ready` with a `stateSinceMs`
   * became ready at that time; instances in other states or without `stateSinceMs` are ignored.
   */
  readonly instances: readonly InstanceSnapshot[];
}

/**
 * Why a proposal was allowed or refused.
 *
 * - `not_a_scale_down`: a scale-up or a hold; always allowed.
 * - `allowed`: a scale-down after both cooldowns have passed.
 * - `cooldown_after_scale_up`: a scale-down within `afterScaleUpMs` of the last scale-up.
 * - `cooldown_after_ready`: a scale-down within `afterReadyMs` of the most recent instance
 *   becoming ready (reported only when the scale-up cooldown has passed).
 */
export type ScaleDownCooldownReason =
  'not_a_scale_down' | 'allowed' | 'cooldown_after_scale_up' | 'cooldown_after_ready';

/** What {@link scaleDownCooldown} returns. */
export interface ScaleDownCooldownResult {
  /** Whether the proposal may be applied. */
  readonly allowed: boolean;
  /** Why; see {@link ScaleDownCooldownReason}. */
  readonly reason: ScaleDownCooldownReason;
  /**
   * When refused, the earliest time a scale-down can be allowed (both cooldowns over), epoch ms;
   * `undefined` when allowed.
   */
  readonly untilMs: number | undefined;
}

/**
 * Refuses a scale-down until `afterScaleUpMs` have passed since the last scale-up AND
 * `afterReadyMs` have passed since the most recent instance became `ready` (its `stateSinceMs`).
 * Scale-ups and holds are always allowed. A scale-down is allowed at `nowMs` when
 * `nowMs >= lastScaleUpAtMs + afterScaleUpMs` and `nowMs >= readyAtMs + afterReadyMs` for every
 * ready instance with a `stateSinceMs`.
 *
 * Compose it after the policy: a refused proposal means hold at `from` and report the reason.
 *
 * @param config - the two cooldowns, ms (default five minutes each).
 * @param input - now, the proposal (`from`, `to`), the last scale-up time and the fleet.
 * @returns whether the scale is allowed, why, and until when it is refused.
 * @throws `HeadroomError` `invalid_config` when a cooldown is not a finite number >= 0;
 *   `invalid_argument` when `nowMs`, `from`, `to` or a non-null `lastScaleUpAtMs` is not finite.
 * @example
 * ```ts
 * const check = scaleDownCooldown({ afterScaleUpMs: 600_000 }, {
 *   nowMs, from: 8, to: 6, lastScaleUpAtMs, instances: reading.instances,
 * });
 * if (!check.allowed) {
 *   // hold at 8; check.reason === 'cooldown_after_scale_up', retry after check.untilMs
 * }
 * ```
 */
export function scaleDownCooldown(
  config: ScaleDownCooldownConfig,
  input: ScaleDownCooldownInput,
): ScaleDownCooldownResult {
  const afterScaleUpMs = requireNumber(
    config.afterScaleUpMs ?? SCALE_DOWN_COOLDOWN_DEFAULT_MS,
    ['afterScaleUpMs'],
    { min: 0 },
    'invalid_config',
  );
  const afterReadyMs = requireNumber(
    config.afterReadyMs ?? SCALE_DOWN_COOLDOWN_DEFAULT_MS,
    ['afterReadyMs'],
    { min: 0 },
    'invalid_config',
  );
  const nowMs = requireNumber(input.nowMs, ['input', 'nowMs']);
  const from = requireNumber(input.from, ['input', 'from']);
  const to = requireNumber(input.to, ['input', 'to']);
  const lastUp =
    input.lastScaleUpAtMs === null
      ? null
      : requireNumber(input.lastScaleUpAtMs, ['input', 'lastScaleUpAtMs']);
  if (!(to < from)) return { allowed: true, reason: 'not_a_scale_down', untilMs: undefined };

  const upUntilMs = lastUp === null ? Number.NEGATIVE_INFINITY : lastUp + afterScaleUpMs;
  let lastReadyMs = Number.NEGATIVE_INFINITY;
  for (const instance of input.instances) {
    const since = instance.stateSinceMs;
    if (instance.state === 'ready' && typeof since === 'number' && Number.isFinite(since)) {
      lastReadyMs = Math.max(lastReadyMs, since);
    }
  }
  const readyUntilMs = lastReadyMs + afterReadyMs;
  const untilMs = Math.max(upUntilMs, readyUntilMs);
  if (nowMs >= untilMs) return { allowed: true, reason: 'allowed', untilMs: undefined };
  return {
    allowed: false,
    reason: nowMs < upUntilMs ? 'cooldown_after_scale_up' : 'cooldown_after_ready',
    untilMs,
  };
}
