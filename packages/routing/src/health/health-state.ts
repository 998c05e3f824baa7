import { z } from 'zod';
import { HEALTH_STATES } from './gpu-signals.js';

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const rank = z.number().int().min(0).max(3);
const epochMs = z.number().finite();

const GPU_CAUSES = [
  'none',
  'fatal_xid',
  'ecc_uncorrectable',
  'row_remap_failure',
  'temperature_drain',
  'temperature',
  'throttled',
] as const;

const HEALTH_CAUSES = [
  'fatal_xid',
  'ecc_uncorrectable',
  'row_remap_failure',
  'temperature_drain',
  'temperature',
  'throttled',
  'gpu_recovered',
  'consecutive_failures',
  'success_rate',
  'ejection_expired',
  'drain_set',
  'drain_cleared',
] as const;

/** The saved state of one endpoint in a {@link HealthTrackerStateSchema}. */
export const EndpointHealthStateSchema = z.strictObject({
  /** GPU grade rank after hysteresis, 0 (healthy) to 3 (ejected). */
  gpuRank: rank,
  /** The signal behind the GPU grade. */
  gpuCause: z.literal(GPU_CAUSES),
  /** Start of the current clean run, epoch ms, or `null`. */
  cleanSinceMs: epochMs.nullable(),
  /** Worst grade rank seen during the clean run. */
  cleanWorstRank: rank,
  /** Its cause. */
  cleanWorstCause: z.literal(GPU_CAUSES),
  /** Grade rank of the latest reading, with the hysteresis margin. */
  lastRecoverRank: rank,
  /** Its cause. */
  lastRecoverCause: z.literal(GPU_CAUSES),
  /** Operator drain flag. */
  draining: z.boolean(),
  /** When the current outlier ejection ends, epoch ms, or `null` when not ejected. */
  ejectedUntilMs: epochMs.nullable(),
  /** Why it is outlier-ejected, or `null`. */
  ejectionReason: z.literal(['consecutive_failures', 'success_rate']).nullable(),
  /** Outlier ejections so far. */
  ejectionCount: count,
  /** Envoy's ejection-time multiplier. */
  ejectionMultiplier: count,
  /** Failed outcomes in a row. */
  consecutiveFailures: count,
  /** Successes in the current interval. */
  intervalSuccesses: count,
  /** Failures in the current interval. */
  intervalFailures: count,
  /** Effective state rank. */
  rank,
  /** Changes of the effective state so far. */
  transitions: count,
  /** The latest transitions, oldest first. */
  events: z.array(
    z.strictObject({
      /** When, epoch ms. */
      atMs: epochMs,
      /** State before. */
      from: z.literal(HEALTH_STATES),
      /** State after. */
      to: z.literal(HEALTH_STATES),
      /** What drove it. */
      cause: z.literal(HEALTH_CAUSES),
    }),
  ),
});

/**
 * The zod schema of a {@link HealthTrackerState}: what `HealthTracker.toJSON()` returns and
 * `restoreHealthTracker` accepts, so a new leader or the simulator resumes where the last one
 * stopped (ejections, their multipliers, clean runs and interval counts included).
 */
export const HealthTrackerStateSchema = z.strictObject({
  /** Format version, 1. */
  version: z.literal(1),
  /** The latest time the tracker had seen, epoch ms, or `null` before any. */
  latestMs: epochMs.nullable(),
  /** Each endpoint's state, in tracking order. */
  endpoints: z.array(
    z.strictObject({
      /** The endpoint id. */
      id: z.string(),
      /** Its state. */
      state: EndpointHealthStateSchema,
    }),
  ),
});

/** A health tracker's state as plain JSON data; see {@link HealthTrackerStateSchema}. */
export type HealthTrackerState = z.output<typeof HealthTrackerStateSchema>;

/** One endpoint's saved state; see {@link EndpointHealthStateSchema}. */
export type EndpointHealthState = z.output<typeof EndpointHealthStateSchema>;
