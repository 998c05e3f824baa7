import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addPeakSample, freshPeak, type PeakSample } from './peaks.js';

describe('addPeakSample / freshPeak (properties)', () => {
  it('the fresh peak of the pruned window equals the largest fresh value of all samples, and the window stays small', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            atMs: fc.integer({ min: 0, max: 1_000 }),
            value: fc.integer({ min: 0, max: 50 }),
            cutoffStepMs: fc.integer({ min: 0, max: 50 }),
          }),
          { maxLength: 60 },
        ),
        fc.integer({ min: 0, max: 200 }),
        (adds, readStepMs) => {
          let window: readonly PeakSample[] = [];
          let cutoffMs = 0;
          for (const { atMs, value, cutoffStepMs } of adds) {
            cutoffMs += cutoffStepMs; // time only moves forward
            window = addPeakSample(window, { atMs, value }, cutoffMs);
          }
          const readCutoffMs = cutoffMs + readStepMs;

          const fresh = adds.filter((a) => a.atMs >= readCutoffMs).map((a) => a.value);
          expect(freshPeak(window, readCutoffMs)).toBe(
            fresh.length === 0 ? undefined : Math.max(...fresh),
          );
          expect(window.length).toBeLessThanOrEqual(51); // one per distinct value at most
        },
      ),
    );
  });

  it('does not modify the window it is given', () => {
    const window: readonly PeakSample[] = Object.freeze([{ atMs: 1, value: 5 }]);
    const next = addPeakSample(window, { atMs: 2, value: 9 }, 0);
    expect(window).toEqual([{ atMs: 1, value: 5 }]);
    expect(next).toEqual([{ atMs: 2, value: 9 }]);
  });
});
