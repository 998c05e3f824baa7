import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { windowedTrace } from '../../test/support/traces.js';
import type { Trace } from '../traces/types.js';
import { oracleSchedule, oracleWindows, type OracleWindow } from './index.js';

function windowed(counts: readonly number[], windowMs: number): Trace {
  return windowedTrace(counts, windowMs, { promptTokens: 100, outputTokens: 10 });
}

/** Misses of a window: each replica serves 10 requests, the rest miss. */
const tenEach = (w: OracleWindow, n: number): number => Math.max(0, w.requests.length - 10 * n);

describe('oracleWindows', () => {
  it('cuts the trace into windows with their rate and mean tokens', () => {
    const windows = oracleWindows(windowed([30, 0, 60], 30_000), 30_000);
    expect(windows.map((w) => w.requests.length)).toEqual([30, 0, 60]);
    expect(windows.map((w) => w.ratePerSec)).toEqual([1, 0, 2]);
    expect(windows[0]).toMatchObject({ startMs: 0, durationMs: 30_000, meanPromptTokens: 100 });
  });
});

describe('oracleSchedule with a capacity model', () => {
  it('gives each window ceil(rate / capacity) and orders it one lead time ahead', () => {
    // Rates 1, 1, 4, 1 req/s over 30 s windows; capacity 1 req/s; lead 10 s.
    const trace = windowed([30, 30, 120, 30], 30_000);
    const result = oracleSchedule(trace, {
      need: { kind: 'capacity', capacityPerReplicaRps: 1 },
      coldStartLeadMs: 10_000,
      minReplicas: 1,
      keepThroughDipMs: 0,
    });
    expect(result.windows.map((w) => w.needed)).toEqual([1, 1, 4, 1]);
    // The 4 are ordered 10 s before the third window starts, and released when it ends.
    expect(result.schedule.points).toEqual([
      { atMs: 0, replicas: 1 },
      { atMs: 50_000, replicas: 4 },
      { atMs: 90_000, replicas: 1 },
    ]);
    // 1 × 50 s + 4 × 40 s + 1 × 30 s = 240 replica-seconds.
    expect(result.replicaHours).toBeCloseTo(240 / 3_600, 12);
    expect(result.neededReplicaHours).toBeCloseTo((30 + 30 + 120 + 30) / 3_600, 12);
  });

  it('keeps replicas through a dip no longer than the lead time', () => {
    const trace = windowed([90, 30, 90, 30, 30, 90], 30_000);
    const kept = oracleSchedule(trace, {
      need: { kind: 'capacity', capacityPerReplicaRps: 1 },
      coldStartLeadMs: 30_000,
    });
    // The one-window dip (30 s <= 30 s) is filled; the two-window dip is not.
    expect(kept.windows.map((w) => w.ready)).toEqual([3, 3, 3, 1, 1, 3]);
  });

  it('accepts a capacity per window (the service model at the window’s mean tokens)', () => {
    const trace = windowed([60, 60], 30_000);
    const result = oracleSchedule(trace, {
      need: { kind: 'capacity', capacityPerReplicaRps: (w) => (w.index === 0 ? 2 : 0.5) },
      coldStartLeadMs: 0,
    });
    expect(result.windows.map((w) => w.needed)).toEqual([1, 4]);
  });

  it('rejects a capacity that is not a finite number > 0, naming the window', () => {
    let error: unknown;
    try {
      oracleSchedule(windowed([10], 30_000), {
        need: { kind: 'capacity', capacityPerReplicaRps: Number.NaN },
        coldStartLeadMs: 0,
      });
    } catch (e) {
      error = e;
    }
    expect(isHeadroomError(error, 'invalid_argument')).toBe(true);
    expect(String((error as Error).message)).toContain('window 0');
  });

  it('rejects bad options with invalid_config', () => {
    expect(() =>
      oracleSchedule(windowed([10], 30_000), {
        need: { kind: 'capacity', capacityPerReplicaRps: 1 },
        coldStartLeadMs: -1,
      }),
    ).toThrow(/coldStartLeadMs/);
  });
});

describe('oracleSchedule with a per-window miss evaluation', () => {
  it('finds the fewest replicas with no avoidable miss at a target attainment of 1', () => {
    const trace = windowed([25, 40, 5], 30_000);
    const result = oracleSchedule(trace, {
      need: { kind: 'misses', missesWith: tenEach },
      coldStartLeadMs: 0,
      targetAttainment: 1,
      minReplicas: 1,
    });
    expect(result.windows.map((w) => w.needed)).toEqual([3, 4, 1]);
    expect(result.predictedMisses).toBe(0);
  });

  it('spends the miss budget where a replica saves the most', () => {
    // 100 requests; 10% may miss. Window A has 21 (3 replicas; 2 would miss 1), window B 79
    // (8 replicas; 7 would miss 9). Best: take one from each (1 + 9 = 10 misses), saving 2.
    const trace = windowed([21, 79], 30_000);
    const result = oracleSchedule(trace, {
      need: { kind: 'misses', missesWith: tenEach },
      coldStartLeadMs: 0,
      targetAttainment: 0.9,
      minReplicas: 1,
    });
    expect(result.missBudget).toBe(10);
    expect(result.windows.map((w) => w.needed)).toEqual([2, 7]);
    expect(result.predictedMisses).toBe(10);
  });

  it('counts misses no replica count can avoid against nothing and leaves them', () => {
    // A window whose requests always miss one (a prompt too long for the SLO, say).
    const oneAlwaysMisses = (w: OracleWindow, n: number): number =>
      w.requests.length === 0 ? 0 : 1 + Math.max(0, w.requests.length - 1 - 10 * n);
    const result = oracleSchedule(windowed([11], 30_000), {
      need: { kind: 'misses', missesWith: oneAlwaysMisses },
      coldStartLeadMs: 0,
      targetAttainment: 1,
      maxReplicas: 50,
    });
    expect(result.unavoidableMisses).toBe(1);
    expect(result.windows[0]?.needed).toBe(1);
  });

  it('rejects an evaluator that returns a bad count, naming the window and count', () => {
    expect(() =>
      oracleSchedule(windowed([10], 30_000), {
        need: { kind: 'misses', missesWith: () => Number.NaN },
        coldStartLeadMs: 0,
      }),
    ).toThrow(/window 0/);
  });
});
