import {
  HeadroomError,
  createLifecycle,
  createRandom,
  fromZodError,
  transition,
  type CapacityType,
  type GpuSample,
  type InstanceSnapshot,
  type LifecycleRecord,
} from '@headroom/core';
import { defaultCatalog, pricePerGpuHour, type Catalog } from '@headroom/cost';
import {
  createRouter,
  createStreamRouter,
  type RouteRequest,
  type Router,
  type StreamMigration,
  type StreamRouter,
} from '@headroom/routing';
import { createServiceModel, type ServiceModel } from '../service/service-model.js';
import {
  coldStartQuantileMs,
  resolveColdStart,
  sampleColdStartMs,
  type ColdStartDistribution,
} from './cold-start.js';
import { SimConfigSchema, type SimConfig } from './config.js';
import { EventQueue } from './event-queue.js';
import { cdfOf, quantilesOf, roundMs } from './stats.js';
import type { PolicyObservation, PolicyRunResult } from './types.js';

/**
 * Per-request detail of a run (when `recordRequests` is on), in trace order. Latencies are ms
 * and include the region RTT; `NaN` (JSON `null`) where a request was dropped or never started.
 */
export interface RequestLog {
  /** Time to first token. */
  ttftMs: number[];
  /** Wait from arrival (or from being re-queued off a preempted instance) to admission. */
  queueWaitMs: number[];
  /** Arrival to last token. */
  e2eMs: number[];
  /** True for a dropped request. */
  dropped: boolean[];
  /** Index of the instance that finished it (`r<index>` is its id), -1 when dropped. */
  instance: number[];
}

/** What {@link simulate} returns: a {@link PolicyRunResult}, plus the request log when asked. */
export interface SimulationResult extends PolicyRunResult {
  /** Per-request detail, only with `recordRequests: true`. */
  requestLog?: RequestLog;
}

// Event kinds.
const EV_BOUNDARY = 1;
const EV_PHASE = 2;
const EV_TICK = 3;
const EV_SCHEDULE = 4;
const EV_SPOT_NOTICE = 5;
const EV_SPOT_RECLAIM = 6;
const EV_SERIES = 7;
const EV_SCRAPE = 8;
const EV_STREAM_START = 9;
const EV_STREAM_END = 10;

// Instance status.
const ST_STARTING = 0;
const ST_READY = 1;
const ST_DRAINING = 2;
const ST_TERMINATED = 3;

// Batching mode.
const MODE_IDLE = 0;
const MODE_DECODE = 1;
const MODE_PREFILL = 2;

// Request status (0: open).
const RQ_DONE = 1;
const RQ_DROPPED = 2;

/** Cold start split into lifecycle phases: provisioning, loading, warming (fractions of the draw). */
const PHASE_LOADING_AT = 0.1;
const PHASE_WARMING_AT = 0.9;
/** Smallest step the engine accepts from a service model, ms (keeps time moving). */
const MIN_STEP_MS = 1e-3;
const HOUR_MS = 3_600_000;

/** One replica: lifecycle, a continuous-batching engine and its accounting. */
class Instance {
  readonly index: number;
  readonly id: string;
  readonly capacityType: CapacityType;
  readonly region: number;
  readonly rttMs: number;
  readonly createdMs: number;
  life: LifecycleRecord;
  status = ST_STARTING;
  readyMs = Number.NaN;
  terminatedMs = Number.NaN;
  version = 0;
  mode = MODE_IDLE;
  // Running batch: a min-heap of (finish step, request) pairs.
  readonly runFinish: Float64Array;
  readonly runReq: Int32Array;
  runSize = 0;
  kvUsed = 0;
  // Waiting queue (FIFO ring).
  waitQ = new Int32Array(16);
  waitHead = 0;
  waitLen = 0;
  // Requests whose prefill is in the current step.
  readonly admitted: Int32Array;
  admittedLen = 0;
  // Step clock.
  stepIndex = 0;
  segStartMs = 0;
  segStartStep = 0;
  segStepMs = 1;
  nextEventMs = Infinity;
  // Busy-time accounting.
  busySince = Number.NaN;
  busyAccum = 0;
  sampleBusy = 0;
  sampleMs = 0;
  streams = 0;

  constructor(
    index: number,
    capacityType: CapacityType,
    region: number,
    rttMs: number,
    createdMs: number,
    maxBatch: number,
  ) {
    this.index = index;
    this.id = `r${index}`;
    this.capacityType = capacityType;
    this.region = region;
    this.rttMs = rttMs;
    this.createdMs = createdMs;
    this.life = transition(createLifecycle(createdMs), 'provisioning', createdMs);
    this.runFinish = new Float64Array(maxBatch);
    this.runReq = new Int32Array(maxBatch);
    this.admitted = new Int32Array(maxBatch);
  }

  runPush(finish: number, req: number): void {
    const f = this.runFinish;
    const r = this.runReq;
    let i = this.runSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((f[p] as number) <= finish) break;
      f[i] = f[p] as number;
      r[i] = r[p] as number;
      i = p;
    }
    f[i] = finish;
    r[i] = req;
  }

  runPop(): number {
    const f = this.runFinish;
    const r = this.runReq;
    const top = r[0] as number;
    const n = --this.runSize;
    if (n === 0) return top;
    const lf = f[n] as number;
    const lr = r[n] as number;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (f[c + 1] as number) < (f[c] as number)) c++;
      if (lf <= (f[c] as number)) break;
      f[i] = f[c] as number;
      r[i] = r[c] as number;
      i = c;
    }
    f[i] = lf;
    r[i] = lr;
    return top;
  }

  waitPush(req: number): void {
    if (this.waitLen === this.waitQ.length) {
      const next = new Int32Array(this.waitQ.length * 2);
      for (let k = 0; k < this.waitLen; k++) {
        next[k] = this.waitQ[(this.waitHead + k) % this.waitQ.length] as number;
      }
      this.waitQ = next;
      this.waitHead = 0;
    }
    this.waitQ[(this.waitHead + this.waitLen) % this.waitQ.length] = req;
    this.waitLen++;
  }

  waitPeek(): number {
    return this.waitQ[this.waitHead] as number;
  }

  waitPop(): number {
    const req = this.waitQ[this.waitHead] as number;
    this.waitHead = (this.waitHead + 1) % this.waitQ.length;
    this.waitLen--;
    return req;
  }

  busyNow(nowMs: number): number {
    return this.busyAccum + (Number.isNaN(this.busySince) ? 0 : nowMs - this.busySince);
  }
}

/** A growable FIFO of request indices (the queue of requests no instance can take yet). */
class IntFifo {
  #q = new Int32Array(64);
  #head = 0;
  length = 0;
  push(v: number): void {
    if (this.length === this.#q.length) {
      const next = new Int32Array(this.#q.length * 2);
      for (let k = 0; k < this.length; k++) {
        next[k] = this.#q[(this.#head + k) % this.#q.length] as number;
      }
      this.#q = next;
      this.#head = 0;
    }
    this.#q[(this.#head + this.length) % this.#q.length] = v;
    this.length++;
  }
  peek(): number {
    return this.#q[this.#head] as number;
  }
  pop(): number {
    const v = this.#q[this.#head] as number;
    this.#head = (this.#head + 1) % this.#q.length;
    this.length--;
    return v;
  }
}

interface Sample {
  readonly atMs: number;
  readonly perSec: number;
  readonly instances: readonly InstanceSnapshot[];
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function defaultInstanceType(catalog: Catalog, gpuClassName: string): string {
  let best: { name: string; gpuCount: number } | undefined;
  for (const t of catalog.instanceTypes) {
    if (t.gpuClass === gpuClassName && (best === undefined || t.gpuCount > best.gpuCount)) best = t;
  }
  if (best === undefined) {
    throw new HeadroomError({
      code: 'invalid_config',
      message: `the catalog has no instance type with GPU class ${JSON.stringify(gpuClassName)}: set instanceType`,
      path: ['simulate', 'instanceType'],
      value: gpuClassName,
    });
  }
  return best.name;
}

/**
 * Runs one policy (or one replica schedule) over a trace in simulated time and returns what
 * happened: latencies, SLO attainment, GPU-hours and dollars by capacity type, cold starts,
 * scale events, streams, preemptions and a time series.
 *
 * Deterministic: the same config and seed give the same result, byte for byte once serialized.
 * It never reads the wall clock; every draw comes from `createRandom(seed)`, split per purpose
 * (cold starts, routing, spot interruptions) so adding draws of one kind never shifts another.
 *
 * The model, in brief (docs/simulation.md has the long form):
 *
 * - Instances follow core's lifecycle: requested → provisioning → loading → warming → ready →
 *   draining → terminated. A cold start is one draw from the distribution, split 10% provisioning,
 *   80% loading, 10% warming. GPU-hours count from provisioning to termination (core's
 *   `isBillable` states) × GPUs per replica; dollars are those × `pricePerGpuHour` of
 *   `@headroom/cost` for the instance's capacity type.
 * - Continuous batching per instance (vLLM/Orca-style iteration scheduling): every step, each
 *   running sequence emits one token; a step takes `decodeStepMs(running)`. Waiting requests
 *   join at a step boundary (first come, first served, stopping at the first that does not fit)
 *   while the batch is under `maxBatch` and the KV budget holds their prompt + output tokens
 *   (a request larger than the whole budget runs alone). Joining requests are prefilled in that
 *   step, which then takes `decodeStepMs(running) + prefillMs(their prompt tokens)` (prefill and
 *   decode share the step: a simplification of chunked prefill); their first token comes at its
 *   end. So TTFT = queue wait (to the step start) + that step (+ RTT); on an idle instance it is
 *   exactly the prefill time. To stay fast the engine does not wake per token: while a batch does
 *   not change, one event jumps to the next completion (or to the next boundary where a new
 *   request can join).
 * - Routing: `'headroom'` (default: `createRouter` of `@headroom/routing`, each ready instance an
 *   endpoint whose queue depth, running batch and KV use are scraped every `routerScrapeMs`) or
 *   `'jsq'` (join the shortest queue). A request
 *   with no ready instance waits in a fleet queue until one is ready. A request still waiting
 *   `maxQueueMs` after it arrived is dropped (an SLO miss).
 * - The policy runs every `intervalMs` on metrics sampled at each tick and delivered
 *   `metricsLagMs` late; its answer is clamped to [minReplicas, maxReplicas] (non-finite: hold;
 *   fractions round up). Scale-down cancels instances still starting (newest first), then drains
 *   the least-loaded ready ones (no new work, running work finishes, then terminated).
 * - Spot: interruption notices arrive per spot instance at `spotInterruptionsPerHour`; the
 *   instance drains at once (waiting requests re-routed), a replacement is requested, and after
 *   `noticeMs` it is reclaimed: running requests are re-queued (counted `migrated`) and redo
 *   their prefill, over the tokens generated so far too.
 * - Streams: sessions open on a sticky `createStreamRouter` over ready instances; a stream takes
 *   `gpuShare` of its instance (LLM steps there run `1 / (1 − share)` slower); a stream with
 *   nowhere to go is dropped; one whose instance drains moves (migrated).
 * - The run ends at the first autoscaler tick after the trace's duration at which every request
 *   is completed or dropped and no stream is open. Instances are billed until the later of the
 *   trace's end and the last request's resolution (the same cut for every policy).
 *
 * @throws `HeadroomError` `invalid_config` naming the field for a bad config (and the request
 * index for a bad or unsorted trace request).
 * @example
 * ```ts
 * const result = simulate({
 *   trace,
 *   policy: { name: 'static', initialReplicas: () => 4, decide: () => 4 },
 *   sloTtftMs: 2_000,
 *   seed: 7,
 * });
 * console.log(summarize(result));
 * ```
 */
export function simulate(input: SimConfig): SimulationResult {
  const parsed = SimConfigSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw fromZodError(parsed.error, 'invalid_config', ['simulate']);
  const config = parsed.data;
  const trace = config.trace;
  const catalog = config.catalog ?? defaultCatalog();
  const service: ServiceModel = config.service ?? createServiceModel({}, catalog);
  const coldDist: ColdStartDistribution = resolveColdStart(config.coldStart);
  const instanceTypeName = config.instanceType ?? defaultInstanceType(catalog, service.gpuClass);
  const gpus = service.gpusPerReplica;
  const priceByType: Record<CapacityType, number> = {
    'on-demand': pricePerGpuHour(catalog, instanceTypeName, 'on-demand'),
    reserved: 0,
    spot: 0,
  };
  if (config.capacity.spotFraction > 0) {
    priceByType.spot = pricePerGpuHour(catalog, instanceTypeName, 'spot');
  }

  // --- Requests -------------------------------------------------------------------------------
  const requests = trace.requests;
  const n = requests.length;
  const arrival = new Float64Array(n);
  const prompt = new Int32Array(n);
  const output = new Int32Array(n);
  let promptSum = 0;
  let outputSum = 0;
  let previous = 0;
  for (let i = 0; i < n; i++) {
    const r = requests[i];
    const a = r?.arrivalMs;
    const p = r?.promptTokens;
    const o = r?.outputTokens;
    const bad =
      typeof a !== 'number' || !(a >= previous) || !Number.isFinite(a)
        ? ['arrivalMs', a, `finite, >= ${previous} (sorted)`]
        : typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 1e9
          ? ['promptTokens', p, 'integer in [0, 1e9]']
          : typeof o !== 'number' || !Number.isInteger(o) || o < 1 || o > 1e9
            ? ['outputTokens', o, 'integer in [1, 1e9]']
            : undefined;
    if (bad !== undefined) {
      throw new HeadroomError({
        code: 'invalid_config',
        message: 'bad trace request',
        path: ['simulate', 'trace', 'requests', i, bad[0] as string],
        value: bad[1],
        limit: bad[2] as string,
      });
    }
    arrival[i] = a as number;
    prompt[i] = p as number;
    output[i] = o as number;
    promptSum += p as number;
    outputSum += o as number;
    previous = a as number;
  }
  const horizonMs = Math.max(
    Number.isFinite(trace.durationMs) ? trace.durationMs : 0,
    n > 0 ? (arrival[n - 1] as number) : 0,
  );
  const remaining = Int32Array.from(output);
  const deadline = new Float64Array(n);
  for (let i = 0; i < n; i++) deadline[i] = (arrival[i] as number) + config.maxQueueMs;
  const ttft = new Float64Array(n).fill(Number.NaN);
  const queueWait = new Float64Array(n).fill(Number.NaN);
  const e2e = new Float64Array(n).fill(Number.NaN);
  const status = new Uint8Array(n);
  const finishedBy = config.recordRequests ? new Int32Array(n).fill(-1) : undefined;

  // --- Service model tables -------------------------------------------------------------------
  const maxBatch = service.maxBatch;
  const kvBudget = service.kvTokenBudget;
  const decodeTable = new Float64Array(maxBatch + 1);
  for (let b = 1; b <= maxBatch; b++) {
    const step = service.decodeStepMs(b);
    if (!(Number.isFinite(step) && step > 0)) {
      throw new HeadroomError({
        code: 'invalid_config',
        message: `the service model's decodeStepMs(${b}) is not a finite number > 0`,
        path: ['simulate', 'service'],
        value: step,
      });
    }
    decodeTable[b] = step;
  }
  const sloTtftMs = config.sloTtftMs;
  const avgPrompt = n > 0 ? promptSum / n : 1;
  const avgOutput = n > 0 ? outputSum / n : 1;
  const capacityRaw = service.capacityRps(avgPrompt, avgOutput, sloTtftMs);
  const capacityPerReplicaRps = Number.isFinite(capacityRaw) && capacityRaw > 0 ? capacityRaw : 1;
  const coldStartStats = {
    p50: coldStartQuantileMs(coldDist, 0.5),
    p95: coldStartQuantileMs(coldDist, 0.95),
  };

  // --- Randomness, one stream per purpose -----------------------------------------------------
  const root = createRandom(config.seed);
  const coldRandom = root.split();
  const routeRandom = root.split();
  const spotRandom = root.split();

  // --- Fleet state ----------------------------------------------------------------------------
  const queue = new EventQueue(1024);
  const instances: Instance[] = [];
  const alive: Instance[] = []; // not terminated
  const ready: Instance[] = []; // ready, not draining
  const byId = new Map<string, Instance>();
  const pending = new IntFifo();
  const regions = config.regions ?? [{ name: '', rttMs: 0, weight: 1 }];
  const regionLive = new Float64Array(regions.length);
  const regionNamed = config.regions !== undefined;
  const minReplicas = config.minReplicas;
  const maxReplicas = config.maxReplicas;
  const spotFraction = config.capacity.spotFraction;
  const spotRatePerMs = config.capacity.spotInterruptionsPerHour / HOUR_MS;
  const noticeMs = config.capacity.noticeMs;
  let desired = 0;
  let spotLive = 0;
  let lastResolvedMs = 0;
  let rrCursor = 0;

  // Counters.
  let completed = 0;
  let dropped = 0;
  let sloMet = 0;
  let migrated = 0;
  let coldStarts = 0;
  let scaleEvents = 0;
  let preemptions = 0;
  let streamsOpened = 0;
  let streamsDropped = 0;
  let streamsMigrated = 0;
  let resolved = 0;
  let busyClosedTotal = 0; // busy ms of closed busy intervals, fleet-wide

  // --- Router ---------------------------------------------------------------------------------
  const useRouter = config.router === 'headroom';
  const router: Router | undefined = useRouter
    ? createRouter({ maxMetricAgeMs: Math.max(15_000, 3 * config.routerScrapeMs) })
    : undefined;
  const routeRequest: RouteRequest = { model: service.model };

  // --- Streams --------------------------------------------------------------------------------
  const streamCfg = config.streams;
  const sessions = streamCfg?.sessions ?? [];
  const streamShare = streamCfg?.gpuShare ?? 0;
  const maxPerReplica =
    streamCfg?.maxPerReplica ?? Math.max(1, Math.floor(0.9 / (streamShare || 1)));
  const sessionLive = new Uint8Array(sessions.length);
  let activeStreams = 0;
  const streamRouter: StreamRouter | undefined =
    sessions.length > 0
      ? createStreamRouter({
          maxStreams: Math.max(100_000, sessions.length),
          ttlMs: Number.MAX_SAFE_INTEGER,
        })
      : undefined;

  // --- Helpers --------------------------------------------------------------------------------
  function slowdown(inst: Instance): number {
    if (inst.streams === 0) return 1;
    return 1 / (1 - Math.min(0.9, inst.streams * streamShare));
  }

  function setBusy(inst: Instance, t: number): void {
    if (Number.isNaN(inst.busySince)) inst.busySince = t;
  }

  function setIdle(inst: Instance, t: number): void {
    if (!Number.isNaN(inst.busySince)) {
      const d = t - inst.busySince;
      inst.busyAccum += d;
      busyClosedTotal += d;
      inst.busySince = Number.NaN;
    }
  }

  function schedule(inst: Instance, t: number): void {
    inst.version++;
    inst.nextEventMs = t;
    queue.push(t, EV_BOUNDARY, inst.index, inst.version);
  }

  function resolve(t: number): void {
    resolved++;
    if (t > lastResolvedMs) lastResolvedMs = t;
  }

  function drop(req: number, t: number, inst: Instance | undefined): void {
    status[req] = RQ_DROPPED;
    dropped++;
    resolve(t);
    if (router !== undefined && inst !== undefined && inst.status === ST_READY) {
      router.onComplete(inst.id, { success: false, latencyMs: t - (arrival[req] as number) }, t);
    }
  }

  function complete(inst: Instance, req: number, t: number): void {
    status[req] = RQ_DONE;
    completed++;
    inst.kvUsed -= (prompt[req] as number) + (output[req] as number);
    const total = t - (arrival[req] as number) + inst.rttMs;
    e2e[req] = total;
    if ((ttft[req] as number) <= sloTtftMs) sloMet++;
    if (finishedBy !== undefined) finishedBy[req] = inst.index;
    resolve(t);
    if (router !== undefined && inst.status === ST_READY) {
      router.onComplete(inst.id, { success: true, latencyMs: total }, t);
    }
  }

  function pickInstance(t: number): Instance | undefined {
    const count = ready.length;
    if (count === 0) return undefined;
    if (router !== undefined) {
      const picked = router.pick(routeRequest, t, routeRandom);
      return 'endpointId' in picked ? byId.get(picked.endpointId) : undefined;
    }
    // Join the shortest queue (waiting + running), ties to the next instance in rotation.
    let start = rrCursor;
    if (start >= count) start = 0;
    rrCursor = start + 1;
    let best = ready[start] as Instance;
    let bestLoad = best.waitLen + best.runSize + best.admittedLen;
    for (let k = 1; k < count && bestLoad > 0; k++) {
      let j = start + k;
      if (j >= count) j -= count;
      const inst = ready[j] as Instance;
      const load = inst.waitLen + inst.runSize + inst.admittedLen;
      if (load < bestLoad) {
        best = inst;
        bestLoad = load;
      }
    }
    return best;
  }

  function route(req: number, t: number): void {
    const inst = pickInstance(t);
    if (inst === undefined) {
      pending.push(req);
      return;
    }
    enqueue(inst, req, t);
  }

  function fits(inst: Instance, req: number): boolean {
    const inBatch = inst.runSize + inst.admittedLen;
    if (inBatch >= maxBatch) return false;
    return (
      inBatch === 0 || inst.kvUsed + (prompt[req] as number) + (output[req] as number) <= kvBudget
    );
  }

  function enqueue(inst: Instance, req: number, t: number): void {
    const wasEmpty = inst.waitLen === 0;
    inst.waitPush(req);
    if (inst.mode === MODE_IDLE) {
      boundary(inst, t);
    } else if (inst.mode === MODE_DECODE && wasEmpty && fits(inst, req)) {
      const seg = inst.segStepMs;
      const steps = Math.ceil((t - inst.segStartMs) / seg);
      const at = inst.segStartMs + steps * seg;
      if (at < inst.nextEventMs) schedule(inst, at);
    }
  }

  /** Processes a step boundary of `inst` at `t`: finish, admit, and plan the next step. */
  function boundary(inst: Instance, t: number): void {
    inst.nextEventMs = Infinity;
    if (inst.mode === MODE_DECODE) {
      inst.stepIndex = inst.segStartStep + Math.round((t - inst.segStartMs) / inst.segStepMs);
    } else if (inst.mode === MODE_PREFILL) {
      inst.stepIndex += 1;
      const step = inst.stepIndex;
      for (let k = 0; k < inst.admittedLen; k++) {
        const req = inst.admitted[k] as number;
        if (Number.isNaN(ttft[req] as number))
          ttft[req] = t - (arrival[req] as number) + inst.rttMs;
        const left = (remaining[req] as number) - 1;
        remaining[req] = left;
        if (left <= 0) complete(inst, req, t);
        else inst.runPush(step + left, req);
      }
      inst.admittedLen = 0;
    }
    const stepIndex = inst.stepIndex;
    while (inst.runSize > 0 && (inst.runFinish[0] as number) <= stepIndex) {
      const req = inst.runPop();
      remaining[req] = 0;
      complete(inst, req, t);
    }
    // Admit waiting requests (FCFS, head-of-line), unless draining.
    let tokens = 0;
    if (inst.status !== ST_DRAINING) {
      while (inst.waitLen > 0 && inst.runSize + inst.admittedLen < maxBatch) {
        const req = inst.waitPeek();
        if (t > (deadline[req] as number)) {
          inst.waitPop();
          drop(req, t, inst);
          continue;
        }
        if (!fits(inst, req)) break;
        inst.waitPop();
        inst.kvUsed += (prompt[req] as number) + (output[req] as number);
        if (Number.isNaN(queueWait[req] as number)) queueWait[req] = t - (arrival[req] as number);
        inst.admitted[inst.admittedLen++] = req;
        tokens += (prompt[req] as number) + (output[req] as number) - (remaining[req] as number);
      }
    }
    if (inst.admittedLen > 0) {
      inst.mode = MODE_PREFILL;
      const step =
        ((decodeTable[inst.runSize] as number) + service.prefillMs(tokens)) * slowdown(inst);
      setBusy(inst, t);
      schedule(inst, t + Math.max(MIN_STEP_MS, step));
    } else if (inst.runSize > 0) {
      inst.mode = MODE_DECODE;
      inst.segStartMs = t;
      inst.segStartStep = stepIndex;
      inst.segStepMs = Math.max(
        MIN_STEP_MS,
        (decodeTable[inst.runSize] as number) * slowdown(inst),
      );
      setBusy(inst, t);
      schedule(inst, t + ((inst.runFinish[0] as number) - stepIndex) * inst.segStepMs);
    } else {
      inst.mode = MODE_IDLE;
      setIdle(inst, t);
      if (inst.status === ST_DRAINING) terminate(inst, t);
    }
  }

  function applyMigrations(moves: readonly StreamMigration[]): void {
    for (const m of moves) {
      const from = byId.get(m.from);
      if (from !== undefined) from.streams--;
      if (m.to === null) {
        streamsDropped++;
        const s = Number(m.streamId.slice(1));
        if (sessionLive[s] === 1) {
          sessionLive[s] = 0;
          activeStreams--;
        }
      } else {
        streamsMigrated++;
        const to = byId.get(m.to);
        if (to !== undefined) to.streams++;
      }
    }
  }

  function syncStreamEndpoints(): void {
    if (streamRouter === undefined) return;
    applyMigrations(
      streamRouter.setEndpoints(ready.map((i) => ({ id: i.id, maxStreams: maxPerReplica }))),
    );
  }

  function removeFrom(list: Instance[], inst: Instance): void {
    const k = list.indexOf(inst);
    if (k >= 0) list.splice(k, 1);
  }

  function pickRegion(): number {
    let best = 0;
    let bestScore = Infinity;
    for (let r = 0; r < regions.length; r++) {
      const score = ((regionLive[r] as number) + 1) / (regions[r]?.weight ?? 1);
      if (score < bestScore) {
        best = r;
        bestScore = score;
      }
    }
    return best;
  }

  function markReady(inst: Instance, t: number): void {
    inst.status = ST_READY;
    inst.readyMs = t;
    inst.sampleMs = t;
    ready.push(inst);
    if (router !== undefined) {
      router.upsertEndpoint(
        {
          id: inst.id,
          models: [{ name: service.model }],
          lifecycle: 'ready',
          readySinceMs: t,
          ...(regionNamed ? { region: regions[inst.region]?.name as string } : {}),
        },
        t,
      );
    }
    syncStreamEndpoints();
    flushPending(t);
  }

  function startInstance(t: number, warm: boolean): void {
    const index = instances.length;
    const live = alive.length;
    const spot = spotFraction > 0 && spotLive < Math.round(spotFraction * (live + 1));
    const region = pickRegion();
    const inst = new Instance(
      index,
      spot ? 'spot' : 'on-demand',
      region,
      regions[region]?.rttMs ?? 0,
      t,
      maxBatch,
    );
    instances.push(inst);
    alive.push(inst);
    byId.set(inst.id, inst);
    regionLive[region] = (regionLive[region] as number) + 1;
    if (spot) spotLive++;
    if (warm) {
      inst.life = transition(
        transition(transition(inst.life, 'loading', t), 'warming', t),
        'ready',
        t,
      );
      markReady(inst, t);
    } else {
      coldStarts++;
      const cold = sampleColdStartMs(coldDist, coldRandom);
      queue.push(t + cold * PHASE_LOADING_AT, EV_PHASE, index, 1);
      queue.push(t + cold * PHASE_WARMING_AT, EV_PHASE, index, 2);
      queue.push(t + cold, EV_PHASE, index, 3);
    }
    if (spot && spotRatePerMs > 0) {
      const wait = -Math.log(1 - spotRandom.nextFloat()) / spotRatePerMs;
      if (Number.isFinite(wait)) queue.push(t + wait, EV_SPOT_NOTICE, index, 0);
    }
  }

  /** Re-routes the waiting queue of an instance that stopped taking work. */
  function rerouteWaiting(inst: Instance, t: number, countAsMigrated: boolean): void {
    while (inst.waitLen > 0) {
      const req = inst.waitPop();
      if (countAsMigrated) migrated++;
      route(req, t);
    }
  }

  function drain(inst: Instance, t: number, spot: boolean): void {
    if (inst.status !== ST_READY) return;
    inst.status = ST_DRAINING;
    inst.life = transition(inst.life, 'draining', t);
    removeFrom(ready, inst);
    if (router !== undefined) router.setLifecycle(inst.id, 'draining', t);
    syncStreamEndpoints();
    rerouteWaiting(inst, t, spot);
    if (inst.mode === MODE_IDLE) terminate(inst, t);
  }

  function terminate(inst: Instance, t: number): void {
    if (inst.status === ST_TERMINATED) return;
    const wasReady = inst.status === ST_READY;
    inst.status = ST_TERMINATED;
    inst.version++;
    inst.terminatedMs = t;
    inst.life = transition(inst.life, 'terminated', t);
    setIdle(inst, t);
    removeFrom(alive, inst);
    if (wasReady) removeFrom(ready, inst);
    regionLive[inst.region] = (regionLive[inst.region] as number) - 1;
    if (inst.capacityType === 'spot') spotLive--;
    if (router !== undefined) router.removeEndpoint(inst.id);
    if (streamRouter !== undefined) applyMigrations(streamRouter.remove(inst.id));
  }

  /** A spot instance is reclaimed: its in-flight requests go back to the fleet (migrated). */
  function reclaim(inst: Instance, t: number): void {
    if (inst.status === ST_TERMINATED) return;
    const moved: number[] = [];
    let stepsDone = inst.stepIndex;
    if (inst.mode === MODE_DECODE) {
      stepsDone = inst.segStartStep + Math.floor((t - inst.segStartMs) / inst.segStepMs + 1e-9);
    }
    while (inst.runSize > 0) {
      const finish = inst.runFinish[0] as number;
      const req = inst.runPop();
      remaining[req] = Math.max(1, finish - stepsDone);
      moved.push(req);
    }
    for (let k = 0; k < inst.admittedLen; k++) moved.push(inst.admitted[k] as number);
    inst.admittedLen = 0;
    while (inst.waitLen > 0) moved.push(inst.waitPop());
    inst.kvUsed = 0;
    inst.mode = MODE_IDLE;
    if (inst.status === ST_READY) inst.life = transition(inst.life, 'draining', t);
    terminate(inst, t);
    for (const req of moved) {
      migrated++;
      deadline[req] = t + config.maxQueueMs;
      route(req, t);
    }
  }

  function flushPending(t: number): void {
    while (pending.length > 0 && ready.length > 0) {
      const req = pending.pop();
      if (t > (deadline[req] as number)) drop(req, t, undefined);
      else route(req, t);
    }
  }

  function dropExpiredPending(t: number): void {
    while (pending.length > 0 && t > (deadline[pending.peek()] as number)) {
      drop(pending.pop(), t, undefined);
    }
  }

  function liveCount(): number {
    let count = 0;
    for (const inst of alive) if (inst.status === ST_STARTING || inst.status === ST_READY) count++;
    return count;
  }

  /** Brings the live (starting + ready) instance count to `desired`. */
  function reconcile(t: number): void {
    let live = liveCount();
    while (live < desired) {
      startInstance(t, false);
      live++;
    }
    if (live <= desired) return;
    let excess = live - desired;
    for (let k = alive.length - 1; k >= 0 && excess > 0; k--) {
      const inst = alive[k] as Instance;
      if (inst.status === ST_STARTING) {
        terminate(inst, t);
        excess--;
      }
    }
    if (excess === 0) return;
    const candidates = ready
      .slice()
      .sort(
        (a, b) =>
          a.waitLen + a.runSize + a.admittedLen - (b.waitLen + b.runSize + b.admittedLen) ||
          b.index - a.index,
      );
    for (let k = 0; k < excess && k < candidates.length; k++) {
      drain(candidates[k] as Instance, t, false);
    }
  }

  function setDesired(value: number, t: number): void {
    const next = Math.min(maxReplicas, Math.max(minReplicas, value));
    if (next !== desired) {
      scaleEvents++;
      desired = next;
    }
    reconcile(t);
  }

  function sanitize(value: number, fallback: number): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
    return Math.min(maxReplicas, Math.max(minReplicas, Math.ceil(value)));
  }

  // --- Metrics for the policy -----------------------------------------------------------------
  const samples: Sample[] = [];
  const history: { atMs: number; perSec: number }[] = [];
  let delivered: Sample = { atMs: 0, perSec: 0, instances: [] };
  let arrivalsInTick = 0;
  let lastTickMs = 0;
  const memoryTotal = service.gpuMemoryBytes;
  const memoryUsed = service.gpuMemoryBytes * service.gpuMemoryUtilization;
  const modelLabel = service.model;
  const gpuClassLabel = service.gpuClass;

  function takeSample(t: number): Sample {
    const span = t - lastTickMs;
    const perSec = span > 0 ? arrivalsInTick / (span / 1000) : 0;
    arrivalsInTick = 0;
    lastTickMs = t;
    const snaps: InstanceSnapshot[] = [];
    for (const inst of alive) {
      const serving = inst.status === ST_READY || inst.status === ST_DRAINING;
      const gpuList: GpuSample[] = [];
      let utilization = 0;
      if (serving) {
        const busy = inst.busyNow(t);
        const from = Math.max(inst.sampleMs, inst.readyMs);
        const spanMs = t - from;
        utilization =
          spanMs > 0
            ? Math.min(1, (busy - inst.sampleBusy) / spanMs + inst.streams * streamShare)
            : 0;
        inst.sampleBusy = busy;
        inst.sampleMs = t;
      }
      for (let g = 0; g < gpus; g++) {
        gpuList.push(
          serving
            ? {
                gpuId: `${inst.id}-gpu${g}`,
                utilization,
                memoryUsedBytes: memoryUsed,
                memoryTotalBytes: memoryTotal,
                sampledAtMs: t,
              }
            : { gpuId: `${inst.id}-gpu${g}`, sampledAtMs: t },
        );
      }
      snaps.push({
        id: inst.id,
        state: inst.life.state,
        stateSinceMs: inst.life.enteredAtMs,
        labels: {
          model: modelLabel,
          gpuClass: gpuClassLabel,
          capacityType: inst.capacityType,
          ...(regionNamed ? { region: regions[inst.region]?.name as string } : {}),
        },
        load: serving
          ? {
              queueDepth: inst.waitLen,
              inFlightRequests: inst.runSize + inst.admittedLen,
              kvCacheUtilization: Math.min(1, Math.max(0, inst.kvUsed / kvBudget)),
              activeStreams: inst.streams,
            }
          : {},
        gpus: gpuList,
        observedAtMs: t,
      });
    }
    return { atMs: t, perSec, instances: snaps };
  }

  const policy = config.policy;
  const intervalMs = config.intervalMs ?? policy?.intervalMs ?? 15_000;
  const lagMs = config.metricsLagMs;

  function policyTick(t: number): void {
    samples.push(takeSample(t));
    while (samples.length > 0 && (samples[0] as Sample).atMs <= t - lagMs) {
      delivered = samples.shift() as Sample;
      history.push({ atMs: delivered.atMs, perSec: delivered.perSec });
    }
    if (policy === undefined) return;
    const obs: PolicyObservation = {
      nowMs: t,
      currentReplicas: desired,
      readyReplicas: ready.length,
      instances: delivered.instances,
      arrivalRatePerSec: delivered.perSec,
      recentArrivalRates: history,
      coldStartMs: coldStartStats,
      capacityPerReplicaRps,
    };
    setDesired(sanitize(policy.decide(obs), desired), t);
  }

  // --- Time series ----------------------------------------------------------------------------
  let stepMs = config.timeSeriesStepMs;
  if (horizonMs / stepMs > config.maxTimeSeriesPoints) {
    stepMs = Math.ceil(horizonMs / config.maxTimeSeriesPoints / 1000) * 1000;
  }
  const seriesPoints = Math.max(1, Math.ceil(horizonMs / stepMs));
  const series: PolicyRunResult['timeSeries'] = {
    stepMs,
    t: [],
    demandRps: [],
    readyReplicas: [],
    desiredReplicas: [],
    provisionedReplicas: [],
    utilization: [],
  };
  let arrivalsInStep = 0;
  let lastSeriesBusy = 0;
  let servingAccum = 0;
  let servingLastMs = 0;

  function fleetBusy(t: number): number {
    let total = busyClosedTotal;
    for (const inst of alive) if (!Number.isNaN(inst.busySince)) total += t - inst.busySince;
    return total;
  }

  function servingCount(): number {
    let count = 0;
    for (const inst of alive) if (inst.status === ST_READY || inst.status === ST_DRAINING) count++;
    return count;
  }

  function seriesSample(t: number): void {
    const serving = servingCount();
    servingAccum += serving * (t - servingLastMs);
    servingLastMs = t;
    const busy = fleetBusy(t);
    series.t.push(t);
    series.demandRps.push(roundMs(arrivalsInStep / (stepMs / 1000)));
    series.readyReplicas.push(ready.length);
    series.desiredReplicas.push(desired);
    series.provisionedReplicas.push(alive.length);
    series.utilization.push(
      servingAccum > 0
        ? Math.round(Math.min(1, (busy - lastSeriesBusy) / servingAccum) * 1e4) / 1e4
        : 0,
    );
    arrivalsInStep = 0;
    lastSeriesBusy = busy;
    servingAccum = 0;
  }

  // --- Start ----------------------------------------------------------------------------------
  const schedulePoints = config.schedule?.points;
  let initial: number;
  if (policy !== undefined) {
    initial = sanitize(
      policy.initialReplicas({ minReplicas, maxReplicas, trace, capacityPerReplicaRps }),
      minReplicas,
    );
  } else {
    let value = minReplicas;
    let k = 0;
    const points = schedulePoints ?? [];
    while (k < points.length && (points[k]?.atMs as number) <= 0)
      value = points[k++]?.replicas ?? 0;
    initial = sanitize(value, minReplicas);
    for (; k < points.length; k++) queue.push(points[k]?.atMs as number, EV_SCHEDULE, k, 0);
  }
  desired = initial;
  for (let k = 0; k < initial; k++) startInstance(0, config.initialWarm);
  samples.push(takeSample(0));
  queue.push(intervalMs, EV_TICK, 0, 0);
  queue.push(stepMs, EV_SERIES, 1, 0);
  if (router !== undefined) queue.push(config.routerScrapeMs, EV_SCRAPE, 0, 0);
  if (sessions.length > 0) queue.push(sessions[0]?.arrivalMs as number, EV_STREAM_START, 0, 0);

  // --- Main loop ------------------------------------------------------------------------------
  let next = 0;
  for (;;) {
    const arrivalAt = next < n ? (arrival[next] as number) : Infinity;
    if (arrivalAt < queue.peekTime()) {
      const req = next++;
      arrivalsInTick++;
      arrivalsInStep++;
      route(req, arrivalAt);
      continue;
    }
    if (!queue.pop()) break;
    const t = queue.time;
    const a = queue.a;
    switch (queue.kind) {
      case EV_BOUNDARY: {
        const inst = instances[a] as Instance;
        if (inst.status !== ST_TERMINATED && queue.b === inst.version) boundary(inst, t);
        break;
      }
      case EV_PHASE: {
        const inst = instances[a] as Instance;
        if (inst.status !== ST_STARTING) break;
        const phase = queue.b;
        if (phase === 1) inst.life = transition(inst.life, 'loading', t);
        else if (phase === 2) inst.life = transition(inst.life, 'warming', t);
        else {
          inst.life = transition(inst.life, 'ready', t);
          markReady(inst, t);
        }
        break;
      }
      case EV_TICK: {
        dropExpiredPending(t);
        if (policy !== undefined) policyTick(t);
        const done =
          next >= n &&
          resolved === n &&
          t >= horizonMs &&
          activeStreams === 0 &&
          queueHasNoStreamStarts() &&
          series.t.length >= seriesPoints;
        if (done) return finish();
        queue.push(t + intervalMs, EV_TICK, 0, 0);
        break;
      }
      case EV_SCHEDULE: {
        const value = schedulePoints?.[a]?.replicas ?? desired;
        setDesired(sanitize(value, desired), t);
        break;
      }
      case EV_SPOT_NOTICE: {
        const inst = instances[a] as Instance;
        if (inst.status === ST_TERMINATED) break;
        preemptions++;
        if (inst.status === ST_STARTING) terminate(inst, t);
        else {
          drain(inst, t, true);
          if (inst.status !== ST_TERMINATED) queue.push(t + noticeMs, EV_SPOT_RECLAIM, a, 0);
        }
        reconcile(t);
        break;
      }
      case EV_SPOT_RECLAIM: {
        reclaim(instances[a] as Instance, t);
        break;
      }
      case EV_SERIES: {
        seriesSample(t);
        if (a < seriesPoints) queue.push(t + stepMs, EV_SERIES, a + 1, 0);
        break;
      }
      case EV_SCRAPE: {
        if (router !== undefined) {
          for (const inst of ready) {
            router.updateMetrics(
              inst.id,
              {
                scrapedAtMs: t,
                queueDepth: inst.waitLen,
                inFlightRequests: inst.runSize + inst.admittedLen,
                kvCacheUtilization: Math.min(1, Math.max(0, inst.kvUsed / kvBudget)),
                activeStreams: inst.streams,
              },
              t,
            );
          }
          queue.push(t + config.routerScrapeMs, EV_SCRAPE, 0, 0);
        }
        break;
      }
      case EV_STREAM_START: {
        const session = sessions[a];
        if (session !== undefined && streamRouter !== undefined) {
          streamsOpened++;
          const result = streamRouter.open(`s${a}`, t);
          if (result.ok) {
            const inst = byId.get(result.endpointId);
            if (inst !== undefined) inst.streams++;
            sessionLive[a] = 1;
            activeStreams++;
            queue.push(t + session.durationMs, EV_STREAM_END, a, 0);
          } else {
            streamsDropped++;
          }
          if (a + 1 < sessions.length) {
            queue.push(sessions[a + 1]?.arrivalMs as number, EV_STREAM_START, a + 1, 0);
          }
        }
        break;
      }
      case EV_STREAM_END: {
        if (streamRouter !== undefined && sessionLive[a] === 1) {
          const id = `s${a}`;
          const at = streamRouter.endpointOf(id);
          const inst = at === undefined ? undefined : byId.get(at);
          if (inst !== undefined) inst.streams--;
          streamRouter.close(id);
          sessionLive[a] = 0;
          activeStreams--;
        }
        break;
      }
      default:
        break;
    }
  }
  return finish();

  function queueHasNoStreamStarts(): boolean {
    // Stream starts are queued one at a time; all have started once the last one is live or gone.
    return sessions.length === 0 || streamsOpened === sessions.length;
  }

  function finish(): SimulationResult {
    // Billing ends when the trace is over and its last request resolved (not at the tick that
    // noticed it), the same rule for every policy.
    const billEnd = Math.max(horizonMs, lastResolvedMs);
    const hoursByType: Record<string, number> = {};
    const costByType: Record<string, number> = {};
    let readyGpuMs = 0;
    for (const inst of instances) {
      const stop = Number.isNaN(inst.terminatedMs) ? billEnd : Math.min(billEnd, inst.terminatedMs);
      const hours = (Math.max(0, stop - inst.createdMs) * gpus) / HOUR_MS;
      hoursByType[inst.capacityType] = (hoursByType[inst.capacityType] ?? 0) + hours;
      if (!Number.isNaN(inst.readyMs)) readyGpuMs += Math.max(0, stop - inst.readyMs) * gpus;
    }
    let totalHours = 0;
    let totalCost = 0;
    for (const type of Object.keys(hoursByType).sort()) {
      const hours = hoursByType[type] as number;
      const cost = hours * (priceByType[type as CapacityType] ?? 0);
      hoursByType[type] = round6(hours);
      costByType[type] = round6(cost);
      totalHours += hours;
      totalCost += cost;
    }
    const ttftDone = new Float64Array(completed);
    const waitDone = new Float64Array(completed);
    const e2eDone = new Float64Array(completed);
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (status[i] !== RQ_DONE) continue;
      ttftDone[k] = ttft[i] as number;
      waitDone[k] = queueWait[i] as number;
      e2eDone[k] = e2e[i] as number;
      k++;
    }
    const result: SimulationResult = {
      policy: policy?.name ?? config.scheduleName,
      requests: {
        total: n,
        completed,
        dropped,
        sloMet,
        sloAttainment: n === 0 ? 1 : round6(sloMet / n),
        migrated,
      },
      latencyMs: {
        ttft: quantilesOf(ttftDone, completed),
        queueWait: quantilesOf(waitDone, completed),
        e2e: quantilesOf(e2eDone, completed),
      },
      cdf: { ttftMs: cdfOf(ttftDone, completed) },
      gpuHours: {
        total: round6(totalHours),
        byCapacityType: hoursByType,
        ready: round6(readyGpuMs / HOUR_MS),
      },
      costUsd: { total: round6(totalCost), byCapacityType: costByType },
      coldStarts,
      scaleEvents,
      streams: { opened: streamsOpened, dropped: streamsDropped, migrated: streamsMigrated },
      preemptions,
      timeSeries: series,
    };
    if (config.recordRequests) {
      const log: RequestLog = { ttftMs: [], queueWaitMs: [], e2eMs: [], dropped: [], instance: [] };
      for (let i = 0; i < n; i++) {
        const done = status[i] === RQ_DONE;
        log.ttftMs.push(done ? (ttft[i] as number) : Number.NaN);
        log.queueWaitMs.push(done ? (queueWait[i] as number) : Number.NaN);
        log.e2eMs.push(done ? (e2e[i] as number) : Number.NaN);
        log.dropped.push(status[i] === RQ_DROPPED);
        log.instance.push(finishedBy?.[i] ?? -1);
      }
      result.requestLog = log;
    }
    return result;
  }
}
