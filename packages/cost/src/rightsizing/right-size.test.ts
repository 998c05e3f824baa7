import { describe, expect, it } from 'vitest';
import { thrownError } from '../../../../tools/test-utils.js';
import { defaultCatalog, loadCatalog } from '../catalog/index.js';
import { rightSize, rooflineRequestsPerSecond, RooflineModelSchema } from '../index.js';

describe('rightSize', () => {
  it('picks a small MIG profile or an L4 for a 7B FP16 model (~14 GiB + 20%)', () => {
    const result = rightSize(defaultCatalog(), { memoryGiB: 14 });
    expect(result.requiredMemoryGiB).toBeCloseTo(16.8, 10);
    const pick = result.pick;
    expect(pick).not.toBeNull();
    expect(pick?.kind === 'mig' || pick?.gpuClass === 'L4').toBe(true);
    // On the default prices: a 1g.20gb on an A100-80GB, 1/7 of $27.44705 / 8 per hour.
    expect(pick).toMatchObject({ kind: 'mig', name: 'A100-80GB 1g.20gb', replicas: 1 });
    expect(pick?.usdPerHour).toBeCloseTo(27.44705 / 8 / 7, 10);
    expect(pick?.memoryGiB).toBeGreaterThanOrEqual(16.8);
  });

  it('picks an L4 when MIG is priced by its dominant share', () => {
    const pick = rightSize(defaultCatalog(), { memoryGiB: 14, migPricing: 'dominant-share' }).pick;
    expect(pick).toMatchObject({ gpuClass: 'L4', usdPerHour: 0.8048 });
  });

  it('explains memory rejections with usable MIG memory', () => {
    const result = rightSize(defaultCatalog(), { memoryGiB: 40 });
    const h100 = result.rejected.find((r) => r.name === 'H100-80GB 3g.40gb');
    expect(h100).toEqual({
      kind: 'mig',
      name: 'H100-80GB 3g.40gb',
      gpuClass: 'H100-80GB',
      reason: 'memory',
      detail: 'memory: needs 48.0 GiB with 20% headroom, profile 3g.40gb has 39.5 GiB usable',
    });
    const l4 = result.rejected.find((r) => r.name === 'L4 x1');
    expect(l4?.detail).toBe('memory: needs 48.0 GiB with 20% headroom, 1 x L4 has 24.0 GiB');
    // Every candidate is either accepted or rejected, never both.
    const acceptedNames = new Set(result.accepted.map((a) => a.name));
    for (const r of result.rejected) expect(acceptedNames.has(r.name)).toBe(false);
  });

  it('rejects Ampere and Turing when FP8 is required', () => {
    const result = rightSize(defaultCatalog(), { memoryGiB: 10, requireFp8: true });
    const a100 = result.rejected.find((r) => r.name === 'p4d.24xlarge');
    expect(a100).toMatchObject({
      reason: 'fp8',
      detail: 'fp8: not supported on Ampere (A100-40GB)',
    });
    expect(result.rejected.find((r) => r.name === 'T4 x1')?.detail).toBe(
      'fp8: not supported on Turing (T4)',
    );
    expect(result.pick?.gpuClass).not.toMatch(/^(A100|A10G|T4|A30)/);
    expect(['Ada', 'Hopper', 'Blackwell']).toContain(
      defaultCatalog().gpuClasses.find((g) => g.name === result.pick?.gpuClass)?.arch,
    );
  });

  it('rejects candidates without a price for the capacity type', () => {
    const catalog = loadCatalog(
      {
        instanceTypes: [
          { name: 'g6.xlarge', prices: { spot: null } },
          { name: 'g6.12xlarge', prices: { spot: null } },
          { name: 'g6.48xlarge', prices: { spot: null } },
        ],
      },
      { base: defaultCatalog() },
    );
    const result = rightSize(catalog, {
      memoryGiB: 14,
      capacityType: 'spot',
      kinds: ['gpu', 'instance'],
    });
    expect(result.rejected.find((r) => r.name === 'L4 x1')).toMatchObject({
      reason: 'price',
      detail: 'price: no spot price for any instance type of L4',
    });
    expect(result.rejected.find((r) => r.name === 'g6.xlarge')?.detail).toBe(
      'price: no spot price for g6.xlarge',
    );
    expect(result.rejected.find((r) => r.name === 'A30-24GB x1')?.detail).toBe(
      'price: no instance type in the catalog offers A30-24GB',
    );
  });

  it('uses several replicas for throughput, from a measured profile', () => {
    const result = rightSize(defaultCatalog(), {
      memoryGiB: 14,
      requestsPerSecond: 10,
      kinds: ['gpu'],
      throughputProfile: { perGpuClass: { L4: 1, L40S: 4, 'H100-80GB': 20 } },
    });
    const l4 = result.accepted.find((a) => a.name === 'L4 x1');
    expect(l4).toMatchObject({ replicas: 10, throughputSource: 'profile' });
    expect(l4?.usdPerHour).toBeCloseTo(8.048, 10);
    const l4x2 = result.accepted.find((a) => a.name === 'L4 x2');
    expect(l4x2).toMatchObject({ replicas: 5, requestsPerSecondPerReplica: 2 });
    // The H100 at $6.88 carries it alone; L40S needs 3 x $1.861 = $5.583.
    expect(result.pick).toMatchObject({ name: 'L40S x1', replicas: 3 });
    // Classes the profile lacks and no model given: rejected for throughput.
    expect(result.rejected.find((r) => r.name === 'A10G x1')).toMatchObject({
      reason: 'throughput',
      detail:
        'throughput: no profile entry for GPU class A10G and no model for a roofline estimate',
    });
  });

  it('rejects candidates that need more than maxReplicas', () => {
    const result = rightSize(defaultCatalog(), {
      memoryGiB: 14,
      requestsPerSecond: 100,
      maxReplicas: 4,
      kinds: ['gpu'],
      throughputProfile: { perGpuClass: { L4: 1 } },
    });
    expect(result.rejected.find((r) => r.name === 'L4 x1')?.detail).toBe(
      'throughput: needs 100 replicas at 1.00 req/s each for 100 req/s, above maxReplicas 4',
    );
  });

  it('uses a MIG throughput profile and the roofline otherwise', () => {
    const result = rightSize(defaultCatalog(), {
      memoryGiB: 14,
      requestsPerSecond: 3,
      kinds: ['mig'],
      throughputProfile: { perMigProfile: { 'H100-80GB': { '1g.20gb': 3 } } },
      model: { paramsBillions: 7, batchSize: 8 },
    });
    expect(result.accepted.find((a) => a.name === 'H100-80GB 1g.20gb')).toMatchObject({
      replicas: 1,
      throughputSource: 'profile',
    });
    expect(result.accepted.find((a) => a.name === 'A100-80GB 1g.20gb')?.throughputSource).toBe(
      'roofline',
    );
    expect(result.accepted.every((a) => a.kind === 'mig')).toBe(true);
    expect(result.accepted.some((a) => a.name.includes('+me'))).toBe(false);
  });

  it('runs several replicas of the smallest fitting group on a whole instance', () => {
    const result = rightSize(defaultCatalog(), {
      memoryGiB: 14,
      requestsPerSecond: 16,
      kinds: ['instance'],
      throughputProfile: { perGpuClass: { 'H100-80GB': 2 } },
    });
    // 8 one-GPU replicas on a p5.48xlarge carry 16 req/s.
    expect(result.accepted.find((a) => a.name === 'p5.48xlarge')).toMatchObject({
      replicas: 1,
      requestsPerSecondPerReplica: 16,
    });
  });

  it('sorts accepted candidates cheapest first and returns the first as the pick', () => {
    const result = rightSize(defaultCatalog(), { memoryGiB: 60, requestsPerSecond: 0 });
    expect(result.pick).toBe(result.accepted[0]);
    for (let i = 1; i < result.accepted.length; i++) {
      expect(result.accepted[i]!.usdPerHour).toBeGreaterThanOrEqual(
        result.accepted[i - 1]!.usdPerHour,
      );
    }
  });

  it('returns no pick when nothing fits', () => {
    const result = rightSize(defaultCatalog(), { memoryGiB: 5000 });
    expect(result.pick).toBeNull();
    expect(result.accepted).toEqual([]);
    expect(result.rejected.length).toBeGreaterThan(0);
  });

  it('rejects bad requirements with typed errors naming the path', () => {
    const catalog = defaultCatalog();
    expect(thrownError(() => rightSize(catalog, { memoryGiB: Number.NaN }))).toMatchObject({
      code: 'invalid_argument',
      path: ['requirement', 'memoryGiB'],
    });
    expect(
      thrownError(() => rightSize(catalog, { memoryGiB: 10, requestsPerSecond: -1 })).path,
    ).toEqual(['requirement', 'requestsPerSecond']);
    expect(
      thrownError(() =>
        rightSize(catalog, { memoryGiB: 10, throughputProfile: { perGpuClass: { L4: Infinity } } }),
      ).path,
    ).toEqual(['requirement', 'throughputProfile', 'perGpuClass', 'L4']);
    expect(
      thrownError(() => rightSize(catalog, { memoryGiB: 10, capacityType: 'on_demand' as 'spot' }))
        .path,
    ).toEqual(['requirement', 'capacityType']);
    // 70B in FP16 is 130 GiB of weights: 10 GiB cannot hold it.
    expect(
      thrownError(() => rightSize(catalog, { memoryGiB: 10, model: { paramsBillions: 70 } })),
    ).toMatchObject({ code: 'invalid_argument', path: ['requirement', 'memoryGiB'] });
  });
});

describe('rooflineRequestsPerSecond', () => {
  it('follows the documented formula', () => {
    const model = RooflineModelSchema.parse({
      paramsBillions: 7,
      bytesPerParam: 2,
      avgPromptTokens: 1000,
      avgOutputTokens: 100,
      batchSize: 10,
      bandwidthEfficiency: 1,
      computeEfficiency: 1,
    });
    const e = rooflineRequestsPerSecond(model, { bandwidthGBs: 1400, tflops: 140 });
    // 14e9 bytes / 1.4e12 B/s = 0.01 s per step; 2 * 7e9 * 1000 / 140e12 = 0.1 s prefill.
    expect(e.decodeStepSeconds).toBeCloseTo(0.01, 12);
    expect(e.prefillSeconds).toBeCloseTo(0.1, 12);
    expect(e.secondsPerRequest).toBeCloseTo(0.1 + (100 * 0.01) / 10, 12);
    expect(e.requestsPerSecond).toBeCloseTo(5, 9);
    expect(e.decodeTokensPerSecond).toBeCloseTo(1000, 9);
  });
});
