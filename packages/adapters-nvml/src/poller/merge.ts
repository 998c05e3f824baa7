import type {
  GpuSample,
  InstanceLoad,
  InstanceObservation,
  LatencyObservation,
} from '@headroom/core';

type Labels = NonNullable<InstanceObservation['labels']>;

/** Copies `next`'s defined fields over `base`'s (an explicit `undefined` never erases a value). */
function overlay<T extends object>(base: T | undefined, next: T | undefined): T | undefined {
  if (next === undefined) return base;
  const out: Record<string, unknown> = base === undefined ? {} : { ...base };
  for (const [key, value] of Object.entries(next)) {
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}

function overlayLabels(base: Labels | undefined, next: Labels | undefined): Labels | undefined {
  const merged = overlay(base, next);
  if (merged === undefined || base?.extra === undefined || next?.extra === undefined) return merged;
  return { ...merged, extra: { ...base.extra, ...next.extra } };
}

/**
 * Accumulates observations of one instance, later ones winning field by field: `load`,
 * `labels` (with `labels.extra` merged key by key), `latency`, and `gpus` merged by `gpuId`.
 * `observedAtMs` is the newest of the merged observations.
 */
export class ObservationMerger {
  readonly #instanceId: string;
  #observedAtMs = Number.NEGATIVE_INFINITY;
  #labels: Labels | undefined;
  #load: InstanceLoad | undefined;
  #latency: LatencyObservation | undefined;
  #gpus: Map<string, GpuSample> | undefined;

  /** @param instanceId - the instance every merged observation belongs to. */
  constructor(instanceId: string) {
    this.#instanceId = instanceId;
  }

  /** Folds in an observation newer (in poll order) than every one before it. */
  add(observation: InstanceObservation): void {
    if (observation.observedAtMs > this.#observedAtMs)
      this.#observedAtMs = observation.observedAtMs;
    this.#labels = overlayLabels(this.#labels, observation.labels);
    this.#load = overlay(this.#load, observation.load);
    this.#latency = overlay(this.#latency, observation.latency);
    if (observation.gpus !== undefined) {
      this.#gpus ??= new Map();
      for (const gpu of observation.gpus) {
        this.#gpus.set(gpu.gpuId, overlay(this.#gpus.get(gpu.gpuId), gpu) ?? gpu);
      }
    }
  }

  /** The merged load so far (before peaks are applied). */
  get load(): InstanceLoad | undefined {
    return this.#load;
  }

  /** The merged observation, with `load` replaced by `load` when given. */
  build(load: InstanceLoad | undefined): InstanceObservation {
    return {
      instanceId: this.#instanceId,
      observedAtMs: this.#observedAtMs,
      ...(this.#labels === undefined ? {} : { labels: this.#labels }),
      ...(load === undefined ? {} : { load }),
      ...(this.#gpus === undefined ? {} : { gpus: [...this.#gpus.values()] }),
      ...(this.#latency === undefined ? {} : { latency: this.#latency }),
    };
  }
}
