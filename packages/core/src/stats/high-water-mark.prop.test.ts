import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HighWaterMarkGauge } from '@headroom/core';

describe('HighWaterMarkGauge', () => {
  it('reads 500 for a 200 ms burst of 500 streams inside a 60 s interval, where a point sample reads 0', () => {
    const streams = new HighWaterMarkGauge(0, 0);
    const opened = 20_000;
    for (let i = 0; i < 500; i++) streams.add(+1, opened + i * 0.2); // 500 streams open within 100 ms
    for (let i = 0; i < 500; i++) streams.add(-1, opened + 100 + i * 0.2); // and all close by 200 ms
    const pointSample = streams.current; // what a scrape at t = 60 s would see
    const reading = streams.collect(60_000);
    expect(pointSample).toBe(0);
    expect(reading).toEqual({ peak: 500, trough: 0, current: 0, fromMs: 0, toMs: 60_000 });
    // The next interval starts from the current value, not the old peak.
    expect(streams.collect(120_000)).toEqual({
      peak: 0,
      trough: 0,
      current: 0,
      fromMs: 60_000,
      toMs: 120_000,
    });
  });

  it('reads the burst peak for any burst size, timing and interval, where the end-of-interval sample misses it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1_000, max: 120_000 }),
        fc.double({ min: 0, max: 0.9, noNaN: true }),
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 0, max: 50 }),
        (streams, intervalMs, startFraction, burstMs, baseline) => {
          const gauge = new HighWaterMarkGauge(baseline, 0);
          const start = Math.floor(intervalMs * startFraction);
          for (let i = 0; i < streams; i++) gauge.add(+1, start + (i * burstMs) / (2 * streams));
          for (let i = 0; i < streams; i++)
            gauge.add(-1, start + burstMs / 2 + (i * burstMs) / (2 * streams));
          const pointSample = gauge.current;
          const reading = gauge.collect(intervalMs);
          expect(pointSample).toBe(baseline);
          expect(reading.peak).toBe(baseline + streams);
          expect(gauge.collect(2 * intervalMs).peak).toBe(baseline);
        },
      ),
    );
  });

  it('rejects a non-finite start, and never reports a non-finite interval end', () => {
    expect(() => new HighWaterMarkGauge(Number.NaN)).toThrow(/invalid_argument at initial/);
    const gauge = new HighWaterMarkGauge(0, 1_000);
    expect(gauge.collect(Number.NaN).toMs).toBe(1_000);
    expect(gauge.collect(500).toMs).toBe(1_000);
  });

  it('rejects non-finite updates and keeps its value', () => {
    const gauge = new HighWaterMarkGauge(3);
    expect(gauge.add(Number.NaN)).toBe(false);
    expect(gauge.set(Number.POSITIVE_INFINITY)).toBe(false);
    expect(gauge.current).toBe(3);
    expect(gauge.rejectedCount).toBe(2);
  });

  it('reports, per interval, exactly the max and min the value took (model-based)', () => {
    type Op = { kind: 'add'; delta: number } | { kind: 'set'; value: number } | { kind: 'collect' };
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), delta: fc.integer({ min: -50, max: 50 }) }),
      fc.record({ kind: fc.constant('set' as const), value: fc.integer({ min: 0, max: 1000 }) }),
      fc.record({ kind: fc.constant('collect' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops: Op[]) => {
        const gauge = new HighWaterMarkGauge(0, 0);
        let current = 0;
        let seen = [0];
        let t = 0;
        for (const o of ops) {
          t += 1_000;
          if (o.kind === 'add') {
            gauge.add(o.delta, t);
            current += o.delta;
            seen.push(current);
          } else if (o.kind === 'set') {
            gauge.set(o.value, t);
            current = o.value;
            seen.push(current);
          } else {
            const reading = gauge.collect(t);
            expect(reading.peak).toBe(Math.max(...seen));
            expect(reading.trough).toBe(Math.min(...seen));
            expect(reading.current).toBe(current);
            seen = [current];
          }
        }
      }),
    );
  });
});
