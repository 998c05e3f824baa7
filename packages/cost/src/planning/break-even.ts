import { fromZodError } from '@headroom/core';
import { z } from 'zod';

function parse<TSchema extends z.ZodType>(
  schema: TSchema,
  input: unknown,
  name: string,
): z.output<TSchema> {
  const result = schema.safeParse(input, { reportInput: true });
  if (!result.success) throw fromZodError(result.error, 'invalid_argument', [name]);
  return result.data;
}

function usd(value: number): string {
  return `$${value.toFixed(2)}`;
}

// ---- edge vs central --------------------------------------------------------------------------

/**
 * Inputs of {@link edgeVsCentralBreakEven}.
 *
 * - `requestsPerSecond`: total load, requests/s (>= 0).
 * - `requestsPerSecondPerGpu`: what one GPU carries at its target utilization, requests/s (> 0).
 * - `edgeSites`: edge sites the load is split over, integer >= 1.
 * - `edgeLoadShares`: each site's share of the load (one per site, >= 0, summing to 1).
 *   @defaultValue an even split
 * - `minGpusPerEdgeSite`: GPUs a site keeps however little load it has (1, or 2 for
 *   redundancy), integer >= 1. @defaultValue 1
 * - `centralUsdPerGpuHour`, `edgeUsdPerGpuHour`: prices per GPU-hour (> 0); edge GPUs usually
 *   cost more (smaller pools, colocation).
 * - `latencySavedMs`: round-trip time the edge saves per request, ms (>= 0).
 * - `valueUsdPerRequestSecondSaved`: what one second less latency on one request is worth to you,
 *   USD (>= 0). Without it the verdict is `needs_value` whenever the edge costs more.
 */
export const EdgeVsCentralInputSchema = z
  .strictObject({
    /** Total load, requests/s (>= 0). */
    requestsPerSecond: z.number().min(0),
    /** What one GPU carries at its target utilization, requests/s (> 0). */
    requestsPerSecondPerGpu: z.number().positive(),
    /** Edge sites the load is split over, integer >= 1. */
    edgeSites: z.number().int().min(1).max(100_000),
    /** Each site's share of the load, summing to 1. @defaultValue an even split */
    edgeLoadShares: z.array(z.number().min(0).max(1)).optional(),
    /** GPUs a site keeps however little load it has, integer >= 1. @defaultValue 1 */
    minGpusPerEdgeSite: z.number().int().min(1).default(1),
    /** Central price per GPU-hour (> 0). */
    centralUsdPerGpuHour: z.number().positive(),
    /** Edge price per GPU-hour (> 0). */
    edgeUsdPerGpuHour: z.number().positive(),
    /** Round-trip time the edge saves per request, ms (>= 0). */
    latencySavedMs: z.number().min(0),
    /** What one second less latency on one request is worth, USD (>= 0). */
    valueUsdPerRequestSecondSaved: z.number().min(0).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.edgeLoadShares === undefined) return;
    if (v.edgeLoadShares.length !== v.edgeSites) {
      ctx.addIssue({
        code: 'custom',
        message: `must have one share per edge site (${v.edgeSites})`,
        path: ['edgeLoadShares'],
        input: v.edgeLoadShares.length,
        params: { limit: `length ${v.edgeSites}` },
      });
      return;
    }
    const total = v.edgeLoadShares.reduce((a, b) => a + b, 0);
    if (Math.abs(total - 1) > 1e-6) {
      ctx.addIssue({
        code: 'custom',
        message: 'shares must sum to 1',
        path: ['edgeLoadShares'],
        input: total,
        params: { limit: 'sum = 1' },
      });
    }
  });

/** An input to {@link EdgeVsCentralInputSchema}. */
export type EdgeVsCentralInput = z.input<typeof EdgeVsCentralInputSchema>;

/** What {@link edgeVsCentralBreakEven} returns. */
export interface EdgeVsCentralBreakEven {
  /** GPUs to serve the load centrally: `max(1, ceil(rps / rpsPerGpu))`. */
  readonly centralGpus: number;
  /** GPUs over all edge sites: sum of `max(minGpusPerEdgeSite, ceil(rps * share / rpsPerGpu))`. */
  readonly edgeGpus: number;
  /** Central fleet cost, USD/hour. */
  readonly centralUsdPerHour: number;
  /** Edge fleet cost, USD/hour. */
  readonly edgeUsdPerHour: number;
  /** `edgeUsdPerHour - centralUsdPerHour` (negative when the edge is cheaper). */
  readonly addedUsdPerHour: number;
  /** The added cost per million requests, USD, or `null` without load. */
  readonly addedUsdPerMillionRequests: number | null;
  /** Request-seconds of latency the edge saves per hour: `rps * 3600 * latencySavedMs / 1000`. */
  readonly latencySecondsSavedPerHour: number;
  /**
   * What one request-second saved costs: `addedUsdPerHour / latencySecondsSavedPerHour`; the edge
   * pays off when a second saved on a request is worth more. `null` when nothing is saved.
   */
  readonly breakEvenUsdPerRequestSecond: number | null;
  /** `edge` (pays off or costs nothing more), `central`, or `needs_value` (no value given). */
  readonly verdict: 'edge' | 'central' | 'needs_value';
  /** The numbers behind the verdict, in words. */
  readonly explanation: string;
}

/**
 * Edge vs central serving: how much more an edge fleet costs than a central one for the same load,
 * and what each second of latency it saves therefore costs.
 *
 * The central fleet needs `max(1, ceil(rps / rpsPerGpu))` GPUs; each edge site needs
 * `max(minGpusPerEdgeSite, ceil(rps * share / rpsPerGpu))`, so splitting the load loses pooling
 * (many partly used GPUs instead of a few full ones). `addedUsdPerHour = edgeGpus * edgePrice -
 * centralGpus * centralPrice`; the edge saves `rps * 3600 * latencySavedMs / 1000` request-seconds
 * an hour, and it pays off when a request-second is worth at least
 * `addedUsdPerHour / secondsSavedPerHour`.
 *
 * @throws `HeadroomError` `invalid_argument` naming the path (under `input`) of a bad field.
 * @example
 * ```ts
 * const r = edgeVsCentralBreakEven({
 *   requestsPerSecond: 40, requestsPerSecondPerGpu: 10, edgeSites: 6,
 *   centralUsdPerGpuHour: 1.0, edgeUsdPerGpuHour: 1.4, latencySavedMs: 60,
 * });
 * r.breakEvenUsdPerRequestSecond; // cost of each second saved
 * ```
 */
export function edgeVsCentralBreakEven(input: EdgeVsCentralInput): EdgeVsCentralBreakEven {
  const v = parse(EdgeVsCentralInputSchema, input, 'input');
  const centralGpus = Math.max(
    1,
    Math.ceil(v.requestsPerSecond / v.requestsPerSecondPerGpu - 1e-9),
  );
  let edgeGpus = 0;
  for (let i = 0; i < v.edgeSites; i++) {
    const share = v.edgeLoadShares?.[i] ?? 1 / v.edgeSites;
    const needed = Math.ceil((v.requestsPerSecond * share) / v.requestsPerSecondPerGpu - 1e-9);
    edgeGpus += Math.max(v.minGpusPerEdgeSite, needed);
  }
  const centralUsdPerHour = centralGpus * v.centralUsdPerGpuHour;
  const edgeUsdPerHour = edgeGpus * v.edgeUsdPerGpuHour;
  const addedUsdPerHour = edgeUsdPerHour - centralUsdPerHour;
  const requestsPerHour = v.requestsPerSecond * 3600;
  const latencySecondsSavedPerHour = (requestsPerHour * v.latencySavedMs) / 1000;
  const breakEvenUsdPerRequestSecond =
    latencySecondsSavedPerHour > 0 ? addedUsdPerHour / latencySecondsSavedPerHour : null;
  let verdict: EdgeVsCentralBreakEven['verdict'];
  if (addedUsdPerHour <= 0) verdict = 'edge';
  else if (v.valueUsdPerRequestSecondSaved === undefined) verdict = 'needs_value';
  else if (
    breakEvenUsdPerRequestSecond !== null &&
    v.valueUsdPerRequestSecondSaved >= breakEvenUsdPerRequestSecond
  )
    verdict = 'edge';
  else verdict = 'central';
  const perSecond =
    breakEvenUsdPerRequestSecond === null
      ? 'the edge saves no latency'
      : `each request-second saved costs $${breakEvenUsdPerRequestSecond.toPrecision(3)}`;
  const explanation =
    `central: ${centralGpus} GPU(s) at ${usd(centralUsdPerHour)}/h; edge: ${edgeGpus} GPU(s) over ` +
    `${v.edgeSites} site(s) at ${usd(edgeUsdPerHour)}/h; the edge adds ${usd(addedUsdPerHour)}/h ` +
    `and saves ${latencySecondsSavedPerHour.toFixed(0)} request-seconds/h, so ${perSecond}` +
    (v.valueUsdPerRequestSecondSaved === undefined
      ? ''
      : ` (valued at $${v.valueUsdPerRequestSecondSaved})`) +
    `: ${verdict}`;
  return {
    centralGpus,
    edgeGpus,
    centralUsdPerHour,
    edgeUsdPerHour,
    addedUsdPerHour,
    addedUsdPerMillionRequests:
      requestsPerHour > 0 ? (addedUsdPerHour / requestsPerHour) * 1e6 : null,
    latencySecondsSavedPerHour,
    breakEvenUsdPerRequestSecond,
    verdict,
    explanation,
  };
}

// ---- serverless vs always-on ------------------------------------------------------------------

/**
 * Inputs of {@link serverlessVsAlwaysOnBreakEven}.
 *
 * - `requestsPerHour`: mean arrivals, requests/hour (>= 0), assumed Poisson.
 * - `serviceSeconds`: GPU-busy seconds per request (> 0).
 * - `serverlessUsdPerSecond`: what the serverless platform bills per second an instance is up
 *   (busy, kept warm, or, if `coldStartBilled`, starting), USD (>= 0).
 * - `idleTimeoutSeconds`: how long an idle serverless instance is kept before it scales to zero,
 *   s (>= 0).
 * - `coldStartSeconds`: time to start an instance and load the model, s (>= 0).
 * - `coldStartBilled`: whether start-up seconds are billed. @defaultValue true
 * - `coldStartPenaltyUsd`: what one cold start costs you (a request that misses its SLO, a user
 *   who leaves), USD (>= 0).
 * - `alwaysOnUsdPerHour`: one always-on instance, USD/hour (>= 0).
 * - `alwaysOnMaxUtilization`: the busy fraction an always-on instance is run at, in (0, 1].
 *   @defaultValue 0.7
 */
export const ServerlessVsAlwaysOnInputSchema = z.strictObject({
  /** Mean arrivals, requests/hour (>= 0), assumed Poisson. */
  requestsPerHour: z.number().min(0),
  /** GPU-busy seconds per request (> 0). */
  serviceSeconds: z.number().positive(),
  /** Serverless price per billed second, USD (>= 0). */
  serverlessUsdPerSecond: z.number().min(0),
  /** Keep-alive after the last request before scaling to zero, s (>= 0). */
  idleTimeoutSeconds: z.number().min(0),
  /** Time to start an instance and load the model, s (>= 0). */
  coldStartSeconds: z.number().min(0),
  /** Whether start-up seconds are billed. @defaultValue true */
  coldStartBilled: z.boolean().default(true),
  /** What one cold start costs you, USD (>= 0). */
  coldStartPenaltyUsd: z.number().min(0),
  /** One always-on instance, USD/hour (>= 0). */
  alwaysOnUsdPerHour: z.number().min(0),
  /** Busy fraction an always-on instance runs at, in (0, 1]. @defaultValue 0.7 */
  alwaysOnMaxUtilization: z.number().positive().max(1).default(0.7),
});

/** An input to {@link ServerlessVsAlwaysOnInputSchema}. */
export type ServerlessVsAlwaysOnInput = z.input<typeof ServerlessVsAlwaysOnInputSchema>;

/** What {@link serverlessVsAlwaysOnBreakEven} returns. */
export interface ServerlessVsAlwaysOnBreakEven {
  /** Probability a request finds no warm instance: `exp(-lambda * idleTimeoutSeconds)`. */
  readonly coldStartProbability: number;
  /** Expected cold starts per hour: `requestsPerHour * coldStartProbability`. */
  readonly coldStartsPerHour: number;
  /** Billed serverless seconds per hour: busy + kept warm + (billed) starting. */
  readonly serverlessBilledSecondsPerHour: number;
  /** Serverless bill, USD/hour. */
  readonly serverlessUsdPerHour: number;
  /** Cold-start penalty, USD/hour: `coldStartsPerHour * coldStartPenaltyUsd`. */
  readonly coldStartPenaltyUsdPerHour: number;
  /** Serverless bill plus penalty, USD/hour. */
  readonly serverlessTotalUsdPerHour: number;
  /** Always-on instances: `max(1, ceil(lambda * serviceSeconds / alwaysOnMaxUtilization))`. */
  readonly alwaysOnInstances: number;
  /** Always-on cost, USD/hour. */
  readonly alwaysOnUsdPerHour: number;
  /**
   * The largest penalty per cold start at which serverless still costs no more, USD, finite and
   * >= 0: `(alwaysOn - serverlessBill) / coldStartsPerHour`. `null` when there is no such
   * penalty; {@link ServerlessVsAlwaysOnBreakEven.breakEvenReason} says why.
   */
  readonly breakEvenColdStartPenaltyUsd: number | null;
  /**
   * What {@link ServerlessVsAlwaysOnBreakEven.breakEvenColdStartPenaltyUsd} means:
   *
   * - `penalty_threshold`: it is a number; serverless wins while a cold start costs at most that.
   * - `always_on_cheaper`: `null`; the serverless bill alone (busy, kept-warm and start-up
   *   seconds) already exceeds always-on, so always-on wins at any penalty, even 0.
   * - `no_cold_starts`: `null`; there are no cold starts to price (no traffic, or cold starts
   *   too rare for a finite figure), so the penalty does not matter and the bills decide.
   */
  readonly breakEvenReason: 'penalty_threshold' | 'always_on_cheaper' | 'no_cold_starts';
  /** The cheaper option, counting the penalty (ties go to serverless). */
  readonly verdict: 'serverless' | 'always-on';
  /** The numbers behind the verdict, in words. */
  readonly explanation: string;
}

/**
 * Serverless (scale to zero, billed per second) vs one always-on instance: the cold-start penalty
 * times the rate of cold starts against the cost of idling.
 *
 * Arrivals are Poisson at `lambda = requestsPerHour / 3600` per second. A serverless instance
 * stays up `idleTimeoutSeconds` after each request, so a request starts it cold when the gap
 * since the last one exceeds the timeout: probability `exp(-lambda * timeout)`. Per hour it is
 * billed for busy seconds `requestsPerHour * serviceSeconds`, kept-warm seconds
 * `3600 * (1 - exp(-lambda * timeout))` (each gap is billed up to the timeout: E[min(gap, timeout)]
 * = (1 - exp(-lambda * timeout)) / lambda), and, when billed, `coldStarts * coldStartSeconds`.
 * The always-on side runs `max(1, ceil(lambda * serviceSeconds / maxUtilization))` instances. The
 * model assumes one serverless instance is mostly idle (`lambda * serviceSeconds` well below 1),
 * the regime where the question arises; at higher load always-on wins anyway.
 *
 * The break-even penalty per cold start is reported only when one exists: when the serverless
 * bill alone already exceeds always-on, no penalty (not even 0) makes serverless win, and the
 * result says so (`breakEvenColdStartPenaltyUsd: null`, `breakEvenReason: 'always_on_cheaper'`)
 * rather than giving a negative price. Every number returned is finite.
 *
 * @throws `HeadroomError` `invalid_argument` naming the path (under `input`) of a bad field.
 * @example
 * ```ts
 * const r = serverlessVsAlwaysOnBreakEven({
 *   requestsPerHour: 30, serviceSeconds: 4, serverlessUsdPerSecond: 0.0011,
 *   idleTimeoutSeconds: 300, coldStartSeconds: 40, coldStartPenaltyUsd: 0.05, alwaysOnUsdPerHour: 1.01,
 * });
 * r.verdict;
 * ```
 */
export function serverlessVsAlwaysOnBreakEven(
  input: ServerlessVsAlwaysOnInput,
): ServerlessVsAlwaysOnBreakEven {
  const v = parse(ServerlessVsAlwaysOnInputSchema, input, 'input');
  const lambda = v.requestsPerHour / 3600;
  const coldStartProbability = Math.exp(-lambda * v.idleTimeoutSeconds);
  const coldStartsPerHour = v.requestsPerHour * coldStartProbability;
  const busySeconds = v.requestsPerHour * v.serviceSeconds;
  const warmSeconds = lambda > 0 ? 3600 * (1 - coldStartProbability) : 0;
  const startSeconds = v.coldStartBilled ? coldStartsPerHour * v.coldStartSeconds : 0;
  const serverlessBilledSecondsPerHour = busySeconds + warmSeconds + startSeconds;
  const serverlessUsdPerHour = serverlessBilledSecondsPerHour * v.serverlessUsdPerSecond;
  const coldStartPenaltyUsdPerHour = coldStartsPerHour * v.coldStartPenaltyUsd;
  const serverlessTotalUsdPerHour = serverlessUsdPerHour + coldStartPenaltyUsdPerHour;
  const alwaysOnInstances = Math.max(
    1,
    Math.ceil((lambda * v.serviceSeconds) / v.alwaysOnMaxUtilization - 1e-9),
  );
  const alwaysOnUsdPerHour = alwaysOnInstances * v.alwaysOnUsdPerHour;
  // A negative ratio would read as a "penalty" below zero: say instead that always-on wins outright.
  const ratio =
    coldStartsPerHour > 0
      ? (alwaysOnUsdPerHour - serverlessUsdPerHour) / coldStartsPerHour
      : Number.NaN;
  const breakEvenReason: ServerlessVsAlwaysOnBreakEven['breakEvenReason'] =
    serverlessUsdPerHour > alwaysOnUsdPerHour
      ? 'always_on_cheaper'
      : Number.isFinite(ratio)
        ? 'penalty_threshold'
        : 'no_cold_starts';
  const breakEvenColdStartPenaltyUsd =
    breakEvenReason === 'penalty_threshold' ? Math.max(0, ratio) : null;
  const verdict = serverlessTotalUsdPerHour <= alwaysOnUsdPerHour ? 'serverless' : 'always-on';
  const explanation =
    `serverless: ${serverlessBilledSecondsPerHour.toFixed(0)} billed s/h = ${usd(serverlessUsdPerHour)}/h ` +
    `plus ${coldStartsPerHour.toFixed(2)} cold starts/h x $${v.coldStartPenaltyUsd} = ` +
    `${usd(coldStartPenaltyUsdPerHour)}/h; always-on: ${alwaysOnInstances} instance(s) = ` +
    `${usd(alwaysOnUsdPerHour)}/h` +
    (breakEvenColdStartPenaltyUsd !== null
      ? `; serverless wins while a cold start costs under $${breakEvenColdStartPenaltyUsd.toPrecision(3)}`
      : breakEvenReason === 'always_on_cheaper'
        ? '; always-on is cheaper at any cold-start penalty (the serverless bill alone exceeds it)'
        : '') +
    `: ${verdict}`;
  return {
    coldStartProbability,
    coldStartsPerHour,
    serverlessBilledSecondsPerHour,
    serverlessUsdPerHour,
    coldStartPenaltyUsdPerHour,
    serverlessTotalUsdPerHour,
    alwaysOnInstances,
    alwaysOnUsdPerHour,
    breakEvenColdStartPenaltyUsd,
    breakEvenReason,
    verdict,
    explanation,
  };
}

// ---- warm pool size ---------------------------------------------------------------------------

/**
 * Inputs of {@link warmPoolBreakEven}.
 *
 * - `launchesPerHour`: how often scale-out needs a new ready instance, per hour (>= 0), assumed
 *   Poisson.
 * - `coldStartSeconds`: time to make a new instance ready, s (> 0): also how long a warm
 *   instance taken from the pool takes to be replaced.
 * - `sloMissesPerColdLaunch`: requests that miss their SLO when a launch must start cold
 *   (for example the requests queued during the cold start), >= 0.
 * - `usdPerSloMiss`: what one miss costs you, USD (>= 0).
 * - `warmInstanceUsdPerHour`: holding one warm instance, USD/hour (>= 0): a stopped instance in an
 *   EC2 Auto Scaling warm pool pays only its volumes, a running one the full price.
 * - `maxPoolSize`: the largest size considered, integer >= 0. @defaultValue 1000
 */
export const WarmPoolBreakEvenInputSchema = z.strictObject({
  /** Launches that need a ready instance, per hour (>= 0), assumed Poisson. */
  launchesPerHour: z.number().min(0),
  /** Time to make a new instance ready, s (> 0). */
  coldStartSeconds: z.number().positive(),
  /** Requests that miss their SLO per cold launch (>= 0). */
  sloMissesPerColdLaunch: z.number().min(0),
  /** What one SLO miss costs, USD (>= 0). */
  usdPerSloMiss: z.number().min(0),
  /** Holding one warm instance, USD/hour (>= 0). */
  warmInstanceUsdPerHour: z.number().min(0),
  /** The largest size considered, integer in [0, 100000]. @defaultValue 1000 */
  maxPoolSize: z.number().int().min(0).max(100_000).default(1000),
});

/** An input to {@link WarmPoolBreakEvenInputSchema}. */
export type WarmPoolBreakEvenInput = z.input<typeof WarmPoolBreakEvenInputSchema>;

/** One pool size in {@link WarmPoolBreakEven.table}. */
export interface WarmPoolStep {
  /** Warm instances held. */
  readonly size: number;
  /** Probability a launch finds the pool empty: `P(N >= size)`. */
  readonly coldLaunchProbability: number;
  /** Expected SLO misses per hour at this size. */
  readonly sloMissesPerHour: number;
  /** USD/hour saved by this size's last instance: `lambda * P(N = size - 1) * misses * usd` (0 at size 0). */
  readonly marginalBenefitUsdPerHour: number;
  /** USD/hour that instance costs (0 at size 0). */
  readonly marginalCostUsdPerHour: number;
  /** Misses avoided (vs no pool) in USD minus holding cost, USD/hour. */
  readonly netUsdPerHour: number;
}

/** What {@link warmPoolBreakEven} returns. */
export interface WarmPoolBreakEven {
  /** The pool size with the best net value (the smallest on ties). */
  readonly size: number;
  /** Mean replacements in flight: `a = launchesPerHour * coldStartSeconds / 3600`. */
  readonly meanInFlight: number;
  /** Expected SLO misses per hour at `size`. */
  readonly sloMissesPerHour: number;
  /** SLO misses per hour avoided at `size` compared with no pool. */
  readonly sloMissesAvoidedPerHour: number;
  /** Holding cost at `size`, USD/hour. */
  readonly warmCostUsdPerHour: number;
  /** Net value at `size`, USD/hour (>= 0: size 0 has net 0). */
  readonly netUsdPerHour: number;
  /** Every size from 0 up to where further instances can no longer pay (or `maxPoolSize`). */
  readonly table: readonly WarmPoolStep[];
  /** The numbers behind the size, in words. */
  readonly explanation: string;
}

/**
 * The warm pool size at which one more warm instance costs more than the SLO misses it avoids.
 *
 * A base-stock model from inventory theory: each launch takes a warm instance if one is there and
 * orders its replacement, which is ready `coldStartSeconds` later. With Poisson launches, the
 * replacements in flight are Poisson with mean `a = launchesPerHour * coldStartSeconds / 3600`
 * (Palm's theorem for the M/G/infinity queue), and a launch finds the pool of size W empty with
 * probability `P(N >= W)`. So misses per hour are
 * `launchesPerHour * P(N >= W) * sloMissesPerColdLaunch`, and the W-th instance saves
 * `launchesPerHour * P(N = W - 1) * sloMissesPerColdLaunch * usdPerSloMiss` per hour against its
 * `warmInstanceUsdPerHour`. The Poisson probabilities rise then fall, so the marginal benefit is
 * not monotone: the size returned maximises the net value over all sizes, which is where the
 * marginal cost comes to exceed the marginal benefit for good.
 *
 * Compare `warmPoolSize` in `@headroom/scaling`, which sizes the pool from a quantile of observed
 * ramps rather than from prices.
 *
 * @throws `HeadroomError` `invalid_argument` naming the path (under `input`) of a bad field.
 * @example
 * ```ts
 * const r = warmPoolBreakEven({
 *   launchesPerHour: 12, coldStartSeconds: 90, sloMissesPerColdLaunch: 40,
 *   usdPerSloMiss: 0.02, warmInstanceUsdPerHour: 0.1,
 * });
 * r.size;
 * ```
 */
export function warmPoolBreakEven(input: WarmPoolBreakEvenInput): WarmPoolBreakEven {
  const v = parse(WarmPoolBreakEvenInputSchema, input, 'input');
  const a = (v.launchesPerHour * v.coldStartSeconds) / 3600;
  const usdPerColdLaunch = v.sloMissesPerColdLaunch * v.usdPerSloMiss;
  // Sizes beyond a + 12 sqrt(a) + 20 change P(N >= W) by far less than 1e-12.
  const last = Math.min(v.maxPoolSize, Math.ceil(a + 12 * Math.sqrt(a) + 20));
  const logA = Math.log(a);
  const table: WarmPoolStep[] = [];
  let tail = 1; // P(N >= size)
  let logPmf = -a; // log P(N = size)
  let saved = 0;
  let best = 0;
  let bestNet = 0;
  const missesNoPool = v.launchesPerHour * v.sloMissesPerColdLaunch;
  for (let size = 0; size <= last; size++) {
    let marginalBenefit = 0;
    if (size > 0) {
      const pmf = a === 0 ? (size === 1 ? 1 : 0) : Math.exp(logPmf);
      marginalBenefit = v.launchesPerHour * pmf * usdPerColdLaunch;
      saved += marginalBenefit;
      tail = Math.max(0, tail - pmf);
      logPmf += logA - Math.log(size);
    }
    const net = saved - size * v.warmInstanceUsdPerHour;
    table.push({
      size,
      coldLaunchProbability: tail,
      sloMissesPerHour: missesNoPool * tail,
      marginalBenefitUsdPerHour: marginalBenefit,
      marginalCostUsdPerHour: size === 0 ? 0 : v.warmInstanceUsdPerHour,
      netUsdPerHour: net,
    });
    if (net > bestNet) {
      best = size;
      bestNet = net;
    }
  }
  const at = table[best] ?? table[0];
  const sloMissesPerHour = at?.sloMissesPerHour ?? missesNoPool;
  const explanation =
    `${a.toFixed(2)} replacements in flight on average; ${best} warm instance(s) cut SLO misses ` +
    `from ${missesNoPool.toFixed(2)}/h to ${sloMissesPerHour.toFixed(2)}/h for ` +
    `${usd(best * v.warmInstanceUsdPerHour)}/h, net ${usd(bestNet)}/h; ` +
    `one more would save ${usd(table[best + 1]?.marginalBenefitUsdPerHour ?? 0)}/h for ` +
    `${usd(v.warmInstanceUsdPerHour)}/h`;
  return {
    size: best,
    meanInFlight: a,
    sloMissesPerHour,
    sloMissesAvoidedPerHour: missesNoPool - sloMissesPerHour,
    warmCostUsdPerHour: best * v.warmInstanceUsdPerHour,
    netUsdPerHour: bestNet,
    table,
    explanation,
  };
}
