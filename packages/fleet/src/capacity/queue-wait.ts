import { HeadroomError, requireNumber } from '@headroom/core';
import {
  admissionTerm,
  checkAdmission,
  mixedPercentileMs,
  mixedTailProbability,
  serviceAtLoadMs,
  type AdmissionTerm,
  type BatchAdmissionInput,
} from './admission.js';
import {
  CAPACITY_MAX_SERVERS,
  checkPercentile,
  erlangBUnchecked,
  erlangCFromB,
  exponentialTailPercentile,
} from './erlang.js';

/**
 * Which formula a prediction used:
 *
 * - `erlang-c`: M/M/c (Poisson arrivals, exponential service: `arrivalCv` and `serviceCv` both 1),
 *   exact.
 * - `kingman`: one server with general arrivals and service (G/G/1), Kingman's heavy-traffic
 *   formula; exact in the mean for M/G/1 (the Pollaczek-Khinchine formula).
 * - `allen-cunneen`: several servers with general service (M/G/c, G/G/c), the Allen-Cunneen
 *   approximation.
 */
export type QueueWaitModel = 'erlang-c' | 'kingman' | 'allen-cunneen';

/** The input of {@link predictQueueWait}. */
export interface QueueWaitInput {
  /** Parallel servers (replicas × batch slots), an integer in [1, {@link CAPACITY_MAX_SERVERS}]. */
  readonly servers: number;
  /** Arrival rate, requests per second, finite and >= 0. */
  readonly arrivalRatePerS: number;
  /** Mean service time of one request on one server, ms, finite and > 0. */
  readonly serviceMeanMs: number;
  /** Coefficient of variation of the service time, finite and >= 0 (1: exponential). */
  readonly serviceCv: number;
  /**
   * Coefficient of variation of the inter-arrival times, finite and >= 0.
   * @defaultValue 1 (Poisson arrivals)
   */
  readonly arrivalCv?: number;
  /**
   * The admission term of continuous batching (see {@link BatchAdmissionSchema}), with the batch
   * slots of one replica (`servers` must be a whole number of replicas). Without it, the wait is
   * the wait for a free server only.
   */
  readonly admission?: QueueWaitAdmissionInput;
}

/** The admission term's input to {@link predictQueueWait}: the batch slots plus the step times. */
export type QueueWaitAdmissionInput = BatchAdmissionInput & {
  /** Batch slots of one replica, an integer in [1, servers] that divides `servers`. */
  readonly slotsPerReplica: number;
};

/** A stable queue's predicted waiting time (the delay before service starts). */
export interface StableQueueWaitPrediction {
  /** The offered load is below the servers: waits are finite. */
  readonly stable: true;
  /** Which formula; see {@link QueueWaitModel}. */
  readonly model: QueueWaitModel;
  /** The servers the prediction is for. */
  readonly servers: number;
  /** Offered load, Erlangs: arrival rate × mean service time. */
  readonly offeredLoad: number;
  /** Server utilization, offered load / servers, in [0, 1). */
  readonly utilization: number;
  /**
   * Probability that a request finds every server busy and queues for one: Erlang C (see
   * {@link erlangC}), in [0, 1]. Without an admission term, the probability of any wait at all.
   */
  readonly probabilityOfWait: number;
  /**
   * Mean wait over all requests, ms: probabilityOfWait × meanWaitGivenWaitMs, plus (1 −
   * probabilityOfWait) × the mean admission delay with an admission term.
   */
  readonly meanWaitMs: number;
  /** Mean wait for a free server of the requests that queue for one, ms. */
  readonly meanWaitGivenWaitMs: number;
  /** 95th percentile of the wait, ms. */
  readonly p95WaitMs: number;
  /** 99th percentile of the wait, ms. */
  readonly p99WaitMs: number;
  /** The admission term (continuous batching), when the input had one. */
  readonly admission?: AdmissionTerm;
}

/** An unstable queue: arrivals meet or exceed capacity, so the queue and waits grow without bound. */
export interface UnstableQueueWaitPrediction {
  /** The offered load is at or above the servers: no finite wait. */
  readonly stable: false;
  /** The servers the prediction is for. */
  readonly servers: number;
  /** Offered load, Erlangs. */
  readonly offeredLoad: number;
  /** Offered load / servers, >= 1. */
  readonly utilization: number;
}

/** What {@link predictQueueWait} returns: finite waits for a stable queue, or `stable: false`. */
export type QueueWaitPrediction = StableQueueWaitPrediction | UnstableQueueWaitPrediction;

/**
 * Predicts the waiting time (arrival to start of service) of a queue with `servers` identical
 * servers fed by one FCFS queue, for general service times given by their mean and coefficient of
 * variation (cv), and arrivals with a given cv (1: Poisson).
 *
 * The formulas, all with the offered load a = λ·E[S], c servers, C = Erlang C(c, a) and the
 * variability factor v = (ca² + cs²) / 2:
 *
 * - **Probability of waiting**: C, the M/M/c value, used for every service distribution (a
 *   standard approximation; Whitt 1993 notes it is good for cs² near 1 and drifts for very low or
 *   very high variability at small c).
 * - **Mean wait**: E[Wq] ≈ v · C · E[S] / (c − a). With ca = cs = 1 this is the exact M/M/c result
 *   (`erlang-c`); with c = 1 it is Kingman's G/G/1 formula (Kingman, 1961), v · ρ/(1 − ρ) · E[S],
 *   exact for M/G/1 (Pollaczek-Khinchine); for c > 1 it is the Allen-Cunneen approximation (Allen,
 *   "Probability, Statistics and Queueing Theory", 2nd ed. 1990), which scales the M/M/c wait by
 *   the same factor.
 * - **Percentiles**: the conditional wait (given a wait) is taken as exponential with mean
 *   E[W | W > 0] = v · E[S] / (c − a), so P(W > t) ≈ C · exp(−t / E[W | W > 0]). This is exact
 *   for M/M/c, and the heavy-traffic limit for G/G/c (Kingman's exponential law; Whitt's
 *   heavy-traffic approximations).
 *
 * Where it is known to be poor:
 *
 * - Light traffic with few servers and high service variability (cs² well above 1, c small): the
 *   wait is then dominated by the residual of one long job, not by a queue, and its tail is heavier
 *   than exponential; the approximation understates high percentiles.
 * - Very low variability (near-deterministic service) at low load: the true conditional wait is
 *   bounded by one service time, and P(W > 0) is below Erlang C; the exponential tail overstates
 *   P99 somewhat (on the safe side).
 * - Heavy traffic (ρ → 1) is where all three are best: the relative error of the mean tends to 0.
 * - Per-replica queues (requests routed to a replica on arrival rather than held in one shared
 *   queue): with few busy replicas a request can wait behind one job while another replica idles,
 *   so real waits exceed the shared-queue prediction, most in light traffic.
 *
 * **Continuous batching** (`admission`, see {@link BatchAdmissionSchema}): a server that batches
 * (Orca's iteration-level scheduling, vLLM, SGLang) takes a request into the batch only at a step
 * boundary, so the slot queue above misses two effects, which the admission term adds:
 *
 * - *Admission delay.* A request that finds a free slot still waits for the running step to end.
 *   A busy replica (probability 1 − e^(−a/r), r replicas: the chance that one of its slots is
 *   busy) is in a step that prefills a prompt a share f = min(1, λr·(step + prefill)) of the time
 *   (λr = λ / r; one admission a step, the light-traffic case), and in a plain decode step
 *   otherwise. By PASTA the arrival lands in a step picked in proportion to its length and waits
 *   its residual, whose tail is E[(L − t)+] / E[L] for step length L (the renewal-theory
 *   equilibrium residual); prefill times are taken as gamma with the given mean and cv, so the
 *   tail is closed form in incomplete gamma functions.
 * - *Load-dependent service.* Every admission's prefill lengthens the step of every running
 *   request, so a request's service time grows with the arrival rate. A time measured at a full
 *   batch under saturation carries the prefill of `slots` admissions (Little's law); at the
 *   arrival rate, S(λ) = (S_full − slots·prefill) / (1 − λr·prefill). The queue uses S(λ)
 *   (`serviceMeasuredAt: 'full-batch'`, the default), which removes most of the heavy-load
 *   over-statement of a full-batch time.
 *
 * The two combine as a mixture: with probability C the request queues for a slot (an exponential
 * wait as above; the slot frees at a step boundary, so no admission delay on top), else it waits
 * only the admission delay: P(W > t) = C·e^(−t/m) + (1 − C)·P(D > t); percentiles by bisection.
 * What it leaves out: several arrivals admitted in one step (their prefills add up; grows with
 * load), the decode step's dependence on batch occupancy (the step is taken as flat; the
 * Splitwise llama2-70b step grows 13% from batch 1 to 16) and the KV-cache limit on admission.
 * Against the simulator (Splitwise llama2-70b on 2 × H100, 16 slots, per-replica queues with
 * join-the-shortest-queue routing; `packages/sim/bench/capacity-validation.ts`, 50,000 requests a
 * point) P99 is within 25% on 2 to 8 replicas at utilization 0.5 to 0.8 (P95 within 32%), where
 * the slot queue alone predicted no wait against 330 to 620 ms, or 2 to 3 times the wait; at 0.9
 * it over-predicts by 39% to 75% (the safe side); on one replica it under-predicts by up to 48%
 * in the transition at utilization 0.6 to 0.7, where waits jump from one step to seconds.
 *
 * @returns a {@link StableQueueWaitPrediction}, or `{ stable: false }` when a >= c.
 * @throws `HeadroomError` `invalid_argument` naming the field for a value out of range.
 * @example
 * ```ts
 * const p = predictQueueWait({ servers: 8, arrivalRatePerS: 12, serviceMeanMs: 500, serviceCv: 1.5 });
 * if (p.stable) console.log(p.model, p.p99WaitMs); // 'allen-cunneen', ≈ 1452 ms
 * ```
 */
export function predictQueueWait(input: QueueWaitInput): QueueWaitPrediction {
  const servers = requireNumber(input.servers, ['servers'], {
    min: 1,
    max: CAPACITY_MAX_SERVERS,
    integer: true,
  });
  const rate = requireNumber(input.arrivalRatePerS, ['arrivalRatePerS'], { min: 0 });
  const meanMs = requireNumber(input.serviceMeanMs, ['serviceMeanMs'], {
    min: 0,
    minExclusive: true,
  });
  const cs = requireNumber(input.serviceCv, ['serviceCv'], { min: 0 });
  const ca = requireNumber(input.arrivalCv ?? 1, ['arrivalCv'], { min: 0 });
  if (input.admission !== undefined) {
    return predictWithAdmission(servers, rate, meanMs, cs, ca, input.admission);
  }
  return predictAt(servers, rate, meanMs, ca, cs);
}

/**
 * The prediction at a service time: unstable when the offered load reaches the servers, else
 * the stable one (with the admission term computed only then).
 */
function predictAt(
  servers: number,
  rate: number,
  meanMs: number,
  ca: number,
  cs: number,
  term?: () => AdmissionTerm,
): QueueWaitPrediction {
  const offeredLoad = (rate * meanMs) / 1000;
  if (!Number.isFinite(offeredLoad) || offeredLoad >= servers) {
    return unstablePrediction(servers, offeredLoad);
  }
  const b = erlangBUnchecked(servers, offeredLoad);
  return stablePrediction(servers, offeredLoad, meanMs, ca, cs, b, term?.());
}

function predictWithAdmission(
  servers: number,
  rate: number,
  givenMeanMs: number,
  cs: number,
  ca: number,
  input: QueueWaitAdmissionInput,
): QueueWaitPrediction {
  const admission = checkAdmission(input, servers, ['admission']);
  const replicas = servers / admission.slotsPerReplica;
  const ratePerReplica = rate / replicas;
  const meanMs = serviceAtLoadMs(admission, givenMeanMs, ratePerReplica, ['admission']);
  return predictAt(servers, rate, meanMs, ca, cs, () =>
    admissionTerm(admission, givenMeanMs, meanMs, ratePerReplica),
  );
}

/** The prediction for an unstable queue (a >= c): a load that overflowed reads as `Number.MAX_VALUE`. */
function unstablePrediction(servers: number, offeredLoad: number): UnstableQueueWaitPrediction {
  return {
    stable: false,
    servers,
    offeredLoad: Number.isFinite(offeredLoad) ? offeredLoad : Number.MAX_VALUE,
    utilization: Number.isFinite(offeredLoad) ? offeredLoad / servers : Number.MAX_VALUE,
  };
}

/**
 * The prediction for a stable queue, from a precomputed Erlang B value (so a search over servers
 * can carry the B recursion forward instead of restarting it), with an optional admission term.
 */
export function stablePrediction(
  servers: number,
  offeredLoad: number,
  serviceMeanMs: number,
  arrivalCv: number,
  serviceCv: number,
  erlangBValue: number,
  admission?: AdmissionTerm,
): StableQueueWaitPrediction {
  const variability = (arrivalCv * arrivalCv + serviceCv * serviceCv) / 2;
  const model: QueueWaitModel =
    servers === 1 ? 'kingman' : arrivalCv === 1 && serviceCv === 1 ? 'erlang-c' : 'allen-cunneen';
  const probabilityOfWait = erlangCFromB(servers, offeredLoad, erlangBValue);
  const meanWaitGivenWaitMs = Math.min(
    Number.MAX_VALUE,
    (variability * serviceMeanMs) / (servers - offeredLoad),
  );
  const percentile = (q: number): number =>
    Math.min(
      Number.MAX_VALUE,
      admission === undefined
        ? exponentialTailPercentile(probabilityOfWait, meanWaitGivenWaitMs, q)
        : mixedPercentileMs(probabilityOfWait, meanWaitGivenWaitMs, admission, q),
    );
  const queuedMeanMs = probabilityOfWait * meanWaitGivenWaitMs;
  const base: StableQueueWaitPrediction = {
    stable: true,
    model,
    servers,
    offeredLoad,
    utilization: offeredLoad / servers,
    probabilityOfWait,
    meanWaitMs:
      admission === undefined
        ? queuedMeanMs
        : Math.min(
            Number.MAX_VALUE,
            queuedMeanMs + (1 - probabilityOfWait) * admission.meanDelayMs,
          ),
    meanWaitGivenWaitMs,
    p95WaitMs: percentile(0.95),
    p99WaitMs: percentile(0.99),
  };
  return admission === undefined ? base : { ...base, admission };
}

/**
 * Any percentile of a stable prediction's wait, ms, under its exponential conditional tail (see
 * {@link predictQueueWait}): 0 when at most 1 − q of requests wait, else
 * E[W | W > 0] · ln(P(W > 0) / (1 − q)). With an admission term, the percentile of the mixture
 * of slot wait and admission delay (by bisection).
 *
 * @param percentile - which percentile, in (0, 100): 99.9 is P99.9.
 * @throws `HeadroomError` `invalid_argument` for a percentile out of range.
 * @example
 * ```ts
 * const p = predictQueueWait({ servers: 4, arrivalRatePerS: 6, serviceMeanMs: 500, serviceCv: 1 });
 * if (p.stable) queueWaitPercentileMs(p, 99.9);
 * ```
 */
export function queueWaitPercentileMs(
  prediction: StableQueueWaitPrediction,
  percentile: number,
): number {
  const q = checkPercentile(percentile, ['percentile']);
  const { probabilityOfWait, meanWaitGivenWaitMs, admission } = prediction;
  return Math.min(
    Number.MAX_VALUE,
    admission === undefined
      ? exponentialTailPercentile(probabilityOfWait, meanWaitGivenWaitMs, q)
      : mixedPercentileMs(probabilityOfWait, meanWaitGivenWaitMs, admission, q),
  );
}

/**
 * The predicted probability that a request waits longer than `waitMs`:
 * P(W > t) ≈ P(W > 0) · exp(−t / E[W | W > 0]) (see {@link predictQueueWait}); with an admission
 * term, C · exp(−t / m) + (1 − C) · P(admission delay > t).
 *
 * @param waitMs - the threshold, ms, finite and >= 0.
 * @throws `HeadroomError` `invalid_argument` for a threshold out of range.
 * @example
 * ```ts
 * const p = predictQueueWait({ servers: 4, arrivalRatePerS: 6, serviceMeanMs: 500, serviceCv: 1 });
 * if (p.stable) queueWaitTailProbability(p, 500); // share of requests waiting over 500 ms
 * ```
 */
export function queueWaitTailProbability(
  prediction: StableQueueWaitPrediction,
  waitMs: number,
): number {
  const t = requireNumber(waitMs, ['waitMs'], { min: 0 });
  if (prediction.admission !== undefined) {
    return mixedTailProbability(
      prediction.probabilityOfWait,
      prediction.meanWaitGivenWaitMs,
      prediction.admission,
      t,
    );
  }
  if (prediction.meanWaitGivenWaitMs <= 0) return t > 0 ? 0 : prediction.probabilityOfWait;
  return prediction.probabilityOfWait * Math.exp(-t / prediction.meanWaitGivenWaitMs);
}

/**
 * Kingman's formula for the mean wait in a G/G/1 queue, ms (Kingman, 1961):
 * E[Wq] ≈ ρ / (1 − ρ) · (ca² + cs²) / 2 · E[S]. Exact for M/G/1 (ca = 1); a heavy-traffic
 * approximation otherwise (good above ρ ≈ 0.8, can be far off in light traffic with ca ≠ 1).
 *
 * @throws `HeadroomError` `invalid_argument` for a value out of range or ρ >= 1.
 * @example
 * ```ts
 * kingmanMeanWaitMs({ arrivalRatePerS: 8, serviceMeanMs: 100, serviceCv: 0 }); // M/D/1 at ρ 0.8: 200 ms
 * ```
 */
export function kingmanMeanWaitMs(input: Omit<QueueWaitInput, 'servers'>): number {
  return allenCunneenMeanWaitMs({ ...input, servers: 1 });
}

/**
 * The Allen-Cunneen approximation of the mean wait in a G/G/c queue, ms (Allen, 1990):
 * E[Wq] ≈ E[Wq, M/M/c] · (ca² + cs²) / 2. Reduces to Kingman's formula for c = 1 and to the exact
 * M/M/c value for ca = cs = 1. See {@link predictQueueWait} for where it is poor.
 *
 * @throws `HeadroomError` `invalid_argument` for a value out of range, or an unstable queue
 * (offered load >= servers).
 * @example
 * ```ts
 * allenCunneenMeanWaitMs({ servers: 10, arrivalRatePerS: 80, serviceMeanMs: 100, serviceCv: 0.5 });
 * ```
 */
export function allenCunneenMeanWaitMs(input: QueueWaitInput): number {
  const p = predictQueueWait(input);
  if (!p.stable) throw unstable(input, p);
  return p.meanWaitMs;
}

function unstable(input: QueueWaitInput, p: UnstableQueueWaitPrediction): HeadroomError {
  return new HeadroomError({
    code: 'invalid_argument',
    message: `the queue is unstable: offered load ${p.offeredLoad} Erlangs (arrivalRatePerS × serviceMeanMs / 1000) must be below servers (${p.servers}); waits grow without bound`,
    path: ['arrivalRatePerS'],
    value: input.arrivalRatePerS,
    limit: `offered load < ${p.servers}`,
  });
}
