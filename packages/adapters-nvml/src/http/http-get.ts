import { HeadroomError, err, ok, type Result } from '@headroom/core';
import { MAX_TIMER_MS } from '../internal/options.js';

/** Options of {@link httpGet}. */
export interface HttpGetOptions {
  /** Give up after this long, ms: an integer in [1, 2^31 − 1]. */
  readonly timeoutMs: number;
  /** Refuse bodies larger than this, bytes. */
  readonly maxBytes: number;
  /** An outer signal (the poller's deadline) that also aborts the request. */
  readonly signal?: AbortSignal | undefined;
  /** The fetch implementation. @defaultValue the global `fetch` */
  readonly fetch?: typeof fetch | undefined;
  /** Extra request headers (for example `Accept`). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** How to name the target in error messages. @defaultValue the URL */
  readonly describeAs?: string | undefined;
}

/** A response read whole: status and body text, whatever the status. */
export interface HttpTextResponse {
  /** HTTP status code. */
  readonly status: number;
  /** HTTP status text. */
  readonly statusText: string;
  /** The body, decoded as UTF-8. */
  readonly text: string;
}

/** Maps an HTTP status to a headroom error code (400/422 are the caller's fault: `invalid_input`). */
export function errorCodeForStatus(
  status: number,
): 'not_found' | 'conflict' | 'rate_limited' | 'unavailable' | 'timeout' | 'invalid_input' {
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'invalid_input';
}

/** Names a fetch failure by its chain of causes: `fetch failed: ECONNREFUSED`. */
export function describeFetchFailure(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string') parts.push(code);
    else if (typeof message === 'string' && message !== '') parts.push(message);
    current = (current as { cause?: unknown }).cause;
  }
  return parts.length > 0 ? [...new Set(parts)].join(': ') : String(error);
}

function invalidArgument(
  message: string,
  path: string,
  value: unknown,
  limit: string,
): Result<never> {
  return err(new HeadroomError({ code: 'invalid_argument', message, path: [path], value, limit }));
}

/** Checks the options {@link httpGet} cannot work without; `undefined` when they are usable. */
function checkOptions(options: HttpGetOptions, fetchImpl: unknown): Result<never> | undefined {
  const { timeoutMs, maxBytes, signal } = options;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMER_MS) {
    return invalidArgument(
      `must be an integer number of ms from 1 to ${MAX_TIMER_MS}`,
      'timeoutMs',
      timeoutMs,
      `integer, 1..${MAX_TIMER_MS}`,
    );
  }
  if (typeof maxBytes !== 'number' || Number.isNaN(maxBytes) || maxBytes < 0) {
    return invalidArgument('must be a number of bytes >= 0', 'maxBytes', maxBytes, '>= 0');
  }
  if (typeof fetchImpl !== 'function') {
    return invalidArgument('must be a fetch function', 'fetch', fetchImpl, 'function');
  }
  if (signal !== undefined && typeof signal.addEventListener !== 'function') {
    return invalidArgument('must be an AbortSignal', 'signal', signal, 'AbortSignal');
  }
  return undefined;
}

/**
 * GETs `url` with a deadline, an optional caller signal and a body-size cap, and reads the whole
 * body whatever the status. Never throws or rejects: a refused connection is `unavailable`, the
 * deadline or the caller's abort `timeout`, an oversized body `invalid_input`, options it cannot
 * use (a `timeoutMs` that is not an integer in [1, 2^31 − 1], a missing `fetch`)
 * `invalid_argument`, anything unexpected `internal`. Interpreting the status is the caller's
 * job (see {@link fetchText} for the plain "2xx or error" case).
 *
 * The deadline and the caller's signal are combined with a private `AbortController` (no
 * `AbortSignal.any`, which Node only has from 20.3), and the listener it adds to the caller's
 * signal is removed when the request settles.
 */
export async function httpGet(
  url: string | URL,
  options: HttpGetOptions,
): Promise<Result<HttpTextResponse>> {
  try {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const invalid = checkOptions(options, fetchImpl);
    if (invalid !== undefined) return invalid;
    return await request(url, options, fetchImpl);
  } catch (error) {
    return err(
      new HeadroomError({
        code: 'internal',
        message: `GET failed unexpectedly: ${describeFetchFailure(error)}`,
        cause: error,
      }),
    );
  }
}

async function request(
  url: string | URL,
  options: HttpGetOptions,
  fetchImpl: typeof fetch,
): Promise<Result<HttpTextResponse>> {
  const where = options.describeAs ?? String(url);
  const outer = options.signal;
  const controller = new AbortController();
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    controller.abort(
      new DOMException(`${where} did not answer within ${options.timeoutMs} ms`, 'TimeoutError'),
    );
  }, options.timeoutMs);
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted === true) onOuterAbort();
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    return await exchange(url, options, fetchImpl, controller.signal, where, () => timedOut);
  } finally {
    clearTimeout(deadline);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

async function exchange(
  url: string | URL,
  options: HttpGetOptions,
  fetchImpl: typeof fetch,
  signal: AbortSignal,
  where: string,
  timedOut: () => boolean,
): Promise<Result<HttpTextResponse>> {
  const failure = (error: unknown, doing: string): HeadroomError => {
    if (timedOut()) {
      return new HeadroomError({
        code: 'timeout',
        message: `${where} did not answer within ${options.timeoutMs} ms`,
        limit: `${options.timeoutMs} ms`,
        cause: error,
      });
    }
    if (options.signal?.aborted === true) {
      return new HeadroomError({
        code: 'timeout',
        message: `${where}: the request was aborted by the caller`,
        cause: error,
      });
    }
    return new HeadroomError({
      code: 'unavailable',
      message: `${doing} ${where} failed: ${describeFetchFailure(error)}`,
      cause: error,
    });
  };
  const tooLarge = (bytes: number): HeadroomError =>
    new HeadroomError({
      code: 'invalid_input',
      message: `the response from ${where} exceeds ${options.maxBytes} bytes`,
      path: ['maxBytes'],
      value: bytes,
      limit: `<= ${options.maxBytes}`,
    });
  if (signal.aborted) return err(failure(signal.reason, 'GET')); // never start an aborted request
  let response: Response;
  try {
    response = await fetchImpl(url, { method: 'GET', signal, headers: { ...options.headers } });
  } catch (error) {
    return err(failure(error, 'GET'));
  }
  try {
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > options.maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      return err(tooLarge(declared));
    }
    const chunks: Uint8Array[] = [];
    let received = 0;
    if (response.body !== null) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.byteLength;
        if (received > options.maxBytes) {
          await reader.cancel().catch(() => undefined);
          return err(tooLarge(received));
        }
        chunks.push(value);
      }
    }
    return ok({
      status: response.status,
      statusText: response.statusText,
      text: Buffer.concat(chunks).toString('utf8'),
    });
  } catch (error) {
    return err(failure(error, 'reading the response of'));
  }
}
