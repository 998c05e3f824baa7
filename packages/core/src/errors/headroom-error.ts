const BRAND = Symbol.for('@headroom/core/HeadroomError');

/**
 * The stable error codes of headroom. A code never changes meaning once released, so hosts can
 * branch on it, count it and alert on it.
 *
 * - `invalid_config`: a configuration object failed validation at construction.
 * - `invalid_argument`: a function was called with a value outside its documented domain.
 * - `invalid_input`: runtime data (a snapshot, a parsed file) failed validation.
 * - `illegal_transition`: a state machine was asked for a transition it does not allow.
 * - `out_of_order`: an event arrived with a timestamp older than one already applied.
 * - `not_found`, `conflict`, `rate_limited`, `unavailable`, `timeout`: outcomes of calls to external
 *   systems, reported by adapters (HTTP 404, 409, 429, 5xx and deadline exceeded).
 * - `internal`: a broken invariant inside headroom; please report it.
 */
export const HEADROOM_ERROR_CODES = [
  'invalid_config',
  'invalid_argument',
  'invalid_input',
  'illegal_transition',
  'out_of_order',
  'not_found',
  'conflict',
  'rate_limited',
  'unavailable',
  'timeout',
  'internal',
] as const;

/** One of {@link HEADROOM_ERROR_CODES}. */
export type HeadroomErrorCode = (typeof HEADROOM_ERROR_CODES)[number];

/** A path into a config object or input: property names and array indices. */
export type ErrorPath = readonly (string | number)[];

/** What a {@link HeadroomError} is built from. */
export interface HeadroomErrorOptions {
  /** Stable code; see {@link HEADROOM_ERROR_CODES}. */
  readonly code: HeadroomErrorCode;
  /** Human-readable description of what was wrong, without the path (it is prefixed for you). */
  readonly message: string;
  /** Where the bad value sits in the config or input, for example `['signals', 2, 'target']`. */
  readonly path?: ErrorPath;
  /** The offending value, exactly as it was received. */
  readonly value?: unknown;
  /** The bound or rule the value broke, for example `'>= 0'` or `'one of: ready, draining'`. */
  readonly limit?: string;
  /** The underlying error, if any (a zod error, an HTTP error). */
  readonly cause?: unknown;
}

/** Formats a path as `a.b[2].c`; the empty path is `(root)`. */
export function formatPath(path: ErrorPath): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** Renders a value for an error message: short, and NaN/Infinity/undefined stay visible. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value);
  }
  if (value === undefined) return 'undefined';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'function' || typeof value === 'symbol') return String(value);
  try {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * The one error class headroom throws or returns. Every instance carries a stable {@link code},
 * the {@link path} to the offending field, the offending {@link value} and the {@link limit} it
 * broke, so a message like `invalid_config at signals[1].target: must be > 0 (got -3)` can be
 * both read by a person and acted on by a program.
 *
 * Use {@link isHeadroomError} rather than `instanceof` to recognise it: the guard also works when
 * two copies of `@headroom/core` are installed side by side.
 *
 * @example
 * ```ts
 * try {
 *   createRandom(Number.NaN);
 * } catch (error) {
 *   if (isHeadroomError(error, 'invalid_argument')) console.error(error.path, error.value);
 * }
 * ```
 */
export class HeadroomError extends Error {
  /** Stable machine-readable code. */
  readonly code: HeadroomErrorCode;
  /** Path to the offending field; empty when the error is not about one field. */
  readonly path: ErrorPath;
  /** The offending value, as received. */
  readonly value: unknown;
  /** The rule or bound that was broken, when there is one. */
  readonly limit: string | undefined;
  /** The message without the code and path prefix. */
  readonly detail: string;

  constructor(options: HeadroomErrorOptions) {
    const path = options.path ?? [];
    const where = path.length > 0 ? ` at ${formatPath(path)}` : '';
    const got = 'value' in options ? ` (got ${describeValue(options.value)})` : '';
    super(`${options.code}${where}: ${options.message}${got}`, { cause: options.cause });
    this.name = 'HeadroomError';
    this.code = options.code;
    this.path = Object.freeze([...path]);
    this.value = options.value;
    this.limit = options.limit;
    this.detail = options.message;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }

  /** A plain-data form, for structured logs and decision reasons. */
  toJSON(): {
    name: string;
    code: HeadroomErrorCode;
    message: string;
    path: ErrorPath;
    value: string;
    limit: string | undefined;
  } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      path: this.path,
      value: describeValue(this.value),
      limit: this.limit,
    };
  }
}

/**
 * True when `error` is a {@link HeadroomError} (from this or any other copy of `@headroom/core`),
 * and, if `code` is given, has that code.
 *
 * @example
 * ```ts
 * if (isHeadroomError(error, 'invalid_config')) showConfigProblem(error.path, error.detail);
 * ```
 */
export function isHeadroomError(error: unknown, code?: HeadroomErrorCode): error is HeadroomError {
  if (typeof error !== 'object' || error === null) return false;
  if ((error as Record<symbol, unknown>)[BRAND] !== true) return false;
  return code === undefined || (error as { code?: unknown }).code === code;
}

/** A value or a typed error: the channel for bad runtime data, which never throws. */
export type Result<T, E = HeadroomError> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/** Wraps a value as a successful {@link Result}. */
export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/** Wraps an error as a failed {@link Result}. */
export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
