import {
  ok,
  systemClock,
  type GpuSample,
  type Clock,
  type InstanceObservation,
  type MetricReadOptions,
  type MetricSource,
  type Result,
} from '@headroom/core';
import { exposureScraper } from '../prometheus/scrape.js';
import { validateUrl } from '../internal/options.js';
import { mapDcgmExposition } from './map.js';

/** Options of {@link createDcgmSource}. */
export interface DcgmSourceOptions {
  /** The exporter's metrics URL, for example `http://10.0.0.12:9400/metrics`. */
  readonly url: string;
  /** Deadline for one scrape, ms: an integer in [1, 2_147_483_647]. @defaultValue 5_000 */
  readonly timeoutMs?: number;
  /** Largest accepted page, bytes, > 0. @defaultValue 16 MiB */
  readonly maxBytes?: number;
  /** Time source for `observedAtMs`. @defaultValue systemClock */
  readonly clock?: Clock;
  /** fetch implementation. @defaultValue the global fetch */
  readonly fetch?: typeof fetch;
}

/**
 * A {@link MetricSource} that scrapes an NVIDIA DCGM exporter's `/metrics` and returns one
 * observation per instance (pod, or node for GPUs without a pod), each with its GPU and MIG
 * samples. See {@link mapDcgmExposition} for the mapping rules.
 *
 * @throws `HeadroomError` `invalid_config` when the URL or a number is invalid.
 * @example
 * ```ts
 * const dcgm = createDcgmSource({ url: 'http://127.0.0.1:9400/metrics' });
 * const reading = await dcgm.read();
 * if (reading.ok) for (const o of reading.value) console.log(o.instanceId, o.gpus?.length);
 * ```
 */
export function createDcgmSource(options: DcgmSourceOptions): MetricSource {
  const url = validateUrl(options.url, ['url']);
  const scrape = exposureScraper(url, options, 16 * 1024 * 1024);
  const clock = options.clock ?? systemClock;
  return {
    name: `dcgm-exporter ${url}`,
    async read(
      readOptions: MetricReadOptions = {},
    ): Promise<Result<readonly InstanceObservation[]>> {
      const parsed = await scrape(readOptions);
      if (!parsed.ok) return parsed;
      const observedAtMs = clock.now();
      const readings = mapDcgmExposition(parsed.value, observedAtMs);
      if (!readings.ok) return readings;
      const byInstance = new Map<string, GpuSample[]>();
      for (const r of readings.value.readings) {
        const gpus = byInstance.get(r.instanceId);
        if (gpus === undefined) byInstance.set(r.instanceId, [r.sample]);
        else gpus.push(r.sample);
      }
      return ok([...byInstance].map(([instanceId, gpus]) => ({ instanceId, observedAtMs, gpus })));
    },
  };
}
