/**
 * Prefix affinity: a bounded per-endpoint index of recently served KV-cache prefix blocks, and a
 * cache-versus-load scorer after SGLang's cache-aware routing.
 */
export {
  DEFAULT_PREFIX_AFFINITY_CONFIG,
  PrefixAffinityConfigSchema,
  affinityMode,
  affinityScore,
  createPrefixAffinity,
  isLoadImbalanced,
  matchRatio,
  parsePrefixAffinityConfig,
} from './prefix-affinity.js';
export type {
  AffinityLoad,
  AffinityMode,
  PrefixAffinity,
  PrefixAffinityConfig,
  ResolvedPrefixAffinityConfig,
} from './prefix-affinity.js';
