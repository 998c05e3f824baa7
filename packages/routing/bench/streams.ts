// Stream stickiness benchmarks: route() by session handle and by id for a live stream, and open()
// of a new one, among 100k live streams over 1k endpoints, each next to a naive baseline in the
// same run.
import { createRandom, hashString32 } from '@headroom/core';
import type { BenchSide, Comparison } from '../../../tools/bench.js';
import {
  createStreamRouter,
  rendezvousScore,
  type StreamRouteResult,
  type StreamRouter,
} from '../src/streams/index.js';

const STREAMS = 100_000;
const ENDPOINTS = 1_000;
const EPSILON = 0.25;
const NOW_MS = 1_700_000_000_000;
/** Chunks routed per benchmark call (batching keeps timer noise out). */
const ROUTES_PER_CALL = 1_000;
/** Streams opened (and closed again, to hold the table at 100k) per benchmark call. */
const OPENS_PER_CALL = 64;

const endpointIds = Array.from({ length: ENDPOINTS }, (_, i) => `gpu-${i}.pool-a:8000`);
const streamIds = Array.from(
  { length: STREAMS },
  (_, i) => `session-${i}-${(i * 2_654_435_761) >>> 0}`,
);

/** A fixed random visiting order, so lookups hit the table the way interleaved clients do. */
function shuffledIndices(n: number, seed: number): Uint32Array {
  const random = createRandom(seed);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    const t = out[i] as number;
    out[i] = out[j] as number;
    out[j] = t;
  }
  return out;
}

/** A router holding the 100k streams, and each stream's session handle by stream index. */
function loadedRouter(): { router: StreamRouter; handles: Float64Array } {
  const router = createStreamRouter({
    maxStreams: STREAMS + 2 * OPENS_PER_CALL,
    ttlMs: 1e12,
    boundedLoadEpsilon: EPSILON,
    endpoints: endpointIds.map((id) => ({ id })),
  });
  const handles = new Float64Array(STREAMS);
  streamIds.forEach((id, i) => {
    const result = router.open(id, NOW_MS);
    if (!result.ok) throw result.error;
    handles[i] = result.handle;
  });
  return { router, handles };
}

/**
 * The naive stateless router: no table; every chunk hashes the stream id and rescans every
 * endpoint's rendezvous score (what a gateway does without an affinity table).
 */
function naiveRendezvous(endpointHashes: Uint32Array, streamId: string): number {
  const h = hashString32(streamId);
  let best = 0;
  let bestScore = -1;
  for (let i = 0; i < endpointHashes.length; i++) {
    const score = rendezvousScore(h, endpointHashes[i] as number);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best;
}

let sink = 0;
function consume(result: StreamRouteResult): void {
  if (!result.ok) throw result.error;
  sink += result.endpointId.length;
}

/** The naive baseline of routing a live stream: rendezvous over all endpoints per chunk. */
function rescanBaseline(order: Uint32Array): BenchSide {
  const endpointHashes = Uint32Array.from(endpointIds, (id) => hashString32(id));
  let b = 0;
  return {
    name: 'naive: rendezvous rescan of 1k endpoints',
    fn: () => {
      for (let k = 0; k < ROUTES_PER_CALL; k++) {
        sink += naiveRendezvous(endpointHashes, streamIds[order[b] as number] as string);
        b = b + 1 === STREAMS ? 0 : b + 1;
      }
    },
  };
}

/**
 * `routeHandle()` of a live stream (the gateway keeps the handle on the connection) vs
 * recomputing rendezvous over all endpoints per chunk.
 */
function routeHandleVsRescan(
  router: StreamRouter,
  handles: Float64Array,
  order: Uint32Array,
): Comparison {
  let a = 0;
  return {
    name: `route a live stream by handle (${STREAMS / 1000}k streams, ${ENDPOINTS} endpoints)`,
    opsPerCall: ROUTES_PER_CALL,
    subject: {
      name: 'createStreamRouter().routeHandle (slot + generation)',
      fn: () => {
        for (let k = 0; k < ROUTES_PER_CALL; k++) {
          consume(router.routeHandle(handles[order[a] as number] as number, NOW_MS));
          a = a + 1 === STREAMS ? 0 : a + 1;
        }
      },
    },
    baseline: rescanBaseline(order),
  };
}

/** `route()` of a live stream by id vs recomputing rendezvous over all endpoints per chunk. */
function routeVsRescan(router: StreamRouter, order: Uint32Array): Comparison {
  let a = 0;
  return {
    name: `route a live stream by id (${STREAMS / 1000}k streams, ${ENDPOINTS} endpoints)`,
    opsPerCall: ROUTES_PER_CALL,
    subject: {
      name: 'createStreamRouter().route (affinity table)',
      fn: () => {
        for (let k = 0; k < ROUTES_PER_CALL; k++) {
          consume(router.route(streamIds[order[a] as number] as string, NOW_MS));
          a = a + 1 === STREAMS ? 0 : a + 1;
        }
      },
    },
    baseline: rescanBaseline(order),
  };
}

/** `route()` of a live stream vs a bare `Map.get`: what stickiness costs over a lookup. */
function routeVsMap(router: StreamRouter, order: Uint32Array): Comparison {
  const plain = new Map<string, string>();
  for (const id of streamIds) plain.set(id, router.endpointOf(id) ?? '');
  let a = 0;
  let b = 0;
  return {
    name: 'route a live stream: overhead over a bare Map lookup',
    opsPerCall: ROUTES_PER_CALL,
    subject: {
      name: 'createStreamRouter().route (LRU + TTL + loads)',
      fn: () => {
        for (let k = 0; k < ROUTES_PER_CALL; k++) {
          consume(router.route(streamIds[order[a] as number] as string, NOW_MS));
          a = a + 1 === STREAMS ? 0 : a + 1;
        }
      },
    },
    baseline: {
      name: 'peer: Map<string, string>.get (no TTL, bound or loads)',
      fn: () => {
        for (let k = 0; k < ROUTES_PER_CALL; k++) {
          sink += (plain.get(streamIds[order[b] as number] as string) ?? '').length;
          b = b + 1 === STREAMS ? 0 : b + 1;
        }
      },
    },
  };
}

/**
 * `open()` of a new stream (then `close()`, holding the table at 100k) vs a naive bounded-load
 * placement that scores and fully sorts every endpoint before walking the order.
 */
function openVsSort(router: StreamRouter): Comparison {
  const fresh = Array.from({ length: 4_096 }, (_, i) => `new-session-${i}`);
  const endpointHashes = Uint32Array.from(endpointIds, (id) => hashString32(id));
  const loads = new Uint32Array(ENDPOINTS).fill(STREAMS / ENDPOINTS);
  const naiveTable = new Map<string, number>();
  let a = 0;
  let b = 0;
  return {
    name: `open + close a stream (${STREAMS / 1000}k live, ${ENDPOINTS} endpoints, bounded load)`,
    opsPerCall: OPENS_PER_CALL,
    subject: {
      name: 'createStreamRouter().open',
      fn: () => {
        for (let k = 0; k < OPENS_PER_CALL; k++) {
          const id = fresh[a] as string;
          consume(router.open(id, NOW_MS));
          router.close(id);
          a = a + 1 === fresh.length ? 0 : a + 1;
        }
      },
    },
    baseline: {
      name: 'naive: score + sort all endpoints, walk caps',
      fn: () => {
        for (let k = 0; k < OPENS_PER_CALL; k++) {
          const id = fresh[b] as string;
          const h = hashString32(id);
          const order = Array.from(endpointHashes, (e, i) => ({ i, s: rendezvousScore(h, e) }));
          order.sort((x, y) => y.s - x.s);
          const cap = Math.ceil(((1 + EPSILON) * (STREAMS + 1)) / ENDPOINTS);
          const pick = order.find((x) => (loads[x.i] as number) + 1 <= cap)?.i ?? 0;
          naiveTable.set(id, pick);
          naiveTable.delete(id);
          sink += pick;
          b = b + 1 === fresh.length ? 0 : b + 1;
        }
      },
    },
  };
}

/**
 * The stream benchmarks, for `runComparisons` from `tools/bench.ts`: route of a live stream by
 * handle and by id against a per-chunk rendezvous rescan, by id against a bare Map lookup, and
 * open against a naive sort-based bounded-load placement. Building them opens 100k streams
 * (about a second).
 */
export function streamComparisons(): Comparison[] {
  const { router, handles } = loadedRouter();
  const order = shuffledIndices(STREAMS, 42);
  return [
    routeHandleVsRescan(router, handles, order),
    routeVsRescan(router, order),
    routeVsMap(router, order),
    openVsSort(router),
  ];
}

/** Keeps the benchmark loops' results observable so the JIT cannot drop them. */
export function streamBenchSink(): number {
  return sink;
}
