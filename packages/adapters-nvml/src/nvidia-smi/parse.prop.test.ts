import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GpuSampleSchema, isHeadroomError, type GpuSample, type Result } from '@headroom/core';
import { NVIDIA_SMI_DEFAULT_FIELDS, parseNvidiaSmiCsv, type NvidiaSmiField } from './index.js';

const SHARED = new URL('../../../../../shared/data/metrics/', import.meta.url);
const LOCAL = new URL('../../test/fixtures/nvidia-smi/', import.meta.url);
const FIXTURES = [
  readFileSync(new URL('nvidia-smi-query.csv', SHARED), 'utf8'),
  readFileSync(new URL('nvidia-smi-query-header.csv', SHARED), 'utf8'),
  readFileSync(new URL('query-units-extra-columns.csv', LOCAL), 'utf8'),
];
const AT_MS = 1_767_225_600_000;
const MIB = 1_048_576;

/** The contract on any text: ok with schema-valid samples, or invalid_input naming a line. */
function expectWellFormed(result: Result<GpuSample[]>): void {
  if (result.ok) {
    for (const sample of result.value) {
      expect(GpuSampleSchema.safeParse(sample).success).toBe(true);
      expect(sample.sampledAtMs).toBe(AT_MS);
    }
  } else {
    expect(isHeadroomError(result.error, 'invalid_input')).toBe(true);
    expect(result.error.message).toContain('line');
    expect(result.error.path[0]).toBe('line');
    expect(result.error.path[1]).toBeTypeOf('number');
  }
}

const parse = (text: string): Result<GpuSample[]> =>
  parseNvidiaSmiCsv(text, { sampledAtMs: AT_MS });

/** A mutation of a fixture's text: delete a line, delete a column of a line, replace a character. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete-column' as const), at: fc.nat(), column: fc.nat() }),
  fc.record({
    kind: fc.constant('replace-char' as const),
    at: fc.nat(),
    with: fc.oneof(
      fc.constantFrom(',', ' ', '\n', '\r', '[', ']', '-', '.', '%', 'A', '9', ''),
      fc.string({ minLength: 1, maxLength: 3, unit: 'binary' }),
    ),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, change: Mutation): string {
  const lines = text.split('\n');
  if (change.kind === 'delete-line') {
    lines.splice(change.at % lines.length, 1);
    return lines.join('\n');
  }
  if (change.kind === 'delete-column') {
    const index = change.at % lines.length;
    const cells = (lines[index] ?? '').split(', ');
    cells.splice(change.column % cells.length, 1);
    lines[index] = cells.join(', ');
    return lines.join('\n');
  }
  if (text.length === 0) return change.with;
  const at = change.at % text.length;
  return `${text.slice(0, at)}${change.with}${text.slice(at + 1)}`;
}

describe('parseNvidiaSmiCsv on arbitrary text', () => {
  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => expectWellFormed(parse(text))));
  });

  it('never throws on arbitrary code points (unit: binary)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) =>
        expectWellFormed(parse(text)),
      ),
    );
  });

  it('never throws on arbitrary bytes decoded as latin1', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) =>
        expectWellFormed(parse(Buffer.from(bytes).toString('latin1'))),
      ),
    );
  });

  it('never throws on strings built from CSV-ish pieces', () => {
    const piece = fc.constantFrom(
      ', ',
      ',',
      '\n',
      '\r\n',
      '[N/A]',
      '[Not Supported]',
      'GPU-1',
      'NVIDIA L4',
      '0',
      '43',
      '17802',
      '4.5',
      ' %',
      ' MiB',
      ' W',
      'index',
      'uuid',
      'memory.used [MiB]',
      'utilization.gpu [%]',
      '-',
      '',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (pieces) =>
        expectWellFormed(parse(pieces.join(''))),
      ),
    );
  });
});

describe('parseNvidiaSmiCsv on mutated fixtures', () => {
  it('returns valid samples or an invalid_input naming a line, whatever the mutations', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIXTURES),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        (fixture, changes) => {
          const text = changes.reduce(mutate, fixture);
          expectWellFormed(parse(text));
        },
      ),
    );
  });

  it('rejects every fixture with one column deleted from a data line, at that line', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIXTURES), fc.nat(), fc.nat(), (fixture, row, column) => {
        const lines = fixture.split('\n');
        const hasHeader = lines[0]?.startsWith('index, ') === true && !/^\d/.test(lines[0]);
        const first = hasHeader ? 1 : 0;
        const dataLines = lines.length - 1 - first; // the last element is the empty tail
        const lineIndex = first + (row % dataLines);
        const cells = (lines[lineIndex] ?? '').split(', ');
        cells.splice(column % cells.length, 1);
        lines[lineIndex] = cells.join(', ');

        const result = parse(lines.join('\n'));

        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error.path).toStrictEqual(['line', lineIndex + 1]);
      }),
    );
  });
});

describe('parseNvidiaSmiCsv round trip', () => {
  const unknown = fc.constantFrom('[N/A]', '[Not Supported]', 'N/A', '[Unknown Error]');
  const gpu = fc.record({
    index: fc.nat({ max: 15 }),
    uuid: fc.option(fc.uuid(), { nil: undefined }),
    name: fc.option(fc.constantFrom('NVIDIA H100 80GB HBM3', 'NVIDIA L4', 'Tesla T4'), {
      nil: undefined,
    }),
    utilizationPercent: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
    memory: fc.option(
      fc
        .integer({ min: 0, max: 200_000 })
        .chain((total) =>
          fc.record({ used: fc.integer({ min: 0, max: total }), total: fc.constant(total) }),
        ),
      { nil: undefined },
    ),
    temperatureC: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
    powerCentiW: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
    ecc: fc.option(fc.nat({ max: 1_000_000 }), { nil: undefined }),
  });
  type Gpu = typeof gpu extends fc.Arbitrary<infer T> ? T : never;

  function render(g: Gpu, na: string, units: boolean): string {
    const u = (value: number | string | undefined, unit: string): string =>
      value === undefined ? na : units && unit !== '' ? `${value} ${unit}` : String(value);
    return [
      String(g.index),
      g.uuid === undefined ? na : `GPU-${g.uuid}`,
      g.name ?? na,
      u(g.utilizationPercent, '%'),
      u(g.memory?.used, 'MiB'),
      u(g.memory?.total, 'MiB'),
      u(g.temperatureC, ''),
      u(g.powerCentiW === undefined ? undefined : (g.powerCentiW / 100).toFixed(2), 'W'),
      u(g.ecc, ''),
    ].join(', ');
  }

  function expected(g: Gpu): GpuSample {
    return {
      gpuId: g.uuid === undefined ? String(g.index) : `GPU-${g.uuid}`,
      ...(g.name === undefined ? {} : { name: g.name }),
      ...(g.utilizationPercent === undefined ? {} : { utilization: g.utilizationPercent / 100 }),
      ...(g.memory === undefined
        ? {}
        : { memoryUsedBytes: g.memory.used * MIB, memoryTotalBytes: g.memory.total * MIB }),
      ...(g.temperatureC === undefined ? {} : { temperatureC: g.temperatureC }),
      ...(g.powerCentiW === undefined ? {} : { powerW: Number((g.powerCentiW / 100).toFixed(2)) }),
      ...(g.ecc === undefined ? {} : { eccDoubleBitErrors: g.ecc }),
      sampledAtMs: AT_MS,
    };
  }

  it('parses rendered noheader,nounits output back to the exact samples', () => {
    fc.assert(
      fc.property(fc.array(gpu, { maxLength: 8 }), unknown, (gpus, na) => {
        const text = gpus.map((g) => `${render(g, na, false)}\n`).join('');

        expect(parse(text)).toStrictEqual({ ok: true, value: gpus.map(expected) });
      }),
    );
  });

  it('parses rendered --format=csv output (header, units on values) to the same samples', () => {
    const header =
      'index, uuid, name, utilization.gpu [%], memory.used [MiB], memory.total [MiB], temperature.gpu, power.draw [W], ecc.errors.uncorrected.volatile.total';
    fc.assert(
      fc.property(fc.array(gpu, { maxLength: 8 }), unknown, (gpus, na) => {
        const text = [header, ...gpus.map((g) => render(g, na, true)), ''].join('\n');

        expect(parse(text)).toStrictEqual({ ok: true, value: gpus.map(expected) });
      }),
    );
  });

  it('honours a reordered field list', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...NVIDIA_SMI_DEFAULT_FIELDS], { minLength: 1 }),
        gpu,
        (subset, g) => {
          const fields: NvidiaSmiField[] = subset.includes('uuid') ? subset : ['uuid', ...subset];
          const full = render({ ...g, uuid: g.uuid ?? '0' }, '[N/A]', false).split(', ');
          const byField = new Map(NVIDIA_SMI_DEFAULT_FIELDS.map((f, i) => [f, full[i] ?? '']));
          const text = fields.map((f) => byField.get(f)).join(', ');

          const result = parseNvidiaSmiCsv(text, { sampledAtMs: AT_MS, fields });

          const all = expected({ ...g, uuid: g.uuid ?? '0' });
          const keyOf: Partial<Record<NvidiaSmiField, keyof GpuSample>> = {
            name: 'name',
            'utilization.gpu': 'utilization',
            'memory.used': 'memoryUsedBytes',
            'memory.total': 'memoryTotalBytes',
            'temperature.gpu': 'temperatureC',
            'power.draw': 'powerW',
            'ecc.errors.uncorrected.volatile.total': 'eccDoubleBitErrors',
          };
          const want: Record<string, unknown> = { gpuId: all.gpuId, sampledAtMs: AT_MS };
          for (const f of fields) {
            const key = keyOf[f];
            if (key !== undefined && all[key] !== undefined) want[key] = all[key];
          }
          expect(result).toStrictEqual({ ok: true, value: [want] });
        },
      ),
    );
  });
});
