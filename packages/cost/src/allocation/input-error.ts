import { HeadroomError, type ErrorPath } from '@headroom/core';

/**
 * The `invalid_input` error the allocation and idle readers throw for a bad record: the path of the
 * field, what was wrong, the offending value and, when given, the limit it broke.
 *
 * @internal
 */
export function invalidInput(
  path: ErrorPath,
  message: string,
  value: unknown,
  limit?: string,
): HeadroomError {
  return new HeadroomError({
    code: 'invalid_input',
    message,
    path,
    value,
    ...(limit === undefined ? {} : { limit }),
  });
}
