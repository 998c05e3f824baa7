import { HeadroomError } from '../errors/headroom-error.js';
import { requireNumber } from '../errors/checks.js';
import { hashString32, mix32 } from './hash.js';

/**
 * A source of randomness that pure code takes as an argument. Anything that draws (a weighted
 * pick, jitter, a simulated cold start) takes a `Random`, so a run replays exactly from its seed.
 */
export interface Random {
  /** A float uniformly distributed in [0, 1), with 53 bits of randomness. */
  nextFloat(): number;
  /**
   * An integer uniformly distributed in [0, maxExclusive), without modulo bias.
   * @throws {@link HeadroomError} `invalid_argument` unless `maxExclusive` is an integer in [1, 2^32].
   */
  nextInt(maxExclusive: number): number;
}

/** The serializable state of a {@link SeededRandom}: four unsigned 32-bit words. */
export type RandomState = readonly [number, number, number, number];

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_53 = 2 ** 53;
const JUMP = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b] as const;

/** The seeds {@link createRandom} accepts: a safe integer or a string (hashed). */
export type Seed = number | string;

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  return mix32(state.s);
}

/**
 * A seeded pseudo-random generator: **xoshiro128\*\*** (Blackman and Vigna, 2018), 128 bits of
 * state, period 2^128 − 1, passing BigCrush, with 32-bit operations only (fast in JavaScript,
 * no BigInt). The state is seeded from the seed through SplitMix32, so nearby seeds give
 * unrelated streams.
 *
 * It is clonable ({@link SeededRandom.clone}), serializable ({@link SeededRandom.getState} and
 * {@link SeededRandom.fromState}) and splittable ({@link SeededRandom.split} jumps 2^64 draws
 * ahead, so split streams never overlap in practice). It is not cryptographically secure.
 *
 * @example
 * ```ts
 * const random = createRandom(42);
 * const u = random.nextFloat(); // same value on every run with seed 42
 * const die = random.nextInt(6) + 1;
 * ```
 */
export class SeededRandom implements Random {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  private constructor(s0: number, s1: number, s2: number, s3: number) {
    this.#s0 = s0 | 0;
    this.#s1 = s1 | 0;
    this.#s2 = s2 | 0;
    this.#s3 = s3 | 0;
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) {
      // The all-zero state is the one fixed point of xoshiro; it can only come from fromState.
      throw new HeadroomError({
        code: 'invalid_argument',
        message: 'the all-zero state is not a valid xoshiro128** state',
        path: ['state'],
        value: [s0, s1, s2, s3],
        limit: 'at least one non-zero word',
      });
    }
  }

  /**
   * A generator seeded from a safe integer or a string.
   * @throws {@link HeadroomError} `invalid_argument` when the seed is not a safe integer or a string.
   */
  static fromSeed(seed: Seed): SeededRandom {
    let base: number;
    if (typeof seed === 'string') {
      base = hashString32(seed);
    } else {
      if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
        throw new HeadroomError({
          code: 'invalid_argument',
          message: 'seed must be a safe integer or a string',
          path: ['seed'],
          value: seed,
          limit: 'safe integer or string',
        });
      }
      // Fold the high bits of a 53-bit seed into the low word, so seeds that differ only above
      // bit 32 still give different streams (distinct 32-bit bases; collisions are possible, rare).
      const high = Math.floor(seed / TWO_POW_32);
      base = (seed >>> 0) ^ mix32(high + 0x6a09e667);
    }
    const state = { s: base };
    return new SeededRandom(
      splitmix32(state),
      splitmix32(state),
      splitmix32(state),
      splitmix32(state),
    );
  }

  /**
   * Restores a generator from {@link SeededRandom.getState}.
   * @throws {@link HeadroomError} `invalid_argument` when the state is not four 32-bit words, not all zero.
   */
  static fromState(state: RandomState): SeededRandom {
    if (!Array.isArray(state) || state.length !== 4) {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: 'state must be an array of four unsigned 32-bit integers',
        path: ['state'],
        value: state,
        limit: 'length 4',
      });
    }
    state.forEach((word, i) =>
      requireNumber(word, ['state', i], { integer: true, min: 0, max: 0xffffffff }),
    );
    return new SeededRandom(state[0], state[1], state[2], state[3]);
  }

  /** The next raw 32-bit output, an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    return this.#next() >>> 0;
  }

  /**
   * The next raw output as a signed 32-bit integer (the same bits as {@link nextUint32}). The
   * generator's own methods call this and widen to unsigned locally: a signed 32-bit value is a
   * small integer V8 never boxes, whereas an unsigned one at or above 2^31 crossing a call V8 did
   * not inline is boxed on the heap (16 bytes, for every other draw).
   */
  #next(): number {
    const s0 = this.#s0;
    const s1 = this.#s1;
    const s2 = this.#s2;
    const s3 = this.#s3;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9);
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.#s1 = s1 ^ n2;
    this.#s0 = s0 ^ n3;
    this.#s2 = n2 ^ t;
    this.#s3 = (n3 << 11) | (n3 >>> 21);
    return result;
  }

  /** {@inheritDoc Random.nextFloat} */
  nextFloat(): number {
    const high = this.#next() >>> 5; // 27 bits
    const low = this.#next() >>> 6; // 26 bits
    return (high * 67108864 + low) / TWO_POW_53;
  }

  /** {@inheritDoc Random.nextInt} */
  nextInt(maxExclusive: number): number {
    if (!(Number.isInteger(maxExclusive) && maxExclusive >= 1 && maxExclusive <= TWO_POW_32)) {
      requireNumber(maxExclusive, ['maxExclusive'], { integer: true, min: 1, max: TWO_POW_32 });
    }
    // Rejection sampling: discard the top (2^32 mod n) outputs so every residue is equally likely.
    const threshold = (TWO_POW_32 - maxExclusive) % maxExclusive;
    for (;;) {
      const r = this.#next() >>> 0;
      if (r >= threshold) return r % maxExclusive;
    }
  }

  /**
   * An integer uniformly distributed in [minInclusive, maxInclusive].
   * @throws {@link HeadroomError} `invalid_argument` when the bounds are not integers, are reversed, or span more than 2^32 values.
   */
  nextIntBetween(minInclusive: number, maxInclusive: number): number {
    requireNumber(minInclusive, ['minInclusive'], { integer: true });
    requireNumber(maxInclusive, ['maxInclusive'], { integer: true, min: minInclusive });
    return minInclusive + this.nextInt(maxInclusive - minInclusive + 1);
  }

  /** An independent copy in the same state: both produce the same sequence from here on. */
  clone(): SeededRandom {
    return new SeededRandom(this.#s0, this.#s1, this.#s2, this.#s3);
  }

  /**
   * Splits off a new generator: the returned one continues this sequence, and this one jumps
   * 2^64 draws ahead, so the two streams never overlap in any realistic run. Use it to give each
   * simulated component its own stream, so adding draws in one does not shift another.
   */
  split(): SeededRandom {
    const child = this.clone();
    this.#jump();
    return child;
  }

  #jump(): void {
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    for (const word of JUMP) {
      for (let bit = 0; bit < 32; bit++) {
        if ((word & (1 << bit)) !== 0) {
          t0 ^= this.#s0;
          t1 ^= this.#s1;
          t2 ^= this.#s2;
          t3 ^= this.#s3;
        }
        this.nextUint32();
      }
    }
    this.#s0 = t0;
    this.#s1 = t1;
    this.#s2 = t2;
    this.#s3 = t3;
  }

  /** The current state as four unsigned 32-bit words; {@link SeededRandom.fromState} resumes it. */
  getState(): RandomState {
    return [this.#s0 >>> 0, this.#s1 >>> 0, this.#s2 >>> 0, this.#s3 >>> 0];
  }

  /** Same as {@link SeededRandom.getState}, for `JSON.stringify`. */
  toJSON(): RandomState {
    return this.getState();
  }
}

/**
 * Creates a seeded {@link SeededRandom} (xoshiro128\*\*). The same seed gives the same sequence
 * on every platform and Node.js version.
 *
 * @param seed - a safe integer or a string.
 * @throws {@link HeadroomError} `invalid_argument` when the seed is not a safe integer or a string.
 * @example
 * ```ts
 * const random = createRandom(Number(process.env.SEED ?? 1));
 * picker.pick(endpoints, random);
 * ```
 */
export function createRandom(seed: Seed): SeededRandom {
  return SeededRandom.fromSeed(seed);
}
