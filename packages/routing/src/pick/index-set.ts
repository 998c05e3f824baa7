/**
 * A sparse set of small non-negative integers (Briggs and Torczon, 1993) over `Int32Array`s:
 * O(1) add, delete, membership and uniform sampling by position, no allocation after growth.
 * Used to sample power-of-two-choices candidates uniformly from the endpoints that can take work.
 */
export class IndexSet {
  #dense: Int32Array;
  #sparse: Int32Array;
  #size = 0;

  /** @param capacity - initial capacity (values below it need no growth). @defaultValue 16 */
  constructor(capacity = 16) {
    const cap = Math.max(1, Math.floor(capacity));
    this.#dense = new Int32Array(cap);
    this.#sparse = new Int32Array(cap).fill(-1);
  }

  /** Number of members. */
  get size(): number {
    return this.#size;
  }

  /** True when `value` is a member. */
  has(value: number): boolean {
    return value >= 0 && value < this.#sparse.length && (this.#sparse[value] as number) >= 0;
  }

  /** The member at dense position `position` (0 <= position < size). */
  at(position: number): number {
    return this.#dense[position] as number;
  }

  /** Adds `value` (a non-negative integer); does nothing when already a member. */
  add(value: number): void {
    if (value >= this.#sparse.length) this.#grow(value + 1);
    if ((this.#sparse[value] as number) >= 0) return;
    if (this.#size === this.#dense.length) this.#grow(this.#dense.length + 1);
    this.#dense[this.#size] = value;
    this.#sparse[value] = this.#size;
    this.#size++;
  }

  /** Removes `value`; does nothing when it is not a member. */
  delete(value: number): void {
    if (!this.has(value)) return;
    const position = this.#sparse[value] as number;
    const last = this.#dense[--this.#size] as number;
    this.#dense[position] = last;
    this.#sparse[last] = position;
    this.#sparse[value] = -1;
  }

  /** Removes every member. O(size). */
  clear(): void {
    for (let i = 0; i < this.#size; i++) this.#sparse[this.#dense[i] as number] = -1;
    this.#size = 0;
  }

  #grow(atLeast: number): void {
    let cap = this.#sparse.length;
    while (cap < atLeast) cap *= 2;
    const sparse = new Int32Array(cap).fill(-1);
    sparse.set(this.#sparse);
    const dense = new Int32Array(cap);
    dense.set(this.#dense);
    this.#sparse = sparse;
    this.#dense = dense;
  }
}
