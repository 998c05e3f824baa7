// Queue workers: a seeded burst of batch jobs in three priority classes lands on a work queue with
// aging; a pool of GPU workers scales up on the backlog (drain within 3 minutes while keeping up
// with arrivals), drains it, and scales to zero after a 2-minute cooldown. Prints a compact
// timeline and, per class, the longest wait against the aging bound.
// Recomputing the drain target every tick shrinks the pool as the backlog shrinks, so the tail
// drains geometrically with fewer workers: cheaper GPU-hours, still within the drain target.
// Deterministic: a seeded Random and simulated time; no clock is read.
// Run: cd examples/fleet-queue-workers && npx tsx --conditions=@headroom/source src/main.ts
import { createRandom } from '@headroom/core';
import {
  agingOvertakeWindowMs,
  simulateWorkerPool,
  type WorkerPoolSimInput,
} from '@headroom/fleet';

const CLASSES = ['interactive', 'batch', 'backfill']; // highest priority first
const queue = { classes: CLASSES, agingIntervalMs: 60_000 };
const random = createRandom(2024);

// 240 jobs over 4 minutes, weighted towards batch; service time 8-20 s of GPU time each.
const jobs: WorkerPoolSimInput['jobs'] = Array.from({ length: 240 }, (_, i) => {
  const draw = random.nextFloat();
  const className = draw < 0.2 ? 'interactive' : draw < 0.7 ? 'batch' : 'backfill';
  return {
    id: `job-${String(i).padStart(3, '0')}`,
    className,
    arrivalMs: Math.floor(random.nextFloat() * 240_000),
    serviceMs: 8_000 + random.nextInt(12_000),
  };
});

const result = simulateWorkerPool({
  queue,
  workers: {
    targetDrainSeconds: 180,
    maxWorkers: 12,
    minWorkers: 0, // scale to zero (KEDA minReplicaCount: 0)
    activationThreshold: 0, // any job wakes the pool
    cooldownMs: 120_000,
    coldStartMs: 30_000, // pull + model load
    fallbackThroughputPerWorkerPerS: 1 / 15, // a benchmark figure until the first job finishes
  },
  jobs,
  startMs: 0,
  controlIntervalMs: 15_000,
});

const sec = (ms: number): string => `${(ms / 1000).toFixed(0)}s`;
console.log('time   queued  busy  workers -> desired  reason');
let previous = '';
for (const tick of result.ticks) {
  const line = `${tick.workers}/${tick.desiredWorkers}/${tick.reason}`;
  if (line === previous) continue; // print a tick only when the pool or the reason changes
  previous = line;
  console.log(
    `${sec(tick.atMs).padStart(5)}  ${String(tick.queued).padStart(6)}  ${String(tick.busy).padStart(4)}  ${String(tick.workers).padStart(7)} -> ${String(tick.desiredWorkers).padEnd(7)}  ${tick.reason}`,
  );
}

console.log(
  `\npeak ${result.peakWorkers} workers, ${(result.workerSeconds / 3600).toFixed(2)} GPU-hours; last job done at ${sec(result.lastCompletionMs ?? 0)}, pool at zero from ${sec(result.scaledToZeroAtMs ?? 0)}`,
);
console.log('\nclass        jobs  mean wait  max wait  max passed by  aging bound Q0+H  held');
for (const c of result.classes) {
  console.log(
    `${c.className.padEnd(11)}  ${String(c.jobs).padStart(4)}  ${sec(c.meanWaitMs).padStart(9)}  ${sec(c.maxWaitMs).padStart(8)}  ${String(c.maxServedAhead).padStart(13)}  ${String(c.maxOvertakeBound).padStart(16)}  ${c.boundHeld ? 'yes' : 'NO'}`,
  );
}
console.log(
  `\nA backfill job can be passed by an interactive one arriving up to ${sec(agingOvertakeWindowMs(queue, 'backfill', 'interactive'))} after it; never by later jobs of its own or a lower class.`,
);
