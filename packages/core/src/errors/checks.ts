import { HeadroomError, type ErrorPath } from './headroom-error.js';

/** Bounds for {@link requireNumber}. */
export interface NumberBounds {
  /** Smallest allowed value (inclusive unless `minExclusive`). */
  readonly min?: number;
  /** Largest allowed value (inclusive unless `maxExclusive`). */
  readonly max?: number;
  /** When true, `min` itself is not allowed. */
  readonly minExclusive?: boolean;
  /** When true, `max` itself is not allowed. */
  readonly maxExclusive?: boolean;
  /** When true, the value must be an integer. */
  readonly integer?: boolean;
}

function describeBounds(b: NumberBounds): string {
  const parts: string[] = ['finite'];
  if (b.integer === true) parts.push('integer');
  if (b.min !== undefined) parts.push(`${b.minExclusive === true ? '>' : '>='} ${b.min}`);
  if (b.max !== undefined) parts.push(`${b.maxExclusive === true ? '<' : '<='} ${b.max}`);
  return parts.join(', ');
}

/**
 * Checks a numeric argument and returns it; the shared guard behind constructor options.
 *
 * @param code - the error code on failure: `invalid_argument` for a function argument,
 * `invalid_config` for a user's configuration option. @defaultValue 'invalid_argument'
 * @throws {@link HeadroomError} with `code`, naming the path, the bounds and the value.
 * @example
 * ```ts
 * const halfLifeMs = requireNumber(options.halfLifeMs, ['halfLifeMs'], { min: 0, minExclusive: true });
 * ```
 */
export function requireNumber(
  value: unknown,
  path: ErrorPath,
  bounds: NumberBounds = {},
  code: 'invalid_argument' | 'invalid_config' | 'invalid_input' = 'invalid_argument',
): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (bounds.integer !== true || Number.isInteger(value)) &&
    (bounds.min === undefined ||
      (bounds.minExclusive === true ? value > bounds.min : value >= bounds.min)) &&
    (bounds.max === undefined ||
      (bounds.maxExclusive === true ? value < bounds.max : value <= bounds.max));
  if (!ok) {
    const limit = describeBounds(bounds);
    throw new HeadroomError({
      code,
      message: `must be ${limit}`,
      path,
      value,
      limit,
    });
  }
  return value;
}
