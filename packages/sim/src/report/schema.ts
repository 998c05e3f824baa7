import { fromZodError } from '@headroom/core';
import { z } from 'zod';
import type { PolicyRunResult, Quantiles, SimReport } from './types.js';

/**
 * Any number, `NaN` and the infinities included (a run may leave a statistic undefined), or
 * `null`, which is how `JSON.stringify` writes those and is read back as `NaN`.
 */
const measure = z
  .custom<number | null>((v) => typeof v === 'number' || v === null, {
    message: 'expected a number (or null for an undefined value)',
  })
  .transform((v) => (v === null ? Number.NaN : v));

const byType = z.record(z.string(), measure);

const QuantilesSchema: z.ZodType<Quantiles, unknown> = z.object({
  p50: measure,
  p90: measure,
  p95: measure,
  p99: measure,
  max: measure,
  mean: measure,
});

/** The schema of a {@link PolicyRunResult}; see {@link SimReportSchema}. */
export const PolicyRunResultSchema: z.ZodType<PolicyRunResult, unknown> = z.object({
  policy: z.string(),
  requests: z.object({
    total: measure,
    completed: measure,
    dropped: measure,
    sloMet: measure,
    sloAttainment: measure,
    migrated: measure.exactOptional(),
  }),
  latencyMs: z.object({
    ttft: QuantilesSchema,
    queueWait: QuantilesSchema,
    e2e: QuantilesSchema,
  }),
  cdf: z.object({ ttftMs: z.array(z.tuple([measure, measure])) }),
  gpuHours: z.object({ total: measure, byCapacityType: byType, ready: measure.exactOptional() }),
  costUsd: z.object({ total: measure, byCapacityType: byType }),
  coldStarts: measure,
  scaleEvents: measure,
  streams: z.object({ opened: measure, dropped: measure, migrated: measure }),
  preemptions: measure,
  timeSeries: z.object({
    stepMs: measure,
    t: z.array(measure),
    demandRps: z.array(measure),
    readyReplicas: z.array(measure),
    desiredReplicas: z.array(measure),
    provisionedReplicas: z.array(measure),
    utilization: z.array(measure),
  }),
});

/**
 * The schema of a {@link SimReport}: checks the shape (what the renderers read), not the values.
 * Any number is accepted, `NaN` and the infinities included, and `null` (what JSON makes of them)
 * is read as `NaN`; unknown keys are dropped, so a parsed report lists its fields in one order.
 */
export const SimReportSchema: z.ZodType<SimReport, unknown> = z.object({
  version: z.literal(1),
  title: z.string(),
  scenarios: z.array(
    z.object({
      name: z.string(),
      trace: z.object({
        name: z.string(),
        source: z.string(),
        requests: measure,
        durationMs: measure,
      }),
      settings: z.object({
        seed: measure,
        gpuClass: z.string(),
        sloTtftMs: measure,
        sloE2eMsPerToken: measure.exactOptional(),
        coldStart: z.string(),
        timeScale: measure,
      }),
      results: z.array(PolicyRunResultSchema),
    }),
  ),
});

/**
 * Checks that `value` has the shape of a {@link SimReport} (for example a report read back from
 * its JSON file) and returns a copy with its fields in one canonical order, `null` numbers read
 * as `NaN` and unknown keys dropped.
 *
 * @param value - the candidate report.
 * @param where - a path prefix for error messages. @defaultValue `['report']`
 * @throws `HeadroomError` `invalid_input` naming the first field with the wrong shape.
 * @example
 * ```ts
 * const report = parseSimReport(JSON.parse(text));
 * process.stdout.write(renderTable(report));
 * ```
 */
export function parseSimReport(
  value: unknown,
  where: readonly (string | number)[] = ['report'],
): SimReport {
  const result = SimReportSchema.safeParse(value, { reportInput: true });
  if (!result.success) throw fromZodError(result.error, 'invalid_input', where);
  return result.data;
}
