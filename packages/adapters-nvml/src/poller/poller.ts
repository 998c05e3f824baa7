import {
  HeadroomError,
  err,
  isHeadroomError,
  ok,
  requireNumber,
  type InstanceLoad,
  type InstanceObservation,
  type MetricReadOptions,
  type MetricSource,
  type Result,
  type TimerHandle,
} from '@headroom/core';
import { pollDelayMs } from './delay.js';
import { ObservationMerger } from './merge.js';
import { addPeakSample, freshPeak, type PeakSample } from './peaks.js';
import {
  resolvePollerOptions,
  type MetricPollerOptions,
  type ResolvedPollerOptions,
} from './options.js';

/** Where one source of a {@link MetricPoller} stands, as {@link MetricPoller.status} reports it. */
export interface SourceStatus {
  /** The source's `name`. */
  readonly name: string;
  /** When the source's last successful poll completed, epoch ms; `undefined` if none has. */
  readonly lastSuccessAtMs: number | undefined;
  /**
   * The error of the most recent poll if it failed (code `timeout` for a missed deadline);
   * `undefined` once a poll succeeds.
   */
  readonly lastError: HeadroomError | undefined;
  /** Failed polls since the last success (0 when healthy); drives the backoff. */
  readonly consecutiveFailures: number;
  /** When the next poll is due, epoch ms; `undefined` while a read is running or when stopped. */
  readonly nextPollAtMs: number | undefined;
  /**
   * True while a read of this source has not settled, including one abandoned at its deadline:
   * the poller never starts a second read of a source before the first settles.
   */
  readonly inFlight: boolean;
  /**
   * True when the source has nothing fresh to contribute: no successful poll within `maxAgeMs`,
   * or every observation of its last successful poll is older than `maxAgeMs`.
   */
  readonly stale: boolean;
}

/**
 * Polls several `MetricSource`s (from `@headroom/core`) on their own schedules and serves their merged, fresh
 * observations as one `MetricSource`, with queue depth, active streams and in-flight requests
 * reported as their peak since the previous `read()`.
 */
export interface MetricPoller extends MetricSource {
  /** `poller(<source names, comma-separated>)`. */
  readonly name: string;
  /**
   * The merged latest observation of every instance with a fresh observation (sorted by
   * `instanceId`), from memory: it does not poll. Sources are merged in the order their polls
   * completed, later fields winning (`load`, `labels`, `latency`, and `gpus` by `gpuId`);
   * `load.queueDepth`, `load.activeStreams` and `load.inFlightRequests` are the peaks since the
   * previous `read()` (at least the latest value), so a burst between two reads is not missed.
   * Only observations made within `maxAgeMs` count, peaks included: a value whose every
   * observation is older is left out (unknown), never reported stale.
   *
   * Returns `{ ok: false }` with code `unavailable`, naming each source and why, when every
   * source is stale or failing; `ok([])` when a source polled successfully within `maxAgeMs` and
   * reported no instances. Never throws or rejects. `options.signal` is ignored (nothing waits).
   */
  read(options?: MetricReadOptions): Promise<Result<readonly InstanceObservation[]>>;
  /** Starts polling: every source at once, then each on its own schedule. Idempotent. */
  start(): void;
  /**
   * Stops polling: cancels every timer, aborts the reads in flight and discards their results.
   * Idempotent; `start()` resumes. Observations already collected stay readable until they age out.
   */
  stop(): void;
  /**
   * One entry per source, in the order of `sources`.
   * @param nowMs - the time to judge staleness at, epoch ms. @defaultValue `scheduler.now()`
   * @throws `HeadroomError` (from `@headroom/core`) `invalid_argument` when `nowMs` is not finite.
   */
  status(nowMs?: number): readonly SourceStatus[];
}

const PEAK_FIELDS = ['queueDepth', 'activeStreams', 'inFlightRequests'] as const;
type PeakField = (typeof PEAK_FIELDS)[number];

/** One read of one source. */
interface Attempt {
  readonly controller: AbortController;
  /** The source's promise settled. */
  settled: boolean;
  /** The poller gave up on it (deadline or stop); its result will be discarded. */
  abandoned: boolean;
}

interface SourceState {
  readonly index: number;
  readonly source: MetricSource;
  /** The next poll. */
  timer: TimerHandle | undefined;
  /** The deadline of the running read. */
  deadline: TimerHandle | undefined;
  nextPollAtMs: number | undefined;
  /** The read that has not settled yet (running, or abandoned and still pending). */
  attempt: Attempt | undefined;
  lastSuccessAtMs: number | undefined;
  lastError: HeadroomError | undefined;
  consecutiveFailures: number;
  /** Observations of the last successful poll. */
  observations: readonly InstanceObservation[];
  /** Completion order of the last successful poll (later wins when merging). */
  successSeq: number;
}

function isObservation(value: unknown): value is InstanceObservation {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { instanceId?: unknown; observedAtMs?: unknown };
  return (
    typeof candidate.instanceId === 'string' &&
    candidate.instanceId !== '' &&
    typeof candidate.observedAtMs === 'number' &&
    Number.isFinite(candidate.observedAtMs)
  );
}

function isResult(value: unknown): value is Result<unknown, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { ok?: unknown }).ok === 'boolean'
  );
}

class Poller implements MetricPoller {
  readonly name: string;
  readonly #options: ResolvedPollerOptions;
  readonly #states: readonly SourceState[];
  /**
   * Per instance and peak field, the values observed since the previous read that can still be
   * its fresh peak (see {@link addPeakSample}); cleared by every read.
   */
  readonly #peaks = new Map<string, Partial<Record<PeakField, readonly PeakSample[]>>>();
  #running = false;
  #successSeq = 0;

  constructor(options: ResolvedPollerOptions) {
    this.#options = options;
    this.name = `poller(${options.sources.map((s) => s.name).join(', ')})`;
    this.#states = options.sources.map((source, index) => ({
      index,
      source,
      timer: undefined,
      deadline: undefined,
      nextPollAtMs: undefined,
      attempt: undefined,
      lastSuccessAtMs: undefined,
      lastError: undefined,
      consecutiveFailures: 0,
      observations: [],
      successSeq: 0,
    }));
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const { scheduler } = this.#options;
    for (const state of this.#states) {
      state.nextPollAtMs = scheduler.now();
      state.timer = scheduler.schedule(() => this.#poll(state), 0);
    }
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    for (const state of this.#states) {
      state.timer?.cancel();
      state.timer = undefined;
      state.deadline?.cancel();
      state.deadline = undefined;
      state.nextPollAtMs = undefined;
      const attempt = state.attempt;
      if (attempt !== undefined && !attempt.abandoned) {
        attempt.abandoned = true;
        this.#abort(
          attempt,
          new HeadroomError({
            code: 'unavailable',
            message: `${state.source.name}: the poller was stopped`,
            path: ['sources', state.index],
          }),
        );
      }
    }
  }

  status(nowMs?: number): readonly SourceStatus[] {
    const now =
      nowMs === undefined ? this.#options.scheduler.now() : requireNumber(nowMs, ['nowMs']);
    return this.#states.map((state) => ({
      name: state.source.name,
      lastSuccessAtMs: state.lastSuccessAtMs,
      lastError: state.lastError,
      consecutiveFailures: state.consecutiveFailures,
      nextPollAtMs: state.nextPollAtMs,
      inFlight: state.attempt !== undefined,
      stale: this.#isStale(state, now),
    }));
  }

  async read(_options?: MetricReadOptions): Promise<Result<readonly InstanceObservation[]>> {
    try {
      return this.#collect();
    } catch (error) {
      return err(
        new HeadroomError({
          code: 'internal',
          message: `${this.name}: merging observations failed`,
          cause: error,
        }),
      );
    }
  }

  // --- polling -------------------------------------------------------------------------------

  #poll(state: SourceState): void {
    state.timer = undefined;
    state.nextPollAtMs = undefined;
    if (!this.#running) return;
    const { scheduler, timeoutMs } = this.#options;
    if (state.attempt !== undefined) {
      // The read abandoned at its deadline has still not settled: never run two at once.
      this.#fail(
        state,
        new HeadroomError({
          code: 'timeout',
          message: `${state.source.name}: the previous read, aborted at its ${timeoutMs} ms deadline, has not settled; no new read started`,
          path: ['sources', state.index],
          limit: `${timeoutMs} ms`,
        }),
      );
      return;
    }
    const attempt: Attempt = {
      controller: new AbortController(),
      settled: false,
      abandoned: false,
    };
    state.attempt = attempt;
    state.deadline = scheduler.schedule(() => this.#onDeadline(state, attempt), timeoutMs);
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(state.source.read({ signal: attempt.controller.signal }));
    } catch (error) {
      pending = Promise.reject(error);
    }
    void pending.then(
      (result) => this.#settle(state, attempt, result),
      (error: unknown) => this.#settle(state, attempt, err(error)),
    );
  }

  #onDeadline(state: SourceState, attempt: Attempt): void {
    state.deadline = undefined;
    if (attempt.settled || attempt.abandoned) return;
    attempt.abandoned = true;
    const { timeoutMs } = this.#options;
    const error = new HeadroomError({
      code: 'timeout',
      message: `${state.source.name}: read did not settle within ${timeoutMs} ms`,
      path: ['sources', state.index],
      limit: `${timeoutMs} ms`,
    });
    this.#abort(attempt, error);
    this.#fail(state, error);
  }

  #abort(attempt: Attempt, reason: HeadroomError): void {
    try {
      attempt.controller.abort(reason);
    } catch {
      // An abort listener of the source threw; that is the source's problem, not the loop's.
    }
  }

  #settle(state: SourceState, attempt: Attempt, result: unknown): void {
    attempt.settled = true;
    if (state.attempt === attempt) state.attempt = undefined;
    if (attempt.abandoned) return; // timed out or stopped: already accounted for
    state.deadline?.cancel();
    state.deadline = undefined;
    if (!isResult(result)) {
      this.#fail(state, this.#asError(state, result, 'resolved to something other than a Result'));
    } else if (!result.ok) {
      this.#fail(state, this.#asError(state, result.error, 'failed'));
    } else if (!Array.isArray(result.value)) {
      this.#fail(
        state,
        new HeadroomError({
          code: 'invalid_input',
          message: `${state.source.name}: read() returned ok with something other than an array`,
          path: ['sources', state.index],
          value: result.value,
        }),
      );
    } else {
      this.#succeed(state, result.value as readonly unknown[]);
    }
  }

  #asError(state: SourceState, error: unknown, what: string): HeadroomError {
    if (isHeadroomError(error)) return error;
    return new HeadroomError({
      code: 'unavailable',
      message: `${state.source.name}: read() ${what} without a HeadroomError (sources report failures as results)`,
      path: ['sources', state.index],
      cause: error,
    });
  }

  #succeed(state: SourceState, values: readonly unknown[]): void {
    const now = this.#options.scheduler.now();
    const cutoff = now - this.#options.maxAgeMs;
    const observations = values.filter(isObservation);
    state.consecutiveFailures = 0;
    state.lastError = undefined;
    state.lastSuccessAtMs = now;
    state.successSeq = ++this.#successSeq;
    state.observations = observations;
    for (const observation of observations) {
      if (observation.observedAtMs < cutoff || observation.load === undefined) continue;
      this.#recordPeaks(observation, cutoff);
    }
    this.#scheduleNext(state);
  }

  #recordPeaks(observation: InstanceObservation, cutoff: number): void {
    const load = observation.load as InstanceLoad;
    let entry = this.#peaks.get(observation.instanceId);
    for (const field of PEAK_FIELDS) {
      const value = load[field];
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      if (entry === undefined) {
        entry = {};
        this.#peaks.set(observation.instanceId, entry);
      }
      entry[field] = addPeakSample(
        entry[field] ?? [],
        { atMs: observation.observedAtMs, value },
        cutoff,
      );
    }
  }

  #fail(state: SourceState, error: HeadroomError): void {
    state.consecutiveFailures++;
    state.lastError = error;
    // Schedule first, so a listener that calls stop() also cancels this retry.
    this.#scheduleNext(state);
    const listener = this.#options.onError;
    if (listener === undefined) return;
    try {
      listener(state.source.name, error);
    } catch {
      // A listener's exception never escapes into the polling loop.
    }
  }

  #scheduleNext(state: SourceState): void {
    if (!this.#running) return;
    const { scheduler, random } = this.#options;
    state.timer?.cancel();
    const delayMs = pollDelayMs(state.consecutiveFailures, this.#options, random);
    state.nextPollAtMs = scheduler.now() + delayMs;
    state.timer = scheduler.schedule(() => this.#poll(state), delayMs);
  }

  // --- reading -------------------------------------------------------------------------------

  #isStale(state: SourceState, now: number): boolean {
    const cutoff = now - this.#options.maxAgeMs;
    if (state.lastSuccessAtMs === undefined || state.lastSuccessAtMs < cutoff) return true;
    return (
      state.observations.length > 0 && !state.observations.some((o) => o.observedAtMs >= cutoff)
    );
  }

  #collect(): Result<readonly InstanceObservation[]> {
    const now = this.#options.scheduler.now();
    const cutoff = now - this.#options.maxAgeMs;

    // Merge the fresh observations, sources in the order their last polls succeeded.
    const mergers = new Map<string, ObservationMerger>();
    const bySuccess = this.#states
      .filter((s) => s.lastSuccessAtMs !== undefined)
      .sort((a, b) => a.successSeq - b.successSeq);
    for (const state of bySuccess) {
      for (const observation of state.observations) {
        if (observation.observedAtMs < cutoff) continue;
        let merger = mergers.get(observation.instanceId);
        if (merger === undefined) {
          merger = new ObservationMerger(observation.instanceId);
          mergers.set(observation.instanceId, merger);
        }
        merger.add(observation);
      }
    }

    // Each field reads as the largest of its latest fresh value and the fresh values observed
    // since the previous read; then a new interval starts. A value observed before the cutoff
    // never counts, so a field with no fresh observation stays unknown.
    const out: InstanceObservation[] = [];
    for (const instanceId of [...mergers.keys()].sort()) {
      const merger = mergers.get(instanceId) as ObservationMerger;
      let load = merger.load;
      const pending = this.#peaks.get(instanceId);
      for (const field of PEAK_FIELDS) {
        const latest = load?.[field];
        const recent = freshPeak(pending?.[field] ?? [], cutoff);
        if (recent === undefined) continue;
        if (typeof latest !== 'number' || !Number.isFinite(latest) || recent > latest) {
          load = { ...load, [field]: recent };
        }
      }
      out.push(merger.build(load));
    }
    this.#peaks.clear();

    if (out.length > 0 || this.#states.some((s) => !this.#isStale(s, now))) return ok(out);
    return err(
      new HeadroomError({
        code: 'unavailable',
        message: `no fresh observation (maxAgeMs ${this.#options.maxAgeMs}) from any source: ${this.#states
          .map((s) => this.#describe(s, now))
          .join('; ')}`,
        limit: `observedAtMs >= now - ${this.#options.maxAgeMs}`,
      }),
    );
  }

  #describe(state: SourceState, now: number): string {
    const parts: string[] = [];
    if (state.lastSuccessAtMs === undefined) parts.push('never read successfully');
    else if (state.lastSuccessAtMs < now - this.#options.maxAgeMs) {
      parts.push(`stale, last success ${now - state.lastSuccessAtMs} ms ago`);
    } else parts.push('every observation older than maxAgeMs');
    if (state.consecutiveFailures > 0) {
      parts.push(
        `${state.consecutiveFailures} consecutive failure(s), last: ${state.lastError?.message ?? 'unknown'}`,
      );
    }
    return `${state.source.name} (${parts.join(', ')})`;
  }
}

/**
 * Creates a {@link MetricPoller}: polls each source independently on the injected scheduler
 * (every `intervalMs`, jittered), aborts a read that misses its `timeoutMs` deadline, backs off
 * exponentially after failures, and serves the merged fresh observations as one `MetricSource`
 * whose load counters are peaks since the previous read.
 *
 * All time comes from `scheduler` and all jitter from `random`: with `ManualScheduler` and a
 * seeded `createRandom` a run replays exactly.
 *
 * @throws `HeadroomError` (from `@headroom/core`) `invalid_config` naming the field, bound and
 *   value: empty `sources`, a source without `name` or `read`, a missing `scheduler` or
 *   `random`, a non-positive or non-finite `intervalMs`, `timeoutMs`, `maxAgeMs`,
 *   `backoff.initialMs`, `jitterRatio` outside [0, 1), `backoff.multiplier < 1`,
 *   `backoff.maxMs < backoff.initialMs`.
 * @example
 * ```ts
 * import { createRandom, createSystemScheduler } from '@headroom/core';
 * import { createMetricPoller } from '@headroom/adapters-nvml';
 *
 * const poller = createMetricPoller({
 *   sources: [dcgmSource, vllmSource],
 *   scheduler: createSystemScheduler(),
 *   random: createRandom(42),
 *   intervalMs: 5_000,
 *   onError: (source, error) => metrics.pollFailures.add(1, { source, code: error.code }),
 * });
 * poller.start();
 * // Later, in the controller loop:
 * const observed = await poller.read();
 * if (observed.ok) decide(observed.value); // peaks since the previous read
 * else hold(observed.error); // 'unavailable': every source stale or failing
 * poller.stop();
 * ```
 */
export function createMetricPoller(options: MetricPollerOptions): MetricPoller {
  return new Poller(resolvePollerOptions(options));
}
