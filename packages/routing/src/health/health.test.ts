import { describe, expect, it } from 'vitest';
import { isHeadroomError } from '@headroom/core';
import {
  DEFAULT_FATAL_XIDS,
  createHealthTracker,
  gradeGpuSignals,
  healthWeight,
  parseHealthConfig,
} from './index.js';

const T0 = 1_700_000_000_000;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isHeadroomError(error) ? `${error.code} ${error.path.join('.')}` : 'not a HeadroomError';
  }
  return undefined;
}

describe('gradeGpuSignals', () => {
  const thresholds = { degradedTempC: 85, drainTempC: 92, fatalXids: DEFAULT_FATAL_XIDS };

  it('grades each signal', () => {
    expect(gradeGpuSignals({}, thresholds)).toEqual({ state: 'healthy', cause: 'none' });
    expect(gradeGpuSignals({ temperatureC: 70, throttled: false }, thresholds).state).toBe(
      'healthy',
    );
    expect(gradeGpuSignals({ temperatureC: 86 }, thresholds)).toEqual({
      state: 'degraded',
      cause: 'temperature',
    });
    expect(gradeGpuSignals({ throttled: true }, thresholds)).toEqual({
      state: 'degraded',
      cause: 'throttled',
    });
    expect(gradeGpuSignals({ temperatureC: 93 }, thresholds)).toEqual({
      state: 'draining',
      cause: 'temperature_drain',
    });
    expect(gradeGpuSignals({ xid: [13, 79] }, thresholds)).toEqual({
      state: 'ejected',
      cause: 'fatal_xid',
    });
    expect(gradeGpuSignals({ eccUncorrectable: 1 }, thresholds)).toEqual({
      state: 'ejected',
      cause: 'ecc_uncorrectable',
    });
    expect(gradeGpuSignals({ rowRemapFailure: true }, thresholds)).toEqual({
      state: 'ejected',
      cause: 'row_remap_failure',
    });
  });

  it('treats thresholds as strict and ignores non-finite numbers and benign XIDs', () => {
    expect(gradeGpuSignals({ temperatureC: 85 }, thresholds).state).toBe('healthy');
    expect(gradeGpuSignals({ temperatureC: 92 }, thresholds).state).toBe('degraded');
    expect(gradeGpuSignals({ temperatureC: Number.NaN }, thresholds).state).toBe('healthy');
    expect(gradeGpuSignals({ temperatureC: Infinity }, thresholds).state).toBe('healthy');
    expect(gradeGpuSignals({ eccUncorrectable: Number.NaN }, thresholds).state).toBe('healthy');
    expect(gradeGpuSignals({ eccUncorrectable: 0 }, thresholds).state).toBe('healthy');
    expect(gradeGpuSignals({ xid: [13, 31, 43] }, thresholds).state).toBe('healthy');
  });

  it('lowers thresholds by the hysteresis margin', () => {
    expect(gradeGpuSignals({ temperatureC: 82 }, thresholds, 5).state).toBe('degraded');
    expect(gradeGpuSignals({ temperatureC: 80 }, thresholds, 5).state).toBe('healthy');
    expect(gradeGpuSignals({ temperatureC: 88 }, thresholds, 5).state).toBe('draining');
  });

  it('covers the documented fatal XIDs', () => {
    for (const xid of [48, 79, 94, 95, 119, 120]) {
      expect(gradeGpuSignals({ xid: [xid] }, thresholds).state).toBe('ejected');
    }
  });
});

describe('health config', () => {
  it('fills defaults and rejects bad values naming the field', () => {
    const c = parseHealthConfig();
    expect(c.degradedTempC).toBe(85);
    expect(c.consecutive5xx).toBe(5);
    expect(c.successRateStdevFactor).toBe(1.9);
    expect(c.maxEjectionPercent).toBe(10);
    expect(codeOf(() => createHealthTracker({ degradedTempC: 90, drainTempC: 80 }))).toBe(
      'invalid_config drainTempC',
    );
    expect(codeOf(() => createHealthTracker({ recoveryMs: -1 }))).toBe('invalid_config recoveryMs');
    expect(codeOf(() => createHealthTracker({ maxEjectionPercent: Number.NaN }))).toBe(
      'invalid_config maxEjectionPercent',
    );
    expect(
      codeOf(() => createHealthTracker({ baseEjectionTimeMs: 10_000, maxEjectionTimeMs: 5_000 })),
    ).toBe('invalid_config maxEjectionTimeMs');
    expect(codeOf(() => createHealthTracker({ consecutive5xxx: 3 } as never))).toMatch(
      /^invalid_config/,
    );
  });

  it('weights states', () => {
    expect(healthWeight('healthy')).toBe(1);
    expect(healthWeight('degraded')).toBe(0.5);
    expect(healthWeight('degraded', { degradedWeight: 0.25 })).toBe(0.25);
    expect(healthWeight('draining')).toBe(0);
    expect(healthWeight('ejected')).toBe(0);
  });
});

describe('HealthTracker: GPU signals', () => {
  it('is healthy for an unknown endpoint and does not add it', () => {
    const h = createHealthTracker();
    expect(h.state('x', T0)).toBe('healthy');
    expect(h.size).toBe(0);
    expect(h.details('x', T0)).toBeUndefined();
  });

  it('degrades on heat and recovers only after recoveryMs clean, below threshold - hysteresis', () => {
    const h = createHealthTracker({ recoveryMs: 10_000, hysteresisC: 5 });
    expect(h.observeGpu('a', { temperatureC: 88 }, T0)).toBe('degraded');
    // 83 °C is below 85 but inside the hysteresis band: no progress.
    expect(h.observeGpu('a', { temperatureC: 83 }, T0 + 1_000)).toBe('degraded');
    expect(h.observeGpu('a', { temperatureC: 83 }, T0 + 20_000)).toBe('degraded');
    expect(h.details('a', T0 + 20_000)?.gpuCleanSinceMs).toBeNull();
    expect(h.observeGpu('a', { temperatureC: 78 }, T0 + 21_000)).toBe('degraded');
    expect(h.observeGpu('a', { temperatureC: 77 }, T0 + 30_999)).toBe('degraded');
    expect(h.observeGpu('a', { temperatureC: 77 }, T0 + 31_000)).toBe('healthy');
    expect(h.transitions('a')).toBe(2);
    expect(h.events('a').map((e) => [e.to, e.cause])).toEqual([
      ['degraded', 'temperature'],
      ['healthy', 'gpu_recovered'],
    ]);
  });

  it('recovers on time alone when the last reading was clean (sample and hold)', () => {
    const h = createHealthTracker({ recoveryMs: 10_000 });
    h.observeGpu('a', { throttled: true }, T0);
    h.observeGpu('a', { throttled: false }, T0 + 1_000);
    expect(h.state('a', T0 + 10_999)).toBe('degraded');
    expect(h.state('a', T0 + 11_000)).toBe('healthy');
  });

  it('drains above drainTempC and steps down to the worst grade of the clean run', () => {
    const h = createHealthTracker({ recoveryMs: 5_000 });
    expect(h.observeGpu('a', { temperatureC: 95 }, T0)).toBe('draining');
    expect(h.weight('a', T0)).toBe(0);
    h.observeGpu('a', { temperatureC: 84 }, T0 + 1_000); // clean of drain, still degraded-ish band
    expect(h.observeGpu('a', { temperatureC: 84 }, T0 + 6_000)).toBe('degraded');
    expect(h.weight('a', T0 + 6_000)).toBe(0.5);
    h.observeGpu('a', { temperatureC: 60 }, T0 + 7_000);
    expect(h.observeGpu('a', { temperatureC: 60 }, T0 + 12_000)).toBe('healthy');
  });

  it('ejects on fatal XID, uncorrectable ECC and row-remap failure', () => {
    const h = createHealthTracker();
    expect(h.observeGpu('xid', { xid: [79] }, T0)).toBe('ejected');
    expect(h.observeGpu('ecc', { eccUncorrectable: 2 }, T0)).toBe('ejected');
    expect(h.observeGpu('rr', { rowRemapFailure: true }, T0)).toBe('ejected');
    expect(h.details('xid', T0)?.gpuCause).toBe('fatal_xid');
    expect(h.details('ecc', T0)?.gpuCause).toBe('ecc_uncorrectable');
    expect(h.details('rr', T0)?.gpuCause).toBe('row_remap_failure');
    // GPU ejections are not outlier ejections: they do not use the cap.
    expect(h.outlierEjectedCount(T0)).toBe(0);
  });

  it('honours a custom fatal XID list', () => {
    const h = createHealthTracker({ fatalXids: [13] });
    expect(h.observeGpu('a', { xid: [79] }, T0)).toBe('healthy');
    expect(h.observeGpu('a', { xid: [13] }, T0)).toBe('ejected');
  });

  it('worsens at once from any grade', () => {
    const h = createHealthTracker();
    h.observeGpu('a', { temperatureC: 86 }, T0);
    expect(h.observeGpu('a', { xid: [48] }, T0 + 1)).toBe('ejected');
  });

  it('never goes back in time: old and non-finite nowMs are clamped to the latest time', () => {
    const h = createHealthTracker({ recoveryMs: 1_000 });
    h.observeGpu('a', { throttled: true }, T0 + 5_000);
    h.observeGpu('a', {}, T0); // counts as T0 + 5_000
    expect(h.state('a', Number.NaN)).toBe('degraded');
    expect(h.state('a', T0 + 6_000)).toBe('healthy');
  });
});

describe('HealthTracker: drain', () => {
  it('drains and undrains at once, keeping the worse GPU state', () => {
    const h = createHealthTracker();
    expect(h.setDraining('a', true, T0)).toBe('draining');
    expect(h.setDraining('a', false, T0 + 1)).toBe('healthy');
    h.observeGpu('a', { xid: [95] }, T0 + 2);
    expect(h.setDraining('a', true, T0 + 3)).toBe('ejected');
    expect(h.events('a').map((e) => e.cause)).toEqual(['drain_set', 'drain_cleared', 'fatal_xid']);
  });
});

describe('HealthTracker: outlier detection', () => {
  function fleet(n: number, config = {}) {
    const h = createHealthTracker(config);
    for (let i = 0; i < n; i += 1) h.add(`e${i}`);
    return h;
  }

  it('ejects after consecutive5xx failures in a row; a success resets the count', () => {
    const h = fleet(10, { consecutive5xx: 3 });
    h.recordOutcome('e0', false, T0);
    h.recordOutcome('e0', false, T0);
    h.recordOutcome('e0', true, T0);
    h.recordOutcome('e0', false, T0);
    expect(h.recordOutcome('e0', false, T0)).toBe('healthy');
    expect(h.recordOutcome('e0', false, T0)).toBe('ejected');
    expect(h.details('e0', T0)).toMatchObject({
      outlierEjected: true,
      ejectionReason: 'consecutive_failures',
      ejectedUntilMs: T0 + 30_000,
      ejectionCount: 1,
    });
  });

  it('returns an ejected endpoint after base × n, growing per ejection and capped', () => {
    const h = fleet(10, { consecutive5xx: 1, baseEjectionTimeMs: 1_000, maxEjectionTimeMs: 2_500 });
    const durations: number[] = [];
    let t = T0;
    for (let k = 0; k < 4; k += 1) {
      h.recordOutcome('e0', false, t);
      const until = h.details('e0', t)?.ejectedUntilMs ?? Number.NaN;
      durations.push(until - t);
      expect(h.state('e0', until - 1)).toBe('ejected');
      expect(h.state('e0', until)).toBe('healthy');
      t = until;
    }
    expect(durations).toEqual([1_000, 2_000, 2_500, 2_500]);
    expect(h.events('e0').at(-1)?.cause).toBe('ejection_expired');
  });

  it('shrinks the multiplier by one per sweep while not ejected', () => {
    const h = fleet(10, { consecutive5xx: 1, baseEjectionTimeMs: 1_000 });
    h.recordOutcome('e0', false, T0);
    h.recordOutcome('e0', false, T0 + 1_000); // second ejection: 2 s
    expect(h.details('e0', T0 + 1_000)?.ejectedUntilMs).toBe(T0 + 3_000);
    h.evaluate(T0 + 3_000); // returns, 2 -> 1
    h.evaluate(T0 + 4_000); // 1 -> 0
    expect(h.details('e0', T0 + 4_000)?.ejectionMultiplier).toBe(0);
    h.recordOutcome('e0', false, T0 + 5_000);
    expect(h.details('e0', T0 + 5_000)?.ejectedUntilMs).toBe(T0 + 6_000);
  });

  it('never holds more than max(1, floor(n × pct / 100)) ejected; one is always allowed', () => {
    const h = fleet(5, { consecutive5xx: 1, maxEjectionPercent: 10 });
    expect(h.maxOutlierEjections()).toBe(1);
    h.recordOutcome('e0', false, T0);
    expect(h.recordOutcome('e1', false, T0)).toBe('healthy');
    expect(h.outlierEjectedCount(T0)).toBe(1);
    // Once e0 returns, e1's next failure ejects it (the refused ejection is retried).
    expect(h.recordOutcome('e1', false, T0 + 30_000)).toBe('ejected');
    const big = fleet(30, { consecutive5xx: 1, maxEjectionPercent: 10 });
    expect(big.maxOutlierEjections()).toBe(3);
    for (let i = 0; i < 30; i += 1) big.recordOutcome(`e${i}`, false, T0);
    expect(big.outlierEjectedCount(T0)).toBe(3);
  });

  it('frees a slot when an ejected endpoint is removed', () => {
    const h = fleet(5, { consecutive5xx: 1 });
    h.recordOutcome('e0', false, T0);
    h.remove('e0');
    expect(h.outlierEjectedCount(T0)).toBe(0);
    expect(h.recordOutcome('e1', false, T0)).toBe('ejected');
  });

  it('ejects success-rate outliers at the sweep, worst first, and resets the interval', () => {
    const h = fleet(20, { maxEjectionPercent: 20, consecutive5xx: 0 });
    for (let i = 0; i < 20; i += 1) {
      const failures = i === 3 ? 60 : i === 7 ? 50 : 2;
      for (let k = 0; k < 100; k += 1) h.recordOutcome(`e${i}`, k >= failures, T0);
    }
    const report = h.evaluate(T0 + 10_000);
    expect(report.successRateRan).toBe(true);
    expect(report.candidates).toHaveLength(20);
    expect(report.thresholdSuccessRate).toBeLessThan(report.meanSuccessRate ?? 0);
    expect(report.ejected).toEqual(['e3', 'e7']);
    expect(h.state('e3', T0 + 10_000)).toBe('ejected');
    expect(h.details('e3', T0 + 10_000)?.ejectionReason).toBe('success_rate');
    expect(h.details('e0', T0 + 10_000)?.intervalFailures).toBe(0);
    // The next sweep has no volume: it does not run.
    expect(h.evaluate(T0 + 20_000).successRateRan).toBe(false);
  });

  it('reports refused outliers when the cap binds', () => {
    const h = fleet(20, { consecutive5xx: 0, maxEjectionPercent: 5 });
    for (let i = 0; i < 20; i += 1) {
      const failures = i === 3 ? 60 : i === 7 ? 50 : 2;
      for (let k = 0; k < 100; k += 1) h.recordOutcome(`e${i}`, k >= failures, T0);
    }
    const report = h.evaluate(T0);
    expect(report.ejected).toEqual(['e3']);
    expect(report.refused).toEqual(['e7']);
  });

  it('needs successRateMinimumHosts endpoints with successRateRequestVolume outcomes', () => {
    const h = fleet(10, { successRateMinimumHosts: 5, successRateRequestVolume: 10 });
    for (let i = 0; i < 4; i += 1) {
      for (let k = 0; k < 10; k += 1) h.recordOutcome(`e${i}`, i !== 0 || k % 2 === 0, T0);
    }
    const report = h.evaluate(T0);
    expect(report.successRateRan).toBe(false);
    expect(report.candidates).toHaveLength(4);
    expect(report.ejected).toEqual([]);
  });

  it('does not run success-rate ejection when disabled', () => {
    const h = fleet(10, { successRateEnabled: false, successRateRequestVolume: 1 });
    for (let i = 0; i < 10; i += 1) h.recordOutcome(`e${i}`, i !== 0, T0);
    expect(h.evaluate(T0).successRateRan).toBe(false);
  });

  it('reports endpoints that returned during the sweep', () => {
    const h = fleet(10, { consecutive5xx: 1, baseEjectionTimeMs: 1_000 });
    h.recordOutcome('e1', false, T0);
    expect(h.evaluate(T0 + 1_000).returned).toEqual(['e1']);
  });
});
