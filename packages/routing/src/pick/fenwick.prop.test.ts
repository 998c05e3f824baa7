import { createRandom } from '@headroom/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FenwickTree } from './fenwick.js';
import { IndexSet } from './index-set.js';
import { pickLeastLoaded, pickTwoChoices, pickWeightedScan } from './pickers.js';

const RUNS = { numRuns: 1000 };

const weightArb = fc.oneof(
  { weight: 3, arbitrary: fc.double({ min: 0, max: 1000, noNaN: true }) },
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, -1, Number.POSITIVE_INFINITY) },
);

const opArb = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), weight: weightArb }),
  fc.record({ kind: fc.constant('set' as const), index: fc.nat(), weight: weightArb }),
  fc.record({ kind: fc.constant('pop' as const) }),
);

function clean(w: number): number {
  return w > 0 && w < Infinity ? w : 0;
}

describe('FenwickTree properties', () => {
  it('matches a plain array under any push/set/pop sequence; find (and sample) agree with a linear scan and never land on a zero weight', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 8 }),
        (ops, u, rebuildEvery) => {
          const tree = new FenwickTree(1, rebuildEvery);
          const model: number[] = [];
          for (const op of ops) {
            if (op.kind === 'push') {
              tree.push(op.weight);
              model.push(clean(op.weight));
            } else if (op.kind === 'pop') {
              tree.pop();
              model.pop();
            } else if (model.length > 0) {
              const i = op.index % model.length;
              tree.set(i, op.weight);
              model[i] = clean(op.weight);
            }
          }
          expect(tree.size).toBe(model.length);
          const total = model.reduce((a, b) => a + b, 0);
          expect(tree.total()).toBeCloseTo(total, 6);
          const found = tree.find(u * tree.total());
          // sample() is find() at the target its two integer draws make (53 bits, like nextFloat).
          const high = Math.floor(u * 2 ** 26);
          const low = Math.floor((u * 2 ** 26 - high) * 2 ** 27);
          const draws = [high, low];
          const sampled = tree.sample({ nextFloat: () => u, nextInt: () => draws.shift() ?? 0 });
          const target = ((high * 2 ** 27 + low) / 2 ** 53) * tree.total();
          expect(sampled).toBe(tree.total() > 0 ? tree.find(target) : -1);
          expect(draws).toEqual(tree.total() > 0 ? [] : [high, low]); // no draw when the sum is 0
          if (total === 0) {
            expect(found).toBe(-1);
            return;
          }
          expect(model[found]).toBeGreaterThan(0);
          // Same cumulative-range rule as the linear scan (up to rounding at a boundary).
          const expected = pickWeightedScan(model, model.length, {
            nextFloat: () => u,
            nextInt: () => 0,
          });
          if (found !== expected) {
            let before = 0;
            for (let i = 0; i < Math.min(found, expected); i++) before += model[i] as number;
            let boundary = before;
            for (let i = Math.min(found, expected); i < Math.max(found, expected); i++)
              boundary += model[i] as number;
            expect(Math.abs(u * total - boundary)).toBeLessThan(1e-6 * Math.max(1, total));
          }
        },
      ),
      RUNS,
    );
  });

  it('an IndexSet behaves like a Set', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(200)), { maxLength: 100 }), (ops) => {
        const set = new IndexSet(1);
        const model = new Set<number>();
        for (const [add, v] of ops) {
          if (add) {
            set.add(v);
            model.add(v);
          } else {
            set.delete(v);
            model.delete(v);
          }
        }
        expect(set.size).toBe(model.size);
        const members = Array.from({ length: set.size }, (_, i) => set.at(i)).sort((a, b) => a - b);
        expect(members).toEqual([...model].sort((a, b) => a - b));
      }),
      RUNS,
    );
  });

  it('pickers return an index in range with a positive weight, or -1', () => {
    fc.assert(
      fc.property(fc.array(weightArb, { maxLength: 20 }), fc.integer(), (weights, seed) => {
        const random = createRandom(seed);
        const w = pickWeightedScan(weights, weights.length, random);
        if (weights.some((x) => clean(x) > 0))
          expect(clean(weights[w] as number)).toBeGreaterThan(0);
        else expect(w).toBe(-1);
        const p = pickTwoChoices(weights, weights.length, random);
        expect(p).toBeLessThan(weights.length);
        expect(p >= 0).toBe(weights.length > 0);
        const keys = weights.map((_, i) => (i * 7919) % 13);
        const l = pickLeastLoaded(weights, keys, weights.length);
        expect(l >= 0).toBe(weights.length > 0);
        for (let i = 0; i < weights.length; i++) {
          const li = Number.isNaN(weights[i]) ? Infinity : (weights[i] as number);
          const ll = Number.isNaN(weights[l]) ? Infinity : (weights[l] as number);
          expect(ll <= li).toBe(true);
        }
      }),
      RUNS,
    );
  });
});
