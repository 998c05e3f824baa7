import { parseConfig } from '@headroom/core';
import {
  initialPanicState,
  panicStep,
  parsePanicConfig,
  type DemandSample,
  type PanicConfig,
  type PanicState,
  type PanicStepResult,
} from '@headroom/scaling';
import { z } from 'zod';
import type { PolicyObservation, SimPolicy } from '../engine/types.js';
import {
  checkBounds,
  clampReplicas,
  initialReplicaCount,
  instanceConcurrency,
  isReplicaCount,
  notStarted,
  observedReplicas,
  type ReplicaBounds,
} from './common.js';

/**
 * Options of {@link knativePolicy}, with the Knative Pod Autoscaler's (KPA) names and defaults
 * where Knative has one. Unknown keys are rejected.
 */
export const KnativePolicyOptionsSchema = z
  .strictObject({
    /**
     * The soft concurrency target per replica, requests in flight (running + queued) a replica
     * should carry (`autoscaling.knative.dev/target`), > 0. Knative's HTTP default is 100; for an
     * LLM server the natural unit is its continuous batch, so the default here is 16 concurrent
     * sequences. @defaultValue 16
     */
    targetConcurrency: z.number().positive().max(1_000_000).default(16),
    /**
     * The share of `targetConcurrency` the autoscaler aims for
     * (`container-concurrency-target-percentage`, as a fraction), in (0, 1]. @defaultValue 0.7
     */
    targetUtilization: z.number().gt(0).max(1).default(0.7),
    /** The stable window, ms, in [6 000, 3 600 000] (`stable-window`). @defaultValue 60_000 */
    stableWindowMs: z.number().int().min(6_000).max(3_600_000).default(60_000),
    /**
     * The panic window, ms, between 1% and 100% of the stable window (`panic-window-percentage`
     * 10 of a 60 s window). @defaultValue 6_000
     */
    panicWindowMs: z.number().int().positive().default(6_000),
    /**
     * How far the panic window's desired count must exceed the ready replicas to panic, as a
     * multiple in [1.1, 10] (`panic-threshold-percentage` 200 → 2.0). @defaultValue 2.0
     */
    panicThreshold: z.number().min(1.1).max(10).default(2),
    /** At most this multiple of the ready replicas per decision (`max-scale-up-rate`), >= 1. @defaultValue 1000 */
    maxScaleUpRate: z.number().min(1).default(1_000),
    /** At least the ready replicas divided by this per decision (`max-scale-down-rate`), >= 1. @defaultValue 2 */
    maxScaleDownRate: z.number().min(1).default(2),
    /** The decision period, ms (the autoscaler's `tick-interval`), in [1 000, 600 000]. @defaultValue 2_000 */
    intervalMs: z.number().int().min(1_000).max(600_000).default(2_000),
    /**
     * Replicas at t = 0, an integer >= 0 (clamped to the run's bounds).
     * @defaultValue the count that carries the trace's first minute (see `startingReplicas`)
     */
    initialReplicas: z.number().int().min(0).optional(),
  })
  .superRefine((o, ctx) => {
    const pct = (o.panicWindowMs / o.stableWindowMs) * 100;
    if (pct < 1 || pct > 100) {
      ctx.addIssue({
        code: 'custom',
        message: `panicWindowMs must be between 1% and 100% of stableWindowMs (${o.stableWindowMs} ms)`,
        path: ['panicWindowMs'],
        input: o.panicWindowMs,
        params: { limit: `[${o.stableWindowMs / 100}, ${o.stableWindowMs}]` },
      });
    }
  });

/** What {@link knativePolicy} accepts: {@link KnativePolicyOptionsSchema}'s input. */
export type KnativePolicyOptions = z.input<typeof KnativePolicyOptionsSchema>;

/** A {@link SimPolicy} that can also report its last panic-mode step. */
export interface KnativeSimPolicy extends SimPolicy {
  /** The last step of the stable/panic windows, or `undefined` before one. */
  inspect(): { readonly lastStep: PanicStepResult | undefined };
}

/**
 * The Knative Pod Autoscaler (KPA) baseline, on concurrency: every 2 s it samples the fleet's
 * requests in flight (running + queued at every instance, from the lagged observation), averages
 * them over a 60 s stable window and a 6 s panic window, and asks for `ceil(average /
 * (targetConcurrency × targetUtilization))` replicas. When the panic window asks for at least
 * twice the ready replicas, it panics: it takes the larger of the two windows' counts and never
 * scales down until a full stable window has passed without a new trigger. The windows, the
 * threshold and the panic rules are the scaling package's `panicStep`; on top of it the KPA's
 * rate limits apply as Knative applies them: at most `ceil(maxScaleUpRate × ready)` and at least
 * `floor(ready / maxScaleDownRate)` per decision (ready counted as at least 1).
 *
 * Where it differs from Knative: the activator's buffered requests are not counted (the simulator
 * queues at instances, which this counts), scale-to-zero is not modelled (the run's
 * `minReplicas` is the floor), and Knative applies the rate limits to each window's count before
 * the panic test while here they bound the final count (equal unless a limit binds).
 *
 * @param options - see {@link KnativePolicyOptionsSchema}.
 * @throws `HeadroomError` `invalid_config` naming the option, its bound and the value.
 * @example
 * ```ts
 * const policy = knativePolicy({ targetConcurrency: 16 });
 * // 4 ready, a burst to 100 in flight over the last 6 s: ceil(100 / 11.2) = 9 >= 2 × 4: panic
 * ```
 */
export function knativePolicy(options: KnativePolicyOptions = {}): KnativeSimPolicy {
  const config = parseConfig(KnativePolicyOptionsSchema, options, ['knativePolicy']);
  const panicConfig: PanicConfig = parsePanicConfig(
    {
      stableWindowMs: config.stableWindowMs,
      panicWindowPercentage: (config.panicWindowMs / config.stableWindowMs) * 100,
      panicThresholdPercentage: config.panicThreshold * 100,
      targetPerReplica: config.targetConcurrency * config.targetUtilization,
    },
    ['knativePolicy'],
  );
  let bounds: ReplicaBounds | undefined;
  let state: PanicState = initialPanicState();
  let samples: DemandSample[] = [];
  let lastStep: PanicStepResult | undefined;
  let lastReplicas = 0;

  return {
    name: 'knative',
    intervalMs: config.intervalMs,
    initialReplicas(ctx) {
      bounds = checkBounds(ctx, 'knative');
      state = initialPanicState();
      samples = [];
      lastStep = undefined;
      lastReplicas = initialReplicaCount(ctx, bounds, config.initialReplicas);
      return lastReplicas;
    },
    decide(obs: PolicyObservation): number {
      if (bounds === undefined) throw notStarted('knative');
      const current = observedReplicas(obs, lastReplicas);
      if (!Number.isFinite(obs.nowMs))
        return (lastReplicas = clampReplicas(current, bounds, current));
      const ready = isReplicaCount(obs.readyReplicas) ? obs.readyReplicas : 0;
      let inFlight = 0;
      for (const instance of obs.instances) inFlight += instanceConcurrency(instance);
      samples.push({ atMs: obs.nowMs, value: inFlight });
      // Keep one sample older than the stable window: it anchors the window's oldest one.
      const cutoff = obs.nowMs - config.stableWindowMs;
      let drop = 0;
      while (drop + 1 < samples.length && (samples[drop + 1] as DemandSample).atMs <= cutoff)
        drop++;
      if (drop > 0) samples = samples.slice(drop);
      const step = panicStep(panicConfig, state, {
        nowMs: obs.nowMs,
        readyReplicas: ready,
        observed: samples,
      });
      state = step.state;
      lastStep = step;
      const readyForRates = Math.max(1, ready);
      const maxUp = Math.ceil(config.maxScaleUpRate * readyForRates);
      const maxDown = Math.floor(readyForRates / config.maxScaleDownRate);
      const limited = Math.min(maxUp, Math.max(maxDown, step.desiredReplicas));
      lastReplicas = clampReplicas(limited, bounds, current);
      return lastReplicas;
    },
    inspect: () => ({ lastStep }),
  };
}
