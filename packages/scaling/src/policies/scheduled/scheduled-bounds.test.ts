import { type HeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { thrownError } from '../../../../../tools/test-utils.js';
import {
  SCHEDULED_BOUNDS_MAX_NOW_MS,
  parseScheduledBoundsConfig,
  scheduledBounds,
  type ScheduledBoundsConfigInput,
} from './index.js';

const HOUR_MS = 3_600_000;
const utc = (...args: [number, number, number, number?, number?, number?, number?]): number =>
  Date.UTC(...args);

const configError = (input: unknown): HeadroomError =>
  thrownError(() => parseScheduledBoundsConfig(input as ScheduledBoundsConfigInput));

describe('scheduledBounds: daylight-saving transitions (America/New_York, 09:00 daily, 1 h)', () => {
  const config = parseScheduledBoundsConfig({
    schedules: [
      {
        name: 'morning',
        cron: '0 9 * * *',
        timezone: 'America/New_York',
        durationMs: HOUR_MS,
        minReplicas: 4,
      },
    ],
  });
  const startAt = (nowMs: number): number | undefined =>
    scheduledBounds(config, { nowMs }).active[0]?.startedAtMs;

  it('March 2025: 14:00 UTC on Saturday (EST), 13:00 UTC from Sunday the 9th (EDT)', () => {
    expect(startAt(utc(2025, 2, 8, 14))).toBe(utc(2025, 2, 8, 14));
    expect(startAt(utc(2025, 2, 8, 13, 30))).toBeUndefined();
    expect(startAt(utc(2025, 2, 9, 13))).toBe(utc(2025, 2, 9, 13));
    expect(startAt(utc(2025, 2, 9, 12, 59, 59, 999))).toBeUndefined();
    expect(startAt(utc(2025, 2, 9, 14))).toBeUndefined();
    expect(startAt(utc(2025, 2, 10, 13, 15))).toBe(utc(2025, 2, 10, 13));
  });

  it('November 2025: 13:00 UTC on Saturday the 1st (EDT), 14:00 UTC from Sunday the 2nd (EST)', () => {
    expect(startAt(utc(2025, 10, 1, 13))).toBe(utc(2025, 10, 1, 13));
    expect(startAt(utc(2025, 10, 2, 13, 30))).toBeUndefined();
    expect(startAt(utc(2025, 10, 2, 14))).toBe(utc(2025, 10, 2, 14));
    expect(startAt(utc(2025, 10, 3, 14, 59, 59, 999))).toBe(utc(2025, 10, 3, 14));
  });

  it('a fixed time in the spring-forward gap (02:30) starts when the clock jumps (03:00 EDT)', () => {
    const gap = parseScheduledBoundsConfig({
      schedules: [
        {
          name: 'gap',
          cron: '30 2 * * *',
          timezone: 'America/New_York',
          durationMs: HOUR_MS,
          maxReplicas: 2,
        },
      ],
    });
    expect(scheduledBounds(gap, { nowMs: utc(2025, 2, 9, 7, 10) }).active[0]?.startedAtMs).toBe(
      utc(2025, 2, 9, 7),
    );
  });

  it('a fixed time repeated in the fall-back hour (01:30) starts once, at its first occurrence', () => {
    const repeated = parseScheduledBoundsConfig({
      schedules: [
        {
          name: 'repeated',
          cron: '30 1 * * *',
          timezone: 'America/New_York',
          durationMs: 30 * 60_000,
          maxReplicas: 2,
        },
      ],
    });
    // 01:30 EDT = 05:30 UTC; the second 01:30 (EST, 06:30 UTC) does not start it again.
    expect(
      scheduledBounds(repeated, { nowMs: utc(2025, 10, 2, 5, 45) }).active[0]?.startedAtMs,
    ).toBe(utc(2025, 10, 2, 5, 30));
    expect(scheduledBounds(repeated, { nowMs: utc(2025, 10, 2, 6, 45) }).active).toEqual([]);
  });

  it('durationMs is elapsed time: 6 h from Saturday 22:00 EDT across the fall-back ends 03:00 EST', () => {
    const weekend = parseScheduledBoundsConfig({
      schedules: [
        {
          name: 'batch',
          cron: '0 22 * * SAT',
          timezone: 'America/New_York',
          durationMs: 6 * HOUR_MS,
          minReplicas: 2,
        },
      ],
    });
    const [active] = scheduledBounds(weekend, { nowMs: utc(2025, 10, 2, 7) }).active;
    expect(active).toEqual({
      name: 'batch',
      startedAtMs: utc(2025, 10, 2, 2),
      endsAtMs: utc(2025, 10, 2, 8),
      minReplicas: 2,
    });
  });
});

describe('scheduledBounds: regions with their own time zones and curves', () => {
  const config = parseScheduledBoundsConfig({
    schedules: [
      {
        name: 'us-business',
        cron: '0 9 * * MON-FRI',
        timezone: 'America/New_York',
        durationMs: 9 * HOUR_MS,
        minReplicas: 8,
        regions: ['us-east-1'],
      },
      {
        name: 'us-night',
        cron: '0 22 * * *',
        timezone: 'America/New_York',
        durationMs: 10 * HOUR_MS,
        maxReplicas: 4,
        regions: ['us-east-1'],
      },
      {
        name: 'eu-business',
        cron: '0 8 * * MON-FRI',
        timezone: 'Europe/London',
        durationMs: 10 * HOUR_MS,
        minReplicas: 6,
        regions: ['eu-west-1'],
      },
      {
        name: 'eu-night',
        cron: '0 19 * * *',
        timezone: 'Europe/London',
        durationMs: 13 * HOUR_MS,
        maxReplicas: 3,
        regions: ['eu-west-1'],
      },
      {
        name: 'global-floor',
        cron: '0 0 * * *',
        timezone: 'UTC',
        durationMs: 24 * HOUR_MS,
        minReplicas: 1,
      },
    ],
  });

  it('Monday 2 June 2025 13:30 UTC: New York opens (09:30 EDT), London is mid-day (14:30 BST)', () => {
    const nowMs = utc(2025, 5, 2, 13, 30);
    const us = scheduledBounds(config, { nowMs, region: 'us-east-1' });
    expect(us).toEqual({
      minReplicas: 8,
      maxReplicas: undefined,
      conflict: false,
      active: [
        {
          name: 'us-business',
          startedAtMs: utc(2025, 5, 2, 13),
          endsAtMs: utc(2025, 5, 2, 22),
          minReplicas: 8,
        },
        {
          name: 'global-floor',
          startedAtMs: utc(2025, 5, 2),
          endsAtMs: utc(2025, 5, 3),
          minReplicas: 1,
        },
      ],
    });
    const eu = scheduledBounds(config, { nowMs, region: 'eu-west-1' });
    expect(eu.minReplicas).toBe(6);
    expect(eu.maxReplicas).toBeUndefined();
    // eu-night started Sunday 19:00 BST (18:00 UTC) and ended 13 h later, at 07:00 UTC.
    expect(eu.active.map((a) => a.name)).toEqual(['eu-business', 'global-floor']);
    expect(eu.active[0]?.startedAtMs).toBe(utc(2025, 5, 2, 7));
  });

  it('Tuesday 3 June 2025 03:00 UTC: both regions are in their night ceilings', () => {
    const nowMs = utc(2025, 5, 3, 3);
    expect(scheduledBounds(config, { nowMs, region: 'us-east-1' })).toMatchObject({
      minReplicas: 1,
      maxReplicas: 4,
      conflict: false,
    });
    expect(scheduledBounds(config, { nowMs, region: 'eu-west-1' })).toMatchObject({
      minReplicas: 1,
      maxReplicas: 3,
    });
  });

  it('a query without a region, or for another region, gets only the region-less schedules', () => {
    const nowMs = utc(2025, 5, 2, 13, 30);
    for (const region of [undefined, 'ap-south-1']) {
      const bounds = scheduledBounds(config, { nowMs, region });
      expect(bounds.active.map((a) => a.name)).toEqual(['global-floor']);
      expect(bounds.minReplicas).toBe(1);
    }
  });

  it('Saturday: the weekday schedules do not start', () => {
    const bounds = scheduledBounds(config, { nowMs: utc(2025, 5, 7, 15), region: 'us-east-1' });
    expect(bounds.active.map((a) => a.name)).toEqual(['global-floor']);
  });
});

describe('scheduledBounds: combining overlapping schedules', () => {
  const schedules = [
    {
      name: 'day',
      cron: '0 8 * * *',
      timezone: 'UTC',
      durationMs: 10 * HOUR_MS,
      minReplicas: 5,
      maxReplicas: 20,
    },
    {
      name: 'peak',
      cron: '0 12 * * *',
      timezone: 'UTC',
      durationMs: 4 * HOUR_MS,
      minReplicas: 10,
      maxReplicas: 15,
    },
  ];

  it('takes the largest floor and the smallest ceiling', () => {
    const bounds = scheduledBounds({ schedules }, { nowMs: utc(2025, 5, 2, 13) });
    expect(bounds).toMatchObject({ minReplicas: 10, maxReplicas: 15, conflict: false });
    expect(bounds.active.map((a) => a.name)).toEqual(['day', 'peak']);
  });

  it('when the floor exceeds the ceiling, the floor wins and conflict says so', () => {
    const withCap = [
      ...schedules,
      { name: 'cap', cron: '0 12 * * *', timezone: 'UTC', durationMs: HOUR_MS, maxReplicas: 6 },
    ];
    const bounds = scheduledBounds({ schedules: withCap }, { nowMs: utc(2025, 5, 2, 12, 30) });
    expect(bounds).toMatchObject({ minReplicas: 10, maxReplicas: 10, conflict: true });
    expect(bounds.active.find((a) => a.name === 'cap')?.maxReplicas).toBe(6);
  });

  it('with nothing active, there are no bounds', () => {
    expect(scheduledBounds({ schedules }, { nowMs: utc(2025, 5, 2, 3) })).toEqual({
      minReplicas: undefined,
      maxReplicas: undefined,
      conflict: false,
      active: [],
    });
  });
});

describe('scheduledBounds: windows', () => {
  it('a schedule active across midnight (22:00 Asia/Tokyo for 4 h) is active exactly in [start, end)', () => {
    const config = parseScheduledBoundsConfig({
      schedules: [
        {
          name: 'late',
          cron: '0 22 * * *',
          timezone: 'Asia/Tokyo',
          durationMs: 4 * HOUR_MS,
          minReplicas: 3,
        },
      ],
    });
    const start = utc(2025, 5, 2, 13); // 22:00 JST on 2 June
    const at = (nowMs: number) => scheduledBounds(config, { nowMs });
    expect(at(start - 1).active).toEqual([]);
    expect(at(start).active[0]?.startedAtMs).toBe(start);
    // 01:00 JST on 3 June: the window opened on the previous calendar day.
    expect(at(utc(2025, 5, 2, 16)).active[0]).toEqual({
      name: 'late',
      startedAtMs: start,
      endsAtMs: start + 4 * HOUR_MS,
      minReplicas: 3,
    });
    expect(at(start + 4 * HOUR_MS - 1).minReplicas).toBe(3);
    expect(at(start + 4 * HOUR_MS).active).toEqual([]);
  });

  it('reads a 6-field expression with seconds first', () => {
    const config = {
      schedules: [
        { name: 's', cron: '30 0 9 * * *', timezone: 'UTC', durationMs: 1_000, maxReplicas: 1 },
      ],
    };
    expect(scheduledBounds(config, { nowMs: utc(2025, 5, 2, 9, 0, 30, 500) }).maxReplicas).toBe(1);
    expect(scheduledBounds(config, { nowMs: utc(2025, 5, 2, 9, 0, 31) }).maxReplicas).toBe(
      undefined,
    );
  });

  it('is deterministic: the same config and time give the same result', () => {
    const input = {
      schedules: [
        {
          name: 'a',
          cron: '*/15 * * * *',
          timezone: 'Europe/Berlin',
          durationMs: 600_000,
          minReplicas: 2,
        },
      ],
    };
    const nowMs = utc(2025, 9, 26, 0, 50);
    expect(scheduledBounds(input, { nowMs })).toEqual(scheduledBounds({ ...input }, { nowMs }));
  });
});

describe('parseScheduledBoundsConfig: validation', () => {
  const ok = {
    name: 'ok',
    cron: '0 9 * * *',
    timezone: 'America/New_York',
    durationMs: HOUR_MS,
    minReplicas: 1,
  };

  it.each([
    ['0 9 * *', 'four fields'],
    ['0 0 9 * * * 2025', 'seven fields'],
    ['61 * * * *', 'minute 61'],
    ['0 9 * * FUNDAY', 'unknown day name'],
    ['', 'empty'],
  ])('rejects the cron %j (%s), naming schedules[1].cron and the value', (cron) => {
    const error = configError({ schedules: [ok, { ...ok, name: 'bad', cron }] });
    expect(error.code).toBe('invalid_config');
    expect(error.path).toEqual(['schedules', 1, 'cron']);
    expect(error.value).toBe(cron);
  });

  it('rejects a cron expression that never fires', () => {
    const error = configError({ schedules: [{ ...ok, cron: '0 0 30 2 *' }] });
    expect(error.path).toEqual(['schedules', 0, 'cron']);
    expect(error.limit).toBe('a cron expression that fires');
  });

  it('rejects an unknown time zone, naming schedules[0].timezone and the value', () => {
    const error = configError({ schedules: [{ ...ok, timezone: 'America/Nowhere' }] });
    expect(error.path).toEqual(['schedules', 0, 'timezone']);
    expect(error.value).toBe('America/Nowhere');
    expect(error.message).toContain('America/Nowhere');
  });

  it('rejects duplicate names, no bounds, a ceiling below the floor and empty regions', () => {
    expect(configError({ schedules: [ok, ok] }).path).toEqual(['schedules', 1, 'name']);
    const { minReplicas: _, ...noBounds } = ok;
    expect(configError({ schedules: [noBounds] }).path).toEqual(['schedules', 0]);
    const inverted = configError({ schedules: [{ ...ok, minReplicas: 5, maxReplicas: 4 }] });
    expect(inverted.path).toEqual(['schedules', 0, 'maxReplicas']);
    expect(inverted.limit).toBe('>= minReplicas (5)');
    expect(configError({ schedules: [{ ...ok, regions: [] }] }).path).toEqual([
      'schedules',
      0,
      'regions',
    ]);
  });

  it('returns the configuration deeply frozen', () => {
    const config = parseScheduledBoundsConfig({ schedules: [{ ...ok, regions: ['us-east-1'] }] });
    expect(Object.isFrozen(config.schedules)).toBe(true);
    expect(Object.isFrozen(config.schedules[0])).toBe(true);
    expect(Object.isFrozen(config.schedules[0]?.regions)).toBe(true);
  });

  it('rejects a non-positive duration and unknown keys', () => {
    const error = configError({ schedules: [{ ...ok, durationMs: 0 }] });
    expect(error.path).toEqual(['schedules', 0, 'durationMs']);
    expect(error.limit).toBe('> 0');
    expect(configError({ schedules: [{ ...ok, duration: 5 }] }).limit).toBe('known keys only');
  });

  it('scheduledBounds validates raw input on first use', () => {
    expect(() =>
      scheduledBounds({ schedules: [{ ...ok, timezone: 'Nope/Nope' }] }, { nowMs: 0 }),
    ).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, -1, SCHEDULED_BOUNDS_MAX_NOW_MS + 1])(
    'throws invalid_argument for nowMs %s',
    (nowMs) => {
      expect(() => scheduledBounds({ schedules: [ok] }, { nowMs })).toThrow(
        expect.objectContaining({ code: 'invalid_argument', path: ['nowMs'] }),
      );
    },
  );

  it('answers at the ends of the supported range', () => {
    expect(scheduledBounds({ schedules: [ok] }, { nowMs: 0 }).active).toEqual([]);
    expect(
      scheduledBounds({ schedules: [ok] }, { nowMs: SCHEDULED_BOUNDS_MAX_NOW_MS }).active,
    ).toEqual([]);
  });
});
