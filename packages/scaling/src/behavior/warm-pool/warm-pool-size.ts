import { HeadroomError, requireNumber } from '@headroom/core';

/** One point of demand history for {@link warmPoolSize}: the replicas needed from `atMs` on. */
export interface NeededReplicas {
  /** When this level of need began, epoch ms. */
  readonly atMs: number;
  /**
   * Replicas needed from `atMs` until the next point (a level, held like a step function). May be
   * fractional (demand / per-replica capacity). Finite and >= 0.
   */
  readonly replicas: number;
}

/**
 * Which horizons {@link warmPoolSize} takes its quantile over:
 *
 * - `rising`: only horizons in which the need rose. The pool is there for ramps, so a week that
 *   is flat most of the time does not pull the quantile to 0: the 95th percentile means "covers
 *   95% of the ramps seen".
 * - `all`: every horizon, flat and falling ones counting as an increase of 0: "no wait during
 *   95% of the time". With a short daily ramp this is often 0.
 */
export type WarmPoolQuantileOver = 'rising' | 'all';

/** What {@link warmPoolSize} takes. */
export interface WarmPoolSizeInput {
  /**
   * Needed replicas over time, in any order: each point holds until the next. Points with a
   * non-finite time, a non-finite or negative count, or a time after `nowMs` are ignored and
   * counted; of the points before the lookback, the latest gives the level at its start.
   */
  readonly demandHistory: readonly NeededReplicas[];
  /** The decision time, epoch ms: the end of the lookback. */
  readonly nowMs: number;
  /**
   * Cold start of one replica, ms: from asking for it to it serving. The horizon over which the
   * pool must cover increases, since a replacement launched at the start arrives after it.
   * Finite and >= 0.
   */
  readonly coldStartMs: number;
  /** The quantile of increases to cover, in [0, 1]. @defaultValue 0.95 */
  readonly quantile?: number | undefined;
  /** How far back the history is read, ms. Finite and > 0. @defaultValue 604_800_000 (7 days) */
  readonly lookbackMs?: number | undefined;
  /** Which horizons the quantile is taken over; see {@link WarmPoolQuantileOver}. @defaultValue 'rising' */
  readonly quantileOver?: WarmPoolQuantileOver | undefined;
  /** The smallest pool, instances: an integer >= 0. @defaultValue 0 */
  readonly minSize?: number | undefined;
  /** The largest pool, instances: an integer >= `minSize`. @defaultValue no limit */
  readonly maxSize?: number | undefined;
}

/** What {@link warmPoolSize} returns. */
export interface WarmPoolSize {
  /** The pool size, instances: a finite integer within [`minSize`, `maxSize`]. */
  readonly size: number;
  /** How the size was reached, in words, for a person to read (not a stable format). */
  readonly basis: string;
  /** The quantile of the increases, replicas, before rounding up and clamping (0 without any). */
  readonly quantileIncrease: number;
  /** The largest increase seen over one cold start, replicas (0 without history). */
  readonly maxIncrease: number;
  /** How many horizons the quantile was taken over. */
  readonly horizons: number;
  /** Which bound decided the size, if one did: `minSize` or `maxSize`; `null` otherwise. */
  readonly clampedBy: 'minSize' | 'maxSize' | null;
  /** Points of `demandHistory` that were ignored (invalid, or after `nowMs`). */
  readonly ignoredPoints: number;
}

const DAY_MS = 86_400_000;
/** Relative slack when rounding up, so 3.0000000000000004 replicas is 3. */
const CEIL_SLACK = 1e-9;

/**
 * For each point i of a deduplicated, sorted history, the largest rise of the need within one
 * cold start of any start time in [t_i, t_{i+1}): max{ v_j : j >= i, t_j < t_{i+1} + c } − v_i.
 * Both ends of the window only move forward, so a monotonic deque gives every maximum in O(n).
 */
function increasesPerPoint(
  points: readonly NeededReplicas[],
  nowMs: number,
  coldStartMs: number,
): number[] {
  const n = points.length;
  const out = new Array<number>(n);
  const deque = new Int32Array(n); // indices, their values decreasing from head to tail
  let head = 0;
  let tail = 0;
  let next = 0; // the first index not yet in the window
  for (let i = 0; i < n; i++) {
    const reachMs = (points[i + 1]?.atMs ?? nowMs) + coldStartMs;
    while (next < n && (next <= i || (points[next] as NeededReplicas).atMs < reachMs)) {
      const value = (points[next] as NeededReplicas).replicas;
      while (
        tail > head &&
        (points[deque[tail - 1] as number] as NeededReplicas).replicas <= value
      ) {
        tail -= 1;
      }
      deque[tail++] = next;
      next += 1;
    }
    while ((deque[head] as number) < i) head += 1;
    const peak = (points[deque[head] as number] as NeededReplicas).replicas;
    out[i] = peak - (points[i] as NeededReplicas).replicas;
  }
  return out;
}

/** The history inside the lookback: valid, sorted, one point per time, anchored at its start. */
function lookbackPoints(
  history: readonly NeededReplicas[],
  startMs: number,
  nowMs: number,
): { points: NeededReplicas[]; ignored: number } {
  const valid: NeededReplicas[] = [];
  let ignored = 0;
  for (const point of history) {
    const atMs = (point as Partial<NeededReplicas> | null | undefined)?.atMs;
    const replicas = (point as Partial<NeededReplicas> | null | undefined)?.replicas;
    if (
      typeof atMs === 'number' &&
      typeof replicas === 'number' &&
      Number.isFinite(atMs) &&
      Number.isFinite(replicas) &&
      replicas >= 0 &&
      atMs <= nowMs
    ) {
      valid.push({ atMs: atMs + 0, replicas: replicas + 0 });
    } else {
      ignored += 1;
    }
  }
  valid.sort((a, b) => a.atMs - b.atMs); // stable: among equal times the last given wins below
  const points: NeededReplicas[] = [];
  let before: NeededReplicas | undefined;
  for (const point of valid) {
    if (point.atMs < startMs) {
      before = point;
      continue;
    }
    if (before !== undefined) {
      if (point.atMs > startMs) points.push({ atMs: startMs, replicas: before.replicas });
      before = undefined;
    }
    const last = points[points.length - 1];
    if (last !== undefined && last.atMs === point.atMs) points[points.length - 1] = point;
    else points.push(point);
  }
  if (before !== undefined) points.push({ atMs: startMs, replicas: before.replicas });
  return { points, ignored };
}

/**
 * Sizes a warm pool (instances with the model loaded, not serving) from the history of needed
 * replicas: the pool should cover, at the given quantile, how much the need rises within one cold
 * start, since that is how long a replacement takes to arrive. The pool itself follows EC2 Auto
 * Scaling warm pools (pre-initialized instances kept beside the group); the size here comes from
 * your own ramps rather than a fixed number.
 *
 * The method, for a history of n points in the lookback (the need is a step function):
 *
 * 1. For every start time t, the increase is the most the need rises above its level at t until a
 *    replica launched at t arrives: max over s in (t, t + coldStartMs] of need(s) − need(t), and 0
 *    if it never rises. This covers a spike that recedes within the cold start too, so it is never
 *    below the endpoint increase max(0, need(t + coldStartMs) − need(t)).
 * 2. Start times between two points share a level, so one increase per point stands for them:
 *    the worst over its segment, which is the highest level from the point up to (but excluding)
 *    the next point's time plus the cold start, minus the point's level. Both ends of that window
 *    only move forward, so a monotonic-deque sliding maximum computes all n in O(n); with sorting,
 *    the whole method is O(n log n) time and O(n) memory.
 * 3. The size is the `quantile` (nearest rank: the smallest increase with at least that share of
 *    increases at or below it) over the rising horizons or all of them (`quantileOver`), rounded
 *    up to whole instances and clamped to [`minSize`, `maxSize`].
 *
 * No history in the lookback means no evidence of ramps: the size is `minSize`.
 *
 * @param input - the history, the time, the cold start and the knobs.
 * @returns the size and how it was reached.
 * @throws `HeadroomError` `invalid_config` naming the field, bound and value when `coldStartMs`,
 * `quantile`, `lookbackMs`, `quantileOver`, `minSize` or `maxSize` is out of bounds;
 * `invalid_argument` when `nowMs` is not finite or `demandHistory` is not an array.
 * @example
 * ```ts
 * // a week of needed replicas, one point a minute, and 10-minute cold starts:
 * const { size, basis } = warmPoolSize({ demandHistory, nowMs, coldStartMs: 600_000, maxSize: 8 });
 * // size 4, basis 'p95 of 455 rising horizons of 600000 ms in the last 604800000 ms: ...'
 * ```
 */
export function warmPoolSize(input: WarmPoolSizeInput): WarmPoolSize {
  const nowMs = requireNumber(input.nowMs, ['nowMs']);
  if (!Array.isArray(input.demandHistory)) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'demandHistory must be an array of { atMs, replicas }',
      path: ['demandHistory'],
      value: input.demandHistory,
      limit: 'an array',
    });
  }
  const coldStartMs = requireNumber(
    input.coldStartMs,
    ['coldStartMs'],
    { min: 0 },
    'invalid_config',
  );
  const quantile = requireNumber(
    input.quantile ?? 0.95,
    ['quantile'],
    { min: 0, max: 1 },
    'invalid_config',
  );
  const lookbackMs = requireNumber(
    input.lookbackMs ?? 7 * DAY_MS,
    ['lookbackMs'],
    { min: 0, minExclusive: true },
    'invalid_config',
  );
  const over = input.quantileOver ?? 'rising';
  if (over !== 'rising' && over !== 'all') {
    throw new HeadroomError({
      code: 'invalid_config',
      message: "quantileOver must be 'rising' or 'all'",
      path: ['quantileOver'],
      value: over,
      limit: 'one of: rising, all',
    });
  }
  const minSize = requireNumber(
    input.minSize ?? 0,
    ['minSize'],
    { min: 0, integer: true },
    'invalid_config',
  );
  const maxSize =
    input.maxSize === undefined
      ? Number.POSITIVE_INFINITY
      : requireNumber(
          input.maxSize,
          ['maxSize'],
          { min: minSize, integer: true },
          'invalid_config',
        );

  const { points, ignored } = lookbackPoints(input.demandHistory, nowMs - lookbackMs, nowMs);
  const all = increasesPerPoint(points, nowMs, coldStartMs);
  const considered = (over === 'rising' ? all.filter((x) => x > 0) : all).sort((a, b) => a - b);
  const maxIncrease = considered[considered.length - 1] ?? 0;
  // Nearest rank; the slack keeps 0.7 × 10 = 7.000000000000001 at rank 7.
  const rank = Math.max(0, Math.ceil(quantile * considered.length - CEIL_SLACK) - 1);
  const quantileIncrease = considered[rank] ?? 0;
  const raw = Math.max(0, Math.ceil(quantileIncrease - CEIL_SLACK * Math.max(1, quantileIncrease)));
  const size = Math.min(maxSize, Math.max(minSize, raw));
  const clampedBy = size > raw ? 'minSize' : size < raw ? 'maxSize' : null;

  const horizonsOf = `${over === 'rising' ? 'rising horizons' : 'horizons'} of ${coldStartMs} ms in the last ${lookbackMs} ms`;
  const clamp =
    clampedBy === null
      ? ''
      : `; clamped to ${clampedBy} ${clampedBy === 'minSize' ? minSize : maxSize}`;
  const basis =
    considered.length === 0
      ? `no ${horizonsOf} (${points.length} points): size ${size}${clamp}`
      : `p${Math.round(quantile * 1_000) / 10} of ${considered.length} ${horizonsOf}: an increase of ${quantileIncrease} replicas (largest ${maxIncrease}) -> ${raw}${clamp}`;
  return {
    size,
    basis,
    quantileIncrease,
    maxIncrease,
    horizons: considered.length,
    clampedBy,
    ignoredPoints: ignored,
  };
}
