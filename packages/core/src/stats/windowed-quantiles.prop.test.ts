import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WindowedQuantiles } from '@headroom/core';

describe('WindowedQuantiles properties', () => {
  it('matches exact quantiles of the values inside the window, within the relative bound', () => {
    const windowMs = 60_000;
    const slots = 6;
    const slotMs = windowMs / slots;
    const event = fc.record({
      atMs: fc.integer({ min: 0, max: 300_000 }),
      value: fc.double({ min: 0.1, max: 60_000, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 0, max: 30_000 }),
        fc.constantFrom(0.5, 0.95, 0.99),
        (events, lagMs, q) => {
          const window = new WindowedQuantiles({ windowMs, slots, relativeAccuracy: 0.01 });
          // Model: an event is kept unless it is older than the window behind the newest one seen.
          let headKey = Number.NEGATIVE_INFINITY;
          const kept: { key: number; value: number }[] = [];
          for (const e of events) {
            const key = Math.floor(e.atMs / slotMs);
            const accepted = window.record(e.value, e.atMs);
            expect(accepted).toBe(key > headKey - slots);
            if (accepted) {
              headKey = Math.max(headKey, key);
              kept.push({ key, value: e.value });
            }
          }
          const nowMs = Math.max(...events.map((e) => e.atMs)) + lagMs;
          const nowKey = Math.floor(nowMs / slotMs);
          const inWindow = kept
            .filter((k) => k.key > nowKey - slots && k.key <= nowKey)
            .map((k) => k.value)
            .sort((a, b) => a - b);
          expect(window.count(nowMs)).toBe(inWindow.length);
          const estimate = window.quantile(q, nowMs);
          if (inWindow.length === 0) {
            expect(estimate).toBeUndefined();
          } else {
            const exact = inWindow[Math.floor(q * (inWindow.length - 1))] as number;
            expect(Math.abs((estimate as number) - exact)).toBeLessThanOrEqual(
              0.01 * exact * (1 + 1e-12),
            );
          }
          // The window covers between windowMs − slotMs and windowMs of history.
          const covered = nowMs - (nowKey - slots + 1) * slotMs;
          expect(covered).toBeGreaterThanOrEqual(windowMs - slotMs);
          expect(covered).toBeLessThanOrEqual(windowMs);
        },
      ),
    );
  });
});

describe('WindowedQuantiles', () => {
  it('slides: old latencies leave the window', () => {
    const window = new WindowedQuantiles({ windowMs: 60_000, slots: 6 });
    for (let i = 0; i < 100; i++) window.record(2_000, i * 100); // a slow minute start
    for (let i = 0; i < 100; i++) window.record(100, 70_000 + i * 100);
    expect(window.quantile(0.99, 10_000)).toBeCloseTo(2_000, -2);
    expect(window.quantile(0.99, 80_000)).toBeCloseTo(100, -1);
    expect(window.quantiles([0.5, 0.99], 200_000)).toEqual([undefined, undefined]);
  });

  it('rejects bad values and too-old events without losing the window', () => {
    const window = new WindowedQuantiles({ windowMs: 10_000, slots: 10 });
    expect(window.record(5, 100_000)).toBe(true);
    expect(window.record(Number.NaN, 100_000)).toBe(false);
    expect(window.record(-1, 100_000)).toBe(false);
    expect(window.record(5, Number.POSITIVE_INFINITY)).toBe(false);
    expect(window.record(5, 50_000)).toBe(false);
    expect(window.rejectedCount).toBe(4);
    expect(window.count(100_000)).toBe(1);
  });
});
