import {
  checkParseOptions,
  COMMA_CODE,
  baseName,
  buildTrace,
  decimalField,
  fieldAt,
  fileName,
  forEachCsvRow,
  tokenField,
  type TraceParseOptions,
} from './parse-common.js';
import type { Trace, TraceRequest } from './types.js';

/** The BurstGPT columns the parser reads (`Total tokens` and `Log Type` are ignored). */
export const BURSTGPT_TRACE_COLUMNS = [
  'Timestamp',
  'Model',
  'Request tokens',
  'Response tokens',
] as const;

/** Options of {@link parseBurstGptTrace}. */
export type BurstGptTraceParseOptions = TraceParseOptions;

/**
 * Parses a BurstGPT trace CSV (HPMLL/BurstGPT, Wang et al. 2024: Azure OpenAI GPT usage logs):
 * header `Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type`; `Timestamp` is
 * seconds from the trace start (a decimal number), `Model` the model name (`ChatGPT`, `GPT-4`),
 * kept as `model`, and the token columns the prompt and output lengths.
 *
 * BurstGPT logs failed requests with 0 response tokens (and often 0 request tokens): they are
 * read as 1 output token by default, as every parser does, or dropped with
 * `zeroOutputTokens: 'drop'`. Arrivals are the timestamps in ms, not shifted; rows out of order
 * are sorted stably. Columns are found by name (case-insensitive); blank lines are skipped; CRLF
 * and RFC 4180 quoted fields are fine. It is pure: pass the file's text in.
 *
 * @param text - the file's contents.
 * @param options - `file` (for the source and errors), `name` (default: the file's base name),
 * `zeroOutputTokens`.
 * @throws `HeadroomError` `invalid_input` with path `[file, line, column]` and a message like
 * `burstgpt.csv:4:1 (Timestamp): expected a non-negative number of seconds (got "x")`.
 * @example
 * ```ts
 * const trace = parseBurstGptTrace(csvText, { file: 'BurstGPT_1.csv' });
 * trace.requests[0]?.model; // 'ChatGPT'
 * ```
 */
export function parseBurstGptTrace(text: string, options: BurstGptTraceParseOptions): Trace {
  checkParseOptions(options);
  const { file } = options;
  const dropZero = options.zeroOutputTokens === 'drop';
  const requests: TraceRequest[] = [];
  const wanted = BURSTGPT_TRACE_COLUMNS.map((name) => ({ name, required: true }));
  forEachCsvRow(text, file, COMMA_CODE, wanted, (fields, line, cols) => {
    const [tsCol, modelCol, promptCol, outputCol] = cols as [number, number, number, number];
    const seconds = decimalField(fields, tsCol, file, line, 'Timestamp', 'seconds');
    const model = fieldAt(fields, modelCol, file, line, 'Model').trim();
    const prompt = tokenField(fields, promptCol, file, line, 'Request tokens');
    const output = tokenField(fields, outputCol, file, line, 'Response tokens');
    if (output === 0 && dropZero) return;
    const request: TraceRequest =
      model === ''
        ? {
            arrivalMs: seconds * 1000,
            promptTokens: prompt,
            outputTokens: output === 0 ? 1 : output,
          }
        : {
            arrivalMs: seconds * 1000,
            promptTokens: prompt,
            outputTokens: output === 0 ? 1 : output,
            model,
          };
    requests.push(request);
  });
  return buildTrace(options.name ?? baseName(file), fileName(file), requests);
}
