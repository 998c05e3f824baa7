import { HeadroomError, requireNumber } from '@headroom/core';
import { IDLE_KEY, type CostAllocation, type UsageUnit } from './allocate.js';
import { formatMicroUsd } from '../money.js';

/** The FOCUS version whose columns {@link toFocusRows} emits. */
export const FOCUS_VERSION = '1.3';

/** The charge period the allocated bill covers, epoch ms (start inclusive, end exclusive). */
export interface FocusPeriod {
  /** Start of the period, epoch ms (UTC). */
  readonly startMs: number;
  /** End of the period, epoch ms (UTC), after `startMs`. */
  readonly endMs: number;
}

/** Options of {@link toFocusRows}. */
export interface FocusRowOptions {
  /** FOCUS `ServiceName`. @defaultValue `'GPU Inference'` */
  readonly serviceName?: string;
  /**
   * Prefix of the tag keys headroom generates for model and tenant (FOCUS asks generator-defined
   * tag keys to carry a documented prefix). @defaultValue `'headroom/'`
   */
  readonly tagPrefix?: string;
  /** FOCUS `AllocatedMethodId`. @defaultValue `` `headroom-usage-share-idle-${idleMode}` `` */
  readonly allocatedMethodId?: string;
}

/** One element of FOCUS `AllocatedMethodDetails`. */
export interface FocusAllocatedMethodElement {
  /** This charge's share of the origin charge, 0..1. */
  readonly AllocatedRatio: number;
  /** What the ratio was computed from: `GPU-Seconds`, `MIG-Slice-Seconds` or `Tokens`. */
  readonly UsageUnit: string;
  /** How much of `UsageUnit` the allocated key used (the idle amount on the idle row). */
  readonly UsageQuantity: number;
}

/**
 * One FOCUS cost-and-usage row for one allocated charge: a resource's cost given to one
 * (model, tenant) key, or its unallocated idle portion.
 */
export interface FocusRow {
  /** Cost billed for this allocated charge, exact decimal USD string (`'1.250000'`). */
  readonly BilledCost: string;
  /** Effective cost; equal to `BilledCost` (no amortisation is modelled here). */
  readonly EffectiveCost: string;
  /** Always `'USD'`. */
  readonly BillingCurrency: 'USD';
  /** Always `'Usage'`. */
  readonly ChargeCategory: 'Usage';
  /** A short human description of the charge. */
  readonly ChargeDescription: string;
  /** Period start, ISO 8601 UTC (`2025-01-01T00:00:00.000Z`). */
  readonly ChargePeriodStart: string;
  /** Period end (exclusive), ISO 8601 UTC. */
  readonly ChargePeriodEnd: string;
  /** The origin resource (GPU or MIG slice) id. */
  readonly ResourceId: string;
  /** The origin resource's display name. */
  readonly ResourceName: string;
  /** `'GPU'` or `'MIG Slice'`. */
  readonly ResourceType: 'GPU' | 'MIG Slice';
  /** Always `'AI and Machine Learning'`, the FOCUS service category for this spend. */
  readonly ServiceCategory: 'AI and Machine Learning';
  /** The service name (option `serviceName`). */
  readonly ServiceName: string;
  /** The resource's own tags plus `<prefix>model` and `<prefix>tenant`. */
  readonly Tags: Readonly<Record<string, string>>;
  /** The allocation method id (FOCUS 1.3). */
  readonly AllocatedMethodId: string;
  /** JSON string `{"Elements":[{AllocatedRatio, UsageUnit, UsageQuantity}]}` (FOCUS 1.3). */
  readonly AllocatedMethodDetails: string;
  /** `model/tenant` of the key the cost went to; `null` on the unallocated idle row (FOCUS 1.3). */
  readonly AllocatedResourceId: string | null;
  /** `model (tenant)`; `null` on the idle row (FOCUS 1.3). */
  readonly AllocatedResourceName: string | null;
  /** `null`: the allocation's tags are already in `Tags`, which FOCUS says not to repeat here. */
  readonly AllocatedTags: null;
}

const UNIT_NAMES: Record<UsageUnit, string> = {
  gpu_seconds: 'GPU-Seconds',
  slice_seconds: 'MIG-Slice-Seconds',
  tokens: 'Tokens',
};

function isoOf(ms: number, field: string): string {
  const value = requireNumber(ms, ['period', field], { min: -8.64e15, max: 8.64e15 });
  return new Date(value).toISOString();
}

/**
 * Turns an allocation into FinOps FOCUS cost-and-usage rows, one per allocation line (resource ×
 * key, and the idle portion), so the split bill can be loaded next to a cloud's own FOCUS export.
 *
 * Columns follow FOCUS 1.3 (which keeps the 1.2 base columns and adds the split-cost-allocation
 * columns): `BilledCost` and `EffectiveCost` as exact decimal strings of USD, `BillingCurrency`
 * `'USD'`, `ChargeCategory` `'Usage'`, `ChargeDescription`, `ChargePeriodStart`/`End` as ISO 8601
 * UTC from the epoch ms you pass (the clock is never read), `ResourceId`, `ResourceName`,
 * `ResourceType`, `ServiceCategory` `'AI and Machine Learning'`, `ServiceName`, `Tags`; and the
 * allocation columns `AllocatedMethodId`, `AllocatedMethodDetails`, `AllocatedResourceId`,
 * `AllocatedResourceName`, `AllocatedTags`. As FOCUS asks, the unallocated (idle) portion of an
 * origin charge has null `AllocatedResourceId`/`Name`, and the `AllocatedRatio`s of one origin
 * charge add up to 1 (up to floating-point rounding). Billing-account, provider and SKU columns
 * are left for the caller to add: headroom does not know them.
 *
 * @param allocation - a result of `allocateCost`.
 * @param period - the charge period, epoch ms; `endMs` must be after `startMs`.
 * @param options - service name, tag prefix and method id.
 * @returns the rows, in the allocation's line order. Their `BilledCost`s sum to the bill exactly.
 * @throws `HeadroomError` `invalid_argument` when a period bound is not a finite epoch ms or
 *   `endMs <= startMs`.
 * @example
 * ```ts
 * const rows = toFocusRows(allocation, { startMs: Date.UTC(2025, 0, 1), endMs: Date.UTC(2025, 1, 1) });
 * // rows[0].BilledCost === '2.000000', rows[0].Tags['headroom/tenant'] === 'search'
 * ```
 */
export function toFocusRows(
  allocation: CostAllocation,
  period: FocusPeriod,
  options: FocusRowOptions = {},
): FocusRow[] {
  const start = isoOf(period.startMs, 'startMs');
  const end = isoOf(period.endMs, 'endMs');
  if (!(period.endMs > period.startMs)) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be after period.startMs',
      path: ['period', 'endMs'],
      value: period.endMs,
      limit: `> ${period.startMs}`,
    });
  }
  const prefix = options.tagPrefix ?? 'headroom/';
  const serviceName = options.serviceName ?? 'GPU Inference';
  const methodId = options.allocatedMethodId ?? `headroom-usage-share-idle-${allocation.idleMode}`;
  const resources = new Map(allocation.resources.map((r) => [r.resourceId, r]));
  return allocation.lines.map((line) => {
    const resource = resources.get(line.resourceId);
    const idle = line.model === IDLE_KEY && line.tenant === IDLE_KEY;
    const cost = formatMicroUsd(line.costMicroUsd);
    const name = resource?.name ?? line.resourceId;
    const details: { Elements: FocusAllocatedMethodElement[] } = {
      Elements: [
        { AllocatedRatio: line.ratio, UsageUnit: UNIT_NAMES[line.unit], UsageQuantity: line.usage },
      ],
    };
    return {
      BilledCost: cost,
      EffectiveCost: cost,
      BillingCurrency: 'USD',
      ChargeCategory: 'Usage',
      ChargeDescription: idle
        ? `Idle capacity of ${name}`
        : `${name} allocated to model ${line.model}, tenant ${line.tenant}`,
      ChargePeriodStart: start,
      ChargePeriodEnd: end,
      ResourceId: line.resourceId,
      ResourceName: name,
      ResourceType: line.unit === 'slice_seconds' ? 'MIG Slice' : 'GPU',
      ServiceCategory: 'AI and Machine Learning',
      ServiceName: serviceName,
      Tags: {
        ...resource?.tags,
        [`${prefix}model`]: line.model,
        [`${prefix}tenant`]: line.tenant,
      },
      AllocatedMethodId: methodId,
      AllocatedMethodDetails: JSON.stringify(details),
      AllocatedResourceId: idle ? null : `${line.model}/${line.tenant}`,
      AllocatedResourceName: idle ? null : `${line.model} (${line.tenant})`,
      AllocatedTags: null,
    };
  });
}
