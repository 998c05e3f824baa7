import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GpuSampleSchema, isHeadroomError, type GpuSample, type Result } from '@headroom/core';
import {
  NVIDIA_SMI_DEFAULT_FIELDS,
  NVIDIA_SMI_FIELDS,
  isNvidiaSmiField,
  parseNvidiaSmiCsv,
  type NvidiaSmiField,
} from './index.js';

const SHARED = new URL('../../../../../shared/data/metrics/', import.meta.url);
const LOCAL = new URL('../../test/fixtures/nvidia-smi/', import.meta.url);
const read = (base: URL, name: string): string => readFileSync(new URL(name, base), 'utf8');

const AT_MS = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const H100 = 'NVIDIA H100 80GB HBM3';

function samples(result: Result<GpuSample[]>): GpuSample[] {
  if (!result.ok) throw result.error;
  return result.value;
}

function failure(result: Result<GpuSample[]>) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('parseNvidiaSmiCsv on the shared fixtures', () => {
  it('parses nvidia-smi-query.csv (noheader, nounits) into exact samples', () => {
    // Arrange
    const text = read(SHARED, 'nvidia-smi-query.csv');

    // Act
    const result = parseNvidiaSmiCsv(text, { sampledAtMs: AT_MS });

    // Assert
    expect(samples(result)).toStrictEqual([
      {
        gpuId: 'GPU-3f2a9c1e-8b7d-4e21-a0c4-5d6e7f809a1b',
        name: H100,
        utilization: 0.97,
        memoryUsedBytes: 81_900_077_056,
        memoryTotalBytes: 85_520_809_984,
        temperatureC: 61,
        powerW: 512.33,
        eccDoubleBitErrors: 0,
        sampledAtMs: AT_MS,
      },
      {
        gpuId: 'GPU-7c4d2b1a-9e8f-4a3b-b2c1-d0e9f8a7b6c5',
        name: H100,
        utilization: 0.12,
        memoryUsedBytes: 4_414_504_960,
        memoryTotalBytes: 85_520_809_984,
        temperatureC: 38,
        powerW: 118.02,
        eccDoubleBitErrors: 0,
        sampledAtMs: AT_MS,
      },
      {
        // utilization.gpu is [N/A]: unknown, not 0
        gpuId: 'GPU-1a2b3c4d-5e6f-4789-8abc-def012345678',
        name: H100,
        memoryUsedBytes: 0,
        memoryTotalBytes: 85_520_809_984,
        temperatureC: 35,
        powerW: 71.5,
        eccDoubleBitErrors: 2,
        sampledAtMs: AT_MS,
      },
      {
        // temperature [Not Supported], power and ECC [N/A]: unknown
        gpuId: 'GPU-9f8e7d6c-5b4a-4321-9fed-cba987654321',
        name: H100,
        utilization: 0,
        memoryUsedBytes: 0,
        memoryTotalBytes: 85_520_809_984,
        sampledAtMs: AT_MS,
      },
    ]);
    const [, , gpu2, gpu3] = samples(result);
    expect(gpu2?.utilization).toBeUndefined();
    expect(gpu3?.temperatureC).toBeUndefined();
    expect(gpu3?.powerW).toBeUndefined();
    expect(gpu3?.eccDoubleBitErrors).toBeUndefined();
  });

  it('parses nvidia-smi-query-header.csv (header with [units]) by the header names', () => {
    const text = read(SHARED, 'nvidia-smi-query-header.csv');

    const result = parseNvidiaSmiCsv(text, { sampledAtMs: AT_MS });

    expect(samples(result)).toStrictEqual([
      {
        gpuId: 'GPU-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
        name: 'NVIDIA L4',
        utilization: 0.43,
        memoryUsedBytes: 18_666_749_952,
        memoryTotalBytes: 24_152_899_584,
        temperatureC: 52,
        powerW: 44.71,
        eccDoubleBitErrors: 0,
        sampledAtMs: AT_MS,
      },
    ]);
  });

  it('maps header columns by name, whatever fields were passed', () => {
    const text = read(SHARED, 'nvidia-smi-query-header.csv');

    const result = parseNvidiaSmiCsv(text, { sampledAtMs: AT_MS, fields: ['uuid', 'name'] });

    expect(samples(result)[0]?.memoryUsedBytes).toBe(18_666_749_952);
  });
});

describe('parseNvidiaSmiCsv on the local fixtures', () => {
  it('strips unit suffixes (--format=csv), ignores unknown columns, reads corrected ECC', () => {
    const text = read(LOCAL, 'query-units-extra-columns.csv');

    const result = parseNvidiaSmiCsv(text, { sampledAtMs: AT_MS });

    expect(samples(result)).toStrictEqual([
      {
        gpuId: 'GPU-0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f',
        name: 'NVIDIA A100-SXM4-80GB',
        utilization: 0.88,
        memoryUsedBytes: 73_529_294_848,
        memoryTotalBytes: 85_899_345_920,
        temperatureC: 64,
        powerW: 301.12,
        eccSingleBitErrors: 5,
        eccDoubleBitErrors: 0,
        sampledAtMs: AT_MS,
      },
      {
        // [Insufficient Permissions], [Unknown Error], N/A and [GPU requires reset] are unknown
        gpuId: 'GPU-a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d',
        name: 'NVIDIA A100-SXM4-80GB',
        memoryTotalBytes: 85_899_345_920,
        sampledAtMs: AT_MS,
      },
    ]);
  });

  it('reads ecc.errors.corrected.volatile.total when queried, and falls back to the index for gpuId', () => {
    const text = read(LOCAL, 'query-ecc-corrected.csv');
    const fields: NvidiaSmiField[] = [
      ...NVIDIA_SMI_DEFAULT_FIELDS,
      'ecc.errors.corrected.volatile.total',
    ];

    const result = parseNvidiaSmiCsv(text, { sampledAtMs: AT_MS, fields });

    expect(samples(result)).toStrictEqual([
      {
        gpuId: 'GPU-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
        name: 'NVIDIA L4',
        utilization: 0.43,
        memoryUsedBytes: 18_666_749_952,
        memoryTotalBytes: 24_152_899_584,
        temperatureC: 52,
        powerW: 44.71,
        eccDoubleBitErrors: 0,
        eccSingleBitErrors: 17,
        sampledAtMs: AT_MS,
      },
      {
        gpuId: '1',
        name: 'NVIDIA L4',
        utilization: 0.07,
        memoryUsedBytes: 4_414_504_960,
        memoryTotalBytes: 24_152_899_584,
        temperatureC: 40,
        powerW: 20.5,
        eccDoubleBitErrors: 0,
        eccSingleBitErrors: 0,
        sampledAtMs: AT_MS,
      },
    ]);
  });

  it('parses CRLF line endings and a byte-order mark like LF', () => {
    const text = read(LOCAL, 'query-ecc-corrected.csv');
    const fields: NvidiaSmiField[] = [
      ...NVIDIA_SMI_DEFAULT_FIELDS,
      'ecc.errors.corrected.volatile.total',
    ];

    const crlf = parseNvidiaSmiCsv(`\uFEFF${text.replaceAll('\n', '\r\n')}`, {
      sampledAtMs: AT_MS,
      fields,
    });

    expect(crlf).toStrictEqual(parseNvidiaSmiCsv(text, { sampledAtMs: AT_MS, fields }));
  });

  it('rejects a line with a missing column, naming its 1-based line (blank lines count)', () => {
    const text = read(LOCAL, 'query-missing-column.csv');

    const error = failure(parseNvidiaSmiCsv(text, { sampledAtMs: AT_MS }));

    expect(error.code).toBe('invalid_input');
    expect(error.path).toStrictEqual(['line', 4]);
    expect(error.limit).toBe('9 columns');
    expect(error.message).toContain('line[4]: expected 9 columns');
    expect(error.message).toContain('got 8');
  });

  it('rejects a non-numeric value, naming the line and the field', () => {
    const text = read(LOCAL, 'query-bad-number.csv');

    const error = failure(parseNvidiaSmiCsv(text, { sampledAtMs: AT_MS }));

    expect(isHeadroomError(error, 'invalid_input')).toBe(true);
    expect(error.path).toStrictEqual(['line', 2, 'memory.used']);
    expect(error.value).toBe('4.2k');
    expect(error.message).toContain('line[2].memory.used: expected a number in MiB');
  });
});

describe('parseNvidiaSmiCsv edge cases', () => {
  const row = (cells: Partial<Record<NvidiaSmiField, string>>): string =>
    NVIDIA_SMI_DEFAULT_FIELDS.map((f) => cells[f] ?? '1').join(', ');

  it('returns ok([]) for empty output, blank lines, or a header alone', () => {
    expect(parseNvidiaSmiCsv('', { sampledAtMs: AT_MS })).toStrictEqual({ ok: true, value: [] });
    expect(parseNvidiaSmiCsv('\n  \r\n\n', { sampledAtMs: AT_MS })).toStrictEqual({
      ok: true,
      value: [],
    });
    const header = read(SHARED, 'nvidia-smi-query-header.csv').split('\n')[0] ?? '';
    expect(parseNvidiaSmiCsv(`${header}\n`, { sampledAtMs: AT_MS })).toStrictEqual({
      ok: true,
      value: [],
    });
  });

  it.each([
    ['[N/A]'],
    ['N/A'],
    ['[Not Supported]'],
    ['[Unknown Error]'],
    ['[Insufficient Permissions]'],
    [''],
  ])('reads %j as unknown (undefined), never 0', (cell) => {
    const text = row({ uuid: 'GPU-x', 'power.draw': cell, 'utilization.gpu': cell });

    const [sample] = samples(parseNvidiaSmiCsv(text, { sampledAtMs: AT_MS }));

    expect(sample).toBeDefined();
    expect(sample).not.toHaveProperty('powerW');
    expect(sample).not.toHaveProperty('utilization');
  });

  it.each([
    ['utilization.gpu', '43 MiB', 2],
    ['memory.used', '17 GiB', 2],
    ['memory.used', '0x10', 2],
    ['memory.used', '1e3', 2],
    ['memory.used', '-', 2],
    ['power.draw', 'Infinity', 2],
    ['temperature.gpu', 'hot', 2],
    ['index', 'one', 2],
    ['index', '-1', 2],
  ] as const)('rejects %s = %j with the line and field', (field, cell, line) => {
    const text = `${row({ uuid: 'GPU-a' })}\n${row({ uuid: 'GPU-b', [field]: cell })}\n`;

    const error = failure(parseNvidiaSmiCsv(text, { sampledAtMs: AT_MS }));

    expect(error.code).toBe('invalid_input');
    expect(error.path).toStrictEqual(['line', line, field]);
    expect(error.value).toBe(cell);
  });

  it('reports schema violations against the CSV column and the printed cell', () => {
    const over = row({ uuid: 'GPU-a', 'utilization.gpu': '101' });
    const used = row({ uuid: 'GPU-a', 'memory.used': '200', 'memory.total': '100' });
    const ecc = row({ uuid: 'GPU-a', 'ecc.errors.uncorrected.volatile.total': '1.5' });

    const overError = failure(parseNvidiaSmiCsv(over, { sampledAtMs: AT_MS }));
    const usedError = failure(parseNvidiaSmiCsv(`\n${used}`, { sampledAtMs: AT_MS }));
    const eccError = failure(parseNvidiaSmiCsv(ecc, { sampledAtMs: AT_MS }));

    expect(overError.path).toStrictEqual(['line', 1, 'utilization.gpu']);
    expect(overError.value).toBe('101');
    expect(overError.limit).toBe('<= 1');
    expect(usedError.path).toStrictEqual(['line', 2, 'memory.used']);
    expect(usedError.message).toContain('memoryUsedBytes exceeds memoryTotalBytes');
    expect(eccError.path).toStrictEqual(['line', 1, 'ecc.errors.uncorrected.volatile.total']);
    expect([overError.code, usedError.code, eccError.code]).toStrictEqual([
      'invalid_input',
      'invalid_input',
      'invalid_input',
    ]);
  });

  it('rejects a GPU with neither uuid nor index', () => {
    const text = row({ uuid: '[N/A]', index: '[N/A]' });

    const error = failure(parseNvidiaSmiCsv(text, { sampledAtMs: AT_MS }));

    expect(error.path).toStrictEqual(['line', 1, 'uuid']);
  });

  it('rejects a header with a foreign unit, a repeated field, or no id column', () => {
    const foreignUnit = 'index, memory.used [GiB]\n0, 1\n';
    const repeated = 'index, uuid, index\n';
    const noId = 'name, memory.used [MiB]\nNVIDIA L4, 1\n';

    expect(failure(parseNvidiaSmiCsv(foreignUnit, { sampledAtMs: AT_MS })).path).toStrictEqual([
      'line',
      1,
      'memory.used',
    ]);
    expect(failure(parseNvidiaSmiCsv(repeated, { sampledAtMs: AT_MS })).path).toStrictEqual([
      'line',
      1,
      'index',
    ]);
    expect(failure(parseNvidiaSmiCsv(noId, { sampledAtMs: AT_MS })).path).toStrictEqual([
      'line',
      1,
    ]);
  });

  it('never returns a partial result: one bad line fails the whole output', () => {
    const text = `${read(SHARED, 'nvidia-smi-query.csv')}garbage\n`;

    const result = parseNvidiaSmiCsv(text, { sampledAtMs: AT_MS });

    expect(result.ok).toBe(false);
    expect(failure(result).path).toStrictEqual(['line', 5]);
  });

  it('produces samples that pass GpuSampleSchema', () => {
    for (const sample of samples(
      parseNvidiaSmiCsv(read(SHARED, 'nvidia-smi-query.csv'), { sampledAtMs: AT_MS }),
    )) {
      expect(GpuSampleSchema.safeParse(sample).success).toBe(true);
    }
  });

  it('throws invalid_argument on misuse: a bad sampledAtMs or field list', () => {
    const bad: [unknown, unknown, readonly (string | number)[]][] = [
      [Number.NaN, undefined, ['sampledAtMs']],
      [-1, undefined, ['sampledAtMs']],
      [AT_MS, [], ['fields']],
      [AT_MS, ['uuid', 'clocks.sm'], ['fields', 1]],
      [AT_MS, ['uuid', 'uuid'], ['fields', 1]],
      [AT_MS, ['name', 'memory.used'], ['fields']],
    ];
    for (const [sampledAtMs, fields, path] of bad) {
      const call = (): unknown =>
        parseNvidiaSmiCsv('', { sampledAtMs, fields } as unknown as Parameters<
          typeof parseNvidiaSmiCsv
        >[1]);
      expect(call).toThrow(expect.objectContaining({ code: 'invalid_argument', path }));
    }
  });
});

describe('NVIDIA_SMI_FIELDS', () => {
  it('lists the default fields in the documented order, all of them known', () => {
    expect(NVIDIA_SMI_DEFAULT_FIELDS).toStrictEqual([
      'index',
      'uuid',
      'name',
      'utilization.gpu',
      'memory.used',
      'memory.total',
      'temperature.gpu',
      'power.draw',
      'ecc.errors.uncorrected.volatile.total',
    ]);
    expect(NVIDIA_SMI_DEFAULT_FIELDS.every((f) => NVIDIA_SMI_FIELDS.includes(f))).toBe(true);
    expect(isNvidiaSmiField('ecc.errors.corrected.volatile.total')).toBe(true);
    expect(isNvidiaSmiField('clocks.sm')).toBe(false);
  });
});
