// Multi-model serving: a seeded Zipf request sequence over twelve models replayed through the
// tiered model cache (GPU memory -> host RAM -> NVMe -> remote store) under LRU, LFU and the
// cost-aware policy (GreedyDual-Size-Frequency); a few of the cost-aware cache's decisions with
// their reasons; then per-model replicas from demand, placed on a shared pool of H100s.
// Deterministic: a seeded Random, no clock, no files.
// Run: cd examples/fleet-model-cache && npx tsx --conditions=@headroom/source src/main.ts
import { createRandom } from '@headroom/core';
import {
  createModelCache,
  planModelReplicas,
  replayModelCache,
  type ModelCacheConfigInput,
  type ModelCacheRequest,
} from '@headroom/fleet';

const GB = 1e9;
const GIB = 1024 ** 3;

// ---- 1. Twelve models, most popular first --------------------------------------------------
// Weights in fp16 (2 bytes per parameter). Interactive models cost 5 per second of load delay,
// batch ones 1. Warm-up (CUDA context, graph capture) grows with size.
const MODELS = [
  { name: 'llama-3-8b-chat', paramsB: 8, interactive: true },
  { name: 'mistral-7b', paramsB: 7, interactive: false },
  { name: 'llama-3-70b', paramsB: 70, interactive: true },
  { name: 'qwen-14b', paramsB: 14, interactive: true },
  { name: 'codellama-34b', paramsB: 34, interactive: false },
  { name: 'gemma-7b', paramsB: 7, interactive: false },
  { name: 'phi-3-14b', paramsB: 14, interactive: false },
  { name: 'yi-34b', paramsB: 34, interactive: true },
  { name: 'llama-2-13b', paramsB: 13, interactive: false },
  { name: 'falcon-7b', paramsB: 7, interactive: false },
  { name: 'mixtral-8x7b', paramsB: 47, interactive: true },
  { name: 'starcoder-15b', paramsB: 15, interactive: false },
] as const;

const config: ModelCacheConfigInput = {
  gpu: { capacityBytes: 2 * 80 * GIB, bytesPerGpu: 80 * GIB },
  host: { capacityBytes: 256 * GB },
  nvme: { capacityBytes: 512 * GB },
  models: MODELS.map((m) => ({
    name: m.name,
    bytes: m.paramsB * 2 * GB,
    sloCostPerSecond: m.interactive ? 5 : 1,
    warmupMs: 10_000 + 300 * m.paramsB,
  })),
};

// ---- 2. A seeded Zipf request sequence: 3,000 requests, one every ~1.2 s --------------------
function zipfRequests(count: number, s: number, seed: number): ModelCacheRequest[] {
  const random = createRandom(seed);
  const weights = MODELS.map((_, k) => 1 / Math.pow(k + 1, s));
  const total = weights.reduce((a, b) => a + b, 0);
  const out: ModelCacheRequest[] = [];
  let atMs = 0;
  for (let i = 0; i < count; i++) {
    atMs += -Math.log(1 - random.nextFloat()) * 1_200; // Poisson arrivals
    let u = random.nextFloat() * total;
    let k = 0;
    while (k < weights.length - 1 && u >= (weights[k] ?? 0)) {
      u -= weights[k] ?? 0;
      k++;
    }
    out.push({ atMs, model: MODELS[k]?.name ?? MODELS[0].name });
  }
  return out;
}

const requests = zipfRequests(3_000, 1.1, 42);

console.log('Replaying 3,000 Zipf(1.1) requests over 12 models, GPU tier 2 x 80 GiB:');
console.log('policy       hits   cold (host/nvme/remote)   load s   GPU-h loading   SLO cost');
for (const policy of ['lru', 'lfu', 'cost-aware'] as const) {
  const r = replayModelCache(requests, config, { policy });
  const t = r.coldLoadsByTier;
  console.log(
    `${policy.padEnd(11)} ${String(r.hits).padStart(5)}   ${String(r.coldLoads).padStart(4)} (${t.host}/${t.nvme}/${t.remote})`.padEnd(
      42,
    ) +
      `${r.loadSeconds.toFixed(0).padStart(7)}   ${r.gpuHoursLoading.toFixed(2).padStart(13)}   ${r.sloCost
        .toFixed(0)
        .padStart(8)}`,
  );
}

// ---- 3. A few decisions of the cost-aware cache, with their reasons --------------------------
console.log('\nCost-aware decisions (first loads that evicted something):');
const cache = createModelCache({ ...config, policy: 'cost-aware' });
let shown = 0;
for (const r of requests) {
  const d = cache.request(r.model, r.atMs);
  if (d.kind === 'load' && d.evictions.length > 0 && shown < 3) {
    shown++;
    console.log(`- ${d.detail}`);
    for (const e of d.evictions) console.log(`    evicted ${e.detail}`);
  }
}
console.log('Pre-loads proposed into free memory after the replay:');
for (const p of cache.planPreloads().slice(0, 3)) console.log(`- ${p.detail}`);
if (cache.planPreloads().length === 0) console.log('- none (no free room a candidate fits)');

// ---- 4. Per-model replicas on a shared H100 pool ---------------------------------------------
// Demand per model (requests/s) and what one replica serves at its latency SLO; memory per
// replica is weights plus a KV-cache budget.
const plan = planModelReplicas({
  models: [
    { id: 'llama-3-8b-chat', demandRps: 42, throughputRpsPerReplica: 12, memoryGiB: 24 },
    { id: 'mistral-7b', demandRps: 9, throughputRpsPerReplica: 14, memoryGiB: 20 },
    { id: 'qwen-14b', demandRps: 6, throughputRpsPerReplica: 6, memoryGiB: 36, minReplicas: 1 },
    { id: 'llama-3-70b', demandRps: 4, throughputRpsPerReplica: 2, memoryGiB: 60, maxReplicas: 2 },
    { id: 'gemma-7b', demandRps: 0, throughputRpsPerReplica: 14, memoryGiB: 20 },
  ],
  targetUtilization: 0.8,
  placement: { kind: 'whole-gpu', gpuTypes: [{ id: 'H100-80GB', memoryGiB: 80, count: 8 }] },
});
console.log('\nReplicas per model on up to 8 x H100-80GB (20% memory headroom):');
for (const m of plan.models) {
  console.log(
    `- ${m.id.padEnd(16)} ${String(m.replicas).padStart(2)} replicas (${m.reason}), ${m.placedReplicas} placed, utilization ${(m.utilization * 100).toFixed(0)}%`,
  );
}
console.log(
  `GPUs used: ${plan.gpusUsed}; replicas placed ${plan.placedReplicas} of ${plan.totalReplicas}`,
);
for (const u of plan.unplaced)
  console.log(`- unplaced ${u.id}: ${u.replicas} (${u.reason}) ${u.detail}`);
