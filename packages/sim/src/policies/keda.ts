import { parseConfig } from '@headroom/core';
import {
  createHpaController,
  initialHpaState,
  initialScaleToZeroState,
  parseScaleToZeroConfig,
  scaleToZeroStep,
  toMilli,
  type HpaController,
  type HpaDecision,
  type HpaState,
  type ScaleToZeroConfig,
  type ScaleToZeroDecision,
  type ScaleToZeroState,
} from '@headroom/scaling';
import { z } from 'zod';
import type { PolicyObservation, SimPolicy } from '../engine/types.js';
import {
  checkBounds,
  clampReplicas,
  finiteNonNegative,
  hpaReconcile,
  initialReplicaCount,
  notStarted,
  observedReplicas,
  type ReplicaBounds,
} from './common.js';

/** Options of {@link kedaQueuePolicy}, with KEDA's names and defaults. Unknown keys are rejected. */
export const KedaQueuePolicyOptionsSchema = z.strictObject({
  /**
   * The queue length one replica should carry (a trigger's `queueLength` / `value`), requests,
   * > 0. KEDA turns it into an HPA `External` metric with an `AverageValue` target, so the HPA asks
   * for `ceil(queue / targetQueuePerReplica)` replicas. @defaultValue 8
   */
  targetQueuePerReplica: z.number().positive().max(1_000_000).default(8),
  /**
   * The queue length above which the scaler is active (`activationThreshold`), >= 0. It only
   * governs 0 ↔ 1: a run with `minReplicas` >= 1 never goes to zero, whatever the queue.
   * @defaultValue 0
   */
  activationThreshold: z.number().min(0).default(0),
  /**
   * What counts as the queue: `waiting` (requests not yet admitted to a batch, vLLM's
   * `num_requests_waiting`), or `waiting_and_running` (the backlog not yet completed: the
   * messages a broker holds until they are acknowledged, as KEDA's RabbitMQ scaler counts ready +
   * unacknowledged messages). @defaultValue 'waiting_and_running'
   */
  queue: z.literal(['waiting', 'waiting_and_running']).default('waiting_and_running'),
  /** How long after the last active sample the workload goes to zero, ms (`cooldownPeriod`). @defaultValue 300_000 */
  cooldownMs: z.number().int().min(0).default(300_000),
  /**
   * The HPA's reconcile period, ms, in [1 000, 600 000]: KEDA serves the metric on each HPA
   * request. @defaultValue 15_000
   */
  intervalMs: z.number().int().min(1_000).max(600_000).default(15_000),
  /** The HPA's tolerance, in [0, 1]. @defaultValue 0.1 */
  tolerance: z.number().min(0).max(1).default(0.1),
  /**
   * Replicas at t = 0, an integer >= 0 (clamped to the run's bounds).
   * @defaultValue the count that carries the trace's first minute (see `startingReplicas`)
   */
  initialReplicas: z.number().int().min(0).optional(),
});

/** What {@link kedaQueuePolicy} accepts: {@link KedaQueuePolicyOptionsSchema}'s input. */
export type KedaQueuePolicyOptions = z.input<typeof KedaQueuePolicyOptionsSchema>;

/** A {@link SimPolicy} that can also report its last decision. */
export interface KedaSimPolicy extends SimPolicy {
  /** The last HPA decision and activation step (either may be `undefined`). */
  inspect(): {
    readonly lastHpa: HpaDecision | undefined;
    readonly lastActivation: ScaleToZeroDecision | undefined;
    readonly lastQueue: number | undefined;
  };
}

/**
 * The KEDA queue-length baseline. KEDA splits scaling in two, and so does this policy:
 *
 * - **Activation (0 ↔ 1)**, with the scaling package's `scaleToZeroStep`: the scaler is active
 *   while the queue is above `activationThreshold`; at zero an active workload goes to 1; a
 *   workload inactive for `cooldownMs` goes to 0, only when the run's `minReplicas` is 0 (KEDA's
 *   `minReplicaCount: 0`).
 * - **Scaling (1 ↔ N)**, by the HPA KEDA creates: an `External` metric with an `AverageValue`
 *   target of `targetQueuePerReplica`, so `desired = ceil(queue / target)` unless
 *   `queue / (target × replicas)` is within the 10% tolerance, then the HPA's default behavior
 *   (no up stabilization, +4 pods or +100% per 15 s; 300 s down stabilization, −100% per 15 s),
 *   through the scaling package's `hpaStep`. KEDA gives the HPA `minReplicas` of at least 1.
 *
 * The queue is summed over the fleet's instances from the lagged observation (see
 * {@link KedaQueuePolicyOptionsSchema}'s `queue` for what counts).
 *
 * @param options - see {@link KedaQueuePolicyOptionsSchema}.
 * @throws `HeadroomError` `invalid_config` naming the option, its bound and the value.
 * @example
 * ```ts
 * const policy = kedaQueuePolicy({ targetQueuePerReplica: 8, activationThreshold: 0 });
 * // 50 queued with 3 replicas: ceil(50 / 8) = 7 replicas
 * ```
 */
export function kedaQueuePolicy(options: KedaQueuePolicyOptions = {}): KedaSimPolicy {
  const config = parseConfig(KedaQueuePolicyOptionsSchema, options, ['kedaQueuePolicy']);
  let controller: HpaController | undefined;
  let activation: ScaleToZeroConfig | undefined;
  let bounds: ReplicaBounds | undefined;
  let hpaState: HpaState = initialHpaState();
  let zeroState: ScaleToZeroState = initialScaleToZeroState();
  let lastHpa: HpaDecision | undefined;
  let lastActivation: ScaleToZeroDecision | undefined;
  let lastQueue: number | undefined;
  let lastReplicas = 0;

  return {
    name: 'keda',
    intervalMs: config.intervalMs,
    initialReplicas(ctx) {
      bounds = checkBounds(ctx, 'keda');
      controller = createHpaController({
        minReplicas: Math.max(1, bounds.minReplicas),
        maxReplicas: Math.max(1, bounds.maxReplicas),
        metrics: [
          {
            type: 'External',
            name: 'queue_length',
            target: { type: 'AverageValue', averageValue: config.targetQueuePerReplica },
          },
        ],
        behavior: { scaleUp: {}, scaleDown: {} },
        tolerance: config.tolerance,
      });
      activation = parseScaleToZeroConfig(
        {
          activationThreshold: config.activationThreshold,
          cooldownMs: config.cooldownMs,
          allowed: bounds.minReplicas === 0,
          // Only reported on activation; the engine charges the real cold start itself.
          coldStartMs: 0,
        },
        ['kedaQueuePolicy'],
      );
      hpaState = initialHpaState();
      zeroState = initialScaleToZeroState();
      lastHpa = undefined;
      lastActivation = undefined;
      lastQueue = undefined;
      lastReplicas = initialReplicaCount(ctx, bounds, config.initialReplicas);
      return lastReplicas;
    },
    decide(obs: PolicyObservation): number {
      if (controller === undefined || activation === undefined || bounds === undefined) {
        throw notStarted('keda');
      }
      const current = observedReplicas(obs, lastReplicas);
      if (!Number.isFinite(obs.nowMs))
        return (lastReplicas = clampReplicas(current, bounds, current));
      let queue = 0;
      let known = false;
      for (const instance of obs.instances) {
        const waiting = finiteNonNegative(instance.load.queueDepth);
        const running = finiteNonNegative(instance.load.inFlightRequests);
        if (waiting !== undefined) known = true;
        queue += (waiting ?? 0) + (config.queue === 'waiting_and_running' ? (running ?? 0) : 0);
      }
      // A fleet with no instance reporting a queue has an unknown metric (the scaler failed),
      // except an empty fleet, whose queue is 0.
      const metric = known || obs.instances.length === 0 ? queue : undefined;
      lastQueue = metric;
      const act = scaleToZeroStep(activation, zeroState, {
        nowMs: obs.nowMs,
        currentReplicas: current,
        metricValue: metric,
      });
      zeroState = act.state;
      lastActivation = act;
      if (act.action !== 'none' && act.replicas !== undefined) {
        lastReplicas = clampReplicas(act.replicas, bounds, current);
        return lastReplicas;
      }
      if (current === 0) return (lastReplicas = clampReplicas(0, bounds, 0));
      const reconciled = hpaReconcile(
        controller,
        hpaState,
        bounds,
        obs,
        obs.nowMs,
        current,
        metric === undefined
          ? { kind: 'error', message: 'no instance reports a queue depth' }
          : { kind: 'value', milliValue: toMilli(metric) },
      );
      hpaState = reconciled.state;
      lastHpa = reconciled.decision;
      lastReplicas = reconciled.desired;
      return lastReplicas;
    },
    inspect: () => ({ lastHpa, lastActivation, lastQueue }),
  };
}
