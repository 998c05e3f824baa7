// One benchmark harness for every package: each figure is measured next to a naive or peer
// baseline in the same process and run, and printed with the ratio between them.
import { Bench } from 'tinybench';
import { availableParallelism } from 'node:os';

/** One side of a comparison: a function that performs `opsPerCall` operations per call. */
export interface BenchSide {
  /** What is measured, for example `WindowedQuantiles (DDSketch)`. */
  readonly name: string;
  /** Runs `opsPerCall` operations. */
  readonly fn: () => void;
}

/** A headroom implementation measured against a baseline. */
export interface Comparison {
  /** The figure's name, for example `insert + p99, 10k-sample window`. */
  readonly name: string;
  /** Operations performed by one call of each side's `fn` (batching keeps timer noise out). */
  readonly opsPerCall: number;
  /** Ours. */
  readonly subject: BenchSide;
  /** The naive or peer baseline. */
  readonly baseline: BenchSide;
}

/** Result of one comparison. */
export interface ComparisonResult {
  readonly name: string;
  readonly subject: string;
  readonly baseline: string;
  readonly subjectOpsPerSec: number;
  readonly baselineOpsPerSec: number;
  /** subject ops/s ÷ baseline ops/s: above 1 means ours is faster. */
  readonly ratio: number;
  /** Median time of one operation of the subject, ns (median call time ÷ opsPerCall). */
  readonly subjectMedianNsPerOp: number;
  /** Median time of one operation of the baseline, ns. */
  readonly baselineMedianNsPerOp: number;
}

function formatRate(opsPerSec: number): string {
  if (opsPerSec >= 1e6) return `${(opsPerSec / 1e6).toFixed(2)}M ops/s`;
  if (opsPerSec >= 1e3) return `${(opsPerSec / 1e3).toFixed(1)}k ops/s`;
  return `${opsPerSec.toFixed(1)} ops/s`;
}

/**
 * Runs each comparison (subject and baseline interleaved in one tinybench run) and prints a
 * table. `HEADROOM_BENCH_TIME_MS` sets the time per task (default 1000 ms).
 */
export async function runComparisons(
  suite: string,
  comparisons: readonly Comparison[],
): Promise<ComparisonResult[]> {
  const timeMs = Number(process.env.HEADROOM_BENCH_TIME_MS ?? 1000);
  const results: ComparisonResult[] = [];
  process.stdout.write(
    `\n${suite} (node ${process.version}, ${availableParallelism()} cores, ${timeMs} ms per task)\n`,
  );
  for (const comparison of comparisons) {
    const bench = new Bench({ time: timeMs, warmup: true, warmupTime: Math.min(250, timeMs) });
    bench.add(comparison.subject.name, comparison.subject.fn);
    bench.add(comparison.baseline.name, comparison.baseline.fn);
    await bench.run();
    const rate = (index: number): number => {
      const result = bench.tasks[index]?.result;
      if (result === undefined || !('period' in result) || result.period <= 0) {
        throw new Error(`benchmark task ${comparison.name} #${index} did not complete`);
      }
      return (comparison.opsPerCall * 1000) / result.period;
    };
    const subjectOpsPerSec = rate(0);
    const baselineOpsPerSec = rate(1);
    const median = (index: number): number => {
      const result = bench.tasks[index]?.result;
      const p50 = result !== undefined && 'latency' in result ? result.latency.p50 : undefined;
      return p50 === undefined ? Number.NaN : (p50 * 1e6) / comparison.opsPerCall;
    };
    const ratio = subjectOpsPerSec / baselineOpsPerSec;
    results.push({
      name: comparison.name,
      subject: comparison.subject.name,
      baseline: comparison.baseline.name,
      subjectOpsPerSec,
      baselineOpsPerSec,
      ratio,
      subjectMedianNsPerOp: median(0),
      baselineMedianNsPerOp: median(1),
    });
    process.stdout.write(
      `  ${comparison.name}\n` +
        `    ${comparison.subject.name.padEnd(44)} ${formatRate(subjectOpsPerSec).padStart(16)}\n` +
        `    ${comparison.baseline.name.padEnd(44)} ${formatRate(baselineOpsPerSec).padStart(16)}\n` +
        `    ratio (ours / baseline)${' '.repeat(22)}${`${ratio.toFixed(2)}x`.padStart(16)}\n`,
    );
  }
  return results;
}
