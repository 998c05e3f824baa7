import type { Random } from '@headroom/core';

/** The numbers {@link pollDelayMs} needs: a subset of the resolved poller options. */
export interface PollDelayOptions {
  /** Delay after a success, ms. */
  readonly intervalMs: number;
  /** Jitter ratio in [0, 1). */
  readonly jitterRatio: number;
  /** Delay after the first consecutive failure, ms. */
  readonly backoffInitialMs: number;
  /** Cap on the delay before jitter, ms. */
  readonly backoffMaxMs: number;
  /** Growth factor per consecutive failure (>= 1). */
  readonly backoffMultiplier: number;
}

/**
 * The delay before a source's next poll, ms: `intervalMs` after a success, otherwise
 * `min(backoffMaxMs, backoffInitialMs × backoffMultiplier^(consecutiveFailures − 1))`; then
 * jittered to `base × (1 + jitterRatio × (2u − 1))` with one draw `u` in [0, 1) from `random`.
 *
 * The result lies in `[base × (1 − jitterRatio), base × (1 + jitterRatio)]`.
 */
export function pollDelayMs(
  consecutiveFailures: number,
  options: PollDelayOptions,
  random: Random,
): number {
  const base =
    consecutiveFailures <= 0
      ? options.intervalMs
      : Math.min(
          options.backoffMaxMs,
          options.backoffInitialMs * options.backoffMultiplier ** (consecutiveFailures - 1),
        );
  const u = random.nextFloat();
  const delay = base * (1 + options.jitterRatio * (2 * u - 1));
  // Guard against a misbehaving Random (u outside [0, 1) or NaN): never leave the jitter band.
  const low = base * (1 - options.jitterRatio);
  const high = base * (1 + options.jitterRatio);
  return Number.isFinite(delay) ? Math.min(high, Math.max(low, delay)) : base;
}
