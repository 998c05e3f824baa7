import { requireNumber } from '../errors/checks.js';

/** Options of {@link TimeDecayedEwma}. */
export interface TimeDecayedEwmaOptions {
  /** Time for an old value's weight to halve, ms, > 0. */
  readonly halfLifeMs: number;
}

/** The JSON form of a {@link TimeDecayedEwma}. */
export interface TimeDecayedEwmaJSON {
  readonly halfLifeMs: number;
  readonly value: number | null;
  readonly lastAtMs: number | null;
}

/**
 * An exponentially weighted moving average over **event time**, correct when samples arrive at
 * irregular intervals (scrapes that are late, skipped or bunched).
 *
 * A sample `(x, t)` is read as "the signal was `x` since the previous sample", the way a scraped
 * gauge is. The update is `value += (1 − 2^(−Δt / halfLife)) × (x − value)` with `Δt` the time
 * since the previous sample, so the weight of the past decays with elapsed time, not with the
 * number of samples. Consequences you can rely on (and that the tests check):
 * - a sample repeated at finer intervals changes nothing (sampling a constant stretch twice as
 *   often gives the same average);
 * - the average always lies between the smallest and the largest sample;
 * - a sample with the same timestamp as the previous one carries no weight;
 * - the first sample sets the value.
 *
 * Samples older than the last one, and non-finite values or times, are rejected (counted in
 * {@link TimeDecayedEwma.rejectedCount}); the value stays as it was.
 *
 * @example
 * ```ts
 * const util = new TimeDecayedEwma({ halfLifeMs: 30_000 });
 * util.update(0.82, scrape.atMs);
 * util.value; // smoothed GPU utilization
 * ```
 */
export class TimeDecayedEwma {
  /** Half-life, ms. */
  readonly halfLifeMs: number;
  readonly #decayPerMs: number;
  #value: number | undefined;
  #lastAtMs: number | undefined;
  #rejected = 0;

  /** @throws {@link HeadroomError} `invalid_argument` when `halfLifeMs` is not a positive finite number. */
  constructor(options: TimeDecayedEwmaOptions) {
    this.halfLifeMs = requireNumber(options.halfLifeMs, ['halfLifeMs'], {
      min: 0,
      minExclusive: true,
    });
    this.#decayPerMs = Math.LN2 / this.halfLifeMs;
  }

  /** Restores an average from {@link TimeDecayedEwma.toJSON}. */
  static fromJSON(json: TimeDecayedEwmaJSON): TimeDecayedEwma {
    const ewma = new TimeDecayedEwma({ halfLifeMs: json.halfLifeMs });
    if (json.value !== null && json.lastAtMs !== null) {
      ewma.#value = requireNumber(json.value, ['value']);
      ewma.#lastAtMs = requireNumber(json.lastAtMs, ['lastAtMs']);
    }
    return ewma;
  }

  /** The current average, or `undefined` before the first sample. */
  get value(): number | undefined {
    return this.#value;
  }

  /** Event time of the last accepted sample, or `undefined`. */
  get lastAtMs(): number | undefined {
    return this.#lastAtMs;
  }

  /** Number of samples rejected (out of order, or not finite). */
  get rejectedCount(): number {
    return this.#rejected;
  }

  /** Age of the average at `nowMs`, ms (`Infinity` before the first sample): compare it to a max age. */
  ageMs(nowMs: number): number {
    return this.#lastAtMs === undefined ? Number.POSITIVE_INFINITY : nowMs - this.#lastAtMs;
  }

  /** Adds the sample `value` at event time `atMs`. Returns false if it was rejected. */
  update(value: number, atMs: number): boolean {
    if (!Number.isFinite(value) || !Number.isFinite(atMs)) {
      this.#rejected++;
      return false;
    }
    const last = this.#lastAtMs;
    const current = this.#value;
    if (last === undefined || current === undefined) {
      this.#value = value;
      this.#lastAtMs = atMs;
      return true;
    }
    if (atMs < last) {
      this.#rejected++;
      return false;
    }
    const alpha = -Math.expm1(-(atMs - last) * this.#decayPerMs);
    this.#value = current + alpha * (value - current);
    this.#lastAtMs = atMs;
    return true;
  }

  /** A plain-data form of the state. */
  toJSON(): TimeDecayedEwmaJSON {
    return {
      halfLifeMs: this.halfLifeMs,
      value: this.#value ?? null,
      lastAtMs: this.#lastAtMs ?? null,
    };
  }
}
