import { HeadroomError } from '@headroom/core';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAzureTrace } from '../traces/azure.js';
import { parseBurstGptTrace } from '../traces/burstgpt.js';
import { parseGenericCsv, type GenericCsvColumns } from '../traces/generic-csv.js';
import { parseMooncakeTrace } from '../traces/mooncake.js';
import type { ZeroOutputTokens } from '../traces/parse-common.js';
import type { Trace } from '../traces/types.js';

/** The trace file formats {@link loadTrace} reads. */
export const TRACE_FORMATS = ['azure', 'mooncake', 'burstgpt', 'csv'] as const;

/** One of {@link TRACE_FORMATS}. */
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** Options of {@link loadTrace}. */
export interface LoadTraceOptions {
  /** The file's format. @defaultValue detected (see {@link detectTraceFormat}) */
  readonly format?: TraceFormat;
  /** The trace's name. @defaultValue the parser's default (`azure-code`, the file's base name) */
  readonly name?: string;
  /** What to do with rows of 0 output tokens. @defaultValue 'one' */
  readonly zeroOutputTokens?: ZeroOutputTokens;
  /** For the `csv` format (required there): which header names hold which field. */
  readonly columns?: GenericCsvColumns;
  /** For the `csv` format: the field separator. @defaultValue ',' */
  readonly delimiter?: ',' | ';' | '\t' | '|';
  /** For the `csv` format: `'zero'` keeps arrivals as written, `'first'` rebases them. @defaultValue 'zero' */
  readonly origin?: 'zero' | 'first';
}

/** The names of the traces bundled with the package (CC-BY-4.0; see `data/ATTRIBUTION.md`). */
export const BUNDLED_TRACES = ['azure-code', 'azure-conv'] as const;

/** One of {@link BUNDLED_TRACES}. */
export type BundledTraceName = (typeof BUNDLED_TRACES)[number];

const BUNDLED_FILES: Record<BundledTraceName, string> = {
  'azure-code': 'AzureLLMInferenceTrace_code.csv',
  'azure-conv': 'AzureLLMInferenceTrace_conv.csv',
};

/** This module's directory, from the ESM `import.meta.url` or the CJS `__dirname`. */
function moduleDir(): string {
  const url = (import.meta as { url?: unknown }).url;
  if (typeof url === 'string' && url.startsWith('file:')) return path.dirname(fileURLToPath(url));
  return typeof __dirname === 'string' ? __dirname : process.cwd();
}

/**
 * The absolute path of a bundled trace file in the package's `data/` folder, found relative to
 * this module: `../../data` (from `src/node/` or `dist/node/`), then `../data`.
 *
 * @throws `HeadroomError` `invalid_argument` for an unknown name; `not_found` when the
 * data folder is missing from the installation.
 * @example
 * ```ts
 * const trace = loadTrace(bundledTracePath('azure-code'));
 * ```
 */
export function bundledTracePath(name: BundledTraceName): string {
  const file = (BUNDLED_FILES as Partial<Record<string, string>>)[name];
  if (file === undefined) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: `unknown bundled trace; expected one of: ${BUNDLED_TRACES.join(', ')}`,
      path: ['name'],
      value: name,
      limit: `one of: ${BUNDLED_TRACES.join(', ')}`,
    });
  }
  const dir = moduleDir();
  const candidates = [path.join(dir, '..', '..', 'data', file), path.join(dir, '..', 'data', file)];
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  throw new HeadroomError({
    code: 'not_found',
    message: `bundled trace file ${file} not found (looked in ${candidates.join(' and ')})`,
    path: ['name'],
    value: name,
  });
}

/**
 * Tells a trace file's format: a `.jsonl` or `.json` extension, or a first line starting with
 * `{`, is `mooncake`; a header with `TIMESTAMP`, `ContextTokens` and `GeneratedTokens` is
 * `azure`; one with `Timestamp`, `Request tokens` and `Response tokens` is `burstgpt`; anything
 * else is `csv` (which needs `columns`). Header names match case-insensitively.
 */
export function detectTraceFormat(file: string, text: string): TraceFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.json') return 'mooncake';
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let end = text.indexOf('\n', start);
  if (end === -1) end = text.length;
  const first = text.slice(start, end).trim();
  if (first.startsWith('{')) return 'mooncake';
  const header = new Set(first.split(',').map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase()));
  if (header.has('timestamp') && header.has('contexttokens') && header.has('generatedtokens')) {
    return 'azure';
  }
  if (header.has('timestamp') && header.has('request tokens') && header.has('response tokens')) {
    return 'burstgpt';
  }
  return 'csv';
}

/**
 * Reads a trace file (synchronously, UTF-8) and parses it with the loader for its format:
 * {@link parseAzureTrace}, {@link parseMooncakeTrace}, {@link parseBurstGptTrace} or
 * {@link parseGenericCsv}. The format is `options.format` or detected with
 * {@link detectTraceFormat}. Errors name the path as given.
 *
 * @throws `HeadroomError` `not_found` when the file does not exist; `unavailable` when it
 * cannot be read; `invalid_argument` for the `csv` format without `columns`; `invalid_input`
 * for a bad row (path `[file, line, column]`).
 * @example
 * ```ts
 * const code = loadTrace(bundledTracePath('azure-code'));
 * const mooncake = loadTrace('traces/conversation_trace.jsonl');
 * const mine = loadTrace('requests.csv', {
 *   columns: { arrival: 'ts', arrivalUnit: 's', prompt: 'in', output: 'out' },
 * });
 * ```
 */
export function loadTrace(file: string, options: LoadTraceOptions = {}): Trace {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'ENOENT';
    throw new HeadroomError({
      code: missing ? 'not_found' : 'unavailable',
      message: missing ? `trace file ${file} does not exist` : `cannot read trace file ${file}`,
      path: [file],
      cause: error,
    });
  }
  const format = options.format ?? detectTraceFormat(file, text);
  const common = {
    file,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.zeroOutputTokens === undefined
      ? {}
      : { zeroOutputTokens: options.zeroOutputTokens }),
  };
  switch (format) {
    case 'azure':
      return parseAzureTrace(text, common);
    case 'mooncake':
      return parseMooncakeTrace(text, common);
    case 'burstgpt':
      return parseBurstGptTrace(text, common);
    case 'csv': {
      if (options.columns === undefined) {
        throw new HeadroomError({
          code: 'invalid_argument',
          message: `cannot tell the format of ${file} from its header; pass format, or columns for a generic CSV`,
          path: ['options', 'columns'],
        });
      }
      return parseGenericCsv(text, {
        ...common,
        columns: options.columns,
        ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
        ...(options.origin === undefined ? {} : { origin: options.origin }),
      });
    }
    default:
      throw new HeadroomError({
        code: 'invalid_argument',
        message: `unknown trace format; expected one of: ${TRACE_FORMATS.join(', ')}`,
        path: ['options', 'format'],
        value: format,
      });
  }
}
