import { z } from 'zod';

/**
 * Fields of a GPU class, shared by the full schema and the override schema (so both apply the
 * same bounds). Kept private: the schemas below are the public shape.
 */
const gpuClassFields = {
  /** The catalog key, e.g. `H100-80GB`; instance types and MIG geometry refer to it. */
  name: z.string().min(1),
  /** The architecture, e.g. `Ampere`, `Hopper` (rejection reasons name it). */
  arch: z.string().min(1),
  /** Device memory, GiB (> 0). */
  memoryGiB: z.number().positive(),
  /** Peak memory bandwidth, GB/s (10^9 bytes/s, > 0). */
  bandwidthGBs: z.number().positive(),
  /** Dense BF16 tensor TFLOPS (FP16 where the GPU has no BF16, e.g. the T4), > 0. */
  bf16Tflops: z.number().positive(),
  /** Dense FP8 tensor TFLOPS, when the GPU has FP8 tensor cores (> 0). */
  fp8Tflops: z.number().positive().optional(),
  /** Whether FP8 is supported (Ada, Hopper, Blackwell: yes; Turing, Ampere: no). */
  fp8: z.boolean(),
  /** Board power, W (> 0). */
  tdpW: z.number().positive(),
  /** Whether the GPU supports NVIDIA Multi-Instance GPU. */
  migCapable: z.boolean(),
  /** True when a figure comes from secondary sources only. */
  approximate: z.boolean().optional(),
} as const;

/**
 * One GPU model as the catalog knows it: memory, bandwidth and dense tensor throughput from the
 * vendor datasheet (NVIDIA publishes sparse figures at 2x; the catalog stores dense ones).
 *
 * - `name`: the catalog key, e.g. `H100-80GB`; instance types and MIG geometry refer to it.
 * - `arch`: the architecture, e.g. `Ampere`, `Hopper` (rejection reasons name it).
 * - `memoryGiB`: device memory, GiB (> 0). NVIDIA's marketing "80GB" on an H100 is 80 GiB of HBM3;
 *   the driver reserves a little, so size models with headroom.
 * - `bandwidthGBs`: peak memory bandwidth, GB/s (10^9 bytes/s, > 0).
 * - `bf16Tflops`: dense BF16 tensor TFLOPS (FP16 where the GPU has no BF16, e.g. Turing T4), > 0.
 * - `fp8Tflops`: dense FP8 tensor TFLOPS, when the GPU has FP8 tensor cores.
 * - `fp8`: whether FP8 is supported (Ada, Hopper, Blackwell: yes; Turing, Ampere: no).
 * - `tdpW`: board power, W (> 0).
 * - `migCapable`: whether the GPU supports NVIDIA Multi-Instance GPU.
 * - `approximate`: true when a figure comes from secondary sources only. @defaultValue false
 */
export const GpuClassSchema = z
  .strictObject({
    ...gpuClassFields,
    /** True when a figure comes from secondary sources only. @defaultValue false */
    approximate: z.boolean().default(false),
  })
  .readonly();

/** A validated {@link GpuClassSchema}. */
export type GpuClass = z.output<typeof GpuClassSchema>;

const usdPerHour = z.number().min(0);

/**
 * An hourly price for one capacity type of an instance type.
 *
 * - `usdPerHour`: USD per instance-hour (the whole instance, all its GPUs), finite and >= 0.
 * - `assumed`: true when the price is derived from a default discount rather than published
 *   (see {@link DEFAULT_RESERVED_DISCOUNT}). @defaultValue false
 */
export const PriceSchema = z
  .strictObject({
    /** USD per instance-hour (the whole instance, all its GPUs), finite and >= 0. */
    usdPerHour,
    /** True when derived from a default discount rather than published. @defaultValue false */
    assumed: z.boolean().default(false),
  })
  .readonly();

/** A validated {@link PriceSchema}. */
export type Price = z.output<typeof PriceSchema>;

/**
 * The number of AWS Spot Instance Advisor interruption-frequency buckets: index 0 (`<5%`) to 4
 * (`>20%`) of instances reclaimed per month.
 */
export const SPOT_INTERRUPTION_BUCKET_COUNT = 5;

/** A spot bucket index: an integer in [0, 4], see {@link SPOT_INTERRUPTION_BUCKETS}. */
const bucketIndex = z
  .number()
  .int()
  .min(0)
  .max(SPOT_INTERRUPTION_BUCKET_COUNT - 1);

/**
 * A spot price: a {@link PriceSchema} plus the Spot Instance Advisor interruption bucket.
 *
 * - `interruptionBucket`: integer index 0..4 into {@link SPOT_INTERRUPTION_BUCKETS}; absent means
 *   unknown (planning then assumes the worst bucket).
 */
export const SpotPriceSchema = z
  .strictObject({
    /** USD per instance-hour (the whole instance, all its GPUs), finite and >= 0. */
    usdPerHour,
    /** True when derived from a default discount rather than published. @defaultValue false */
    assumed: z.boolean().default(false),
    /** Spot Instance Advisor bucket index 0..4; absent means unknown. */
    interruptionBucket: bucketIndex.optional(),
  })
  .readonly();

/** A validated {@link SpotPriceSchema}. */
export type SpotPrice = z.output<typeof SpotPriceSchema>;

/**
 * Prices of an instance type by capacity type (the vocabulary of `CAPACITY_TYPES` in
 * `@headroom/core`): `on-demand`, `reserved` (a Savings Plan or reservation, as an effective hourly
 * rate) and `spot`. A missing key means the capacity type is not offered (or not priced).
 */
export const InstancePricesSchema = z
  .strictObject({
    /** The on-demand price. */
    'on-demand': PriceSchema.optional(),
    /** The effective hourly price of a Savings Plan or reservation. */
    reserved: PriceSchema.optional(),
    /** The spot price and its interruption bucket. */
    spot: SpotPriceSchema.optional(),
  })
  .readonly();

/** A validated {@link InstancePricesSchema}. */
export type InstancePrices = z.output<typeof InstancePricesSchema>;

const instanceTypeFields = {
  /** The catalog key, e.g. `p5.48xlarge`. */
  name: z.string().min(1),
  /** The cloud or vendor, e.g. `aws`. */
  provider: z.string().min(1),
  /** The region, e.g. `us-east-1`. */
  region: z.string().min(1),
  /** The name of a GPU class in the same catalog. */
  gpuClass: z.string().min(1),
  /** GPUs per instance, an integer >= 1. */
  gpuCount: z.number().int().min(1),
} as const;

/**
 * A rentable machine: `gpuCount` GPUs of `gpuClass` in `region` of `provider`, with its prices.
 *
 * - `name`: the catalog key, e.g. `p5.48xlarge`.
 * - `provider`: e.g. `aws`. `region`: e.g. `us-east-1`.
 * - `gpuClass`: the name of a {@link GpuClass} in the same catalog.
 * - `gpuCount`: GPUs per instance, an integer >= 1.
 * - `prices`: see {@link InstancePricesSchema}.
 */
export const InstanceTypeSchema = z
  .strictObject({
    ...instanceTypeFields,
    /** Prices by capacity type. */
    prices: InstancePricesSchema,
  })
  .readonly();

/** A validated {@link InstanceTypeSchema}. */
export type InstanceType = z.output<typeof InstanceTypeSchema>;

/** Adds a `duplicate <what> name` issue at `path` when `seen` already holds `name`, then records it. */
function checkUnique(
  seen: Set<string>,
  name: string,
  path: (string | number)[],
  what: string,
  ctx: z.core.$RefinementCtx,
): void {
  if (seen.has(name)) {
    ctx.addIssue({
      code: 'custom',
      message: `duplicate ${what} name ${JSON.stringify(name)}`,
      path,
      input: name,
      params: { limit: 'unique names' },
    });
  }
  seen.add(name);
}

function checkReferences(
  catalog: {
    readonly gpuClasses: readonly { readonly name: string }[];
    readonly instanceTypes: readonly { readonly name: string; readonly gpuClass: string }[];
  },
  ctx: z.core.$RefinementCtx,
): void {
  const gpuNames = new Set<string>();
  catalog.gpuClasses.forEach((g, i) => {
    checkUnique(gpuNames, g.name, ['gpuClasses', i, 'name'], 'GPU class', ctx);
  });
  const instanceNames = new Set<string>();
  catalog.instanceTypes.forEach((t, i) => {
    checkUnique(instanceNames, t.name, ['instanceTypes', i, 'name'], 'instance type', ctx);
    if (!gpuNames.has(t.gpuClass)) {
      ctx.addIssue({
        code: 'custom',
        message: `instance type ${JSON.stringify(t.name)} refers to GPU class ${JSON.stringify(t.gpuClass)}, which the catalog does not define`,
        path: ['instanceTypes', i, 'gpuClass'],
        input: t.gpuClass,
        params: { limit: 'a name in gpuClasses' },
      });
    }
  });
}

/**
 * A GPU price catalog: GPU classes, instance types with prices, the date the prices hold for and
 * where they come from. Names are unique within each list, and every instance type's `gpuClass`
 * names a GPU class of the catalog.
 *
 * - `asOf`: ISO date (`YYYY-MM-DD`) the prices were read.
 * - `sources`: citations (URLs or document names) for the facts, in words.
 */
export const CatalogSchema = z
  .strictObject({
    /** ISO date (`YYYY-MM-DD`) the prices were read. */
    asOf: z.iso.date(),
    /** Citations (URLs or document names) for the facts, in words. */
    sources: z.array(z.string().min(1)).readonly(),
    /** GPU classes, names unique. */
    gpuClasses: z.array(GpuClassSchema).readonly(),
    /** Instance types, names unique, each naming a GPU class of the catalog. */
    instanceTypes: z.array(InstanceTypeSchema).readonly(),
  })
  .superRefine(checkReferences)
  .readonly();

/** A validated {@link CatalogSchema}: what every catalog function takes. */
export type Catalog = z.output<typeof CatalogSchema>;

/** What a user may pass to build a catalog from scratch (defaults not yet applied). */
export type CatalogInput = z.input<typeof CatalogSchema>;

/**
 * An override of one GPU class by name: `name` plus any fields to replace. A name the base
 * catalog lacks adds a class and then needs every field of {@link GpuClassSchema}.
 */
export const GpuClassOverrideSchema = z
  .strictObject(gpuClassFields)
  .partial()
  .required({ name: true });

/** An input to {@link GpuClassOverrideSchema}. */
export type GpuClassOverride = z.input<typeof GpuClassOverrideSchema>;

/**
 * An override of one instance type by name: `name` plus any fields to replace. In `prices`, each
 * capacity type given replaces the base's price object for that type as a whole, and `null`
 * removes it (the type is then not offered). A name the base lacks adds an instance type and then
 * needs every field of {@link InstanceTypeSchema}.
 */
export const InstanceTypeOverrideSchema = z
  .strictObject({
    ...instanceTypeFields,
    /** Prices to replace by capacity type; `null` removes one. */
    prices: z.strictObject({
      /** The on-demand price, or `null` to remove it. */
      'on-demand': PriceSchema.nullable().optional(),
      /** The reserved price, or `null` to remove it. */
      reserved: PriceSchema.nullable().optional(),
      /** The spot price, or `null` to remove it. */
      spot: SpotPriceSchema.nullable().optional(),
    }),
  })
  .partial()
  .required({ name: true });

/** An input to {@link InstanceTypeOverrideSchema}. */
export type InstanceTypeOverride = z.input<typeof InstanceTypeOverrideSchema>;

/**
 * Overrides merged onto a base catalog by {@link loadCatalog}: a new `asOf`, more `sources`
 * (appended, duplicates dropped), and GPU classes and instance types merged by name.
 */
export const CatalogOverrideSchema = z.strictObject({
  /** A new date for the merged catalog. */
  asOf: z.iso.date().optional(),
  /** Citations to append. */
  sources: z.array(z.string().min(1)).optional(),
  /** GPU classes to merge by name. */
  gpuClasses: z.array(GpuClassOverrideSchema).optional(),
  /** Instance types to merge by name. */
  instanceTypes: z.array(InstanceTypeOverrideSchema).optional(),
});

/** An input to {@link CatalogOverrideSchema}. */
export type CatalogOverride = z.input<typeof CatalogOverrideSchema>;
