/**
 * A binary min-heap ordered by a comparator. Ties are broken by insertion order when the
 * comparator returns 0, so equal-priority items come out first-in, first-out: a discrete-event
 * simulator and a manual scheduler both need that to be deterministic.
 *
 * `push` and `pop` are O(log n); `peek` is O(1).
 *
 * @typeParam T - the item type.
 * @example
 * ```ts
 * const heap = new MinHeap<{ atMs: number }>((a, b) => a.atMs - b.atMs);
 * heap.push({ atMs: 20 });
 * heap.push({ atMs: 10 });
 * heap.pop(); // { atMs: 10 }
 * ```
 */
export class MinHeap<T> {
  readonly #compare: (a: T, b: T) => number;
  #items: T[] = [];
  #order: number[] = [];
  #sequence = 0;

  /** @param compare - negative when `a` comes first, positive when `b` does, 0 for a tie. */
  constructor(compare: (a: T, b: T) => number) {
    this.#compare = compare;
  }

  /** Number of items in the heap. */
  get size(): number {
    return this.#items.length;
  }

  /** Adds an item. */
  push(item: T): void {
    this.#items.push(item);
    this.#order.push(this.#sequence++);
    this.#up(this.#items.length - 1);
  }

  /** The first item without removing it, or `undefined` when empty. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Removes and returns the first item, or `undefined` when empty. */
  pop(): T | undefined {
    const items = this.#items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const lastItem = items.pop() as T;
    const lastOrder = this.#order.pop() as number;
    if (items.length > 0) {
      items[0] = lastItem;
      this.#order[0] = lastOrder;
      this.#down(0);
    }
    return top;
  }

  /** Removes every item. */
  clear(): void {
    this.#items = [];
    this.#order = [];
  }

  #less(i: number, j: number): boolean {
    const c = this.#compare(this.#items[i] as T, this.#items[j] as T);
    return c < 0 || (c === 0 && (this.#order[i] as number) < (this.#order[j] as number));
  }

  #swap(i: number, j: number): void {
    const items = this.#items;
    const order = this.#order;
    const item = items[i] as T;
    items[i] = items[j] as T;
    items[j] = item;
    const o = order[i] as number;
    order[i] = order[j] as number;
    order[j] = o;
  }

  #up(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(index: number): void {
    const n = this.#items.length;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && this.#less(left, smallest)) smallest = left;
      if (right < n && this.#less(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.#swap(i, smallest);
      i = smallest;
    }
  }
}
