import {
  checkParseOptions,
  COMMA_CODE,
  baseName,
  buildTrace,
  fileName,
  forEachCsvRow,
  splitDeltaMs,
  splitEpochMs,
  timestampField,
  tokenField,
  type TraceParseOptions,
} from './parse-common.js';
import type { SplitTimestamp } from './timestamp.js';
import type { Trace, TraceRequest } from './types.js';

/** The columns of the Azure LLM inference traces, in file order. */
export const AZURE_TRACE_COLUMNS = ['TIMESTAMP', 'ContextTokens', 'GeneratedTokens'] as const;

/** Options of {@link parseAzureTrace}. */
export type AzureTraceParseOptions = TraceParseOptions;

/**
 * The default trace name for a file: `AzureLLMInferenceTrace_code.csv` → `'azure-code'`
 * (`azure-` and what follows the last underscore), anything else its base name.
 */
function azureTraceName(file: string): string {
  const base = baseName(file);
  const underscore = base.lastIndexOf('_');
  return base.startsWith('AzureLLMInferenceTrace') && underscore !== -1
    ? `azure-${base.slice(underscore + 1)}`
    : base;
}

/**
 * Parses an Azure LLM inference trace CSV (the Azure Public Dataset's 2023 traces used by
 * Splitwise, Patel et al., ISCA 2024): a header `TIMESTAMP,ContextTokens,GeneratedTokens`, then
 * one request a row. `TIMESTAMP` is UTC wall-clock time with 100 ns resolution
 * (`2023-11-16 18:17:03.9799600`); `ContextTokens` is the prompt length and `GeneratedTokens`
 * the output length.
 *
 * Arrivals are measured from the earliest timestamp (usually the first row), kept to 100 ns
 * (fractional ms); `startEpochMs` is that earliest timestamp. Rows out of order are sorted stably.
 * Columns are found by name (any order, case-insensitive); extra columns are ignored; blank
 * lines are skipped; CRLF line ends are fine. A `GeneratedTokens` of 0 is read as 1 (or the row
 * dropped, with `zeroOutputTokens: 'drop'`). It is pure: pass the file's text in.
 *
 * @param text - the file's contents.
 * @param options - `file` (for the source and errors), `name` (default `azure-<suffix>`, for
 * example `'azure-code'`), `zeroOutputTokens`.
 * @throws `HeadroomError` `invalid_input` with path `[file, line, column]` and a message like
 * `AzureLLMInferenceTrace_code.csv:17:2 (ContextTokens): expected a non-negative integer (got "abc")`;
 * a missing header or column names line 1.
 * @example
 * ```ts
 * const trace = parseAzureTrace(csvText, { file: 'AzureLLMInferenceTrace_code.csv' });
 * trace.name; // 'azure-code'
 * trace.requests[0]; // { arrivalMs: 0, promptTokens: 4808, outputTokens: 10 }
 * ```
 */
export function parseAzureTrace(text: string, options: AzureTraceParseOptions): Trace {
  checkParseOptions(options);
  const { file } = options;
  const dropZero = options.zeroOutputTokens === 'drop';
  const secs: number[] = [];
  const ticks: number[] = [];
  const prompts: number[] = [];
  const outputs: number[] = [];
  const scratch: SplitTimestamp = { sec: 0, tick: 0 };
  const wanted = AZURE_TRACE_COLUMNS.map((name) => ({ name, required: true }));
  forEachCsvRow(text, file, COMMA_CODE, wanted, (fields, line, cols) => {
    const [tsCol, promptCol, outputCol] = cols as [number, number, number];
    timestampField(fields, tsCol, file, line, 'TIMESTAMP', scratch);
    const prompt = tokenField(fields, promptCol, file, line, 'ContextTokens');
    const output = tokenField(fields, outputCol, file, line, 'GeneratedTokens');
    if (output === 0 && dropZero) return;
    secs.push(scratch.sec);
    ticks.push(scratch.tick);
    prompts.push(prompt);
    outputs.push(output === 0 ? 1 : output);
  });

  const n = secs.length;
  let sec0 = Infinity;
  let tick0 = 0;
  for (let i = 0; i < n; i++) {
    const s = secs[i] as number;
    const t = ticks[i] as number;
    if (s < sec0 || (s === sec0 && t < tick0)) {
      sec0 = s;
      tick0 = t;
    }
  }
  const requests: TraceRequest[] = new Array<TraceRequest>(n);
  for (let i = 0; i < n; i++) {
    requests[i] = {
      arrivalMs: splitDeltaMs(secs[i] as number, ticks[i] as number, sec0, tick0),
      promptTokens: prompts[i] as number,
      outputTokens: outputs[i] as number,
    };
  }
  return buildTrace(
    options.name ?? azureTraceName(file),
    fileName(file),
    requests,
    n === 0 ? undefined : splitEpochMs(sec0, tick0),
  );
}
