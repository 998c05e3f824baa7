import { HeadroomError, parseConfig, type Random } from '@headroom/core';
import { z } from 'zod';
import { TokenLengthsSchema, createTokenSampler, type TokenLengths } from './tokens.js';
import type { Trace, TraceRequest } from './types.js';

const DAY_MS = 86_400_000;

const rate = z.number().min(0).max(1_000_000);
const durationMs = z
  .number()
  .positive()
  .max(366 * DAY_MS);

/** Options every generator accepts besides its rate shape. */
const commonOptions = {
  /** Length of the trace, ms (> 0, at most 366 days). Every arrival is in [0, durationMs). */
  durationMs,
  /** Prompt and output lengths. @defaultValue the Azure-conversation lognormal fits */
  tokens: TokenLengthsSchema.prefault({}),
  /** The trace's name. @defaultValue the generator's kind (`'poisson'`, `'diurnal'`, ...) */
  name: z.string().min(1).optional(),
  /**
   * Refuse to generate more than this many requests in expectation (the rate integrated over the
   * duration): a guard against a rate in the wrong unit filling memory. @defaultValue 20_000_000
   */
  maxRequests: z.number().int().positive().default(20_000_000),
};

/** Options of {@link poissonTrace}: a homogeneous Poisson process. */
export const PoissonTraceOptionsSchema = z.strictObject({
  /** Mean arrivals per second (>= 0). */
  ratePerSec: rate,
  ...commonOptions,
});

/**
 * Options of {@link diurnalTrace}: a daily sinusoid, with an optional weekend dip. The rate at
 * time t (ms from the start, which is taken as Monday 00:00) is
 * `meanRatePerSec · (1 + amplitude · cos(2π (t − peakAtMs) / periodMs)) · week(t)`, where
 * `week(t)` is `1 / (1 − 2w/7)` on the first five days of each seven-period week and
 * `(1 − w) / (1 − 2w/7)` on the last two (w = `weeklyAmplitude`), so the weekly mean stays
 * `meanRatePerSec` while weekends run `w` below weekdays.
 */
export const DiurnalTraceOptionsSchema = z.strictObject({
  /** Mean arrivals per second over a whole period (and a whole week). */
  meanRatePerSec: rate,
  /** Relative swing of the daily cycle, in [0, 1]: 0.5 means between 0.5x and 1.5x the mean. @defaultValue 0.5 */
  amplitude: z.number().min(0).max(1).default(0.5),
  /** The cycle's period, ms (> 0). @defaultValue 86_400_000 (a day) */
  periodMs: z
    .number()
    .positive()
    .max(366 * DAY_MS)
    .default(DAY_MS),
  /** When in the period the rate peaks, ms from the start. @defaultValue periodMs / 2 (noon) */
  peakAtMs: z.number().min(0).optional(),
  /** How far weekends fall below weekdays, in [0, 1): 0.3 means 30% lower. @defaultValue 0 */
  weeklyAmplitude: z.number().min(0).lt(1).default(0),
  ...commonOptions,
});

/** One burst: the rate is multiplied by `multiplier` during [atMs, atMs + durationMs). */
export const BurstSchema = z.strictObject({
  /** Start of the burst, ms from the trace start (>= 0). */
  atMs: z.number().min(0),
  /** Length of the burst, ms (> 0). */
  durationMs: z.number().positive(),
  /** Rate multiplier during the burst (>= 0; below 1 is a dip). Overlapping bursts multiply. */
  multiplier: z.number().min(0).max(10_000),
});

/** Options of {@link burstTrace}: a base Poisson rate with multiplicative bursts. */
export const BurstTraceOptionsSchema = z.strictObject({
  /** Arrivals per second outside bursts (>= 0). */
  baseRatePerSec: rate,
  /** The bursts; they may overlap (their multipliers multiply) and may run past the end. */
  bursts: z.array(BurstSchema).max(1000).readonly(),
  ...commonOptions,
});

/**
 * Options of {@link rampTrace}: the rate is `fromRatePerSec` until `rampStartMs`, changes
 * linearly to `toRatePerSec` over `rampDurationMs`, and stays there.
 */
export const RampTraceOptionsSchema = z.strictObject({
  /** Arrivals per second before the ramp (>= 0). */
  fromRatePerSec: rate,
  /** Arrivals per second after the ramp (>= 0). */
  toRatePerSec: rate,
  /** When the ramp starts, ms from the trace start. @defaultValue 0 */
  rampStartMs: z.number().min(0).default(0),
  /** How long the ramp lasts, ms (>= 0; 0 is a step). @defaultValue the rest of the trace */
  rampDurationMs: z.number().min(0).optional(),
  ...commonOptions,
});

/** What {@link poissonTrace} accepts. */
export type PoissonTraceOptions = z.input<typeof PoissonTraceOptionsSchema>;
/** What {@link diurnalTrace} accepts. */
export type DiurnalTraceOptions = z.input<typeof DiurnalTraceOptionsSchema>;
/** What {@link burstTrace} accepts. */
export type BurstTraceOptions = z.input<typeof BurstTraceOptionsSchema>;
/** What {@link rampTrace} accepts. */
export type RampTraceOptions = z.input<typeof RampTraceOptionsSchema>;

/** The rate as constant pieces: [startMs, endMs, perSec]. */
type Piece = readonly [number, number, number];

function checkExpected(expected: number, maxRequests: number, path: string): void {
  if (expected > maxRequests) {
    throw new HeadroomError({
      code: 'invalid_config',
      message: `the rate integrated over the duration expects ${Math.round(expected)} requests, more than maxRequests`,
      path: [path, 'maxRequests'],
      value: maxRequests,
      limit: `>= ${Math.ceil(expected)} (or lower the rate or duration)`,
    });
  }
}

function makeRequest(
  arrivalMs: number,
  prompt: (r: Random) => number,
  output: (r: Random) => number,
  random: Random,
): TraceRequest {
  const promptTokens = prompt(random);
  const drawn = output(random);
  return { arrivalMs, promptTokens, outputTokens: drawn < 1 ? 1 : drawn };
}

/** Exact arrivals of a piecewise-constant rate: exponential gaps within each piece. */
function piecewiseArrivals(
  pieces: readonly Piece[],
  tokens: TokenLengths,
  random: Random,
): TraceRequest[] {
  const prompt = createTokenSampler(tokens.prompt);
  const output = createTokenSampler(tokens.output);
  const out: TraceRequest[] = [];
  for (const [start, end, perSec] of pieces) {
    if (perSec <= 0) continue;
    const meanGapMs = 1000 / perSec;
    let t = start;
    for (;;) {
      t -= meanGapMs * Math.log(1 - random.nextFloat());
      if (t >= end) break;
      out.push(makeRequest(t, prompt, output, random));
    }
  }
  return out;
}

/**
 * Arrivals of a non-homogeneous Poisson process by thinning (Lewis and Shedler, 1979):
 * candidates at the maximum rate, each kept with probability rate(t) / maxRate.
 */
function thinnedArrivals(
  rateAt: (tMs: number) => number,
  maxPerSec: number,
  durationMs: number,
  tokens: TokenLengths,
  random: Random,
): TraceRequest[] {
  const out: TraceRequest[] = [];
  if (maxPerSec <= 0) return out;
  const prompt = createTokenSampler(tokens.prompt);
  const output = createTokenSampler(tokens.output);
  const meanGapMs = 1000 / maxPerSec;
  let t = 0;
  for (;;) {
    t -= meanGapMs * Math.log(1 - random.nextFloat());
    if (t >= durationMs) break;
    if (random.nextFloat() * maxPerSec < rateAt(t))
      out.push(makeRequest(t, prompt, output, random));
  }
  return out;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1000) / 1000);
}

/**
 * A homogeneous Poisson trace: exponential inter-arrival gaps at `ratePerSec`, token lengths
 * drawn from `tokens`. Deterministic per seed: the same options and `random` state give the same
 * trace.
 *
 * @throws `HeadroomError` `invalid_config` naming the bad option (or an expected request
 * count above `maxRequests`).
 * @example
 * ```ts
 * const trace = poissonTrace({ ratePerSec: 20, durationMs: 600_000 }, createRandom(1));
 * ```
 */
export function poissonTrace(options: PoissonTraceOptions, random: Random): Trace {
  const o = parseConfig(PoissonTraceOptionsSchema, options, ['poissonTrace']);
  checkExpected((o.ratePerSec * o.durationMs) / 1000, o.maxRequests, 'poissonTrace');
  return {
    name: o.name ?? 'poisson',
    source: `poisson(ratePerSec=${fmt(o.ratePerSec)}, durationMs=${fmt(o.durationMs)})`,
    durationMs: o.durationMs,
    requests: piecewiseArrivals([[0, o.durationMs, o.ratePerSec]], o.tokens, random),
  };
}

/**
 * A trace with daily (and optionally weekly) cycles: a non-homogeneous Poisson process with the
 * rate of {@link DiurnalTraceOptionsSchema}, sampled by thinning. Use a short `periodMs` to
 * compress a day into minutes.
 *
 * @throws `HeadroomError` `invalid_config` naming the bad option.
 * @example
 * ```ts
 * const week = diurnalTrace(
 *   { meanRatePerSec: 5, amplitude: 0.6, weeklyAmplitude: 0.3, durationMs: 7 * 86_400_000 },
 *   createRandom(7),
 * );
 * ```
 */
export function diurnalTrace(options: DiurnalTraceOptions, random: Random): Trace {
  const o = parseConfig(DiurnalTraceOptionsSchema, options, ['diurnalTrace']);
  const peakAtMs = o.peakAtMs ?? o.periodMs / 2;
  const w = o.weeklyAmplitude;
  const weekdayFactor = 1 / (1 - (2 * w) / 7);
  const weekendFactor = (1 - w) * weekdayFactor;
  const weekMs = 7 * o.periodMs;
  const weekendFromMs = 5 * o.periodMs;
  const omega = (2 * Math.PI) / o.periodMs;
  const rateAt = (t: number): number => {
    const daily = 1 + o.amplitude * Math.cos(omega * (t - peakAtMs));
    const weekly = w === 0 ? 1 : t % weekMs >= weekendFromMs ? weekendFactor : weekdayFactor;
    return o.meanRatePerSec * daily * weekly;
  };
  const maxPerSec = o.meanRatePerSec * (1 + o.amplitude) * weekdayFactor;
  // The weekday level bounds the mean over any stretch of whole days.
  checkExpected(
    (o.meanRatePerSec * weekdayFactor * o.durationMs) / 1000,
    o.maxRequests,
    'diurnalTrace',
  );
  return {
    name: o.name ?? 'diurnal',
    source:
      `diurnal(meanRatePerSec=${fmt(o.meanRatePerSec)}, amplitude=${fmt(o.amplitude)}, ` +
      `periodMs=${fmt(o.periodMs)}, weeklyAmplitude=${fmt(w)}, durationMs=${fmt(o.durationMs)})`,
    durationMs: o.durationMs,
    requests: thinnedArrivals(rateAt, maxPerSec, o.durationMs, o.tokens, random),
  };
}

/** The burst schedule as constant pieces over [0, durationMs). */
function burstPieces(
  baseRatePerSec: number,
  bursts: readonly z.output<typeof BurstSchema>[],
  durationMs: number,
): Piece[] {
  const cuts = new Set<number>([0, durationMs]);
  for (const b of bursts) {
    if (b.atMs < durationMs) cuts.add(b.atMs);
    if (b.atMs + b.durationMs < durationMs) cuts.add(b.atMs + b.durationMs);
  }
  const edges = [...cuts].sort((a, b) => a - b);
  const pieces: Piece[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const start = edges[i] as number;
    const end = edges[i + 1] as number;
    let perSec = baseRatePerSec;
    for (const b of bursts)
      if (b.atMs <= start && start < b.atMs + b.durationMs) perSec *= b.multiplier;
    pieces.push([start, end, perSec]);
  }
  return pieces;
}

/**
 * A Poisson trace at `baseRatePerSec` with bursts: during each burst the rate is multiplied by
 * its `multiplier` (overlapping bursts multiply; a multiplier below 1 is a dip). The rate is
 * piecewise constant, so arrivals are exact exponential gaps within each piece (no thinning).
 *
 * @throws `HeadroomError` `invalid_config` naming the bad option.
 * @example
 * ```ts
 * const trace = burstTrace(
 *   { baseRatePerSec: 5, durationMs: 600_000, bursts: [{ atMs: 120_000, durationMs: 30_000, multiplier: 8 }] },
 *   createRandom(3),
 * );
 * ```
 */
export function burstTrace(options: BurstTraceOptions, random: Random): Trace {
  const o = parseConfig(BurstTraceOptionsSchema, options, ['burstTrace']);
  const pieces = burstPieces(o.baseRatePerSec, o.bursts, o.durationMs);
  checkExpected(
    pieces.reduce((sum, [s, e, r]) => sum + ((e - s) * r) / 1000, 0),
    o.maxRequests,
    'burstTrace',
  );
  return {
    name: o.name ?? 'burst',
    source: `burst(baseRatePerSec=${fmt(o.baseRatePerSec)}, bursts=${o.bursts.length}, durationMs=${fmt(o.durationMs)})`,
    durationMs: o.durationMs,
    requests: piecewiseArrivals(pieces, o.tokens, random),
  };
}

/** The integral of the ramp's rate over [0, durationMs), in (1/s)·ms. */
function rampIntegral(
  rateAt: (t: number) => number,
  startMs: number,
  lengthMs: number,
  durationMs: number,
): number {
  const before = Math.min(startMs, durationMs) * rateAt(0);
  const rampEnd = Math.min(startMs + lengthMs, durationMs);
  const during =
    rampEnd > startMs ? ((rateAt(startMs) + rateAt(rampEnd)) / 2) * (rampEnd - startMs) : 0;
  const after =
    durationMs > startMs + lengthMs ? (durationMs - startMs - lengthMs) * rateAt(durationMs) : 0;
  return before + during + after;
}

/**
 * A trace whose rate ramps linearly from `fromRatePerSec` to `toRatePerSec` (up or down), by
 * thinning at the larger of the two rates.
 *
 * @throws `HeadroomError` `invalid_config` naming the bad option.
 * @example
 * ```ts
 * const trace = rampTrace({ fromRatePerSec: 1, toRatePerSec: 50, durationMs: 900_000 }, createRandom(5));
 * ```
 */
export function rampTrace(options: RampTraceOptions, random: Random): Trace {
  const o = parseConfig(RampTraceOptionsSchema, options, ['rampTrace']);
  const startMs = o.rampStartMs;
  const lengthMs = o.rampDurationMs ?? Math.max(0, o.durationMs - startMs);
  const { fromRatePerSec: from, toRatePerSec: to } = o;
  const rateAt = (t: number): number => {
    if (t < startMs) return from;
    if (t >= startMs + lengthMs) return to;
    return from + ((to - from) * (t - startMs)) / lengthMs;
  };
  const maxPerSec = Math.max(from, to);
  checkExpected(
    rampIntegral(rateAt, startMs, lengthMs, o.durationMs) / 1000,
    o.maxRequests,
    'rampTrace',
  );
  return {
    name: o.name ?? 'ramp',
    source:
      `ramp(fromRatePerSec=${fmt(from)}, toRatePerSec=${fmt(to)}, rampStartMs=${fmt(startMs)}, ` +
      `rampDurationMs=${fmt(lengthMs)}, durationMs=${fmt(o.durationMs)})`,
    durationMs: o.durationMs,
    requests:
      from === to
        ? piecewiseArrivals([[0, o.durationMs, from]], o.tokens, random)
        : thinnedArrivals(rateAt, maxPerSec, o.durationMs, o.tokens, random),
  };
}
