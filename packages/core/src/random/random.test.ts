import { describe, expect, it } from 'vitest';
import { SeededRandom, createRandom, hashString32, isHeadroomError } from '@headroom/core';

describe('SeededRandom (xoshiro128**)', () => {
  it('matches the reference implementation from state [1, 2, 3, 4]', () => {
    // Vectors from the authors' reference C code (xoshiro128starstar.c) run with s = {1, 2, 3, 4}.
    const random = SeededRandom.fromState([1, 2, 3, 4]);
    const outputs = Array.from({ length: 6 }, () => random.nextUint32());
    expect(outputs).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('split() jumps 2^64 draws ahead exactly like the reference jump()', () => {
    const random = SeededRandom.fromState([1, 2, 3, 4]);
    for (let i = 0; i < 6; i++) random.nextUint32();
    const child = random.split();
    expect(random.getState()).toEqual([3484745028, 1171080849, 4139821887, 2899474097]);
    expect([random.nextUint32(), random.nextUint32(), random.nextUint32()]).toEqual([
      2327035934, 1140626159, 913312880,
    ]);
    // The child continues the original stream where the parent left it.
    const reference = SeededRandom.fromState([1, 2, 3, 4]);
    for (let i = 0; i < 6; i++) reference.nextUint32();
    expect(child.nextUint32()).toBe(reference.nextUint32());
  });

  it('gives the same sequence for the same seed, different ones for different seeds', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const seqA = Array.from({ length: 8 }, () => a.nextFloat());
    expect(Array.from({ length: 8 }, () => b.nextFloat())).toEqual(seqA);
    expect(Array.from({ length: 8 }, () => c.nextFloat())).not.toEqual(seqA);
    expect(createRandom('tenant-a').nextUint32()).toBe(createRandom('tenant-a').nextUint32());
    expect(createRandom(2 ** 40).nextUint32()).not.toBe(createRandom(0).nextUint32());
  });

  it('is roughly uniform (chi-square over 10 cells, fixed seed)', () => {
    const random = createRandom(2026);
    const cells = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) cells[random.nextInt(10)]! += 1;
    const expected = n / 10;
    const chi2 = cells.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.88); // p = 0.001 critical value for 9 degrees of freedom
  });

  it('rejects bad seeds, bounds and states with typed errors', () => {
    const expectCode = (fn: () => unknown): void => {
      try {
        fn();
        expect.unreachable();
      } catch (error) {
        expect(isHeadroomError(error, 'invalid_argument')).toBe(true);
      }
    };
    expectCode(() => createRandom(Number.NaN));
    expectCode(() => createRandom(1.5));
    expectCode(() => createRandom(1).nextInt(0));
    expectCode(() => createRandom(1).nextInt(2 ** 32 + 1));
    expectCode(() => createRandom(1).nextIntBetween(5, 4));
    expectCode(() => SeededRandom.fromState([0, 0, 0, 0]));
    expectCode(() => SeededRandom.fromState([1, 2, 3, -1]));
  });

  it('hashString32 is stable across runs', () => {
    expect(hashString32('stream-1')).toBe(hashString32('stream-1'));
    expect(hashString32('stream-1')).not.toBe(hashString32('stream-2'));
    expect(hashString32('stream-1', 7)).not.toBe(hashString32('stream-1'));
  });
});
