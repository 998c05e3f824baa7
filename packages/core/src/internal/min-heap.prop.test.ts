import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from '@headroom/core';

describe('MinHeap', () => {
  it('pops in sorted order, equal keys first-in first-out, under interleaved pushes and pops', () => {
    const op = fc.oneof(
      fc.record({ push: fc.integer({ min: 0, max: 20 }) }),
      fc.constant({ pop: true as const }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const heap = new MinHeap<{ key: number; seq: number }>((a, b) => a.key - b.key);
        const model: { key: number; seq: number }[] = [];
        let seq = 0;
        for (const o of ops) {
          if ('push' in o) {
            const item = { key: o.push, seq: seq++ };
            heap.push(item);
            model.push(item);
          } else {
            model.sort((a, b) => a.key - b.key || a.seq - b.seq);
            expect(heap.pop()).toBe(model.shift());
          }
          expect(heap.size).toBe(model.length);
        }
      }),
    );
  });
});
