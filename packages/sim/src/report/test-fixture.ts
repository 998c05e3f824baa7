import type { PolicyRunResult, Quantiles, SimReport, SimScenario } from './types.js';

/**
 * A realistic {@link SimReport} for the report tests, built by a deterministic formula (no
 * randomness): each scenario replays a two-hour trace with a daily-shaped ramp and a burst; each
 * policy follows demand with its own lag and headroom, the oracle tightest. Not exported from the
 * package entry.
 *
 * @internal
 */
export interface FixtureOptions {
  /** Scenario names. @defaultValue `['azure-code', 'azure-conv']` */
  readonly scenarios?: readonly string[];
  /** Policy names, in table order. @defaultValue static-peak, hpa, keda, knative, headroom, oracle */
  readonly policies?: readonly string[];
  /** Samples per time series. @defaultValue 240 (30 s steps over 2 h) */
  readonly points?: number;
}

const DEFAULT_POLICIES = ['static-peak', 'hpa', 'keda', 'knative', 'headroom', 'oracle'];
const STEP_MS = 30_000;
const CAPACITY_RPS = 2.5;
const USD_PER_GPU_HOUR = { 'on-demand': 3.9, spot: 1.6, reserved: 2.4 } as const;

function quantiles(p50: number, spread: number): Quantiles {
  return {
    p50,
    p90: p50 * spread,
    p95: p50 * spread * 1.4,
    p99: p50 * spread * 3,
    max: p50 * spread * 8,
    mean: p50 * 1.3,
  };
}

function demandAt(i: number, n: number, phase: number): number {
  const x = i / Math.max(1, n - 1);
  const base = 6 + 10 * Math.sin(Math.PI * x) ** 2 + phase;
  const burst = x > 0.55 && x < 0.62 ? 14 : 0;
  return Math.round((base + burst + 1.5 * Math.sin(i * 0.7 + phase)) * 100) / 100;
}

function policyResult(
  policy: string,
  index: number,
  scenarioIndex: number,
  n: number,
): PolicyRunResult {
  const oracle = policy === 'oracle';
  const staticPeak = policy === 'static-peak';
  const lag = oracle ? 0 : 1 + index * 2;
  const headroom = oracle ? 1.0 : 1.1 + 0.05 * index;
  const t: number[] = [];
  const demand: number[] = [];
  for (let i = 0; i < n; i++) {
    t.push(i * STEP_MS);
    demand.push(demandAt(i, n, scenarioIndex));
  }
  const peak = Math.max(...demand);
  const desired = demand.map((_, i) => {
    if (staticPeak) return Math.ceil((peak * 1.1) / CAPACITY_RPS);
    const seen = demand[Math.max(0, i - (oracle ? 0 : 1))] ?? 0;
    return Math.max(1, Math.ceil((seen * headroom) / CAPACITY_RPS));
  });
  const ready = desired.map((_, i) => desired[Math.max(0, i - lag)] ?? 1);
  const provisioned = desired.map((d, i) => Math.max(d, ready[i] ?? 0));
  const utilization = demand.map((d, i) =>
    Math.min(1, Math.round((d / CAPACITY_RPS / Math.max(1, ready[i] ?? 1)) * 1000) / 1000),
  );
  const replicaSteps = provisioned.reduce((a, b) => a + b, 0);
  const gpuHours = Math.round(((replicaSteps * STEP_MS) / 3_600_000) * 100) / 100;
  const spotShare = staticPeak ? 0 : 0.3 + 0.05 * index;
  const typeA = staticPeak ? 'reserved' : 'on-demand';
  const byType: Record<string, number> = { [typeA]: gpuHours * (1 - spotShare) };
  if (spotShare > 0) byType['spot'] = gpuHours * spotShare;
  const cost: Record<string, number> = {};
  for (const [type, hours] of Object.entries(byType)) {
    cost[type] =
      Math.round(hours * USD_PER_GPU_HOUR[type as keyof typeof USD_PER_GPU_HOUR] * 100) / 100;
  }
  const total = Math.round(demand.reduce((a, b) => a + b, 0) * (STEP_MS / 1000));
  const attainment = oracle ? 0.999 : staticPeak ? 0.995 : 0.9 + 0.015 * index;
  const p50 = 180 + 40 * index + (oracle ? -60 : 0);
  const cdf: [number, number][] = [];
  for (let k = 1; k <= 100; k++) {
    const q = k / 100;
    cdf.push([Math.round(p50 * Math.exp(2.2 * (q - 0.5)) * (q > 0.97 ? 3 : 1) * 10) / 10, q]);
  }
  let scaleEvents = 0;
  for (let i = 1; i < n; i++) if (desired[i] !== desired[i - 1]) scaleEvents++;
  return {
    policy,
    requests: {
      total,
      completed: total - (oracle ? 0 : index * 3),
      dropped: oracle ? 0 : index * 3,
      sloMet: Math.round(total * attainment),
      sloAttainment: Math.round(total * attainment) / total,
    },
    latencyMs: {
      ttft: quantiles(p50, 2.1),
      queueWait: quantiles(p50 / 4, 3),
      e2e: quantiles(p50 * 20, 1.8),
    },
    cdf: { ttftMs: cdf },
    gpuHours: { total: gpuHours, byCapacityType: byType },
    costUsd: { total: Object.values(cost).reduce((a, b) => a + b, 0), byCapacityType: cost },
    coldStarts: staticPeak ? 0 : scaleEvents + index,
    scaleEvents,
    streams: { opened: 0, dropped: 0, migrated: 0 },
    preemptions: oracle ? 0 : index,
    timeSeries: {
      stepMs: STEP_MS,
      t,
      demandRps: demand,
      readyReplicas: ready,
      desiredReplicas: desired,
      provisionedReplicas: provisioned,
      utilization,
    },
  };
}

/** Builds the fixture report. @internal */
export function buildFixtureReport(options: FixtureOptions = {}): SimReport {
  const names = options.scenarios ?? ['azure-code', 'azure-conv'];
  const policies = options.policies ?? DEFAULT_POLICIES;
  const n = options.points ?? 240;
  const scenarios: SimScenario[] = names.map((name, s) => ({
    name,
    trace: {
      name,
      source: `AzureLLMInferenceTrace_${name.replace(/^azure-/, '')}.csv`,
      requests: 19_366 + s * 7_000,
      durationMs: n * STEP_MS,
    },
    settings: {
      seed: 42,
      gpuClass: 'H100',
      sloTtftMs: 2000,
      sloE2eMsPerToken: 60,
      coldStart: 'lognormal p50 60 s, p95 180 s',
      timeScale: 1,
    },
    results: policies.map((p, i) => policyResult(p, i, s, n)),
  }));
  return {
    version: 1,
    title: 'headroom-sim: policies vs the oracle on Azure LLM traces',
    scenarios,
  };
}
