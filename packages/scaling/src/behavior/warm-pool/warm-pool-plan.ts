import { HeadroomError, requireNumber } from '@headroom/core';

/** What {@link planWarmPool} takes: the serving fleet, the pool, its target and its price. */
export interface WarmPoolPlanInput {
  /** Replicas that should be serving, from your scaler: an integer >= 0. */
  readonly desiredServing: number;
  /** Replicas serving now: an integer >= 0. */
  readonly serving: number;
  /** Instances in the pool now, model loaded and ready to serve, not serving: an integer >= 0. */
  readonly pool: number;
  /**
   * Instances on their way into the pool (launched, still loading): an integer >= 0. They count
   * toward the pool's target, so a refill is never ordered twice. @defaultValue 0
   */
  readonly launching?: number | undefined;
  /** The pool size to keep, instances (from {@link warmPoolSize}): an integer >= 0. */
  readonly targetPoolSize: number;
  /** The price of one instance, USD per hour: finite and >= 0. */
  readonly instanceUsdPerHour: number;
}

/**
 * The main thing a warm-pool plan does, a string a dashboard can group by:
 *
 * - `promote`: scaling up, entirely from the pool (no request waits a cold start).
 * - `promote_short`: scaling up, but the pool held too few: `unmet` replicas wait a cold start.
 * - `demote`: scaling down, and some leaving replicas go back to the pool instead of terminating.
 * - `refill`: no change in serving; instances are launched to bring the pool to its target.
 * - `trim`: no change in serving; instances above the target are terminated from the pool.
 * - `steady`: nothing to do.
 */
export type WarmPoolPlanReason =
  'promote' | 'promote_short' | 'demote' | 'refill' | 'trim' | 'steady';

/** What {@link planWarmPool} returns: counts of instances to move, and what the pool costs. */
export interface WarmPoolPlan {
  /** Pool instances to put into service now, instances: at most `pool`. */
  readonly promote: number;
  /**
   * Serving replicas above `desiredServing` to return to the pool rather than terminate (after they
   * drain), instances: only while the pool is below its target. Those above `desiredServing` and
   * not demoted are your scaler's to remove.
   */
  readonly demote: number;
  /**
   * Instances to launch into the pool, instances: to reach the target, plus the replicas the pool
   * could not cover (`unmet`), which are promoted when they are ready. Never ordered for capacity
   * already `launching`.
   */
  readonly launchToPool: number;
  /** Ready pool instances above the target to terminate, instances. */
  readonly terminateFromPool: number;
  /** Serving replicas the pool could not provide now, instances: they wait a cold start. */
  readonly unmet: number;
  /** Ready instances left idle in the pool after the plan, instances. */
  readonly poolAfter: number;
  /**
   * What the idle pool costs, USD per hour: `poolAfter × instanceUsdPerHour` (instances still
   * launching are not counted until they are in the pool). Never negative.
   */
  readonly idlePoolUsdPerHour: number;
  /** The main thing the plan does; see {@link WarmPoolPlanReason}. */
  readonly reason: WarmPoolPlanReason;
  /** The plan in words, with its numbers, for a person to read (not a stable format). */
  readonly detail: string;
}

function count(value: unknown, path: string, code: 'invalid_argument' | 'invalid_config'): number {
  return requireNumber(value, [path], { min: 0, integer: true }, code) + 0;
}

/**
 * Plans one step of a warm pool: instances with the model loaded but not serving, kept so a
 * scale-up is instant instead of waiting a cold start (the warm pools of EC2 Auto Scaling, with
 * GPU instances whose weights are already in memory). In order:
 *
 * 1. **Promote first.** A scale-up (`desiredServing > serving`) takes instances from the pool, up
 *    to what it holds; whatever it cannot cover is `unmet` and waits a cold start.
 * 2. **Demote on the way down.** A scale-down returns leaving replicas to the pool while the pool
 *    is below its target, which saves launching (and loading) a replacement.
 * 3. **Refill.** Launch enough to bring the pool, counting instances already `launching`, back to
 *    `targetPoolSize`, plus the `unmet` replicas, which pass through the pool and are promoted once
 *    ready.
 * 4. **Trim.** Terminate ready pool instances above the target (instances still launching are
 *    left to arrive; the next plan trims them if they are still surplus).
 *
 * The idle cost of the pool is reported with every plan, so its price is visible next to the cold
 * starts it saves: `poolAfter × instanceUsdPerHour`.
 *
 * @param input - the serving fleet, the pool, its target size and the instance price.
 * @returns how many instances to promote, demote, launch and terminate, what stays unmet, and the
 * pool's idle cost.
 * @throws `HeadroomError` `invalid_config` when `targetPoolSize` is not an integer >= 0 or
 * `instanceUsdPerHour` is not finite and >= 0; `invalid_argument` when `desiredServing`,
 * `serving`, `pool` or `launching` is not an integer >= 0. Each names the field, bound and value.
 * @example
 * ```ts
 * const plan = planWarmPool({
 *   desiredServing: 12,
 *   serving: 10,
 *   pool: 4,
 *   targetPoolSize: 4,
 *   instanceUsdPerHour: 4.1,
 * });
 * // { promote: 2, launchToPool: 2, terminateFromPool: 0, unmet: 0, poolAfter: 2,
 * //   idlePoolUsdPerHour: 8.2, reason: 'promote', ... }
 * ```
 */
export function planWarmPool(input: WarmPoolPlanInput): WarmPoolPlan {
  if (typeof input !== 'object' || input === null) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'the plan input must be an object',
      value: input,
    });
  }
  const desired = count(input.desiredServing, 'desiredServing', 'invalid_argument');
  const serving = count(input.serving, 'serving', 'invalid_argument');
  const pool = count(input.pool, 'pool', 'invalid_argument');
  const launching = count(input.launching ?? 0, 'launching', 'invalid_argument');
  const target = count(input.targetPoolSize, 'targetPoolSize', 'invalid_config');
  const usdPerHour =
    requireNumber(input.instanceUsdPerHour, ['instanceUsdPerHour'], { min: 0 }, 'invalid_config') +
    0;

  const shortfall = Math.max(0, desired - serving);
  const promote = Math.min(shortfall, pool);
  const unmet = shortfall - promote;
  const afterPromote = pool - promote;
  const surplus = Math.max(0, serving - desired);
  const demote = Math.min(surplus, Math.max(0, target - afterPromote - launching));
  const pooled = afterPromote + demote;
  const launchToPool = Math.max(0, target + unmet - pooled - launching);
  const terminateFromPool = Math.max(0, pooled - target);
  const poolAfter = pooled - terminateFromPool;
  const idlePoolUsdPerHour = poolAfter * usdPerHour;

  const reason: WarmPoolPlanReason =
    shortfall > 0
      ? unmet > 0
        ? 'promote_short'
        : 'promote'
      : demote > 0
        ? 'demote'
        : launchToPool > 0
          ? 'refill'
          : terminateFromPool > 0
            ? 'trim'
            : 'steady';
  const parts = [
    `serving ${serving} -> ${desired}`,
    promote > 0 ? `promote ${promote} from the pool of ${pool}` : '',
    unmet > 0 ? `${unmet} unmet (wait a cold start)` : '',
    demote > 0 ? `demote ${demote} to the pool` : '',
    launchToPool > 0 ? `launch ${launchToPool} into the pool (${launching} already launching)` : '',
    terminateFromPool > 0 ? `terminate ${terminateFromPool} above the target` : '',
    `pool ${poolAfter} of target ${target} idle at ${idlePoolUsdPerHour} USD/h`,
  ].filter((part) => part !== '');
  return {
    promote,
    demote,
    launchToPool,
    terminateFromPool,
    unmet,
    poolAfter,
    idlePoolUsdPerHour,
    reason,
    detail: `${reason}: ${parts.join('; ')}`,
  };
}
