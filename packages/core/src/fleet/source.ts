import type { Result } from '../errors/headroom-error.js';
import type { GpuSample, InstanceLabels, InstanceLoad } from './schemas.js';

/**
 * Request latency an inference server reports for an instance, over the source's own window
 * (for a Prometheus histogram: between two scrapes). Unknown values are `undefined`.
 */
export interface LatencyObservation {
  /** Time to first token, median, ms. */
  readonly ttftP50Ms?: number;
  /** Time to first token, 95th percentile, ms. */
  readonly ttftP95Ms?: number;
  /** Time to first token, 99th percentile, ms. */
  readonly ttftP99Ms?: number;
  /** End-to-end request latency, median, ms. */
  readonly e2eP50Ms?: number;
  /** End-to-end request latency, 95th percentile, ms. */
  readonly e2eP95Ms?: number;
  /** End-to-end request latency, 99th percentile, ms. */
  readonly e2eP99Ms?: number;
  /** Mean time a request waited in the server's queue, ms. */
  readonly queueWaitMeanMs?: number;
}

/**
 * What one metric source knows about one instance at one moment: a partial instance snapshot.
 * A source fills only what it measures (DCGM: `gpus`; vLLM: `load` and `latency`), and a
 * consumer merges observations from several sources by `instanceId`.
 */
export interface InstanceObservation {
  /** The instance these metrics belong to (a pod as `namespace/pod`, a host, an endpoint). */
  readonly instanceId: string;
  /** When the source observed these values, epoch ms. */
  readonly observedAtMs: number;
  /** Labels the source knows (model, region, GPU class...). */
  readonly labels?: InstanceLabels;
  /** Load fields the source reports. */
  readonly load?: InstanceLoad;
  /** GPU or MIG-instance samples the source reports. */
  readonly gpus?: readonly GpuSample[];
  /** Latency the source reports. */
  readonly latency?: LatencyObservation;
}

/** Options of one {@link MetricSource.read}. */
export interface MetricReadOptions {
  /** Aborts the read (the poller passes its deadline here). */
  readonly signal?: AbortSignal;
}

/**
 * A source of metrics: `nvidia-smi`, a DCGM exporter, an inference server's `/metrics`, a
 * Prometheus query. The scaling controller and the poller consume this interface; adapters
 * implement it.
 *
 * `read` never throws and never rejects: a failure (unreachable, timeout, malformed output) is a
 * `{ ok: false, error }` with a typed `HeadroomError`, so a controller can hold on it.
 */
export interface MetricSource {
  /** A short name for reasons and errors, for example `dcgm-exporter 127.0.0.1:9400`. */
  readonly name: string;
  /** Reads the source once. */
  read(options?: MetricReadOptions): Promise<Result<readonly InstanceObservation[]>>;
}
