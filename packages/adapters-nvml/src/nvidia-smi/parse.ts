import {
  GpuSampleSchema,
  HeadroomError,
  err,
  ok,
  parseInput,
  requireNumber,
  type GpuSample,
  type Result,
} from '@headroom/core';
import {
  NVIDIA_SMI_DEFAULT_FIELDS,
  checkFields,
  isNvidiaSmiField,
  type NvidiaSmiField,
} from './fields.js';

/** Options of {@link parseNvidiaSmiCsv}. */
export interface NvidiaSmiParseOptions {
  /** When the output was produced, epoch ms; becomes every sample's `sampledAtMs`. Finite, >= 0. */
  readonly sampledAtMs: number;
  /**
   * The fields the output was queried with, in column order (the `--query-gpu` list). Ignored
   * when the output starts with a header line: the header names the columns then.
   *
   * @defaultValue {@link NVIDIA_SMI_DEFAULT_FIELDS}
   */
  readonly fields?: readonly NvidiaSmiField[];
}

type SampleKey = Exclude<keyof GpuSample, 'gpuId' | 'sampledAtMs' | 'lastXid' | 'migProfile'>;

interface FieldSpec {
  /** `index` is an integer kept as text, `text` is kept as is, `number` is converted. */
  readonly kind: 'index' | 'text' | 'number';
  /** The unit nvidia-smi prints after the value (`--format=csv`) and in the header brackets. */
  readonly unit?: string;
  /** The GpuSample property it fills (uuid and index fill gpuId). */
  readonly key?: SampleKey;
  /** From the printed unit to the sample's unit. */
  readonly convert?: (value: number) => number;
}

const BYTES_PER_MIB = 1_048_576;

const SPECS: Readonly<Record<NvidiaSmiField, FieldSpec>> = {
  index: { kind: 'index' },
  uuid: { kind: 'text' },
  name: { kind: 'text', key: 'name' },
  'utilization.gpu': {
    kind: 'number',
    unit: '%',
    key: 'utilization',
    convert: (percent) => percent / 100,
  },
  'memory.used': {
    kind: 'number',
    unit: 'MiB',
    key: 'memoryUsedBytes',
    convert: (mib) => mib * BYTES_PER_MIB,
  },
  'memory.total': {
    kind: 'number',
    unit: 'MiB',
    key: 'memoryTotalBytes',
    convert: (mib) => mib * BYTES_PER_MIB,
  },
  'temperature.gpu': { kind: 'number', unit: 'C', key: 'temperatureC' },
  'power.draw': { kind: 'number', unit: 'W', key: 'powerW' },
  'ecc.errors.uncorrected.volatile.total': { kind: 'number', key: 'eccDoubleBitErrors' },
  'ecc.errors.corrected.volatile.total': { kind: 'number', key: 'eccSingleBitErrors' },
};

/** Values nvidia-smi prints for a value it cannot report; they parse as `undefined`. */
const UNKNOWN_VALUES = new Set([
  '',
  'N/A',
  '[N/A]',
  '[Not Supported]',
  '[Unknown Error]',
  '[Insufficient Permissions]',
]);
/** Any other bracketed message (`[GPU is lost]`, `[Requested functionality has been deprecated]`). */
const BRACKETED = /^\[[^[\]]+\]$/;
const NUMBER_WITH_UNIT = /^(-?\d+(?:\.\d+)?)(?: ?([A-Za-z%]+))?$/;
const INDEX = /^\d+$/;
const HEADER_CELL = /^([a-z_][a-z0-9_.]*)(?: \[([^[\]]*)\])?$/;

interface Column {
  /** The known field in this column; undefined for a header column this parser does not know. */
  readonly field: NvidiaSmiField | undefined;
  /** How errors name the column: the field, or the header's name for it. */
  readonly label: string;
}

function isUnknownValue(cell: string): boolean {
  return UNKNOWN_VALUES.has(cell) || BRACKETED.test(cell);
}

function splitCells(line: string): string[] {
  return line.split(',').map((cell) => cell.trim());
}

function invalid(
  line: number,
  column: string | undefined,
  message: string,
  value: unknown,
  limit: string,
  cause?: unknown,
): HeadroomError {
  return new HeadroomError({
    code: 'invalid_input',
    message,
    path: column === undefined ? ['line', line] : ['line', line, column],
    value,
    limit,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** A header line: every cell is a field name (with an optional `[unit]`), one of them known. */
function isHeader(cells: readonly string[]): boolean {
  let known = false;
  for (const cell of cells) {
    const match = HEADER_CELL.exec(cell);
    if (match === null) return false;
    if (isNvidiaSmiField(match[1] ?? '')) known = true;
  }
  return known;
}

function columnsFromHeader(cells: readonly string[], line: number): Result<Column[]> {
  const columns: Column[] = [];
  const seen = new Set<string>();
  for (const cell of cells) {
    const match = HEADER_CELL.exec(cell);
    const name = match?.[1] ?? cell;
    const unit = match?.[2];
    if (!isNvidiaSmiField(name)) {
      // A column this parser does not know (pci.bus_id, clocks.sm...): kept for the count, ignored.
      columns.push({ field: undefined, label: name });
      continue;
    }
    if (seen.has(name)) {
      return err(invalid(line, name, 'the header names this field twice', cell, 'distinct fields'));
    }
    seen.add(name);
    const expected = SPECS[name].unit;
    if (unit !== undefined && expected !== undefined && unit !== expected) {
      return err(
        invalid(
          line,
          name,
          `the header gives unit [${unit}], expected [${expected}]`,
          cell,
          expected,
        ),
      );
    }
    columns.push({ field: name, label: name });
  }
  if (!seen.has('uuid') && !seen.has('index')) {
    return err(
      invalid(
        line,
        undefined,
        'the header names neither uuid nor index, so samples would have no GPU id',
        cells.join(', '),
        'includes uuid or index',
      ),
    );
  }
  return ok(columns);
}

function parseRow(
  cells: readonly string[],
  columns: readonly Column[],
  line: number,
  sampledAtMs: number,
): Result<GpuSample> {
  let uuid: string | undefined;
  let index: string | undefined;
  const sample: Record<string, string | number> = {};
  const sourceOf = new Map<string, { field: NvidiaSmiField; cell: string }>();

  for (let i = 0; i < columns.length; i++) {
    const field = columns[i]?.field;
    const cell = cells[i] ?? '';
    if (field === undefined || isUnknownValue(cell)) continue;
    const spec = SPECS[field];
    if (spec.kind === 'index') {
      if (!INDEX.test(cell)) {
        return err(invalid(line, field, 'expected a GPU index', cell, 'a non-negative integer'));
      }
      index = cell;
    } else if (spec.kind === 'text') {
      if (field === 'uuid') uuid = cell;
      else if (spec.key !== undefined) sample[spec.key] = cell;
    } else {
      const limit = `a number${spec.unit === undefined ? '' : ` in ${spec.unit}`}, or [N/A]`;
      const match = NUMBER_WITH_UNIT.exec(cell);
      const unit = match?.[2];
      if (match === null || (unit !== undefined && unit !== spec.unit)) {
        return err(invalid(line, field, `expected ${limit}`, cell, limit));
      }
      const value = Number(match[1]);
      if (!Number.isFinite(value)) {
        return err(invalid(line, field, 'the number is too large', cell, 'a finite number'));
      }
      if (spec.key !== undefined) {
        sample[spec.key] = spec.convert === undefined ? value : spec.convert(value);
        sourceOf.set(spec.key, { field, cell });
      }
    }
  }

  const gpuId = uuid ?? index;
  if (gpuId === undefined) {
    const field = columns.some((c) => c.field === 'uuid') ? 'uuid' : 'index';
    return err(
      invalid(line, field, 'the GPU has neither a uuid nor an index', undefined, 'uuid or index'),
    );
  }
  sourceOf.set('gpuId', { field: uuid === undefined ? 'index' : 'uuid', cell: gpuId });

  const parsed = parseInput(GpuSampleSchema, { gpuId, ...sample, sampledAtMs });
  if (parsed.ok) return parsed;
  // Name the CSV column and the cell as printed, not the GpuSample property and the converted value.
  const error = parsed.error;
  const key = error.path[0];
  const source = typeof key === 'string' ? sourceOf.get(key) : undefined;
  const column = source?.field ?? (typeof key === 'string' ? key : undefined);
  const converted = typeof key === 'string' && source !== undefined ? sample[key] : undefined;
  const as = converted === undefined ? '' : ` (as ${String(key)} = ${String(converted)})`;
  return err(
    invalid(
      line,
      column,
      `${error.detail}${as}`,
      source === undefined ? error.value : source.cell,
      error.limit ?? 'a valid GPU sample',
      error,
    ),
  );
}

/**
 * Parses the output of `nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits` into
 * validated GPU samples, one per line.
 *
 * Also accepts `--format=csv` with its header line (`index, uuid, utilization.gpu [%], ...`):
 * the header, when it is the first non-blank line, names the columns (unknown columns are
 * ignored), and unit suffixes on values (`43 %`, `17802 MiB`, `44.71 W`) are stripped after
 * checking they are the expected unit.
 *
 * Conversions: `gpuId` is the uuid (the index when the uuid is unknown); `utilization` is the
 * percentage / 100; memory is MiB x 1048576 in bytes; `eccDoubleBitErrors` is
 * `ecc.errors.uncorrected.volatile.total` and `eccSingleBitErrors` is
 * `ecc.errors.corrected.volatile.total`. A value nvidia-smi cannot report (`[N/A]`, `N/A`,
 * `[Not Supported]`, `[Unknown Error]`, `[Insufficient Permissions]`, any other `[...]` message,
 * or an empty cell) is `undefined`, never 0. Blank lines are skipped; empty output is `ok([])`.
 *
 * Never throws on bad text: a wrong column count, a non-numeric or wrongly-unitted value, or a
 * sample that fails `GpuSampleSchema` (utilization over 100 %, used memory above total...) returns
 * `{ ok: false, error }` with code `invalid_input`, `path` `['line', n, field]` (n is 1-based)
 * and the cell as `value`. The first bad line decides; there is no partial result.
 *
 * @param text - the command's standard output.
 * @param options - when the samples were taken and the queried fields.
 * @returns the samples in output order, or an `invalid_input` error naming the line.
 * @throws `HeadroomError` (from `@headroom/core`) `invalid_argument` when `options.sampledAtMs`
 * is not a finite number >= 0, or `options.fields` is empty, has an unknown or duplicate field,
 * or names neither `uuid` nor `index` (misuse, not bad data).
 * @example
 * ```ts
 * const result = parseNvidiaSmiCsv('0, GPU-5e6f, NVIDIA L4, 43, 17802, 23034, 52, 44.71, 0\n', {
 *   sampledAtMs: Date.now(),
 * });
 * if (result.ok) console.log(result.value[0]?.utilization); // 0.43
 * else console.error(result.error.message); // invalid_input at line[3].memory.used: ...
 * ```
 */
export function parseNvidiaSmiCsv(
  text: string,
  options: NvidiaSmiParseOptions,
): Result<GpuSample[]> {
  const sampledAtMs = requireNumber(options.sampledAtMs, ['sampledAtMs'], { min: 0 });
  const fields =
    options.fields === undefined
      ? NVIDIA_SMI_DEFAULT_FIELDS
      : checkFields(options.fields, 'invalid_argument', ['fields']);

  const lines = (text.startsWith('\uFEFF') ? text.slice(1) : text).split(/\r\n|\n|\r/);
  const samples: GpuSample[] = [];
  let columns: readonly Column[] | undefined;

  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const raw = lines[i] ?? '';
    if (raw.trim() === '') continue;
    const cells = splitCells(raw);
    if (columns === undefined) {
      if (isHeader(cells)) {
        const header = columnsFromHeader(cells, line);
        if (!header.ok) return header;
        columns = header.value;
        continue;
      }
      columns = fields.map((field) => ({ field, label: field }));
    }
    if (cells.length !== columns.length) {
      const names = columns.map((c) => c.label).join(', ');
      return err(
        invalid(
          line,
          undefined,
          `expected ${columns.length} columns (${names}), got ${cells.length}`,
          raw,
          `${columns.length} columns`,
        ),
      );
    }
    const sample = parseRow(cells, columns, line, sampledAtMs);
    if (!sample.ok) return sample;
    samples.push(sample.value);
  }
  return ok(samples);
}
