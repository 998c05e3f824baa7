import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FP8_ARCHITECTURES,
  GPU_CLASS_INFO,
  GPU_TIERS,
  LATENCY_CLASSES,
  explainWorkloadMatch,
  workloadAllows,
  workloadPreference,
  type WorkloadRequirement,
} from './index.js';

const RUNS = { numRuns: 1000 };

const gpuArb = fc.constantFrom(...Object.values(GPU_CLASS_INFO));
const reqArb: fc.Arbitrary<WorkloadRequirement> = fc.record(
  {
    latencyClass: fc.constantFrom(...LATENCY_CLASSES),
    modelMemoryGiB: fc.oneof(
      fc.double({ min: 0, max: 250, noNaN: true }),
      fc.constantFrom(Number.NaN, -1, Number.POSITIVE_INFINITY),
    ),
    fp8: fc.boolean(),
    memoryHeadroom: fc.double({ min: 0, max: 0.99, noNaN: true }),
    allowedTiers: fc.subarray([...GPU_TIERS]),
  },
  { requiredKeys: ['latencyClass', 'modelMemoryGiB'] },
);

describe('workload matching properties', () => {
  it('allows exactly when tier, FP8 and memory all fit; explain agrees; preference in [0, 1]', () => {
    fc.assert(
      fc.property(reqArb, gpuArb, (req, gpu) => {
        const allowed = workloadAllows(req, gpu);
        const headroom = req.memoryHeadroom ?? 0.1;
        const tiers =
          req.allowedTiers ??
          (
            {
              realtime: ['flagship', 'performance'],
              interactive: ['flagship', 'performance', 'mainstream'],
              batch: [...GPU_TIERS],
            } as const
          )[req.latencyClass];
        const expected =
          Number.isFinite(req.modelMemoryGiB) &&
          req.modelMemoryGiB >= 0 &&
          (tiers as readonly string[]).includes(gpu.tier) &&
          (req.fp8 !== true || FP8_ARCHITECTURES.includes(gpu.arch)) &&
          req.modelMemoryGiB <= gpu.memoryGiB * (1 - headroom);
        expect(allowed).toBe(expected);
        expect(explainWorkloadMatch(req, gpu).allowed).toBe(allowed);
        const pref = workloadPreference(req, gpu);
        expect(pref).toBeGreaterThanOrEqual(0);
        expect(pref).toBeLessThanOrEqual(1);
        expect(pref > 0).toBe(allowed);
      }),
      RUNS,
    );
  });

  it('is monotone in memory: a smaller model fits wherever a larger one does', () => {
    fc.assert(
      fc.property(reqArb, gpuArb, fc.double({ min: 0, max: 1, noNaN: true }), (req, gpu, k) => {
        if (!workloadAllows(req, gpu)) return;
        expect(workloadAllows({ ...req, modelMemoryGiB: req.modelMemoryGiB * k }, gpu)).toBe(true);
      }),
      RUNS,
    );
  });
});
