import { HeadroomError, type ErrorPath } from '@headroom/core';

/** Micro-dollars in one US dollar: money in `@headroom/cost` allocation is integer micro-USD. */
export const MICRO_PER_USD = 1_000_000;

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Converts US dollars to integer micro-dollars (1 USD = 1 000 000 micro-USD).
 *
 * Rounding: the amount is read as the decimal it prints as (a number's shortest round-trip
 * decimal, `String(usd)`, or the string you pass), then rounded to the nearest micro-dollar,
 * halves away from zero. Going through the decimal rather than `usd * 1e6` keeps
 * `usdToMicro(0.0000015)` at 2 (binary floating point would give 1.4999999999999998 and round
 * down). Negative amounts (credits) are allowed here; allocation inputs are not negative.
 *
 * @param usd - dollars, a finite number or a decimal string such as `'12.345678'` or `'1e-6'`.
 * @param path - where the amount sits in your input, for the error. @defaultValue `['usd']`
 * @returns integer micro-dollars, a safe integer.
 * @throws `HeadroomError` `invalid_argument` when the amount is not finite, not a decimal string,
 *   or its micro-dollars are beyond `Number.MAX_SAFE_INTEGER`.
 * @example
 * ```ts
 * usdToMicro(2.5); // 2_500_000
 * usdToMicro('0.0000005'); // 1 (half rounds away from zero)
 * ```
 */
export function usdToMicro(usd: number | string, path: ErrorPath = ['usd']): number {
  if (typeof usd === 'number' && !Number.isFinite(usd)) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be a finite number of US dollars',
      path,
      value: usd,
      limit: 'finite',
    });
  }
  const text = typeof usd === 'number' ? String(usd) : typeof usd === 'string' ? usd.trim() : '';
  const match = DECIMAL.exec(text);
  const intDigits = match?.[2] ?? '';
  const fracDigits = match?.[3] ?? '';
  if (match === null || intDigits.length + fracDigits.length === 0) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be a finite number or a decimal string of US dollars',
      path,
      value: usd,
      limit: 'decimal',
    });
  }
  const negative = match[1] === '-';
  const digits = BigInt(`${intDigits}${fracDigits}` || '0');
  // value = digits × 10^(exp - fracDigits.length); micro = value × 10^6.
  const shift = Number(match[4] ?? '0') - fracDigits.length + 6;
  let micro: bigint;
  if (shift >= 0) {
    micro = digits * 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    micro = digits / divisor;
    if ((digits % divisor) * 2n >= divisor) micro += 1n;
  }
  if (micro > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'is too large to hold in micro-dollars as a safe integer',
      path,
      value: usd,
      limit: `<= ${Number.MAX_SAFE_INTEGER} micro-USD`,
    });
  }
  const out = Number(micro);
  return negative && out !== 0 ? -out : out;
}

function requireMicro(micro: number, path: ErrorPath): number {
  if (!Number.isSafeInteger(micro)) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be a safe integer number of micro-dollars',
      path,
      value: micro,
      limit: 'safe integer',
    });
  }
  return micro;
}

/**
 * Converts integer micro-dollars to US dollars as a number: `micro / 1e6`, the nearest double
 * (exact to the micro-dollar for any amount below about 9 billion USD). Use
 * {@link formatMicroUsd} when you need the exact decimal, for a report or a FOCUS row.
 *
 * @param micro - integer micro-dollars, a safe integer.
 * @throws `HeadroomError` `invalid_argument` when `micro` is not a safe integer.
 * @example
 * ```ts
 * microToUsd(2_500_000); // 2.5
 * ```
 */
export function microToUsd(micro: number): number {
  return requireMicro(micro, ['micro']) / MICRO_PER_USD;
}

/**
 * Formats integer micro-dollars as an exact decimal string of US dollars with six fraction
 * digits (`'12.345678'`, `'-0.000001'`, `'0.000000'`): no binary rounding, the form FOCUS's
 * decimal cost columns expect.
 *
 * @param micro - integer micro-dollars, a safe integer.
 * @throws `HeadroomError` `invalid_argument` when `micro` is not a safe integer.
 * @example
 * ```ts
 * formatMicroUsd(1_250_000); // '1.250000'
 * ```
 */
export function formatMicroUsd(micro: number): string {
  requireMicro(micro, ['micro']);
  const sign = micro < 0 ? '-' : '';
  const abs = Math.abs(micro);
  const whole = Math.floor(abs / MICRO_PER_USD);
  const frac = abs - whole * MICRO_PER_USD;
  return `${sign}${whole}.${String(frac).padStart(6, '0')}`;
}

/**
 * Rounds a USD amount to whole micro-dollars (six decimals), so derived prices such as
 * `55.04 * 0.6` read `33.024` rather than `33.023999999999994`.
 *
 * @param usd - dollars, finite.
 * @throws `HeadroomError` `invalid_argument` as {@link usdToMicro}.
 * @example
 * ```ts
 * roundUsd(55.04 * 0.6); // 33.024
 * ```
 */
export function roundUsd(usd: number): number {
  return microToUsd(usdToMicro(usd));
}
