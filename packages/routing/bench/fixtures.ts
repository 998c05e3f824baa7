// Fixtures shared by the routing benchmarks (`index.ts`) and the allocation probe (`gc-probe.ts`).
import { createRandom, type Random } from '@headroom/core';
import { createRouter, type Router } from '../src/router/router.js';
import type { RouteRequest } from '../src/router/types.js';
import { createStreamRouter, type StreamRouter } from '../src/streams/index.js';

/** The simulated "now" of every benchmark, epoch ms. */
export const T0 = 1_700_000_000_000;
/** Bytes in a GiB. */
export const GIB = 1024 ** 3;
/** The request every pick routes. */
export const REQUEST: RouteRequest = { model: 'llama' };

/** Plausible scraped metrics for endpoint `i`: 20-90% memory used, KV cache up to 90%. */
export function metricsFor(i: number, random: Random) {
  return {
    memoryUsedBytes: (0.2 + 0.7 * random.nextFloat()) * 80 * GIB,
    memoryTotalBytes: 80 * GIB,
    kvCacheUtilization: 0.9 * random.nextFloat(),
    queueDepth: i % 7,
  };
}

export function makeRouter(
  n: number,
  picker: 'weighted' | 'p2c',
  options: { countPicksAsStarts?: boolean; telemetryFlushEveryPicks?: number } = {},
): Router {
  const router = createRouter({
    picker,
    countPicksAsStarts: options.countPicksAsStarts ?? false,
    maxMetricAgeMs: 86_400_000,
    ...(options.telemetryFlushEveryPicks === undefined
      ? {}
      : { telemetryFlushEveryPicks: options.telemetryFlushEveryPicks }),
  });
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

/** A stream router holding `count` live streams on `endpoints` endpoints, with their ids and handles. */
export function openLiveStreams(
  count: number,
  endpoints: number,
): { streams: StreamRouter; streamIds: string[]; handles: Float64Array } {
  const streams = createStreamRouter({
    maxStreams: count,
    ttlMs: 1e12,
    endpoints: Array.from({ length: endpoints }, (_, i) => ({ id: `gpu-${i}` })),
  });
  const streamIds = Array.from({ length: count }, (_, i) => `session-${i}`);
  const handles = new Float64Array(count);
  streamIds.forEach((id, i) => {
    const r = streams.open(id, T0);
    if (r.ok) handles[i] = r.handle;
  });
  return { streams, streamIds, handles };
}
