import { Cron } from 'croner';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseScheduledBoundsConfig,
  scheduledBounds,
  type ScheduledBoundsConfig,
  type ScheduledBoundsConfigInput,
} from './index.js';

const RUNS = { numRuns: 1000 };
const HOUR_MS = 3_600_000;

const CRONS = [
  '0 9 * * *',
  '30 2 * * *',
  '30 1 * * SUN',
  '*/15 * * * *',
  '0 */6 * * *',
  '0 22 * * MON-FRI',
  '15 10 1 * *',
  '0 0 9 * * *',
  '0 0 29 2 *',
] as const;

const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/London',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'America/Sao_Paulo',
  'Pacific/Chatham',
] as const;

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-1'] as const;

// 2000-01-01 to 2040-01-01.
const nowArb = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) });

const scheduleArb = fc
  .record({
    cron: fc.constantFrom(...CRONS),
    timezone: fc.constantFrom(...ZONES),
    durationMs: fc.oneof(
      fc.integer({ min: 1, max: 2 * HOUR_MS }),
      fc.integer({ min: 1, max: 3 * 24 * HOUR_MS }),
    ),
    floor: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
    ceiling: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
    regions: fc.option(fc.subarray([...REGIONS], { minLength: 1 }), { nil: undefined }),
  })
  .map((s) => {
    // Each schedule is itself consistent (floor <= ceiling); conflicts arise only between them.
    const floor = s.floor ?? (s.ceiling === undefined ? 1 : undefined);
    const [min, max] =
      floor !== undefined && s.ceiling !== undefined && floor > s.ceiling
        ? [s.ceiling, floor]
        : [floor, s.ceiling];
    return {
      cron: s.cron,
      timezone: s.timezone,
      durationMs: s.durationMs,
      ...(min === undefined ? {} : { minReplicas: min }),
      ...(max === undefined ? {} : { maxReplicas: max }),
      ...(s.regions === undefined ? {} : { regions: s.regions }),
    };
  });

const configInputArb: fc.Arbitrary<ScheduledBoundsConfigInput> = fc
  .array(scheduleArb, { minLength: 0, maxLength: 4 })
  .map((schedules) => ({ schedules: schedules.map((s, i) => ({ name: `s${i}`, ...s })) }));

const regionArb = fc.option(fc.constantFrom(...REGIONS, 'sa-east-1'), { nil: undefined });

/** The oracle for start times: croner's own most recent run at or before `nowMs`. */
function lastStart(cron: string, timezone: string, nowMs: number): number | undefined {
  const job = new Cron(cron, { timezone, paused: true });
  return job.previousRuns(1, new Date(nowMs + 1))[0]?.getTime();
}

describe('scheduledBounds properties', () => {
  it('floor <= ceiling unless conflict; the bounds are the max floor and min ceiling of the active', () => {
    fc.assert(
      fc.property(configInputArb, nowArb, regionArb, (input, nowMs, region) => {
        const bounds = scheduledBounds(input, { nowMs, region });
        const floors = bounds.active.flatMap((a) =>
          a.minReplicas === undefined ? [] : [a.minReplicas],
        );
        const ceilings = bounds.active.flatMap((a) =>
          a.maxReplicas === undefined ? [] : [a.maxReplicas],
        );
        const floor = floors.length === 0 ? undefined : Math.max(...floors);
        const ceiling = ceilings.length === 0 ? undefined : Math.min(...ceilings);
        expect(bounds.minReplicas).toBe(floor);
        const conflict = floor !== undefined && ceiling !== undefined && floor > ceiling;
        expect(bounds.conflict).toBe(conflict);
        expect(bounds.maxReplicas).toBe(conflict ? floor : ceiling);
        if (bounds.minReplicas !== undefined && bounds.maxReplicas !== undefined) {
          if (!bounds.conflict) expect(bounds.minReplicas).toBeLessThanOrEqual(bounds.maxReplicas);
        }
      }),
      RUNS,
    );
  });

  it('a schedule is active exactly in [start, start + durationMs) of its latest start', () => {
    fc.assert(
      fc.property(
        scheduleArb.filter((s) => s.regions === undefined),
        nowArb,
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (schedule, nowMs, fraction) => {
          const config = parseScheduledBoundsConfig({ schedules: [{ name: 'x', ...schedule }] });
          const start = lastStart(schedule.cron, schedule.timezone, nowMs);
          const bounds = scheduledBounds(config, { nowMs });
          const expected = start !== undefined && nowMs < start + schedule.durationMs;
          expect(bounds.active.length).toBe(expected ? 1 : 0);
          if (start === undefined || !expected) return;
          const [active] = bounds.active;
          expect(active?.startedAtMs).toBe(start);
          expect(active?.endsAtMs).toBe(start + schedule.durationMs);
          // At the start itself, and anywhere inside the window, it is active (from this start
          // or, when the window outlasts the cron period, a later one).
          const startedAt = (t: number) =>
            scheduledBounds(config, { nowMs: t }).active[0]?.startedAtMs;
          expect(startedAt(start)).toBe(start);
          const inside = start + Math.floor(fraction * schedule.durationMs);
          expect(startedAt(inside)).toBeGreaterThanOrEqual(start);
          // At the end, only a later start keeps it active.
          const atEnd = startedAt(start + schedule.durationMs);
          if (atEnd !== undefined) expect(atEnd).toBeGreaterThan(start);
        },
      ),
      RUNS,
    );
  });

  it('is deterministic: equal configs and times give equal results, call after call', () => {
    fc.assert(
      fc.property(configInputArb, nowArb, regionArb, (input, nowMs, region) => {
        const parsed: ScheduledBoundsConfig = parseScheduledBoundsConfig(input);
        const copy = JSON.parse(JSON.stringify(input)) as ScheduledBoundsConfigInput;
        const first = scheduledBounds(parsed, { nowMs, region });
        expect(scheduledBounds(parsed, { nowMs, region })).toEqual(first);
        expect(scheduledBounds(copy, { nowMs, region })).toEqual(first);
      }),
      RUNS,
    );
  });
});
