import {
  HeadroomError,
  err,
  ok,
  systemClock,
  type Clock,
  type InstanceObservation,
  type MetricReadOptions,
  type MetricSource,
  type Result,
} from '@headroom/core';
import { validateUrl } from '../internal/options.js';
import { exposureScraper } from '../prometheus/scrape.js';
import {
  SERVER_KINDS,
  detectServerKind,
  mapServerExposition,
  type ServerKind,
  type ServerScrapeState,
} from './map.js';

/** Options of {@link createInferenceServerSource}. */
export interface InferenceServerSourceOptions {
  /** The server's metrics URL, for example `http://10.0.0.7:8000/metrics` (vLLM) or `:8002/metrics` (Triton). */
  readonly url: string;
  /** The instance this server is (a pod as `namespace/pod`, an endpoint id). */
  readonly instanceId: string;
  /** Which server it is; `auto` detects it from metric names on each scrape. @defaultValue 'auto' */
  readonly kind?: ServerKind | 'auto';
  /** Deadline for one scrape, ms: an integer in [1, 2_147_483_647]. @defaultValue 5_000 */
  readonly timeoutMs?: number;
  /** Largest accepted page, bytes, > 0. @defaultValue 8 MiB */
  readonly maxBytes?: number;
  /** Time source for `observedAtMs`. @defaultValue systemClock */
  readonly clock?: Clock;
  /** fetch implementation. @defaultValue the global fetch */
  readonly fetch?: typeof fetch;
}

/**
 * A {@link MetricSource} for one inference server's `/metrics` (vLLM, Triton, SGLang, TGI): each
 * read returns one observation with the instance's load, latency and model label. It remembers
 * the previous scrape, so latency percentiles and Triton's queue wait cover the interval between
 * two reads (the first read has none), as Prometheus's `rate()` would.
 *
 * @throws `HeadroomError` `invalid_config` for a bad URL, instance id, kind or number.
 * @example
 * ```ts
 * const vllm = createInferenceServerSource({ url: 'http://127.0.0.1:8000/metrics', instanceId: 'llm/vllm-0' });
 * const reading = await vllm.read();
 * if (reading.ok) console.log(reading.value[0]?.load?.queueDepth);
 * ```
 */
export function createInferenceServerSource(options: InferenceServerSourceOptions): MetricSource {
  const url = validateUrl(options.url, ['url']);
  if (typeof options.instanceId !== 'string' || options.instanceId === '') {
    throw new HeadroomError({
      code: 'invalid_config',
      message: 'must be a non-empty string',
      path: ['instanceId'],
      value: options.instanceId,
    });
  }
  const kind = options.kind ?? 'auto';
  if (kind !== 'auto' && !SERVER_KINDS.includes(kind)) {
    throw new HeadroomError({
      code: 'invalid_config',
      message: 'unknown server kind',
      path: ['kind'],
      value: kind,
      limit: `one of: auto, ${SERVER_KINDS.join(', ')}`,
    });
  }
  const scrape = exposureScraper(url, options, 8 * 1024 * 1024);
  const clock = options.clock ?? systemClock;
  let previous: ServerScrapeState | undefined;
  return {
    name: `${kind === 'auto' ? 'inference-server' : kind} ${url}`,
    async read(
      readOptions: MetricReadOptions = {},
    ): Promise<Result<readonly InstanceObservation[]>> {
      const parsed = await scrape(readOptions);
      if (!parsed.ok) return parsed;
      const detected = kind === 'auto' ? detectServerKind(parsed.value) : kind;
      if (detected === undefined) {
        return err(
          new HeadroomError({
            code: 'invalid_input',
            message: `${url}: no vLLM, Triton, SGLang or TGI metrics on the page`,
            path: ['url'],
            value: url,
          }),
        );
      }
      const observedAtMs = clock.now();
      const reading = mapServerExposition(detected, parsed.value, {
        sampledAtMs: observedAtMs,
        previous,
      });
      if (!reading.ok) return reading;
      previous = reading.value.state;
      const { load, latency, labels, gpus } = reading.value;
      return ok([
        {
          instanceId: options.instanceId,
          observedAtMs,
          load,
          labels,
          ...(Object.keys(latency).length === 0 ? {} : { latency }),
          ...(gpus.length === 0 ? {} : { gpus }),
        },
      ]);
    },
  };
}
