import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom, createRandom } from '@headroom/core';

const seed = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.string());

describe('SeededRandom properties', () => {
  it('reproduces the same sequence from the same seed', () => {
    fc.assert(
      fc.property(seed, fc.integer({ min: 1, max: 200 }), (s, n) => {
        const a = createRandom(s);
        const b = createRandom(s);
        for (let i = 0; i < n; i++) expect(a.nextFloat()).toBe(b.nextFloat());
      }),
    );
  });

  it('resumes exactly from clone() and from getState()/fromState()', () => {
    fc.assert(
      fc.property(
        seed,
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 100 }),
        (s, skip, n) => {
          const a = createRandom(s);
          for (let i = 0; i < skip; i++) a.nextUint32();
          const b = a.clone();
          const c = SeededRandom.fromState(
            JSON.parse(JSON.stringify(a)) as [number, number, number, number],
          );
          for (let i = 0; i < n; i++) {
            const x = a.nextUint32();
            expect(b.nextUint32()).toBe(x);
            expect(c.nextUint32()).toBe(x);
          }
        },
      ),
    );
  });

  it('keeps nextFloat in [0, 1) and nextInt/nextIntBetween in range', () => {
    fc.assert(
      fc.property(
        seed,
        fc.integer({ min: 1, max: 2 ** 32 }),
        fc.integer({ min: -1000, max: 1000 }),
        fc.nat(1000),
        (s, bound, lo, width) => {
          const random = createRandom(s);
          for (let i = 0; i < 50; i++) {
            const f = random.nextFloat();
            expect(f >= 0 && f < 1).toBe(true);
            const k = random.nextInt(bound);
            expect(Number.isInteger(k) && k >= 0 && k < bound).toBe(true);
            const m = random.nextIntBetween(lo, lo + width);
            expect(m >= lo && m <= lo + width).toBe(true);
          }
        },
      ),
    );
  });

  it('split streams differ from each other and are reproducible', () => {
    fc.assert(
      fc.property(seed, (s) => {
        const parent = createRandom(s);
        const child = parent.split();
        const again = createRandom(s).split();
        const childSeq = Array.from({ length: 4 }, () => child.nextUint32());
        expect(Array.from({ length: 4 }, () => again.nextUint32())).toEqual(childSeq);
        expect(Array.from({ length: 4 }, () => parent.nextUint32())).not.toEqual(childSeq);
      }),
    );
  });
});
