// @headroom/scaling benchmarks: `npm run bench` from the repository root.
// One target-tracking decision step (8 instances, GPU utilization + queue depth, HPA behavior
// with its stabilization windows and rate limits), for one deployment and for 1,000, against a
// naive controller that keeps every past recommendation and scale event and rescans them all.
import type { InstanceSnapshot } from '@headroom/core';
import { createRandom } from '@headroom/core';
import {
  createTargetTracking,
  initialHpaState,
  recordHpaScale,
  targetTrackingStep,
  type HpaState,
} from '@headroom/scaling';
import { runComparisons, type Comparison } from '../../../tools/bench.js';

const STEP_MS = 15_000;
const random = createRandom(42);
const policy = createTargetTracking({
  minReplicas: 2,
  maxReplicas: 64,
  signals: [
    { name: 'gpu', kind: 'gpu_utilization', target: 0.7 },
    { name: 'queue', kind: 'queue_depth', target: 4 },
  ],
});

function fleetAt(nowMs: number, replicas: number, load: number): InstanceSnapshot[] {
  return Array.from({ length: replicas }, (_, i) => ({
    id: `i${i}`,
    state: 'ready' as const,
    labels: {},
    load: { queueDepth: Math.round(load * 6 * random.nextFloat()) },
    gpus: [
      {
        gpuId: `g${i}`,
        utilization: Math.min(1, load * random.nextFloat()),
        sampledAtMs: nowMs - 1_000,
      },
    ],
    observedAtMs: nowMs - 1_000,
  }));
}

interface Deployment {
  state: HpaState;
  replicas: number;
  /** Full history, for the naive controller. */
  history: { atMs: number; replicas: number }[];
}

/** The naive baseline: the same decision, but recomputed from the full, unpruned history every step. */
function naiveStep(d: Deployment, instances: InstanceSnapshot[], nowMs: number): number {
  const step = targetTrackingStep(policy, initialHpaState(), {
    nowMs,
    currentReplicas: d.replicas,
    instances,
  });
  const recommended = step.reason.recommendedReplicas ?? d.replicas;
  d.history.push({ atMs: nowMs, replicas: recommended });
  let downMax = recommended;
  for (const h of d.history)
    if (h.atMs > nowMs - 300_000 && h.replicas > downMax) downMax = h.replicas;
  const stabilized = Math.min(Math.max(d.replicas, recommended), downMax);
  return Math.min(64, Math.max(2, Math.min(stabilized, Math.max(d.replicas + 4, d.replicas * 2))));
}

function makeDeployments(n: number): {
  fleets: InstanceSnapshot[][];
  ours: Deployment[];
  naive: Deployment[];
} {
  const fleets = Array.from({ length: n }, () => fleetAt(0, 8, 0.9));
  const mk = () =>
    Array.from({ length: n }, () => ({
      state: initialHpaState(),
      replicas: 8,
      history: [] as Deployment['history'],
    }));
  const ours = mk();
  const naive = mk();
  // Warm up a day of history (5,760 steps of 15 s) in the naive controller, as a long-running one has.
  for (const d of naive)
    for (let k = 0; k < 5_760; k++) d.history.push({ atMs: -k * STEP_MS, replicas: 8 });
  return { fleets, ours, naive };
}

function comparison(n: number): Comparison {
  const { fleets, ours, naive } = makeDeployments(n);
  let nowOurs = 0;
  let nowNaive = 0;
  return {
    name: `decision step, ${n.toLocaleString('en-US')} deployment${n === 1 ? '' : 's'} × 8 instances × 2 signals`,
    opsPerCall: n,
    subject: {
      name: 'targetTrackingStep (bounded HPA state)',
      fn: () => {
        nowOurs += STEP_MS;
        for (let i = 0; i < n; i++) {
          const d = ours[i] as Deployment;
          const step = targetTrackingStep(policy, d.state, {
            nowMs: nowOurs,
            currentReplicas: d.replicas,
            instances: fleets[i] as InstanceSnapshot[],
          });
          d.state = step.state;
          if (step.decision.kind === 'scale') {
            d.state = recordHpaScale(
              policy.behavior,
              d.state,
              d.replicas,
              step.decision.to,
              nowOurs,
            );
            d.replicas = step.decision.to;
          }
        }
      },
    },
    baseline: {
      name: 'naive: rescan full history (1 day at 15 s)',
      fn: () => {
        nowNaive += STEP_MS;
        for (let i = 0; i < n; i++) {
          const d = naive[i] as Deployment;
          d.replicas = naiveStep(d, fleets[i] as InstanceSnapshot[], nowNaive);
          if (d.history.length > 20_000) d.history.splice(0, 10_000);
        }
      },
    },
  };
}

const results = await runComparisons('@headroom/scaling', [comparison(1), comparison(1_000)]);
for (const r of results) {
  process.stdout.write(
    `  ${r.name}: median ${(r.subjectMedianNsPerOp / 1000).toFixed(2)} us per deployment per step (target <= 5 us), baseline ${(r.baselineMedianNsPerOp / 1000).toFixed(2)} us\n`,
  );
}
