import { HeadroomError, parseConfig } from '@headroom/core';
import { z } from 'zod';
import { MIG_GEOMETRY_DATA } from '../catalog/data/mig-geometry.js';

/**
 * A MIG slot class: where instances of one shape may sit on a GPU. Placement follows NVML's
 * `nvmlGpuInstancePlacement_t`: a `start` and a `size`, both counted in MEMORY slices, so a `3g`
 * (4 memory slices) at start 4 occupies memory slices 4-7.
 */
export interface MigSlotClass {
  /** Class name, for example `'3g'`, `'1g.2x'` (memory-doubled 1g) or `'1g+me'` (media extensions). */
  readonly name: string;
  /** Compute slices (GPCs) an instance of this class takes. */
  readonly computeSlices: number;
  /** Memory slices an instance of this class takes (its width on the placement axis). */
  readonly memorySlices: number;
  /** Valid start positions on the memory-slice axis, ascending. */
  readonly starts: readonly number[];
  /** How many instances of this class one GPU may hold at most. */
  readonly maxCount: number;
}

/** One MIG profile of one GPU model, with the USABLE memory an instance of it offers. */
export interface MigProfile {
  /** NVIDIA profile name, for example `'3g.40gb'`; also the mig-parted and Kubernetes resource name. */
  readonly name: string;
  /** Slot class name, for example `'3g'`; see {@link MigSlotClass}. */
  readonly slotClass: string;
  /**
   * Usable memory in GiB (what `nvidia-smi mig -lgip` reports, lower than the nominal size in the
   * name). Size models against this number.
   */
  readonly memoryGiB: number;
  /** Streaming multiprocessors of one instance. */
  readonly sms: number;
  /** Compute slices of the slot class. */
  readonly computeSlices: number;
  /** Memory slices of the slot class (placement width). */
  readonly memorySlices: number;
  /** Valid starts of the slot class on the memory-slice axis. */
  readonly starts: readonly number[];
  /** Most instances of this profile's class per GPU. */
  readonly maxCount: number;
  /** True for `+me` profiles, which own the GPU's media engines (NVDEC/JPEG/OFA); at most one per GPU. */
  readonly mediaExtensions: boolean;
  /**
   * True when the published data lacks this profile's usable memory or SM count and headroom
   * derived it conservatively (see {@link migGeometry}). Absent means measured.
   */
  readonly derived?: boolean;
}

/** The MIG geometry of one GPU model: its slice counts and every profile it offers. */
export interface MigGeometry {
  /** GPU model key, for example `'H100-80GB'`. */
  readonly gpu: string;
  /** Memory slices on the placement axis (8 on A100/H100/H200/B200, 4 on A30). */
  readonly memorySlices: number;
  /** Compute slices the instances of one GPU may use in total (7 on 8-slice GPUs, 4 on A30). */
  readonly computeSlices: number;
  /** Streaming multiprocessors of the whole GPU. */
  readonly totalSMs: number;
  /** Every profile, ordered by memory slices, then compute slices, then name. */
  readonly profiles: readonly MigProfile[];
}

/** A custom MIG profile as users pass it (validated by {@link MigGeometrySchema}). */
export const MigProfileSchema = z
  .object({
    name: z.string().min(1),
    slotClass: z.string().min(1),
    memoryGiB: z.number().positive().finite(),
    sms: z.number().int().positive(),
    computeSlices: z.number().int().positive(),
    memorySlices: z.number().int().positive(),
    starts: z.array(z.number().int().min(0)).min(1),
    maxCount: z.number().int().positive(),
    mediaExtensions: z.boolean().default(false),
  })
  .strict();

/**
 * Schema of a user-supplied {@link MigGeometry}: for GPUs headroom does not ship, or to drop a
 * profile your driver lacks (for example `1g.2x` profiles before R525).
 *
 * Checks, beyond types: profile names unique; every instance fits the axes
 * (`start + memorySlices <= memorySlices`, `computeSlices <= computeSlices`); starts unique; and
 * profiles sharing a slot class agree on its shape.
 */
export const MigGeometrySchema = z
  .object({
    gpu: z.string().min(1),
    memorySlices: z.number().int().min(1).max(30),
    computeSlices: z.number().int().min(1).max(30),
    totalSMs: z.number().int().positive(),
    profiles: z.array(MigProfileSchema).min(1),
  })
  .strict()
  .superRefine((g, ctx) => {
    const names = new Set<string>();
    const classes = new Map<string, string>();
    g.profiles.forEach((p, i) => {
      if (names.has(p.name)) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicate profile name ${p.name}`,
          path: ['profiles', i, 'name'],
        });
      }
      names.add(p.name);
      if (p.computeSlices > g.computeSlices) {
        ctx.addIssue({
          code: 'custom',
          message: `profile ${p.name} needs ${p.computeSlices} compute slices; the GPU has ${g.computeSlices}`,
          path: ['profiles', i, 'computeSlices'],
          params: { limit: `<= ${g.computeSlices}` },
        });
      }
      if (new Set(p.starts).size !== p.starts.length) {
        ctx.addIssue({
          code: 'custom',
          message: `profile ${p.name} lists a start twice`,
          path: ['profiles', i, 'starts'],
        });
      }
      p.starts.forEach((s, j) => {
        if (s + p.memorySlices > g.memorySlices) {
          ctx.addIssue({
            code: 'custom',
            message: `profile ${p.name} at start ${s} would end past memory slice ${g.memorySlices - 1}`,
            path: ['profiles', i, 'starts', j],
            params: { limit: `<= ${g.memorySlices - p.memorySlices}` },
          });
        }
      });
      const shape = `${p.computeSlices}/${p.memorySlices}/${[...p.starts].sort((a, b) => a - b).join(',')}/${p.maxCount}/${p.mediaExtensions}`;
      const seen = classes.get(p.slotClass);
      if (seen !== undefined && seen !== shape) {
        ctx.addIssue({
          code: 'custom',
          message: `profile ${p.name} disagrees with another profile of slot class ${p.slotClass} on its shape`,
          path: ['profiles', i, 'slotClass'],
        });
      }
      classes.set(p.slotClass, shape);
    });
  });

/** What {@link MigGeometrySchema} accepts (`mediaExtensions` may be omitted). */
export type MigGeometryInput = z.input<typeof MigGeometrySchema>;

/** Either a GPU model key from the catalog (`'H100-80GB'`) or a custom geometry. */
export type MigGeometrySpec = string | MigGeometryInput | MigGeometry;

// ---- normalization of the raw data -------------------------------------------------------------

interface RawClass {
  readonly computeSlices: number;
  readonly memorySlices: number;
  readonly starts: readonly number[];
  readonly maxCount: number;
}
interface RawGeometry {
  readonly memorySlices: number;
  readonly computeSlices: number;
  readonly classes: Readonly<Record<string, RawClass>>;
}
interface RawProfile {
  readonly class: string;
  readonly memoryMiB?: number;
  readonly memoryGiB?: number;
  readonly sms?: number;
}
interface RawGpu {
  readonly geometry: string;
  readonly totalSMs?: number;
  readonly profiles: Readonly<Record<string, RawProfile>>;
}

const RAW_GEOMETRIES: Readonly<Record<string, RawGeometry>> = MIG_GEOMETRY_DATA.slotClasses;
const RAW_GPUS: Readonly<Record<string, RawGpu>> = MIG_GEOMETRY_DATA.gpus;

/** Orders profiles small to large: memory slices, compute slices, then name. */
export function compareProfiles(a: MigProfile, b: MigProfile): number {
  return (
    a.memorySlices - b.memorySlices ||
    a.computeSlices - b.computeSlices ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}

function rawMemoryGiB(p: RawProfile): number | undefined {
  if (p.memoryGiB !== undefined) return p.memoryGiB;
  if (p.memoryMiB !== undefined) return p.memoryMiB / 1024;
  return undefined;
}

function buildGeometry(gpu: string, raw: RawGpu): MigGeometry {
  const geo = RAW_GEOMETRIES[raw.geometry];
  if (geo === undefined) {
    throw new HeadroomError({
      code: 'internal',
      message: `GPU ${gpu} names unknown geometry ${raw.geometry}`,
    });
  }
  const entries = Object.entries(raw.profiles);
  // Conservative fill-ins for gaps in the published data:
  // - a `+me` profile has the memory and SMs of its plain sibling (same slices, same class base);
  // - otherwise memory = (smallest measured GiB per memory slice) x memory slices, and
  //   SMs = (smallest measured SMs per compute slice) x compute slices. Usable memory per slice
  //   grows slightly with instance size on every measured GPU, so this never overstates it.
  let gibPerSlice = Number.POSITIVE_INFINITY;
  let smsPerSlice = Number.POSITIVE_INFINITY;
  for (const [, p] of entries) {
    const cls = geo.classes[p.class];
    const mem = rawMemoryGiB(p);
    if (cls === undefined) continue;
    if (mem !== undefined) gibPerSlice = Math.min(gibPerSlice, mem / cls.memorySlices);
    if (p.sms !== undefined) smsPerSlice = Math.min(smsPerSlice, p.sms / cls.computeSlices);
  }
  const profiles: MigProfile[] = [];
  for (const [name, p] of entries) {
    const cls = geo.classes[p.class];
    if (cls === undefined) {
      throw new HeadroomError({
        code: 'internal',
        message: `profile ${name} of ${gpu} names unknown slot class ${p.class}`,
      });
    }
    const me = p.class.includes('+me');
    const sibling = me ? raw.profiles[name.replace('+me', '')] : undefined;
    let memoryGiB = rawMemoryGiB(p) ?? (sibling === undefined ? undefined : rawMemoryGiB(sibling));
    let sms = p.sms ?? sibling?.sms;
    const derived = p.sms === undefined || rawMemoryGiB(p) === undefined;
    memoryGiB ??= Math.floor(gibPerSlice * cls.memorySlices * 4) / 4;
    sms ??= Math.floor(smsPerSlice * cls.computeSlices);
    profiles.push({
      name,
      slotClass: p.class,
      memoryGiB,
      sms,
      computeSlices: cls.computeSlices,
      memorySlices: cls.memorySlices,
      starts: Object.freeze([...cls.starts]),
      maxCount: cls.maxCount,
      mediaExtensions: me,
      ...(derived ? { derived: true } : {}),
    });
  }
  profiles.sort(compareProfiles);
  const totalSMs = raw.totalSMs ?? Math.max(...profiles.map((p) => p.sms));
  return deepFreezeGeometry({
    gpu,
    memorySlices: geo.memorySlices,
    computeSlices: geo.computeSlices,
    totalSMs,
    profiles,
  });
}

function deepFreezeGeometry(g: MigGeometry): MigGeometry {
  for (const p of g.profiles) {
    Object.freeze(p.starts);
    Object.freeze(p);
  }
  Object.freeze(g.profiles);
  return Object.freeze(g);
}

const CATALOG: ReadonlyMap<string, MigGeometry> = new Map(
  Object.entries(RAW_GPUS).map(([gpu, raw]) => [gpu, buildGeometry(gpu, raw)]),
);
const GPU_KEYS: readonly string[] = Object.freeze([...CATALOG.keys()]);

/**
 * The GPU models with a MIG geometry in the catalog, in catalog order:
 * `A100-40GB`, `A100-80GB`, `H100-80GB`, `H100-NVL-94GB`, `H200-141GB`, `B200-180GB`, `A30-24GB`.
 *
 * @example
 * ```ts
 * migCapableGpus().includes('H100-80GB'); // true
 * ```
 */
export function migCapableGpus(): readonly string[] {
  return GPU_KEYS;
}

/**
 * The MIG geometry of a catalog GPU: slice counts, total SMs and every profile with its usable
 * memory in GiB (A100-40GB and A30 publish MiB; they are divided by 1024 here).
 *
 * Gaps in NVIDIA's published tables are filled conservatively and flagged `derived: true`: a
 * `+me` profile copies its plain sibling; otherwise usable memory is the smallest measured GiB per
 * memory slice times the profile's memory slices (rounded down to 0.25 GiB) and SMs the smallest
 * measured SMs per compute slice times its compute slices; a missing `totalSMs` is the largest
 * profile's SMs. (B200 `3g`/`4g`/`7g` and the A30 `+me` profiles are derived this way.)
 *
 * Placement semantics follow NVIDIA's MIG User Guide and NVML: instances may not overlap on the
 * memory-slice axis, their compute slices may not sum past the GPU's, each class starts only at
 * its listed positions and appears at most `maxCount` times.
 *
 * @throws `HeadroomError` `not_found` naming the known GPUs when `gpu` is not in the catalog.
 * @example
 * ```ts
 * const h100 = migGeometry('H100-80GB');
 * h100.profiles.find((p) => p.name === '3g.40gb')?.memoryGiB; // 39.5
 * ```
 */
export function migGeometry(gpu: string): MigGeometry {
  const g = CATALOG.get(gpu);
  if (g === undefined) {
    throw new HeadroomError({
      code: 'not_found',
      message: `no MIG geometry for GPU ${JSON.stringify(gpu)}; known GPUs: ${GPU_KEYS.join(', ')}`,
      path: ['gpu'],
      value: gpu,
      limit: `one of: ${GPU_KEYS.join(', ')}`,
    });
  }
  return g;
}

/**
 * One profile of a catalog GPU, by its NVIDIA name (`'3g.40gb'`).
 *
 * @throws `HeadroomError` `not_found` when the GPU or the profile is unknown; the message
 * lists the GPU's profiles.
 * @example
 * ```ts
 * migProfile('A100-40GB', '1g.5gb').memoryGiB; // 4.75
 * ```
 */
export function migProfile(gpu: string, profile: string): MigProfile {
  const g = migGeometry(gpu);
  const p = g.profiles.find((x) => x.name === profile);
  if (p === undefined) {
    const names = g.profiles.map((x) => x.name).join(', ');
    throw new HeadroomError({
      code: 'not_found',
      message: `GPU ${gpu} has no MIG profile ${JSON.stringify(profile)}; its profiles: ${names}`,
      path: ['profile'],
      value: profile,
      limit: `one of: ${names}`,
    });
  }
  return p;
}

const PARSED = new WeakMap<object, MigGeometry>();

/**
 * Validates a custom geometry with {@link MigGeometrySchema} and returns it frozen, profiles
 * ordered small to large.
 *
 * @throws `HeadroomError` `invalid_config` naming the offending field.
 * @example
 * ```ts
 * const noDoubled = parseMigGeometry({
 *   ...migGeometry('A100-80GB'),
 *   gpu: 'A100-80GB-R470',
 *   profiles: migGeometry('A100-80GB').profiles.filter((p) => p.slotClass !== '1g.2x'),
 * });
 * ```
 */
export function parseMigGeometry(
  input: unknown,
  path: readonly (string | number)[] = [],
): MigGeometry {
  if (typeof input === 'object' && input !== null) {
    const cached = PARSED.get(input);
    if (cached !== undefined) return cached;
  }
  const parsed = parseConfig(MigGeometrySchema, input, path);
  const profiles = parsed.profiles
    .map((p): MigProfile => ({
      name: p.name,
      slotClass: p.slotClass,
      memoryGiB: p.memoryGiB,
      sms: p.sms,
      computeSlices: p.computeSlices,
      memorySlices: p.memorySlices,
      starts: [...p.starts].sort((a, b) => a - b),
      maxCount: p.maxCount,
      mediaExtensions: p.mediaExtensions,
    }))
    .sort(compareProfiles);
  const g = deepFreezeGeometry({
    gpu: parsed.gpu,
    memorySlices: parsed.memorySlices,
    computeSlices: parsed.computeSlices,
    totalSMs: parsed.totalSMs,
    profiles,
  });
  if (typeof input === 'object' && input !== null) PARSED.set(input, g);
  return g;
}

/**
 * Resolves a {@link MigGeometrySpec}: a catalog key through {@link migGeometry}, a catalog
 * geometry object as is, anything else through {@link parseMigGeometry}.
 *
 * @throws `HeadroomError` `not_found` for an unknown key, `invalid_config` for a bad geometry.
 */
export function resolveMigGeometry(
  spec: MigGeometrySpec,
  path: readonly (string | number)[] = [],
): MigGeometry {
  if (typeof spec === 'string') return migGeometry(spec);
  if (CATALOG.get(spec.gpu) === spec) return spec as MigGeometry;
  return parseMigGeometry(spec, path);
}

/**
 * The slot classes of a geometry, derived from its profiles, ordered large to small (memory
 * slices, then compute slices, descending; then name).
 */
export function migSlotClasses(geometry: MigGeometry): readonly MigSlotClass[] {
  const byName = new Map<string, MigSlotClass>();
  for (const p of geometry.profiles) {
    if (!byName.has(p.slotClass)) {
      byName.set(p.slotClass, {
        name: p.slotClass,
        computeSlices: p.computeSlices,
        memorySlices: p.memorySlices,
        starts: p.starts,
        maxCount: p.maxCount,
      });
    }
  }
  return [...byName.values()].sort(
    (a, b) =>
      b.memorySlices - a.memorySlices ||
      b.computeSlices - a.computeSlices ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
