/**
 * An indexed binary min-heap of (slot, deadline) over typed arrays: at most one deadline per slot,
 * O(log n) set/delete, O(1) peek, no allocation after growth. The router keeps the next moment
 * each endpoint's weight changes by itself (a metric goes stale, a slow-start step, an ejection
 * to re-check) here, and refreshes only the endpoints that fall due.
 */
export class DeadlineHeap {
  #heap: Int32Array;
  #pos: Int32Array;
  #key: Float64Array;
  #size = 0;

  /** @param capacity - initial slot capacity. @defaultValue 64 */
  constructor(capacity = 64) {
    const cap = Math.max(1, Math.floor(capacity));
    this.#heap = new Int32Array(cap);
    this.#pos = new Int32Array(cap).fill(-1);
    this.#key = new Float64Array(cap);
  }

  /** Number of slots with a deadline. */
  get size(): number {
    return this.#size;
  }

  /** The earliest deadline, or +Infinity when empty. */
  peekDeadline(): number {
    return this.#size === 0 ? Infinity : (this.#key[this.#heap[0] as number] as number);
  }

  /**
   * True when the earliest deadline is at or before `nowMs`. Returns a boolean rather than the
   * deadline so the per-pick check boxes no double.
   */
  isDue(nowMs: number): boolean {
    return this.#size > 0 && (this.#key[this.#heap[0] as number] as number) <= nowMs;
  }

  /** The slot with the earliest deadline, or -1 when empty. */
  peekSlot(): number {
    return this.#size === 0 ? -1 : (this.#heap[0] as number);
  }

  /** The deadline of `slot`, or +Infinity when it has none. */
  deadlineOf(slot: number): number {
    return this.has(slot) ? (this.#key[slot] as number) : Infinity;
  }

  /** True when `slot` has a deadline. */
  has(slot: number): boolean {
    return slot >= 0 && slot < this.#pos.length && (this.#pos[slot] as number) >= 0;
  }

  /** Sets (or moves) the deadline of `slot`; a non-finite deadline deletes it. */
  set(slot: number, deadline: number): void {
    if (!(deadline < Infinity)) {
      this.delete(slot);
      return;
    }
    if (slot >= this.#pos.length) this.#grow(slot + 1);
    const at = this.#pos[slot] as number;
    if (at < 0) {
      const i = this.#size++;
      this.#heap[i] = slot;
      this.#pos[slot] = i;
      this.#key[slot] = deadline;
      this.#up(i);
      return;
    }
    const old = this.#key[slot] as number;
    if (old === deadline) return;
    this.#key[slot] = deadline;
    if (deadline < old) this.#up(at);
    else this.#down(at);
  }

  /**
   * {@link set} with the deadline read from `deadlines[at]`, so a hot caller passes no double
   * through a call V8 may not inline (it would box it on the heap).
   */
  setFrom(slot: number, deadlines: Float64Array, at: number): void {
    this.set(slot, deadlines[at] as number);
  }

  /** Removes the deadline of `slot`, if any. */
  delete(slot: number): void {
    if (!this.has(slot)) return;
    const at = this.#pos[slot] as number;
    const last = --this.#size;
    this.#pos[slot] = -1;
    if (at === last) return;
    const moved = this.#heap[last] as number;
    this.#heap[at] = moved;
    this.#pos[moved] = at;
    this.#up(at);
    this.#down(this.#pos[moved] as number);
  }

  /** Moves `from`'s deadline to slot `to` (after a swap-remove), replacing `to`'s. */
  move(from: number, to: number): void {
    this.delete(to);
    if (!this.has(from)) return;
    const deadline = this.#key[from] as number;
    this.delete(from);
    this.set(to, deadline);
  }

  #less(i: number, j: number): boolean {
    return (
      (this.#key[this.#heap[i] as number] as number) <
      (this.#key[this.#heap[j] as number] as number)
    );
  }

  #swap(i: number, j: number): void {
    const a = this.#heap[i] as number;
    const b = this.#heap[j] as number;
    this.#heap[i] = b;
    this.#heap[j] = a;
    this.#pos[b] = i;
    this.#pos[a] = j;
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.#size) return;
      const r = l + 1;
      const child = r < this.#size && this.#less(r, l) ? r : l;
      if (!this.#less(child, i)) return;
      this.#swap(child, i);
      i = child;
    }
  }

  #grow(atLeast: number): void {
    let cap = this.#pos.length;
    while (cap < atLeast) cap *= 2;
    const heap = new Int32Array(cap);
    heap.set(this.#heap);
    const pos = new Int32Array(cap).fill(-1);
    pos.set(this.#pos);
    const key = new Float64Array(cap);
    key.set(this.#key);
    this.#heap = heap;
    this.#pos = pos;
    this.#key = key;
  }
}
