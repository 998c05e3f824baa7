import { HeadroomError, requireNumber, type ErrorPath, type NumberBounds } from '@headroom/core';

/** Validates an http(s) URL option. */
export function validateUrl(value: unknown, path: ErrorPath): string {
  if (typeof value === 'string') {
    try {
      const u = new URL(value);
      if (u.protocol === 'http:' || u.protocol === 'https:') return value;
    } catch {
      // fall through to the error
    }
  }
  throw new HeadroomError({
    code: 'invalid_config',
    message: 'must be an http(s) URL',
    path,
    value,
    limit: 'http(s) URL',
  });
}

const POSITIVE: NumberBounds = { min: 0, minExclusive: true };

/**
 * A number option: `fallback` when absent, else checked against `bounds` (default: positive,
 * finite), failing with `invalid_config` that names the path, the bounds and the value.
 */
export function configNumber(
  value: unknown,
  fallback: number,
  path: ErrorPath,
  bounds: NumberBounds = POSITIVE,
): number {
  return value === undefined ? fallback : requireNumber(value, path, bounds, 'invalid_config');
}

/**
 * The longest delay a Node timer honours, ms (2^31 − 1, about 24.8 days). `setTimeout` turns a
 * longer one into 1 ms (with a `TimeoutOverflowWarning`), and `AbortSignal.timeout` throws a
 * `RangeError` for a non-integer or a value above 2^32 − 1.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** The bounds of a timeout option: an integer number of ms in [1, {@link MAX_TIMER_MS}]. */
export const TIMEOUT_MS_BOUNDS: NumberBounds = { min: 1, max: MAX_TIMER_MS, integer: true };

/**
 * A timeout option, ms: `fallback` when absent, else an integer in [1, {@link MAX_TIMER_MS}],
 * failing with `invalid_config` that names the path, the bounds and the value.
 */
export function configTimeoutMs(value: unknown, fallback: number, path: ErrorPath): number {
  return configNumber(value, fallback, path, TIMEOUT_MS_BOUNDS);
}
