import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import {
  edgeVsCentralBreakEven,
  serverlessVsAlwaysOnBreakEven,
  warmPoolBreakEven,
} from '../index.js';

function thrown(fn: () => unknown): { code: string; path: readonly (string | number)[] } {
  try {
    fn();
  } catch (error) {
    if (isHeadroomError(error)) return { code: error.code, path: error.path };
    return { code: 'not a HeadroomError', path: [] };
  }
  return { code: 'no error', path: [] };
}

describe('edgeVsCentralBreakEven', () => {
  const base = {
    requestsPerSecond: 40,
    requestsPerSecondPerGpu: 10,
    edgeSites: 6,
    centralUsdPerGpuHour: 1,
    edgeUsdPerGpuHour: 1.4,
    latencySavedMs: 60,
  };

  it('prices each request-second of latency the edge saves', () => {
    const r = edgeVsCentralBreakEven(base);
    expect(r.centralGpus).toBe(4);
    expect(r.edgeGpus).toBe(6); // 6.7 req/s per site: one GPU each, mostly idle
    expect(r.addedUsdPerHour).toBeCloseTo(8.4 - 4, 12);
    expect(r.latencySecondsSavedPerHour).toBeCloseTo(40 * 3600 * 0.06, 9);
    expect(r.breakEvenUsdPerRequestSecond).toBeCloseTo(4.4 / 8640, 12);
    expect(r.addedUsdPerMillionRequests).toBeCloseTo((4.4 / 144_000) * 1e6, 9);
    expect(r.verdict).toBe('needs_value');
    expect(r.explanation).toContain('6 GPU(s) over 6 site(s)');
  });

  it('decides with a value per request-second, and when the edge costs nothing more', () => {
    expect(edgeVsCentralBreakEven({ ...base, valueUsdPerRequestSecondSaved: 0.001 }).verdict).toBe(
      'edge',
    );
    expect(edgeVsCentralBreakEven({ ...base, valueUsdPerRequestSecondSaved: 0.0001 }).verdict).toBe(
      'central',
    );
    const cheap = edgeVsCentralBreakEven({ ...base, edgeSites: 2, edgeUsdPerGpuHour: 1 });
    expect(cheap.addedUsdPerHour).toBe(0);
    expect(cheap.verdict).toBe('edge');
    const none = edgeVsCentralBreakEven({
      ...base,
      latencySavedMs: 0,
      valueUsdPerRequestSecondSaved: 1,
    });
    expect(none.breakEvenUsdPerRequestSecond).toBeNull();
    expect(none.verdict).toBe('central');
  });

  it('splits load by the given shares', () => {
    const r = edgeVsCentralBreakEven({
      ...base,
      edgeSites: 2,
      edgeLoadShares: [0.75, 0.25],
      minGpusPerEdgeSite: 2,
    });
    expect(r.edgeGpus).toBe(3 + 2);
  });

  it('rejects bad input naming the path', () => {
    expect(
      thrown(() => edgeVsCentralBreakEven({ ...base, requestsPerSecond: Number.NaN })),
    ).toEqual({
      code: 'invalid_argument',
      path: ['input', 'requestsPerSecond'],
    });
    expect(thrown(() => edgeVsCentralBreakEven({ ...base, edgeLoadShares: [1] })).path).toEqual([
      'input',
      'edgeLoadShares',
    ]);
    expect(
      thrown(() => edgeVsCentralBreakEven({ ...base, edgeSites: 2, edgeLoadShares: [0.5, 0.6] }))
        .path,
    ).toEqual(['input', 'edgeLoadShares']);
    expect(thrown(() => edgeVsCentralBreakEven({ ...base, edgeUsdPerGpuHour: -1 })).path).toEqual([
      'input',
      'edgeUsdPerGpuHour',
    ]);
  });
});

describe('serverlessVsAlwaysOnBreakEven', () => {
  const base = {
    requestsPerHour: 2,
    serviceSeconds: 4,
    serverlessUsdPerSecond: 0.0011,
    idleTimeoutSeconds: 60,
    coldStartSeconds: 40,
    coldStartPenaltyUsd: 0.05,
    alwaysOnUsdPerHour: 1.01,
  };

  it('follows the documented Poisson model', () => {
    const r = serverlessVsAlwaysOnBreakEven(base);
    const lambda = 2 / 3600;
    const pCold = Math.exp(-lambda * 60);
    expect(r.coldStartProbability).toBeCloseTo(pCold, 12);
    expect(r.coldStartsPerHour).toBeCloseTo(2 * pCold, 12);
    const billed = 2 * 4 + 3600 * (1 - pCold) + 2 * pCold * 40;
    expect(r.serverlessBilledSecondsPerHour).toBeCloseTo(billed, 9);
    expect(r.serverlessUsdPerHour).toBeCloseTo(billed * 0.0011, 12);
    expect(r.coldStartPenaltyUsdPerHour).toBeCloseTo(2 * pCold * 0.05, 12);
    expect(r.alwaysOnInstances).toBe(1);
    expect(r.verdict).toBe('serverless');
    expect(r.breakEvenColdStartPenaltyUsd).toBeCloseTo((1.01 - billed * 0.0011) / (2 * pCold), 9);
    expect(r.breakEvenReason).toBe('penalty_threshold');
    // At the break-even penalty the two cost the same.
    const at = serverlessVsAlwaysOnBreakEven({
      ...base,
      coldStartPenaltyUsd: (r.breakEvenColdStartPenaltyUsd ?? 0) * 1.01,
    });
    expect(at.verdict).toBe('always-on');
  });

  it('prefers always-on under steady traffic with a long keep-alive', () => {
    const r = serverlessVsAlwaysOnBreakEven({
      ...base,
      requestsPerHour: 30,
      idleTimeoutSeconds: 300,
    });
    expect(r.verdict).toBe('always-on');
    expect(r.explanation).toContain('always-on');
  });

  it('says always-on wins at any penalty instead of a negative break-even', () => {
    // The serverless bill alone (mostly kept-warm seconds) exceeds always-on: no penalty helps.
    const r = serverlessVsAlwaysOnBreakEven({
      ...base,
      requestsPerHour: 30,
      idleTimeoutSeconds: 300,
      coldStartPenaltyUsd: 0,
      alwaysOnUsdPerHour: 0.5,
    });
    expect(r.serverlessUsdPerHour).toBeGreaterThan(r.alwaysOnUsdPerHour);
    expect(r.breakEvenColdStartPenaltyUsd).toBeNull();
    expect(r.breakEvenReason).toBe('always_on_cheaper');
    expect(r.verdict).toBe('always-on');
    expect(r.explanation).toContain('always-on is cheaper at any cold-start penalty');
    expect(r.explanation).not.toMatch(/\$-/);
    for (const value of Object.values(r))
      if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true);
  });

  it('handles no traffic and sizes always-on for heavy traffic', () => {
    const idle = serverlessVsAlwaysOnBreakEven({ ...base, requestsPerHour: 0 });
    expect(idle.serverlessUsdPerHour).toBe(0);
    expect(idle.breakEvenColdStartPenaltyUsd).toBeNull();
    expect(idle.breakEvenReason).toBe('no_cold_starts');
    expect(idle.verdict).toBe('serverless');
    const heavy = serverlessVsAlwaysOnBreakEven({ ...base, requestsPerHour: 3600 });
    expect(heavy.alwaysOnInstances).toBe(Math.ceil(4 / 0.7));
  });

  it('rejects bad input naming the path', () => {
    expect(
      thrown(() => serverlessVsAlwaysOnBreakEven({ ...base, serviceSeconds: 0 })).path,
    ).toEqual(['input', 'serviceSeconds']);
    expect(
      thrown(() => serverlessVsAlwaysOnBreakEven({ ...base, requestsPerHour: Infinity })).path,
    ).toEqual(['input', 'requestsPerHour']);
  });
});

describe('warmPoolBreakEven', () => {
  const base = {
    launchesPerHour: 12,
    coldStartSeconds: 90,
    sloMissesPerColdLaunch: 40,
    usdPerSloMiss: 0.02,
    warmInstanceUsdPerHour: 0.1,
  };

  it('stops where one more instance costs more than the misses it avoids', () => {
    const r = warmPoolBreakEven(base);
    // a = 0.3 in flight; the 3rd instance saves 12 * P(N = 2) * $0.8 = $0.32/h, the 4th $0.03/h.
    expect(r.meanInFlight).toBeCloseTo(0.3, 12);
    expect(r.size).toBe(3);
    const third = r.table[3]!;
    expect(third.marginalBenefitUsdPerHour).toBeCloseTo(12 * Math.exp(-0.3) * (0.09 / 2) * 0.8, 12);
    expect(r.table[4]!.marginalBenefitUsdPerHour).toBeLessThan(0.1);
    expect(r.sloMissesPerHour).toBeCloseTo(12 * 40 * r.table[3]!.coldLaunchProbability, 12);
    expect(r.sloMissesAvoidedPerHour).toBeCloseTo(12 * 40 - r.sloMissesPerHour, 9);
    for (const step of r.table) expect(step.netUsdPerHour).toBeLessThanOrEqual(r.netUsdPerHour);
    expect(r.table[0]).toMatchObject({ size: 0, coldLaunchProbability: 1, netUsdPerHour: 0 });
  });

  it('keeps no pool when instances cost more than they save, or nothing launches', () => {
    expect(warmPoolBreakEven({ ...base, warmInstanceUsdPerHour: 100 }).size).toBe(0);
    expect(warmPoolBreakEven({ ...base, launchesPerHour: 0 }).size).toBe(0);
    expect(warmPoolBreakEven({ ...base, maxPoolSize: 1 }).size).toBe(1);
  });

  it('grows with the load and handles large means without underflow', () => {
    const r = warmPoolBreakEven({
      ...base,
      launchesPerHour: 40_000,
      warmInstanceUsdPerHour: 1,
      maxPoolSize: 5000,
    });
    expect(r.meanInFlight).toBe(1000);
    expect(r.size).toBeGreaterThan(1000);
    expect(Number.isFinite(r.netUsdPerHour)).toBe(true);
  });

  it('rejects bad input naming the path', () => {
    expect(thrown(() => warmPoolBreakEven({ ...base, launchesPerHour: -1 })).path).toEqual([
      'input',
      'launchesPerHour',
    ]);
    expect(thrown(() => warmPoolBreakEven({ ...base, maxPoolSize: 1.5 })).path).toEqual([
      'input',
      'maxPoolSize',
    ]);
  });
});
