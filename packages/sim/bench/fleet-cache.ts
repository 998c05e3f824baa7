// Model-cache benchmark: which eviction policy keeps cold loads cheapest on a multi-model fleet.
//   cd packages/sim && npx tsx --conditions=@headroom/source bench/fleet-cache.ts
//
// What it measures: the bundled Azure LLM inference traces (conversation and code, one hour
// each) with every request assigned one of 30 models by Zipf popularity (seeded, so every run is
// the same), replayed through @headroom/fleet's tiered model cache (GPU memory -> host RAM ->
// local NVMe -> remote store) under LRU, LFU and the cost-aware policy (GreedyDual-Size-Frequency).
// For each trace, Zipf exponent and GPU-tier size it prints cold loads (and the tier each came
// from), the load delay requests saw, the GPU-hours spent loading instead of serving, and the
// SLO-weighted cold-load cost, each as a ratio against LRU, then names the winner.
//
// The model mix: 7B, 8B, 13B, 34B and 70B fp16 weights (2 bytes per parameter), sizes shuffled
// over popularity ranks with a seeded draw; a third of the models are interactive (SLO cost 5 per
// second of load delay), the rest batch-like (1). Each load pays an engine warm-up of
// 10 s + 0.3 s per billion parameters (CUDA context and graph capture: vendors report ~12 s for
// 8B and ~30 s for 70B) on top of the tier's transfer at the cache's default bandwidths (host
// 16 GB/s, NVMe 3 GB/s, remote 1 GB/s). The tiers: GPU 2 or 4 x 80 GiB (weights only), host
// RAM 512 GB, NVMe 1 TB. Requests arriving while a load is in flight are not merged: each request
// to a missing model counts a cold load, the same for every policy. Everything is deterministic,
// so the figures are exact; no wall-clock time is measured. A last set of scenarios reverses the
// popularity ranking at half time, to show what happens when popularity shifts.
import { createRandom } from '@headroom/core';
import {
  replayModelCache,
  type ModelCacheConfigInput,
  type ModelCachePolicy,
  type ModelCacheReplayResult,
  type ModelCacheRequest,
} from '@headroom/fleet';
import { bundledTracePath, loadTrace } from '../src/node/load-trace.js';
import { assignModels } from '../src/traces/transforms.js';

const GIB = 1024 ** 3;
const MODEL_COUNT = 30;
const PARAMS_B = [7, 8, 13, 34, 70] as const;
const POLICIES: readonly ModelCachePolicy[] = ['lru', 'lfu', 'cost-aware'];
const ZIPF = [0.8, 1.1, 1.4] as const;
const GPUS = [2, 4] as const;
const TRACES = ['azure-conv', 'azure-code'] as const;

interface BenchModel {
  readonly name: string;
  readonly paramsB: number;
  readonly interactive: boolean;
}

function buildModels(): BenchModel[] {
  const random = createRandom(2024);
  const sizes: number[] = Array.from(
    { length: MODEL_COUNT },
    (_, i) => PARAMS_B[i % PARAMS_B.length] ?? 7,
  );
  // Fisher-Yates with the seeded Random: size is independent of popularity rank.
  for (let i = sizes.length - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    const a = sizes[i] as number;
    sizes[i] = sizes[j] as number;
    sizes[j] = a;
  }
  return sizes.map((paramsB, i) => ({
    name: `m${String(i + 1).padStart(2, '0')}-${paramsB}b`,
    paramsB,
    interactive: i % 3 === 0,
  }));
}

function cacheConfig(models: readonly BenchModel[], gpus: number): ModelCacheConfigInput {
  return {
    gpu: { capacityBytes: gpus * 80 * GIB, bytesPerGpu: 80 * GIB },
    host: { capacityBytes: 512e9 },
    nvme: { capacityBytes: 1e12 },
    models: models.map((m) => ({
      name: m.name,
      bytes: m.paramsB * 2e9,
      sloCostPerSecond: m.interactive ? 5 : 1,
      warmupMs: 10_000 + 300 * m.paramsB,
    })),
  };
}

function ratio(value: number, base: number): string {
  if (base === 0) return value === 0 ? '1.00x' : 'inf';
  return `${(value / base).toFixed(2)}x`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function lpad(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

function printTable(results: readonly ModelCacheReplayResult[]): void {
  const lru = results.find((r) => r.policy === 'lru');
  if (lru === undefined) return;
  const header = [
    pad('policy', 11),
    lpad('cold', 6),
    lpad('host/nvme/remote', 17),
    lpad('hit %', 6),
    lpad('load s', 9),
    lpad('GPU-h', 7),
    lpad('SLO cost', 10),
    lpad('cold vs LRU', 12),
    lpad('GPU-h vs LRU', 13),
    lpad('cost vs LRU', 12),
  ].join(' ');
  process.stdout.write(`  ${header}\n`);
  for (const r of results) {
    const t = r.coldLoadsByTier;
    const row = [
      pad(r.policy, 11),
      lpad(String(r.coldLoads), 6),
      lpad(`${t.host}/${t.nvme}/${t.remote}`, 17),
      lpad((r.hitRatio * 100).toFixed(1), 6),
      lpad(r.loadSeconds.toFixed(0), 9),
      lpad(r.gpuHoursLoading.toFixed(2), 7),
      lpad(r.sloCost.toFixed(0), 10),
      lpad(ratio(r.coldLoads, lru.coldLoads), 12),
      lpad(ratio(r.gpuHoursLoading, lru.gpuHoursLoading), 13),
      lpad(ratio(r.sloCost, lru.sloCost), 12),
    ].join(' ');
    process.stdout.write(`  ${row}\n`);
  }
}

function best(
  results: readonly ModelCacheReplayResult[],
  key: (r: ModelCacheReplayResult) => number,
): string {
  let winner = results[0];
  for (const r of results) if (winner === undefined || key(r) < key(winner)) winner = r;
  return winner?.policy ?? '-';
}

function main(): void {
  const models = buildModels();
  const names = models.map((m) => m.name);
  const wins = new Map<string, number>();
  process.stdout.write(
    `Model cache: ${MODEL_COUNT} models (7B-70B fp16, ${Math.round(
      models.reduce((n, m) => n + m.paramsB * 2, 0),
    )} GB in all), host 512 GB, NVMe 1 TB, remote 1 GB/s\n`,
  );
  for (const traceName of TRACES) {
    const trace = loadTrace(bundledTracePath(traceName));
    for (const zipfS of ZIPF) {
      const assigned = assignModels(trace, names, { zipfS }, createRandom(7));
      const requests: ModelCacheRequest[] = assigned.requests.map((r) => ({
        atMs: r.arrivalMs,
        model: r.model ?? (names[0] as string),
      }));
      for (const gpus of GPUS) {
        const config = cacheConfig(models, gpus);
        const results = POLICIES.map((policy) => replayModelCache(requests, config, { policy }));
        process.stdout.write(
          `\n${traceName} (${requests.length} requests, ${(trace.durationMs / 60_000).toFixed(
            0,
          )} min), Zipf s=${zipfS}, GPU tier ${gpus} x 80 GiB\n`,
        );
        printTable(results);
        const byCost = best(results, (r) => r.sloCost);
        const byCold = best(results, (r) => r.coldLoads);
        const byGpu = best(results, (r) => r.gpuHoursLoading);
        wins.set(byCost, (wins.get(byCost) ?? 0) + 1);
        process.stdout.write(
          `  lowest SLO cost: ${byCost}; fewest cold loads: ${byCold}; fewest GPU-hours loading: ${byGpu}\n`,
        );
      }
    }
  }
  // Popularity that shifts: at half time the ranking reverses (the coldest models become the
  // hottest), as when traffic moves to newly released models.
  for (const traceName of TRACES) {
    const trace = loadTrace(bundledTracePath(traceName));
    const zipfS = 1.1;
    const before = assignModels(trace, names, { zipfS }, createRandom(7));
    const after = assignModels(trace, [...names].reverse(), { zipfS }, createRandom(8));
    const half = trace.durationMs / 2;
    const requests: ModelCacheRequest[] = trace.requests.map((r, i) => {
      const source = r.arrivalMs < half ? before : after;
      return { atMs: r.arrivalMs, model: source.requests[i]?.model ?? (names[0] as string) };
    });
    for (const gpus of GPUS) {
      const config = cacheConfig(models, gpus);
      const results = POLICIES.map((policy) => replayModelCache(requests, config, { policy }));
      process.stdout.write(
        `\n${traceName}, Zipf s=${zipfS} with the ranking reversed at half time, GPU tier ${gpus} x 80 GiB\n`,
      );
      printTable(results);
      const byCost = best(results, (r) => r.sloCost);
      wins.set(byCost, (wins.get(byCost) ?? 0) + 1);
      process.stdout.write(
        `  lowest SLO cost: ${byCost}; fewest cold loads: ${best(results, (r) => r.coldLoads)}; fewest GPU-hours loading: ${best(results, (r) => r.gpuHoursLoading)}\n`,
      );
    }
  }
  const summary = POLICIES.map((p) => `${p} ${wins.get(p) ?? 0}`).join(', ');
  process.stdout.write(`\nScenarios won on SLO-weighted cost: ${summary}\n`);
}

main();
