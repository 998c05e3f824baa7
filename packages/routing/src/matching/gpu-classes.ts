import { parseConfig, type ErrorPath } from '@headroom/core';
import { z } from 'zod';

/**
 * GPU tiers, fastest first. The tier is a routing class, not a price: it says which latency
 * classes a GPU may serve by default (see {@link DEFAULT_TIERS_BY_LATENCY_CLASS}).
 *
 * - `flagship`: Hopper and Blackwell data-center GPUs (H100, H200, B200).
 * - `performance`: large Ada and Ampere data-center GPUs (L40S, A100).
 * - `mainstream`: 24 GB inference GPUs (L4, A10G, A30).
 * - `entry`: the oldest and cheapest (T4).
 */
export const GPU_TIERS = ['flagship', 'performance', 'mainstream', 'entry'] as const;

/** One of {@link GPU_TIERS}. */
export type GpuTier = (typeof GPU_TIERS)[number];

/** The NVIDIA architectures with FP8 tensor cores: Ada, Hopper and Blackwell. */
export const FP8_ARCHITECTURES: readonly string[] = Object.freeze(['Ada', 'Hopper', 'Blackwell']);

/**
 * Architectures known to lack FP8 tensor cores; a GPU class of one of them cannot declare
 * `fp8: true`.
 */
export const NON_FP8_ARCHITECTURES: readonly string[] = Object.freeze([
  'Pascal',
  'Volta',
  'Turing',
  'Ampere',
]);

/** A GPU architecture name: the known NVIDIA ones, or any other string for newer parts. */
export type GpuArchitecture =
  'Turing' | 'Ampere' | 'Ada' | 'Hopper' | 'Blackwell' | (string & Record<never, never>);

/**
 * One GPU class as the matcher sees it. Validated by {@link GpuClassInfoSchema} when it comes
 * from a user (see {@link createGpuClassTable}).
 */
export const GpuClassInfoSchema = z
  .strictObject({
    /** The class name, for example `H100-80GB`. Non-empty. */
    name: z.string().min(1).max(200),
    /** The architecture, for example `Hopper`. Non-empty. */
    arch: z.string().min(1).max(100),
    /** Device memory, GiB, > 0. */
    memoryGiB: z.number().gt(0).max(1_000_000),
    /** Whether the GPU has FP8 tensor cores. */
    fp8: z.boolean(),
    /** The routing tier; see {@link GPU_TIERS}. */
    tier: z.literal(GPU_TIERS),
  })
  .superRefine((gpu, ctx) => {
    if (gpu.fp8 && NON_FP8_ARCHITECTURES.includes(gpu.arch)) {
      ctx.addIssue({
        code: 'custom',
        path: ['fp8'],
        message: `the ${gpu.arch} architecture has no FP8 tensor cores`,
        input: gpu.fp8,
        params: { limit: `false for ${NON_FP8_ARCHITECTURES.join(', ')}` },
      });
    }
  });

/** One GPU class: name, architecture, memory, FP8 support and routing tier. */
export interface GpuClassInfo {
  /** The class name, for example `H100-80GB`. */
  readonly name: string;
  /** The architecture, for example `Hopper`. */
  readonly arch: GpuArchitecture;
  /** Device memory, GiB. */
  readonly memoryGiB: number;
  /** Whether the GPU has FP8 tensor cores (Ada, Hopper, Blackwell). */
  readonly fp8: boolean;
  /** The routing tier; see {@link GPU_TIERS}. */
  readonly tier: GpuTier;
}

function gpu(name: string, arch: GpuArchitecture, memoryGiB: number, fp8: boolean, tier: GpuTier) {
  return Object.freeze({ name, arch, memoryGiB, fp8, tier });
}

/**
 * The built-in GPU classes, keyed by name. Architecture, memory and FP8 support are copied from
 * the SDK's shared GPU facts (`shared/data/gpu/gpu-specs.json`, compiled from NVIDIA datasheets
 * and spec tables); the tier is headroom's routing choice. Device memory is given in GiB: NVIDIA's
 * "80 GB" HBM is a binary size (an A100 80GB reports 81 920 MiB), and the small driver reserve is
 * covered by the matcher's memory headroom. Extend or override it with {@link createGpuClassTable}.
 */
export const GPU_CLASS_INFO: Readonly<Record<string, GpuClassInfo>> = Object.freeze({
  T4: gpu('T4', 'Turing', 16, false, 'entry'),
  A10G: gpu('A10G', 'Ampere', 24, false, 'mainstream'),
  L4: gpu('L4', 'Ada', 24, true, 'mainstream'),
  'A30-24GB': gpu('A30-24GB', 'Ampere', 24, false, 'mainstream'),
  L40S: gpu('L40S', 'Ada', 48, true, 'performance'),
  'A100-40GB': gpu('A100-40GB', 'Ampere', 40, false, 'performance'),
  'A100-80GB': gpu('A100-80GB', 'Ampere', 80, false, 'performance'),
  'H100-80GB': gpu('H100-80GB', 'Hopper', 80, true, 'flagship'),
  'H100-NVL-94GB': gpu('H100-NVL-94GB', 'Hopper', 94, true, 'flagship'),
  'H200-141GB': gpu('H200-141GB', 'Hopper', 141, true, 'flagship'),
  'B200-180GB': gpu('B200-180GB', 'Blackwell', 180, true, 'flagship'),
});

/**
 * Builds a GPU class table: the built-in {@link GPU_CLASS_INFO} with the given classes added or
 * replacing built-ins of the same key. Each override is validated.
 *
 * @param overrides - classes keyed by name; a class's `name` should equal its key.
 * @param path - where the overrides sit in a larger configuration. @defaultValue `[]`
 * @returns a frozen table.
 * @throws `HeadroomError` `invalid_config` naming the class and field, for example
 * `custom.fp8` when an Ampere class declares FP8.
 * @example
 * ```ts
 * const table = createGpuClassTable({
 *   'H100-PCIe': { name: 'H100-PCIe', arch: 'Hopper', memoryGiB: 80, fp8: true, tier: 'performance' },
 * });
 * ```
 */
export function createGpuClassTable(
  overrides: Readonly<Record<string, z.input<typeof GpuClassInfoSchema>>>,
  path: ErrorPath = [],
): Readonly<Record<string, GpuClassInfo>> {
  const table: Record<string, GpuClassInfo> = { ...GPU_CLASS_INFO };
  for (const [key, value] of Object.entries(overrides)) {
    table[key] = parseConfig(GpuClassInfoSchema, value, [...path, key]);
  }
  return Object.freeze(table);
}

/**
 * The latency classes of a workload.
 *
 * - `realtime`: streaming speech, voice agents: every token is on the critical path.
 * - `interactive`: chat and completions with a person waiting.
 * - `batch`: offline jobs measured by throughput and cost.
 */
export const LATENCY_CLASSES = ['realtime', 'interactive', 'batch'] as const;

/** One of {@link LATENCY_CLASSES}. */
export type LatencyClass = (typeof LATENCY_CLASSES)[number];

/**
 * Which GPU tiers each latency class may use by default: `realtime` only the two fastest tiers
 * (Hopper/Blackwell, and L40S/A100), `interactive` adds the 24 GB inference GPUs, `batch` may use
 * any tier.
 */
export const DEFAULT_TIERS_BY_LATENCY_CLASS: Readonly<Record<LatencyClass, readonly GpuTier[]>> =
  Object.freeze({
    realtime: Object.freeze(['flagship', 'performance'] as GpuTier[]),
    interactive: Object.freeze(['flagship', 'performance', 'mainstream'] as GpuTier[]),
    batch: Object.freeze(['flagship', 'performance', 'mainstream', 'entry'] as GpuTier[]),
  });
