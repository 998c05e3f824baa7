import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FleetSnapshotSchema,
  GpuSampleSchema,
  InstanceSnapshotSchema,
  checkMetric,
  parseInput,
} from '@headroom/core';

// A real row of `nvidia-smi --query-gpu=... --format=csv` from the bundled fixtures (GPU 0, H100).
const dataDir = new URL('../../../../../shared/data/', import.meta.url);
const row = readFileSync(new URL('metrics/nvidia-smi-query.csv', dataDir), 'utf8')
  .split('\n')[0]!
  .split(', ');
const MIB = 1024 * 1024;

describe('fleet vocabulary', () => {
  const sample = {
    gpuId: row[1],
    name: row[2],
    utilization: Number(row[3]) / 100,
    memoryUsedBytes: Number(row[4]) * MIB,
    memoryTotalBytes: Number(row[5]) * MIB,
    temperatureC: Number(row[6]),
    powerW: Number(row[7]),
    eccDoubleBitErrors: Number(row[8]),
    sampledAtMs: 1_764_000_000_000,
  };

  it('accepts a GPU sample and leaves unreported metrics undefined, never 0', () => {
    const parsed = GpuSampleSchema.parse(sample);
    expect(parsed.utilization).toBe(0.97);
    expect(parsed.name).toBe('NVIDIA H100 80GB HBM3');
    expect(parsed.eccSingleBitErrors).toBeUndefined();
    expect(parsed.lastXid).toBeUndefined();
  });

  it.each([
    ['utilization', Number.NaN],
    ['utilization', 1.2],
    ['powerW', Number.POSITIVE_INFINITY],
    ['memoryUsedBytes', -1],
    ['eccDoubleBitErrors', 0.5],
    ['memoryUsedBytes', 90_000 * MIB],
  ])('rejects %s = %s with a typed error naming the field', (field, value) => {
    const result = parseInput(GpuSampleSchema, { ...sample, [field]: value }, ['gpus', 0]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid_input');
      expect(result.error.path).toEqual(['gpus', 0, field]);
    }
  });

  it('fills empty labels, load and gpus on an instance, and rejects duplicate ids in a fleet', () => {
    const instance = InstanceSnapshotSchema.parse({
      id: 'vllm-0',
      state: 'ready',
      observedAtMs: 1,
    });
    expect(instance).toEqual({
      id: 'vllm-0',
      state: 'ready',
      labels: {},
      load: {},
      gpus: [],
      observedAtMs: 1,
    });
    expect(
      InstanceSnapshotSchema.safeParse({ id: 'x', state: 'booting', observedAtMs: 1 }).success,
    ).toBe(false);
    const fleet = parseInput(FleetSnapshotSchema, {
      observedAtMs: 1,
      instances: [instance, instance],
    });
    expect(!fleet.ok && fleet.error.path).toEqual(['instances', 1, 'id']);
  });
});

describe('checkMetric', () => {
  const nowMs = 100_000;
  it.each([
    [undefined, {}, 'missing'],
    [Number.NaN, {}, 'not_finite'],
    [Number.POSITIVE_INFINITY, {}, 'not_finite'],
    [-0.1, {}, 'negative'],
    [0.5, { sampledAtMs: 10_000, maxAgeMs: 30_000 }, 'stale'],
    [0.5, { maxAgeMs: 30_000 }, 'stale'],
    [0.5, { sampledAtMs: 200_000 }, 'from_future'],
  ] as const)('rejects %s (%o) as %s', (value, options, problem) => {
    expect(checkMetric(value, { nowMs, ...options })).toEqual({ ok: false, problem });
  });

  it('treats a value as stale when the decision time itself is not finite', () => {
    expect(checkMetric(0.5, { nowMs: Number.NaN, sampledAtMs: 1 })).toEqual({
      ok: false,
      problem: 'stale',
    });
  });

  it('passes good values through', () => {
    expect(checkMetric(0.5, { nowMs, sampledAtMs: 95_000, maxAgeMs: 30_000 })).toEqual({
      ok: true,
      value: 0.5,
    });
    expect(checkMetric(-3, { nowMs, allowNegative: true })).toEqual({ ok: true, value: -3 });
  });
});
