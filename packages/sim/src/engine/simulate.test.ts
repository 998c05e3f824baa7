import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { createServiceModel } from '../service/service-model.js';
import type { Trace, TraceRequest } from '../traces/types.js';
import {
  coldStartPreset,
  coldStartQuantileMs,
  describeColdStart,
  sampleColdStartMs,
} from './cold-start.js';
import { simulate } from './simulate.js';
import { summarize } from './summarize.js';
import type { SimPolicy } from './types.js';
import { createRandom } from '@headroom/core';

const service = createServiceModel();
const HOUR = 3_600_000;

function staticPolicy(n: number): SimPolicy {
  return { name: 'static', initialReplicas: () => n, decide: () => n };
}

function traceOf(requests: TraceRequest[], durationMs?: number): Trace {
  const last = requests[requests.length - 1]?.arrivalMs ?? 0;
  return { name: 'test', source: 'test', durationMs: durationMs ?? last + 1, requests };
}

const fixed = (ms: number) =>
  ({ kind: 'lognormal-mixture', components: [{ weight: 1, medianMs: ms, sigma: 0 }] }) as const;

describe('simulate: service semantics', () => {
  it('a single request on an idle ready instance has TTFT = prefill and no queue wait', () => {
    const r = simulate({
      trace: traceOf([{ arrivalMs: 0, promptTokens: 2048, outputTokens: 11 }]),
      policy: staticPolicy(1),
      service,
      recordRequests: true,
    });
    const prefill = service.prefillMs(2048);
    expect(r.requestLog?.ttftMs[0]).toBe(prefill);
    expect(r.requestLog?.queueWaitMs[0]).toBe(0);
    expect(r.requestLog?.e2eMs[0]).toBeCloseTo(prefill + 10 * service.decodeStepMs(1), 9);
    expect(r.requests).toEqual({
      total: 1,
      completed: 1,
      dropped: 0,
      sloMet: 1,
      sloAttainment: 1,
      migrated: 0,
    });
  });

  it('queues a request while the batch is full', () => {
    const one = createServiceModel({ maxBatch: 1 });
    const r = simulate({
      trace: traceOf([
        { arrivalMs: 0, promptTokens: 100, outputTokens: 5 },
        { arrivalMs: 1, promptTokens: 100, outputTokens: 5 },
      ]),
      policy: staticPolicy(1),
      service: one,
      recordRequests: true,
    });
    const log = r.requestLog;
    const firstDone = log?.e2eMs[0] as number;
    expect(log?.queueWaitMs[1]).toBeCloseTo(firstDone - 1, 9);
    expect(log?.ttftMs[1]).toBeCloseTo(firstDone - 1 + one.prefillMs(100), 9);
  });

  it('lets a request join a running batch at the next step boundary, sharing that step', () => {
    const r = simulate({
      trace: traceOf([
        { arrivalMs: 0, promptTokens: 128, outputTokens: 50 },
        { arrivalMs: 200, promptTokens: 128, outputTokens: 2 },
      ]),
      policy: staticPolicy(1),
      service,
      recordRequests: true,
    });
    const p = service.prefillMs(128);
    const d1 = service.decodeStepMs(1);
    const boundary = p + Math.ceil((200 - p) / d1) * d1;
    expect(r.requestLog?.queueWaitMs[1]).toBeCloseTo(boundary - 200, 9);
    expect(r.requestLog?.ttftMs[1]).toBeCloseTo(boundary + d1 + p - 200, 9);
  });

  it('holds a request back when the KV budget is full', () => {
    const small = createServiceModel({ kvTokenBudget: 1000 });
    const r = simulate({
      trace: traceOf([
        { arrivalMs: 0, promptTokens: 600, outputTokens: 3 },
        { arrivalMs: 0, promptTokens: 600, outputTokens: 3 },
      ]),
      policy: staticPolicy(1),
      service: small,
      recordRequests: true,
    });
    expect(r.requestLog?.queueWaitMs[1]).toBeCloseTo(r.requestLog?.e2eMs[0] as number, 9);
  });

  it('delays the first service by the cold start', () => {
    const r = simulate({
      trace: traceOf([{ arrivalMs: 0, promptTokens: 512, outputTokens: 1 }]),
      policy: staticPolicy(1),
      service,
      initialWarm: false,
      coldStart: fixed(10_000),
      recordRequests: true,
    });
    expect(r.coldStarts).toBe(1);
    expect(r.requestLog?.ttftMs[0]).toBeCloseTo(10_000 + service.prefillMs(512), 9);
    expect(r.requestLog?.queueWaitMs[0]).toBe(10_000);
  });

  it('adds the region RTT to TTFT and end-to-end latency', () => {
    const r = simulate({
      trace: traceOf([{ arrivalMs: 0, promptTokens: 512, outputTokens: 1 }]),
      policy: staticPolicy(1),
      service,
      regions: [{ name: 'eu-west-1', rttMs: 80 }],
      recordRequests: true,
    });
    expect(r.requestLog?.ttftMs[0]).toBeCloseTo(service.prefillMs(512) + 80, 9);
    expect(r.requestLog?.e2eMs[0]).toBeCloseTo(service.prefillMs(512) + 80, 9);
  });

  it('drops requests that wait longer than maxQueueMs', () => {
    const r = simulate({
      trace: traceOf([{ arrivalMs: 0, promptTokens: 10, outputTokens: 1 }], 1_000),
      schedule: { points: [{ atMs: 0, replicas: 0 }] },
      minReplicas: 0,
      service,
      maxQueueMs: 5_000,
    });
    expect(r.requests).toMatchObject({ total: 1, completed: 0, dropped: 1, sloAttainment: 0 });
  });
});

describe('simulate: fleet semantics', () => {
  it('a fixed schedule gives the expected GPU-hours exactly', () => {
    // Two warm replicas for an hour, one for half an hour, then a second one requested at 1.5 h
    // (billed from its provisioning start, cold or not). Each replica is 2 GPUs (TP 2).
    const r = simulate({
      trace: traceOf([], 2 * HOUR),
      schedule: {
        points: [
          { atMs: 0, replicas: 2 },
          { atMs: HOUR, replicas: 1 },
          { atMs: 1.5 * HOUR, replicas: 2 },
        ],
      },
      service,
      coldStart: fixed(60_000),
    });
    expect(r.gpuHours.total).toBe(2 * 2 + 2 * 1 + 2 * 0.5);
    expect(r.gpuHours.byCapacityType).toEqual({ 'on-demand': 7 });
    expect(r.costUsd.total).toBeCloseTo(7 * 6.88, 6);
    expect(r.gpuHours.ready).toBeCloseTo(7 - (2 * 60_000) / HOUR, 5); // rounded to 1e-6 h
    expect(r.coldStarts).toBe(1);
    expect(r.scaleEvents).toBe(2);
    expect(r.policy).toBe('oracle');
  });

  it('drains on scale-down: running work finishes, nothing is dropped', () => {
    const r = simulate({
      trace: traceOf([
        { arrivalMs: 0, promptTokens: 100, outputTokens: 400 },
        { arrivalMs: 0, promptTokens: 100, outputTokens: 400 },
      ]),
      schedule: {
        points: [
          { atMs: 0, replicas: 2 },
          { atMs: 1_000, replicas: 1 },
        ],
      },
      service,
      router: 'jsq',
      recordRequests: true,
    });
    expect(r.requests).toMatchObject({ completed: 2, dropped: 0 });
    // Both requests ran alone on their instance: neither was moved.
    expect(r.requestLog?.instance.slice().sort()).toEqual([0, 1]);
    // The drained replica was billed until its request finished.
    const e2e = r.requestLog?.e2eMs ?? [];
    const drained = Math.min(e2e[0] as number, e2e[1] as number);
    expect(r.gpuHours.total).toBeCloseTo((2 * drained + 2 * Math.max(...e2e)) / HOUR, 5);
  });

  it('a spot notice drains the instance and migrates its requests after the notice', () => {
    const r = simulate({
      trace: traceOf(
        Array.from({ length: 40 }, (_, i) => ({
          arrivalMs: i * 500,
          promptTokens: 200,
          outputTokens: 4000,
        })),
      ),
      policy: staticPolicy(2),
      service,
      capacity: { spotFraction: 1, spotInterruptionsPerHour: 60, noticeMs: 120_000 },
      coldStart: fixed(5_000),
      maxQueueMs: 3_600_000,
      seed: 3,
    });
    expect(r.preemptions).toBeGreaterThan(0);
    expect(r.requests.migrated).toBeGreaterThan(0);
    expect(r.requests.completed + r.requests.dropped).toBe(40);
    expect(Object.keys(r.gpuHours.byCapacityType)).toEqual(['spot']);
    expect(r.costUsd.total).toBeCloseTo(r.gpuHours.total * 6.88 * 0.4, 4);
  });

  it('opens sticky streams and drops them when no replica has room', () => {
    const r = simulate({
      trace: traceOf([], 100_000),
      schedule: {
        points: [
          { atMs: 0, replicas: 2 },
          { atMs: 50_000, replicas: 1 },
        ],
      },
      service,
      streams: {
        sessions: [
          { arrivalMs: 1_000, durationMs: 90_000 },
          { arrivalMs: 2_000, durationMs: 90_000 },
          { arrivalMs: 3_000, durationMs: 90_000 },
        ],
        gpuShare: 0.3,
        maxPerReplica: 1,
      },
    });
    // Two replicas of one slot each: the third stream finds no room; at the scale-down the
    // drained replica's stream has nowhere to go (the other replica is full).
    expect(r.streams).toEqual({ opened: 3, dropped: 2, migrated: 0 });
  });

  it('migrates the streams of a spot replica that gets its notice', () => {
    const r = simulate({
      trace: traceOf([], 60_000),
      policy: staticPolicy(2),
      service,
      capacity: { spotFraction: 0.5, spotInterruptionsPerHour: 3_600 },
      coldStart: fixed(1_000),
      streams: {
        sessions: Array.from({ length: 10 }, () => ({ arrivalMs: 0, durationMs: 30_000 })),
        maxPerReplica: 10,
      },
      seed: 11,
    });
    expect(r.preemptions).toBeGreaterThanOrEqual(1);
    expect(r.streams.opened).toBe(10);
    expect(r.streams.migrated).toBeGreaterThanOrEqual(3);
    expect(r.gpuHours.byCapacityType.spot).toBeGreaterThan(0);
    expect(r.gpuHours.byCapacityType['on-demand']).toBeGreaterThan(0);
  });

  it('runs the policy on lagged metrics and clamps its answer to the bounds', () => {
    const seen: number[] = [];
    const policy: SimPolicy = {
      name: 'greedy',
      initialReplicas: () => 1,
      decide: (obs) => {
        seen.push(obs.nowMs - (obs.instances[0]?.observedAtMs ?? obs.nowMs));
        expect(obs.capacityPerReplicaRps).toBeGreaterThan(0);
        expect(obs.coldStartMs.p95).toBeGreaterThan(obs.coldStartMs.p50);
        return obs.nowMs > 30_000 ? 1e9 : Number.NaN;
      },
    };
    const r = simulate({
      trace: traceOf([{ arrivalMs: 0, promptTokens: 10, outputTokens: 1 }], 120_000),
      policy,
      service,
      maxReplicas: 5,
      metricsLagMs: 30_000,
    });
    expect(seen[0]).toBe(0); // at 15 s no sample has arrived yet: no instances
    expect(seen[1]).toBe(30_000); // at 30 s the t = 0 sample arrives
    expect(seen[2]).toBe(30_000);
    expect(Math.max(...r.timeSeries.desiredReplicas)).toBe(5);
    expect(r.scaleEvents).toBe(1);
  });

  it('is deterministic: the same run twice gives identical JSON', () => {
    const trace = traceOf(
      Array.from({ length: 300 }, (_, i) => ({
        arrivalMs: i * 97 + ((i * 7919) % 300),
        promptTokens: 100 + ((i * 31) % 2000),
        outputTokens: 1 + ((i * 17) % 300),
      })).sort((a, b) => a.arrivalMs - b.arrivalMs),
    );
    const run = (router: 'jsq' | 'headroom') =>
      JSON.stringify(
        simulate({
          trace,
          policy: {
            name: 'wobble',
            initialReplicas: () => 2,
            decide: (obs) => 1 + (Math.floor(obs.nowMs / 15_000) % 4),
          },
          service,
          router,
          capacity: { spotFraction: 0.5, spotInterruptionsPerHour: 30 },
          regions: [
            { name: 'a', rttMs: 10 },
            { name: 'b', rttMs: 60 },
          ],
          streams: { sessions: [{ arrivalMs: 100, durationMs: 5_000 }] },
          seed: 42,
          recordRequests: true,
        }),
      );
    expect(run('jsq')).toBe(run('jsq'));
    expect(run('headroom')).toBe(run('headroom'));
  });
});

describe('simulate: validation and output', () => {
  it('rejects a bad config with the field and the request index', () => {
    const err = (() => {
      try {
        simulate({
          trace: traceOf([
            { arrivalMs: 10, promptTokens: 1, outputTokens: 1 },
            { arrivalMs: 5, promptTokens: 1, outputTokens: 1 },
          ]),
          policy: staticPolicy(1),
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isHeadroomError(err, 'invalid_config')).toBe(true);
    expect(String(err)).toMatch(/simulate\.trace\.requests\[1\]\.arrivalMs/);
    expect(() => simulate({ trace: traceOf([]) })).toThrow(/exactly one of policy, schedule/);
    expect(() =>
      simulate({ trace: traceOf([]), policy: staticPolicy(1), minReplicas: 3, maxReplicas: 2 }),
    ).toThrow(/maxReplicas/);
    expect(() =>
      simulate({ trace: traceOf([]), policy: staticPolicy(1), sloTtftMs: Number.NaN }),
    ).toThrow(/sloTtftMs/);
  });

  it('caps the time series and summarizes in plain text', () => {
    const r = simulate({
      trace: traceOf([{ arrivalMs: 0, promptTokens: 100, outputTokens: 10 }], 24 * HOUR),
      policy: staticPolicy(1),
      service,
    });
    expect(r.timeSeries.t.length).toBe(600);
    expect(r.timeSeries.stepMs).toBe(144_000);
    const text = summarize(r);
    expect(text).toMatch(/^policy static\n/);
    expect(text).toMatch(/SLO +100\.00% met \(1 of 1\)/);
    expect(text).toMatch(/GPU-hours +48\.00 \(on-demand 48\.00\)/);
  });
});

describe('cold-start distributions', () => {
  it('production-bimodal matches the measured p99 and the fast-mode share', () => {
    const dist = coldStartPreset('production-bimodal');
    expect(coldStartQuantileMs(dist, 0.99)).toBeGreaterThan(49_000);
    expect(coldStartQuantileMs(dist, 0.99)).toBeLessThan(55_000);
    const random = createRandom(5);
    let fast = 0;
    for (let i = 0; i < 20_000; i++) if (sampleColdStartMs(dist, random) < 10_000) fast++;
    expect(fast / 20_000).toBeGreaterThan(0.34);
    expect(fast / 20_000).toBeLessThan(0.38);
    expect(describeColdStart(dist)).toBe('lognormal-mixture(36% 2.8 s σ0.2, 64% 34.7 s σ0.19)');
  });

  it('has minutes-long 70B presets and rejects unknown names', () => {
    expect(coldStartQuantileMs(coldStartPreset('70b-minutes'), 0.5)).toBe(150_000);
    expect(() => coldStartPreset('warp' as 'cached')).toThrow(/unknown cold-start preset/);
  });
});
