import type { z } from 'zod';
import {
  HeadroomError,
  type ErrorPath,
  type HeadroomErrorCode,
  type Result,
  err,
  ok,
} from './headroom-error.js';

type Issue = z.core.$ZodIssue;

function issuePath(prefix: ErrorPath, issue: Issue): (string | number)[] {
  return [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
}

/** The bound an issue names, in words: `>= 0`, `<= 1`, `integer`, `one of: a, b`. */
function issueLimit(issue: Issue): string | undefined {
  switch (issue.code) {
    case 'too_small':
      return `${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}${issue.origin === 'number' || issue.origin === 'int' ? '' : ` (${issue.origin} size)`}`;
    case 'too_big':
      return `${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}${issue.origin === 'number' || issue.origin === 'int' ? '' : ` (${issue.origin} size)`}`;
    case 'invalid_type':
      return `type ${issue.expected}`;
    case 'invalid_value':
      return `one of: ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'not_multiple_of':
      return `multiple of ${String(issue.divisor)}`;
    case 'invalid_format':
      return `format ${issue.format}`;
    case 'unrecognized_keys':
      return `known keys only`;
    case 'custom': {
      // A refinement can state its bound: ctx.addIssue({ code: 'custom', params: { limit: '<= 10' } }).
      const limit = (issue.params as { limit?: unknown } | undefined)?.limit;
      return typeof limit === 'string' ? limit : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Turns a zod failure into a {@link HeadroomError}: the first issue decides the path, bound and
 * value in the message; every issue is kept, formatted, in the message's tail and in `cause`.
 *
 * Parse with `{ reportInput: true }` (as {@link parseConfig} does) so the offending value is known.
 *
 * @param error - the zod error.
 * @param code - the code to give the error. @defaultValue `'invalid_config'`
 * @param prefix - a path to put in front of every issue's path (where the parsed object sits).
 */
export function fromZodError(
  error: z.ZodError,
  code: HeadroomErrorCode = 'invalid_config',
  prefix: ErrorPath = [],
): HeadroomError {
  const [first, ...rest] = error.issues;
  if (first === undefined) {
    return new HeadroomError({ code, message: 'validation failed', path: prefix, cause: error });
  }
  const limit = issueLimit(first);
  const others =
    rest.length === 0
      ? ''
      : `; and ${rest.length} more: ${rest
          .slice(0, 5)
          .map((i) => `${formatIssuePath(issuePath(prefix, i))} ${i.message}`)
          .join('; ')}`;
  const message = `${first.message}${limit === undefined ? '' : ` (limit ${limit})`}${others}`;
  return new HeadroomError({
    code,
    message,
    path: issuePath(prefix, first),
    ...('input' in first ? { value: first.input } : {}),
    ...(limit === undefined ? {} : { limit }),
    cause: error,
  });
}

function formatIssuePath(path: (string | number)[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

function deepFreeze<T>(value: T, seen: WeakSet<object> = new WeakSet()): T {
  // Recurse into already-frozen containers too (zod's .readonly() freezes arrays, not their items).
  if (
    typeof value === 'object' &&
    value !== null &&
    !seen.has(value) &&
    !ArrayBuffer.isView(value)
  ) {
    seen.add(value);
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key], seen);
  }
  return value;
}

/**
 * Validates a user-supplied configuration once, at construction: returns the parsed, deeply
 * frozen output (defaults filled in), or throws.
 *
 * @throws {@link HeadroomError} `invalid_config` naming the path, the bound and the value.
 * @example
 * ```ts
 * const Schema = z.object({ cooldownMs: z.number().int().min(0).default(60_000) });
 * const config = parseConfig(Schema, { cooldownMs: -5 }, ['scaler']);
 * // throws: invalid_config at scaler.cooldownMs: Too small: expected number to be >=0 (limit >= 0) (got -5)
 * ```
 */
export function parseConfig<TSchema extends z.ZodType>(
  schema: TSchema,
  input: unknown,
  path: ErrorPath = [],
): Readonly<z.output<TSchema>> {
  const result = schema.safeParse(input, { reportInput: true });
  if (!result.success) throw fromZodError(result.error, 'invalid_config', path);
  return deepFreeze(result.data);
}

/**
 * Validates runtime data (a snapshot, a parsed exporter line) without throwing: bad data is a
 * value, not an exception, so a decision loop can hold on it and go on.
 *
 * @returns `{ ok: true, value }` with the parsed data, or `{ ok: false, error }` with an
 * `invalid_input` {@link HeadroomError}.
 */
export function parseInput<TSchema extends z.ZodType>(
  schema: TSchema,
  input: unknown,
  path: ErrorPath = [],
): Result<z.output<TSchema>> {
  const result = schema.safeParse(input, { reportInput: true });
  return result.success ? ok(result.data) : err(fromZodError(result.error, 'invalid_input', path));
}

/** The part of a zod refinement context (`superRefine`'s `ctx`) that {@link addDuplicateIssues} uses. */
export interface IssueSink {
  /** Records one validation issue. */
  addIssue(issue: {
    code: 'custom';
    message: string;
    path: (string | number)[];
    input: unknown;
  }): void;
}

/**
 * For a zod `superRefine`: records an issue for every item whose key repeats an earlier item's
 * (message `duplicate <what>`, at `path(index)`, with the key as the input), and returns the set
 * of keys. Ids, names and classes that must be unique in a config are all checked this way, so
 * the error always names the second occurrence.
 *
 * @example
 * ```ts
 * const Schema = z
 *   .object({ models: z.array(z.object({ id: z.string() })) })
 *   .superRefine((input, ctx) => {
 *     addDuplicateIssues(ctx, input.models, (m) => m.id, (i) => ['models', i, 'id'], 'model id');
 *   });
 * parseConfig(Schema, { models: [{ id: 'a' }, { id: 'a' }] });
 * // throws: invalid_config at models[1].id: duplicate model id (got "a")
 * ```
 */
export function addDuplicateIssues<T>(
  ctx: IssueSink,
  items: readonly T[],
  keyOf: (item: T) => string,
  path: (index: number) => (string | number)[],
  what: string,
): Set<string> {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const key = keyOf(item);
    if (seen.has(key)) {
      ctx.addIssue({ code: 'custom', message: `duplicate ${what}`, path: path(i), input: key });
    }
    seen.add(key);
  });
  return seen;
}
