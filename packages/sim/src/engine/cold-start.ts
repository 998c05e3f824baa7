import { HeadroomError, parseConfig, type Random } from '@headroom/core';
import { z } from 'zod';

/** The built-in cold-start presets; see {@link coldStartPreset}. */
export const COLD_START_PRESETS = [
  'production-bimodal',
  'cached',
  'uncached',
  '70b-minutes',
] as const;

/** One of {@link COLD_START_PRESETS}. */
export type ColdStartPresetName = (typeof COLD_START_PRESETS)[number];

/**
 * A cold-start distribution: a mixture of log-normals. A draw picks a component with probability
 * `weight / Σ weights`, then returns `medianMs × exp(sigma × Z)` with Z standard normal. A
 * component with `sigma: 0` is a fixed time.
 */
export const ColdStartDistributionSchema = z.strictObject({
  /** Discriminant. */
  kind: z.literal('lognormal-mixture'),
  /** The components, 1 to 16. */
  components: z
    .array(
      z.strictObject({
        /** Relative weight, > 0 (weights need not sum to 1). */
        weight: z.number().positive().max(1e9),
        /** Median of the component, ms, >= 0 and at most one day. */
        medianMs: z.number().min(0).max(86_400_000),
        /** Log-space standard deviation, in [0, 3]; 0 is a fixed time. */
        sigma: z.number().min(0).max(3),
      }),
    )
    .min(1)
    .max(16)
    .readonly(),
});

/** Input of {@link ColdStartDistributionSchema}. */
export type ColdStartDistributionInput = z.input<typeof ColdStartDistributionSchema>;

/** A validated cold-start distribution. */
export type ColdStartDistribution = z.output<typeof ColdStartDistributionSchema>;

/**
 * Where the presets come from (`shared/data/perf/cold_start_reference.csv`):
 *
 * - `production-bimodal`: Alibaba's production serverless GenAI fleet (7,531 base-model loads):
 *   36% of loads are fast (model cached on the host: median 2.85 s) and 64% slow (fetched: median
 *   34.7 s, p90 of the slow mode 44.2 s, overall p99 51.8 s). Each mode is a log-normal whose
 *   sigma is fitted to those quantiles (0.2 and 0.19). The mixture's p99 is about 52 s as
 *   measured; its median is about 30 s, above the measured 22.7 s, because the measured slow mode
 *   has a heavier left tail than a log-normal.
 * - `cached`: the fast mode alone (page-cache-warm weights: 1-4 s loads in the benchmarks).
 * - `uncached`: the slow mode alone (weights from NVMe or the network: tens of seconds).
 * - `70b-minutes`: 70B-class end-to-end cold starts, reported at 80-550 s: median 150 s,
 *   sigma 0.5 (p5 about 66 s, p95 about 340 s).
 */
const PRESETS: Readonly<Record<ColdStartPresetName, ColdStartDistribution>> = Object.freeze({
  'production-bimodal': {
    kind: 'lognormal-mixture',
    components: [
      { weight: 0.36, medianMs: 2_845, sigma: 0.2 },
      { weight: 0.64, medianMs: 34_676, sigma: 0.19 },
    ],
  },
  cached: { kind: 'lognormal-mixture', components: [{ weight: 1, medianMs: 2_845, sigma: 0.2 }] },
  uncached: {
    kind: 'lognormal-mixture',
    components: [{ weight: 1, medianMs: 34_676, sigma: 0.19 }],
  },
  '70b-minutes': {
    kind: 'lognormal-mixture',
    components: [{ weight: 1, medianMs: 150_000, sigma: 0.5 }],
  },
});

/**
 * A built-in cold-start distribution (see {@link COLD_START_PRESETS}); the default is
 * `production-bimodal`, fitted to a production fleet's measured loads.
 *
 * @throws `HeadroomError` `invalid_argument` for an unknown name, listing the known ones.
 * @example
 * ```ts
 * simulate({ trace, policy, coldStart: coldStartPreset('70b-minutes') });
 * ```
 */
export function coldStartPreset(name: ColdStartPresetName): ColdStartDistribution {
  const preset = (PRESETS as Readonly<Record<string, ColdStartDistribution>>)[name];
  if (preset === undefined) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'unknown cold-start preset',
      path: ['coldStart'],
      value: name,
      limit: `one of: ${COLD_START_PRESETS.join(', ')}`,
    });
  }
  return preset;
}

/**
 * Validates a cold-start option: a preset name or a custom distribution.
 * @throws `HeadroomError` `invalid_config` naming the field.
 */
export function resolveColdStart(
  input: ColdStartPresetName | ColdStartDistributionInput,
): ColdStartDistribution {
  if (typeof input === 'string') {
    if (!(COLD_START_PRESETS as readonly string[]).includes(input)) {
      throw new HeadroomError({
        code: 'invalid_config',
        message: 'unknown cold-start preset',
        path: ['coldStart'],
        value: input,
        limit: `one of: ${COLD_START_PRESETS.join(', ')}`,
      });
    }
    return coldStartPreset(input);
  }
  return parseConfig(ColdStartDistributionSchema, input, ['coldStart']);
}

/**
 * One cold-start time, ms (finite, >= 0): a component by weight, then a log-normal draw by
 * Box-Muller. Uses three draws of `random` per call, always, so a run's other draws never shift.
 */
export function sampleColdStartMs(dist: ColdStartDistribution, random: Random): number {
  const components = dist.components;
  let total = 0;
  for (const c of components) total += c.weight;
  let u = random.nextFloat() * total;
  let chosen = components[components.length - 1] as ColdStartDistribution['components'][number];
  for (const c of components) {
    if (u < c.weight) {
      chosen = c;
      break;
    }
    u -= c.weight;
  }
  const u1 = random.nextFloat();
  const u2 = random.nextFloat();
  const z = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  const value = chosen.medianMs * Math.exp(chosen.sigma * z);
  return Number.isFinite(value) ? Math.min(value, 86_400_000 * 7) : chosen.medianMs;
}

/** erf by Abramowitz and Stegun 7.1.26 (absolute error < 1.5e-7). */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-a * a);
  return sign * y;
}

function mixtureCdf(dist: ColdStartDistribution, x: number): number {
  let total = 0;
  let acc = 0;
  for (const c of dist.components) {
    total += c.weight;
    let p: number;
    if (c.sigma === 0 || c.medianMs === 0) p = x >= c.medianMs ? 1 : 0;
    else if (x <= 0) p = 0;
    else p = 0.5 * (1 + erf(Math.log(x / c.medianMs) / (c.sigma * Math.SQRT2)));
    acc += c.weight * p;
  }
  return acc / total;
}

/**
 * The `q`-quantile of a cold-start distribution, ms (bisection on the mixture's CDF, to 1 ms).
 * `q` is clamped to [0, 1]; NaN reads as 0.5.
 */
export function coldStartQuantileMs(dist: ColdStartDistribution, q: number): number {
  const p = Number.isNaN(q) ? 0.5 : Math.min(1, Math.max(0, q));
  let lo = 0;
  let hi = 1;
  for (const c of dist.components) hi = Math.max(hi, c.medianMs * Math.exp(c.sigma * 9));
  for (let i = 0; i < 200 && hi - lo > 0.5; i++) {
    const mid = (lo + hi) / 2;
    if (mixtureCdf(dist, mid) < p) lo = mid;
    else hi = mid;
  }
  return Math.round(hi);
}

/** A short description for reports: `lognormal-mixture(36% 2.8 s σ0.2, 64% 34.7 s σ0.19)`. */
export function describeColdStart(dist: ColdStartDistribution): string {
  let total = 0;
  for (const c of dist.components) total += c.weight;
  return `lognormal-mixture(${dist.components
    .map(
      (c) =>
        `${Math.round((100 * c.weight) / total)}% ${(c.medianMs / 1000).toFixed(1)} s σ${c.sigma}`,
    )
    .join(', ')})`;
}
