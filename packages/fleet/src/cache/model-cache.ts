import { HeadroomError, requireNumber } from '@headroom/core';
import {
  modelLoadMs,
  parseModelCacheConfig,
  type ModelCacheBoundedTier,
  type ModelCacheConfig,
  type ModelCacheConfigInput,
  type ModelCacheModel,
  type ModelCachePolicy,
  type ModelCacheSourceTier,
  type ModelCacheTier,
} from './config.js';

/** Why a model was evicted: the policy that chose it. */
export type ModelCacheEvictionReason = ModelCachePolicy;

/** One eviction (demotion) a request caused. */
export interface ModelCacheEviction {
  /** The evicted model. */
  readonly model: string;
  /** The tier it left. */
  readonly fromTier: ModelCacheBoundedTier;
  /**
   * The tier it was demoted to: the next lower tier that can hold it (`gpu` -> `host` -> `nvme`),
   * or `remote` when it was dropped (the store always has a copy).
   */
  readonly toTier: ModelCacheSourceTier;
  /** The policy that chose it; see {@link ModelCachePolicy}. */
  readonly reason: ModelCacheEvictionReason;
  /**
   * The value the policy ranked it by (the lowest in its tier): the last request time, epoch ms
   * (`lru`); the request count (`lfu`); the GreedyDual-Size-Frequency priority (`cost-aware`).
   */
  readonly priority: number;
  /** How long reloading it into GPU memory from `toTier` would take, ms. */
  readonly reloadMs: number;
  /**
   * The expected SLO cost of this eviction, >= 0: the cost of one reload from `toTier`
   * (`sloCostPerSecond × reloadMs / 1000`) times the chance it is requested again, estimated
   * from its request count `f` as `f / (f + 1)`.
   */
  readonly expectedCost: number;
  /** The eviction in words, for a person (not a stable format). */
  readonly detail: string;
}

/** The model was already in GPU memory: nothing to load, nothing evicted. */
export interface ModelCacheHit {
  /** Discriminant. */
  readonly kind: 'hit';
  /** The requested model. */
  readonly model: string;
  /** Where it served from: always `gpu`. */
  readonly tier: 'gpu';
  /** Why: it was resident. */
  readonly reason: 'resident';
  /** Load delay, ms: 0. */
  readonly loadMs: 0;
  /** SLO cost of the request's load delay: 0. */
  readonly cost: 0;
  /** GPU-seconds spent loading: 0. */
  readonly gpuSeconds: 0;
  /** Evictions: none, ever, on a hit. */
  readonly evictions: readonly [];
  /** The decision in words. */
  readonly detail: string;
}

/** The model was not in GPU memory: it was loaded, evicting others if needed. */
export interface ModelCacheLoad {
  /** Discriminant. */
  readonly kind: 'load';
  /** The requested model. */
  readonly model: string;
  /** The tier it was loaded from (a cold load from `host`, `nvme` or `remote`). */
  readonly fromTier: ModelCacheSourceTier;
  /** Why: it missed in GPU memory. */
  readonly reason: 'miss';
  /** The load delay the request sees, ms, >= 0. */
  readonly loadMs: number;
  /** The SLO cost of that delay: `sloCostPerSecond × loadMs / 1000`, >= 0. */
  readonly cost: number;
  /** GPU-seconds busy loading instead of serving: `loadMs / 1000 × ceil(bytes / bytesPerGpu)`. */
  readonly gpuSeconds: number;
  /** The models evicted to make room, in the order they were evicted (cascades included). */
  readonly evictions: readonly ModelCacheEviction[];
  /** The decision in words. */
  readonly detail: string;
}

/** What {@link ModelCache.request} returns. */
export type ModelCacheDecision = ModelCacheHit | ModelCacheLoad;

/** Why a pre-load was proposed. */
export type ModelCachePreloadReason =
  /** The model is flagged `preload`. */
  | 'flagged'
  /** Its expected saving is positive and it fits free memory. */
  | 'expected_benefit';

/** A proposed (or applied) pre-load into free memory: it never evicts. */
export interface ModelCachePreload {
  /** The model. */
  readonly model: string;
  /** Where it is now. */
  readonly fromTier: ModelCacheSourceTier;
  /** Where it would go: GPU memory, or host RAM when it does not fit the free GPU memory. */
  readonly toTier: 'gpu' | 'host';
  /** Why; see {@link ModelCachePreloadReason}. */
  readonly reason: ModelCachePreloadReason;
  /** How long the copy takes, ms (off the request path). */
  readonly loadMs: number;
  /**
   * Expected SLO cost saved, >= 0: the drop in one future load's cost (from `fromTier` to
   * `toTier`) times the chance of a next request `f / (f + 1)`.
   */
  readonly expectedBenefit: number;
  /** The proposal in words. */
  readonly detail: string;
}

/** Where every model is, and how full each tier is. */
export interface ModelCacheSnapshot {
  /** Model names per tier, in configuration order (`remote`: those in no faster tier). */
  readonly models: Readonly<Record<ModelCacheTier, readonly string[]>>;
  /** Bytes held per bounded tier. */
  readonly usedBytes: Readonly<Record<ModelCacheBoundedTier, number>>;
  /** Capacity per bounded tier, bytes. */
  readonly capacityBytes: Readonly<Record<ModelCacheBoundedTier, number>>;
  /** The GreedyDual clock of each bounded tier (0 under `lru` and `lfu`). */
  readonly clock: Readonly<Record<ModelCacheBoundedTier, number>>;
}

/** A stateful tiered model cache; see {@link createModelCache}. */
export interface ModelCache {
  /** The validated configuration. */
  readonly config: ModelCacheConfig;
  /**
   * Serves one request for `model` at `nowMs`: a hit when it is in GPU memory, else a load from
   * its fastest tier, evicting (demoting) others until it fits.
   *
   * @throws `HeadroomError` `not_found` for a model not in the configuration;
   * `invalid_argument` for a non-finite `nowMs`.
   */
  request(model: string, nowMs: number): ModelCacheDecision;
  /**
   * Proposes pre-loads into free GPU memory, then free host RAM, without evicting anything:
   * flagged models first, then by expected benefit per GB. Does not change the cache.
   */
  planPreloads(): readonly ModelCachePreload[];
  /**
   * Applies {@link ModelCache.planPreloads} at `nowMs` and returns what it loaded.
   *
   * @throws `HeadroomError` `invalid_argument` for a non-finite `nowMs`.
   */
  preload(nowMs: number): readonly ModelCachePreload[];
  /** Where every model is now. */
  snapshot(): ModelCacheSnapshot;
  /** The tier `model` is in now. @throws `HeadroomError` `not_found` for an unknown model. */
  tierOf(model: string): ModelCacheTier;
}

const GPU = 0;
const HOST = 1;
const NVME = 2;
const REMOTE = 3;
const TIER_NAMES = ['gpu', 'host', 'nvme', 'remote'] as const;
const BYTES_PER_GB = 1e9;

function reuseProbability(frequency: number): number {
  return frequency / (frequency + 1);
}

class TieredModelCache implements ModelCache {
  readonly config: ModelCacheConfig;
  readonly #models: readonly ModelCacheModel[];
  readonly #index: ReadonlyMap<string, number>;
  readonly #tier: Uint8Array;
  readonly #lastAccessMs: Float64Array;
  readonly #frequency: Float64Array;
  readonly #priority: Float64Array;
  /** loadMs from host, nvme, remote per model: [i * 3 + (tier - 1)]. */
  readonly #loadMs: Float64Array;
  readonly #gpusPerLoad: Float64Array;
  readonly #capacity: readonly [number, number, number];
  readonly #used: [number, number, number] = [0, 0, 0];
  readonly #clock: [number, number, number] = [0, 0, 0];
  #nowMs = Number.NEGATIVE_INFINITY;

  constructor(config: ModelCacheConfig) {
    this.config = config;
    this.#models = config.models;
    const n = config.models.length;
    this.#index = new Map(config.models.map((m, i) => [m.name, i]));
    this.#tier = new Uint8Array(n).fill(REMOTE);
    this.#lastAccessMs = new Float64Array(n);
    this.#frequency = new Float64Array(n);
    this.#priority = new Float64Array(n);
    this.#loadMs = new Float64Array(n * 3);
    this.#gpusPerLoad = new Float64Array(n);
    this.#capacity = [
      config.gpu.capacityBytes,
      config.host.capacityBytes,
      config.nvme.capacityBytes,
    ];
    const bytesPerGpu = config.gpu.bytesPerGpu ?? config.gpu.capacityBytes;
    config.models.forEach((m, i) => {
      this.#loadMs[i * 3] = modelLoadMs(config, m, 'host');
      this.#loadMs[i * 3 + 1] = modelLoadMs(config, m, 'nvme');
      this.#loadMs[i * 3 + 2] = modelLoadMs(config, m, 'remote');
      this.#gpusPerLoad[i] = Math.max(1, Math.ceil(m.bytes / bytesPerGpu));
      if (m.pinned) {
        // Validated: pinned models fit the GPU tier together.
        this.#tier[i] = GPU;
        this.#used[GPU] += m.bytes;
      }
    });
  }

  #model(i: number): ModelCacheModel {
    return this.#models[i] as ModelCacheModel;
  }

  #find(name: string): number {
    const i = this.#index.get(name);
    if (i === undefined) {
      throw new HeadroomError({
        code: 'not_found',
        message: 'no model of this name in the cache configuration',
        path: ['model'],
        value: name,
      });
    }
    return i;
  }

  #advance(nowMs: number): number {
    requireNumber(nowMs, ['nowMs']);
    // Time never runs backwards: an earlier nowMs is read as the latest one seen.
    if (nowMs > this.#nowMs) this.#nowMs = nowMs;
    return this.#nowMs;
  }

  /** Load time into GPU memory from a tier (0 from gpu). */
  #loadFrom(i: number, tier: number): number {
    return tier === GPU ? 0 : (this.#loadMs[i * 3 + tier - 1] as number);
  }

  #costOf(i: number, loadMs: number): number {
    return (this.#model(i).sloCostPerSecond * loadMs) / 1000;
  }

  /** The tier a model evicted from `tier` lands in: the next lower one that can hold it. */
  #demotionTarget(i: number, tier: number): number {
    const bytes = this.#model(i).bytes;
    for (let t = tier + 1; t < REMOTE; t++) {
      if (bytes <= (this.#capacity[t] as number)) return t;
    }
    return REMOTE;
  }

  /**
   * GreedyDual-Size-Frequency priority of model i entering or touched in `tier`: the tier's
   * clock + frequency × (the extra SLO cost of reloading it once evicted) / size in GB.
   */
  #gdsf(i: number, tier: number): number {
    const m = this.#model(i);
    const target = this.#demotionTarget(i, tier);
    const extraMs = Math.max(0, this.#loadFrom(i, target) - this.#loadFrom(i, tier));
    return (
      (this.#clock[tier] as number) +
      ((this.#frequency[i] as number) * this.#costOf(i, extraMs)) / (m.bytes / BYTES_PER_GB)
    );
  }

  #rank(i: number): number {
    switch (this.config.policy) {
      case 'lru':
        return this.#lastAccessMs[i] as number;
      case 'lfu':
        return this.#frequency[i] as number;
      default:
        return this.#priority[i] as number;
    }
  }

  /** The model the policy evicts from `tier`, never a pinned one or `exclude`; -1 when none. */
  #victim(tier: number, exclude: number): number {
    let best = -1;
    let bestRank = 0;
    let bestLast = 0;
    for (let i = 0; i < this.#models.length; i++) {
      if (this.#tier[i] !== tier || i === exclude || this.#model(i).pinned) continue;
      const rank = this.#rank(i);
      const last = this.#lastAccessMs[i] as number;
      // Ties: least recently requested first, then configuration order.
      if (best === -1 || rank < bestRank || (rank === bestRank && last < bestLast)) {
        best = i;
        bestRank = rank;
        bestLast = last;
      }
    }
    return best;
  }

  #place(i: number, tier: number): void {
    const from = this.#tier[i] as number;
    if (from < REMOTE) this.#used[from as 0 | 1 | 2] -= this.#model(i).bytes;
    this.#tier[i] = tier;
    if (tier < REMOTE) {
      this.#used[tier as 0 | 1 | 2] += this.#model(i).bytes;
      if (this.config.policy === 'cost-aware') this.#priority[i] = this.#gdsf(i, tier);
    }
  }

  /** Frees `bytes` in `tier` by demoting victims down the chain; records every eviction. */
  #makeRoom(tier: number, bytes: number, exclude: number, out: ModelCacheEviction[]): void {
    const capacity = this.#capacity[tier] as number;
    while ((this.#used[tier] as number) + bytes > capacity) {
      const v = this.#victim(tier, exclude);
      // Unreachable: validation keeps every model within the room left beside pinned ones.
      if (v === -1) break;
      const priority = this.#rank(v);
      if (this.config.policy === 'cost-aware') this.#clock[tier] = priority;
      const target = this.#demotionTarget(v, tier);
      const reloadMs = this.#loadFrom(v, target);
      const f = this.#frequency[v] as number;
      const expectedCost = this.#costOf(v, reloadMs) * reuseProbability(f);
      const m = this.#model(v);
      out.push({
        model: m.name,
        fromTier: TIER_NAMES[tier] as ModelCacheBoundedTier,
        toTier: TIER_NAMES[target] as ModelCacheSourceTier,
        reason: this.config.policy,
        priority,
        reloadMs,
        expectedCost,
        detail: `${m.name} (${m.bytes} bytes, ${f} requests) ${TIER_NAMES[tier]} -> ${TIER_NAMES[target]} by ${this.config.policy} (priority ${Number(priority.toPrecision(4))}); a reload takes ${Math.round(reloadMs)} ms, expected cost ${expectedCost.toFixed(3)}`,
      });
      // Take it out first, so the chain below may use the space it leaves.
      this.#place(v, REMOTE);
      if (target < REMOTE) this.#makeRoom(target, m.bytes, -1, out);
      this.#place(v, target);
    }
  }

  request(model: string, nowMs: number): ModelCacheDecision {
    const i = this.#find(model);
    const now = this.#advance(nowMs);
    this.#frequency[i] = (this.#frequency[i] as number) + 1;
    this.#lastAccessMs[i] = now;
    const from = this.#tier[i] as number;
    if (from === GPU) {
      if (this.config.policy === 'cost-aware') this.#priority[i] = this.#gdsf(i, GPU);
      return {
        kind: 'hit',
        model,
        tier: 'gpu',
        reason: 'resident',
        loadMs: 0,
        cost: 0,
        gpuSeconds: 0,
        evictions: [],
        detail: `${model} is resident in GPU memory`,
      };
    }
    const loadMs = this.#loadFrom(i, from);
    const m = this.#model(i);
    const evictions: ModelCacheEviction[] = [];
    // Exclusive tiers: the copy leaves its tier as it is promoted.
    this.#place(i, REMOTE);
    this.#makeRoom(GPU, m.bytes, i, evictions);
    this.#place(i, GPU);
    const cost = this.#costOf(i, loadMs);
    const fromTier = TIER_NAMES[from] as ModelCacheSourceTier;
    return {
      kind: 'load',
      model,
      fromTier,
      reason: 'miss',
      loadMs,
      cost,
      gpuSeconds: (loadMs / 1000) * (this.#gpusPerLoad[i] as number),
      evictions,
      detail: `${model} missed in GPU memory: loaded from ${fromTier} in ${Math.round(loadMs)} ms (cost ${cost.toFixed(3)}), ${evictions.length} eviction(s)`,
    };
  }

  planPreloads(): readonly ModelCachePreload[] {
    const candidates: { i: number; flagged: boolean; density: number }[] = [];
    for (let i = 0; i < this.#models.length; i++) {
      if (this.#tier[i] === GPU) continue;
      const m = this.#model(i);
      const f = this.#frequency[i] as number;
      if (!m.preload && f === 0) continue;
      const saved = this.#costOf(i, this.#loadFrom(i, this.#tier[i] as number));
      candidates.push({
        i,
        flagged: m.preload,
        density: (saved * reuseProbability(f)) / (m.bytes / BYTES_PER_GB),
      });
    }
    candidates.sort((a, b) =>
      a.flagged !== b.flagged ? (a.flagged ? -1 : 1) : b.density - a.density || a.i - b.i,
    );
    let gpuFree = (this.#capacity[GPU] as number) - (this.#used[GPU] as number);
    let hostFree = (this.#capacity[HOST] as number) - (this.#used[HOST] as number);
    const out: ModelCachePreload[] = [];
    for (const { i, flagged } of candidates) {
      const m = this.#model(i);
      const from = this.#tier[i] as number;
      const f = this.#frequency[i] as number;
      const reason: ModelCachePreloadReason = flagged ? 'flagged' : 'expected_benefit';
      const fromMs = this.#loadFrom(i, from);
      let to: number;
      if (m.bytes <= gpuFree) {
        to = GPU;
        gpuFree -= m.bytes;
        if (from === HOST) hostFree += m.bytes;
      } else if (from > HOST && m.bytes <= hostFree && this.#loadFrom(i, HOST) < fromMs) {
        to = HOST;
        hostFree -= m.bytes;
      } else {
        continue;
      }
      const benefit = Math.max(
        0,
        (this.#costOf(i, fromMs) - this.#costOf(i, this.#loadFrom(i, to))) * reuseProbability(f),
      );
      if (!flagged && benefit <= 0) {
        // Undo the reservation: nothing to gain.
        if (to === GPU) {
          gpuFree += m.bytes;
          if (from === HOST) hostFree -= m.bytes;
        } else hostFree += m.bytes;
        continue;
      }
      // The copy time into host RAM is the remote/NVMe read; from host to GPU the PCIe copy.
      const copyMs = to === GPU ? fromMs : Math.max(0, fromMs - this.#loadFrom(i, HOST));
      out.push({
        model: m.name,
        fromTier: TIER_NAMES[from] as ModelCacheSourceTier,
        toTier: TIER_NAMES[to] as 'gpu' | 'host',
        reason,
        loadMs: copyMs,
        expectedBenefit: benefit,
        detail: `${m.name}: ${TIER_NAMES[from]} -> ${TIER_NAMES[to]} (${reason}, ${f} requests), expected saving ${benefit.toFixed(3)}`,
      });
    }
    return out;
  }

  preload(nowMs: number): readonly ModelCachePreload[] {
    const now = this.#advance(nowMs);
    const plan = this.planPreloads();
    for (const p of plan) {
      const i = this.#find(p.model);
      this.#lastAccessMs[i] = Math.max(this.#lastAccessMs[i] as number, now);
      this.#place(i, p.toTier === 'gpu' ? GPU : HOST);
    }
    return plan;
  }

  snapshot(): ModelCacheSnapshot {
    const models: Record<ModelCacheTier, string[]> = { gpu: [], host: [], nvme: [], remote: [] };
    this.#models.forEach((m, i) => {
      models[TIER_NAMES[this.#tier[i] as number] as ModelCacheTier].push(m.name);
    });
    return {
      models,
      usedBytes: { gpu: this.#used[GPU], host: this.#used[HOST], nvme: this.#used[NVME] },
      capacityBytes: {
        gpu: this.#capacity[GPU],
        host: this.#capacity[HOST],
        nvme: this.#capacity[NVME],
      },
      clock: { gpu: this.#clock[GPU], host: this.#clock[HOST], nvme: this.#clock[NVME] },
    };
  }

  tierOf(model: string): ModelCacheTier {
    return TIER_NAMES[this.#tier[this.#find(model)] as number] as ModelCacheTier;
  }
}

/**
 * Creates a tiered model cache: which models sit in GPU memory (serving), which in host RAM,
 * local NVMe or only the remote store, so that expected cold loads, weighted by their SLO cost,
 * stay low.
 *
 * Semantics:
 *
 * - Tiers are exclusive: a model is in exactly one of `gpu`, `host`, `nvme`, or only in
 *   `remote`; promoting it frees its old tier, and evicting it demotes it one tier down the chain
 *   `gpu -> host -> nvme -> remote` (skipping a tier too small to hold it), evicting there in
 *   turn. This is the DEMOTE scheme of exclusive multi-level caching (Wong and Wilkes, "My cache
 *   or yours?", USENIX ATC 2002): the lower tiers act as a victim cache rather than duplicates.
 *   Copies made by demotion are assumed off the request path and are not charged.
 * - `lru` evicts the least recently requested model; `lfu` the least requested (all requests
 *   since creation), ties to the least recent; both in every bounded tier.
 * - `cost-aware` is GreedyDual-Size-Frequency. GreedyDual-Size (Cao and Irani, 1997) gives each
 *   cached object a value `clock + cost / size`; the eviction takes the smallest and raises the
 *   clock to it, so objects not touched since age relative to fresh ones without a scan.
 *   Cherkasova (1998) multiplies the cost term by the object's reference count, so popular
 *   objects last. Here the cost is the SLO cost of the extra load delay once evicted from the tier
 *   (reload from the tier it would fall to minus from the tier it is in) and the size is in GB;
 *   each tier keeps its own clock, and the frequency counts all requests since creation (the
 *   model set is small and known, so forgetting it on eviction gains nothing).
 * - Pinned models are resident from the start and never evicted; the model being loaded is never
 *   evicted for itself. A hit never evicts.
 * - `nowMs` never runs backwards: an earlier value counts as the latest seen.
 *
 * @throws `HeadroomError` `invalid_config` for a bad configuration, including a model larger than
 * the GPU tier (or than the room pinned models leave).
 * @example
 * ```ts
 * const cache = createModelCache({
 *   policy: 'cost-aware',
 *   gpu: { capacityBytes: 80e9 },
 *   host: { capacityBytes: 256e9 },
 *   models: [
 *     { name: 'llama-3-8b', bytes: 16e9, sloCostPerSecond: 10 },
 *     { name: 'llama-3-70b', bytes: 70e9, sloCostPerSecond: 1 },
 *   ],
 * });
 * cache.request('llama-3-8b', 0); // { kind: 'load', fromTier: 'remote', loadMs: 16000, ... }
 * cache.request('llama-3-70b', 1_000); // evicts llama-3-8b to host
 * cache.request('llama-3-8b', 2_000); // { kind: 'load', fromTier: 'host', loadMs: 1000, ... }
 * ```
 */
export function createModelCache(config: ModelCacheConfigInput | ModelCacheConfig): ModelCache {
  return new TieredModelCache(parseModelCacheConfig(config));
}
