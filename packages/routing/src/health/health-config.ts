import { parseConfig, type ErrorPath } from '@headroom/core';
import { z } from 'zod';
import { DEFAULT_FATAL_XIDS, type HealthState } from './gpu-signals.js';

/**
 * Configuration of the health tracker ({@link createHealthTracker}): GPU signal thresholds,
 * hysteresis, and passive outlier detection with the semantics of Envoy's outlier detection
 * (`consecutive_5xx`, `success_rate_*`, `base_ejection_time`, `max_ejection_time`,
 * `max_ejection_percent`; option names keep Envoy's, in camel case and milliseconds). Unknown keys
 * are rejected, so a misspelt option fails instead of being ignored.
 */
export const HealthConfigSchema = z
  .strictObject({
    /**
     * Above this GPU temperature, degrees Celsius, the endpoint is `degraded`. Finite.
     * @defaultValue 85
     */
    degradedTempC: z.number().min(-50).max(200).default(85),
    /**
     * Above this GPU temperature, degrees Celsius, the endpoint is `draining`; must be above
     * `degradedTempC`. Most data-center GPUs start hardware slowdown in the low 90s.
     * @defaultValue 92
     */
    drainTempC: z.number().min(-50).max(200).default(92),
    /**
     * The hysteresis band, degrees Celsius, >= 0: to count towards recovery from a temperature
     * state the temperature must be at or below that state's threshold minus this band.
     * @defaultValue 5
     */
    hysteresisC: z.number().min(0).max(100).default(5),
    /**
     * How long GPU signals must stay clean before a worse GPU state is lifted, ms, >= 0. A state
     * worsens at once; it improves only after every reading for this long was clean.
     * @defaultValue 60_000
     */
    recoveryMs: z.number().min(0).max(86_400_000).default(60_000),
    /**
     * The XID codes that eject a GPU, integers.
     * @defaultValue {@link DEFAULT_FATAL_XIDS}
     */
    fatalXids: z
      .array(z.number().int().min(0))
      .max(1_000)
      .default(() => [...DEFAULT_FATAL_XIDS]),
    /**
     * The routing weight factor of a `degraded` endpoint, in (0, 1] (see {@link healthWeight}).
     * @defaultValue 0.5
     */
    degradedWeight: z.number().gt(0).max(1).default(0.5),
    /**
     * Consecutive failed outcomes that eject an endpoint (Envoy's `consecutive_5xx`), an integer
     * >= 0; 0 turns consecutive-failure ejection off.
     * @defaultValue 5
     */
    consecutive5xx: z.number().int().min(0).max(1_000_000).default(5),
    /**
     * Whether {@link HealthTracker.evaluate} runs success-rate outlier ejection.
     * @defaultValue true
     */
    successRateEnabled: z.boolean().default(true),
    /**
     * How many endpoints must each have at least `successRateRequestVolume` outcomes in the
     * interval for success-rate ejection to run at all (Envoy's `success_rate_minimum_hosts`), an
     * integer >= 1.
     * @defaultValue 5
     */
    successRateMinimumHosts: z.number().int().min(1).max(1_000_000).default(5),
    /**
     * The outcomes an endpoint needs in the interval to take part in success-rate ejection
     * (Envoy's `success_rate_request_volume`), an integer >= 1.
     * @defaultValue 100
     */
    successRateRequestVolume: z.number().int().min(1).max(1_000_000_000).default(100),
    /**
     * Endpoints whose success rate is below `mean - successRateStdevFactor × stdev` are ejected
     * (Envoy's `success_rate_stdev_factor`, which Envoy writes multiplied by 1000: 1900 is 1.9).
     * Finite, >= 0.
     * @defaultValue 1.9
     */
    successRateStdevFactor: z.number().min(0).max(100).default(1.9),
    /**
     * The base ejection time, ms, > 0: the n-th ejection in a row lasts n times this, up to
     * `maxEjectionTimeMs` (Envoy's `base_ejection_time`).
     * @defaultValue 30_000
     */
    baseEjectionTimeMs: z.number().gt(0).max(86_400_000).default(30_000),
    /**
     * The longest an ejection lasts, ms, >= `baseEjectionTimeMs` (Envoy's `max_ejection_time`).
     * @defaultValue 300_000
     */
    maxEjectionTimeMs: z.number().gt(0).max(604_800_000).default(300_000),
    /**
     * The most endpoints outlier detection may hold ejected at once, in percent of the tracked
     * endpoints, in [0, 100] (Envoy's `max_ejection_percent`). As in Envoy, one endpoint can always
     * be ejected whatever the value, so the cap is `max(1, floor(endpoints × percent / 100))`.
     * GPU-fatal ejections do not count against it (they are active signals, not outliers).
     * @defaultValue 10
     */
    maxEjectionPercent: z.number().min(0).max(100).default(10),
    /**
     * How many transitions each endpoint keeps in its event log ({@link HealthTracker.events}),
     * an integer in [0, 1000].
     * @defaultValue 16
     */
    eventLogSize: z.number().int().min(0).max(1_000).default(16),
  })
  .superRefine((c, ctx) => {
    if (!(c.drainTempC > c.degradedTempC)) {
      ctx.addIssue({
        code: 'custom',
        path: ['drainTempC'],
        message: `must be above degradedTempC (${c.degradedTempC})`,
        input: c.drainTempC,
        params: { limit: `> degradedTempC (${c.degradedTempC})` },
      });
    }
    if (c.maxEjectionTimeMs < c.baseEjectionTimeMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxEjectionTimeMs'],
        message: `must be >= baseEjectionTimeMs (${c.baseEjectionTimeMs})`,
        input: c.maxEjectionTimeMs,
        params: { limit: `>= baseEjectionTimeMs (${c.baseEjectionTimeMs})` },
      });
    }
  });

/** What a user passes: {@link HealthConfigSchema}'s input; every field is optional. */
export type HealthConfig = z.input<typeof HealthConfigSchema>;

/** A validated, frozen {@link HealthConfigSchema} with defaults filled in. */
export type ResolvedHealthConfig = Readonly<z.output<typeof HealthConfigSchema>>;

const resolved = new WeakSet<object>();
const cache = new WeakMap<object, ResolvedHealthConfig>();

/**
 * Validates a health configuration once: returns it frozen with defaults filled in.
 *
 * @param input - the configuration; see {@link HealthConfigSchema}. @defaultValue `{}`
 * @param path - where the configuration sits in a larger one, prefixed to error paths.
 * @defaultValue `[]`
 * @throws `HeadroomError` `invalid_config` naming the field, the bound and the offending value.
 * @example
 * ```ts
 * const config = parseHealthConfig({ degradedTempC: 80, consecutive5xx: 3 });
 * config.maxEjectionPercent; // 10
 * ```
 */
export function parseHealthConfig(
  input: HealthConfig = {},
  path: ErrorPath = [],
): ResolvedHealthConfig {
  const config = parseConfig(HealthConfigSchema, input, path);
  resolved.add(config);
  return config;
}

/**
 * Returns a resolved configuration for either a raw input or an already resolved one, parsing a
 * raw object at most once (remembered per object).
 */
export function resolveHealthConfig(
  config: HealthConfig | ResolvedHealthConfig | undefined,
): ResolvedHealthConfig {
  if (config === undefined) return DEFAULT_HEALTH_CONFIG;
  if (resolved.has(config)) return config as ResolvedHealthConfig;
  const known = cache.get(config);
  if (known !== undefined) return known;
  const parsed = parseHealthConfig(config);
  cache.set(config, parsed);
  return parsed;
}

/** The health configuration with every default. */
export const DEFAULT_HEALTH_CONFIG: ResolvedHealthConfig = parseHealthConfig({});

/**
 * The routing weight factor of a health state: `healthy` 1, `degraded` the configured
 * `degradedWeight` (0.5 by default), `draining` and `ejected` 0. Multiply an endpoint's weight by
 * it; an endpoint with factor 0 must not receive new work.
 *
 * @param state - the endpoint's health state.
 * @param config - a health configuration (raw or resolved). @defaultValue the defaults
 * @returns a factor in [0, 1].
 * @throws `HeadroomError` `invalid_config` when a raw `config` is invalid.
 * @example
 * ```ts
 * healthWeight('degraded'); // 0.5
 * healthWeight('draining'); // 0
 * ```
 */
export function healthWeight(
  state: HealthState,
  config?: HealthConfig | ResolvedHealthConfig,
): number {
  switch (state) {
    case 'healthy':
      return 1;
    case 'degraded':
      return resolveHealthConfig(config).degradedWeight;
    case 'draining':
    case 'ejected':
      return 0;
  }
}
