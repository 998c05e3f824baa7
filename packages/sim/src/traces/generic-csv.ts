import { parseConfig } from '@headroom/core';
import { z } from 'zod';
import {
  ZeroOutputTokensSchema,
  baseName,
  buildTrace,
  decimalField,
  fieldAt,
  fileName,
  forEachCsvRow,
  splitDeltaMs,
  splitEpochMs,
  timestampField,
  tokenField,
} from './parse-common.js';
import type { SplitTimestamp } from './timestamp.js';
import type { Trace, TraceRequest } from './types.js';

/** Which header names hold which request field in a generic CSV trace. */
export const GenericCsvColumnsSchema = z.strictObject({
  /** Header name of the arrival time column. */
  arrival: z.string().min(1),
  /**
   * Unit of the arrival column: `'s'` or `'ms'` (a non-negative decimal number), or `'datetime'`
   * (a UTC timestamp like `2023-11-16 18:17:03.9799600` or `2023-11-16T18:17:03Z`; arrivals then
   * count from the earliest one, which becomes `startEpochMs`).
   */
  arrivalUnit: z.literal(['s', 'ms', 'datetime']),
  /** Header name of the prompt token count column (a non-negative integer). */
  prompt: z.string().min(1),
  /** Header name of the output token count column (a non-negative integer; 0 reads as 1). */
  output: z.string().min(1),
  /** Header name of the model column, if the file has one. */
  model: z.string().min(1).optional(),
  /** Header name of the tenant column, if the file has one. */
  tenant: z.string().min(1).optional(),
});

/** What {@link GenericCsvColumnsSchema} accepts. */
export type GenericCsvColumns = z.input<typeof GenericCsvColumnsSchema>;

/** The options of {@link parseGenericCsv}. Unknown keys are rejected. */
export const GenericCsvOptionsSchema = z.strictObject({
  /** The file name the text came from: the trace's source, and every error's location. */
  file: z.string().min(1),
  /** The trace's name. @defaultValue the file's base name */
  name: z.string().min(1).optional(),
  /** What to do with a row of 0 output tokens. @defaultValue 'one' */
  zeroOutputTokens: ZeroOutputTokensSchema.default('one'),
  /** Which header names hold which field. */
  columns: GenericCsvColumnsSchema,
  /** The field separator. @defaultValue ',' */
  delimiter: z.literal([',', ';', '\t', '|']).default(','),
  /**
   * Where arrival 0 is, for `'s'` and `'ms'` arrivals: `'zero'` keeps the values as written (they
   * must be non-negative), `'first'` subtracts the earliest arrival (use it for epoch seconds).
   * `'datetime'` arrivals always count from the earliest. @defaultValue 'zero'
   */
  origin: z.literal(['zero', 'first']).default('zero'),
});

/** What {@link parseGenericCsv} accepts as options: {@link GenericCsvOptionsSchema}'s input. */
export type GenericCsvOptions = z.input<typeof GenericCsvOptionsSchema>;

/**
 * Parses a CSV trace of any layout: a header line, then one request a row, with the columns
 * named in `options.columns` (matched case-insensitively; other columns are ignored). Arrival
 * times in seconds, milliseconds or UTC datetimes; prompt and output token counts; optionally
 * model and tenant strings (an empty cell leaves the field unset).
 *
 * Rows out of order are sorted stably by arrival. Blank lines are skipped; CRLF and RFC 4180
 * quoted fields (not spanning lines) are fine; `delimiter` picks `,`, `;`, tab or `|`. It is pure:
 * pass the file's text in.
 *
 * @throws `HeadroomError` `invalid_config` when the options are malformed;
 * `invalid_input` for a bad row, with path `[file, line, column]` and a message like
 * `requests.csv:9:3 (out_tokens): expected a non-negative integer (got "1.5")`.
 * @example
 * ```ts
 * const trace = parseGenericCsv(text, {
 *   file: 'requests.csv',
 *   columns: { arrival: 'ts', arrivalUnit: 's', prompt: 'in_tokens', output: 'out_tokens', tenant: 'customer' },
 *   origin: 'first',
 * });
 * ```
 */
export function parseGenericCsv(text: string, options: GenericCsvOptions): Trace {
  const config = parseConfig(GenericCsvOptionsSchema, options, ['options']);
  const { file, columns } = config;
  const dropZero = config.zeroOutputTokens === 'drop';
  const unit = columns.arrivalUnit;
  const names = [columns.arrival, columns.prompt, columns.output] as const;
  const rows: { at: number; tick: number; request: Omit<TraceRequest, 'arrivalMs'> }[] = [];
  const scratch: SplitTimestamp = { sec: 0, tick: 0 };
  const wanted = [
    ...names.map((name) => ({ name, required: true })),
    { name: columns.model ?? '', required: columns.model !== undefined },
    { name: columns.tenant ?? '', required: columns.tenant !== undefined },
  ];
  forEachCsvRow(text, file, config.delimiter.charCodeAt(0), wanted, (fields, line, cols) => {
    const [arrivalCol, promptCol, outputCol, modelCol, tenantCol] = cols as [
      number,
      number,
      number,
      number,
      number,
    ];
    let at: number;
    let tick = 0;
    if (unit === 'datetime') {
      timestampField(fields, arrivalCol, file, line, names[0], scratch);
      at = scratch.sec;
      tick = scratch.tick;
    } else {
      const value = decimalField(
        fields,
        arrivalCol,
        file,
        line,
        names[0],
        unit === 's' ? 'seconds' : 'ms',
      );
      at = unit === 's' ? value * 1000 : value;
    }
    const promptTokens = tokenField(fields, promptCol, file, line, names[1]);
    const output = tokenField(fields, outputCol, file, line, names[2]);
    if (output === 0 && dropZero) return;
    // An absent optional column has no name to match: never read it, even if a header cell is blank.
    const model =
      columns.model === undefined
        ? ''
        : fieldAt(fields, modelCol, file, line, columns.model).trim();
    const tenant =
      columns.tenant === undefined
        ? ''
        : fieldAt(fields, tenantCol, file, line, columns.tenant).trim();
    rows.push({
      at,
      tick,
      request: {
        promptTokens,
        outputTokens: output === 0 ? 1 : output,
        ...(model === '' ? {} : { model }),
        ...(tenant === '' ? {} : { tenant }),
      },
    });
  });

  let at0 = 0;
  let tick0 = 0;
  const rebase = unit === 'datetime' || config.origin === 'first';
  if (rebase && rows.length > 0) {
    at0 = Infinity;
    for (const row of rows) {
      if (row.at < at0 || (row.at === at0 && row.tick < tick0)) {
        at0 = row.at;
        tick0 = row.tick;
      }
    }
  }
  const requests: TraceRequest[] = rows.map((row) => ({
    arrivalMs: unit === 'datetime' ? splitDeltaMs(row.at, row.tick, at0, tick0) : row.at - at0,
    ...row.request,
  }));
  const startEpochMs =
    unit === 'datetime' && rows.length > 0 ? splitEpochMs(at0, tick0) : undefined;
  return buildTrace(config.name ?? baseName(file), fileName(file), requests, startEpochMs);
}
