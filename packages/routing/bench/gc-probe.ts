// Allocation cross-check for the routing hot paths (part of `npm run bench` in this package).
// Run with a 1 MiB young generation (`node --max-semi-space-size=1 --expose-gc`): any
// per-operation allocation of even a few bytes then forces young-generation collections during
// 10M operations (8 B/op is 80 MB: dozens of scavenges), so zero collections bound the
// allocation below 1 MiB / 10M, about 0.1 B/op. A control that keeps one small object per
// operation shows the probe detects it.
import { createRandom, setTelemetryEnabled } from '@headroom/core';
import { GCProfiler } from 'node:v8';
import type { Router } from '../src/router/router.js';
import { REQUEST, T0, makeRouter, openLiveStreams } from './fixtures.js';

const OPS = 10_000_000;
/** Picks only: the automatic telemetry flush is off. */
const NO_FLUSH = { telemetryFlushEveryPicks: 0 };

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
probe('weighted pick, 10k endpoints', picks(makeRouter(10_000, 'weighted', NO_FLUSH), false));
probe('p2c pick, 10k endpoints', picks(makeRouter(10_000, 'p2c', NO_FLUSH), false));
const { streams, handles } = openLiveStreams(100_000, 1_000);
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
  picks(makeRouter(10_000, 'weighted', NO_FLUSH), true),
);
if (sink === 42 && held === null) process.stdout.write('');
