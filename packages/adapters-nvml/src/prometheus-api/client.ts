import {
  HeadroomError,
  err,
  isHeadroomError,
  ok,
  type HeadroomErrorCode,
  type Result,
} from '@headroom/core';
import { parseBaseUrl } from './base-url.js';
import { errorCodeForStatus, httpGet } from '../http/http-get.js';

/** The default cap on a Prometheus HTTP API response body: 8 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/**
 * One sample of an instant query's result: a series of a `vector` result, or the single value of
 * a `scalar` result (with no labels).
 */
export interface PromVectorSample {
  /** The series' labels as Prometheus returned them (`__name__` included when it kept it). */
  readonly labels: Readonly<Record<string, string>>;
  /** The sample value; always finite (NaN and infinities are dropped and counted). */
  readonly value: number;
  /** The evaluation timestamp Prometheus reported, epoch ms. */
  readonly timestampMs: number;
}

/** The full outcome of {@link queryInstantDetailed}: samples plus what was dropped. */
export interface PromInstantResult {
  /** The result type Prometheus reported; only these two are accepted. */
  readonly resultType: 'vector' | 'scalar';
  /** The samples with a finite value, in Prometheus's order. */
  readonly samples: readonly PromVectorSample[];
  /** Samples dropped because their value was `NaN`, `+Inf` or `-Inf` (treated as missing). */
  readonly droppedNonFiniteSamples: number;
}

/** Options of {@link queryInstant} and {@link queryInstantDetailed}. */
export interface QueryInstantOptions {
  /**
   * The Prometheus server's base URL (`http:` or `https:`), for example `http://prometheus:9090`
   * or `https://example.com/prometheus/` behind a path prefix. `api/v1/query` is appended to it.
   */
  readonly baseUrl: string;
  /** The PromQL expression; it must evaluate to an instant vector or a scalar. */
  readonly query: string;
  /**
   * The evaluation time, epoch ms (sent to Prometheus as `time`, in seconds).
   *
   * @defaultValue Prometheus's current time (the parameter is omitted).
   */
  readonly timeMs?: number;
  /**
   * Deadline for the whole request (connect, response and body), ms: an integer from 1 to 600000.
   * It is also sent to Prometheus as its `timeout` parameter, so the server stops evaluating too.
   */
  readonly timeoutMs: number;
  /** Aborts the request; an abort is reported as a `timeout` error. */
  readonly signal?: AbortSignal;
  /**
   * The fetch implementation.
   *
   * @defaultValue `globalThis.fetch`
   */
  readonly fetch?: typeof fetch;
  /**
   * Largest response body accepted, bytes; a larger one is an `invalid_input` error.
   *
   * @defaultValue {@link DEFAULT_MAX_RESPONSE_BYTES} (8 MiB)
   */
  readonly maxResponseBytes?: number;
}

const MAX_TIMEOUT_MS = 600_000;
const FLOAT_LITERAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE_LITERAL = /^(?:NaN|[+-]?Inf)$/;

/**
 * Runs one instant query against the Prometheus HTTP API (`GET /api/v1/query`) and returns the
 * finite samples of its `vector` or `scalar` result. Samples whose value is `NaN` or infinite are
 * treated as missing and dropped; {@link queryInstantDetailed} also reports how many.
 *
 * It never throws and never rejects: every failure is a `{ ok: false, error }` with a
 * `HeadroomError` whose code says what happened:
 *
 * - `invalid_argument`: the options are out of their documented domain (bad URL, timeout).
 * - `invalid_input`: HTTP 400 or 422 (Prometheus's `errorType` and `error` are in the message), a
 *   result type other than `vector`/`scalar`, a malformed or oversized body.
 * - `not_found`: HTTP 404 (usually a wrong base URL).
 * - `rate_limited`: HTTP 429.
 * - `unavailable`: HTTP 5xx (503 included), a connection failure such as `ECONNREFUSED`, or a
 *   successful response that carries `warnings`: a partial result is never returned as a success.
 * - `timeout`: `timeoutMs` elapsed or `signal` aborted.
 *
 * @returns The samples, or the typed error.
 * @example
 * ```ts
 * const result = await queryInstant({
 *   baseUrl: 'http://prometheus:9090',
 *   query: 'sum by (namespace, pod) (vllm:num_requests_waiting)',
 *   timeoutMs: 2_000,
 * });
 * if (result.ok) for (const s of result.value) console.log(s.labels['pod'], s.value);
 * else if (isHeadroomError(result.error, 'timeout')) holdScaling();
 * ```
 */
export async function queryInstant(
  options: QueryInstantOptions,
): Promise<Result<PromVectorSample[]>> {
  const result = await queryInstantDetailed(options);
  return result.ok ? ok([...result.value.samples]) : result;
}

/**
 * {@link queryInstant}, returning the result type and the number of samples dropped for a
 * non-finite value alongside the samples. Same errors, same guarantees (never throws or rejects).
 *
 * @returns The detailed result, or the typed error.
 * @example
 * ```ts
 * const result = await queryInstantDetailed({ baseUrl, query: 'up', timeoutMs: 2_000 });
 * if (result.ok && result.value.droppedNonFiniteSamples > 0) countMissing(result.value);
 * ```
 */
export async function queryInstantDetailed(
  options: QueryInstantOptions,
): Promise<Result<PromInstantResult>> {
  let url: URL;
  let maxResponseBytes: number;
  try {
    url = buildQueryUrl(options);
    maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1) {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: 'must be a positive integer (bytes)',
        path: ['maxResponseBytes'],
        value: maxResponseBytes,
        limit: 'integer >= 1',
      });
    }
  } catch (error) {
    return err(asHeadroomError(error));
  }
  try {
    const where = `${url.origin}${url.pathname}`;
    const response = await httpGet(url, {
      timeoutMs: options.timeoutMs,
      maxBytes: maxResponseBytes,
      signal: options.signal,
      fetch: options.fetch,
      headers: { accept: 'application/json' },
      describeAs: `Prometheus at ${where}`,
    });
    if (!response.ok) return response;
    return interpretResponse(response.value.status, response.value.text, where);
  } catch (error) {
    return err(asHeadroomError(error));
  }
}

function buildQueryUrl(options: QueryInstantOptions): URL {
  if (typeof options !== 'object' || options === null) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'options must be an object',
      value: options,
    });
  }
  const base = parseBaseUrl(options.baseUrl, 'invalid_argument');
  if (typeof options.query !== 'string' || options.query.trim() === '') {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be a non-empty PromQL expression',
      path: ['query'],
      value: options.query,
    });
  }
  const { timeoutMs, timeMs } = options;
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isInteger(timeoutMs) ||
    timeoutMs < 1 ||
    timeoutMs > MAX_TIMEOUT_MS
  ) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: `must be an integer number of ms from 1 to ${MAX_TIMEOUT_MS}`,
      path: ['timeoutMs'],
      value: timeoutMs,
      limit: `integer, 1..${MAX_TIMEOUT_MS}`,
    });
  }
  if (timeMs !== undefined && (typeof timeMs !== 'number' || !Number.isFinite(timeMs))) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be a finite epoch ms',
      path: ['timeMs'],
      value: timeMs,
      limit: 'finite',
    });
  }
  const url = new URL('api/v1/query', base);
  url.searchParams.set('query', options.query);
  if (timeMs !== undefined) url.searchParams.set('time', (timeMs / 1000).toFixed(3));
  url.searchParams.set('timeout', `${timeoutMs}ms`);
  return url;
}

interface Envelope {
  readonly status?: unknown;
  readonly data?: unknown;
  readonly errorType?: unknown;
  readonly error?: unknown;
  readonly warnings?: unknown;
}

function parseEnvelope(text: string): Envelope | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Envelope)
    : undefined;
}

function describePromError(envelope: Envelope | undefined): string {
  if (envelope === undefined) return 'no Prometheus error body';
  const type = typeof envelope.errorType === 'string' ? envelope.errorType : 'unknown';
  const detail = typeof envelope.error === 'string' ? envelope.error : 'no detail';
  return `${type}: ${detail}`;
}

function codeForErrorType(errorType: unknown): HeadroomErrorCode {
  switch (errorType) {
    case 'bad_data':
    case 'execution':
      return 'invalid_input';
    case 'timeout':
      return 'timeout';
    case 'not_found':
      return 'not_found';
    default:
      return 'unavailable';
  }
}

function interpretResponse(status: number, text: string, where: string): Result<PromInstantResult> {
  const envelope = parseEnvelope(text);
  if (status !== 200) {
    return err(
      new HeadroomError({
        code: errorCodeForStatus(status),
        message: `Prometheus at ${where} answered HTTP ${status} (${describePromError(envelope)})`,
        value: status,
      }),
    );
  }
  if (envelope === undefined) {
    return err(
      new HeadroomError({
        code: 'invalid_input',
        message: `Prometheus at ${where} answered HTTP 200 with a body that is not a JSON object`,
        value: text,
      }),
    );
  }
  if (envelope.status !== 'success') {
    return err(
      new HeadroomError({
        code: codeForErrorType(envelope.errorType),
        message: `Prometheus at ${where} answered status ${JSON.stringify(envelope.status)} (${describePromError(envelope)})`,
      }),
    );
  }
  if (envelope.warnings !== undefined && envelope.warnings !== null) {
    const warnings = Array.isArray(envelope.warnings) ? envelope.warnings : [envelope.warnings];
    if (warnings.length > 0) {
      return err(
        new HeadroomError({
          code: 'unavailable',
          message: `Prometheus at ${where} returned a partial response with warnings: ${warnings
            .map((w) => String(w))
            .join('; ')}`,
          value: warnings,
        }),
      );
    }
  }
  return parseData(envelope.data, where);
}

function malformed(where: string, what: string, value: unknown): HeadroomError {
  return new HeadroomError({
    code: 'invalid_input',
    message: `malformed Prometheus response from ${where}: ${what}`,
    value,
  });
}

type ParsedValue =
  | { readonly kind: 'finite'; readonly value: number; readonly timestampMs: number }
  | { readonly kind: 'non-finite' }
  | { readonly kind: 'malformed' };

function parsePair(pair: unknown): ParsedValue {
  if (!Array.isArray(pair) || pair.length !== 2) return { kind: 'malformed' };
  const [seconds, raw] = pair as [unknown, unknown];
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || typeof raw !== 'string') {
    return { kind: 'malformed' };
  }
  if (NON_FINITE_LITERAL.test(raw)) return { kind: 'non-finite' };
  if (!FLOAT_LITERAL.test(raw)) return { kind: 'malformed' };
  const value = Number(raw);
  if (!Number.isFinite(value)) return { kind: 'non-finite' };
  return { kind: 'finite', value, timestampMs: Math.round(seconds * 1000) };
}

function parseLabels(metric: unknown): Record<string, string> | undefined {
  if (typeof metric !== 'object' || metric === null || Array.isArray(metric)) return undefined;
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(metric)) {
    if (typeof value !== 'string') return undefined;
    labels[name] = value;
  }
  return labels;
}

function parseData(data: unknown, where: string): Result<PromInstantResult> {
  if (typeof data !== 'object' || data === null) {
    return err(malformed(where, '`data` is missing', data));
  }
  const { resultType, result } = data as { resultType?: unknown; result?: unknown };
  if (resultType === 'scalar') {
    const parsed = parsePair(result);
    if (parsed.kind === 'malformed') {
      return err(malformed(where, 'a scalar result must be [seconds, "value"]', result));
    }
    return ok({
      resultType,
      samples:
        parsed.kind === 'finite'
          ? [Object.freeze({ labels: {}, value: parsed.value, timestampMs: parsed.timestampMs })]
          : [],
      droppedNonFiniteSamples: parsed.kind === 'non-finite' ? 1 : 0,
    });
  }
  if (resultType !== 'vector') {
    return err(
      new HeadroomError({
        code: 'invalid_input',
        message: `Prometheus at ${where} returned a ${String(resultType)} result; only instant vectors and scalars are accepted (drop the range selector or wrap it in a function such as rate())`,
        value: resultType,
        limit: 'one of: vector, scalar',
      }),
    );
  }
  if (!Array.isArray(result))
    return err(malformed(where, 'a vector result must be an array', result));
  const samples: PromVectorSample[] = [];
  let dropped = 0;
  for (const [index, entry] of result.entries()) {
    const item = (typeof entry === 'object' && entry !== null ? entry : {}) as {
      metric?: unknown;
      value?: unknown;
      histogram?: unknown;
    };
    const labels = parseLabels(item.metric ?? {});
    if (labels === undefined) {
      return err(malformed(where, `result[${index}].metric must map names to strings`, entry));
    }
    if (item.value === undefined && item.histogram !== undefined) {
      return err(
        new HeadroomError({
          code: 'invalid_input',
          message: `Prometheus at ${where} returned a native histogram sample at result[${index}]; wrap the query in histogram_quantile() or histogram_count()`,
          value: labels,
        }),
      );
    }
    const parsed = parsePair(item.value);
    if (parsed.kind === 'malformed') {
      return err(malformed(where, `result[${index}].value must be [seconds, "value"]`, entry));
    }
    if (parsed.kind === 'non-finite') {
      dropped += 1;
      continue;
    }
    samples.push(
      Object.freeze({
        labels: Object.freeze(labels),
        value: parsed.value,
        timestampMs: parsed.timestampMs,
      }),
    );
  }
  return ok({ resultType, samples, droppedNonFiniteSamples: dropped });
}

function asHeadroomError(error: unknown): HeadroomError {
  return isHeadroomError(error)
    ? error
    : new HeadroomError({ code: 'internal', message: 'unexpected failure', cause: error });
}
