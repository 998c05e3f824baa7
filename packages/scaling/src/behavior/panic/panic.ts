import { HeadroomError, parseConfig, type ErrorPath } from '@headroom/core';
import { z } from 'zod';
import { windowAverages, type DemandSample } from './window-average.js';

/**
 * The largest replica count a panic step proposes: the largest int32, the type of Kubernetes
 * replica counts (and of Knative's desired pod counts). Demand beyond it is capped, so a proposal
 * is always a finite integer.
 */
export const PANIC_MAX_REPLICAS = 2_147_483_647;

/**
 * Configuration of {@link panicStep}, with the bounds and defaults of the Knative Pod Autoscaler
 * (KPA) `config-autoscaler` keys and `autoscaling.knative.dev/*` annotations of the same names.
 * Unknown keys are rejected, so a misspelt option fails instead of being ignored.
 */
export const PanicConfigSchema = z.strictObject({
  /**
   * The stable window, ms: demand is averaged over it to size the fleet outside panic, and a panic
   * ends once this long has passed without the panic threshold being reached again. Between 6 s
   * and 1 h, as Knative's `stable-window`. @defaultValue 60_000
   */
  stableWindowMs: z.number().min(6_000).max(3_600_000).default(60_000),
  /**
   * The panic window as a percentage of the stable window, in [1, 100] (Knative's
   * `panic-window-percentage`). @defaultValue 10 (6 s of a 60 s stable window)
   */
  panicWindowPercentage: z.number().min(1).max(100).default(10),
  /**
   * How far the panic window's proposal must exceed the ready replicas to start a panic, in
   * percent of them, in [110, 1000] (Knative's `panic-threshold-percentage`). @defaultValue 200
   */
  panicThresholdPercentage: z.number().min(110).max(1_000).default(200),
  /**
   * The demand one replica should carry, in the unit of the samples (for example 10 concurrent
   * requests per replica: Knative's `target`, already multiplied by its target utilization).
   * Finite and > 0.
   */
  targetPerReplica: z.number().positive(),
});

/** What {@link panicStep} and {@link parsePanicConfig} accept: {@link PanicConfigSchema}'s input. */
export type PanicConfigInput = z.input<typeof PanicConfigSchema>;

/** A validated, frozen {@link PanicConfigSchema}, defaults filled in. */
export type PanicConfig = Readonly<z.output<typeof PanicConfigSchema>>;

const validated = new WeakMap<object, PanicConfig>();

/**
 * Validates a panic-mode configuration once: returns it frozen with defaults filled in.
 * {@link panicStep} accepts either the result or the raw input (validated on first use and
 * remembered per object), so calling this first only moves a failure to start-up.
 *
 * @param input - the configuration; see {@link PanicConfigSchema}.
 * @param path - where the configuration sits in a larger one, prefixed to error paths.
 * @defaultValue `[]`
 * @throws `HeadroomError` `invalid_config` naming the path (for example `stableWindowMs`), the
 * bound it broke and the offending value.
 * @example
 * ```ts
 * const config = parsePanicConfig({ targetPerReplica: 8 });
 * // { stableWindowMs: 60_000, panicWindowPercentage: 10, panicThresholdPercentage: 200, targetPerReplica: 8 }
 * ```
 */
export function parsePanicConfig(input: PanicConfigInput, path: ErrorPath = []): PanicConfig {
  const config = parseConfig(PanicConfigSchema, input, path);
  validated.set(config, config);
  return config;
}

function resolveConfig(config: PanicConfigInput | PanicConfig): PanicConfig {
  const known = typeof config === 'object' && config !== null ? validated.get(config) : undefined;
  if (known !== undefined) return known;
  const parsed = parsePanicConfig(config);
  if (typeof config === 'object' && config !== null) validated.set(config, parsed);
  return parsed;
}

/**
 * The panic window's length, ms: `stableWindowMs × panicWindowPercentage / 100`.
 *
 * @param config - a configuration from {@link parsePanicConfig}.
 * @returns the panic window, ms (6 000 with the defaults).
 */
export function panicWindowMs(config: PanicConfig): number {
  return (config.stableWindowMs * config.panicWindowPercentage) / 100;
}

/**
 * What {@link panicStep} remembers between calls: plain JSON, three fields whatever the traffic,
 * so a new leader or the simulator resumes a panic where the last one left it.
 */
export interface PanicState {
  /** When the current panic began, epoch ms; `null` outside a panic. */
  readonly panicSinceMs: number | null;
  /**
   * The last time the panic window's proposal reached the threshold, epoch ms (Knative's panic
   * time, refreshed on every such step); `null` outside a panic. The panic ends once a full stable
   * window has passed since it.
   */
  readonly lastTriggeredAtMs: number | null;
  /**
   * The highest replica count asked for during the current panic, replicas (Knative's maximum
   * panic pods): the desired count never drops below it until the panic ends. 0 outside a panic.
   */
  readonly maxPanicReplicas: number;
}

/**
 * The state before the first step: not in panic.
 *
 * @example
 * ```ts
 * let state = initialPanicState();
 * ```
 */
export function initialPanicState(): PanicState {
  return { panicSinceMs: null, lastTriggeredAtMs: null, maxPanicReplicas: 0 };
}

/** One evaluation's input to {@link panicStep}. */
export interface PanicInput {
  /** The decision time, epoch ms: the end of both windows. */
  readonly nowMs: number;
  /** Replicas ready to serve now: a non-negative integer. */
  readonly readyReplicas: number;
  /**
   * Samples of total demand (for example the fleet's concurrent requests), at any spacing and in
   * any order. Pass at least the last stable window's worth (keep them in your collector); older
   * samples only anchor the oldest one inside the window. Non-finite or negative values,
   * non-finite times and times after `nowMs` are ignored and counted in `ignoredSamples`.
   */
  readonly observed: readonly DemandSample[];
}

/**
 * Why a panic step chose its count, a string a dashboard can group by:
 *
 * - `stable`: not in panic; the stable window's proposal.
 * - `no_data`: not in panic and no usable sample in the stable window: the ready count is kept.
 * - `panic_entered`: the panic window's proposal reached the threshold; the larger of the two
 *   windows' proposals.
 * - `panic_rising`: in panic, and a window proposes more than the panic has asked for so far.
 * - `panic_holding`: in panic, and nothing proposes more: the count is held (no scale-down).
 * - `panic_exited`: a full stable window passed without the threshold being reached; back to
 *   the stable window's proposal.
 */
export type PanicReason =
  'stable' | 'no_data' | 'panic_entered' | 'panic_rising' | 'panic_holding' | 'panic_exited';

/** What {@link panicStep} returns. */
export interface PanicStepResult {
  /** The replica count to run, replicas: a finite integer in [0, {@link PANIC_MAX_REPLICAS}]. */
  readonly desiredReplicas: number;
  /** Whether the autoscaler is in panic after this step. */
  readonly inPanic: boolean;
  /** Why; see {@link PanicReason}. */
  readonly reason: PanicReason;
  /** The arithmetic behind the decision, for a person to read (not a stable format). */
  readonly detail: string;
  /**
   * The stable window's proposal, replicas: `ceil(average demand / targetPerReplica)`, or the ready
   * count when the window holds no usable sample.
   */
  readonly stableDesired: number;
  /**
   * The panic window's proposal, replicas: `ceil(average demand / targetPerReplica)`, or the ready
   * count when the window holds no usable sample.
   */
  readonly panicDesired: number;
  /** Samples of `observed` that were ignored (non-finite, negative, or after `nowMs`). */
  readonly ignoredSamples: number;
  /** The state to pass to the next call. */
  readonly state: PanicState;
}

/**
 * Relative slack when rounding a replica ratio up: a time-weighted average of a constant demand
 * can land a few ulps above it, and `ceil(3.0000000000000004)` would order a replica nobody needs.
 */
const CEIL_SLACK = 1e-9;

/** `ceil(demand / target)`, capped at {@link PANIC_MAX_REPLICAS}; the ready count without data. */
function proposal(average: number | undefined, target: number, ready: number): number {
  if (average === undefined) return ready;
  const ratio = average / target;
  if (!(ratio < PANIC_MAX_REPLICAS)) return PANIC_MAX_REPLICAS; // also catches NaN
  return Math.max(0, Math.ceil(ratio - CEIL_SLACK * Math.max(1, ratio)));
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value + 0 : null;
}

/** A malformed state (for example from a corrupt JSON file) is read as the initial state. */
function normaliseState(state: PanicState | undefined): PanicState {
  if (state === undefined || state === null || typeof state !== 'object') {
    return initialPanicState();
  }
  const panicSinceMs = finiteOrNull(state.panicSinceMs);
  const lastTriggeredAtMs = finiteOrNull(state.lastTriggeredAtMs);
  const max = state.maxPanicReplicas;
  if (panicSinceMs === null || lastTriggeredAtMs === null) return initialPanicState();
  const maxPanicReplicas =
    typeof max === 'number' && Number.isInteger(max) && max >= 0
      ? Math.min(max, PANIC_MAX_REPLICAS)
      : 0;
  return { panicSinceMs, lastTriggeredAtMs, maxPanicReplicas };
}

function requireArgument(ok: boolean, path: string, value: unknown, limit: string): void {
  if (!ok) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: `must be ${limit}`,
      path: [path],
      value,
      limit,
    });
  }
}

/**
 * One evaluation of the Knative Pod Autoscaler's stable and panic modes, as documented in
 * Knative Serving ("Additional autoscaling configuration for Knative Pod Autoscaler": stable
 * window, panic window, panic threshold) and implemented in its autoscaler's scale decision. The
 * rules, re-implemented:
 *
 * - Two windows end at `nowMs`: the stable window (`stableWindowMs`, default 60 s) and the panic
 *   window (`panicWindowPercentage` of it, default 10%: 6 s). Each proposes
 *   `ceil(average demand / targetPerReplica)`; see {@link windowAverages} for how samples at any
 *   spacing are averaged. A window with no usable sample proposes the ready count (Knative does
 *   not decide at all without data; holding the ready count is the same in effect).
 * - Panic starts when the panic window's proposal is at least `panicThresholdPercentage`
 *   (default 200%) of the ready replicas, counting 0 ready replicas as 1 (as Knative does). Every
 *   step that reaches the threshold again restarts the panic's clock.
 * - In panic the desired count is the larger of the two proposals, and never lower than the most
 *   asked for earlier in this panic: panic never scales down, the count can only rise.
 * - The panic ends on the first step below the threshold that comes more than a full stable
 *   window after the threshold was last reached; that step uses the stable proposal again.
 *
 * Where we differ from Knative: in panic the count is also never below `readyReplicas` (Knative
 * compares only with its own earlier panic proposals, so an external change of the count could
 * be undone during a panic); Knative's scale rate limits (`max-scale-up-rate`,
 * `max-scale-down-rate`), activation scale and scale-to-zero grace period are not applied here:
 * compose them (see the HPA behavior engine and `scaleToZeroStep`).
 *
 * Bad samples never throw: they are ignored and counted. Malformed `state` is read as the
 * initial state.
 *
 * @param config - a configuration from {@link parsePanicConfig}, or its raw input (validated on
 * first use and remembered per object: do not mutate it afterwards).
 * @param state - the state from the previous call ({@link initialPanicState} for the first).
 * @param input - the time, the ready replicas and the demand samples.
 * @returns the desired replicas, whether in panic, why, both windows' proposals and the next state.
 * @throws `HeadroomError` `invalid_config` if `config` is raw input that fails validation (naming
 * the field, bound and value); `invalid_argument` if `input.nowMs` is not finite or
 * `input.readyReplicas` is not a non-negative integer.
 * @example
 * ```ts
 * let state = initialPanicState();
 * // every tick (Knative decides every 2 s), with the demand samples of the last minute:
 * const step = panicStep({ targetPerReplica: 10 }, state, { nowMs, readyReplicas: 4, observed });
 * state = step.state;
 * await actuator.setReplicas(step.desiredReplicas); // your actuator
 * // a burst of 100 concurrent requests over the last 6 s: panicDesired 10 >= 2 × 4, so
 * // step.inPanic === true and step.reason === 'panic_entered'
 * ```
 */
export function panicStep(
  config: PanicConfigInput | PanicConfig,
  state: PanicState | undefined,
  input: PanicInput,
): PanicStepResult {
  const c = resolveConfig(config);
  const nowMs = input.nowMs;
  requireArgument(
    typeof nowMs === 'number' && Number.isFinite(nowMs),
    'nowMs',
    nowMs,
    'a finite epoch time in ms',
  );
  const ready = input.readyReplicas;
  requireArgument(
    typeof ready === 'number' && Number.isInteger(ready) && ready >= 0,
    'readyReplicas',
    ready,
    'an integer >= 0',
  );
  const readyReplicas = Math.min(ready + 0, PANIC_MAX_REPLICAS);
  const now = nowMs + 0;
  const prior = normaliseState(state);
  const panicMs = panicWindowMs(c);

  const averages = windowAverages(Array.isArray(input.observed) ? input.observed : [], now, [
    c.stableWindowMs,
    panicMs,
  ]);
  const stable = averages.windows[0];
  const panic = averages.windows[1];
  const stableDesired = proposal(stable?.average, c.targetPerReplica, readyReplicas);
  const panicDesired = proposal(panic?.average, c.targetPerReplica, readyReplicas);

  // Knative: dppc / max(1, ready) >= threshold. Integers on the left keep the comparison exact.
  const thresholdReplicas = (c.panicThresholdPercentage / 100) * Math.max(1, readyReplicas);
  const overThreshold =
    panicDesired * 100 >= c.panicThresholdPercentage * Math.max(1, readyReplicas);
  const wasInPanic = prior.panicSinceMs !== null;

  const common = {
    stableDesired,
    panicDesired,
    ignoredSamples: averages.ignored,
  };
  const windows = `stable ${describeAverage(stable?.average)} over ${c.stableWindowMs} ms -> ${stableDesired}, panic ${describeAverage(panic?.average)} over ${panicMs} ms -> ${panicDesired} (threshold ${thresholdReplicas} with ${readyReplicas} ready)`;

  let panicSinceMs = prior.panicSinceMs;
  let lastTriggeredAtMs = prior.lastTriggeredAtMs;
  let exited = false;
  if (overThreshold) {
    if (!wasInPanic) panicSinceMs = now;
    lastTriggeredAtMs = now;
  } else if (
    wasInPanic &&
    lastTriggeredAtMs !== null &&
    lastTriggeredAtMs + c.stableWindowMs < now
  ) {
    exited = true;
    panicSinceMs = null;
    lastTriggeredAtMs = null;
  }

  if (panicSinceMs === null || lastTriggeredAtMs === null) {
    const noData = stable?.average === undefined;
    const reason: PanicReason = exited ? 'panic_exited' : noData ? 'no_data' : 'stable';
    return {
      desiredReplicas: stableDesired,
      inPanic: false,
      reason,
      detail: `${reason}: ${windows}; desired ${stableDesired}`,
      ...common,
      state: initialPanicState(),
    };
  }

  const previousMax = wasInPanic ? prior.maxPanicReplicas : 0;
  const proposed = Math.max(stableDesired, panicDesired);
  const desiredReplicas = Math.max(previousMax, proposed, readyReplicas);
  const reason: PanicReason = !wasInPanic
    ? 'panic_entered'
    : proposed > previousMax
      ? 'panic_rising'
      : 'panic_holding';
  return {
    desiredReplicas,
    inPanic: true,
    reason,
    detail: `${reason}: ${windows}; panic since ${panicSinceMs}, last triggered ${lastTriggeredAtMs}; desired max(${previousMax}, ${proposed}, ${readyReplicas} ready) = ${desiredReplicas}`,
    ...common,
    state: { panicSinceMs, lastTriggeredAtMs, maxPanicReplicas: desiredReplicas },
  };
}

function describeAverage(average: number | undefined): string {
  return average === undefined ? 'no data' : `avg ${average}`;
}
