import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { packReplicas, packingLowerBound } from '../index.js';
import { thrown } from '../../../../tools/test-utils.js';

const h100 = { id: 'H100-80GB', memoryGiB: 80 };

describe('packReplicas', () => {
  it('packs small replicas onto few GPUs, keeping 20% memory headroom', () => {
    const plan = packReplicas({
      models: [{ id: 'a', memoryGiB: 30, compute: 0.2, replicas: 5 }],
      gpuTypes: [h100],
    });
    // 64 GiB usable per GPU: two 30 GiB replicas each, so 3 GPUs.
    expect(plan.gpusUsed).toBe(3);
    expect(plan.lowerBound).toBe(3);
    expect(plan.unplaced).toEqual([]);
    for (const gpu of plan.gpus) {
      expect(gpu.memoryUsedGiB).toBeLessThanOrEqual(64);
      expect(gpu.memoryUsableGiB).toBe(64);
    }
    expect(plan.utilization.memory).toBeCloseTo(150 / 240);
    expect(plan.utilization.memoryOfUsable).toBeCloseTo(150 / 192);
  });

  it('honours a configured headroom and compute capacity', () => {
    const plan = packReplicas({
      models: [{ id: 'a', memoryGiB: 30, compute: 0.4, replicas: 4 }],
      gpuTypes: [h100],
      memoryHeadroom: 0.25,
    });
    // 60 GiB usable: two per GPU by memory; compute 0.8 <= 1.
    expect(plan.gpusUsed).toBe(2);
    const compute = packReplicas({
      models: [{ id: 'a', memoryGiB: 10, compute: 0.6, replicas: 3 }],
      gpuTypes: [h100],
    });
    expect(compute.gpusUsed).toBe(3);
    expect(compute.lowerBound).toBe(3);
  });

  it('spreads anti-affine replicas one per GPU and keeps conflicting models apart', () => {
    const plan = packReplicas({
      models: [
        { id: 'llama', memoryGiB: 10, compute: 0.1, replicas: 3, antiAffinity: true },
        { id: 'whisper', memoryGiB: 5, compute: 0.1, replicas: 2, antiAffinityWith: ['llama'] },
      ],
      gpuTypes: [h100],
    });
    expect(plan.gpusUsed).toBe(4);
    for (const gpu of plan.gpus) {
      const models = gpu.replicas.map((r) => r.modelId);
      expect(models.filter((m) => m === 'llama').length).toBeLessThanOrEqual(1);
      expect(models.includes('llama') && models.includes('whisper')).toBe(false);
    }
  });

  it('reports replicas that cannot be placed, with reasons', () => {
    const plan = packReplicas({
      models: [
        { id: 'huge', memoryGiB: 100, compute: 0.5, replicas: 1 },
        { id: 'hot', memoryGiB: 10, compute: 2, replicas: 1 },
        { id: 'ok', memoryGiB: 40, compute: 0.5, replicas: 3 },
        { id: 'spread', memoryGiB: 1, compute: 0.01, replicas: 3, antiAffinity: true },
      ],
      gpuTypes: [{ ...h100, count: 2 }],
    });
    const reasons = Object.fromEntries(
      plan.unplaced.map((u) => [`${u.modelId}#${u.replica}`, u.reason]),
    );
    expect(reasons['huge#0']).toBe('exceeds_gpu_memory');
    expect(reasons['hot#0']).toBe('exceeds_gpu_compute');
    expect(reasons['ok#2']).toBe('inventory_exhausted');
    expect(reasons['spread#2']).toBe('anti_affinity');
    expect(plan.placedReplicas + plan.unplaced.length).toBe(8);
    expect(plan.gpusUsed).toBe(2);
  });

  it('no_gpu_type_fits when each dimension fits a different type', () => {
    const plan = packReplicas({
      models: [{ id: 'x', memoryGiB: 100, compute: 1.5, replicas: 1 }],
      gpuTypes: [
        { id: 'big-mem', memoryGiB: 200, computeCapacity: 1 },
        { id: 'big-compute', memoryGiB: 80, computeCapacity: 2 },
      ],
    });
    expect(plan.unplaced[0]?.reason).toBe('no_gpu_type_fits');
  });

  it('eliminates a GPU that first fit left nearly empty, and shrinks to the cheapest type', () => {
    const input = {
      models: [
        { id: 'a', memoryGiB: 40, compute: 0.5, replicas: 2 },
        { id: 'b', memoryGiB: 20, compute: 0.2, replicas: 2 },
      ],
      gpuTypes: [
        { id: 'H100-80GB', memoryGiB: 80, usdPerHour: 4 },
        { id: 'L40S-48GB', memoryGiB: 48, usdPerHour: 1.5 },
      ],
    };
    const plan = packReplicas(input);
    expect(plan.unplaced).toEqual([]);
    expect(plan.gpusUsed).toBeGreaterThanOrEqual(plan.lowerBound);
    // A 40 GiB replica exceeds the L40S's 38.4 usable GiB, so both need an H100.
    expect(plan.gpusUsedByType['H100-80GB']).toBe(2);
    const small = packReplicas({
      models: [{ id: 'b', memoryGiB: 20, compute: 0.2, replicas: 1 }],
      gpuTypes: input.gpuTypes,
    });
    expect(small.gpus[0]?.gpuTypeId).toBe('L40S-48GB');
    expect(small.usdPerHour).toBe(1.5);
  });

  it('respects maxGpus', () => {
    const plan = packReplicas({
      models: [{ id: 'a', memoryGiB: 60, compute: 0.5, replicas: 3 }],
      gpuTypes: [h100],
      maxGpus: 2,
    });
    expect(plan.gpusUsed).toBe(2);
    expect(plan.unplaced.map((u) => u.reason)).toEqual(['inventory_exhausted']);
  });

  it('rejects bad input naming the field', () => {
    const nan = thrown(() =>
      packReplicas({
        models: [{ id: 'a', memoryGiB: Number.NaN, compute: 0.5, replicas: 1 }],
        gpuTypes: [h100],
      }),
    );
    expect(isHeadroomError(nan, 'invalid_config') && nan.path).toEqual(['models', 0, 'memoryGiB']);
    const headroom = thrown(() =>
      packReplicas({ models: [], gpuTypes: [h100], memoryHeadroom: 0.6 }),
    );
    expect(isHeadroomError(headroom, 'invalid_config') && headroom.path).toEqual([
      'memoryHeadroom',
    ]);
    const inf = thrown(() =>
      packReplicas({
        models: [{ id: 'a', memoryGiB: 1, compute: Number.POSITIVE_INFINITY, replicas: 1 }],
        gpuTypes: [h100],
      }),
    );
    expect(isHeadroomError(inf, 'invalid_config')).toBe(true);
    const dup = thrown(() =>
      packReplicas({
        models: [
          { id: 'a', memoryGiB: 1, compute: 0, replicas: 1 },
          { id: 'a', memoryGiB: 1, compute: 0, replicas: 1 },
        ],
        gpuTypes: [h100],
      }),
    );
    expect(isHeadroomError(dup, 'invalid_config') && dup.path).toEqual(['models', 1, 'id']);
    const unknown = thrown(() =>
      packReplicas({
        models: [{ id: 'a', memoryGiB: 1, compute: 0, replicas: 1, antiAffinityWith: ['zz'] }],
        gpuTypes: [h100],
      }),
    );
    expect(isHeadroomError(unknown, 'invalid_config') && unknown.path).toEqual([
      'models',
      0,
      'antiAffinityWith',
      0,
    ]);
  });

  it('packingLowerBound matches the result and handles no models', () => {
    expect(
      packingLowerBound({
        models: [{ id: 'a', memoryGiB: 30, compute: 0.2, replicas: 5 }],
        gpuTypes: [h100],
      }),
    ).toBe(3);
    expect(packingLowerBound({ models: [], gpuTypes: [h100] })).toBe(0);
    expect(packReplicas({ models: [], gpuTypes: [h100] }).gpusUsed).toBe(0);
  });
});
