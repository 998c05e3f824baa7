import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import {
  lowerBound,
  migGeometry,
  packFirstFitDecreasing,
  packMig,
  smallestFittingProfile,
  validateLayout,
} from '../index.js';

describe('smallestFittingProfile', () => {
  it('picks by usable memory, then fewer compute slices', () => {
    expect(smallestFittingProfile('H100-80GB', { memoryGiB: 9.75 })?.name).toBe('1g.10gb');
    expect(smallestFittingProfile('H100-80GB', { memoryGiB: 9.8 })?.name).toBe('1g.20gb');
    expect(smallestFittingProfile('H100-80GB', { memoryGiB: 15, computeSlices: 2 })?.name).toBe(
      '2g.20gb',
    );
    expect(smallestFittingProfile('H100-80GB', { memoryGiB: 30 })?.name).toBe('3g.40gb');
    expect(smallestFittingProfile('H100-80GB', { memoryGiB: 30, computeSlices: 4 })?.name).toBe(
      '4g.40gb',
    );
    expect(smallestFittingProfile('H100-80GB', { memoryGiB: 5, mediaExtensions: true })?.name).toBe(
      '1g.10gb+me',
    );
    // Nominal 40 GB is 39.5 GiB usable: a 39.6 GiB model needs the 7g.
    expect(smallestFittingProfile('H100-80GB', { memoryGiB: 39.6 })?.name).toBe('7g.80gb');
    expect(smallestFittingProfile('H100-80GB', { memoryGiB: 80 })).toBeUndefined();
  });
});

describe('packMig', () => {
  it('puts 2x1g + 2g + 3g on one GPU with the 3g at slice 4', () => {
    const r = packMig(
      [
        { id: 'small', memoryGiB: 8, replicas: 2 },
        { id: 'mid', memoryGiB: 15, computeSlices: 2, replicas: 1 },
        { id: 'big', memoryGiB: 30, replicas: 1 },
      ],
      { unlimited: 'H100-80GB' },
    );
    expect(r.gpusUsed).toBe(1);
    expect(r.method).toBe('exact');
    expect(r.optimal).toBe(true);
    const layout = r.layouts[0];
    expect(layout?.placements.find((p) => p.profile === '3g.40gb')?.start).toBe(4);
    expect(validateLayout('H100-80GB', layout?.placements ?? []).valid).toBe(true);
    expect(r.strandedSlices).toBe(0);
  });

  it('pairs 4g@0 with 3g@4', () => {
    const r = packMig(
      [
        { id: 'a', memoryGiB: 30, computeSlices: 4, replicas: 1 },
        { id: 'b', memoryGiB: 30, replicas: 1 },
      ],
      { unlimited: 'A100-80GB' },
    );
    expect(r.gpusUsed).toBe(1);
    expect(r.layouts[0]?.placements).toEqual([
      { profile: '4g.40gb', start: 0, demandId: 'a', replica: 0 },
      { profile: '3g.40gb', start: 4, demandId: 'b', replica: 0 },
    ]);
  });

  it('spreads anti-affinity replicas', () => {
    const r = packMig([{ id: 'a', memoryGiB: 5, replicas: 3, antiAffinity: true }], {
      unlimited: 'H100-80GB',
    });
    expect(r.gpusUsed).toBe(3);
    expect(r.lowerBound).toBe(3);
  });

  it('reports unplaceable demand with reasons instead of throwing', () => {
    const r = packMig(
      [
        { id: 'huge', memoryGiB: 200, replicas: 2 },
        { id: 'a100-only', memoryGiB: 5, replicas: 1, gpuClasses: ['A100-80GB'] },
        { id: 'many', memoryGiB: 30, replicas: 5 },
      ],
      {
        gpus: [
          { id: 'n1/0', gpu: 'H100-80GB' },
          { id: 'n1/1', gpu: 'H100-80GB' },
        ],
      },
    );
    expect(r.unplaced.map((u) => [u.demandId, u.reason, u.replicas])).toEqual([
      ['huge', 'no_profile_fits', [0, 1]],
      ['a100-only', 'no_allowed_gpu', [0]],
      ['many', 'inventory_exhausted', [4]],
    ]);
    expect(r.unplaced[0]?.message).toMatch(/needs 200 GiB.*7g.80gb \(79.25 GiB usable\)/);
    expect(r.gpusUsed).toBe(2);
  });

  it('packs around existing instances and keeps them', () => {
    const r = packMig([{ id: 'a', memoryGiB: 15, replicas: 2 }], {
      gpus: [
        { id: 'g0', gpu: 'H100-80GB', existing: [{ profile: '3g.40gb', start: 4 }] },
        { id: 'g1', gpu: 'H100-80GB' },
      ],
    });
    expect(r.gpusUsed).toBe(1);
    expect(r.layouts[0]?.unassigned).toEqual([{ profile: '3g.40gb', start: 4 }]);
    const all = [...(r.layouts[0]?.placements ?? []), ...(r.layouts[0]?.unassigned ?? [])];
    expect(validateLayout('H100-80GB', all).valid).toBe(true);
  });

  it('rejects an invalid existing layout with invalid_input', () => {
    expect(() =>
      packMig([], {
        gpus: [{ id: 'g0', gpu: 'H100-80GB', existing: [{ profile: '1g.10gb', start: 7 }] }],
      }),
    ).toThrow(/cannot start at memory slice 7/);
  });

  it('rejects bad demands and unknown GPUs with typed errors', () => {
    try {
      packMig([{ id: 'a', memoryGiB: Number.NaN, replicas: 1 }], { unlimited: 'H100-80GB' });
      expect.unreachable();
    } catch (error) {
      expect(isHeadroomError(error, 'invalid_config')).toBe(true);
      if (isHeadroomError(error)) expect(error.path).toEqual(['demands', 0, 'memoryGiB']);
    }
    expect(() => packMig([], { unlimited: 'V100' })).toThrow(/unknown GPU model "V100"/);
    expect(() =>
      packMig(
        [
          { id: 'a', memoryGiB: 1, replicas: 1 },
          { id: 'a', memoryGiB: 1, replicas: 1 },
        ],
        { unlimited: 'H100-80GB' },
      ),
    ).toThrow(/duplicate demand id a/);
  });

  it('uses a custom geometry', () => {
    const base = migGeometry('A100-80GB');
    const r = packMig(
      [{ id: 'a', memoryGiB: 15, replicas: 1 }],
      { unlimited: 'old-a100' },
      {
        geometries: {
          'old-a100': {
            ...base,
            gpu: 'old-a100',
            profiles: base.profiles.filter((p) => p.slotClass !== '1g.2x'),
          },
        },
      },
    );
    expect(r.layouts[0]?.placements[0]?.profile).toBe('2g.20gb');
  });

  it('chooses among GPU models in a mixed inventory', () => {
    const r = packMig(
      [
        { id: 'a', memoryGiB: 60, replicas: 1 },
        { id: 'b', memoryGiB: 5, replicas: 2, gpuClasses: ['A30-24GB'] },
      ],
      {
        gpus: [
          { id: 'h', gpu: 'H200-141GB' },
          { id: 'a30', gpu: 'A30-24GB' },
        ],
      },
    );
    expect(r.unplaced).toEqual([]);
    expect(r.layouts.map((l) => [l.gpuId, l.placements.map((p) => p.profile)])).toEqual([
      ['h', ['3g.71gb']],
      ['a30', ['1g.6gb', '1g.6gb']],
    ]);
  });

  it('uses the heuristic beyond exactMaxReplicas', () => {
    const r = packMig([{ id: 'a', memoryGiB: 5, replicas: 14 }], { unlimited: 'H100-80GB' });
    expect(r.method).toBe('heuristic');
    expect(r.gpusUsed).toBe(2);
    expect(r.optimal).toBe(true);
  });
});

describe('packFirstFitDecreasing and lowerBound', () => {
  it('is the naive baseline: first start, no look-ahead', () => {
    // FFD puts the first 3g at 0, then the 4g cannot go on the same GPU.
    const demands = [
      { id: 'a', memoryGiB: 30, replicas: 1 },
      { id: 'b', memoryGiB: 30, computeSlices: 4, replicas: 1 },
    ];
    const ffd = packFirstFitDecreasing(demands, { unlimited: 'H100-80GB' });
    const ours = packMig(demands, { unlimited: 'H100-80GB' });
    expect(ffd.method).toBe('first_fit_decreasing');
    expect(ours.gpusUsed).toBe(1);
    expect(ffd.gpusUsed).toBeGreaterThanOrEqual(ours.gpusUsed);
    for (const l of ffd.layouts) expect(validateLayout(l.gpu, l.placements).valid).toBe(true);
  });

  it('bounds by memory, compute, class counts and anti-affinity', () => {
    expect(lowerBound([{ id: 'a', memoryGiB: 30, replicas: 5 }], 'H100-80GB')).toBe(3);
    expect(lowerBound([{ id: 'a', memoryGiB: 5, replicas: 8 }], 'H100-80GB')).toBe(2);
    expect(
      lowerBound([{ id: 'a', memoryGiB: 5, replicas: 4, antiAffinity: true }], 'H100-80GB'),
    ).toBe(4);
    expect(lowerBound([{ id: 'a', memoryGiB: 500, replicas: 4 }], 'H100-80GB')).toBe(0);
  });
});
