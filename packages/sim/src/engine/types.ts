import type { InstanceSnapshot } from '@headroom/core';
import type { Trace } from '../traces/types.js';

/**
 * What a scaling policy sees at each autoscaler tick. Instance metrics and the arrival rate arrive
 * `metricsLagMs` late (a scrape pipeline's delay); replica counts are current (the control plane
 * knows them at once).
 */
export interface PolicyObservation {
  /** Simulated time of the tick, ms from the trace start. */
  readonly nowMs: number;
  /** The desired count last set (including instances not yet ready). */
  readonly currentReplicas: number;
  /** Instances ready now (not draining). */
  readonly readyReplicas: number;
  /**
   * Lagged instance snapshots (core's vocabulary): `state`, one `gpus[i]` per GPU of the replica
   * with `utilization` (busy fraction over the tick before the sample) and memory, and `load`:
   * `queueDepth` (waiting), `inFlightRequests` (running batch), `kvCacheUtilization` (0..1),
   * `activeStreams`.
   */
  readonly instances: readonly InstanceSnapshot[];
  /** Arrivals per second over the tick before the (lagged) sample. */
  readonly arrivalRatePerSec: number;
  /** The lagged arrival-rate history, oldest first, one entry per tick (for predictive policies). */
  readonly recentArrivalRates: readonly { readonly atMs: number; readonly perSec: number }[];
  /** The median and 95th percentile of the configured cold-start distribution, ms. */
  readonly coldStartMs: { readonly p50: number; readonly p95: number };
  /** The service model's estimate of one replica's sustainable rate at the SLO, requests/s. */
  readonly capacityPerReplicaRps: number;
}

/** A scaling policy the simulator runs at its interval. */
export interface SimPolicy {
  /** Name, as reports show it. */
  readonly name: string;
  /** Called once at t = 0; returns the initial replica count (the engine clamps it). */
  initialReplicas(ctx: {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly trace: Trace;
    readonly capacityPerReplicaRps: number;
  }): number;
  /** Called every `intervalMs`; returns the desired replica count (the engine clamps to [min, max]). */
  decide(obs: PolicyObservation): number;
  /** Autoscaler interval, ms. @defaultValue 15_000 */
  readonly intervalMs?: number;
}

/** An exact schedule (the oracle's): the replicas desired from each time on, ms from the trace start. */
export interface ReplicaSchedule {
  /** Points sorted by `atMs`; the first one (or `minReplicas` before it) holds from t = 0. */
  readonly points: readonly { atMs: number; replicas: number }[];
}

/** Summary statistics of a latency sample, ms. All 0 for an empty sample. */
export interface Quantiles {
  /** Median. */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** 95th percentile. */
  p95: number;
  /** 99th percentile. */
  p99: number;
  /** Largest value. */
  max: number;
  /** Arithmetic mean. */
  mean: number;
}

/** What one simulated run of one policy produced. Plain, JSON-safe data. */
export interface PolicyRunResult {
  /** The policy's name (`'oracle'` for a schedule run without a name). */
  policy: string;
  /**
   * Request counts: every trace request is `completed` or `dropped` exactly once. `sloMet` counts
   * completed requests with TTFT <= the SLO; `sloAttainment` = sloMet / total (a drop is a miss;
   * 1 for an empty trace). `migrated` counts requests moved off a preempted spot instance.
   */
  requests: {
    total: number;
    completed: number;
    dropped: number;
    sloMet: number;
    sloAttainment: number;
    migrated?: number;
  };
  /** Latency of completed requests, ms: time to first token, queue wait, end to end. */
  latencyMs: { ttft: Quantiles; queueWait: Quantiles; e2e: Quantiles };
  /** The TTFT CDF of completed requests: about 100 points `[valueMs, cumulativeFraction]`. */
  cdf: { ttftMs: [number, number][] };
  /**
   * GPU-hours billed (provisioning start to termination × GPUs per replica), by capacity type;
   * `ready`: the part spent ready or draining (serving), never more than `total`.
   */
  gpuHours: { total: number; byCapacityType: Record<string, number>; ready?: number };
  /** Dollars for those GPU-hours at the catalog's prices, by capacity type. */
  costUsd: { total: number; byCapacityType: Record<string, number> };
  /** Instances that went through a cold start (initial warm replicas excluded). */
  coldStarts: number;
  /** Changes of the desired replica count. */
  scaleEvents: number;
  /** Audio streams: opened, dropped (no capacity, or nowhere to move), migrated. */
  streams: { opened: number; dropped: number; migrated: number };
  /** Spot interruption notices received. */
  preemptions: number;
  /**
   * Time series sampled every `stepMs` from t = 0 (at most about 600 points): demand (arrivals/s
   * over the step), ready, desired and provisioned (billable) replicas at the sample, and the mean
   * busy fraction of ready instances over the step.
   */
  timeSeries: {
    stepMs: number;
    t: number[];
    demandRps: number[];
    readyReplicas: number[];
    desiredReplicas: number[];
    provisionedReplicas: number[];
    utilization: number[];
  };
}

/** What the flagship writes as JSON and HTML: several scenarios, each with every policy's result. */
export interface SimReport {
  /** Format version. */
  version: 1;
  /** Report title. */
  title: string;
  /** One entry per trace (scenario). */
  scenarios: {
    /** Scenario name, e.g. `'azure-code'`. */
    name: string;
    /** The trace replayed. */
    trace: { name: string; source: string; requests: number; durationMs: number };
    /** The settings shared by every policy of the scenario. */
    settings: {
      seed: number;
      gpuClass: string;
      sloTtftMs: number;
      sloE2eMsPerToken?: number;
      coldStart: string;
      timeScale: number;
    };
    /** One result per policy, including the oracle as policy `'oracle'`. */
    results: PolicyRunResult[];
  }[];
}
