/**
 * Locale-independent number formatting for the report renderers (same input, same characters on
 * every machine: no `toLocaleString`). A value that is not a finite number renders as `-`
 * (`inf` / `-inf` for the infinities), never as `NaN`.
 *
 * @internal
 */

/** Groups the integer part of a decimal string in threes with commas: `1234567.5` → `1,234,567.5`. */
function groupThousands(text: string): string {
  const negative = text.startsWith('-');
  const unsigned = negative ? text.slice(1) : text;
  const dot = unsigned.indexOf('.');
  const intPart = dot < 0 ? unsigned : unsigned.slice(0, dot);
  const rest = dot < 0 ? '' : unsigned.slice(dot);
  let grouped = '';
  for (let i = 0; i < intPart.length; i++) {
    if (i > 0 && (intPart.length - i) % 3 === 0) grouped += ',';
    grouped += intPart[i] ?? '';
  }
  return `${negative ? '-' : ''}${grouped}${rest}`;
}

/** `-`, `inf` or `-inf` for a value that is not finite; `undefined` for a finite one. */
function nonFinite(value: number): string | undefined {
  if (Number.isFinite(value)) return undefined;
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  return '-';
}

/**
 * `value` with `digits` decimals and thousands separators; a value that rounds to zero loses its
 * minus sign (`-0.001` → `0.00`).
 */
export function formatFixed(value: number, digits: number): string {
  const special = nonFinite(value);
  if (special !== undefined) return special;
  let text = value.toFixed(digits);
  if (/^-0(\.0*)?$/.test(text)) text = text.slice(1);
  return groupThousands(text);
}

/** A fraction as a percentage with `digits` decimals: `0.98765` → `98.77%`. */
export function formatPercent(fraction: number, digits = 2): string {
  const special = nonFinite(fraction);
  return special ?? `${formatFixed(fraction * 100, digits)}%`;
}

/** A count (rounded to an integer) with thousands separators. */
export function formatCount(value: number): string {
  return formatFixed(value, 0);
}

/**
 * Milliseconds for a table cell: whole milliseconds from 100 ms up, one decimal from 10 ms, two
 * below, so short latencies keep their precision and long ones stay narrow.
 */
export function formatMs(value: number): string {
  const abs = Math.abs(value);
  return formatFixed(value, abs >= 100 ? 0 : abs >= 10 ? 1 : 2);
}

/** A ratio as `1.23`; `-` when undefined (no oracle), `inf` when the oracle used nothing. */
export function formatRatio(value: number): string {
  return formatFixed(value, 2);
}

/**
 * A duration in words for headers: `1h05m`, `12m30s`, `45s`, `250 ms`. Rounds to whole seconds
 * from one second up.
 */
export function formatDuration(ms: number): string {
  const special = nonFinite(ms);
  if (special !== undefined) return special;
  if (Math.abs(ms) < 1000) return `${formatFixed(ms, 0)} ms`;
  const sign = ms < 0 ? '-' : '';
  const total = Math.round(Math.abs(ms) / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  if (hours > 0) return `${sign}${formatCount(hours)}h${two(minutes)}m`;
  if (minutes > 0) return `${sign}${minutes}m${two(seconds)}s`;
  return `${sign}${seconds}s`;
}

/** Any number for a header: integers as counts, others with up to 4 significant digits. */
export function formatNumber(value: number): string {
  const special = nonFinite(value);
  if (special !== undefined) return special;
  if (Number.isInteger(value)) return formatCount(value);
  return groupThousands(String(Number.parseFloat(value.toPrecision(4))));
}

/**
 * Text made safe for a terminal: control characters (C0, DEL, C1), which could move the cursor or
 * recolour the screen, become `?`.
 */
export function sanitizeText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
