/** Why a metric value cannot be used. */
export type MetricProblem = 'missing' | 'not_finite' | 'negative' | 'stale' | 'from_future';

/** The outcome of {@link checkMetric}. */
export type MetricCheck =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly problem: MetricProblem };

/** Options of {@link checkMetric}. */
export interface MetricCheckOptions {
  /** When the value was sampled, epoch ms; required for the staleness check. */
  readonly sampledAtMs?: number | undefined;
  /** The decision time, epoch ms. */
  readonly nowMs: number;
  /** Oldest acceptable sample age, ms. @defaultValue no limit */
  readonly maxAgeMs?: number;
  /** Accept negative values (a signed metric). @defaultValue false */
  readonly allowNegative?: boolean;
  /** How far a sample may lie in the future (clock skew between hosts), ms. @defaultValue 5_000 */
  readonly maxSkewMs?: number;
}

/**
 * The gate every metric passes before it reaches a decision: missing, NaN, infinite, negative,
 * stale (older than `maxAgeMs`) or future-dated (beyond `maxSkewMs`) values come back as a named
 * problem instead of a number, so a decision can hold with that reason rather than compute
 * on garbage.
 *
 * @example
 * ```ts
 * const util = checkMetric(gpu.utilization, { sampledAtMs: gpu.sampledAtMs, nowMs, maxAgeMs: 30_000 });
 * if (!util.ok) return { kind: 'hold', reason: `gpu_utilization_${util.problem}` };
 * ```
 */
export function checkMetric(
  value: number | undefined | null,
  options: MetricCheckOptions,
): MetricCheck {
  if (value === undefined || value === null) return { ok: false, problem: 'missing' };
  // Without a valid decision time no age can be judged: treat the value as stale.
  if (!Number.isFinite(options.nowMs)) return { ok: false, problem: 'stale' };
  if (!Number.isFinite(value)) return { ok: false, problem: 'not_finite' };
  if (value < 0 && options.allowNegative !== true) return { ok: false, problem: 'negative' };
  const sampledAt = options.sampledAtMs;
  if (sampledAt !== undefined) {
    if (!Number.isFinite(sampledAt)) return { ok: false, problem: 'stale' };
    const age = options.nowMs - sampledAt;
    if (age < -(options.maxSkewMs ?? 5_000)) return { ok: false, problem: 'from_future' };
    if (options.maxAgeMs !== undefined && age > options.maxAgeMs)
      return { ok: false, problem: 'stale' };
  } else if (options.maxAgeMs !== undefined) {
    return { ok: false, problem: 'stale' };
  }
  return { ok: true, value };
}
