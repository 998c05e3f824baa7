import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from './event-queue.js';

describe('EventQueue', () => {
  it('pops by time, then first in first out, like a stable sort (property)', () => {
    const op = fc.oneof(
      fc.record({ push: fc.integer({ min: 0, max: 20 }) }),
      fc.constant({ pop: true as const }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const queue = new EventQueue(16);
        const model: { time: number; id: number }[] = [];
        let id = 0;
        for (const o of ops) {
          if ('push' in o) {
            queue.push(o.push, 1, id, id + 1000);
            model.push({ time: o.push, id });
            model.sort((a, b) => a.time - b.time || a.id - b.id);
            id++;
          } else {
            const expected = model.shift();
            expect(queue.pop()).toBe(expected !== undefined);
            if (expected !== undefined) {
              expect([queue.time, queue.a, queue.b]).toEqual([
                expected.time,
                expected.id,
                expected.id + 1000,
              ]);
            }
          }
          expect(queue.size).toBe(model.length);
          expect(queue.peekTime()).toBe(model[0]?.time ?? Infinity);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('grows past its initial capacity and clears', () => {
    const queue = new EventQueue(16);
    for (let i = 0; i < 1000; i++) queue.push(1000 - i, 2, i, 0);
    expect(queue.size).toBe(1000);
    expect(queue.pop() && queue.time).toBe(1);
    expect(queue.kind).toBe(2);
    queue.clear();
    expect(queue.pop()).toBe(false);
  });
});
