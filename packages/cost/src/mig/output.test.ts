import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packMig, toKubernetesResources, toMigPartedConfig } from '../index.js';

describe('toMigPartedConfig', () => {
  it('emits one named config per distinct node layout, parseable as YAML', () => {
    const out = toMigPartedConfig([
      {
        gpuId: 'node-a/0',
        placements: [
          { profile: '2g.20gb', start: 0 },
          { profile: '2g.20gb', start: 2 },
          { profile: '3g.40gb', start: 4 },
        ],
      },
      {
        gpuId: 'node-a/1',
        placements: [
          { profile: '3g.40gb', start: 4 },
          { profile: '2g.20gb', start: 0 },
          { profile: '2g.20gb', start: 2 },
        ],
      },
      { gpuId: 'node-b/0', placements: [{ profile: '7g.80gb', start: 0 }] },
      {
        gpuId: 'node-b/1',
        placements: [{ profile: '1g.10gb+me', start: 0 }],
        unassigned: [{ profile: '1g.10gb', start: 1 }],
      },
    ]);
    const doc = parse(out.yaml) as Record<string, unknown>;
    expect(doc).toEqual({
      version: 'v1',
      'mig-configs': {
        'headroom-3g.40gb-x1-2g.20gb-x2': [
          { devices: 'all', 'mig-enabled': true, 'mig-devices': { '3g.40gb': 1, '2g.20gb': 2 } },
        ],
        [out.nodeLabels['node-b']?.['nvidia.com/mig.config'] as string]: [
          { devices: [0], 'mig-enabled': true, 'mig-devices': { '7g.80gb': 1 } },
          { devices: [1], 'mig-enabled': true, 'mig-devices': { '1g.10gb': 1, '1g.10gb+me': 1 } },
        ],
      },
    });
    expect(out.nodeLabels['node-a']).toEqual({
      'nvidia.com/mig.config': 'headroom-3g.40gb-x1-2g.20gb-x2',
    });
    expect(out.nodeLabels['node-b']?.['nvidia.com/mig.config']).toMatch(
      /^headroom-node-[0-9a-f]{8}$/,
    );
    // Deterministic.
    expect(toMigPartedConfig([{ gpuId: 'x', placements: [] }]).yaml).toBe(
      "version: v1\nmig-configs:\n  'headroom-empty':\n    - devices: all\n      mig-enabled: true\n      mig-devices: {}\n",
    );
  });

  it('makes label-safe names and shares configs across nodes', () => {
    const out = toMigPartedConfig(
      [
        { gpuId: 'a', placements: [{ profile: '1g.12gb+me', start: 0 }] },
        { gpuId: 'b', placements: [{ profile: '1g.12gb+me', start: 3 }] },
      ],
      { locate: (id) => ({ node: `node-${id}`, deviceIndex: 0 }) },
    );
    expect(out.configs.map((c) => c.name)).toEqual(['headroom-1g.12gb-me-x1']);
    expect(Object.keys(out.nodeLabels)).toEqual(['node-a', 'node-b']);
    for (const c of out.configs)
      expect(c.name).toMatch(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/);
  });

  it('rejects two layouts on one device', () => {
    expect(() =>
      toMigPartedConfig([
        { gpuId: 'n/0', placements: [] },
        { gpuId: 'n/0', placements: [] },
      ]),
    ).toThrow(/two layouts map to node n device 0/);
  });

  it('exports a packing end to end', () => {
    const plan = packMig([{ id: 'a', memoryGiB: 15, replicas: 9 }], {
      unlimited: 'H100-80GB',
      idPrefix: 'gpu-node/',
    });
    const out = toMigPartedConfig(plan.layouts);
    const doc = parse(out.yaml) as {
      'mig-configs': Record<
        string,
        { devices: 'all' | number[]; 'mig-devices': Record<string, number> }[]
      >;
    };
    let total = 0;
    for (const entries of Object.values(doc['mig-configs'])) {
      for (const e of entries) {
        const devices = e.devices === 'all' ? 1 : e.devices.length;
        total += devices * Object.values(e['mig-devices']).reduce((a, b) => a + b, 0);
      }
    }
    expect(total).toBe(9);
  });
});

describe('toKubernetesResources', () => {
  it('names mixed-strategy resources', () => {
    expect(
      toKubernetesResources([
        { profile: '3g.40gb' },
        { profile: '1g.10gb' },
        { profile: '3g.40gb' },
      ]),
    ).toEqual({ 'nvidia.com/mig-1g.10gb': 1, 'nvidia.com/mig-3g.40gb': 2 });
    expect(toKubernetesResources([])).toEqual({});
  });
});
