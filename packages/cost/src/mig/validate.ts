import { HeadroomError } from '@headroom/core';
import type { MigGeometrySpec } from './geometry.js';
import { compileGeometry, type CompiledClass } from './slots.js';

/** One MIG instance on one GPU: a profile at a start position on the memory-slice axis. */
export interface MigPlacement {
  /** Profile name, for example `'3g.40gb'`. */
  readonly profile: string;
  /** First memory slice the instance covers (NVML placement start). */
  readonly start: number;
}

/** Why a layout is invalid; stable strings a dashboard can group by. */
export type MigLayoutProblemCode =
  | 'unknown_profile'
  | 'out_of_range'
  | 'invalid_start'
  | 'overlap'
  | 'compute_exceeded'
  | 'memory_exceeded'
  | 'max_count_exceeded'
  | 'media_extensions_exceeded';

/** One reason a layout is invalid. */
export interface MigLayoutProblem {
  /** What rule was broken. */
  readonly code: MigLayoutProblemCode;
  /** A sentence naming the placement(s), the slices and the rule. */
  readonly message: string;
  /** Index of the offending placement in the input, when one placement is to blame. */
  readonly placementIndex?: number;
}

/** The outcome of {@link validateLayout}. */
export type MigLayoutValidation =
  | { readonly valid: true }
  | { readonly valid: false; readonly problems: readonly MigLayoutProblem[] };

/** Formats starts as a range (`0-6`) when contiguous, else as a list (`0, 2, 4`). */
function formatStarts(starts: readonly number[]): string {
  if (starts.length === 0) return 'none';
  const first = starts[0] as number;
  const last = starts[starts.length - 1] as number;
  if (starts.length > 2 && last - first === starts.length - 1) return `${first}-${last}`;
  return starts.join(', ');
}

function formatSlices(mask: number): string {
  const slices: number[] = [];
  for (let i = 0; i < 31; i++) if ((mask & (1 << i)) !== 0) slices.push(i);
  const runs: string[] = [];
  let i = 0;
  while (i < slices.length) {
    let j = i;
    while (j + 1 < slices.length && (slices[j + 1] as number) === (slices[j] as number) + 1) j++;
    runs.push(i === j ? `${slices[i]}` : `${slices[i]}-${slices[j]}`);
    i = j + 1;
  }
  return `${slices.length === 1 ? 'slice' : 'slices'} ${runs.join(', ')}`;
}

/**
 * Checks a layout (the MIG instances of ONE GPU) against the GPU's geometry and says exactly what
 * is wrong, following NVIDIA's MIG placement rules: every profile exists on the GPU; each instance
 * starts at one of its slot class's valid starts (NVML `nvmlGpuInstancePlacement_t` counts memory
 * slices) and ends inside the GPU; no two instances share a memory slice; compute slices sum to at
 * most the GPU's (7, or 4 on A30); no slot class exceeds its per-GPU maximum; at most one
 * media-extension (`+me`) instance per GPU, since it takes all the media engines.
 *
 * Bad data never throws here: a non-string profile or a non-integer start is a problem in the
 * result. Only an unknown GPU or an invalid custom geometry throws.
 *
 * @param gpu - a catalog GPU key or a custom geometry.
 * @param placements - the instances, in any order.
 * @throws `HeadroomError` `not_found` for an unknown GPU key, `invalid_config` for a bad geometry.
 * @example
 * ```ts
 * validateLayout('H100-80GB', [{ profile: '4g.40gb', start: 0 }, { profile: '3g.40gb', start: 4 }]);
 * // { valid: true }
 * validateLayout('H100-80GB', [{ profile: '1g.10gb', start: 7 }]);
 * // { valid: false, problems: [{ code: 'invalid_start', placementIndex: 0,
 * //   message: 'placement 0: 1g.10gb (class 1g) cannot start at memory slice 7; valid starts 0-6' }] }
 * ```
 */
export function validateLayout(
  gpu: MigGeometrySpec,
  placements: readonly MigPlacement[],
): MigLayoutValidation {
  const cg = compileGeometry(gpu);
  const g = cg.geometry;
  const problems: MigLayoutProblem[] = [];
  const placed: { index: number; cls: CompiledClass; name: string; start: number; mask: number }[] =
    [];
  placements.forEach((p, index) => {
    const name: unknown = (p as { profile?: unknown }).profile;
    const entry = typeof name === 'string' ? cg.profileByName.get(name) : undefined;
    if (entry === undefined) {
      problems.push({
        code: 'unknown_profile',
        message: `placement ${index}: ${g.gpu} has no MIG profile ${JSON.stringify(name) ?? String(name)}; its profiles: ${g.profiles.map((x) => x.name).join(', ')}`,
        placementIndex: index,
      });
      return;
    }
    const { cls, profile } = entry;
    const start: unknown = (p as { start?: unknown }).start;
    if (
      typeof start !== 'number' ||
      !Number.isInteger(start) ||
      start < 0 ||
      start + cls.memorySlices > g.memorySlices
    ) {
      problems.push({
        code: 'out_of_range',
        message: `placement ${index}: ${profile.name} at memory slice ${String(start)} is outside the GPU: it spans ${cls.memorySlices} memory slices and ${g.gpu} has slices 0-${g.memorySlices - 1}; valid starts ${formatStarts(cls.starts)}`,
        placementIndex: index,
      });
      return;
    }
    const k = cls.starts.indexOf(start);
    if (k < 0) {
      problems.push({
        code: 'invalid_start',
        message: `placement ${index}: ${profile.name} (class ${cls.name}) cannot start at memory slice ${start}; valid starts ${formatStarts(cls.starts)}`,
        placementIndex: index,
      });
    }
    placed.push({
      index,
      cls,
      name: profile.name,
      start,
      mask: ((1 << cls.memorySlices) - 1) << start,
    });
  });

  for (let j = 0; j < placed.length; j++) {
    const b = placed[j] as (typeof placed)[number];
    for (let i = 0; i < j; i++) {
      const a = placed[i] as (typeof placed)[number];
      const shared = a.mask & b.mask;
      if (shared !== 0) {
        problems.push({
          code: 'overlap',
          message: `placement ${b.index} (${b.name}@${b.start}) overlaps placement ${a.index} (${a.name}@${a.start}) on memory ${formatSlices(shared)}`,
          placementIndex: b.index,
        });
      }
    }
  }

  let compute = 0;
  let memory = 0;
  let overflowAt: number | undefined;
  for (const p of placed) {
    compute += p.cls.computeSlices;
    memory += p.cls.memorySlices;
    if (compute > g.computeSlices && overflowAt === undefined) overflowAt = p.index;
  }
  if (compute > g.computeSlices) {
    problems.push({
      code: 'compute_exceeded',
      message: `compute slices sum to ${compute}; ${g.gpu} has ${g.computeSlices} (placement ${String(overflowAt)} is the first past the limit)`,
      ...(overflowAt === undefined ? {} : { placementIndex: overflowAt }),
    });
  }
  if (memory > g.memorySlices) {
    problems.push({
      code: 'memory_exceeded',
      message: `memory slices sum to ${memory}; ${g.gpu} has ${g.memorySlices}`,
    });
  }

  for (const cls of cg.classes) {
    const mine = placed.filter((p) => p.cls === cls);
    if (mine.length > cls.maxCount) {
      const extra = mine[cls.maxCount] as (typeof placed)[number];
      problems.push({
        code: 'max_count_exceeded',
        message: `${mine.length} instances of class ${cls.name} (${mine.map((p) => `${p.name}@${p.start}`).join(', ')}); at most ${cls.maxCount} per GPU`,
        placementIndex: extra.index,
      });
    }
  }
  const media = placed.filter((p) => p.cls.media);
  if (media.length > 1) {
    problems.push({
      code: 'media_extensions_exceeded',
      message: `${media.length} media-extension instances (${media.map((p) => `${p.name}@${p.start}`).join(', ')}); at most one per GPU owns the media engines`,
      placementIndex: (media[1] as (typeof placed)[number]).index,
    });
  }

  return problems.length === 0 ? { valid: true } : { valid: false, problems };
}

/**
 * Like {@link validateLayout}, but throws on the first invalid layout.
 *
 * @param path - where the layout sits in the caller's input, for the error. @defaultValue `['placements']`
 * @throws `HeadroomError` `invalid_input` whose message lists every problem and whose path
 * points at the first offending placement.
 * @example
 * ```ts
 * assertValidLayout('A100-40GB', [{ profile: '3g.20gb', start: 4 }, { profile: '4g.20gb', start: 0 }]);
 * ```
 */
export function assertValidLayout(
  gpu: MigGeometrySpec,
  placements: readonly MigPlacement[],
  path: readonly (string | number)[] = ['placements'],
): void {
  const result = validateLayout(gpu, placements);
  if (result.valid) return;
  const first = result.problems[0];
  const gpuName = typeof gpu === 'string' ? gpu : gpu.gpu;
  throw new HeadroomError({
    code: 'invalid_input',
    message: `invalid MIG layout for ${gpuName}: ${result.problems.map((p) => p.message).join('; ')}`,
    path: first?.placementIndex === undefined ? path : [...path, first.placementIndex],
    limit: 'NVIDIA MIG placement rules',
  });
}
