// Allocation cross-check for the routing hot paths (part of `npm run bench` in this package).
// Run with a 1 MiB young generation (`node --max-semi-space-size=1 --expose-gc`): any
// per-operation allocation of even a few bytes then forces young-generation collections during
// 10M operations (8 B/op is 80 MB: dozens of scavenges), so zero collections bound the
// allocation below 1 MiB / 10M, about 0.1 B/op. A control that keeps one small object per operation shows the probe detects it.
import { createRandom, setTelemetryEnabled } from '@headroom/core';
import { GCProfiler } from 'node:v8';
import { createRouter, type Router } from '../src/router/router.js';
import { createStreamRouter } from '../src/streams/index.js';

const GIB = 1024 ** 3;
const T0 = 1_700_000_000_000;
const OPS = 10_000_000;
const REQUEST = { model: 'llama' };

function makeRouter(picker: 'weighted' | 'p2c'): Router {
  const router = createRouter({
    picker,
    countPicksAsStarts: false,
    maxMetricAgeMs: 86_400_000,
    telemetryFlushEveryPicks: 0,
  });
  const random = createRandom(1);
  for (let i = 0; i < 10_000; i++) {
    const id = `gpu-${i}`;
    router.upsertEndpoint(
      { id, models: [{ name: 'llama' }], lifecycle: 'ready', readySinceMs: 0, region: 'us-east-1' },
      T0,
    );
    router.updateMetrics(
      id,
      {
        scrapedAtMs: T0,
        memoryUsedBytes: (0.2 + 0.7 * random.nextFloat()) * 80 * GIB,
        memoryTotalBytes: 80 * GIB,
        kvCacheUtilization: 0.9 * random.nextFloat(),
        queueDepth: i % 7,
      },
      T0,
    );
  }
  return router;
}

let held: unknown = null;
let sink = 0;

/** Young-generation collections (scavenges) while `fn` runs, from V8's GC profiler. */
function scavengesDuring(fn: () => void): number {
  const profiler = new GCProfiler();
  profiler.start();
  fn();
  const result = profiler.stop();
  return result.statistics.filter((s) => s.gcType === 'Scavenge').length;
}

function probe(name: string, run: (n: number) => number): void {
  sink += run(1_000_000); // warm up
  (globalThis as { gc?: () => void }).gc?.(); // start from an empty young generation
  const scavenges = scavengesDuring(() => {
    sink += run(OPS);
  });
  // Each scavenge means at most one semi-space (1 MiB) was filled since the last; one more may
  // be partly filled at the end.
  const boundBytesPerOp = ((scavenges + 1) * 1024 * 1024) / OPS;
  const control = name.startsWith('control');
  const verdict = control
    ? scavenges > 0
      ? 'detected'
      : 'NOT DETECTED'
    : boundBytesPerOp < 0.5
      ? 'PASS'
      : 'MISS';
  process.stdout.write(
    `  ${name.padEnd(56)} ${String(scavenges).padStart(4)} scavenges: <= ${boundBytesPerOp.toFixed(2)} B/op  ${verdict}\n`,
  );
}

const picks = (router: Router, keep: boolean) => {
  const random = createRandom(5);
  return (n: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const r = router.pick(REQUEST, T0, random);
      if ('endpointId' in r) {
        if (keep) held = { id: r.endpointId, i };
        s += r.endpointId.length;
      }
    }
    return s;
  };
};

setTelemetryEnabled(false);
process.stdout.write(
  '\n@headroom/routing allocation probe: young-generation collections in 10M operations with a 1 MiB semi-space\n',
);
probe('weighted pick, 10k endpoints', picks(makeRouter('weighted'), false));
probe('p2c pick, 10k endpoints', picks(makeRouter('p2c'), false));
const streams = createStreamRouter({
  maxStreams: 100_000,
  ttlMs: 1e12,
  endpoints: Array.from({ length: 1_000 }, (_, i) => ({ id: `gpu-${i}` })),
});
const handles = new Float64Array(100_000);
for (let i = 0; i < 100_000; i++) {
  const r = streams.open(`session-${i}`, T0);
  if (r.ok) handles[i] = r.handle;
}
probe('stream routeHandle, 100k live streams', (n) => {
  let s = 0;
  let j = 0;
  for (let i = 0; i < n; i++) {
    j = j + 7919 >= 100_000 ? j + 7919 - 100_000 : j + 7919;
    const r = streams.routeHandle(handles[j] as number, T0);
    if (r.ok) s += r.endpointId.length;
  }
  return s;
});
probe(
  'control: weighted pick keeping one small object per pick',
  picks(makeRouter('weighted'), true),
);
if (sink === 42 && held === null) process.stdout.write('');
