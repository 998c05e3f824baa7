import { HeadroomError, parseConfig, type ErrorPath } from '@headroom/core';
import { Cron } from 'croner';
import { z } from 'zod';

/** The earliest `nowMs` {@link scheduledBounds} accepts: 1970-01-01T00:00:00.000Z. */
export const SCHEDULED_BOUNDS_MIN_NOW_MS = 0;

/**
 * The latest `nowMs` {@link scheduledBounds} accepts: 9999-12-31T23:59:59.999Z, the last
 * instant cron calendars are computed for.
 */
export const SCHEDULED_BOUNDS_MAX_NOW_MS = 253_402_300_799_999;

const CRON_MODE = '5-or-6-parts';

function isValidTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

function compileCron(cron: string, timezone: string): Cron {
  return new Cron(cron, { timezone, paused: true, mode: CRON_MODE });
}

const replicaCount = z.number().int().nonnegative();

/**
 * One scheduled action: from each start of `cron` (read in `timezone`), for `durationMs`, the
 * capacity of the regions it names is held at or above `minReplicas` and at or below
 * `maxReplicas`. At least one of the two is required.
 */
export const ScheduleSchema = z.strictObject({
  /** A name, unique within the configuration; it identifies the schedule in results. */
  name: z.string().min(1),
  /**
   * When the action starts: a 5-field (`minute hour day-of-month month day-of-week`) or 6-field
   * (with seconds first) cron expression, as croner reads it: names (`MON`, `JAN`), ranges,
   * lists, steps (`*\/15`), `L`, `W` and `#` work, nicknames such as `@daily` too; when both
   * day-of-month and day-of-week are restricted, either matching is enough (Vixie cron).
   */
  cron: z.string().min(1),
  /**
   * The IANA time zone the cron expression is read in, for example `America/New_York`; its
   * daylight-saving rules apply.
   */
  timezone: z.string().min(1),
  /** How long the action holds after each start, ms (greater than 0). */
  durationMs: z.number().positive(),
  /** The floor while active, replicas. */
  minReplicas: replicaCount.optional(),
  /** The ceiling while active, replicas (at least `minReplicas` when both are set). */
  maxReplicas: replicaCount.optional(),
  /**
   * The regions the action applies to (non-empty). @defaultValue every region, including a query
   * that names none
   */
  regions: z.array(z.string().min(1)).min(1).readonly().optional(),
});

/** A validated {@link ScheduleSchema}. */
export type Schedule = z.output<typeof ScheduleSchema>;

interface RuleViolation {
  readonly path: ErrorPath;
  readonly value: unknown;
  readonly limit: string;
  readonly message: string;
}

function scheduleRuleViolations(schedules: readonly Schedule[]): RuleViolation[] {
  const out: RuleViolation[] = [];
  const seen = new Map<string, number>();
  schedules.forEach((schedule, i) => {
    const at = (field: string): ErrorPath => ['schedules', i, field];
    const earlier = seen.get(schedule.name);
    if (earlier !== undefined) {
      out.push({
        path: at('name'),
        value: schedule.name,
        limit: 'unique',
        message: `the name is already used by schedules[${earlier}]`,
      });
    } else {
      seen.set(schedule.name, i);
    }
    if (schedule.minReplicas === undefined && schedule.maxReplicas === undefined) {
      out.push({
        path: ['schedules', i],
        value: schedule,
        limit: 'minReplicas or maxReplicas',
        message: 'a schedule must set minReplicas, maxReplicas or both',
      });
    }
    if (
      schedule.minReplicas !== undefined &&
      schedule.maxReplicas !== undefined &&
      schedule.maxReplicas < schedule.minReplicas
    ) {
      out.push({
        path: at('maxReplicas'),
        value: schedule.maxReplicas,
        limit: `>= minReplicas (${schedule.minReplicas})`,
        message: 'maxReplicas must be at least minReplicas',
      });
    }
    const zoneOk = isValidTimeZone(schedule.timezone);
    if (!zoneOk) {
      out.push({
        path: at('timezone'),
        value: schedule.timezone,
        limit: 'an IANA time zone, for example America/New_York',
        message: 'unknown time zone',
      });
    }
    let cron: Cron | undefined;
    try {
      cron = compileCron(schedule.cron, zoneOk ? schedule.timezone : 'UTC');
    } catch (error) {
      out.push({
        path: at('cron'),
        value: schedule.cron,
        limit: 'a 5- or 6-field cron expression',
        message: `invalid cron expression: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
    if (cron !== undefined && cron.nextRun(new Date(SCHEDULED_BOUNDS_MIN_NOW_MS)) === null) {
      out.push({
        path: at('cron'),
        value: schedule.cron,
        limit: 'a cron expression that fires',
        message: 'the cron expression never fires (for example the 30th of February)',
      });
    }
  });
  return out;
}

/**
 * Scheduled bounds: a list of {@link ScheduleSchema} actions. The cron expressions and time
 * zones are checked here, once; an invalid one fails with the path `schedules[i].cron` or
 * `schedules[i].timezone` and the bad value. Unknown keys are rejected.
 */
export const ScheduledBoundsConfigSchema = z
  .strictObject({
    /** The scheduled actions, in any order; names are unique. */
    schedules: z.array(ScheduleSchema).readonly(),
  })
  .superRefine((config, ctx) => {
    for (const issue of scheduleRuleViolations(config.schedules)) {
      ctx.addIssue({
        code: 'custom',
        message: `${issue.message} (limit ${issue.limit})`,
        path: [...issue.path],
        input: issue.value,
        params: { limit: issue.limit },
      });
    }
  });

/** What {@link parseScheduledBoundsConfig} accepts: {@link ScheduledBoundsConfigSchema}'s input. */
export type ScheduledBoundsConfigInput = z.input<typeof ScheduledBoundsConfigSchema>;

/** A validated, frozen {@link ScheduledBoundsConfigSchema}. */
export type ScheduledBoundsConfig = Readonly<z.output<typeof ScheduledBoundsConfigSchema>>;

interface Compiled {
  readonly config: ScheduledBoundsConfig;
  readonly crons: readonly Cron[];
}

const compiled = new WeakMap<object, Compiled>();

/**
 * Validates a scheduled-bounds configuration once: returns it deeply frozen, with its cron
 * expressions compiled and remembered. {@link scheduledBounds} accepts either the result or the
 * raw input (validated on first use and remembered per object), so calling this first only moves
 * the failure to start-up.
 *
 * @param input - the configuration; see {@link ScheduledBoundsConfigSchema}.
 * @param path - where the configuration sits in a larger one, prefixed to error paths.
 * @defaultValue `[]`
 * @throws `HeadroomError` `invalid_config` naming the path (for example `schedules[2].timezone`),
 * the rule it broke and the offending value.
 * @example
 * ```ts
 * const config = parseScheduledBoundsConfig({
 *   schedules: [
 *     {
 *       name: 'us-business-hours',
 *       cron: '0 9 * * MON-FRI',
 *       timezone: 'America/New_York',
 *       durationMs: 9 * 3_600_000,
 *       minReplicas: 8,
 *       regions: ['us-east-1'],
 *     },
 *   ],
 * });
 * ```
 */
export function parseScheduledBoundsConfig(
  input: ScheduledBoundsConfigInput,
  path: ErrorPath = [],
): ScheduledBoundsConfig {
  const config: ScheduledBoundsConfig = parseConfig(ScheduledBoundsConfigSchema, input, path);
  compiled.set(config, {
    config,
    crons: config.schedules.map((s) => compileCron(s.cron, s.timezone)),
  });
  return config;
}

function resolve(config: ScheduledBoundsConfigInput | ScheduledBoundsConfig): Compiled {
  const known = compiled.get(config);
  if (known !== undefined) return known;
  const parsed = parseScheduledBoundsConfig(config);
  const entry = compiled.get(parsed) as Compiled;
  compiled.set(config, entry);
  return entry;
}

/** What {@link scheduledBounds} is asked. */
export interface ScheduledBoundsQuery {
  /** The time, epoch ms, within [`SCHEDULED_BOUNDS_MIN_NOW_MS`, `SCHEDULED_BOUNDS_MAX_NOW_MS`]. */
  readonly nowMs: number;
  /**
   * The region asked about. Schedules without `regions` always apply; schedules with `regions`
   * apply only to a query naming one of them. @defaultValue none (only region-less schedules)
   */
  readonly region?: string | undefined;
}

/** A schedule in effect at the queried time. */
export interface ActiveSchedule {
  /** The schedule's name. */
  readonly name: string;
  /** The start in effect: the most recent cron time at or before `nowMs`, epoch ms. */
  readonly startedAtMs: number;
  /** When it stops holding: `startedAtMs + durationMs`, epoch ms (exclusive). */
  readonly endsAtMs: number;
  /** The schedule's floor, replicas, if it sets one. */
  readonly minReplicas?: number;
  /** The schedule's ceiling, replicas, if it sets one. */
  readonly maxReplicas?: number;
}

/** The bounds in effect at one time in one region. */
export interface ScheduledBounds {
  /**
   * The floor, replicas: the largest `minReplicas` of the active schedules; `undefined` when none
   * sets one.
   */
  readonly minReplicas: number | undefined;
  /**
   * The ceiling, replicas: the smallest `maxReplicas` of the active schedules, raised to the
   * floor when they conflict; `undefined` when none sets one.
   */
  readonly maxReplicas: number | undefined;
  /**
   * True when the largest floor exceeded the smallest ceiling: the floor won, and `maxReplicas`
   * was raised to it. `active` still shows each schedule's own bounds.
   */
  readonly conflict: boolean;
  /** The active schedules, in configuration order. */
  readonly active: readonly ActiveSchedule[];
}

/**
 * The floors and ceilings that scheduled actions impose at `nowMs` in a region. A schedule is
 * active exactly in `[start, start + durationMs)`, where `start` is its most recent cron time at
 * or before `nowMs` in its own time zone (so a 09:00 America/New_York schedule starts at 13:00
 * UTC in summer and 14:00 UTC in winter). Active schedules combine: the floor is the largest
 * floor, the ceiling the smallest ceiling; if the floor exceeds the ceiling, the floor wins and
 * `conflict` says so.
 *
 * Around daylight-saving changes, croner's rules apply: a fixed time (single second, minute and
 * hour values, such as `30 2 * * *`) that falls in the spring-forward gap starts when the clock
 * jumps (03:00), and one that occurs twice in the fall-back hour starts at its first occurrence;
 * an interval expression (`*\/15 * * * *`) skips times in the gap and starts on both occurrences.
 *
 * Pure and deterministic: the same configuration and query give the same result.
 *
 * @param config - a configuration from {@link parseScheduledBoundsConfig}, or its raw input
 * (validated on first use and remembered per object: do not mutate it afterwards).
 * @param query - the time and, optionally, the region.
 * @returns the bounds and the schedules that produce them.
 * @throws `HeadroomError` `invalid_config` if `config` is raw input that fails validation;
 * `invalid_argument` if `query.nowMs` is not a finite time within
 * [`SCHEDULED_BOUNDS_MIN_NOW_MS`, `SCHEDULED_BOUNDS_MAX_NOW_MS`].
 * @example
 * ```ts
 * const bounds = scheduledBounds(config, { nowMs: Date.UTC(2025, 5, 2, 15), region: 'us-east-1' });
 * // { minReplicas: 8, maxReplicas: undefined, conflict: false,
 * //   active: [{ name: 'us-business-hours', startedAtMs: ..., endsAtMs: ..., minReplicas: 8 }] }
 * ```
 */
export function scheduledBounds(
  config: ScheduledBoundsConfigInput | ScheduledBoundsConfig,
  query: ScheduledBoundsQuery,
): ScheduledBounds {
  const { config: parsed, crons } = resolve(config);
  const nowMs = query.nowMs;
  if (
    typeof nowMs !== 'number' ||
    !Number.isFinite(nowMs) ||
    nowMs < SCHEDULED_BOUNDS_MIN_NOW_MS ||
    nowMs > SCHEDULED_BOUNDS_MAX_NOW_MS
  ) {
    const limit = `finite, >= ${SCHEDULED_BOUNDS_MIN_NOW_MS}, <= ${SCHEDULED_BOUNDS_MAX_NOW_MS}`;
    throw new HeadroomError({
      code: 'invalid_argument',
      message: `nowMs must be an epoch time in ms (${limit})`,
      path: ['nowMs'],
      value: nowMs,
      limit,
    });
  }
  const region = query.region;
  // croner's previous run is strictly before its reference; one ms later makes it "at or before".
  const reference = new Date(nowMs + 1);
  const active: ActiveSchedule[] = [];
  let floor: number | undefined;
  let ceiling: number | undefined;
  parsed.schedules.forEach((schedule, i) => {
    if (
      schedule.regions !== undefined &&
      (region === undefined || !schedule.regions.includes(region))
    ) {
      return;
    }
    const cron = crons[i];
    if (cron === undefined) return;
    const startedAtMs = previousStartMs(cron, reference, schedule);
    if (startedAtMs === undefined) return;
    const endsAtMs = startedAtMs + schedule.durationMs;
    if (!(startedAtMs <= nowMs && nowMs < endsAtMs)) return;
    const entry: {
      name: string;
      startedAtMs: number;
      endsAtMs: number;
      minReplicas?: number;
      maxReplicas?: number;
    } = { name: schedule.name, startedAtMs, endsAtMs };
    if (schedule.minReplicas !== undefined) {
      entry.minReplicas = schedule.minReplicas;
      floor = floor === undefined ? schedule.minReplicas : Math.max(floor, schedule.minReplicas);
    }
    if (schedule.maxReplicas !== undefined) {
      entry.maxReplicas = schedule.maxReplicas;
      ceiling =
        ceiling === undefined ? schedule.maxReplicas : Math.min(ceiling, schedule.maxReplicas);
    }
    active.push(entry);
  });
  const conflict = floor !== undefined && ceiling !== undefined && floor > ceiling;
  return {
    minReplicas: floor,
    maxReplicas: conflict ? floor : ceiling,
    conflict,
    active,
  };
}

function previousStartMs(cron: Cron, reference: Date, schedule: Schedule): number | undefined {
  let runs: Date[];
  try {
    runs = cron.previousRuns(1, reference);
  } catch (error) {
    throw new HeadroomError({
      code: 'internal',
      message: `croner failed to find the previous start of schedule ${JSON.stringify(schedule.name)}`,
      value: schedule.cron,
      cause: error,
    });
  }
  return runs[0]?.getTime();
}
