/**
 * The GPU price catalog: GPU classes, instance types with prices by capacity type, the default
 * catalog built from the repository's facts, lookups and micro-USD money helpers.
 */
export {
  DEFAULT_CATALOG_AS_OF,
  DEFAULT_CATALOG_REGION,
  DEFAULT_CATALOG_SOURCES,
  DEFAULT_RESERVED_DISCOUNT,
  DEFAULT_SPOT_DISCOUNT,
  defaultCatalog,
  findPrice,
  gpuClass,
  instanceType,
  loadCatalog,
  pricePerGpuHour,
} from './catalog.js';
export type { DefaultCatalogOptions, LoadCatalogOptions } from './catalog.js';
export {
  CatalogOverrideSchema,
  CatalogSchema,
  GpuClassOverrideSchema,
  GpuClassSchema,
  InstancePricesSchema,
  InstanceTypeOverrideSchema,
  InstanceTypeSchema,
  PriceSchema,
  SPOT_INTERRUPTION_BUCKET_COUNT,
  SpotPriceSchema,
} from './schema.js';
export type {
  Catalog,
  CatalogInput,
  CatalogOverride,
  GpuClass,
  GpuClassOverride,
  InstancePrices,
  InstanceType,
  InstanceTypeOverride,
  Price,
  SpotPrice,
} from './schema.js';
export {
  SPOT_INTERRUPTION_BUCKETS,
  UNKNOWN_SPOT_BUCKET_INDEX,
  spotMonthlyInterruptionRate,
} from './spot-buckets.js';
export type { SpotInterruptionBucket } from './spot-buckets.js';
