import { HeadroomError, requireNumber, type Random } from '@headroom/core';
import type { Trace, TraceRequest } from './types.js';

/** The smallest double above `x` or a little more: keeps `durationMs` above the last arrival. */
function justAbove(x: number): number {
  return x + Math.max(Number.MIN_VALUE, Math.abs(x) * 4.5e-16);
}

function withTransform(trace: Trace, step: string): readonly string[] {
  return [...(trace.transforms ?? []), step];
}

/** A duration that stays above the last arrival after arithmetic on both. */
function durationAbove(durationMs: number, requests: readonly TraceRequest[]): number {
  const last = requests[requests.length - 1];
  return last !== undefined && last.arrivalMs >= durationMs
    ? justAbove(last.arrivalMs)
    : durationMs;
}

/**
 * Compresses or stretches a trace in time: every arrival and the duration are multiplied by
 * `factor`. `0.1` replays an hour in 6 minutes at 10x the rate; `2` halves the rate. The number
 * and order of requests and their tokens are unchanged; `startEpochMs` is kept.
 *
 * @param factor - the time multiplier, > 0 and at most 10^6.
 * @throws `HeadroomError` `invalid_argument` when `factor` is not finite, not > 0, or too large.
 * @example
 * ```ts
 * const fast = scaleTime(azureCode, 0.1); // 10x compression
 * ```
 */
export function scaleTime(trace: Trace, factor: number): Trace {
  requireNumber(factor, ['factor'], { min: 0, minExclusive: true, max: 1e6 });
  const requests = trace.requests.map((r) => ({ ...r, arrivalMs: r.arrivalMs * factor }));
  return {
    ...trace,
    durationMs: durationAbove(trace.durationMs * factor, requests),
    requests,
    transforms: withTransform(trace, `scaleTime(${factor})`),
  };
}

/** Options of {@link scaleRate}. */
export interface ScaleRateOptions {
  /**
   * Width of the uniform jitter around a duplicated request's arrival, ms: a copy arrives within
   * ±jitterMs/2 of its original (a copy that would fall outside [0, durationMs) keeps its
   * original's arrival). At least 0. @defaultValue the trace's mean gap, durationMs / requests
   */
  readonly jitterMs?: number;
}

/**
 * Scales the request rate without changing the trace's shape in time:
 *
 * - `factor < 1` thins: each request is kept with probability `factor` (independently), so the
 *   count is Binomial(n, factor): mean `factor·n`, standard deviation `√(n·factor·(1−factor))`.
 * - `factor >= 1` duplicates: each request is kept and gets `⌊factor⌋ − 1` copies, plus one more
 *   with probability `factor − ⌊factor⌋`; copies are jittered (see {@link ScaleRateOptions}). The
 *   count is `n·⌊factor⌋ + Binomial(n, factor − ⌊factor⌋)`: mean `factor·n`.
 *
 * Copies keep every field of their original (tokens, prefix hashes, model, tenant). The result is
 * sorted stably by arrival. Deterministic per `random` state; `factor = 1` draws nothing.
 *
 * @param factor - the rate multiplier, in [0, 1000].
 * @throws `HeadroomError` `invalid_argument` for a factor or `jitterMs` out of range.
 * @example
 * ```ts
 * const doubled = scaleRate(azureConv, 2, createRandom(1));
 * const tenth = scaleRate(azureConv, 0.1, createRandom(1));
 * ```
 */
export function scaleRate(
  trace: Trace,
  factor: number,
  random: Random,
  options: ScaleRateOptions = {},
): Trace {
  requireNumber(factor, ['factor'], { min: 0, max: 1000 });
  const n = trace.requests.length;
  const jitterMs =
    options.jitterMs === undefined
      ? trace.durationMs / Math.max(1, n)
      : requireNumber(options.jitterMs, ['options', 'jitterMs'], { min: 0 });
  const out: TraceRequest[] = [];
  let resort = false;
  if (factor < 1) {
    for (const r of trace.requests) if (random.nextFloat() < factor) out.push(r);
  } else {
    const whole = Math.floor(factor);
    const frac = factor - whole;
    const end = trace.durationMs;
    for (const r of trace.requests) {
      out.push(r);
      let copies = whole - 1;
      if (frac > 0 && random.nextFloat() < frac) copies++;
      for (let c = 0; c < copies; c++) {
        let at = r.arrivalMs + (random.nextFloat() - 0.5) * jitterMs;
        if (!(at >= 0 && at < end)) at = r.arrivalMs;
        out.push({ ...r, arrivalMs: at });
        resort = true;
      }
    }
  }
  if (resort) out.sort((a, b) => a.arrivalMs - b.arrivalMs);
  return {
    ...trace,
    durationMs: durationAbove(trace.durationMs, out),
    requests: out,
    transforms: withTransform(trace, `scaleRate(${factor})`),
  };
}

/** Options of {@link sliceTrace}. */
export interface SliceTraceOptions {
  /**
   * Shift arrivals so the slice starts at 0 (and move `startEpochMs` to match). When false,
   * arrivals keep their times and the duration ends at the slice's end. @defaultValue true
   */
  readonly rebase?: boolean;
}

/**
 * The requests arriving in [fromMs, toMs), as a trace of its own (rebased to start at 0 by
 * default). The duration is `min(toMs, trace.durationMs) − fromMs` (0 if the slice starts after
 * the trace ends). Uses binary search: O(log n + slice length).
 *
 * @param fromMs - start, inclusive, ms from the trace start (finite, >= 0).
 * @param toMs - end, exclusive (> fromMs; `Infinity` for the rest of the trace).
 * @throws `HeadroomError` `invalid_argument` for bounds out of range.
 * @example
 * ```ts
 * const firstTenMinutes = sliceTrace(azureCode, 0, 600_000);
 * ```
 */
export function sliceTrace(
  trace: Trace,
  fromMs: number,
  toMs: number,
  options: SliceTraceOptions = {},
): Trace {
  requireNumber(fromMs, ['fromMs'], { min: 0 });
  if (!(typeof toMs === 'number' && toMs > fromMs)) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'toMs must be a number greater than fromMs (Infinity for the rest of the trace)',
      path: ['toMs'],
      value: toMs,
      limit: `> ${fromMs}`,
    });
  }
  const requests = trace.requests;
  const lo = lowerBound(requests, fromMs);
  const hi = lowerBound(requests, toMs);
  const rebase = options.rebase !== false;
  const endMs = Math.max(fromMs, Math.min(toMs, trace.durationMs));
  const picked = requests.slice(lo, Math.max(lo, hi));
  const out = rebase ? picked.map((r) => ({ ...r, arrivalMs: r.arrivalMs - fromMs })) : picked;
  const { startEpochMs, ...rest } = trace;
  return {
    ...rest,
    ...(startEpochMs === undefined
      ? {}
      : { startEpochMs: rebase ? startEpochMs + fromMs : startEpochMs }),
    durationMs: durationAbove(rebase ? endMs - fromMs : endMs, out),
    requests: out,
    transforms: withTransform(trace, `slice(${fromMs}, ${toMs})`),
  };
}

/** The first index whose arrival is >= `atMs` (requests sorted by arrival). */
function lowerBound(requests: readonly TraceRequest[], atMs: number): number {
  let lo = 0;
  let hi = requests.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((requests[mid] as TraceRequest).arrivalMs < atMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Options of {@link assignModels}. */
export interface AssignModelsOptions {
  /**
   * Zipf exponent of model popularity: the model at rank k (1-based, in the order given) is
   * drawn with probability proportional to 1 / k^zipfS. 0 is uniform; around 1 is typical of
   * multi-model serving (a few models take most traffic). In [0, 10]. @defaultValue 1
   */
  readonly zipfS?: number;
}

/**
 * Gives every request a model drawn from `models` with Zipf popularity (the first model the most
 * popular), replacing any model it had. Each request draws independently, one uniform each, so
 * the result is deterministic per `random` state. For multi-model fleet experiments.
 *
 * @param models - model names, most popular first; at least one, none empty.
 * @throws `HeadroomError` `invalid_argument` for an empty list, an empty name, or a `zipfS`
 * out of range.
 * @example
 * ```ts
 * const mixed = assignModels(azureConv, ['llama-3-8b', 'llama-3-70b', 'mistral-7b'], { zipfS: 1.1 }, createRandom(2));
 * ```
 */
export function assignModels(
  trace: Trace,
  models: readonly string[],
  options: AssignModelsOptions,
  random: Random,
): Trace {
  if (!Array.isArray(models) || models.length === 0) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'models must be a non-empty array of model names',
      path: ['models'],
      value: models,
      limit: 'at least one',
    });
  }
  models.forEach((m, i) => {
    if (typeof m !== 'string' || m === '') {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: 'a model name must be a non-empty string',
        path: ['models', i],
        value: m,
      });
    }
  });
  const s =
    options.zipfS === undefined
      ? 1
      : requireNumber(options.zipfS, ['options', 'zipfS'], { min: 0, max: 10 });
  const cumulative = new Float64Array(models.length);
  let total = 0;
  for (let k = 0; k < models.length; k++) {
    total += 1 / Math.pow(k + 1, s);
    cumulative[k] = total;
  }
  const requests = trace.requests.map((r) => {
    const u = random.nextFloat() * total;
    let lo = 0;
    let hi = models.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) <= u) lo = mid + 1;
      else hi = mid;
    }
    return { ...r, model: models[lo] as string };
  });
  return {
    ...trace,
    requests,
    transforms: withTransform(trace, `assignModels(${models.length}, zipfS=${s})`),
  };
}

/**
 * Checks that a trace keeps its invariants: finite non-negative arrivals in non-decreasing order
 * and not after `durationMs`, integer token counts (prompt >= 0, output >= 1), integer prefix
 * hashes. Returns the trace unchanged. Use it on traces built by hand before a simulation.
 *
 * @throws `HeadroomError` `invalid_input` with the path of the first bad field, for example
 * `requests[12].outputTokens`.
 */
export function validateTrace(trace: Trace): Trace {
  const bad = (path: (string | number)[], message: string, value: unknown): never => {
    throw new HeadroomError({ code: 'invalid_input', message, path, value });
  };
  if (typeof trace.name !== 'string') bad(['name'], 'must be a string', trace.name);
  const duration = trace.durationMs;
  if (!(typeof duration === 'number' && Number.isFinite(duration) && duration >= 0)) {
    bad(['durationMs'], 'must be a finite number >= 0', duration);
  }
  if (!Array.isArray(trace.requests)) bad(['requests'], 'must be an array', trace.requests);
  let previous = 0;
  trace.requests.forEach((r, i) => {
    const at = r.arrivalMs;
    if (!(typeof at === 'number' && Number.isFinite(at) && at >= 0)) {
      bad(['requests', i, 'arrivalMs'], 'must be a finite number >= 0', at);
    }
    if (at < previous)
      bad(
        ['requests', i, 'arrivalMs'],
        `must not be before the previous arrival (${previous})`,
        at,
      );
    if (at > duration)
      bad(['requests', i, 'arrivalMs'], `must not be after durationMs (${duration})`, at);
    previous = at;
    if (!(Number.isSafeInteger(r.promptTokens) && r.promptTokens >= 0)) {
      bad(['requests', i, 'promptTokens'], 'must be an integer >= 0', r.promptTokens);
    }
    if (!(Number.isSafeInteger(r.outputTokens) && r.outputTokens >= 1)) {
      bad(['requests', i, 'outputTokens'], 'must be an integer >= 1', r.outputTokens);
    }
    if (r.prefixHashes !== undefined) {
      r.prefixHashes.forEach((h, j) => {
        if (!(Number.isSafeInteger(h) && h >= 0)) {
          bad(['requests', i, 'prefixHashes', j], 'must be an integer >= 0', h);
        }
      });
    }
  });
  return trace;
}
