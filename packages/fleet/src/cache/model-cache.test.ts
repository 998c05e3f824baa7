import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import {
  createModelCache,
  modelLoadMs,
  parseModelCacheConfig,
  replayModelCache,
  type ModelCacheDecision,
  type ModelCacheLoad,
} from './index.js';
import { thrown } from '../../../../tools/test-utils.js';

const GB = 1e9;

function asLoad(d: ModelCacheDecision): ModelCacheLoad {
  if (d.kind !== 'load') throw new Error(`expected a load, got ${d.kind}`);
  return d;
}

describe('createModelCache', () => {
  it('loads from remote on the first request, then hits without evicting', () => {
    const cache = createModelCache({
      gpu: { capacityBytes: 80 * GB },
      models: [{ name: 'a', bytes: 16 * GB, sloCostPerSecond: 2 }],
    });
    const first = asLoad(cache.request('a', 0));
    expect(first.fromTier).toBe('remote');
    expect(first.reason).toBe('miss');
    expect(first.loadMs).toBe(16_000); // 16 GB at the 1 GB/s default
    expect(first.cost).toBe(32); // 16 s × 2 per second
    expect(first.gpuSeconds).toBe(16);
    expect(first.evictions).toEqual([]);
    const second = cache.request('a', 1_000);
    expect(second).toMatchObject({ kind: 'hit', tier: 'gpu', reason: 'resident', loadMs: 0 });
    expect(second.evictions).toEqual([]);
  });

  it('demotes an evicted model to host RAM and reloads it from there', () => {
    const cache = createModelCache({
      policy: 'lru',
      gpu: { capacityBytes: 20 * GB },
      host: { capacityBytes: 100 * GB },
      models: [
        { name: 'a', bytes: 16 * GB },
        { name: 'b', bytes: 16 * GB },
      ],
    });
    cache.request('a', 0);
    const b = asLoad(cache.request('b', 1));
    expect(b.evictions).toHaveLength(1);
    expect(b.evictions[0]).toMatchObject({
      model: 'a',
      fromTier: 'gpu',
      toTier: 'host',
      reason: 'lru',
      priority: 0,
      reloadMs: 1_000, // 16 GB at 16 GB/s
    });
    // Requested once: chance of a next request 1/2, one reload costs 1 s × 1.
    expect(b.evictions[0]?.expectedCost).toBeCloseTo(0.5);
    expect(cache.tierOf('a')).toBe('host');
    const again = asLoad(cache.request('a', 2));
    expect(again.fromTier).toBe('host');
    expect(again.loadMs).toBe(1_000);
    // Exclusive tiers: a left host, b took its place.
    expect(cache.snapshot().models).toEqual({ gpu: ['a'], host: ['b'], nvme: [], remote: [] });
  });

  it('cascades down the demotion chain gpu -> host -> nvme -> remote', () => {
    const cache = createModelCache({
      policy: 'lru',
      gpu: { capacityBytes: 20 * GB },
      host: { capacityBytes: 20 * GB },
      nvme: { capacityBytes: 20 * GB },
      models: ['a', 'b', 'c', 'd'].map((name) => ({ name, bytes: 16 * GB })),
    });
    cache.request('a', 0);
    cache.request('b', 1);
    cache.request('c', 2);
    const d = asLoad(cache.request('d', 3));
    expect(d.evictions.map((e) => [e.model, e.fromTier, e.toTier])).toEqual([
      ['c', 'gpu', 'host'],
      ['b', 'host', 'nvme'],
      ['a', 'nvme', 'remote'],
    ]);
    expect(cache.snapshot().models).toEqual({
      gpu: ['d'],
      host: ['c'],
      nvme: ['b'],
      remote: ['a'],
    });
    const b = asLoad(cache.request('b', 4));
    expect(b.fromTier).toBe('nvme');
    expect(b.loadMs).toBeCloseTo(16_000 / 3); // 16 GB at 3 GB/s
  });

  it('skips a tier too small for the evicted model', () => {
    const cache = createModelCache({
      policy: 'lru',
      gpu: { capacityBytes: 40 * GB },
      host: { capacityBytes: 10 * GB },
      nvme: { capacityBytes: 100 * GB },
      models: [
        { name: 'big', bytes: 30 * GB },
        { name: 'other', bytes: 30 * GB },
      ],
    });
    cache.request('big', 0);
    const d = asLoad(cache.request('other', 1));
    expect(d.evictions[0]).toMatchObject({ model: 'big', fromTier: 'gpu', toTier: 'nvme' });
  });

  it('orders evictions by GreedyDual-Size-Frequency and inflates the clock', () => {
    const config = {
      gpu: { capacityBytes: 40 * GB },
      models: [
        { name: 'chat', bytes: 16 * GB, sloCostPerSecond: 10 },
        { name: 'batch', bytes: 16 * GB, sloCostPerSecond: 1 },
        { name: 'new', bytes: 16 * GB, sloCostPerSecond: 1 },
      ],
    };
    const gdsf = createModelCache({ ...config, policy: 'cost-aware' });
    gdsf.request('chat', 0);
    gdsf.request('batch', 1);
    const d = asLoad(gdsf.request('new', 2));
    // chat: 0 + 1 × (10/s × 16 s) / 16 GB = 10; batch: 0 + 1 × 16 / 16 = 1. The lowest goes.
    expect(d.evictions).toHaveLength(1);
    expect(d.evictions[0]).toMatchObject({ model: 'batch', reason: 'cost-aware', priority: 1 });
    expect(gdsf.snapshot().clock.gpu).toBe(1);
    // LRU evicts the oldest regardless of cost.
    const lru = createModelCache({ ...config, policy: 'lru' });
    lru.request('chat', 0);
    lru.request('batch', 1);
    expect(asLoad(lru.request('new', 2)).evictions[0]?.model).toBe('chat');
    // LFU keeps the most requested; ties by recency.
    const lfu = createModelCache({ ...config, policy: 'lfu' });
    lfu.request('batch', 0);
    lfu.request('batch', 1);
    lfu.request('chat', 2);
    expect(asLoad(lfu.request('new', 3)).evictions[0]).toMatchObject({
      model: 'chat',
      reason: 'lfu',
      priority: 1,
    });
  });

  it('ages idle models: the clock lets recent models overtake a once-popular one', () => {
    const config = {
      gpu: { capacityBytes: 32 * GB },
      models: ['a', 'b', 'c'].map((name) => ({ name, bytes: 16 * GB })),
    };
    const sequence = ['a', 'a', 'a', 'b', 'c', 'b'];
    const gdsf = createModelCache({ ...config, policy: 'cost-aware' });
    const lfu = createModelCache({ ...config, policy: 'lfu' });
    sequence.forEach((m, t) => {
      gdsf.request(m, t);
      lfu.request(m, t);
    });
    // H(a) = 3; b in at 1, evicted by c (clock 1); c in at 2, evicted by b (clock 2), b at 4.
    expect(gdsf.snapshot().clock.gpu).toBe(2);
    const d = asLoad(gdsf.request('c', 6));
    expect(d.evictions[0]).toMatchObject({ model: 'a', priority: 3 });
    expect(gdsf.snapshot().clock.gpu).toBe(3);
    // LFU never forgets a's three requests.
    expect(asLoad(lfu.request('c', 6)).evictions[0]?.model).toBe('b');
  });

  it('never evicts a pinned model', () => {
    const cache = createModelCache({
      policy: 'lru',
      gpu: { capacityBytes: 40 * GB },
      models: [
        { name: 'pinned', bytes: 16 * GB, pinned: true },
        { name: 'a', bytes: 16 * GB },
        { name: 'b', bytes: 16 * GB },
      ],
    });
    expect(cache.tierOf('pinned')).toBe('gpu');
    cache.request('a', 10);
    const b = asLoad(cache.request('b', 20));
    expect(b.evictions.map((e) => e.model)).toEqual(['a']);
    expect(cache.request('pinned', 30).kind).toBe('hit');
  });

  it('rejects a model larger than the GPU tier with a typed error', () => {
    const big = thrown(() =>
      createModelCache({
        gpu: { capacityBytes: 80 * GB },
        models: [
          { name: 'a', bytes: 16 * GB },
          { name: 'llama-70b', bytes: 140 * GB },
        ],
      }),
    );
    expect(isHeadroomError(big, 'invalid_config')).toBe(true);
    expect(isHeadroomError(big) && big.path).toEqual(['models', 1, 'bytes']);
    expect(String(big)).toContain('larger than the GPU tier');
    const besidePinned = thrown(() =>
      createModelCache({
        gpu: { capacityBytes: 80 * GB },
        models: [
          { name: 'p', bytes: 60 * GB, pinned: true },
          { name: 'a', bytes: 30 * GB },
        ],
      }),
    );
    expect(isHeadroomError(besidePinned, 'invalid_config') && besidePinned.path).toEqual([
      'models',
      1,
      'bytes',
    ]);
  });

  it('rejects bad configuration and arguments naming where', () => {
    const dup = thrown(() =>
      createModelCache({
        gpu: { capacityBytes: GB },
        models: [
          { name: 'a', bytes: 1 },
          { name: 'a', bytes: 1 },
        ],
      }),
    );
    expect(isHeadroomError(dup, 'invalid_config') && dup.path).toEqual(['models', 1, 'name']);
    const nan = thrown(() =>
      createModelCache({ gpu: { capacityBytes: Number.NaN }, models: [{ name: 'a', bytes: 1 }] }),
    );
    expect(isHeadroomError(nan, 'invalid_config') && nan.path).toEqual(['gpu', 'capacityBytes']);
    const cache = createModelCache({
      gpu: { capacityBytes: GB },
      models: [{ name: 'a', bytes: 1 }],
    });
    expect(
      isHeadroomError(
        thrown(() => cache.request('zz', 0)),
        'not_found',
      ),
    ).toBe(true);
    expect(
      isHeadroomError(
        thrown(() => cache.request('a', Number.NaN)),
        'invalid_argument',
      ),
    ).toBe(true);
  });

  it('treats an earlier nowMs as the latest seen', () => {
    const cache = createModelCache({
      policy: 'lru',
      gpu: { capacityBytes: 20 * GB },
      models: ['a', 'b', 'c'].map((name) => ({ name, bytes: 10 * GB })),
    });
    cache.request('a', 100);
    cache.request('b', 50); // read as 100: ties with a, configuration order breaks it
    expect(asLoad(cache.request('c', 200)).evictions[0]?.model).toBe('a');
  });

  it('proposes pre-loads: flagged first, then by benefit, into free GPU then host memory', () => {
    const cache = createModelCache({
      policy: 'lru',
      gpu: { capacityBytes: 40 * GB },
      host: { capacityBytes: 40 * GB },
      models: [
        { name: 'warm', bytes: 16 * GB, preload: true },
        { name: 'hot', bytes: 16 * GB, sloCostPerSecond: 5 },
        { name: 'cool', bytes: 16 * GB },
        { name: 'never', bytes: 8 * GB },
      ],
    });
    expect(cache.planPreloads().map((p) => [p.model, p.toTier, p.reason])).toEqual([
      ['warm', 'gpu', 'flagged'],
    ]);
    cache.request('hot', 0);
    cache.request('cool', 1);
    cache.request('warm', 2); // evicts hot to host
    cache.request('cool', 3);
    // GPU: warm + cool (32 of 40 GB). hot is in host; never has no requests.
    expect(cache.snapshot().models.host).toEqual(['hot']);
    expect(cache.planPreloads()).toEqual([]); // hot (16 GB) does not fit the 8 GB free
    const roomy = createModelCache({
      gpu: { capacityBytes: 40 * GB },
      host: { capacityBytes: 40 * GB },
      models: [
        { name: 'hot', bytes: 16 * GB, sloCostPerSecond: 5 },
        { name: 'cool', bytes: 16 * GB },
        { name: 'big', bytes: 30 * GB },
      ],
    });
    roomy.request('hot', 0);
    roomy.request('cool', 1);
    roomy.request('big', 2); // evicts one of them to host
    roomy.request('big', 3);
    const plan = roomy.planPreloads();
    expect(plan.every((p) => p.reason === 'expected_benefit')).toBe(true);
    expect(plan.every((p) => p.expectedBenefit > 0)).toBe(true);
    const applied = roomy.preload(4);
    expect(applied).toEqual(plan);
    for (const p of applied) expect(roomy.tierOf(p.model)).toBe(p.toTier);
    const snap = roomy.snapshot();
    expect(snap.usedBytes.gpu).toBeLessThanOrEqual(snap.capacityBytes.gpu);
  });

  it('pre-loads into host RAM when the model does not fit free GPU memory', () => {
    const cache = createModelCache({
      policy: 'lru',
      gpu: { capacityBytes: 20 * GB },
      host: { capacityBytes: 40 * GB },
      models: [
        { name: 'a', bytes: 16 * GB },
        { name: 'b', bytes: 16 * GB },
      ],
    });
    cache.request('a', 0);
    const plan = cache.preload(1);
    expect(plan).toEqual([]);
    const flagged = createModelCache({
      gpu: { capacityBytes: 40 * GB },
      host: { capacityBytes: 40 * GB },
      models: [
        { name: 'a', bytes: 16 * GB },
        { name: 'b', bytes: 32 * GB, preload: true },
      ],
    });
    flagged.request('a', 0);
    const [p] = flagged.preload(1);
    expect(p).toMatchObject({ model: 'b', fromTier: 'remote', toTier: 'host', reason: 'flagged' });
    // The copy into host RAM is the remote read less the PCIe copy left for later: 32 s - 2 s.
    expect(p?.loadMs).toBe(30_000);
    expect(flagged.tierOf('b')).toBe('host');
  });
});

describe('modelLoadMs', () => {
  it('uses bandwidth, latency and warm-up, or a measured time', () => {
    const config = parseModelCacheConfig({
      gpu: { capacityBytes: 80 * GB },
      nvme: { capacityBytes: 1e12, bandwidthBytesPerSecond: 2 * GB, latencyMs: 100 },
      models: [
        { name: 'a', bytes: 16 * GB, warmupMs: 12_000 },
        { name: 'b', bytes: 16 * GB, loadMs: { nvme: 3_700 } },
      ],
    });
    const [a, b] = config.models;
    if (a === undefined || b === undefined) throw new Error('models');
    expect(modelLoadMs(config, a, 'nvme')).toBe(100 + 8_000 + 12_000);
    expect(modelLoadMs(config, a, 'host')).toBe(1_000 + 12_000);
    expect(modelLoadMs(config, b, 'nvme')).toBe(3_700);
    expect(modelLoadMs(config, b, 'remote')).toBe(16_000);
  });
});

describe('replayModelCache', () => {
  const config = {
    gpu: { capacityBytes: 20 * GB },
    host: { capacityBytes: 40 * GB },
    models: [
      { name: 'a', bytes: 16 * GB, sloCostPerSecond: 2 },
      { name: 'b', bytes: 16 * GB },
    ],
  };
  const requests = [
    { atMs: 0, model: 'a' },
    { atMs: 10, model: 'a' },
    { atMs: 20, model: 'b' },
    { atMs: 30, model: 'a' },
  ];

  it('totals hits, cold loads by tier, delay, SLO cost and GPU-hours', () => {
    const r = replayModelCache(requests, config, { policy: 'lru' });
    expect(r).toMatchObject({
      policy: 'lru',
      requests: 4,
      hits: 1,
      hitRatio: 0.25,
      coldLoads: 3,
      coldLoadsByTier: { host: 1, nvme: 0, remote: 2 },
      evictions: 2,
      demotionsByTier: { host: 2, nvme: 0, remote: 0 },
    });
    // 16 s + 16 s from remote, 1 s from host.
    expect(r.loadSeconds).toBeCloseTo(33);
    expect(r.sloCost).toBeCloseTo(16 * 2 + 16 + 1 * 2);
    expect(r.gpuHoursLoading).toBeCloseTo(33 / 3600);
    expect(replayModelCache(requests, config, { policy: 'lru' })).toEqual(r);
  });

  it('counts GPUs per load from bytesPerGpu', () => {
    const r = replayModelCache([{ atMs: 0, model: 'a' }], {
      gpu: { capacityBytes: 160 * GB, bytesPerGpu: 10 * GB },
      models: [{ name: 'a', bytes: 16 * GB }],
    });
    expect(r.gpuHoursLoading).toBeCloseTo((16 * 2) / 3600);
  });

  it('rejects unsorted times and unknown models with their path', () => {
    const unsorted = thrown(() =>
      replayModelCache(
        [
          { atMs: 10, model: 'a' },
          { atMs: 5, model: 'a' },
        ],
        config,
      ),
    );
    expect(isHeadroomError(unsorted, 'invalid_input') && unsorted.path).toEqual([
      'requests',
      1,
      'atMs',
    ]);
    const unknown = thrown(() => replayModelCache([{ atMs: 0, model: 'x' }], config));
    expect(isHeadroomError(unknown, 'not_found') && unknown.path).toEqual(['requests', 0, 'model']);
  });
});
