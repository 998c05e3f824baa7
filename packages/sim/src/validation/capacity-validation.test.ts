import { describe, expect, it } from 'vitest';
import { batchingGrid, mgcGrid } from './index.js';

// Seeded grids: Poisson arrivals at utilization 0.5..0.9 on 1, 2, 4 and 8 servers, 40,000 requests
// a point (setup a), 20,000 (setup b). The M/G/c model of @headroom/fleet against the engine.

describe('capacity model vs simulator, setup (a): M/G/c with one shared queue', () => {
  for (const cv of [1, 0.5]) {
    it(`predicts P99 queue wait within 20% (service cv ${cv})`, () => {
      const grid = mgcGrid(cv, 'shared');
      expect(grid).toHaveLength(20);
      for (const p of grid) {
        expect(p.dropped).toBe(0);
        expect(Math.abs(p.error.p99), `rho ${p.rho}, c ${p.replicas}`).toBeLessThanOrEqual(0.2);
        expect(Math.abs(p.error.p95), `rho ${p.rho}, c ${p.replicas}`).toBeLessThanOrEqual(0.2);
      }
    });
  }
});

describe('setup (a) with a queue per replica (join the shortest queue)', () => {
  it('matches on one replica and under-predicts with several, most in light traffic', () => {
    const grid = mgcGrid(1, 'per-replica');
    for (const p of grid) {
      if (p.replicas === 1) expect(Math.abs(p.error.p99)).toBeLessThanOrEqual(0.2);
      // Per-replica queues wait longer than one shared queue: the model is optimistic here.
      else expect(p.predictedMs.p99).toBeLessThan(p.simulatedMs.p99 * 1.05);
    }
  });
});

describe('setup (b): Splitwise continuous batching as slots per replica', () => {
  // 16 slots per replica, per-replica queues with join-the-shortest-queue routing. The model gets
  // the full-batch service time plus the admission term (decode step at batch 16, prefill mean and
  // cv over the trace's prompts); `withoutAdmission` is the slot queue alone, as before.
  const grid = batchingGrid(16);

  it('with the admission term: P99 within 20% on 2 to 8 replicas up to utilization 0.8', () => {
    expect(grid).toHaveLength(20);
    for (const p of grid) {
      expect(p.dropped).toBe(0);
      expect(Number.isFinite(p.predictedMs.p99)).toBe(true);
      const where = `rho ${p.rho}, replicas ${p.replicas}`;
      if (p.replicas >= 2 && p.rho <= 0.8) {
        expect(Math.abs(p.error.p99), where).toBeLessThanOrEqual(0.2);
        expect(Math.abs(p.error.p95), where).toBeLessThanOrEqual(0.4);
      }
      // Heavy load: still conservative (arrivals admitted together, flat step), by under 70%.
      if (p.rho === 0.9) {
        expect(p.predictedMs.p99, where).toBeGreaterThan(p.simulatedMs.p99);
        expect(p.error.p99, where).toBeLessThan(0.7);
      }
      // One replica, moderate load (the slot-wait transition): under-predicts, never by half.
      expect(p.error.p99, where).toBeGreaterThan(-0.5);
    }
  });

  it('is closer than the slot queue alone at every grid point (P99)', () => {
    for (const p of grid) {
      const before = p.withoutAdmission;
      expect(before).toBeDefined();
      if (before === undefined) continue;
      expect(Math.abs(p.error.p99), `rho ${p.rho}, replicas ${p.replicas}`).toBeLessThan(
        Math.abs(before.error.p99),
      );
    }
  });
});
