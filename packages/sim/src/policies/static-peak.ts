import { parseConfig } from '@headroom/core';
import { z } from 'zod';
import type { SimPolicy } from '../engine/types.js';
import {
  RATE_WINDOW_MS,
  checkBounds,
  clampReplicas,
  isPositiveFinite,
  notStarted,
  peakArrivalRatePerSec,
} from './common.js';

/** Options of {@link staticPeakPolicy}. Unknown keys are rejected. */
export const StaticPeakPolicyOptionsSchema = z.strictObject({
  /**
   * A fixed replica count, an integer >= 0 (clamped to the run's bounds).
   * @defaultValue sized for the trace's peak: `ceil(peak rate / capacityPerReplicaRps)`
   */
  replicas: z.number().int().min(0).optional(),
  /**
   * The window over which the peak rate is measured, ms, in [1 000, 3 600 000]: the busiest
   * window of this length in the trace. @defaultValue 60_000 (the peak 1-minute rate)
   */
  peakWindowMs: z.number().int().min(1_000).max(3_600_000).default(RATE_WINDOW_MS),
  /** How often the (constant) count is restated, ms. @defaultValue 60_000 */
  intervalMs: z.number().int().min(1_000).max(3_600_000).default(60_000),
});

/** What {@link staticPeakPolicy} accepts: {@link StaticPeakPolicyOptionsSchema}'s input. */
export type StaticPeakPolicyOptions = z.input<typeof StaticPeakPolicyOptionsSchema>;

/**
 * Static provisioning for the peak: the count a capacity planner would buy for the whole run,
 * `ceil(peak 1-minute arrival rate / capacityPerReplicaRps)` (within the bounds), or the
 * `replicas` given. It never changes, so it pays no cold start after t = 0 and idles off-peak.
 * With perfect knowledge of the peak it is the static fleet's best case: the peak minute is
 * served at the service model's capacity at the SLO, and shorter bursts above that rate are not
 * provisioned for. A capacity that is not a finite number > 0 cannot size the fleet: it then
 * runs `maxReplicas`.
 *
 * @param options - see {@link StaticPeakPolicyOptionsSchema}.
 * @throws `HeadroomError` `invalid_config` naming the option, its bound and the value.
 * @example
 * ```ts
 * const policy = staticPeakPolicy(); // sized from the trace at t = 0
 * const fixed = staticPeakPolicy({ replicas: 12 });
 * ```
 */
export function staticPeakPolicy(options: StaticPeakPolicyOptions = {}): SimPolicy {
  const config = parseConfig(StaticPeakPolicyOptionsSchema, options, ['staticPeakPolicy']);
  let replicas: number | undefined;
  return {
    name: 'static',
    intervalMs: config.intervalMs,
    initialReplicas(ctx) {
      const bounds = checkBounds(ctx, 'static');
      if (config.replicas !== undefined) {
        replicas = clampReplicas(config.replicas, bounds, bounds.minReplicas);
      } else if (!isPositiveFinite(ctx.capacityPerReplicaRps)) {
        replicas = bounds.maxReplicas;
      } else {
        const peak = peakArrivalRatePerSec(ctx.trace, config.peakWindowMs);
        const needed = Math.ceil(peak / ctx.capacityPerReplicaRps - 1e-9);
        replicas = clampReplicas(Math.max(1, needed), bounds, bounds.maxReplicas);
      }
      return replicas;
    },
    decide() {
      if (replicas === undefined) throw notStarted('static');
      return replicas;
    },
  };
}
