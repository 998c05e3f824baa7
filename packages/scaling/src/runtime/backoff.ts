import { requireNumber, type ErrorPath, type Random } from '@headroom/core';
import type { ResolvedRetryOptions, RetryOptions } from './types.js';

/** The retry defaults: 1 s doubling to 60 s, ±20 % jitter, 8 attempts. */
export const DEFAULT_RETRY: ResolvedRetryOptions = Object.freeze({
  initialMs: 1_000,
  maxMs: 60_000,
  multiplier: 2,
  jitterRatio: 0.2,
  maxAttempts: 8,
});

/**
 * Fills in and checks {@link RetryOptions}.
 *
 * @param options - the options as given. @defaultValue `{}` (all defaults)
 * @param path - where the options sit in the caller's config, for errors. @defaultValue `['retry']`
 * @throws `HeadroomError` `invalid_config` naming the field, the bound and the value: `initialMs`
 * must be > 0, `maxMs` >= `initialMs`, `multiplier` >= 1, `jitterRatio` in [0, 1] and
 * `maxAttempts` an integer >= 1.
 * @example
 * ```ts
 * resolveRetryOptions({ maxAttempts: 3 }); // { initialMs: 1000, maxMs: 60000, multiplier: 2, jitterRatio: 0.2, maxAttempts: 3 }
 * ```
 */
export function resolveRetryOptions(
  options: RetryOptions = {},
  path: ErrorPath = ['retry'],
): ResolvedRetryOptions {
  const initialMs = requireNumber(
    options.initialMs ?? DEFAULT_RETRY.initialMs,
    [...path, 'initialMs'],
    { min: 0, minExclusive: true },
    'invalid_config',
  );
  const maxMs = requireNumber(
    options.maxMs ?? Math.max(DEFAULT_RETRY.maxMs, initialMs),
    [...path, 'maxMs'],
    { min: initialMs },
    'invalid_config',
  );
  const multiplier = requireNumber(
    options.multiplier ?? DEFAULT_RETRY.multiplier,
    [...path, 'multiplier'],
    { min: 1 },
    'invalid_config',
  );
  const jitterRatio = requireNumber(
    options.jitterRatio ?? DEFAULT_RETRY.jitterRatio,
    [...path, 'jitterRatio'],
    { min: 0, max: 1 },
    'invalid_config',
  );
  const maxAttempts = requireNumber(
    options.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
    [...path, 'maxAttempts'],
    { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true },
    'invalid_config',
  );
  return Object.freeze({ initialMs, maxMs, multiplier, jitterRatio, maxAttempts });
}

/**
 * The wait before the next attempt after `failedAttempts` failed ones, ms: exponential backoff
 * with jitter, `min(maxMs, base × (1 − jitterRatio + 2 × jitterRatio × u))` with
 * `base = min(maxMs, initialMs × multiplier^(failedAttempts − 1))` and one draw `u` from `random`.
 * Pure apart from that one draw, so a seeded `Random` replays the same delays.
 *
 * @param failedAttempts - attempts that have failed so far, >= 1 (values below 1 count as 1).
 * @param retry - resolved options (see {@link resolveRetryOptions}).
 * @param random - the source of the jitter.
 * @example
 * ```ts
 * backoffDelayMs(3, resolveRetryOptions(), createRandom(1)); // 4_000 ± 20 %
 * ```
 */
export function backoffDelayMs(
  failedAttempts: number,
  retry: ResolvedRetryOptions,
  random: Random,
): number {
  const exponent = Math.max(0, Math.floor(failedAttempts) - 1);
  const base = Math.min(retry.maxMs, retry.initialMs * retry.multiplier ** exponent);
  const u = random.nextFloat();
  const jittered = base * (1 - retry.jitterRatio + 2 * retry.jitterRatio * u);
  return Math.min(retry.maxMs, Math.max(0, jittered));
}
