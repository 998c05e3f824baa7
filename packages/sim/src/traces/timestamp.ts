// Timestamps of the form the Azure LLM inference traces use, read without the wall clock.

/**
 * A timestamp split into whole epoch seconds and 100 ns ticks within the second, with a cache
 * of the last date read (consecutive rows of a trace are nearly always on the same day).
 */
export interface SplitTimestamp {
  /** Whole seconds since the Unix epoch (UTC). */
  sec: number;
  /** 100 ns ticks within the second, an integer in [0, 10^7). */
  tick: number;
  /** The last date read, as YYYYMMDD, or -1. */
  dayKey?: number;
  /** Epoch seconds of that date's midnight. */
  daySec?: number;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function digitsAt(s: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * Reads `YYYY-MM-DD HH:MM:SS[.fffffff][Z]` (a `T` may replace the space; up to 9 fractional
 * digits, kept to 100 ns; the time is UTC, as in the Azure traces, and a trailing `Z` is
 * allowed) into `out`. Returns false, leaving `out` unspecified, when the text is anything else
 * or names an impossible date or time (month 13, 31 April, 24:00:00, a leap second).
 */
export function readTimestamp(text: string, out: SplitTimestamp): boolean {
  let s = text;
  if (s.length > 0 && (s.charCodeAt(0) === 32 || s.charCodeAt(s.length - 1) === 32)) s = s.trim();
  let end = s.length;
  if (end > 0 && s.charCodeAt(end - 1) === 90 /* Z */) end--;
  if (end < 19) return false;
  const sep = s.charCodeAt(10);
  if (
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    (sep !== 32 && sep !== 84) ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  ) {
    return false;
  }
  const year = digitsAt(s, 0, 4);
  const month = digitsAt(s, 5, 2);
  const day = digitsAt(s, 8, 2);
  const hour = digitsAt(s, 11, 2);
  const minute = digitsAt(s, 14, 2);
  const second = digitsAt(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return false;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  const dayKey = year * 10_000 + month * 100 + day;
  if (dayKey !== out.dayKey) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const maxDay = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 31);
    if (day > maxDay) return false;
    out.dayKey = dayKey;
    out.daySec = Date.UTC(year, month - 1, day) / 1000;
  }
  let tick = 0;
  if (end > 19) {
    if (s.charCodeAt(19) !== 46 /* . */ || end === 20 || end - 20 > 9) return false;
    let scale = 1_000_000;
    for (let i = 20; i < end; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return false;
      if (scale >= 1) tick += d * scale;
      scale /= 10;
    }
  }
  out.sec = (out.daySec ?? 0) + hour * 3600 + minute * 60 + second;
  out.tick = tick;
  return true;
}

/**
 * Parses a trace timestamp to epoch milliseconds, keeping the fraction of a millisecond:
 * `YYYY-MM-DD HH:MM:SS[.fffffff][Z]`, UTC, as in the Azure traces (`2023-11-16 18:17:03.9799600`);
 * a `T` may replace the space; up to 9 fractional digits, kept to 100 ns. Returns NaN for text
 * that is not such a timestamp or names an impossible date or time (31 April, 24:00:00, a leap
 * second): it never throws and never reads the clock.
 *
 * @example
 * ```ts
 * parseTraceTimestampMs('2023-11-16 18:17:03.9799600'); // 1700158623979.96
 * ```
 */
export function parseTraceTimestampMs(text: string): number {
  const out: SplitTimestamp = { sec: 0, tick: 0 };
  return readTimestamp(text, out) ? out.sec * 1000 + out.tick / 10_000 : Number.NaN;
}
