import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isHeadroomError } from '@headroom/core';
import {
  GPU_CLASS_INFO,
  createGpuClassTable,
  explainWorkloadMatch,
  parseMatchingPolicy,
  rankGpuClasses,
  workloadAllows,
  workloadPreference,
  type GpuClassInfo,
  type WorkloadRequirement,
} from './index.js';

interface SpecFile {
  readonly gpus: Record<string, { arch: string; memoryGB: number; fp8: boolean }>;
}

const specs = JSON.parse(
  readFileSync(new URL('../../../../../shared/data/gpu/gpu-specs.json', import.meta.url), 'utf8'),
) as SpecFile;

function info(name: string): GpuClassInfo {
  const gpu = GPU_CLASS_INFO[name];
  if (gpu === undefined) throw new Error(`no GPU class ${name}`);
  return gpu;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isHeadroomError(error) ? `${error.code} ${error.path.join('.')}` : 'not a HeadroomError';
  }
  return undefined;
}

describe('GPU_CLASS_INFO', () => {
  it('covers every GPU of gpu-specs.json with the same architecture, memory and FP8 support', () => {
    expect(Object.keys(GPU_CLASS_INFO).sort()).toEqual(Object.keys(specs.gpus).sort());
    for (const [name, spec] of Object.entries(specs.gpus)) {
      const gpu = info(name);
      expect(gpu.name).toBe(name);
      expect(gpu.arch).toBe(spec.arch);
      expect(gpu.memoryGiB).toBe(spec.memoryGB);
      expect(gpu.fp8).toBe(spec.fp8);
    }
  });

  it('can be extended and overridden, with validation', () => {
    const table = createGpuClassTable({
      'H100-PCIe': {
        name: 'H100-PCIe',
        arch: 'Hopper',
        memoryGiB: 80,
        fp8: true,
        tier: 'performance',
      },
      T4: { name: 'T4', arch: 'Turing', memoryGiB: 16, fp8: false, tier: 'mainstream' },
    });
    expect(table['H100-PCIe']?.tier).toBe('performance');
    expect(table.T4?.tier).toBe('mainstream');
    expect(table['H200-141GB']).toBe(GPU_CLASS_INFO['H200-141GB']);
    expect(
      codeOf(() =>
        createGpuClassTable({
          bad: { name: 'bad', arch: 'Ampere', memoryGiB: 80, fp8: true, tier: 'flagship' },
        }),
      ),
    ).toBe('invalid_config bad.fp8');
    expect(
      codeOf(() =>
        createGpuClassTable({
          bad: { name: 'bad', arch: 'Ampere', memoryGiB: -1, fp8: false, tier: 'flagship' },
        }),
      ),
    ).toBe('invalid_config bad.memoryGiB');
  });
});

describe('workloadAllows / explainWorkloadMatch', () => {
  const realtime: WorkloadRequirement = { latencyClass: 'realtime', modelMemoryGiB: 20 };

  it('keeps realtime work on the fastest tiers', () => {
    expect(workloadAllows(realtime, info('H100-80GB'))).toBe(true);
    expect(workloadAllows(realtime, info('B200-180GB'))).toBe(true);
    expect(workloadAllows(realtime, info('L40S'))).toBe(true);
    expect(workloadAllows(realtime, info('L4'))).toBe(false);
    expect(workloadAllows(realtime, info('T4'))).toBe(false);
    expect(explainWorkloadMatch(realtime, info('L4'))).toEqual({
      allowed: false,
      reason: 'tier_not_allowed',
      detail: 'L4 is tier mainstream; realtime workloads may use flagship, performance',
    });
  });

  it('lets interactive use 24 GB inference GPUs and batch use every tier', () => {
    const interactive: WorkloadRequirement = { latencyClass: 'interactive', modelMemoryGiB: 14 };
    expect(workloadAllows(interactive, info('L4'))).toBe(true);
    expect(workloadAllows(interactive, info('T4'))).toBe(false);
    expect(workloadAllows({ latencyClass: 'batch', modelMemoryGiB: 14 }, info('T4'))).toBe(true);
  });

  it('runs FP8 models only on Ada, Hopper and Blackwell', () => {
    const fp8: WorkloadRequirement = { latencyClass: 'batch', modelMemoryGiB: 10, fp8: true };
    const allowed = Object.values(GPU_CLASS_INFO)
      .filter((g) => workloadAllows(fp8, g))
      .map((g) => g.arch);
    expect(new Set(allowed)).toEqual(new Set(['Ada', 'Hopper', 'Blackwell']));
    const match = explainWorkloadMatch(fp8, info('A100-80GB'));
    expect(match.allowed).toBe(false);
    if (!match.allowed) expect(match.reason).toBe('fp8_unsupported');
  });

  it('fits memory with headroom: model <= memory × (1 - headroom)', () => {
    const fits: WorkloadRequirement = { latencyClass: 'interactive', modelMemoryGiB: 72 };
    const tooBig: WorkloadRequirement = { latencyClass: 'interactive', modelMemoryGiB: 72.01 };
    expect(workloadAllows(fits, info('A100-80GB'))).toBe(true);
    expect(workloadAllows(tooBig, info('A100-80GB'))).toBe(false);
    expect(explainWorkloadMatch(tooBig, info('A100-80GB'))).toEqual({
      allowed: false,
      reason: 'insufficient_memory',
      detail: 'model needs 72.01 GiB; A100-80GB offers 72 GiB (80 GiB less 10% headroom)',
    });
    expect(workloadAllows({ ...tooBig, memoryHeadroom: 0 }, info('A100-80GB'))).toBe(true);
    expect(workloadAllows(tooBig, info('A100-80GB'), { memoryHeadroom: 0.05 })).toBe(true);
  });

  it('rejects malformed requirements without throwing', () => {
    const bad: WorkloadRequirement[] = [
      { latencyClass: 'realtime', modelMemoryGiB: Number.NaN },
      { latencyClass: 'realtime', modelMemoryGiB: -1 },
      { latencyClass: 'realtime', modelMemoryGiB: Number.POSITIVE_INFINITY },
      { latencyClass: 'realtime', modelMemoryGiB: 1, memoryHeadroom: 1 },
      { latencyClass: 'urgent' as never, modelMemoryGiB: 1 },
    ];
    for (const req of bad) {
      expect(workloadAllows(req, info('B200-180GB'))).toBe(false);
      const match = explainWorkloadMatch(req, info('B200-180GB'));
      expect(match.allowed ? 'allowed' : match.reason).toBe('invalid_requirement');
    }
  });

  it('honours per-workload tiers and a custom policy, and validates the policy', () => {
    expect(workloadAllows({ ...realtime, allowedTiers: ['mainstream'] }, info('L4'))).toBe(true);
    expect(workloadAllows({ ...realtime, allowedTiers: [] }, info('H100-80GB'))).toBe(false);
    const policy = parseMatchingPolicy({ tiersByLatencyClass: { realtime: ['flagship'] } });
    expect(policy.tiersByLatencyClass.batch).toHaveLength(4);
    expect(workloadAllows(realtime, info('L40S'), policy)).toBe(false);
    expect(codeOf(() => parseMatchingPolicy({ memoryHeadroom: 0.95 }))).toBe(
      'invalid_config memoryHeadroom',
    );
    expect(
      codeOf(() => parseMatchingPolicy({ tiersByLatencyClass: { batch: ['cheap' as never] } })),
    ).toBe('invalid_config tiersByLatencyClass.batch.0');
  });
});

describe('workloadPreference / rankGpuClasses', () => {
  it('prefers cheaper tiers for batch and faster tiers otherwise', () => {
    const batch: WorkloadRequirement = { latencyClass: 'batch', modelMemoryGiB: 10 };
    expect(workloadPreference(batch, info('T4'))).toBe(1);
    expect(workloadPreference(batch, info('L4'))).toBe(0.75);
    expect(workloadPreference(batch, info('H100-80GB'))).toBe(0.25);
    const interactive: WorkloadRequirement = { latencyClass: 'interactive', modelMemoryGiB: 10 };
    expect(workloadPreference(interactive, info('H100-80GB'))).toBe(1);
    expect(workloadPreference(interactive, info('L4'))).toBeCloseTo(1 / 3, 12);
    expect(workloadPreference(interactive, info('T4'))).toBe(0);
  });

  it('ranks allowed classes best first', () => {
    const names = rankGpuClasses(
      { latencyClass: 'batch', modelMemoryGiB: 20 },
      Object.values(GPU_CLASS_INFO),
    ).map((g) => g.name);
    expect(names).not.toContain('T4'); // 20 GiB does not fit 16 GiB
    expect(names.slice(0, 3)).toEqual(['A10G', 'A30-24GB', 'L4']);
    expect(names.at(-1)).toBe('H100-80GB');
    const ranked = explainWorkloadMatch({ latencyClass: 'batch', modelMemoryGiB: 20 }, info('L4'));
    expect(ranked).toMatchObject({ allowed: true, preference: 0.75 });
  });
});
