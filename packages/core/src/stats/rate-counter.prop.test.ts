import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RateCounter } from '@headroom/core';

describe('RateCounter', () => {
  it('counts exactly the events in the live sub-windows and divides by the time they cover', () => {
    const windowMs = 30_000;
    const slots = 30;
    const slotMs = windowMs / slots;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            atMs: fc.integer({ min: 0, max: 120_000 }),
            count: fc.integer({ min: 0, max: 20 }),
          }),
          { minLength: 1, maxLength: 300 },
        ),
        fc.integer({ min: 0, max: 40_000 }),
        (events, lag) => {
          const counter = new RateCounter({ windowMs, slots, startMs: 0 });
          let headKey = Number.NEGATIVE_INFINITY;
          const kept: { key: number; count: number }[] = [];
          for (const e of events) {
            const key = Math.floor(e.atMs / slotMs);
            const accepted = counter.add(e.count, e.atMs);
            expect(accepted).toBe(key > headKey - slots);
            if (accepted) {
              headKey = Math.max(headKey, key);
              kept.push({ key, count: e.count });
            }
          }
          const nowMs = Math.max(...events.map((e) => e.atMs)) + lag;
          const nowKey = Math.floor(nowMs / slotMs);
          const total = kept
            .filter((k) => k.key > nowKey - slots && k.key <= nowKey)
            .reduce((s, k) => s + k.count, 0);
          expect(counter.count(nowMs)).toBe(total);
          const from = Math.max((nowKey - slots + 1) * slotMs, 0);
          const expected = total === 0 ? 0 : (total * 1000) / Math.max(nowMs - from, slotMs);
          expect(counter.rate(nowMs)).toBeCloseTo(expected, 9);
        },
      ),
    );
  });

  it('measures a steady 50 requests/s', () => {
    const counter = new RateCounter({ windowMs: 60_000, slots: 60, startMs: 0 });
    for (let t = 0; t < 120_000; t += 20) counter.add(1, t);
    expect(counter.rate(120_000)).toBeCloseTo(50, 0);
    expect(counter.add(-1, 120_000)).toBe(false);
    expect(counter.add(1, Number.NaN)).toBe(false);
    expect(counter.rejectedCount).toBe(2);
  });

  it('does not overstate the rate before a whole window has passed', () => {
    const counter = new RateCounter({ windowMs: 60_000, slots: 60, startMs: 0 });
    for (let t = 0; t < 10_000; t += 100) counter.add(1, t);
    expect(counter.rate(10_000)).toBeCloseTo(10, 6);
  });
});

describe('RateCounter with late events', () => {
  it('takes the earliest event as the start, whatever the arrival order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50_000 }), { minLength: 1, maxLength: 50 }),
        (times) => {
          const inOrder = new RateCounter({ windowMs: 60_000, slots: 60 });
          const shuffled = new RateCounter({ windowMs: 60_000, slots: 60 });
          for (const t of [...times].sort((a, b) => a - b)) inOrder.add(1, t);
          for (const t of times) shuffled.add(1, t);
          const now = Math.max(...times);
          expect(shuffled.rate(now)).toBeCloseTo(inOrder.rate(now), 9);
        },
      ),
    );
  });

  it('does not overstate the rate when an early event arrives late', () => {
    const counter = new RateCounter({ windowMs: 60_000, slots: 60 });
    counter.add(1, 10_000);
    counter.add(1, 1_000);
    expect(counter.rate(10_000)).toBeCloseTo(2 / 9, 6);
  });
});
