import type { SimConfig } from '../engine/config.js';
import { coldStartQuantileMs, resolveColdStart } from '../engine/cold-start.js';
import { simulate, type SimulationResult } from '../engine/simulate.js';
import type { Trace, TraceRequest } from '../traces/types.js';
import {
  oracleSchedule,
  oracleWindows,
  type OracleOptions,
  type OracleResult,
  type OracleWindow,
} from './oracle.js';

/** The run settings the oracle shares with the policies it bounds: a simulator config without a trace, policy or schedule. */
export type OracleSimBase = Omit<SimConfig, 'trace' | 'policy' | 'schedule' | 'scheduleName'>;

/** Options of {@link engineWindowMisses}. */
export interface EngineWindowMissesOptions {
  /**
   * Requests arriving this long before the window are replayed first on the same replicas (their
   * misses not counted), so the window starts with the batches, KV cache and queue a running
   * fleet carries in; 0 evaluates the window on idle replicas. ms, >= 0. @defaultValue 60_000
   */
  readonly warmupMs?: number;
}

/**
 * A `missesWith` for {@link oracleSchedule} that runs the simulator on one window: the window's
 * requests, preceded by those of the `warmupMs` before it (shifted so the warm-up starts at 0),
 * on `replicas` warm replicas held constant, with every other setting of `base` (service model,
 * SLO, routing, regions, queue timeout, seed). Returns how many of the window's own requests miss
 * the SLO (dropped ones included). Spot capacity and audio streams are left out of the evaluation
 * (no preemption, no streams sharing the GPUs). Results are cached per (window, replicas).
 *
 * @example
 * ```ts
 * const missesWith = engineWindowMisses(trace, { service, sloTtftMs: 2_000, seed: 1 });
 * missesWith(window, 3); // the window's SLO misses on 3 replicas
 * ```
 */
export function engineWindowMisses(
  trace: Trace,
  base: OracleSimBase,
  options: EngineWindowMissesOptions = {},
): (window: OracleWindow, replicas: number) => number {
  const warmupMs = Math.max(0, options.warmupMs ?? 60_000);
  const { capacity: _capacity, streams: _streams, ...rest } = base;
  const cache = new Map<string, number>();
  return (window, replicas) => {
    if (window.requests.length === 0) return 0;
    const key = `${window.startMs}:${window.durationMs}:${replicas}`;
    const known = cache.get(key);
    if (known !== undefined) return known;
    const from = Math.max(0, window.startMs - warmupMs);
    const warm: TraceRequest[] = [];
    for (const r of trace.requests) {
      if (r.arrivalMs >= window.startMs) break;
      if (r.arrivalMs >= from) warm.push(r);
    }
    const requests = [...warm, ...window.requests].map((r) => ({
      ...r,
      arrivalMs: r.arrivalMs - from,
    }));
    const result = simulate({
      ...rest,
      trace: {
        name: `oracle-window-${window.index}`,
        source: 'oracle window',
        durationMs: window.startMs + window.durationMs - from,
        requests,
      },
      schedule: { points: [{ atMs: 0, replicas }] },
      minReplicas: replicas,
      maxReplicas: replicas,
      initialWarm: true,
      recordRequests: true,
    });
    const log = result.requestLog;
    const slo = base.sloTtftMs ?? 2_000;
    let misses = 0;
    for (let i = warm.length; i < requests.length; i++) {
      const ttft = log?.ttftMs[i];
      if (log?.dropped[i] === true || !(typeof ttft === 'number' && ttft <= slo)) misses++;
    }
    cache.set(key, misses);
    return misses;
  };
}

/** Options of {@link runOracle}: the oracle's own knobs (the need is the simulator's). */
export type RunOracleOptions = Omit<
  OracleOptions,
  'need' | 'coldStartLeadMs' | 'minReplicas' | 'maxReplicas' | 'extraReplicas' | 'windowMs'
> &
  EngineWindowMissesOptions & {
    /**
     * The quantile of the run's cold-start distribution used as the lead time, in [0.5, 0.9999]:
     * each replica is ordered this long before its window. @defaultValue 0.99
     */
    readonly leadQuantile?: number;
    /**
     * Replays allowed to repair each plan, an integer >= 0: after a replay that falls short of
     * `targetAttainment`, every window that missed more than planned gets one more replica.
     * @defaultValue 8
     */
    readonly maxRepairs?: number;
    /**
     * The window lengths to plan with, ms (integers >= 1 000); `'trace'` is one window over the
     * whole trace (a constant count). Every candidate is planned and replayed; the cheapest replay
     * that reaches the target wins. @defaultValue [30_000, 120_000, 'trace']
     */
    readonly windowCandidatesMs?: readonly (number | 'trace')[];
  };

/** What {@link runOracle} returns: the plan and its replay through the simulator. */
export interface OracleRun {
  /** The chosen plan: schedule, windows, replica-hours. */
  readonly plan: OracleResult;
  /** The chosen plan replayed by the simulator with the policies' settings (named `oracle`). */
  readonly result: SimulationResult;
  /** The lead time used, ms. */
  readonly coldStartLeadMs: number;
  /** The window length of the chosen plan, ms. */
  readonly windowMs: number;
  /** Repair replays made for the chosen plan (0 when its first replay reached the target). */
  readonly repairs: number;
  /** Every candidate tried: its window, replayed GPU-hours and attainment. */
  readonly candidates: readonly {
    readonly windowMs: number;
    readonly gpuHours: number;
    readonly sloAttainment: number;
  }[];
}

/** Per-window misses of a replay, from its request log. */
function missesPerWindow(
  result: SimulationResult,
  windows: readonly OracleWindow[],
  sloTtftMs: number,
): number[] {
  const log = result.requestLog;
  let i = 0;
  return windows.map((w) => {
    let misses = 0;
    for (let k = 0; k < w.requests.length; k++, i++) {
      const ttft = log?.ttftMs[i];
      if (log?.dropped[i] === true || !(typeof ttft === 'number' && ttft <= sloTtftMs)) misses++;
    }
    return misses;
  });
}

/**
 * The oracle bound for one trace and one set of run settings, end to end:
 *
 * 1. For each candidate window length (default 30 s, 2 min, and the whole trace: a constant
 *    count), size each window with {@link engineWindowMisses} (the simulator on the window,
 *    after a minute of warm-up traffic on the same replicas) and plan the schedule with
 *    {@link oracleSchedule}: a miss budget of `1 − targetAttainment` (default 1%) spent where it
 *    saves most, dips shorter than a cold start kept, each replica ordered one cold-start p99
 *    ahead (from the run's own cold-start distribution).
 * 2. Replay each plan through the simulator with exactly the policies' settings. While a replay's
 *    attainment is below the target (a window's carried-in backlog can exceed its warm-up's),
 *    give every window that missed more than planned one more replica and replay again, at most
 *    `maxRepairs` times.
 * 3. Keep the candidate with the fewest replayed GPU-hours among those reaching the target (if
 *    none does, the one with the best attainment). Short windows follow demand closely but pay a
 *    cold start per change; long ones pay idle time; the cheapest wins, as an oracle should.
 *
 * Its GPU-hours are the chosen replay's (the engine's billing: provisioning to termination, drain
 * included), so they compare like for like with every policy's.
 *
 * @param trace - the trace the policies replay.
 * @param base - the simulator settings the policies run with (no policy or schedule).
 * @param options - window candidates, target attainment, warm-up, lead quantile, repairs.
 * @throws `HeadroomError` `invalid_config` for bad options or settings.
 * @example
 * ```ts
 * const base = { service, sloTtftMs: 2_000, seed: 7, minReplicas: 1, maxReplicas: 64 };
 * const oracle = runOracle(trace, base);
 * const hpa = simulate({ ...base, trace, policy: hpaPolicy() });
 * hpa.gpuHours.total / oracle.result.gpuHours.total; // the HPA's ratio to the bound
 * ```
 */
export function runOracle(
  trace: Trace,
  base: OracleSimBase,
  options: RunOracleOptions = {},
): OracleRun {
  const {
    leadQuantile = 0.99,
    maxRepairs = 8,
    warmupMs,
    windowCandidatesMs = [30_000, 120_000, 'trace'],
    ...rest
  } = options;
  const dist = resolveColdStart(base.coldStart ?? 'production-bimodal');
  const q = Number.isFinite(leadQuantile) ? Math.min(0.9999, Math.max(0.5, leadQuantile)) : 0.99;
  const coldStartLeadMs = coldStartQuantileMs(dist, q);
  const minReplicas = base.minReplicas ?? 1;
  const maxReplicas = Math.max(1, base.maxReplicas ?? 1_000);
  const sloTtftMs = base.sloTtftMs ?? 2_000;
  const target = rest.targetAttainment ?? 0.99;
  const missesWith = engineWindowMisses(trace, base, warmupMs === undefined ? {} : { warmupMs });
  // A window never needs more replicas than it has requests (each would have one to itself).
  const bounded = (window: OracleWindow, replicas: number): number =>
    missesWith(window, Math.min(replicas, Math.max(1, window.requests.length)));
  const limit = Number.isSafeInteger(maxRepairs) && maxRepairs >= 0 ? maxRepairs : 8;
  const wholeMs = Math.max(1_000, Math.ceil(trace.durationMs));
  const lengths = [
    ...new Set(windowCandidatesMs.map((w) => (w === 'trace' ? wholeMs : Math.min(w, wholeMs)))),
  ];

  const plan = (windowMs: number) => {
    const windows = oracleWindows(trace, windowMs);
    const extra = windows.map(() => 0);
    for (let repairs = 0; ; repairs++) {
      const result = oracleSchedule(trace, {
        ...rest,
        windowMs,
        need: { kind: 'misses', missesWith: bounded },
        coldStartLeadMs,
        minReplicas,
        maxReplicas,
        extraReplicas: extra,
      });
      const replay = simulate({
        ...base,
        trace,
        schedule: {
          points: result.schedule.points.map((p) => ({ atMs: p.atMs, replicas: p.replicas })),
        },
        scheduleName: 'oracle',
        recordRequests: true,
      });
      if (replay.requests.sloAttainment >= target || repairs >= limit) {
        return { plan: result, replay, repairs, windowMs };
      }
      const actual = missesPerWindow(replay, windows, sloTtftMs);
      let changed = false;
      result.windows.forEach((w, i) => {
        if ((actual[i] as number) > w.predictedMisses && w.needed < maxReplicas) {
          extra[i] = (extra[i] as number) + 1;
          changed = true;
        }
      });
      if (!changed) return { plan: result, replay, repairs, windowMs };
    }
  };

  const tried = lengths.map(plan);
  const meets = tried.filter((c) => c.replay.requests.sloAttainment >= target);
  const pool = meets.length > 0 ? meets : tried;
  let best = pool[0] as (typeof tried)[number];
  for (const c of pool) {
    const better =
      meets.length > 0
        ? c.replay.gpuHours.total < best.replay.gpuHours.total
        : c.replay.requests.sloAttainment > best.replay.requests.sloAttainment ||
          (c.replay.requests.sloAttainment === best.replay.requests.sloAttainment &&
            c.replay.gpuHours.total < best.replay.gpuHours.total);
    if (better) best = c;
  }
  const { requestLog: _log, ...summary } = best.replay;
  return {
    plan: best.plan,
    result: base.recordRequests === true ? best.replay : summary,
    coldStartLeadMs,
    windowMs: best.windowMs,
    repairs: best.repairs,
    candidates: tried.map((c) => ({
      windowMs: c.windowMs,
      gpuHours: c.replay.gpuHours.total,
      sloAttainment: c.replay.requests.sloAttainment,
    })),
  };
}
