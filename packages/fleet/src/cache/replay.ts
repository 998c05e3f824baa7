import { HeadroomError } from '@headroom/core';
import {
  parseModelCacheConfig,
  type ModelCacheConfig,
  type ModelCacheConfigInput,
  type ModelCachePolicy,
  type ModelCacheSourceTier,
} from './config.js';
import { createModelCache } from './model-cache.js';

/** One request of a replayed sequence. */
export interface ModelCacheRequest {
  /** When it arrives, epoch ms (or ms from the trace start); finite, non-decreasing. */
  readonly atMs: number;
  /** The model it asks for: a name from the configuration. */
  readonly model: string;
}

/** Options of {@link replayModelCache}. */
export interface ModelCacheReplayOptions {
  /**
   * Replace the configuration's policy, so one configuration replays under several.
   * @defaultValue the configuration's `policy`
   */
  readonly policy?: ModelCachePolicy;
}

/** Totals of a replay. */
export interface ModelCacheReplayResult {
  /** The policy replayed. */
  readonly policy: ModelCachePolicy;
  /** Requests replayed. */
  readonly requests: number;
  /** Requests served from GPU memory. */
  readonly hits: number;
  /** `hits / requests`, 0..1 (0 for no requests). */
  readonly hitRatio: number;
  /** Requests that had to load their model first. */
  readonly coldLoads: number;
  /** Cold loads by the tier they loaded from. */
  readonly coldLoadsByTier: Readonly<Record<ModelCacheSourceTier, number>>;
  /** Evictions, counting every step of a demotion chain. */
  readonly evictions: number;
  /** Evictions by the tier the model was demoted to (`remote`: dropped). */
  readonly demotionsByTier: Readonly<Record<ModelCacheSourceTier, number>>;
  /** Total load delay seen by the requests, seconds. */
  readonly loadSeconds: number;
  /** Total SLO-weighted cold-load cost (`Σ sloCostPerSecond × load seconds`). */
  readonly sloCost: number;
  /** GPU-hours the GPUs spent loading instead of serving (`Σ load seconds × GPUs per load / 3600`). */
  readonly gpuHoursLoading: number;
}

/**
 * Replays a request sequence through a fresh {@link createModelCache} and totals its cold loads,
 * their delay, their SLO cost and the GPU time they burned. Pure and deterministic: the same
 * inputs give the same totals. Every load counts against the request that caused it (requests
 * arriving while a load is in flight are not merged: the delay is per cold request).
 *
 * @throws `HeadroomError` `invalid_config` for a bad configuration; `invalid_input` for a
 * non-finite or out-of-order `atMs` (path `requests.i.atMs`); `not_found` for an unknown model
 * (path `requests.i.model`).
 * @example
 * ```ts
 * const totals = replayModelCache(
 *   [
 *     { atMs: 0, model: 'a' },
 *     { atMs: 10, model: 'b' },
 *     { atMs: 20, model: 'a' },
 *   ],
 *   { policy: 'lru', gpu: { capacityBytes: 20e9 }, models: [{ name: 'a', bytes: 16e9 }, { name: 'b', bytes: 16e9 }] },
 * );
 * totals.coldLoads; // 3
 * ```
 */
export function replayModelCache(
  requests: readonly ModelCacheRequest[],
  config: ModelCacheConfigInput | ModelCacheConfig,
  options: ModelCacheReplayOptions = {},
): ModelCacheReplayResult {
  const parsed = parseModelCacheConfig(config);
  const policy = options.policy ?? parsed.policy;
  const cache = createModelCache(policy === parsed.policy ? parsed : { ...parsed, policy });
  const names = new Set(parsed.models.map((m) => m.name));
  const coldLoadsByTier = { host: 0, nvme: 0, remote: 0 };
  const demotionsByTier = { host: 0, nvme: 0, remote: 0 };
  let hits = 0;
  let evictions = 0;
  let loadMs = 0;
  let sloCost = 0;
  let gpuSeconds = 0;
  let previous = Number.NEGATIVE_INFINITY;
  requests.forEach((r, i) => {
    if (!(typeof r.atMs === 'number' && Number.isFinite(r.atMs) && r.atMs >= previous)) {
      throw new HeadroomError({
        code: 'invalid_input',
        message: `must be finite and not before the previous request (${previous})`,
        path: ['requests', i, 'atMs'],
        value: r.atMs,
      });
    }
    previous = r.atMs;
    if (!names.has(r.model)) {
      throw new HeadroomError({
        code: 'not_found',
        message: 'no model of this name in the cache configuration',
        path: ['requests', i, 'model'],
        value: r.model,
      });
    }
    const d = cache.request(r.model, r.atMs);
    if (d.kind === 'hit') {
      hits += 1;
      return;
    }
    coldLoadsByTier[d.fromTier] += 1;
    loadMs += d.loadMs;
    sloCost += d.cost;
    gpuSeconds += d.gpuSeconds;
    for (const e of d.evictions) {
      evictions += 1;
      demotionsByTier[e.toTier] += 1;
    }
  });
  const n = requests.length;
  return {
    policy,
    requests: n,
    hits,
    hitRatio: n === 0 ? 0 : hits / n,
    coldLoads: n - hits,
    coldLoadsByTier,
    evictions,
    demotionsByTier,
    loadSeconds: loadMs / 1000,
    sloCost,
    gpuHoursLoading: gpuSeconds / 3600,
  };
}
