import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { affinityScore, createPrefixAffinity } from './index.js';

const RUNS = { numRuns: 1000 };
const T0 = 1_700_000_000_000;

/** A reference LRU: a Map's insertion order is its recency order. */
class ReferenceIndex {
  readonly #entries = new Map<number, number>();
  constructor(readonly capacity: number) {}

  record(hashes: readonly number[], nowMs: number): void {
    for (let i = Math.min(hashes.length, this.capacity) - 1; i >= 0; i -= 1) {
      const h = hashes[i] ?? 0;
      this.#entries.delete(h);
      this.#entries.set(h, nowMs);
      if (this.#entries.size > this.capacity) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
    }
  }

  matched(hashes: readonly number[], nowMs: number, ttlMs: number): number {
    let m = 0;
    for (const h of hashes) {
      const seen = this.#entries.get(h);
      if (seen === undefined || nowMs - seen > ttlMs) break;
      m += 1;
    }
    return m;
  }

  get size(): number {
    return this.#entries.size;
  }
}

const hashesArb = fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 30 });

describe('prefix affinity properties', () => {
  it('keeps each endpoint within maxBlocksPerEndpoint whatever is recorded', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 3 }),
            fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 200 }),
          ),
          { maxLength: 30 },
        ),
        (capacity, records) => {
          const a = createPrefixAffinity({ maxBlocksPerEndpoint: capacity });
          let t = T0;
          for (const [endpoint, hashes] of records) {
            t += 10;
            a.record(`e${endpoint}`, hashes, t);
            expect(a.blockCount(`e${endpoint}`)).toBeLessThanOrEqual(capacity);
          }
          expect(a.size).toBeLessThanOrEqual(4);
        },
      ),
      RUNS,
    );
  });

  it('matches exactly what a reference LRU with TTL would, and never more than the request', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.array(fc.tuple(fc.boolean(), hashesArb, fc.integer({ min: 0, max: 3_000 })), {
          maxLength: 40,
        }),
        (capacity, ttlMs, ops) => {
          const a = createPrefixAffinity({ maxBlocksPerEndpoint: capacity, ttlMs });
          const ref = new ReferenceIndex(capacity);
          let t = T0;
          for (const [isRecord, hashes, gap] of ops) {
            t += gap;
            if (isRecord) {
              a.record('e', hashes, t);
              ref.record(hashes, t);
            } else {
              const m = a.matchedBlocks('e', hashes, t);
              expect(m).toBe(ref.matched(hashes, t, ttlMs));
              expect(m).toBeLessThanOrEqual(hashes.length);
            }
            expect(a.blockCount('e')).toBe(ref.size);
          }
        },
      ),
      RUNS,
    );
  });
});

describe('affinityScore properties', () => {
  const loadArb = fc.oneof(
    fc.double({ min: 0, max: 1_000, noNaN: true }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -5),
  );

  it('is finite, within [0, 2], and never prefers more load or a worse match among its rule', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 200, noNaN: false }),
        fc.integer({ min: 0, max: 100 }),
        loadArb,
        fc.double({ min: 0, max: 500, noNaN: true }),
        fc.double({ min: 0, max: 500, noNaN: true }),
        (matched, total, load, lo, spread) => {
          const ctx = { minLoad: lo, maxLoad: lo + spread };
          const s = affinityScore(matched, total, { load, ...ctx });
          expect(Number.isFinite(s)).toBe(true);
          expect(s).toBeGreaterThanOrEqual(0);
          expect(s).toBeLessThanOrEqual(2);
          if (Number.isFinite(load) && load >= 0) {
            // More load never scores higher with the same match.
            expect(affinityScore(matched, total, { load: load + 1, ...ctx })).toBeLessThanOrEqual(
              s,
            );
            // A longer match never scores lower with the same load.
            if (Number.isFinite(matched) && matched >= 0) {
              expect(affinityScore(matched + 1, total, { load, ...ctx })).toBeGreaterThanOrEqual(s);
            }
          }
        },
      ),
      RUNS,
    );
  });
});
