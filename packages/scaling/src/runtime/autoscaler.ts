import {
  HeadroomError,
  createTelemetry,
  err,
  isHeadroomError,
  requireNumber,
  type InstanceSnapshot,
  type NumberBounds,
  type Random,
  type Result,
  type Scheduler,
  type TimerHandle,
} from '@headroom/core';
import EventEmitter from 'eventemitter3';
import { scaleDownCooldown, type ScaleDownCooldownConfig } from '../behavior/cooldown/index.js';
import {
  flapBudgetStep,
  initialFlapState,
  type FlapBudgetConfig,
  type FlapState,
} from '../behavior/flap/index.js';
import { recordHpaScale, type HpaState } from '../hpa/index.js';
import { targetTrackingStep, type TargetTracking } from '../signals/index.js';
import { backoffDelayMs, resolveRetryOptions } from './backoff.js';
import { selectDrainVictims } from './drain.js';
import { parseAutoscalerState } from './state.js';
import type {
  ActuationResult,
  Actuator,
  AutoscalerEventName,
  AutoscalerEvents,
  AutoscalerOptions,
  AutoscalerState,
  AutoscalerVerdict,
  DecisionCause,
  DecisionEvent,
  FleetReader,
  FleetReading,
  GuardRefusal,
  PendingActuation,
  ResolvedRetryOptions,
  TickOutcome,
} from './types.js';

/**
 * The OpenTelemetry instruments of the autoscaler runtime (scope `@headroom/scaling`), by role.
 * Every one carries the attribute `target` (the scale target).
 *
 * - `desiredReplicas` (histogram, `{replica}`): the replicas of each decision (its `to`, or the
 *   count it held at); the latest point is the desired count, like a gauge.
 * - `currentReplicas` (histogram, `{replica}`): the replicas asked for, per successful read.
 * - `signalPressure` (histogram, ratio): observed / target per signal and decision; attribute `signal`.
 * - `decisions` (counter): decisions; attributes `reason` (the policy's reason code, or
 *   `source_fallback`) and `direction` (`up`, `down`, `hold`).
 * - `actuationFailures` (counter): failed actuation attempts; attributes `code` (the
 *   `HeadroomError` code) and `final` (true when retries are exhausted).
 * - `sourceFailures` (counter): failed reads; attribute `code`.
 * - `ticksSkipped` (counter): ticks skipped because the previous one was still running.
 */
export const AUTOSCALER_METRICS = Object.freeze({
  /** Histogram of the replicas of each decision. */
  desiredReplicas: 'headroom.scaling.desired_replicas',
  /** Histogram of the replicas asked for, per successful read. */
  currentReplicas: 'headroom.scaling.current_replicas',
  /** Histogram of observed / target per signal (attribute `signal`). */
  signalPressure: 'headroom.scaling.signal_pressure',
  /** Counter of decisions (attributes `reason`, `direction`). */
  decisions: 'headroom.scaling.decisions',
  /** Counter of failed actuation attempts (attributes `code`, `final`). */
  actuationFailures: 'headroom.scaling.actuation_failures',
  /** Counter of failed reads (attribute `code`). */
  sourceFailures: 'headroom.scaling.source_failures',
  /** Counter of skipped ticks. */
  ticksSkipped: 'headroom.scaling.ticks_skipped',
} as const);

const telemetry = createTelemetry({ name: '@headroom/scaling' });
const instruments = {
  desiredReplicas: telemetry.histogram(AUTOSCALER_METRICS.desiredReplicas, {
    description: 'Replicas of each scaling decision',
    unit: '{replica}',
  }),
  currentReplicas: telemetry.histogram(AUTOSCALER_METRICS.currentReplicas, {
    description: 'Replicas the scale target is asked for, per read',
    unit: '{replica}',
  }),
  signalPressure: telemetry.histogram(AUTOSCALER_METRICS.signalPressure, {
    description: 'Observed / target per signal, per decision',
    unit: '1',
  }),
  decisions: telemetry.counter(AUTOSCALER_METRICS.decisions, {
    description: 'Scaling decisions made',
  }),
  actuationFailures: telemetry.counter(AUTOSCALER_METRICS.actuationFailures, {
    description: 'Failed actuation attempts',
  }),
  sourceFailures: telemetry.counter(AUTOSCALER_METRICS.sourceFailures, {
    description: 'Failed fleet reads',
  }),
  ticksSkipped: telemetry.counter(AUTOSCALER_METRICS.ticksSkipped, {
    description: 'Ticks skipped because the previous one was still running',
  }),
};

/**
 * A running controller for one scale target: it ticks on an interval, reads the fleet, decides
 * with a target-tracking policy and applies the decisions through an {@link Actuator}, one at a
 * time, with retries. Created by {@link createAutoscaler}.
 */
export interface Autoscaler {
  /** The scale target. */
  readonly target: string;
  /**
   * The typed events (`eventemitter3`); see {@link AutoscalerEvents}. A listener's exception is
   * caught and never reaches the loop.
   */
  readonly events: EventEmitter<AutoscalerEvents>;
  /**
   * Starts ticking: the first tick runs as soon as the scheduler allows, then one every
   * `intervalMs` (a tick that falls due while the previous one still runs is skipped and
   * counted). Also submits a change left pending by `stop()` or by the resumed state. Calling it
   * while running does nothing.
   */
  start(): void;
  /**
   * Stops ticking and cancels every timer of this autoscaler (the next tick, a retry's wait, the
   * read and actuation timeouts), aborting the read and the actuator call in progress (their
   * results, when they come, are ignored). A change not yet known to be applied stays in
   * `state().pending`; `start()` (or an autoscaler resumed from `state()`) submits it again.
   */
  stop(): void;
  /**
   * Runs one tick now (for tests and manual loops): read, decide, and enqueue the change when the
   * decision is to scale. Resolves when the decision is made, not when it is applied. Never
   * rejects; skipped (`reason: 'overlap'`) while another tick runs and (`'stopped'`) after `stop()`.
   */
  tick(): Promise<TickOutcome>;
  /** A JSON-serializable snapshot of what this autoscaler remembers; see {@link AutoscalerState}. */
  state(): AutoscalerState;
}

type Fallback =
  | { readonly mode: 'hold' }
  | { readonly mode: 'fallback'; readonly replicas: number; readonly failureThreshold: number };

interface Guards {
  readonly cooldown: ScaleDownCooldownConfig | undefined;
  readonly flapBudget: FlapBudgetConfig | undefined;
}

interface Flight {
  readonly request: PendingActuation;
  readonly controller: AbortController;
  timeout: TimerHandle | undefined;
  done: boolean;
}

const STOPPED = Symbol('stopped');

function internal(message: string, cause: unknown): HeadroomError {
  return new HeadroomError({ code: 'internal', message, cause });
}

function configError(path: (string | number)[], message: string, value: unknown): HeadroomError {
  return new HeadroomError({ code: 'invalid_config', message, path, value });
}

function requireFunction(owner: unknown, method: string, path: string): void {
  if (
    typeof owner !== 'object' ||
    owner === null ||
    typeof (owner as Record<string, unknown>)[method] !== 'function'
  ) {
    throw configError([path, method], `must be an object with a ${method} method`, owner);
  }
}

function normalizeActuation(result: unknown): ActuationResult {
  if (typeof result === 'object' && result !== null) {
    const r = result as { ok?: unknown; error?: unknown };
    if (r.ok === true) return { ok: true };
    if (r.ok === false) {
      return isHeadroomError(r.error)
        ? { ok: false, error: r.error }
        : { ok: false, error: internal('the actuator failed without a HeadroomError', r.error) };
    }
  }
  return { ok: false, error: internal('the actuator returned a malformed result', result) };
}

function normalizeReading(result: unknown): Result<FleetReading> {
  if (
    typeof result !== 'object' ||
    result === null ||
    typeof (result as { ok?: unknown }).ok !== 'boolean'
  ) {
    return err(internal('the fleet reader returned a malformed result', result));
  }
  const r = result as Result<FleetReading>;
  if (!r.ok) {
    return isHeadroomError(r.error)
      ? r
      : err(internal('the fleet reader failed without a HeadroomError', r.error));
  }
  const v = r.value as Partial<FleetReading> | null | undefined;
  if (typeof v !== 'object' || v === null || !Array.isArray(v.instances)) {
    return err(
      new HeadroomError({
        code: 'invalid_input',
        message: 'the reading must have an instances array',
        path: ['instances'],
        value: v?.instances,
      }),
    );
  }
  const current = v.currentReplicas;
  if (!(typeof current === 'number' && Number.isSafeInteger(current) && current >= 0)) {
    return err(
      new HeadroomError({
        code: 'invalid_input',
        message: 'currentReplicas must be a non-negative integer',
        path: ['currentReplicas'],
        value: current,
        limit: 'integer >= 0',
      }),
    );
  }
  return r;
}

function direction(verdict: AutoscalerVerdict): 'up' | 'down' | 'hold' {
  if (verdict.kind === 'hold') return 'hold';
  if (verdict.from === null) return verdict.to > 0 ? 'up' : 'down';
  return verdict.to > verdict.from ? 'up' : verdict.to < verdict.from ? 'down' : 'hold';
}

class AutoscalerRuntime implements Autoscaler {
  readonly target: string;
  readonly events = new EventEmitter<AutoscalerEvents>();

  readonly #policy: TargetTracking;
  readonly #reader: FleetReader;
  readonly #actuator: Actuator;
  readonly #scheduler: Scheduler;
  readonly #random: Random;
  readonly #intervalMs: number;
  readonly #readTimeoutMs: number;
  readonly #actuationTimeoutMs: number;
  readonly #retry: ResolvedRetryOptions;
  readonly #fallback: Fallback;
  readonly #guards: Guards;

  #hpa: HpaState;
  #lastDesired: number | null;
  #known: number | null;
  #nextDecisionId: number;
  #sourceFailures: number;
  #skippedTicks: number;
  #lastScaleUpAtMs: number | null;
  #flap: FlapState;

  /** The newest change not started yet (or waiting for a retry while #retryTimer is set). */
  #pending: PendingActuation | undefined;
  #retryTimer: TimerHandle | undefined;
  #flight: Flight | undefined;
  /**
   * Actuator calls started and not yet settled, including ones abandoned after a timeout or
   * stop(): a new call waits until this is 0, so two calls never overlap on one target, even if
   * an actuator ignores its AbortSignal.
   */
  #unsettledCalls = 0;

  #status: 'idle' | 'running' | 'stopped' = 'idle';
  #tickTimer: TimerHandle | undefined;
  #nextTickAtMs = 0;
  #ticking = false;
  #abortRead: (() => void) | undefined;
  #lastInstances: readonly InstanceSnapshot[] = [];

  constructor(
    options: AutoscalerOptions,
    config: {
      intervalMs: number;
      readTimeoutMs: number;
      actuationTimeoutMs: number;
      retry: ResolvedRetryOptions;
      fallback: Fallback;
      guards: Guards;
      state: AutoscalerState | undefined;
    },
  ) {
    this.target = options.target;
    this.#policy = options.policy;
    this.#reader = options.reader;
    this.#actuator = options.actuator;
    this.#scheduler = options.scheduler;
    this.#random = options.random;
    this.#intervalMs = config.intervalMs;
    this.#readTimeoutMs = config.readTimeoutMs;
    this.#actuationTimeoutMs = config.actuationTimeoutMs;
    this.#retry = config.retry;
    this.#fallback = config.fallback;
    this.#guards = config.guards;
    const s = config.state;
    this.#hpa = s?.hpa ?? { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
    this.#lastDesired = s?.lastDesiredReplicas ?? null;
    this.#known = s?.knownReplicas ?? null;
    this.#pending = s?.pending ?? undefined;
    this.#nextDecisionId = s?.nextDecisionId ?? 1;
    this.#sourceFailures = s?.consecutiveSourceFailures ?? 0;
    this.#skippedTicks = s?.skippedTicks ?? 0;
    this.#lastScaleUpAtMs = s?.lastScaleUpAtMs ?? null;
    this.#flap = s?.flap ?? initialFlapState();
  }

  start(): void {
    if (this.#status === 'running') return;
    this.#status = 'running';
    this.#nextTickAtMs = this.#scheduler.now();
    this.#armTick(0);
    this.#pump();
  }

  stop(): void {
    if (this.#status === 'stopped') return;
    this.#status = 'stopped';
    this.#tickTimer?.cancel();
    this.#tickTimer = undefined;
    this.#retryTimer?.cancel();
    this.#retryTimer = undefined;
    this.#abortRead?.();
    const flight = this.#flight;
    if (flight !== undefined) {
      flight.done = true;
      flight.timeout?.cancel();
      flight.timeout = undefined;
      this.#flight = undefined;
      const pending = this.#pending;
      if (pending === undefined) {
        this.#pending = flight.request;
      } else {
        // The newer change replaces the one cut off; it starts from that one's base.
        this.#pending = { ...pending, from: flight.request.from };
        this.#emitSuperseded(flight.request, pending.decisionId, flight.request.attempts);
      }
      try {
        flight.controller.abort(
          new HeadroomError({ code: 'unavailable', message: 'the autoscaler was stopped' }),
        );
      } catch {
        // An abort listener's exception must not escape stop().
      }
    }
  }

  async tick(): Promise<TickOutcome> {
    const atMs = this.#scheduler.now();
    if (this.#status === 'stopped') return { kind: 'skipped', reason: 'stopped', atMs };
    if (this.#ticking) {
      this.#skippedTicks++;
      instruments.ticksSkipped.add(1, { target: this.target });
      this.#emit('tick-skipped', { target: this.target, skippedTicks: this.#skippedTicks, atMs });
      return { kind: 'skipped', reason: 'overlap', atMs };
    }
    this.#ticking = true;
    try {
      this.#pump();
      const read = await this.#read();
      if (read === STOPPED) {
        return { kind: 'skipped', reason: 'stopped', atMs: this.#scheduler.now() };
      }
      return read.ok ? this.#decide(read.value) : this.#sourceFailed(read.error);
    } catch (error) {
      // A broken invariant must not kill the loop; report it as a failed read (never act on it).
      return this.#sourceFailed(internal('the tick failed', error));
    } finally {
      this.#ticking = false;
    }
  }

  state(): AutoscalerState {
    const pending = this.#pending ?? this.#flight?.request;
    return {
      version: 1,
      target: this.target,
      hpa: {
        recommendations: this.#hpa.recommendations.map((r) => ({ ...r })),
        scaleUpEvents: this.#hpa.scaleUpEvents.map((e) => ({ ...e })),
        scaleDownEvents: this.#hpa.scaleDownEvents.map((e) => ({ ...e })),
      },
      lastDesiredReplicas: this.#lastDesired,
      knownReplicas: this.#known,
      pending: pending === undefined ? null : { ...pending },
      nextDecisionId: this.#nextDecisionId,
      consecutiveSourceFailures: this.#sourceFailures,
      skippedTicks: this.#skippedTicks,
      lastScaleUpAtMs: this.#lastScaleUpAtMs,
      flap: {
        lastDirection: this.#flap.lastDirection,
        changesAtMs: [...this.#flap.changesAtMs],
        lastStepAtMs: this.#flap.lastStepAtMs,
      },
    };
  }

  // ---- ticking ----------------------------------------------------------------------------

  #armTick(delayMs: number): void {
    this.#tickTimer = this.#scheduler.schedule(() => this.#onTickTimer(), delayMs);
  }

  #onTickTimer(): void {
    this.#tickTimer = undefined;
    if (this.#status !== 'running') return;
    const now = this.#scheduler.now();
    this.#nextTickAtMs += this.#intervalMs;
    // Fixed rate without drift; after a stall longer than an interval, re-anchor instead of
    // firing a burst of catch-up ticks.
    if (this.#nextTickAtMs <= now) this.#nextTickAtMs = now + this.#intervalMs;
    this.#armTick(this.#nextTickAtMs - now);
    void this.tick();
  }

  #read(): Promise<Result<FleetReading> | typeof STOPPED> {
    return new Promise((resolve) => {
      const controller = new AbortController();
      let done = false;
      const finish = (value: Result<FleetReading> | typeof STOPPED): void => {
        if (done) return;
        done = true;
        timer.cancel();
        this.#abortRead = undefined;
        resolve(value);
      };
      const abort = (reason: HeadroomError): void => {
        try {
          controller.abort(reason);
        } catch {
          // A reader's abort listener must not break the loop.
        }
      };
      // finish() runs only after this assignment: from the timer, the abort hook or a settled read.
      const timer = this.#scheduler.schedule(() => {
        const error = new HeadroomError({
          code: 'timeout',
          message: `the fleet reader did not answer within ${this.#readTimeoutMs} ms`,
        });
        abort(error);
        finish(err(error));
      }, this.#readTimeoutMs);
      this.#abortRead = () => {
        abort(new HeadroomError({ code: 'unavailable', message: 'the autoscaler was stopped' }));
        finish(STOPPED);
      };
      let call: Promise<unknown>;
      try {
        call = Promise.resolve(this.#reader.read(controller.signal));
      } catch (error) {
        call = Promise.reject(error);
      }
      call.then(
        (result) => finish(normalizeReading(result)),
        (error: unknown) => finish(err(internal('the fleet reader threw', error))),
      );
    });
  }

  /** The changes not yet applied, oldest first: the one in flight, then the pending one. */
  #outstanding(): PendingActuation[] {
    const list: PendingActuation[] = [];
    if (this.#flight !== undefined) list.push(this.#flight.request);
    if (this.#pending !== undefined) list.push(this.#pending);
    return list;
  }

  #decide(reading: FleetReading): TickOutcome {
    const nowMs = this.#scheduler.now();
    this.#sourceFailures = 0;
    this.#known = reading.currentReplicas;
    this.#lastInstances = reading.instances;
    instruments.currentReplicas.record(reading.currentReplicas, { target: this.target });

    // Capacity already ordered is not ordered again: while a change is pending or in flight the
    // policy starts from its target, and its rate limits count it as if it had been applied.
    let base = reading.currentReplicas;
    let view = this.#hpa;
    for (const request of this.#outstanding()) {
      if (request.from !== null) {
        view = recordHpaScale(this.#policy.behavior, view, request.from, request.to, nowMs);
      }
      base = request.to;
    }
    const step = targetTrackingStep(this.#policy, view, {
      nowMs,
      currentReplicas: base,
      instances: reading.instances,
      ...(reading.fleet === undefined ? {} : { fleet: reading.fleet }),
    });
    // The step only adds a recommendation; the provisional scale events stay out of the state.
    this.#hpa = { ...this.#hpa, recommendations: step.state.recommendations };
    for (const p of step.reason.proposals) {
      instruments.signalPressure.record(p.pressure, { target: this.target, signal: p.signal });
    }
    let verdict: AutoscalerVerdict =
      step.decision.kind === 'scale'
        ? { kind: 'scale', from: step.decision.from, to: step.decision.to }
        : { kind: 'hold', replicas: step.decision.replicas };
    let guard: GuardRefusal | undefined;
    let flap: FlapState | undefined;
    if (step.decision.kind === 'scale') {
      const checked = this.#guard(step.decision.from, step.decision.to, reading.instances, nowMs);
      guard = checked.guard;
      flap = checked.flap;
      if (guard !== undefined) verdict = { kind: 'hold', replicas: step.decision.from };
    }
    const event = this.#recordDecision(
      'policy',
      verdict,
      step.reason,
      step.reason.code,
      nowMs,
      guard,
    );
    // The flap budget counts a scale once it is submitted, never a refused one.
    if (flap !== undefined && verdict.kind === 'scale') this.#flap = flap;
    return { kind: 'decided', decision: event };
  }

  /** Applies the guards to the policy's scale `from` -> `to`; the flap state to commit if allowed. */
  #guard(
    from: number,
    to: number,
    instances: readonly InstanceSnapshot[],
    nowMs: number,
  ): { guard: GuardRefusal | undefined; flap: FlapState | undefined } {
    const { cooldown, flapBudget } = this.#guards;
    if (cooldown !== undefined) {
      // A scale-up still pending or in flight counts from when it was decided.
      let lastScaleUpAtMs = this.#lastScaleUpAtMs;
      for (const request of this.#outstanding()) {
        if (request.from !== null && request.to > request.from) {
          lastScaleUpAtMs = Math.max(lastScaleUpAtMs ?? request.decidedAtMs, request.decidedAtMs);
        }
      }
      const check = scaleDownCooldown(cooldown, { nowMs, from, to, lastScaleUpAtMs, instances });
      if (!check.allowed) {
        return {
          guard: {
            guard: 'cooldown',
            reason:
              check.reason === 'cooldown_after_ready'
                ? 'cooldown_after_ready'
                : 'cooldown_after_scale_up',
            from,
            to,
            untilMs: check.untilMs,
          },
          flap: undefined,
        };
      }
    }
    if (flapBudget !== undefined) {
      const check = flapBudgetStep(flapBudget, this.#flap, { from, to, nowMs });
      if (!check.allowed) {
        return {
          guard: {
            guard: 'flap_budget',
            reason: 'flap_budget_spent',
            from,
            to,
            untilMs: undefined,
          },
          flap: undefined,
        };
      }
      return { guard: undefined, flap: check.state };
    }
    return { guard: undefined, flap: undefined };
  }

  #sourceFailed(error: HeadroomError): TickOutcome {
    const atMs = this.#scheduler.now();
    this.#sourceFailures++;
    instruments.sourceFailures.add(1, { target: this.target, code: error.code });
    const f = this.#fallback;
    const useFallback = f.mode === 'fallback' && this.#sourceFailures >= f.failureThreshold;
    this.#emit('source-failed', {
      target: this.target,
      error,
      consecutiveFailures: this.#sourceFailures,
      action: useFallback ? 'fallback' : 'hold',
      atMs,
    });
    if (!useFallback) return { kind: 'source-failed', error, fallback: null };
    const outstanding = this.#outstanding();
    const base = outstanding[outstanding.length - 1]?.to ?? this.#known;
    const verdict: AutoscalerVerdict =
      base === f.replicas
        ? { kind: 'hold', replicas: f.replicas }
        : { kind: 'scale', from: base, to: f.replicas };
    const event = this.#recordDecision('fallback', verdict, null, 'source_fallback', atMs);
    return { kind: 'source-failed', error, fallback: event };
  }

  #recordDecision(
    cause: DecisionCause,
    verdict: AutoscalerVerdict,
    reason: DecisionEvent['reason'],
    reasonCode: string,
    atMs: number,
    guard?: GuardRefusal,
  ): DecisionEvent {
    const decisionId = this.#nextDecisionId++;
    this.#lastDesired = verdict.kind === 'scale' ? verdict.to : verdict.replicas;
    instruments.desiredReplicas.record(this.#lastDesired, { target: this.target });
    instruments.decisions.add(1, {
      target: this.target,
      reason: reasonCode,
      direction: direction(verdict),
    });
    const event: DecisionEvent = {
      decisionId,
      target: this.target,
      atMs,
      cause,
      decision: verdict,
      reason,
      ...(guard === undefined ? {} : { guard }),
    };
    this.#emit('decision', event);
    if (verdict.kind === 'scale') {
      this.#enqueue({
        decisionId,
        cause,
        from: verdict.from,
        to: verdict.to,
        decidedAtMs: atMs,
        attempts: 0,
      });
    }
    return event;
  }

  // ---- actuation --------------------------------------------------------------------------

  #enqueue(request: PendingActuation): void {
    const previous = this.#pending;
    let next = request;
    if (previous !== undefined) {
      // Coalesce: the unapplied change is dropped, and the newer one starts from its base.
      this.#retryTimer?.cancel();
      this.#retryTimer = undefined;
      this.#pending = undefined;
      next = { ...request, from: previous.from };
      this.#emitSuperseded(previous, request.decisionId, previous.attempts);
    }
    this.#pending = next;
    this.#pump();
  }

  #pump(): void {
    if (
      this.#status === 'stopped' ||
      this.#flight !== undefined ||
      this.#retryTimer !== undefined ||
      this.#unsettledCalls > 0
    ) {
      return;
    }
    const request = this.#pending;
    if (request === undefined) return;
    this.#pending = undefined;
    const flight: Flight = {
      request,
      controller: new AbortController(),
      timeout: undefined,
      done: false,
    };
    this.#flight = flight;
    flight.timeout = this.#scheduler.schedule(() => {
      flight.timeout = undefined;
      const error = new HeadroomError({
        code: 'timeout',
        message: `the actuator did not answer within ${this.#actuationTimeoutMs} ms`,
      });
      try {
        flight.controller.abort(error);
      } catch {
        // An actuator's abort listener must not break the loop.
      }
      this.#settle(flight, { ok: false, error });
    }, this.#actuationTimeoutMs);
    let call: Promise<unknown>;
    try {
      call = Promise.resolve(
        this.#actuator.setReplicas(this.target, request.to, { signal: flight.controller.signal }),
      );
    } catch (error) {
      call = Promise.reject(error);
    }
    this.#unsettledCalls++;
    const released = (): void => {
      this.#unsettledCalls--;
      // A call abandoned earlier (timeout, stop) has settled: queued work may go now.
      if (this.#flight === undefined) this.#pump();
    };
    call.then(
      (result) => {
        this.#settle(flight, normalizeActuation(result));
        released();
      },
      (error: unknown) => {
        this.#settle(flight, { ok: false, error: internal('the actuator threw', error) });
        released();
      },
    );
  }

  #settle(flight: Flight, result: ActuationResult): void {
    if (flight.done) return;
    flight.done = true;
    flight.timeout?.cancel();
    flight.timeout = undefined;
    if (this.#flight === flight) this.#flight = undefined;
    const request = flight.request;
    const atMs = this.#scheduler.now();
    const attempts = request.attempts + 1;
    if (result.ok) {
      if (request.from !== null) {
        this.#hpa = recordHpaScale(
          this.#policy.behavior,
          this.#hpa,
          request.from,
          request.to,
          atMs,
        );
      }
      this.#known = request.to;
      if (request.from !== null && request.to > request.from) this.#lastScaleUpAtMs = atMs;
      this.#emit('actuated', {
        decisionId: request.decisionId,
        target: this.target,
        cause: request.cause,
        from: request.from,
        to: request.to,
        attempts,
        atMs,
      });
      if (request.from !== null && request.to < request.from) {
        this.#emit('drain', {
          decisionId: request.decisionId,
          target: this.target,
          from: request.from,
          to: request.to,
          victims: selectDrainVictims(this.#lastInstances, request.from - request.to),
          atMs,
        });
      }
    } else {
      const pending = this.#pending;
      const final = pending === undefined && attempts >= this.#retry.maxAttempts;
      instruments.actuationFailures.add(1, {
        target: this.target,
        code: result.error.code,
        final,
      });
      if (pending !== undefined) {
        // A newer decision is waiting: this change is not retried, and, not applied, it hands
        // its base over to the newer one.
        this.#pending = { ...pending, from: request.from };
        this.#emitSuperseded(request, pending.decisionId, attempts);
      } else if (final) {
        this.#emit('actuation-failed', {
          decisionId: request.decisionId,
          target: this.target,
          cause: request.cause,
          from: request.from,
          to: request.to,
          attempts,
          error: result.error,
          atMs,
        });
      } else {
        this.#pending = { ...request, attempts };
        this.#retryTimer = this.#scheduler.schedule(
          () => {
            this.#retryTimer = undefined;
            this.#pump();
          },
          backoffDelayMs(attempts, this.#retry, this.#random),
        );
      }
    }
    this.#pump();
  }

  // ---- events -----------------------------------------------------------------------------

  #emitSuperseded(request: PendingActuation, by: number, attempts: number): void {
    this.#emit('superseded', {
      decisionId: request.decisionId,
      target: this.target,
      to: request.to,
      supersededBy: by,
      attempts,
      atMs: this.#scheduler.now(),
    });
  }

  #emit<K extends AutoscalerEventName>(
    name: K,
    ...args: EventEmitter.EventArgs<AutoscalerEvents, K>
  ): void {
    try {
      this.events.emit(name, ...args);
    } catch {
      // A listener's exception never breaks the loop.
    }
  }
}

function resolveGuards(guards: AutoscalerOptions['guards']): Guards {
  if (guards === undefined) return { cooldown: undefined, flapBudget: undefined };
  if (typeof guards !== 'object' || guards === null) {
    throw configError(['guards'], 'must be an object', guards);
  }
  let cooldown: ScaleDownCooldownConfig | undefined;
  if (guards.cooldown !== undefined) {
    const c = guardSection(guards.cooldown, 'cooldown');
    cooldown = {
      afterScaleUpMs: guardNumber(c.afterScaleUpMs ?? 300_000, 'cooldown', 'afterScaleUpMs', {
        min: 0,
      }),
      afterReadyMs: guardNumber(c.afterReadyMs ?? 300_000, 'cooldown', 'afterReadyMs', { min: 0 }),
    };
  }
  let flapBudget: FlapBudgetConfig | undefined;
  if (guards.flapBudget !== undefined) {
    const f = guardSection(guards.flapBudget, 'flapBudget');
    flapBudget = {
      maxDirectionChanges: guardNumber(f.maxDirectionChanges, 'flapBudget', 'maxDirectionChanges', {
        min: 1,
        integer: true,
      }),
      ...(f.windowMs === undefined
        ? {}
        : {
            windowMs: guardNumber(f.windowMs, 'flapBudget', 'windowMs', {
              min: 0,
              minExclusive: true,
            }),
          }),
    };
  }
  return { cooldown, flapBudget };
}

/** Checks that `guards.<key>` is an object (the typed input may still hold anything at runtime). */
function guardSection<T>(value: T, key: string): T {
  if (typeof value !== 'object' || value === null) {
    throw configError(['guards', key], 'must be an object', value);
  }
  return value;
}

function guardNumber(value: unknown, section: string, key: string, bounds: NumberBounds): number {
  return requireNumber(value, ['guards', section, key], bounds, 'invalid_config');
}

function positiveMs(value: unknown, path: string): number {
  return requireNumber(value, [path], { min: 0, minExclusive: true }, 'invalid_config');
}

/**
 * Creates the controller runtime for one scale target: every `intervalMs` it reads the fleet
 * through `reader`, decides with `targetTrackingStep` on `policy`, and applies scale decisions
 * through `actuator`.
 *
 * - **Never overlapping**: a tick that falls due while the previous one still runs is skipped
 *   (`tick-skipped`, counted in the state).
 * - **Serialized actuation**: at most one actuator call in flight; a newer decision replaces a
 *   change that has not started (or is waiting for a retry), which ends in `superseded`. A failed
 *   attempt is retried with exponential backoff and jitter (`retry`) on the scheduler; after
 *   `maxAttempts` the decision ends in `actuation-failed`. Every decision to scale ends in
 *   exactly one of `actuated`, `superseded`, `actuation-failed`. After a success,
 *   `recordHpaScale` records the change so the policy's rate limits see it.
 * - **Capacity on its way**: while a change is pending or in flight, the policy starts from its
 *   target and its rate limits count it, so the same capacity is not ordered twice.
 * - **Source failures**: `source-failed`; in `hold` mode nothing else happens, in `fallback` mode
 *   the fallback replicas are set (KEDA's fallback). The runtime never acts on missing data
 *   otherwise.
 * - **Guards** (optional, `guards`): a scale-down cooldown and a flap budget; a policy scale they
 *   refuse becomes a hold whose `decision` event says why in `guard` (see {@link AutoscalerOptions.guards}).
 * - **Scale-in**: after one is applied, `drain` names the least-loaded ready instances.
 * - **Resumable**: `state()` is plain JSON; pass it as `state` to continue elsewhere.
 *
 * Time comes from `scheduler` and randomness (retry jitter) from `random` only, so a run with
 * core's `ManualScheduler` and a seeded `Random` replays exactly. Metrics: see
 * {@link AUTOSCALER_METRICS}.
 *
 * @throws `HeadroomError` `invalid_config` naming the field, the bound and the value: an empty
 * `target`; a `reader`, `actuator`, `scheduler` or `random` without its methods; `intervalMs`,
 * `readTimeoutMs` or `actuationTimeoutMs` not > 0; bad `retry` fields (see `resolveRetryOptions`);
 * a fallback `replicas` outside the policy's [minReplicas, maxReplicas] or a `failureThreshold`
 * not an integer >= 1; a `guards.cooldown` time not a finite number >= 0, a
 * `guards.flapBudget.maxDirectionChanges` not an integer >= 1 or a `windowMs` not > 0; a `state` that does not validate or belongs to another target.
 * @example
 * ```ts
 * import { createRandom, createSystemScheduler } from '@headroom/core';
 * import { createAutoscaler, createTargetTracking } from '@headroom/scaling';
 *
 * const autoscaler = createAutoscaler({
 *   target: 'llm/llama-70b',
 *   policy: createTargetTracking({
 *     minReplicas: 2,
 *     maxReplicas: 40,
 *     signals: [{ name: 'queue', kind: 'queue_depth', target: 4 }],
 *   }),
 *   reader, // a FleetReader, for example fleetReaderFromSource(poller, inventory)
 *   actuator: { setReplicas: (target, replicas, { signal }) => scaleDeployment(target, replicas, signal) },
 *   scheduler: createSystemScheduler({ unref: true }),
 *   random: createRandom(42),
 *   onSourceFailure: { mode: 'fallback', replicas: 6, failureThreshold: 3 },
 * });
 * autoscaler.events.on('actuated', (e) => metricsLog(e));
 * autoscaler.events.on('drain', (e) => router.drain(e.victims));
 * autoscaler.start();
 * // on shutdown or lost leadership: autoscaler.stop(); store(JSON.stringify(autoscaler.state()));
 * ```
 */
export function createAutoscaler(options: AutoscalerOptions): Autoscaler {
  if (typeof options !== 'object' || options === null) {
    throw configError([], 'options must be an object', options);
  }
  if (typeof options.target !== 'string' || options.target === '') {
    throw configError(['target'], 'must be a non-empty string', options.target);
  }
  const policy = options.policy as Partial<TargetTracking> | undefined;
  if (
    typeof policy !== 'object' ||
    policy === null ||
    typeof policy.behavior?.spec !== 'object' ||
    !Array.isArray(policy.signals)
  ) {
    throw configError(['policy'], 'must be a policy from createTargetTracking', options.policy);
  }
  requireFunction(options.reader, 'read', 'reader');
  requireFunction(options.actuator, 'setReplicas', 'actuator');
  requireFunction(options.scheduler, 'schedule', 'scheduler');
  requireFunction(options.scheduler, 'now', 'scheduler');
  requireFunction(options.random, 'nextFloat', 'random');
  const intervalMs = positiveMs(options.intervalMs ?? 15_000, 'intervalMs');
  const readTimeoutMs = positiveMs(
    options.readTimeoutMs ?? Math.min(10_000, intervalMs),
    'readTimeoutMs',
  );
  const actuationTimeoutMs = positiveMs(options.actuationTimeoutMs ?? 30_000, 'actuationTimeoutMs');
  const retry = resolveRetryOptions(options.retry ?? {}, ['retry']);

  let fallback: Fallback = { mode: 'hold' };
  const mode = options.onSourceFailure;
  if (mode !== undefined) {
    if (mode.mode === 'fallback') {
      const { minReplicas, maxReplicas } = options.policy.behavior.spec;
      const replicas = requireNumber(
        mode.replicas,
        ['onSourceFailure', 'replicas'],
        { min: minReplicas, max: maxReplicas, integer: true },
        'invalid_config',
      );
      const failureThreshold = requireNumber(
        mode.failureThreshold ?? 1,
        ['onSourceFailure', 'failureThreshold'],
        { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true },
        'invalid_config',
      );
      fallback = { mode: 'fallback', replicas, failureThreshold };
    } else if ((mode as { mode?: unknown }).mode !== 'hold') {
      throw new HeadroomError({
        code: 'invalid_config',
        message: 'must be hold or fallback',
        path: ['onSourceFailure', 'mode'],
        value: (mode as { mode?: unknown }).mode,
        limit: 'one of: hold, fallback',
      });
    }
  }

  let state: AutoscalerState | undefined;
  if (options.state !== undefined) {
    state = parseAutoscalerState(options.state, ['state']);
    if (state.target !== options.target) {
      throw configError(
        ['state', 'target'],
        `the state belongs to another target than ${JSON.stringify(options.target)}`,
        state.target,
      );
    }
  }
  return new AutoscalerRuntime(options, {
    intervalMs,
    readTimeoutMs,
    actuationTimeoutMs,
    retry,
    fallback,
    guards: resolveGuards(options.guards),
    state,
  });
}
