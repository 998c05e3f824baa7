import { parseConfig, type ErrorPath } from '@headroom/core';
import { LRUMap } from 'mnemonist';
import { z } from 'zod';

/**
 * Configuration of prefix affinity: the bounded per-endpoint index of recently served prefix
 * blocks, and the cache-versus-load balance of {@link affinityScore}. Unknown keys are rejected.
 */
export const PrefixAffinityConfigSchema = z.strictObject({
  /**
   * The most block hashes remembered per endpoint, an integer in [1, 1 048 576]; the least
   * recently served are forgotten first. Size it to what the endpoint's KV cache holds (blocks of
   * the hashing granularity). Each endpoint preallocates about 20 bytes per slot on its first
   * {@link PrefixAffinity.record}.
   * @defaultValue 8_192
   */
  maxBlocksPerEndpoint: z.number().int().min(1).max(1_048_576).default(8_192),
  /**
   * How long a served block is assumed to stay in the endpoint's KV cache, ms, > 0. Older blocks
   * no longer match (the server has likely evicted them under load).
   * @defaultValue 600_000
   */
  ttlMs: z.number().gt(0).max(604_800_000).default(600_000),
  /**
   * The prefix match ratio (matched blocks / request blocks), in [0, 1], above which the cache
   * decides the pick (SGLang's cache threshold); at or below it the pick goes by load.
   * @defaultValue 0.5
   */
  cacheThreshold: z.number().min(0).max(1).default(0.5),
  /**
   * The load gap (`maxLoad - minLoad`, in the unit of the load: queued plus running requests, for
   * example) above which the fleet counts as imbalanced, >= 0 (SGLang's absolute balance
   * threshold).
   * @defaultValue 32
   */
  balanceAbsThreshold: z.number().min(0).max(1e12).default(32),
  /**
   * The load ratio (`maxLoad / minLoad`) above which the fleet counts as imbalanced, >= 1
   * (SGLang's relative balance threshold). Both thresholds must be exceeded.
   * @defaultValue 1.5
   */
  balanceRelThreshold: z.number().min(1).max(1e6).default(1.5),
});

/** What a user passes: {@link PrefixAffinityConfigSchema}'s input; every field is optional. */
export type PrefixAffinityConfig = z.input<typeof PrefixAffinityConfigSchema>;

/** A validated, frozen {@link PrefixAffinityConfigSchema} with defaults filled in. */
export type ResolvedPrefixAffinityConfig = Readonly<z.output<typeof PrefixAffinityConfigSchema>>;

const resolved = new WeakSet<object>();
const cache = new WeakMap<object, ResolvedPrefixAffinityConfig>();

/**
 * Validates a prefix-affinity configuration once: returns it frozen with defaults filled in.
 *
 * @param input - see {@link PrefixAffinityConfigSchema}. @defaultValue `{}`
 * @param path - where the configuration sits in a larger one. @defaultValue `[]`
 * @throws `HeadroomError` `invalid_config` naming the field, the bound and the offending value.
 * @example
 * ```ts
 * const config = parsePrefixAffinityConfig({ ttlMs: 120_000 });
 * ```
 */
export function parsePrefixAffinityConfig(
  input: PrefixAffinityConfig = {},
  path: ErrorPath = [],
): ResolvedPrefixAffinityConfig {
  const config = parseConfig(PrefixAffinityConfigSchema, input, path);
  resolved.add(config);
  return config;
}

function resolve(
  config: PrefixAffinityConfig | ResolvedPrefixAffinityConfig | undefined,
): ResolvedPrefixAffinityConfig {
  if (config === undefined) return DEFAULT_PREFIX_AFFINITY_CONFIG;
  if (resolved.has(config)) return config as ResolvedPrefixAffinityConfig;
  const known = cache.get(config);
  if (known !== undefined) return known;
  const parsed = parsePrefixAffinityConfig(config);
  cache.set(config, parsed);
  return parsed;
}

/** The prefix-affinity configuration with every default. */
export const DEFAULT_PREFIX_AFFINITY_CONFIG: ResolvedPrefixAffinityConfig =
  parsePrefixAffinityConfig({});

/**
 * Remembers which prefix blocks each endpoint served recently, to estimate how much of a new
 * request's prefix is already in its KV cache.
 */
export interface PrefixAffinity {
  /**
   * Records that the endpoint served (or is about to serve) a request with these prefix block
   * hashes: each becomes most recently used with time `nowMs`. The first block is touched last,
   * so under the per-endpoint bound the tail of a prefix is forgotten before its head, as a radix
   * KV cache evicts leaves first. A non-finite `nowMs` records nothing.
   */
  record(endpointId: string, hashes: ArrayLike<number>, nowMs: number): void;
  /**
   * How many blocks at the start of `hashes` the endpoint has, consecutively from the first and
   * each seen within `ttlMs` of `nowMs`: KV reuse needs an exact prefix, so the count stops at the
   * first missing or stale block. 0 for an unknown endpoint or a non-finite `nowMs`. Does not
   * change recency. O(matched blocks).
   */
  matchedBlocks(endpointId: string, hashes: ArrayLike<number>, nowMs: number): number;
  /** Forgets an endpoint and frees its index. */
  remove(endpointId: string): void;
  /** How many block hashes the endpoint's index holds (at most `maxBlocksPerEndpoint`). */
  blockCount(endpointId: string): number;
  /** How many endpoints have an index. */
  readonly size: number;
  /** The resolved configuration. */
  readonly config: ResolvedPrefixAffinityConfig;
}

class Affinity implements PrefixAffinity {
  readonly config: ResolvedPrefixAffinityConfig;
  readonly #indexes = new Map<string, LRUMap<number, number>>();

  constructor(config: ResolvedPrefixAffinityConfig) {
    this.config = config;
  }

  get size(): number {
    return this.#indexes.size;
  }

  record(endpointId: string, hashes: ArrayLike<number>, nowMs: number): void {
    if (!Number.isFinite(nowMs) || hashes.length === 0) return;
    let index = this.#indexes.get(endpointId);
    if (index === undefined) {
      index = new LRUMap<number, number>(
        Float64Array,
        Float64Array,
        this.config.maxBlocksPerEndpoint,
      );
      this.#indexes.set(endpointId, index);
    }
    // Only the first `capacity` blocks can be kept; touch them tail first so the head is newest.
    const last = Math.min(hashes.length, this.config.maxBlocksPerEndpoint) - 1;
    for (let i = last; i >= 0; i -= 1) {
      const hash = hashes[i];
      if (typeof hash === 'number') index.set(hash, nowMs);
    }
  }

  matchedBlocks(endpointId: string, hashes: ArrayLike<number>, nowMs: number): number {
    const index = this.#indexes.get(endpointId);
    if (index === undefined || !Number.isFinite(nowMs)) return 0;
    const ttl = this.config.ttlMs;
    let matched = 0;
    for (let i = 0; i < hashes.length; i += 1) {
      const hash = hashes[i];
      if (typeof hash !== 'number') break;
      const seenMs = index.peek(hash);
      if (seenMs === undefined || nowMs - seenMs > ttl) break;
      matched += 1;
    }
    return matched;
  }

  remove(endpointId: string): void {
    this.#indexes.delete(endpointId);
  }

  blockCount(endpointId: string): number {
    return this.#indexes.get(endpointId)?.size ?? 0;
  }
}

/**
 * Creates a {@link PrefixAffinity}: a bounded, per-endpoint index of recently served prefix block
 * hashes, the idea behind SGLang's cache-aware router (restated): the router keeps an approximate
 * view of each server's KV cache by remembering the prefixes it sent there, so a request whose
 * prefix (a system prompt, earlier conversation turns) an endpoint has served recently can skip the
 * prefill of those blocks there. Requests carry the hashes of their prefix blocks (for example the
 * `hash_ids` of the Mooncake traces: one hash per fixed-size token block, chained so that a hash
 * identifies the whole prefix up to it).
 *
 * Each endpoint's index is an LRU map (mnemonist's `LRUMap`) from block hash to last-served time,
 * bounded by `maxBlocksPerEndpoint`, with entries older than `ttlMs` ignored. Memory is
 * O(endpoints × maxBlocksPerEndpoint) whatever the traffic.
 *
 * @param config - see {@link PrefixAffinityConfigSchema}; every field has a default.
 * @returns an empty index.
 * @throws `HeadroomError` `invalid_config` naming the field, bound and value.
 * @example
 * ```ts
 * const affinity = createPrefixAffinity({ maxBlocksPerEndpoint: 4_096 });
 * affinity.record('gpu-a', [0, 1, 2, 3], nowMs);
 * affinity.matchedBlocks('gpu-a', [0, 1, 2, 9, 3], nowMs + 1_000); // 3
 * ```
 */
export function createPrefixAffinity(config?: PrefixAffinityConfig): PrefixAffinity {
  return new Affinity(resolve(config));
}

/** An endpoint's load and the spread of load across the candidate endpoints of one pick. */
export interface AffinityLoad {
  /** The endpoint's load (queued plus running requests, for example), >= 0. */
  readonly load: number;
  /** The smallest load among the candidates, >= 0. */
  readonly minLoad: number;
  /** The largest load among the candidates, >= `minLoad`. */
  readonly maxLoad: number;
}

/**
 * Which rule decided an {@link affinityScore}.
 *
 * - `imbalanced`: the candidates' loads are too far apart; the score goes by load only.
 * - `cache`: the prefix match ratio is above `cacheThreshold`; the score goes by the match ratio.
 * - `low_match`: balanced, but the match is too small to matter; the score goes by load.
 */
export type AffinityMode = 'imbalanced' | 'cache' | 'low_match';

/**
 * Whether loads between `minLoad` and `maxLoad` count as imbalanced: the gap exceeds
 * `balanceAbsThreshold` AND `maxLoad` exceeds `minLoad × balanceRelThreshold` (both, as SGLang's
 * router requires). Non-finite loads count as imbalanced (go by load, the safe choice).
 *
 * @param minLoad - the smallest candidate load.
 * @param maxLoad - the largest candidate load.
 * @param config - thresholds (raw or resolved). @defaultValue the defaults
 * @returns true when the pick should ignore affinity.
 * @throws `HeadroomError` `invalid_config` when a raw `config` is invalid.
 */
export function isLoadImbalanced(
  minLoad: number,
  maxLoad: number,
  config?: PrefixAffinityConfig | ResolvedPrefixAffinityConfig,
): boolean {
  if (!Number.isFinite(minLoad) || !Number.isFinite(maxLoad)) return true;
  const c = resolve(config);
  return maxLoad - minLoad > c.balanceAbsThreshold && maxLoad > minLoad * c.balanceRelThreshold;
}

/**
 * The rule {@link affinityScore} applies for these inputs.
 *
 * @param matched - matched prefix blocks (from {@link PrefixAffinity.matchedBlocks}).
 * @param total - the request's prefix blocks.
 * @param load - the endpoint's load and the candidates' load spread.
 * @param config - thresholds (raw or resolved). @defaultValue the defaults
 * @returns the deciding rule.
 * @throws `HeadroomError` `invalid_config` when a raw `config` is invalid.
 */
export function affinityMode(
  matched: number,
  total: number,
  load: AffinityLoad,
  config?: PrefixAffinityConfig | ResolvedPrefixAffinityConfig,
): AffinityMode {
  const c = resolve(config);
  if (isLoadImbalanced(load.minLoad, load.maxLoad, c)) return 'imbalanced';
  return matchRatio(matched, total) > c.cacheThreshold ? 'cache' : 'low_match';
}

/**
 * The prefix match ratio `matched / total`, clamped to [0, 1]; 0 when `total` is not a positive
 * finite number or `matched` is NaN.
 *
 * @param matched - matched prefix blocks.
 * @param total - the request's prefix blocks.
 * @returns the ratio in [0, 1].
 */
export function matchRatio(matched: number, total: number): number {
  if (!(total > 0) || !Number.isFinite(total) || !(matched > 0)) return 0;
  return Math.min(1, matched / total);
}

/**
 * Scores an endpoint for a request by cache hit versus load, after SGLang's cache-aware routing
 * policy (restated): when the candidates' loads are imbalanced (see {@link isLoadImbalanced}),
 * ignore the cache and prefer the least loaded endpoint; otherwise prefer the endpoint with the
 * highest prefix match ratio, provided it is above `cacheThreshold`; below that threshold prefer
 * the least loaded endpoint. Where we differ: SGLang sends a low-match request to the endpoint with
 * the smallest cache tree (most free cache); this index does not model cache size, so load decides.
 *
 * Scores, higher is better, comparable across the candidates of one pick (they share `minLoad`
 * and `maxLoad`):
 * - by load (`imbalanced`, `low_match`): `1 / (1 + load)`, in (0, 1];
 * - by cache (`cache`): `1 + ratio`, in (1, 2], so any endpoint above the threshold beats any
 *   endpoint picked by load; equal ratios tie, and the caller breaks ties by load.
 *
 * A load that is negative counts as 0; a NaN or infinite load scores 0 (never preferred by load).
 * The score is always finite, in [0, 2].
 *
 * @param matched - matched prefix blocks (from {@link PrefixAffinity.matchedBlocks}).
 * @param total - the request's prefix blocks.
 * @param load - the endpoint's load and the candidates' load spread.
 * @param config - thresholds (raw or resolved). @defaultValue the defaults
 * @returns the score in [0, 2].
 * @throws `HeadroomError` `invalid_config` when a raw `config` is invalid.
 * @example
 * ```ts
 * const spread = { minLoad: 2, maxLoad: 6 };
 * affinityScore(8, 10, { load: 6, ...spread }); // 1.8: 80 % of the prefix is cached
 * affinityScore(1, 10, { load: 2, ...spread }); // 0.333...: goes by load
 * ```
 */
export function affinityScore(
  matched: number,
  total: number,
  load: AffinityLoad,
  config?: PrefixAffinityConfig | ResolvedPrefixAffinityConfig,
): number {
  const c = resolve(config);
  if (!isLoadImbalanced(load.minLoad, load.maxLoad, c)) {
    const ratio = matchRatio(matched, total);
    if (ratio > c.cacheThreshold) return 1 + ratio;
  }
  const own = load.load;
  if (!Number.isFinite(own)) return 0;
  return 1 / (1 + Math.max(0, own));
}
