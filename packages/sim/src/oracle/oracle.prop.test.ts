import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { windowedTrace } from '../../test/support/traces.js';
import type { Trace } from '../traces/types.js';
import { oracleSchedule, type OracleWindow } from './index.js';

function windowed(counts: readonly number[], windowMs: number): Trace {
  return windowedTrace(counts, windowMs, { promptTokens: 1, outputTokens: 1 });
}

/** The desired count the schedule sets at `t`. */
function desiredAt(points: readonly { atMs: number; replicas: number }[], t: number): number {
  let r = 0;
  for (const p of points) if (p.atMs <= t) r = p.replicas;
  return r;
}

const WINDOW = 10_000;

describe('oracleSchedule properties', () => {
  it('orders every window’s replicas a full lead time ahead, within the bounds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 45_000 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 3 }),
        (counts, leadMs, perReplica, minReplicas) => {
          const result = oracleSchedule(windowed(counts, WINDOW), {
            need: { kind: 'capacity', capacityPerReplicaRps: perReplica / 10 },
            windowMs: WINDOW,
            coldStartLeadMs: leadMs,
            minReplicas,
            maxReplicas: 40,
          });
          result.windows.forEach((w, i) => {
            expect(w.ready).toBeGreaterThanOrEqual(w.needed);
            expect(w.needed).toBeGreaterThanOrEqual(minReplicas);
            expect(w.ready).toBeLessThanOrEqual(40);
            // From one lead time before the window to its end, the schedule asks for its count.
            for (const t of [i * WINDOW - leadMs, i * WINDOW, (i + 1) * WINDOW - 1]) {
              expect(desiredAt(result.schedule.points, Math.max(0, t))).toBeGreaterThanOrEqual(
                w.ready,
              );
            }
          });
          expect(result.replicaHours).toBeGreaterThanOrEqual(result.neededReplicaHours - 1e-12);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('spends no more misses than the budget, and no fewer replicas could (linear miss curves)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 10 }),
        fc.double({ min: 0.5, max: 1, noNaN: true }),
        (counts, perReplica, target) => {
          const misses = (w: OracleWindow, n: number): number =>
            Math.max(0, w.requests.length - perReplica * n);
          const result = oracleSchedule(windowed(counts, WINDOW), {
            need: { kind: 'misses', missesWith: misses },
            windowMs: WINDOW,
            coldStartLeadMs: 0,
            targetAttainment: target,
            minReplicas: 1,
            maxReplicas: 60,
          });
          const total = counts.reduce((a, b) => a + b, 0);
          const allowed = Math.floor((1 - target) * total + 1e-9);
          expect(result.predictedMisses).toBeLessThanOrEqual(Math.max(allowed, 0));
          // Brute force: the fewest replicas whose misses fit the budget.
          const options = counts.map((c) =>
            Array.from({ length: Math.max(1, Math.ceil(c / perReplica)) }, (_, k) => k + 1),
          );
          let best = Number.POSITIVE_INFINITY;
          const search = (i: number, used: number, missed: number): void => {
            if (missed > allowed || used >= best) return;
            if (i === counts.length) {
              best = used;
              return;
            }
            for (const n of options[i] as number[]) {
              search(i + 1, used + n, missed + Math.max(0, (counts[i] as number) - perReplica * n));
            }
          };
          search(0, 0, 0);
          const used = result.windows.reduce((a, w) => a + w.needed, 0);
          expect(used).toBe(best);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
