import { HeadroomError, requireNumber, type ErrorPath } from '@headroom/core';

/**
 * The most servers the Erlang recursions run over: 10 million. The recursion is O(servers), so this
 * bounds one evaluation to tens of milliseconds.
 */
export const CAPACITY_MAX_SERVERS = 10_000_000;

function checkServers(servers: unknown, path: ErrorPath): number {
  return requireNumber(servers, path, { min: 1, max: CAPACITY_MAX_SERVERS, integer: true });
}

function checkLoad(offeredLoad: unknown, path: ErrorPath): number {
  return requireNumber(offeredLoad, path, { min: 0 });
}

/**
 * Erlang B recursion without argument checks: B(0) = 1, B(k) = a·B(k-1) / (k + a·B(k-1)).
 * Every step stays in [0, 1], so it neither overflows nor underflows for thousands of servers.
 */
export function erlangBUnchecked(servers: number, offeredLoad: number): number {
  let b = 1;
  for (let k = 1; k <= servers; k++) b = (offeredLoad * b) / (k + offeredLoad * b);
  return b;
}

/** Erlang C from Erlang B: C = c·B / (c − a·(1 − B)); 1 when a >= c (every arrival waits). */
export function erlangCFromB(servers: number, offeredLoad: number, erlangBValue: number): number {
  if (offeredLoad >= servers) return 1;
  const c = (servers * erlangBValue) / (servers - offeredLoad * (1 - erlangBValue));
  return Math.min(1, Math.max(0, c));
}

/**
 * Erlang's loss formula (Erlang B): the probability that an arrival finds all `servers` busy in a
 * system without a queue (M/M/c/c), for an offered load of `offeredLoad` Erlangs (arrival rate ×
 * mean service time). Computed by the standard recursion over the number of servers, which is
 * numerically stable (no factorials or powers) and O(servers).
 *
 * @param servers - parallel servers, an integer in [1, {@link CAPACITY_MAX_SERVERS}].
 * @param offeredLoad - offered load, Erlangs, finite and >= 0.
 * @returns a probability in [0, 1].
 * @throws `HeadroomError` `invalid_argument` naming `servers` or `offeredLoad` when out of range.
 * @example
 * ```ts
 * erlangB(10, 8); // ≈ 0.1217
 * ```
 */
export function erlangB(servers: number, offeredLoad: number): number {
  const c = checkServers(servers, ['servers']);
  const a = checkLoad(offeredLoad, ['offeredLoad']);
  return erlangBUnchecked(c, a);
}

/**
 * Erlang's delay formula (Erlang C): the probability that an arrival has to wait in an M/M/c
 * queue (Poisson arrivals, exponential service, `servers` identical servers, one FCFS queue,
 * no abandonment), for an offered load of `offeredLoad` Erlangs. Obtained from Erlang B
 * ({@link erlangB}) as C = c·B / (c − a·(1 − B)), so it is as stable as the B recursion and works
 * for thousands of servers. When `offeredLoad >= servers` the queue is unstable and every arrival
 * eventually waits: the result is 1.
 *
 * Assumptions (A. K. Erlang, 1917): Poisson arrivals, exponential service times, a single shared
 * queue in front of all servers (work-conserving: no server idles while a request waits). Under a
 * per-replica queue (requests routed on arrival), the probability of waiting is higher.
 *
 * @param servers - parallel servers, an integer in [1, {@link CAPACITY_MAX_SERVERS}].
 * @param offeredLoad - offered load, Erlangs (arrival rate × mean service time), finite and >= 0.
 * @returns a probability in [0, 1], non-increasing in `servers`.
 * @throws `HeadroomError` `invalid_argument` naming `servers` or `offeredLoad` when out of range.
 * @example
 * ```ts
 * erlangC(10, 8); // ≈ 0.409: 41% of requests queue at 80% utilization on 10 servers
 * erlangC(1, 0.5); // 0.5 (M/M/1: the utilization)
 * ```
 */
export function erlangC(servers: number, offeredLoad: number): number {
  const c = checkServers(servers, ['servers']);
  const a = checkLoad(offeredLoad, ['offeredLoad']);
  if (a >= c) return 1;
  return erlangCFromB(c, a, erlangBUnchecked(c, a));
}

/** The input of the M/M/c functions: servers, arrival rate and mean service time. */
export interface MmcInput {
  /** Parallel servers, an integer in [1, {@link CAPACITY_MAX_SERVERS}]. */
  readonly servers: number;
  /** Arrival rate, requests per second, finite and >= 0. */
  readonly arrivalRatePerS: number;
  /** Mean service time of one request, ms, finite and > 0. */
  readonly serviceMeanMs: number;
}

interface MmcParts {
  readonly servers: number;
  readonly offeredLoad: number;
  readonly serviceMeanMs: number;
  readonly probabilityOfWait: number;
}

function mmcParts(input: MmcInput): MmcParts {
  const servers = checkServers(input.servers, ['servers']);
  const rate = requireNumber(input.arrivalRatePerS, ['arrivalRatePerS'], { min: 0 });
  const serviceMeanMs = requireNumber(input.serviceMeanMs, ['serviceMeanMs'], {
    min: 0,
    minExclusive: true,
  });
  const offeredLoad = (rate * serviceMeanMs) / 1000;
  if (!Number.isFinite(offeredLoad) || offeredLoad >= servers) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: `the queue is unstable: offered load ${offeredLoad} Erlangs (arrivalRatePerS × serviceMeanMs / 1000) must be below servers (${servers}); waits grow without bound`,
      path: ['arrivalRatePerS'],
      value: input.arrivalRatePerS,
      limit: `< ${(servers * 1000) / serviceMeanMs} for ${servers} servers`,
    });
  }
  return {
    servers,
    offeredLoad,
    serviceMeanMs,
    probabilityOfWait: erlangCFromB(servers, offeredLoad, erlangBUnchecked(servers, offeredLoad)),
  };
}

/**
 * The mean queueing delay (time before service starts) of an M/M/c queue, ms:
 * E[Wq] = C(c, a) · E[S] / (c − a), with C Erlang's delay probability ({@link erlangC}),
 * a = λ·E[S] the offered load and E[S] the mean service time. For c = 1 this is ρ·E[S]/(1 − ρ),
 * the M/M/1 result ρ / (μ − λ).
 *
 * @throws `HeadroomError` `invalid_argument` for an input out of range, or an unstable queue
 * (offered load >= servers).
 * @example
 * ```ts
 * mmcMeanWaitMs({ servers: 1, arrivalRatePerS: 5, serviceMeanMs: 100 }); // 100 ms (ρ = 0.5)
 * ```
 */
export function mmcMeanWaitMs(input: MmcInput): number {
  const p = mmcParts(input);
  return (p.probabilityOfWait * p.serviceMeanMs) / (p.servers - p.offeredLoad);
}

/**
 * The probability that a request waits longer than `waitMs` before service in an M/M/c queue:
 * P(W > t) = C(c, a) · exp(−(cμ − λ)·t). Given that it waits, an arrival's delay is exponential
 * with rate cμ − λ (the whole pool drains the queue ahead of it), which makes this tail exact for
 * M/M/c under FCFS.
 *
 * @param waitMs - the wait threshold, ms, finite and >= 0.
 * @returns a probability in [0, 1], non-increasing in `waitMs`.
 * @throws `HeadroomError` `invalid_argument` for an input out of range or an unstable queue.
 * @example
 * ```ts
 * mmcWaitTailProbability({ servers: 10, arrivalRatePerS: 80, serviceMeanMs: 100 }, 0); // ≈ 0.409
 * ```
 */
export function mmcWaitTailProbability(input: MmcInput, waitMs: number): number {
  const t = requireNumber(waitMs, ['waitMs'], { min: 0 });
  const p = mmcParts(input);
  const decayPerMs = (p.servers - p.offeredLoad) / p.serviceMeanMs;
  return p.probabilityOfWait * Math.exp(-decayPerMs * t);
}

/**
 * A percentile of the queueing delay of an M/M/c queue, ms: the smallest t with
 * P(W > t) <= 1 − q (q = percentile / 100), which is 0 when at most 1 − q of requests wait at all,
 * else E[S] / (c − a) · ln(C / (1 − q)).
 *
 * @param percentile - which percentile, in (0, 100): 99 is P99.
 * @throws `HeadroomError` `invalid_argument` for an input out of range or an unstable queue.
 * @example
 * ```ts
 * mmcWaitPercentileMs({ servers: 10, arrivalRatePerS: 80, serviceMeanMs: 100 }, 99); // ≈ 185.6 ms
 * ```
 */
export function mmcWaitPercentileMs(input: MmcInput, percentile: number): number {
  const q = checkPercentile(percentile, ['percentile']);
  const p = mmcParts(input);
  return exponentialTailPercentile(
    p.probabilityOfWait,
    p.serviceMeanMs / (p.servers - p.offeredLoad),
    q,
  );
}

/** Checks a percentile in (0, 100) and returns it as a fraction in (0, 1). */
export function checkPercentile(percentile: unknown, path: ErrorPath): number {
  return (
    requireNumber(percentile, path, { min: 0, max: 100, minExclusive: true, maxExclusive: true }) /
    100
  );
}

/**
 * The q-quantile of a wait that is 0 with probability 1 − `probabilityOfWait` and exponential with
 * mean `conditionalMeanMs` otherwise: 0 when 1 − q >= P(wait), else mean · ln(P(wait) / (1 − q)).
 */
export function exponentialTailPercentile(
  probabilityOfWait: number,
  conditionalMeanMs: number,
  quantile: number,
): number {
  const tail = 1 - quantile;
  if (probabilityOfWait <= tail) return 0;
  return conditionalMeanMs * Math.log(probabilityOfWait / tail);
}
