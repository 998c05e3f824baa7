import type { MigGeometrySpec } from './geometry.js';
import { compileGeometry, emptyBase, patternsFor } from './slots.js';

/** A multiset of slot classes on one GPU: instance count per slot class name (zeros omitted). */
export type MigClassMultiset = Readonly<Record<string, number>>;

/** Options of {@link migFeasibleMultisets} and {@link migMaximalMultisets}. */
export interface MigMultisetOptions {
  /**
   * Include media-extension (`+me`) classes. NVIDIA's published counts leave them out.
   * @defaultValue false
   */
  readonly mediaExtensions?: boolean;
}

function toRecord(names: readonly string[], add: readonly number[]): MigClassMultiset {
  const out: Record<string, number> = {};
  add.forEach((n, i) => {
    if (n > 0) out[names[i] as string] = n;
  });
  return Object.freeze(out);
}

function feasibleVectors(spec: MigGeometrySpec, options: MigMultisetOptions): number[][] {
  const cg = compileGeometry(spec);
  const media = options.mediaExtensions === true;
  return patternsFor(cg, emptyBase(cg))
    .filter((p) => media || cg.classes.every((c) => !c.media || (p.add[c.index] ?? 0) === 0))
    .map((p) => [...p.add]);
}

/**
 * Every non-empty multiset of slot classes that one GPU can hold at once: some start assignment
 * exists with no memory-slice overlap, compute slices within the GPU's, valid starts and
 * per-class maximum counts. On the 8-slice geometry (A100/H100/H200/B200) there are 77 without
 * `+me` classes; this is the table the packer searches.
 *
 * @example
 * ```ts
 * migFeasibleMultisets('H100-80GB').length; // 77
 * ```
 */
export function migFeasibleMultisets(
  gpu: MigGeometrySpec,
  options: MigMultisetOptions = {},
): readonly MigClassMultiset[] {
  const cg = compileGeometry(gpu);
  const names = cg.classes.map((c) => c.name);
  return feasibleVectors(gpu, options).map((v) => toRecord(names, v));
}

/**
 * The feasible multisets to which no further instance (of the considered classes) can be added:
 * the maximal layouts. 28 on the 8-slice geometry and 4 on the A30 without `+me` classes.
 *
 * @example
 * ```ts
 * migMaximalMultisets('A30-24GB').length; // 4
 * ```
 */
export function migMaximalMultisets(
  gpu: MigGeometrySpec,
  options: MigMultisetOptions = {},
): readonly MigClassMultiset[] {
  const cg = compileGeometry(gpu);
  const names = cg.classes.map((c) => c.name);
  const media = options.mediaExtensions === true;
  const vectors = feasibleVectors(gpu, options);
  const keys = new Set(vectors.map((v) => v.join(',')));
  return vectors
    .filter((v) =>
      cg.classes.every((c) => {
        if (c.media && !media) return true;
        const w = [...v];
        w[c.index] = (w[c.index] ?? 0) + 1;
        return !keys.has(w.join(','));
      }),
    )
    .map((v) => toRecord(names, v));
}
