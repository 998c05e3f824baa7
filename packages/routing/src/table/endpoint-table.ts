import {
  HeadroomError,
  LIFECYCLE_STATES,
  err,
  hashString32,
  type LifecycleState,
  type Result,
} from '@headroom/core';
import { z } from 'zod';
import type { EndpointSignals } from './scoring.js';

const nonNegative = z.number().nonnegative();

/** One model an endpoint has loaded. */
export const LoadedModelSchema = z.object({
  /** Model name, for example `meta-llama/Llama-3.1-8B-Instruct`. */
  name: z.string().min(1),
  /** Model version or revision; a request that names a version matches only this. */
  version: z.string().min(1).optional(),
});

/** A validated {@link LoadedModelSchema}. */
export type LoadedModel = z.output<typeof LoadedModelSchema>;

/**
 * The static description of an endpoint (an inference server on one GPU or GPU group): what it
 * serves, where, on what, and its lifecycle state. Metrics arrive separately through
 * `updateMetrics`.
 */
export const EndpointSpecSchema = z.object({
  /** Stable endpoint id. */
  id: z.string().min(1),
  /** Models loaded, at least one. */
  models: z.array(LoadedModelSchema).min(1),
  /** Lifecycle state; only `ready` endpoints take work. */
  lifecycle: z.literal(LIFECYCLE_STATES),
  /**
   * When the endpoint became ready, epoch ms (for slow start). When absent, the router uses the
   * `nowMs` of the call that made it ready (or of the upsert, for an endpoint upserted ready).
   */
  readySinceMs: nonNegative.optional(),
  /** GPU class, for example `H100` (for workload matching). */
  gpuClass: z.string().min(1).optional(),
  /** Cloud region. */
  region: z.string().min(1).optional(),
  /** Availability zone. */
  zone: z.string().min(1).optional(),
  /** GPU memory in total, bytes, when known statically (a scrape overrides it). */
  memoryTotalBytes: nonNegative.optional(),
  /** Stream slots the endpoint serves at most (a scrape overrides it); 0 or absent for none. */
  maxStreamSlots: z.number().int().nonnegative().optional(),
});

/** Input of {@link EndpointSpecSchema}. */
export type EndpointSpecInput = z.input<typeof EndpointSpecSchema>;
/** A validated {@link EndpointSpecSchema}. */
export type EndpointSpec = z.output<typeof EndpointSpecSchema>;

/**
 * One scrape of an endpoint's metrics. Every metric is optional; a scrape replaces the previous
 * one entirely, so a metric left out is unknown from then on (memory total and stream slots fall
 * back to the spec). Numbers must be finite and >= 0, utilizations in [0, 1], counts integers,
 * memory used <= memory total; a scrape that breaks a rule is rejected as a whole with an
 * `invalid_input` error naming the endpoint and the field, and the previous scrape stays (and
 * goes stale in time).
 */
export interface EndpointMetrics {
  /** When the metrics were scraped, epoch ms. Required. */
  readonly scrapedAtMs: number;
  /** GPU memory in use, bytes. */
  readonly memoryUsedBytes?: number;
  /** GPU memory in total, bytes. */
  readonly memoryTotalBytes?: number;
  /** GPU compute utilization, 0..1. */
  readonly gpuUtilization?: number;
  /** GPU core temperature, degrees Celsius (finite; may be any value NVML reports). */
  readonly temperatureC?: number;
  /** Uncorrectable ECC errors in the volatile counter, a count. */
  readonly eccUncorrectable?: number;
  /** XID codes logged recently. */
  readonly xid?: readonly number[];
  /** True when the row remapper failed to remap a row. */
  readonly rowRemapFailure?: boolean;
  /** True when clocks are held down for a thermal or power-brake reason. */
  readonly throttled?: boolean;
  /** Requests waiting to be scheduled. */
  readonly queueDepth?: number;
  /** Long-lived streams open. */
  readonly activeStreams?: number;
  /** Stream slots the endpoint serves at most. */
  readonly maxStreamSlots?: number;
  /** Requests in the running batch. */
  readonly inFlightRequests?: number;
  /** Fraction of the KV cache in use, 0..1. */
  readonly kvCacheUtilization?: number;
}

/** Codes of the health states in {@link EndpointTable.health}. */
export const HEALTH_CODE = Object.freeze({
  /** Serves at full weight. */
  healthy: 0,
  /** Serves at a reduced weight. */
  degraded: 1,
  /** Takes no new work. */
  draining: 2,
  /** Takes no new work (outlier or fatal GPU error). */
  ejected: 3,
} as const);

const LIFECYCLE_CODE: Readonly<Record<LifecycleState, number>> = Object.freeze(
  Object.fromEntries(LIFECYCLE_STATES.map((s, i) => [s, i])) as Record<LifecycleState, number>,
);

/** The lifecycle code of `ready` in {@link EndpointTable.lifecycle}. */
export const READY_CODE = LIFECYCLE_CODE.ready;

/** The code of a lifecycle state in {@link EndpointTable.lifecycle} (its index in LIFECYCLE_STATES). */
export function lifecycleCode(state: LifecycleState): number {
  return LIFECYCLE_CODE[state];
}

/** Flag bits of {@link EndpointTable.flags}. */
export const ENDPOINT_FLAGS = Object.freeze({
  /** The GPU reported throttled clocks in the last scrape. */
  throttled: 1,
  /** The GPU reported a row-remap failure in the last scrape. */
  rowRemapFailure: 2,
  /** At least one scrape was accepted. */
  scraped: 4,
} as const);

/** What {@link EndpointTable.remove} did, so owners of per-slot state can follow the move. */
export interface SlotRemoval {
  /** The slot the endpoint occupied (now holding `movedFrom`'s endpoint, if any). */
  readonly slot: number;
  /** The slot whose endpoint moved into `slot` (the last one), or -1 when none moved. */
  readonly movedFrom: number;
}

const OK: Result<undefined> = Object.freeze({ ok: true as const, value: undefined });

function grow<T extends Float64Array | Int32Array | Uint8Array | Uint32Array>(
  array: T,
  capacity: number,
  fill?: number,
): T {
  const ctor = array.constructor as new (n: number) => T;
  const next = new ctor(capacity);
  if (fill !== undefined) next.fill(fill);
  next.set(array);
  return next;
}

/**
 * The router's endpoint table: a `Map` from id to a dense slot and per-endpoint numeric state in
 * typed arrays (struct of arrays), grown by doubling. Updates by id are O(1); removal swaps the
 * last slot into the hole, so slots stay dense and scans touch contiguous memory. Unknown numeric
 * metrics are stored as NaN.
 *
 * It is a data structure, not a decision: the router owns it and derives weights from it.
 */
export class EndpointTable {
  #index = new Map<string, number>();
  #ids: string[] = [];
  #specs: EndpointSpec[] = [];
  #xid: (readonly number[] | undefined)[] = [];
  #capacity: number;
  #size = 0;
  // The spec's fallbacks for a scrape that leaves them out, per slot, so the update path reads
  // them next to the metrics instead of chasing the spec object (a cache miss at 10k endpoints).
  #specMemoryTotalBytes: Float64Array;
  #specMaxStreamSlots: Int32Array;

  /** GPU memory used, bytes (NaN unknown). */
  memoryUsedBytes: Float64Array;
  /** GPU memory total, bytes (NaN unknown). */
  memoryTotalBytes: Float64Array;
  /** GPU utilization 0..1 (NaN unknown). */
  gpuUtilization: Float64Array;
  /** GPU temperature, degrees Celsius (NaN unknown). */
  temperatureC: Float64Array;
  /** KV-cache utilization 0..1 (NaN unknown). */
  kvCacheUtilization: Float64Array;
  /** When the last accepted scrape was taken, epoch ms (NaN before the first). */
  scrapedAtMs: Float64Array;
  /** When the endpoint became ready, epoch ms (NaN when not ready). */
  readySinceMs: Float64Array;
  /** Queue depth of the last scrape (-1 unknown). */
  queueDepth: Int32Array;
  /** Active streams of the last scrape (-1 unknown). */
  activeStreams: Int32Array;
  /** Max stream slots (0 none). */
  maxStreamSlots: Int32Array;
  /** In-flight requests of the last scrape (-1 unknown). */
  inFlightRequests: Int32Array;
  /** Uncorrectable ECC count of the last scrape (-1 unknown). */
  eccUncorrectable: Int32Array;
  /** Router picks (and `onStart`s) minus completions since the last scrape; may be negative. */
  routerDelta: Int32Array;
  /** Lifecycle code (index in LIFECYCLE_STATES). */
  lifecycle: Uint8Array;
  /** Health code (see {@link HEALTH_CODE}). */
  health: Uint8Array;
  /** Flag bits (see {@link ENDPOINT_FLAGS}). */
  flags: Uint8Array;
  /** 32-bit hash of the id: the deterministic tie-breaker of least-loaded. */
  idHash: Uint32Array;

  /** @param capacity - initial slot capacity. @defaultValue 64 */
  constructor(capacity = 64) {
    const cap = Math.max(1, Math.floor(capacity));
    this.#capacity = cap;
    this.#specMemoryTotalBytes = new Float64Array(cap);
    this.#specMaxStreamSlots = new Int32Array(cap);
    this.memoryUsedBytes = new Float64Array(cap);
    this.memoryTotalBytes = new Float64Array(cap);
    this.gpuUtilization = new Float64Array(cap);
    this.temperatureC = new Float64Array(cap);
    this.kvCacheUtilization = new Float64Array(cap);
    this.scrapedAtMs = new Float64Array(cap);
    this.readySinceMs = new Float64Array(cap);
    this.queueDepth = new Int32Array(cap);
    this.activeStreams = new Int32Array(cap);
    this.maxStreamSlots = new Int32Array(cap);
    this.inFlightRequests = new Int32Array(cap);
    this.eccUncorrectable = new Int32Array(cap);
    this.routerDelta = new Int32Array(cap);
    this.lifecycle = new Uint8Array(cap);
    this.health = new Uint8Array(cap);
    this.flags = new Uint8Array(cap);
    this.idHash = new Uint32Array(cap);
  }

  /** Number of endpoints. */
  get size(): number {
    return this.#size;
  }

  /** The slot of `id`, or -1. O(1). */
  slotOf(id: string): number {
    return this.#index.get(id) ?? -1;
  }

  /** The id at `slot`. */
  idAt(slot: number): string {
    return this.#ids[slot] as string;
  }

  /** The spec at `slot`. */
  specAt(slot: number): EndpointSpec {
    return this.#specs[slot] as EndpointSpec;
  }

  /** The XID codes of the last scrape at `slot`, if any. */
  xidAt(slot: number): readonly number[] | undefined {
    return this.#xid[slot];
  }

  /**
   * Inserts or replaces an endpoint's spec (its metrics, health and router accounting survive a
   * replace). Returns the slot. Lifecycle and readySinceMs are set from the spec.
   */
  upsert(spec: EndpointSpec, nowMs: number): { readonly slot: number; readonly created: boolean } {
    let slot = this.#index.get(spec.id);
    const created = slot === undefined;
    if (slot === undefined) {
      if (this.#size === this.#capacity) this.#grow();
      slot = this.#size++;
      this.#index.set(spec.id, slot);
      this.#ids[slot] = spec.id;
      this.#xid[slot] = undefined;
      this.memoryUsedBytes[slot] = Number.NaN;
      this.memoryTotalBytes[slot] = Number.NaN;
      this.gpuUtilization[slot] = Number.NaN;
      this.temperatureC[slot] = Number.NaN;
      this.kvCacheUtilization[slot] = Number.NaN;
      this.scrapedAtMs[slot] = Number.NaN;
      this.queueDepth[slot] = -1;
      this.activeStreams[slot] = -1;
      this.inFlightRequests[slot] = -1;
      this.eccUncorrectable[slot] = -1;
      this.routerDelta[slot] = 0;
      this.health[slot] = HEALTH_CODE.healthy;
      this.flags[slot] = 0;
      this.idHash[slot] = hashString32(spec.id);
    }
    this.#specs[slot] = spec;
    this.#specMemoryTotalBytes[slot] = spec.memoryTotalBytes ?? Number.NaN;
    this.#specMaxStreamSlots[slot] = spec.maxStreamSlots ?? 0;
    if (((this.flags[slot] as number) & ENDPOINT_FLAGS.scraped) === 0) {
      this.memoryTotalBytes[slot] = spec.memoryTotalBytes ?? Number.NaN;
      this.maxStreamSlots[slot] = spec.maxStreamSlots ?? 0;
    }
    this.setLifecycle(slot, spec.lifecycle, spec.readySinceMs ?? nowMs);
    return { slot, created };
  }

  /**
   * Sets the lifecycle state at `slot`. Entering `ready` sets readySinceMs to `readySinceMs`
   * (unless already ready); leaving it clears it.
   */
  setLifecycle(slot: number, state: LifecycleState, readySinceMs: number): void {
    const code = LIFECYCLE_CODE[state];
    if (code === READY_CODE) {
      if (
        this.lifecycle[slot] !== READY_CODE ||
        this.readySinceMs[slot] !== this.readySinceMs[slot]
      )
        this.readySinceMs[slot] = readySinceMs;
    } else this.readySinceMs[slot] = Number.NaN;
    this.lifecycle[slot] = code;
  }

  /** Removes `id` by swapping the last slot into its place; undefined when absent. O(1). */
  remove(id: string): SlotRemoval | undefined {
    const slot = this.#index.get(id);
    if (slot === undefined) return undefined;
    this.#index.delete(id);
    const last = --this.#size;
    if (slot !== last) {
      const movedId = this.#ids[last] as string;
      this.#ids[slot] = movedId;
      this.#specs[slot] = this.#specs[last] as EndpointSpec;
      this.#xid[slot] = this.#xid[last];
      this.#index.set(movedId, slot);
      for (const array of this.#arrays()) array[slot] = array[last] as number;
    }
    this.#ids.length = last;
    this.#specs.length = last;
    this.#xid.length = last;
    return { slot, movedFrom: slot === last ? -1 : last };
  }

  /**
   * Validates and stores one scrape at `slot`, resetting the router's accounting since the
   * previous scrape. Never throws for bad data.
   *
   * @returns `{ ok: true }`, or `{ ok: false, error }` with an `invalid_input` error whose path is
   * `['endpoints', id, 'metrics', field]`; on error nothing is stored.
   */
  setMetrics(slot: number, m: EndpointMetrics): Result<undefined> {
    if (!metricsLookValid(m)) {
      // The exact check, for the first problem (or none: the quick test is only conservative).
      const problem = checkMetrics(this.#ids[slot] as string, m);
      if (problem !== undefined) return err(problem);
    }
    this.scrapedAtMs[slot] = m.scrapedAtMs;
    this.memoryUsedBytes[slot] = m.memoryUsedBytes ?? Number.NaN;
    this.memoryTotalBytes[slot] =
      m.memoryTotalBytes ?? (this.#specMemoryTotalBytes[slot] as number);
    this.gpuUtilization[slot] = m.gpuUtilization ?? Number.NaN;
    this.temperatureC[slot] = m.temperatureC ?? Number.NaN;
    this.kvCacheUtilization[slot] = m.kvCacheUtilization ?? Number.NaN;
    this.queueDepth[slot] = m.queueDepth ?? -1;
    this.activeStreams[slot] = m.activeStreams ?? -1;
    this.maxStreamSlots[slot] = m.maxStreamSlots ?? (this.#specMaxStreamSlots[slot] as number);
    this.inFlightRequests[slot] = m.inFlightRequests ?? -1;
    this.eccUncorrectable[slot] = m.eccUncorrectable ?? -1;
    this.routerDelta[slot] = 0;
    this.#xid[slot] = m.xid;
    this.flags[slot] =
      ENDPOINT_FLAGS.scraped |
      (m.throttled === true ? ENDPOINT_FLAGS.throttled : 0) |
      (m.rowRemapFailure === true ? ENDPOINT_FLAGS.rowRemapFailure : 0);
    return OK;
  }

  /**
   * Fills `out` with the scoring signals at `slot`. The queue is the effective queue: the scraped
   * queue (0 when unknown) plus {@link routerDelta}, never below 0. Allocation-free.
   */
  signalsInto(slot: number, out: EndpointSignals): EndpointSignals {
    out.memoryUsedBytes = this.memoryUsedBytes[slot] as number;
    out.memoryTotalBytes = this.memoryTotalBytes[slot] as number;
    out.kvCacheUtilization = this.kvCacheUtilization[slot] as number;
    const active = this.activeStreams[slot] as number;
    out.activeStreams = active < 0 ? Number.NaN : active;
    out.maxStreamSlots = this.maxStreamSlots[slot] as number;
    out.queueDepth = this.effectiveQueue(slot);
    return out;
  }

  /** Scraped queue (0 when unknown) plus the router's delta since the scrape, >= 0. */
  effectiveQueue(slot: number): number {
    const q = this.queueDepth[slot] as number;
    const v = (q < 0 ? 0 : q) + (this.routerDelta[slot] as number);
    return v > 0 ? v : 0;
  }

  /** Scraped in-flight requests (0 when unknown) plus the router's delta since the scrape, >= 0. */
  effectiveInFlight(slot: number): number {
    const q = this.inFlightRequests[slot] as number;
    const v = (q < 0 ? 0 : q) + (this.routerDelta[slot] as number);
    return v > 0 ? v : 0;
  }

  /**
   * Adds `delta` to the router's accounting at `slot`, keeping the effective queue and in-flight
   * counts from going below 0 (a completion the scrape already saw cannot make load negative).
   */
  addRouterDelta(slot: number, delta: number): void {
    const q = this.queueDepth[slot] as number;
    const f = this.inFlightRequests[slot] as number;
    const floor = -Math.max(q < 0 ? 0 : q, f < 0 ? 0 : f);
    const next = (this.routerDelta[slot] as number) + delta;
    this.routerDelta[slot] = next < floor ? floor : next > 0x3fffffff ? 0x3fffffff : next;
  }

  #arrays(): (Float64Array | Int32Array | Uint8Array | Uint32Array)[] {
    return [
      this.#specMemoryTotalBytes,
      this.#specMaxStreamSlots,
      this.memoryUsedBytes,
      this.memoryTotalBytes,
      this.gpuUtilization,
      this.temperatureC,
      this.kvCacheUtilization,
      this.scrapedAtMs,
      this.readySinceMs,
      this.queueDepth,
      this.activeStreams,
      this.maxStreamSlots,
      this.inFlightRequests,
      this.eccUncorrectable,
      this.routerDelta,
      this.lifecycle,
      this.health,
      this.flags,
      this.idHash,
    ];
  }

  #grow(): void {
    const cap = this.#capacity * 2;
    this.#specMemoryTotalBytes = grow(this.#specMemoryTotalBytes, cap);
    this.#specMaxStreamSlots = grow(this.#specMaxStreamSlots, cap);
    this.memoryUsedBytes = grow(this.memoryUsedBytes, cap);
    this.memoryTotalBytes = grow(this.memoryTotalBytes, cap);
    this.gpuUtilization = grow(this.gpuUtilization, cap);
    this.temperatureC = grow(this.temperatureC, cap);
    this.kvCacheUtilization = grow(this.kvCacheUtilization, cap);
    this.scrapedAtMs = grow(this.scrapedAtMs, cap);
    this.readySinceMs = grow(this.readySinceMs, cap);
    this.queueDepth = grow(this.queueDepth, cap);
    this.activeStreams = grow(this.activeStreams, cap);
    this.maxStreamSlots = grow(this.maxStreamSlots, cap);
    this.inFlightRequests = grow(this.inFlightRequests, cap);
    this.eccUncorrectable = grow(this.eccUncorrectable, cap);
    this.routerDelta = grow(this.routerDelta, cap);
    this.lifecycle = grow(this.lifecycle, cap);
    this.health = grow(this.health, cap);
    this.flags = grow(this.flags, cap);
    this.idHash = grow(this.idHash, cap);
    this.#capacity = cap;
  }
}

const INT_MAX = 0x7fffffff;

function bad(id: string, field: string, value: unknown, limit: string): HeadroomError {
  return new HeadroomError({
    code: 'invalid_input',
    message: `metric ${field} of endpoint ${JSON.stringify(id)} must be ${limit}`,
    path: ['endpoints', id, 'metrics', field],
    value,
    limit,
  });
}

function checkNumber(
  id: string,
  m: EndpointMetrics,
  field: keyof EndpointMetrics,
  max: number,
  integer: boolean,
): HeadroomError | undefined {
  const v = m[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(v >= 0 && v <= max) || (integer && !Number.isInteger(v))) {
    const limit = `finite${integer ? ', integer' : ''}, >= 0${max < Infinity ? `, <= ${max}` : ''}`;
    return bad(id, field, v, limit);
  }
  return undefined;
}

const MAX = Number.MAX_VALUE;

/**
 * The quick test of a scrape on the update path: true only when {@link checkMetrics} would find
 * no problem (it may say false for a valid scrape; the caller then runs the exact check). Every
 * field is read once, by name, and compared in place: no keyed lookups, no calls a double would
 * have to cross (V8 boxes those), no allocation. `xid`, rare, always goes to the exact check.
 */
function metricsLookValid(m: EndpointMetrics): boolean {
  if (typeof m !== 'object' || m === null || m.xid !== undefined) return false;
  const at = m.scrapedAtMs;
  if (!(typeof at === 'number' && at >= 0 && at <= MAX)) return false;
  const used = m.memoryUsedBytes;
  if (used !== undefined && !(typeof used === 'number' && used >= 0 && used <= MAX)) return false;
  const total = m.memoryTotalBytes;
  if (total !== undefined && !(typeof total === 'number' && total >= 0 && total <= MAX))
    return false;
  if (used !== undefined && total !== undefined && used > total) return false;
  const gpu = m.gpuUtilization;
  if (gpu !== undefined && !(typeof gpu === 'number' && gpu >= 0 && gpu <= 1)) return false;
  const kv = m.kvCacheUtilization;
  if (kv !== undefined && !(typeof kv === 'number' && kv >= 0 && kv <= 1)) return false;
  const t = m.temperatureC;
  if (t !== undefined && !(typeof t === 'number' && t >= -273.15 && t <= 1000)) return false;
  // Counts: an integer in [0, INT_MAX] is exactly a value that survives `| 0` unchanged and >= 0.
  const ecc = m.eccUncorrectable;
  if (ecc !== undefined && !(typeof ecc === 'number' && (ecc | 0) === ecc && ecc >= 0))
    return false;
  const q = m.queueDepth;
  if (q !== undefined && !(typeof q === 'number' && (q | 0) === q && q >= 0)) return false;
  const active = m.activeStreams;
  if (
    active !== undefined &&
    !(typeof active === 'number' && (active | 0) === active && active >= 0)
  )
    return false;
  const slots = m.maxStreamSlots;
  if (slots !== undefined && !(typeof slots === 'number' && (slots | 0) === slots && slots >= 0))
    return false;
  const inFlight = m.inFlightRequests;
  return (
    inFlight === undefined ||
    (typeof inFlight === 'number' && (inFlight | 0) === inFlight && inFlight >= 0)
  );
}

/**
 * Checks one scrape; returns the first problem as an `invalid_input` error naming the endpoint
 * and the field, or undefined.
 */
export function checkMetrics(id: string, m: EndpointMetrics): HeadroomError | undefined {
  if (typeof m !== 'object' || m === null) return bad(id, '(root)', m, 'an object');
  const at = m.scrapedAtMs;
  if (typeof at !== 'number' || !Number.isFinite(at) || at < 0)
    return bad(id, 'scrapedAtMs', at, 'finite, >= 0');
  const problem =
    checkNumber(id, m, 'memoryUsedBytes', Number.MAX_VALUE, false) ??
    checkNumber(id, m, 'memoryTotalBytes', Number.MAX_VALUE, false) ??
    checkNumber(id, m, 'gpuUtilization', 1, false) ??
    checkNumber(id, m, 'kvCacheUtilization', 1, false) ??
    checkNumber(id, m, 'eccUncorrectable', INT_MAX, true) ??
    checkNumber(id, m, 'queueDepth', INT_MAX, true) ??
    checkNumber(id, m, 'activeStreams', INT_MAX, true) ??
    checkNumber(id, m, 'maxStreamSlots', INT_MAX, true) ??
    checkNumber(id, m, 'inFlightRequests', INT_MAX, true);
  if (problem !== undefined) return problem;
  const t = m.temperatureC;
  if (t !== undefined && (typeof t !== 'number' || !(t >= -273.15 && t <= 1000)))
    return bad(id, 'temperatureC', t, 'finite, >= -273.15, <= 1000');
  if (
    m.memoryUsedBytes !== undefined &&
    m.memoryTotalBytes !== undefined &&
    m.memoryUsedBytes > m.memoryTotalBytes
  )
    return bad(id, 'memoryUsedBytes', m.memoryUsedBytes, '<= memoryTotalBytes');
  if (m.xid !== undefined) {
    if (!Array.isArray(m.xid)) return bad(id, 'xid', m.xid, 'an array of integers >= 0');
    for (const code of m.xid)
      if (!Number.isInteger(code) || code < 0) return bad(id, 'xid', code, 'integers >= 0');
  }
  return undefined;
}
