import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IDLE_DIMENSIONS, accountIdle, type IdleRecord } from '../index.js';

const RUNS = { numRuns: 1000 };

const recordArb = fc
  .record({
    provisioned: fc.double({ min: 0, max: 1e6, noNaN: true }),
    usedFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    model: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
    region: fc.option(fc.constantFrom('us-east-1', 'eu-west-1'), { nil: undefined }),
    pool: fc.option(fc.constantFrom('main', 'warm'), { nil: undefined }),
    capacityType: fc.option(fc.constantFrom('reserved', 'on-demand', 'spot' as const), {
      nil: undefined,
    }),
    warm: fc.boolean(),
  })
  .map((r): IdleRecord => ({
    provisionedGpuSeconds: r.provisioned,
    usedGpuSeconds: r.warm ? 0 : Math.min(r.provisioned, r.provisioned * r.usedFraction),
    ...(r.model === undefined ? {} : { model: r.model }),
    ...(r.region === undefined ? {} : { region: r.region }),
    ...(r.pool === undefined ? {} : { pool: r.pool }),
    ...(r.capacityType === undefined ? {} : { capacityType: r.capacityType }),
    warm: r.warm,
  }));

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

describe('accountIdle properties', () => {
  it('idle = provisioned - used >= 0 per group, and groups sum to the totals', () => {
    fc.assert(
      fc.property(
        fc.array(recordArb, { maxLength: 20 }),
        fc.subarray([...IDLE_DIMENSIONS]),
        (records, groupBy) => {
          const result = accountIdle(records, groupBy);
          const sums = { p: 0, u: 0, i: 0, n: 0 };
          for (const row of [...result.rows, result.total]) {
            expect(row.idleGpuSeconds).toBeGreaterThanOrEqual(0);
            expect(
              close(
                row.idleGpuSeconds,
                Math.max(0, row.provisionedGpuSeconds - row.usedGpuSeconds),
              ),
            ).toBe(true);
            expect(row.idleFraction).toBeGreaterThanOrEqual(0);
            expect(row.idleFraction).toBeLessThanOrEqual(1);
            expect(row.warmIdleGpuSeconds).toBeLessThanOrEqual(
              row.idleGpuSeconds * (1 + 1e-9) + 1e-9,
            );
          }
          for (const row of result.rows) {
            sums.p += row.provisionedGpuSeconds;
            sums.u += row.usedGpuSeconds;
            sums.i += row.idleGpuSeconds;
            sums.n += row.records;
          }
          expect(sums.n).toBe(records.length);
          expect(close(sums.p, result.total.provisionedGpuSeconds)).toBe(true);
          expect(close(sums.u, result.total.usedGpuSeconds)).toBe(true);
          expect(close(sums.i, result.total.idleGpuSeconds)).toBe(true);
        },
      ),
      RUNS,
    );
  });
});
