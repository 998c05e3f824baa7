import { HeadroomError } from '@headroom/core';
import {
  checkParseOptions,
  baseName,
  buildTrace,
  fileName,
  rowError,
  type TraceParseOptions,
} from './parse-common.js';
import type { Trace, TraceRequest } from './types.js';

/** Options of {@link parseMooncakeTrace}. */
export type MooncakeTraceParseOptions = TraceParseOptions;

/** The 1-based column where `"key"` starts in the line, or 1 when it is not there. */
function keyColumn(line: string, key: string): number {
  const at = line.indexOf(`"${key}"`);
  return at === -1 ? 1 : at + 1;
}

/** The 1-based column a JSON.parse error points at, when its message says (`position 12`). */
function syntaxColumn(error: unknown): number {
  const message = error instanceof Error ? error.message : '';
  const at = message.lastIndexOf('position ');
  if (at === -1) return 1;
  const n = Number.parseInt(message.slice(at + 9), 10);
  return Number.isFinite(n) ? n + 1 : 1;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Parses a Mooncake trace (Qin et al., "Mooncake", FAST 2025; the kvcache-ai/Mooncake
 * `FAST25-release/traces/*.jsonl` files): one JSON object a line with `timestamp` (ms from the
 * trace start), `input_length` (prompt tokens), `output_length` (output tokens) and `hash_ids`
 * (one id per 512-token prompt block; equal ids mean an equal prefix, the key of prefix-affinity
 * routing), kept as `prefixHashes`.
 *
 * Timestamps are kept as they are (they already count from the trace start) and must be
 * non-negative; rows out of order are sorted stably. `hash_ids` may be absent; other keys are
 * ignored; blank lines are skipped; CRLF is fine. An `output_length` of 0 is read as 1 (or the
 * row dropped, with `zeroOutputTokens: 'drop'`). It is pure: pass the file's text in.
 *
 * @param text - the file's contents.
 * @param options - `file` (for the source and errors), `name` (default: the file's base name),
 * `zeroOutputTokens`.
 * @throws `HeadroomError` `invalid_input` with path `[file, line, column]`, the column being
 * where the bad key (or the JSON syntax error) sits in the line, for example
 * `trace.jsonl:3:2 (input_length): expected a non-negative integer (got -5)`.
 * @example
 * ```ts
 * const trace = parseMooncakeTrace(jsonlText, { file: 'conversation_trace.jsonl' });
 * trace.requests[0]?.prefixHashes; // [0, 1, 2, ...]
 * ```
 */
export function parseMooncakeTrace(text: string, options: MooncakeTraceParseOptions): Trace {
  checkParseOptions(options);
  const { file } = options;
  const dropZero = options.zeroOutputTokens === 'drop';
  const requests: TraceRequest[] = [];
  const n = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  while (pos < n) {
    lineNo++;
    let end = text.indexOf('\n', pos);
    const next = end === -1 ? n : end + 1;
    if (end === -1) end = n;
    // JSON.parse skips the blanks (and a CR) around the object; columns count from the raw line.
    const line = text.slice(pos, end);
    pos = next;
    if (line.trim() === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      throw new HeadroomError({
        code: 'invalid_input',
        message: `${file}:${lineNo}:${syntaxColumn(error)} (json): not valid JSON`,
        path: [file, lineNo, syntaxColumn(error)],
        value: line,
        cause: error,
      });
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw rowError(file, lineNo, 1, 'json', 'expected a JSON object', line);
    }
    const record = row as Record<string, unknown>;
    const keyError = (key: string, message: string, value: unknown): HeadroomError =>
      rowError(file, lineNo, keyColumn(line, key), key, message, value);
    const timestamp = record['timestamp'];
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0) {
      throw keyError('timestamp', 'expected a non-negative number of ms', timestamp);
    }
    const input = record['input_length'];
    if (!isCount(input)) {
      throw keyError('input_length', 'expected a non-negative integer', input);
    }
    const output = record['output_length'];
    if (!isCount(output)) {
      throw keyError('output_length', 'expected a non-negative integer', output);
    }
    if (output === 0 && dropZero) continue;
    const hashes = record['hash_ids'];
    let prefixHashes: number[] | undefined;
    if (hashes !== undefined) {
      if (!Array.isArray(hashes) || !hashes.every(isCount)) {
        throw keyError('hash_ids', 'expected an array of non-negative integers', hashes);
      }
      prefixHashes = hashes as number[];
    }
    requests.push(
      prefixHashes === undefined
        ? { arrivalMs: timestamp, promptTokens: input, outputTokens: output === 0 ? 1 : output }
        : {
            arrivalMs: timestamp,
            promptTokens: input,
            outputTokens: output === 0 ? 1 : output,
            prefixHashes,
          },
    );
  }
  return buildTrace(options.name ?? baseName(file), fileName(file), requests);
}
