import {
  gradeGpuSignals,
  healthRank,
  stateOfRank,
  type GpuHealthCause,
  type GpuHealthSignals,
  type HealthState,
} from './gpu-signals.js';
import { HeadroomError, parseInput } from '@headroom/core';
import {
  HealthTrackerStateSchema,
  type EndpointHealthState,
  type HealthTrackerState,
} from './health-state.js';
import {
  healthWeight,
  resolveHealthConfig,
  type HealthConfig,
  type ResolvedHealthConfig,
} from './health-config.js';

export type { HealthState } from './gpu-signals.js';

/**
 * Why an endpoint's health state changed (the `cause` of a {@link HealthEvent}).
 *
 * - a {@link GpuHealthCause} other than `none`: a GPU signal worsened the state.
 * - `gpu_recovered`: GPU signals stayed clean for `recoveryMs` and the GPU grade improved.
 * - `consecutive_failures`: `consecutive5xx` failed outcomes in a row ejected the endpoint.
 * - `success_rate`: {@link HealthTracker.evaluate} found its success rate an outlier.
 * - `ejection_expired`: its outlier ejection time ran out.
 * - `drain_set` / `drain_cleared`: {@link HealthTracker.setDraining} was called.
 */
export type HealthCause =
  | Exclude<GpuHealthCause, 'none'>
  | 'gpu_recovered'
  | 'consecutive_failures'
  | 'success_rate'
  | 'ejection_expired'
  | 'drain_set'
  | 'drain_cleared';

/** One change of an endpoint's effective health state. */
export interface HealthEvent {
  /** When it happened (the tracker's clock after clamping), epoch ms. */
  readonly atMs: number;
  /** The state before. */
  readonly from: HealthState;
  /** The state after. */
  readonly to: HealthState;
  /** What drove the change. */
  readonly cause: HealthCause;
}

/** Why an outlier ejection happened. */
export type OutlierEjectionReason = 'consecutive_failures' | 'success_rate';

/** Everything the tracker knows about one endpoint, as plain data. */
export interface EndpointHealthDetails {
  /** The effective state: the worst of the GPU grade, the drain flag and an outlier ejection. */
  readonly state: HealthState;
  /** The GPU grade after hysteresis. */
  readonly gpuState: HealthState;
  /** The signal behind the GPU grade (`none` when healthy). */
  readonly gpuCause: GpuHealthCause;
  /** Whether the endpoint was put in drain by {@link HealthTracker.setDraining}. */
  readonly draining: boolean;
  /** Whether outlier detection holds the endpoint ejected. */
  readonly outlierEjected: boolean;
  /** Why it was outlier-ejected, when it is. */
  readonly ejectionReason: OutlierEjectionReason | null;
  /** When the current outlier ejection ends, epoch ms; `null` when not outlier-ejected. */
  readonly ejectedUntilMs: number | null;
  /** How many times outlier detection ejected the endpoint since it was first seen. */
  readonly ejectionCount: number;
  /**
   * Envoy's ejection-time multiplier: the next ejection lasts `baseEjectionTimeMs × (this + 1)`,
   * capped. It grows by one per ejection and shrinks by one per {@link HealthTracker.evaluate}
   * sweep in which the endpoint is not ejected.
   */
  readonly ejectionMultiplier: number;
  /** Failed outcomes in a row since the last success. */
  readonly consecutiveFailures: number;
  /** Successful outcomes in the current success-rate interval. */
  readonly intervalSuccesses: number;
  /** Failed outcomes in the current success-rate interval. */
  readonly intervalFailures: number;
  /** Since when GPU signals have been clean towards recovery, epoch ms; `null` when not. */
  readonly gpuCleanSinceMs: number | null;
  /** How many times the effective state changed. */
  readonly transitions: number;
}

/** An endpoint that took part in a success-rate sweep. */
export interface OutlierCandidate {
  /** The endpoint id. */
  readonly id: string;
  /** Its success rate over the interval, in [0, 1]. */
  readonly successRate: number;
}

/** What one {@link HealthTracker.evaluate} sweep found and did. */
export interface OutlierSweepReport {
  /** The sweep time after clamping, epoch ms. */
  readonly atMs: number;
  /**
   * Whether success-rate ejection ran: enabled, and at least `successRateMinimumHosts` endpoints
   * had `successRateRequestVolume` outcomes in the interval.
   */
  readonly successRateRan: boolean;
  /** The endpoints with enough volume, with their success rates in [0, 1]. */
  readonly candidates: readonly OutlierCandidate[];
  /** The mean success rate of the candidates, in [0, 1]; `null` when the sweep did not run. */
  readonly meanSuccessRate: number | null;
  /** The population standard deviation of the candidates' success rates; `null` when not run. */
  readonly stdevSuccessRate: number | null;
  /** `mean - successRateStdevFactor × stdev`; `null` when not run. */
  readonly thresholdSuccessRate: number | null;
  /** The endpoints this sweep ejected, worst success rate first. */
  readonly ejected: readonly string[];
  /** Outliers left in place because `maxEjectionPercent` was reached. */
  readonly refused: readonly string[];
  /** Endpoints whose ejection ended at or before this sweep (during the settling it does). */
  readonly returned: readonly string[];
}

/**
 * Grades endpoint health from GPU signals, request outcomes and operator drains, with hysteresis,
 * and ejects outliers with the semantics of Envoy's outlier detection. One instance per fleet (or
 * per model pool): the max-ejection cap is computed over the endpoints it tracks.
 *
 * Time: every method takes `nowMs`; the tracker keeps the latest time it has seen and never goes
 * back: an older `nowMs` is raised to it, and a non-finite one is replaced by it (0 before any).
 * Each call first settles time-driven changes (expired ejections, completed recoveries).
 */
export interface HealthTracker {
  /**
   * Applies one reading of GPU signals. A worse grade takes effect at once; a better grade only
   * after every reading for `recoveryMs` was clean (temperatures at or below their threshold
   * minus `hysteresisC`).
   *
   * @returns the endpoint's effective state after the reading.
   */
  observeGpu(id: string, signals: GpuHealthSignals, nowMs: number): HealthState;
  /**
   * Records the outcome of one request (or stream) served by the endpoint: a failure counts
   * towards `consecutive5xx` and the interval's success rate; a success resets the consecutive
   * count. Outcomes that arrive while the endpoint is outlier-ejected only count towards the
   * interval.
   *
   * @returns the endpoint's effective state after the outcome.
   */
  recordOutcome(id: string, success: boolean, nowMs: number): HealthState;
  /**
   * The endpoint's effective state at `nowMs` (an unknown endpoint is `healthy` and is not
   * added). O(1).
   */
  state(id: string, nowMs: number): HealthState;
  /** Forgets an endpoint (its ejection no longer counts against the cap). */
  remove(id: string): void;
  /**
   * Puts an endpoint in drain or takes it out, at once (an operator action, without hysteresis).
   * For the tracker of a router (`router.health`), call `Router.setDraining` instead: it does
   * this and applies the new state to the pick weights before the next pick, whereas a change
   * made here reaches them only at the endpoint's next scrape, completion or upsert.
   *
   * @returns the effective state after the change.
   */
  setDraining(id: string, draining: boolean, nowMs: number): HealthState;
  /**
   * Starts tracking an endpoint without any signal, so that it counts towards the max-ejection
   * cap before its first outcome. Does nothing for a known endpoint.
   */
  add(id: string): void;
  /**
   * The success-rate sweep, called by the host at its interval (Envoy's `interval`, 10 s by
   * default): settles every endpoint, decrements the ejection multiplier of endpoints that are
   * not ejected, ejects success-rate outliers within the cap, and starts a new interval.
   *
   * @returns what the sweep found and did.
   */
  evaluate(nowMs: number): OutlierSweepReport;
  /** The endpoint's routing weight factor at `nowMs`: {@link healthWeight} of its state. */
  weight(id: string, nowMs: number): number;
  /** How many times the endpoint's effective state changed (0 for an unknown endpoint). */
  transitions(id: string): number;
  /** The endpoint's latest transitions, oldest first (at most `eventLogSize`). */
  events(id: string): readonly HealthEvent[];
  /** Everything known about the endpoint at `nowMs`; `undefined` for an unknown endpoint. */
  details(id: string, nowMs: number): EndpointHealthDetails | undefined;
  /** How many endpoints outlier detection holds ejected (as of the last settle of each). */
  outlierEjectedCount(nowMs: number): number;
  /** The most endpoints outlier detection may hold ejected now: `max(1, floor(n × pct / 100))`. */
  maxOutlierEjections(): number;
  /** The tracked endpoint ids. */
  ids(): IterableIterator<string>;
  /**
   * The tracker's whole state as plain JSON data (see {@link HealthTrackerStateSchema}); resume
   * from it with {@link restoreHealthTracker}.
   */
  toJSON(): HealthTrackerState;
  /** How many endpoints are tracked. */
  readonly size: number;
  /** The resolved configuration. */
  readonly config: ResolvedHealthConfig;
}

interface EndpointRecord {
  gpuRank: number;
  gpuCause: GpuHealthCause;
  /** NaN when no clean run is in progress. */
  cleanSinceMs: number;
  cleanWorstRank: number;
  cleanWorstCause: GpuHealthCause;
  lastRecoverRank: number;
  lastRecoverCause: GpuHealthCause;
  draining: boolean;
  outlierEjected: boolean;
  ejectionReason: OutlierEjectionReason | null;
  ejectedUntilMs: number;
  ejectionCount: number;
  multiplier: number;
  consecutiveFailures: number;
  intervalSuccesses: number;
  intervalFailures: number;
  rank: number;
  transitions: number;
  events: HealthEvent[];
}

function newRecord(): EndpointRecord {
  return {
    gpuRank: 0,
    gpuCause: 'none',
    cleanSinceMs: Number.NaN,
    cleanWorstRank: 0,
    cleanWorstCause: 'none',
    lastRecoverRank: 0,
    lastRecoverCause: 'none',
    draining: false,
    outlierEjected: false,
    ejectionReason: null,
    ejectedUntilMs: Number.NEGATIVE_INFINITY,
    ejectionCount: 0,
    multiplier: 0,
    consecutiveFailures: 0,
    intervalSuccesses: 0,
    intervalFailures: 0,
    rank: 0,
    transitions: 0,
    events: [],
  };
}

class Tracker implements HealthTracker {
  readonly config: ResolvedHealthConfig;
  readonly #records = new Map<string, EndpointRecord>();
  #latestMs = Number.NEGATIVE_INFINITY;
  /** The outlier-ejected records (at most the cap), settled lazily. */
  readonly #ejected = new Set<EndpointRecord>();

  constructor(config: ResolvedHealthConfig) {
    this.config = config;
  }

  get size(): number {
    return this.#records.size;
  }

  #clock(nowMs: number): number {
    if (typeof nowMs === 'number' && Number.isFinite(nowMs)) {
      if (nowMs > this.#latestMs) this.#latestMs = nowMs;
    } else if (this.#latestMs === Number.NEGATIVE_INFINITY) {
      this.#latestMs = 0;
    }
    return this.#latestMs;
  }

  #record(id: string): EndpointRecord {
    let rec = this.#records.get(id);
    if (rec === undefined) {
      rec = newRecord();
      this.#records.set(id, rec);
    }
    return rec;
  }

  /** Recomputes the effective state and logs a transition when it changed. */
  #commit(rec: EndpointRecord, atMs: number, cause: HealthCause): void {
    let rank = rec.gpuRank;
    if (rec.draining && rank < 2) rank = 2;
    if (rec.outlierEjected) rank = 3;
    if (rank === rec.rank) return;
    const event: HealthEvent = {
      atMs,
      from: stateOfRank(rec.rank),
      to: stateOfRank(rank),
      cause,
    };
    rec.rank = rank;
    rec.transitions += 1;
    const size = this.config.eventLogSize;
    if (size > 0) {
      if (rec.events.length >= size) rec.events.shift();
      rec.events.push(event);
    }
  }

  /** Applies time-driven changes: ejection expiry, completed GPU recovery. */
  #settle(rec: EndpointRecord, nowMs: number): void {
    if (rec.outlierEjected && nowMs >= rec.ejectedUntilMs) {
      rec.outlierEjected = false;
      rec.ejectionReason = null;
      rec.ejectedUntilMs = Number.NEGATIVE_INFINITY;
      rec.consecutiveFailures = 0;
      this.#ejected.delete(rec);
      this.#commit(rec, nowMs, 'ejection_expired');
    }
    if (!Number.isNaN(rec.cleanSinceMs) && nowMs - rec.cleanSinceMs >= this.config.recoveryMs) {
      this.#recover(rec, nowMs);
    }
  }

  #recover(rec: EndpointRecord, nowMs: number): void {
    rec.gpuRank = rec.cleanWorstRank;
    rec.gpuCause = rec.cleanWorstCause;
    if (rec.lastRecoverRank < rec.gpuRank) {
      // The latest reading is cleaner still: a new clean run starts now.
      rec.cleanSinceMs = nowMs;
      rec.cleanWorstRank = rec.lastRecoverRank;
      rec.cleanWorstCause = rec.lastRecoverCause;
    } else {
      rec.cleanSinceMs = Number.NaN;
    }
    this.#commit(rec, nowMs, 'gpu_recovered');
  }

  #tryEject(rec: EndpointRecord, nowMs: number, reason: OutlierEjectionReason): boolean {
    if (rec.outlierEjected) return false;
    const cap = this.maxOutlierEjections();
    if (this.#ejected.size >= cap) {
      // Ejections end lazily: return the expired ones before deciding.
      for (const other of [...this.#ejected]) this.#settle(other, nowMs);
      if (this.#ejected.size >= cap) return false;
    }
    const c = this.config;
    rec.multiplier += 1;
    rec.ejectionCount += 1;
    rec.outlierEjected = true;
    rec.ejectionReason = reason;
    rec.ejectedUntilMs =
      nowMs + Math.min(c.baseEjectionTimeMs * rec.multiplier, c.maxEjectionTimeMs);
    this.#ejected.add(rec);
    this.#commit(rec, nowMs, reason);
    return true;
  }

  observeGpu(id: string, signals: GpuHealthSignals, nowMs: number): HealthState {
    const now = this.#clock(nowMs);
    const rec = this.#record(id);
    this.#settle(rec, now);
    const c = this.config;
    const worse = gradeGpuSignals(signals, c);
    const clean = gradeGpuSignals(signals, c, c.hysteresisC);
    const worseRank = healthRank(worse.state);
    const cleanRank = healthRank(clean.state);
    rec.lastRecoverRank = cleanRank;
    rec.lastRecoverCause = clean.cause;
    if (worseRank > rec.gpuRank) {
      rec.gpuRank = worseRank;
      rec.gpuCause = worse.cause;
      rec.cleanSinceMs = Number.NaN;
      this.#commit(rec, now, worse.cause as Exclude<GpuHealthCause, 'none'>);
    } else if (cleanRank >= rec.gpuRank) {
      // Still at the current grade (or inside the hysteresis band): no progress to recovery.
      rec.cleanSinceMs = Number.NaN;
    } else {
      if (Number.isNaN(rec.cleanSinceMs)) {
        rec.cleanSinceMs = now;
        rec.cleanWorstRank = cleanRank;
        rec.cleanWorstCause = clean.cause;
      } else if (cleanRank > rec.cleanWorstRank) {
        rec.cleanWorstRank = cleanRank;
        rec.cleanWorstCause = clean.cause;
      }
      if (now - rec.cleanSinceMs >= c.recoveryMs) this.#recover(rec, now);
    }
    return stateOfRank(rec.rank);
  }

  recordOutcome(id: string, success: boolean, nowMs: number): HealthState {
    const now = this.#clock(nowMs);
    const rec = this.#record(id);
    this.#settle(rec, now);
    if (success) {
      rec.intervalSuccesses += 1;
      rec.consecutiveFailures = 0;
    } else {
      rec.intervalFailures += 1;
      if (!rec.outlierEjected) {
        rec.consecutiveFailures += 1;
        const limit = this.config.consecutive5xx;
        if (limit > 0 && rec.consecutiveFailures >= limit) {
          this.#tryEject(rec, now, 'consecutive_failures');
        }
      }
    }
    return stateOfRank(rec.rank);
  }

  state(id: string, nowMs: number): HealthState {
    const rec = this.#records.get(id);
    const now = this.#clock(nowMs);
    if (rec === undefined) return 'healthy';
    this.#settle(rec, now);
    return stateOfRank(rec.rank);
  }

  remove(id: string): void {
    const rec = this.#records.get(id);
    if (rec === undefined) return;
    this.#ejected.delete(rec);
    this.#records.delete(id);
  }

  setDraining(id: string, draining: boolean, nowMs: number): HealthState {
    const now = this.#clock(nowMs);
    const rec = this.#record(id);
    this.#settle(rec, now);
    if (rec.draining !== draining) {
      rec.draining = draining;
      this.#commit(rec, now, draining ? 'drain_set' : 'drain_cleared');
    }
    return stateOfRank(rec.rank);
  }

  add(id: string): void {
    this.#record(id);
  }

  evaluate(nowMs: number): OutlierSweepReport {
    const now = this.#clock(nowMs);
    const c = this.config;
    const returned: string[] = [];
    const candidates: { id: string; successRate: number; rec: EndpointRecord }[] = [];
    for (const [id, rec] of this.#records) {
      const wasEjected = rec.outlierEjected;
      this.#settle(rec, now);
      if (wasEjected && !rec.outlierEjected) returned.push(id);
      if (!rec.outlierEjected) {
        if (rec.multiplier > 0) rec.multiplier -= 1;
        const volume = rec.intervalSuccesses + rec.intervalFailures;
        if (volume >= c.successRateRequestVolume) {
          candidates.push({ id, successRate: rec.intervalSuccesses / volume, rec });
        }
      }
    }
    for (const rec of this.#records.values()) {
      rec.intervalSuccesses = 0;
      rec.intervalFailures = 0;
    }
    const publicCandidates: OutlierCandidate[] = candidates.map(({ id, successRate }) => ({
      id,
      successRate,
    }));
    if (!c.successRateEnabled || candidates.length < c.successRateMinimumHosts) {
      return {
        atMs: now,
        successRateRan: false,
        candidates: publicCandidates,
        meanSuccessRate: null,
        stdevSuccessRate: null,
        thresholdSuccessRate: null,
        ejected: [],
        refused: [],
        returned,
      };
    }
    let sum = 0;
    for (const cand of candidates) sum += cand.successRate;
    const mean = sum / candidates.length;
    let squares = 0;
    for (const cand of candidates) squares += (cand.successRate - mean) ** 2;
    const stdev = Math.sqrt(squares / candidates.length);
    const threshold = mean - c.successRateStdevFactor * stdev;
    const outliers = candidates
      .filter((cand) => cand.successRate < threshold)
      .sort((a, b) => a.successRate - b.successRate || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const ejected: string[] = [];
    const refused: string[] = [];
    for (const cand of outliers) {
      if (this.#tryEject(cand.rec, now, 'success_rate')) ejected.push(cand.id);
      else refused.push(cand.id);
    }
    return {
      atMs: now,
      successRateRan: true,
      candidates: publicCandidates,
      meanSuccessRate: mean,
      stdevSuccessRate: stdev,
      thresholdSuccessRate: threshold,
      ejected,
      refused,
      returned,
    };
  }

  weight(id: string, nowMs: number): number {
    return healthWeight(this.state(id, nowMs), this.config);
  }

  transitions(id: string): number {
    return this.#records.get(id)?.transitions ?? 0;
  }

  events(id: string): readonly HealthEvent[] {
    const rec = this.#records.get(id);
    return rec === undefined ? [] : [...rec.events];
  }

  details(id: string, nowMs: number): EndpointHealthDetails | undefined {
    const now = this.#clock(nowMs);
    const rec = this.#records.get(id);
    if (rec === undefined) return undefined;
    this.#settle(rec, now);
    return {
      state: stateOfRank(rec.rank),
      gpuState: stateOfRank(rec.gpuRank),
      gpuCause: rec.gpuCause,
      draining: rec.draining,
      outlierEjected: rec.outlierEjected,
      ejectionReason: rec.ejectionReason,
      ejectedUntilMs: rec.outlierEjected ? rec.ejectedUntilMs : null,
      ejectionCount: rec.ejectionCount,
      ejectionMultiplier: rec.multiplier,
      consecutiveFailures: rec.consecutiveFailures,
      intervalSuccesses: rec.intervalSuccesses,
      intervalFailures: rec.intervalFailures,
      gpuCleanSinceMs: Number.isNaN(rec.cleanSinceMs) ? null : rec.cleanSinceMs,
      transitions: rec.transitions,
    };
  }

  outlierEjectedCount(nowMs: number): number {
    const now = this.#clock(nowMs);
    for (const rec of [...this.#ejected]) this.#settle(rec, now);
    return this.#ejected.size;
  }

  maxOutlierEjections(): number {
    // 1e-9 absorbs binary rounding (for example 30 × 10 / 100).
    const cap = Math.floor((this.#records.size * this.config.maxEjectionPercent) / 100 + 1e-9);
    return Math.max(1, cap);
  }

  ids(): IterableIterator<string> {
    return this.#records.keys();
  }

  toJSON(): HealthTrackerState {
    const endpoints: { id: string; state: EndpointHealthState }[] = [];
    for (const [id, r] of this.#records) {
      endpoints.push({
        id,
        state: {
          gpuRank: r.gpuRank,
          gpuCause: r.gpuCause,
          cleanSinceMs: Number.isNaN(r.cleanSinceMs) ? null : r.cleanSinceMs,
          cleanWorstRank: r.cleanWorstRank,
          cleanWorstCause: r.cleanWorstCause,
          lastRecoverRank: r.lastRecoverRank,
          lastRecoverCause: r.lastRecoverCause,
          draining: r.draining,
          ejectedUntilMs: r.outlierEjected ? r.ejectedUntilMs : null,
          ejectionReason: r.ejectionReason,
          ejectionCount: r.ejectionCount,
          ejectionMultiplier: r.multiplier,
          consecutiveFailures: r.consecutiveFailures,
          intervalSuccesses: r.intervalSuccesses,
          intervalFailures: r.intervalFailures,
          rank: r.rank,
          transitions: r.transitions,
          events: r.events.map((e) => ({ ...e })),
        },
      });
    }
    return {
      version: 1,
      latestMs: this.#latestMs === Number.NEGATIVE_INFINITY ? null : this.#latestMs,
      endpoints,
    };
  }

  /** Loads a validated state into this (empty) tracker. */
  load(state: HealthTrackerState): void {
    this.#latestMs = state.latestMs ?? Number.NEGATIVE_INFINITY;
    const keep = this.config.eventLogSize;
    state.endpoints.forEach(({ id, state: e }, index) => {
      if (this.#records.has(id)) {
        throw new HeadroomError({
          code: 'invalid_input',
          message: 'duplicate endpoint id',
          path: ['endpoints', index, 'id'],
          value: id,
        });
      }
      const rec: EndpointRecord = {
        gpuRank: e.gpuRank,
        gpuCause: e.gpuCause,
        cleanSinceMs: e.cleanSinceMs ?? Number.NaN,
        cleanWorstRank: e.cleanWorstRank,
        cleanWorstCause: e.cleanWorstCause,
        lastRecoverRank: e.lastRecoverRank,
        lastRecoverCause: e.lastRecoverCause,
        draining: e.draining,
        outlierEjected: e.ejectedUntilMs !== null,
        ejectionReason:
          e.ejectedUntilMs === null ? null : (e.ejectionReason ?? 'consecutive_failures'),
        ejectedUntilMs: e.ejectedUntilMs ?? Number.NEGATIVE_INFINITY,
        ejectionCount: e.ejectionCount,
        multiplier: e.ejectionMultiplier,
        consecutiveFailures: e.consecutiveFailures,
        intervalSuccesses: e.intervalSuccesses,
        intervalFailures: e.intervalFailures,
        rank: e.rank,
        transitions: e.transitions,
        events: keep === 0 ? [] : e.events.slice(-keep).map((ev) => ({ ...ev })),
      };
      this.#records.set(id, rec);
      if (rec.outlierEjected) this.#ejected.add(rec);
    });
  }
}

/**
 * Creates a {@link HealthTracker}: graded endpoint health from GPU signals, request outcomes and
 * operator drains.
 *
 * **GPU signals** ({@link GpuHealthSignals}): a fatal XID (see {@link DEFAULT_FATAL_XIDS}, from
 * NVIDIA's XID catalog), an uncorrectable ECC error or a row-remap failure ejects the endpoint:
 * the GPU's memory or its link can no longer be trusted, so it must take no new work and its
 * streams should move, not just finish. A temperature above `drainTempC` drains it; above
 * `degradedTempC`, or clock throttling, degrades it (it keeps serving at `degradedWeight`).
 *
 * **Hysteresis**: a worse grade applies at once; a better one only after the signals were clean
 * (temperatures at or below threshold − `hysteresisC`) for `recoveryMs`, so a flapping signal
 * changes the state at most about once per `recoveryMs`. The recovery goes to the worst grade seen
 * during the clean run.
 *
 * **Outlier detection** follows Envoy's (envoyproxy.io, "Outlier detection" architecture overview
 * and the `OutlierDetection` API), restated: `consecutive5xx` failures in a row eject at once; at
 * each {@link HealthTracker.evaluate} sweep, among endpoints with `successRateRequestVolume`
 * outcomes in the interval (at least `successRateMinimumHosts` of them), those whose success rate is
 * below `mean − successRateStdevFactor × stdev` are ejected. The n-th ejection in a row lasts
 * `min(baseEjectionTimeMs × n, maxEjectionTimeMs)`; each sweep in which an endpoint is not ejected
 * takes one off n. At most `max(1, floor(endpoints × maxEjectionPercent / 100))` endpoints are held
 * ejected by outlier detection: like Envoy, one can always be ejected. Where we differ: no
 * `enforcing_*` percentages (no randomness), the worst success rates are ejected first when the cap
 * binds, and a consecutive-failure ejection refused by the cap is retried on every further failure.
 *
 * **Drain**: {@link HealthTracker.setDraining} drains at once and undrains at once.
 *
 * The effective state is the worst of the three.
 *
 * @param config - see {@link HealthConfigSchema}; every field has a default.
 * @returns a new tracker with no endpoints.
 * @throws `HeadroomError` `invalid_config` naming the field, bound and value.
 * @example
 * ```ts
 * const health = createHealthTracker({ degradedTempC: 83, consecutive5xx: 3 });
 * health.observeGpu('gpu-a', { temperatureC: 86 }, nowMs); // 'degraded'
 * health.recordOutcome('gpu-b', false, nowMs);
 * setInterval(() => health.evaluate(clock.now()), 10_000); // in the host, not in pure code
 * const factor = health.weight('gpu-a', nowMs); // 0.5
 * ```
 */
export function createHealthTracker(config?: HealthConfig): HealthTracker {
  return new Tracker(resolveHealthConfig(config));
}

/**
 * Creates a {@link HealthTracker} that resumes from a saved state (from
 * {@link HealthTracker.toJSON}, possibly after a JSON round trip through storage): a new leader or
 * the simulator continues with the same ejections, multipliers, clean runs and interval counts.
 * The configuration is not part of the state; pass the same one (a shorter `eventLogSize` keeps
 * the latest events).
 *
 * @param config - see {@link HealthConfigSchema}.
 * @param state - the saved state; validated with {@link HealthTrackerStateSchema}.
 * @returns a tracker that behaves as the one that was saved.
 * @throws `HeadroomError` `invalid_config` for a bad config; `invalid_input` naming the path when
 * the state is malformed or has a duplicate endpoint id.
 * @example
 * ```ts
 * const saved = JSON.stringify(health.toJSON());
 * const resumed = restoreHealthTracker(config, JSON.parse(saved));
 * ```
 */
export function restoreHealthTracker(
  config: HealthConfig | undefined,
  state: unknown,
): HealthTracker {
  const parsed = parseInput(HealthTrackerStateSchema, state, ['state']);
  if (!parsed.ok) throw parsed.error;
  const tracker = new Tracker(resolveHealthConfig(config));
  tracker.load(parsed.value);
  return tracker;
}
