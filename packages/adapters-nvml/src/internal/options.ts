import { HeadroomError, requireNumber, type ErrorPath } from '@headroom/core';

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

/** A positive finite number option, or an `invalid_config` error. */
export function configNumber(value: unknown, path: ErrorPath): number {
  try {
    return requireNumber(value, path, { min: 0, minExclusive: true });
  } catch (error) {
    if (error instanceof HeadroomError) {
      throw new HeadroomError({
        code: 'invalid_config',
        message: error.detail,
        path,
        value,
        ...(error.limit === undefined ? {} : { limit: error.limit }),
      });
    }
    throw error;
  }
}
