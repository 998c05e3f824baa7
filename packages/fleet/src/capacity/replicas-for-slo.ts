import { parseConfig } from '@headroom/core';
import { z } from 'zod';
import {
  CAPACITY_MAX_SERVERS,
  checkPercentile,
  erlangBUnchecked,
  exponentialTailPercentile,
} from './erlang.js';
import {
  BatchAdmissionSchema,
  admissionTerm,
  mixedPercentileMs,
  serviceAtLoadMs,
  type ResolvedAdmission,
} from './admission.js';
import {
  stablePrediction,
  type QueueWaitModel,
  type StableQueueWaitPrediction,
  type UnstableQueueWaitPrediction,
} from './queue-wait.js';
import { ServiceTimeSchema, resolveServiceTime, type ServiceTimeStats } from './service-time.js';

/**
 * A latency objective at a percentile: either on the queueing delay alone (`waitMs`: time from
 * arrival until a batch slot takes the request, the part of TTFT capacity controls), or on the
 * whole latency (`latencyMs`: wait plus service). Give exactly one of `waitMs` and `latencyMs`.
 */
export const CapacitySloSchema = z
  .strictObject({
    /** Most queueing delay at the percentile, ms, finite and >= 0. */
    waitMs: z.number().min(0).max(1e12).optional(),
    /**
     * Most latency (wait + service) at the percentile, ms, finite and > 0. Read as a wait budget
     * of `latencyMs − mean service time` (see {@link replicasForSlo}).
     */
    latencyMs: z.number().positive().max(1e12).optional(),
    /** Which percentile the objective is on, in (0, 100): 99 is P99. */
    percentile: z.number().gt(0).lt(100),
  })
  .superRefine((slo, ctx) => {
    if ((slo.waitMs === undefined) === (slo.latencyMs === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'give exactly one of waitMs and latencyMs',
        path: ['waitMs'],
        input: slo.waitMs === undefined ? 'neither' : 'both',
        params: { limit: 'exactly one of waitMs, latencyMs' },
      });
    }
  });

/** The input of {@link replicasForSlo}. Unknown keys are rejected. */
export const ReplicasForSloInputSchema = z
  .strictObject({
    /** Arrival rate, requests per second, finite and >= 0. */
    arrivalRatePerS: z.number().min(0).max(1e9),
    /**
     * Service time of one request on one batch slot, measured at the replica's serving
     * concurrency: `{ meanMs, cv }` or `{ samplesMs }` (see {@link ServiceTimeSchema}).
     */
    service: ServiceTimeSchema,
    /**
     * Coefficient of variation of inter-arrival times, finite and >= 0: 1 for Poisson arrivals,
     * above 1 for bursty traffic. @defaultValue 1
     */
    arrivalCv: z.number().min(0).max(1000).default(1),
    /** The objective; see {@link CapacitySloSchema}. */
    slo: CapacitySloSchema,
    /**
     * Requests one replica serves at once, an integer in [1, 4096]: 1 for a server that takes one
     * request at a time, the continuous-batching concurrency (for example vLLM's `max_num_seqs`,
     * or fewer when the KV cache limits it) for an LLM server. Each slot is one server of the
     * queue. @defaultValue 1
     */
    slotsPerReplica: z.number().int().min(1).max(4096).default(1),
    /** Fewest replicas to return, an integer >= 0. @defaultValue 1 */
    minReplicas: z.number().int().min(0).max(1_000_000).default(1),
    /**
     * Most replicas to consider, an integer >= max(1, `minReplicas`), with `maxReplicas ×
     * slotsPerReplica` at most {@link CAPACITY_MAX_SERVERS}. @defaultValue 10_000
     */
    maxReplicas: z.number().int().min(1).max(1_000_000).default(10_000),
    /**
     * The admission term of continuous batching: decode step and prefill times (see
     * {@link BatchAdmissionSchema} and {@link predictQueueWait}). With it, the wait includes the
     * delay to the next step boundary and the service time is rescaled to the load. Give it for
     * an LLM server with `slotsPerReplica` > 1. @defaultValue none (slot queue only)
     */
    admission: BatchAdmissionSchema.optional(),
  })
  .superRefine((input, ctx) => {
    if (input.maxReplicas < input.minReplicas) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be >= minReplicas',
        path: ['maxReplicas'],
        input: input.maxReplicas,
        params: { limit: `>= ${input.minReplicas}` },
      });
    }
    const slots = input.slotsPerReplica ?? 1;
    const max = input.maxReplicas ?? 10_000;
    if (max * slots > CAPACITY_MAX_SERVERS) {
      ctx.addIssue({
        code: 'custom',
        message: `maxReplicas × slotsPerReplica (${slots}) must be at most ${CAPACITY_MAX_SERVERS} servers`,
        path: ['maxReplicas'],
        input: max,
        params: { limit: `<= ${Math.floor(CAPACITY_MAX_SERVERS / slots)}` },
      });
    }
  });

/** What {@link replicasForSlo} accepts. */
export type ReplicasForSloInput = z.input<typeof ReplicasForSloInputSchema>;

/**
 * Why {@link replicasForSlo} returned the count it did:
 *
 * - `slo`: the objective needed more replicas than stability alone.
 * - `stability`: the fewest replicas that keep the queue stable (capacity above the load) already
 *   meet the objective.
 * - `min_replicas`: `minReplicas` already meets the objective, and is above the stability bound.
 * - `no_load`: the arrival rate is 0, or the offered load is below 1e-9 Erlangs (a rounding error
 *   away from 0; utilization would underflow): `minReplicas`, with no wait.
 */
export type ReplicasForSloReason = 'slo' | 'stability' | 'min_replicas' | 'no_load';

/**
 * Why an objective cannot be met:
 *
 * - `service_exceeds_slo`: a `latencyMs` objective below the mean service time: no number of
 *   replicas helps (make requests faster, or relax the objective).
 * - `max_replicas`: even `maxReplicas` replicas miss it (or cannot carry the load at all).
 */
export type ReplicasForSloUnreachableReason = 'service_exceeds_slo' | 'max_replicas';

/** The objective met: the fewest replicas, the utilization they imply and the predicted waits. */
export interface ReplicasForSloMet {
  /** The objective is met. */
  readonly kind: 'met';
  /** Why this count; see {@link ReplicasForSloReason}. */
  readonly reason: ReplicasForSloReason;
  /** The fewest replicas (>= `minReplicas`) whose predicted wait percentile meets the objective. */
  readonly replicas: number;
  /** Servers of the queue: replicas × slotsPerReplica. */
  readonly servers: number;
  /**
   * The utilization this implies, λ / (replicas × slots × μ) = offered load / servers: in (0, 1)
   * when the arrival rate is > 0, 0 without load. The value to give a utilization-tracking
   * autoscaler as its target at this arrival rate.
   */
  readonly utilizationTarget: number;
  /**
   * The fewest replicas that keep the queue stable: floor(offered load / slots) + 1 (with an
   * admission term, the fewest r with λ · S(λ / r) below r × slots, S rescaled to the load).
   */
  readonly stabilityMinReplicas: number;
  /** The wait budget at the percentile, ms: `waitMs`, or `latencyMs` − mean service time. */
  readonly waitBudgetMs: number;
  /** The predicted wait at the objective's percentile, ms, <= `waitBudgetMs`. */
  readonly waitAtPercentileMs: number;
  /** The formula used; see {@link QueueWaitModel}. */
  readonly model: QueueWaitModel;
  /** The full prediction at `replicas`: P(wait), mean, P95 and P99 wait. */
  readonly prediction: StableQueueWaitPrediction;
  /** The service-time moments used. */
  readonly service: ServiceTimeStats;
  /** The result in words, with the numbers behind it (not a stable format). */
  readonly detail: string;
}

/** The objective cannot be met within the limits. */
export interface ReplicasForSloUnreachable {
  /** The objective cannot be met. */
  readonly kind: 'unreachable';
  /** Why; see {@link ReplicasForSloUnreachableReason}. */
  readonly reason: ReplicasForSloUnreachableReason;
  /** The replicas the caller may run at most: `maxReplicas`. */
  readonly replicas: number;
  /** The fewest replicas that keep the queue stable. */
  readonly stabilityMinReplicas: number;
  /** The wait budget at the percentile, ms (negative for `service_exceeds_slo`). */
  readonly waitBudgetMs: number;
  /** The prediction at `maxReplicas`: stable with a wait above the budget, or unstable. */
  readonly prediction: StableQueueWaitPrediction | UnstableQueueWaitPrediction;
  /** The service-time moments used. */
  readonly service: ServiceTimeStats;
  /** The result in words, with the numbers behind it (not a stable format). */
  readonly detail: string;
}

/** What {@link replicasForSlo} returns. */
export type ReplicasForSloResult = ReplicasForSloMet | ReplicasForSloUnreachable;

/** Offered loads below this (Erlangs) count as no load: their utilization underflows. */
const NEGLIGIBLE_LOAD_ERLANGS = 1e-9;

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}

/**
 * The fewest replicas that meet a latency objective at a percentile for a given arrival rate and
 * service-time distribution, and the utilization target that implies: capacity planning from
 * queueing theory rather than from a fixed "run at 70% utilization" rule.
 *
 * The queue: `replicas × slotsPerReplica` identical servers behind one FCFS queue, predicted by
 * {@link predictQueueWait} (Erlang C for M/M/c; Kingman for one server; Allen-Cunneen for M/G/c and
 * G/G/c; an exponential tail for percentiles; see there for the assumptions and where each is
 * poor).
 *
 * Continuous batching is modelled as capacity per replica: a replica that runs up to
 * `slotsPerReplica` requests at once is that many servers, and `service` must be the time one
 * request holds a slot *measured at that concurrency* (for an LLM: prefill plus output tokens ×
 * the decode step time at a full batch). Requests slow down as a batch fills, so a time measured
 * at full concurrency makes the model conservative at lower occupancy; one measured alone (batch
 * 1) makes it optimistic.
 *
 * The search starts at the stability bound, floor(a / slots) + 1 replicas (a = λ·E[S], the offered
 * load), or `minReplicas` if higher, and adds replicas one at a time while the predicted wait
 * percentile exceeds the budget. The predicted wait is non-increasing in replicas (Erlang C falls
 * and the conditional wait shrinks as servers are added), so the first count that meets the budget
 * is the fewest. The Erlang B recursion is carried forward across the search, so the cost is
 * O(servers at the answer).
 *
 * With `admission` (continuous batching), every count's prediction carries the admission term
 * and the service time rescaled to that count's per-replica load (see {@link predictQueueWait}),
 * so the offered load changes with the count and the B recursion cannot be carried: the search
 * bisects instead (the stability bound, then the objective), O(servers × log(maxReplicas)). The
 * wait percentile is non-increasing in replicas whenever the mean slot wait exceeds the step
 * residual (the usual case, service times of seconds against steps of tens of ms); in a corner case
 * where it does not, the count returned meets the objective but may not be the fewest.
 *
 * A `latencyMs` objective is read as a wait budget of `latencyMs` − mean service time: the
 * latency percentile is approximated by the wait percentile plus the mean service, which holds
 * when the wait dominates the tail and is optimistic when service times vary widely; give a
 * `waitMs` objective with your own service-time margin to be strict.
 *
 * An objective that cannot be met is a value, not an exception (`kind: 'unreachable'`), because it
 * follows from runtime data (a measured rate): `service_exceeds_slo` when the mean service time
 * alone exceeds a latency objective, `max_replicas` when `maxReplicas` is not enough.
 *
 * @param input - see {@link ReplicasForSloInputSchema}.
 * @returns the count and why, or why none will do; every number finite.
 * @throws `HeadroomError` `invalid_config` naming the field for a malformed input (NaN,
 * negative, out of range, empty samples, both or neither of `waitMs` and `latencyMs`);
 * `invalid_argument` for service samples whose mean is 0.
 * @example
 * ```ts
 * const plan = replicasForSlo({
 *   arrivalRatePerS: 20,
 *   service: { meanMs: 6_000, cv: 0.8 }, // per request at a full batch of 32
 *   slotsPerReplica: 32,
 *   slo: { waitMs: 500, percentile: 99 },
 * });
 * if (plan.kind === 'met') console.log(plan.replicas, plan.utilizationTarget);
 * ```
 */
export function replicasForSlo(input: ReplicasForSloInput): ReplicasForSloResult {
  const c = parseConfig(ReplicasForSloInputSchema, input, ['replicasForSlo']);
  const service = resolveServiceTime(c.service, ['replicasForSlo', 'service']);
  const quantile = checkPercentile(c.slo.percentile, ['replicasForSlo', 'slo', 'percentile']);
  const percentileLabel = `P${fmt(c.slo.percentile)}`;
  const slots = c.slotsPerReplica;
  const offeredLoad = (c.arrivalRatePerS * service.meanMs) / 1000;
  const stabilityMinReplicas = Math.floor(offeredLoad / slots) + 1;
  const waitBudgetMs = c.slo.waitMs ?? (c.slo.latencyMs as number) - service.meanMs;
  const atMax = (): StableQueueWaitPrediction | UnstableQueueWaitPrediction => {
    const servers = c.maxReplicas * slots;
    if (offeredLoad >= servers) {
      return { stable: false, servers, offeredLoad, utilization: offeredLoad / servers };
    }
    const b = erlangBUnchecked(servers, offeredLoad);
    return stablePrediction(servers, offeredLoad, service.meanMs, c.arrivalCv, service.cv, b);
  };
  const unreachable = (
    reason: ReplicasForSloUnreachableReason,
    prediction: StableQueueWaitPrediction | UnstableQueueWaitPrediction,
    detail: string,
  ): ReplicasForSloUnreachable => ({
    kind: 'unreachable',
    reason,
    replicas: c.maxReplicas,
    stabilityMinReplicas,
    waitBudgetMs,
    prediction,
    service,
    detail,
  });

  if (waitBudgetMs < 0) {
    return unreachable(
      'service_exceeds_slo',
      atMax(),
      `unreachable: the mean service time ${fmt(service.meanMs)} ms alone exceeds the ${percentileLabel} latency objective of ${fmt(c.slo.latencyMs ?? 0)} ms; no number of replicas helps`,
    );
  }

  if (offeredLoad < NEGLIGIBLE_LOAD_ERLANGS) {
    const replicas = c.minReplicas;
    const prediction: StableQueueWaitPrediction = {
      stable: true,
      model: 'erlang-c',
      servers: replicas * slots,
      offeredLoad,
      utilization: 0,
      probabilityOfWait: 0,
      meanWaitMs: 0,
      meanWaitGivenWaitMs: 0,
      p95WaitMs: 0,
      p99WaitMs: 0,
    };
    return {
      kind: 'met',
      reason: 'no_load',
      replicas,
      servers: replicas * slots,
      utilizationTarget: 0,
      stabilityMinReplicas: 0,
      waitBudgetMs,
      waitAtPercentileMs: 0,
      model: 'erlang-c',
      prediction,
      service,
      detail: `no load: arrival rate ${fmt(c.arrivalRatePerS)} req/s (offered load ${offeredLoad} Erlangs), so ${replicas} replicas (minReplicas) and no wait`,
    };
  }

  if (c.admission !== undefined) {
    const admission: ResolvedAdmission = { ...c.admission, slotsPerReplica: slots };
    return searchWithAdmission(c, service, admission, quantile, percentileLabel, waitBudgetMs);
  }

  const start = Math.max(stabilityMinReplicas, c.minReplicas, 1);
  if (start > c.maxReplicas) {
    return unreachable(
      'max_replicas',
      atMax(),
      `unreachable: the offered load of ${fmt(offeredLoad)} Erlangs needs at least ${stabilityMinReplicas} replicas of ${slots} slots to be stable, above maxReplicas ${c.maxReplicas}`,
    );
  }

  // Carry the Erlang B recursion forward: b holds B(servers, a) for the current servers.
  let servers = 0;
  let b = 1;
  const advanceTo = (target: number): void => {
    for (let k = servers + 1; k <= target; k++) b = (offeredLoad * b) / (k + offeredLoad * b);
    servers = target;
  };
  let last: StableQueueWaitPrediction | undefined;
  for (let replicas = start; replicas <= c.maxReplicas; replicas++) {
    advanceTo(replicas * slots);
    const p = stablePrediction(servers, offeredLoad, service.meanMs, c.arrivalCv, service.cv, b);
    last = p;
    const wait = exponentialTailPercentile(p.probabilityOfWait, p.meanWaitGivenWaitMs, quantile);
    if (wait <= waitBudgetMs) {
      const reason: ReplicasForSloReason =
        replicas > start ? 'slo' : start === stabilityMinReplicas ? 'stability' : 'min_replicas';
      const utilizationTarget = offeredLoad / servers;
      return {
        kind: 'met',
        reason,
        replicas,
        servers,
        utilizationTarget,
        stabilityMinReplicas,
        waitBudgetMs,
        waitAtPercentileMs: wait,
        model: p.model,
        prediction: p,
        service,
        detail: `${replicas} replicas (${servers} servers) meet the ${percentileLabel} wait budget of ${fmt(waitBudgetMs)} ms with a predicted ${fmt(wait)} ms (${p.model}); utilization target ${fmt(utilizationTarget)} at ${fmt(c.arrivalRatePerS)} req/s; stability alone needs ${stabilityMinReplicas}`,
      };
    }
  }
  return unreachable(
    'max_replicas',
    last ?? atMax(),
    `unreachable: even maxReplicas ${c.maxReplicas} replicas predict a ${percentileLabel} wait above the budget of ${fmt(waitBudgetMs)} ms`,
  );
}

type ParsedReplicasForSloInput = z.output<typeof ReplicasForSloInputSchema>;

/** The search of {@link replicasForSlo} with an admission term (see there). */
function searchWithAdmission(
  c: ParsedReplicasForSloInput,
  service: ServiceTimeStats,
  admission: ResolvedAdmission,
  quantile: number,
  percentileLabel: string,
  waitBudgetMs: number,
): ReplicasForSloResult {
  const slots = c.slotsPerReplica;
  const path = ['replicasForSlo', 'admission'];
  const loadAt = (replicas: number): { meanMs: number; load: number } => {
    const meanMs = serviceAtLoadMs(admission, service.meanMs, c.arrivalRatePerS / replicas, path);
    return { meanMs, load: (c.arrivalRatePerS * meanMs) / 1000 };
  };
  const stableAt = (replicas: number): boolean => {
    const { load } = loadAt(replicas);
    return Number.isFinite(load) && load < replicas * slots;
  };
  const predictAt = (replicas: number): StableQueueWaitPrediction | UnstableQueueWaitPrediction => {
    const servers = replicas * slots;
    const { meanMs, load } = loadAt(replicas);
    if (!Number.isFinite(load) || load >= servers) {
      const offeredLoad = Number.isFinite(load) ? load : Number.MAX_VALUE;
      return { stable: false, servers, offeredLoad, utilization: offeredLoad / servers };
    }
    const term = admissionTerm(admission, service.meanMs, meanMs, c.arrivalRatePerS / replicas);
    const b = erlangBUnchecked(servers, load);
    return stablePrediction(servers, load, meanMs, c.arrivalCv, service.cv, b, term);
  };
  const waitOf = (p: StableQueueWaitPrediction): number =>
    p.admission === undefined
      ? exponentialTailPercentile(p.probabilityOfWait, p.meanWaitGivenWaitMs, quantile)
      : mixedPercentileMs(p.probabilityOfWait, p.meanWaitGivenWaitMs, p.admission, quantile);
  const meets = (replicas: number): StableQueueWaitPrediction | undefined => {
    const p = predictAt(replicas);
    return p.stable && waitOf(p) <= waitBudgetMs ? p : undefined;
  };
  /** Smallest r in [lo, hi] with ok(r), given ok(hi) and ok non-decreasing in r. */
  const firstOf = (lo: number, hi: number, ok: (r: number) => boolean): number => {
    let low = lo;
    let high = hi;
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      if (ok(mid)) high = mid;
      else low = mid + 1;
    }
    return high;
  };

  // Without the rescaling the load is a = λ·S; with it, S(λ/r) <= S at every stable count, so
  // floor(a / slots) + 1 replicas are stable and bound the search.
  const plainStability = Math.floor((c.arrivalRatePerS * service.meanMs) / 1000 / slots) + 1;
  const stabilityMinReplicas = firstOf(1, plainStability, stableAt);
  const unreachable = (detail: string): ReplicasForSloUnreachable => ({
    kind: 'unreachable',
    reason: 'max_replicas',
    replicas: c.maxReplicas,
    stabilityMinReplicas,
    waitBudgetMs,
    prediction: predictAt(c.maxReplicas),
    service,
    detail,
  });
  const start = Math.max(stabilityMinReplicas, c.minReplicas, 1);
  if (start > c.maxReplicas) {
    return unreachable(
      `unreachable: the load needs at least ${stabilityMinReplicas} replicas of ${slots} slots to be stable (service rescaled to the load), above maxReplicas ${c.maxReplicas}`,
    );
  }
  let replicas = start;
  let p = meets(start);
  if (p === undefined) {
    if (meets(c.maxReplicas) === undefined) {
      return unreachable(
        `unreachable: even maxReplicas ${c.maxReplicas} replicas predict a ${percentileLabel} wait (slot wait plus admission delay) above the budget of ${fmt(waitBudgetMs)} ms`,
      );
    }
    replicas = firstOf(start + 1, c.maxReplicas, (r) => meets(r) !== undefined);
    p = meets(replicas) as StableQueueWaitPrediction;
  }
  const reason: ReplicasForSloReason =
    replicas > start ? 'slo' : start === stabilityMinReplicas ? 'stability' : 'min_replicas';
  const wait = waitOf(p);
  return {
    kind: 'met',
    reason,
    replicas,
    servers: p.servers,
    utilizationTarget: p.utilization,
    stabilityMinReplicas,
    waitBudgetMs,
    waitAtPercentileMs: wait,
    model: p.model,
    prediction: p,
    service,
    detail: `${replicas} replicas (${p.servers} servers) meet the ${percentileLabel} wait budget of ${fmt(waitBudgetMs)} ms with a predicted ${fmt(wait)} ms (${p.model} plus batch admission; service ${fmt(p.admission?.serviceMeanMs ?? service.meanMs)} ms at this load); utilization target ${fmt(p.utilization)} at ${fmt(c.arrivalRatePerS)} req/s; stability alone needs ${stabilityMinReplicas}`,
  };
}
