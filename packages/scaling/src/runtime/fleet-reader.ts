import {
  HeadroomError,
  err,
  isHeadroomError,
  ok,
  type GpuSample,
  type InstanceLabels,
  type InstanceLoad,
  type InstanceObservation,
  type InstanceSnapshot,
  type LifecycleState,
  type MetricSource,
  type Result,
} from '@headroom/core';
import type { FleetSignalValue } from '../signals/index.js';
import type { FleetReader, FleetReading } from './types.js';

/** One instance of a scale target as the platform knows it (a pod, a VM), without metrics. */
export interface InventoryInstance {
  /** The id metric sources use for it (`InstanceObservation.instanceId`, for a pod `namespace/pod`). */
  readonly id: string;
  /** Its lifecycle state (core's `LifecycleState`). */
  readonly state: LifecycleState;
  /** When it entered that state, epoch ms, if known. */
  readonly stateSinceMs?: number;
  /** Placement labels the platform knows; they win over labels a metric source reports. */
  readonly labels?: InstanceLabels;
}

/** What the platform says about a scale target: its instances and the replicas asked for. */
export interface FleetInventory {
  /** The replicas the target is asked for (`spec.replicas`), a non-negative integer. */
  readonly currentReplicas: number;
  /** The target's instances, any lifecycle state. */
  readonly instances: readonly InventoryInstance[];
}

/** Options of {@link fleetReaderFromSource}. */
export interface FleetReaderFromSourceOptions {
  /**
   * Computes the fleet-wide values of `latency` signals from the raw observations and the merged
   * instances, by signal name; for example the highest `latency.ttftP95Ms` of the ready
   * instances. @defaultValue none (no fleet values)
   */
  readonly fleet?: (
    observations: readonly InstanceObservation[],
    instances: readonly InstanceSnapshot[],
  ) => Readonly<Record<string, FleetSignalValue>>;
}

function internal(message: string, cause: unknown): HeadroomError {
  return new HeadroomError({ code: 'internal', message, cause });
}

function mergeLoad(into: Record<string, number>, load: InstanceLoad | undefined): boolean {
  if (load === undefined) return false;
  let any = false;
  for (const [key, value] of Object.entries(load)) {
    if (value === undefined) continue;
    into[key] = value;
    any = true;
  }
  return any;
}

function mergeLabels(
  inventory: InstanceLabels | undefined,
  observed: InstanceLabels[],
): InstanceLabels {
  const out: Record<string, unknown> = {};
  let extra: Record<string, string> | undefined;
  for (const labels of [...observed, inventory ?? {}]) {
    for (const [key, value] of Object.entries(labels)) {
      if (value === undefined) continue;
      if (key === 'extra') extra = { ...extra, ...(value as Record<string, string>) };
      else out[key] = value;
    }
  }
  if (extra !== undefined) out['extra'] = extra;
  return out as InstanceLabels;
}

/**
 * Merges one instance's inventory entry with the observations metric sources made of it into a
 * core `InstanceSnapshot`: load fields from the observations (a later observation's defined field
 * wins), GPU samples from all of them (the newest sample per `gpuId`), labels from the
 * observations overridden by the inventory's. `observedAtMs` is the oldest time among the
 * observations that reported load (so a stale load reads as stale), else the newest observation,
 * else 0 (no observation: every metric unknown).
 *
 * @param instance - the inventory entry.
 * @param observations - the observations whose `instanceId` is `instance.id`.
 * @example
 * ```ts
 * mergeObservations({ id: 'llm/vllm-0', state: 'ready' }, [dcgmObservation, vllmObservation]);
 * ```
 */
export function mergeObservations(
  instance: InventoryInstance,
  observations: readonly InstanceObservation[],
): InstanceSnapshot {
  const load: Record<string, number> = {};
  const gpus = new Map<string, GpuSample>();
  let loadAtMs: number | undefined;
  let newestAtMs: number | undefined;
  for (const obs of observations) {
    if (mergeLoad(load, obs.load)) {
      loadAtMs = loadAtMs === undefined ? obs.observedAtMs : Math.min(loadAtMs, obs.observedAtMs);
    }
    newestAtMs =
      newestAtMs === undefined ? obs.observedAtMs : Math.max(newestAtMs, obs.observedAtMs);
    for (const gpu of obs.gpus ?? []) {
      const seen = gpus.get(gpu.gpuId);
      if (seen === undefined || gpu.sampledAtMs >= seen.sampledAtMs) gpus.set(gpu.gpuId, gpu);
    }
  }
  return {
    id: instance.id,
    state: instance.state,
    ...(instance.stateSinceMs === undefined ? {} : { stateSinceMs: instance.stateSinceMs }),
    labels: mergeLabels(
      instance.labels,
      observations.flatMap((o) => (o.labels === undefined ? [] : [o.labels])),
    ),
    load: load as InstanceLoad,
    gpus: [...gpus.values()],
    observedAtMs: loadAtMs ?? newestAtMs ?? 0,
  };
}

/**
 * A {@link FleetReader} from core's `MetricSource` (a DCGM exporter, an inference server, a
 * Prometheus query, or a poller over several) plus an inventory of the scale target (which
 * instances exist, in which lifecycle state, and the replicas asked for; from the Kubernetes API,
 * a cloud API, or your own bookkeeping).
 *
 * Each read calls `inventory()` and `source.read({ signal })`, and merges the observations into
 * one `InstanceSnapshot` per inventory instance by id (see {@link mergeObservations});
 * observations of instances outside the inventory are ignored, and an inventory instance without
 * observations has every metric unknown. A failed source read is returned as is; an inventory
 * that throws or rejects, or a source that does, gives `{ ok: false }` with a `HeadroomError`
 * `internal` (the thrown value as its `cause`).
 *
 * @param source - the metric source.
 * @param inventory - the target's instances and replicas; may return a promise.
 * @param options - how to compute fleet-wide latency values.
 * @example
 * ```ts
 * const reader = fleetReaderFromSource(poller, () => ({
 *   currentReplicas: deployment.spec.replicas,
 *   instances: pods.map((p) => ({ id: `${p.namespace}/${p.name}`, state: lifecycleOf(p) })),
 * }));
 * ```
 */
export function fleetReaderFromSource(
  source: MetricSource,
  inventory: () => FleetInventory | Promise<FleetInventory>,
  options: FleetReaderFromSourceOptions = {},
): FleetReader {
  return {
    async read(signal: AbortSignal): Promise<Result<FleetReading>> {
      let inv: FleetInventory;
      let observed: Result<readonly InstanceObservation[]>;
      try {
        inv = await inventory();
      } catch (error) {
        return err(internal('the inventory threw', error));
      }
      try {
        observed = await source.read({ signal });
      } catch (error) {
        return err(internal(`metric source ${source.name} threw`, error));
      }
      if (!observed.ok) {
        return isHeadroomError(observed.error)
          ? observed
          : err(internal(`metric source ${source.name} failed`, observed.error));
      }
      const byId = new Map<string, InstanceObservation[]>();
      for (const obs of observed.value) {
        const list = byId.get(obs.instanceId);
        if (list === undefined) byId.set(obs.instanceId, [obs]);
        else list.push(obs);
      }
      const seen = new Set<string>();
      const instances: InstanceSnapshot[] = [];
      for (const item of inv.instances) {
        if (seen.has(item.id)) continue;
        seen.add(item.id);
        instances.push(mergeObservations(item, byId.get(item.id) ?? []));
      }
      let fleet: Readonly<Record<string, FleetSignalValue>> | undefined;
      if (options.fleet !== undefined) {
        try {
          fleet = options.fleet(observed.value, instances);
        } catch (error) {
          return err(internal('the fleet function threw', error));
        }
      }
      return ok({
        instances,
        currentReplicas: inv.currentReplicas,
        ...(fleet === undefined ? {} : { fleet }),
      });
    },
  };
}
