import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agingWaitBound, createWorkQueue } from './index.js';

const RUNS = { numRuns: 1000 };
const NAMES = ['c0', 'c1', 'c2', 'c3'];

const scenarioArb = fc
  .record({
    k: fc.integer({ min: 1, max: 4 }),
    agingIntervalMs: fc.integer({ min: 1, max: 60 }),
    serviceTimeMs: fc.integer({ min: 1, max: 25 }),
    workers: fc.integer({ min: 1, max: 3 }),
    arrivals: fc.array(
      fc.record({
        gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 12 })),
        // Adversarial: mostly the highest class (index 0), which aging has to hold back.
        classIndex: fc.oneof(
          { weight: 3, arbitrary: fc.constant(0) },
          { weight: 2, arbitrary: fc.integer({ min: 0, max: 3 }) },
        ),
      }),
      { minLength: 1, maxLength: 80 },
    ),
  })
  .map((s) => ({
    ...s,
    arrivals: s.arrivals.map((a) => ({ ...a, classIndex: a.classIndex % s.k })),
  }));

describe('WorkQueue aging properties', () => {
  it('bounds every wait: at most Q0 + H served ahead, and wait <= (floor((Q0 + H) / c) + 1) * S', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        ({ k, agingIntervalMs: a, serviceTimeMs: s, workers: c, arrivals }) => {
          // Arrange
          const classes = NAMES.slice(0, k);
          const queue = createWorkQueue<number>({ classes, agingIntervalMs: a });
          let t = 0;
          const jobs = arrivals.map((x, i) => {
            t += x.gapMs;
            return {
              i,
              atMs: t,
              rank: k - 1 - x.classIndex,
              className: classes[x.classIndex] ?? 'c0',
            };
          });
          const n = jobs.length;
          const q0 = new Array<number>(n).fill(0);
          const dequeuesAtArrival = new Array<number>(n).fill(0);
          const startMs = new Array<number>(n).fill(-1);
          const servedAhead = new Array<number>(n).fill(0);
          const freeAt = new Array<number>(c).fill(0);
          let dequeues = 0;
          let next = 0;
          let now = 0;

          // Act: c servers, each dequeuing as soon as it is free; arrivals first at one instant.
          while (next < n || queue.size > 0) {
            while (next < n && (jobs[next]?.atMs ?? Infinity) <= now) {
              const job = jobs[next];
              if (job !== undefined) {
                q0[next] = queue.size;
                dequeuesAtArrival[next] = dequeues;
                queue.enqueue({ id: `j${next}`, className: job.className, payload: next }, now);
              }
              next += 1;
            }
            for (let w = 0; w < c; w++) {
              if ((freeAt[w] ?? 0) > now) continue;
              const item = queue.dequeue(now);
              if (item === undefined) break;
              const i = item.payload ?? 0;
              startMs[i] = now;
              servedAhead[i] = dequeues - (dequeuesAtArrival[i] ?? 0);
              dequeues += 1;
              freeAt[w] = now + s;
            }
            const candidates = [...freeAt.filter((f) => f > now)];
            if (next < n) candidates.push(jobs[next]?.atMs ?? now);
            if (candidates.length === 0) break;
            now = Math.max(now, Math.min(...candidates));
          }

          // Assert
          for (const job of jobs) {
            let h = 0;
            for (const other of jobs) {
              if (
                other.i > job.i &&
                other.rank > job.rank &&
                other.atMs < job.atMs + (other.rank - job.rank) * a
              ) {
                h += 1;
              }
            }
            const i = job.i;
            expect(startMs[i]).toBeGreaterThanOrEqual(job.atMs);
            expect(servedAhead[i]).toBeLessThanOrEqual((q0[i] ?? 0) + h);
            const bound = agingWaitBound({
              itemsAhead: q0[i] ?? 0,
              higherClassArrivals: h,
              workers: c,
              serviceTimeMs: s,
            });
            expect((startMs[i] ?? 0) - job.atMs).toBeLessThanOrEqual(bound);
          }
        },
      ),
      RUNS,
    );
  });

  it('dequeues the item of highest effective rank, earliest arrival on a tie, FIFO per class; counts stay exact', () => {
    const opArb = fc.oneof(
      fc.record({
        kind: fc.constant('enqueue' as const),
        classIndex: fc.integer({ min: 0, max: 2 }),
        sizeUnits: fc.integer({ min: 1, max: 5 }),
      }),
      fc.record({ kind: fc.constant('dequeue' as const) }),
      fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.array(fc.record({ advanceMs: fc.integer({ min: 0, max: 60 }), op: opArb }), {
          maxLength: 60,
        }),
        (a, ops) => {
          const classes = ['hi', 'mid', 'lo'];
          const queue = createWorkQueue({ classes, agingIntervalMs: a });
          const model: {
            id: string;
            rank: number;
            at: number;
            seq: number;
            units: number;
            className: string;
          }[] = [];
          let now = 0;
          let seq = 0;
          for (const { advanceMs, op } of ops) {
            now += advanceMs;
            if (op.kind === 'enqueue') {
              const className = classes[op.classIndex] ?? 'hi';
              const id = `i${seq}`;
              queue.enqueue({ id, className, sizeUnits: op.sizeUnits }, now);
              model.push({
                id,
                rank: 2 - op.classIndex,
                at: now,
                seq,
                units: op.sizeUnits,
                className,
              });
              seq += 1;
            } else if (op.kind === 'remove') {
              const victim = model[op.pick % Math.max(1, model.length)];
              if (victim !== undefined) {
                expect(queue.remove(victim.id)?.id).toBe(victim.id);
                model.splice(model.indexOf(victim), 1);
              }
            } else {
              const eff = (m: (typeof model)[number]) => m.rank + Math.floor((now - m.at) / a);
              const expected = [...model].sort((x, y) => eff(y) - eff(x) || x.seq - y.seq)[0];
              const got = queue.dequeue(now);
              expect(got?.id).toBe(expected?.id);
              if (expected !== undefined) model.splice(model.indexOf(expected), 1);
            }
            expect(queue.size).toBe(model.length);
            expect(queue.sizeUnits).toBe(model.reduce((s, m) => s + m.units, 0));
            const depth = queue.depthByClass();
            for (const name of classes) {
              expect(depth[name]).toBe(model.filter((m) => m.className === name).length);
            }
          }
        },
      ),
      RUNS,
    );
  });
});
