import { HeadroomError, parseConfig } from '@headroom/core';
import { z } from 'zod';
import type { ReplicaSchedule } from '../engine/types.js';
import type { Trace, TraceRequest } from '../traces/types.js';

/** One window of the trace, as the oracle sizes it. */
export interface OracleWindow {
  /** Index of the window (0 for the one starting at t = 0). */
  readonly index: number;
  /** Start of the window, ms from the trace start. */
  readonly startMs: number;
  /** Length of the window, ms (the last window may be shorter). */
  readonly durationMs: number;
  /** The requests arriving in [startMs, startMs + durationMs), in arrival order. */
  readonly requests: readonly TraceRequest[];
  /** Arrivals per second over the window. */
  readonly ratePerSec: number;
  /** Mean prompt tokens of the window's requests (0 when empty). */
  readonly meanPromptTokens: number;
  /** Mean output tokens of the window's requests (0 when empty). */
  readonly meanOutputTokens: number;
}

/**
 * How the oracle decides how many replicas a window needs:
 *
 * - `capacity`: from a capacity model: `ceil(ratePerSec / capacityPerReplicaRps)` for the window
 *   (a number, or a function of the window's statistics, such as the service model's capacity
 *   at the SLO for the window's mean prompt and output). Fast; a near-bound whose quality is the
 *   capacity model's.
 * - `misses`: from a per-window evaluation: `missesWith(window, n)` returns how many of the
 *   window's requests miss the SLO when served by `n` warm replicas that start the window idle
 *   (for example a run of the simulator on the window alone; see `engineWindowMisses`). The oracle
 *   then spends a miss budget of `(1 − targetAttainment)` of the trace's requests where it saves
 *   the most replicas. This is the bound the acceptance property tests.
 */
export type OracleNeed =
  | {
      readonly kind: 'capacity';
      readonly capacityPerReplicaRps: number | ((window: OracleWindow) => number);
    }
  | {
      readonly kind: 'misses';
      readonly missesWith: (window: OracleWindow, replicas: number) => number;
    };

/** Numeric options of {@link oracleSchedule} (validated; see {@link OracleOptions}). */
export const OracleOptionsSchema = z.strictObject({
  /**
   * Window length, ms, an integer in [1 000, 366 days]: the oracle holds one count per window.
   * Shorter windows follow demand more closely (a lower bound) at more evaluations.
   * @defaultValue 30_000
   */
  windowMs: z
    .number()
    .int()
    .min(1_000)
    .max(366 * 86_400_000)
    .default(30_000),
  /**
   * How long before a window a replica it needs is ordered, ms, >= 0: the cold start the oracle
   * plans for. Use the cold-start distribution's p99 (or its largest draw) so every replica is
   * ready when its window starts.
   */
  coldStartLeadMs: z.number().min(0).max(86_400_000),
  /** Fewest replicas, an integer >= 0. @defaultValue 0 */
  minReplicas: z.number().int().min(0).default(0),
  /** Most replicas, an integer >= 1 (and >= minReplicas). @defaultValue 1_000 */
  maxReplicas: z.number().int().min(1).default(1_000),
  /**
   * The SLO attainment to reach over the whole trace with `need.kind: 'misses'`, in [0, 1]: the
   * oracle may let `floor((1 − targetAttainment) × requests)` requests miss beyond those no
   * replica count can save. @defaultValue 0.99
   */
  targetAttainment: z.number().min(0).max(1).default(0.99),
  /**
   * Keep a replica through a dip instead of releasing and re-ordering it when the dip is at most
   * this long, ms (re-ordering costs a cold start of billed GPU time). @defaultValue coldStartLeadMs
   */
  keepThroughDipMs: z.number().min(0).optional(),
  /**
   * Replicas to add to each window's need, by window index (missing entries add 0): how a caller
   * repairs a plan whose replay missed more than predicted (see `runOracle`). Integers >= 0.
   */
  extraReplicas: z.array(z.number().int().min(0)).optional(),
});

/** What {@link oracleSchedule} accepts. */
export type OracleOptions = z.input<typeof OracleOptionsSchema> & {
  /** How a window's need is computed; see {@link OracleNeed}. */
  readonly need: OracleNeed;
};

/** One window's outcome. */
export interface OracleWindowPlan {
  /** Start of the window, ms. */
  readonly startMs: number;
  /** Length, ms. */
  readonly durationMs: number;
  /** Requests arriving in the window. */
  readonly requests: number;
  /** Replicas the window needs (after the miss budget; before keeping through dips). */
  readonly needed: number;
  /** Replicas ready during the window (after keeping through dips). */
  readonly ready: number;
  /** Predicted SLO misses in the window with `needed` replicas (`misses` mode; 0 otherwise). */
  readonly predictedMisses: number;
}

/** What {@link oracleSchedule} returns. */
export interface OracleResult {
  /** The schedule to give the engine: replicas desired from each time on. */
  readonly schedule: ReplicaSchedule;
  /** The per-window plan. */
  readonly windows: readonly OracleWindowPlan[];
  /**
   * Replica-hours the schedule asks for over the trace: the integral of the desired count from
   * t = 0 to the trace's end, including each replica's lead time ahead of its window. Multiply by
   * GPUs per replica for GPU-hours; the engine's own accounting adds drain time.
   */
  readonly replicaHours: number;
  /** Replica-hours of the windows' needs alone (no lead time, no dips kept): Σ needed × window. */
  readonly neededReplicaHours: number;
  /** Predicted SLO misses over the trace (`misses` mode; 0 otherwise). */
  readonly predictedMisses: number;
  /** Misses no count within `maxReplicas` avoids (`misses` mode; 0 otherwise). */
  readonly unavoidableMisses: number;
  /** The miss budget spent beyond the unavoidable ones (`misses` mode; 0 otherwise). */
  readonly missBudget: number;
}

/** Cuts the trace into windows of `windowMs` from t = 0 to its end (at least one window). */
export function oracleWindows(trace: Trace, windowMs: number): OracleWindow[] {
  const duration = Math.max(
    trace.durationMs,
    (trace.requests[trace.requests.length - 1]?.arrivalMs ?? 0) + 1,
  );
  const count = Math.max(1, Math.ceil(duration / windowMs));
  const windows: OracleWindow[] = [];
  let j = 0;
  for (let index = 0; index < count; index++) {
    const startMs = index * windowMs;
    const durationMs = Math.min(windowMs, duration - startMs);
    const from = j;
    while (
      j < trace.requests.length &&
      (trace.requests[j] as TraceRequest).arrivalMs < startMs + windowMs
    )
      j++;
    const requests = trace.requests.slice(from, j);
    let prompt = 0;
    let output = 0;
    for (const r of requests) {
      prompt += r.promptTokens;
      output += r.outputTokens;
    }
    windows.push({
      index,
      startMs,
      durationMs,
      requests,
      ratePerSec: requests.length / (Math.max(1, durationMs) / 1_000),
      meanPromptTokens: requests.length > 0 ? prompt / requests.length : 0,
      meanOutputTokens: requests.length > 0 ? output / requests.length : 0,
    });
  }
  return windows;
}

function badNeed(message: string, value: unknown): HeadroomError {
  return new HeadroomError({ code: 'invalid_argument', message, path: ['need'], value });
}

/** A finite count of misses >= 0 from the evaluator, or a typed error naming the window. */
function checkedMisses(value: number, window: OracleWindow, replicas: number): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
    throw badNeed(
      `missesWith returned ${String(value)} for window ${window.index} with ${replicas} replicas; expected a finite count >= 0`,
      value,
    );
  }
  return value;
}

interface MissCurve {
  /** misses(n) cache. */
  readonly cache: Map<number, number>;
  /** The smallest n reaching the window's fewest misses. */
  readonly full: number;
  /** The window's fewest misses (at maxReplicas). */
  readonly floor: number;
}

/**
 * The smallest count reaching the fewest misses the window can have. Doubling from `lo` stops at
 * the first count with no miss (no count does better) or at `hi` (the fewest misses any count
 * within the bounds can have); bisection then finds the smallest count with those misses. Misses
 * are assumed not to grow with more replicas (a simulator where they did would only make the
 * bound looser). Cost: about 2·log2(need) evaluations when some count serves every request.
 */
function missCurve(
  window: OracleWindow,
  lo: number,
  hi: number,
  missesWith: (window: OracleWindow, replicas: number) => number,
): MissCurve {
  const cache = new Map<number, number>();
  const at = (n: number): number => {
    let v = cache.get(n);
    if (v === undefined) {
      v = checkedMisses(missesWith(window, n), window, n);
      cache.set(n, v);
    }
    return v;
  };
  if (window.requests.length === 0) return { cache, full: lo, floor: 0 };
  let a = Math.max(lo, 1);
  if (a >= hi) return { cache, full: hi, floor: at(hi) };
  if (at(a) === 0) return { cache, full: a, floor: 0 };
  // Double until a count has no miss, or hi: b's misses are then the fewest any count can have.
  let b = Math.min(hi, a * 2);
  while (at(b) > 0 && b < hi) {
    a = b;
    b = Math.min(hi, b * 2);
  }
  const floor = at(b);
  if (at(a) <= floor) return { cache, full: a, floor };
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (at(mid) <= floor) b = mid;
    else a = mid;
  }
  return { cache, full: b, floor };
}

/**
 * Raises every dip that is at most `keepMs` long back to the level on both sides (a replica kept
 * through a short dip costs the dip; released, it costs a new cold start).
 */
function keepThroughDips(levels: readonly number[], windowMs: number, keepMs: number): number[] {
  const out = [...levels];
  const top = Math.max(0, ...levels);
  for (let k = 1; k <= top; k++) {
    let lastHigh = -1;
    for (let w = 0; w < levels.length; w++) {
      if ((levels[w] as number) >= k) {
        const gap = w - lastHigh - 1;
        if (lastHigh >= 0 && gap > 0 && gap * windowMs <= keepMs) {
          for (let g = lastHigh + 1; g < w; g++) out[g] = Math.max(out[g] as number, k);
        }
        lastHigh = w;
      }
    }
  }
  return out;
}

/**
 * The oracle: the fewest replicas, window by window, that serve the trace within the SLO with
 * perfect knowledge of the future and the same cold starts, as a schedule the engine replays.
 *
 * How it is computed:
 *
 * 1. The trace is cut into windows of `windowMs` from t = 0.
 * 2. Each window's need: with `need.kind: 'capacity'`, `ceil(rate / capacity)`; with
 *    `need.kind: 'misses'`, the per-window miss curve `m_w(n)` from `missesWith` (for example
 *    the window's requests on `n` warm replicas). Doubling then bisection finds `full_w`, the
 *    smallest `n` with the window's fewest misses (the plateau where doubling `n` saves none). Then a miss budget of `floor((1 − targetAttainment) × N)`
 *    (N: the trace's requests) minus the unavoidable misses `Σ m_w(maxReplicas)` is spent
 *    greedily: repeatedly remove one replica from the window where that adds the fewest misses,
 *    while the budget allows. With equal-length windows every removal saves the same
 *    replica-time, so the greedy step is the cheapest miss per replica saved.
 * 3. Dips no longer than `keepThroughDipMs` (default: the cold-start lead) are filled: keeping a
 *    replica through them costs less than ordering it again.
 * 4. Every window's count is ordered `coldStartLeadMs` ahead: the desired count at time t is the
 *    largest count of any window overlapping [t, t + lead]. Scale-downs happen when a window
 *    ends. The replicas at t = 0 are the engine's warm initial replicas.
 *
 * Why it is a lower bound (and where only a near one): a window evaluated alone starts with idle
 * replicas and no backlog, so it needs no more replicas than the same window inside any run
 * (a backlog carried in only adds misses); a policy cannot beat a window's count by varying its
 * count within the window by more than the window's granularity; the lead time is one cold start
 * (a policy that orders later serves the window's start late); and the miss budget is spent where
 * it saves most. It is not exact: the greedy allocation is optimal only when each window's misses
 * fall convexly with replicas; a policy could save inside a window shorter than `windowMs`; and a
 * `capacity` need is only as good as the capacity model. The acceptance property test replays
 * generated traces through every policy and the oracle and checks the oracle's GPU-hours are
 * never above a policy's at equal or better SLO attainment.
 *
 * @param trace - the trace, arrivals from t = 0.
 * @param options - see {@link OracleOptionsSchema} and {@link OracleNeed}.
 * @returns the schedule, the per-window plan and the replica-hours it asks for.
 * @throws `HeadroomError` `invalid_config` for bad options (naming the option, bound and value);
 * `invalid_argument` when the capacity is not a finite number > 0 or `missesWith` returns
 * something other than a finite count >= 0.
 * @example
 * ```ts
 * const { schedule, replicaHours } = oracleSchedule(trace, {
 *   need: { kind: 'capacity', capacityPerReplicaRps: 1.8 },
 *   coldStartLeadMs: 52_000,
 *   minReplicas: 1,
 *   maxReplicas: 64,
 * });
 * const result = simulate({ ...config, schedule });
 * ```
 */
export function oracleSchedule(trace: Trace, options: OracleOptions): OracleResult {
  const { need, ...numeric } = options;
  const config = parseConfig(OracleOptionsSchema, numeric, ['oracle']);
  if (config.maxReplicas < config.minReplicas) {
    throw new HeadroomError({
      code: 'invalid_config',
      message: `maxReplicas must be >= minReplicas (${config.minReplicas})`,
      path: ['oracle', 'maxReplicas'],
      value: config.maxReplicas,
      limit: `>= ${config.minReplicas}`,
    });
  }
  const { windowMs, minReplicas, maxReplicas } = config;
  const windows = oracleWindows(trace, windowMs);
  const clamp = (n: number): number => Math.min(maxReplicas, Math.max(minReplicas, n));

  let needed: number[];
  let misses: number[] = windows.map(() => 0);
  let unavoidable = 0;
  let budget = 0;
  if (need.kind === 'capacity') {
    needed = windows.map((w) => {
      if (w.requests.length === 0) return clamp(0);
      const capacity =
        typeof need.capacityPerReplicaRps === 'function'
          ? need.capacityPerReplicaRps(w)
          : need.capacityPerReplicaRps;
      if (!(typeof capacity === 'number' && Number.isFinite(capacity) && capacity > 0)) {
        throw badNeed(
          `capacityPerReplicaRps must be a finite number > 0 (window ${w.index})`,
          capacity,
        );
      }
      return clamp(Math.ceil(w.ratePerSec / capacity - 1e-9));
    });
  } else if (need.kind === 'misses') {
    const curves = windows.map((w) => missCurve(w, minReplicas, maxReplicas, need.missesWith));
    needed = curves.map((c) => clamp(c.full));
    misses = curves.map((c) => c.floor);
    unavoidable = misses.reduce((a, b) => a + b, 0);
    const total = trace.requests.length;
    budget = Math.max(0, Math.floor((1 - config.targetAttainment) * total + 1e-9) - unavoidable);
    let left = budget;
    // Greedy: take one replica from the window where it costs the fewest extra misses.
    for (;;) {
      let best = -1;
      let bestCost = Number.POSITIVE_INFINITY;
      windows.forEach((w, i) => {
        const n = needed[i] as number;
        if (n <= Math.max(minReplicas, 1) || w.requests.length === 0) return;
        const curve = curves[i] as MissCurve;
        let next = curve.cache.get(n - 1);
        if (next === undefined) {
          next = checkedMisses(need.missesWith(w, n - 1), w, n - 1);
          curve.cache.set(n - 1, next);
        }
        const cost = next - (misses[i] as number);
        if (cost <= left && cost < bestCost) {
          bestCost = cost;
          best = i;
        }
      });
      if (best < 0) break;
      left -= bestCost;
      needed[best] = (needed[best] as number) - 1;
      misses[best] = (misses[best] as number) + bestCost;
    }
  } else {
    throw badNeed('need.kind must be capacity or misses', (need as { kind: unknown }).kind);
  }

  if (config.extraReplicas !== undefined) {
    needed = needed.map((n, i) => clamp(n + (config.extraReplicas?.[i] ?? 0)));
  }
  const keepMs = config.keepThroughDipMs ?? config.coldStartLeadMs;
  const ready = keepThroughDips(needed, windowMs, keepMs).map(clamp);
  const schedule = toSchedule(ready, windowMs, config.coldStartLeadMs, trace.durationMs);

  const end = windows.reduce((a, w) => Math.max(a, w.startMs + w.durationMs), 0);
  let replicaMs = 0;
  schedule.points.forEach((p, i) => {
    const until = Math.min(end, schedule.points[i + 1]?.atMs ?? end);
    if (until > p.atMs) replicaMs += p.replicas * (until - p.atMs);
  });
  let neededMs = 0;
  windows.forEach((w, i) => (neededMs += (needed[i] as number) * w.durationMs));
  return {
    schedule,
    windows: windows.map((w, i) => ({
      startMs: w.startMs,
      durationMs: w.durationMs,
      requests: w.requests.length,
      needed: needed[i] as number,
      ready: ready[i] as number,
      predictedMisses: misses[i] as number,
    })),
    replicaHours: replicaMs / 3_600_000,
    neededReplicaHours: neededMs / 3_600_000,
    predictedMisses: misses.reduce((a, b) => a + b, 0),
    unavoidableMisses: unavoidable,
    missBudget: budget,
  };
}

/**
 * The desired count over time for per-window ready counts ordered `leadMs` ahead: at time t, the
 * largest count of any window overlapping [t, t + leadMs]. Changes happen where a window enters
 * that horizon (its start − lead) or leaves it (its end).
 */
function toSchedule(
  ready: readonly number[],
  windowMs: number,
  leadMs: number,
  durationMs: number,
): ReplicaSchedule {
  const times = new Set<number>([0]);
  ready.forEach((_, w) => {
    times.add(Math.max(0, w * windowMs - leadMs));
    times.add((w + 1) * windowMs);
  });
  const sorted = [...times]
    .filter((t) => t < Math.max(durationMs, windowMs * ready.length))
    .sort((a, b) => a - b);
  const points: { atMs: number; replicas: number }[] = [];
  for (const t of sorted) {
    const first = Math.floor(t / windowMs);
    const last = Math.min(ready.length - 1, Math.floor((t + leadMs) / windowMs));
    let replicas = 0;
    for (let w = Math.max(0, first); w <= last; w++)
      replicas = Math.max(replicas, ready[w] as number);
    const prev = points[points.length - 1];
    if (prev === undefined || prev.replicas !== replicas) points.push({ atMs: t, replicas });
  }
  return { points };
}
