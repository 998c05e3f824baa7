import {
  addDuplicateIssues,
  HeadroomError,
  parseConfig,
  requireNumber,
  type ErrorPath,
} from '@headroom/core';
import { z } from 'zod';

/**
 * Configuration of a {@link WorkQueue}: its priority classes and the aging interval. Unknown keys
 * are rejected, so a misspelt option fails instead of being ignored.
 */
export const WorkQueueConfigSchema = z
  .strictObject({
    /**
     * The priority classes by name, **highest priority first**, 1..64 distinct non-empty names.
     * The class at index `i` of `K` classes has rank `K - 1 - i`: the first class has the highest
     * rank, the last has rank 0. For example `['interactive', 'batch', 'backfill']`.
     */
    classes: z.array(z.string().min(1)).min(1).max(64),
    /**
     * The aging interval `A`, ms: every full `A` an item waits adds 1 to its effective rank, so a
     * low class overtakes a higher one after waiting `A` per rank of difference. Finite and > 0.
     * @defaultValue 60_000 (one minute)
     */
    agingIntervalMs: z.number().positive().max(Number.MAX_SAFE_INTEGER).default(60_000),
  })
  .superRefine((config, ctx) => {
    addDuplicateIssues(
      ctx,
      config.classes,
      (name) => name,
      (i) => ['classes', i],
      'class name',
    );
  });

/** What {@link createWorkQueue} and {@link parseWorkQueueConfig} accept: the schema's input. */
export type WorkQueueConfigInput = z.input<typeof WorkQueueConfigSchema>;

/** A validated, frozen {@link WorkQueueConfigSchema}, defaults filled in. */
export type WorkQueueConfig = Readonly<z.output<typeof WorkQueueConfigSchema>>;

/**
 * Validates a work-queue configuration once: returns it frozen with defaults filled in.
 *
 * @param input - the configuration; see {@link WorkQueueConfigSchema}.
 * @param path - where the configuration sits in a larger one, prefixed to error paths.
 * @defaultValue `[]`
 * @throws `HeadroomError` `invalid_config` naming the field (for example `agingIntervalMs`), the
 * bound it broke and the offending value.
 * @example
 * ```ts
 * const config = parseWorkQueueConfig({ classes: ['interactive', 'batch'] });
 * // agingIntervalMs: 60_000
 * ```
 */
export function parseWorkQueueConfig(
  input: WorkQueueConfigInput,
  path: ErrorPath = [],
): WorkQueueConfig {
  return parseConfig(WorkQueueConfigSchema, input, path);
}

/** One item to put on a {@link WorkQueue}. */
export interface WorkQueueItemInput<T = unknown> {
  /** A unique id among the items in the queue (a job id, a message id). */
  readonly id: string;
  /** The priority class: one of the queue's configured `classes`. */
  readonly className: string;
  /**
   * The item's size in work units (GPU-seconds, tokens, frames), finite and > 0; queue depth in
   * units is reported beside the item count. @defaultValue 1
   */
  readonly sizeUnits?: number;
  /** Anything the caller wants back on dequeue; the queue never reads it. */
  readonly payload?: T;
}

/** An item held by a {@link WorkQueue}. */
export interface WorkQueueItem<T = unknown> {
  /** Its id. */
  readonly id: string;
  /** Its priority class. */
  readonly className: string;
  /** Its class's rank: `K - 1` for the first configured class down to 0 for the last. */
  readonly rank: number;
  /** When it was enqueued, epoch ms. */
  readonly enqueuedAtMs: number;
  /** Its size in work units. */
  readonly sizeUnits: number;
  /** Its arrival order in this queue, 0-based: the final tie-break (older first). */
  readonly sequence: number;
  /** The caller's payload, when one was given. */
  readonly payload: T | undefined;
}

/** An item handed out by {@link WorkQueue.dequeue}, with how it was chosen. */
export interface WorkQueueDequeued<T = unknown> extends WorkQueueItem<T> {
  /** How long it waited, ms: dequeue time minus enqueue time. */
  readonly waitMs: number;
  /** Its effective rank when chosen: `rank + floor(waitMs / agingIntervalMs)`. */
  readonly effectiveRank: number;
  /**
   * True when aging made the difference: at least one class of higher rank had an item waiting,
   * and this one was chosen over it.
   */
  readonly promotedByAging: boolean;
}

/** Per-class figures of a {@link WorkQueue}, keyed by class name. */
export type WorkQueueClassFigures = Readonly<Record<string, number>>;

interface Entry<T> {
  readonly item: WorkQueueItem<T>;
  removed: boolean;
}

interface ClassFifo<T> {
  entries: Entry<T>[];
  head: number;
  live: number;
  units: number;
}

/**
 * A priority work queue with aging, pure and deterministic: every operation that depends on time
 * takes `nowMs` (epoch ms), and time may not go backwards.
 *
 * **Order.** Each class is a FIFO. {@link WorkQueue.dequeue} compares the head (oldest item) of
 * every class by effective rank `rank + floor(waitMs / agingIntervalMs)` and serves the highest;
 * ties go to the item that arrived first (lower `sequence`). Within a class the head always has
 * the highest effective rank, so comparing heads is exact: O(K) per dequeue for K classes and
 * O(1) amortised per enqueue and remove. This is the aging rule of classic operating-system
 * schedulers (a waiting process's priority rises with its wait), applied to job classes.
 *
 * **Starvation bound (proved).** Take an item `x` of rank `r` enqueued at `t0`. An item `y` of rank
 * `s` enqueued at `ty >= t0 + max(0, s - r) * A` can never be served before `x`: at any later `t`,
 * `floor((t - t0)/A) >= floor((t - ty)/A) + floor((ty - t0)/A) >= floor((t - ty)/A) + (s - r)`, so
 * `x`'s effective rank is at least `y`'s, and ties go to `x` (it arrived first). So the items
 * dequeued after `x` arrives and before `x` are at most `Q0 + H`: `Q0` the items already waiting when
 * `x` arrived, `H` the later arrivals of a class `s > r` within `(s - r) * A` of `x`'s arrival (at
 * most the higher-class arrivals during `(K - 1) * A`). Same- and lower-class arrivals never pass
 * `x`. With `c` workers that each dequeue as soon as they finish and take a fixed service time
 * `S`, `x` waits at most `(floor((Q0 + H) / c) + 1) * S`: see {@link agingWaitBound}.
 *
 * p-queue is not used: it is ESM-only, runs its tasks itself and reads no injected clock, whereas
 * this queue only orders items and takes time as an argument.
 *
 * @example
 * ```ts
 * const queue = createWorkQueue({ classes: ['interactive', 'batch'], agingIntervalMs: 30_000 });
 * queue.enqueue({ id: 'job-1', className: 'batch' }, nowMs);
 * queue.enqueue({ id: 'job-2', className: 'interactive' }, nowMs);
 * queue.dequeue(nowMs)?.id; // 'job-2'
 * ```
 */
export class WorkQueue<T = unknown> {
  /** The validated configuration. */
  readonly config: WorkQueueConfig;
  readonly #fifos: ClassFifo<T>[];
  readonly #rankOf: Map<string, number>;
  readonly #byId = new Map<string, Entry<T>>();
  #lastNowMs = Number.NEGATIVE_INFINITY;
  #sequence = 0;
  #size = 0;
  #units = 0;

  /**
   * Builds an empty queue; prefer {@link createWorkQueue}.
   *
   * @param config - see {@link WorkQueueConfigSchema}.
   * @throws `HeadroomError` `invalid_config` on a bad configuration.
   */
  constructor(config: WorkQueueConfigInput | WorkQueueConfig) {
    this.config = parseWorkQueueConfig(config);
    const k = this.config.classes.length;
    this.#fifos = this.config.classes.map(() => ({ entries: [], head: 0, live: 0, units: 0 }));
    this.#rankOf = new Map(this.config.classes.map((name, i) => [name, k - 1 - i]));
  }

  /** How many items are waiting. */
  get size(): number {
    return this.#size;
  }

  /** The work units waiting, summed over items. */
  get sizeUnits(): number {
    return this.#units;
  }

  /** The latest `nowMs` an operation was given, epoch ms; `undefined` before any. */
  get lastNowMs(): number | undefined {
    return Number.isFinite(this.#lastNowMs) ? this.#lastNowMs : undefined;
  }

  /**
   * The rank of a class: `K - 1` for the first configured class down to 0 for the last.
   *
   * @throws `HeadroomError` `invalid_argument` for an unknown class.
   */
  rankOf(className: string): number {
    const rank = this.#rankOf.get(className);
    if (rank === undefined) {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: `unknown class; expected one of: ${this.config.classes.join(', ')}`,
        path: ['className'],
        value: className,
        limit: `one of: ${this.config.classes.join(', ')}`,
      });
    }
    return rank;
  }

  /** Whether an item with this id is waiting. */
  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /**
   * Adds an item at the tail of its class.
   *
   * @param input - the item; see {@link WorkQueueItemInput}.
   * @param nowMs - the enqueue time, epoch ms: finite and not before the last operation's.
   * @returns the stored item.
   * @throws `HeadroomError` `invalid_argument` for a non-finite time, an empty id, an unknown class
   * or a bad `sizeUnits`; `out_of_order` when `nowMs` is before the last operation's; `conflict`
   * when an item with the same id is already waiting.
   */
  enqueue(input: WorkQueueItemInput<T>, nowMs: number): WorkQueueItem<T> {
    this.#advance(nowMs);
    if (typeof input.id !== 'string' || input.id.length === 0) {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: 'id must be a non-empty string',
        path: ['id'],
        value: input.id,
        limit: 'non-empty string',
      });
    }
    if (this.#byId.has(input.id)) {
      throw new HeadroomError({
        code: 'conflict',
        message: 'an item with this id is already waiting',
        path: ['id'],
        value: input.id,
      });
    }
    const rank = this.rankOf(input.className);
    const sizeUnits =
      input.sizeUnits === undefined
        ? 1
        : requireNumber(input.sizeUnits, ['sizeUnits'], { min: 0, minExclusive: true });
    const item: WorkQueueItem<T> = Object.freeze({
      id: input.id,
      className: input.className,
      rank,
      enqueuedAtMs: nowMs,
      sizeUnits,
      sequence: this.#sequence++,
      payload: input.payload,
    });
    const entry: Entry<T> = { item, removed: false };
    const fifo = this.#fifoOf(rank);
    fifo.entries.push(entry);
    fifo.live += 1;
    fifo.units += sizeUnits;
    this.#byId.set(item.id, entry);
    this.#size += 1;
    this.#units += sizeUnits;
    return item;
  }

  /**
   * The item {@link dequeue} would return at `nowMs`, without removing it.
   *
   * @throws `HeadroomError` `invalid_argument` / `out_of_order` for a bad `nowMs`.
   */
  peek(nowMs: number): WorkQueueDequeued<T> | undefined {
    this.#advance(nowMs);
    return this.#choose(nowMs)?.chosen;
  }

  /**
   * Removes and returns the next item to serve at `nowMs`: the class head with the highest
   * effective rank `rank + floor(waitMs / agingIntervalMs)`, the earliest arrival on a tie;
   * `undefined` when the queue is empty.
   *
   * @param nowMs - the dequeue time, epoch ms: finite and not before the last operation's.
   * @throws `HeadroomError` `invalid_argument` for a non-finite time; `out_of_order` when `nowMs`
   * is before the last operation's.
   */
  dequeue(nowMs: number): WorkQueueDequeued<T> | undefined {
    this.#advance(nowMs);
    const choice = this.#choose(nowMs);
    if (choice === undefined) return undefined;
    const fifo = this.#fifoOf(choice.chosen.rank);
    const entry = fifo.entries[fifo.head];
    if (entry !== undefined) this.#drop(entry, fifo);
    return choice.chosen;
  }

  /**
   * Removes a waiting item by id (a cancelled job).
   *
   * @returns the removed item, or `undefined` when no item with this id is waiting.
   */
  remove(id: string): WorkQueueItem<T> | undefined {
    const entry = this.#byId.get(id);
    if (entry === undefined) return undefined;
    this.#drop(entry, this.#fifoOf(entry.item.rank));
    return entry.item;
  }

  /** The number of waiting items per class, every configured class present. */
  depthByClass(): WorkQueueClassFigures {
    return this.#perClass((fifo) => fifo.live);
  }

  /** The waiting work units per class, every configured class present. */
  unitsByClass(): WorkQueueClassFigures {
    return this.#perClass((fifo) => fifo.units);
  }

  /**
   * How long the oldest waiting item of each class has waited at `nowMs`, ms; 0 for an empty
   * class. Does not advance the queue's clock, but `nowMs` must be finite and not before the last
   * operation's.
   *
   * @throws `HeadroomError` `invalid_argument` / `out_of_order` for a bad `nowMs`.
   */
  oldestAgeMsByClass(nowMs: number): WorkQueueClassFigures {
    this.#checkTime(nowMs);
    return this.#perClass((fifo) => {
      const head = this.#headOf(fifo);
      return head === undefined ? 0 : nowMs - head.item.enqueuedAtMs;
    });
  }

  /** The waiting items in the order of their arrival (for inspection and serialisation). */
  items(): readonly WorkQueueItem<T>[] {
    return [...this.#byId.values()].map((e) => e.item).sort((a, b) => a.sequence - b.sequence);
  }

  #perClass(value: (fifo: ClassFifo<T>) => number): WorkQueueClassFigures {
    const out: Record<string, number> = {};
    this.config.classes.forEach((name, i) => {
      out[name] = value(this.#fifoOf(this.config.classes.length - 1 - i));
    });
    return Object.freeze(out);
  }

  #fifoOf(rank: number): ClassFifo<T> {
    const fifo = this.#fifos[this.config.classes.length - 1 - rank];
    if (fifo === undefined) {
      throw new HeadroomError({ code: 'internal', message: `no FIFO for rank ${rank}` });
    }
    return fifo;
  }

  #headOf(fifo: ClassFifo<T>): Entry<T> | undefined {
    while (fifo.head < fifo.entries.length) {
      const entry = fifo.entries[fifo.head];
      if (entry !== undefined && !entry.removed) return entry;
      fifo.head += 1;
    }
    return undefined;
  }

  #choose(nowMs: number): { chosen: WorkQueueDequeued<T> } | undefined {
    const a = this.config.agingIntervalMs;
    let best: { item: WorkQueueItem<T>; effective: number } | undefined;
    let highestWaitingRank = -1;
    for (const fifo of this.#fifos) {
      const head = this.#headOf(fifo);
      if (head === undefined) continue;
      const item = head.item;
      highestWaitingRank = Math.max(highestWaitingRank, item.rank);
      const effective = item.rank + Math.floor((nowMs - item.enqueuedAtMs) / a);
      if (
        best === undefined ||
        effective > best.effective ||
        (effective === best.effective && item.sequence < best.item.sequence)
      ) {
        best = { item, effective };
      }
    }
    if (best === undefined) return undefined;
    return {
      chosen: Object.freeze({
        ...best.item,
        waitMs: nowMs - best.item.enqueuedAtMs,
        effectiveRank: best.effective,
        promotedByAging: highestWaitingRank > best.item.rank,
      }),
    };
  }

  #drop(entry: Entry<T>, fifo: ClassFifo<T>): void {
    entry.removed = true;
    this.#byId.delete(entry.item.id);
    fifo.live -= 1;
    fifo.units = fifo.live === 0 ? 0 : fifo.units - entry.item.sizeUnits;
    this.#size -= 1;
    this.#units = this.#size === 0 ? 0 : this.#units - entry.item.sizeUnits;
    this.#headOf(fifo);
    // Compact once the dead prefix dominates, keeping enqueue and dequeue O(1) amortised.
    if (fifo.head > 64 && fifo.head * 2 > fifo.entries.length) {
      fifo.entries = fifo.entries.slice(fifo.head);
      fifo.head = 0;
    }
  }

  #checkTime(nowMs: number): void {
    requireNumber(nowMs, ['nowMs']);
    if (nowMs < this.#lastNowMs) {
      throw new HeadroomError({
        code: 'out_of_order',
        message: `time went backwards: the last operation was at ${this.#lastNowMs}`,
        path: ['nowMs'],
        value: nowMs,
        limit: `>= ${this.#lastNowMs}`,
      });
    }
  }

  #advance(nowMs: number): void {
    this.#checkTime(nowMs);
    this.#lastNowMs = nowMs;
  }
}

/**
 * Creates an empty {@link WorkQueue}: named priority classes, FIFO within a class, aging across
 * classes with a proved starvation bound.
 *
 * @param config - see {@link WorkQueueConfigSchema}.
 * @throws `HeadroomError` `invalid_config` on a bad configuration, naming the field.
 * @example
 * ```ts
 * const queue = createWorkQueue<{ prompt: string }>({
 *   classes: ['realtime', 'batch', 'backfill'], // highest priority first
 *   agingIntervalMs: 60_000,
 * });
 * queue.enqueue({ id: 'a', className: 'backfill', payload: { prompt: '...' } }, nowMs);
 * const next = queue.dequeue(nowMs + 1_000); // { id: 'a', waitMs: 1000, ... }
 * ```
 */
export function createWorkQueue<T = unknown>(
  config: WorkQueueConfigInput | WorkQueueConfig,
): WorkQueue<T> {
  return new WorkQueue<T>(config);
}

/** The input of {@link agingWaitBound}. */
export interface AgingWaitBoundInput {
  /** `Q0`: items waiting in the queue when the item arrived (not counting those in service). */
  readonly itemsAhead: number;
  /**
   * `H`: later arrivals of a higher class `s` within `(s - r) * agingIntervalMs` of the item's
   * arrival (`r` its rank); at most all higher-class arrivals during `(K - 1) * agingIntervalMs`.
   */
  readonly higherClassArrivals: number;
  /** `c`: workers, each dequeuing the next item as soon as it finishes one; an integer >= 1. */
  readonly workers: number;
  /** `S`: the fixed time one worker takes per item, ms, > 0. */
  readonly serviceTimeMs: number;
}

/**
 * The most items that can be dequeued after an item arrives and before it under the aging rule of
 * {@link WorkQueue}: `Q0 + H` (see the proof there). Independent of the number of workers and of
 * service times.
 *
 * @param itemsAhead - `Q0`, an integer >= 0.
 * @param higherClassArrivals - `H`, an integer >= 0.
 * @throws `HeadroomError` `invalid_argument` for a negative or non-integer count.
 * @example
 * ```ts
 * agingOvertakeBound(12, 5); // 17
 * ```
 */
export function agingOvertakeBound(itemsAhead: number, higherClassArrivals: number): number {
  const q0 = requireNumber(itemsAhead, ['itemsAhead'], { min: 0, integer: true });
  const h = requireNumber(higherClassArrivals, ['higherClassArrivals'], { min: 0, integer: true });
  return q0 + h;
}

/**
 * The longest an item can wait in a {@link WorkQueue} served by `c` busy workers with a fixed
 * service time `S`: `(floor((Q0 + H) / c) + 1) * S` ms.
 *
 * Proof: while the item waits, every worker is busy (a free worker would dequeue it or another
 * item at once). Each worker finishes its current item within `S` of the arrival and then one item
 * every `S`, dequeuing the next at each finish. If the item were still waiting after
 * `(m + 1) * S` with `m = floor((Q0 + H) / c)`, the workers would have dequeued `c * (m + 1) > Q0 + H`
 * other items since its arrival, more than {@link agingOvertakeBound} allows.
 *
 * With a Poisson stream of higher-class arrivals at rate `lambdaHigh` per ms, `H` averages at most
 * `lambdaHigh * (K - 1) * agingIntervalMs`: the bound grows with the aging interval, which is the
 * price of letting higher classes pass.
 *
 * @param input - see {@link AgingWaitBoundInput}.
 * @returns the bound, ms.
 * @throws `HeadroomError` `invalid_argument` naming the bad field.
 * @example
 * ```ts
 * agingWaitBound({ itemsAhead: 10, higherClassArrivals: 6, workers: 4, serviceTimeMs: 2_000 });
 * // (floor(16 / 4) + 1) * 2000 = 10_000 ms
 * ```
 */
export function agingWaitBound(input: AgingWaitBoundInput): number {
  const n = agingOvertakeBound(input.itemsAhead, input.higherClassArrivals);
  const c = requireNumber(input.workers, ['workers'], { min: 1, integer: true });
  const s = requireNumber(input.serviceTimeMs, ['serviceTimeMs'], { min: 0, minExclusive: true });
  return (Math.floor(n / c) + 1) * s;
}

/**
 * The window after an item's arrival during which a later item of another class can still be
 * served before it: `max(0, rank(later) - rank(item)) * agingIntervalMs`, ms. Arrivals counted by
 * `higherClassArrivals` in {@link agingWaitBound} are those that fall inside it.
 *
 * @param config - the queue's configuration.
 * @param itemClass - the waiting item's class.
 * @param laterClass - the later arrival's class.
 * @throws `HeadroomError` `invalid_argument` for an unknown class.
 * @example
 * ```ts
 * agingOvertakeWindowMs({ classes: ['rt', 'batch', 'backfill'], agingIntervalMs: 60_000 }, 'backfill', 'rt');
 * // 120_000
 * ```
 */
export function agingOvertakeWindowMs(
  config: WorkQueueConfigInput | WorkQueueConfig,
  itemClass: string,
  laterClass: string,
): number {
  const c = parseWorkQueueConfig(config);
  const k = c.classes.length;
  const rank = (name: string, field: string): number => {
    const i = c.classes.indexOf(name);
    if (i < 0) {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: 'unknown class',
        path: [field],
        value: name,
        limit: `one of: ${c.classes.join(', ')}`,
      });
    }
    return k - 1 - i;
  };
  return (
    Math.max(0, rank(laterClass, 'laterClass') - rank(itemClass, 'itemClass')) * c.agingIntervalMs
  );
}
