import { parseConfig, type ErrorPath } from '@headroom/core';
import { z } from 'zod';

/**
 * Configuration of slow start, with the semantics of Envoy's `SlowStartConfig` (`slow_start_window`,
 * `aggression`, `min_weight_percent`), in milliseconds and plain numbers. Unknown keys are rejected.
 */
export const SlowStartConfigSchema = z.strictObject({
  /**
   * How long after an endpoint becomes ready its weight is ramped, ms, >= 0; 0 turns slow start
   * off. A GPU server that has just loaded a model still compiles kernels, captures CUDA graphs
   * and fills its caches, so its first requests are slow.
   * @defaultValue 60_000
   */
  windowMs: z.number().min(0).max(86_400_000).default(60_000),
  /**
   * How fast the ramp rises, > 0: the time factor is raised to `1 / aggression`, so 1 is linear,
   * above 1 rises fast early (concave), below 1 stays low longer (convex). Envoy's `aggression`.
   * @defaultValue 1
   */
  aggression: z.number().gt(0).max(1_000).default(1),
  /**
   * The lowest weight during the window, in percent of the full weight, in [0, 100]. Envoy's
   * `min_weight_percent`.
   * @defaultValue 10
   */
  minWeightPercent: z.number().min(0).max(100).default(10),
});

/** What a user passes: {@link SlowStartConfigSchema}'s input; every field is optional. */
export type SlowStartConfig = z.input<typeof SlowStartConfigSchema>;

/** A validated, frozen {@link SlowStartConfigSchema} with defaults filled in. */
export type ResolvedSlowStartConfig = Readonly<z.output<typeof SlowStartConfigSchema>>;

/**
 * The smallest elapsed time the ramp uses, ms: Envoy floors the time since the endpoint started
 * at one second, so a just-ready endpoint does not get weight 0 when `minWeightPercent` is 0.
 */
export const SLOW_START_MIN_ELAPSED_MS = 1_000;

const resolved = new WeakSet<object>();
const cache = new WeakMap<object, ResolvedSlowStartConfig>();

/**
 * Validates a slow-start configuration once: returns it frozen with defaults filled in.
 * {@link slowStartFactor} accepts either the result or a raw object (validated on first use and
 * remembered per object), so calling this first only moves a failure to start-up.
 *
 * @param input - the configuration; see {@link SlowStartConfigSchema}. @defaultValue `{}`
 * @param path - where the configuration sits in a larger one. @defaultValue `[]`
 * @throws `HeadroomError` `invalid_config` naming the field, the bound and the offending value.
 * @example
 * ```ts
 * const slowStart = parseSlowStartConfig({ windowMs: 120_000, aggression: 2 });
 * ```
 */
export function parseSlowStartConfig(
  input: SlowStartConfig = {},
  path: ErrorPath = [],
): ResolvedSlowStartConfig {
  const config = parseConfig(SlowStartConfigSchema, input, path);
  resolved.add(config);
  return config;
}

function resolve(config: SlowStartConfig | ResolvedSlowStartConfig): ResolvedSlowStartConfig {
  if (resolved.has(config)) return config as ResolvedSlowStartConfig;
  const known = cache.get(config);
  if (known !== undefined) return known;
  const parsed = parseSlowStartConfig(config);
  cache.set(config, parsed);
  return parsed;
}

/**
 * The slow-start weight factor of an endpoint, in [`minWeightPercent / 100`, 1], after Envoy's
 * slow start (envoyproxy.io, "Slow start mode" in the load balancing architecture overview),
 * restated: during the window that starts when the endpoint becomes ready, its weight is multiplied
 * by `max(minWeightPercent / 100, timeFactor ^ (1 / aggression))` with
 * `timeFactor = max(elapsed, 1 s) / windowMs`; from the end of the window on, the factor is 1.
 *
 * Inputs that are not plain times follow one rule: `elapsed = nowMs - readySinceMs`; a NaN elapsed
 * (a NaN time) and a negative one (ready in the future) count as 0, so the factor is at its
 * minimum; an elapsed of +Infinity (ready since forever) gives 1. The result is always finite.
 *
 * @param config - the window, aggression and minimum weight (raw or from {@link parseSlowStartConfig}).
 * @param readySinceMs - when the endpoint became ready, epoch ms.
 * @param nowMs - now, epoch ms.
 * @returns the factor to multiply the endpoint's weight by.
 * @throws `HeadroomError` `invalid_config` when a raw `config` is invalid.
 * @example
 * ```ts
 * slowStartFactor({ windowMs: 60_000 }, readyAtMs, readyAtMs + 30_000); // 0.5
 * slowStartFactor({ windowMs: 60_000, aggression: 2 }, readyAtMs, readyAtMs + 15_000); // 0.5
 * ```
 */
export function slowStartFactor(
  config: SlowStartConfig | ResolvedSlowStartConfig,
  readySinceMs: number,
  nowMs: number,
): number {
  const c = resolve(config);
  let elapsed = nowMs - readySinceMs;
  if (Number.isNaN(elapsed) || elapsed < 0) elapsed = 0;
  if (elapsed >= c.windowMs) return 1;
  const min = c.minWeightPercent / 100;
  const timeFactor = Math.max(elapsed, SLOW_START_MIN_ELAPSED_MS) / c.windowMs;
  if (timeFactor >= 1) return 1;
  const ramp = c.aggression === 1 ? timeFactor : timeFactor ** (1 / c.aggression);
  return Math.min(1, Math.max(min, ramp));
}

/**
 * When an endpoint's slow start ends, epoch ms: `readySinceMs + windowMs` (NaN in, NaN out).
 *
 * @param config - the slow-start configuration.
 * @param readySinceMs - when the endpoint became ready, epoch ms.
 * @returns the first time at which {@link slowStartFactor} is 1.
 * @throws `HeadroomError` `invalid_config` when a raw `config` is invalid.
 */
export function slowStartEndsAtMs(
  config: SlowStartConfig | ResolvedSlowStartConfig,
  readySinceMs: number,
): number {
  return readySinceMs + resolve(config).windowMs;
}

/**
 * The largest share of picks a slow-starting endpoint can get under weighted picking: its weight
 * times {@link slowStartFactor}, over that plus the other endpoints' total weight. A router that
 * picks in proportion to weight gives the endpoint this share on average; use it to check that
 * slow start caps a new endpoint's share during its window.
 *
 * Weights that are negative or not finite count as 0; when both are 0 the share is 0.
 *
 * @param config - the slow-start configuration.
 * @param readySinceMs - when the endpoint became ready, epoch ms.
 * @param nowMs - now, epoch ms.
 * @param endpointWeight - the endpoint's weight before slow start, >= 0.
 * @param otherWeight - the sum of the other endpoints' (effective) weights, >= 0.
 * @returns a share in [0, 1].
 * @throws `HeadroomError` `invalid_config` when a raw `config` is invalid.
 * @example
 * ```ts
 * // A new endpoint among 3 peers of equal weight, 6 s into a 60 s window: 0.1 / 3.1 of picks.
 * slowStartShareCap({ windowMs: 60_000 }, readyAtMs, readyAtMs + 6_000, 1, 3); // ~0.032
 * ```
 */
export function slowStartShareCap(
  config: SlowStartConfig | ResolvedSlowStartConfig,
  readySinceMs: number,
  nowMs: number,
  endpointWeight: number,
  otherWeight: number,
): number {
  const w = Number.isFinite(endpointWeight) && endpointWeight > 0 ? endpointWeight : 0;
  const others = Number.isFinite(otherWeight) && otherWeight > 0 ? otherWeight : 0;
  const effective = w * slowStartFactor(config, readySinceMs, nowMs);
  const total = effective + others;
  return total > 0 ? effective / total : 0;
}
