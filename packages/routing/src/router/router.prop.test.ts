import { LIFECYCLE_STATES, createRandom } from '@headroom/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { slowStartFactor } from '../slow-start/slow-start.js';
import { createRouter, type Router } from './router.js';
import type { PickResult, RouteRequest } from './types.js';

const RUNS = { numRuns: 1000 };
const T0 = 1_700_000_000_000;
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-south-1'] as const;
const GPUS = ['H100-80GB', 'A100-80GB', 'L4', 'T4'] as const;

const endpointArb = fc.record({
  model: fc.constantFrom('llama', 'mistral'),
  version: fc.option(fc.constantFrom('v1', 'v2'), { nil: undefined }),
  lifecycle: fc.constantFrom(...LIFECYCLE_STATES, 'ready', 'ready', 'ready'),
  region: fc.constantFrom(...REGIONS),
  gpuClass: fc.constantFrom(...GPUS),
  kv: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  queue: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
  ageMs: fc.integer({ min: 0, max: 30_000 }),
  fatalXid: fc.boolean(),
  failures: fc.integer({ min: 0, max: 6 }),
});

const requestArb = fc.record(
  {
    model: fc.constantFrom('llama', 'mistral', 'qwen'),
    version: fc.constantFrom('v1', 'v2'),
    allowedRegions: fc.subarray([...REGIONS]),
    fp8: fc.boolean(),
    priority: fc.integer({ min: 0, max: 3 }),
  },
  { requiredKeys: ['model'] },
);

const configArb = fc.record({
  picker: fc.constantFrom('weighted' as const, 'p2c' as const, 'least_loaded' as const),
  onSaturated: fc.constantFrom('spill' as const, 'shed' as const),
  panicThreshold: fc.constantFrom(0, 0.5, 1),
  rejectionTries: fc.integer({ min: 0, max: 8 }),
});

type EndpointGen = ReturnType<typeof endpointArb.generate>['value'];

function build(router: Router, endpoints: readonly EndpointGen[]): void {
  endpoints.forEach((e, i) => {
    const id = `e${i}`;
    router.upsertEndpoint(
      {
        id,
        models: [{ name: e.model, ...(e.version === undefined ? {} : { version: e.version }) }],
        lifecycle: e.lifecycle,
        readySinceMs: 0,
        region: e.region,
        gpuClass: e.gpuClass,
      },
      T0,
    );
    router.updateMetrics(
      id,
      {
        scrapedAtMs: T0 - e.ageMs,
        ...(e.kv === undefined ? {} : { kvCacheUtilization: e.kv }),
        ...(e.queue === undefined ? {} : { queueDepth: e.queue }),
        ...(e.fatalXid ? { xid: [79] } : {}),
      },
      T0,
    );
    for (let k = 0; k < e.failures; k++)
      router.onComplete(id, { success: false, latencyMs: 1 }, T0);
  });
}

function idOf(result: PickResult): string | undefined {
  return 'endpointId' in result ? result.endpointId : undefined;
}

describe('router properties', () => {
  it('never picks an endpoint a hard filter removed (model, version, lifecycle, draining, region, workload), panic aside only for ejections', () => {
    fc.assert(
      fc.property(
        fc.array(endpointArb, { maxLength: 10 }),
        fc.array(requestArb, { minLength: 1, maxLength: 6 }),
        configArb,
        fc.integer(),
        (endpoints, requests, config, seed) => {
          const router = createRouter(config);
          build(router, endpoints);
          const random = createRandom(seed);
          for (const request of requests as RouteRequest[]) {
            const explained = router.pick(request, T0, random.clone(), true);
            const plain = router.pick(request, T0, random);
            for (const result of [explained, plain]) {
              const id = idOf(result);
              if (id === undefined) continue;
              const e = endpoints[Number(id.slice(1))] as EndpointGen;
              expect(e.model).toBe(request.model);
              if (request.version !== undefined) expect(e.version).toBe(request.version);
              expect(e.lifecycle).toBe('ready');
              if (request.allowedRegions !== undefined)
                expect(request.allowedRegions).toContain(e.region);
              if (request.fp8 === true) expect(['H100-80GB', 'L4']).toContain(e.gpuClass);
              const health = router.healthOf(id);
              expect(health).not.toBe('draining');
              if (health === 'ejected') expect(explained.explain?.panic).toBe(true);
            }
            const explain = explained.explain!;
            for (const [filter, ids] of Object.entries(explain.filtered)) {
              if (filter === 'saturation' || filter === 'health') continue;
              if (explain.chosen !== null) expect(ids).not.toContain(explain.chosen);
            }
          }
        },
      ),
      RUNS,
    );
  });

  it('weighted pick frequencies follow the weights (per-endpoint binomial, 6 sigma)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 0.94, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.integer(),
        (kvs, seed) => {
          const router = createRouter({ countPicksAsStarts: false });
          kvs.forEach((kv, i) => {
            router.upsertEndpoint(
              { id: `e${i}`, models: [{ name: 'm' }], lifecycle: 'ready', readySinceMs: 0 },
              T0,
            );
            router.updateMetrics(`e${i}`, { scrapedAtMs: T0, kvCacheUtilization: kv }, T0);
          });
          const weights = kvs.map((_, i) => router.weightOf(`e${i}`, T0) as number);
          const total = weights.reduce((a, b) => a + b, 0);
          const n = 1_500;
          const seen = new Array<number>(kvs.length).fill(0);
          const random = createRandom(seed);
          for (let k = 0; k < n; k++) {
            const id = idOf(router.pick({ model: 'm' }, T0, random)) as string;
            seen[Number(id.slice(1))]!++;
          }
          weights.forEach((w, i) => {
            const p = w / total;
            const sigma = Math.sqrt(n * p * (1 - p));
            // 6 sigma per endpoint: over 1,000 runs x 6 endpoints a false alarm has probability
            // about 1e-5, and the run is seeded (fast-check's seed), so it replays exactly.
            expect(Math.abs((seen[i] as number) - n * p)).toBeLessThanOrEqual(6 * sigma + 1);
          });
        },
      ),
      RUNS,
    );
  });

  it('slow start caps a new endpoint: its weight is at most the ramp factor of its idle weight', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 120_000 }),
        fc.integer({ min: 0, max: 150_000 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer(),
        (windowMs, elapsedMs, others, seed) => {
          const slowStart = { windowMs };
          const router = createRouter({
            slowStart,
            slowStartRefreshMs: 1,
            countPicksAsStarts: false,
          });
          for (let i = 0; i < others; i++)
            router.upsertEndpoint(
              { id: `old${i}`, models: [{ name: 'm' }], lifecycle: 'ready', readySinceMs: 0 },
              T0,
            );
          router.upsertEndpoint({ id: 'new', models: [{ name: 'm' }], lifecycle: 'warming' }, T0);
          router.setLifecycle('new', 'ready', T0);
          const now = T0 + elapsedMs;
          const factor = slowStartFactor(slowStart, T0, now);
          const w = router.weightOf('new', now) as number;
          const old = router.weightOf('old0', now) as number;
          expect(w).toBeLessThanOrEqual(old * factor * (1 + 1e-9));
          if (elapsedMs >= windowMs) expect(w).toBeCloseTo(old, 12);
          // Its share of 400 picks stays under the cap (binomial, 6 sigma).
          const cap = w / (w + old * others);
          const random = createRandom(seed);
          let hits = 0;
          for (let k = 0; k < 400; k++)
            if (idOf(router.pick({ model: 'm' }, now, random)) === 'new') hits++;
          expect(hits).toBeLessThanOrEqual(400 * cap + 6 * Math.sqrt(400 * cap * (1 - cap)) + 1);
        },
      ),
      RUNS,
    );
  });

  it('when every candidate is saturated: shed below shedBelowPriority, spill at or above; never shed when spilling', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.95, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom('spill' as const, 'shed' as const),
        fc.integer({ min: -5, max: 5 }),
        fc.integer({ min: -5, max: 5 }),
        fc.constantFrom('weighted' as const, 'p2c' as const, 'least_loaded' as const),
        (kvs, onSaturated, shedBelowPriority, priority, picker) => {
          const router = createRouter({ onSaturated, shedBelowPriority, picker });
          kvs.forEach((kv, i) => {
            router.upsertEndpoint(
              { id: `e${i}`, models: [{ name: 'm' }], lifecycle: 'ready', readySinceMs: 0 },
              T0,
            );
            router.updateMetrics(`e${i}`, { scrapedAtMs: T0, kvCacheUtilization: kv }, T0);
          });
          const result = router.pick({ model: 'm', priority }, T0, createRandom(1), true);
          expect(result.explain!.allSaturated).toBe(true);
          if (onSaturated === 'shed' && priority < shedBelowPriority) {
            expect(result).toMatchObject({ shed: 'saturated' });
          } else {
            expect(idOf(result)).toBeDefined();
            expect(result.explain!.mode).toBe('spill');
          }
        },
      ),
      RUNS,
    );
  });

  it("panics exactly when available / ready falls under the threshold (Envoy's healthy panic threshold)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 10 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (ejected, panicThreshold) => {
          const router = createRouter({ panicThreshold });
          ejected.forEach((bad, i) => {
            router.upsertEndpoint(
              { id: `e${i}`, models: [{ name: 'm' }], lifecycle: 'ready', readySinceMs: 0 },
              T0,
            );
            if (bad) router.updateMetrics(`e${i}`, { scrapedAtMs: T0, eccUncorrectable: 1 }, T0);
          });
          const available = ejected.filter((b) => !b).length;
          const result = router.pick({ model: 'm' }, T0, createRandom(3), true);
          const panic = available < panicThreshold * ejected.length;
          expect(result.explain!.panic).toBe(panic);
          if (available === 0 && !panic) expect(result).toMatchObject({ shed: 'no_endpoint' });
          else expect(idOf(result)).toBeDefined();
        },
      ),
      RUNS,
    );
  });

  it('a stale endpoint weighs stalePenalty × its idle weight, whatever its last scrape said', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 0, max: 120_000 }),
        (kv, stalePenalty, maxMetricAgeMs, ageMs) => {
          const router = createRouter({ stalePenalty, maxMetricAgeMs });
          router.upsertEndpoint(
            { id: 'a', models: [{ name: 'm' }], lifecycle: 'ready', readySinceMs: 0 },
            T0,
          );
          router.updateMetrics('a', { scrapedAtMs: T0, kvCacheUtilization: kv }, T0);
          const w = router.weightOf('a', T0 + ageMs) as number;
          if (ageMs >= maxMetricAgeMs) expect(w).toBeCloseTo(stalePenalty, 12);
          else expect(w).toBeCloseTo(kv >= 0.95 ? 0 : 1 - kv, 12);
        },
      ),
      RUNS,
    );
  });

  it('bad metrics are rejected with typed errors naming endpoint and field; decisions stay finite', () => {
    const bad = fc.constantFrom(
      Number.NaN,
      -1,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -Number.MAX_VALUE,
      2.5,
    );
    fc.assert(
      fc.property(
        fc.constantFrom(
          'kvCacheUtilization',
          'queueDepth',
          'memoryUsedBytes',
          'activeStreams',
          'gpuUtilization',
          'inFlightRequests',
        ),
        bad,
        fc.constantFrom(Number.NaN, -5, Number.POSITIVE_INFINITY, T0),
        (field, value, nowMs) => {
          const router = createRouter();
          router.upsertEndpoint(
            { id: 'a', models: [{ name: 'm' }], lifecycle: 'ready', readySinceMs: 0 },
            T0,
          );
          const result = router.updateMetrics('a', { scrapedAtMs: T0, [field]: value }, nowMs);
          const valid = value === 2.5 && field === 'memoryUsedBytes';
          if (!valid) {
            expect(result.ok).toBe(false);
            if (!result.ok) {
              expect(result.error.code).toBe('invalid_input');
              expect(result.error.path).toEqual(['endpoints', 'a', 'metrics', field]);
            }
          }
          const w = router.weightOf('a', nowMs) as number;
          expect(Number.isFinite(w)).toBe(true);
          expect(w).toBeGreaterThanOrEqual(0);
          expect(idOf(router.pick({ model: 'm', priority: value }, nowMs, createRandom(1)))).toBe(
            'a',
          );
        },
      ),
      RUNS,
    );
  });
});
