import { createRandom, isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { createRouter, type Router } from './router.js';
import type { PickExplanation, PickResult } from './types.js';

const T0 = 1_700_000_000_000;
const GIB = 1024 ** 3;

function idOf(result: PickResult): string | undefined {
  return 'endpointId' in result ? result.endpointId : undefined;
}

function ready(router: Router, id: string, extra: Record<string, unknown> = {}): void {
  router.upsertEndpoint(
    {
      id,
      models: [{ name: 'llama', version: 'v1' }],
      lifecycle: 'ready',
      readySinceMs: T0 - 3_600_000,
      region: 'us-east-1',
      zone: 'us-east-1a',
      gpuClass: 'H100-80GB',
      ...extra,
    },
    T0,
  );
}

function counts(router: Router, n: number, request = { model: 'llama' }): Map<string, number> {
  const random = createRandom(7);
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const id = idOf(router.pick(request, T0, random)) ?? 'shed';
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  return seen;
}

describe('createRouter', () => {
  it('weights by free GPU memory: 60% free gets 4x the picks of 15% free', () => {
    const router = createRouter({ countPicksAsStarts: false });
    ready(router, 'a');
    ready(router, 'b');
    router.updateMetrics(
      'a',
      { scrapedAtMs: T0, memoryUsedBytes: 32 * GIB, memoryTotalBytes: 80 * GIB },
      T0,
    );
    router.updateMetrics(
      'b',
      { scrapedAtMs: T0, memoryUsedBytes: 68 * GIB, memoryTotalBytes: 80 * GIB },
      T0,
    );
    expect(router.weightOf('a', T0)! / router.weightOf('b', T0)!).toBeCloseTo(4, 10);
    const seen = counts(router, 20_000);
    const ratio = (seen.get('a') ?? 0) / (seen.get('b') ?? 1);
    expect(ratio).toBeGreaterThan(3.6);
    expect(ratio).toBeLessThan(4.4);
  });

  it('applies the hard filters: model, version, lifecycle, region', () => {
    const router = createRouter();
    ready(router, 'a');
    ready(router, 'b', { models: [{ name: 'llama', version: 'v2' }] });
    ready(router, 'c', { lifecycle: 'warming' });
    ready(router, 'd', { region: 'eu-west-1', zone: 'eu-west-1a' });
    const random = createRandom(1);
    expect(router.pick({ model: 'mistral' }, T0, random)).toEqual({ shed: 'no_model' });
    expect(router.pick({ model: 'llama', version: 'v3' }, T0, random)).toEqual({
      shed: 'no_model',
    });
    for (let i = 0; i < 200; i++) {
      expect(idOf(router.pick({ model: 'llama', version: 'v2' }, T0, random))).toBe('b');
      expect(idOf(router.pick({ model: 'llama', allowedRegions: ['eu-west-1'] }, T0, random))).toBe(
        'd',
      );
      expect(idOf(router.pick({ model: 'llama' }, T0, random))).not.toBe('c');
    }
    expect(router.pick({ model: 'llama', allowedRegions: ['ap-south-1'] }, T0, random)).toEqual({
      shed: 'no_endpoint',
    });
  });

  it('matches workloads to GPU classes (FP8 needs Ada/Hopper/Blackwell)', () => {
    const router = createRouter();
    ready(router, 'h100');
    ready(router, 'a100', { gpuClass: 'A100-80GB' });
    ready(router, 'unknown', { gpuClass: undefined });
    const random = createRandom(3);
    for (let i = 0; i < 100; i++) {
      expect(idOf(router.pick({ model: 'llama', fp8: true }, T0, random))).toBe('h100');
    }
    const explained = router.pick({ model: 'llama', fp8: true }, T0, random, true).explain!;
    expect(explained.filtered.workload).toEqual(['a100', 'unknown']);
  });

  it('returns the same frozen result object per endpoint without explain', () => {
    const router = createRouter();
    ready(router, 'a');
    const random = createRandom(1);
    const first = router.pick({ model: 'llama' }, T0, random);
    const second = router.pick({ model: 'llama' }, T0, random);
    expect(first).toBe(second);
    expect(Object.isFrozen(first)).toBe(true);
    expect('explain' in first).toBe(false);
  });

  it('counts picks as in-flight until completion, never below zero', () => {
    const router = createRouter();
    ready(router, 'a');
    router.updateMetrics('a', { scrapedAtMs: T0, queueDepth: 0 }, T0);
    const w0 = router.weightOf('a', T0)!;
    router.pick({ model: 'llama' }, T0, createRandom(1));
    expect(router.weightOf('a', T0)).toBeCloseTo(w0 / 2, 12); // queue factor 1/(1+1)
    router.onComplete('a', { success: true, latencyMs: 10 }, T0);
    router.onComplete('a', { success: true, latencyMs: 10 }, T0);
    expect(router.weightOf('a', T0)).toBeCloseTo(w0, 12);
    router.onStart('a');
    expect(router.weightOf('a', T0)).toBeCloseTo(w0 / 2, 12);
    router.updateMetrics('a', { scrapedAtMs: T0 + 1, queueDepth: 0 }, T0 + 1);
    expect(router.weightOf('a', T0 + 1)).toBeCloseTo(w0, 12); // a scrape resets the accounting
  });

  it('penalizes stale metrics: stalePenalty × idle weight, from maxMetricAgeMs on', () => {
    const router = createRouter({ maxMetricAgeMs: 10_000, stalePenalty: 0.5 });
    ready(router, 'a');
    router.updateMetrics('a', { scrapedAtMs: T0, kvCacheUtilization: 0.2 }, T0);
    expect(router.weightOf('a', T0 + 9_999)).toBeCloseTo(0.8, 12);
    expect(router.weightOf('a', T0 + 10_000)).toBeCloseTo(0.5, 12);
    const explained = router.pick({ model: 'llama' }, T0 + 10_000, createRandom(1), true).explain!;
    expect(explained.candidates[0]!.stale).toBe(true);
  });

  it('spills over saturated endpoints by default and sheds low priority under shed', () => {
    for (const onSaturated of ['spill', 'shed'] as const) {
      const router = createRouter({ onSaturated, shedBelowPriority: 5 });
      ready(router, 'a');
      ready(router, 'b');
      router.updateMetrics('a', { scrapedAtMs: T0, kvCacheUtilization: 0.99 }, T0);
      router.updateMetrics('b', { scrapedAtMs: T0, kvCacheUtilization: 0.96 }, T0);
      const random = createRandom(1);
      const low = router.pick({ model: 'llama', priority: 1 }, T0, random, true);
      const high = router.pick({ model: 'llama', priority: 9 }, T0, random, true);
      if (onSaturated === 'spill') expect(idOf(low)).toBeDefined();
      else expect((low as { shed: string }).shed).toBe('saturated');
      expect(idOf(high)).toBeDefined();
      expect(high.explain!.mode).toBe('spill');
      expect(high.explain!.allSaturated).toBe(true);
    }
  });

  it('prefers unsaturated endpoints while any exists', () => {
    const router = createRouter();
    ready(router, 'full');
    ready(router, 'room');
    router.updateMetrics('full', { scrapedAtMs: T0, queueDepth: 40 }, T0);
    router.updateMetrics('room', { scrapedAtMs: T0, queueDepth: 30 }, T0);
    const seen = counts(router, 1_000);
    // 'room' reaches the queue threshold (32) after 2 picks; from then on both are saturated and spill.
    expect(seen.get('room')).toBeGreaterThan(seen.get('full') ?? 0);
  });

  it("enters Envoy's panic mode under the healthy panic threshold and routes to ejected endpoints", () => {
    const router = createRouter({ panicThreshold: 0.5 });
    for (const id of ['a', 'b', 'c']) ready(router, id);
    router.updateMetrics('a', { scrapedAtMs: T0, xid: [79] }, T0);
    expect(router.healthOf('a')).toBe('ejected');
    const random = createRandom(5);
    // 2 of 3 available: no panic, 'a' never picked.
    for (let i = 0; i < 200; i++)
      expect(idOf(router.pick({ model: 'llama' }, T0, random))).not.toBe('a');
    router.updateMetrics('b', { scrapedAtMs: T0, eccUncorrectable: 1 }, T0);
    // 1 of 3 available (33% < 50%): panic, every ready endpoint takes traffic.
    const seen = counts(router, 600);
    expect(seen.get('a')).toBeGreaterThan(100);
    expect(seen.get('b')).toBeGreaterThan(100);
    const explained = router.pick({ model: 'llama' }, T0, random, true).explain!;
    expect(explained.panic).toBe(true);
    expect(explained.healthyFraction).toBeCloseTo(1 / 3, 12);
  });

  it('ejects after consecutive failures and brings the endpoint back when the ejection expires', () => {
    const router = createRouter({ health: { consecutive5xx: 3, baseEjectionTimeMs: 30_000 } });
    for (const id of ['a', 'b', 'c']) ready(router, id);
    for (let i = 0; i < 3; i++) router.onComplete('a', { success: false, latencyMs: 5 }, T0);
    expect(router.healthOf('a')).toBe('ejected');
    expect(router.weightOf('a', T0)).toBe(0);
    expect(router.weightOf('a', T0 + 31_000)).toBeGreaterThan(0);
    expect(router.healthOf('a')).toBe('healthy');
  });

  it('drains an endpoint from the very next pick and takes it back', () => {
    // Arrange: both pickers, two endpoints with fresh metrics and no scrape or completion after.
    for (const picker of ['weighted', 'p2c'] as const) {
      const router = createRouter({ picker, countPicksAsStarts: false });
      for (const id of ['a', 'b']) {
        ready(router, id);
        router.updateMetrics(
          id,
          { scrapedAtMs: T0, memoryUsedBytes: 20 * GIB, memoryTotalBytes: 80 * GIB },
          T0,
        );
      }
      expect(counts(router, 200).get('a')).toBeGreaterThan(0);

      // Act
      const drained = router.setDraining('a', true, T0);

      // Assert: no pick lands on 'a' right away; the tracker agrees; undrain brings it back.
      expect(drained.ok).toBe(true);
      expect(router.healthOf('a')).toBe('draining');
      expect(router.weightOf('a', T0)).toBe(0);
      expect(counts(router, 500)).toEqual(new Map([['b', 500]]));
      expect(router.health.state('a', T0)).toBe('draining');
      router.setDraining('a', false, T0);
      expect(router.healthOf('a')).toBe('healthy');
      expect(counts(router, 200).get('a')).toBeGreaterThan(0);
    }
    const router = createRouter();
    const missing = router.setDraining('nope', true, T0);
    expect(!missing.ok && isHeadroomError(missing.error, 'not_found')).toBe(true);
  });

  it('ramps a newly ready endpoint with slow start', () => {
    const router = createRouter({ slowStart: { windowMs: 60_000 }, slowStartRefreshMs: 1_000 });
    ready(router, 'old');
    router.upsertEndpoint({ id: 'new', models: [{ name: 'llama' }], lifecycle: 'warming' }, T0);
    router.setLifecycle('new', 'ready', T0);
    const early = router.weightOf('new', T0 + 6_000)!;
    const late = router.weightOf('new', T0 + 30_000)!;
    const done = router.weightOf('new', T0 + 60_000)!;
    expect(early).toBeLessThan(late);
    expect(late).toBeLessThan(done);
    expect(done).toBeCloseTo(router.weightOf('old', T0 + 60_000)!, 12);
  });

  it('explains a pick: filters, candidates, picker and choice', () => {
    const router = createRouter();
    ready(router, 'a');
    ready(router, 'b', { lifecycle: 'draining' });
    ready(router, 'c', { region: 'eu-west-1' });
    ready(router, 'm', { models: [{ name: 'other' }] });
    const result = router.pick(
      { model: 'llama', allowedRegions: ['us-east-1'] },
      T0,
      createRandom(2),
      true,
    );
    const explain = result.explain as PickExplanation;
    expect(explain.chosen).toBe('a');
    expect(idOf(result)).toBe('a');
    expect(explain.filtered.lifecycle).toEqual(['b']);
    expect(explain.filtered.region).toEqual(['c']);
    expect(explain.filtered.model).toEqual(['m']);
    expect(explain.candidates.map((c) => c.id)).toEqual(['a']);
    expect(explain.picker).toBe('weighted');
    expect(JSON.parse(JSON.stringify(explain))).toEqual(explain);
  });

  it('picks the same endpoint with and without explain for the same seed', () => {
    const router = createRouter({ countPicksAsStarts: false });
    for (let i = 0; i < 20; i++) {
      ready(router, `e${i}`, { region: i % 2 === 0 ? 'us-east-1' : 'eu-west-1' });
      router.updateMetrics(`e${i}`, { scrapedAtMs: T0, kvCacheUtilization: (i % 10) / 10 }, T0);
    }
    for (const request of [{ model: 'llama' }, { model: 'llama', allowedRegions: ['eu-west-1'] }]) {
      const a = createRandom(11);
      const b = createRandom(11);
      for (let i = 0; i < 200; i++) {
        expect(idOf(router.pick(request, T0, a))).toBe(idOf(router.pick(request, T0, b, true)));
      }
    }
  });

  it('least_loaded is deterministic and p2c prefers the lower load', () => {
    const ll = createRouter({ picker: 'least_loaded', countPicksAsStarts: false });
    const p2c = createRouter({ picker: 'p2c', countPicksAsStarts: false });
    for (const router of [ll, p2c]) {
      ready(router, 'busy');
      ready(router, 'idle');
      router.updateMetrics('busy', { scrapedAtMs: T0, kvCacheUtilization: 0.9 }, T0);
      router.updateMetrics('idle', { scrapedAtMs: T0, kvCacheUtilization: 0.1 }, T0);
    }
    const random = createRandom(4);
    for (let i = 0; i < 100; i++) {
      expect(idOf(ll.pick({ model: 'llama' }, T0, random))).toBe('idle');
      expect(idOf(p2c.pick({ model: 'llama' }, T0, random))).toBe('idle');
    }
  });

  it('boosts the endpoint holding the prefix when loads are balanced', () => {
    const prefix = Uint32Array.of(1, 2, 3, 4);
    let toB = 0;
    for (let seed = 0; seed < 50; seed++) {
      const router = createRouter({ affinity: { boost: 100 } });
      ready(router, 'a');
      ready(router, 'b');
      router.affinity.record('b', prefix, T0);
      const result = router.pick(
        { model: 'llama', prefixHashes: prefix },
        T0,
        createRandom(seed),
        true,
      );
      const [a, b] = result.explain!.candidates;
      expect(b!.weight / a!.weight).toBeCloseTo(101, 9);
      expect(b!.affinityBlocks).toBe(4);
      if (idOf(result) === 'b') toB++;
    }
    expect(toB).toBeGreaterThanOrEqual(48);
  });

  it('rejects bad metrics with typed errors naming the endpoint and field, keeping the last scrape', () => {
    const router = createRouter();
    ready(router, 'a');
    router.updateMetrics('a', { scrapedAtMs: T0, kvCacheUtilization: 0.5 }, T0);
    for (const [field, value] of [
      ['kvCacheUtilization', Number.NaN],
      ['kvCacheUtilization', 1.5],
      ['queueDepth', -1],
      ['memoryUsedBytes', Number.POSITIVE_INFINITY],
      ['scrapedAtMs', Number.NaN],
    ] as const) {
      const result = router.updateMetrics('a', { scrapedAtMs: T0, [field]: value }, T0);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(isHeadroomError(result.error, 'invalid_input')).toBe(true);
        expect(result.error.path).toEqual(['endpoints', 'a', 'metrics', field]);
        expect(result.error.message).toContain('"a"');
      }
    }
    expect(router.weightOf('a', T0)).toBeCloseTo(0.5, 12);
    const missing = router.updateMetrics('nope', { scrapedAtMs: T0 }, T0);
    expect(!missing.ok && missing.error.code).toBe('not_found');
    expect(() =>
      router.upsertEndpoint({ id: '', models: [], lifecycle: 'ready' } as never, T0),
    ).toThrow(/invalid_input/);
    expect(() => createRouter({ stalePenalty: 2 })).toThrow(
      /invalid_config at router.stalePenalty/,
    );
  });

  it('removes endpoints with swap-remove and keeps routing to the rest', () => {
    const router = createRouter();
    for (let i = 0; i < 10; i++) ready(router, `e${i}`);
    expect(router.removeEndpoint('e0')).toBe(true);
    expect(router.removeEndpoint('e0')).toBe(false);
    router.removeEndpoint('e5');
    expect(router.size).toBe(8);
    const seen = counts(router, 2_000);
    expect([...seen.keys()].sort()).toEqual(['e1', 'e2', 'e3', 'e4', 'e6', 'e7', 'e8', 'e9']);
    for (let i = 0; i < 10; i++) router.removeEndpoint(`e${i}`);
    expect(router.pick({ model: 'llama' }, T0, createRandom(1))).toEqual({ shed: 'no_model' });
  });

  it('sheds malformed requests instead of throwing', () => {
    const router = createRouter();
    ready(router, 'a');
    expect(router.pick({} as never, T0, createRandom(1))).toEqual({ shed: 'invalid_request' });
    expect(router.pick(null as never, T0, createRandom(1), true).explain?.shed).toBe(
      'invalid_request',
    );
  });
});
