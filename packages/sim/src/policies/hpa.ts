import { parseConfig } from '@headroom/core';
import {
  createHpaController,
  initialHpaState,
  type HpaController,
  type HpaDecision,
  type HpaPodSample,
  type HpaState,
} from '@headroom/scaling';
import { z } from 'zod';
import type { PolicyObservation, SimPolicy } from '../engine/types.js';
import {
  checkBounds,
  GPU_RESOURCE,
  gpuUtilizationSample,
  hpaReconcile,
  initialReplicaCount,
  notStarted,
  observedReplicas,
  type ReplicaBounds,
} from './common.js';

/**
 * Options of {@link hpaPolicy}. Every default is the Kubernetes default; unknown keys are
 * rejected.
 */
export const HpaPolicyOptionsSchema = z.strictObject({
  /**
   * The target average GPU utilization over ready pods, a fraction in (0, 1], turned into the
   * HPA's integer `averageUtilization` percent (0.7 → 70). @defaultValue 0.7
   */
  targetUtilization: z.number().gt(0).max(1).default(0.7),
  /**
   * The reconcile period, ms (`--horizontal-pod-autoscaler-sync-period`), an integer in
   * [1 000, 600 000]. @defaultValue 15_000
   */
  intervalMs: z.number().int().min(1_000).max(600_000).default(15_000),
  /** The controller's tolerance (`--horizontal-pod-autoscaler-tolerance`), in [0, 1]. @defaultValue 0.1 */
  tolerance: z.number().min(0).max(1).default(0.1),
  /**
   * Replicas at t = 0, an integer >= 0 (clamped to the run's bounds).
   * @defaultValue the count that carries the trace's first minute (see `startingReplicas`)
   */
  initialReplicas: z.number().int().min(0).optional(),
});

/** What {@link hpaPolicy} accepts: {@link HpaPolicyOptionsSchema}'s input. */
export type HpaPolicyOptions = z.input<typeof HpaPolicyOptionsSchema>;

/** The last decision of an {@link hpaPolicy}, for tests and reports. */
export interface HpaPolicyInspection {
  /** The HPA's last decision (reason, proposals, stabilized count), or `undefined` before one. */
  readonly lastDecision: HpaDecision | undefined;
}

/** A {@link SimPolicy} that can also report its last HPA decision. */
export interface HpaSimPolicy extends SimPolicy {
  /** The last decision, with the HPA's reason. */
  inspect(): HpaPolicyInspection;
}

/**
 * The Kubernetes Horizontal Pod Autoscaler baseline: a `Resource` metric on `nvidia.com/gpu` with
 * an `Utilization` target of 70%, under the default `behavior` (scale-up without stabilization,
 * at most +4 pods or +100% per 15 s, whichever is more; scale-down stabilized over 300 s, at most
 * −100% per 15 s), reconciled every 15 s, with the 10% tolerance. It runs the scaling package's
 * HPA compatibility mode (`hpaStep`), so the replica calculation is the controller's own:
 * utilization as the integer percent of summed requests over ready pods, `desired = ceil(ratio ×
 * ready pods)`, missing pods counted as at target on a scale-down and idle on a scale-up, pending
 * (loading) pods counted as idle on a scale-up, and the stabilization and rate-limit rules.
 *
 * What it reads: each ready instance's lagged GPU utilization (the busy fraction over the last
 * tick: what DCGM's `DCGM_FI_DEV_GPU_UTIL` reports). Instances that are not yet ready are
 * Pending pods; a draining one is a pod being deleted (ignored). Kubernetes has no GPU
 * utilization `Resource` metric out of the box; clusters expose DCGM's through a metrics adapter,
 * and the controller's arithmetic is the same either way.
 *
 * The spec is given an explicit empty `behavior` so the API defaults above apply (a spec without
 * `behavior` would take the controller's legacy path instead).
 *
 * State (recommendations and scale events) lives in the policy object and is reset by
 * `initialReplicas`, so one object can drive several runs, one at a time.
 *
 * @param options - see {@link HpaPolicyOptionsSchema}.
 * @throws `HeadroomError` `invalid_config` naming the option, its bound and the value.
 * @example
 * ```ts
 * const policy = hpaPolicy({ targetUtilization: 0.7 });
 * // 8 ready pods at 90% GPU utilization: ceil(8 × 90 / 70) = 11 replicas
 * ```
 */
export function hpaPolicy(options: HpaPolicyOptions = {}): HpaSimPolicy {
  const config = parseConfig(HpaPolicyOptionsSchema, options, ['hpaPolicy']);
  const averageUtilization = Math.max(1, Math.round(config.targetUtilization * 100));
  let controller: HpaController | undefined;
  let bounds: ReplicaBounds | undefined;
  let state: HpaState = initialHpaState();
  let last: HpaDecision | undefined;
  let lastReplicas = 0;

  return {
    name: 'hpa',
    intervalMs: config.intervalMs,
    initialReplicas(ctx) {
      bounds = checkBounds(ctx, 'hpa');
      // The HPA needs maxReplicas >= 1; a run whose bounds are [0, 0] can only ever run 0.
      controller = createHpaController({
        minReplicas: bounds.minReplicas,
        maxReplicas: Math.max(1, bounds.maxReplicas),
        metrics: [
          {
            type: 'Resource',
            name: GPU_RESOURCE,
            target: { type: 'Utilization', averageUtilization },
          },
        ],
        behavior: { scaleUp: {}, scaleDown: {} },
        tolerance: config.tolerance,
      });
      state = initialHpaState();
      last = undefined;
      lastReplicas = initialReplicaCount(ctx, bounds, config.initialReplicas);
      return lastReplicas;
    },
    decide(obs: PolicyObservation): number {
      if (controller === undefined || bounds === undefined) throw notStarted('hpa');
      const specReplicas = observedReplicas(obs, lastReplicas);
      const nowMs = Number.isFinite(obs.nowMs) ? obs.nowMs : 0;
      const samples: Record<string, HpaPodSample> = {};
      for (const instance of obs.instances) {
        if (instance.state !== 'ready') continue;
        const sample = gpuUtilizationSample(instance, config.intervalMs);
        if (sample !== undefined) samples[instance.id] = sample;
      }
      const reconciled = hpaReconcile(controller, state, bounds, obs, nowMs, specReplicas, {
        kind: 'pods',
        samples,
      });
      state = reconciled.state;
      last = reconciled.decision;
      lastReplicas = reconciled.desired;
      return lastReplicas;
    },
    inspect: () => ({ lastDecision: last }),
  };
}
