// @headroom/routing benchmarks: `npm run bench` from the repository root, or from this package
// (`HEADROOM_BENCH_TIME_MS=300 npm run bench` for a quicker pass). Every latency figure is measured
// next to a naive O(n) baseline in the same run, three times; the summary prints each issue
// target with the range of the three medians, PASS or MISS (on the middle of the three), the
// ratio against the baseline and the load average, since the machine may be shared. Allocation
// is measured as heap growth per operation over windows without a GC (see `heapPerOp`).
import { createRandom, setTelemetryEnabled, type Random } from '@headroom/core';
import { availableParallelism, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runComparisons, type Comparison, type ComparisonResult } from '../../../tools/bench.js';
import { GIB, REQUEST, T0, makeRouter, metricsFor, openLiveStreams } from './fixtures.js';
import type { Router } from '../src/router/router.js';
import type { RequestOutcome } from '../src/router/types.js';
import { EndpointTable } from '../src/table/endpoint-table.js';
import { ScoringConfigSchema, headroomWeight, type EndpointSignals } from '../src/table/scoring.js';

const OPS = 1_000;
const scoring = ScoringConfigSchema.parse({});

/** The naive router's endpoint: a plain object per endpoint in an array. */
interface NaiveEndpoint {
  id: string;
  ready: boolean;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
  kvCacheUtilization: number;
  queueDepth: number;
  weight: number;
}

function makeNaive(n: number): NaiveEndpoint[] {
  const random = createRandom(n);
  return Array.from({ length: n }, (_, i) => {
    const m = metricsFor(i, random);
    return { id: `gpu-${i}`, ready: true, ...m, weight: 0 };
  });
}

/** The naive pick: recompute every endpoint's headroom weight and walk the cumulative sum. */
function naivePick(endpoints: NaiveEndpoint[], random: Random): string | undefined {
  let total = 0;
  for (const e of endpoints) {
    e.weight = e.ready
      ? ((e.memoryTotalBytes - e.memoryUsedBytes) / (80 * GIB)) *
        (1 - e.kvCacheUtilization) *
        (1 / (1 + e.queueDepth))
      : 0;
    total += e.weight;
  }
  let target = random.nextFloat() * total;
  for (const e of endpoints) {
    if (target < e.weight) return e.id;
    target -= e.weight;
  }
  return endpoints[endpoints.length - 1]?.id;
}

let sink = 0;

function weightedPick(n: number): Comparison {
  const router = makeRouter(n, 'weighted');
  const naive = makeNaive(n);
  const a = createRandom(1);
  const b = createRandom(1);
  return {
    name: `weighted pick, ${n.toLocaleString('en-US')} endpoints`,
    opsPerCall: OPS,
    subject: {
      name: 'Router.pick (Fenwick tree, O(log n))',
      fn: () => {
        for (let i = 0; i < OPS; i++) {
          const r = router.pick(REQUEST, T0, a);
          if ('endpointId' in r) sink += r.endpointId.length;
        }
      },
    },
    baseline: {
      name: 'naive: score all + O(n) weighted scan',
      fn: () => {
        for (let i = 0; i < OPS; i++) sink += naivePick(naive, b)?.length ?? 0;
      },
    },
  };
}

function p2cPick(n: number): Comparison {
  const router = makeRouter(n, 'p2c');
  const naive = makeNaive(n);
  const a = createRandom(2);
  const b = createRandom(2);
  return {
    name: `power-of-two-choices pick, ${n.toLocaleString('en-US')} endpoints`,
    opsPerCall: OPS,
    subject: {
      name: 'Router.pick (p2c over cached load scores)',
      fn: () => {
        for (let i = 0; i < OPS; i++) {
          const r = router.pick(REQUEST, T0, a);
          if ('endpointId' in r) sink += r.endpointId.length;
        }
      },
    },
    baseline: {
      name: 'naive: score all + O(n) weighted scan',
      fn: () => {
        for (let i = 0; i < OPS; i++) sink += naivePick(naive, b)?.length ?? 0;
      },
    },
  };
}

function update(n: number): Comparison {
  const router = makeRouter(n, 'weighted');
  const naive = makeNaive(n);
  const byId = new Map(naive.map((e) => [e.id, e]));
  const prefix = new Float64Array(n);
  const ids = Array.from({ length: n }, (_, i) => `gpu-${i}`);
  const random = createRandom(3);
  const metrics = Array.from({ length: 64 }, (_, i) => ({
    scrapedAtMs: T0,
    ...metricsFor(i, random),
  }));
  let k = 0;
  let j = 0;
  return {
    name: `endpoint metrics update, ${n.toLocaleString('en-US')} endpoints`,
    opsPerCall: OPS,
    subject: {
      name: 'Router.updateMetrics (validate, rescore, O(log n))',
      fn: () => {
        for (let i = 0; i < OPS; i++) {
          k = (k + 7919) % n;
          const r = router.updateMetrics(ids[k] as string, metrics[i & 63]!, T0);
          if (r.ok) sink++;
        }
      },
    },
    baseline: {
      name: 'naive: object table + O(n) prefix-sum rebuild',
      fn: () => {
        for (let i = 0; i < OPS; i++) {
          j = (j + 7919) % n;
          const e = byId.get(ids[j] as string) as NaiveEndpoint;
          Object.assign(e, metrics[i & 63]);
          let sum = 0;
          for (let x = 0; x < n; x++) {
            const o = naive[x] as NaiveEndpoint;
            sum +=
              ((o.memoryTotalBytes - o.memoryUsedBytes) / (80 * GIB)) *
              (1 - o.kvCacheUtilization) *
              (1 / (1 + o.queueDepth));
            prefix[x] = sum;
          }
          sink += prefix[n - 1] as number;
        }
      },
    },
  };
}

/** Does struct-of-arrays storage help a full scan at 10k? Score every endpoint both ways. */
function scanLayout(n: number): Comparison {
  const table = new EndpointTable(16);
  const random = createRandom(4);
  const objects: EndpointSignals[] = [];
  for (let i = 0; i < n; i++) {
    const { slot } = table.upsert(
      { id: `gpu-${i}`, models: [{ name: 'llama' }], lifecycle: 'ready' },
      T0,
    );
    const m = metricsFor(i, random);
    table.setMetrics(slot, { scrapedAtMs: T0, ...m });
    objects.push({ ...m, activeStreams: Number.NaN, maxStreamSlots: 0 });
  }
  // Shuffle the objects' order of allocation against their scan order, as a long-lived table's is.
  for (let i = n - 1; i > 0; i--) {
    const r = random.nextInt(i + 1);
    const t = objects[i] as EndpointSignals;
    objects[i] = objects[r] as EndpointSignals;
    objects[r] = t;
  }
  const scratch: EndpointSignals = { ...(objects[0] as EndpointSignals) };
  return {
    name: `headroom scan of every endpoint, ${n.toLocaleString('en-US')} endpoints`,
    opsPerCall: n,
    subject: {
      name: 'typed arrays (EndpointTable)',
      fn: () => {
        let s = 0;
        for (let slot = 0; slot < n; slot++)
          s += headroomWeight(table.signalsInto(slot, scratch), scoring);
        sink += s;
      },
    },
    baseline: {
      name: 'array of objects',
      fn: () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += headroomWeight(objects[i] as EndpointSignals, scoring);
        sink += s;
      },
    },
  };
}

/** `global.gc`, exposed at run time when node was not started with `--expose-gc`. */
function getGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Heap growth per operation, bytes: the smallest figure over `windows` windows of `ops`
 * operations, each started right after a full GC, so no collection runs inside a window (a window
 * allocates at most a few MB even at 64 B/op, well under the young generation) and the growth of
 * `heapUsed` is what the window allocated. An operation that allocates does so in every window;
 * one-off heap events (a new-space page handed out, code from a concurrent compile) land in one
 * window and would make a median of few windows read as an allocation, so the minimum is the
 * per-operation figure. `bench/gc-probe.ts` cross-checks it by counting young-generation
 * collections over 10M operations with a 1 MB semi-space. `run(n)` performs n operations and
 * returns a number that depends on them (kept in a local, so the measuring loop itself allocates
 * nothing).
 */
function heapPerOp(run: (n: number) => number, ops = 50_000, windows = 20): number {
  const gc = getGc();
  let keep = run(ops * 4); // warm up: let the JIT settle first
  const figures: number[] = [];
  for (let w = 0; w < windows; w++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    keep += run(ops);
    figures.push((process.memoryUsage().heapUsed - before) / ops);
  }
  sink += keep;
  return Math.min(...figures);
}

const OUTCOME: RequestOutcome = { success: true, latencyMs: 20 };

function allocations(): void {
  process.stdout.write(
    '\nallocation per operation (heap growth without GC, least of 20 windows of 50k: 1M operations; 0 = none)\n',
  );
  const random = createRandom(5);
  const line = (name: string, bytes: number): void => {
    const verdict = bytes < 0.5 ? 'PASS' : 'MISS';
    process.stdout.write(`  ${name.padEnd(62)} ${bytes.toFixed(2).padStart(7)} B/op  ${verdict}\n`);
  };
  const picks = (router: Router, complete: boolean) => (n: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const r = router.pick(REQUEST, T0, random);
      if ('endpointId' in r) {
        s += r.endpointId.length;
        if (complete) router.onComplete(r.endpointId, OUTCOME, T0);
      }
    }
    return s;
  };
  // Picks alone: the automatic telemetry flush is off here and measured on its own below.
  const noFlush = { telemetryFlushEveryPicks: 0 };
  line(
    'weighted pick, 10k endpoints',
    heapPerOp(picks(makeRouter(10_000, 'weighted', noFlush), false)),
  );
  line('p2c pick, 10k endpoints', heapPerOp(picks(makeRouter(10_000, 'p2c', noFlush), false)));
  const counted = { ...noFlush, countPicksAsStarts: true };
  line(
    'weighted pick + onComplete, countPicksAsStarts (the default)',
    heapPerOp(picks(makeRouter(10_000, 'weighted', counted), true)),
  );
  line(
    'p2c pick + onComplete, countPicksAsStarts (the default)',
    heapPerOp(picks(makeRouter(10_000, 'p2c', counted), true)),
  );
  const updates = makeRouter(10_000, 'weighted', noFlush);
  const ids = Array.from({ length: 10_000 }, (_, i) => `gpu-${i}`);
  const metrics = Array.from({ length: 64 }, (_, i) => ({
    scrapedAtMs: T0,
    ...metricsFor(i, random),
  }));
  line(
    'updateMetrics, 10k endpoints',
    heapPerOp((n) => {
      let s = 0;
      let k = 0;
      for (let i = 0; i < n; i++) {
        k = (k + 7919) % 10_000;
        if (updates.updateMetrics(ids[k] as string, metrics[i & 63]!, T0).ok) s++;
      }
      return s;
    }),
  );
  const { streams, streamIds, handles } = openLiveStreams(100_000, 1_000);
  line(
    'stream routeHandle of a live stream, 100k streams',
    heapPerOp((n) => {
      let s = 0;
      let j = 0;
      for (let i = 0; i < n; i++) {
        j = j + 7919 >= 100_000 ? j + 7919 - 100_000 : j + 7919;
        const r = streams.routeHandle(handles[j] as number, T0);
        if (r.ok) s += r.endpointId.length;
      }
      return s;
    }),
  );
  line(
    'stream route (by id) of a live stream, 100k streams',
    heapPerOp((n) => {
      let s = 0;
      let j = 0;
      for (let i = 0; i < n; i++) {
        j = j + 7919 >= 100_000 ? j + 7919 - 100_000 : j + 7919;
        const r = streams.route(streamIds[j] as string, T0);
        if (r.ok) s += r.endpointId.length;
      }
      return s;
    }),
  );
  // The telemetry flush: one counter add per endpoint picked since the last flush, every
  // `telemetryFlushEveryPicks` picks (default 65,536), amortized over those picks.
  const flushed = makeRouter(10_000, 'p2c', noFlush);
  const gc = getGc();
  const flushBytes: number[] = [];
  for (let w = 0; w < 5; w++) {
    sink += picks(flushed, false)(65_536);
    gc();
    const before = process.memoryUsage().heapUsed;
    flushed.flushTelemetry();
    flushBytes.push((process.memoryUsage().heapUsed - before) / 65_536);
  }
  flushBytes.sort((x, y) => x - y);
  process.stdout.write(
    `  ${'telemetry flush (10k endpoints, no SDK), amortized per pick'.padEnd(62)} ${(flushBytes[2] as number).toFixed(2).padStart(7)} B/pick (routing's closure-free counters; 0 with telemetry off)\n`,
  );
}

/** One issue target: which comparison measures it and the bound on its median, ns. */
interface Target {
  readonly label: string;
  readonly comparison: string;
  readonly targetNs: number;
}

function range(values: readonly number[], digits: number, unit: string): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo.toFixed(digits) === hi.toFixed(digits)
    ? `${lo.toFixed(digits)}${unit}`
    : `${lo.toFixed(digits)}-${hi.toFixed(digits)}${unit}`;
}

function middle(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function load(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

const ROUNDS = 3;

async function main(): Promise<void> {
  const loadBefore = load();
  const comparisons: Comparison[] = [
    weightedPick(1_000),
    weightedPick(10_000),
    p2cPick(10_000),
    update(10_000),
    scanLayout(10_000),
  ];
  try {
    const streams = (await import('./streams.js')) as { streamComparisons?: () => Comparison[] };
    if (streams.streamComparisons !== undefined) comparisons.push(...streams.streamComparisons());
  } catch (error) {
    process.stdout.write(`  (stream benchmarks skipped: ${String(error)})\n`);
  }
  const rounds: ComparisonResult[][] = [];
  for (let r = 0; r < ROUNDS; r++) {
    rounds.push(
      await runComparisons(`@headroom/routing, round ${r + 1} of ${ROUNDS}`, comparisons),
    );
  }
  const targets: Target[] = [
    { label: 'weighted pick, 1k endpoints', comparison: comparisons[0]!.name, targetNs: 300 },
    { label: 'weighted pick, 10k endpoints', comparison: comparisons[1]!.name, targetNs: 500 },
    { label: 'p2c pick, 10k endpoints', comparison: comparisons[2]!.name, targetNs: 150 },
    {
      label: 'endpoint metrics update, 10k endpoints',
      comparison: comparisons[3]!.name,
      targetNs: 300,
    },
  ];
  const byHandle = comparisons.find((c) => c.name.startsWith('route a live stream by handle ('));
  if (byHandle !== undefined)
    targets.push({
      label: 'stream lookup by handle (100k live)',
      comparison: byHandle.name,
      targetNs: 200,
    });
  const route = comparisons.find((c) => c.name.startsWith('route a live stream by id ('));
  if (route !== undefined)
    targets.push({
      label: 'stream lookup by id (route, 100k live)',
      comparison: route.name,
      targetNs: 200,
    });
  process.stdout.write(
    `\nissue targets: median ns/op over ${ROUNDS} rounds (range), verdict on the middle round\n` +
      `  load average before: ${loadBefore}; after: ${load()} (${availableParallelism()} cores)\n`,
  );
  process.stdout.write(
    `  ${'target'.padEnd(40)} ${'median'.padStart(12)} ${'bound'.padStart(8)}  verdict  ${'naive median'.padStart(14)}  ratio\n`,
  );
  for (const t of targets) {
    const results = rounds.map((round) => round.find((r) => r.name === t.comparison));
    if (results.some((r) => r === undefined)) continue;
    const found = results as ComparisonResult[];
    const medians = found.map((r) => r.subjectMedianNsPerOp);
    const verdict = middle(medians) <= t.targetNs ? 'PASS' : 'MISS';
    process.stdout.write(
      `  ${t.label.padEnd(40)} ${range(medians, 0, ' ns').padStart(12)} ${`<= ${t.targetNs}`.padStart(8)}  ${verdict.padEnd(7)}  ${range(
        found.map((r) => r.baselineMedianNsPerOp),
        0,
        ' ns',
      ).padStart(14)}  ${range(
        found.map((r) => r.ratio),
        1,
        'x',
      )}\n`,
    );
  }
  // Figures without an issue bound, for context.
  for (const c of comparisons.slice(4)) {
    if (c === route || c === byHandle) continue;
    const found = rounds.map((round) => round.find((r) => r.name === c.name)) as ComparisonResult[];
    process.stdout.write(
      `  ${c.name}: ${c.subject.name} ${range(
        found.map((r) => r.subjectMedianNsPerOp),
        0,
        ' ns',
      )}, ` +
        `${c.baseline.name} ${range(
          found.map((r) => r.baselineMedianNsPerOp),
          0,
          ' ns',
        )}, ratio ${range(
          found.map((r) => r.ratio),
          2,
          'x',
        )}\n`,
    );
  }
  allocations();
  setTelemetryEnabled(false);
  const off = makeRouter(10_000, 'p2c');
  const random = createRandom(9);
  const withFlush = heapPerOp(
    (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const r = off.pick(REQUEST, T0, random);
        if ('endpointId' in r) s += r.endpointId.length;
      }
      return s;
    },
    131_072,
    3,
  );
  setTelemetryEnabled(undefined);
  process.stdout.write(
    `  ${'p2c pick with auto flush, telemetry switched off'.padEnd(62)} ${withFlush.toFixed(2).padStart(7)} B/op  ${withFlush < 0.5 ? 'PASS' : 'MISS'}\n`,
  );
  if (sink === 42) process.stdout.write('');
}

await main();
