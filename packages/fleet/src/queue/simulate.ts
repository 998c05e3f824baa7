import { HeadroomError, parseInput } from '@headroom/core';
import { z } from 'zod';
import { WorkQueueConfigSchema, createWorkQueue, parseWorkQueueConfig } from './work-queue.js';
import {
  QueueWorkerConfigSchema,
  initialQueueWorkerState,
  parseQueueWorkerConfig,
  queueWorkerStep,
  type QueueWorkerReason,
} from './worker-step.js';

const time = z.number().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

/** One job of a {@link simulateWorkerPool} run. */
export const WorkerPoolSimJobSchema = z.strictObject({
  /** Unique job id. */
  id: z.string().min(1),
  /** Its priority class, one of the queue's `classes`. */
  className: z.string().min(1),
  /** When it arrives, epoch ms. */
  arrivalMs: time,
  /** How long one worker takes to process it, ms, > 0 and at most one day. */
  serviceMs: z.number().positive().max(86_400_000),
});

/** The input of {@link simulateWorkerPool}. Unknown keys are rejected. */
export const WorkerPoolSimInputSchema = z.strictObject({
  /** The work queue; see {@link WorkQueueConfigSchema}. */
  queue: WorkQueueConfigSchema,
  /** The worker policy; see {@link QueueWorkerConfigSchema}. Its `coldStartMs` delays new workers. */
  workers: QueueWorkerConfigSchema,
  /** The jobs, in any order (sorted by arrival, stably), at most 100 000. */
  jobs: z.array(WorkerPoolSimJobSchema).max(100_000),
  /** The first control tick, epoch ms. */
  startMs: time,
  /** The controller's interval, ms: it measures and calls the policy once per interval; >= 1. */
  controlIntervalMs: z.number().min(1).max(86_400_000),
  /** Workers running (ready) at `startMs`, an integer >= 0. @defaultValue 0 */
  initialWorkers: z.number().int().min(0).max(100_000).default(0),
  /** Stop here at the latest, epoch ms. @defaultValue the last arrival + 1 day */
  endMs: time.optional(),
});

/** What {@link simulateWorkerPool} accepts. */
export type WorkerPoolSimInput = z.input<typeof WorkerPoolSimInputSchema>;

/** One control tick of a {@link simulateWorkerPool} run. */
export interface WorkerPoolSimTick {
  /** The tick's time, epoch ms. */
  readonly atMs: number;
  /** Jobs waiting in the queue. */
  readonly queued: number;
  /** Jobs being processed. */
  readonly busy: number;
  /** Workers before the decision (ready or starting, not stopping). */
  readonly workers: number;
  /** The policy's desired workers. */
  readonly desiredWorkers: number;
  /** The policy's reason. */
  readonly reason: QueueWorkerReason;
}

/** One job's outcome in a {@link simulateWorkerPool} run. */
export interface WorkerPoolSimJobResult {
  /** The job id. */
  readonly id: string;
  /** Its class. */
  readonly className: string;
  /** When it arrived, epoch ms. */
  readonly arrivalMs: number;
  /** When a worker took it, epoch ms; `undefined` if the run ended first. */
  readonly startMs: number | undefined;
  /** `startMs - arrivalMs`, ms; `undefined` if never started. */
  readonly waitMs: number | undefined;
  /** Jobs dequeued after it arrived and before it. */
  readonly servedAhead: number;
  /** `Q0 + H` for it: the most jobs the aging rule lets be served ahead of it. */
  readonly overtakeBound: number;
}

/** Per-class figures of a {@link simulateWorkerPool} run. */
export interface WorkerPoolSimClassSummary {
  /** The class. */
  readonly className: string;
  /** Its jobs. */
  readonly jobs: number;
  /** Its jobs that started. */
  readonly started: number;
  /** The longest wait, ms (0 without jobs). */
  readonly maxWaitMs: number;
  /** The mean wait, ms (0 without jobs). */
  readonly meanWaitMs: number;
  /** The most jobs served ahead of one of its jobs. */
  readonly maxServedAhead: number;
  /** The largest `Q0 + H` of one of its jobs. */
  readonly maxOvertakeBound: number;
  /** Whether every job of the class was passed by at most its `Q0 + H`. */
  readonly boundHeld: boolean;
}

/** What {@link simulateWorkerPool} returns. */
export interface WorkerPoolSimResult {
  /** Every control tick. */
  readonly ticks: readonly WorkerPoolSimTick[];
  /** Every job, in arrival order. */
  readonly jobs: readonly WorkerPoolSimJobResult[];
  /** Per class, in the queue's class order. */
  readonly classes: readonly WorkerPoolSimClassSummary[];
  /** Worker time provisioned (cold starts included), s: the GPU-seconds paid for. */
  readonly workerSeconds: number;
  /** The most workers at once. */
  readonly peakWorkers: number;
  /** When the last job finished, epoch ms; `undefined` if some never did. */
  readonly lastCompletionMs: number | undefined;
  /** When the pool last went to zero after work, epoch ms; `undefined` if it did not. */
  readonly scaledToZeroAtMs: number | undefined;
}

interface Worker {
  readonly createdAtMs: number;
  readonly readyAtMs: number;
  busyUntilMs: number | undefined;
  stopping: boolean;
}

/**
 * A small discrete-event simulation of a {@link WorkQueue} drained by a worker pool sized by
 * {@link queueWorkerStep}: for examples, tests and policy experiments, not a replacement for the
 * fleet simulator. Deterministic: same input, same output; no clock or randomness is read.
 *
 * Every `controlIntervalMs` the controller measures the backlog (waiting plus in-process jobs, as
 * KEDA's queue scalers count unacknowledged messages), the arrival rate over the last interval and
 * the per-worker throughput (1 / mean service time of the jobs finished so far), and applies the
 * policy: new workers serve after `coldStartMs`; on scale-down, starting workers go first, then
 * idle ones, then busy ones, which finish their job first. At one instant, completions come first,
 * then arrivals, then the control tick, then free workers dequeue. Each job records how many jobs
 * were served ahead of it and its aging bound `Q0 + H` (see {@link agingOvertakeBound}).
 *
 * @param input - see {@link WorkerPoolSimInputSchema}.
 * @throws `HeadroomError` `invalid_input` naming the bad field (a duplicate job id included);
 * `invalid_argument` for a job of an unknown class.
 * @example
 * ```ts
 * const result = simulateWorkerPool({
 *   queue: { classes: ['high', 'low'], agingIntervalMs: 60_000 },
 *   workers: { targetDrainSeconds: 120, maxWorkers: 8, cooldownMs: 60_000, coldStartMs: 30_000 },
 *   jobs, // { id, className, arrivalMs, serviceMs }[]
 *   startMs: 0,
 *   controlIntervalMs: 15_000,
 * });
 * result.classes; // max wait per class, and whether the aging bound held
 * ```
 */
export function simulateWorkerPool(input: WorkerPoolSimInput): WorkerPoolSimResult {
  const parsed = parseInput(WorkerPoolSimInputSchema, input);
  if (!parsed.ok) throw parsed.error;
  const sim = parsed.value;
  const queueConfig = parseWorkQueueConfig(sim.queue, ['queue']);
  const workerConfig = parseQueueWorkerConfig(sim.workers, ['workers']);
  const queue = createWorkQueue<number>(queueConfig);
  const jobs = sim.jobs
    .map((job, index) => ({ job, index }))
    .sort((a, b) => a.job.arrivalMs - b.job.arrivalMs || a.index - b.index)
    .map((e) => e.job);
  const n = jobs.length;
  const ids = new Set<string>();
  sim.jobs.forEach((job, i) => {
    if (ids.has(job.id)) {
      throw new HeadroomError({
        code: 'invalid_input',
        message: 'duplicate job id',
        path: ['jobs', i, 'id'],
        value: job.id,
      });
    }
    ids.add(job.id);
  });
  const ranks = jobs.map((j) => queue.rankOf(j.className));
  const lastArrival = n === 0 ? sim.startMs : Math.max(sim.startMs, jobs[n - 1]?.arrivalMs ?? 0);
  const endMs = sim.endMs ?? lastArrival + 86_400_000;

  const startAt: (number | undefined)[] = new Array<number | undefined>(n).fill(undefined);
  const dequeuesAtEnqueue = new Array<number>(n).fill(0);
  const servedAhead = new Array<number>(n).fill(0);
  const itemsAhead = new Array<number>(n).fill(0);
  let dequeues = 0;
  let nextArrival = 0;
  let completed = 0;
  let completedServiceMs = 0;
  let lastCompletionMs: number | undefined;
  let workerMs = 0;
  let peakWorkers = sim.initialWorkers;
  let scaledToZeroAtMs: number | undefined;
  let hadWork = false;
  let state = initialQueueWorkerState();
  const ticks: WorkerPoolSimTick[] = [];
  let workers: Worker[] = Array.from({ length: sim.initialWorkers }, () => ({
    createdAtMs: sim.startMs,
    readyAtMs: sim.startMs,
    busyUntilMs: undefined,
    stopping: false,
  }));
  const arrivalsAt: number[] = [];
  let nextTick = sim.startMs;
  let now = Math.min(sim.startMs, jobs[0]?.arrivalMs ?? sim.startMs);

  const retire = (w: Worker, atMs: number): void => {
    workerMs += atMs - w.createdAtMs;
  };

  for (;;) {
    // 1. Completions.
    const kept: Worker[] = [];
    for (const w of workers) {
      if (w.busyUntilMs !== undefined && w.busyUntilMs <= now) {
        w.busyUntilMs = undefined;
        if (w.stopping) {
          retire(w, now);
          continue;
        }
      }
      kept.push(w);
    }
    workers = kept;
    // 2. Arrivals.
    while (nextArrival < n && (jobs[nextArrival]?.arrivalMs ?? Infinity) <= now) {
      const job = jobs[nextArrival];
      if (job !== undefined) {
        itemsAhead[nextArrival] = queue.size;
        dequeuesAtEnqueue[nextArrival] = dequeues;
        queue.enqueue({ id: job.id, className: job.className, payload: nextArrival }, now);
        arrivalsAt.push(now);
        hadWork = true;
      }
      nextArrival += 1;
    }
    // 3. Control tick.
    if (now >= nextTick) {
      const busy = workers.filter((w) => w.busyUntilMs !== undefined).length;
      const active = workers.filter((w) => !w.stopping);
      const windowStart = now - sim.controlIntervalMs;
      const recent = arrivalsAt.filter((t) => t > windowStart).length;
      const step = queueWorkerStep(workerConfig, state, {
        nowMs: now,
        backlog: queue.size + busy,
        arrivalRatePerS: recent / (sim.controlIntervalMs / 1000),
        ...(completed > 0
          ? { throughputPerWorkerPerS: 1000 / (completedServiceMs / completed) }
          : {}),
        currentWorkers: active.length,
      });
      state = step.state;
      ticks.push({
        atMs: now,
        queued: queue.size,
        busy,
        workers: active.length,
        desiredWorkers: step.desiredWorkers,
        reason: step.reason,
      });
      workers = resize(workers, step.desiredWorkers, now, workerConfig.coldStartMs, retire);
      const count = workers.filter((w) => !w.stopping).length;
      peakWorkers = Math.max(peakWorkers, count);
      if (count === 0 && active.length > 0 && hadWork) scaledToZeroAtMs = now;
      // Trim the arrival window.
      while (arrivalsAt.length > 0 && (arrivalsAt[0] ?? 0) <= windowStart) arrivalsAt.shift();
      nextTick = now + sim.controlIntervalMs;
    }
    // 4. Dispatch.
    for (const w of workers) {
      if (w.stopping || w.busyUntilMs !== undefined || w.readyAtMs > now) continue;
      const item = queue.dequeue(now);
      if (item === undefined) break;
      const i = item.payload ?? 0;
      startAt[i] = now;
      servedAhead[i] = dequeues - (dequeuesAtEnqueue[i] ?? 0);
      dequeues += 1;
      const serviceMs = jobs[i]?.serviceMs ?? 1;
      w.busyUntilMs = now + serviceMs;
      completed += 1;
      completedServiceMs += serviceMs;
      lastCompletionMs = Math.max(lastCompletionMs ?? now + serviceMs, now + serviceMs);
    }

    const allDone = nextArrival >= n && queue.size === 0;
    const anyBusy = workers.some((w) => w.busyUntilMs !== undefined);
    if (allDone && !anyBusy && (workers.length === 0 || workerConfig.minWorkers > 0)) break;
    let next = nextTick;
    if (nextArrival < n) next = Math.min(next, jobs[nextArrival]?.arrivalMs ?? Infinity);
    for (const w of workers) {
      if (w.busyUntilMs !== undefined) next = Math.min(next, w.busyUntilMs);
      if (w.readyAtMs > now) next = Math.min(next, w.readyAtMs);
    }
    if (next > endMs) break;
    now = next;
  }
  for (const w of workers) retire(w, Math.min(now, endMs));

  const jobResults = jobs.map((job, i): WorkerPoolSimJobResult => {
    const start = startAt[i];
    return {
      id: job.id,
      className: job.className,
      arrivalMs: job.arrivalMs,
      startMs: start,
      waitMs: start === undefined ? undefined : start - job.arrivalMs,
      servedAhead: servedAhead[i] ?? 0,
      overtakeBound: (itemsAhead[i] ?? 0) + higherArrivals(i),
    };
  });

  // H of job i: later arrivals of a higher class s within (s - r) * agingIntervalMs of it.
  function higherArrivals(i: number): number {
    const job = jobs[i];
    const r = ranks[i];
    if (job === undefined || r === undefined) return 0;
    const a = queueConfig.agingIntervalMs;
    const horizon = job.arrivalMs + (queueConfig.classes.length - 1 - r) * a;
    let count = 0;
    for (let j = i + 1; j < n; j++) {
      const other = jobs[j];
      const s = ranks[j];
      if (other === undefined || s === undefined) continue;
      if (other.arrivalMs >= horizon) break;
      if (s > r && other.arrivalMs < job.arrivalMs + (s - r) * a) count += 1;
    }
    return count;
  }

  const classes = queueConfig.classes.map((className): WorkerPoolSimClassSummary => {
    const mine = jobResults.filter((j) => j.className === className);
    const waits = mine.flatMap((j) => (j.waitMs === undefined ? [] : [j.waitMs]));
    return {
      className,
      jobs: mine.length,
      started: waits.length,
      maxWaitMs: waits.reduce((a, b) => Math.max(a, b), 0),
      meanWaitMs: waits.length === 0 ? 0 : waits.reduce((a, b) => a + b, 0) / waits.length,
      maxServedAhead: mine.reduce((a, j) => Math.max(a, j.servedAhead), 0),
      maxOvertakeBound: mine.reduce((a, j) => Math.max(a, j.overtakeBound), 0),
      boundHeld: mine.every((j) => j.servedAhead <= j.overtakeBound),
    };
  });

  return {
    ticks,
    jobs: jobResults,
    classes,
    workerSeconds: workerMs / 1000,
    peakWorkers,
    lastCompletionMs: completed === n ? lastCompletionMs : undefined,
    scaledToZeroAtMs,
  };
}

function resize(
  workers: Worker[],
  desired: number,
  nowMs: number,
  coldStartMs: number,
  retire: (w: Worker, atMs: number) => void,
): Worker[] {
  const active = workers.filter((w) => !w.stopping);
  if (desired > active.length) {
    const added = Array.from({ length: desired - active.length }, () => ({
      createdAtMs: nowMs,
      readyAtMs: nowMs + coldStartMs,
      busyUntilMs: undefined,
      stopping: false,
    }));
    return [...workers, ...added];
  }
  let excess = active.length - desired;
  if (excess === 0) return workers;
  const removed = new Set<Worker>();
  // Starting workers (latest first), then idle ones, then busy ones (which finish first).
  const starting = active.filter((w) => w.readyAtMs > nowMs).reverse();
  const idle = active.filter((w) => w.readyAtMs <= nowMs && w.busyUntilMs === undefined);
  const busy = active.filter((w) => w.busyUntilMs !== undefined);
  for (const w of [...starting, ...idle]) {
    if (excess === 0) break;
    removed.add(w);
    retire(w, nowMs);
    excess -= 1;
  }
  for (const w of busy) {
    if (excess === 0) break;
    w.stopping = true;
    excess -= 1;
  }
  return workers.filter((w) => !removed.has(w));
}
