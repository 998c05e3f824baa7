import { HeadroomError, err, ok, type Result } from '@headroom/core';
import { parseFloatToken, type MetricFamily } from './parse.js';

/** One cumulative histogram bucket: `count` observations were ≤ `le`. */
export interface HistogramBucket {
  /** Upper bound (inclusive); the last bucket's is `+Infinity`. */
  readonly le: number;
  /** Cumulative count of observations ≤ `le`. */
  readonly count: number;
}

/** One histogram series: the buckets, sum and count that share a label set. */
export interface HistogramSeries {
  /** The series' labels without `le`. */
  readonly labels: Readonly<Record<string, string>>;
  /** Buckets sorted by `le`, ending with `+Inf`. */
  readonly buckets: readonly HistogramBucket[];
  /** `_sum`, if present. */
  readonly sum: number | undefined;
  /** `_count`, if present (else the `+Inf` bucket's count). */
  readonly count: number;
}

function labelKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .filter((k) => k !== 'le')
    .sort()
    .map((k) => `${k}\u0001${labels[k] as string}`)
    .join('\u0000');
}

function withoutLe(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (k !== 'le') out[k] = v;
  return out;
}

/**
 * Groups a histogram family's samples into series (one per label set) and checks that each is
 * a valid cumulative histogram: a `+Inf` bucket, counts that never decrease with `le`, and a
 * `_count` equal to the `+Inf` bucket.
 *
 * @returns the series, or an `invalid_input` error naming the family and the broken rule.
 */
export function histogramSeries(family: MetricFamily): Result<HistogramSeries[]> {
  if (family.type !== 'histogram' && family.type !== 'gaugehistogram') {
    return err(
      new HeadroomError({
        code: 'invalid_input',
        message: `${family.name} is a ${family.type}, not a histogram`,
        path: [family.name],
      }),
    );
  }
  const groups = new Map<
    string,
    { labels: Record<string, string>; buckets: HistogramBucket[]; sum?: number; count?: number }
  >();
  const group = (labels: Readonly<Record<string, string>>) => {
    const key = labelKey(labels);
    let g = groups.get(key);
    if (g === undefined) {
      g = { labels: withoutLe(labels), buckets: [] };
      groups.set(key, g);
    }
    return g;
  };
  for (const sample of family.samples) {
    if (sample.name === `${family.name}_bucket`) {
      group(sample.labels).buckets.push({
        le: parseFloatToken(sample.labels['le'] ?? '') ?? Number.NaN,
        count: sample.value,
      });
    } else if (sample.name === `${family.name}_sum` || sample.name === `${family.name}_gsum`) {
      group(sample.labels).sum = sample.value;
    } else if (sample.name === `${family.name}_count` || sample.name === `${family.name}_gcount`) {
      group(sample.labels).count = sample.value;
    }
  }
  const out: HistogramSeries[] = [];
  for (const g of groups.values()) {
    const buckets = [...g.buckets].sort((a, b) => a.le - b.le);
    const fail = (message: string) =>
      err(
        new HeadroomError({
          code: 'invalid_input',
          message: `histogram ${family.name}${JSON.stringify(g.labels)}: ${message}`,
          path: [family.name],
        }),
      );
    const last = buckets[buckets.length - 1];
    if (last === undefined || last.le !== Number.POSITIVE_INFINITY) return fail('no +Inf bucket');
    for (let i = 1; i < buckets.length; i++) {
      if ((buckets[i] as HistogramBucket).count < (buckets[i - 1] as HistogramBucket).count)
        return fail('bucket counts decrease as le grows');
    }
    if (buckets.some((b) => !Number.isFinite(b.count) || b.count < 0))
      return fail('a bucket count is negative or not finite');
    if (g.count !== undefined && g.count !== last.count)
      return fail(`_count ${g.count} differs from the +Inf bucket ${last.count}`);
    out.push({ labels: g.labels, buckets, sum: g.sum, count: g.count ?? last.count });
  }
  return ok(out);
}

/**
 * The observations between two readings of the same cumulative histogram (`current − previous`
 * per bucket), as a histogram of its own. If any count went down, the server restarted (a counter
 * reset) and `current` itself is returned, as Prometheus's `rate()` does.
 */
export function histogramDelta(
  previous: HistogramSeries | undefined,
  current: HistogramSeries,
): HistogramSeries {
  if (previous === undefined || previous.buckets.length !== current.buckets.length) return current;
  const buckets: HistogramBucket[] = [];
  for (let i = 0; i < current.buckets.length; i++) {
    const c = current.buckets[i] as HistogramBucket;
    const p = previous.buckets[i] as HistogramBucket;
    if (p.le !== c.le || c.count < p.count) return current;
    buckets.push({ le: c.le, count: c.count - p.count });
  }
  const sum =
    current.sum === undefined || previous.sum === undefined
      ? undefined
      : current.sum - previous.sum;
  return { labels: current.labels, buckets, sum, count: current.count - previous.count };
}

/**
 * The `q` quantile of a cumulative histogram with Prometheus's `histogram_quantile` semantics:
 * find the bucket holding rank `q × count` and interpolate linearly inside it (the lowest bucket
 * from 0 when its bound is positive); a rank in the `+Inf` bucket returns the largest finite
 * bound. `undefined` when the histogram is empty.
 *
 * @throws `HeadroomError` `invalid_argument` when `q` is not in [0, 1].
 * @example
 * ```ts
 * const p99Seconds = histogramQuantile(0.99, histogramDelta(previous, current));
 * ```
 */
export function histogramQuantile(q: number, series: HistogramSeries): number | undefined {
  if (!(q >= 0 && q <= 1)) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be in [0, 1]',
      path: ['q'],
      value: q,
      limit: '[0, 1]',
    });
  }
  const buckets = series.buckets;
  const total = buckets[buckets.length - 1]?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let i = 0;
  while (i < buckets.length - 1 && (buckets[i] as HistogramBucket).count < rank) i++;
  const bucket = buckets[i] as HistogramBucket;
  if (bucket.le === Number.POSITIVE_INFINITY) {
    return buckets.length >= 2 ? (buckets[buckets.length - 2] as HistogramBucket).le : undefined;
  }
  const lowerBound =
    i === 0 ? (bucket.le > 0 ? 0 : bucket.le) : (buckets[i - 1] as HistogramBucket).le;
  const lowerCount = i === 0 ? 0 : (buckets[i - 1] as HistogramBucket).count;
  const inBucket = bucket.count - lowerCount;
  if (inBucket <= 0) return bucket.le;
  return lowerBound + (bucket.le - lowerBound) * ((rank - lowerCount) / inBucket);
}
