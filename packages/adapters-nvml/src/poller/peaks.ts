/** One value of a peak field (queue depth, active streams, in-flight requests) and its age. */
export interface PeakSample {
  /** `observedAtMs` of the observation that reported the value, epoch ms. */
  readonly atMs: number;
  /** The value reported. */
  readonly value: number;
}

/**
 * Adds `sample` to `window`, the samples of one field since the previous read, and returns the
 * new window (the input is not modified). Only samples that can still be the fresh peak at a
 * later read are kept: none older than `cutoffMs`, and none both older and no larger than
 * another sample (that one stays fresh at least as long and is at least as large). So the
 * window holds at most one sample per distinct age, values falling as ages grow.
 *
 * @param cutoffMs - the oldest `atMs` still fresh now (`now − maxAgeMs`), epoch ms.
 */
export function addPeakSample(
  window: readonly PeakSample[],
  sample: PeakSample,
  cutoffMs: number,
): readonly PeakSample[] {
  const kept = window.filter((w) => w.atMs >= cutoffMs);
  if (sample.atMs < cutoffMs) return kept;
  if (kept.some((w) => w.atMs >= sample.atMs && w.value >= sample.value)) return kept;
  return [...kept.filter((w) => w.atMs > sample.atMs || w.value > sample.value), sample];
}

/**
 * The largest value in `window` from a sample no older than `cutoffMs`; `undefined` when no
 * sample is fresh (the peak is unknown, never a stale number).
 *
 * @param cutoffMs - the oldest `atMs` still fresh now (`now − maxAgeMs`), epoch ms.
 */
export function freshPeak(window: readonly PeakSample[], cutoffMs: number): number | undefined {
  let peak: number | undefined;
  for (const w of window) {
    if (w.atMs >= cutoffMs && (peak === undefined || w.value > peak)) peak = w.value;
  }
  return peak;
}
