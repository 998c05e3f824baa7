import { HeadroomError, parseConfig, type ErrorPath } from '@headroom/core';
import { z } from 'zod';

/** The most samples {@link serviceTimeFromSamples} accepts: 10 million. */
const MAX_SAMPLES = 10_000_000;

/**
 * A service-time distribution as the capacity model needs it: the mean and the coefficient of
 * variation (standard deviation / mean), or raw samples from which both are computed.
 *
 * - `{ meanMs, cv }`: mean service time of one request, ms (> 0), and its cv (>= 0): 0 for a
 *   fixed time, 1 for an exponential one, above 1 for heavy tails (LLM requests with long outputs).
 * - `{ samplesMs }`: measured service times, ms, each finite and >= 0, at least one, mean > 0.
 *
 * Service time here is the time one request occupies one server (one batch slot, see
 * `slotsPerReplica` of {@link ReplicasForSloInputSchema}), measured at the concurrency the replica
 * runs at.
 */
export const ServiceTimeSchema = z.union([
  z.strictObject({
    /** Mean service time, ms, finite and > 0. */
    meanMs: z.number().positive().max(1e12),
    /** Coefficient of variation of the service time, finite and >= 0 (1: exponential). */
    cv: z.number().min(0).max(1000),
  }),
  z.strictObject({
    /** Measured service times, ms: finite and >= 0, 1 to 10 million of them, mean > 0. */
    samplesMs: z.array(z.number().min(0).max(1e12)).min(1).max(MAX_SAMPLES).readonly(),
  }),
]);

/** What {@link ServiceTimeSchema} accepts. */
export type ServiceTimeInput = z.input<typeof ServiceTimeSchema>;

/** The two moments the capacity model uses. */
export interface ServiceTimeStats {
  /** Mean service time, ms, > 0. */
  readonly meanMs: number;
  /** Coefficient of variation, >= 0. */
  readonly cv: number;
}

/**
 * The mean and coefficient of variation of measured service times. The standard deviation is the
 * sample one (divisor n − 1) for two or more samples, 0 for a single sample. Uses a two-pass sum,
 * which stays accurate when the times are large and close together.
 *
 * @param samplesMs - service times, ms, each finite and >= 0; at least one; not all 0.
 * @throws `HeadroomError` `invalid_argument` naming the first bad sample (NaN, infinite or
 * negative), an empty list, or a mean of 0.
 * @example
 * ```ts
 * serviceTimeFromSamples([100, 200, 300]); // { meanMs: 200, cv: 0.5 }
 * ```
 */
export function serviceTimeFromSamples(
  samplesMs: readonly number[],
  path: ErrorPath = ['samplesMs'],
): ServiceTimeStats {
  if (!Array.isArray(samplesMs) || samplesMs.length === 0) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be a non-empty array of service times in ms',
      path,
      value: samplesMs,
      limit: 'at least 1 sample',
    });
  }
  let sum = 0;
  for (let i = 0; i < samplesMs.length; i++) {
    const x = samplesMs[i];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: 'every service time must be a finite number >= 0 (ms)',
        path: [...path, i],
        value: x,
        limit: 'finite, >= 0',
      });
    }
    sum += x;
  }
  const n = samplesMs.length;
  const meanMs = sum / n;
  if (!(meanMs > 0) || !Number.isFinite(meanMs)) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'the mean service time must be finite and > 0 (every sample is 0)',
      path,
      value: meanMs,
      limit: 'mean > 0',
    });
  }
  if (n === 1) return { meanMs, cv: 0 };
  let squares = 0;
  for (const x of samplesMs) squares += (x - meanMs) ** 2;
  return { meanMs, cv: Math.sqrt(squares / (n - 1)) / meanMs };
}

/**
 * Validates a {@link ServiceTimeInput} and reduces it to its mean and cv.
 *
 * @param path - where the input sits in a larger one, prefixed to error paths. @defaultValue `['service']`
 * @throws `HeadroomError` `invalid_config` naming the bad field (NaN, negative, empty samples,
 * unknown keys), or `invalid_argument` for samples whose mean is 0.
 * @example
 * ```ts
 * resolveServiceTime({ meanMs: 800, cv: 1.2 }); // { meanMs: 800, cv: 1.2 }
 * resolveServiceTime({ samplesMs: [700, 900] }); // { meanMs: 800, cv: ≈0.177 }
 * ```
 */
export function resolveServiceTime(
  input: ServiceTimeInput,
  path: ErrorPath = ['service'],
): ServiceTimeStats {
  const parsed = parseConfig(ServiceTimeSchema, input, path);
  if ('samplesMs' in parsed)
    return serviceTimeFromSamples(parsed.samplesMs, [...path, 'samplesMs']);
  return { meanMs: parsed.meanMs, cv: parsed.cv };
}
