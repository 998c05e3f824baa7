// Capacity model vs simulator: predicted (M/G/c of @headroom/fleet) and simulated P95/P99 queue
// wait over utilization 0.5..0.9 × 1, 2, 4, 8 replicas. Run from this package:
//   npx tsx --conditions=@headroom/source bench/capacity-validation.ts
//
// Setup (a): plain queues built from the engine (gamma service times, mean 100 ms):
//   - shared: c servers behind one FCFS queue (one replica, c batch slots of fixed step time);
//   - per-replica: c replicas of one slot, routed on arrival to the shortest queue.
// Setup (b): the Splitwise llama2-70b / 2 x H100 model, continuous batching of 16 sequences per
// replica, modelled as 16 servers per replica with the service time measured at a full batch, plus
// the admission term (step-boundary admission delay and the service time rescaled to the load,
// from the decode step at batch 16 and the prompts' prefill mean and cv). The last two columns
// are the slot queue alone (no admission term), the model before the term was added.
// Errors are relative to the simulated value, or (marked *) absolute over a 50 ms floor when the
// simulated value is below it. Positive: the model over-predicts.
import {
  VALIDATION_FLOOR_MS,
  batchingGrid,
  formatValidationTable,
  measureBatchingAdmission,
  measureBatchingServiceTime,
  mgcGrid,
  type CapacityValidationPoint,
} from '../src/validation/index.js';

const REQUESTS_A = Number(process.env.HEADROOM_VALIDATION_REQUESTS ?? 100_000);
const REQUESTS_B = Math.round(REQUESTS_A / 2);
const SLOTS = 16;

function worst(points: readonly Pick<CapacityValidationPoint, 'error'>[]): string {
  let p95 = 0;
  let p99 = 0;
  for (const p of points) {
    p95 = Math.max(p95, Math.abs(p.error.p95));
    p99 = Math.max(p99, Math.abs(p.error.p99));
  }
  return `max |error|: P95 ${(p95 * 100).toFixed(1)}%, P99 ${(p99 * 100).toFixed(1)}%`;
}

function section(title: string, points: readonly CapacityValidationPoint[]): void {
  console.log(`\n${title}`);
  console.log(formatValidationTable(points));
  console.log(worst(points));
}

console.log(
  `capacity model vs simulator: ${REQUESTS_A} requests per point (setup a), ${REQUESTS_B} (setup b), seed 1, floor ${VALIDATION_FLOOR_MS} ms`,
);
section(
  '(a) M/G/c, one shared queue, exponential service (cv 1)',
  mgcGrid(1, 'shared', { requests: REQUESTS_A }),
);
section(
  '(a) M/G/c, one shared queue, Erlang-4 service (cv 0.5)',
  mgcGrid(0.5, 'shared', { requests: REQUESTS_A }),
);
section(
  '(a) M/G/c, one shared queue, gamma service (cv 2: heavy tail, known weak spot)',
  mgcGrid(2, 'shared', { requests: REQUESTS_A }),
);
section(
  '(a) c replicas of maxBatch 1, queue per replica (JSQ routing), cv 1',
  mgcGrid(1, 'per-replica', { requests: REQUESTS_A }),
);
const service = measureBatchingServiceTime(SLOTS, 1);
const admission = measureBatchingAdmission(SLOTS, 1);
console.log(
  `\n(b) service time at a full batch of ${SLOTS}: mean ${service.meanMs.toFixed(0)} ms, cv ${service.cv.toFixed(3)}; decode step ${admission.stepMs.toFixed(1)} ms, prefill mean ${admission.prefillMs.toFixed(1)} ms, cv ${(admission.prefillCv ?? 1).toFixed(3)}`,
);
const batching = batchingGrid(SLOTS, { requests: REQUESTS_B });
section(
  `(b) Splitwise llama2-70b on 2 x H100, continuous batching, ${SLOTS} slots per replica`,
  batching,
);
const before = batching.flatMap((p) =>
  p.withoutAdmission === undefined ? [] : [p.withoutAdmission],
);
console.log(`without the admission term: ${worst(before)}`);
const core = batching.filter((p) => p.replicas >= 2 && p.rho <= 0.8);
console.log(`with it, 2-8 replicas at utilization <= 0.8: ${worst(core)}`);
