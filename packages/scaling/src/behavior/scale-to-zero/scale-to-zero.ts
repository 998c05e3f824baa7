import { HeadroomError, checkMetric, parseConfig, type ErrorPath } from '@headroom/core';
import { z } from 'zod';

/**
 * Configuration of {@link scaleToZeroStep}, after KEDA's `ScaledObject`: the activation threshold
 * of a trigger and the cooldown period. Unknown keys are rejected, so a misspelt option fails
 * instead of being ignored.
 */
export const ScaleToZeroConfigSchema = z.strictObject({
  /**
   * The metric value above which the workload is active, in the metric's unit (KEDA's
   * `activationThreshold` on a trigger, for example queued requests): a value strictly greater
   * activates a workload at zero replicas and restarts the cooldown. Finite and >= 0.
   */
  activationThreshold: z.number().min(0),
  /**
   * How long after the last active sample a workload is scaled to zero, ms (KEDA's
   * `cooldownPeriod`, in seconds there). Finite and >= 0. @defaultValue 300_000 (KEDA's 300 s)
   */
  cooldownMs: z.number().min(0).default(300_000),
  /**
   * Whether this workload class may run at zero replicas (KEDA's `minReplicaCount: 0`). Batch and
   * low-priority work: yes; real-time serving, whose first request would wait a cold start: no.
   */
  allowed: z.boolean(),
  /**
   * The cold start of one replica, ms: from asking for it to it serving (provisioning, image pull,
   * model load and warm-up). Reported on every activation as the wait a first request pays.
   * Finite and >= 0.
   */
  coldStartMs: z.number().min(0),
});

/** What {@link scaleToZeroStep} and {@link parseScaleToZeroConfig} accept: the schema's input. */
export type ScaleToZeroConfigInput = z.input<typeof ScaleToZeroConfigSchema>;

/** A validated, frozen {@link ScaleToZeroConfigSchema}, defaults filled in. */
export type ScaleToZeroConfig = Readonly<z.output<typeof ScaleToZeroConfigSchema>>;

const validated = new WeakMap<object, ScaleToZeroConfig>();

/**
 * Validates a scale-to-zero configuration once: returns it frozen with defaults filled in.
 * {@link scaleToZeroStep} accepts either the result or the raw input (validated on first use and
 * remembered per object), so calling this first only moves a failure to start-up.
 *
 * @param input - the configuration; see {@link ScaleToZeroConfigSchema}.
 * @param path - where the configuration sits in a larger one, prefixed to error paths.
 * @defaultValue `[]`
 * @throws `HeadroomError` `invalid_config` naming the path (for example `cooldownMs`), the bound
 * it broke and the offending value.
 * @example
 * ```ts
 * const config = parseScaleToZeroConfig({ activationThreshold: 0, allowed: true, coldStartMs: 90_000 });
 * // cooldownMs: 300_000
 * ```
 */
export function parseScaleToZeroConfig(
  input: ScaleToZeroConfigInput,
  path: ErrorPath = [],
): ScaleToZeroConfig {
  const config = parseConfig(ScaleToZeroConfigSchema, input, path);
  validated.set(config, config);
  return config;
}

function resolveConfig(config: ScaleToZeroConfigInput | ScaleToZeroConfig): ScaleToZeroConfig {
  const known = typeof config === 'object' && config !== null ? validated.get(config) : undefined;
  if (known !== undefined) return known;
  const parsed = parseScaleToZeroConfig(config);
  if (typeof config === 'object' && config !== null) validated.set(config, parsed);
  return parsed;
}

/**
 * What {@link scaleToZeroStep} remembers between calls: plain JSON (KEDA keeps the same in its
 * `ScaledObject` status as `lastActiveTime`).
 */
export interface ScaleToZeroState {
  /**
   * The last time the workload counted as active, epoch ms: its metric was above the activation
   * threshold, or it was first seen running (see {@link scaleToZeroStep}); `null` before either.
   */
  readonly lastActiveAtMs: number | null;
}

/**
 * The state before the first step: never seen active.
 *
 * @example
 * ```ts
 * let state = initialScaleToZeroState();
 * ```
 */
export function initialScaleToZeroState(): ScaleToZeroState {
  return { lastActiveAtMs: null };
}

/** One evaluation's input to {@link scaleToZeroStep}. */
export interface ScaleToZeroInput {
  /** The decision time, epoch ms. */
  readonly nowMs: number;
  /** The workload's current replica count: a non-negative integer. */
  readonly currentReplicas: number;
  /**
   * The trigger's metric, in the unit of `activationThreshold`; `undefined` when unknown (a failed
   * scrape, a stale value). Unknown, NaN, infinite or negative values never scale to zero.
   */
  readonly metricValue: number | undefined;
}

/** What {@link scaleToZeroStep} asks for: leave zero, go to zero, or nothing. */
export type ScaleToZeroAction = 'activate' | 'deactivate' | 'none';

/**
 * Why a scale-to-zero step decided as it did, a string a dashboard can group by:
 *
 * - `activate`: at zero replicas, the metric is above the activation threshold: go to 1.
 * - `zero_not_allowed`: at zero replicas, but this workload class may not run at zero: go to 1.
 * - `active`: the metric is above the threshold and replicas are running; sizing 1 to N is the
 *   HPA's (or target tracking's) job, not this step's.
 * - `cooling_down`: not active, but the cooldown since the last active sample has not passed.
 * - `deactivate`: not active for longer than the cooldown: go to 0.
 * - `idle_at_zero`: at zero and not active: stay at zero.
 * - `not_allowed`: not active, but this workload class may not run at zero: replicas stay.
 * - `metric_missing`: the metric is unknown: hold, never scale to zero on missing data.
 * - `metric_invalid`: the metric is NaN, infinite or negative: hold, as for a missing one.
 * - `replicas_invalid`: `currentReplicas` is not a non-negative integer: hold.
 */
export type ScaleToZeroReason =
  | 'activate'
  | 'zero_not_allowed'
  | 'active'
  | 'cooling_down'
  | 'deactivate'
  | 'idle_at_zero'
  | 'not_allowed'
  | 'metric_missing'
  | 'metric_invalid'
  | 'replicas_invalid';

/** What {@link scaleToZeroStep} returns. */
export interface ScaleToZeroDecision {
  /** What to do; see {@link ScaleToZeroAction}. */
  readonly action: ScaleToZeroAction;
  /** The replica count to set: 1 on `activate`, 0 on `deactivate`, `undefined` on `none`. */
  readonly replicas: number | undefined;
  /** Why; see {@link ScaleToZeroReason}. */
  readonly reason: ScaleToZeroReason;
  /** The decision in words, with the numbers behind it, for a person to read (not a stable format). */
  readonly detail: string;
  /**
   * On `activate`: the cold start a first request waits, ms (the configured `coldStartMs`): the
   * price of having been at zero. `undefined` otherwise.
   */
  readonly coldStartPenaltyMs: number | undefined;
  /**
   * When the cooldown ends, epoch ms: after this time, without a new active sample, the workload
   * is scaled to zero. `undefined` when scaling to zero is not allowed, or nothing started the
   * cooldown yet.
   */
  readonly cooldownEndsAtMs: number | undefined;
  /** The state to pass to the next call. */
  readonly state: ScaleToZeroState;
}

function normaliseState(state: ScaleToZeroState | undefined): ScaleToZeroState {
  const last = (state as Partial<ScaleToZeroState> | null | undefined)?.lastActiveAtMs;
  return { lastActiveAtMs: typeof last === 'number' && Number.isFinite(last) ? last + 0 : null };
}

/**
 * One evaluation of scale to zero with KEDA's semantics (KEDA "Scaling Deployments" and the
 * `ScaledObject` specification: `minReplicaCount`, `cooldownPeriod`, a trigger's
 * `activationThreshold`). KEDA splits scaling in two phases, and this step is the first:
 *
 * - **Activation, 0 to 1 and 1 to 0** (this step). A workload is active while its metric is
 *   strictly above `activationThreshold`. At zero replicas an active workload is activated to 1
 *   replica, and the decision states the cold start its first request will wait
 *   (`coldStartPenaltyMs`). A running workload is scaled to zero once more than `cooldownMs`
 *   (default 300 s) has passed since the last active sample, and only if its class is `allowed`
 *   to run at zero (KEDA's `minReplicaCount: 0`).
 * - **Scaling, 1 to N**: the HPA's (here: target tracking or `hpaStep`), with its own target. An
 *   active workload with replicas is left to it (`active`).
 *
 * Where we differ from KEDA, on purpose:
 *
 * - A running workload seen for the first time (no `lastActiveAtMs` in the state) counts as active
 *   at that moment, so the cooldown starts then. KEDA scales a workload with no recorded activity
 *   straight to zero (the reason it later added `initialCooldownPeriod`); here a new leader
 *   without restored state cannot cut a running workload at once.
 * - An unknown, NaN, infinite or negative metric never scales to zero, and does not activate: the
 *   step holds and says so (`metric_missing`, `metric_invalid`). Only KEDA's `fallback` would act
 *   on a failing trigger; here there is no guess.
 * - A class that may not run at zero, found at zero, is activated (`zero_not_allowed`), as the
 *   HPA would bring it up to its `minReplicas` of at least 1.
 *
 * Bad runtime data never throws: see the reasons above. Malformed `state` is read as the initial
 * state.
 *
 * @param config - a configuration from {@link parseScaleToZeroConfig}, or its raw input (validated
 * on first use and remembered per object: do not mutate it afterwards).
 * @param state - the state from the previous call ({@link initialScaleToZeroState} for the first).
 * @param input - the time, the current replicas and the trigger's metric.
 * @returns the action, the replicas to set, why, the cold-start penalty on activation, and the next
 * state.
 * @throws `HeadroomError` `invalid_config` if `config` is raw input that fails validation (naming
 * the field, bound and value); `invalid_argument` if `input.nowMs` is not finite.
 * @example
 * ```ts
 * const config = parseScaleToZeroConfig({
 *   activationThreshold: 0, // any queued request activates
 *   allowed: true, // a batch embedding job
 *   coldStartMs: 90_000,
 * });
 * let state = initialScaleToZeroState();
 * const step = scaleToZeroStep(config, state, { nowMs, currentReplicas: 0, metricValue: queueDepth });
 * state = step.state;
 * if (step.action !== 'none') await actuator.setReplicas(step.replicas); // your actuator
 * // queueDepth 3: { action: 'activate', replicas: 1, coldStartPenaltyMs: 90_000, ... }
 * ```
 */
export function scaleToZeroStep(
  config: ScaleToZeroConfigInput | ScaleToZeroConfig,
  state: ScaleToZeroState | undefined,
  input: ScaleToZeroInput,
): ScaleToZeroDecision {
  const c = resolveConfig(config);
  const nowMs = input.nowMs;
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'nowMs must be a finite epoch time in ms',
      path: ['nowMs'],
      value: nowMs,
      limit: 'finite',
    });
  }
  const now = nowMs + 0;
  const prior = normaliseState(state);
  const current = input.currentReplicas;

  const decide = (
    action: ScaleToZeroAction,
    reason: ScaleToZeroReason,
    detail: string,
    lastActiveAtMs: number | null,
  ): ScaleToZeroDecision => ({
    action,
    replicas: action === 'activate' ? 1 : action === 'deactivate' ? 0 : undefined,
    reason,
    detail,
    coldStartPenaltyMs: action === 'activate' ? c.coldStartMs : undefined,
    cooldownEndsAtMs:
      c.allowed && lastActiveAtMs !== null && action !== 'deactivate'
        ? lastActiveAtMs + c.cooldownMs
        : undefined,
    state: { lastActiveAtMs },
  });

  if (typeof current !== 'number' || !Number.isInteger(current) || current < 0) {
    return decide(
      'none',
      'replicas_invalid',
      `holding: currentReplicas ${String(current)} is not an integer >= 0`,
      prior.lastActiveAtMs,
    );
  }

  // A running workload with no record of activity starts its cooldown now (see above).
  let lastActiveAtMs = prior.lastActiveAtMs === null && current > 0 ? now : prior.lastActiveAtMs;
  const metric = checkMetric(input.metricValue, { nowMs: now });
  const active = metric.ok && metric.value > c.activationThreshold;
  if (active) lastActiveAtMs = now;
  const activation = `cold start of ${c.coldStartMs} ms for the first request`;

  if (current === 0 && !c.allowed) {
    return decide(
      'activate',
      'zero_not_allowed',
      `activating: this workload class may not run at zero replicas; ${activation}`,
      lastActiveAtMs,
    );
  }
  if (!metric.ok) {
    const missing = metric.problem === 'missing';
    return decide(
      'none',
      missing ? 'metric_missing' : 'metric_invalid',
      `holding at ${current} replicas: the metric is ${missing ? 'missing' : `invalid (${String(input.metricValue)})`}, so it is unknown whether there is demand; never scaling to zero without data`,
      lastActiveAtMs,
    );
  }
  if (active) {
    return current === 0
      ? decide(
          'activate',
          'activate',
          `activating: metric ${metric.value} > activation threshold ${c.activationThreshold}; ${activation}`,
          lastActiveAtMs,
        )
      : decide(
          'none',
          'active',
          `active: metric ${metric.value} > activation threshold ${c.activationThreshold}; sizing ${current} replicas is the HPA's`,
          lastActiveAtMs,
        );
  }
  const inactive = `metric ${metric.value} <= activation threshold ${c.activationThreshold}`;
  if (current === 0) {
    return decide('none', 'idle_at_zero', `staying at zero: ${inactive}`, lastActiveAtMs);
  }
  if (!c.allowed) {
    return decide(
      'none',
      'not_allowed',
      `keeping ${current} replicas: ${inactive}, but this workload class may not run at zero`,
      lastActiveAtMs,
    );
  }
  // lastActiveAtMs is set here: a running workload always has one (first sight above).
  const since = lastActiveAtMs ?? now;
  if (since + c.cooldownMs < now) {
    return decide(
      'deactivate',
      'deactivate',
      `scaling to zero: ${inactive} since ${since} (${now - since} ms > cooldown ${c.cooldownMs} ms); the next activation waits a cold start of ${c.coldStartMs} ms`,
      lastActiveAtMs,
    );
  }
  return decide(
    'none',
    'cooling_down',
    `cooling down: ${inactive}; last active ${now - since} ms ago, scaling to zero after ${since + c.cooldownMs}`,
    lastActiveAtMs,
  );
}
