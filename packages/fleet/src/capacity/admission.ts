import { HeadroomError, requireNumber, type ErrorPath } from '@headroom/core';
import { z } from 'zod';

/**
 * How a continuous-batching server admits a request into its running batch, for the admission
 * term of {@link predictQueueWait} and {@link replicasForSlo}. Unknown keys are rejected.
 *
 * Continuous batching (Orca's iteration-level scheduling, as in vLLM and SGLang) takes a waiting
 * request into the batch only at a step boundary, and a step that admits requests also runs their
 * prefill. A request that finds a free slot therefore still waits for the running step to end:
 * a short decode step, or a long one that is prefilling other requests' prompts. This object gives
 * the times that waiting depends on.
 */
export const BatchAdmissionSchema = z.strictObject({
  /**
   * Time of one decode step of the running batch, ms, finite and > 0: the inter-token latency at
   * the replica's usual batch size (for example vLLM's time per output token).
   */
  stepMs: z.number().positive().max(1e9),
  /** Mean time to prefill one request's prompt, ms, finite and >= 0. */
  prefillMs: z.number().min(0).max(1e9),
  /**
   * Coefficient of variation of the prefill time, finite, in [0, 10]. Prefill time is close to
   * linear in prompt tokens, so the cv of the prompt lengths will do. @defaultValue 1 (an
   * exponential spread: conservative when unknown)
   */
  prefillCv: z.number().min(0).max(10).default(1),
  /**
   * How the service time was measured. `'full-batch'`: at a full batch under saturation (every
   * completion immediately replaced), so it carries the prefill of `slotsPerReplica` admissions
   * per request; the model rescales it to the arrival rate (see {@link predictQueueWait}).
   * `'at-load'`: at the arrival rate being predicted; used as given. @defaultValue 'full-batch'
   */
  serviceMeasuredAt: z.literal(['full-batch', 'at-load']).default('full-batch'),
});

/** What {@link BatchAdmissionSchema} accepts. */
export type BatchAdmissionInput = z.input<typeof BatchAdmissionSchema>;

/** The admission part of a prediction: the numbers behind the admission delay. */
export interface AdmissionTerm {
  /** Batch slots per replica the term was computed for. */
  readonly slotsPerReplica: number;
  /** Decode step time, ms. */
  readonly stepMs: number;
  /** Mean prefill time of one prompt, ms. */
  readonly prefillMs: number;
  /** Coefficient of variation of the prefill time. */
  readonly prefillCv: number;
  /** How the service time given was measured; see {@link BatchAdmissionSchema}. */
  readonly serviceMeasuredAt: 'full-batch' | 'at-load';
  /** The service time given, ms (before the load rescaling). */
  readonly givenServiceMeanMs: number;
  /** The service time the queue was computed with, ms (rescaled to the load for `full-batch`). */
  readonly serviceMeanMs: number;
  /** Arrival rate per replica, requests per second. */
  readonly arrivalRatePerReplicaPerS: number;
  /** Probability that an arrival finds its replica busy (running a step): 1 − e^(−load/replica). */
  readonly busyProbability: number;
  /** Share of a busy replica's time spent in steps that prefill a prompt, in [0, 1]. */
  readonly prefillStepShare: number;
  /** Mean admission delay of a request that finds a free slot, ms. */
  readonly meanDelayMs: number;
}

/** Above this gamma shape (cv below 0.01) a prefill time counts as fixed. */
const MAX_GAMMA_SHAPE = 1e4;

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0, Lanczos' approximation (g = 7, nine terms): about 15 digits. */
function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a), a > 0, x >= 0: the
 * power series of the lower function below x = a + 1, a continued fraction (modified Lentz) above.
 */
export function gammaQ(a: number, x: number): number {
  if (!(x > 0)) return 1;
  const logPrefix = a * Math.log(x) - x - lnGamma(a);
  const maxTerms = 20_000;
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < maxTerms; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) <= Math.abs(sum) * 1e-15) break;
    }
    return Math.min(1, Math.max(0, 1 - sum * Math.exp(logPrefix)));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < maxTerms; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) <= 1e-15) break;
  }
  return Math.min(1, Math.max(0, Math.exp(logPrefix) * h));
}

/** E[(X − x)+] for X gamma-distributed with mean `meanMs` and coefficient of variation `cv`. */
function gammaExcess(x: number, meanMs: number, cv: number): number {
  if (x <= 0) return meanMs - x;
  if (meanMs <= 0) return 0;
  const shape = cv > 0 ? 1 / (cv * cv) : Infinity;
  if (shape > MAX_GAMMA_SHAPE) return Math.max(0, meanMs - x);
  const scale = meanMs / shape;
  const excess = meanMs * gammaQ(shape + 1, x / scale) - x * gammaQ(shape, x / scale);
  return Math.max(0, excess);
}

/** A validated admission input plus the replica's batch slots. */
export interface ResolvedAdmission {
  readonly slotsPerReplica: number;
  readonly stepMs: number;
  readonly prefillMs: number;
  readonly prefillCv: number;
  readonly serviceMeasuredAt: 'full-batch' | 'at-load';
}

/** Checks an admission input field by field (the non-zod path of {@link predictQueueWait}). */
export function checkAdmission(
  input: BatchAdmissionInput & { readonly slotsPerReplica: number },
  servers: number,
  path: ErrorPath,
): ResolvedAdmission {
  if (typeof input !== 'object' || input === null) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message:
        'must be an object { slotsPerReplica, stepMs, prefillMs, prefillCv?, serviceMeasuredAt? }',
      path,
      value: input,
    });
  }
  const slotsPerReplica = requireNumber(input.slotsPerReplica, [...path, 'slotsPerReplica'], {
    min: 1,
    max: servers,
    integer: true,
  });
  if (servers % slotsPerReplica !== 0) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: `servers (${servers}) must be a whole number of replicas of slotsPerReplica (${slotsPerReplica}) slots`,
      path: [...path, 'slotsPerReplica'],
      value: slotsPerReplica,
      limit: `a divisor of ${servers}`,
    });
  }
  const stepMs = requireNumber(input.stepMs, [...path, 'stepMs'], {
    min: 0,
    minExclusive: true,
    max: 1e9,
  });
  const prefillMs = requireNumber(input.prefillMs, [...path, 'prefillMs'], { min: 0, max: 1e9 });
  const prefillCv = requireNumber(input.prefillCv ?? 1, [...path, 'prefillCv'], {
    min: 0,
    max: 10,
  });
  const measured = input.serviceMeasuredAt ?? 'full-batch';
  if (measured !== 'full-batch' && measured !== 'at-load') {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: "must be 'full-batch' or 'at-load'",
      path: [...path, 'serviceMeasuredAt'],
      value: measured,
    });
  }
  return { slotsPerReplica, stepMs, prefillMs, prefillCv, serviceMeasuredAt: measured };
}

/**
 * The service time at the arrival rate, ms: for `full-batch`, (S − slots·P) / (1 − λr·P), where
 * S is the measured mean, P the mean prefill and λr the arrival rate per replica (per ms). Every
 * admission's prefill lengthens the step of every running request; at saturation a request sees
 * the prefill of `slots` admissions over its life (Little's law), at arrival rate λr it sees
 * λr·S of them. Infinity when λr·P >= 1 (the replica would do nothing but prefill).
 *
 * @throws `HeadroomError` `invalid_argument` when slots × prefill is not below the measured
 * service time (impossible for a time measured at a full batch).
 */
export function serviceAtLoadMs(
  admission: ResolvedAdmission,
  serviceMeanMs: number,
  ratePerReplicaPerS: number,
  path: ErrorPath,
): number {
  if (admission.serviceMeasuredAt === 'at-load') return serviceMeanMs;
  const base = serviceMeanMs - admission.slotsPerReplica * admission.prefillMs;
  if (!(base > 0)) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: `slotsPerReplica × prefillMs (${admission.slotsPerReplica} × ${admission.prefillMs} ms) must be below the service time measured at a full batch (${serviceMeanMs} ms): a request there sees every admission's prefill plus its own decode; use serviceMeasuredAt 'at-load' if the time was not measured at a full batch`,
      path: [...path, 'prefillMs'],
      value: admission.prefillMs,
      limit: `< ${serviceMeanMs / admission.slotsPerReplica}`,
    });
  }
  const prefillLoad = (ratePerReplicaPerS * admission.prefillMs) / 1000;
  if (prefillLoad >= 1) return Infinity;
  return base / (1 - prefillLoad);
}

/** The admission term of a stable queue (see {@link predictQueueWait}). */
export function admissionTerm(
  admission: ResolvedAdmission,
  givenServiceMeanMs: number,
  serviceMeanMs: number,
  ratePerReplicaPerS: number,
): AdmissionTerm {
  const { stepMs, prefillMs, prefillCv } = admission;
  const loadPerReplica = (ratePerReplicaPerS * serviceMeanMs) / 1000;
  const busyProbability = 1 - Math.exp(-loadPerReplica);
  const prefillStepMs = stepMs + prefillMs;
  const prefillStepShare = Math.min(1, (ratePerReplicaPerS * prefillStepMs) / 1000);
  // Length-biased residual: E[L²] / (2 E[L]) for a prefill step L = step + prefill.
  const prefillSecondMoment =
    stepMs * stepMs + 2 * stepMs * prefillMs + prefillMs * prefillMs * (1 + prefillCv * prefillCv);
  const meanDelayMs =
    busyProbability *
    (prefillStepShare * (prefillSecondMoment / (2 * prefillStepMs)) +
      (1 - prefillStepShare) * (stepMs / 2));
  return {
    slotsPerReplica: admission.slotsPerReplica,
    stepMs,
    prefillMs,
    prefillCv,
    serviceMeasuredAt: admission.serviceMeasuredAt,
    givenServiceMeanMs,
    serviceMeanMs,
    arrivalRatePerReplicaPerS: ratePerReplicaPerS,
    busyProbability,
    prefillStepShare,
    meanDelayMs: Math.min(Number.MAX_VALUE, meanDelayMs),
  };
}

/**
 * P(admission delay > t) for a request that finds a free slot: the replica is busy with
 * probability β; a busy replica is in a prefill step (L = step + prefill) a share f of the time and
 * in a plain decode step otherwise, and an arrival sees the residual of the step it lands in
 * (Poisson arrivals see time averages), whose tail is E[(L − t)+] / E[L].
 */
export function admissionTailProbability(term: AdmissionTerm, waitMs: number): number {
  const t = waitMs;
  const { stepMs, prefillMs, prefillCv, prefillStepShare, busyProbability } = term;
  const decodeTail = Math.max(0, 1 - t / stepMs);
  const prefillStepMs = stepMs + prefillMs;
  const prefillTail = gammaExcess(t - stepMs, prefillMs, prefillCv) / prefillStepMs;
  return (
    busyProbability *
    (prefillStepShare * Math.min(1, prefillTail) + (1 - prefillStepShare) * decodeTail)
  );
}

/**
 * P(W > t) of the whole wait: a request queues for a slot with probability C (then waits an
 * exponential time of mean m for a slot, which frees at a step boundary, so no further admission
 * delay), or finds a free slot (probability 1 − C) and waits only the admission delay.
 */
export function mixedTailProbability(
  probabilityOfWait: number,
  meanWaitGivenWaitMs: number,
  term: AdmissionTerm,
  waitMs: number,
): number {
  const queued =
    meanWaitGivenWaitMs > 0
      ? probabilityOfWait * Math.exp(-waitMs / meanWaitGivenWaitMs)
      : waitMs > 0
        ? 0
        : probabilityOfWait;
  return queued + (1 - probabilityOfWait) * admissionTailProbability(term, waitMs);
}

/**
 * The q-quantile of the mixed wait (see {@link mixedTailProbability}), ms: 0 when at most 1 − q of
 * requests wait at all, else found by bisection to a relative precision of about 1e-12 (the tail
 * is non-increasing in t).
 */
export function mixedPercentileMs(
  probabilityOfWait: number,
  meanWaitGivenWaitMs: number,
  term: AdmissionTerm,
  quantile: number,
): number {
  const target = 1 - quantile;
  const tail = (t: number): number =>
    mixedTailProbability(probabilityOfWait, meanWaitGivenWaitMs, term, t);
  if (tail(0) <= target) return 0;
  let lo = 0;
  let hi = Math.max(term.stepMs + term.prefillMs, meanWaitGivenWaitMs, 1);
  while (tail(hi) > target) {
    if (hi >= Number.MAX_VALUE / 4) return Number.MAX_VALUE;
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 80 && hi - lo > hi * 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (tail(mid) > target) lo = mid;
    else hi = mid;
  }
  return hi;
}
