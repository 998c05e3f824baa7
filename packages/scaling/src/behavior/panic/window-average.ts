/**
 * One observation of total demand for {@link panicStep}: a gauge such as the fleet's concurrent
 * requests, sampled at `atMs`.
 */
export interface DemandSample {
  /** When the value was observed, epoch ms. */
  readonly atMs: number;
  /** The observed total demand, in the unit of `targetPerReplica` (for example concurrent requests). */
  readonly value: number;
}

/** The average of one window, from {@link windowAverages}. */
export interface WindowAverage {
  /** The time-weighted average of the window, or `undefined` when no usable sample lies in it. */
  readonly average: number | undefined;
  /** How many usable samples lie in the window. */
  readonly samples: number;
}

/** What {@link windowAverages} returns. */
export interface WindowAverages {
  /** One average per requested window, in the order the window lengths were given. */
  readonly windows: readonly WindowAverage[];
  /**
   * Samples set aside: a non-finite or negative value, a non-finite time, or a time after `nowMs`.
   */
  readonly ignored: number;
}

/**
 * Time-weighted averages of demand samples over windows ending at `nowMs`: each window is the
 * half-open interval `(nowMs − windowMs, nowMs]`.
 *
 * Samples may come at any spacing, so each is weighted by the time it stands for rather than
 * counted once: a sample stands for the signal since the sample before it (the convention of a
 * scraped gauge, and of core's `TimeDecayedEwma`), clipped to the window. Bunched or late scrapes
 * therefore do not outweigh the rest of the window. The oldest sample given stands for no time of
 * its own; when the samples inside a window cover no time at all (one sample, or all at the same
 * instant) the window's average is their plain mean. The time after the newest sample is not
 * extrapolated. Samples with equal times keep their input order.
 *
 * Non-finite or negative values, non-finite times and times after `nowMs` are ignored and
 * counted; a window with no usable sample inside it has no average.
 *
 * Cost: O(n log n) for n samples (one sort), then O(n) per window.
 *
 * @param samples - demand samples, in any order; pass at least the longest window's worth.
 * @param nowMs - the end of every window, epoch ms.
 * @param windowLengthsMs - the windows' lengths, ms.
 * @returns one average per window and the count of ignored samples.
 * @example
 * ```ts
 * const { windows } = windowAverages(samples, nowMs, [60_000, 6_000]);
 * const stable = windows[0]?.average; // undefined when no sample lies in the last 60 s
 * ```
 */
export function windowAverages(
  samples: readonly DemandSample[],
  nowMs: number,
  windowLengthsMs: readonly number[],
): WindowAverages {
  const usable: DemandSample[] = [];
  let ignored = 0;
  for (const sample of samples) {
    const atMs = (sample as Partial<DemandSample> | null | undefined)?.atMs;
    const value = (sample as Partial<DemandSample> | null | undefined)?.value;
    if (
      typeof atMs === 'number' &&
      typeof value === 'number' &&
      Number.isFinite(atMs) &&
      Number.isFinite(value) &&
      value >= 0 &&
      atMs <= nowMs
    ) {
      usable.push({ atMs, value });
    } else {
      ignored += 1;
    }
  }
  // Array.prototype.sort is stable, so equal times keep their input order.
  usable.sort((a, b) => a.atMs - b.atMs);
  const windows = windowLengthsMs.map((lengthMs) => averageOver(usable, nowMs - lengthMs));
  return { windows, ignored };
}

/** The time-weighted average of sorted samples over `(startMs, last sample]`. */
function averageOver(sorted: readonly DemandSample[], startMs: number): WindowAverage {
  let weighted = 0;
  let coveredMs = 0;
  let sum = 0;
  let count = 0;
  let previousAtMs: number | undefined;
  for (const sample of sorted) {
    if (sample.atMs > startMs) {
      count += 1;
      sum += sample.value;
      if (previousAtMs !== undefined) {
        const spanMs = sample.atMs - Math.max(previousAtMs, startMs);
        if (spanMs > 0) {
          weighted += sample.value * spanMs;
          coveredMs += spanMs;
        }
      }
    }
    previousAtMs = sample.atMs;
  }
  if (count === 0) return { average: undefined, samples: 0 };
  return { average: coveredMs > 0 ? weighted / coveredMs : sum / count, samples: count };
}
