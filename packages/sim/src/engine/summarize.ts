import type { PolicyRunResult } from './types.js';

function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

function byType(record: Record<string, number>, format: (v: number) => string): string {
  const keys = Object.keys(record).sort();
  if (keys.length === 0) return '';
  return ` (${keys.map((k) => `${k} ${format(record[k] as number)}`).join(', ')})`;
}

/**
 * A human summary of one run, a few plain lines: requests and SLO attainment, latency
 * percentiles, GPU-hours and dollars by capacity type, cold starts, scale events, streams and
 * preemptions, and the peak of the time series. Deterministic text (no locale formatting).
 *
 * @example
 * ```ts
 * process.stdout.write(summarize(simulate(config)));
 * ```
 */
export function summarize(result: PolicyRunResult): string {
  const r = result.requests;
  const { ttft, queueWait, e2e } = result.latencyMs;
  const ts = result.timeSeries;
  const peakDemand = ts.demandRps.reduce((a, b) => Math.max(a, b), 0);
  const peakReady = ts.readyReplicas.reduce((a, b) => Math.max(a, b), 0);
  const meanUtil =
    ts.utilization.length === 0
      ? 0
      : ts.utilization.reduce((a, b) => a + b, 0) / ts.utilization.length;
  const lines = [
    `policy ${result.policy}`,
    `  requests      ${r.total} total, ${r.completed} completed, ${r.dropped} dropped` +
      (r.migrated !== undefined && r.migrated > 0 ? `, ${r.migrated} migrated` : ''),
    `  SLO           ${pct(r.sloAttainment)} met (${r.sloMet} of ${r.total})`,
    `  TTFT          p50 ${ms(ttft.p50)}, p95 ${ms(ttft.p95)}, p99 ${ms(ttft.p99)}, max ${ms(ttft.max)}`,
    `  queue wait    p50 ${ms(queueWait.p50)}, p99 ${ms(queueWait.p99)}`,
    `  end to end    p50 ${ms(e2e.p50)}, p99 ${ms(e2e.p99)}`,
    `  GPU-hours     ${result.gpuHours.total.toFixed(2)}${byType(result.gpuHours.byCapacityType, (v) => v.toFixed(2))}`,
    `  cost          $${result.costUsd.total.toFixed(2)}${byType(result.costUsd.byCapacityType, (v) => `$${v.toFixed(2)}`)}`,
    `  cold starts   ${result.coldStarts}, scale events ${result.scaleEvents}, preemptions ${result.preemptions}`,
    `  capacity      peak demand ${peakDemand.toFixed(1)} req/s, peak ready ${peakReady} replicas, mean utilization ${pct(meanUtil)}`,
  ];
  const s = result.streams;
  if (s.opened > 0) {
    lines.push(`  streams       ${s.opened} opened, ${s.dropped} dropped, ${s.migrated} migrated`);
  }
  return `${lines.join('\n')}\n`;
}
