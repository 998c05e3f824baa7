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
