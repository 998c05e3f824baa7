import { z } from 'zod';

/**
 * The model and serving shape behind a roofline throughput estimate (see
 * {@link rooflineRequestsPerSecond}).
 *
 * - `paramsBillions`: parameters, billions (> 0). A 7B model is `7`.
 * - `bytesPerParam`: bytes per weight: 2 for FP16/BF16, 1 for FP8/INT8, 0.5 for 4-bit (> 0).
 *   @defaultValue 2
 * - `avgPromptTokens`: mean prompt length, tokens (>= 0). @defaultValue 512
 * - `avgOutputTokens`: mean generated length, tokens (>= 1). @defaultValue 256
 * - `batchSize`: sequences decoded together in one step (continuous batching), integer >= 1.
 *   The KV cache for that many sequences must fit in the requirement's memory.
 *   @defaultValue 1 (a conservative floor: set it to the batch your server sustains)
 * - `bandwidthEfficiency`: fraction of peak memory bandwidth a decode step achieves
 *   (model bandwidth utilization), in (0, 1]. @defaultValue 0.6
 * - `computeEfficiency`: fraction of peak dense tensor TFLOPS a prefill achieves (model FLOPs
 *   utilization), in (0, 1]. @defaultValue 0.5
 */
export const RooflineModelSchema = z.strictObject({
  /** Parameters, billions (> 0). */
  paramsBillions: z.number().positive(),
  /** Bytes per weight: 2 for FP16/BF16, 1 for FP8/INT8, 0.5 for 4-bit (> 0). @defaultValue 2 */
  bytesPerParam: z.number().positive().default(2),
  /** Mean prompt length, tokens (>= 0). @defaultValue 512 */
  avgPromptTokens: z.number().min(0).default(512),
  /** Mean generated length, tokens (>= 1). @defaultValue 256 */
  avgOutputTokens: z.number().min(1).default(256),
  /** Sequences decoded together in one step, integer >= 1. @defaultValue 1 */
  batchSize: z.number().int().min(1).default(1),
  /** Fraction of peak memory bandwidth a decode step achieves, in (0, 1]. @defaultValue 0.6 */
  bandwidthEfficiency: z.number().positive().max(1).default(0.6),
  /** Fraction of peak dense tensor TFLOPS a prefill achieves, in (0, 1]. @defaultValue 0.5 */
  computeEfficiency: z.number().positive().max(1).default(0.5),
});

/** A validated {@link RooflineModelSchema} (defaults applied). */
export type RooflineModel = z.output<typeof RooflineModelSchema>;

/** What one replica offers to the roofline: its share of memory bandwidth and tensor compute. */
export interface RooflineHardware {
  /** Peak memory bandwidth of the replica, GB/s (10^9 bytes/s), > 0. */
  readonly bandwidthGBs: number;
  /** Peak dense tensor TFLOPS of the replica at the precision the model runs, > 0. */
  readonly tflops: number;
}

/** A roofline estimate, with its parts so a reader can check it. */
export interface RooflineEstimate {
  /** Requests per second one replica sustains: `1 / secondsPerRequest`. */
  readonly requestsPerSecond: number;
  /** GPU seconds one request costs the replica: prefill plus its share of decode steps. */
  readonly secondsPerRequest: number;
  /** Seconds to prefill one average prompt (compute-bound). */
  readonly prefillSeconds: number;
  /** Seconds per decode step for the whole batch (bandwidth-bound). */
  readonly decodeStepSeconds: number;
  /** Output tokens per second of the replica while decoding: `batchSize / decodeStepSeconds`. */
  readonly decodeTokensPerSecond: number;
}

/** Bytes of the model's weights: `paramsBillions * 1e9 * bytesPerParam`. */
export function weightBytes(model: RooflineModel): number {
  return model.paramsBillions * 1e9 * model.bytesPerParam;
}

/**
 * A roofline estimate of the requests per second one replica serves, after Williams, Waterman and
 * Patterson's roofline model as commonly applied to LLM inference:
 *
 * - Decode is memory-bound: every step streams all weights from memory once and yields one token
 *   for each of the `batchSize` sequences, so
 *   `decodeStepSeconds = weightBytes / (bandwidthGBs * 1e9 * bandwidthEfficiency)` and
 *   `decodeTokensPerSecond = batchSize / decodeStepSeconds`.
 * - Prefill is compute-bound: about `2 * params` FLOPs per prompt token, so
 *   `prefillSeconds = 2 * paramsBillions * 1e9 * avgPromptTokens / (tflops * 1e12 * computeEfficiency)`.
 * - One request costs `prefillSeconds + avgOutputTokens * decodeStepSeconds / batchSize` of the
 *   replica's time (prefills are not batched, decode steps are shared by the batch), and
 *   `requestsPerSecond = 1 / secondsPerRequest`.
 *
 * It ignores KV-cache reads (optimistic for long contexts), attention FLOPs, communication
 * between tensor-parallel GPUs and scheduler overhead: use it to rank hardware, and give measured
 * requests/s (a throughput profile) for decisions that matter.
 *
 * @param model - a validated {@link RooflineModel}.
 * @param hardware - the replica's bandwidth and TFLOPS (both > 0).
 * @example
 * ```ts
 * const model = RooflineModelSchema.parse({ paramsBillions: 7, batchSize: 16 });
 * rooflineRequestsPerSecond(model, { bandwidthGBs: 300, tflops: 121 }).requestsPerSecond;
 * ```
 */
export function rooflineRequestsPerSecond(
  model: RooflineModel,
  hardware: RooflineHardware,
): RooflineEstimate {
  const decodeStepSeconds =
    weightBytes(model) / (hardware.bandwidthGBs * 1e9 * model.bandwidthEfficiency);
  const prefillSeconds =
    (2 * model.paramsBillions * 1e9 * model.avgPromptTokens) /
    (hardware.tflops * 1e12 * model.computeEfficiency);
  const secondsPerRequest =
    prefillSeconds + (model.avgOutputTokens * decodeStepSeconds) / model.batchSize;
  return {
    requestsPerSecond: 1 / secondsPerRequest,
    secondsPerRequest,
    prefillSeconds,
    decodeStepSeconds,
    decodeTokensPerSecond: model.batchSize / decodeStepSeconds,
  };
}
