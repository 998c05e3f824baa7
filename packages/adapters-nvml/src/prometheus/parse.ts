import { HeadroomError, err, ok, type Result } from '@headroom/core';

/** Metric types of the Prometheus text format (0.0.4) and OpenMetrics 1.0. */
export type MetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'summary'
  | 'untyped'
  | 'unknown'
  | 'gaugehistogram'
  | 'stateset'
  | 'info';

const METRIC_TYPES: ReadonlySet<string> = new Set<MetricType>([
  'counter',
  'gauge',
  'histogram',
  'summary',
  'untyped',
  'unknown',
  'gaugehistogram',
  'stateset',
  'info',
]);

/** An OpenMetrics exemplar attached to a sample (`# {trace_id="..."} 0.67 1700000000.1`). */
export interface Exemplar {
  /** The exemplar's labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** The exemplar's value. */
  readonly value: number;
  /** The exemplar's timestamp, epoch ms, if given. */
  readonly timestampMs?: number;
}

/** One series value: `name{labels} value [timestamp]`. */
export interface Sample {
  /** The full series name as written, with any `_bucket`, `_sum`, `_count`, `_total` suffix. */
  readonly name: string;
  /** Labels, in any order they were written; escapes are resolved. */
  readonly labels: Readonly<Record<string, string>>;
  /** The value; `NaN`, `+Inf` and `-Inf` are kept as such (callers decide what they mean). */
  readonly value: number;
  /** The sample's own timestamp, epoch ms, if the exposition gave one. */
  readonly timestampMs?: number;
  /** The exemplar, OpenMetrics only. */
  readonly exemplar?: Exemplar;
}

/** A metric family: the samples that share a `# TYPE` (a histogram's buckets, sum and count). */
export interface MetricFamily {
  /** Family name (a histogram `foo` holds `foo_bucket`, `foo_sum`, `foo_count`). */
  readonly name: string;
  /** Declared type; `untyped` (text format) or `unknown` (OpenMetrics) when none was declared. */
  readonly type: MetricType;
  /** `# HELP` text with escapes resolved, if given. */
  readonly help?: string;
  /** `# UNIT` (OpenMetrics), if given. */
  readonly unit?: string;
  /** Samples in the order they appeared. */
  readonly samples: readonly Sample[];
}

/** A parsed exposition: every family, in order of first appearance. */
export interface Exposition {
  /** Which dialect was parsed. */
  readonly format: 'prometheus' | 'openmetrics';
  /** Families by name. */
  readonly families: ReadonlyMap<string, MetricFamily>;
  /** Number of samples across all families. */
  readonly sampleCount: number;
}

/** Options of {@link parsePrometheusText}. */
export interface ParseOptions {
  /**
   * Dialect. `auto` takes OpenMetrics when the text ends with `# EOF`, else the text format.
   * In OpenMetrics timestamps are seconds (converted to ms), `# EOF` is required, and families
   * must be contiguous. @defaultValue 'auto'
   */
  readonly format?: 'auto' | 'prometheus' | 'openmetrics';
  /** Refuse expositions with more lines than this. @defaultValue 1_000_000 */
  readonly maxLines?: number;
}

interface MutableFamily {
  name: string;
  type: MetricType;
  typeDeclared: boolean;
  help?: string;
  unit?: string;
  samples: Sample[];
}

const SUFFIXES: Readonly<Record<string, readonly MetricType[]>> = {
  _bucket: ['histogram', 'gaugehistogram'],
  _sum: ['histogram', 'summary'],
  _count: ['histogram', 'summary'],
  _created: ['histogram', 'summary', 'counter'],
  _total: ['counter'],
  _gsum: ['gaugehistogram'],
  _gcount: ['gaugehistogram'],
  _info: ['info'],
};
const SUFFIX_LIST = Object.keys(SUFFIXES);

class ParseFailure extends Error {
  constructor(
    readonly lineNumber: number,
    readonly column: number | undefined,
    readonly detail: string,
  ) {
    super(detail);
  }
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
}
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}
function isLabelStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isLabelChar(c: number): boolean {
  return isLabelStart(c) || (c >= 48 && c <= 57);
}

const NUMBER =
  /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])$/;

/** Parses a Prometheus/OpenMetrics float (`1.5e3`, `+Inf`, `-Inf`, `NaN`); undefined if malformed. */
export function parseFloatToken(token: string): number | undefined {
  if (!NUMBER.test(token)) return undefined;
  const c = token.charCodeAt(token[0] === '+' || token[0] === '-' ? 1 : 0);
  if (c === 105 || c === 73)
    return token[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (c === 110 || c === 78) return Number.NaN;
  return Number(token);
}

/** Line-level scanner state. */
class LineScanner {
  pos = 0;
  constructor(
    readonly line: string,
    readonly lineNumber: number,
  ) {}

  fail(detail: string): never {
    throw new ParseFailure(this.lineNumber, this.pos + 1, detail);
  }

  skipSpaces(): void {
    const line = this.line;
    while (this.pos < line.length) {
      const c = line.charCodeAt(this.pos);
      if (c !== 32 && c !== 9) break;
      this.pos++;
    }
  }

  metricName(): string {
    const line = this.line;
    const start = this.pos;
    if (start >= line.length || !isNameStart(line.charCodeAt(start)))
      this.fail('expected a metric name');
    let i = start + 1;
    while (i < line.length && isNameChar(line.charCodeAt(i))) i++;
    this.pos = i;
    return line.slice(start, i);
  }

  /** Parses `{a="b",c="d"}` starting at '{'; returns the labels. */
  labels(): Record<string, string> {
    const line = this.line;
    const labels: Record<string, string> = {};
    this.pos++; // '{'
    for (;;) {
      this.skipSpaces();
      if (this.pos >= line.length) this.fail("unterminated label set: expected '}'");
      if (line.charCodeAt(this.pos) === 125) {
        this.pos++;
        return labels;
      }
      const nameStart = this.pos;
      if (!isLabelStart(line.charCodeAt(nameStart))) this.fail('expected a label name');
      let i = nameStart + 1;
      while (i < line.length && isLabelChar(line.charCodeAt(i))) i++;
      const name = line.slice(nameStart, i);
      this.pos = i;
      this.skipSpaces();
      if (line.charCodeAt(this.pos) !== 61) this.fail(`expected '=' after label name "${name}"`);
      this.pos++;
      this.skipSpaces();
      if (line.charCodeAt(this.pos) !== 34)
        this.fail(`expected '"' to open the value of label "${name}"`);
      this.pos++;
      const value = this.quoted(name);
      if (Object.hasOwn(labels, name)) this.fail(`duplicate label "${name}"`);
      if (name === '__proto__') {
        Object.defineProperty(labels, name, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        labels[name] = value;
      }
      this.skipSpaces();
      const c = line.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
      } else if (c !== 125) {
        this.fail("expected ',' or '}' after a label value");
      }
    }
  }

  /** Reads a quoted label value after its opening quote, resolving `\\`, `\"` and `\n`. */
  quoted(label: string): string {
    const line = this.line;
    let out = '';
    let runStart = this.pos;
    let i = this.pos;
    while (i < line.length) {
      const c = line.charCodeAt(i);
      if (c === 34) {
        out += line.slice(runStart, i);
        this.pos = i + 1;
        return out;
      }
      if (c === 92) {
        out += line.slice(runStart, i);
        const next = line.charCodeAt(i + 1);
        if (next === 92) out += '\\';
        else if (next === 34) out += '"';
        else if (next === 110) out += '\n';
        else {
          this.pos = i;
          this.fail(
            `invalid escape in the value of label "${label}" (only \\\\, \\" and \\n are allowed)`,
          );
        }
        i += 2;
        runStart = i;
        continue;
      }
      i++;
    }
    this.pos = i;
    return this.fail(`unterminated value of label "${label}"`);
  }

  token(): string {
    const line = this.line;
    const start = this.pos;
    let i = start;
    while (i < line.length) {
      const c = line.charCodeAt(i);
      if (c === 32 || c === 9) break;
      i++;
    }
    this.pos = i;
    return line.slice(start, i);
  }
}

function unescapeHelp(text: string): string {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = text[i + 1];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === '"') out += '"';
    else out += '\\' + (next ?? '');
    i++;
  }
  return out;
}

function familyTypeAllows(type: MetricType, suffix: string): boolean {
  return (SUFFIXES[suffix] ?? []).includes(type);
}

/**
 * Parses a Prometheus text exposition (format 0.0.4) or an OpenMetrics 1.0 exposition into
 * metric families, strictly: any malformed line makes the whole parse fail with an error naming
 * the line, never a partial result.
 *
 * Handled: `# HELP` / `# TYPE` / `# UNIT` / `# EOF`, labels in any order with `\\`, `\"` and
 * `\n` escapes, histograms and summaries (`_bucket` / `_sum` / `_count` / `_created`, with `le`
 * and `quantile` checked), counters with or without `_total`, `NaN`, `+Inf`, `-Inf`, sample
 * timestamps (ms in the text format, seconds in OpenMetrics, returned as ms), exemplars,
 * duplicate series (a series repeated as written), a `# TYPE` after its samples, and content
 * after `# EOF`.
 *
 * @returns `{ ok: true, value }` with the families, or `{ ok: false, error }` with an
 * `invalid_input` `HeadroomError` whose `path` is `['line', n]` and whose message quotes the line.
 * @example
 * ```ts
 * const parsed = parsePrometheusText(await (await fetch(url)).text());
 * if (parsed.ok) parsed.value.families.get('vllm:num_requests_waiting')?.samples[0]?.value;
 * ```
 */
export function parsePrometheusText(text: string, options: ParseOptions = {}): Result<Exposition> {
  try {
    return ok(parseOrThrow(text, options));
  } catch (error) {
    if (error instanceof ParseFailure) {
      const lines = text.split('\n');
      const source = lines[error.lineNumber - 1] ?? '';
      return err(
        new HeadroomError({
          code: 'invalid_input',
          message: `line ${error.lineNumber}${error.column === undefined ? '' : `, column ${error.column}`}: ${error.detail}`,
          path: ['line', error.lineNumber],
          value: source.length > 120 ? `${source.slice(0, 117)}...` : source,
        }),
      );
    }
    if (error instanceof HeadroomError) return err(error);
    return err(
      new HeadroomError({
        code: 'internal',
        message: 'the exposition parser failed unexpectedly',
        cause: error,
      }),
    );
  }
}

function parseOrThrow(text: string, options: ParseOptions): Exposition {
  if (typeof text !== 'string')
    throw new ParseFailure(1, undefined, 'the exposition is not a string');
  const maxLines = options.maxLines ?? 1_000_000;
  let format = options.format ?? 'auto';
  if (format === 'auto') format = /(?:^|\n)# EOF\n?$/.test(text) ? 'openmetrics' : 'prometheus';
  const openMetrics = format === 'openmetrics';

  const families = new Map<string, MutableFamily>();
  const seenSeries = new Set<string>();
  let lastFamily: MutableFamily | undefined;
  const closedFamilies = new Set<string>();
  let sampleCount = 0;
  let sawEof = false;

  const familyFor = (name: string): MutableFamily => {
    let family = families.get(name);
    if (family === undefined) {
      family = {
        name,
        type: openMetrics ? 'unknown' : 'untyped',
        typeDeclared: false,
        samples: [],
      };
      families.set(name, family);
    }
    return family;
  };

  const enter = (family: MutableFamily, lineNumber: number): void => {
    if (lastFamily !== family) {
      if (lastFamily !== undefined) closedFamilies.add(lastFamily.name);
      if (openMetrics && closedFamilies.has(family.name)) {
        throw new ParseFailure(
          lineNumber,
          undefined,
          `metric family "${family.name}" is not contiguous`,
        );
      }
      lastFamily = family;
    }
  };

  let lineStart = 0;
  let lineNumber = 0;
  const length = text.length;
  while (lineStart <= length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = length;
    lineNumber++;
    if (lineNumber > maxLines)
      throw new ParseFailure(lineNumber, undefined, `more than ${maxLines} lines`);
    let line = text.slice(lineStart, lineEnd);
    lineStart = lineEnd + 1;
    if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    if (lineEnd === length && line.length === 0) break; // trailing newline
    if (sawEof) throw new ParseFailure(lineNumber, undefined, 'content after # EOF');

    const first = line.charCodeAt(0);
    if (line.length === 0 || ((first === 32 || first === 9) && /^[ \t]*$/.test(line))) {
      if (openMetrics)
        throw new ParseFailure(lineNumber, undefined, 'empty line (not allowed in OpenMetrics)');
      continue;
    }
    const scanner: LineScanner = new LineScanner(line, lineNumber);
    if (first === 35) {
      // '#': a comment, HELP, TYPE, UNIT or EOF.
      if (line === '# EOF') {
        sawEof = true;
        continue;
      }
      const m = /^#[ \t]+(HELP|TYPE|UNIT)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
      if (m === null) {
        if (openMetrics)
          throw new ParseFailure(
            lineNumber,
            undefined,
            'unknown comment line (OpenMetrics allows only HELP, TYPE, UNIT and EOF)',
          );
        continue;
      }
      const keyword = m[1] as string;
      const name = m[2] as string;
      const rest = m[3] ?? '';
      const nameScanner = new LineScanner(name, lineNumber);
      if (nameScanner.metricName() !== name)
        throw new ParseFailure(
          lineNumber,
          undefined,
          `invalid metric name "${name}" in # ${keyword}`,
        );
      const family = familyFor(name);
      enter(family, lineNumber);
      if (keyword === 'TYPE') {
        const type = rest.trim();
        if (!METRIC_TYPES.has(type))
          throw new ParseFailure(lineNumber, undefined, `unknown metric type "${type}"`);
        if (family.typeDeclared)
          throw new ParseFailure(lineNumber, undefined, `second # TYPE for "${name}"`);
        if (family.samples.length > 0)
          throw new ParseFailure(lineNumber, undefined, `# TYPE for "${name}" after its samples`);
        family.type = type as MetricType;
        family.typeDeclared = true;
      } else if (keyword === 'HELP') {
        if (family.help !== undefined)
          throw new ParseFailure(lineNumber, undefined, `second # HELP for "${name}"`);
        family.help = unescapeHelp(rest);
      } else {
        family.unit = rest.trim();
      }
      continue;
    }

    // A sample line.
    const name = scanner.metricName();
    let labels: Record<string, string>;
    if (line.charCodeAt(scanner.pos) === 123) {
      labels = scanner.labels();
    } else {
      labels = {};
    }
    const afterName = scanner.pos;
    scanner.skipSpaces();
    if (scanner.pos === afterName) scanner.fail('expected a space before the value');
    const valueToken = scanner.token();
    if (valueToken.length === 0) scanner.fail('missing value');
    const value = parseFloatToken(valueToken);
    if (value === undefined) scanner.fail(`invalid value "${valueToken}"`);
    scanner.skipSpaces();
    let timestampMs: number | undefined;
    let exemplar: Exemplar | undefined;
    if (scanner.pos < line.length && line.charCodeAt(scanner.pos) !== 35) {
      const tsToken = scanner.token();
      const ts = openMetrics
        ? parseFloatToken(tsToken)
        : /^-?\d+$/.test(tsToken)
          ? Number(tsToken)
          : undefined;
      if (ts === undefined || !Number.isFinite(ts)) scanner.fail(`invalid timestamp "${tsToken}"`);
      timestampMs = openMetrics ? ts * 1000 : ts;
      scanner.skipSpaces();
    }
    if (scanner.pos < line.length) {
      if (!openMetrics || line.charCodeAt(scanner.pos) !== 35)
        scanner.fail('unexpected text after the value');
      scanner.pos++;
      scanner.skipSpaces();
      if (line.charCodeAt(scanner.pos) !== 123) scanner.fail("expected '{' to open an exemplar");
      const exemplarLabels = scanner.labels();
      scanner.skipSpaces();
      const exToken = scanner.token();
      const exValue = parseFloatToken(exToken);
      if (exValue === undefined) scanner.fail(`invalid exemplar value "${exToken}"`);
      scanner.skipSpaces();
      let exTs: number | undefined;
      if (scanner.pos < line.length) {
        const t = parseFloatToken(scanner.token());
        if (t === undefined || !Number.isFinite(t)) scanner.fail('invalid exemplar timestamp');
        exTs = t * 1000;
        scanner.skipSpaces();
        if (scanner.pos < line.length) scanner.fail('unexpected text after the exemplar');
      }
      exemplar =
        exTs === undefined
          ? { labels: exemplarLabels, value: exValue }
          : { labels: exemplarLabels, value: exValue, timestampMs: exTs };
    }

    // Which family does this series belong to?
    let family = families.get(name);
    if (
      family !== undefined &&
      family.typeDeclared &&
      (family.type === 'histogram' ||
        family.type === 'gaugehistogram' ||
        (family.type === 'counter' && openMetrics) ||
        family.type === 'info')
    ) {
      throw new ParseFailure(
        lineNumber,
        undefined,
        `sample "${name}" needs a suffix for its ${family.type} family`,
      );
    }
    if (family === undefined || !family.typeDeclared) {
      for (const suffix of SUFFIX_LIST) {
        if (name.length > suffix.length && name.endsWith(suffix)) {
          const base = families.get(name.slice(0, -suffix.length));
          if (base !== undefined && base.typeDeclared && familyTypeAllows(base.type, suffix)) {
            family = base;
            break;
          }
        }
      }
    }
    family ??= familyFor(name);
    enter(family, lineNumber);

    if (family.type === 'histogram' || family.type === 'gaugehistogram') {
      if (name.endsWith('_bucket')) {
        const le = labels['le'];
        if (le === undefined)
          throw new ParseFailure(
            lineNumber,
            undefined,
            `histogram bucket "${name}" has no "le" label`,
          );
        if (parseFloatToken(le) === undefined)
          throw new ParseFailure(
            lineNumber,
            undefined,
            `histogram bucket "${name}" has an invalid "le" value "${le}"`,
          );
      }
    } else if (family.type === 'summary' && name === family.name) {
      const quantile = labels['quantile'];
      if (quantile === undefined)
        throw new ParseFailure(
          lineNumber,
          undefined,
          `summary sample "${name}" has no "quantile" label`,
        );
      const q = parseFloatToken(quantile);
      if (q === undefined || !(q >= 0 && q <= 1))
        throw new ParseFailure(
          lineNumber,
          undefined,
          `summary sample "${name}" has an invalid quantile "${quantile}"`,
        );
    }

    // Series identity: the name and label set exactly as written (a slice, no copy). Exporters
    // that repeat a series repeat it verbatim; a duplicate written with its labels reordered is
    // not detected (building a sorted key per series would cost a third of the parse).
    const identity = line.slice(0, afterName);
    const key = timestampMs === undefined ? identity : `${identity}\u0002${timestampMs}`;
    if (seenSeries.has(key))
      throw new ParseFailure(
        lineNumber,
        undefined,
        `duplicate series ${name}${JSON.stringify(labels)}`,
      );
    seenSeries.add(key);

    const sample: Sample =
      timestampMs === undefined && exemplar === undefined
        ? { name, labels, value }
        : {
            name,
            labels,
            value,
            ...(timestampMs === undefined ? {} : { timestampMs }),
            ...(exemplar === undefined ? {} : { exemplar }),
          };
    family.samples.push(sample);
    sampleCount++;
  }
  if (openMetrics && !sawEof)
    throw new ParseFailure(lineNumber, undefined, 'OpenMetrics exposition does not end with # EOF');

  const out = new Map<string, MetricFamily>();
  for (const family of families.values()) {
    const result: MetricFamily = {
      name: family.name,
      type: family.type,
      samples: family.samples,
      ...(family.help === undefined ? {} : { help: family.help }),
      ...(family.unit === undefined ? {} : { unit: family.unit }),
    };
    out.set(family.name, result);
  }
  return { format, families: out, sampleCount };
}
