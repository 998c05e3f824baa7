// @headroom/cost benchmarks: `npm run bench` in packages/cost.
// MIG packing of a realistic model mix on H100-80GB: our packer (exact up to 12 replicas, pattern
// heuristic beyond) against first-fit decreasing, timed side by side, plus a quality table
// (GPUs used versus the lower bound and versus FFD) and single-run times at 1,000 and 10,000 demands.
import { createRandom, type Random } from '@headroom/core';
import { performance } from 'node:perf_hooks';
import {
  lowerBound,
  packFirstFitDecreasing,
  packMig,
  repackMig,
  type MigDemandInput,
} from '../src/mig/index.js';
import { runComparisons, type Comparison } from '../../../tools/bench.js';

const GPU = 'H100-80GB';

/**
 * A realistic serving mix: embedding/ASR/small models, 7-8B fp16 (some wanting 2 compute slices),
 * 13-14B fp16, 30B int8 (some wanting 4 slices), 70B int4 / 34B fp16 on a whole GPU; 1-4 replicas;
 * 30% anti-affinity.
 */
function realisticDemands(n: number, random: Random): MigDemandInput[] {
  const out: MigDemandInput[] = [];
  for (let i = 0; i < n; i++) {
    const u = random.nextFloat();
    let memoryGiB: number;
    let computeSlices = 1;
    if (u < 0.3) memoryGiB = 2 + random.nextFloat() * 7.5;
    else if (u < 0.6) {
      memoryGiB = 12 + random.nextFloat() * 7.5;
      if (random.nextFloat() < 0.3) computeSlices = 2;
    } else if (u < 0.8) memoryGiB = 22 + random.nextFloat() * 17;
    else if (u < 0.9) {
      memoryGiB = 30 + random.nextFloat() * 9;
      computeSlices = random.nextFloat() < 0.5 ? 4 : 3;
    } else memoryGiB = 42 + random.nextFloat() * 36;
    out.push({
      id: `m${i}`,
      memoryGiB,
      computeSlices,
      replicas: 1 + random.nextInt(4),
      antiAffinity: random.nextFloat() < 0.3,
    });
  }
  return out;
}

function timeOnce(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const d1k = realisticDemands(1_000, createRandom(42));
const d10k = realisticDemands(10_000, createRandom(43));
const d10 = realisticDemands(4, createRandom(44));

const comparisons: Comparison[] = [
  {
    name: 'pack 1,000 demands (~2,500 replicas) on H100-80GB',
    opsPerCall: 1,
    subject: {
      name: 'packMig (pattern heuristic)',
      fn: () => void packMig(d1k, { unlimited: GPU }),
    },
    baseline: {
      name: 'first-fit decreasing',
      fn: () => void packFirstFitDecreasing(d1k, { unlimited: GPU }),
    },
  },
  {
    name: `pack ${d10.reduce((a, d) => a + d.replicas, 0)} replicas exactly (branch and bound)`,
    opsPerCall: 1,
    subject: { name: 'packMig (exact)', fn: () => void packMig(d10, { unlimited: GPU }) },
    baseline: {
      name: 'first-fit decreasing',
      fn: () => void packFirstFitDecreasing(d10, { unlimited: GPU }),
    },
  },
];

await runComparisons('@headroom/cost MIG packing', comparisons);

// Quality and single-run time.
const rows: string[][] = [
  ['demands', 'replicas', 'lower bound', 'ours', 'ours/LB', 'FFD', 'FFD/LB', 'ours ms', 'FFD ms'],
];
for (const [label, demands] of [
  ['1,000', d1k],
  ['10,000', d10k],
] as const) {
  packMig(demands, { unlimited: GPU }); // warm
  let ours = packMig(demands, { unlimited: GPU });
  const oursMs = timeOnce(() => {
    ours = packMig(demands, { unlimited: GPU });
  });
  let ffd = packFirstFitDecreasing(demands, { unlimited: GPU });
  const ffdMs = timeOnce(() => {
    ffd = packFirstFitDecreasing(demands, { unlimited: GPU });
  });
  const lb = lowerBound(demands, GPU);
  rows.push([
    label,
    String(demands.reduce((a, d) => a + d.replicas, 0)),
    String(lb),
    String(ours.gpusUsed),
    (ours.gpusUsed / lb).toFixed(4),
    String(ffd.gpusUsed),
    (ffd.gpusUsed / lb).toFixed(4),
    oursMs.toFixed(1),
    ffdMs.toFixed(1),
  ]);
}

// Re-packing after a 5% change (replica counts nudged) on the 1,000-demand fleet.
const before = packMig(d1k, { unlimited: GPU, idPrefix: 'node/' });
const changeRandom = createRandom(7);
const changed = d1k.map((d) =>
  changeRandom.nextFloat() < 0.05
    ? { ...d, replicas: Math.max(0, d.replicas + (changeRandom.nextInt(3) - 1)) }
    : d,
);
let inc = repackMig(before.layouts, changed, { spare: { unlimited: GPU, idPrefix: 'spare/' } });
const incMs = timeOnce(() => {
  inc = repackMig(before.layouts, changed, { spare: { unlimited: GPU, idPrefix: 'spare/' } });
});
const full = repackMig(before.layouts, changed, { mode: 'full' });

const width = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
process.stdout.write('\nMIG packing quality on H100-80GB (seeded mix; GPUs used)\n');
for (const r of rows)
  process.stdout.write(`  ${r.map((x, c) => x.padStart(width[c] ?? 0)).join('  ')}\n`);
process.stdout.write(
  `\nRe-pack after ~5% replica changes (1,000 demands, ${before.gpusUsed} GPUs): incremental reconfigures ` +
    `${inc.reconfigured.length} GPUs (+${inc.newGpus.length} new) in ${incMs.toFixed(1)} ms; ` +
    `a full re-pack reconfigures ${full.reconfigured.length}.\n`,
);
