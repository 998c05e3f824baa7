import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IDLE_KEY,
  IDLE_MODES,
  allocateCost,
  rollUpAllocation,
  toFocusRows,
  usdToMicro,
  type AllocationInput,
  type UsageRecord,
} from '../index.js';

const RUNS = { numRuns: 1000 };

const recordArb = fc.record({
  resource: fc.integer({ min: 0, max: 3 }),
  model: fc.constantFrom('m1', 'm2'),
  tenant: fc.constantFrom('a', 'b', 'c'),
  kind: fc.constantFrom('gpu', 'mig'),
  seconds: fc.oneof(
    fc.constant(0),
    fc.integer({ min: 0, max: 5_000 }),
    fc.double({ min: 0, max: 5_000, noNaN: true }),
  ),
  profile: fc.constantFrom('1g.10gb', '2g.20gb', '3g.40gb', '7g.80gb'),
});

const scenarioArb = fc.record({
  resources: fc.array(
    fc.record({
      costMicroUsd: fc.oneof(
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 0, max: Math.floor(Number.MAX_SAFE_INTEGER / 4) }),
      ),
      provisionedSeconds: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 0, max: 10_000, noNaN: true }),
      ),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  records: fc.array(recordArb, { maxLength: 12 }),
  idle: fc.constantFrom(...IDLE_MODES),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function inputOf(s: Scenario): AllocationInput {
  const resources = s.resources.map((r, i) => ({ id: `gpu-${i}`, ...r }));
  const usage: UsageRecord[] = s.records
    .filter((r) => r.resource < resources.length)
    .map((r) =>
      r.kind === 'gpu'
        ? {
            resourceId: `gpu-${r.resource}`,
            model: r.model,
            tenant: r.tenant,
            gpuSeconds: r.seconds,
          }
        : {
            resourceId: `gpu-${r.resource}`,
            model: r.model,
            tenant: r.tenant,
            migSliceSeconds: r.seconds,
            profile: r.profile,
          },
    );
  return { resources, usage, options: { idle: s.idle, overUsage: 'clip' } };
}

describe('allocateCost properties', () => {
  it('sums exactly to the bill per resource and in total, with no negative part, in every idle mode', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const input = inputOf(s);
        const a = allocateCost(input);
        const bill = input.resources.reduce((sum, r) => sum + BigInt(r.costMicroUsd), 0n);
        expect(BigInt(a.totalMicroUsd)).toBe(bill);
        expect(a.keys.reduce((sum, k) => sum + BigInt(k.costMicroUsd), 0n)).toBe(bill);
        for (const r of input.resources) {
          const lines = a.lines.filter((l) => l.resourceId === r.id);
          expect(lines.reduce((sum, l) => sum + BigInt(l.costMicroUsd), 0n)).toBe(
            BigInt(r.costMicroUsd),
          );
          for (const l of lines) {
            expect(l.costMicroUsd).toBeGreaterThanOrEqual(0);
            expect(Number.isSafeInteger(l.costMicroUsd)).toBe(true);
            // Hamilton: within one micro-dollar of the exact quota (ratio is exact to 1e-12).
            if (r.costMicroUsd <= 1_000) {
              expect(Math.abs(l.costMicroUsd - l.ratio * r.costMicroUsd)).toBeLessThan(1 + 1e-6);
            }
          }
        }
        for (const res of a.resources) {
          expect(res.idle).toBeGreaterThanOrEqual(0);
          expect(res.idleFraction).toBeGreaterThanOrEqual(0);
          expect(res.idleFraction).toBeLessThanOrEqual(1);
        }
        for (const by of ['model', 'tenant'] as const) {
          const rows = rollUpAllocation(a, by);
          expect(rows.reduce((sum, r) => sum + BigInt(r.costMicroUsd), 0n)).toBe(bill);
        }
      }),
      RUNS,
    );
  });

  it('gives a key with zero usage nothing, unless idle is shared evenly', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const input = inputOf(s);
        const a = allocateCost(input);
        // Zero usage means every record of the key has exactly 0 seconds (a reported float
        // usage can underflow to 0 for a denormal input while the exact sum is not 0).
        const used = new Set(
          input.usage
            .filter(
              (u) =>
                ('gpuSeconds' in u
                  ? u.gpuSeconds
                  : 'migSliceSeconds' in u
                    ? u.migSliceSeconds
                    : u.tokens) !== 0,
            )
            .map((u) => `${u.model}\u0000${u.tenant}`),
        );
        for (const line of a.lines) {
          if (line.model === IDLE_KEY) continue;
          if (!used.has(`${line.model}\u0000${line.tenant}`) && s.idle !== 'even')
            expect(line.costMicroUsd).toBe(0);
        }
      }),
      RUNS,
    );
  });

  it('does not depend on the order of the usage records or of the resources', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.array(fc.nat(), { maxLength: 16 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (s, usageKeys, resourceKeys) => {
          const input = inputOf(s);
          const shuffle = <T>(items: readonly T[], keys: readonly number[]): T[] =>
            items
              .map((item, i) => ({ item, k: keys[i] ?? i }))
              .sort((x, y) => x.k - y.k)
              .map((x) => x.item);
          const shuffled: AllocationInput = {
            ...input,
            usage: shuffle(input.usage, usageKeys),
            resources: shuffle(input.resources, resourceKeys),
          };
          expect(allocateCost(shuffled)).toEqual(allocateCost(input));
        },
      ),
      RUNS,
    );
  });

  it("FOCUS rows' BilledCost sums to the bill", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const input = inputOf(s);
        const a = allocateCost(input);
        const rows = toFocusRows(a, { startMs: 0, endMs: 3_600_000 });
        expect(rows.reduce((sum, r) => sum + BigInt(usdToMicro(r.BilledCost)), 0n)).toBe(
          BigInt(a.totalMicroUsd),
        );
      }),
      { numRuns: 200 },
    );
  });
});
