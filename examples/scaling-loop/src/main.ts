// A scaling loop: 15 minutes of the Azure LLM inference trace (conversation service) replayed
// against an in-memory fleet of llama2-70b replicas on H100s (service times from the Splitwise
// profile, 16 concurrent sequences each, 60 s cold start), scaled every 15 s by target tracking
// on queue depth and GPU (slot) utilization, through the controller runtime (createAutoscaler)
// with an in-memory reader and actuator. Deterministic: simulated time, a seeded Random.
// Run: npm run build && npm run example -w @headroom/example-scaling-loop
import { readFileSync } from 'node:fs';
import type { InstanceSnapshot } from '@headroom/core';
import { createRandom, ok } from '@headroom/core';
import { ManualScheduler } from '@headroom/core/testing';
import {
  createAutoscaler,
  createTargetTracking,
  type Actuator,
  type FleetReader,
} from '@headroom/scaling';

// The trace slice and service model ship with the core-signals example (see its data/SOURCES.md).
const data = new URL('../../core-signals/data/', import.meta.url);
const PREFILL_MS_PER_TOKEN = 0.15; // llama2-70b, H100-80GB, batch 1 (Splitwise profile)
const DECODE_MS_PER_TOKEN = 32.4;
const SLOTS = 16; // concurrent sequences per replica
const COLD_START_MS = 60_000;
const TICK_MS = 1_000;
const DECIDE_EVERY_MS = 15_000;

const lines = readFileSync(new URL('azure-conv-first-15min.csv', data), 'utf8')
  .trim()
  .split('\n')
  .slice(1);
const parse = (ts: string): number => Date.parse(`${ts.slice(0, 23).replace(' ', 'T')}Z`);
const t0 = parse(lines[0]!.split(',')[0]!);
const arrivals = lines.map((l) => {
  const [ts, ctx, gen] = l.split(',');
  return {
    atMs: parse(ts!) - t0,
    serviceMs: Number(ctx) * PREFILL_MS_PER_TOKEN + Number(gen) * DECODE_MS_PER_TOKEN,
  };
});

interface Replica {
  id: string;
  readyAtMs: number;
  running: number[]; // finish times of the sequences in its batch
  queue: number[]; // service times waiting
}

const policy = createTargetTracking({
  minReplicas: 2,
  maxReplicas: 30,
  signals: [
    { name: 'queue', kind: 'queue_depth', target: 2 },
    { name: 'slots', kind: 'gpu_utilization', target: 0.75 },
  ],
  behavior: { scaleDown: { stabilizationWindowSeconds: 120 } },
});

let nextId = 0;
const fleet: Replica[] = [];
const addReplica = (nowMs: number, coldStartMs: number) =>
  fleet.push({ id: `r${nextId++}`, readyAtMs: nowMs + coldStartMs, running: [], queue: [] });
addReplica(0, 0);
addReplica(0, 0);
addReplica(0, 0);

// The runtime: an in-memory reader (the fleet snapshot) and actuator (add or remove replicas),
// on a manual scheduler so 15 minutes of simulated time run in well under a second.
const scheduler = new ManualScheduler(0);
const reader: FleetReader = {
  read: async () =>
    ok({
      currentReplicas: fleet.length,
      instances: fleet.map((r): InstanceSnapshot => ({
        id: r.id,
        state: r.readyAtMs <= scheduler.now() ? 'ready' : 'loading',
        labels: { model: 'llama2-70b', gpuClass: 'H100' },
        load: { queueDepth: r.queue.length, inFlightRequests: r.running.length },
        gpus: [
          {
            gpuId: `${r.id}-gpu`,
            utilization: r.running.length / SLOTS,
            sampledAtMs: scheduler.now(),
          },
        ],
        observedAtMs: scheduler.now(),
      })),
    }),
};
const actuator: Actuator = {
  setReplicas: async (_target, replicas) => {
    const now = scheduler.now();
    while (fleet.length < replicas) addReplica(now, COLD_START_MS);
    if (fleet.length > replicas) {
      // Scale in: remove the least busy replicas first; their queued requests move to a survivor.
      fleet.sort((a, b) => a.running.length + a.queue.length - (b.running.length + b.queue.length));
      const removed = fleet.splice(0, fleet.length - replicas);
      for (const r of removed) fleet[0]?.queue.push(...r.queue);
    }
    return { ok: true };
  },
};
const autoscaler = createAutoscaler({
  target: 'llama2-70b',
  policy,
  reader,
  actuator,
  scheduler,
  random: createRandom(1),
  intervalMs: DECIDE_EVERY_MS,
});
let lastSaid = 'hold';
autoscaler.events.on('decision', (e) => {
  const r = e.reason;
  lastSaid =
    e.decision.kind === 'scale'
      ? `scale ${e.decision.from ?? '?'} -> ${e.decision.to} (${r?.drivingSignal} at ${r?.drivingPressure?.toFixed(2)}x target, ${r?.code})`
      : `hold (${r?.code ?? e.cause})`;
});
autoscaler.start();

let next = 0;
let arrivalsThisMinute = 0;
console.log(' time  req/min  replicas(ready)  queued  last decision');
for (let now = 0; now <= 15 * 60_000; now += TICK_MS) {
  for (; next < arrivals.length && (arrivals[next] as { atMs: number }).atMs <= now; next++) {
    const ready = fleet.filter((r) => r.readyAtMs <= now);
    const target = ready.reduce(
      (best, r) =>
        r.running.length + r.queue.length < best.running.length + best.queue.length ? r : best,
      ready[0]!,
    );
    target.queue.push((arrivals[next] as { serviceMs: number }).serviceMs);
    arrivalsThisMinute++;
  }
  for (const r of fleet) {
    r.running = r.running.filter((end) => end > now);
    while (r.running.length < SLOTS && r.queue.length > 0 && r.readyAtMs <= now)
      r.running.push(now + (r.queue.shift() as number));
  }
  if (now > 0 && now % 60_000 === 0) {
    const ready = fleet.filter((r) => r.readyAtMs <= now).length;
    const queued = fleet.reduce((s, r) => s + r.queue.length, 0);
    console.log(
      `${String(now / 60_000).padStart(3)} min ${String(arrivalsThisMinute).padStart(7)} ${`${fleet.length} (${ready})`.padStart(16)} ${String(queued).padStart(7)}  ${lastSaid}`,
    );
    arrivalsThisMinute = 0;
  }
  await scheduler.advanceAsync(TICK_MS); // the autoscaler ticks every 15 s of simulated time
}
autoscaler.stop();
console.log(
  `\nautoscaler state (JSON, resumable): ${JSON.stringify(autoscaler.state()).length} bytes`,
);
