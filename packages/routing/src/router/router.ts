import {
  HeadroomError,
  LIFECYCLE_STATES,
  err,
  isTelemetryEnabled,
  parseInput,
  type LifecycleState,
  type Random,
  type Result,
} from '@headroom/core';
import type { Attributes } from '@opentelemetry/api';
import { createPrefixAffinity, isLoadImbalanced, matchRatio } from '../affinity/prefix-affinity.js';
import type { PrefixAffinity } from '../affinity/prefix-affinity.js';
import { HEALTH_STATES, type GpuHealthSignals, type HealthState } from '../health/gpu-signals.js';
import {
  createHealthTracker,
  type HealthTracker,
  type OutlierSweepReport,
} from '../health/health.js';
import { createGpuClassTable, type GpuClassInfo } from '../matching/gpu-classes.js';
import { workloadAllows, type WorkloadRequirement } from '../matching/matching.js';
import { FenwickTree } from '../pick/fenwick.js';
import { IndexSet } from '../pick/index-set.js';
import { pickLeastLoaded, pickTwoChoices, pickWeightedScan } from '../pick/pickers.js';
import { slowStartEndsAtMs, slowStartFactor } from '../slow-start/slow-start.js';
import {
  EndpointSpecSchema,
  EndpointTable,
  HEALTH_CODE,
  READY_CODE,
  type EndpointMetrics,
  type EndpointSpec,
  type EndpointSpecInput,
} from '../table/endpoint-table.js';
import {
  headroomFactors,
  headroomWeight,
  idleHeadroomWeight,
  scoreInto,
  type EndpointSignals,
} from '../table/scoring.js';
import { parseRouterConfig, type RouterConfig, type RouterConfigInput } from './config.js';
import { DeadlineHeap } from './deadline-heap.js';
import { routingInstruments } from './telemetry.js';
import {
  SHED_REASONS,
  type CandidateExplanation,
  type FilterName,
  type PickedEndpoint,
  type PickExplanation,
  type PickMode,
  type PickResult,
  type RequestOutcome,
  type RouteRequest,
  type ShedReason,
  type ShedResult,
} from './types.js';

/**
 * A GPU-aware request router: an endpoint table, hard filters, headroom scoring, a picker, and
 * saturation handling, with in-flight accounting between scrapes. Created by {@link createRouter}.
 *
 * Not thread-safe and not meant to be: one router per event loop. Time never goes back: a `nowMs`
 * older than one already seen (or non-finite) is replaced by the latest seen.
 */
export interface Router {
  /** The resolved configuration. */
  readonly config: RouterConfig;
  /** The health tracker (GPU grading, outlier detection) the router feeds. */
  readonly health: HealthTracker;
  /** The prefix-affinity index the router records picks into. */
  readonly affinity: PrefixAffinity;
  /** Number of endpoints. */
  readonly size: number;
  /**
   * Adds an endpoint or replaces its spec (models, placement, lifecycle); its metrics, health
   * and accounting survive a replace.
   * @throws `HeadroomError` `invalid_input` naming the field when the spec is invalid.
   */
  upsertEndpoint(spec: EndpointSpecInput, nowMs: number): void;
  /**
   * Stores one scrape of an endpoint's metrics (and feeds its GPU signals to the health
   * tracker), resetting the in-flight accounting since the previous scrape. O(models × log n).
   * @returns `{ ok: false }` with `not_found` for an unknown id, or `invalid_input` naming the
   * endpoint and field (NaN, negative, out of range); the previous scrape then stays.
   */
  updateMetrics(id: string, metrics: EndpointMetrics, nowMs: number): Result<undefined>;
  /**
   * Sets an endpoint's lifecycle state. Any state may follow any other (the router mirrors what
   * the host observed; the lifecycle machine belongs to the host). Becoming `ready` starts slow
   * start at `nowMs`.
   * @returns `{ ok: false }` with `not_found` or `invalid_input` (unknown state).
   */
  setLifecycle(id: string, state: LifecycleState, nowMs: number): Result<undefined>;
  /**
   * Puts an endpoint in drain, or takes it out, and applies it to the pick weights at once: from
   * the very next {@link Router.pick}, a draining endpoint gets no new request (the hard filter
   * on health `draining`), while requests already sent to it complete as usual (like Envoy's
   * `DRAINING` host status, or a Kubernetes endpoint that is no longer `ready` but still
   * `serving`). Calling `router.health.setDraining` directly also drains the endpoint but only
   * reaches the weights at the endpoint's next scrape, completion or upsert: use this method.
   * O(models × log n).
   *
   * @param draining - true to drain, false to take the endpoint back (its GPU grade and any
   * outlier ejection still apply).
   * @returns `{ ok: false }` with `not_found` for an unknown id.
   * @example
   * ```ts
   * // a spot interruption notice for gpu-7: no new request from the next pick on
   * router.setDraining('gpu-7', true, nowMs);
   * ```
   */
  setDraining(id: string, draining: boolean, nowMs: number): Result<undefined>;
  /** Removes an endpoint (and forgets its health and affinity). False when unknown. O(models × log n). */
  removeEndpoint(id: string): boolean;
  /**
   * Routes one request. Allocation-free unless `explain` is true or the request carries prefix
   * hashes (the affinity index records them): the result is a frozen object per endpoint (or per
   * shed reason), reused across picks. Never throws for bad request data (it is shed with
   * `invalid_request`).
   */
  pick(request: RouteRequest, nowMs: number, random: Random, explain?: boolean): PickResult;
  /** Counts a request sent to `id` that `pick` did not count (+1 in-flight until its completion). */
  onStart(id: string): void;
  /**
   * A request on `id` finished: −1 in-flight (never below 0), and the outcome feeds outlier
   * detection. Unknown ids are ignored (the endpoint may have been removed meanwhile).
   */
  onComplete(id: string, outcome: RequestOutcome, nowMs: number): void;
  /**
   * Runs the health tracker's success-rate sweep (Envoy's `interval`), applies the ejections and
   * returns it reports to the pick weights at once, and returns the sweep's report. Call it at the
   * tracker's interval.
   */
  evaluateHealth(nowMs: number): OutlierSweepReport;
  /** The health state the router holds for `id`, or undefined when unknown. */
  healthOf(id: string): HealthState | undefined;
  /** The current weight of `id` for the weighted picker (0 when it takes no work), or undefined. */
  weightOf(id: string, nowMs: number): number | undefined;
  /** Adds the per-endpoint pick, shed and panic counts to the OpenTelemetry counters and resets them. */
  flushTelemetry(): void;
}

class Pool {
  members = new Int32Array(8);
  size = 0;
  readonly tree = new FenwickTree(8);
  readonly positive = new IndexSet(8);
  /** Members that are lifecycle-ready and not draining. */
  ready = 0;
  /** Ready members whose health is healthy or degraded. */
  available = 0;
}

interface ModelPools {
  any: Pool;
  readonly versions: Map<string, Pool>;
}

// Fields of RouterImpl's per-slot derived state, interleaved: entry `slot * DERIVED_STRIDE + f`.
const DERIVED_STRIDE = 4;
const HEADROOM = 0;
const WEIGHT = 1;
const LOAD = 2;
const SLOW_START = 3;

const SATURATED = 1;
const STALE = 2;
const COUNT_READY = 4;
const COUNT_AVAILABLE = 8;

const SHED_RESULTS: Readonly<Record<ShedReason, ShedResult>> = Object.freeze({
  invalid_request: Object.freeze({ shed: 'invalid_request' }),
  no_model: Object.freeze({ shed: 'no_model' }),
  no_endpoint: Object.freeze({ shed: 'no_endpoint' }),
  saturated: Object.freeze({ shed: 'saturated' }),
} as const);

const SHED_ATTRIBUTES: readonly Attributes[] = SHED_REASONS.map((reason) =>
  Object.freeze({ reason }),
);
const PANIC_ATTRIBUTES: Attributes = Object.freeze({ mode: 'panic' });
const SPILL_ATTRIBUTES: Attributes = Object.freeze({ mode: 'spill' });

const OK: Result<undefined> = Object.freeze({ ok: true as const, value: undefined });

const HEALTH_FROM_CODE: readonly HealthState[] = HEALTH_STATES;

// Negative codes #choose returns instead of a slot.
const SHED_CODE: Readonly<Record<ShedReason, number>> = {
  invalid_request: -1,
  no_model: -2,
  no_endpoint: -3,
  saturated: -4,
};
const SHED_FROM_CODE: readonly ShedReason[] = [
  'invalid_request',
  'invalid_request',
  'no_model',
  'no_endpoint',
  'saturated',
];

function grow<T extends Float64Array | Uint8Array | Int32Array>(a: T, cap: number): T {
  const ctor = a.constructor as new (n: number) => T;
  const next = new ctor(cap);
  next.set(a);
  return next;
}

class RouterImpl implements Router {
  readonly config: RouterConfig;
  readonly health: HealthTracker;
  readonly affinity: PrefixAffinity;
  readonly #table = new EndpointTable(64);
  readonly #deadlines = new DeadlineHeap(64);
  readonly #pools = new Map<string, ModelPools>();
  // Pool memberships: a singly linked list of records per slot, in typed arrays (plus the pool
  // reference per record), so the update path reaches a slot's pools without chasing per-slot
  // objects (each one a cache miss at 10k endpoints). Freed records are reused.
  #firstRecord = new Int32Array(64).fill(-1);
  #recordPool: (Pool | undefined)[] = [];
  #recordPos = new Int32Array(64);
  #recordNext = new Int32Array(64);
  #freeRecord = -1;
  #results: PickedEndpoint[] = [];
  #attributes: Attributes[] = [];
  #gpuInfo: (GpuClassInfo | undefined)[] = [];
  readonly #gpuClasses: Readonly<Record<string, GpuClassInfo>>;
  readonly #requirement: {
    latencyClass: WorkloadRequirement['latencyClass'];
    modelMemoryGiB: number;
    fp8: boolean;
  } = { latencyClass: 'batch', modelMemoryGiB: 0, fp8: false };
  // Per-slot derived state.
  // Headroom, weight, load score and slow-start factor, interleaved per slot (see DERIVED_STRIDE):
  // the update path writes all four, so they share one cache line instead of four.
  #derived = new Float64Array(64 * DERIVED_STRIDE);
  #state = new Uint8Array(64);
  #pickCounts = new Float64Array(64);
  // Scratch for scans.
  #scratchSlot = new Int32Array(64);
  #scratchWeight = new Float64Array(64);
  #scratchLoad = new Float64Array(64);
  #scratchKey = new Float64Array(64);
  #scratchAffinity = new Float64Array(64);
  /** Headroom weight and load score out of scoreInto; entry 0 also carries a deadline. */
  readonly #score = new Float64Array(2);
  readonly #signals: EndpointSignals = {
    memoryUsedBytes: Number.NaN,
    memoryTotalBytes: Number.NaN,
    kvCacheUtilization: Number.NaN,
    activeStreams: Number.NaN,
    maxStreamSlots: 0,
    queueDepth: 0,
  };
  #nowMs = 0;
  #lastMode: PickMode = 'normal';
  #allSaturated = false;
  #picksSinceFlush = 0;
  readonly #shedCounts = new Float64Array(SHED_REASONS.length);
  #panicPicks = 0;
  #spillPicks = 0;
  readonly #degradedWeight: number;
  readonly #flushEvery: number;
  readonly #countStarts: boolean;
  // The pool of the last (model, version) looked up; see #poolFor.
  #cachedModel: string | undefined = undefined;
  #cachedVersion: string | undefined = undefined;
  #cachedPool: Pool | undefined = undefined;

  constructor(config: RouterConfig) {
    this.config = config;
    this.health = createHealthTracker(config.health);
    this.affinity = createPrefixAffinity(config.affinity.index);
    this.#degradedWeight = this.health.config.degradedWeight;
    this.#flushEvery = config.telemetryFlushEveryPicks;
    this.#countStarts = config.countPicksAsStarts;
    this.#gpuClasses = createGpuClassTable(config.gpuClasses, ['router', 'gpuClasses']);
  }

  get size(): number {
    return this.#table.size;
  }

  #clock(nowMs: number): number {
    if (nowMs > this.#nowMs && nowMs < Infinity) this.#nowMs = nowMs;
    return this.#nowMs;
  }

  upsertEndpoint(input: EndpointSpecInput, nowMs: number): void {
    const parsed = parseInput(EndpointSpecSchema, input, ['endpoint']);
    if (!parsed.ok) throw parsed.error;
    const spec: EndpointSpec = parsed.value;
    const now = this.#clock(nowMs);
    const table = this.#table;
    const { slot, created } = table.upsert(spec, now);
    this.#ensureCapacity(slot + 1);
    if (created) {
      this.#state[slot] = 0;
      this.#derived[slot * DERIVED_STRIDE + WEIGHT] = 0;
      this.#pickCounts[slot] = 0;
      this.#firstRecord[slot] = -1;
      this.#results[slot] = Object.freeze({ endpointId: spec.id });
      this.health.add(spec.id);
    } else {
      this.#flushSlot(slot);
      this.#leavePools(slot);
    }
    this.#gpuInfo[slot] = spec.gpuClass === undefined ? undefined : this.#gpuClasses[spec.gpuClass];
    this.#attributes[slot] = Object.freeze({
      endpoint: spec.id,
      region: spec.region ?? 'unknown',
    });
    this.#syncHealth(slot, this.health.state(spec.id, now));
    this.#joinPools(slot, spec);
    this.#refresh(slot);
  }

  updateMetrics(id: string, metrics: EndpointMetrics, nowMs: number): Result<undefined> {
    const slot = this.#table.slotOf(id);
    if (slot < 0) return err(notFound(id));
    if (nowMs > this.#nowMs && nowMs < Infinity) this.#nowMs = nowMs;
    const stored = this.#table.setMetrics(slot, metrics);
    if (!stored.ok) return stored;
    if (
      metrics.temperatureC !== undefined ||
      metrics.throttled !== undefined ||
      metrics.eccUncorrectable !== undefined ||
      metrics.xid !== undefined ||
      metrics.rowRemapFailure !== undefined
    ) {
      const signals: GpuHealthSignals = {
        ...(metrics.temperatureC === undefined ? {} : { temperatureC: metrics.temperatureC }),
        ...(metrics.throttled === undefined ? {} : { throttled: metrics.throttled }),
        ...(metrics.eccUncorrectable === undefined
          ? {}
          : { eccUncorrectable: metrics.eccUncorrectable }),
        ...(metrics.xid === undefined ? {} : { xid: metrics.xid }),
        ...(metrics.rowRemapFailure === undefined
          ? {}
          : { rowRemapFailure: metrics.rowRemapFailure }),
      };
      this.#syncHealth(slot, this.health.observeGpu(id, signals, this.#nowMs));
    }
    this.#refresh(slot);
    return OK;
  }

  setLifecycle(id: string, state: LifecycleState, nowMs: number): Result<undefined> {
    const slot = this.#table.slotOf(id);
    if (slot < 0) return err(notFound(id));
    if (!LIFECYCLE_STATES.includes(state)) {
      return err(
        new HeadroomError({
          code: 'invalid_input',
          message: `unknown lifecycle state for endpoint ${JSON.stringify(id)}`,
          path: ['endpoints', id, 'lifecycle'],
          value: state,
          limit: `one of: ${LIFECYCLE_STATES.join(', ')}`,
        }),
      );
    }
    const now = this.#clock(nowMs);
    this.#table.setLifecycle(slot, state, now);
    this.#refresh(slot);
    return OK;
  }

  setDraining(id: string, draining: boolean, nowMs: number): Result<undefined> {
    const slot = this.#table.slotOf(id);
    if (slot < 0) return err(notFound(id));
    const now = this.#clock(nowMs);
    this.#syncHealth(slot, this.health.setDraining(id, draining === true, now));
    this.#refresh(slot);
    return OK;
  }

  removeEndpoint(id: string): boolean {
    const table = this.#table;
    const slot = table.slotOf(id);
    if (slot < 0) return false;
    this.#flushSlot(slot);
    this.#leavePools(slot);
    this.#deadlines.delete(slot);
    this.health.remove(id);
    this.affinity.remove(id);
    const removal = table.remove(id);
    const from = removal?.movedFrom ?? -1;
    if (from >= 0) {
      const first = this.#firstRecord[from] as number;
      for (let r = first; r >= 0; r = this.#recordNext[r] as number)
        (this.#recordPool[r] as Pool).members[this.#recordPos[r] as number] = slot;
      this.#firstRecord[slot] = first;
      this.#firstRecord[from] = -1;
      this.#results[slot] = this.#results[from] as PickedEndpoint;
      this.#attributes[slot] = this.#attributes[from] as Attributes;
      this.#gpuInfo[slot] = this.#gpuInfo[from];
      this.#derived.copyWithin(
        slot * DERIVED_STRIDE,
        from * DERIVED_STRIDE,
        (from + 1) * DERIVED_STRIDE,
      );
      this.#state[slot] = this.#state[from] as number;
      this.#pickCounts[slot] = this.#pickCounts[from] as number;
      this.#deadlines.move(from, slot);
    }
    const last = table.size;
    this.#results.length = last;
    this.#attributes.length = last;
    this.#gpuInfo.length = last;
    return true;
  }

  onStart(id: string): void {
    const slot = this.#table.slotOf(id);
    if (slot < 0) return;
    this.#table.addRouterDelta(slot, 1);
    this.#recompute(slot);
  }

  onComplete(id: string, outcome: RequestOutcome, nowMs: number): void {
    const slot = this.#table.slotOf(id);
    if (slot < 0) return;
    if (nowMs > this.#nowMs && nowMs < Infinity) this.#nowMs = nowMs;
    this.#table.addRouterDelta(slot, -1);
    const success = typeof outcome === 'object' && outcome !== null && outcome.success === true;
    // Hand the health tracker the caller's number when it is the clock (the usual case): passing
    // `#nowMs` to a call V8 does not inline would box a fresh copy on the heap.
    const health =
      nowMs === this.#nowMs
        ? this.health.recordOutcome(id, success, nowMs)
        : this.health.recordOutcome(id, success, this.#nowMs);
    this.#syncHealth(slot, health);
    this.#refresh(slot);
  }

  evaluateHealth(nowMs: number): OutlierSweepReport {
    const now = this.#clock(nowMs);
    const report = this.health.evaluate(now);
    for (const id of [...report.ejected, ...report.returned]) {
      const slot = this.#table.slotOf(id);
      if (slot < 0) continue;
      this.#syncHealth(slot, this.health.state(id, now));
      this.#refresh(slot);
    }
    return report;
  }

  healthOf(id: string): HealthState | undefined {
    const slot = this.#table.slotOf(id);
    return slot < 0 ? undefined : HEALTH_FROM_CODE[this.#table.health[slot] as number];
  }

  weightOf(id: string, nowMs: number): number | undefined {
    const slot = this.#table.slotOf(id);
    if (slot < 0) return undefined;
    this.#clock(nowMs);
    this.#advance();
    // #advance never moves slots, so `slot` is still the endpoint's.
    return this.#derived[slot * DERIVED_STRIDE + WEIGHT];
  }

  flushTelemetry(): void {
    this.#picksSinceFlush = 0;
    const n = this.#table.size;
    if (!isTelemetryEnabled()) {
      // Switched off: drop the counts without building attribute sets or calling instruments.
      this.#pickCounts.fill(0);
      this.#shedCounts.fill(0);
      this.#panicPicks = 0;
      this.#spillPicks = 0;
      return;
    }
    for (let slot = 0; slot < n; slot++) this.#flushSlot(slot);
    // A plain loop with frozen attribute sets: the flush allocates no closure or object per call.
    for (let i = 0; i < SHED_REASONS.length; i++) {
      const count = this.#shedCounts[i] as number;
      if (count > 0) routingInstruments.sheds.add(count, SHED_ATTRIBUTES[i]);
      this.#shedCounts[i] = 0;
    }
    if (this.#panicPicks > 0) routingInstruments.panics.add(this.#panicPicks, PANIC_ATTRIBUTES);
    if (this.#spillPicks > 0) routingInstruments.panics.add(this.#spillPicks, SPILL_ATTRIBUTES);
    this.#panicPicks = 0;
    this.#spillPicks = 0;
  }

  #flushSlot(slot: number): void {
    const count = this.#pickCounts[slot] as number;
    if (count > 0) {
      routingInstruments.picks.add(count, this.#attributes[slot]);
      this.#pickCounts[slot] = 0;
    }
  }

  pick(request: RouteRequest, nowMs: number, random: Random, explain = false): PickResult {
    // The hot path: no double crosses a call that may not be inlined (V8 would box it on the heap),
    // so the clock is advanced in place and callees read `#nowMs`.
    if (nowMs > this.#nowMs && nowMs < Infinity) this.#nowMs = nowMs;
    if (this.#deadlines.isDue(this.#nowMs)) this.#advance();
    const slot = this.#choose(request, random);
    const explanation = explain ? this.#explain(request, this.#nowMs, slot) : undefined;
    const flushEvery = this.#flushEvery;
    if (++this.#picksSinceFlush >= flushEvery && flushEvery > 0) this.flushTelemetry();
    if (slot < 0) {
      const reason = SHED_FROM_CODE[-slot] as ShedReason;
      this.#shedCounts[-slot - 1] = (this.#shedCounts[-slot - 1] as number) + 1;
      return explanation === undefined
        ? SHED_RESULTS[reason]
        : Object.freeze({ shed: reason, explain: explanation });
    }
    this.#pickCounts[slot] = (this.#pickCounts[slot] as number) + 1;
    if (this.#lastMode === 'panic' || this.#lastMode === 'panic_spill') this.#panicPicks++;
    else if (this.#lastMode === 'spill') this.#spillPicks++;
    const hashes = request.prefixHashes;
    if (hashes !== undefined && hashes.length > 0 && this.config.affinity.enabled) {
      this.affinity.record(this.#table.idAt(slot), hashes, this.#nowMs);
    }
    if (this.#countStarts) {
      this.#table.addRouterDelta(slot, 1);
      this.#recompute(slot);
    }
    const result = this.#results[slot] as PickedEndpoint;
    return explanation === undefined
      ? result
      : Object.freeze({ endpointId: result.endpointId, explain: explanation });
  }

  // ---- choice -------------------------------------------------------------------------------

  #poolFor(request: RouteRequest): Pool | undefined {
    const model = request.model;
    const version = request.version;
    // One-entry cache: a gateway routes runs of requests for the same model. Cleared whenever
    // pools are joined or left.
    if (model === this.#cachedModel && version === this.#cachedVersion) return this.#cachedPool;
    const entry = this.#pools.get(model);
    const pool =
      entry === undefined
        ? undefined
        : version === undefined
          ? entry.any
          : entry.versions.get(version);
    this.#cachedModel = model;
    this.#cachedVersion = version;
    this.#cachedPool = pool;
    return pool;
  }

  #isPanic(pool: Pool): boolean {
    return pool.available < this.config.panicThreshold * pool.ready;
  }

  /** Returns the chosen slot, or a negative SHED_CODE. Sets #lastMode and #allSaturated. */
  #choose(request: RouteRequest, random: Random): number {
    this.#lastMode = 'normal';
    this.#allSaturated = false;
    if (typeof request !== 'object' || request === null || typeof request.model !== 'string')
      return SHED_CODE.invalid_request;
    const pool = this.#poolFor(request);
    if (pool === undefined || pool.size === 0) return SHED_CODE.no_model;
    if (pool.ready === 0) return SHED_CODE.no_endpoint;
    const panic = this.#isPanic(pool);
    const config = this.config;
    const hashes = request.prefixHashes;
    const useAffinity = config.affinity.enabled && hashes !== undefined && hashes.length > 0;
    if (!panic && !useAffinity && config.picker !== 'least_loaded') {
      const filtered = this.#hasFilters(request);
      const tries = filtered ? config.rejectionTries : 1;
      if (config.picker === 'weighted') {
        const tree = pool.tree;
        for (let t = 0; t < tries; t++) {
          // One draw per try; -1 without a draw when every weight is 0.
          const pos = tree.sample(random);
          if (pos < 0) break;
          const slot = pool.members[pos] as number;
          if (!filtered || this.#rejectedBy(slot, request) === null) return slot;
        }
      } else {
        const positive = pool.positive;
        const n = positive.size;
        if (n === 1 && !filtered) return pool.members[positive.at(0)] as number;
        if (n >= 2 && !filtered) {
          // The common case, written out: one try each, so the loops below reduce to two draws.
          const members = pool.members;
          const a = members[positive.at(random.nextInt(n))] as number;
          const b = members[positive.at(random.nextInt(n))] as number;
          if (b !== a) {
            const d = this.#derived;
            return (d[b * DERIVED_STRIDE + LOAD] as number) <
              (d[a * DERIVED_STRIDE + LOAD] as number)
              ? b
              : a;
          }
          // The second draw repeated the first (1 in n): the exact scan's pick, without the scan.
          return this.#twoChoicesInPoolOrder(pool, request, random);
        }
        if (n >= 2) {
          let a = -1;
          for (let t = 0; t < tries && a < 0; t++) {
            const s = pool.members[positive.at(random.nextInt(n))] as number;
            if (!filtered || this.#rejectedBy(s, request) === null) a = s;
          }
          let b = -1;
          for (let t = 0; t < tries && a >= 0 && b < 0; t++) {
            const s = pool.members[positive.at(random.nextInt(n))] as number;
            if (s !== a && (!filtered || this.#rejectedBy(s, request) === null)) b = s;
          }
          if (a >= 0 && b >= 0)
            return (this.#derived[b * DERIVED_STRIDE + LOAD] as number) <
              (this.#derived[a * DERIVED_STRIDE + LOAD] as number)
              ? b
              : a;
        }
      }
    }
    return this.#scan(pool, request, random, this.#nowMs, panic, useAffinity);
  }

  /**
   * What {@link RouterImpl.#scan} returns for an unfiltered p2c pick outside panic and without
   * affinity, where at least two candidates have a positive weight: power of two choices over
   * the candidates with a positive weight in pool order, drawn as `pickTwoChoices` draws. It
   * reads the weights and loads in place instead of collecting every candidate into the scratch
   * buffers, so the rare fallback of the fast path (its second draw repeated the first) costs a
   * tight O(n) walk. A positive weight implies a ready, non-draining, non-ejected endpoint with
   * room (see {@link RouterImpl.#recompute}), so these are exactly the scan's candidates.
   */
  #twoChoicesInPoolOrder(pool: Pool, request: RouteRequest, random: Random): number {
    const members = pool.members;
    const size = pool.size;
    const d = this.#derived;
    let m = 0;
    for (let pos = 0; pos < size; pos++)
      if ((d[(members[pos] as number) * DERIVED_STRIDE + WEIGHT] as number) > 0) m++;
    if (m < 2) return this.#scan(pool, request, random, this.#nowMs, false, false);
    const a = random.nextInt(m);
    let b = random.nextInt(m - 1);
    if (b >= a) b++;
    const last = a > b ? a : b;
    let slotA = -1;
    let slotB = -1;
    for (let pos = 0, i = 0; i <= last; pos++) {
      const slot = members[pos] as number;
      if (!((d[slot * DERIVED_STRIDE + WEIGHT] as number) > 0)) continue;
      if (i === a) slotA = slot;
      else if (i === b) slotB = slot;
      i++;
    }
    return (d[slotB * DERIVED_STRIDE + LOAD] as number) <
      (d[slotA * DERIVED_STRIDE + LOAD] as number)
      ? slotB
      : slotA;
  }

  /**
   * The exact O(n) path: collects the candidates that pass every hard filter into the scratch
   * buffers with their weights and loads, then handles saturation and picks.
   */
  #scan(
    pool: Pool,
    request: RouteRequest,
    random: Random,
    now: number,
    panic: boolean,
    useAffinity: boolean,
  ): number {
    const n = this.#collect(pool, request, now, panic, useAffinity);
    if (n === 0) return SHED_CODE.no_endpoint;
    const w = this.#scratchWeight;
    const load = this.#scratchLoad;
    const slots = this.#scratchSlot;
    let total = 0;
    for (let i = 0; i < n; i++) total += w[i] as number;
    this.#lastMode = panic ? 'panic' : 'normal';
    if (!(total > 0)) {
      this.#allSaturated = true;
      const p = request.priority;
      const priority = typeof p === 'number' && p === p ? p : 0;
      if (this.config.onSaturated === 'shed' && priority < this.config.shedBelowPriority)
        return SHED_CODE.saturated;
      this.#lastMode = panic ? 'panic_spill' : 'spill';
      for (let i = 0; i < n; i++) w[i] = 1 / (1 + (load[i] as number));
    }
    const picker = this.config.picker;
    if (picker === 'weighted') {
      const i = pickWeightedScan(w, n, random);
      return i < 0 ? SHED_CODE.no_endpoint : (slots[i] as number);
    }
    // p2c and least-loaded choose among the candidates with weight > 0.
    let m = 0;
    const keys = this.#scratchKey;
    const idHash = this.#table.idHash;
    for (let i = 0; i < n; i++) {
      if (!((w[i] as number) > 0)) continue;
      const slot = slots[i] as number;
      slots[m] = slot;
      load[m] = load[i] as number;
      keys[m] = idHash[slot] as number;
      m++;
    }
    const i = picker === 'p2c' ? pickTwoChoices(load, m, random) : pickLeastLoaded(load, keys, m);
    return i < 0 ? SHED_CODE.no_endpoint : (slots[i] as number);
  }

  /**
   * Fills the scratch buffers with the candidates of `pool` for `request` (hard filters passed):
   * slot, weight (0 when saturated or without headroom) and load score, with affinity applied.
   * Returns how many.
   */
  #collect(
    pool: Pool,
    request: RouteRequest,
    now: number,
    panic: boolean,
    useAffinity: boolean,
  ): number {
    this.#ensureScratch(pool.size);
    const table = this.#table;
    const lifecycle = table.lifecycle;
    const health = table.health;
    const slots = this.#scratchSlot;
    const w = this.#scratchWeight;
    const load = this.#scratchLoad;
    const filtered = this.#hasFilters(request);
    const derived = this.#derived;
    let n = 0;
    for (let pos = 0; pos < pool.size; pos++) {
      const slot = pool.members[pos] as number;
      if (lifecycle[slot] !== READY_CODE) continue;
      const h = health[slot] as number;
      if (h === HEALTH_CODE.draining || (h === HEALTH_CODE.ejected && !panic)) continue;
      if (filtered && this.#rejectedBy(slot, request) !== null) continue;
      slots[n] = slot;
      const saturated = ((this.#state[slot] as number) & SATURATED) !== 0;
      const at = slot * DERIVED_STRIDE;
      w[n] = panic
        ? saturated
          ? 0
          : (derived[at + HEADROOM] as number)
        : (derived[at + WEIGHT] as number);
      load[n] = derived[at + LOAD] as number;
      n++;
    }
    if (useAffinity && n > 0) this.#applyAffinity(request, now, n);
    return n;
  }

  /** Multiplies weights (divides loads) of candidates with a cached prefix; see the config. */
  #applyAffinity(request: RouteRequest, now: number, n: number): void {
    const hashes = request.prefixHashes as ArrayLike<number>;
    const total = hashes.length;
    const table = this.#table;
    const slots = this.#scratchSlot;
    const ratios = this.#scratchAffinity;
    let minLoad = Infinity;
    let maxLoad = 0;
    for (let i = 0; i < n; i++) {
      const q = table.effectiveQueue(slots[i] as number);
      if (q < minLoad) minLoad = q;
      if (q > maxLoad) maxLoad = q;
    }
    const index = this.config.affinity.index;
    if (isLoadImbalanced(minLoad, maxLoad, index)) {
      for (let i = 0; i < n; i++) ratios[i] = 0;
      return;
    }
    const boost = this.config.affinity.boost;
    const w = this.#scratchWeight;
    const load = this.#scratchLoad;
    for (let i = 0; i < n; i++) {
      const matched = this.affinity.matchedBlocks(table.idAt(slots[i] as number), hashes, now);
      const ratio = matchRatio(matched, total);
      ratios[i] = matched;
      if (ratio > index.cacheThreshold) {
        const factor = 1 + boost * ratio;
        w[i] = (w[i] as number) * factor;
        load[i] = (load[i] as number) / factor;
      }
    }
  }

  /** True when the request has filters the pick trees do not index; prepares the requirement. */
  #hasFilters(request: RouteRequest): boolean {
    const workload =
      request.latencyClass !== undefined ||
      request.fp8 !== undefined ||
      request.memoryGiB !== undefined;
    if (workload) {
      const r = this.#requirement;
      r.latencyClass = request.latencyClass ?? 'batch';
      r.modelMemoryGiB = request.memoryGiB ?? 0;
      r.fp8 = request.fp8 === true;
    }
    return workload || request.allowedRegions !== undefined || request.allowedZones !== undefined;
  }

  /**
   * The hard filter (beyond model, lifecycle and health) that rejects `slot`, or null. Call
   * {@link RouterImpl.#hasFilters} first (it prepares the workload requirement).
   */
  #rejectedBy(slot: number, request: RouteRequest): FilterName | null {
    const spec = this.#table.specAt(slot);
    const regions = request.allowedRegions;
    if (regions !== undefined && (spec.region === undefined || !regions.includes(spec.region)))
      return 'region';
    const zones = request.allowedZones;
    if (zones !== undefined && (spec.zone === undefined || !zones.includes(spec.zone)))
      return 'zone';
    if (
      request.latencyClass !== undefined ||
      request.fp8 !== undefined ||
      request.memoryGiB !== undefined
    ) {
      const gpu = this.#gpuInfo[slot];
      if (gpu === undefined || !workloadAllows(this.#requirement, gpu, this.config.matching))
        return 'workload';
    }
    return null;
  }

  // ---- derived state -------------------------------------------------------------------------

  /** Refreshes every endpoint whose weight changed by itself by `now` (staleness, slow start, health). */
  #advance(): void {
    const now = this.#nowMs;
    const heap = this.#deadlines;
    while (heap.isDue(now)) {
      const slot = heap.peekSlot();
      const h = this.#table.health[slot] as number;
      if (h !== HEALTH_CODE.healthy)
        this.#syncHealth(slot, this.health.state(this.#table.idAt(slot), now));
      this.#refresh(slot);
    }
  }

  #syncHealth(slot: number, state: HealthState): void {
    const table = this.#table;
    const code = HEALTH_CODE[state];
    if (code === HEALTH_CODE.ejected && table.health[slot] !== HEALTH_CODE.ejected) {
      routingInstruments.ejections.add(1, { endpoint: table.idAt(slot) });
    }
    table.health[slot] = code;
  }

  /** Recomputes the slot's weights and schedules its next time-driven change. */
  #refresh(slot: number): void {
    this.#recompute(slot);
    const now = this.#nowMs;
    const table = this.#table;
    const config = this.config;
    let next = Infinity;
    const scrapedAt = table.scrapedAtMs[slot] as number;
    if (((this.#state[slot] as number) & STALE) === 0) next = scrapedAt + config.maxMetricAgeMs;
    if (
      table.lifecycle[slot] === READY_CODE &&
      (this.#derived[slot * DERIVED_STRIDE + SLOW_START] as number) < 1
    ) {
      const end = slowStartEndsAtMs(config.slowStart, table.readySinceMs[slot] as number);
      next = Math.min(next, Math.max(now + 1, Math.min(now + config.slowStartRefreshMs, end)));
    }
    if (table.health[slot] !== HEALTH_CODE.healthy)
      next = Math.min(next, now + config.healthRecheckMs);
    const scratch = this.#score;
    scratch[0] = next > now ? next : now + 1;
    this.#deadlines.setFrom(slot, scratch, 0);
  }

  /** Recomputes headroom, weight, load score and pool counts of one slot. No allocation. */
  #recompute(slot: number): void {
    const now = this.#nowMs;
    const table = this.#table;
    const config = this.config;
    const s = table.signalsInto(slot, this.#signals);
    const ready = table.lifecycle[slot] === READY_CODE;
    const scrapedAt = table.scrapedAtMs[slot] as number;
    const stale = !(now - scrapedAt < config.maxMetricAgeMs);
    const readySince = table.readySinceMs[slot] as number;
    // Past the window the factor is 1 (slowStartFactor's first test); skip the call then.
    const ss =
      !ready || now - readySince >= config.slowStart.windowMs
        ? 1
        : slowStartFactor(config.slowStart, readySince, now);
    let headroom: number;
    let saturated: boolean;
    let load: number;
    if (stale) {
      // Unknown load: stalePenalty × the idle weight, still discounted by the router's own
      // in-flight count since the scrape (the one load signal it knows first-hand), a load score
      // at the saturation threshold plus that count, and saturated once that count alone reaches
      // the queue threshold.
      const own = table.routerDelta[slot] as number;
      const pending = own > 0 ? own : 0;
      headroom =
        (config.stalePenalty * idleHeadroomWeight(s, config.scoring)) /
        Math.pow(1 + pending, config.scoring.exponents.queue);
      load = 1 + pending / config.saturation.queueDepth;
      saturated = pending >= config.saturation.queueDepth;
    } else {
      const score = this.#score;
      saturated = scoreInto(s, config.scoring, config.saturation, score);
      headroom = score[0] as number;
      load = score[1] as number;
    }
    headroom *= ss;
    const h = table.health[slot] as number;
    const healthFactor =
      h === HEALTH_CODE.healthy ? 1 : h === HEALTH_CODE.degraded ? this.#degradedWeight : 0;
    const countedReady = ready && h !== HEALTH_CODE.draining;
    const available = countedReady && h !== HEALTH_CODE.ejected;
    const weight = available && !saturated ? headroom * healthFactor : 0;
    const damp = ss * (healthFactor > 0 ? healthFactor : 1);
    const derived = this.#derived;
    const at = slot * DERIVED_STRIDE;
    derived[at + HEADROOM] = headroom;
    derived[at + SLOW_START] = ss;
    derived[at + LOAD] = damp > 0 ? Math.min(Number.MAX_VALUE, load / damp) : Number.MAX_VALUE;
    const before = this.#state[slot] as number;
    const after =
      (saturated ? SATURATED : 0) |
      (stale ? STALE : 0) |
      (countedReady ? COUNT_READY : 0) |
      (available ? COUNT_AVAILABLE : 0);
    this.#state[slot] = after;
    const weightChanged = derived[at + WEIGHT] !== weight;
    derived[at + WEIGHT] = weight;
    const countsChanged = ((before ^ after) & (COUNT_READY | COUNT_AVAILABLE)) !== 0;
    if (!weightChanged && !countsChanged) return;
    const dReady = ((after & COUNT_READY) !== 0 ? 1 : 0) - ((before & COUNT_READY) !== 0 ? 1 : 0);
    const dAvail =
      ((after & COUNT_AVAILABLE) !== 0 ? 1 : 0) - ((before & COUNT_AVAILABLE) !== 0 ? 1 : 0);
    const pools = this.#recordPool;
    const positions = this.#recordPos;
    const next = this.#recordNext;
    for (let r = this.#firstRecord[slot] as number; r >= 0; r = next[r] as number) {
      const pool = pools[r] as Pool;
      pool.ready += dReady;
      pool.available += dAvail;
      if (weightChanged) {
        const pos = positions[r] as number;
        pool.tree.setFrom(pos, derived, at + WEIGHT);
        if (weight > 0) pool.positive.add(pos);
        else pool.positive.delete(pos);
      }
    }
  }

  // ---- pools ---------------------------------------------------------------------------------

  #joinPools(slot: number, spec: EndpointSpec): void {
    this.#cachedModel = undefined;
    const joined = new Set<Pool>();
    for (const model of spec.models) {
      let entry = this.#pools.get(model.name);
      if (entry === undefined) {
        entry = { any: new Pool(), versions: new Map() };
        this.#pools.set(model.name, entry);
      }
      const targets = [entry.any];
      if (model.version !== undefined) {
        let v = entry.versions.get(model.version);
        if (v === undefined) {
          v = new Pool();
          entry.versions.set(model.version, v);
        }
        targets.push(v);
      }
      for (const pool of targets) {
        if (joined.has(pool)) continue;
        joined.add(pool);
        const pos = pool.size++;
        if (pos >= pool.members.length) pool.members = grow(pool.members, pool.members.length * 2);
        pool.members[pos] = slot;
        // Joins with weight 0 and uncounted; #recompute (which follows) brings it up to date.
        pool.tree.push(0);
        this.#addRecord(slot, pool, pos);
      }
    }
    // Force the follow-up recompute to publish weight and counts into the new pools.
    this.#derived[slot * DERIVED_STRIDE + WEIGHT] = -1;
    this.#state[slot] = 0;
  }

  #leavePools(slot: number): void {
    this.#cachedModel = undefined;
    const state = this.#state[slot] as number;
    let r = this.#firstRecord[slot] as number;
    this.#firstRecord[slot] = -1;
    while (r >= 0) {
      const pool = this.#recordPool[r] as Pool;
      const pos = this.#recordPos[r] as number;
      const following = this.#recordNext[r] as number;
      // Free the record first, so the moved slot's lookup below never sees it.
      this.#recordPool[r] = undefined;
      this.#recordNext[r] = this.#freeRecord;
      this.#freeRecord = r;
      r = following;
      if ((state & COUNT_READY) !== 0) pool.ready--;
      if ((state & COUNT_AVAILABLE) !== 0) pool.available--;
      const last = pool.size - 1;
      if (pos !== last) {
        const movedSlot = pool.members[last] as number;
        pool.members[pos] = movedSlot;
        const movedWeight = pool.tree.get(last);
        pool.tree.set(pos, movedWeight);
        if (movedWeight > 0) pool.positive.add(pos);
        else pool.positive.delete(pos);
        for (
          let o = this.#firstRecord[movedSlot] as number;
          o >= 0;
          o = this.#recordNext[o] as number
        ) {
          if (this.#recordPool[o] === pool) this.#recordPos[o] = pos;
        }
      }
      pool.positive.delete(last);
      pool.tree.pop();
      pool.size--;
    }
    this.#state[slot] = this.#state[slot]! & ~(COUNT_READY | COUNT_AVAILABLE);
    // Drop empty pools so a model nobody serves any more is `no_model`.
    for (const [name, entry] of this.#pools) {
      for (const [version, pool] of entry.versions)
        if (pool.size === 0) entry.versions.delete(version);
      if (entry.any.size === 0 && entry.versions.size === 0) this.#pools.delete(name);
    }
  }

  /** Links a membership record (pool, position) at the head of `slot`'s list. */
  #addRecord(slot: number, pool: Pool, pos: number): void {
    let r = this.#freeRecord;
    if (r >= 0) this.#freeRecord = this.#recordNext[r] as number;
    else {
      r = this.#recordPool.length;
      if (r >= this.#recordPos.length) {
        this.#recordPos = grow(this.#recordPos, r * 2);
        this.#recordNext = grow(this.#recordNext, r * 2);
      }
    }
    this.#recordPool[r] = pool;
    this.#recordPos[r] = pos;
    this.#recordNext[r] = this.#firstRecord[slot] as number;
    this.#firstRecord[slot] = r;
  }

  #ensureCapacity(n: number): void {
    if (n <= this.#state.length) return;
    let cap = this.#state.length;
    while (cap < n) cap *= 2;
    const first = new Int32Array(cap).fill(-1);
    first.set(this.#firstRecord);
    this.#firstRecord = first;
    this.#derived = grow(this.#derived, cap * DERIVED_STRIDE);
    this.#state = grow(this.#state, cap);
    this.#pickCounts = grow(this.#pickCounts, cap);
  }

  #ensureScratch(n: number): void {
    if (n <= this.#scratchSlot.length) return;
    let cap = this.#scratchSlot.length;
    while (cap < n) cap *= 2;
    this.#scratchSlot = new Int32Array(cap);
    this.#scratchWeight = new Float64Array(cap);
    this.#scratchLoad = new Float64Array(cap);
    this.#scratchKey = new Float64Array(cap);
    this.#scratchAffinity = new Float64Array(cap);
  }

  // ---- explain -------------------------------------------------------------------------------

  #explain(request: RouteRequest, now: number, chosen: number): PickExplanation {
    const config = this.config;
    const filtered: Record<FilterName, string[]> = {
      model: [],
      lifecycle: [],
      health: [],
      region: [],
      zone: [],
      workload: [],
      saturation: [],
    };
    const candidates: CandidateExplanation[] = [];
    const valid =
      typeof request === 'object' && request !== null && typeof request.model === 'string';
    const pool = valid ? this.#poolFor(request) : undefined;
    const table = this.#table;
    const inPool = new Set<number>();
    if (pool !== undefined)
      for (let p = 0; p < pool.size; p++) inPool.add(pool.members[p] as number);
    for (let slot = 0; slot < table.size; slot++)
      if (!inPool.has(slot)) filtered.model.push(table.idAt(slot));
    const panic = pool !== undefined && pool.ready > 0 && this.#isPanic(pool);
    const hashes = valid ? request.prefixHashes : undefined;
    const useAffinity = config.affinity.enabled && hashes !== undefined && hashes.length > 0;
    if (pool !== undefined) {
      this.#hasFilters(request);
      for (let p = 0; p < pool.size; p++) {
        const slot = pool.members[p] as number;
        const id = table.idAt(slot);
        const h = table.health[slot] as number;
        if (table.lifecycle[slot] !== READY_CODE) filtered.lifecycle.push(id);
        else if (h === HEALTH_CODE.draining || (h === HEALTH_CODE.ejected && !panic))
          filtered.health.push(id);
        else {
          const by = this.#rejectedBy(slot, request);
          if (by !== null) filtered[by].push(id);
        }
      }
      const n = this.#collect(pool, request, now, panic, useAffinity);
      let total = 0;
      for (let i = 0; i < n; i++) total += this.#scratchWeight[i] as number;
      const spill = !(total > 0);
      for (let i = 0; i < n; i++) {
        const slot = this.#scratchSlot[i] as number;
        const s = table.signalsInto(slot, this.#signals);
        const state = this.#state[slot] as number;
        const saturated = (state & SATURATED) !== 0;
        if (saturated && !spill) filtered.saturation.push(table.idAt(slot));
        candidates.push({
          id: table.idAt(slot),
          weight: spill
            ? 1 / (1 + (this.#scratchLoad[i] as number))
            : (this.#scratchWeight[i] as number),
          loadScore: this.#scratchLoad[i] as number,
          headroom: headroomWeight(s, config.scoring),
          factors: headroomFactors(s, config.scoring),
          slowStartFactor: this.#derived[slot * DERIVED_STRIDE + SLOW_START] as number,
          health: HEALTH_FROM_CODE[table.health[slot] as number] as HealthState,
          stale: (state & STALE) !== 0,
          saturated,
          effectiveQueue: table.effectiveQueue(slot),
          affinityBlocks: useAffinity ? (this.#scratchAffinity[i] as number) : 0,
        });
      }
    }
    return Object.freeze({
      model: valid ? request.model : String((request as { model?: unknown } | null)?.model),
      version: valid ? (request.version ?? null) : null,
      picker: config.picker,
      mode: this.#lastMode,
      panic,
      healthyFraction: pool === undefined || pool.ready === 0 ? 1 : pool.available / pool.ready,
      panicThreshold: config.panicThreshold,
      allSaturated: this.#allSaturated,
      filtered,
      candidates,
      chosen: chosen >= 0 ? table.idAt(chosen) : null,
      shed: chosen >= 0 ? null : (SHED_FROM_CODE[-chosen] as ShedReason),
    });
  }
}

function notFound(id: string): HeadroomError {
  return new HeadroomError({
    code: 'not_found',
    message: `no endpoint with id ${JSON.stringify(id)}`,
    path: ['endpoints', id],
    value: id,
  });
}

/**
 * Creates a {@link Router}: GPU-aware routing over an endpoint table.
 *
 * The pipeline of one pick, in order:
 * 1. Hard filters: the model (and version) is loaded; lifecycle `ready`; health not `draining`
 *    or `ejected`; `allowedRegions` / `allowedZones` honoured strictly.
 * 2. Panic (Envoy's healthy panic threshold): when too few of a model pool's ready endpoints are
 *    available, health is ignored (ejected endpoints come back, degraded get full weight).
 * 3. Headroom weight per endpoint (see `ScoringConfigSchema`) × slow-start factor × health factor
 *    (`degradedWeight`); a stale endpoint gets `stalePenalty` × its idle weight. Saturated
 *    endpoints (a signal at its threshold) get weight 0 while another candidate has room.
 * 4. Optional prefix affinity boosts endpoints with the request's prefix cached.
 * 5. The picker (weighted, p2c, least-loaded); when every candidate is saturated, spill or shed.
 *
 * Weights are cached in a Fenwick tree per model pool and per model version, refreshed when an
 * endpoint changes (metrics, lifecycle, health, a pick or completion) or when its weight changes
 * by itself (a scrape ages past `maxMetricAgeMs`, a slow-start step, a health re-check), so a
 * weighted pick is O(log n) and allocation-free.
 *
 * @throws `HeadroomError` `invalid_config` naming the field, bound and value.
 * @example
 * ```ts
 * const router = createRouter({ picker: 'weighted', onSaturated: 'shed' });
 * router.upsertEndpoint({ id: 'gpu-1', models: [{ name: 'llama-8b' }], lifecycle: 'ready', region: 'us-east-1' }, now);
 * router.updateMetrics('gpu-1', { scrapedAtMs: now, kvCacheUtilization: 0.4, queueDepth: 2 }, now);
 * const result = router.pick({ model: 'llama-8b' }, now, random);
 * if ('endpointId' in result) send(result.endpointId);
 * ```
 */
export function createRouter(config: RouterConfigInput = {}): Router {
  return new RouterImpl(parseRouterConfig(config, ['router']));
}
