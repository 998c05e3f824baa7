import { requireNumber } from '@headroom/core';
import type { Trace } from './types.js';

/** Summary of one token column. */
export interface TokenSummary {
  /** Arithmetic mean (0 for an empty trace). */
  readonly mean: number;
  /** Median, nearest-rank (0 for an empty trace). */
  readonly p50: number;
  /** 99th percentile, nearest-rank (0 for an empty trace). */
  readonly p99: number;
  /** Largest value (0 for an empty trace). */
  readonly max: number;
  /** Sum over all requests. */
  readonly total: number;
}

/** What {@link traceStats} reports. */
export interface TraceStats {
  /** Number of requests. */
  readonly requests: number;
  /** The trace's duration, ms. */
  readonly durationMs: number;
  /** Requests per second over the whole duration (0 when the duration is 0). */
  readonly meanRatePerSec: number;
  /** The busiest window's request count divided by the window length in seconds. */
  readonly peakRatePerSec: number;
  /** Start of the (first) busiest window, ms from the trace start. */
  readonly peakWindowStartMs: number;
  /** Fraction of windows with no arrival, in [0, 1] (0 when the duration is 0). */
  readonly emptyWindowFraction: number;
  /** The window length the peak and empty fraction were measured with, ms. */
  readonly windowMs: number;
  /** Prompt token summary. */
  readonly promptTokens: TokenSummary;
  /** Output token summary. */
  readonly outputTokens: TokenSummary;
}

/** Options of {@link traceStats}. */
export interface TraceStatsOptions {
  /** Window for the peak rate and the empty fraction, ms (> 0). @defaultValue 1000 */
  readonly windowMs?: number;
}

function summarize(values: Float64Array): TokenSummary {
  const n = values.length;
  if (n === 0) return { mean: 0, p50: 0, p99: 0, max: 0, total: 0 };
  let total = 0;
  for (let i = 0; i < n; i++) total += values[i] as number;
  values.sort();
  const rank = (q: number): number => values[Math.min(n - 1, Math.ceil(q * n) - 1)] as number;
  return { mean: total / n, p50: rank(0.5), p99: rank(0.99), max: values[n - 1] as number, total };
}

/**
 * Counts, rates and token summaries of a trace. Windows are aligned to the trace start
 * (`[0, w)`, `[w, 2w)`, ...) and cover the duration (the last one may be partial). O(n log n)
 * for the token percentiles.
 *
 * @throws `HeadroomError` `invalid_argument` when `windowMs` is not > 0.
 * @example
 * ```ts
 * const stats = traceStats(azureCode);
 * stats.peakRatePerSec; // 67: the busiest second
 * ```
 */
export function traceStats(trace: Trace, options: TraceStatsOptions = {}): TraceStats {
  const windowMs =
    options.windowMs === undefined
      ? 1000
      : requireNumber(options.windowMs, ['options', 'windowMs'], { min: 0, minExclusive: true });
  const requests = trace.requests;
  const n = requests.length;
  const duration = trace.durationMs;
  const windows = Math.max(1, Math.ceil(duration / windowMs));
  let peakCount = 0;
  let peakWindow = 0;
  let nonEmpty = 0;
  let current = -1;
  let count = 0;
  const prompt = new Float64Array(n);
  const output = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = requests[i];
    if (r === undefined) continue;
    prompt[i] = r.promptTokens;
    output[i] = r.outputTokens;
    // Requests are sorted, so windows are visited in order.
    const w = Math.floor(r.arrivalMs / windowMs);
    if (w !== current) {
      if (count > peakCount) {
        peakCount = count;
        peakWindow = current;
      }
      current = w;
      count = 0;
      nonEmpty++;
    }
    count++;
  }
  if (count > peakCount) {
    peakCount = count;
    peakWindow = current;
  }
  return {
    requests: n,
    durationMs: duration,
    meanRatePerSec: duration > 0 ? n / (duration / 1000) : 0,
    peakRatePerSec: peakCount / (windowMs / 1000),
    peakWindowStartMs: Math.max(0, peakWindow) * windowMs,
    emptyWindowFraction: duration > 0 ? Math.max(0, 1 - nonEmpty / windows) : 0,
    windowMs,
    promptTokens: summarize(prompt),
    outputTokens: summarize(output),
  };
}
