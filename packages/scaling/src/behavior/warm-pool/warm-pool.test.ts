import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { planWarmPool, warmPoolSize, type NeededReplicas } from './index.js';

const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;
const T0 = 1_699_920_000_000; // a midnight, UTC

/**
 * A working day: 4 replicas overnight, a morning ramp of +2 every 5 minutes from 08:00 to 09:00
 * (4 -> 28), 28 through the day, the mirror image down from 18:00 to 19:00.
 */
function neededAt(minuteOfDay: number): number {
  const up = Math.min(12, Math.max(0, Math.floor((minuteOfDay - 480) / 5)));
  const down = Math.min(12, Math.max(0, Math.floor((minuteOfDay - 1_080) / 5)));
  return 4 + 2 * up - 2 * down;
}

/** One point a minute for `days` days from T0. */
function history(days: number): NeededReplicas[] {
  const out: NeededReplicas[] = [];
  for (let m = 0; m < days * 1_440; m++)
    out.push({ atMs: T0 + m * MINUTE, replicas: neededAt(m % 1_440) });
  return out;
}

/**
 * Replays one day minute by minute with a warm pool of `size`: each minute the scaler wants
 * `neededAt(m)` serving; the plan promotes from the pool, launches refills that arrive
 * `coldStartMs` later, and the scaler removes serving replicas above the need.
 */
function replayDay(
  size: number,
  coldStartMinutes: number,
): { shortMinutes: number; promoted: number; launches: number } {
  let serving = neededAt(0);
  let pool = size;
  const arrivals: number[] = []; // minute at which each launched instance is ready
  let shortMinutes = 0;
  let promoted = 0;
  let launches = 0;
  for (let m = 0; m < 1_440; m++) {
    while (arrivals.length > 0 && (arrivals[0] as number) <= m) {
      arrivals.shift();
      pool += 1;
    }
    const desired = neededAt(m);
    const plan = planWarmPool({
      desiredServing: desired,
      serving,
      pool,
      launching: arrivals.length,
      targetPoolSize: size,
      instanceUsdPerHour: 4,
    });
    serving = Math.min(desired, serving + plan.promote - plan.demote);
    pool += plan.demote - plan.promote - plan.terminateFromPool;
    for (let i = 0; i < plan.launchToPool; i++) arrivals.push(m + coldStartMinutes);
    promoted += plan.promote;
    launches += plan.launchToPool;
    if (serving < desired) shortMinutes += 1;
  }
  return { shortMinutes, promoted, launches };
}

describe('warmPoolSize', () => {
  it('sizes the pool to cover a morning ramp within one cold start', () => {
    // Arrange: a week of history; 10-minute cold starts, in which the ramp adds at most 2 steps of 2.
    const coldStartMs = 10 * MINUTE;

    // Act
    const result = warmPoolSize({ demandHistory: history(7), nowMs: T0 + 7 * DAY, coldStartMs });

    // Assert
    expect(result).toMatchObject({ size: 4, quantileIncrease: 4, maxIncrease: 4, clampedBy: null });
    expect(result.horizons).toBe(7 * 65); // per day: 55 starts see +4, 10 see +2
    expect(result.basis).toContain('p95 of 455 rising horizons of 600000 ms');
  });

  it('with that pool the next morning ramp never waits a cold start, with one instance fewer it does', () => {
    // Arrange
    const { size } = warmPoolSize({
      demandHistory: history(7),
      nowMs: T0 + 7 * DAY,
      coldStartMs: 10 * MINUTE,
    });

    // Act
    const covered = replayDay(size, 10);
    const short = replayDay(size - 1, 10);

    // Assert: every step of the ramp is promoted from the pool; the refills keep pace.
    expect(covered.shortMinutes).toBe(0);
    expect(covered.promoted).toBe(24);
    expect(short.shortMinutes).toBeGreaterThan(0);
  });

  it("over 'all' horizons a short daily ramp rounds to no pool at all", () => {
    const result = warmPoolSize({
      demandHistory: history(7),
      nowMs: T0 + 7 * DAY,
      coldStartMs: 10 * MINUTE,
      quantileOver: 'all',
    });
    // 65 rising starts a day out of 1 440: under 5%.
    expect(result).toMatchObject({ size: 0, horizons: 7 * 1_440, maxIncrease: 4 });
  });

  it('counts a spike that recedes within the cold start (the peak, not the endpoint)', () => {
    // Arrange: 10 -> 20 for 2 minutes -> 10, with a 10-minute cold start.
    const demandHistory = [
      { atMs: T0, replicas: 10 },
      { atMs: T0 + 2 * MINUTE, replicas: 20 },
      { atMs: T0 + 4 * MINUTE, replicas: 10 },
    ];

    // Act
    const result = warmPoolSize({
      demandHistory,
      nowMs: T0 + 30 * MINUTE,
      coldStartMs: 10 * MINUTE,
    });

    // Assert
    expect(result).toMatchObject({ size: 10, maxIncrease: 10 });
  });

  it('reads only the lookback, anchoring its start at the level before it', () => {
    // Arrange: a ramp of +20 ten days ago, then a flat 6 (set 9 days ago), then +2 an hour ago.
    const demandHistory = [
      { atMs: T0, replicas: 0 },
      { atMs: T0 + 5 * MINUTE, replicas: 20 },
      { atMs: T0 + DAY, replicas: 6 },
      { atMs: T0 + 10 * DAY - 60 * MINUTE, replicas: 8 },
    ];

    // Act
    const result = warmPoolSize({ demandHistory, nowMs: T0 + 10 * DAY, coldStartMs: 10 * MINUTE });

    // Assert
    expect(result).toMatchObject({ size: 2, maxIncrease: 2, horizons: 1 });
  });

  it('without history in the lookback, keeps minSize', () => {
    const result = warmPoolSize({ demandHistory: [], nowMs: T0, coldStartMs: MINUTE, minSize: 1 });
    expect(result).toMatchObject({
      size: 1,
      horizons: 0,
      quantileIncrease: 0,
      clampedBy: 'minSize',
    });
    expect(result.basis).toContain('no rising horizons');
  });

  it('clamps to [minSize, maxSize] and says which bound decided', () => {
    const input = { demandHistory: history(7), nowMs: T0 + 7 * DAY, coldStartMs: 10 * MINUTE };
    expect(warmPoolSize({ ...input, maxSize: 3 })).toMatchObject({ size: 3, clampedBy: 'maxSize' });
    expect(warmPoolSize({ ...input, minSize: 6 })).toMatchObject({ size: 6, clampedBy: 'minSize' });
    expect(warmPoolSize({ ...input, quantile: 0.1 })).toMatchObject({ size: 2 });
  });

  it('needs no pool when there is no cold start', () => {
    expect(warmPoolSize({ demandHistory: history(1), nowMs: T0 + DAY, coldStartMs: 0 }).size).toBe(
      0,
    );
  });

  it('rounds fractional needs up, ignores bad points and does not care about input order', () => {
    // Arrange
    const demandHistory = [
      { atMs: T0 + 2 * MINUTE, replicas: 3.7 },
      { atMs: T0, replicas: 1.2 },
      { atMs: T0 + MINUTE, replicas: Number.NaN },
      { atMs: Number.POSITIVE_INFINITY, replicas: 2 },
      { atMs: T0 + MINUTE, replicas: -1 },
      { atMs: T0 + 60 * MINUTE, replicas: 90 }, // after nowMs
    ];

    // Act
    const result = warmPoolSize({
      demandHistory,
      nowMs: T0 + 10 * MINUTE,
      coldStartMs: 5 * MINUTE,
    });

    // Assert: 3.7 − 1.2 = 2.5 -> 3.
    expect(result).toMatchObject({ size: 3, ignoredPoints: 4 });
    expect(result.quantileIncrease).toBeCloseTo(2.5, 12);
  });

  it.each([
    [{ quantile: 1.5 }, 'quantile', 'finite, >= 0, <= 1', 1.5],
    [{ coldStartMs: -1 }, 'coldStartMs', 'finite, >= 0', -1],
    [{ lookbackMs: 0 }, 'lookbackMs', 'finite, > 0', 0],
    [{ minSize: 1.5 }, 'minSize', 'finite, integer, >= 0', 1.5],
    [{ minSize: 4, maxSize: 3 }, 'maxSize', 'finite, integer, >= 4', 3],
    [{ quantileOver: 'most' }, 'quantileOver', 'one of: rising, all', 'most'],
  ])(
    'rejects %o with invalid_config naming the path, bound and value',
    (patch, path, limit, value) => {
      let caught: unknown;
      try {
        warmPoolSize({ demandHistory: [], nowMs: T0, coldStartMs: MINUTE, ...patch } as never);
      } catch (error) {
        caught = error;
      }
      expect(isHeadroomError(caught, 'invalid_config')).toBe(true);
      expect(caught).toMatchObject({ path: [path], limit, value });
    },
  );

  it('rejects a non-finite nowMs with invalid_argument', () => {
    expect(() => warmPoolSize({ demandHistory: [], nowMs: Number.NaN, coldStartMs: 1 })).toThrow(
      /invalid_argument at nowMs/,
    );
  });
});

describe('planWarmPool', () => {
  it('promotes from the pool first on a scale-up, then refills it, and prices the idle pool', () => {
    const plan = planWarmPool({
      desiredServing: 12,
      serving: 10,
      pool: 4,
      targetPoolSize: 4,
      instanceUsdPerHour: 4.1,
    });
    expect(plan).toMatchObject({
      promote: 2,
      demote: 0,
      launchToPool: 2,
      terminateFromPool: 0,
      unmet: 0,
      poolAfter: 2,
      idlePoolUsdPerHour: 8.2,
      reason: 'promote',
    });
  });

  it('when the pool is short, says how many wait a cold start and launches them through the pool', () => {
    const plan = planWarmPool({
      desiredServing: 15,
      serving: 10,
      pool: 3,
      targetPoolSize: 4,
      instanceUsdPerHour: 2,
    });
    expect(plan).toMatchObject({
      promote: 3,
      unmet: 2,
      launchToPool: 6,
      poolAfter: 0,
      idlePoolUsdPerHour: 0,
      reason: 'promote_short',
    });
  });

  it('counts instances already launching, so a refill is not ordered twice', () => {
    const plan = planWarmPool({
      desiredServing: 5,
      serving: 5,
      pool: 2,
      launching: 2,
      targetPoolSize: 4,
      instanceUsdPerHour: 2,
    });
    expect(plan).toMatchObject({ launchToPool: 0, reason: 'steady', idlePoolUsdPerHour: 4 });
  });

  it('returns leaving replicas to a pool below its target instead of launching new ones', () => {
    const plan = planWarmPool({
      desiredServing: 8,
      serving: 10,
      pool: 3,
      targetPoolSize: 4,
      instanceUsdPerHour: 1,
    });
    expect(plan).toMatchObject({ demote: 1, launchToPool: 0, poolAfter: 4, reason: 'demote' });
  });

  it('refills a pool below its target and trims one above it', () => {
    const base = { desiredServing: 5, serving: 5, instanceUsdPerHour: 3 };
    expect(planWarmPool({ ...base, pool: 1, targetPoolSize: 4 })).toMatchObject({
      launchToPool: 3,
      reason: 'refill',
      idlePoolUsdPerHour: 3,
    });
    expect(planWarmPool({ ...base, pool: 6, targetPoolSize: 4 })).toMatchObject({
      terminateFromPool: 2,
      poolAfter: 4,
      reason: 'trim',
      idlePoolUsdPerHour: 12,
    });
  });

  it.each([
    ['serving', { serving: -1 }, 'invalid_argument'],
    ['pool', { pool: 1.5 }, 'invalid_argument'],
    ['launching', { launching: Number.NaN }, 'invalid_argument'],
    ['desiredServing', { desiredServing: Number.POSITIVE_INFINITY }, 'invalid_argument'],
    ['targetPoolSize', { targetPoolSize: -2 }, 'invalid_config'],
    ['instanceUsdPerHour', { instanceUsdPerHour: -0.5 }, 'invalid_config'],
  ])('rejects an invalid %s', (path, patch, code) => {
    let caught: unknown;
    try {
      planWarmPool({
        desiredServing: 1,
        serving: 1,
        pool: 1,
        targetPoolSize: 1,
        instanceUsdPerHour: 1,
        ...patch,
      });
    } catch (error) {
      caught = error;
    }
    expect(isHeadroomError(caught, code as 'invalid_config')).toBe(true);
    expect(caught).toMatchObject({ path: [path] });
  });
});
