import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MODEL_CACHE_POLICIES,
  createModelCache,
  replayModelCache,
  type ModelCache,
  type ModelCacheConfigInput,
  type ModelCacheDecision,
} from './index.js';

const GB = 1e9;

const configArb = fc
  .record({
    policy: fc.constantFrom(...MODEL_CACHE_POLICIES),
    gpuGB: fc.integer({ min: 16, max: 200 }),
    hostGB: fc.integer({ min: 0, max: 200 }),
    nvmeGB: fc.integer({ min: 0, max: 400 }),
    models: fc.array(
      fc.record({
        sizeShare: fc.double({ min: 0.01, max: 1, noNaN: true }),
        sloCostPerSecond: fc.double({ min: 0, max: 20, noNaN: true }),
        warmupMs: fc.integer({ min: 0, max: 30_000 }),
        pinned: fc.boolean(),
        preload: fc.boolean(),
      }),
      { minLength: 1, maxLength: 8 },
    ),
  })
  .map((s): ModelCacheConfigInput => {
    // Pin at most models that fit together in half the GPU; every other model fits beside them.
    let pinnedBytes = 0;
    const gpuBytes = s.gpuGB * GB;
    const models = s.models.map((m, i) => {
      const bytes = Math.max(1, Math.round(m.sizeShare * gpuBytes * 0.5));
      const pinned = m.pinned && i % 3 === 0 && pinnedBytes + bytes <= gpuBytes / 2;
      if (pinned) pinnedBytes += bytes;
      return {
        name: `m${i}`,
        bytes,
        sloCostPerSecond: m.sloCostPerSecond,
        warmupMs: m.warmupMs,
        pinned,
        preload: m.preload,
      };
    });
    return {
      policy: s.policy,
      gpu: { capacityBytes: gpuBytes },
      host: { capacityBytes: s.hostGB * GB },
      nvme: { capacityBytes: s.nvmeGB * GB },
      models,
    };
  });

const opsArb = fc.array(
  fc.oneof(
    {
      weight: 9,
      arbitrary: fc.record({
        kind: fc.constant('request' as const),
        model: fc.nat(7),
        dtMs: fc.nat(60_000),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('preload' as const), dtMs: fc.nat(60_000) }),
    },
  ),
  { maxLength: 40 },
);

function checkTiers(cache: ModelCache, config: ModelCacheConfigInput): void {
  const snap = cache.snapshot();
  const bytes = new Map(config.models.map((m) => [m.name, m.bytes]));
  for (const tier of ['gpu', 'host', 'nvme'] as const) {
    const sum = snap.models[tier].reduce((n, name) => n + (bytes.get(name) ?? 0), 0);
    expect(sum).toBeLessThanOrEqual(snap.capacityBytes[tier]);
    expect(snap.usedBytes[tier]).toBeLessThanOrEqual(snap.capacityBytes[tier] * (1 + 1e-12));
  }
  const all = [...snap.models.gpu, ...snap.models.host, ...snap.models.nvme, ...snap.models.remote];
  expect(all.length).toBe(config.models.length);
  for (const m of config.models) if (m.pinned === true) expect(snap.models.gpu).toContain(m.name);
}

function checkDecision(d: ModelCacheDecision, model: string): void {
  expect(d.model).toBe(model);
  expect(d.reason.length).toBeGreaterThan(0);
  expect(d.detail.length).toBeGreaterThan(0);
  for (const v of [d.loadMs, d.cost, d.gpuSeconds]) {
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeGreaterThanOrEqual(0);
  }
  if (d.kind === 'hit') {
    expect(d.evictions).toEqual([]);
    return;
  }
  for (const e of d.evictions) {
    expect(e.model).not.toBe(model);
    expect(MODEL_CACHE_POLICIES).toContain(e.reason);
    expect(Number.isFinite(e.priority)).toBe(true);
    expect(Number.isFinite(e.reloadMs) && e.reloadMs >= 0).toBe(true);
    expect(Number.isFinite(e.expectedCost) && e.expectedCost >= 0).toBe(true);
    expect(['gpu', 'host', 'nvme'].indexOf(e.fromTier)).toBeLessThan(
      ['gpu', 'host', 'nvme', 'remote'].indexOf(e.toTier),
    );
  }
}

describe('model cache properties', () => {
  it('never overfills a tier, never evicts pinned or the loading model, hits never evict', () => {
    fc.assert(
      fc.property(configArb, opsArb, (config, ops) => {
        const cache = createModelCache(config);
        const pinned = new Set(config.models.filter((m) => m.pinned === true).map((m) => m.name));
        checkTiers(cache, config);
        let now = 0;
        for (const op of ops) {
          now += op.dtMs;
          if (op.kind === 'preload') {
            const before = cache.snapshot().models.gpu;
            const plan = cache.planPreloads();
            const applied = cache.preload(now);
            expect(applied).toEqual(plan);
            for (const p of applied) {
              expect(p.reason.length).toBeGreaterThan(0);
              expect(Number.isFinite(p.expectedBenefit) && p.expectedBenefit >= 0).toBe(true);
              expect(Number.isFinite(p.loadMs) && p.loadMs >= 0).toBe(true);
            }
            // Pre-loading never evicts from GPU memory.
            for (const name of before) expect(cache.tierOf(name)).toBe('gpu');
          } else {
            const name = `m${op.model % config.models.length}`;
            const d = cache.request(name, now);
            checkDecision(d, name);
            for (const e of d.evictions) expect(pinned.has(e.model)).toBe(false);
            expect(cache.tierOf(name)).toBe('gpu');
          }
          checkTiers(cache, config);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('replay totals add up and are deterministic', () => {
    fc.assert(
      fc.property(configArb, opsArb, (config, ops) => {
        let now = 0;
        const requests = ops.map((op) => {
          now += op.dtMs;
          return {
            atMs: now,
            model: `m${(op.kind === 'request' ? op.model : 0) % config.models.length}`,
          };
        });
        const r = replayModelCache(requests, config);
        expect(r.hits + r.coldLoads).toBe(requests.length);
        const { host, nvme, remote } = r.coldLoadsByTier;
        expect(host + nvme + remote).toBe(r.coldLoads);
        const d = r.demotionsByTier;
        expect(d.host + d.nvme + d.remote).toBe(r.evictions);
        for (const v of [r.loadSeconds, r.sloCost, r.gpuHoursLoading]) {
          expect(Number.isFinite(v) && v >= 0).toBe(true);
        }
        expect(replayModelCache(requests, config)).toEqual(r);
      }),
      { numRuns: 1000 },
    );
  });
});
