// Replays the first 15 minutes of the Azure LLM inference trace (conversation service) and turns
// it into the signals an autoscaler reads, with @headroom/core's windowed statistics:
//   - request rate over a sliding 60 s window (RateCounter),
//   - p50/p99 end-to-end latency over a sliding 60 s window (WindowedQuantiles, DDSketch 1%),
//   - open streams as a point sample vs the high-water mark since the last scrape,
//   - a time-decayed EWMA of the rate, fed at the scrape times.
// Service times come from the Splitwise profile of llama2-70b on H100-80GB (batch 1).
// Both data files ship in ../data with their attribution (data/SOURCES.md).
// Run: npm run example -w @headroom/example-core-signals
import { readFileSync } from 'node:fs';
import {
  HighWaterMarkGauge,
  MinHeap,
  RateCounter,
  TimeDecayedEwma,
  WindowedQuantiles,
  coldStartMs,
  createLifecycle,
  createRandom,
  transition,
} from '@headroom/core';

const data = new URL('../data/', import.meta.url);

/** Mean prefill ms per prompt token and decode ms per output token, from the Splitwise profile. */
function serviceModel(): { prefillMsPerToken: number; decodeMsPerToken: number } {
  const rows = readFileSync(new URL('splitwise-llama2-70b-h100-batch1.csv', data), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  let prefill = 0;
  let decode = 0;
  let n = 0;
  for (const line of rows) {
    const [model, hardware, promptSize, batchSize, , , , promptTime, tokenTime] = line.split(',');
    if (model === 'llama2-70b' && hardware === 'h100-80gb' && batchSize === '1') {
      prefill += Number(promptTime) / Number(promptSize);
      decode += Number(tokenTime);
      n++;
    }
  }
  return { prefillMsPerToken: prefill / n, decodeMsPerToken: decode / n };
}

interface Request {
  readonly atMs: number;
  readonly contextTokens: number;
  readonly generatedTokens: number;
}

function loadTrace(minutes: number): Request[] {
  const lines = readFileSync(new URL('azure-conv-first-15min.csv', data), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  const parse = (ts: string): number => Date.parse(`${ts.slice(0, 23).replace(' ', 'T')}Z`);
  const start = parse(lines[0]!.split(',')[0]!);
  const out: Request[] = [];
  for (const line of lines) {
    const [ts, ctx, gen] = line.split(',');
    const atMs = parse(ts!) - start;
    if (atMs > minutes * 60_000) break;
    out.push({ atMs, contextTokens: Number(ctx), generatedTokens: Number(gen) });
  }
  return out;
}

const model = serviceModel();
const requests = loadTrace(15);
console.log(
  `Azure conv trace: ${requests.length} requests in 15 min; llama2-70b on H100: ` +
    `${model.prefillMsPerToken.toFixed(3)} ms/prompt token, ${model.decodeMsPerToken.toFixed(1)} ms/output token\n`,
);

const rate = new RateCounter({ windowMs: 60_000, slots: 60, startMs: 0 });
const latency = new WindowedQuantiles({ windowMs: 60_000, slots: 6, relativeAccuracy: 0.01 });
const streams = new HighWaterMarkGauge(0, 0);
const smoothedRate = new TimeDecayedEwma({ halfLifeMs: 120_000 });
const completions = new MinHeap<{ atMs: number; latencyMs: number }>((a, b) => a.atMs - b.atMs);

const SCRAPE_MS = 60_000;
let nextScrape = SCRAPE_MS;
console.log('  time   req/s  ewma req/s   p50 s   p99 s   streams now   streams peak');

function scrape(nowMs: number): void {
  const [p50, p99] = latency.quantiles([0.5, 0.99], nowMs);
  const pointSample = streams.current;
  const { peak } = streams.collect(nowMs);
  const rps = rate.rate(nowMs);
  smoothedRate.update(rps, nowMs);
  console.log(
    `${String(nowMs / 60_000).padStart(4)} min ${rps.toFixed(2).padStart(7)} ${smoothedRate.value!.toFixed(2).padStart(11)} ` +
      `${((p50 ?? 0) / 1000).toFixed(1).padStart(7)} ${((p99 ?? 0) / 1000).toFixed(1).padStart(7)} ` +
      `${String(pointSample).padStart(13)} ${String(peak).padStart(14)}`,
  );
}

function completeUntil(nowMs: number): void {
  for (
    let done = completions.peek();
    done !== undefined && done.atMs <= nowMs;
    done = completions.peek()
  ) {
    completions.pop();
    while (nextScrape <= done.atMs) {
      scrape(nextScrape);
      nextScrape += SCRAPE_MS;
    }
    streams.add(-1, done.atMs);
    latency.record(done.latencyMs, done.atMs);
  }
}

for (const request of requests) {
  completeUntil(request.atMs);
  while (nextScrape <= request.atMs) {
    scrape(nextScrape);
    nextScrape += SCRAPE_MS;
  }
  rate.add(1, request.atMs);
  streams.add(+1, request.atMs);
  const latencyMs =
    request.contextTokens * model.prefillMsPerToken +
    request.generatedTokens * model.decodeMsPerToken;
  completions.push({ atMs: request.atMs + latencyMs, latencyMs });
}
completeUntil(15 * 60_000);

// Cold-start accounting for one new replica, with phase times drawn from a seeded generator in
// the ranges published for 70B-class models loaded from network storage (see the cold-start
// reference in the simulator's data).
const random = createRandom(2026);
let life = createLifecycle(0);
let t = 0;
for (const [state, minMs, maxMs] of [
  ['provisioning', 20_000, 60_000],
  ['loading', 60_000, 240_000],
  ['warming', 5_000, 20_000],
  ['ready', 0, 0],
] as const) {
  life = transition(life, state, t);
  t += minMs + random.nextInt(maxMs - minMs + 1);
}
console.log(
  `\nA new 70B replica became ready after ${(coldStartMs(life)! / 1000).toFixed(1)} s (seed 2026).`,
);
