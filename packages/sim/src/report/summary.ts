import { formatCount, formatDuration, formatNumber } from './format.js';
import type { PolicyRunResult, SimScenario } from './types.js';

/** The policy name the simulator gives its lower bound. */
export const ORACLE_POLICY = 'oracle';

/** One row of a scenario's summary table: the figures the terminal and HTML tables show. */
export interface ScenarioSummaryRow {
  /** The policy's name. */
  readonly policy: string;
  /** Whether this row is the oracle's. */
  readonly isOracle: boolean;
  /** Share of requests within the SLO, 0..1. */
  readonly sloAttainment: number;
  /** Median time to first token, ms. */
  readonly ttftP50Ms: number;
  /** 99th-percentile time to first token, ms. */
  readonly ttftP99Ms: number;
  /** 99th-percentile end-to-end latency, ms. */
  readonly e2eP99Ms: number;
  /** Requests dropped. */
  readonly dropped: number;
  /** GPU-hours provisioned. */
  readonly gpuHours: number;
  /** Dollars spent. */
  readonly costUsd: number;
  /** Cold starts. */
  readonly coldStarts: number;
  /** Scale events. */
  readonly scaleEvents: number;
  /**
   * GPU-hours over the oracle's: 1 on the oracle's row; `NaN` when the scenario has no oracle or
   * either figure is not finite; `Infinity` when the oracle used none and this policy some.
   */
  readonly gpuHoursVsOracle: number;
  /** Dollars over the oracle's, by the same rule as {@link ScenarioSummaryRow.gpuHoursVsOracle}. */
  readonly costVsOracle: number;
}

/** `value / reference` by the rule documented on {@link ScenarioSummaryRow.gpuHoursVsOracle}. */
function ratio(value: number, reference: number | undefined): number {
  if (reference === undefined || !Number.isFinite(value) || !Number.isFinite(reference)) {
    return Number.NaN;
  }
  if (reference === 0) return value === 0 ? 1 : Number.POSITIVE_INFINITY;
  return value / reference;
}

/**
 * The summary rows of one scenario, in the order of its results. The oracle is the first result
 * named {@link ORACLE_POLICY}; ratios are taken against it.
 */
export function summarizeScenario(scenario: Readonly<SimScenario>): ScenarioSummaryRow[] {
  const oracle: PolicyRunResult | undefined = scenario.results.find(
    (r) => r.policy === ORACLE_POLICY,
  );
  return scenario.results.map((r) => ({
    policy: r.policy,
    isOracle: r === oracle,
    sloAttainment: r.requests.sloAttainment,
    ttftP50Ms: r.latencyMs.ttft.p50,
    ttftP99Ms: r.latencyMs.ttft.p99,
    e2eP99Ms: r.latencyMs.e2e.p99,
    dropped: r.requests.dropped,
    gpuHours: r.gpuHours.total,
    costUsd: r.costUsd.total,
    coldStarts: r.coldStarts,
    scaleEvents: r.scaleEvents,
    gpuHoursVsOracle: ratio(r.gpuHours.total, oracle?.gpuHours.total),
    costVsOracle: ratio(r.costUsd.total, oracle?.costUsd.total),
  }));
}

/** One line describing a scenario's trace: `trace azure-code (file.csv): 19,366 requests over 1h00m`. */
export function describeTrace(scenario: Readonly<SimScenario>): string {
  const { trace } = scenario;
  return `trace ${trace.name} (${trace.source}): ${formatCount(trace.requests)} requests over ${formatDuration(trace.durationMs)}`;
}

/**
 * One line describing a scenario's settings:
 * `seed 42, GPU H100, SLO TTFT 2,000 ms, SLO e2e 40 ms/token, cold start ..., time scale 1`.
 */
export function describeSettings(scenario: Readonly<SimScenario>): string {
  const s = scenario.settings;
  const parts = [
    `seed ${formatNumber(s.seed)}`,
    `GPU ${s.gpuClass}`,
    `SLO TTFT ${formatNumber(s.sloTtftMs)} ms`,
    ...(s.sloE2eMsPerToken === undefined
      ? []
      : [`SLO e2e ${formatNumber(s.sloE2eMsPerToken)} ms/token`]),
    `cold start ${s.coldStart}`,
    `time scale ${formatNumber(s.timeScale)}`,
  ];
  return parts.join(', ');
}
