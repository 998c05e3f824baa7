import { HeadroomError, isHeadroomError } from '@headroom/core';

/**
 * Why a region could not take a request.
 *
 * - `not_allowed`: the tenant's `allowedRegions` do not include it (data sovereignty).
 * - `no_state`: no {@link RegionRouter.updateRegion} has reported on it yet.
 * - `unhealthy`: marked unhealthy.
 * - `no_capacity`: no ready capacity (`capacity` is 0).
 * - `model_not_served`: a model was asked for and the region does not list it.
 * - `full`: `load >= capacity`.
 * - `over_threshold`: `load / capacity >= overflowThreshold`; used only when no allowed region is
 *   below its threshold.
 */
export type RegionRejection =
  | 'not_allowed'
  | 'no_state'
  | 'unhealthy'
  | 'no_capacity'
  | 'model_not_served'
  | 'full'
  | 'over_threshold';

/** One allowed region and why it was rejected, in a {@link RegionUnavailableError}. */
export interface RegionRejectionDetail {
  /** The region. */
  readonly region: string;
  /** Why it could not take the request. */
  readonly reason: RegionRejection;
}

/** What a {@link RegionUnavailableError} is built from. */
export interface RegionUnavailableErrorOptions {
  /** The tenant whose request failed, if the request named one. */
  readonly tenant: string | undefined;
  /** The regions the request was allowed to use (every region when no tenant pins it). */
  readonly allowedRegions: readonly string[];
  /** Each allowed region and why it was rejected, nearest first. */
  readonly rejections: readonly RegionRejectionDetail[];
}

/**
 * No region the request may use can take it. Code `unavailable`; never a silent spill into a
 * region outside the tenant's `allowedRegions`. Carries the tenant, its allowed regions and why
 * each was rejected, as data ({@link RegionUnavailableError.rejections}) and in the message.
 *
 * Recognise it with {@link isRegionUnavailableError} (works across duplicate package copies).
 */
export class RegionUnavailableError extends HeadroomError {
  /** The tenant whose request failed, if the request named one. */
  readonly tenant: string | undefined;
  /** The regions the request was allowed to use. */
  readonly allowedRegions: readonly string[];
  /** Each allowed region and why it was rejected, nearest first. */
  readonly rejections: readonly RegionRejectionDetail[];

  constructor(options: RegionUnavailableErrorOptions) {
    const who =
      options.tenant === undefined ? 'the request' : `tenant ${JSON.stringify(options.tenant)}`;
    const why =
      options.rejections.length === 0
        ? 'no region is allowed'
        : options.rejections.map((r) => `${r.region} ${r.reason}`).join('; ');
    super({
      code: 'unavailable',
      message: `no allowed region can serve ${who} (allowed: ${options.allowedRegions.join(', ') || 'none'}): ${why}`,
      ...(options.tenant === undefined ? {} : { path: ['tenant'], value: options.tenant }),
      limit: 'an allowed, healthy region with load < capacity',
    });
    this.name = 'RegionUnavailableError';
    this.tenant = options.tenant;
    this.allowedRegions = Object.freeze([...options.allowedRegions]);
    this.rejections = Object.freeze(options.rejections.map((r) => Object.freeze({ ...r })));
  }
}

/**
 * True when `error` is a {@link RegionUnavailableError}, from this or another copy of the
 * package: an `unavailable` `HeadroomError` carrying `allowedRegions` and `rejections`.
 */
export function isRegionUnavailableError(error: unknown): error is RegionUnavailableError {
  return (
    isHeadroomError(error, 'unavailable') &&
    Array.isArray((error as { rejections?: unknown }).rejections) &&
    Array.isArray((error as { allowedRegions?: unknown }).allowedRegions)
  );
}
