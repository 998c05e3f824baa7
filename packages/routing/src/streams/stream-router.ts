import { HeadroomError, fromZodError, parseConfig } from '@headroom/core';
import { z } from 'zod';
import { rendezvousHash, rendezvousScore, weightedRendezvousKey } from './rendezvous.js';

/**
 * What a stream router knows about an endpoint's state.
 *
 * - `ready`: eligible for new streams, keeps its live streams.
 * - `draining`: takes no new stream; its live streams are moved away (the instance is about to
 *   stop: a scale-down, a spot interruption notice, a rolling update).
 * - `ejected`: taken out by health checking or outlier detection; its live streams are moved away.
 */
export const STREAM_ENDPOINT_STATES = ['ready', 'draining', 'ejected'] as const;

/** One of {@link STREAM_ENDPOINT_STATES}. */
export type StreamEndpointState = (typeof STREAM_ENDPOINT_STATES)[number];

/**
 * The view of one endpoint a stream router needs: its id, whether it takes new streams, its
 * relative weight and an optional hard cap on streams. Unknown keys are ignored, so an endpoint
 * table's richer records can be passed as they are.
 */
export const StreamEndpointSchema = z.object({
  /** The endpoint's id: stable, unique, non-empty (an instance name or `host:port`). */
  id: z.string().min(1),
  /** Whether it takes new streams; see {@link STREAM_ENDPOINT_STATES}. @defaultValue 'ready' */
  state: z.literal(STREAM_ENDPOINT_STATES).default('ready'),
  /**
   * Relative capacity for streams, finite and > 0: an endpoint of weight 2 gets twice the share of
   * new streams of an endpoint of weight 1 (weighted rendezvous) and twice the bounded-load cap.
   * @defaultValue 1
   */
  weight: z.number().positive().default(1),
  /**
   * Hard cap on live streams on this endpoint, an integer >= 1 (for example the GPU's concurrent
   * decoder slots). No cap when absent. Lowering it below the current load moves no live stream.
   */
  maxStreams: z.number().int().min(1).optional(),
});

/** What {@link StreamRouter.setEndpoints} accepts for one endpoint: {@link StreamEndpointSchema}'s input. */
export type StreamEndpoint = z.input<typeof StreamEndpointSchema>;

const EndpointListSchema = z.array(StreamEndpointSchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((endpoint, index) => {
    if (seen.has(endpoint.id)) {
      ctx.addIssue({
        code: 'custom',
        message: 'duplicate endpoint id',
        path: [index, 'id'],
        input: endpoint.id,
        params: { limit: 'unique ids' },
      });
    }
    seen.add(endpoint.id);
  });
});

/** Configuration of {@link createStreamRouter}. */
export const StreamRouterConfigSchema = z
  .strictObject({
    /**
     * Bound of the affinity table, streams, an integer in [1, 10_000_000]. When it is full, opening
     * a stream forgets the least recently routed one (its next chunk is placed again by the same
     * rendezvous order, so it usually lands where it was). Size it above the peak of concurrent
     * streams one gateway replica holds. @defaultValue 100_000
     */
    maxStreams: z.number().int().min(1).max(10_000_000).default(100_000),
    /**
     * Idle time after which a stream is forgotten, ms, finite and > 0: a stream not routed for
     * longer than `ttlMs` is dropped from the table and placed again on its next chunk.
     * @defaultValue 120_000
     */
    ttlMs: z.number().positive().default(120_000),
    /**
     * How stale a stream's recency stamp may get before a chunk refreshes it, ms, finite, >= 0 and
     * <= `ttlMs`. Refreshing moves the stream to the front of the recency list, which touches two
     * other entries' memory; with a precision `p`, a stream routed many times a second is moved at
     * most once per `p`. The cost is precision: a stream idle for more than `ttlMs` is always
     * forgotten, one idle for at most `ttlMs - p` is always kept, one in between may be forgotten
     * (and placed again, usually on the same endpoint); the table's eviction order is least
     * recently used to within `p`. 0 makes both exact.
     * @defaultValue min(ttlMs / 16, 1_000)
     */
    ttlPrecisionMs: z.number().min(0).optional(),
    /**
     * Epsilon of consistent hashing with bounded loads, finite and >= 0: a new stream never lands
     * on an endpoint whose load after the assignment would exceed
     * `ceil((1 + epsilon) × (L + 1) × weight / W)` (see {@link createStreamRouter}). Smaller is
     * more even and moves more new streams off their first rendezvous choice; Envoy's
     * `hash_balance_factor` of 125 is epsilon 0.25. @defaultValue 0.25
     */
    boundedLoadEpsilon: z.number().min(0).default(0.25),
    /**
     * Seed of the stream and endpoint hashes, an unsigned 32-bit integer. Gateway replicas that
     * must agree use the same seed. @defaultValue 0
     */
    hashSeed: z.number().int().min(0).max(0xffff_ffff).default(0),
    /** The initial endpoints; see {@link StreamEndpointSchema}. @defaultValue [] */
    endpoints: EndpointListSchema.default([]),
  })
  .superRefine((config, ctx) => {
    if (config.ttlPrecisionMs !== undefined && config.ttlPrecisionMs > config.ttlMs) {
      ctx.addIssue({
        code: 'custom',
        message: 'must not exceed ttlMs',
        path: ['ttlPrecisionMs'],
        input: config.ttlPrecisionMs,
        params: { limit: `<= ttlMs (${config.ttlMs})` },
      });
    }
  });

/** What {@link createStreamRouter} accepts: {@link StreamRouterConfigSchema}'s input. */
export type StreamRouterConfig = z.input<typeof StreamRouterConfigSchema>;

/**
 * Why a stream got its endpoint.
 *
 * - `sticky`: a live stream, on the endpoint it already had.
 * - `opened`: {@link StreamRouter.open} of a stream the table did not hold; placed by rendezvous
 *   order with bounded load.
 * - `rerouted`: {@link StreamRouter.route} of a stream the table did not hold (never opened,
 *   closed, or forgotten because the table was full); placed like `opened`. The router cannot know
 *   where it was before, so `migrated` is false: compare with your own record if it matters.
 * - `expired`: the stream had been idle past its TTL (`ttlMs`, to within `ttlPrecisionMs`); placed
 *   again. `migrated` says whether it landed elsewhere.
 */
export type StreamRouteReason = 'sticky' | 'opened' | 'rerouted' | 'expired';

/**
 * A successful {@link StreamRouter.open} or {@link StreamRouter.route}.
 *
 * The router returns the same object from every successful call and overwrites it on the next
 * one (so the hot path allocates nothing): read or copy the fields before calling the router
 * again.
 */
export interface StreamRouteOk {
  /** Discriminant: the stream has an endpoint. */
  readonly ok: true;
  /** The endpoint to send this chunk to. */
  readonly endpointId: string;
  /**
   * True when the stream was live on another endpoint (`from`) and now goes to `endpointId`: the
   * caller should re-send the decoder context (the audio so far, the prompt) there.
   */
  readonly migrated: boolean;
  /** The endpoint the stream was on, when `migrated` is true; otherwise `undefined`. */
  readonly from: string | undefined;
  /** Why it got this endpoint; see {@link StreamRouteReason}. */
  readonly reason: StreamRouteReason;
  /**
   * The stream's session handle: a safe integer naming its slot in the router's table and that
   * slot's generation. Keep it beside the connection and pass it to
   * {@link StreamRouter.routeHandle} and {@link StreamRouter.closeHandle} to skip the id lookup.
   * It stays valid while the stream is live, also across migrations (a moved stream keeps its
   * slot); it changes when the stream is placed again (`opened`, `rerouted`, `expired`), so store
   * the one each result carries. A handle is local to one router instance: gateway replicas do
   * not share them (they share the placement, by id).
   */
  readonly handle: number;
}

/**
 * A failed {@link StreamRouter.open}, {@link StreamRouter.route} or
 * {@link StreamRouter.routeHandle}; a fresh object each time.
 */
export interface StreamRouteFailure {
  /** Discriminant: the stream has no endpoint. */
  readonly ok: false;
  /**
   * `unavailable` when no endpoint is ready or every ready one is at its `maxStreams`;
   * `invalid_argument` when `nowMs` is not a finite number; `not_found` (from
   * {@link StreamRouter.routeHandle} only) when the handle names no live stream. The stream is not
   * in the table.
   */
  readonly error: HeadroomError;
}

/** What {@link StreamRouter.open} and {@link StreamRouter.route} return. */
export type StreamRouteResult = StreamRouteOk | StreamRouteFailure;

/** A live stream moved because its endpoint drained, was ejected or disappeared. */
export interface StreamMigration {
  /** The stream. */
  readonly streamId: string;
  /** The endpoint it was on. */
  readonly from: string;
  /**
   * The endpoint it now goes to, or `null` when no endpoint could take it: the stream was closed
   * (dropped from the table) and its next chunk fails with `unavailable` until one can.
   */
  readonly to: string | null;
}

/**
 * Stream stickiness: a bounded affinity table plus rendezvous hashing with bounded loads. See
 * {@link createStreamRouter}.
 */
export interface StreamRouter {
  /**
   * Opens a stream: places it by rendezvous order with bounded load and returns its endpoint.
   * Opening a stream that is already live is the same as routing it (idempotent).
   *
   * @param streamId - the stream's id (a WebSocket session id, a call id).
   * @param nowMs - now, epoch ms, finite. An earlier time than one already seen counts as the
   * latest time seen, so time never runs backwards inside the table.
   * @returns the reused {@link StreamRouteOk}, or a {@link StreamRouteFailure}.
   */
  open(streamId: string, nowMs: number): StreamRouteResult;
  /**
   * Routes one chunk of a stream: for a live stream, a map lookup and a few comparisons (plus an
   * O(1) move to the front of the recency list at most once per `ttlPrecisionMs`), with no
   * allocation. A stream the table does not hold (expired, forgotten,
   * closed) is placed again by the same rendezvous order.
   *
   * @param streamId - the stream's id.
   * @param nowMs - now, epoch ms, finite (see {@link StreamRouter.open}).
   * @returns the reused {@link StreamRouteOk}, or a {@link StreamRouteFailure}.
   */
  route(streamId: string, nowMs: number): StreamRouteResult;
  /**
   * Routes one chunk of a stream by the session handle an earlier result carried
   * ({@link StreamRouteOk.handle}): the same result {@link StreamRouter.route} of its id would
   * give, without hashing the id or looking it up in a map (two typed-array reads), and with no
   * allocation. A live stream whose endpoint drained, was ejected or left was already moved by
   * that call, and routes to its new endpoint. A stream idle past its TTL that is still in the
   * table is placed again (`expired`), exactly as by id, and the result carries its new handle.
   *
   * A stale handle (its stream was closed, expired and dropped, forgotten because the table was
   * full, or dropped because no endpoint could take it; or a number the router never issued)
   * names no stream the table holds, as an unknown id does; since the router does not know the
   * id behind it, it cannot place the stream again and returns a {@link StreamRouteFailure} with
   * code `not_found`: call {@link StreamRouter.route} with the id (which places it again, as
   * `rerouted`) and keep the new handle. A handle's slot may be reused by another stream; the
   * generation packed into the handle tells them apart, so a stale handle never routes someone
   * else's stream.
   *
   * @param handle - {@link StreamRouteOk.handle} from this router.
   * @param nowMs - now, epoch ms, finite (see {@link StreamRouter.open}).
   * @returns the reused {@link StreamRouteOk}, or a {@link StreamRouteFailure}.
   */
  routeHandle(handle: number, nowMs: number): StreamRouteResult;
  /** Closes a stream; returns false when the table did not hold it. */
  close(streamId: string): boolean;
  /**
   * Closes a stream by its session handle; returns false, as {@link StreamRouter.close} of an
   * unknown id does, when the handle is stale (see {@link StreamRouter.routeHandle}).
   */
  closeHandle(handle: number): boolean;
  /**
   * The endpoint a stream is on, without touching its recency or TTL; `undefined` when the table
   * does not hold it.
   */
  endpointOf(streamId: string): string | undefined;
  /**
   * Replaces the endpoint list. New endpoints and weight changes move no live stream. Live
   * streams of endpoints that are gone or no longer `ready` are moved at once (eagerly) and
   * returned, so a gateway can tell those clients to re-send context.
   *
   * @throws `HeadroomError` `invalid_argument` naming the index and field of a bad endpoint (an
   * empty or duplicate id, a weight <= 0, a non-integer `maxStreams`); the router is unchanged.
   */
  setEndpoints(endpoints: readonly StreamEndpoint[]): StreamMigration[];
  /**
   * Marks an endpoint `draining` and moves its live streams now.
   * @throws `HeadroomError` `not_found` for an unknown id.
   */
  markDraining(endpointId: string): StreamMigration[];
  /**
   * Marks an endpoint `ejected` and moves its live streams now.
   * @throws `HeadroomError` `not_found` for an unknown id.
   */
  eject(endpointId: string): StreamMigration[];
  /**
   * Marks an endpoint `ready` again; moves no live stream.
   * @throws `HeadroomError` `not_found` for an unknown id.
   */
  markReady(endpointId: string): void;
  /**
   * Removes an endpoint and moves its live streams now. Removing an unknown id returns `[]`
   * (idempotent, so a repeated delete event is harmless).
   */
  remove(endpointId: string): StreamMigration[];
  /**
   * Advances time to `nowMs` and drops every stream idle longer than `ttlMs`; returns how many.
   * Open and route do this too, so call it only to free memory while no traffic arrives.
   * @throws `HeadroomError` `invalid_argument` when `nowMs` is not finite.
   */
  sweep(nowMs: number): number;
  /** Live streams on an endpoint, O(1); `undefined` for an unknown id. */
  load(endpointId: string): number | undefined;
  /** Streams in the affinity table. */
  readonly size: number;
}

interface EndpointRecord {
  readonly id: string;
  readonly hash: number;
  /** Index in the router's handle table, fixed while the record lives (stream slots store it). */
  readonly handle: number;
  weight: number;
  maxStreams: number;
  state: StreamEndpointState;
  load: number;
  /** Slot of the first of this endpoint's streams (an intrusive list), -1 when none. */
  streams: number;
}

interface MutableRouteOk {
  ok: true;
  endpointId: string;
  migrated: boolean;
  from: string | undefined;
  reason: StreamRouteReason;
  handle: number;
}

type ParsedEndpoint = z.output<typeof StreamEndpointSchema>;

/** No slot: the end of a list. */
const NIL = -1;
// Stream slots, struct of arrays: `#data` holds (stampMs, endpoint handle, generation) per slot
// side by side, so a live route reads one cache line past the map (by id) or only that line (by
// session handle); `#links` holds the four list neighbours.
const DATA_STRIDE = 3;
const STAMP = 0;
const HANDLE = 1;
const GENERATION = 2;
const LINK_STRIDE = 4;
// Session handles: `generation × 2^24 + slot`. A slot's generation is odd while a stream holds it
// and even while it is free; it goes up by one at every insert and drop, wrapping at 2^29, so a
// handle stays below 2^53 (a safe integer) and `maxStreams` (<= 10^7) fits in the 24 slot bits.
const SLOT_SPACE = 16_777_216;
const SLOT_MASK = SLOT_SPACE - 1;
const GENERATION_MASK = 536_870_911;
/** Neighbour toward the most recently routed end of the recency list. */
const NEWER = 0;
/** Neighbour toward the least recently routed end (also the free-list link of a free slot). */
const OLDER = 1;
/** Previous stream of the same endpoint. */
const EP_PREV = 2;
/** Next stream of the same endpoint. */
const EP_NEXT = 3;

class AffinityStreamRouter implements StreamRouter {
  readonly #maxStreams: number;
  readonly #ttlMs: number;
  readonly #precisionMs: number;
  readonly #epsilon: number;
  readonly #seed: number;
  /** Stream id -> slot. */
  readonly #streams = new Map<string, number>();
  // Per slot: the stream id, its rendezvous hash, (stamp, handle) and the list links. A stamp is
  // when the stream was last moved to the front of the recency list (inserted or refreshed),
  // epoch ms: at most `ttlPrecisionMs` older than its last chunk, and non-increasing from the
  // newest stream to the oldest.
  #ids: string[] = [];
  #hashes: Uint32Array;
  #data: Float64Array;
  #links: Int32Array;
  /** Slots ever used (free slots below it are on the free list). */
  #used = 0;
  #freeSlot = NIL;
  /** Most recently routed stream's slot. */
  #newest = NIL;
  /** Least recently routed stream's slot (the eviction and expiry end). */
  #oldest = NIL;
  #endpoints: EndpointRecord[] = [];
  readonly #byId = new Map<string, EndpointRecord>();
  /** Endpoint records by handle; freed handles are reused once no stream refers to them. */
  readonly #handles: (EndpointRecord | undefined)[] = [];
  readonly #freeHandles: number[] = [];
  #readyCount = 0;
  #readyWeight = 0;
  /** Streams on `ready` endpoints: L in the bounded-load rule. */
  #readyLoad = 0;
  /** True when some endpoint's weight is not 1 (then the weighted rendezvous key is used). */
  #weighted = false;
  #latestMs = Number.NEGATIVE_INFINITY;
  #keys = new Float64Array(16);
  readonly #order: number[] = [];
  readonly #result: MutableRouteOk = {
    ok: true,
    endpointId: '',
    migrated: false,
    from: undefined,
    reason: 'sticky',
    handle: 0,
  };

  constructor(config: Readonly<z.output<typeof StreamRouterConfigSchema>>) {
    this.#maxStreams = config.maxStreams;
    this.#ttlMs = config.ttlMs;
    this.#precisionMs = config.ttlPrecisionMs ?? Math.min(config.ttlMs / 16, 1_000);
    this.#epsilon = config.boundedLoadEpsilon;
    this.#seed = config.hashSeed;
    const capacity = Math.min(config.maxStreams, 1_024);
    this.#hashes = new Uint32Array(capacity);
    this.#data = new Float64Array(capacity * DATA_STRIDE);
    this.#links = new Int32Array(capacity * LINK_STRIDE);
    this.#applyEndpoints(config.endpoints);
  }

  get size(): number {
    return this.#streams.size;
  }

  open(streamId: string, nowMs: number): StreamRouteResult {
    return this.#route(streamId, nowMs, 'opened');
  }

  route(streamId: string, nowMs: number): StreamRouteResult {
    return this.#route(streamId, nowMs, 'rerouted');
  }

  routeHandle(handle: number, nowMs: number): StreamRouteResult {
    if (!Number.isFinite(nowMs)) return { ok: false, error: badNow(nowMs) };
    if (nowMs > this.#latestMs) this.#latestMs = nowMs;
    const slot = this.#slotOf(handle);
    if (slot === NIL) return { ok: false, error: staleHandle(handle) };
    const latest = this.#latestMs;
    const stamp = this.#data[slot * DATA_STRIDE + STAMP] as number;
    if (latest - stamp <= this.#ttlMs) return this.#sticky(slot, stamp, latest);
    // Idle past its TTL but not yet dropped: place it again exactly as `route` of its id does.
    return this.#route(this.#ids[slot] as string, nowMs, 'rerouted');
  }

  close(streamId: string): boolean {
    const slot = this.#streams.get(streamId);
    if (slot === undefined) return false;
    this.#drop(slot);
    return true;
  }

  closeHandle(handle: number): boolean {
    const slot = this.#slotOf(handle);
    if (slot === NIL) return false;
    this.#drop(slot);
    return true;
  }

  endpointOf(streamId: string): string | undefined {
    const slot = this.#streams.get(streamId);
    return slot === undefined ? undefined : this.#endpointAt(slot).id;
  }

  load(endpointId: string): number | undefined {
    return this.#byId.get(endpointId)?.load;
  }

  sweep(nowMs: number): number {
    if (!Number.isFinite(nowMs)) throw badNow(nowMs);
    if (nowMs > this.#latestMs) this.#latestMs = nowMs;
    const before = this.#streams.size;
    this.#expire();
    return before - this.#streams.size;
  }

  setEndpoints(endpoints: readonly StreamEndpoint[]): StreamMigration[] {
    const parsed = EndpointListSchema.safeParse(endpoints, { reportInput: true });
    if (!parsed.success) throw fromZodError(parsed.error, 'invalid_argument', ['endpoints']);
    return this.#applyEndpoints(parsed.data);
  }

  markDraining(endpointId: string): StreamMigration[] {
    return this.#setState(endpointId, 'draining');
  }

  eject(endpointId: string): StreamMigration[] {
    return this.#setState(endpointId, 'ejected');
  }

  markReady(endpointId: string): void {
    this.#setState(endpointId, 'ready');
  }

  remove(endpointId: string): StreamMigration[] {
    const record = this.#byId.get(endpointId);
    if (record === undefined) return [];
    this.#endpoints = this.#endpoints.filter((e) => e !== record);
    this.#byId.delete(endpointId);
    record.state = 'ejected'; // gone: never picked, and its streams no longer count as ready load
    this.#recomputeAggregates();
    const migrations = this.#evacuate([record]);
    this.#freeHandle(record);
    return migrations;
  }

  // --- internals -------------------------------------------------------------------------

  /** The slot a handle names while its stream is live; NIL for a stale or invalid handle. */
  #slotOf(handle: number): number {
    // `&` keeps the low 24 bits of any number (ToInt32 is modulo 2^32); the exact comparison then
    // rejects NaN, fractions, negatives, other generations and free slots (even generations).
    const slot = handle & SLOT_MASK;
    if (slot >= this.#used) return NIL;
    const generation = this.#data[slot * DATA_STRIDE + GENERATION] as number;
    if ((generation & 1) === 0 || generation * SLOT_SPACE + slot !== handle) return NIL;
    return slot;
  }

  /**
   * The hot path of a live stream within its TTL: read its endpoint, refresh its stamp when it is
   * older than the precision, then expire from the back (one comparison when nothing is due;
   * never this stream, whose stamp is within the TTL).
   */
  #sticky(slot: number, stamp: number, latest: number): StreamRouteOk {
    const data = this.#data;
    const endpoint = this.#handles[data[slot * DATA_STRIDE + HANDLE] as number] as EndpointRecord;
    if (latest - stamp > this.#precisionMs) this.#touch(slot);
    if (latest - (data[this.#oldest * DATA_STRIDE + STAMP] as number) > this.#ttlMs) {
      this.#expire();
    }
    const result = this.#result;
    result.endpointId = endpoint.id;
    result.migrated = false;
    result.from = undefined;
    result.reason = 'sticky';
    result.handle = (data[slot * DATA_STRIDE + GENERATION] as number) * SLOT_SPACE + slot;
    return result;
  }

  #endpointAt(slot: number): EndpointRecord {
    return this.#handles[this.#data[slot * DATA_STRIDE + HANDLE] as number] as EndpointRecord;
  }

  #route(streamId: string, nowMs: number, fresh: StreamRouteReason): StreamRouteResult {
    if (!Number.isFinite(nowMs)) return { ok: false, error: badNow(nowMs) };
    if (nowMs > this.#latestMs) this.#latestMs = nowMs;
    const latest = this.#latestMs;
    const slot = this.#streams.get(streamId);
    if (slot !== undefined) {
      const stamp = this.#data[slot * DATA_STRIDE + STAMP] as number;
      if (latest - stamp <= this.#ttlMs) return this.#sticky(slot, stamp, latest);
    }
    let from: string | undefined;
    let reason = fresh;
    if (slot !== undefined) {
      from = this.#endpointAt(slot).id;
      reason = 'expired';
    }
    this.#expire();
    if (this.#streams.size >= this.#maxStreams && this.#oldest !== NIL) this.#drop(this.#oldest);
    const hash = rendezvousHash(streamId, this.#seed);
    const target = this.#place(hash);
    if (target === null) return { ok: false, error: this.#unavailable(streamId) };
    const placed = this.#insert(streamId, hash, target);
    const result = this.#result;
    result.handle = (this.#data[placed * DATA_STRIDE + GENERATION] as number) * SLOT_SPACE + placed;
    result.endpointId = target.id;
    result.migrated = from !== undefined && from !== target.id;
    result.from = result.migrated ? from : undefined;
    result.reason = reason;
    return result;
  }

  /**
   * Picks an endpoint for a stream hash: the ready endpoints in rendezvous order (highest key
   * first, ties by id), the first whose load after the assignment stays within the bounded-load
   * cap and its `maxStreams`. `null` when none qualifies.
   */
  #place(hash: number): EndpointRecord | null {
    if (this.#readyCount === 0) return null;
    const endpoints = this.#endpoints;
    const n = endpoints.length;
    if (this.#keys.length < n) this.#keys = new Float64Array(Math.max(n, this.#keys.length * 2));
    const keys = this.#keys;
    const perWeight = ((1 + this.#epsilon) * (this.#readyLoad + 1)) / this.#readyWeight;
    let best: EndpointRecord | null = null;
    let bestKey = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const e = endpoints[i] as EndpointRecord;
      if (e.state !== 'ready') {
        keys[i] = Number.NEGATIVE_INFINITY;
        continue;
      }
      const key = this.#weighted
        ? weightedRendezvousKey(hash, e.hash, e.weight)
        : rendezvousScore(hash, e.hash);
      keys[i] = key;
      if (key > bestKey || (key === bestKey && best !== null && e.id < best.id)) {
        best = e;
        bestKey = key;
      }
    }
    if (best !== null && fits(best, perWeight)) return best;
    // Slow path: the first choice is full. Walk the whole order.
    const order = this.#order;
    order.length = 0;
    for (let i = 0; i < n; i++)
      if ((endpoints[i] as EndpointRecord).state === 'ready') order.push(i);
    order.sort((a, b) => {
      const ka = keys[a] as number;
      const kb = keys[b] as number;
      if (ka !== kb) return kb - ka;
      const ia = (endpoints[a] as EndpointRecord).id;
      const ib = (endpoints[b] as EndpointRecord).id;
      return ia < ib ? -1 : ia > ib ? 1 : 0;
    });
    for (const i of order) {
      const e = endpoints[i] as EndpointRecord;
      if (fits(e, perWeight)) return e;
    }
    return null;
  }

  #unavailable(streamId: string): HeadroomError {
    const why =
      this.#readyCount === 0
        ? `no endpoint is ready (${this.#endpoints.length} known)`
        : `every ready endpoint (${this.#readyCount}) is at its maxStreams or bounded-load cap`;
    return new HeadroomError({
      code: 'unavailable',
      message: `no endpoint can take the stream: ${why}`,
      path: ['streamId'],
      value: streamId,
      limit: 'a ready endpoint below its caps',
    });
  }

  /** A free slot for a new stream (growing the arrays by doubling up to `maxStreams`). */
  #allocSlot(): number {
    const free = this.#freeSlot;
    if (free !== NIL) {
      this.#freeSlot = this.#links[free * LINK_STRIDE + OLDER] as number;
      return free;
    }
    const slot = this.#used++;
    if (slot >= this.#hashes.length) {
      const capacity = Math.min(Math.max(this.#hashes.length * 2, slot + 1), this.#maxStreams);
      const hashes = new Uint32Array(capacity);
      hashes.set(this.#hashes);
      const data = new Float64Array(capacity * DATA_STRIDE);
      data.set(this.#data);
      const links = new Int32Array(capacity * LINK_STRIDE);
      links.set(this.#links);
      this.#hashes = hashes;
      this.#data = data;
      this.#links = links;
    }
    return slot;
  }

  /** Adds a stream to the table on `target`; returns its slot. */
  #insert(streamId: string, hash: number, target: EndpointRecord): number {
    const slot = this.#allocSlot();
    this.#ids[slot] = streamId;
    this.#hashes[slot] = hash;
    const at = slot * DATA_STRIDE;
    this.#data[at + GENERATION] = ((this.#data[at + GENERATION] as number) + 1) & GENERATION_MASK;
    this.#data[at + STAMP] = this.#latestMs;
    this.#data[at + HANDLE] = target.handle;
    const links = this.#links;
    const l = slot * LINK_STRIDE;
    links[l + NEWER] = NIL;
    links[l + OLDER] = this.#newest;
    if (this.#newest !== NIL) links[this.#newest * LINK_STRIDE + NEWER] = slot;
    this.#newest = slot;
    if (this.#oldest === NIL) this.#oldest = slot;
    this.#streams.set(streamId, slot);
    this.#attach(slot, target);
    return slot;
  }

  /** Moves a live stream to the most recent end and stamps it with the latest time. */
  #touch(slot: number): void {
    this.#data[slot * DATA_STRIDE + STAMP] = this.#latestMs;
    const newest = this.#newest;
    if (newest === slot) return;
    const links = this.#links;
    const l = slot * LINK_STRIDE;
    // Unlink (it has a newer neighbour, since it is not the newest).
    const newer = links[l + NEWER] as number;
    const older = links[l + OLDER] as number;
    links[newer * LINK_STRIDE + OLDER] = older;
    if (older !== NIL) links[older * LINK_STRIDE + NEWER] = newer;
    else this.#oldest = newer;
    // Link at the front.
    links[l + NEWER] = NIL;
    links[l + OLDER] = newest;
    links[newest * LINK_STRIDE + NEWER] = slot;
    this.#newest = slot;
  }

  /** Drops streams idle longer than the TTL from the old end of the recency list. */
  #expire(): void {
    const latest = this.#latestMs;
    const ttl = this.#ttlMs;
    while (
      this.#oldest !== NIL &&
      latest - (this.#data[this.#oldest * DATA_STRIDE + STAMP] as number) > ttl
    )
      this.#drop(this.#oldest);
  }

  /** Removes a stream from the table, the recency list and its endpoint, and frees its slot. */
  #drop(slot: number): void {
    this.#streams.delete(this.#ids[slot] as string);
    const links = this.#links;
    const l = slot * LINK_STRIDE;
    const newer = links[l + NEWER] as number;
    const older = links[l + OLDER] as number;
    if (newer !== NIL) links[newer * LINK_STRIDE + OLDER] = older;
    else this.#newest = older;
    if (older !== NIL) links[older * LINK_STRIDE + NEWER] = newer;
    else this.#oldest = newer;
    this.#detach(slot);
    this.#ids[slot] = '';
    const at = slot * DATA_STRIDE;
    this.#data[at + GENERATION] = ((this.#data[at + GENERATION] as number) + 1) & GENERATION_MASK;
    links[l + NEWER] = NIL;
    links[l + OLDER] = this.#freeSlot;
    this.#freeSlot = slot;
  }

  #attach(slot: number, endpoint: EndpointRecord): void {
    const links = this.#links;
    const l = slot * LINK_STRIDE;
    this.#data[slot * DATA_STRIDE + HANDLE] = endpoint.handle;
    links[l + EP_PREV] = NIL;
    links[l + EP_NEXT] = endpoint.streams;
    if (endpoint.streams !== NIL) links[endpoint.streams * LINK_STRIDE + EP_PREV] = slot;
    endpoint.streams = slot;
    endpoint.load++;
    if (endpoint.state === 'ready') this.#readyLoad++;
  }

  #detach(slot: number): void {
    const endpoint = this.#endpointAt(slot);
    const links = this.#links;
    const l = slot * LINK_STRIDE;
    const prev = links[l + EP_PREV] as number;
    const next = links[l + EP_NEXT] as number;
    if (prev !== NIL) links[prev * LINK_STRIDE + EP_NEXT] = next;
    else endpoint.streams = next;
    if (next !== NIL) links[next * LINK_STRIDE + EP_PREV] = prev;
    links[l + EP_PREV] = NIL;
    links[l + EP_NEXT] = NIL;
    endpoint.load--;
    if (endpoint.state === 'ready') this.#readyLoad--;
  }

  #setState(endpointId: string, state: StreamEndpointState): StreamMigration[] {
    const record = this.#byId.get(endpointId);
    if (record === undefined) {
      throw new HeadroomError({
        code: 'not_found',
        message: 'no endpoint with this id',
        path: ['endpointId'],
        value: endpointId,
      });
    }
    if (record.state === state) return [];
    record.state = state;
    this.#recomputeAggregates();
    return state === 'ready' ? [] : this.#evacuate([record]);
  }

  /** Returns a gone record's handle for reuse (its streams have all been moved or dropped). */
  #freeHandle(record: EndpointRecord): void {
    this.#handles[record.handle] = undefined;
    this.#freeHandles.push(record.handle);
  }

  /** Applies a validated endpoint list, then moves the streams of endpoints gone or not ready. */
  #applyEndpoints(list: readonly ParsedEndpoint[]): StreamMigration[] {
    const next: EndpointRecord[] = [];
    const keep = new Set<string>();
    for (const input of list) {
      keep.add(input.id);
      let record = this.#byId.get(input.id);
      if (record === undefined) {
        const handle = this.#freeHandles.pop() ?? this.#handles.length;
        record = {
          id: input.id,
          hash: rendezvousHash(input.id, this.#seed),
          handle,
          weight: input.weight,
          maxStreams: input.maxStreams ?? Number.POSITIVE_INFINITY,
          state: input.state,
          load: 0,
          streams: NIL,
        };
        this.#handles[handle] = record;
        this.#byId.set(input.id, record);
      } else {
        record.weight = input.weight;
        record.maxStreams = input.maxStreams ?? Number.POSITIVE_INFINITY;
        record.state = input.state;
      }
      next.push(record);
    }
    const gone: EndpointRecord[] = [];
    for (const record of this.#endpoints) {
      if (!keep.has(record.id)) {
        gone.push(record);
        this.#byId.delete(record.id);
        record.state = 'ejected'; // gone: its streams no longer count as ready load
      }
    }
    this.#endpoints = next;
    this.#recomputeAggregates();
    const leaving = gone.concat(next.filter((e) => e.state !== 'ready' && e.load > 0));
    const migrations = this.#evacuate(leaving);
    for (const record of gone) this.#freeHandle(record);
    return migrations;
  }

  #recomputeAggregates(): void {
    let count = 0;
    let weight = 0;
    let load = 0;
    let weighted = false;
    for (const e of this.#endpoints) {
      if (e.weight !== 1) weighted = true;
      if (e.state !== 'ready') continue;
      count++;
      weight += e.weight;
      load += e.load;
    }
    this.#readyCount = count;
    this.#readyWeight = weight;
    this.#readyLoad = load;
    this.#weighted = weighted;
  }

  /**
   * Moves every live stream off the given endpoints (which are gone or not ready, so none of them
   * can be picked): each is placed by its rendezvous order with bounded load, keeping its recency
   * and TTL; a stream nothing can take is dropped.
   */
  #evacuate(leaving: readonly EndpointRecord[]): StreamMigration[] {
    const migrations: StreamMigration[] = [];
    for (const record of leaving) {
      let slot = record.streams;
      while (slot !== NIL) {
        const next = this.#links[slot * LINK_STRIDE + EP_NEXT] as number;
        const streamId = this.#ids[slot] as string;
        const target = this.#place(this.#hashes[slot] as number);
        if (target === null) {
          this.#drop(slot);
          migrations.push({ streamId, from: record.id, to: null });
        } else {
          this.#detach(slot);
          this.#attach(slot, target);
          migrations.push({ streamId, from: record.id, to: target.id });
        }
        slot = next;
      }
    }
    return migrations;
  }
}

/** True when `e` can take one more stream under the bounded-load cap and its `maxStreams`. */
function fits(e: EndpointRecord, perWeight: number): boolean {
  const after = e.load + 1;
  return after <= e.maxStreams && after <= Math.ceil(perWeight * e.weight);
}

function staleHandle(handle: number): HeadroomError {
  return new HeadroomError({
    code: 'not_found',
    message:
      'no live stream has this handle (closed, expired, forgotten, or never issued by this router): route the stream by id to place it again',
    path: ['handle'],
    value: handle,
    limit: 'a handle from a result of this router whose stream is still live',
  });
}

function badNow(nowMs: number): HeadroomError {
  return new HeadroomError({
    code: 'invalid_argument',
    message: 'must be a finite epoch time in ms',
    path: ['nowMs'],
    value: nowMs,
    limit: 'finite',
  });
}

/**
 * Creates a stream router: sticky placement of long-lived streams (audio sessions, token
 * streams) on endpoints, agreed by every gateway replica without shared state.
 *
 * **Placement.** A new stream's endpoint comes from rendezvous (highest random weight) hashing of
 * its id over the `ready` endpoints ({@link rendezvousScore}; with unequal weights the
 * logarithmic weighted variant, {@link weightedRendezvousKey}). Endpoints are walked in that
 * order (ties by id) and the stream goes to the first one whose load after the assignment is at
 * most `min(maxStreams, ceil((1 + ε) × (L + 1) × w / W))`, where `L` is the number of live
 * streams on ready endpoints before the assignment, `w` the endpoint's weight and `W` the sum of
 * ready weights (with equal weights, `ceil((1 + ε) × (L + 1) / n)`). This is consistent hashing
 * with bounded loads (Mirrokni, Thorup and Zadimoghaddam, 2018), the rule behind Envoy's
 * `hash_balance_factor`: no endpoint takes a new stream while it is more than (1 + ε) times the
 * mean, and since the caps sum to at least `L + 1`, one always has room unless `maxStreams`
 * caps bind. Two routers with the same endpoints, seed and loads pick the same endpoint; with
 * loads below the caps (the usual case) the pick depends on the stream id alone.
 *
 * **Stickiness.** The table maps each live stream to its endpoint, bounded by `maxStreams`
 * (least recently routed forgotten first) and by `ttlMs` of idleness. A forgotten stream is
 * placed again on its next chunk by the same order, so it usually lands where it was. A live
 * stream moves only when its endpoint drains, is ejected or disappears; the move is eager (the
 * call that changes the endpoint returns the list of {@link StreamMigration}s). Adding endpoints
 * or changing weights moves no live stream.
 *
 * **Cost.** `route` of a live stream is a map lookup and a few comparisons, with no allocation
 * (the {@link StreamRouteOk} is reused); `routeHandle` skips the hash and the map lookup (the
 * handle names the slot, checked by its generation), which matters at 100k streams where the
 * lookup misses the cache. Either one moves the stream to the front of the recency list
 * only when its stamp is older than `ttlPrecisionMs`, since that move touches two other
 * entries' memory (cache misses at 100k streams). Placing a stream is O(n) in endpoints, plus
 * a sort when its first choice is full. Loads per endpoint are kept O(1).
 *
 * @param config - see {@link StreamRouterConfigSchema}.
 * @throws `HeadroomError` `invalid_config` naming the field, the bound and the value.
 * @example
 * ```ts
 * const streams = createStreamRouter({ ttlMs: 60_000, boundedLoadEpsilon: 0.25 });
 * streams.setEndpoints([{ id: 'gpu-a' }, { id: 'gpu-b' }, { id: 'gpu-c', weight: 2 }]);
 * const opened = streams.open(sessionId, nowMs);
 * if (!opened.ok) return reject(opened.error);
 * connection.handle = opened.handle; // keep the session handle on the connection
 * // for every audio chunk: by handle (falling back to the id once the stream was forgotten)
 * let hop = streams.routeHandle(connection.handle, nowMs);
 * if (!hop.ok && hop.error.code === 'not_found') hop = streams.route(sessionId, nowMs);
 * if (hop.ok) connection.handle = hop.handle;
 * if (hop.ok && hop.migrated) resendContext(hop.endpointId);
 * // when an instance gets its spot interruption notice:
 * for (const m of streams.markDraining('gpu-b')) notifyClient(m.streamId, m.to);
 * ```
 */
export function createStreamRouter(config: StreamRouterConfig = {}): StreamRouter {
  return new AffinityStreamRouter(parseConfig(StreamRouterConfigSchema, config));
}
