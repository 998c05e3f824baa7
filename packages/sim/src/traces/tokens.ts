import { HeadroomError, parseConfig, type Random } from '@headroom/core';
import { z } from 'zod';
import type { Trace } from './types.js';

const tokenCount = z.number().int().min(0).max(10_000_000);

/**
 * A distribution of token counts (prompt or output lengths), drawn with an injected `Random`:
 *
 * - `fixed`: always `tokens`.
 * - `uniform`: an integer in [`min`, `max`], all equally likely.
 * - `lognormal`: `round(median · e^(sigma·Z))` for a standard normal Z, clamped to [`min`, `max`].
 *   LLM prompt and output lengths are right-skewed with a long tail; a lognormal is the usual
 *   first fit (the Splitwise and BurstGPT papers both describe heavy-tailed lengths).
 * - `empirical`: one of `values`, all equally likely (resample a real trace's lengths; see
 *   {@link tokenLengthsFromTrace}).
 */
export const TokenDistributionSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    /** Always the same count. */
    kind: z.literal('fixed'),
    /** The count, an integer >= 0. */
    tokens: tokenCount,
  }),
  z
    .strictObject({
      /** Uniform integers. */
      kind: z.literal('uniform'),
      /** Smallest count, inclusive, an integer >= 0. */
      min: tokenCount,
      /** Largest count, inclusive, an integer >= `min`. */
      max: tokenCount,
    })
    .refine((d) => d.min <= d.max, {
      message: 'max must be at least min',
      path: ['max'],
      params: { limit: '>= min' },
    }),
  z
    .strictObject({
      /** A rounded, clamped lognormal. */
      kind: z.literal('lognormal'),
      /** The median count (e^mu), > 0. */
      median: z.number().positive().max(10_000_000),
      /** Standard deviation of the log, in [0, 5]. */
      sigma: z.number().min(0).max(5),
      /** Smallest count after rounding, an integer >= 0. @defaultValue 0 */
      min: tokenCount.default(0),
      /** Largest count after rounding, an integer >= `min`. @defaultValue 1_000_000 */
      max: tokenCount.default(1_000_000),
    })
    .refine((d) => d.min <= d.max, {
      message: 'max must be at least min',
      path: ['max'],
      params: { limit: '>= min' },
    }),
  z.strictObject({
    /** Resampled values. */
    kind: z.literal('empirical'),
    /** The values to draw from, uniformly; integers >= 0; at least one. */
    values: z.array(tokenCount).min(1).readonly(),
  }),
]);

/** What {@link TokenDistributionSchema} accepts. */
export type TokenDistributionInput = z.input<typeof TokenDistributionSchema>;

/** A validated {@link TokenDistributionSchema}, defaults filled in. */
export type TokenDistribution = z.output<typeof TokenDistributionSchema>;

/** The `lognormal` member of {@link TokenDistribution}, validated. */
export interface LognormalTokenDistribution {
  /** A rounded, clamped lognormal. */
  readonly kind: 'lognormal';
  /** The median count (e^mu), > 0. */
  readonly median: number;
  /** Standard deviation of the log, in [0, 5]. */
  readonly sigma: number;
  /** Smallest count after rounding. */
  readonly min: number;
  /** Largest count after rounding. */
  readonly max: number;
}

/**
 * Default prompt lengths: lognormal, median 1,020 tokens, sigma 0.6, clamped to [1, 16,384].
 * Fitted roughly to the Azure LLM inference conversation trace (2023): its prompt median is
 * 1,020 tokens, its mean 1,155, its 99th percentile 4,142; sigma 0.6 sits between the fit to the
 * 99th percentile (0.60) and the fit to the mean (0.50).
 */
export const DEFAULT_PROMPT_TOKENS: Readonly<LognormalTokenDistribution> = Object.freeze({
  kind: 'lognormal',
  median: 1020,
  sigma: 0.6,
  min: 1,
  max: 16_384,
});

/**
 * Default output lengths: lognormal, median 129 tokens, sigma 0.85, clamped to [1, 2,048].
 * Fitted roughly to the Azure conversation trace: output median 129, mean 211, 99th percentile
 * 601, maximum 1,000; sigma 0.85 sits between the fit to the 99th percentile (0.66) and the fit
 * to the mean (0.99).
 */
export const DEFAULT_OUTPUT_TOKENS: Readonly<LognormalTokenDistribution> = Object.freeze({
  kind: 'lognormal',
  median: 129,
  sigma: 0.85,
  min: 1,
  max: 2048,
});

/**
 * Prompt and output length distributions for generated requests. Output counts below 1 are
 * raised to 1 (every request decodes at least one token).
 */
export const TokenLengthsSchema = z.strictObject({
  /** Prompt lengths. @defaultValue {@link DEFAULT_PROMPT_TOKENS} */
  prompt: TokenDistributionSchema.default(DEFAULT_PROMPT_TOKENS),
  /** Output lengths (at least 1 is drawn). @defaultValue {@link DEFAULT_OUTPUT_TOKENS} */
  output: TokenDistributionSchema.default(DEFAULT_OUTPUT_TOKENS),
});

/** What {@link TokenLengthsSchema} accepts. */
export type TokenLengthsInput = z.input<typeof TokenLengthsSchema>;

/** A validated {@link TokenLengthsSchema}. */
export type TokenLengths = z.output<typeof TokenLengthsSchema>;

/** Draws one token count; a sampler may keep a spare normal deviate between calls. */
export type TokenSampler = (random: Random) => number;

/**
 * A sampler for a validated distribution. The lognormal uses the Box-Muller transform and keeps
 * the second deviate for the next call, so a sampler draws one uniform per value on average; a
 * fresh sampler starts without a spare, so runs replay exactly from the seed.
 */
export function createTokenSampler(distribution: TokenDistribution): TokenSampler {
  switch (distribution.kind) {
    case 'fixed': {
      const tokens = distribution.tokens;
      return () => tokens;
    }
    case 'uniform': {
      const { min, max } = distribution;
      return (random) => (max === min ? min : min + random.nextInt(max - min + 1));
    }
    case 'empirical': {
      const values = distribution.values;
      return (random) => values[random.nextInt(values.length)] as number;
    }
    case 'lognormal': {
      const { median, sigma, min, max } = distribution;
      let spare = Number.NaN;
      return (random) => {
        let z: number;
        if (Number.isNaN(spare)) {
          const u1 = 1 - random.nextFloat(); // (0, 1]: log stays finite
          const u2 = random.nextFloat();
          const r = Math.sqrt(-2 * Math.log(u1));
          z = r * Math.cos(2 * Math.PI * u2);
          spare = r * Math.sin(2 * Math.PI * u2);
        } else {
          z = spare;
          spare = Number.NaN;
        }
        const value = Math.round(median * Math.exp(sigma * z));
        return value < min ? min : value > max ? max : value;
      };
    }
  }
}

/**
 * Validates token length distributions (defaults filled in).
 * @throws `HeadroomError` `invalid_config` naming the bad field.
 */
export function parseTokenLengths(
  input: TokenLengthsInput | undefined,
  path: readonly (string | number)[] = ['tokens'],
): TokenLengths {
  return parseConfig(TokenLengthsSchema, input ?? {}, path);
}

/**
 * Empirical token distributions from a trace's requests, to generate synthetic arrivals with
 * real lengths: `poissonTrace({ ..., tokens: tokenLengthsFromTrace(azureConv) }, random)`.
 *
 * @throws `HeadroomError` `invalid_argument` when the trace has no requests.
 */
export function tokenLengthsFromTrace(trace: Trace): TokenLengths {
  if (trace.requests.length === 0) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'the trace has no requests to take token lengths from',
      path: ['trace', 'requests'],
    });
  }
  return {
    prompt: { kind: 'empirical', values: trace.requests.map((r) => r.promptTokens) },
    output: { kind: 'empirical', values: trace.requests.map((r) => r.outputTokens) },
  };
}
