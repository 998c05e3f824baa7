import {
  HeadroomError,
  type ErrorPath,
  type MetricSource,
  type NumberBounds,
  type Random,
  type Scheduler,
} from '@headroom/core';
import { configNumber } from '../internal/options.js';

/**
 * Retry schedule of a source whose poll failed: the n-th consecutive failure waits
 * `initialMs × multiplier^(n − 1)`, capped at `maxMs`, with the poller's jitter applied.
 */
export interface PollerBackoffOptions {
  /**
   * Delay after the first failure, ms. Shorter than the poll interval by default, so a single
   * dropped scrape is retried quickly. Must be > 0.
   * @defaultValue 1_000
   */
  readonly initialMs?: number;
  /**
   * Longest delay between retries, ms (before jitter). Must be >= `initialMs`.
   * @defaultValue 60_000, or `initialMs` when that is larger
   */
  readonly maxMs?: number;
  /**
   * Growth factor per consecutive failure. Must be >= 1.
   * @defaultValue 2
   */
  readonly multiplier?: number;
}

/** Options of {@link createMetricPoller}. */
export interface MetricPollerOptions {
  /** The sources to poll, each on its own schedule. At least one. */
  readonly sources: readonly MetricSource[];
  /** Runs every poll and every deadline; `now()` is the poller's clock (epoch ms). */
  readonly scheduler: Scheduler;
  /** Draws the jitter of each delay (pass a seeded `createRandom(seed)` for reproducible runs). */
  readonly random: Random;
  /**
   * Time between the end of a successful poll and the start of the next, ms (before jitter).
   * Must be > 0.
   * @defaultValue 5_000
   */
  readonly intervalMs?: number;
  /**
   * Jitter of every delay, as a fraction in [0, 1): a delay `d` becomes
   * `d × (1 + jitterRatio × (2u − 1))` with `u` uniform in [0, 1) from {@link MetricPollerOptions.random},
   * so sources polled together drift apart and do not hit their targets in lockstep.
   * @defaultValue 0.1
   */
  readonly jitterRatio?: number;
  /**
   * Deadline of one read, ms: the poller aborts the read's `signal` then, and counts the poll as
   * a `timeout` failure. Must be > 0.
   * @defaultValue `intervalMs`
   */
  readonly timeoutMs?: number;
  /** Retry schedule after failures; see {@link PollerBackoffOptions}. */
  readonly backoff?: PollerBackoffOptions;
  /**
   * Age beyond which an observation is stale, ms: an observation with
   * `observedAtMs < now − maxAgeMs` is left out of `read()`. Must be > 0.
   * @defaultValue 3 × `intervalMs`
   */
  readonly maxAgeMs?: number;
  /**
   * Called after every failed poll with the source's name and the error (code `timeout` for a
   * read that missed its deadline, otherwise the source's own error). An exception it throws is
   * caught and ignored: a listener never breaks the polling loop.
   */
  readonly onError?: (sourceName: string, error: HeadroomError) => void;
}

/** {@link MetricPollerOptions} with every default applied and every number checked. */
export interface ResolvedPollerOptions {
  /** The sources, copied. */
  readonly sources: readonly MetricSource[];
  /** The scheduler. */
  readonly scheduler: Scheduler;
  /** The jitter source. */
  readonly random: Random;
  /** Poll interval, ms. */
  readonly intervalMs: number;
  /** Jitter ratio, [0, 1). */
  readonly jitterRatio: number;
  /** Read deadline, ms. */
  readonly timeoutMs: number;
  /** First backoff delay, ms. */
  readonly backoffInitialMs: number;
  /** Longest backoff delay, ms. */
  readonly backoffMaxMs: number;
  /** Backoff growth factor. */
  readonly backoffMultiplier: number;
  /** Staleness threshold, ms. */
  readonly maxAgeMs: number;
  /** The error listener, if any. */
  readonly onError: ((sourceName: string, error: HeadroomError) => void) | undefined;
}

const POSITIVE: NumberBounds = { min: 0, minExclusive: true };

function invalidConfig(message: string, path: ErrorPath, value: unknown, limit?: string): never {
  throw new HeadroomError({
    code: 'invalid_config',
    message,
    path,
    value,
    ...(limit === undefined ? {} : { limit }),
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Checks {@link MetricPollerOptions} and applies the defaults.
 *
 * @throws `HeadroomError` (from `@headroom/core`) `invalid_config` naming the field, the bound
 *   and the value: an empty or malformed `sources`, a missing `scheduler` or `random`, a
 *   non-finite or out-of-range number, `backoff.maxMs < backoff.initialMs`, a non-function
 *   `onError`.
 */
export function resolvePollerOptions(options: MetricPollerOptions): ResolvedPollerOptions {
  if (!isObject(options)) invalidConfig('must be an options object', [], options);
  const { sources, scheduler, random } = options;
  if (!Array.isArray(sources) || sources.length === 0) {
    invalidConfig('must list at least one source', ['sources'], sources, 'length >= 1');
  }
  (sources as readonly unknown[]).forEach((source, index) => {
    if (!isObject(source) || typeof source.read !== 'function') {
      invalidConfig('must be a MetricSource with a read() method', ['sources', index], source);
    }
    if (typeof source.name !== 'string' || source.name === '') {
      invalidConfig('must be a non-empty string', ['sources', index, 'name'], source.name);
    }
  });
  if (
    !isObject(scheduler) ||
    typeof scheduler.schedule !== 'function' ||
    typeof scheduler.now !== 'function'
  ) {
    invalidConfig('must be a Scheduler (now() and schedule())', ['scheduler'], scheduler);
  }
  if (!isObject(random) || typeof random.nextFloat !== 'function') {
    invalidConfig('must be a Random (nextFloat())', ['random'], random);
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    invalidConfig('must be a function', ['onError'], options.onError);
  }
  if (options.backoff !== undefined && !isObject(options.backoff)) {
    invalidConfig('must be an object', ['backoff'], options.backoff);
  }

  const intervalMs = configNumber(options.intervalMs, 5_000, ['intervalMs'], POSITIVE);
  const jitterRatio = configNumber(options.jitterRatio, 0.1, ['jitterRatio'], {
    min: 0,
    max: 1,
    maxExclusive: true,
  });
  const timeoutMs = configNumber(options.timeoutMs, intervalMs, ['timeoutMs'], POSITIVE);
  const backoff = options.backoff ?? {};
  const backoffInitialMs = configNumber(
    backoff.initialMs,
    1_000,
    ['backoff', 'initialMs'],
    POSITIVE,
  );
  const backoffMaxMs = configNumber(
    backoff.maxMs,
    Math.max(60_000, backoffInitialMs),
    ['backoff', 'maxMs'],
    { min: backoffInitialMs },
  );
  const backoffMultiplier = configNumber(backoff.multiplier, 2, ['backoff', 'multiplier'], {
    min: 1,
  });
  const maxAgeMs = configNumber(options.maxAgeMs, 3 * intervalMs, ['maxAgeMs'], POSITIVE);

  return Object.freeze({
    sources: Object.freeze([...sources]),
    scheduler,
    random,
    intervalMs,
    jitterRatio,
    timeoutMs,
    backoffInitialMs,
    backoffMaxMs,
    backoffMultiplier,
    maxAgeMs,
    onError: options.onError,
  });
}
