import { addDuplicateIssues, parseConfig, type ErrorPath } from '@headroom/core';
import {
  initialScaleToZeroState,
  parseScaleToZeroConfig,
  scaleToZeroStep,
  type ScaleToZeroConfig,
  type ScaleToZeroState,
} from '@headroom/scaling';
import { z } from 'zod';

const finite = z.number().max(Number.MAX_SAFE_INTEGER);

/** A per-class drain target of {@link QueueWorkerConfigSchema}. */
export const QueueWorkerClassTargetSchema = z.strictObject({
  /** The class name, as in the work queue's `classes`. */
  name: z.string().min(1),
  /** This class, and every class listed before it, should drain within this many seconds; > 0. */
  targetDrainSeconds: finite.positive(),
});

/**
 * Configuration of {@link queueWorkerStep}: a pool of GPU workers consuming a work queue, sized on
 * backlog (KEDA's queue scalers, with its `minReplicaCount`, `maxReplicaCount`,
 * `activationThreshold` and `cooldownPeriod`). Unknown keys are rejected.
 */
export const QueueWorkerConfigSchema = z
  .strictObject({
    /**
     * The whole backlog should drain within this many seconds at the measured throughput, on top
     * of keeping up with arrivals. Finite and > 0.
     */
    targetDrainSeconds: finite.positive(),
    /**
     * The fewest workers, an integer >= 0. **0 enables scale to zero** (KEDA's
     * `minReplicaCount: 0`): a running pool then keeps at least 1 worker until the backlog has
     * been at or below `activationThreshold` for `cooldownMs`. @defaultValue 0
     */
    minWorkers: z.number().int().min(0).max(100_000).default(0),
    /** The most workers, an integer >= 1 and >= `minWorkers` (KEDA's `maxReplicaCount`). */
    maxWorkers: z.number().int().min(1).max(100_000),
    /**
     * The backlog, in the backlog's unit, above which a pool at zero is activated (KEDA's
     * `activationThreshold`: strictly greater activates). Finite and >= 0. Only used when
     * `minWorkers` is 0. Keep it below 1 item if a lone job must never wait out the cooldown at
     * zero. @defaultValue 0
     */
    activationThreshold: finite.min(0).default(0),
    /**
     * How long the backlog must stay at or below `activationThreshold` before the pool goes to
     * zero, ms (KEDA's `cooldownPeriod`). Finite and >= 0. @defaultValue 300_000
     */
    cooldownMs: finite.min(0).default(300_000),
    /**
     * The cold start of a worker (provision, pull, model load), ms, reported on activation. Finite
     * and >= 0. @defaultValue 0
     */
    coldStartMs: finite.min(0).default(0),
    /**
     * The per-worker throughput to use when the measured one is missing or invalid (a pool at zero
     * has measured nothing), items/s, > 0: a benchmark or catalog figure. Without it such a step
     * holds (or activates to 1 worker) with reason `throughput_unknown`.
     */
    fallbackThroughputPerWorkerPerS: finite.positive().optional(),
    /**
     * Tighter drain targets for the highest classes, highest priority first. Workers are sized so
     * that each listed class, together with every class of higher priority (served before it),
     * drains within its target; the whole backlog keeps `targetDrainSeconds`.
     */
    classTargets: z.array(QueueWorkerClassTargetSchema).max(64).optional(),
  })
  .superRefine((config, ctx) => {
    if (config.maxWorkers < config.minWorkers) {
      ctx.addIssue({
        code: 'custom',
        message: `must be >= minWorkers (${config.minWorkers})`,
        path: ['maxWorkers'],
        input: config.maxWorkers,
        params: { limit: `>= ${config.minWorkers}` },
      });
    }
    addDuplicateIssues(
      ctx,
      config.classTargets ?? [],
      (t) => t.name,
      (i) => ['classTargets', i, 'name'],
      'class name',
    );
  });

/** What {@link queueWorkerStep} and {@link parseQueueWorkerConfig} accept: the schema's input. */
export type QueueWorkerConfigInput = z.input<typeof QueueWorkerConfigSchema>;

/** A validated, frozen {@link QueueWorkerConfigSchema}, defaults filled in. */
export type QueueWorkerConfig = Readonly<z.output<typeof QueueWorkerConfigSchema>>;

const validated = new WeakMap<object, { config: QueueWorkerConfig; s2z: ScaleToZeroConfig }>();

/**
 * Validates a queue-worker configuration once: returns it frozen with defaults filled in.
 *
 * @param input - see {@link QueueWorkerConfigSchema}.
 * @param path - where the configuration sits in a larger one, prefixed to error paths.
 * @defaultValue `[]`
 * @throws `HeadroomError` `invalid_config` naming the field, the bound it broke and the value.
 * @example
 * ```ts
 * const config = parseQueueWorkerConfig({ targetDrainSeconds: 300, maxWorkers: 16 });
 * // minWorkers: 0 (scale to zero), activationThreshold: 0, cooldownMs: 300_000
 * ```
 */
export function parseQueueWorkerConfig(
  input: QueueWorkerConfigInput,
  path: ErrorPath = [],
): QueueWorkerConfig {
  const config = parseConfig(QueueWorkerConfigSchema, input, path);
  remember(config, config);
  return config;
}

function remember(
  key: object,
  config: QueueWorkerConfig,
): { config: QueueWorkerConfig; s2z: ScaleToZeroConfig } {
  const entry = {
    config,
    s2z: parseScaleToZeroConfig({
      activationThreshold: config.activationThreshold,
      cooldownMs: config.cooldownMs,
      allowed: config.minWorkers === 0,
      coldStartMs: config.coldStartMs,
    }),
  };
  validated.set(key, entry);
  return entry;
}

function resolve(config: QueueWorkerConfigInput | QueueWorkerConfig): {
  config: QueueWorkerConfig;
  s2z: ScaleToZeroConfig;
} {
  return validated.get(config) ?? remember(config, parseQueueWorkerConfig(config));
}

/** What {@link queueWorkerStep} remembers between calls: plain JSON. */
export interface QueueWorkerState {
  /** The scale-to-zero state (when the backlog was last above the activation threshold). */
  readonly scaleToZero: ScaleToZeroState;
}

/**
 * The state before the first step.
 *
 * @example
 * ```ts
 * let state = initialQueueWorkerState();
 * ```
 */
export function initialQueueWorkerState(): QueueWorkerState {
  return { scaleToZero: initialScaleToZeroState() };
}

/** One tick's measurements for {@link queueWorkerStep}. */
export interface QueueWorkerInput {
  /** The decision time, epoch ms. */
  readonly nowMs: number;
  /**
   * The backlog: items (or work units) waiting, plus those being worked on if the workers
   * acknowledge only on completion (as KEDA's queue scalers count unacknowledged messages).
   * Finite and >= 0; anything else holds.
   */
  readonly backlog: number;
  /**
   * The backlog per class, in the same unit, for `classTargets`; classes not listed in the
   * configuration are ignored here (they count in `backlog`). Optional.
   */
  readonly backlogByClass?: Readonly<Record<string, number>>;
  /**
   * The measured arrival rate, items (or units) per second, finite and >= 0; `undefined` when not
   * measured (only the backlog term is used). NaN, infinite or negative holds.
   */
  readonly arrivalRatePerS?: number;
  /**
   * The measured throughput of one worker, items (or units) per second; `undefined`, NaN, 0,
   * negative or infinite falls back to `fallbackThroughputPerWorkerPerS`, else holds.
   */
  readonly throughputPerWorkerPerS?: number;
  /** The workers now, an integer >= 0; anything else is replaced by the safe count (see reasons). */
  readonly currentWorkers: number;
}

/**
 * Why {@link queueWorkerStep} decided as it did, a string a dashboard can group by:
 *
 * - `backlog`: sized by the formula, within `[minWorkers, maxWorkers]`.
 * - `clamped_max`: the formula asked for more than `maxWorkers`.
 * - `clamped_min`: the formula asked for fewer than the floor (`minWorkers`, or 1 for a running
 *   pool that may scale to zero) while the backlog is above the activation threshold.
 * - `activate`: the pool was at zero and the backlog rose above `activationThreshold`.
 * - `cooling_down`: the backlog is at or below `activationThreshold` but the cooldown has not
 *   passed; the pool is sized by the formula with at least 1 worker.
 * - `scale_to_zero`: at or below the threshold for longer than `cooldownMs`: to zero.
 * - `idle_at_zero`: at zero and at or below the threshold: stay at zero.
 * - `throughput_unknown`: no valid measured or fallback throughput: hold the current workers
 *   (clamped to bounds), or activate 1 worker from zero when the backlog is above the threshold.
 * - `arrival_rate_invalid`, `backlog_invalid`: that measurement is NaN, infinite or negative: hold
 *   as for `throughput_unknown` (a bad backlog never activates nor scales to zero).
 * - `workers_invalid`: `currentWorkers` is not an integer >= 0: the formula's count is used when
 *   it can be computed, else the floor; never zero.
 * - `time_invalid`: `nowMs` is not finite: hold, state unchanged.
 */
export type QueueWorkerReason =
  | 'backlog'
  | 'clamped_max'
  | 'clamped_min'
  | 'activate'
  | 'cooling_down'
  | 'scale_to_zero'
  | 'idle_at_zero'
  | 'throughput_unknown'
  | 'arrival_rate_invalid'
  | 'backlog_invalid'
  | 'workers_invalid'
  | 'time_invalid';

/** The numbers behind a {@link QueueWorkerDecision}. */
export interface QueueWorkerExplain {
  /** The backlog used; `undefined` when invalid. */
  readonly backlog: number | undefined;
  /** The arrival rate used, per s (0 when not measured); `undefined` when invalid. */
  readonly arrivalRatePerS: number | undefined;
  /** The per-worker throughput used, per s; `undefined` when none was valid. */
  readonly throughputPerWorkerPerS: number | undefined;
  /** Where the throughput came from. */
  readonly throughputSource: 'measured' | 'fallback' | 'none';
  /**
   * The drain rate the backlog needs, per s: `max(backlog / targetDrainSeconds, over classTargets:
   * backlog of that class and those before it / its target)`; `undefined` when not computed.
   */
  readonly requiredDrainRatePerS: number | undefined;
  /** The class target that set `requiredDrainRatePerS`, when one did. */
  readonly bindingClass: string | undefined;
  /** Workers for the drain: `requiredDrainRatePerS / throughput` (unrounded). */
  readonly drainWorkers: number | undefined;
  /** Workers to keep up with arrivals: `arrivalRatePerS / throughput` (unrounded). */
  readonly arrivalWorkers: number | undefined;
  /** `ceil(drainWorkers + arrivalWorkers)`, before bounds. */
  readonly rawWorkers: number | undefined;
  /** The lower bound applied: `minWorkers`, or 1 for a running pool that may go to zero. */
  readonly floorWorkers: number;
  /** `maxWorkers`. */
  readonly maxWorkers: number;
  /**
   * The time to drain the backlog with the desired workers, s:
   * `backlog / (desired * throughput - arrivalRate)`; 0 for an empty backlog; `undefined` when the
   * workers cannot keep up or it was not computed.
   */
  readonly predictedDrainSeconds: number | undefined;
}

/** What {@link queueWorkerStep} returns. */
export interface QueueWorkerDecision {
  /** Which way the pool moves. */
  readonly action: 'scale_up' | 'scale_down' | 'hold';
  /** The workers to run: a finite integer in `[minWorkers, maxWorkers]`, or 0 by scale to zero. */
  readonly desiredWorkers: number;
  /** Why; see {@link QueueWorkerReason}. */
  readonly reason: QueueWorkerReason;
  /** The decision in words with its numbers, for a person (not a stable format). */
  readonly detail: string;
  /** The numbers that produced it. */
  readonly explain: QueueWorkerExplain;
  /** On activation from zero: the cold start the first item waits, ms; otherwise `undefined`. */
  readonly coldStartPenaltyMs: number | undefined;
  /** The state to pass to the next call. */
  readonly state: QueueWorkerState;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isNonNegative = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isPositive = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v > 0;

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

function normaliseState(state: QueueWorkerState | undefined): QueueWorkerState {
  const s = (state as Partial<QueueWorkerState> | null | undefined)?.scaleToZero;
  return { scaleToZero: s ?? initialScaleToZeroState() };
}

/**
 * Sizes a pool of queue workers on backlog, one tick at a time (KEDA's queue scalers feeding the
 * HPA, in one pure step):
 *
 * `desired = ceil(requiredDrainRate / throughput + arrivalRate / throughput)`, clamped to
 * `[minWorkers, maxWorkers]`, where `requiredDrainRate = backlog / targetDrainSeconds` (or tighter
 * per `classTargets`). The first term drains what is waiting within the target, the second keeps up
 * with what keeps arriving, so the predicted drain time `backlog / (desired × throughput -
 * arrivalRate)` is within the target whenever `desired < maxWorkers`.
 *
 * Scale to zero follows KEDA, through `scaleToZeroStep` of `@headroom/scaling`: with
 * `minWorkers: 0` a pool at zero is activated when the backlog is strictly above
 * `activationThreshold`; a running pool keeps at least 1 worker and goes to zero once the backlog
 * has stayed at or below the threshold for `cooldownMs`. Unlike KEDA, which activates to 1 and
 * lets the HPA size the next loop, an activation goes straight to the formula's count.
 *
 * Bad measurements never produce NaN nor leave the bounds: see {@link QueueWorkerReason} for the
 * documented fallbacks. Per-class targets assume classes are served in priority order (aging
 * aside), so a class drains once it and every class above it have.
 *
 * @param config - a configuration from {@link parseQueueWorkerConfig}, or its raw input (validated
 * on first use and remembered per object: do not mutate it afterwards).
 * @param state - the previous state ({@link initialQueueWorkerState} for the first call).
 * @param input - this tick's measurements.
 * @returns the desired workers, the reason, the numbers behind them, and the next state.
 * @throws `HeadroomError` `invalid_config` if `config` is raw input that fails validation.
 * @example
 * ```ts
 * const config = parseQueueWorkerConfig({ targetDrainSeconds: 120, maxWorkers: 20, cooldownMs: 60_000 });
 * let state = initialQueueWorkerState();
 * const step = queueWorkerStep(config, state, {
 *   nowMs,
 *   backlog: 600, // jobs waiting
 *   arrivalRatePerS: 2,
 *   throughputPerWorkerPerS: 0.5,
 *   currentWorkers: 4,
 * });
 * state = step.state;
 * // desiredWorkers: ceil(600 / 120 / 0.5 + 2 / 0.5) = 14, reason 'backlog'
 * ```
 */
export function queueWorkerStep(
  config: QueueWorkerConfigInput | QueueWorkerConfig,
  state: QueueWorkerState | undefined,
  input: QueueWorkerInput,
): QueueWorkerDecision {
  const { config: c, s2z } = resolve(config);
  const prior = normaliseState(state);
  const current = input.currentWorkers;
  const currentValid = isCount(current);
  const scaleToZero = c.minWorkers === 0;
  const runningFloor = Math.max(c.minWorkers, 1);

  const backlog = isNonNegative(input.backlog) ? input.backlog : undefined;
  const byClass = input.backlogByClass;
  const classesValid =
    byClass === undefined ||
    (c.classTargets ?? []).every(
      (t) => byClass[t.name] === undefined || isNonNegative(byClass[t.name]),
    );
  const arrival =
    input.arrivalRatePerS === undefined
      ? 0
      : isNonNegative(input.arrivalRatePerS)
        ? input.arrivalRatePerS
        : undefined;
  const measured = input.throughputPerWorkerPerS;
  const throughput = isPositive(measured) ? measured : c.fallbackThroughputPerWorkerPerS;
  const throughputSource: QueueWorkerExplain['throughputSource'] = isPositive(measured)
    ? 'measured'
    : throughput === undefined
      ? 'none'
      : 'fallback';

  // The formula, when every number it needs is valid.
  let requiredDrainRatePerS: number | undefined;
  let bindingClass: string | undefined;
  let drainWorkers: number | undefined;
  let arrivalWorkers: number | undefined;
  let rawWorkers: number | undefined;
  if (backlog !== undefined && classesValid && arrival !== undefined && throughput !== undefined) {
    requiredDrainRatePerS = backlog / c.targetDrainSeconds;
    if (byClass !== undefined && c.classTargets !== undefined) {
      let cumulative = 0;
      for (const target of c.classTargets) {
        cumulative += byClass[target.name] ?? 0;
        const rate = cumulative / target.targetDrainSeconds;
        if (rate > requiredDrainRatePerS) {
          requiredDrainRatePerS = rate;
          bindingClass = target.name;
        }
      }
    }
    drainWorkers = requiredDrainRatePerS / throughput;
    arrivalWorkers = arrival / throughput;
    const sum = drainWorkers + arrivalWorkers;
    rawWorkers = Number.isFinite(sum) ? Math.ceil(sum) : Number.MAX_SAFE_INTEGER;
  }

  const floorOf = (running: boolean): number =>
    scaleToZero ? (running ? runningFloor : 0) : c.minWorkers;

  const finish = (
    desired: number,
    reason: QueueWorkerReason,
    detail: string,
    nextState: QueueWorkerState,
    floorWorkers: number,
    coldStartPenaltyMs: number | undefined = undefined,
  ): QueueWorkerDecision => {
    const predictedDrainSeconds =
      backlog === undefined || arrival === undefined || throughput === undefined
        ? undefined
        : backlog === 0
          ? 0
          : desired * throughput > arrival
            ? backlog / (desired * throughput - arrival)
            : undefined;
    const from = currentValid ? current : undefined;
    return {
      action:
        from === undefined || from === desired
          ? 'hold'
          : desired > from
            ? 'scale_up'
            : 'scale_down',
      desiredWorkers: desired,
      reason,
      detail,
      explain: {
        backlog,
        arrivalRatePerS: arrival,
        throughputPerWorkerPerS: throughput,
        throughputSource,
        requiredDrainRatePerS,
        bindingClass,
        drainWorkers,
        arrivalWorkers,
        rawWorkers,
        floorWorkers,
        maxWorkers: c.maxWorkers,
        predictedDrainSeconds,
      },
      coldStartPenaltyMs,
      state: nextState,
    };
  };

  const numbers = (): string =>
    rawWorkers === undefined
      ? ''
      : `ceil(${fmt(requiredDrainRatePerS)}/s drain / ${fmt(throughput)}/s per worker + ${fmt(arrival)}/s arrivals / ${fmt(throughput)}) = ${rawWorkers}`;

  if (typeof input.nowMs !== 'number' || !Number.isFinite(input.nowMs)) {
    const floor = floorOf(!currentValid || current > 0);
    const desired = currentValid ? clamp(current, floor, c.maxWorkers) : runningFloor;
    return finish(
      desired,
      'time_invalid',
      `holding at ${desired} workers: nowMs ${String(input.nowMs)} is not a finite time`,
      prior,
      floor,
    );
  }

  if (!currentValid) {
    const desired =
      rawWorkers === undefined ? runningFloor : clamp(rawWorkers, runningFloor, c.maxWorkers);
    return finish(
      desired,
      'workers_invalid',
      `currentWorkers ${String(current)} is not an integer >= 0; ${rawWorkers === undefined ? `using the floor of ${desired}` : `${numbers()}, so ${desired} workers`}`,
      prior,
      runningFloor,
    );
  }

  // Activation and scale to zero (KEDA), on the backlog. Skipped when the pool may not go to zero.
  let nextState = prior;
  let activating = false;
  let cooling = false;
  if (scaleToZero) {
    const s = scaleToZeroStep(s2z, prior.scaleToZero, {
      nowMs: input.nowMs,
      currentReplicas: current,
      metricValue: backlog,
    });
    nextState = { scaleToZero: s.state };
    if (s.action === 'deactivate') {
      return finish(0, 'scale_to_zero', s.detail, nextState, 0);
    }
    if (s.reason === 'idle_at_zero') {
      return finish(0, 'idle_at_zero', s.detail, nextState, 0);
    }
    activating = s.action === 'activate';
    cooling = s.reason === 'cooling_down';
  }
  const running = current > 0 || activating;
  const floor = floorOf(running);
  const penalty = activating ? c.coldStartMs : undefined;

  const invalid: QueueWorkerReason | undefined =
    backlog === undefined || !classesValid
      ? 'backlog_invalid'
      : arrival === undefined
        ? 'arrival_rate_invalid'
        : throughput === undefined
          ? 'throughput_unknown'
          : undefined;
  if (invalid !== undefined || rawWorkers === undefined) {
    const reason = invalid ?? 'throughput_unknown';
    // Hold, clamped to bounds; a pool at zero with a valid backlog above the threshold gets 1.
    const desired = activating
      ? Math.min(runningFloor, c.maxWorkers)
      : clamp(current, floor, c.maxWorkers);
    const what =
      reason === 'backlog_invalid'
        ? `the backlog (${String(input.backlog)}) is not a finite number >= 0`
        : reason === 'arrival_rate_invalid'
          ? `the arrival rate (${String(input.arrivalRatePerS)}) is not a finite number >= 0`
          : `no valid throughput (measured ${String(measured)}, no fallback configured)`;
    return finish(
      desired,
      reason,
      `${activating ? 'activating' : 'holding'} at ${desired} workers: ${what}`,
      nextState,
      floor,
      penalty,
    );
  }

  const desired = clamp(rawWorkers, floor, c.maxWorkers);
  const reason: QueueWorkerReason = activating
    ? 'activate'
    : rawWorkers > c.maxWorkers
      ? 'clamped_max'
      : cooling
        ? 'cooling_down'
        : rawWorkers < floor
          ? 'clamped_min'
          : 'backlog';
  const bounds =
    rawWorkers > c.maxWorkers
      ? `, limited to maxWorkers ${c.maxWorkers}`
      : rawWorkers < floor
        ? `, raised to the floor ${floor}`
        : '';
  const binding = bindingClass === undefined ? '' : ` (class ${bindingClass}'s target binds)`;
  return finish(
    desired,
    reason,
    `${activating ? `activating (cold start ${c.coldStartMs} ms): ` : ''}backlog ${fmt(backlog)}${binding}: ${numbers()}${bounds}; ${desired} workers`,
    nextState,
    floor,
    penalty,
  );
}

function fmt(n: number | undefined): string {
  if (n === undefined) return '?';
  return Number.isInteger(n) ? String(n) : n.toPrecision(4);
}
