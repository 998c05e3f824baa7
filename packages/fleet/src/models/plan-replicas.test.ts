import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { planModelReplicas } from './index.js';
import { thrown } from '../../../../tools/test-utils.js';

const h100 = { id: 'H100-80GB', memoryGiB: 80 };

describe('planModelReplicas', () => {
  it('sizes replicas from demand and packs them on shared GPUs with 20% headroom', () => {
    const plan = planModelReplicas({
      models: [
        { id: 'llama-3-8b', demandRps: 40, throughputRpsPerReplica: 10, memoryGiB: 24 },
        { id: 'mistral-7b', demandRps: 5, throughputRpsPerReplica: 10, memoryGiB: 20 },
      ],
      placement: { kind: 'whole-gpu', gpuTypes: [h100] },
    });
    expect(plan.models.map((m) => [m.id, m.desiredReplicas, m.replicas, m.reason])).toEqual([
      ['llama-3-8b', 5, 5, 'demand'],
      ['mistral-7b', 1, 1, 'demand'],
    ]);
    expect(plan.models[0]?.utilization).toBeCloseTo(0.8);
    expect(plan.gpusUsed).toBe(3);
    expect(plan.unplaced).toEqual([]);
    expect(plan.totalReplicas).toBe(6);
    expect(plan.placedReplicas).toBe(6);
    expect(plan.placement.kind).toBe('whole-gpu');
    if (plan.placement.kind === 'whole-gpu') {
      for (const gpu of plan.placement.packing.gpus)
        expect(gpu.memoryUsedGiB).toBeLessThanOrEqual(64);
    }
  });

  it('clamps to min and max replicas, and scales to zero without demand', () => {
    const plan = planModelReplicas({
      models: [
        { id: 'idle', demandRps: 0, throughputRpsPerReplica: 5, memoryGiB: 10 },
        { id: 'floor', demandRps: 0.1, throughputRpsPerReplica: 5, memoryGiB: 10, minReplicas: 2 },
        { id: 'cap', demandRps: 100, throughputRpsPerReplica: 5, memoryGiB: 10, maxReplicas: 3 },
        { id: 'exact', demandRps: 8, throughputRpsPerReplica: 5, memoryGiB: 10 },
      ],
      targetUtilization: 0.8,
      placement: { kind: 'whole-gpu', gpuTypes: [h100] },
    });
    expect(plan.models.map((m) => [m.id, m.replicas, m.reason])).toEqual([
      ['idle', 0, 'no_demand'],
      ['floor', 2, 'min_replicas'],
      ['cap', 3, 'max_replicas'],
      ['exact', 2, 'demand'], // 8 / (5 × 0.8) = 2 exactly
    ]);
    expect(plan.models[0]?.utilization).toBe(0);
    expect(plan.models[2]?.utilization).toBeCloseTo(100 / 15);
  });

  it('reports replicas a too-small pool cannot take, with the reason', () => {
    const plan = planModelReplicas({
      models: [
        { id: 'a', demandRps: 30, throughputRpsPerReplica: 10, memoryGiB: 40 },
        { id: 'huge', demandRps: 1, throughputRpsPerReplica: 10, memoryGiB: 100 },
      ],
      targetUtilization: 1,
      placement: { kind: 'whole-gpu', gpuTypes: [{ ...h100, count: 2 }] },
    });
    expect(plan.unplaced).toEqual([
      { id: 'a', replicas: 1, reason: 'inventory_exhausted', detail: expect.any(String) },
      { id: 'huge', replicas: 1, reason: 'exceeds_gpu_memory', detail: expect.any(String) },
    ]);
    expect(plan.models.map((m) => m.placedReplicas)).toEqual([2, 0]);
    expect(plan.models[0]?.utilization).toBeCloseTo(1.5);
    expect(plan.models[1]?.utilization).toBe(1);
    expect(plan.gpusUsed).toBe(2);
  });

  it('places on MIG instances when asked', () => {
    const plan = planModelReplicas({
      models: [
        { id: 'llama-3-8b', demandRps: 24, throughputRpsPerReplica: 10, memoryGiB: 17 },
        {
          id: 'qwen-32b-awq',
          demandRps: 8,
          throughputRpsPerReplica: 5,
          memoryGiB: 32,
          computeSlices: 4,
        },
      ],
      placement: { kind: 'mig', inventory: { unlimited: 'H100-80GB', maxGpus: 4 } },
    });
    expect(plan.models.map((m) => m.replicas)).toEqual([3, 2]);
    expect(plan.placement.kind).toBe('mig');
    expect(plan.unplaced).toEqual([]);
    expect(plan.placedReplicas).toBe(5);
    expect(plan.gpusUsed).toBeGreaterThanOrEqual(1);
    expect(plan.gpusUsed).toBeLessThanOrEqual(4);
  });

  it('rejects bad input naming the field', () => {
    const nan = thrown(() =>
      planModelReplicas({
        models: [{ id: 'a', demandRps: Number.NaN, throughputRpsPerReplica: 1, memoryGiB: 1 }],
        placement: { kind: 'whole-gpu', gpuTypes: [h100] },
      }),
    );
    expect(isHeadroomError(nan, 'invalid_config') && nan.path).toEqual(['models', 0, 'demandRps']);
    const bounds = thrown(() =>
      planModelReplicas({
        models: [
          {
            id: 'a',
            demandRps: 1,
            throughputRpsPerReplica: 1,
            memoryGiB: 1,
            minReplicas: 3,
            maxReplicas: 2,
          },
        ],
        placement: { kind: 'whole-gpu', gpuTypes: [h100] },
      }),
    );
    expect(isHeadroomError(bounds, 'invalid_config') && bounds.path).toEqual([
      'models',
      0,
      'maxReplicas',
    ]);
    const dup = thrown(() =>
      planModelReplicas({
        models: [
          { id: 'a', demandRps: 1, throughputRpsPerReplica: 1, memoryGiB: 1 },
          { id: 'a', demandRps: 1, throughputRpsPerReplica: 1, memoryGiB: 1 },
        ],
        placement: { kind: 'whole-gpu', gpuTypes: [h100] },
      }),
    );
    expect(isHeadroomError(dup, 'invalid_config') && dup.path).toEqual(['models', 1, 'id']);
    const target = thrown(() =>
      planModelReplicas({
        models: [],
        targetUtilization: 0,
        placement: { kind: 'whole-gpu', gpuTypes: [h100] },
      }),
    );
    expect(isHeadroomError(target, 'invalid_config') && target.path).toEqual(['targetUtilization']);
  });
});
