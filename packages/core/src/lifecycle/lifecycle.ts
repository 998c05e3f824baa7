import { HeadroomError, type Result, err, ok } from '../errors/headroom-error.js';

/**
 * The states of a GPU inference instance, in the order a healthy one passes through them.
 *
 * - `requested`: asked for; nothing exists yet.
 * - `provisioning`: a machine or pod is being created and scheduled onto a GPU.
 * - `loading`: the server is up and pulling and loading model weights into GPU memory.
 * - `warming`: weights loaded; a warm-up inference (CUDA graphs, kernel autotuning, KV-cache
 *   allocation) is running.
 * - `ready`: model loaded **and** warm-up inference completed. Never just "the process is up".
 * - `draining`: takes no new work; finishing in-flight requests and streams.
 * - `terminated`: gone (terminal).
 * - `failed`: broke before or while serving; only `terminated` follows.
 */
export const LIFECYCLE_STATES = [
  'requested',
  'provisioning',
  'loading',
  'warming',
  'ready',
  'draining',
  'terminated',
  'failed',
] as const;

/** One of {@link LIFECYCLE_STATES}. */
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

/**
 * The legal transitions. Besides the main path, an instance that is not yet ready can be
 * cancelled straight to `terminated` (nothing to drain), and any live state can fail.
 */
export const LIFECYCLE_TRANSITIONS: Readonly<Record<LifecycleState, readonly LifecycleState[]>> =
  Object.freeze({
    requested: ['provisioning', 'terminated', 'failed'],
    provisioning: ['loading', 'terminated', 'failed'],
    loading: ['warming', 'terminated', 'failed'],
    warming: ['ready', 'terminated', 'failed'],
    ready: ['draining', 'failed'],
    draining: ['terminated', 'failed'],
    terminated: [],
    failed: ['terminated'],
  });

/** True when `from → to` is a legal transition. */
export function canTransition(from: LifecycleState, to: LifecycleState): boolean {
  return LIFECYCLE_TRANSITIONS[from].includes(to);
}

/** True for states that serve traffic (only `ready`). */
export function isServing(state: LifecycleState): boolean {
  return state === 'ready';
}

/** True for states that hold (or are about to hold) a GPU and cost money: everything but `terminated`. */
export function isBillable(state: LifecycleState): boolean {
  return state !== 'terminated';
}

/**
 * The lifecycle of one instance as plain, frozen, serializable data: its state, when it entered
 * it, and the time spent in each state so far (cold-start accounting).
 */
export interface LifecycleRecord {
  /** Current state. */
  readonly state: LifecycleState;
  /** When the instance was requested, epoch ms. */
  readonly createdAtMs: number;
  /** When the current state was entered, epoch ms. */
  readonly enteredAtMs: number;
  /** When the instance first became ready, epoch ms, or `undefined` if it never was. */
  readonly readyAtMs: number | undefined;
  /** Milliseconds spent in each state, not counting the time in the current one since `enteredAtMs`. */
  readonly timeInStateMs: Readonly<Record<LifecycleState, number>>;
  /** Number of transitions made. */
  readonly transitions: number;
}

function zeroTimes(): Record<LifecycleState, number> {
  return {
    requested: 0,
    provisioning: 0,
    loading: 0,
    warming: 0,
    ready: 0,
    draining: 0,
    terminated: 0,
    failed: 0,
  };
}

/**
 * A new lifecycle in `requested`, created at `nowMs`.
 * @throws {@link HeadroomError} `invalid_argument` when `nowMs` is not finite.
 * @example
 * ```ts
 * let life = createLifecycle(clock.now());
 * life = transition(life, 'provisioning', clock.now());
 * ```
 */
export function createLifecycle(nowMs: number): LifecycleRecord {
  if (!Number.isFinite(nowMs)) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be finite',
      path: ['nowMs'],
      value: nowMs,
      limit: 'finite',
    });
  }
  return Object.freeze({
    state: 'requested',
    createdAtMs: nowMs,
    enteredAtMs: nowMs,
    readyAtMs: undefined,
    timeInStateMs: Object.freeze(zeroTimes()),
    transitions: 0,
  });
}

/**
 * Moves `record` to `to` at `nowMs`, without throwing: an illegal transition or a time before
 * the current state was entered is a failed {@link Result} and the record is unchanged.
 */
export function tryTransition(
  record: LifecycleRecord,
  to: LifecycleState,
  nowMs: number,
): Result<LifecycleRecord> {
  if (!canTransition(record.state, to)) {
    const allowed = LIFECYCLE_TRANSITIONS[record.state];
    return err(
      new HeadroomError({
        code: 'illegal_transition',
        message: `cannot go from ${record.state} to ${to}`,
        path: ['state'],
        value: to,
        limit:
          allowed.length === 0 ? `${record.state} is terminal` : `one of: ${allowed.join(', ')}`,
      }),
    );
  }
  if (!(Number.isFinite(nowMs) && nowMs >= record.enteredAtMs)) {
    return err(
      new HeadroomError({
        code: 'out_of_order',
        message: `transition time is before the current state (${record.state}) was entered`,
        path: ['nowMs'],
        value: nowMs,
        limit: `>= ${record.enteredAtMs}`,
      }),
    );
  }
  const times = { ...record.timeInStateMs };
  times[record.state] += nowMs - record.enteredAtMs;
  return ok(
    Object.freeze({
      state: to,
      createdAtMs: record.createdAtMs,
      enteredAtMs: nowMs,
      readyAtMs: record.readyAtMs ?? (to === 'ready' ? nowMs : undefined),
      timeInStateMs: Object.freeze(times),
      transitions: record.transitions + 1,
    }),
  );
}

/**
 * Moves `record` to `to` at `nowMs` and returns the new record (the old one is unchanged).
 * @throws {@link HeadroomError} `illegal_transition` when the state machine does not allow it;
 * `out_of_order` when `nowMs` is before the current state was entered.
 */
export function transition(
  record: LifecycleRecord,
  to: LifecycleState,
  nowMs: number,
): LifecycleRecord {
  const result = tryTransition(record, to, nowMs);
  if (!result.ok) throw result.error;
  return result.value;
}

/**
 * Milliseconds spent in each state up to `nowMs`, including the time in the current state (none
 * is added when `nowMs` is not finite or is before the current state began).
 */
export function timeInState(
  record: LifecycleRecord,
  nowMs: number,
): Record<LifecycleState, number> {
  const times = { ...record.timeInStateMs };
  if (Number.isFinite(nowMs)) times[record.state] += Math.max(0, nowMs - record.enteredAtMs);
  return times;
}

/**
 * Cold-start time: from `requested` to first `ready`, ms; `undefined` if the instance never became ready.
 */
export function coldStartMs(record: LifecycleRecord): number | undefined {
  return record.readyAtMs === undefined ? undefined : record.readyAtMs - record.createdAtMs;
}
