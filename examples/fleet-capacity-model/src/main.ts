// How many replicas does a P99 TTFT wait objective need, and what utilization does that imply?
// Queueing theory (Erlang C / Allen-Cunneen from @headroom/fleet) against the common "run at 70%
// utilization" rule, for an LLM workload at 1 to 50 requests/s.
//
// The workload: llama2-70b on 2 x H100 (Splitwise profile) with continuous batching of 16
// sequences per replica. Measured in @headroom/sim at a full batch (bench/capacity-validation.ts),
// one request holds a batch slot for 11.0 s on average (its prefill, ~186 output tokens at the
// batch-16 decode step of 42 ms, and the prefills of the requests admitted while it runs), with a
// coefficient of variation of about 1 (output lengths vary widely). Prompts take 187 ms to
// prefill on average (cv 0.64): the admission term adds the wait for the running step to end.
import { replicasForSlo } from '@headroom/fleet';

const SLOTS = 16;
const SERVICE = { meanMs: 11_000, cv: 1 } as const;
const ADMISSION = { stepMs: 42, prefillMs: 187, prefillCv: 0.64 } as const;
const WAIT_SLO_MS = 500;
const NAIVE_UTILIZATION = 0.7;

function pad(value: string, width: number): string {
  return value.padStart(width);
}

console.log(
  `P99 TTFT wait <= ${WAIT_SLO_MS} ms; ${SLOTS} slots per replica; service ${SERVICE.meanMs / 1000} s, cv ${SERVICE.cv}`,
);
console.log(
  [
    pad('req/s', 6),
    pad('load (Erl)', 11),
    pad('replicas', 9),
    pad('util target', 12),
    pad('P99 wait', 10),
    pad('70% rule', 9),
    pad('rule P99 wait', 14),
    '  verdict on the 70% rule',
  ].join(''),
);

for (const rate of [1, 2, 3, 5, 8, 10, 15, 20, 30, 40, 50]) {
  const plan = replicasForSlo({
    arrivalRatePerS: rate,
    service: SERVICE,
    slotsPerReplica: SLOTS,
    slo: { waitMs: WAIT_SLO_MS, percentile: 99 },
    admission: ADMISSION,
  });
  if (plan.kind !== 'met') {
    console.log(`${rate} req/s: ${plan.detail}`);
    continue;
  }
  // The rule's load: the rate times the service time measured at a full batch.
  const offeredLoad = (rate * SERVICE.meanMs) / 1000;
  const naive = Math.max(1, Math.ceil(offeredLoad / (SLOTS * NAIVE_UTILIZATION)));
  // What the rule's fleet would give: the same model evaluated at the rule's replica count.
  const atNaive = replicasForSlo({
    arrivalRatePerS: rate,
    service: SERVICE,
    slotsPerReplica: SLOTS,
    slo: { waitMs: 1e9, percentile: 99 },
    admission: ADMISSION,
    minReplicas: naive,
    maxReplicas: Math.max(naive, 1),
  });
  const naiveWait =
    atNaive.kind === 'met' ? `${atNaive.prediction.p99WaitMs.toFixed(0)} ms` : 'unstable';
  const verdict =
    naive > plan.replicas
      ? `over-provisions by ${naive - plan.replicas}`
      : naive < plan.replicas
        ? `under-provisions by ${plan.replicas - naive} (misses the SLO)`
        : 'matches';
  console.log(
    [
      pad(String(rate), 6),
      pad(offeredLoad.toFixed(0), 11),
      pad(String(plan.replicas), 9),
      pad(`${(plan.utilizationTarget * 100).toFixed(0)}%`, 12),
      pad(`${plan.prediction.p99WaitMs.toFixed(0)} ms`, 10),
      pad(String(naive), 9),
      pad(naiveWait, 14),
      `  ${verdict}`,
    ].join(''),
  );
}
console.log(
  '\nload: rate x the full-batch service time (what the 70% rule sizes on); util target: at the\n' +
    'service time the model rescales to the load (fewer admissions, less prefill in each request).',
);
console.log(
  'Small fleets need low utilization to keep the tail short; large fleets can run hotter than 70%',
);
console.log('(pooling: more servers share one queue, so the same headroom absorbs more variance).');
console.log(
  'Caveat: against the simulator (packages/sim/bench/capacity-validation.ts) the P99 wait with the\n' +
    'admission term is within 25% on 2-8 replicas up to 80% utilization, over-predicts by up to ~75%\n' +
    'at 90% (safe side), and under-predicts by up to ~50% on one replica near 60-70% utilization.',
);
