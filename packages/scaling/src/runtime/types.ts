import type { HeadroomError, InstanceSnapshot, Random, Result, Scheduler } from '@headroom/core';
import type { ScaleDownCooldownConfig } from '../behavior/cooldown/index.js';
import type { FlapBudgetConfig, FlapState } from '../behavior/flap/index.js';
import type { HpaState } from '../hpa/index.js';
import type { FleetSignalValue, TargetTracking, TargetTrackingDecision } from '../signals/index.js';

/**
 * What an {@link Actuator} reports: the outcome is a value, never an exception. A call that
 * throws or rejects anyway is treated by the runtime as `{ ok: false, error }` with a
 * `HeadroomError` of code `internal` (the thrown value as its `cause`).
 */
export type ActuationResult =
  | {
      /** The replicas were set. */
      readonly ok: true;
    }
  | {
      /** The call failed. */
      readonly ok: false;
      /** Why, with a stable code (`not_found`, `conflict`, `rate_limited`, `unavailable`, `timeout`...). */
      readonly error: HeadroomError;
    };

/** Options of one {@link Actuator.setReplicas} call. */
export interface ActuationCallOptions {
  /**
   * Aborted when the runtime gives up on the call: its `actuationTimeoutMs` passed (the abort
   * reason is a `HeadroomError` `timeout`) or the autoscaler was stopped. An actuator should pass
   * it on to its HTTP client.
   */
  readonly signal: AbortSignal;
}

/**
 * Applies a replica count to a scale target (a Deployment's scale subresource, an auto scaling
 * group's desired capacity). It must be idempotent (setting the same count twice is harmless: the
 * runtime retries after a timeout whose call may have landed) and report failures as values
 * (`not_found`, `conflict`, `rate_limited`, `unavailable`, `timeout`).
 */
export interface Actuator {
  /**
   * Sets `target` to `replicas`.
   *
   * @param target - the scale target, as named in the autoscaler's options.
   * @param replicas - the replica count to set, a non-negative integer.
   * @param options - carries the `AbortSignal` of the call.
   */
  setReplicas(
    target: string,
    replicas: number,
    options: ActuationCallOptions,
  ): Promise<ActuationResult>;
}

/** What a {@link FleetReader} returns: the inputs a target-tracking policy needs. */
export interface FleetReading {
  /**
   * The instances of the scale target, in any lifecycle state (core's `InstanceSnapshot`s).
   * Metrics a source did not report stay `undefined` (unknown), never 0.
   */
  readonly instances: readonly InstanceSnapshot[];
  /**
   * The replicas the scale target is currently asked for (a Deployment's `spec.replicas`, an
   * auto scaling group's desired capacity), not the count already running; a non-negative integer.
   */
  readonly currentReplicas: number;
  /** Fleet-wide values for `latency` signals, by signal name (for example a p95 TTFT in ms). */
  readonly fleet?: Readonly<Record<string, FleetSignalValue>>;
}

/**
 * Reads the scale target's fleet once per tick. `read` should not throw or reject: a failure (an
 * unreachable metric source, a timeout) is `{ ok: false, error }` with a typed `HeadroomError`,
 * and the runtime then follows its `onSourceFailure` mode. A throw or rejection is treated as a
 * failure with code `internal`; a reading whose `currentReplicas` is not a non-negative integer,
 * or whose `instances` is not an array, as a failure with code `invalid_input`.
 *
 * To build one from core's `MetricSource` (the DCGM exporter, an inference server's `/metrics`, a
 * poller) plus an inventory of the target's instances (which instances exist, in which lifecycle
 * state, and the replicas asked for), use {@link fleetReaderFromSource}: it merges the
 * `InstanceObservation`s of the source into `InstanceSnapshot`s by instance id.
 */
export interface FleetReader {
  /**
   * Reads the fleet once.
   *
   * @param signal - aborted when the autoscaler's `readTimeoutMs` passes or it is stopped.
   */
  read(signal: AbortSignal): Promise<Result<FleetReading>>;
}

/**
 * What the autoscaler does when its {@link FleetReader} fails.
 *
 * - `hold` (the default): nothing; the replicas stay as they are until the source recovers.
 * - `fallback`: KEDA's fallback. After `failureThreshold` consecutive failed reads, set the
 *   target to `replicas` (once: while the replicas asked for already equal it, it holds). The
 *   policy takes over again on the next successful read.
 */
export type SourceFailureMode =
  | {
      /** Hold: do nothing until the source recovers. */
      readonly mode: 'hold';
    }
  | {
      /** Set the fallback replicas (KEDA's fallback). */
      readonly mode: 'fallback';
      /** The replicas to set, an integer within the policy's [minReplicas, maxReplicas]. */
      readonly replicas: number;
      /**
       * Consecutive failed reads before the fallback applies, an integer >= 1 (KEDA's
       * `failureThreshold`). @defaultValue 1
       */
      readonly failureThreshold?: number;
    };

/**
 * Retries of a failed actuation: exponential backoff with jitter from the injected `Random`.
 * After the n-th failed attempt the runtime waits
 * `min(maxMs, base × (1 − jitterRatio + 2 × jitterRatio × u))` ms, where
 * `base = min(maxMs, initialMs × multiplier^(n−1))` and `u` is a draw in [0, 1).
 */
export interface RetryOptions {
  /** Base delay after the first failed attempt, ms, > 0. @defaultValue 1_000 */
  readonly initialMs?: number;
  /** Largest delay between attempts, ms, >= initialMs. @defaultValue 60_000 */
  readonly maxMs?: number;
  /** Growth of the base delay per failed attempt, >= 1. @defaultValue 2 */
  readonly multiplier?: number;
  /** Jitter as a fraction of the base delay, in [0, 1]. @defaultValue 0.2 */
  readonly jitterRatio?: number;
  /**
   * Attempts per decision, the first included, an integer >= 1; after the last one fails the
   * decision ends in `actuation-failed`. @defaultValue 8
   */
  readonly maxAttempts?: number;
}

/** {@link RetryOptions} with the defaults filled in. */
export interface ResolvedRetryOptions {
  /** Base delay after the first failed attempt, ms. */
  readonly initialMs: number;
  /** Largest delay between attempts, ms. */
  readonly maxMs: number;
  /** Growth of the base delay per failed attempt. */
  readonly multiplier: number;
  /** Jitter as a fraction of the base delay. */
  readonly jitterRatio: number;
  /** Attempts per decision, the first included. */
  readonly maxAttempts: number;
}

/** Why a decision was made: the policy, or the `fallback` mode after the source failed. */
export type DecisionCause = 'policy' | 'fallback';

/**
 * A replica change the runtime still has to apply (waiting to start, waiting for a retry, or in
 * flight when the state was taken). Plain JSON.
 */
export interface PendingActuation {
  /** The decision that asked for it. */
  readonly decisionId: number;
  /** Why the decision was made. */
  readonly cause: DecisionCause;
  /**
   * The replicas before this change, or `null` when unknown (a fallback before any successful
   * read). A change that superseded an unapplied one takes over that one's `from`.
   */
  readonly from: number | null;
  /** The replicas to set. */
  readonly to: number;
  /** When the decision was made, epoch ms. */
  readonly decidedAtMs: number;
  /** Attempts that have failed so far. */
  readonly attempts: number;
}

/**
 * Everything an autoscaler remembers between ticks, as plain JSON: pass it (or
 * `JSON.parse(JSON.stringify(it))`) as `state` to a new autoscaler, a newly elected leader for
 * example, and it goes on where this one stopped.
 */
export interface AutoscalerState {
  /** Format version. */
  readonly version: 1;
  /** The scale target this state belongs to. */
  readonly target: string;
  /** The policy's state (stabilization recommendations and scale events for the rate limits). */
  readonly hpa: HpaState;
  /** The replicas of the last decision (its `to`, or the count it held at), or `null` before any. */
  readonly lastDesiredReplicas: number | null;
  /**
   * The replicas last known to be asked for: from the last successful read or the last successful
   * actuation, whichever was later; `null` before either.
   */
  readonly knownReplicas: number | null;
  /**
   * The newest change not yet applied, or `null`. A resumed autoscaler submits it on `start()`
   * or its first `tick()` (actuators are idempotent, so one that had in fact landed is harmless).
   */
  readonly pending: PendingActuation | null;
  /** The id the next decision gets. */
  readonly nextDecisionId: number;
  /** Reads that failed in a row (reset by a successful read). */
  readonly consecutiveSourceFailures: number;
  /** Ticks skipped because the previous one was still running, in total. */
  readonly skippedTicks: number;
  /**
   * When the last scale-up was applied (the actuator's success), epoch ms, or `null` before any;
   * for the scale-down cooldown of {@link AutoscalerGuards.cooldown}. Absent in a state written
   * before guards existed (read as `null`).
   */
  readonly lastScaleUpAtMs?: number | null;
  /**
   * The flap budget's state (see `flapBudgetStep`), for {@link AutoscalerGuards.flapBudget}.
   * Absent in a state written before guards existed (read as `initialFlapState()`).
   */
  readonly flap?: FlapState;
}

/**
 * Guards applied to the policy's scale decisions (not to `fallback` ones) before they are
 * submitted. A refused scale becomes a hold at the replicas it started from, and its `decision`
 * event carries a {@link GuardRefusal} in `guard`.
 */
export interface AutoscalerGuards {
  /**
   * Refuse scale-downs shortly after a scale-up or after an instance became ready (see
   * `scaleDownCooldown`). The last scale-up is the latest applied one, or a scale-up still
   * pending or in flight (at the time it was decided). Off when absent.
   */
  readonly cooldown?: ScaleDownCooldownConfig;
  /**
   * Refuse a direction change when K already happened in the trailing window (see
   * `flapBudgetStep`). A scale counts once it is submitted to the actuator queue (even if it is
   * later superseded or fails). Off when absent.
   */
  readonly flapBudget?: FlapBudgetConfig;
}

/** Why a guard turned the policy's scale into a hold; in {@link DecisionEvent.guard}. */
export interface GuardRefusal {
  /** The guard that refused: `cooldown` (scale-down cooldown) or `flap_budget`. */
  readonly guard: 'cooldown' | 'flap_budget';
  /**
   * The guard's reason: `cooldown_after_scale_up` or `cooldown_after_ready` (cooldown), or
   * `flap_budget_spent` (flap budget).
   */
  readonly reason: 'cooldown_after_scale_up' | 'cooldown_after_ready' | 'flap_budget_spent';
  /** The replicas the policy proposed to scale from. */
  readonly from: number;
  /** The replicas the policy proposed to scale to (not applied). */
  readonly to: number;
  /**
   * For the cooldown: the earliest time a scale-down can be allowed, epoch ms; `undefined` for
   * the flap budget.
   */
  readonly untilMs: number | undefined;
}

/** A decision of the runtime: scale from one count to another, or hold. */
export type AutoscalerVerdict =
  | {
      /** Change the replicas. */
      readonly kind: 'scale';
      /** The replicas the decision started from, or `null` when unknown (fallback only). */
      readonly from: number | null;
      /** The replicas to set. */
      readonly to: number;
    }
  | {
      /** Keep the replicas. */
      readonly kind: 'hold';
      /** The replicas kept. */
      readonly replicas: number;
    };

/** The `decision` event: one decision, made on a tick. */
export interface DecisionEvent {
  /** Unique, increasing id of the decision (continues across a resume). */
  readonly decisionId: number;
  /** The scale target. */
  readonly target: string;
  /** When it was made, epoch ms. */
  readonly atMs: number;
  /** `policy`, or `fallback` after the source failed. */
  readonly cause: DecisionCause;
  /** Scale or hold. */
  readonly decision: AutoscalerVerdict;
  /** The policy's reason (driving signal, proposals, rule that limited it); `null` for a fallback. */
  readonly reason: TargetTrackingDecision['reason'] | null;
  /**
   * Present only when a guard (see {@link AutoscalerGuards}) refused the policy's scale: then
   * `decision` is a hold, and this says which guard refused, why and what was proposed.
   */
  readonly guard?: GuardRefusal;
}

/** The `actuated` event: a decision's change was applied. */
export interface ActuatedEvent {
  /** The decision applied. */
  readonly decisionId: number;
  /** The scale target. */
  readonly target: string;
  /** Why the decision was made. */
  readonly cause: DecisionCause;
  /**
   * The replicas before, or `null` when unknown: the base the rate limits record the change
   * from (when this change replaced one never applied, that one's base).
   */
  readonly from: number | null;
  /** The replicas set. */
  readonly to: number;
  /** Attempts it took, >= 1. */
  readonly attempts: number;
  /** When the actuator reported success, epoch ms. */
  readonly atMs: number;
}

/** The `actuation-failed` event: every attempt of a decision failed; the decision is over. */
export interface ActuationFailedEvent {
  /** The decision that failed. */
  readonly decisionId: number;
  /** The scale target. */
  readonly target: string;
  /** Why the decision was made. */
  readonly cause: DecisionCause;
  /** The replicas before, or `null` when unknown. */
  readonly from: number | null;
  /** The replicas it tried to set. */
  readonly to: number;
  /** Attempts made (the configured `maxAttempts`). */
  readonly attempts: number;
  /** The error of the last attempt. */
  readonly error: HeadroomError;
  /** When the last attempt failed, epoch ms. */
  readonly atMs: number;
}

/** The `superseded` event: a decision not yet applied was dropped for a newer one. */
export interface SupersededEvent {
  /** The decision dropped. */
  readonly decisionId: number;
  /** The scale target. */
  readonly target: string;
  /** The replicas it asked for. */
  readonly to: number;
  /** The newer decision that replaced it. */
  readonly supersededBy: number;
  /** Attempts it had made (0 when it never started). */
  readonly attempts: number;
  /** When it was dropped, epoch ms. */
  readonly atMs: number;
}

/** The `source-failed` event: the fleet reader failed on a tick. */
export interface SourceFailedEvent {
  /** The scale target. */
  readonly target: string;
  /** Why the read failed. */
  readonly error: HeadroomError;
  /** Reads failed in a row, this one included. */
  readonly consecutiveFailures: number;
  /** What the autoscaler did: `hold`, or `fallback` when the fallback count applies. */
  readonly action: 'hold' | 'fallback';
  /** When, epoch ms. */
  readonly atMs: number;
}

/** The `tick-skipped` event: a tick fell due while the previous one was still running. */
export interface TickSkippedEvent {
  /** The scale target. */
  readonly target: string;
  /** Ticks skipped so far, in total (this one included). */
  readonly skippedTicks: number;
  /** When, epoch ms. */
  readonly atMs: number;
}

/**
 * The `drain` event, after a scale-in was applied: the instances to drain (stop routing new work
 * to, let their streams finish). Advisory: the platform may pick other instances to remove.
 */
export interface DrainEvent {
  /** The scale-in decision. */
  readonly decisionId: number;
  /** The scale target. */
  readonly target: string;
  /** The replicas before. */
  readonly from: number;
  /** The replicas after. */
  readonly to: number;
  /**
   * Ids of the least-loaded ready instances of the latest reading, at most `from − to` of them
   * (see {@link selectDrainVictims}); empty when the reader provided no instances.
   */
  readonly victims: readonly string[];
  /** When, epoch ms. */
  readonly atMs: number;
}

/**
 * The events of an {@link Autoscaler}, for `eventemitter3`. Listeners run synchronously; one that
 * throws is caught and ignored (the loop goes on), but eventemitter3 skips the listeners of that
 * event registered after it, so keep listeners from throwing.
 *
 * Every decision that asks to scale ends in exactly one of `actuated`, `superseded` or
 * `actuation-failed` (a decision still unapplied at `stop()` is kept in `state().pending` and
 * ends after `start()`, here or in the autoscaler resumed from that state).
 */
export interface AutoscalerEvents {
  /** A decision was made (scale or hold). */
  decision: (event: DecisionEvent) => void;
  /** A change was applied. */
  actuated: (event: ActuatedEvent) => void;
  /** A change failed on every attempt. */
  'actuation-failed': (event: ActuationFailedEvent) => void;
  /** A change not yet applied was dropped for a newer decision. */
  superseded: (event: SupersededEvent) => void;
  /** The fleet reader failed. */
  'source-failed': (event: SourceFailedEvent) => void;
  /** A tick was skipped because the previous one was still running. */
  'tick-skipped': (event: TickSkippedEvent) => void;
  /** A scale-in was applied: instances to drain. */
  drain: (event: DrainEvent) => void;
}

/** The name of one of the {@link AutoscalerEvents}. */
export type AutoscalerEventName = keyof AutoscalerEvents;

/** What one {@link Autoscaler.tick} did. */
export type TickOutcome =
  | {
      /** The fleet was read and the policy decided. */
      readonly kind: 'decided';
      /** The decision (also emitted as `decision`). */
      readonly decision: DecisionEvent;
    }
  | {
      /** The fleet reader failed. */
      readonly kind: 'source-failed';
      /** Why. */
      readonly error: HeadroomError;
      /** The fallback decision, or `null` in `hold` mode or below the failure threshold. */
      readonly fallback: DecisionEvent | null;
    }
  | {
      /** Nothing was done. */
      readonly kind: 'skipped';
      /** `overlap`: the previous tick was still running; `stopped`: the autoscaler is stopped. */
      readonly reason: 'overlap' | 'stopped';
      /** When, epoch ms. */
      readonly atMs: number;
    };

/** Options of {@link createAutoscaler}. */
export interface AutoscalerOptions {
  /** The scale target's name, passed to the actuator and put on events and metrics; non-empty. */
  readonly target: string;
  /** The target-tracking policy (from `createTargetTracking`). */
  readonly policy: TargetTracking;
  /** Reads the fleet each tick. */
  readonly reader: FleetReader;
  /** Applies replica counts. */
  readonly actuator: Actuator;
  /** Timers and time (core's `Scheduler`): `createSystemScheduler()` in production, `ManualScheduler` in tests. */
  readonly scheduler: Scheduler;
  /** Randomness for the retry jitter (core's `Random`). */
  readonly random: Random;
  /** Time between ticks, ms, > 0. @defaultValue 15_000 */
  readonly intervalMs?: number;
  /**
   * Longest a read may take, ms, > 0; a read still running then is aborted and counts as a source
   * failure with code `timeout`. @defaultValue min(10_000, intervalMs)
   */
  readonly readTimeoutMs?: number;
  /** What to do when the reader fails. @defaultValue `{ mode: 'hold' }` */
  readonly onSourceFailure?: SourceFailureMode;
  /** Retries of failed actuations. @defaultValue see {@link RetryOptions} */
  readonly retry?: RetryOptions;
  /**
   * Longest an actuator call may take, ms, > 0; then its signal is aborted and the attempt counts
   * as failed with code `timeout`. @defaultValue 30_000
   */
  readonly actuationTimeoutMs?: number;
  /** State of an earlier autoscaler of the same target to resume from (see {@link AutoscalerState}). */
  readonly state?: AutoscalerState;
  /** Scale-down cooldown and flap budget applied to the policy's decisions. @defaultValue none */
  readonly guards?: AutoscalerGuards;
}
