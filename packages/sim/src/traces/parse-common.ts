import { HeadroomError } from '@headroom/core';
import { z } from 'zod';
import { readTimestamp, type SplitTimestamp } from './timestamp.js';
import type { Trace, TraceRequest } from './types.js';

// Shared pieces of the trace parsers: the row error, a hand-rolled CSV line reader (no regex per
// field, CRLF tolerated, RFC 4180 quotes on the slow path), number readers that return NaN
// instead of throwing, and the step that sorts the rows into a Trace.

/**
 * What a parser does with a row whose output token count is 0 (BurstGPT logs failed requests
 * that way): `'one'` reads it as 1 output token (every request costs at least one decode step),
 * `'drop'` leaves the row out.
 */
export const ZeroOutputTokensSchema = z.literal(['one', 'drop']);

/** One of `'one'` (read 0 output tokens as 1) or `'drop'` (skip the row); see {@link ZeroOutputTokensSchema}. */
export type ZeroOutputTokens = z.output<typeof ZeroOutputTokensSchema>;

/** Options every trace parser accepts. */
export interface TraceParseOptions {
  /** The file name the text came from: it names the trace's source and every error's location. */
  readonly file: string;
  /** The trace's name. @defaultValue derived from `file` (see each parser) */
  readonly name?: string;
  /** What to do with a row of 0 output tokens. @defaultValue 'one' */
  readonly zeroOutputTokens?: ZeroOutputTokens;
}

/**
 * Checks the options every parser takes (the generic CSV parser validates its own with zod).
 * @throws `HeadroomError` `invalid_argument` for a missing file name, an empty name or an
 * unknown `zeroOutputTokens`.
 */
export function checkParseOptions(options: TraceParseOptions): void {
  const bad = (key: string, value: unknown, limit: string): never => {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: `options.${key} must be ${limit}`,
      path: ['options', key],
      value,
      limit,
    });
  };
  if (typeof options !== 'object' || options === null) bad('file', undefined, 'a non-empty string');
  if (typeof options.file !== 'string' || options.file === '') {
    bad('file', options.file, 'a non-empty string');
  }
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
    bad('name', options.name, 'a non-empty string');
  }
  const zero = options.zeroOutputTokens;
  if (zero !== undefined && zero !== 'one' && zero !== 'drop')
    bad('zeroOutputTokens', zero, "'one' or 'drop'");
}

/**
 * The error for one bad field: `invalid_input`, path `[file, line, column]` (1-based), and a
 * message that starts `file:line:column (ColumnName): what was wrong`.
 */
export function rowError(
  file: string,
  line: number,
  column: number,
  columnName: string,
  message: string,
  value?: unknown,
): HeadroomError {
  return new HeadroomError({
    code: 'invalid_input',
    message: `${file}:${line}:${column} (${columnName}): ${message}`,
    path: [file, line, column],
    ...(value === undefined ? {} : { value }),
  });
}

/** The error for a bad or missing header line. */
export function headerError(file: string, message: string, value?: unknown): HeadroomError {
  return new HeadroomError({
    code: 'invalid_input',
    message: `${file}:1 (header): ${message}`,
    path: [file, 1],
    ...(value === undefined ? {} : { value }),
  });
}

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const DIGIT_0 = 48;
const DIGIT_9 = 57;

/**
 * Calls `onLine` for each non-blank line of `text` with the line's fields and its 1-based line
 * number. Lines end at `\n`; a `\r` before it is dropped. A leading byte-order mark is dropped.
 * A field that starts with `"` is quoted (RFC 4180, `""` for a quote); a quoted field cannot
 * span lines. Returns nothing; `onLine` may throw.
 */
export function forEachCsvLine(
  text: string,
  file: string,
  delimiter: number,
  onLine: (fields: string[], line: number) => void,
): void {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 0;
  const n = text.length;
  const fields: string[] = [];
  const sep = String.fromCharCode(delimiter);
  // The next quote at or after pos (Infinity when none is left): found once, not once a line.
  let nextQuote = -1;
  while (pos < n) {
    line++;
    let end = text.indexOf('\n', pos);
    const next = end === -1 ? n : end + 1;
    if (end === -1) end = n;
    let stop = end;
    if (stop > pos && text.charCodeAt(stop - 1) === CR) stop--;
    if (stop > pos) {
      fields.length = 0;
      if (nextQuote < pos) {
        nextQuote = text.indexOf('"', pos);
        if (nextQuote === -1) nextQuote = Infinity;
      }
      if (nextQuote >= stop) splitPlain(text, pos, stop, sep, fields);
      else splitQuoted(text, pos, stop, delimiter, fields, file, line);
      onLine(fields, line);
    }
    pos = next;
  }
}

function splitPlain(text: string, start: number, stop: number, sep: string, out: string[]): void {
  let from = start;
  for (;;) {
    const at = text.indexOf(sep, from);
    if (at === -1 || at >= stop) break;
    out.push(text.slice(from, at));
    from = at + 1;
  }
  out.push(text.slice(from, stop));
}

function splitQuoted(
  text: string,
  start: number,
  stop: number,
  delimiter: number,
  out: string[],
  file: string,
  line: number,
): void {
  let i = start;
  for (;;) {
    if (i < stop && text.charCodeAt(i) === QUOTE) {
      let value = '';
      let from = i + 1;
      let j = from;
      for (;;) {
        if (j >= stop) {
          throw rowError(
            file,
            line,
            out.length + 1,
            `field ${out.length + 1}`,
            'unterminated quoted field (a quoted field cannot span lines)',
          );
        }
        if (text.charCodeAt(j) === QUOTE) {
          if (j + 1 < stop && text.charCodeAt(j + 1) === QUOTE) {
            value += text.slice(from, j + 1);
            j += 2;
            from = j;
            continue;
          }
          value += text.slice(from, j);
          break;
        }
        j++;
      }
      out.push(value);
      i = j + 1;
      if (i >= stop) return;
      if (text.charCodeAt(i) !== delimiter) {
        throw rowError(
          file,
          line,
          out.length,
          `field ${out.length}`,
          'unexpected text after a closing quote',
          text.slice(start, stop),
        );
      }
      i++;
    } else {
      let j = i;
      while (j < stop && text.charCodeAt(j) !== delimiter) j++;
      out.push(text.slice(i, j));
      if (j >= stop) return;
      i = j + 1;
    }
  }
}

/** The delimiter character code of `','`, the default. */
export const COMMA_CODE = COMMA;

/**
 * Reads a non-negative integer written in decimal digits (spaces around it allowed); NaN when the
 * text is anything else or beyond 2^53 − 1.
 */
export function readUint(s: string): number {
  let i = 0;
  let end = s.length;
  while (i < end && isBlank(s.charCodeAt(i))) i++;
  while (end > i && isBlank(s.charCodeAt(end - 1))) end--;
  if (i === end) return Number.NaN;
  let value = 0;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) return Number.NaN;
    value = value * 10 + (c - DIGIT_0);
  }
  return value <= Number.MAX_SAFE_INTEGER ? value : Number.NaN;
}

/**
 * Reads a non-negative finite decimal number (`12`, `1.5`, `.5`, `1e3`; spaces around it
 * allowed); NaN for anything else (a sign, hex, `Infinity`, an empty field).
 */
export function readDecimal(s: string): number {
  const t = s.trim();
  if (t === '') return Number.NaN;
  let digits = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= DIGIT_0 && c <= DIGIT_9) {
      digits++;
      continue;
    }
    // '.', 'e', 'E', and a sign only right after the exponent marker.
    if (c === 46 || c === 101 || c === 69) continue;
    if ((c === 43 || c === 45) && i > 0 && (t.charCodeAt(i - 1) | 32) === 101) continue;
    return Number.NaN;
  }
  if (digits === 0) return Number.NaN;
  const value = Number(t);
  return Number.isFinite(value) && value >= 0 ? value : Number.NaN;
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** Normalises a header cell for matching: trimmed, lower case. */
export function headerKey(cell: string): string {
  return cell.trim().toLowerCase();
}

/**
 * Finds each wanted column in the header (case-insensitive, spaces around names ignored) and
 * returns its 0-based index, or -1 for an optional column that is absent.
 *
 * @throws `HeadroomError` `invalid_input` naming the file, line 1, the missing column and the
 * columns found.
 */
export function resolveColumns(
  header: readonly string[],
  file: string,
  wanted: readonly { readonly name: string; readonly required: boolean }[],
): number[] {
  const keys = header.map(headerKey);
  return wanted.map(({ name, required }) => {
    const index = keys.indexOf(headerKey(name));
    if (index === -1 && required) {
      throw headerError(
        file,
        `missing column "${name}" (the header has: ${header.map((h) => h.trim()).join(', ')})`,
      );
    }
    return index;
  });
}

/**
 * Calls `onRow` for each row of a CSV trace that starts with a header: line 1 is the header, its
 * columns resolved against `wanted` (see {@link resolveColumns}), and every later non-blank line
 * is a row, passed with its 1-based line number and the resolved column indexes.
 *
 * @throws `HeadroomError` `invalid_input` on line 1 when the first non-blank line is not line 1,
 * when a required column is missing, or when the text has no line at all.
 */
export function forEachCsvRow(
  text: string,
  file: string,
  delimiter: number,
  wanted: readonly { readonly name: string; readonly required: boolean }[],
  onRow: (fields: string[], line: number, cols: readonly number[]) => void,
): void {
  let cols: number[] | undefined;
  forEachCsvLine(text, file, delimiter, (fields, line) => {
    if (cols === undefined) {
      if (line !== 1) throw headerError(file, 'the first line must be the header');
      cols = resolveColumns(fields, file, wanted);
      return;
    }
    onRow(fields, line, cols);
  });
  if (cols === undefined) throw headerError(file, 'the file is empty: expected a header line');
}

/**
 * The field at `index` of a row.
 * @throws `HeadroomError` `invalid_input` when the row is too short to have it.
 */
export function fieldAt(
  fields: readonly string[],
  index: number,
  file: string,
  line: number,
  columnName: string,
): string {
  const value = fields[index];
  if (value === undefined) {
    throw rowError(
      file,
      line,
      index + 1,
      columnName,
      `missing value (the row has ${fields.length} field${fields.length === 1 ? '' : 's'})`,
    );
  }
  return value;
}

/**
 * Reads a token count field: a non-negative integer.
 * @throws `HeadroomError` `invalid_input` naming the file, line, column and value.
 */
export function tokenField(
  fields: readonly string[],
  index: number,
  file: string,
  line: number,
  columnName: string,
): number {
  const raw = fieldAt(fields, index, file, line, columnName);
  const value = readUint(raw);
  if (Number.isNaN(value)) {
    throw rowError(file, line, index + 1, columnName, 'expected a non-negative integer', raw);
  }
  return value;
}

/**
 * Reads a UTC timestamp field (see `readTimestamp`) into `out`.
 * @throws `HeadroomError` `invalid_input` naming the file, line, column and value.
 */
export function timestampField(
  fields: readonly string[],
  index: number,
  file: string,
  line: number,
  columnName: string,
  out: SplitTimestamp,
): void {
  const raw = fieldAt(fields, index, file, line, columnName);
  if (!readTimestamp(raw, out)) {
    throw rowError(
      file,
      line,
      index + 1,
      columnName,
      'expected a UTC timestamp like 2023-11-16 18:17:03.9799600',
      raw,
    );
  }
}

/**
 * Reads a non-negative decimal field (see {@link readDecimal}) counted in `unit` (`'seconds'`,
 * `'ms'`), which names the unit in the error.
 * @throws `HeadroomError` `invalid_input` naming the file, line, column and value.
 */
export function decimalField(
  fields: readonly string[],
  index: number,
  file: string,
  line: number,
  columnName: string,
  unit: string,
): number {
  const raw = fieldAt(fields, index, file, line, columnName);
  const value = readDecimal(raw);
  if (Number.isNaN(value)) {
    throw rowError(
      file,
      line,
      index + 1,
      columnName,
      `expected a non-negative number of ${unit}`,
      raw,
    );
  }
  return value;
}

/**
 * The ms from split timestamp `(sec0, tick0)` to `(sec, tick)`, kept to 100 ns: whole seconds and
 * ticks are differenced apart before the division, so epoch-sized values lose no precision.
 */
export function splitDeltaMs(sec: number, tick: number, sec0: number, tick0: number): number {
  return ((sec - sec0) * 10_000_000 + (tick - tick0)) / 10_000;
}

/** The epoch ms of split timestamp `(sec, tick)`. */
export function splitEpochMs(sec: number, tick: number): number {
  return sec * 1000 + tick / 10_000;
}

/** The file's name without its directory. */
export function fileName(file: string): string {
  return file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
}

/** The file's base name without its directory and last extension. */
export function baseName(file: string): string {
  const base = fileName(file);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/**
 * Builds a {@link Trace} from parsed rows: sorts them by arrival if they are not already in order
 * (a stable sort, so rows with equal arrivals keep their file order) and sets the duration to the
 * last arrival + 1 ms (0 when there are no rows).
 */
export function buildTrace(
  name: string,
  source: string,
  requests: TraceRequest[],
  startEpochMs?: number,
): Trace {
  let sorted = true;
  for (let i = 1; i < requests.length; i++) {
    if ((requests[i] as TraceRequest).arrivalMs < (requests[i - 1] as TraceRequest).arrivalMs) {
      sorted = false;
      break;
    }
  }
  if (!sorted) requests.sort((a, b) => a.arrivalMs - b.arrivalMs);
  const last = requests[requests.length - 1];
  return {
    name,
    source,
    ...(startEpochMs === undefined ? {} : { startEpochMs }),
    durationMs: last === undefined ? 0 : last.arrivalMs + 1,
    requests,
  };
}
