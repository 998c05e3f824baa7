import { parseConfig, type ErrorPath } from '@headroom/core';
import { z } from 'zod';
import { PrefixAffinityConfigSchema } from '../affinity/prefix-affinity.js';
import { HealthConfigSchema } from '../health/health-config.js';
import { GpuClassInfoSchema } from '../matching/gpu-classes.js';
import { MatchingPolicySchema } from '../matching/matching.js';
import { SlowStartConfigSchema } from '../slow-start/slow-start.js';
import { SaturationConfigSchema, ScoringConfigSchema } from '../table/scoring.js';

/**
 * Configuration of {@link createRouter}. Every option has a default; `{}` is a working router.
 */
export const RouterConfigSchema = z.strictObject({
  /** The picker; see `PickerKind`. @defaultValue 'weighted' */
  picker: z.literal(['weighted', 'p2c', 'least_loaded']).default('weighted'),
  /** How headroom becomes a weight; see {@link ScoringConfigSchema}. */
  scoring: ScoringConfigSchema.prefault({}),
  /** When an endpoint is saturated; see {@link SaturationConfigSchema}. */
  saturation: SaturationConfigSchema.prefault({}),
  /**
   * Age at or beyond which an endpoint's scrape is stale, ms, > 0. A stale (or never scraped)
   * endpoint is treated as unknown: its weight is `stalePenalty` × the weight it would have idle,
   * its load score for p2c / least-loaded is 1 (exactly the saturation threshold), so a fresh
   * endpoint with room beats it and a saturated one loses to it. The router's own in-flight count
   * since the scrape (picks minus completions) still applies: it divides the weight by
   * `(1 + count)^queueExponent`, adds `count / saturation.queueDepth` to the load score, and makes
   * the endpoint saturated once it reaches `saturation.queueDepth`.
   * @defaultValue 15_000
   */
  maxMetricAgeMs: z.number().gt(0).max(86_400_000).default(15_000),
  /** Multiplier of a stale endpoint's idle weight, in [0, 1]. @defaultValue 0.5 */
  stalePenalty: z.number().min(0).max(1).default(0.5),
  /**
   * Envoy's healthy panic threshold, in [0, 1]: when the endpoints of a model pool that are
   * available (ready, and healthy or degraded) are fewer than this fraction of those that are
   * ready and not draining, the pool is in panic and picks ignore health (ejected endpoints take
   * traffic again, degraded ones at full weight), so a wave of ejections cannot overload the few
   * that are left. 0 disables panic. @defaultValue 0.5
   */
  panicThreshold: z.number().min(0).max(1).default(0.5),
  /**
   * What to do when every candidate is saturated (or has no headroom): `spill` picks among all of
   * them by 1 / (1 + load score) (the least overloaded get most); `shed` rejects requests whose
   * priority is below `shedBelowPriority` with reason `saturated`, and spills the others.
   * @defaultValue 'spill'
   */
  onSaturated: z.literal(['spill', 'shed']).default('spill'),
  /** Priority below which `shed` rejects, finite. @defaultValue 1 */
  shedBelowPriority: z.number().min(-1e15).max(1e15).default(1),
  /**
   * How often a non-healthy endpoint's health is re-read from the tracker, ms, > 0 (ejections
   * expire and GPUs recover with time, without a new signal). @defaultValue 1_000
   */
  healthRecheckMs: z.number().gt(0).max(3_600_000).default(1_000),
  /** Slow start (the health helper's schema); `{ windowMs: 0 }` turns it off. */
  slowStart: SlowStartConfigSchema.prefault({}),
  /**
   * How often a slow-starting endpoint's weight is recomputed, ms, > 0: its ramp advances in steps
   * of this length (weights are cached in the pick trees, not recomputed per pick).
   * @defaultValue 1_000
   */
  slowStartRefreshMs: z.number().gt(0).max(3_600_000).default(1_000),
  /** Health grading and outlier detection (the health helper's schema). */
  health: HealthConfigSchema.prefault({}),
  /**
   * Prefix / KV-cache affinity: when a request carries `prefixHashes` and the candidates' effective
   * queues are balanced (SGLang's balance thresholds), a candidate whose cached prefix ratio is
   * above `cacheThreshold` has its weight multiplied (and its load score divided) by
   * `1 + boost × ratio`. Such picks scan the pool (O(n)).
   */
  affinity: z
    .strictObject({
      /** Whether the scorer runs. @defaultValue true */
      enabled: z.boolean().default(true),
      /** Multiplier slope of a cached prefix, in [0, 1000]. @defaultValue 4 */
      boost: z.number().min(0).max(1000).default(4),
      /** The prefix index and thresholds (the health helper's schema). */
      index: PrefixAffinityConfigSchema.prefault({}),
    })
    .prefault({}),
  /**
   * Workload-to-GPU matching (the health helper's policy): a request that names `latencyClass`,
   * `fp8` or `memoryGiB` only goes to endpoints whose `gpuClass` allows it (tier for the latency
   * class, FP8 tensor cores, memory fit). An endpoint without a known GPU class is filtered out of
   * such requests (it cannot be shown to fit).
   */
  matching: MatchingPolicySchema.prefault({}),
  /**
   * Extra or overriding GPU classes by name (added to the built-in table), for `gpuClass` lookups.
   * @defaultValue {}
   */
  gpuClasses: z.record(z.string().min(1), GpuClassInfoSchema).default({}),
  /**
   * Draws the O(log n) path tries before it falls back to an exact O(n) scan when a request has
   * filters the pick trees do not index (regions, zones, workload); 0 always scans. Integer in
   * [0, 64]. Either way the pick is exactly proportional to weight among the endpoints that pass.
   * @defaultValue 8
   */
  rejectionTries: z.number().int().min(0).max(64).default(8),
  /**
   * Whether a pick counts as a start for in-flight accounting (+1 on the picked endpoint until
   * its `onComplete`). Turn it off when the host calls `onStart` for every request itself.
   * @defaultValue true
   */
  countPicksAsStarts: z.boolean().default(true),
  /**
   * Picks between automatic telemetry flushes (integer >= 0; 0: only `flushTelemetry()`).
   * @defaultValue 65_536
   */
  telemetryFlushEveryPicks: z.number().int().min(0).max(1e9).default(65_536),
});

/** Input of {@link RouterConfigSchema}: every field optional. */
export type RouterConfigInput = z.input<typeof RouterConfigSchema>;
/** A validated, frozen {@link RouterConfigSchema}. */
export type RouterConfig = Readonly<z.output<typeof RouterConfigSchema>>;

/**
 * Validates a router configuration once.
 * @throws `HeadroomError` `invalid_config` naming the field, bound and value.
 */
export function parseRouterConfig(
  input: RouterConfigInput = {},
  path: ErrorPath = [],
): RouterConfig {
  return parseConfig(RouterConfigSchema, input, path);
}
