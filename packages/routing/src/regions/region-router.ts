import {
  HeadroomError,
  TimeDecayedEwma,
  fromZodError,
  err,
  ok,
  parseConfig,
  type Result,
} from '@headroom/core';
import { z } from 'zod';
import {
  RegionUnavailableError,
  type RegionRejection,
  type RegionRejectionDetail,
} from './region-unavailable-error.js';

const name = z.string().min(1);

/** One serving region. */
export const RegionSchema = z.strictObject({
  /** The region's name, unique, for example `eu-west-1`. */
  name,
});

/** How a region router measures "nearest". */
export const REGION_STRATEGIES = ['latency', 'geography'] as const;

/**
 * One of {@link REGION_STRATEGIES}.
 *
 * - `latency`: the measured round-trip time from the client's region (an EWMA of
 *   {@link RegionRouter.observeRtt} samples), falling back to the static `geography` table where
 *   no fresh measurement exists. The table is then read as an RTT estimate in ms.
 * - `geography`: the static `geography` table only; measurements are kept but not used.
 */
export type RegionStrategy = (typeof REGION_STRATEGIES)[number];

/** Configuration of {@link createRegionRouter}. */
export const RegionRouterConfigSchema = z
  .strictObject({
    /** The serving regions, at least one, unique names. */
    regions: z.array(RegionSchema).min(1),
    /**
     * Static distance from each client region to serving regions: `{ [clientRegion]: {
     * [region]: distance } }`, each finite and >= 0 (ms of RTT, or km under `geography`). A pair
     * missing from the table is unknown (sorted after every known one), except a client in a
     * serving region, whose distance to that region defaults to 0. @defaultValue {}
     */
    geography: z.record(name, z.record(name, z.number().min(0))).default({}),
    /**
     * Per-tenant data-sovereignty pinning: `{ [tenant]: { allowedRegions } }`. A tenant's
     * requests go only to its allowed regions, whatever the load or health elsewhere.
     * @defaultValue {}
     */
    tenants: z
      .record(
        name,
        z.strictObject({
          /** The only regions this tenant's requests may go to; at least one, all known. */
          allowedRegions: z.array(name).min(1),
        }),
      )
      .default({}),
    /**
     * What a request naming a tenant that `tenants` does not list gets: `unrestricted` (every
     * region) or `reject` (a `not_found` error; use it when every tenant must be pinned).
     * @defaultValue 'unrestricted'
     */
    unknownTenant: z.literal(['unrestricted', 'reject']).default('unrestricted'),
    /** How "nearest" is measured; see {@link RegionStrategy}. @defaultValue 'latency' */
    strategy: z.literal(REGION_STRATEGIES).default('latency'),
    /**
     * Utilization (`load / capacity`, 0..1) at which a region stops taking new requests while a
     * farther allowed region is below its own: the waterfall's spill point. In (0, 1].
     * @defaultValue 0.8
     */
    overflowThreshold: z.number().gt(0).max(1).default(0.8),
    /** Half-life of the RTT EWMA, ms, > 0. @defaultValue 30_000 */
    rttHalfLifeMs: z.number().positive().default(30_000),
    /**
     * Age after which a measured RTT is ignored (the static table is used instead), ms, > 0.
     * @defaultValue 300_000
     */
    rttMaxAgeMs: z.number().positive().default(300_000),
  })
  .superRefine((config, ctx) => {
    const known = new Set<string>();
    config.regions.forEach((region, index) => {
      if (known.has(region.name)) {
        ctx.addIssue({
          code: 'custom',
          message: 'duplicate region name',
          path: ['regions', index, 'name'],
          input: region.name,
          params: { limit: 'unique names' },
        });
      }
      known.add(region.name);
    });
    const unknown = (path: (string | number)[], value: string): void => {
      ctx.addIssue({
        code: 'custom',
        message: 'is not a configured region',
        path,
        input: value,
        params: { limit: `one of: ${[...known].join(', ')}` },
      });
    };
    for (const [client, row] of Object.entries(config.geography)) {
      for (const region of Object.keys(row)) {
        if (!known.has(region)) unknown(['geography', client, region], region);
      }
    }
    for (const [tenant, policy] of Object.entries(config.tenants)) {
      policy.allowedRegions.forEach((region, index) => {
        if (!known.has(region)) unknown(['tenants', tenant, 'allowedRegions', index], region);
      });
    }
  });

/** What {@link createRegionRouter} accepts: {@link RegionRouterConfigSchema}'s input. */
export type RegionRouterConfig = z.input<typeof RegionRouterConfigSchema>;

/** A region's reported state; see {@link RegionRouter.updateRegion}. */
export const RegionUpdateSchema = z.strictObject({
  /** Capacity for new work, in the caller's unit (streams, GPUs, req/s), finite and >= 0. */
  capacity: z.number().min(0).optional(),
  /** Current load in the same unit as `capacity`, finite and >= 0. */
  load: z.number().min(0).optional(),
  /** False takes the region out of rotation (failover). */
  healthy: z.boolean().optional(),
  /** Model name to the version the region serves, for example `{ 'whisper-large': 'v3.1' }`. */
  modelVersions: z.record(name, name).optional(),
});

/** What {@link RegionRouter.updateRegion} accepts: fields left out keep their previous value. */
export type RegionUpdate = z.input<typeof RegionUpdateSchema>;

/** A region's current state, as merged from its updates. */
export interface RegionStatus {
  /** Capacity for new work, caller's unit, >= 0. @defaultValue 0 before it is reported */
  readonly capacity: number;
  /** Load, same unit, >= 0. @defaultValue 0 */
  readonly load: number;
  /** Whether the region is in rotation. @defaultValue true */
  readonly healthy: boolean;
  /** Model name to served version. @defaultValue {} */
  readonly modelVersions: Readonly<Record<string, string>>;
}

/** A request for a region. */
export interface RegionRequest {
  /**
   * Where the client is: a serving region's name or a client region of the `geography` table.
   * Any other name has no distances (every region is at `Infinity`, so ties go by region name).
   */
  readonly clientRegion: string;
  /** The tenant, whose `allowedRegions` then bind. */
  readonly tenant?: string;
  /** The model wanted: only regions listing it in `modelVersions` qualify. */
  readonly model?: string;
  /** Now, epoch ms, finite: decides whether measured RTTs are fresh. */
  readonly nowMs: number;
  /** When true the choice carries {@link RegionChoice.explain}. @defaultValue false */
  readonly explain?: boolean;
}

/** Where a region's distance came from: a fresh measurement, the static table, or neither. */
export type DistanceSource = 'measured' | 'static' | 'none';

/** One region in an explained choice, in waterfall order (nearest first, ties by name). */
export interface RegionVerdict {
  /** The region. */
  readonly region: string;
  /** Its distance from the client (ms or the table's unit); `Infinity` when unknown. */
  readonly distance: number;
  /** Where the distance came from. */
  readonly source: DistanceSource;
  /**
   * `chosen`; `farther` (could have taken the request, a nearer one did); or why it was
   * rejected ({@link RegionRejection}).
   */
  readonly verdict: 'chosen' | 'farther' | RegionRejection;
}

/**
 * Why the chosen region was chosen.
 *
 * - `nearest`: it is the nearest allowed region.
 * - `overflow`: a nearer allowed region was at its threshold or full (capacity-aware spill).
 * - `failover`: every nearer allowed region was unhealthy, had no capacity, no state, or did not
 *   serve the model.
 */
export type RegionChoiceReason = 'nearest' | 'overflow' | 'failover';

/** A successful {@link RegionRouter.chooseRegion}. */
export interface RegionChoice {
  /** The region to send the request to. */
  readonly region: string;
  /** Why; see {@link RegionChoiceReason}. */
  readonly reason: RegionChoiceReason;
  /** Its distance from the client; `Infinity` when unknown. */
  readonly distance: number;
  /** Where the distance came from. */
  readonly source: DistanceSource;
  /** Its utilization before this request, `load / capacity`, in [0, 1) (it had room). */
  readonly utilization: number;
  /** Every region in waterfall order with its verdict; present only when asked for. */
  readonly explain?: readonly RegionVerdict[];
}

/** A region serving a model at a version other than the fleet's target. */
export interface VersionDrift {
  /** The region. */
  readonly region: string;
  /** The model. */
  readonly model: string;
  /** The version the region serves. */
  readonly version: string;
  /** The fleet's target version. */
  readonly targetVersion: string;
}

/** Multi-region routing with tenant pinning. See {@link createRegionRouter}. */
export interface RegionRouter {
  /**
   * Records one round-trip time from a client region to a serving region.
   * @returns false (and changes nothing) for an unknown region or client region, an RTT that is
   * not a finite number >= 0, a non-finite `nowMs`, or a sample older than the last one.
   */
  observeRtt(clientRegion: string, region: string, rttMs: number, nowMs: number): boolean;
  /** The smoothed RTT, ms, from a client region to a region; `undefined` before any sample. */
  measuredRttMs(clientRegion: string, region: string): number | undefined;
  /**
   * Merges a report into a region's state (fields left out keep their value).
   * @returns the merged {@link RegionStatus}, or `{ ok: false }` with `not_found` for an unknown
   * region or `invalid_input` naming the bad field (the state is then unchanged).
   */
  updateRegion(region: string, update: RegionUpdate): Result<RegionStatus>;
  /** A region's current state; `undefined` before its first update or for an unknown region. */
  status(region: string): RegionStatus | undefined;
  /**
   * Chooses a region; never throws. See {@link createRegionRouter} for the rule.
   * @returns the {@link RegionChoice}, or `{ ok: false, error }`: a {@link RegionUnavailableError}
   * when no allowed region can take the request, `not_found` for an unknown tenant under
   * `unknownTenant: 'reject'`, `invalid_argument` for a non-finite `nowMs`.
   */
  chooseRegion(request: RegionRequest): Result<RegionChoice>;
  /**
   * {@link RegionRouter.chooseRegion}, throwing its error: for callers without a fallback.
   * @throws {@link RegionUnavailableError} or `HeadroomError`, as `chooseRegion` returns them.
   */
  chooseRegionOrThrow(request: RegionRequest): RegionChoice;
  /**
   * Regions serving a model at another version than `targetVersionByModel` says, by region then
   * model name. Regions that do not serve a model are not drift.
   */
  versionDrift(targetVersionByModel: Readonly<Record<string, string>>): VersionDrift[];
}

// Classes of a region for one request, best first; the index names the verdict.
const AVAILABLE = 0;
const OVER_THRESHOLD = 1;
const FULL = 2;
const MODEL_NOT_SERVED = 3;
const NO_CAPACITY = 4;
const UNHEALTHY = 5;
const NO_STATE = 6;
const NOT_ALLOWED = 7;
const VERDICTS = [
  'farther',
  'over_threshold',
  'full',
  'model_not_served',
  'no_capacity',
  'unhealthy',
  'no_state',
  'not_allowed',
] as const;

type ParsedConfig = Readonly<z.output<typeof RegionRouterConfigSchema>>;

class WaterfallRegionRouter implements RegionRouter {
  readonly #config: ParsedConfig;
  /** Region names sorted, so index order is the tie-break order. */
  readonly #names: readonly string[];
  readonly #index: ReadonlyMap<string, number>;
  readonly #allRegions: readonly number[];
  readonly #allowed: ReadonlyMap<string, readonly number[]>;
  readonly #clients: ReadonlySet<string>;
  /** Static distance per client region, by region index (Infinity when unknown). */
  readonly #staticDistance: ReadonlyMap<string, Float64Array>;
  readonly #rtt = new Map<string, (TimeDecayedEwma | undefined)[]>();
  readonly #states: (RegionStatus | undefined)[];
  readonly #distance: Float64Array;
  readonly #source: DistanceSource[];
  readonly #class: Uint8Array;

  constructor(config: ParsedConfig) {
    this.#config = config;
    this.#names = config.regions.map((r) => r.name).sort();
    this.#index = new Map(this.#names.map((n, i) => [n, i]));
    this.#allRegions = this.#names.map((_, i) => i);
    const n = this.#names.length;
    this.#allowed = new Map(
      Object.entries(config.tenants).map(([tenant, policy]) => [
        tenant,
        [...new Set(policy.allowedRegions.map((r) => this.#index.get(r) as number))].sort(
          (a, b) => a - b,
        ),
      ]),
    );
    const clients = new Set<string>([...this.#names, ...Object.keys(config.geography)]);
    this.#clients = clients;
    const statics = new Map<string, Float64Array>();
    for (const client of clients) {
      const row = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
      const own = this.#index.get(client);
      if (own !== undefined) row[own] = 0;
      for (const [region, d] of Object.entries(config.geography[client] ?? {})) {
        row[this.#index.get(region) as number] = d;
      }
      statics.set(client, row);
    }
    this.#staticDistance = statics;
    this.#states = new Array<RegionStatus | undefined>(n).fill(undefined);
    this.#distance = new Float64Array(n);
    this.#source = new Array<DistanceSource>(n).fill('none');
    this.#class = new Uint8Array(n);
  }

  observeRtt(clientRegion: string, region: string, rttMs: number, nowMs: number): boolean {
    const i = this.#index.get(region);
    if (i === undefined || !this.#clients.has(clientRegion)) return false;
    if (!Number.isFinite(rttMs) || rttMs < 0 || !Number.isFinite(nowMs)) return false;
    let row = this.#rtt.get(clientRegion);
    if (row === undefined) {
      row = new Array<TimeDecayedEwma | undefined>(this.#names.length).fill(undefined);
      this.#rtt.set(clientRegion, row);
    }
    let ewma = row[i];
    if (ewma === undefined) {
      ewma = new TimeDecayedEwma({ halfLifeMs: this.#config.rttHalfLifeMs });
      row[i] = ewma;
    }
    return ewma.update(rttMs, nowMs);
  }

  measuredRttMs(clientRegion: string, region: string): number | undefined {
    const i = this.#index.get(region);
    return i === undefined ? undefined : this.#rtt.get(clientRegion)?.[i]?.value;
  }

  updateRegion(region: string, update: RegionUpdate): Result<RegionStatus> {
    const i = this.#index.get(region);
    if (i === undefined) {
      return err(
        new HeadroomError({
          code: 'not_found',
          message: 'is not a configured region',
          path: ['region'],
          value: region,
          limit: `one of: ${this.#names.join(', ')}`,
        }),
      );
    }
    const parsed = RegionUpdateSchema.safeParse(update, { reportInput: true });
    if (!parsed.success)
      return err(fromZodError(parsed.error, 'invalid_input', ['regions', region]));
    const previous = this.#states[i];
    const u = parsed.data;
    const next: RegionStatus = Object.freeze({
      capacity: u.capacity ?? previous?.capacity ?? 0,
      load: u.load ?? previous?.load ?? 0,
      healthy: u.healthy ?? previous?.healthy ?? true,
      modelVersions: Object.freeze({ ...(u.modelVersions ?? previous?.modelVersions ?? {}) }),
    });
    this.#states[i] = next;
    return ok(next);
  }

  status(region: string): RegionStatus | undefined {
    const i = this.#index.get(region);
    return i === undefined ? undefined : this.#states[i];
  }

  chooseRegionOrThrow(request: RegionRequest): RegionChoice {
    const result = this.chooseRegion(request);
    if (!result.ok) throw result.error;
    return result.value;
  }

  chooseRegion(request: RegionRequest): Result<RegionChoice> {
    const { clientRegion, tenant, model, nowMs } = request;
    if (!Number.isFinite(nowMs)) {
      return err(
        new HeadroomError({
          code: 'invalid_argument',
          message: 'must be a finite epoch time in ms',
          path: ['nowMs'],
          value: nowMs,
          limit: 'finite',
        }),
      );
    }
    let allowed = this.#allRegions;
    if (tenant !== undefined) {
      const pinned = this.#allowed.get(tenant);
      if (pinned !== undefined) allowed = pinned;
      else if (this.#config.unknownTenant === 'reject') {
        return err(
          new HeadroomError({
            code: 'not_found',
            message: 'tenant has no region policy and unknownTenant is reject',
            path: ['tenant'],
            value: tenant,
          }),
        );
      }
    }
    this.#measure(clientRegion, nowMs);
    const cls = this.#class;
    cls.fill(NOT_ALLOWED);
    const threshold = this.#config.overflowThreshold;
    for (const i of allowed) cls[i] = this.#classify(i, model, threshold);

    // Waterfall: the nearest region below its threshold; else the nearest with room.
    const distance = this.#distance;
    let nearestAllowed = -1;
    let firstPass = -1;
    let secondPass = -1;
    for (const i of allowed) {
      const d = distance[i] as number;
      if (nearestAllowed < 0 || d < (distance[nearestAllowed] as number)) nearestAllowed = i;
      const c = cls[i] as number;
      if (c === AVAILABLE && (firstPass < 0 || d < (distance[firstPass] as number))) firstPass = i;
      if (c === OVER_THRESHOLD && (secondPass < 0 || d < (distance[secondPass] as number))) {
        secondPass = i;
      }
    }
    const chosen = firstPass >= 0 ? firstPass : secondPass;
    if (chosen < 0) return err(this.#unavailable(tenant, allowed));

    let reason: RegionChoiceReason = 'nearest';
    if (chosen !== nearestAllowed) {
      // Overflow when a nearer allowed region turned it away for load; failover otherwise.
      reason = 'failover';
      const dc = distance[chosen] as number;
      for (const i of allowed) {
        const c = cls[i] as number;
        const d = distance[i] as number;
        const nearer = d < dc || (d === dc && i < chosen);
        if (nearer && (c === OVER_THRESHOLD || c === FULL)) reason = 'overflow';
      }
    }
    const state = this.#states[chosen] as RegionStatus;
    const choice: RegionChoice = {
      region: this.#names[chosen] as string,
      reason,
      distance: distance[chosen] as number,
      source: this.#source[chosen] as DistanceSource,
      utilization: state.load / state.capacity,
      ...(request.explain === true ? { explain: this.#explain(chosen) } : {}),
    };
    return ok(choice);
  }

  versionDrift(targetVersionByModel: Readonly<Record<string, string>>): VersionDrift[] {
    const drift: VersionDrift[] = [];
    const models = Object.keys(targetVersionByModel).sort();
    this.#names.forEach((region, i) => {
      const state = this.#states[i];
      if (state === undefined) return;
      for (const model of models) {
        const version = state.modelVersions[model];
        const targetVersion = targetVersionByModel[model] as string;
        if (version !== undefined && version !== targetVersion) {
          drift.push({ region, model, version, targetVersion });
        }
      }
    });
    return drift;
  }

  /** Fills the distance and its source per region for one client region at `nowMs`. */
  #measure(clientRegion: string, nowMs: number): void {
    const statics = this.#staticDistance.get(clientRegion);
    const measured = this.#config.strategy === 'latency' ? this.#rtt.get(clientRegion) : undefined;
    const maxAgeMs = this.#config.rttMaxAgeMs;
    for (let i = 0; i < this.#names.length; i++) {
      const ewma = measured?.[i];
      const value = ewma?.value;
      if (ewma !== undefined && value !== undefined && ewma.ageMs(nowMs) <= maxAgeMs) {
        this.#distance[i] = value;
        this.#source[i] = 'measured';
        continue;
      }
      const d = statics?.[i] ?? Number.POSITIVE_INFINITY;
      this.#distance[i] = d;
      this.#source[i] = d === Number.POSITIVE_INFINITY ? 'none' : 'static';
    }
  }

  #classify(i: number, model: string | undefined, threshold: number): number {
    const state = this.#states[i];
    if (state === undefined) return NO_STATE;
    if (!state.healthy) return UNHEALTHY;
    if (state.capacity <= 0) return NO_CAPACITY;
    if (model !== undefined && state.modelVersions[model] === undefined) return MODEL_NOT_SERVED;
    if (state.load >= state.capacity) return FULL;
    if (state.load / state.capacity >= threshold) return OVER_THRESHOLD;
    return AVAILABLE;
  }

  /** Region indices in waterfall order: nearest first, ties by name. */
  #waterfall(indices: readonly number[]): number[] {
    const d = this.#distance;
    return [...indices].sort((a, b) => {
      const da = d[a] as number;
      const db = d[b] as number;
      return da < db ? -1 : da > db ? 1 : a - b;
    });
  }

  #explain(chosen: number): RegionVerdict[] {
    return this.#waterfall(this.#allRegions).map((i) => {
      const c = this.#class[i] as number;
      return {
        region: this.#names[i] as string,
        distance: this.#distance[i] as number,
        source: this.#source[i] as DistanceSource,
        verdict: i === chosen ? 'chosen' : (VERDICTS[c] ?? 'not_allowed'),
      };
    });
  }

  #unavailable(tenant: string | undefined, allowed: readonly number[]): RegionUnavailableError {
    const rejections: RegionRejectionDetail[] = this.#waterfall(allowed).map((i) => ({
      region: this.#names[i] as string,
      reason: VERDICTS[this.#class[i] as number] as RegionRejection,
    }));
    return new RegionUnavailableError({
      tenant,
      allowedRegions: allowed.map((i) => this.#names[i] as string),
      rejections,
    });
  }
}

/**
 * Creates a multi-region router: which region a client's request (or stream) should go to, by
 * measured latency or static geography, with capacity-aware overflow, health-driven failover
 * and per-tenant pinning for data sovereignty.
 *
 * **The rule.** The candidates are the tenant's `allowedRegions` (every region without a tenant
 * policy): a hard constraint that overflow and failover never cross. Each candidate is ranked by
 * its distance from `clientRegion` (measured RTT EWMA under `latency` when fresh, else the static
 * table; unknown distances last; ties by region name). A candidate that has no reported state,
 * is unhealthy, has zero capacity, does not serve the requested model or is full
 * (`load >= capacity`) is skipped (failover). Of the rest, the nearest with utilization below
 * `overflowThreshold` wins; when every one is at or above it, the nearest with room wins (the
 * waterfall of global server load balancers such as Envoy's priority levels with overprovisioning,
 * or GCP's waterfall-by-region, in spirit). When none is left, the result is a
 * {@link RegionUnavailableError} naming the tenant, its allowed regions and why each was
 * rejected: never a silent spill to a region the tenant may not use.
 *
 * The router does not count its own choices: loads come from {@link RegionRouter.updateRegion}
 * (your metrics), so between updates the same request gets the same region. Update often enough
 * for the spill to react (every few seconds for streams).
 *
 * `chooseRegion` returns a `Result` and never throws (it sits on a gateway's request path);
 * `chooseRegionOrThrow` is the throwing variant.
 *
 * @param config - see {@link RegionRouterConfigSchema}.
 * @throws `HeadroomError` `invalid_config` naming the field (an unknown region in a tenant's
 * `allowedRegions`, a duplicate region, an `overflowThreshold` outside (0, 1]) and the value.
 * @example
 * ```ts
 * const regions = createRegionRouter({
 *   regions: [{ name: 'eu-west' }, { name: 'eu-central' }, { name: 'us-east' }],
 *   geography: { 'eu-west': { 'eu-central': 25, 'us-east': 80 } },
 *   tenants: { 'acme-eu': { allowedRegions: ['eu-west', 'eu-central'] } },
 *   overflowThreshold: 0.8,
 * });
 * regions.updateRegion('eu-west', { capacity: 100, load: 85, healthy: true });
 * regions.updateRegion('eu-central', { capacity: 100, load: 30, healthy: true });
 * regions.observeRtt('eu-west', 'eu-central', 24, nowMs);
 * const choice = regions.chooseRegion({ clientRegion: 'eu-west', tenant: 'acme-eu', nowMs });
 * if (choice.ok) connect(choice.value.region); // 'eu-central', reason 'overflow'
 * else reject(choice.error); // RegionUnavailableError: never us-east for acme-eu
 * ```
 */
export function createRegionRouter(config: RegionRouterConfig): RegionRouter {
  return new WaterfallRegionRouter(parseConfig(RegionRouterConfigSchema, config));
}
