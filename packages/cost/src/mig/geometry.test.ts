import { isHeadroomError } from '@headroom/core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  migCapableGpus,
  migFeasibleMultisets,
  migGeometry,
  migMaximalMultisets,
  migProfile,
  migSlotClasses,
  parseMigGeometry,
} from '../index.js';

const DATA = JSON.parse(
  readFileSync(
    new URL('../../../../../shared/data/gpu/mig-geometry.json', import.meta.url),
    'utf8',
  ),
) as { knownCounts: Record<string, number> };

describe('migGeometry', () => {
  it('lists every GPU of the catalog', () => {
    expect(migCapableGpus()).toEqual([
      'A100-40GB',
      'A100-80GB',
      'H100-80GB',
      'H100-NVL-94GB',
      'H200-141GB',
      'B200-180GB',
      'A30-24GB',
    ]);
  });

  it('normalizes MiB to GiB of usable memory', () => {
    expect(migProfile('A100-40GB', '1g.5gb').memoryGiB).toBe(4.75);
    expect(migProfile('A100-80GB', '7g.80gb').memoryGiB).toBeCloseTo(78.5, 6);
    expect(migProfile('A30-24GB', '4g.24gb').memoryGiB).toBeCloseTo(23344 / 1024, 9);
    expect(migProfile('H100-80GB', '3g.40gb').memoryGiB).toBe(39.5);
  });

  it('describes the H100 geometry with slot shapes from the data', () => {
    const g = migGeometry('H100-80GB');
    expect(g).toMatchObject({ gpu: 'H100-80GB', memorySlices: 8, computeSlices: 7, totalSMs: 132 });
    const p = migProfile('H100-80GB', '3g.40gb');
    expect(p).toMatchObject({
      slotClass: '3g',
      computeSlices: 3,
      memorySlices: 4,
      starts: [0, 4],
      maxCount: 2,
      mediaExtensions: false,
      sms: 60,
    });
    expect(migProfile('H100-80GB', '1g.10gb+me').mediaExtensions).toBe(true);
    expect(g.profiles.map((x) => x.name)).toEqual([
      '1g.10gb',
      '1g.10gb+me',
      '1g.20gb',
      '2g.20gb',
      '3g.40gb',
      '4g.40gb',
      '7g.80gb',
    ]);
    expect(migSlotClasses(g).map((c) => c.name)).toEqual([
      '7g',
      '4g',
      '3g',
      '2g',
      '1g.2x',
      '1g',
      '1g+me',
    ]);
  });

  it('derives missing B200 and A30 figures conservatively and flags them', () => {
    const b = migProfile('B200-180GB', '7g.180gb');
    expect(b.derived).toBe(true);
    expect(b.memoryGiB).toBe(176);
    expect(migProfile('B200-180GB', '1g.23gb').derived).toBeUndefined();
    expect(migProfile('A30-24GB', '2g.12gb+me').memoryGiB).toBe(
      migProfile('A30-24GB', '2g.12gb').memoryGiB,
    );
    expect(migGeometry('A30-24GB')).toMatchObject({
      memorySlices: 4,
      computeSlices: 4,
      totalSMs: 56,
    });
  });

  it('throws not_found naming the known GPUs and profiles', () => {
    expect(() => migGeometry('V100')).toThrow(/known GPUs: A100-40GB, A100-80GB/);
    try {
      migGeometry('V100');
    } catch (error) {
      expect(isHeadroomError(error, 'not_found')).toBe(true);
    }
    expect(() => migProfile('H100-80GB', '3g.20gb')).toThrow(/its profiles: 1g.10gb/);
  });

  it('validates custom geometries', () => {
    const base = migGeometry('A100-80GB');
    const custom = parseMigGeometry({
      ...base,
      gpu: 'A100-80GB-old-driver',
      profiles: base.profiles.filter((p) => p.slotClass !== '1g.2x'),
    });
    expect(custom.profiles).toHaveLength(6);
    expect(() =>
      parseMigGeometry({
        ...base,
        profiles: [{ ...migProfile('A100-80GB', '3g.40gb'), starts: [0, 6] }],
      }),
    ).toThrow(/would end past memory slice 7/);
    expect(() => parseMigGeometry({ ...base, computeSlices: -1 })).toThrow(/invalid_config/);
  });
});

describe('feasible multisets (NVIDIA counts)', () => {
  it('finds 77 valid non-empty multisets and 28 maximal layouts on the 8-slice geometry', () => {
    for (const gpu of ['A100-40GB', 'A100-80GB', 'H100-80GB', 'H200-141GB', 'B200-180GB']) {
      expect(migFeasibleMultisets(gpu)).toHaveLength(
        DATA.knownCounts.validNonEmptyMultisetsEightSliceWithoutMe as number,
      );
      expect(migMaximalMultisets(gpu)).toHaveLength(
        DATA.knownCounts.maximalLayoutsEightSlice as number,
      );
    }
  });

  it('finds 4 maximal layouts on the A30', () => {
    expect(migMaximalMultisets('A30-24GB')).toHaveLength(
      DATA.knownCounts.maximalLayoutsA30 as number,
    );
  });

  it('includes 2x1g + 2g + 3g and 4g + 3g, excludes 2x 4g', () => {
    const norm = (m: Record<string, number>): string =>
      JSON.stringify(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : 1)));
    const keys = migFeasibleMultisets('H100-80GB').map(norm);
    expect(keys).toContain(norm({ '3g': 1, '2g': 1, '1g': 2 }));
    expect(keys).toContain(norm({ '3g': 1, '4g': 1 }));
    expect(keys).not.toContain(norm({ '4g': 2 }));
    expect(keys).not.toContain(norm({ '1g': 8 }));
  });

  it('counts media-extension multisets when asked', () => {
    const withMe = migFeasibleMultisets('H100-80GB', { mediaExtensions: true });
    expect(withMe.length).toBeGreaterThan(77);
    expect(withMe.every((m) => (m['1g+me'] ?? 0) <= 1)).toBe(true);
  });
});
