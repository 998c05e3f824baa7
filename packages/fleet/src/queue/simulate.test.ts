import { createRandom, isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { simulateWorkerPool, type WorkerPoolSimInput } from './index.js';

function burst(seed: number): WorkerPoolSimInput['jobs'] {
  const random = createRandom(seed);
  const classes = ['realtime', 'batch', 'backfill'];
  return Array.from({ length: 120 }, (_, i) => ({
    id: `job-${i}`,
    className: classes[random.nextInt(3)] ?? 'batch',
    arrivalMs: Math.floor(random.nextFloat() * 120_000),
    serviceMs: 5_000 + random.nextInt(10_000),
  }));
}

const INPUT: WorkerPoolSimInput = {
  queue: { classes: ['realtime', 'batch', 'backfill'], agingIntervalMs: 30_000 },
  workers: {
    targetDrainSeconds: 120,
    maxWorkers: 8,
    cooldownMs: 60_000,
    coldStartMs: 20_000,
    fallbackThroughputPerWorkerPerS: 0.1,
  },
  jobs: burst(7),
  startMs: 0,
  controlIntervalMs: 10_000,
};

describe('simulateWorkerPool', () => {
  it('scales up on a burst, drains every job, holds the aging bound and scales to zero', () => {
    const result = simulateWorkerPool(INPUT);
    expect(result.jobs.every((j) => j.startMs !== undefined)).toBe(true);
    expect(result.lastCompletionMs).toBeDefined();
    expect(result.peakWorkers).toBeGreaterThan(1);
    expect(result.peakWorkers).toBeLessThanOrEqual(8);
    expect(result.ticks.every((t) => t.desiredWorkers <= 8)).toBe(true);
    expect(result.classes.every((c) => c.boundHeld)).toBe(true);
    expect(result.classes.map((c) => c.jobs).reduce((a, b) => a + b, 0)).toBe(120);
    expect(result.scaledToZeroAtMs).toBeGreaterThan(result.lastCompletionMs ?? 0);
    expect(result.ticks.at(-1)?.desiredWorkers).toBe(0);
    expect(result.workerSeconds).toBeGreaterThan(0);
  });

  it('is deterministic', () => {
    expect(simulateWorkerPool(INPUT)).toEqual(simulateWorkerPool(INPUT));
  });

  it('rejects a duplicate job id or an unknown class', () => {
    const dup = () =>
      simulateWorkerPool({
        ...INPUT,
        jobs: [...INPUT.jobs, { id: 'job-0', className: 'batch', arrivalMs: 0, serviceMs: 1 }],
      });
    expect(() => dup()).toThrow(/duplicate job id/);
    try {
      simulateWorkerPool({
        ...INPUT,
        jobs: [{ id: 'x', className: 'urgent', arrivalMs: 0, serviceMs: 1 }],
      });
    } catch (error) {
      expect(isHeadroomError(error, 'invalid_argument')).toBe(true);
    }
    try {
      simulateWorkerPool({ ...INPUT, controlIntervalMs: 0 });
    } catch (error) {
      expect(isHeadroomError(error, 'invalid_input')).toBe(true);
      expect(String(error)).toContain('controlIntervalMs');
    }
  });
});
