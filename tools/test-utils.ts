// Helpers shared by the packages' tests (never shipped: tests import this file by relative path).

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
