import { createRandom, type Random } from '@headroom/core';
import {
  predictQueueWait,
  serviceTimeFromSamples,
  type BatchAdmissionInput,
  type QueueWaitAdmissionInput,
  type ServiceTimeStats,
} from '@headroom/fleet';
import { simulate } from '../engine/simulate.js';
import { createServiceModel, type ServiceModel } from '../service/service-model.js';
import { poissonTrace } from '../traces/generators.js';
import type { Trace, TraceRequest } from '../traces/types.js';

/**
 * Length of one decode step in {@link createQueueingServiceModel}, ms: 0.01 ms, the resolution at
 * which a drawn service time is kept once encoded as output tokens.
 */
export const QUEUEING_STEP_MS = 0.01;

/**
 * A {@link ServiceModel} that turns the simulator into a plain multi-server queue with a known
 * service-time distribution, for checking queueing formulas against the engine. A decode step
 * takes {@link QUEUEING_STEP_MS} whatever the batch size and prefill takes no time, so a request
 * with `n` output tokens holds one batch slot for about `(n − 1) × QUEUEING_STEP_MS` ms,
 * independently of the other requests in the batch: each of the `slots` batch slots is one server.
 * Draw the output tokens from the service-time distribution you want (see {@link queueingTrace}).
 *
 * - `slots` 1 (`maxBatch` 1): a replica serves one request at a time; with several replicas,
 *   requests are routed to a replica on arrival (join the shortest queue) and queue there.
 * - `slots` c on one replica: c servers behind one shared FCFS queue (the M/G/c model's
 *   queue). A free slot takes the next request at the next step boundary, so the recorded wait
 *   carries up to one step (0.01 ms) of discretization.
 *
 * The recorded queue wait is the time from arrival to admission into the batch.
 */
export function createQueueingServiceModel(slots = 1): ServiceModel {
  return Object.freeze({
    model: 'queueing-validation',
    gpu: 'h100-80gb',
    gpuClass: 'H100-80GB',
    gpusPerReplica: 1,
    source: 'roofline',
    maxBatch: slots,
    kvTokenBudget: 1_000_000_000,
    kvBytesPerToken: 1,
    gpuMemoryBytes: 80 * 1024 ** 3,
    gpuMemoryUtilization: 0.9,
    prefillMs: (): number => 0,
    decodeStepMs: (batch: number): number => (batch > 0 ? QUEUEING_STEP_MS : 0),
    capacityRps: (): number => (slots * 1000) / QUEUEING_STEP_MS,
  } satisfies ServiceModel);
}

/** A standard normal deviate (Box-Muller; the second deviate is discarded for simplicity). */
function normal(random: Random): number {
  const u = 1 - random.nextFloat();
  const v = random.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A Gamma(shape, 1) deviate (Marsaglia and Tsang, 2000; shape < 1 boosted by U^(1/shape)). */
function gamma(shape: number, random: Random): number {
  if (shape < 1) return gamma(shape + 1, random) * (1 - random.nextFloat()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random.nextFloat();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/**
 * Draws a service time, ms, with the given mean and coefficient of variation: a gamma
 * distribution with shape 1/cv² (cv 1: exponential; cv 0.5: Erlang-4; cv > 1: more skewed than
 * exponential), or the mean itself for cv 0.
 */
export function drawServiceMs(service: ServiceTimeStats, random: Random): number {
  if (service.cv === 0) return service.meanMs;
  const shape = 1 / (service.cv * service.cv);
  return gamma(shape, random) * (service.meanMs / shape);
}

/** Options of {@link queueingTrace}. */
export interface QueueingTraceOptions {
  /** Poisson arrival rate, requests per second, > 0. */
  readonly ratePerSec: number;
  /** Trace length, ms, > 0. */
  readonly durationMs: number;
  /** The service-time distribution to draw (gamma with this mean and cv). */
  readonly service: ServiceTimeStats;
  /** Seed of the arrivals and service draws. */
  readonly seed: number;
}

/**
 * A Poisson trace whose requests carry service times drawn from `service`, encoded for
 * {@link createQueueingServiceModel} as output tokens (`round(serviceMs / QUEUEING_STEP_MS) + 1`;
 * one prompt token each).
 */
export function queueingTrace(options: QueueingTraceOptions): Trace {
  const random = createRandom(options.seed);
  const arrivals = poissonTrace(
    {
      ratePerSec: options.ratePerSec,
      durationMs: options.durationMs,
      tokens: { prompt: { kind: 'fixed', tokens: 1 }, output: { kind: 'fixed', tokens: 1 } },
      name: 'queueing-validation',
    },
    random.split(),
  );
  const draws = random.split();
  const requests: TraceRequest[] = arrivals.requests.map((r) => ({
    arrivalMs: r.arrivalMs,
    promptTokens: 1,
    outputTokens: Math.round(drawServiceMs(options.service, draws) / QUEUEING_STEP_MS) + 1,
  }));
  return { ...arrivals, requests };
}

/** One grid point of a validation: the predicted and simulated queue-wait percentiles. */
export interface CapacityValidationPoint {
  /**
   * Which setup: `'mgc-shared'` (c servers behind one shared queue), `'mgc-per-replica'` (c
   * one-request-at-a-time replicas, each with its own queue, join-the-shortest-queue routing) or
   * `'batching'` (Splitwise service model, continuous batching).
   */
  readonly setup: 'mgc-shared' | 'mgc-per-replica' | 'batching';
  /** Target utilization: arrival rate × mean service / servers. */
  readonly rho: number;
  /** Replicas of the fleet. */
  readonly replicas: number;
  /** Servers in the model: replicas × slots per replica. */
  readonly servers: number;
  /** Arrival rate of the trace, requests per second. */
  readonly arrivalRatePerS: number;
  /** The service-time moments given to the model. */
  readonly service: ServiceTimeStats;
  /** Requests completed in the simulation. */
  readonly requests: number;
  /** Requests dropped in the simulation (waited past `maxQueueMs`). */
  readonly dropped: number;
  /** The model's predicted P95 and P99 queue wait, ms. */
  readonly predictedMs: { readonly p95: number; readonly p99: number };
  /** The simulator's P95 and P99 queue wait over completed requests, ms. */
  readonly simulatedMs: { readonly p95: number; readonly p99: number };
  /**
   * The error of the prediction at P95 and P99: relative ((predicted − simulated) / simulated)
   * when the simulated value is at least `floorMs`, else absolute divided by `floorMs` (so an
   * error of 0.2 means "within 20% of the floor"). Positive: the model over-predicts (is safe).
   */
  readonly error: { readonly p95: number; readonly p99: number };
  /** Whether each error is relative (`true`) or measured against the floor (`false`). */
  readonly relative: { readonly p95: boolean; readonly p99: boolean };
  /**
   * Setup (b) only: the prediction of the slot queue alone (no admission term, the service time
   * at a full batch as given), for comparison with `predictedMs`.
   */
  readonly withoutAdmission?: {
    /** Predicted P95 and P99 queue wait without the admission term, ms. */
    readonly predictedMs: { readonly p95: number; readonly p99: number };
    /** Its error, by the same rule as `error`. */
    readonly error: { readonly p95: number; readonly p99: number };
  };
}

/**
 * The error rule of the validation: relative when the simulated value is at least `floorMs`,
 * else the absolute difference over `floorMs`.
 */
export function predictionError(predicted: number, simulated: number, floorMs: number): number {
  return simulated >= floorMs
    ? (predicted - simulated) / simulated
    : (predicted - simulated) / floorMs;
}

/** Options of {@link validateMgcPoint}. */
export interface MgcPointOptions {
  /** Target utilization in (0, 1). */
  readonly rho: number;
  /** Servers c: replicas of one slot each (`per-replica`), or slots of one replica (`shared`). */
  readonly replicas: number;
  /**
   * `'shared'`: one replica with `replicas` batch slots, so one FCFS queue feeds every server
   * (what M/G/c assumes). `'per-replica'`: `replicas` replicas with `maxBatch` 1, each with its
   * own queue, requests routed on arrival to the shortest queue (how a fleet of servers behind a
   * router queues).
   */
  readonly queue: 'shared' | 'per-replica';
  /** The service-time distribution. */
  readonly service: ServiceTimeStats;
  /** Requests to simulate in expectation (sets the trace length). */
  readonly requests: number;
  /** Seed. */
  readonly seed: number;
  /** The floor below which errors are absolute, ms. */
  readonly floorMs: number;
}

/**
 * One grid point of setup (a): c = `replicas` servers, Poisson arrivals at `rho × c / E[S]`,
 * gamma service times, one shared queue or a queue per replica (see
 * {@link MgcPointOptions.queue}); the M/G/c prediction of `@headroom/fleet` against the
 * simulator's queue-wait percentiles.
 */
export function validateMgcPoint(options: MgcPointOptions): CapacityValidationPoint {
  const { rho, replicas, service } = options;
  const ratePerSec = (rho * replicas * 1000) / service.meanMs;
  const durationMs = (options.requests / ratePerSec) * 1000;
  const trace = queueingTrace({ ratePerSec, durationMs, service, seed: options.seed });
  const shared = options.queue === 'shared';
  const fleet = shared ? 1 : replicas;
  const result = simulate({
    trace,
    schedule: { points: [{ atMs: 0, replicas: fleet }] },
    service: createQueueingServiceModel(shared ? replicas : 1),
    minReplicas: fleet,
    maxReplicas: fleet,
    initialWarm: true,
    router: 'jsq',
    maxQueueMs: 86_400_000,
    metricsLagMs: 0,
    seed: options.seed,
  });
  const setup = shared ? 'mgc-shared' : 'mgc-per-replica';
  return point(setup, rho, replicas, replicas, ratePerSec, service, result, options.floorMs);
}

/** Options of {@link validateBatchingPoint}. */
export interface BatchingPointOptions {
  /** Target utilization in (0, 1) of the measured capacity. */
  readonly rho: number;
  /** Replicas. */
  readonly replicas: number;
  /** Batch slots per replica (the service model's `maxBatch`). */
  readonly slots: number;
  /** Per-request service time at full concurrency, from {@link measureBatchingServiceTime}. */
  readonly service: ServiceTimeStats;
  /** Step and prefill times for the admission term, from {@link measureBatchingAdmission}. */
  readonly admission: BatchAdmissionInput;
  /** Requests to simulate in expectation. */
  readonly requests: number;
  /** Seed. */
  readonly seed: number;
  /** The floor below which errors are absolute, ms. */
  readonly floorMs: number;
}

/** The Splitwise service model of setup (b): llama2-70b on 2 × H100, `slots` sequences per batch. */
export function batchingServiceModel(slots: number): ServiceModel {
  return createServiceModel({ model: 'llama2-70b', gpu: 'h100-80gb', maxBatch: slots });
}

/**
 * Measures the per-request service time of setup (b) at full concurrency: one replica with more
 * arrivals than it can serve (so its batch stays full), and each completed request's time from
 * admission to its last token (end to end minus queue wait). Returns the samples' mean and cv.
 */
export function measureBatchingServiceTime(slots: number, seed: number): ServiceTimeStats {
  const service = batchingServiceModel(slots);
  // Far more arrivals than one replica serves: its batch is full throughout.
  const trace = poissonTrace({ ratePerSec: 20, durationMs: 600_000 }, createRandom(seed));
  const result = simulate({
    trace,
    schedule: { points: [{ atMs: 0, replicas: 1 }] },
    service,
    initialWarm: true,
    router: 'jsq',
    maxQueueMs: 86_400_000,
    recordRequests: true,
    seed,
  });
  const log = result.requestLog;
  const samples: number[] = [];
  if (log !== undefined) {
    // Skip the first requests (the batch fills) and stop at the trace end (it drains after).
    for (let i = 200; i < log.e2eMs.length; i++) {
      const e2e = log.e2eMs[i] as number;
      const wait = log.queueWaitMs[i] as number;
      if (
        Number.isFinite(e2e) &&
        Number.isFinite(wait) &&
        (trace.requests[i]?.arrivalMs ?? 0) + wait < trace.durationMs
      ) {
        samples.push(e2e - wait);
      }
    }
  }
  return serviceTimeFromSamples(samples);
}

/**
 * The admission term's inputs for setup (b), from the service model and the trace's prompts (what
 * a user reads off their server's metrics): the decode step at a full batch of `slots`, and the
 * mean and coefficient of variation of one prompt's prefill time over the Azure-conversation
 * prompt lengths of {@link poissonTrace}'s default tokens. The service time is the full-batch one
 * of {@link measureBatchingServiceTime}.
 */
export function measureBatchingAdmission(slots: number, seed: number): BatchAdmissionInput {
  const service = batchingServiceModel(slots);
  const trace = poissonTrace({ ratePerSec: 20, durationMs: 600_000 }, createRandom(seed));
  const prefill = serviceTimeFromSamples(
    trace.requests.map((r) => service.prefillMs(r.promptTokens)),
  );
  return {
    stepMs: service.decodeStepMs(slots),
    prefillMs: prefill.meanMs,
    prefillCv: prefill.cv,
    serviceMeasuredAt: 'full-batch',
  };
}

/**
 * One grid point of setup (b): the Splitwise service model with continuous batching, `slots`
 * sequences per replica, modelled as `replicas × slots` servers with the service time measured at
 * full concurrency, with the admission term (`predictedMs`) and without (`withoutAdmission`);
 * Poisson arrivals with the Azure-conversation token lengths.
 */
export function validateBatchingPoint(options: BatchingPointOptions): CapacityValidationPoint {
  const { rho, replicas, slots, service } = options;
  const servers = replicas * slots;
  const ratePerSec = (rho * servers * 1000) / service.meanMs;
  const durationMs = (options.requests / ratePerSec) * 1000;
  const trace = poissonTrace({ ratePerSec, durationMs }, createRandom(options.seed));
  const result = simulate({
    trace,
    schedule: { points: [{ atMs: 0, replicas }] },
    service: batchingServiceModel(slots),
    minReplicas: replicas,
    maxReplicas: replicas,
    initialWarm: true,
    router: 'jsq',
    maxQueueMs: 86_400_000,
    metricsLagMs: 0,
    seed: options.seed,
  });
  const admission: QueueWaitAdmissionInput = { ...options.admission, slotsPerReplica: slots };
  // The same measured run, predicted with and without the admission term.
  const at = (term?: QueueWaitAdmissionInput): CapacityValidationPoint =>
    point('batching', rho, replicas, servers, ratePerSec, service, result, options.floorMs, term);
  const withAdmission = at(admission);
  const plain = at();
  return {
    ...withAdmission,
    withoutAdmission: { predictedMs: plain.predictedMs, error: plain.error },
  };
}

function point(
  setup: CapacityValidationPoint['setup'],
  rho: number,
  replicas: number,
  servers: number,
  arrivalRatePerS: number,
  service: ServiceTimeStats,
  result: ReturnType<typeof simulate>,
  floorMs: number,
  admission?: QueueWaitAdmissionInput,
): CapacityValidationPoint {
  const prediction = predictQueueWait({
    servers,
    arrivalRatePerS,
    serviceMeanMs: service.meanMs,
    serviceCv: service.cv,
    ...(admission === undefined ? {} : { admission }),
  });
  const predicted = prediction.stable
    ? { p95: prediction.p95WaitMs, p99: prediction.p99WaitMs }
    : { p95: Number.POSITIVE_INFINITY, p99: Number.POSITIVE_INFINITY };
  const simulated = { p95: result.latencyMs.queueWait.p95, p99: result.latencyMs.queueWait.p99 };
  return {
    setup,
    rho,
    replicas,
    servers,
    arrivalRatePerS,
    service,
    requests: result.requests.completed,
    dropped: result.requests.dropped,
    predictedMs: predicted,
    simulatedMs: simulated,
    error: {
      p95: predictionError(predicted.p95, simulated.p95, floorMs),
      p99: predictionError(predicted.p99, simulated.p99, floorMs),
    },
    relative: { p95: simulated.p95 >= floorMs, p99: simulated.p99 >= floorMs },
  };
}
