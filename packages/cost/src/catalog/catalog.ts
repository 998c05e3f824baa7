import {
  CAPACITY_TYPES,
  HeadroomError,
  fromZodError,
  parseConfig,
  requireNumber,
  type CapacityType,
  type ErrorPath,
} from '@headroom/core';
import type { z } from 'zod';
import { AWS_PRICES_US_EAST_1_DATA } from './data/aws-prices-us-east-1.js';
import { GPU_SPECS_DATA } from './data/gpu-specs.js';
import { roundUsd } from '../money.js';
import {
  CatalogOverrideSchema,
  CatalogSchema,
  GpuClassSchema,
  InstanceTypeSchema,
  type Catalog,
  type GpuClass,
  type InstanceType,
  type Price,
  type SpotPrice,
} from './schema.js';

/**
 * The reserved-capacity discount the default catalog assumes, a fraction of on-demand: reserved =
 * on-demand x (1 - 0.40).
 *
 * An assumption, not a published price: AWS quotes Compute Savings Plans at up to 66% off and EC2
 * Instance Savings Plans at up to 72% off (1 or 3 years, depending on term and upfront payment);
 * 40% is a cautious figure for a 1-year, no-upfront commitment on GPU instances. Pass your
 * negotiated rate to {@link defaultCatalog} or override prices with {@link loadCatalog}.
 */
export const DEFAULT_RESERVED_DISCOUNT = 0.4;

/**
 * The spot discount the default catalog assumes, a fraction of on-demand: spot = on-demand x
 * (1 - 0.60). An assumption: AWS quotes spot at up to 90% off, and GPU spot prices move with
 * demand; the default catalog leaves the interruption bucket unknown because the repository's
 * facts give none per instance type.
 */
export const DEFAULT_SPOT_DISCOUNT = 0.6;

/** The date the default catalog's prices were read (AWS Pricing API, us-east-1). */
export const DEFAULT_CATALOG_AS_OF = '2026-07-20';

/** The region of the default catalog's instance types. */
export const DEFAULT_CATALOG_REGION = 'us-east-1';

/** The citations the default catalog carries in `sources`. */
export const DEFAULT_CATALOG_SOURCES: readonly string[] = Object.freeze([
  'NVIDIA datasheets and spec tables (T4, A10G, L4, L40S, A30, A100 40/80GB, H100 SXM, H100 NVL, H200, B200): memory, bandwidth, dense tensor TFLOPS, FP8 support, MIG capability; figures flagged approximate where only secondary sources were seen',
  'AWS Price List (Pricing API), Amazon EC2 Linux on-demand, us-east-1, read 2026-07-20 (after the mid-2025 GPU price cuts)',
  'AWS Savings Plans pricing: Compute Savings Plans up to 66% off, EC2 Instance Savings Plans up to 72% off on-demand (1 or 3 years)',
  'AWS Spot Instance Advisor: monthly interruption-frequency buckets <5%, 5-10%, 10-15%, 15-20%, >20%; spot up to 90% off with a 2-minute notice',
  `headroom assumption: reserved = on-demand x (1 - ${DEFAULT_RESERVED_DISCOUNT}), spot = on-demand x (1 - ${DEFAULT_SPOT_DISCOUNT}), spot interruption bucket unknown`,
]);

/** Options of {@link defaultCatalog}. */
export interface DefaultCatalogOptions {
  /**
   * Reserved discount off on-demand, a fraction in [0, 1).
   *
   * @defaultValue {@link DEFAULT_RESERVED_DISCOUNT} (0.4)
   */
  readonly reservedDiscount?: number;
  /**
   * Spot discount off on-demand, a fraction in [0, 1).
   *
   * @defaultValue {@link DEFAULT_SPOT_DISCOUNT} (0.6)
   */
  readonly spotDiscount?: number;
}

function buildDefaultCatalog(reservedDiscount: number, spotDiscount: number): Catalog {
  const gpuClasses = Object.entries(GPU_SPECS_DATA.gpus).map(([name, g]) => {
    const bf16 = 'bf16TensorTFLOPS' in g ? g.bf16TensorTFLOPS : g.fp16TensorTFLOPS;
    return {
      name,
      arch: g.arch,
      memoryGiB: g.memoryGB,
      bandwidthGBs: g.bandwidthGBs,
      bf16Tflops: bf16,
      ...('fp8TensorTFLOPS' in g ? { fp8Tflops: g.fp8TensorTFLOPS } : {}),
      fp8: g.fp8,
      tdpW: g.tdpW,
      migCapable: g.mig,
      approximate: 'approximate' in g ? g.approximate : false,
    };
  });
  const instanceTypes = Object.entries(AWS_PRICES_US_EAST_1_DATA.instances).map(([name, t]) => ({
    name,
    provider: 'aws',
    region: AWS_PRICES_US_EAST_1_DATA.region,
    gpuClass: t.gpu,
    gpuCount: t.gpus,
    prices: {
      'on-demand': { usdPerHour: t.usdPerHour, assumed: false },
      reserved: { usdPerHour: roundUsd(t.usdPerHour * (1 - reservedDiscount)), assumed: true },
      spot: { usdPerHour: roundUsd(t.usdPerHour * (1 - spotDiscount)), assumed: true },
    },
  }));
  return parseConfig(
    CatalogSchema,
    {
      asOf: AWS_PRICES_US_EAST_1_DATA.asOf,
      sources: [...DEFAULT_CATALOG_SOURCES],
      gpuClasses,
      instanceTypes,
    },
    ['defaultCatalog'],
  );
}

let cachedDefault: Catalog | undefined;

/**
 * The built-in catalog: eleven NVIDIA GPU classes from their datasheets and sixteen AWS GPU
 * instance types in us-east-1 at on-demand prices read on 2026-07-20, with reserved and spot
 * prices derived from assumed discounts (flagged `assumed: true`; see
 * {@link DEFAULT_RESERVED_DISCOUNT} and {@link DEFAULT_SPOT_DISCOUNT}). Prices change: treat these
 * as defaults and override them with {@link loadCatalog}.
 *
 * @param options - other discounts than the defaults.
 * @returns a deeply frozen {@link Catalog} (the same object on every call without options).
 * @throws `HeadroomError` `invalid_argument` when a discount is outside [0, 1).
 * @example
 * ```ts
 * const catalog = defaultCatalog();
 * pricePerGpuHour(catalog, 'p5.48xlarge', 'on-demand'); // 6.88
 * const negotiated = defaultCatalog({ reservedDiscount: 0.55 });
 * ```
 */
export function defaultCatalog(options: DefaultCatalogOptions = {}): Catalog {
  if (options.reservedDiscount === undefined && options.spotDiscount === undefined) {
    cachedDefault ??= buildDefaultCatalog(DEFAULT_RESERVED_DISCOUNT, DEFAULT_SPOT_DISCOUNT);
    return cachedDefault;
  }
  const bounds = { min: 0, max: 1, maxExclusive: true };
  const reserved = requireNumber(
    options.reservedDiscount ?? DEFAULT_RESERVED_DISCOUNT,
    ['options', 'reservedDiscount'],
    bounds,
  );
  const spot = requireNumber(
    options.spotDiscount ?? DEFAULT_SPOT_DISCOUNT,
    ['options', 'spotDiscount'],
    bounds,
  );
  return buildDefaultCatalog(reserved, spot);
}

/** Options of {@link loadCatalog}. */
export interface LoadCatalogOptions {
  /**
   * A catalog to merge the input onto (for example {@link defaultCatalog}). Without it, the input
   * must be a complete catalog.
   */
  readonly base?: Catalog;
  /** Where the input sits, put in front of error paths. @defaultValue [] */
  readonly path?: ErrorPath;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [key, v] of Object.entries(value) as [keyof T, T[keyof T]][]) {
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function parseEntry<TSchema extends z.ZodType>(
  schema: TSchema,
  value: unknown,
  path: ErrorPath,
): z.output<TSchema> {
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw fromZodError(result.error, 'invalid_config', path);
  return result.data;
}

function duplicateOverride(path: ErrorPath, name: string): HeadroomError {
  return new HeadroomError({
    code: 'invalid_config',
    message: `name ${JSON.stringify(name)} appears more than once in the overrides`,
    path,
    value: name,
    limit: 'unique names',
  });
}

type PricesOverride = {
  readonly [K in CapacityType]?: (K extends 'spot' ? SpotPrice : Price) | null | undefined;
};

function mergePrices(
  base: InstanceType['prices'] | undefined,
  override: PricesOverride | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  if (override === undefined) return out;
  for (const type of CAPACITY_TYPES) {
    const price = override[type];
    if (price === null) delete out[type];
    else if (price !== undefined) out[type] = price;
  }
  return out;
}

/**
 * Validates a catalog (or overrides of one) with zod and returns it deeply frozen.
 *
 * Without `base`, `input` must be a complete catalog (`CatalogInput`). With `base`, `input` is a
 * `CatalogOverride`: `asOf` replaces the base's date; `sources` are appended (duplicates
 * dropped); GPU classes and instance types are merged by `name`: fields given replace the base's,
 * a `prices` entry replaces that capacity type's price as a whole and `null` removes it, and a
 * name the base lacks is added (and must then be complete). Every instance type must name a GPU
 * class of the result.
 *
 * @param input - the catalog or the overrides, as parsed from JSON or YAML.
 * @param options - the base to merge onto, and a path prefix for errors.
 * @throws `HeadroomError` `invalid_config` naming the path of the first bad field, the rule
 * it broke and the value, e.g. `invalid_config at instanceTypes[0].prices.spot.usdPerHour: ...`.
 * @example
 * ```ts
 * const catalog = loadCatalog(
 *   { asOf: '2026-08-01', instanceTypes: [{ name: 'p5.48xlarge', prices: { reserved: { usdPerHour: 30 } } }] },
 *   { base: defaultCatalog() },
 * );
 * ```
 */
export function loadCatalog(input: unknown, options: LoadCatalogOptions = {}): Catalog {
  const prefix = options.path ?? [];
  const base = options.base;
  if (base === undefined) return parseConfig(CatalogSchema, input, prefix);

  const override = parseEntry(CatalogOverrideSchema, input, prefix);

  const gpuClasses: unknown[] = [...base.gpuClasses];
  const gpuIndex = new Map(base.gpuClasses.map((g, i) => [g.name, i]));
  const seenGpu = new Set<string>();
  (override.gpuClasses ?? []).forEach((entry, i) => {
    const path = [...prefix, 'gpuClasses', i];
    if (seenGpu.has(entry.name)) throw duplicateOverride([...path, 'name'], entry.name);
    seenGpu.add(entry.name);
    const at = gpuIndex.get(entry.name);
    if (at === undefined) {
      gpuIndex.set(entry.name, gpuClasses.length);
      gpuClasses.push(parseEntry(GpuClassSchema, entry, path));
    } else {
      gpuClasses[at] = parseEntry(
        GpuClassSchema,
        { ...base.gpuClasses[at], ...withoutUndefined(entry) },
        path,
      );
    }
  });

  const instanceTypes: unknown[] = [...base.instanceTypes];
  const typeIndex = new Map(base.instanceTypes.map((t, i) => [t.name, i]));
  const seenType = new Set<string>();
  (override.instanceTypes ?? []).forEach((entry, i) => {
    const path = [...prefix, 'instanceTypes', i];
    if (seenType.has(entry.name)) throw duplicateOverride([...path, 'name'], entry.name);
    seenType.add(entry.name);
    const at = typeIndex.get(entry.name);
    const baseEntry = at === undefined ? undefined : base.instanceTypes[at];
    const { prices, ...fields } = entry;
    const merged =
      baseEntry === undefined
        ? { ...withoutUndefined(fields), prices: mergePrices(undefined, prices) }
        : {
            ...baseEntry,
            ...withoutUndefined(fields),
            prices: mergePrices(baseEntry.prices, prices),
          };
    if (baseEntry === undefined && prices === undefined) {
      // A new instance type needs its prices: let the full schema name the missing field.
      delete (merged as { prices?: unknown }).prices;
    }
    const parsed = parseEntry(InstanceTypeSchema, merged, path);
    if (!gpuIndex.has(parsed.gpuClass)) {
      throw new HeadroomError({
        code: 'invalid_config',
        message: `instance type ${JSON.stringify(parsed.name)} refers to GPU class ${JSON.stringify(parsed.gpuClass)}, which the catalog does not define`,
        path: [...path, 'gpuClass'],
        value: parsed.gpuClass,
        limit: 'a name in gpuClasses',
      });
    }
    if (at === undefined) {
      typeIndex.set(entry.name, instanceTypes.length);
      instanceTypes.push(parsed);
    } else {
      instanceTypes[at] = parsed;
    }
  });

  const sources = [...base.sources];
  for (const source of override.sources ?? []) if (!sources.includes(source)) sources.push(source);

  return parseConfig(
    CatalogSchema,
    { asOf: override.asOf ?? base.asOf, sources, gpuClasses, instanceTypes },
    prefix,
  );
}

function knownNames(entries: readonly { readonly name: string }[]): string {
  const names = entries.map((e) => e.name);
  return names.length > 12 ? `${names.slice(0, 12).join(', ')}, ...` : names.join(', ');
}

/** The entry of `list` named `name`, or a `not_found` error at `[listKey]` listing the known names. */
function findNamed<T extends { readonly name: string }>(
  list: readonly T[],
  name: string,
  listKey: 'gpuClasses' | 'instanceTypes',
  what: string,
): T {
  const found = list.find((entry) => entry.name === name);
  if (found === undefined) {
    throw new HeadroomError({
      code: 'not_found',
      message: `no ${what} named ${JSON.stringify(name)} in the catalog (known: ${knownNames(list)})`,
      path: [listKey],
      value: name,
    });
  }
  return found;
}

/**
 * Looks up a GPU class by name.
 *
 * @throws `HeadroomError` `not_found` (path `gpuClasses`) when the catalog has no such class;
 * the message lists the known names.
 * @example
 * ```ts
 * gpuClass(defaultCatalog(), 'H100-80GB').memoryGiB; // 80
 * ```
 */
export function gpuClass(catalog: Catalog, name: string): GpuClass {
  return findNamed(catalog.gpuClasses, name, 'gpuClasses', 'GPU class');
}

/**
 * Looks up an instance type by name.
 *
 * @throws `HeadroomError` `not_found` (path `instanceTypes`) when the catalog has no such
 * instance type; the message lists the known names.
 * @example
 * ```ts
 * instanceType(defaultCatalog(), 'p5.48xlarge').gpuCount; // 8
 * ```
 */
export function instanceType(catalog: Catalog, name: string): InstanceType {
  return findNamed(catalog.instanceTypes, name, 'instanceTypes', 'instance type');
}

/**
 * The price of an instance type's capacity type, USD per instance-hour, or `undefined` when the
 * catalog has no such price. Never throws for a known instance type.
 *
 * @throws `HeadroomError` `not_found` when the instance type is unknown; `invalid_argument`
 * when `capacityType` is not one of `CAPACITY_TYPES`.
 */
export function findPrice(
  catalog: Catalog,
  instanceTypeName: string,
  capacityType: CapacityType,
): Price | SpotPrice | undefined {
  if (!(CAPACITY_TYPES as readonly unknown[]).includes(capacityType)) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be a capacity type',
      path: ['capacityType'],
      value: capacityType,
      limit: `one of: ${CAPACITY_TYPES.join(', ')}`,
    });
  }
  return instanceType(catalog, instanceTypeName).prices[capacityType];
}

/**
 * The price of one GPU of an instance type for a capacity type, USD per GPU-hour: the instance
 * price divided by its GPU count.
 *
 * @throws `HeadroomError` `not_found` when the instance type is unknown or has no price for
 * that capacity type (path `instanceTypes.<name>.prices.<capacityType>`); `invalid_argument` when
 * `capacityType` is not one of `CAPACITY_TYPES`.
 * @example
 * ```ts
 * pricePerGpuHour(defaultCatalog(), 'p5.48xlarge', 'on-demand'); // 6.88
 * ```
 */
export function pricePerGpuHour(
  catalog: Catalog,
  instanceTypeName: string,
  capacityType: CapacityType,
): number {
  const price = findPrice(catalog, instanceTypeName, capacityType);
  if (price === undefined) {
    throw new HeadroomError({
      code: 'not_found',
      message: `instance type ${JSON.stringify(instanceTypeName)} has no ${capacityType} price in the catalog`,
      path: ['instanceTypes', instanceTypeName, 'prices', capacityType],
      value: instanceTypeName,
    });
  }
  return price.usdPerHour / instanceType(catalog, instanceTypeName).gpuCount;
}
