import { addDuplicateIssues, parseConfig, type ErrorPath } from '@headroom/core';
import { z } from 'zod';

/**
 * The tiers a model's weights can sit in, fastest first: `gpu` (serving), `host` (host RAM, a
 * PCIe copy away), `nvme` (local disk) and `remote` (an object store; unbounded, always holds a
 * copy).
 */
export const MODEL_CACHE_TIERS = ['gpu', 'host', 'nvme', 'remote'] as const;

/** One of {@link MODEL_CACHE_TIERS}. */
export type ModelCacheTier = (typeof MODEL_CACHE_TIERS)[number];

/** A tier a model is loaded from into GPU memory: every tier but `gpu`. */
export type ModelCacheSourceTier = Exclude<ModelCacheTier, 'gpu'>;

/** A tier with a bounded capacity that evicts: `gpu`, `host`, `nvme`. */
export type ModelCacheBoundedTier = Exclude<ModelCacheTier, 'remote'>;

/**
 * The eviction policies of the model cache:
 *
 * - `lru`: evict the model requested least recently.
 * - `lfu`: evict the model requested least often; ties go to the least recently requested.
 * - `cost-aware`: GreedyDual-Size-Frequency (see {@link createModelCache}): evict the lowest
 *   `clock + frequency × reloadCost / sizeGB`, and raise the tier's clock to the evicted value.
 */
export const MODEL_CACHE_POLICIES = ['lru', 'lfu', 'cost-aware'] as const;

/** One of {@link MODEL_CACHE_POLICIES}. */
export type ModelCachePolicy = (typeof MODEL_CACHE_POLICIES)[number];

/**
 * Default host-RAM to GPU load bandwidth: 16 GB/s (16e9 bytes/s). A pinned host-to-device copy
 * runs at roughly 20-25 GB/s on PCIe Gen4 x16 and 40-50 GB/s on Gen5; loaders that deserialize
 * reach less. The ServerlessLLM benchmark (December 2025, H100 SXM) reloads a 32B model whose
 * files are in the page cache in 1.2 s with its own format and 10-12 s from SafeTensors; the
 * shared reference (`perf/cold_start_reference.csv`) summarises page-cache loads as 1-4 s for
 * 8B-32B models. 16 GB/s puts a 64 GB (32B, fp16) model at 4 s, the slow end of that range.
 */
export const DEFAULT_HOST_BANDWIDTH_BYTES_PER_SECOND = 16e9;

/**
 * Default local-NVMe to GPU load bandwidth: 3 GB/s (3e9 bytes/s). Measured loads from local SSD
 * in the shared reference: ServerlessLLM reads 30 distinct copies of a 32B model in 19-21 s with
 * SafeTensors (about 3.2 GB/s); vendors report 8 s for an 8B and 40-45 s for a 70B model from
 * NVMe (2-3.3 GB/s). Optimised loaders (ServerlessLLM's format, thaw) reach 8-20 GB/s: override
 * when yours does.
 */
export const DEFAULT_NVME_BANDWIDTH_BYTES_PER_SECOND = 3e9;

/**
 * Default remote object store to GPU load bandwidth: 1 GB/s (1e9 bytes/s). The Run:ai Model
 * Streamer benchmarks load Llama-3-8B at 1.03 GiB/s from EBS gp3 and 3.5 GiB/s from S3 with a
 * parallel streamer; a plain download through a single stream sees hundreds of MB/s. 1 GB/s puts
 * a 16 GB (8B) model at 16 s and a 140 GB (70B) model at 140 s, in line with the 80-550 s
 * end-to-end 70B cold starts in the reference.
 */
export const DEFAULT_REMOTE_BANDWIDTH_BYTES_PER_SECOND = 1e9;

/** The GPU tier: where models serve from. */
export const ModelCacheGpuTierSchema = z.strictObject({
  /**
   * Bytes of GPU memory available for model weights, > 0: the pool's memory (or one GPU's) less
   * what the servers keep for KV cache and activations. The tier is one pool of bytes; how
   * weights shard across the GPUs (tensor parallelism) is not modelled.
   */
  capacityBytes: z.number().positive(),
  /**
   * Memory of one GPU, bytes, > 0: a load of a model of `bytes` keeps `ceil(bytes / bytesPerGpu)`
   * GPUs busy, which is what `gpuSeconds` and the replay's GPU-hours count.
   * @defaultValue `capacityBytes` (one GPU)
   */
  bytesPerGpu: z.number().positive().optional(),
});

function boundedTierSchema(defaultBandwidth: number) {
  return z.strictObject({
    /** Bytes this tier can hold, >= 0; 0 switches the tier off. @defaultValue 0 */
    capacityBytes: z.number().min(0).default(0),
    /** Copy bandwidth from this tier into GPU memory, bytes per second, > 0. */
    bandwidthBytesPerSecond: z.number().positive().default(defaultBandwidth),
    /** A fixed delay added to every load from this tier, ms, >= 0. @defaultValue 0 */
    latencyMs: z.number().min(0).default(0),
  });
}

/**
 * The host-RAM tier. Bandwidth defaults to {@link DEFAULT_HOST_BANDWIDTH_BYTES_PER_SECOND};
 * capacity to 0 (off).
 */
export const ModelCacheHostTierSchema = boundedTierSchema(DEFAULT_HOST_BANDWIDTH_BYTES_PER_SECOND);

/**
 * The local-NVMe tier. Bandwidth defaults to {@link DEFAULT_NVME_BANDWIDTH_BYTES_PER_SECOND};
 * capacity to 0 (off).
 */
export const ModelCacheNvmeTierSchema = boundedTierSchema(DEFAULT_NVME_BANDWIDTH_BYTES_PER_SECOND);

/** The remote tier: unbounded, always holds every model. */
export const ModelCacheRemoteTierSchema = z.strictObject({
  /**
   * Copy bandwidth from the store into GPU memory, bytes per second, > 0.
   * @defaultValue {@link DEFAULT_REMOTE_BANDWIDTH_BYTES_PER_SECOND}
   */
  bandwidthBytesPerSecond: z.number().positive().default(DEFAULT_REMOTE_BANDWIDTH_BYTES_PER_SECOND),
  /** A fixed delay added to every load from the store, ms, >= 0. @defaultValue 0 */
  latencyMs: z.number().min(0).default(0),
});

/** One model the cache manages. */
export const ModelCacheModelSchema = z.strictObject({
  /** Unique model name. */
  name: z.string().min(1),
  /** Size of the weights, bytes, > 0 (parameters × bytes per parameter). */
  bytes: z.number().positive(),
  /**
   * What one second of cold-load delay costs, in your unit (a weight, or USD), >= 0: the SLO
   * cost of making requests wait for this model. An interactive model might weigh 10, a batch
   * one 0.1. @defaultValue 1
   */
  sloCostPerSecond: z.number().min(0).default(1),
  /**
   * Engine start-up added to every bandwidth-derived load, ms, >= 0: CUDA context, graph
   * capture, warm-up (vendors report 12 s for an 8B and 30 s for a 70B model with vLLM).
   * @defaultValue 0
   */
  warmupMs: z.number().min(0).default(0),
  /**
   * Measured end-to-end load times from some tiers, ms, >= 0; each replaces the
   * bandwidth-derived time (and `warmupMs`) for its tier.
   */
  loadMs: z
    .strictObject({
      /** From host RAM, ms. */
      host: z.number().min(0).optional(),
      /** From local NVMe, ms. */
      nvme: z.number().min(0).optional(),
      /** From the remote store, ms. */
      remote: z.number().min(0).optional(),
    })
    .optional(),
  /** Resident in GPU memory from the start and never evicted. @defaultValue false */
  pinned: z.boolean().default(false),
  /**
   * Proposed first by {@link ModelCache.planPreloads}, even before any request.
   * @defaultValue false
   */
  preload: z.boolean().default(false),
});

/** Configuration of {@link createModelCache}. Unknown keys are rejected. */
export const ModelCacheConfigSchema = z
  .strictObject({
    /** The eviction policy; see {@link MODEL_CACHE_POLICIES}. @defaultValue 'cost-aware' */
    policy: z.literal(MODEL_CACHE_POLICIES).default('cost-aware'),
    /** The GPU tier. */
    gpu: ModelCacheGpuTierSchema,
    /** The host-RAM tier. @defaultValue off (capacity 0) */
    host: ModelCacheHostTierSchema.default({
      capacityBytes: 0,
      bandwidthBytesPerSecond: DEFAULT_HOST_BANDWIDTH_BYTES_PER_SECOND,
      latencyMs: 0,
    }),
    /** The local-NVMe tier. @defaultValue off (capacity 0) */
    nvme: ModelCacheNvmeTierSchema.default({
      capacityBytes: 0,
      bandwidthBytesPerSecond: DEFAULT_NVME_BANDWIDTH_BYTES_PER_SECOND,
      latencyMs: 0,
    }),
    /** The remote store. */
    remote: ModelCacheRemoteTierSchema.default({
      bandwidthBytesPerSecond: DEFAULT_REMOTE_BANDWIDTH_BYTES_PER_SECOND,
      latencyMs: 0,
    }),
    /** The models, 1..10 000, names unique. */
    models: z.array(ModelCacheModelSchema).min(1).max(10_000),
  })
  .superRefine((config, ctx) => {
    addDuplicateIssues(
      ctx,
      config.models,
      (m) => m.name,
      (i) => ['models', i, 'name'],
      'model name',
    );
    let pinnedBytes = 0;
    for (const m of config.models) if (m.pinned) pinnedBytes += m.bytes;
    const capacity = config.gpu.capacityBytes;
    if (pinnedBytes > capacity) {
      ctx.addIssue({
        code: 'custom',
        message: `pinned models need ${pinnedBytes} bytes, more than the GPU tier's ${capacity}`,
        path: ['models'],
        params: { limit: `<= ${capacity} pinned bytes` },
      });
      return;
    }
    config.models.forEach((m, i) => {
      const room = m.pinned ? capacity : capacity - pinnedBytes;
      if (m.bytes > room) {
        ctx.addIssue({
          code: 'custom',
          message: m.pinned
            ? `model is larger than the GPU tier (${capacity} bytes)`
            : `model is larger than the GPU tier's ${room} bytes left beside pinned models (capacity ${capacity})`,
          path: ['models', i, 'bytes'],
          input: m.bytes,
          params: { limit: `<= ${room}` },
        });
      }
    });
  });

/** What {@link createModelCache} accepts: {@link ModelCacheConfigSchema}'s input. */
export type ModelCacheConfigInput = z.input<typeof ModelCacheConfigSchema>;

/** A validated, frozen model-cache configuration, defaults filled in. */
export type ModelCacheConfig = Readonly<z.output<typeof ModelCacheConfigSchema>>;

/** One validated model of a {@link ModelCacheConfig}. */
export type ModelCacheModel = Readonly<z.output<typeof ModelCacheModelSchema>>;

const validated = new WeakSet<object>();

/**
 * Validates a model-cache configuration once: returns it frozen with defaults filled in.
 *
 * @param input - the configuration; see {@link ModelCacheConfigSchema}.
 * @param path - where the configuration sits in a larger one, prefixed to error paths.
 * @throws `HeadroomError` `invalid_config` naming the path, bound and value: for example a model
 * larger than the GPU tier (`models.3.bytes`), a duplicate name, pinned models that overflow it.
 * @example
 * ```ts
 * const config = parseModelCacheConfig({
 *   gpu: { capacityBytes: 160e9 },
 *   models: [{ name: 'llama-3-8b', bytes: 16e9 }],
 * });
 * config.policy; // 'cost-aware'
 * ```
 */
export function parseModelCacheConfig(
  input: ModelCacheConfigInput,
  path: ErrorPath = [],
): ModelCacheConfig {
  if (typeof input === 'object' && input !== null && validated.has(input)) {
    return input as ModelCacheConfig;
  }
  const config = parseConfig(ModelCacheConfigSchema, input, path);
  validated.add(config);
  return config;
}

/**
 * How long loading `model` into GPU memory from `fromTier` takes, ms: the model's measured
 * `loadMs[fromTier]` when given; otherwise the tier's `latencyMs` + `bytes / bandwidth` +
 * the model's `warmupMs`.
 *
 * @example
 * ```ts
 * const config = parseModelCacheConfig({ gpu: { capacityBytes: 80e9 }, models: [{ name: 'a', bytes: 16e9 }] });
 * modelLoadMs(config, config.models[0]!, 'remote'); // 16_000 (16 GB at 1 GB/s)
 * ```
 */
export function modelLoadMs(
  config: ModelCacheConfig,
  model: ModelCacheModel,
  fromTier: ModelCacheSourceTier,
): number {
  const measured = model.loadMs?.[fromTier];
  if (measured !== undefined) return measured;
  const tier = config[fromTier];
  return tier.latencyMs + (model.bytes / tier.bandwidthBytesPerSecond) * 1000 + model.warmupMs;
}
