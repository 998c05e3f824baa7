import { HeadroomError, parseConfig } from '@headroom/core';
import { defaultCatalog, gpuClass, type Catalog, type GpuClass } from '@headroom/cost';
import { z } from 'zod';
import { SPLITWISE_PROFILES, type SplitwiseProfile } from './data/splitwise.js';

const GIB = 1024 ** 3;

/**
 * The shape of a transformer model as the roofline fallback needs it.
 *
 * - `paramsB`: parameters, billions (> 0).
 * - `bytesPerParam`: bytes per weight (2 for BF16/FP16, 1 for FP8/INT8). @defaultValue 2
 * - `kvBytesPerToken`: KV-cache bytes one token of context takes across the whole model
 *   (2 × layers × KV heads × head dim × bytes per value), > 0.
 */
export const ModelSpecSchema = z.strictObject({
  /** Parameters, billions, > 0. */
  paramsB: z.number().positive().max(100_000),
  /** Bytes per weight (2 for BF16/FP16, 1 for FP8). @defaultValue 2 */
  bytesPerParam: z.number().positive().max(8).default(2),
  /** KV-cache bytes per token of context, whole model, > 0. */
  kvBytesPerToken: z.number().positive().max(1e9),
});

/** A validated {@link ModelSpecSchema}. */
export type ModelSpec = z.output<typeof ModelSpecSchema>;

/**
 * Built-in model shapes (BF16 weights). KV bytes per token = 2 (K and V) × layers × KV heads ×
 * head dim × 2 bytes: Llama 2/3 70B have 80 layers and 8 grouped KV heads of 128; BLOOM-176B has
 * 70 layers of full multi-head attention over a 14,336-wide hidden state; Llama 3 8B and
 * Mistral 7B have 32 layers and 8 KV heads of 128 (figures from the models' published configs).
 */
export const MODEL_SPECS: Readonly<Record<string, ModelSpec>> = Object.freeze({
  'llama2-70b': { paramsB: 69, bytesPerParam: 2, kvBytesPerToken: 327_680 },
  'llama3-70b': { paramsB: 70.6, bytesPerParam: 2, kvBytesPerToken: 327_680 },
  'bloom-176b': { paramsB: 176, bytesPerParam: 2, kvBytesPerToken: 4_014_080 },
  'llama3-8b': { paramsB: 8, bytesPerParam: 2, kvBytesPerToken: 131_072 },
  'mistral-7b': { paramsB: 7.2, bytesPerParam: 2, kvBytesPerToken: 131_072 },
});

/** The Splitwise hardware names and the catalog GPU classes they are. */
const HARDWARE_TO_CLASS: Readonly<Record<string, string>> = Object.freeze({
  'a100-80gb': 'A100-80GB',
  'h100-80gb': 'H100-80GB',
  'h100-80gb-pcap': 'H100-80GB',
});

/**
 * Configuration of {@link createServiceModel}.
 *
 * Calibration: when (`model`, `gpu`, `tensorParallel`) is a profile of the Splitwise perf model
 * (llama2-70b on a100-80gb / h100-80gb / h100-80gb-pcap at TP 2, 4 or 8; bloom-176b at TP 8),
 * times come from its measurements; otherwise from the roofline fallback (or always, with
 * `calibration: 'roofline'`).
 */
export const ServiceModelConfigSchema = z.strictObject({
  /**
   * Model name: a Splitwise model (`llama2-70b`, `bloom-176b`), another key of
   * {@link MODEL_SPECS}, or any name with `modelSpec`. @defaultValue 'llama2-70b'
   */
  model: z.string().min(1).default('llama2-70b'),
  /**
   * GPU: a Splitwise hardware name (`h100-80gb`, `a100-80gb`, `h100-80gb-pcap`) or a GPU class of
   * the catalog (`H100-80GB`, `L40S`, ..., matched without regard to case). @defaultValue 'h100-80gb'
   */
  gpu: z.string().min(1).default('h100-80gb'),
  /**
   * GPUs in one tensor-parallel group: one replica. Default: the smallest profiled TP for a
   * calibrated pair, else the smallest power of two whose memory holds the weights with 10% to
   * spare.
   */
  tensorParallel: z.number().int().min(1).max(64).optional(),
  /** Most sequences in one running batch (continuous batching), integer in [1, 4096]. @defaultValue 64 */
  maxBatch: z.number().int().min(1).max(4096).default(64),
  /**
   * KV-cache budget of one replica, tokens (prompt + output reserved per running sequence),
   * integer >= 1. Default: (`gpuMemoryUtilization` × GPU memory × TP − weights) ÷ KV bytes per
   * token, at least 1.
   */
  kvTokenBudget: z.number().int().min(1).max(1e9).optional(),
  /** Fraction of GPU memory the server may use (vLLM's `gpu_memory_utilization`), (0, 1]. @defaultValue 0.9 */
  gpuMemoryUtilization: z.number().gt(0).max(1).default(0.9),
  /** The model's shape, for a model {@link MODEL_SPECS} does not know (roofline and memory). */
  modelSpec: ModelSpecSchema.optional(),
  /** `'auto'`: Splitwise data when profiled, else roofline; `'roofline'`: always roofline. @defaultValue 'auto' */
  calibration: z.literal(['auto', 'roofline']).default('auto'),
  /** Fraction of peak memory bandwidth a decode step achieves, (0, 1]. @defaultValue 0.6 */
  bandwidthEfficiency: z.number().gt(0).max(1).default(0.6),
  /** Fraction of peak dense BF16 TFLOPS a prefill achieves, (0, 1]. @defaultValue 0.5 */
  computeEfficiency: z.number().gt(0).max(1).default(0.5),
  /**
   * Context tokens per sequence the roofline's decode step reads from the KV cache, >= 0.
   * @defaultValue 1024
   */
  rooflineContextTokens: z.number().min(0).max(1e7).default(1024),
});

/** Input of {@link createServiceModel}. */
export type ServiceModelConfig = z.input<typeof ServiceModelConfigSchema>;

/**
 * A GPU service model for LLM requests on one replica (one tensor-parallel group of GPUs):
 * prefill time from prompt tokens, decode step time from the running batch size, and the limits
 * of continuous batching. Pure and allocation-free per call.
 */
export interface ServiceModel {
  /** Model name. */
  readonly model: string;
  /** GPU as configured. */
  readonly gpu: string;
  /** The catalog GPU class (for memory, specs and prices), e.g. `H100-80GB`. */
  readonly gpuClass: string;
  /** GPUs per replica (the tensor-parallel degree): a replica is priced as this many GPUs. */
  readonly gpusPerReplica: number;
  /** Where the times come from. */
  readonly source: 'splitwise' | 'roofline';
  /** Most sequences in one running batch. */
  readonly maxBatch: number;
  /** KV-cache token budget of the replica. */
  readonly kvTokenBudget: number;
  /** KV-cache bytes per token of context (whole model). */
  readonly kvBytesPerToken: number;
  /** Memory of one GPU, bytes. */
  readonly gpuMemoryBytes: number;
  /** Fraction of GPU memory the server allocates (weights plus a preallocated KV cache). */
  readonly gpuMemoryUtilization: number;
  /**
   * Time to prefill `batch` prompts of `promptTokens` tokens each in one forward pass, ms: the
   * batch-1 prompt-size curve read at `promptTokens × batch` total tokens (the Splitwise rows
   * with several prompts of 512 agree with that reading to within about 15%), linear between
   * profiled sizes, the first point's time below it (a pass reads every weight however short the
   * prompt), the last segment's slope beyond it. Non-finite or negative input counts as 0.
   */
  prefillMs(promptTokens: number, batch?: number): number;
  /**
   * Time of one decode step of a running batch of `batch` sequences (every sequence emits one
   * token), ms: linear between profiled batch sizes, the last segment's slope beyond; 0 for an
   * empty batch. Non-finite or negative input counts as 0.
   */
  decodeStepMs(batch: number): number;
  /**
   * The sustainable request rate of one replica at the TTFT SLO, requests/s: the best over batch
   * sizes b (within `maxBatch` and the KV budget for `avgPrompt + avgOutput` tokens each) whose
   * worst unqueued TTFT, prefill + 2 decode steps, fits the SLO, of
   * `1000 / (avgOutput × decodeStepMs(b) / b + prefillMs(avgPrompt))`, times a 0.8 utilization
   * target that leaves room for queueing. When no batch size meets the SLO, batch 1's rate (so the
   * estimate stays finite and > 0). Bad inputs are clamped: tokens to >= 0 (output >= 1), the SLO
   * to > 0.
   */
  capacityRps(avgPromptTokens: number, avgOutputTokens: number, sloTtftMs: number): number;
}

/** The utilization a replica can sustain before queueing delay grows sharply (M/D/1-like). */
const CAPACITY_TARGET_UTILIZATION = 0.8;

type Curve = readonly (readonly [number, number])[];

/** A curve made non-decreasing by a running maximum (profiling noise makes a few points dip). */
function monotone(points: Curve): Curve {
  let best = 0;
  return points.map(([x, y]) => {
    best = Math.max(best, y);
    return [x, best] as const;
  });
}

/** Piecewise-linear read of a sorted curve: first value below, last slope beyond. */
function interpolate(points: Curve, x: number): number {
  const first = points[0] as readonly [number, number];
  if (x <= first[0] || points.length === 1) return first[1];
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i] as readonly [number, number];
    if (x <= x1 || i === points.length - 1) {
      const [x0, y0] = points[i - 1] as readonly [number, number];
      return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
  }
  return first[1];
}

function clean(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function resolveGpuClass(catalog: Catalog, gpu: string): GpuClass {
  const mapped = HARDWARE_TO_CLASS[gpu.toLowerCase()];
  if (mapped !== undefined) return gpuClass(catalog, mapped);
  const found = catalog.gpuClasses.find((g) => g.name.toLowerCase() === gpu.toLowerCase());
  if (found === undefined) {
    throw new HeadroomError({
      code: 'invalid_config',
      message: `unknown GPU ${JSON.stringify(gpu)}: not a Splitwise hardware name (${Object.keys(HARDWARE_TO_CLASS).join(', ')}) nor a catalog GPU class (${catalog.gpuClasses.map((g) => g.name).join(', ')})`,
      path: ['service', 'gpu'],
      value: gpu,
    });
  }
  return found;
}

function profilesFor(model: string, gpu: string): SplitwiseProfile[] {
  const m = model.toLowerCase();
  const g = gpu.toLowerCase();
  return SPLITWISE_PROFILES.filter((p) => p.model === m && p.hardware === g);
}

/**
 * Builds a {@link ServiceModel}: Splitwise-calibrated for its profiled (model, GPU, TP) triples,
 * a roofline estimate from the catalog's GPU specs for any other pair.
 *
 * Calibrated data: Splitwise's perf model (Patel et al., ISCA 2024; the splitwise-sim
 * `perf_model.csv`) profiles prefill time by prompt size at batch 1, and decode step time by batch
 * size at prompt 512; repeated rows are aggregated by median in `data/splitwise.ts`, and each
 * curve is made non-decreasing by a running maximum (llama2-70b at TP 2 has a batch-64 decode
 * row faster than batch 32, a profiling artefact; the running maximum keeps batch 32's time).
 *
 * Roofline fallback (for GPUs or models the data lacks): a decode step reads every weight of the
 * replica's shard plus each sequence's KV cache from HBM:
 * `(weights / TP + batch × contextTokens × kvBytesPerToken / TP) / (bandwidth × bandwidthEfficiency)`;
 * a prefill is compute bound: `2 × params × tokens / (TP × TFLOPS × computeEfficiency)`, never
 * less than one pass over the weights. With the default efficiencies (0.6 bandwidth, 0.5
 * compute) it reads llama2-70b on 2 × H100 within about 10% of Splitwise's batch-1 figures.
 *
 * A replica is one tensor-parallel group: llama2-70b on H100 at TP 2 is two GPUs, billed as two.
 *
 * @param input - see {@link ServiceModelConfigSchema}.
 * @param catalog - GPU specs for the roofline and memory. @defaultValue `defaultCatalog()`
 * @throws `HeadroomError` `invalid_config` naming the field for a bad option, an unknown GPU, an
 * unknown model without `modelSpec`, or weights that leave no room for any KV cache.
 * @example
 * ```ts
 * const service = createServiceModel({ model: 'llama2-70b', gpu: 'h100-80gb' });
 * service.prefillMs(512); // ~84 ms (Splitwise, TP 2)
 * service.decodeStepMs(16); // ~42 ms per step of 16 sequences
 * ```
 */
export function createServiceModel(
  input: ServiceModelConfig = {},
  catalog: Catalog = defaultCatalog(),
): ServiceModel {
  const config = parseConfig(ServiceModelConfigSchema, input, ['service']);
  const cls = resolveGpuClass(catalog, config.gpu);
  const spec = config.modelSpec ?? MODEL_SPECS[config.model.toLowerCase()];
  const profiles = config.calibration === 'auto' ? profilesFor(config.model, config.gpu) : [];
  if (spec === undefined && profiles.length === 0) {
    throw new HeadroomError({
      code: 'invalid_config',
      message: `unknown model ${JSON.stringify(config.model)}: give modelSpec (or use one of: ${Object.keys(MODEL_SPECS).join(', ')})`,
      path: ['service', 'modelSpec'],
      value: config.model,
    });
  }
  const weightBytes = spec === undefined ? 0 : spec.paramsB * 1e9 * spec.bytesPerParam;
  const gpuMemoryBytes = cls.memoryGiB * GIB;
  const usable = gpuMemoryBytes * config.gpuMemoryUtilization;
  let tp = config.tensorParallel;
  if (tp === undefined) {
    const profiled = profiles.map((p) => p.tensorParallel).sort((a, b) => a - b)[0];
    if (profiled !== undefined) tp = profiled;
    else {
      tp = 1;
      while (tp < 64 && weightBytes * 1.1 > usable * tp) tp *= 2;
    }
  }
  const profile = profiles.find((p) => p.tensorParallel === tp);
  const kvBytesPerToken = spec?.kvBytesPerToken ?? 0;
  let kvTokenBudget = config.kvTokenBudget;
  if (kvTokenBudget === undefined) {
    const free = usable * tp - weightBytes;
    if (free <= 0 || kvBytesPerToken <= 0) {
      throw new HeadroomError({
        code: 'invalid_config',
        message: `the weights of ${config.model} (${(weightBytes / 1e9).toFixed(1)} GB) leave no KV-cache room on ${tp} x ${cls.name} at gpuMemoryUtilization ${config.gpuMemoryUtilization}: raise tensorParallel or set kvTokenBudget`,
        path: ['service', 'tensorParallel'],
        value: tp,
      });
    }
    kvTokenBudget = Math.max(1, Math.floor(free / kvBytesPerToken));
  }

  let prefillCurve: Curve;
  let decodeCurve: Curve;
  let source: ServiceModel['source'];
  if (profile !== undefined) {
    prefillCurve = monotone(profile.prefillMs);
    decodeCurve = monotone(profile.decodeStepMs);
    source = 'splitwise';
  } else {
    if (spec === undefined) {
      throw new HeadroomError({
        code: 'invalid_config',
        message: `no Splitwise profile of ${config.model} on ${config.gpu} at tensorParallel ${tp} (profiled: ${profiles.map((p) => p.tensorParallel).join(', ')}), and no modelSpec for the roofline`,
        path: ['service', 'tensorParallel'],
        value: tp,
      });
    }
    const bandwidth = cls.bandwidthGBs * 1e9 * config.bandwidthEfficiency;
    const flops = cls.bf16Tflops * 1e12 * config.computeEfficiency * tp;
    const weightPassMs = (weightBytes / tp / bandwidth) * 1000;
    const kvPerSeqMs = ((config.rooflineContextTokens * kvBytesPerToken) / tp / bandwidth) * 1000;
    const promptPoints = [1, 128, 256, 512, 1024, 2048, 4096, 8192];
    prefillCurve = promptPoints.map(
      (t) => [t, Math.max(weightPassMs, ((2 * spec.paramsB * 1e9 * t) / flops) * 1000)] as const,
    );
    const batchPoints = [1, 2, 4, 8, 16, 32, 64, 128, 256];
    decodeCurve = batchPoints.map((b) => [b, weightPassMs + b * kvPerSeqMs] as const);
    source = 'roofline';
  }

  const maxBatch = config.maxBatch;
  const model: ServiceModel = {
    model: config.model,
    gpu: config.gpu,
    gpuClass: cls.name,
    gpusPerReplica: tp,
    source,
    maxBatch,
    kvTokenBudget,
    kvBytesPerToken,
    gpuMemoryBytes,
    gpuMemoryUtilization: config.gpuMemoryUtilization,
    prefillMs(promptTokens: number, batch = 1): number {
      return interpolate(prefillCurve, clean(promptTokens) * Math.max(1, clean(batch)));
    },
    decodeStepMs(batch: number): number {
      const b = clean(batch);
      return b === 0 ? 0 : interpolate(decodeCurve, b);
    },
    capacityRps(avgPromptTokens: number, avgOutputTokens: number, sloTtftMs: number): number {
      const prompt = clean(avgPromptTokens);
      const output = Math.max(1, clean(avgOutputTokens));
      const slo = clean(sloTtftMs) || Number.MIN_VALUE;
      const prefill = model.prefillMs(prompt);
      const perSeqTokens = prompt + output;
      const kvLimit = Math.max(1, Math.floor(kvTokenBudget / Math.max(1, perSeqTokens)));
      const limit = Math.max(1, Math.min(maxBatch, kvLimit));
      let best = 0;
      for (let b = 1; b <= limit; b++) {
        const step = model.decodeStepMs(b);
        if (prefill + 2 * step > slo) break;
        best = Math.max(best, 1000 / ((output * step) / b + prefill));
      }
      if (best === 0) best = 1000 / (output * model.decodeStepMs(1) + prefill);
      return best * CAPACITY_TARGET_UTILIZATION;
    },
  };
  return Object.freeze(model);
}
