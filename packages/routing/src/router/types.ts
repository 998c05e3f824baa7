import type { HealthState } from '../health/gpu-signals.js';
import type { LatencyClass } from '../matching/gpu-classes.js';
import type { HeadroomFactors } from '../table/scoring.js';

/**
 * The pickers.
 *
 * - `weighted`: weighted random over headroom weights, O(log n) through a Fenwick tree per model
 *   pool.
 * - `p2c`: power of two choices: two candidates drawn uniformly, the one with the lower load
 *   score wins. O(1).
 * - `least_loaded`: the candidate with the lowest load score, deterministic; ties go to the lower
 *   32-bit hash of the endpoint id, then to the lower slot. O(n) per pick.
 */
export type PickerKind = 'weighted' | 'p2c' | 'least_loaded';

/** One routing request. Only `model` is required. */
export interface RouteRequest {
  /** Model the request needs loaded. */
  readonly model: string;
  /** Model version; when set, only endpoints that loaded exactly this version match. */
  readonly version?: string;
  /**
   * Priority, any finite number (higher is more important); NaN or absent counts as 0. Under
   * `onSaturated: 'shed'` a request with priority below `shedBelowPriority` is shed when every
   * candidate is saturated.
   */
  readonly priority?: number;
  /**
   * Latency class for workload-to-GPU matching (`realtime`, `interactive`, `batch`). When any of
   * `latencyClass`, `fp8`, `memoryGiB` is set, only endpoints whose GPU class suits the workload
   * are candidates; a missing latency class then counts as `batch` (every tier).
   */
  readonly latencyClass?: LatencyClass;
  /** True when the request needs FP8 tensor cores (workload matching). */
  readonly fp8?: boolean;
  /** GPU memory the workload needs on one GPU, GiB (workload matching); absent counts as 0. */
  readonly memoryGiB?: number;
  /** Hashes of the prompt's prefix blocks, for prefix/KV-cache affinity. */
  readonly prefixHashes?: Uint32Array | readonly number[];
  /** When set, only endpoints in one of these regions are candidates (strict). */
  readonly allowedRegions?: readonly string[];
  /** When set, only endpoints in one of these zones are candidates (strict). */
  readonly allowedZones?: readonly string[];
}

/**
 * Why a request was not routed.
 *
 * - `invalid_request`: the request has no model (a string), so nothing can match.
 * - `no_model`: no endpoint has the model (and version) loaded.
 * - `no_endpoint`: endpoints have the model, but none passes the hard filters (lifecycle ready,
 *   health, regions/zones, workload matching).
 * - `saturated`: every candidate is saturated, `onSaturated` is `shed` and the request's
 *   priority is below `shedBelowPriority`.
 */
export type ShedReason = 'invalid_request' | 'no_model' | 'no_endpoint' | 'saturated';

/** The shed reasons, in a stable order. */
export const SHED_REASONS: readonly ShedReason[] = Object.freeze([
  'invalid_request',
  'no_model',
  'no_endpoint',
  'saturated',
]);

/** How a pick was made. `panic`: healthy fraction under the panic threshold; `spill`: every candidate saturated. */
export type PickMode = 'normal' | 'panic' | 'spill' | 'panic_spill';

/** A request routed to an endpoint. Without explain, the same frozen object per endpoint. */
export interface PickedEndpoint {
  /** The endpoint to send the request to. */
  readonly endpointId: string;
  /** The reason object, only when the pick was asked to explain. */
  readonly explain?: PickExplanation;
}

/** A request not routed. Without explain, one frozen object per reason. */
export interface ShedResult {
  /** Why. */
  readonly shed: ShedReason;
  /** The reason object, only when the pick was asked to explain. */
  readonly explain?: PickExplanation;
}

/** The result of `Router.pick`. */
export type PickResult = PickedEndpoint | ShedResult;

/** The hard and soft filters an explanation reports. */
export type FilterName =
  'model' | 'lifecycle' | 'health' | 'region' | 'zone' | 'workload' | 'saturation';

/** One candidate (an endpoint that passed the hard filters) in an explanation. */
export interface CandidateExplanation {
  /** Endpoint id. */
  readonly id: string;
  /** Weight the weighted picker used (0 for a saturated candidate outside spill). */
  readonly weight: number;
  /** Load score (1 = at the saturation threshold) used by p2c and least-loaded. */
  readonly loadScore: number;
  /** Headroom weight before slow start, health and staleness. */
  readonly headroom: number;
  /** The headroom factors. */
  readonly factors: HeadroomFactors;
  /** Slow-start factor in (0, 1]. */
  readonly slowStartFactor: number;
  /** Health state. */
  readonly health: HealthState;
  /** True when the metrics are older than `maxMetricAgeMs` (or none arrived yet). */
  readonly stale: boolean;
  /** True when a signal is at or above its saturation threshold. */
  readonly saturated: boolean;
  /** Effective queue depth (scrape plus the router's accounting). */
  readonly effectiveQueue: number;
  /** Prefix blocks the endpoint is believed to have cached (0 without affinity). */
  readonly affinityBlocks: number;
}

/** The reason object of an explained pick: plain data, safe to serialize. */
export interface PickExplanation {
  /** The requested model. */
  readonly model: string;
  /** The requested version, or null. */
  readonly version: string | null;
  /** The picker configured. */
  readonly picker: PickerKind;
  /** How the pick was made. */
  readonly mode: PickMode;
  /** Whether the pool was in panic (healthy fraction under the threshold). */
  readonly panic: boolean;
  /** Endpoints that are available (ready, healthy or degraded) ÷ ready and not draining; 1 when none is ready. */
  readonly healthyFraction: number;
  /** The configured panic threshold. */
  readonly panicThreshold: number;
  /** Whether every candidate was saturated. */
  readonly allSaturated: boolean;
  /** Filter name → ids it removed. `model` lists every endpoint without the model (and version). */
  readonly filtered: Readonly<Record<FilterName, readonly string[]>>;
  /** The candidates that passed the hard filters, in slot order. */
  readonly candidates: readonly CandidateExplanation[];
  /** The endpoint picked, or null. */
  readonly chosen: string | null;
  /** Why the request was shed, or null. */
  readonly shed: ShedReason | null;
}

/** The outcome of a request, for `Router.onComplete`. */
export interface RequestOutcome {
  /** Whether the request succeeded (a 5xx, a reset or a timeout is a failure). */
  readonly success: boolean;
  /** Latency, ms (finite, >= 0; kept for the host's telemetry, not used for routing). */
  readonly latencyMs: number;
}
