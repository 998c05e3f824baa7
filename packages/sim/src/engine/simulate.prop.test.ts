import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createServiceModel, type ServiceModel } from '../service/service-model.js';
import type { TraceRequest } from '../traces/types.js';
import { simulate } from './simulate.js';

const services: ServiceModel[] = [1, 2, 8, 64].map((maxBatch) =>
  createServiceModel({ maxBatch, kvTokenBudget: 6_000 }),
);

const scenario = fc.record({
  gaps: fc.array(
    fc.record({
      gapMs: fc.integer({ min: 0, max: 8_000 }),
      promptTokens: fc.integer({ min: 0, max: 4_000 }),
      outputTokens: fc.integer({ min: 1, max: 300 }),
    }),
    { maxLength: 25 },
  ),
  decisions: fc.array(fc.oneof(fc.integer({ min: -2, max: 9 }), fc.constant(Number.NaN)), {
    minLength: 1,
    maxLength: 8,
  }),
  minReplicas: fc.integer({ min: 0, max: 2 }),
  extra: fc.integer({ min: 0, max: 4 }),
  service: fc.integer({ min: 0, max: services.length - 1 }),
  coldMs: fc.integer({ min: 0, max: 40_000 }),
  initialWarm: fc.boolean(),
  maxQueueMs: fc.integer({ min: 500, max: 60_000 }),
  spot: fc.boolean(),
  router: fc.constantFrom('jsq' as const, 'headroom' as const),
  lagMs: fc.constantFrom(0, 15_000, 40_000),
  seed: fc.integer({ min: 0, max: 1_000 }),
});

describe('simulate properties', () => {
  // 1,000 runs: each scenario is a few dozen requests over a few simulated minutes (~1 ms each).
  it('resolves every request exactly once, bills at least the serving time and keeps replicas in bounds', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        let at = 0;
        const requests: TraceRequest[] = s.gaps.map((g) => {
          at += g.gapMs;
          return { arrivalMs: at, promptTokens: g.promptTokens, outputTokens: g.outputTokens };
        });
        const maxReplicas = s.minReplicas + s.extra;
        let tick = 0;
        const r = simulate({
          trace: { name: 'p', source: 'fast-check', durationMs: at + 1, requests },
          policy: {
            name: 'scripted',
            initialReplicas: () => s.decisions[0] as number,
            decide: () => s.decisions[tick++ % s.decisions.length] as number,
          },
          service: services[s.service] as ServiceModel,
          minReplicas: s.minReplicas,
          maxReplicas,
          initialWarm: s.initialWarm,
          coldStart: {
            kind: 'lognormal-mixture',
            components: [{ weight: 1, medianMs: s.coldMs, sigma: 0.3 }],
          },
          maxQueueMs: s.maxQueueMs,
          metricsLagMs: s.lagMs,
          capacity: s.spot ? { spotFraction: 0.5, spotInterruptionsPerHour: 120 } : {},
          router: s.router,
          seed: s.seed,
          recordRequests: true,
        });
        const n = requests.length;
        expect(r.requests.total).toBe(n);
        expect(r.requests.completed + r.requests.dropped).toBe(n);
        expect(r.requests.sloMet).toBeLessThanOrEqual(r.requests.completed);
        const log = r.requestLog;
        for (let i = 0; i < n; i++) {
          const dropped = log?.dropped[i] as boolean;
          const e2e = log?.e2eMs[i] as number;
          const ttft = log?.ttftMs[i] as number;
          expect(dropped).toBe(Number.isNaN(e2e)); // dropped xor completed, exactly once
          if (!dropped) {
            expect(ttft).toBeGreaterThanOrEqual(0);
            expect(e2e).toBeGreaterThanOrEqual(ttft);
            expect(log?.queueWaitMs[i] as number).toBeLessThanOrEqual(ttft);
          }
        }
        expect(r.gpuHours.total + 1e-6).toBeGreaterThanOrEqual(r.gpuHours.ready ?? 0);
        for (const d of r.timeSeries.desiredReplicas) {
          expect(d).toBeGreaterThanOrEqual(s.minReplicas);
          expect(d).toBeLessThanOrEqual(maxReplicas);
        }
        for (const ready of r.timeSeries.readyReplicas)
          expect(ready).toBeLessThanOrEqual(maxReplicas);
        expect(Number.isFinite(r.costUsd.total)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
