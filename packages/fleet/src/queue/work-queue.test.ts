import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import {
  agingOvertakeBound,
  agingOvertakeWindowMs,
  agingWaitBound,
  createWorkQueue,
  parseWorkQueueConfig,
} from './index.js';
import { thrown } from '../../../../tools/test-utils.js';

const T0 = 1_700_000_000_000;
const CLASSES = ['realtime', 'batch', 'backfill'];

describe('createWorkQueue', () => {
  it('defaults the aging interval to 60 s and ranks classes highest first', () => {
    const queue = createWorkQueue({ classes: CLASSES });
    expect(queue.config.agingIntervalMs).toBe(60_000);
    expect(CLASSES.map((c) => queue.rankOf(c))).toEqual([2, 1, 0]);
  });

  it('serves higher classes first and FIFO within a class', () => {
    // Arrange
    const queue = createWorkQueue({ classes: CLASSES, agingIntervalMs: 60_000 });
    queue.enqueue({ id: 'b1', className: 'backfill' }, T0);
    queue.enqueue({ id: 'x1', className: 'batch' }, T0);
    queue.enqueue({ id: 'r1', className: 'realtime' }, T0 + 1);
    queue.enqueue({ id: 'x2', className: 'batch' }, T0 + 2);

    // Act
    const order = [1, 2, 3, 4].map(() => queue.dequeue(T0 + 10)?.id);

    // Assert
    expect(order).toEqual(['r1', 'x1', 'x2', 'b1']);
    expect(queue.dequeue(T0 + 10)).toBeUndefined();
    expect(queue.size).toBe(0);
  });

  it('ages a waiting low class past a fresh higher one after A per rank of difference', () => {
    const queue = createWorkQueue({ classes: CLASSES, agingIntervalMs: 1_000 });
    queue.enqueue({ id: 'old-backfill', className: 'backfill' }, T0);
    // Just under 2 A: effective 0 + 1 = 1 < realtime's 2.
    queue.enqueue({ id: 'rt', className: 'realtime' }, T0 + 1_999);
    expect(queue.peek(T0 + 1_999)?.id).toBe('rt');
    // At 2 A: effective 2 = realtime's 2, and the backfill item arrived first.
    const next = queue.dequeue(T0 + 2_000);
    expect(next).toMatchObject({
      id: 'old-backfill',
      waitMs: 2_000,
      effectiveRank: 2,
      promotedByAging: true,
    });
    expect(queue.dequeue(T0 + 2_000)).toMatchObject({ id: 'rt', promotedByAging: false });
  });

  it('reports depth, units and the oldest age per class, and removes by id', () => {
    const queue = createWorkQueue({ classes: CLASSES });
    queue.enqueue({ id: 'a', className: 'batch', sizeUnits: 3 }, T0);
    queue.enqueue({ id: 'b', className: 'batch', sizeUnits: 2 }, T0 + 500);
    queue.enqueue({ id: 'c', className: 'realtime' }, T0 + 700);
    expect(queue.depthByClass()).toEqual({ realtime: 1, batch: 2, backfill: 0 });
    expect(queue.unitsByClass()).toEqual({ realtime: 1, batch: 5, backfill: 0 });
    expect(queue.sizeUnits).toBe(6);
    expect(queue.oldestAgeMsByClass(T0 + 1_000)).toEqual({
      realtime: 300,
      batch: 1_000,
      backfill: 0,
    });

    expect(queue.remove('a')?.id).toBe('a');
    expect(queue.remove('a')).toBeUndefined();
    expect(queue.has('a')).toBe(false);
    expect(queue.oldestAgeMsByClass(T0 + 1_000)).toMatchObject({ batch: 500 });
    expect(queue.items().map((i) => i.id)).toEqual(['b', 'c']);
    expect(queue.dequeue(T0 + 1_000)?.id).toBe('c');
    expect(queue.dequeue(T0 + 1_000)?.id).toBe('b');
    expect(queue.sizeUnits).toBe(0);
  });

  it('keeps FIFO order across many enqueues and removals (compaction)', () => {
    const queue = createWorkQueue({ classes: ['only'] });
    for (let i = 0; i < 500; i++) queue.enqueue({ id: `j${i}`, className: 'only' }, T0 + i);
    for (let i = 0; i < 500; i += 3) queue.remove(`j${i}`);
    const out: string[] = [];
    for (let item = queue.dequeue(T0 + 1_000); item; item = queue.dequeue(T0 + 1_000))
      out.push(item.id);
    const expected = Array.from({ length: 500 }, (_, i) => i)
      .filter((i) => i % 3 !== 0)
      .map((i) => `j${i}`);
    expect(out).toEqual(expected);
  });

  it('rejects bad input with typed errors that name the field', () => {
    const queue = createWorkQueue({ classes: CLASSES });
    queue.enqueue({ id: 'a', className: 'batch' }, T0);
    const nan = thrown(() => queue.dequeue(Number.NaN));
    expect(isHeadroomError(nan, 'invalid_argument')).toBe(true);
    expect(String(nan)).toContain('nowMs');
    expect(
      isHeadroomError(
        thrown(() => queue.dequeue(T0 - 1)),
        'out_of_order',
      ),
    ).toBe(true);
    const unknown = thrown(() => queue.enqueue({ id: 'b', className: 'urgent' }, T0));
    expect(isHeadroomError(unknown, 'invalid_argument')).toBe(true);
    expect(String(unknown)).toContain('className');
    expect(
      isHeadroomError(
        thrown(() => queue.enqueue({ id: 'a', className: 'batch' }, T0)),
        'conflict',
      ),
    ).toBe(true);
    expect(
      isHeadroomError(
        thrown(() => queue.enqueue({ id: 'c', className: 'batch', sizeUnits: 0 }, T0)),
        'invalid_argument',
      ),
    ).toBe(true);
    expect(
      isHeadroomError(
        thrown(() => queue.enqueue({ id: '', className: 'batch' }, T0)),
        'invalid_argument',
      ),
    ).toBe(true);
    // Nothing was added by the failed calls.
    expect(queue.size).toBe(1);
  });

  it('rejects bad configuration naming the field', () => {
    const dup = thrown(() => parseWorkQueueConfig({ classes: ['a', 'a'] }));
    expect(isHeadroomError(dup, 'invalid_config')).toBe(true);
    expect(String(dup)).toContain('classes[1]');
    const aging = thrown(() => parseWorkQueueConfig({ classes: ['a'], agingIntervalMs: 0 }));
    expect(String(aging)).toContain('agingIntervalMs');
    expect(
      isHeadroomError(
        thrown(() => parseWorkQueueConfig({ classes: [] })),
        'invalid_config',
      ),
    ).toBe(true);
  });
});

describe('aging bounds', () => {
  it('computes (floor((Q0 + H) / c) + 1) * S', () => {
    expect(agingOvertakeBound(12, 5)).toBe(17);
    expect(
      agingWaitBound({ itemsAhead: 10, higherClassArrivals: 6, workers: 4, serviceTimeMs: 2_000 }),
    ).toBe(10_000);
    expect(
      agingWaitBound({ itemsAhead: 0, higherClassArrivals: 0, workers: 1, serviceTimeMs: 500 }),
    ).toBe(500);
  });

  it('states the overtaking window per rank of difference', () => {
    const config = { classes: CLASSES, agingIntervalMs: 60_000 };
    expect(agingOvertakeWindowMs(config, 'backfill', 'realtime')).toBe(120_000);
    expect(agingOvertakeWindowMs(config, 'batch', 'realtime')).toBe(60_000);
    expect(agingOvertakeWindowMs(config, 'realtime', 'backfill')).toBe(0);
    expect(
      isHeadroomError(
        thrown(() => agingOvertakeWindowMs(config, 'x', 'batch')),
        'invalid_argument',
      ),
    ).toBe(true);
  });

  it('rejects bad bound inputs', () => {
    expect(
      isHeadroomError(
        thrown(() => agingOvertakeBound(-1, 0)),
        'invalid_argument',
      ),
    ).toBe(true);
    expect(
      isHeadroomError(
        thrown(() =>
          agingWaitBound({ itemsAhead: 1, higherClassArrivals: 0, workers: 0, serviceTimeMs: 1 }),
        ),
        'invalid_argument',
      ),
    ).toBe(true);
  });
});
