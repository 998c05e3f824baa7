import type { Catalog } from '@headroom/cost';
import { z } from 'zod';
import type { ServiceModel } from '../service/service-model.js';
import type { Trace } from '../traces/types.js';
import { COLD_START_PRESETS, ColdStartDistributionSchema } from './cold-start.js';
import type { SimPolicy } from './types.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

const TraceInputSchema = z.custom<Trace>(
  (v) => isObject(v) && Array.isArray(v.requests) && typeof v.durationMs === 'number',
  { message: 'must be a Trace ({ name, source, durationMs, requests[] })' },
);

const PolicyInputSchema = z.custom<SimPolicy>(
  (v) =>
    isObject(v) &&
    typeof v.name === 'string' &&
    typeof v.initialReplicas === 'function' &&
    typeof v.decide === 'function',
  { message: 'must be a SimPolicy ({ name, initialReplicas(), decide() })' },
);

const ServiceInputSchema = z.custom<ServiceModel>(
  (v) =>
    isObject(v) &&
    typeof v.prefillMs === 'function' &&
    typeof v.decodeStepMs === 'function' &&
    typeof v.capacityRps === 'function',
  { message: 'must be a ServiceModel (see createServiceModel)' },
);

const CatalogInputSchema = z.custom<Catalog>(
  (v) => isObject(v) && Array.isArray(v.gpuClasses) && Array.isArray(v.instanceTypes),
  { message: 'must be a Catalog (see defaultCatalog / loadCatalog)' },
);

const ScheduleSchema = z.strictObject({
  /** Points sorted by time: from `atMs` on (ms from the trace start), `replicas` are desired. */
  points: z
    .array(
      z.strictObject({
        atMs: z.number().min(0).max(1e13),
        replicas: z.number().int().min(0).max(1e6),
      }),
    )
    .min(1)
    .readonly()
    .superRefine((points, ctx) => {
      for (let i = 1; i < points.length; i++) {
        if ((points[i]?.atMs as number) < (points[i - 1]?.atMs as number)) {
          ctx.addIssue({
            code: 'custom',
            message: 'schedule points must be sorted by atMs',
            path: [i, 'atMs'],
            input: points[i]?.atMs,
            params: { limit: `>= ${points[i - 1]?.atMs}` },
          });
        }
      }
    }),
});

/** A stream session: an audio stream that arrives, stays for a while and takes a GPU share. */
export const StreamSessionSchema = z.strictObject({
  /** Arrival, ms from the trace start, >= 0. */
  arrivalMs: z.number().min(0).max(1e13),
  /** How long the stream lasts, ms, > 0. */
  durationMs: z.number().positive().max(1e13),
});

/**
 * Configuration of {@link simulate}. Give exactly one of `policy` and `schedule`. Every option
 * states its unit, bounds and default; the validation error repeats them with the bad value.
 */
export const SimConfigSchema = z
  .strictObject({
    /** The requests to replay (sorted by arrival; checked in one pass). */
    trace: TraceInputSchema,
    /** The scaling policy, called every `intervalMs`. */
    policy: PolicyInputSchema.optional(),
    /** An exact schedule of desired replicas instead of a policy (the oracle). */
    schedule: ScheduleSchema.optional(),
    /** Name of the result when running a schedule. @defaultValue 'oracle' */
    scheduleName: z.string().min(1).default('oracle'),
    /** The GPU service model. @defaultValue `createServiceModel()` (llama2-70b, H100, TP 2) */
    service: ServiceInputSchema.optional(),
    /** Fewest replicas, integer >= 0. @defaultValue 1 */
    minReplicas: z.number().int().min(0).max(1e6).default(1),
    /** Most replicas, integer >= `minReplicas`. @defaultValue 1000 */
    maxReplicas: z.number().int().min(0).max(1e6).default(1000),
    /**
     * Whether the initial replicas are ready at t = 0 (a fleet already serving when the trace
     * starts; they are not counted as cold starts). False starts them cold at t = 0.
     * @defaultValue true
     */
    initialWarm: z.boolean().default(true),
    /** Cold-start distribution: a preset name or a log-normal mixture. @defaultValue 'production-bimodal' */
    coldStart: z
      .union([z.literal(COLD_START_PRESETS), ColdStartDistributionSchema])
      .default('production-bimodal'),
    /** Delay before a metric sample reaches the policy, ms, >= 0. @defaultValue 15_000 */
    metricsLagMs: z.number().min(0).max(86_400_000).default(15_000),
    /** Autoscaler interval, ms, > 0. @defaultValue the policy's `intervalMs`, else 15_000 */
    intervalMs: z.number().positive().max(86_400_000).optional(),
    /** A request meets the SLO when its TTFT (with RTT) is at most this, ms, > 0. @defaultValue 2_000 */
    sloTtftMs: z.number().positive().max(86_400_000).default(2_000),
    /**
     * A request still waiting this long after its arrival is dropped (an SLO miss), ms, > 0 and
     * finite (so every run ends). @defaultValue 60_000
     */
    maxQueueMs: z.number().positive().max(86_400_000).default(60_000),
    /** Prices. @defaultValue `defaultCatalog()` from `@headroom/cost` */
    catalog: CatalogInputSchema.optional(),
    /**
     * Instance type to price a replica's GPUs at (`pricePerGpuHour` × GPUs per replica).
     * @defaultValue the catalog's instance type with the service's GPU class and the most GPUs
     * (`p5.48xlarge` for H100-80GB)
     */
    instanceType: z.string().min(1).optional(),
    /** Capacity types: a spot share with interruptions, the rest on-demand. */
    capacity: z
      .strictObject({
        /**
         * Target share of spot instances, [0, 1]: a new instance is spot while the live spot
         * count is below `round(spotFraction × (live + 1))`. @defaultValue 0
         */
        spotFraction: z.number().min(0).max(1).default(0),
        /** Interruption notices per spot instance-hour (exponential), >= 0. @defaultValue 0.05 */
        spotInterruptionsPerHour: z.number().min(0).max(3600).default(0.05),
        /** Notice before a spot instance is reclaimed, ms, >= 0. @defaultValue 120_000 (AWS) */
        noticeMs: z.number().min(0).max(3_600_000).default(120_000),
      })
      .prefault({}),
    /**
     * Regions, optional: instances are placed across them by weight (the region with the fewest
     * live instances per weight gets the next), and a request served in a region has that
     * region's client RTT added to its TTFT and end-to-end latency.
     */
    regions: z
      .array(
        z.strictObject({
          /** Region name. */
          name: z.string().min(1),
          /** Client round-trip time to the region, ms, >= 0. */
          rttMs: z.number().min(0).max(60_000),
          /** Placement weight, > 0. @defaultValue 1 */
          weight: z.number().positive().max(1e6).default(1),
        }),
      )
      .min(1)
      .max(64)
      .readonly()
      .optional(),
    /** Long-lived audio streams, optional, routed sticky by `createStreamRouter`. */
    streams: z
      .strictObject({
        /** The sessions, sorted by arrival. */
        sessions: z.array(StreamSessionSchema).readonly(),
        /** GPU share one stream takes of a replica, (0, 1). @defaultValue 0.05 */
        gpuShare: z.number().gt(0).lt(1).default(0.05),
        /** Streams one replica takes at most, integer >= 1. @defaultValue floor(0.9 / gpuShare) */
        maxPerReplica: z.number().int().min(1).max(1e6).optional(),
      })
      .optional(),
    /**
     * Request routing among ready instances: `'headroom'` (`createRouter` of `@headroom/routing`
     * with its defaults: weighted headroom picker, slow start, in-flight accounting; endpoint
     * metrics scraped every `routerScrapeMs`: the SDK in the loop) or `'jsq'` (join the shortest
     * queue: fewest waiting + running, ties to the next instance in rotation; a fast, near-ideal
     * baseline). Both keep the bench target; `'jsq'` is about 1.3-2x faster.
     * @defaultValue 'headroom'
     */
    router: z.literal(['jsq', 'headroom']).default('headroom'),
    /** How often the headroom router's endpoint metrics are refreshed, ms, > 0. @defaultValue 1_000 */
    routerScrapeMs: z.number().positive().max(3_600_000).default(1_000),
    /** Time-series step, ms, > 0 (widened to keep at most `maxTimeSeriesPoints`). @defaultValue 10_000 */
    timeSeriesStepMs: z.number().positive().max(86_400_000).default(10_000),
    /** Most time-series points, integer in [10, 100_000]. @defaultValue 600 */
    maxTimeSeriesPoints: z.number().int().min(10).max(100_000).default(600),
    /** Return per-request latencies in `requestLog`. @defaultValue false */
    recordRequests: z.boolean().default(false),
    /** Seed of every random draw (cold starts, routing ties, spot interruptions). @defaultValue 1 */
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1),
  })
  .superRefine((c, ctx) => {
    if ((c.policy === undefined) === (c.schedule === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'give exactly one of policy and schedule',
        path: ['policy'],
        input: c.policy === undefined ? 'neither' : 'both',
        params: { limit: 'exactly one of policy, schedule' },
      });
    }
    if (c.maxReplicas < c.minReplicas) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be >= minReplicas',
        path: ['maxReplicas'],
        input: c.maxReplicas,
        params: { limit: `>= ${c.minReplicas}` },
      });
    }
    const sessions = c.streams?.sessions;
    if (sessions !== undefined) {
      for (let i = 1; i < sessions.length; i++) {
        if ((sessions[i]?.arrivalMs as number) < (sessions[i - 1]?.arrivalMs as number)) {
          ctx.addIssue({
            code: 'custom',
            message: 'stream sessions must be sorted by arrivalMs',
            path: ['streams', 'sessions', i, 'arrivalMs'],
            input: sessions[i]?.arrivalMs,
            params: { limit: `>= ${sessions[i - 1]?.arrivalMs}` },
          });
          break;
        }
      }
    }
  });

/** What {@link simulate} accepts. */
export type SimConfig = z.input<typeof SimConfigSchema>;

/** A validated {@link SimConfig}. */
export type ResolvedSimConfig = z.output<typeof SimConfigSchema>;
