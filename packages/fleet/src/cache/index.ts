/**
 * Multi-model serving: a model cache over GPU memory, host RAM, local NVMe and a remote store,
 * with LRU, LFU and cost-aware (GreedyDual-Size-Frequency) eviction, pre-loading and trace replay.
 */
export {
  DEFAULT_HOST_BANDWIDTH_BYTES_PER_SECOND,
  DEFAULT_NVME_BANDWIDTH_BYTES_PER_SECOND,
  DEFAULT_REMOTE_BANDWIDTH_BYTES_PER_SECOND,
  MODEL_CACHE_POLICIES,
  MODEL_CACHE_TIERS,
  ModelCacheConfigSchema,
  ModelCacheGpuTierSchema,
  ModelCacheHostTierSchema,
  ModelCacheModelSchema,
  ModelCacheNvmeTierSchema,
  ModelCacheRemoteTierSchema,
  modelLoadMs,
  parseModelCacheConfig,
} from './config.js';
export type {
  ModelCacheBoundedTier,
  ModelCacheConfig,
  ModelCacheConfigInput,
  ModelCacheModel,
  ModelCachePolicy,
  ModelCacheSourceTier,
  ModelCacheTier,
} from './config.js';
export { createModelCache } from './model-cache.js';
export type {
  ModelCache,
  ModelCacheDecision,
  ModelCacheEviction,
  ModelCacheEvictionReason,
  ModelCacheHit,
  ModelCacheLoad,
  ModelCachePreload,
  ModelCachePreloadReason,
  ModelCacheSnapshot,
} from './model-cache.js';
export { replayModelCache } from './replay.js';
export type {
  ModelCacheReplayOptions,
  ModelCacheReplayResult,
  ModelCacheRequest,
} from './replay.js';
