// Cost packing: a realistic model mix packed onto MIG instances of H100-80GB GPUs in two
// p5.48xlarge nodes, the mig-parted config and node labels that apply the layout, the Kubernetes
// resources each model requests, and then one day of usage by three tenants priced from the
// default catalog and allocated to the micro-dollar, with idle cost shared and kept separate.
// Deterministic: fixed inputs and a seeded Random; no clock is read.
// Run: npx turbo run build --filter=@headroom/cost && cd examples/cost-packing && npx tsx src/main.ts
import { createRandom } from '@headroom/core';
import {
  IDLE_KEY,
  allocateCost,
  defaultCatalog,
  formatMicroUsd,
  packFirstFitDecreasing,
  packMig,
  pricePerGpuHour,
  rollUpAllocation,
  toFocusRows,
  toKubernetesResources,
  toMigPartedConfig,
  usdToMicro,
  validateLayout,
  type BilledResource,
  type CostAllocation,
  type MigDemandInput,
  type UsageRecord,
} from '@headroom/cost';

// ---- 1. The mix -----------------------------------------------------------------------------
// Memory per replica is usable GiB: weights (parameters x bytes per parameter) plus the KV-cache
// budget the server is configured for. Approximate, to show the packing; measure your own.
// KV per token, FP16: Llama-3-8B and Mistral-7B 128 KiB (32 layers x 8 KV heads x 128 x 2 x 2 B).
interface Model extends MigDemandInput {
  /** Which tenants send it traffic, with their mean share of its requests. */
  readonly tenants: Readonly<Record<string, number>>;
}
const MODELS: readonly Model[] = [
  // 8.0B x 2 B = 15.0 GiB + 3.5 GiB KV (~28k tokens); 2 compute slices for chat latency.
  {
    id: 'llama-3-8b',
    memoryGiB: 18.5,
    computeSlices: 2,
    replicas: 6,
    tenants: { search: 0.5, support: 0.5 },
  },
  // 7.2B x 2 B = 13.5 GiB + 4 GiB KV; throughput work, 1 compute slice is enough.
  { id: 'mistral-7b', memoryGiB: 17.5, replicas: 4, tenants: { search: 0.8, support: 0.2 } },
  // 70.6B x 1 B (FP8) = 65.7 GiB + 10 GiB FP8 KV: a whole 7g; never two on one GPU.
  {
    id: 'llama-3-70b-fp8',
    memoryGiB: 76,
    computeSlices: 7,
    replicas: 2,
    antiAffinity: true,
    tenants: { support: 1 },
  },
  // 32.8B AWQ 4-bit ~ 18 GiB + 14 GiB KV, 4 compute slices: a 4g.40gb.
  {
    id: 'qwen2.5-32b-awq',
    memoryGiB: 32,
    computeSlices: 4,
    replicas: 2,
    antiAffinity: true,
    tenants: { search: 1 },
  },
  // 12.2B x 2 B = 22.8 GiB + 10 GiB KV, 3 compute slices: a 3g.40gb, which can sit at slice 4
  // beside a 4g or beside two 2g (a 3g at slice 0 would strand slice 7).
  {
    id: 'mistral-nemo-12b',
    memoryGiB: 33,
    computeSlices: 3,
    replicas: 3,
    tenants: { support: 0.7, media: 0.3 },
  },
  // bge-large (335M) and its batch buffers: a 1g.10gb each.
  { id: 'bge-large-embed', memoryGiB: 3, replicas: 4, tenants: { search: 0.7, support: 0.3 } },
  // whisper-large-v3 (1.55B, FP16) with audio batches: a 1g.10gb each.
  { id: 'whisper-large-v3', memoryGiB: 6, replicas: 3, tenants: { media: 1 } },
  // A video-frame embedder that decodes H.264 on NVDEC: needs the media engines, a 1g.10gb+me.
  { id: 'video-frames', memoryGiB: 5, replicas: 1, mediaExtensions: true, tenants: { media: 1 } },
];

// Two p5.48xlarge nodes of 8 H100-80GB each; GPU ids `<node>/<index>` are what
// toMigPartedConfig reads by default.
const NODES = ['p5-a', 'p5-b'];
const inventory = {
  gpus: NODES.flatMap((node) =>
    Array.from({ length: 8 }, (_, i) => ({ id: `${node}/${i}`, gpu: 'H100-80GB' })),
  ),
};
const demands: MigDemandInput[] = MODELS.map(({ tenants: _tenants, ...demand }) => demand);
const plan = packMig(demands, inventory);
const ffd = packFirstFitDecreasing(demands, inventory);
const replicas = demands.reduce((n, d) => n + d.replicas, 0);

console.log(`== MIG packing: ${replicas} replicas of ${demands.length} models on H100-80GB`);
for (const layout of plan.layouts) {
  const cells = layout.placements.map((p) => `${p.profile}@${p.start} ${p.demandId}#${p.replica}`);
  const spare = layout.unassigned.map((p) => `${p.profile}@${p.start} (unassigned)`);
  console.log(`  ${layout.gpuId.padEnd(7)} ${[...cells, ...spare].join(' | ')}`);
  const check = validateLayout(layout.gpu, layout.placements);
  if (!check.valid) throw new Error(`invalid layout on ${layout.gpuId}`);
}
console.log(
  `  GPUs used: ${plan.gpusUsed} (${plan.method}, lower bound ${plan.lowerBound}, ` +
    `proven minimal: ${plan.optimal}); first-fit decreasing: ${ffd.gpusUsed}; ` +
    `stranded memory slices: ${plan.strandedSlices} (FFD: ${ffd.strandedSlices})`,
);
if (plan.unplaced.length > 0) console.log('  unplaced:', plan.unplaced);

// ---- 2. Applying it: mig-parted config, node labels, pod resources --------------------------
const parted = toMigPartedConfig(plan.layouts);
console.log('\n== mig-parted config (for the k8s-mig-manager)');
console.log(parted.yaml.trimEnd().replace(/^/gm, '  '));
console.log('== node labels');
for (const [node, labels] of Object.entries(parted.nodeLabels)) {
  for (const [key, value] of Object.entries(labels)) console.log(`  ${node}: ${key}=${value}`);
}
console.log('== Kubernetes resources (device plugin, mixed strategy)');
for (const model of MODELS) {
  const mine = plan.layouts.flatMap((l) => l.placements.filter((p) => p.demandId === model.id));
  const perPod = toKubernetesResources(mine.slice(0, 1));
  const perPodText = Object.entries(perPod)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  const pods = `${mine.length} ${mine.length === 1 ? 'pod, ' : 'pods,'}`;
  console.log(`  ${model.id.padEnd(17)} ${pods} each requests ${perPodText}`);
}

// ---- 3. One day of usage by three tenants ---------------------------------------------------
// Each replica's MIG instance is busy a share of every hour that follows a diurnal curve (peak at
// 15:00 UTC) with noise; its busy seconds are split among the model's tenants around their mean
// shares. The instance is billed whole; the time it sits unused is idle.
const DAY_START_MS = Date.UTC(2026, 6, 20); // the catalog's price date
const HOUR_S = 3_600;
const random = createRandom(2026);
const usage: UsageRecord[] = [];
for (const layout of plan.layouts) {
  for (const p of layout.placements) {
    const model = MODELS.find((m) => m.id === p.demandId);
    if (model === undefined) continue;
    for (let hour = 0; hour < 24; hour++) {
      const diurnal = 0.55 + 0.35 * Math.cos(((hour - 15) / 24) * 2 * Math.PI);
      const busy = Math.min(1, Math.max(0, diurnal + (random.nextFloat() - 0.5) * 0.2));
      const weights = Object.entries(model.tenants).map(
        ([tenant, share]) => [tenant, share * (0.8 + 0.4 * random.nextFloat())] as const,
      );
      const sum = weights.reduce((s, [, w]) => s + w, 0);
      for (const [tenant, w] of weights) {
        usage.push({
          resourceId: layout.gpuId,
          model: model.id,
          tenant,
          profile: p.profile,
          migSliceSeconds: (busy * HOUR_S * w) / sum,
        });
      }
    }
  }
}

// The bill: every GPU of every p5.48xlarge node that holds an instance, for 24 hours at the
// catalog's on-demand price (a node is rented whole, so its unused GPUs are billed too).
const catalog = defaultCatalog();
const usdPerGpuHour = pricePerGpuHour(catalog, 'p5.48xlarge', 'on-demand');
const gpuDayMicro = usdToMicro(usdPerGpuHour * 24);
const nodeOf = (gpuId: string): string => gpuId.slice(0, gpuId.lastIndexOf('/'));
const nodesUsed = (layouts: readonly { gpuId: string }[]): number =>
  new Set(layouts.map((l) => nodeOf(l.gpuId))).size;
const rented = new Set(plan.layouts.map((l) => nodeOf(l.gpuId)));
const resources: BilledResource[] = inventory.gpus
  .filter((g) => rented.has(nodeOf(g.id)))
  .map((g) => ({
    id: g.id,
    costMicroUsd: gpuDayMicro,
    provisionedSeconds: 24 * HOUR_S,
    tags: { node: nodeOf(g.id), instanceType: 'p5.48xlarge' },
  }));
const billMicro = resources.reduce((s, r) => s + r.costMicroUsd, 0);

const shared = allocateCost({ resources, usage, options: { idle: 'proportional' } });
const separate = allocateCost({ resources, usage, options: { idle: 'separate' } });

function byTenant(allocation: CostAllocation): Map<string, number> {
  return new Map(rollUpAllocation(allocation, 'tenant').map((r) => [r.key, r.costMicroUsd]));
}
const sharedBy = byTenant(shared);
const separateBy = byTenant(separate);
const usd = (micro: number): string => `$${formatMicroUsd(micro)}`.padStart(14);

console.log(
  `\n== One day, ${usage.length} usage records; p5.48xlarge on-demand ${usdPerGpuHour.toFixed(2)} USD per GPU-hour ` +
    `(catalog as of ${catalog.asOf}); bill: ${resources.length} GPUs x 24 h = $${formatMicroUsd(billMicro)}`,
);
console.log(
  `  ${'tenant'.padEnd(10)} ${'idle shared'.padStart(14)} ${'idle separate'.padStart(14)}`,
);
for (const tenant of [...new Set([...sharedBy.keys(), ...separateBy.keys()])].sort()) {
  if (tenant === IDLE_KEY) continue;
  console.log(
    `  ${tenant.padEnd(10)} ${usd(sharedBy.get(tenant) ?? 0)} ${usd(separateBy.get(tenant) ?? 0)}`,
  );
}
console.log(
  `  ${IDLE_KEY.padEnd(10)} ${usd(sharedBy.get(IDLE_KEY) ?? 0)} ${usd(separateBy.get(IDLE_KEY) ?? 0)}`,
);
const sumOf = (m: Map<string, number>): number => [...m.values()].reduce((s, v) => s + v, 0);
const sumsMatch = sumOf(sharedBy) === billMicro && sumOf(separateBy) === billMicro;
console.log(
  `  ${'total'.padEnd(10)} ${usd(sumOf(sharedBy))} ${usd(sumOf(separateBy))}  ` +
    `(sums equal the bill to the micro-dollar: ${sumsMatch})`,
);
if (!sumsMatch) throw new Error('allocation does not sum to the bill');
const extraNodes = nodesUsed(ffd.layouts) - nodesUsed(plan.layouts);
if (extraNodes > 0) {
  console.log(
    `  first-fit decreasing would rent ${extraNodes} more p5.48xlarge: ` +
      `+$${formatMicroUsd(extraNodes * 8 * gpuDayMicro)} a day for the same models`,
  );
}

// ---- 4. The same split as FinOps FOCUS 1.3 rows ---------------------------------------------
const focus = toFocusRows(separate, { startMs: DAY_START_MS, endMs: DAY_START_MS + 86_400_000 });
console.log(`\n== FOCUS rows (${focus.length} in all; the first three)`);
for (const row of focus.slice(0, 3)) {
  console.log(
    `  ${row.ChargePeriodStart} ${row.ResourceId} ${String(row.AllocatedResourceId).padEnd(24)} ` +
      `BilledCost ${row.BilledCost}  ${row.AllocatedMethodDetails}`,
  );
}
