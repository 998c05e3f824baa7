// Helpers shared by the packages' tests (never shipped: tests import this file by relative path).

import { isHeadroomError, type HeadroomError, type HeadroomErrorCode } from '@headroom/core';

/**
 * Runs `fn` and returns what it threw; fails the test when it returns normally. Pair it with
 * `toMatchObject({ code, path })` to check a `HeadroomError`'s code and path in one assertion.
 */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/**
 * Runs `fn` and returns the `HeadroomError` it threw, narrowed so `.code`, `.path`, `.limit` read
 * directly; rethrows any other error (so the test shows it), and fails the test when `fn` returns
 * normally. With `code`, an error of another code counts as "any other error".
 */
export function thrownError(fn: () => unknown, code?: HeadroomErrorCode): HeadroomError {
  const error = thrown(fn);
  if (isHeadroomError(error, code)) return error;
  throw error;
}

/**
 * Runs `fn` and returns the `code` of the `HeadroomError` it threw, `'not a HeadroomError'` for
 * any other throw, or `undefined` when it returned normally: for one-line `toBe(code)` checks.
 */
export function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isHeadroomError(error) ? error.code : 'not a HeadroomError';
  }
  return undefined;
}
