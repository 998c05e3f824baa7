import { describe, expect, it, vi } from 'vitest';
import { createSystemScheduler, isHeadroomError, systemClock } from '@headroom/core';
import { ManualClock, ManualScheduler, createRandom } from '@headroom/core/testing';

describe('ManualClock', () => {
  it('moves only when told, never backwards', () => {
    const clock = new ManualClock(1_000);
    clock.advance(500);
    expect(clock.now()).toBe(1_500);
    clock.set(2_000);
    expect(clock.now()).toBe(2_000);
    expect(() => clock.set(1_000)).toThrow(/invalid_argument at nowMs/);
    expect(() => clock.advance(-1)).toThrow(/invalid_argument at ms/);
  });
});

describe('ManualScheduler', () => {
  it('runs due timers in order of due time, ties first-in first-out, with now() at each due time', () => {
    const scheduler = new ManualScheduler(0);
    const fired: string[] = [];
    scheduler.schedule(() => fired.push(`b@${scheduler.now()}`), 2_000);
    scheduler.schedule(() => fired.push(`a@${scheduler.now()}`), 1_000);
    scheduler.schedule(() => fired.push(`c@${scheduler.now()}`), 2_000);
    scheduler.schedule(() => fired.push(`late@${scheduler.now()}`), 9_000);
    scheduler.advance(5_000);
    expect(fired).toEqual(['a@1000', 'b@2000', 'c@2000']);
    expect(scheduler.now()).toBe(5_000);
    expect(scheduler.pendingCount).toBe(1);
    expect(scheduler.nextDueMs()).toBe(9_000);
  });

  it('runs timers scheduled by callbacks within the same advance, and skips cancelled ones', () => {
    const scheduler = new ManualScheduler(0);
    const ticks: number[] = [];
    const tick = (): void => {
      ticks.push(scheduler.now());
      scheduler.schedule(tick, 1_000);
    };
    scheduler.schedule(tick, 1_000);
    const cancelled = scheduler.schedule(() => ticks.push(-1), 1_500);
    cancelled.cancel();
    cancelled.cancel();
    scheduler.advance(3_500);
    expect(ticks).toEqual([1_000, 2_000, 3_000]);
    expect(scheduler.pendingCount).toBe(1);
    expect(scheduler.runAll(3)).toBe(3);
    expect(ticks).toEqual([1_000, 2_000, 3_000, 4_000, 5_000, 6_000]);
  });

  it('advanceAsync lets promises started by a timer settle in order', async () => {
    const scheduler = new ManualScheduler(0);
    const log: string[] = [];
    scheduler.schedule(() => {
      void Promise.resolve().then(() => log.push(`settled@${scheduler.now()}`));
    }, 100);
    scheduler.schedule(() => log.push(`second@${scheduler.now()}`), 200);
    await scheduler.advanceAsync(1_000);
    expect(log).toEqual(['settled@100', 'second@200']);
  });

  it('rejects negative or non-finite delays', () => {
    const scheduler = new ManualScheduler();
    for (const delay of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      try {
        scheduler.schedule(() => undefined, delay);
        expect.unreachable();
      } catch (error) {
        expect(isHeadroomError(error, 'invalid_argument')).toBe(true);
      }
    }
  });

  it('re-exports the seeded Random', () => {
    expect(createRandom(5).nextUint32()).toBe(createRandom(5).nextUint32());
  });
});

describe('system scheduler', () => {
  it('runs callbacks on the event loop and reports their errors instead of throwing', () => {
    vi.useFakeTimers();
    try {
      const errors: unknown[] = [];
      const scheduler = createSystemScheduler({ onError: (e) => errors.push(e), unref: true });
      const ran: number[] = [];
      scheduler.schedule(() => ran.push(1), 10);
      const h = scheduler.schedule(() => ran.push(2), 20);
      scheduler.schedule(() => {
        throw new Error('listener failed');
      }, 30);
      h.cancel();
      vi.advanceTimersByTime(50);
      expect(ran).toEqual([1]);
      expect(errors).toHaveLength(1);
      expect(typeof scheduler.now()).toBe('number');
      expect(Number.isFinite(systemClock.now())).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
