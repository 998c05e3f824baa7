import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import {
  assertValidLayout,
  migGeometry,
  validateLayout,
  type MigLayoutValidation,
} from '../index.js';

function codes(r: MigLayoutValidation): string[] {
  return r.valid ? [] : r.problems.map((p) => p.code);
}

describe('validateLayout', () => {
  it('accepts 4g@0 + 3g@4 and the full 7g', () => {
    expect(
      validateLayout('H100-80GB', [
        { profile: '4g.40gb', start: 0 },
        { profile: '3g.40gb', start: 4 },
      ]),
    ).toEqual({ valid: true });
    expect(validateLayout('A100-40GB', [{ profile: '7g.40gb', start: 0 }])).toEqual({
      valid: true,
    });
  });

  it('accepts 2x1g + 2g + 3g only with the 3g at slice 4', () => {
    expect(
      validateLayout('H100-80GB', [
        { profile: '1g.10gb', start: 0 },
        { profile: '1g.10gb', start: 1 },
        { profile: '2g.20gb', start: 2 },
        { profile: '3g.40gb', start: 4 },
      ]).valid,
    ).toBe(true);
    const bad = validateLayout('H100-80GB', [
      { profile: '3g.40gb', start: 0 },
      { profile: '2g.20gb', start: 4 },
      { profile: '1g.10gb', start: 6 },
      { profile: '1g.10gb', start: 7 },
    ]);
    expect(codes(bad)).toEqual(['invalid_start']);
    expect(bad.valid ? '' : bad.problems[0]?.message).toBe(
      'placement 3: 1g.10gb (class 1g) cannot start at memory slice 7; valid starts 0-6',
    );
  });

  it('rejects 1g@7 but accepts 1g.2x@6 and 3g@4 reaching slice 7', () => {
    expect(codes(validateLayout('A100-80GB', [{ profile: '1g.10gb', start: 7 }]))).toEqual([
      'invalid_start',
    ]);
    expect(validateLayout('A100-80GB', [{ profile: '1g.20gb', start: 6 }]).valid).toBe(true);
  });

  it('names overlapping placements and the shared slices', () => {
    const r = validateLayout('H100-80GB', [
      { profile: '3g.40gb', start: 4 },
      { profile: '2g.20gb', start: 4 },
    ]);
    expect(codes(r)).toEqual(['overlap']);
    expect(r.valid ? '' : r.problems[0]?.message).toBe(
      'placement 1 (2g.20gb@4) overlaps placement 0 (3g.40gb@4) on memory slices 4-5',
    );
    expect(r.valid ? -1 : r.problems[0]?.placementIndex).toBe(1);
  });

  it('sums compute slices against 7 (and 4 on the A30)', () => {
    // On the 8-slice geometry more than 7 compute slices always also breaks a placement rule.
    const r = validateLayout('H100-80GB', [
      { profile: '1g.20gb', start: 0 },
      { profile: '2g.20gb', start: 2 },
      { profile: '2g.20gb', start: 4 },
      { profile: '1g.20gb', start: 6 },
    ]);
    expect(r.valid).toBe(true); // 1 + 2 + 2 + 1 = 6
    const a30 = validateLayout('A30-24GB', [
      { profile: '2g.12gb', start: 0 },
      { profile: '2g.12gb', start: 2 },
    ]);
    expect(a30.valid).toBe(true);
    const eight = validateLayout('A100-80GB', [
      { profile: '1g.10gb', start: 0 },
      { profile: '1g.10gb', start: 1 },
      { profile: '1g.10gb', start: 2 },
      { profile: '1g.10gb', start: 3 },
      { profile: '4g.40gb', start: 0 },
    ]);
    expect(codes(eight)).toEqual(expect.arrayContaining(['overlap', 'compute_exceeded']));
  });

  it('rejects a third 3g (maxCount) and two +me instances', () => {
    const r = validateLayout('H100-80GB', [
      { profile: '1g.10gb+me', start: 0 },
      { profile: '1g.10gb+me', start: 1 },
    ]);
    expect(codes(r)).toEqual(
      expect.arrayContaining(['max_count_exceeded', 'media_extensions_exceeded']),
    );
    const a30 = validateLayout('A30-24GB', [
      { profile: '1g.6gb+me', start: 0 },
      { profile: '2g.12gb+me', start: 2 },
    ]);
    expect(codes(a30)).toEqual(['media_extensions_exceeded']);
  });

  it('reports unknown profiles and out-of-range starts without throwing', () => {
    const r = validateLayout('H100-80GB', [
      { profile: '3g.20gb', start: 0 },
      { profile: '3g.40gb', start: 6 },
      { profile: '1g.10gb', start: Number.NaN },
      { profile: 42 as unknown as string, start: 0 },
    ]);
    expect(codes(r)).toEqual([
      'unknown_profile',
      'out_of_range',
      'out_of_range',
      'unknown_profile',
    ]);
  });

  it('accepts a custom geometry', () => {
    const g = migGeometry('A100-80GB');
    expect(validateLayout(g, [{ profile: '7g.80gb', start: 0 }]).valid).toBe(true);
  });
});

describe('assertValidLayout', () => {
  it('throws invalid_input with every problem and the first path', () => {
    try {
      assertValidLayout('H100-80GB', [
        { profile: '3g.40gb', start: 4 },
        { profile: '1g.10gb', start: 7 },
      ]);
      expect.unreachable();
    } catch (error) {
      expect(isHeadroomError(error, 'invalid_input')).toBe(true);
      if (!isHeadroomError(error)) return;
      expect(error.path).toEqual(['placements', 1]);
      expect(error.message).toMatch(/cannot start at memory slice 7; valid starts 0-6/);
      expect(error.message).toMatch(/overlaps placement 0/);
    }
    expect(() => assertValidLayout('H100-80GB', [])).not.toThrow();
  });
});
