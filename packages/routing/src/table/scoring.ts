import { z } from 'zod';

const GIB = 1024 ** 3;
const exponent = z.number().min(0).max(8);
const share = z.number().min(0).max(1);

/**
 * How an endpoint's remaining capacity becomes a routing weight. Every factor is physical
 * headroom, normalized so that 1 means "all of it free":
 *
 * - `memory`: free GPU memory bytes ÷ `memoryReferenceBytes` (bytes, not a fraction of the
 *   endpoint's own memory, so a 141 GB H200 with 70 GB free outweighs a 24 GB L4 with 12 GB free).
 * - `kvCache`: 1 − KV-cache utilization.
 * - `streams`: free stream slots ÷ max stream slots (when the endpoint declares slots).
 * - `queue`: 1 ÷ (1 + effective queue depth), the queue including the router's own picks since the
 *   last scrape.
 *
 * A signal the endpoint does not report gives factor 1 (it does not constrain). With the default
 * `product` formula, weight = Π factor^exponent: one exhausted resource (factor 0) zeroes the
 * weight, which is what a GPU does (a full KV cache stalls every request however idle the SMs
 * are), and with exponent 1 the weight is proportional to the free resource (60% free memory vs
 * 15% gets 4x the traffic). Correlated signals compound (KV use drives memory use on servers that
 * allocate on demand); set an exponent to 0 to ignore a signal. `weighted_sum` (Σ share × factor)
 * is gentler: no single resource can zero the weight.
 */
export const ScoringConfigSchema = z.object({
  /** `product` (Π factor^exponent) or `weighted_sum` (Σ share × factor). @defaultValue 'product' */
  formula: z.literal(['product', 'weighted_sum']).default('product'),
  /** Exponents of the product formula, each in [0, 8]. @defaultValue 1 each */
  exponents: z
    .object({
      /** Exponent of the free-memory factor. @defaultValue 1 */
      memory: exponent.default(1),
      /** Exponent of the KV-cache room factor. @defaultValue 1 */
      kvCache: exponent.default(1),
      /** Exponent of the free-stream-slots factor. @defaultValue 1 */
      streams: exponent.default(1),
      /** Exponent of the queue factor. @defaultValue 1 */
      queue: exponent.default(1),
    })
    .default({ memory: 1, kvCache: 1, streams: 1, queue: 1 }),
  /** Shares of the weighted-sum formula, each in [0, 1]. @defaultValue 0.25 each */
  shares: z
    .object({
      /** Share of the free-memory factor. @defaultValue 0.25 */
      memory: share.default(0.25),
      /** Share of the KV-cache room factor. @defaultValue 0.25 */
      kvCache: share.default(0.25),
      /** Share of the free-stream-slots factor. @defaultValue 0.25 */
      streams: share.default(0.25),
      /** Share of the queue factor. @defaultValue 0.25 */
      queue: share.default(0.25),
    })
    .default({ memory: 0.25, kvCache: 0.25, streams: 0.25, queue: 0.25 }),
  /** Bytes of free GPU memory that count as memory factor 1, > 0. @defaultValue 80 GiB */
  memoryReferenceBytes: z
    .number()
    .positive()
    .default(80 * GIB),
});

/** Input of {@link ScoringConfigSchema} (defaults optional). */
export type ScoringConfigInput = z.input<typeof ScoringConfigSchema>;
/** A validated {@link ScoringConfigSchema}. */
export type ScoringConfig = z.output<typeof ScoringConfigSchema>;

/**
 * When an endpoint counts as saturated: any one signal at or above its threshold. A saturated
 * endpoint is a soft filter: it takes no work while an unsaturated candidate exists; when every
 * candidate is saturated the router spills or sheds (see the router's `onSaturated`).
 * Thresholds are also the scale of the load score of power-of-two-choices and least-loaded.
 */
export const SaturationConfigSchema = z.object({
  /** KV-cache utilization at or above which an endpoint is saturated, in (0, 1]. @defaultValue 0.95 */
  kvCacheUtilization: z.number().gt(0).max(1).default(0.95),
  /** Effective queue depth at or above which an endpoint is saturated, >= 1. @defaultValue 32 */
  queueDepth: z.number().min(1).default(32),
  /** GPU memory used ÷ total at or above which an endpoint is saturated, in (0, 1]. @defaultValue 0.98 */
  memoryUtilization: z.number().gt(0).max(1).default(0.98),
  /** Whether an endpoint with every stream slot taken is saturated. @defaultValue true */
  streamSlots: z.boolean().default(true),
});

/** Input of {@link SaturationConfigSchema}. */
export type SaturationConfigInput = z.input<typeof SaturationConfigSchema>;
/** A validated {@link SaturationConfigSchema}. */
export type SaturationConfig = z.output<typeof SaturationConfigSchema>;

/**
 * The signals scoring reads for one endpoint. `NaN` means unknown (not reported); the router
 * fills one reused object per endpoint, so scoring allocates nothing.
 */
export interface EndpointSignals {
  /** GPU memory in use, bytes; NaN when unknown. */
  memoryUsedBytes: number;
  /** GPU memory in total, bytes; NaN when unknown. */
  memoryTotalBytes: number;
  /** KV-cache utilization 0..1; NaN when unknown. */
  kvCacheUtilization: number;
  /** Active streams; NaN when unknown. */
  activeStreams: number;
  /** Max stream slots; NaN or 0 when the endpoint declares none. */
  maxStreamSlots: number;
  /** Effective queue depth (scraped queue plus the router's picks minus completions since, >= 0). */
  queueDepth: number;
}

/** The four normalized factors of {@link headroomWeight}. */
export interface HeadroomFactors {
  /** Free memory bytes ÷ memoryReferenceBytes (1 when unknown). */
  memory: number;
  /** 1 − KV utilization (1 when unknown). */
  kvCache: number;
  /** Free slots ÷ max slots (1 when the endpoint declares no slots). */
  streams: number;
  /** 1 ÷ (1 + queue depth). */
  queue: number;
}

/** Free-memory factor; see {@link ScoringConfigSchema}. */
export function memoryFactor(s: Readonly<EndpointSignals>, config: ScoringConfig): number {
  const total = s.memoryTotalBytes;
  if (!(total > 0)) return 1;
  const used = s.memoryUsedBytes;
  const free = used === used ? Math.max(0, total - used) : total;
  return free / config.memoryReferenceBytes;
}

/** KV-cache room factor: 1 − utilization, in [0, 1]; 1 when unknown. */
export function kvCacheFactor(s: Readonly<EndpointSignals>): number {
  const kv = s.kvCacheUtilization;
  return kv === kv ? Math.min(1, Math.max(0, 1 - kv)) : 1;
}

/** Free-stream-slot factor in [0, 1]; 1 when the endpoint declares no slots or streams are unknown. */
export function streamsFactor(s: Readonly<EndpointSignals>): number {
  const max = s.maxStreamSlots;
  const active = s.activeStreams;
  if (!(max > 0) || active !== active) return 1;
  return Math.min(1, Math.max(0, (max - active) / max));
}

/** Queue factor 1 ÷ (1 + queue depth), in (0, 1]. */
export function queueFactor(s: Readonly<EndpointSignals>): number {
  const q = s.queueDepth;
  return q > 0 && q < Infinity ? 1 / (1 + q) : q === Infinity ? 0 : 1;
}

function pow(base: number, e: number): number {
  return e === 0 ? 1 : e === 1 ? base : Math.pow(base, e);
}

/**
 * The headroom weight of an endpoint (before slow start, health and staleness): finite and >= 0
 * for any signals, including NaN ones. See {@link ScoringConfigSchema} for the formula.
 *
 * @example
 * ```ts
 * const config = ScoringConfigSchema.parse({});
 * const at40 = headroomWeight({ ...idle, memoryUsedBytes: 0.4 * total, memoryTotalBytes: total }, config);
 * const at85 = headroomWeight({ ...idle, memoryUsedBytes: 0.85 * total, memoryTotalBytes: total }, config);
 * at40 / at85; // 4
 * ```
 */
export function headroomWeight(s: Readonly<EndpointSignals>, config: ScoringConfig): number {
  const m = memoryFactor(s, config);
  const k = kvCacheFactor(s);
  const st = streamsFactor(s);
  const q = queueFactor(s);
  let w: number;
  if (config.formula === 'product') {
    const e = config.exponents;
    w = pow(m, e.memory) * pow(k, e.kvCache) * pow(st, e.streams) * pow(q, e.queue);
  } else {
    const sh = config.shares;
    w = sh.memory * m + sh.kvCache * k + sh.streams * st + sh.queue * q;
  }
  return w > 0 && w < Infinity ? w : 0;
}

/** The factors of {@link headroomWeight}, for explanations. Allocates; not for the hot path. */
export function headroomFactors(
  s: Readonly<EndpointSignals>,
  config: ScoringConfig,
): HeadroomFactors {
  return {
    memory: memoryFactor(s, config),
    kvCache: kvCacheFactor(s),
    streams: streamsFactor(s),
    queue: queueFactor(s),
  };
}

/**
 * The headroom weight the endpoint would have idle (nothing used, nothing queued): the base a
 * stale endpoint's penalized weight is taken from.
 */
export function idleHeadroomWeight(s: Readonly<EndpointSignals>, config: ScoringConfig): number {
  const total = s.memoryTotalBytes;
  const m = total > 0 ? total / config.memoryReferenceBytes : 1;
  let w: number;
  if (config.formula === 'product') w = pow(m, config.exponents.memory);
  else {
    const sh = config.shares;
    w = sh.memory * m + sh.kvCache + sh.streams + sh.queue;
  }
  return w > 0 && w < Infinity ? w : 0;
}

/** True when any signal is at or above its threshold in `config` (unknown signals never are). */
export function isSaturated(s: Readonly<EndpointSignals>, config: SaturationConfig): boolean {
  if (s.kvCacheUtilization >= config.kvCacheUtilization) return true;
  if (s.queueDepth >= config.queueDepth) return true;
  if (s.memoryTotalBytes > 0 && s.memoryUsedBytes / s.memoryTotalBytes >= config.memoryUtilization)
    return true;
  return config.streamSlots && s.maxStreamSlots > 0 && s.activeStreams >= s.maxStreamSlots;
}

/**
 * The load score of power-of-two-choices and least-loaded: the highest ratio of any signal to its
 * saturation threshold (the bottleneck resource), so 1 means "at the saturation threshold".
 * Unknown signals are skipped; an endpoint that reports nothing scores by its effective queue.
 * Finite and >= 0.
 */
export function loadScore(s: Readonly<EndpointSignals>, config: SaturationConfig): number {
  let score = s.queueDepth > 0 ? s.queueDepth / config.queueDepth : 0;
  const kv = s.kvCacheUtilization / config.kvCacheUtilization;
  if (kv > score) score = kv;
  if (s.memoryTotalBytes > 0) {
    const mem = s.memoryUsedBytes / s.memoryTotalBytes / config.memoryUtilization;
    if (mem > score) score = mem;
  }
  if (s.maxStreamSlots > 0) {
    const st = s.activeStreams / s.maxStreamSlots;
    if (st > score) score = st;
  }
  return score < Number.MAX_VALUE ? score : Number.MAX_VALUE;
}

/**
 * The router's one-pass scorer: {@link headroomWeight} into `out[0]`, {@link loadScore} into
 * `out[1]`, and {@link isSaturated} as the return value, bit for bit the same numbers (a property
 * test holds them equal). It exists for the update path: a double returned from a call V8 does
 * not inline is boxed on the heap, so the router reads the two numbers from `out` instead, and
 * one pass reads each signal once. Allocation-free.
 *
 * @param out - at least two entries; entries 0 and 1 are overwritten.
 */
export function scoreInto(
  s: Readonly<EndpointSignals>,
  scoring: ScoringConfig,
  saturation: SaturationConfig,
  out: Float64Array,
): boolean {
  const used = s.memoryUsedBytes;
  const total = s.memoryTotalBytes;
  const kv = s.kvCacheUtilization;
  const active = s.activeStreams;
  const max = s.maxStreamSlots;
  const q = s.queueDepth;
  // Headroom factors (memoryFactor, kvCacheFactor, streamsFactor, queueFactor).
  const m =
    total > 0
      ? (used === used ? Math.max(0, total - used) : total) / scoring.memoryReferenceBytes
      : 1;
  const k = kv === kv ? Math.min(1, Math.max(0, 1 - kv)) : 1;
  const st = !(max > 0) || active !== active ? 1 : Math.min(1, Math.max(0, (max - active) / max));
  const qf = q > 0 && q < Infinity ? 1 / (1 + q) : q === Infinity ? 0 : 1;
  let w: number;
  if (scoring.formula === 'product') {
    const e = scoring.exponents;
    w = pow(m, e.memory) * pow(k, e.kvCache) * pow(st, e.streams) * pow(qf, e.queue);
  } else {
    const sh = scoring.shares;
    w = sh.memory * m + sh.kvCache * k + sh.streams * st + sh.queue * qf;
  }
  out[0] = w > 0 && w < Infinity ? w : 0;
  // Load score (loadScore).
  let score = q > 0 ? q / saturation.queueDepth : 0;
  const kvRatio = kv / saturation.kvCacheUtilization;
  if (kvRatio > score) score = kvRatio;
  if (total > 0) {
    const mem = used / total / saturation.memoryUtilization;
    if (mem > score) score = mem;
  }
  if (max > 0) {
    const streams = active / max;
    if (streams > score) score = streams;
  }
  out[1] = score < Number.MAX_VALUE ? score : Number.MAX_VALUE;
  // Saturation (isSaturated).
  return (
    kv >= saturation.kvCacheUtilization ||
    q >= saturation.queueDepth ||
    (total > 0 && used / total >= saturation.memoryUtilization) ||
    (saturation.streamSlots && max > 0 && active >= max)
  );
}
