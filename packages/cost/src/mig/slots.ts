// Compiled slot classes and the per-GPU feasibility kernel shared by the validator, the packers and
// the re-packer: bit masks on the memory-slice axis, and a memoized search for a start assignment of
// a multiset of slot classes on top of whatever a GPU already holds.
import {
  migSlotClasses,
  resolveMigGeometry,
  type MigGeometry,
  type MigGeometrySpec,
  type MigProfile,
} from './geometry.js';

/** A slot class compiled for the search: its index, shape and one bit mask per valid start. */
export interface CompiledClass {
  readonly index: number;
  readonly name: string;
  readonly memorySlices: number;
  readonly computeSlices: number;
  readonly starts: readonly number[];
  readonly maxCount: number;
  readonly media: boolean;
  /** Bit mask of the memory slices covered at `starts[k]`. */
  readonly masks: readonly number[];
}

/** A geometry compiled for the search (cached per geometry object). */
export interface CompiledGeometry {
  readonly geometry: MigGeometry;
  /** Slot classes, large to small. */
  readonly classes: readonly CompiledClass[];
  readonly classByName: ReadonlyMap<string, CompiledClass>;
  readonly profileByName: ReadonlyMap<string, { profile: MigProfile; cls: CompiledClass }>;
  /** Memory slices of the GPU. */
  readonly memorySlices: number;
  /** Compute slices of the GPU. */
  readonly computeSlices: number;
  readonly memo: Map<string, SlotSolution | null>;
  readonly patterns: Map<string, readonly Pattern[]>;
}

/** What a GPU already holds and cannot move: occupied slices, compute used, class counts. */
export interface GpuBase {
  readonly mask: number;
  readonly compute: number;
  readonly counts: readonly number[];
  readonly media: number;
  /** Stable key of this base for memo tables. */
  readonly key: string;
}

/** A start assignment for a multiset: `starts[c]` lists the starts of class `c`'s new instances. */
export interface SlotSolution {
  readonly starts: readonly (readonly number[])[];
  /** Free memory slices that no single further instance could use, after this assignment. */
  readonly stranded: number;
}

/** A feasible multiset to add to a base, with its assignment and its fill score. */
export interface Pattern {
  readonly add: readonly number[];
  readonly solution: SlotSolution;
  /** Fraction of the GPU the added instances fill: mean of memory and compute shares. */
  readonly score: number;
  readonly items: number;
}

const COMPILED = new WeakMap<MigGeometry, CompiledGeometry>();

/**
 * The number of set bits of a slot mask (memory slices held).
 *
 * @internal
 */
export function bitCount(x: number): number {
  let n = 0;
  let v = x;
  while (v !== 0) {
    v &= v - 1;
    n++;
  }
  return n;
}

/** Compiles (once per geometry object) a geometry for the search. */
export function compileGeometry(spec: MigGeometrySpec): CompiledGeometry {
  const geometry = resolveMigGeometry(spec);
  const cached = COMPILED.get(geometry);
  if (cached !== undefined) return cached;
  const classes: CompiledClass[] = migSlotClasses(geometry).map((c, index) => ({
    index,
    name: c.name,
    memorySlices: c.memorySlices,
    computeSlices: c.computeSlices,
    starts: c.starts,
    maxCount: c.maxCount,
    media: geometry.profiles.some((p) => p.slotClass === c.name && p.mediaExtensions),
    masks: c.starts.map((s) => ((1 << c.memorySlices) - 1) << s),
  }));
  const classByName = new Map(classes.map((c) => [c.name, c]));
  const profileByName = new Map<string, { profile: MigProfile; cls: CompiledClass }>();
  for (const p of geometry.profiles) {
    const cls = classByName.get(p.slotClass);
    if (cls !== undefined) profileByName.set(p.name, { profile: p, cls });
  }
  const compiled: CompiledGeometry = {
    geometry,
    classes,
    classByName,
    profileByName,
    memorySlices: geometry.memorySlices,
    computeSlices: geometry.computeSlices,
    memo: new Map(),
    patterns: new Map(),
  };
  COMPILED.set(geometry, compiled);
  return compiled;
}

/** The base of an empty GPU. */
export function emptyBase(cg: CompiledGeometry): GpuBase {
  return makeBase(
    0,
    0,
    cg.classes.map(() => 0),
    0,
  );
}

/** Builds a base from its parts. */
export function makeBase(
  mask: number,
  compute: number,
  counts: readonly number[],
  media: number,
): GpuBase {
  return { mask, compute, counts, media, key: `${mask}:${compute}:${counts.join(',')}:${media}` };
}

/**
 * The base formed by fixed instances (class index and start each). The caller has validated them.
 */
export function baseFromInstances(
  cg: CompiledGeometry,
  instances: readonly { readonly cls: CompiledClass; readonly start: number }[],
): GpuBase {
  let mask = 0;
  let compute = 0;
  let media = 0;
  const counts = cg.classes.map(() => 0);
  for (const { cls, start } of instances) {
    mask |= ((1 << cls.memorySlices) - 1) << start;
    compute += cls.computeSlices;
    if (cls.media) media++;
    counts[cls.index] = (counts[cls.index] ?? 0) + 1;
  }
  return makeBase(mask, compute, counts, media);
}

/** Free memory slices on which no single additional instance could be created. */
export function strandedSlices(
  cg: CompiledGeometry,
  mask: number,
  compute: number,
  counts: readonly number[],
  media: number,
): number {
  const full = (1 << cg.memorySlices) - 1;
  const free = full & ~mask;
  if (free === 0) return 0;
  let reachable = 0;
  for (const c of cg.classes) {
    if ((counts[c.index] ?? 0) >= c.maxCount) continue;
    if (compute + c.computeSlices > cg.computeSlices) continue;
    if (c.media && media >= 1) continue;
    for (const m of c.masks) if ((m & mask) === 0) reachable |= m;
  }
  return bitCount(free & ~reachable);
}

/**
 * Finds a start assignment for adding the multiset `add` (count per class) to `base`, or null when
 * none exists. Among all assignments it returns one with the fewest stranded slices; ties go to the
 * first in search order (classes large to small, starts ascending). Memoized per geometry.
 */
export function solveMultiset(
  cg: CompiledGeometry,
  base: GpuBase,
  add: readonly number[],
): SlotSolution | null {
  const key = `${base.key}|${add.join(',')}`;
  const hit = cg.memo.get(key);
  if (hit !== undefined) return hit;
  const result = search(cg, base, add);
  cg.memo.set(key, result);
  return result;
}

function search(cg: CompiledGeometry, base: GpuBase, add: readonly number[]): SlotSolution | null {
  let compute = base.compute;
  let memory = bitCount(base.mask);
  let media = base.media;
  const items: CompiledClass[] = [];
  for (const c of cg.classes) {
    const n = add[c.index] ?? 0;
    if (n === 0) continue;
    if ((base.counts[c.index] ?? 0) + n > c.maxCount) return null;
    compute += n * c.computeSlices;
    memory += n * c.memorySlices;
    if (c.media) media += n;
    for (let k = 0; k < n; k++) items.push(c);
  }
  if (compute > cg.computeSlices || memory > cg.memorySlices || media > 1) return null;
  const counts = cg.classes.map((c) => (base.counts[c.index] ?? 0) + (add[c.index] ?? 0));
  const chosen: number[] = new Array<number>(items.length).fill(0);
  let best: number[] | null = null;
  let bestStranded = Number.POSITIVE_INFINITY;
  const walk = (i: number, mask: number, minStartIdx: number): boolean => {
    if (i === items.length) {
      const s = strandedSlices(cg, mask, compute, counts, media);
      if (s < bestStranded) {
        bestStranded = s;
        best = [...chosen];
      }
      return s === 0;
    }
    const c = items[i] as CompiledClass;
    for (let k = minStartIdx; k < c.masks.length; k++) {
      const m = c.masks[k] as number;
      if ((m & mask) !== 0) continue;
      chosen[i] = k;
      const next = items[i + 1];
      if (walk(i + 1, mask | m, next === c ? k + 1 : 0)) return true;
    }
    return false;
  };
  walk(0, base.mask, 0);
  const found: number[] | null = best;
  if (found === null) return null;
  const starts: number[][] = cg.classes.map(() => []);
  items.forEach((c, i) => {
    (starts[c.index] as number[]).push(c.starts[found[i] as number] as number);
  });
  return { starts, stranded: bestStranded };
}

/**
 * Every non-empty multiset that can be added to `base` (optionally without media-extension
 * classes), with its assignment and score, best score first. Cached per base.
 */
export function patternsFor(cg: CompiledGeometry, base: GpuBase): readonly Pattern[] {
  const cached = cg.patterns.get(base.key);
  if (cached !== undefined) return cached;
  const out: Pattern[] = [];
  const add = cg.classes.map(() => 0);
  const walk = (ci: number, compute: number, memory: number): void => {
    if (ci === cg.classes.length) {
      if (add.every((n) => n === 0)) return;
      const solution = solveMultiset(cg, base, add);
      if (solution === null) return;
      let mem = 0;
      let cmp = 0;
      let items = 0;
      for (const c of cg.classes) {
        const n = add[c.index] ?? 0;
        mem += n * c.memorySlices;
        cmp += n * c.computeSlices;
        items += n;
      }
      out.push({
        add: [...add],
        solution,
        score: (mem / cg.memorySlices + cmp / cg.computeSlices) / 2,
        items,
      });
      return;
    }
    const c = cg.classes[ci] as CompiledClass;
    const room = c.maxCount - (base.counts[ci] ?? 0);
    for (let n = 0; n <= room; n++) {
      const cmp = compute + n * c.computeSlices;
      const mem = memory + n * c.memorySlices;
      if (cmp > cg.computeSlices || mem > cg.memorySlices) break;
      add[ci] = n;
      walk(ci + 1, cmp, mem);
    }
    add[ci] = 0;
  };
  walk(0, base.compute, bitCount(base.mask));
  out.sort(
    (a, b) =>
      b.score - a.score ||
      a.solution.stranded - b.solution.stranded ||
      compareLargeFirst(a.add, b.add),
  );
  cg.patterns.set(base.key, out);
  return out;
}

/** Prefers the count vector with more of the larger classes (classes are ordered large first). */
function compareLargeFirst(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (b[i] ?? 0) - (a[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Number of set bits: memory slices in a mask. */
export function slicesIn(mask: number): number {
  return bitCount(mask);
}
