// Fleet budget: one region with 32 H100s and 8 A10Gs shared by real-time chat, an inference API,
// nightly batch jobs and a fine-tuning run that together ask for more than fits. The arbiter
// grants guaranteed minimums first, keeps running non-preemptible serving, then serves by
// priority and, inside one priority, by marginal SLO benefit per GPU. Then chat demand spikes and
// the fine-tuning run is preempted, while the inference API keeps its running replicas.
// Deterministic: fixed inputs; no clock is read.
// Run: cd examples/fleet-budget && npx tsx --conditions=@headroom/source src/main.ts
import {
  arbitrateBudget,
  budgetBenefitFromSloAttainment,
  type BudgetArbitration,
  type BudgetArbitrationInput,
  type BudgetWorkloadInput,
} from '@headroom/fleet';

const H100 = { region: 'us-east-1', gpuClass: 'H100-80GB' } as const;
const A10G = { region: 'us-east-1', gpuClass: 'A10G' } as const;

// SLO attainment (share of requests within the latency SLO) with 0, 1, 2, ... replicas, as an
// SLO capacity model would predict it for each API's arrival rate. The arbiter wants marginal
// benefit per replica, non-increasing; budgetBenefitFromSloAttainment derives it.
const rerankBenefit = budgetBenefitFromSloAttainment([0, 0.55, 0.85, 0.95, 0.98, 0.99]);
const embedBenefit = budgetBenefitFromSloAttainment([0, 0.7, 0.9, 0.96, 0.985, 0.995]);

const workloads: BudgetWorkloadInput[] = [
  // Llama-3-70B FP8 on 2 H100s per replica (tensor parallel 2); interactive, never preempted.
  {
    id: 'chat',
    ...H100,
    class: 'realtime',
    gpusPerReplica: 2,
    currentReplicas: 6,
    desiredReplicas: 7,
    minReplicas: 4,
  },
  // An 8B model behind the public completion API, one H100 each.
  {
    id: 'api',
    ...H100,
    class: 'inference',
    currentReplicas: 5,
    desiredReplicas: 6,
    minReplicas: 2,
  },
  // A LoRA fine-tune on one 8-GPU node. Ranked above nightly batch (it has a deadline), but as
  // training it stays preemptible.
  {
    id: 'finetune',
    ...H100,
    class: 'training',
    priority: 150,
    gpusPerReplica: 8,
    currentReplicas: 1,
    desiredReplicas: 1,
  },
  // Nightly summarization over the day's transcripts: as many H100s as it can get.
  { id: 'nightly-summarize', ...H100, class: 'batch', desiredReplicas: 12 },
  // Two small APIs on A10Gs with the same priority: marginal SLO benefit decides between them.
  {
    id: 'api-rerank',
    ...A10G,
    class: 'inference',
    currentReplicas: 2,
    desiredReplicas: 5,
    minReplicas: 1,
    benefit: rerankBenefit,
  },
  {
    id: 'api-embed',
    ...A10G,
    class: 'inference',
    currentReplicas: 2,
    desiredReplicas: 5,
    minReplicas: 1,
    benefit: embedBenefit,
  },
  // Nightly re-embedding of the document store on whatever A10Gs are left.
  { id: 'nightly-embed', ...A10G, class: 'batch', desiredReplicas: 6 },
];

const input: BudgetArbitrationInput = {
  pools: [
    { ...H100, gpus: 32 },
    { ...A10G, gpus: 8 },
  ],
  workloads,
};

function pad(text: string | number, width: number): string {
  return String(text).padEnd(width);
}

function print(title: string, result: BudgetArbitration, only?: readonly string[]): void {
  process.stdout.write(`\n== ${title} ==\n`);
  process.stdout.write(
    `${pad('workload', 18)}${pad('class', 10)}${pad('prio', 5)}${pad('pool', 10)}` +
      `${pad('running', 8)}${pad('desired', 8)}${pad('granted', 13)}${pad('cut', 5)}preempted\n`,
  );
  for (const w of result.workloads) {
    if (only !== undefined && !only.includes(w.id)) continue;
    process.stdout.write(
      `${pad(w.id, 18)}${pad(w.class, 10)}${pad(w.priority, 5)}${pad(w.gpuClass, 10)}` +
        `${pad(w.currentReplicas, 8)}${pad(w.desiredReplicas, 8)}` +
        `${pad(`${w.grantedReplicas} (${w.grantedGpus} GPU)`, 13)}${pad(w.cutReplicas, 5)}${w.preemptedReplicas}\n`,
    );
  }
  process.stdout.write('why:\n');
  for (const w of result.workloads) {
    if (only !== undefined && !only.includes(w.id)) continue;
    for (const r of w.reasons) {
      if (r.code === 'granted_full') continue;
      process.stdout.write(`  ${w.id} [${r.code}] ${r.message}\n`);
    }
  }
  for (const p of result.pools) {
    process.stdout.write(
      `pool ${pad(p.pool, 22)} budget ${pad(p.budgetGpus, 4)} used ${pad(p.usedGpus, 4)} free ${pad(p.freeGpus, 4)} desired ${p.desiredGpus}\n`,
    );
  }
  if (!result.feasible) {
    for (const i of result.infeasible) process.stdout.write(`INFEASIBLE: ${i.message}\n`);
  }
}

// ---- 1. A normal evening ------------------------------------------------------------------
const evening = arbitrateBudget(input);
print('evening: 32 H100 + 8 A10G, demand above budget', evening);

// ---- 2. Chat demand spikes ----------------------------------------------------------------
// The chat autoscaler now wants 14 replicas (28 H100s). Training is preempted for it and batch
// gets nothing; the API is non-preemptible, so it keeps its 5 running replicas and chat gets one replica less
// (the one GPU left over is too small for a 2-GPU chat replica and goes to the API).
const spike = arbitrateBudget({
  ...input,
  workloads: workloads.map((w) => (w.id === 'chat' ? { ...w, desiredReplicas: 14 } : w)),
});
print('spike: chat wants 14 replicas', spike, ['chat', 'api', 'finetune', 'nightly-summarize']);

// ---- 3. The same spike when the policy lets serving be preempted ---------------------------
const strict = arbitrateBudget({
  ...input,
  workloads: workloads.map((w) => (w.id === 'chat' ? { ...w, desiredReplicas: 14 } : w)),
  policy: { allowPreemptingRealtime: true },
});
print('spike, allowPreemptingRealtime: true', strict, ['chat', 'api', 'finetune']);
