// @headroom/routing benchmarks: `npm run bench` from the repository root, or from this package:
//   HEADROOM_BENCH_TIME_MS=300 node --expose-gc ./node_modules/.bin/tsx --conditions=@headroom/source bench/index.ts
// (`NODE_OPTIONS=--expose-gc npx tsx ...` works too). Every figure is measured next to a naive
// O(n) baseline in the same run. The heap-growth figure needs `global.gc` for a clean reading;
// without it the figure is printed with a warning.
import { createRandom, setTelemetryEnabled, type Random } from '@headroom/core';
import { runComparisons, type Comparison } from '../../../tools/bench.js';
import { createRouter, type Router } from '../src/router/router.js';
import type { RouteRequest } from '../src/router/types.js';
import { EndpointTable } from '../src/table/endpoint-table.js';
import { ScoringConfigSchema, headroomWeight, type EndpointSignals } from '../src/table/scoring.js';

const T0 = 1_700_000_000_000;
const GIB = 1024 ** 3;
const OPS = 1_000;
const REQUEST: RouteRequest = { model: 'llama' };
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

function metricsFor(i: number, random: Random) {
  return {
    memoryUsedBytes: (0.2 + 0.7 * random.nextFloat()) * 80 * GIB,
    memoryTotalBytes: 80 * GIB,
    kvCacheUtilization: 0.9 * random.nextFloat(),
    queueDepth: i % 7,
  };
}

function makeRouter(n: number, picker: 'weighted' | 'p2c'): Router {
  const router = createRouter({ picker, countPicksAsStarts: false, maxMetricAgeMs: 86_400_000 });
  const random = createRandom(n);
  for (let i = 0; i < n; i++) {
    const id = `gpu-${i}`;
    router.upsertEndpoint(
      { id, models: [{ name: 'llama' }], lifecycle: 'ready', readySinceMs: 0, region: 'us-east-1' },
      T0,
    );
    router.updateMetrics(id, { scrapedAtMs: T0, ...metricsFor(i, random) }, T0);
  }
  return router;
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

function heapGrowth(picks: number): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  {
    // Reference: the injected Random alone (V8 boxes a double returned from a call it does not inline).
    const random = createRandom(6);
    let s = 0;
    for (let i = 0; i < 10_000; i++) s += random.nextFloat();
    gc?.();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < picks; i++) s += random.nextFloat();
    const after = process.memoryUsage().heapUsed;
    sink += s;
    process.stdout.write(
      `  reference: ${picks.toLocaleString('en-US')} random.nextFloat() calls alone: ${((after - before) / picks).toFixed(3)} bytes/call before gc\n`,
    );
  }
  const router = makeRouter(10_000, 'weighted');
  const p2c = makeRouter(10_000, 'p2c');
  const random = createRandom(5);
  for (let i = 0; i < 10_000; i++) router.pick(REQUEST, T0, random); // warm up the JIT
  for (let i = 0; i < 10_000; i++) p2c.pick(REQUEST, T0, random);
  for (const [name, r] of [
    ['weighted', router],
    ['p2c', p2c],
  ] as const) {
    gc?.();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < picks; i++) {
      const result = r.pick(REQUEST, T0, random);
      if ('endpointId' in result) sink += result.endpointId.length;
    }
    const after = process.memoryUsage().heapUsed;
    gc?.();
    const afterGc = process.memoryUsage().heapUsed;
    process.stdout.write(
      `  heap growth over ${picks.toLocaleString('en-US')} ${name} picks at 10k endpoints: ` +
        `${((after - before) / picks).toFixed(3)} bytes/pick before gc, ` +
        `${((afterGc - before) / picks).toFixed(3)} bytes/pick retained after gc` +
        `${gc === undefined ? ' (no global.gc: run node with --expose-gc for a clean reading)' : ''}\n`,
    );
  }
}

async function main(): Promise<void> {
  const comparisons: Comparison[] = [
    weightedPick(1_000),
    weightedPick(10_000),
    p2cPick(10_000),
    update(10_000),
    scanLayout(10_000),
  ];
  const results = await runComparisons('@headroom/routing', comparisons);
  const targets = [300, 500, 150, 300, Number.NaN];
  results.forEach((r, i) => {
    const target = targets[i] as number;
    process.stdout.write(
      `  ${r.name}: median ${r.subjectMedianNsPerOp.toFixed(0)} ns/op${Number.isNaN(target) ? '' : ` (target <= ${target} ns)`}, baseline ${r.baselineMedianNsPerOp.toFixed(0)} ns/op, ${r.ratio.toFixed(1)}x\n`,
    );
  });
  process.stdout.write(
    '  (telemetry on, no SDK: the periodic flush adds one counter call per endpoint)\n',
  );
  heapGrowth(1_000_000);
  setTelemetryEnabled(false);
  process.stdout.write('  (telemetry switched off)\n');
  heapGrowth(1_000_000);
  setTelemetryEnabled(undefined);
  try {
    const streams = (await import('./streams.js')) as {
      streamComparisons?: () => Comparison[];
    };
    if (streams.streamComparisons !== undefined) {
      await runComparisons('@headroom/routing streams', streams.streamComparisons());
    }
  } catch (error) {
    process.stdout.write(`  (stream benchmarks skipped: ${String(error)})\n`);
  }
  if (sink === 42) process.stdout.write('');
}

await main();
