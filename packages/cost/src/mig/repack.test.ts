import { describe, expect, it } from 'vitest';
import { packMig, repackMig, validateLayout } from '../index.js';

const before = packMig(
  [
    { id: 'big', memoryGiB: 30, replicas: 2 },
    { id: 'small', memoryGiB: 8, replicas: 3 },
  ],
  { unlimited: 'H100-80GB', idPrefix: 'node/' },
  { exactMaxReplicas: 0 },
);

describe('repackMig', () => {
  it('starts from a two-GPU layout', () => {
    expect(before.layouts.map((l) => l.placements.map((p) => p.profile))).toEqual([
      ['3g.40gb', '3g.40gb'],
      ['1g.10gb', '1g.10gb', '1g.10gb'],
    ]);
  });

  it('changes nothing when nothing changed', () => {
    const r = repackMig(before.layouts, [
      { id: 'big', memoryGiB: 30, replicas: 2 },
      { id: 'small', memoryGiB: 8, replicas: 3 },
    ]);
    expect(r.reconfigured).toEqual([]);
    expect(r.added).toEqual([]);
    expect(r.removed).toEqual([]);
    expect(r.layouts[0]).toBe(before.layouts[0]);
    expect(r.layouts[1]).toBe(before.layouts[1]);
  });

  it('reconfigures only the GPU that must grow, draining it first', () => {
    const r = repackMig(before.layouts, [
      { id: 'big', memoryGiB: 30, replicas: 2 },
      { id: 'small', memoryGiB: 8, replicas: 4 },
    ]);
    expect(r.reconfigured).toEqual(['node/1']);
    expect(r.layouts[0]).toBe(before.layouts[0]);
    expect(r.drainFirst).toEqual([
      { gpuId: 'node/1', placements: before.layouts[1]?.placements, demandIds: ['small'] },
    ]);
    expect(r.layouts[1]?.placements).toHaveLength(4);
    expect(validateLayout('H100-80GB', r.layouts[1]?.placements ?? []).valid).toBe(true);
    expect(r.unplaced).toEqual([]);
  });

  it('prefers a spare GPU over reconfiguring one that serves traffic', () => {
    const r = repackMig(
      before.layouts,
      [
        { id: 'big', memoryGiB: 30, replicas: 2 },
        { id: 'small', memoryGiB: 8, replicas: 4 },
      ],
      { spare: { gpus: [{ id: 'node/2', gpu: 'H100-80GB' }] } },
    );
    expect(r.reconfigured).toEqual([]);
    expect(r.newGpus).toEqual(['node/2']);
    expect(r.added).toEqual([
      { gpuId: 'node/2', profile: '1g.10gb', start: 0, demandId: 'small', replica: 3 },
    ]);
  });

  it('leaves a vacated instance in place and reuses it for a new demand that fits', () => {
    const shrunk = repackMig(before.layouts, [
      { id: 'big', memoryGiB: 30, replicas: 1 },
      { id: 'small', memoryGiB: 8, replicas: 3 },
    ]);
    expect(shrunk.reconfigured).toEqual([]);
    expect(shrunk.layouts[0]?.unassigned).toEqual([{ profile: '3g.40gb', start: 4 }]);
    expect(shrunk.removed).toEqual([
      { gpuId: 'node/0', profile: '3g.40gb', start: 4, demandId: 'big', replica: 1 },
    ]);
    const reused = repackMig(shrunk.layouts, [
      { id: 'big', memoryGiB: 30, replicas: 1 },
      { id: 'small', memoryGiB: 8, replicas: 3 },
      { id: 'new', memoryGiB: 20, replicas: 1 },
    ]);
    expect(reused.reconfigured).toEqual([]);
    expect(reused.added).toEqual([
      { gpuId: 'node/0', profile: '3g.40gb', start: 4, demandId: 'new', replica: 0 },
    ]);
  });

  it('moves a replica whose profile no longer fits', () => {
    const r = repackMig(before.layouts, [
      { id: 'big', memoryGiB: 30, replicas: 2 },
      { id: 'small', memoryGiB: 15, replicas: 3 },
    ]);
    expect(r.reconfigured).toEqual(['node/1']);
    expect(r.layouts[1]?.placements.map((p) => p.profile)).toEqual([
      '1g.20gb',
      '1g.20gb',
      '1g.20gb',
    ]);
  });

  it('the full mode is the naive baseline', () => {
    const r = repackMig(
      before.layouts,
      [
        { id: 'big', memoryGiB: 30, replicas: 2 },
        { id: 'small', memoryGiB: 8, replicas: 4 },
      ],
      { mode: 'full' },
    );
    expect(r.strategy).toBe('full');
    expect(r.reconfigured.length).toBeGreaterThanOrEqual(1);
  });

  it('rejects an invalid current layout', () => {
    expect(() =>
      repackMig(
        [
          {
            gpuId: 'g',
            gpu: 'H100-80GB',
            placements: [{ profile: '1g.10gb', start: 7, demandId: 'a', replica: 0 }],
          },
        ],
        [],
      ),
    ).toThrow(/invalid_input at current\[0\]\.placements\[0\]/);
  });
});
