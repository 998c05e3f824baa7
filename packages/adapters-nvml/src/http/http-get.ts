import { HeadroomError, err, ok, type Result } from '@headroom/core';

/** Options of {@link httpGet}. */
export interface HttpGetOptions {
  /** Give up after this long, ms. */
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

/**
 * GETs `url` with a deadline, an optional caller signal and a body-size cap, and reads the whole
 * body whatever the status. Never throws: a refused connection is `unavailable`, the deadline or
 * the caller's abort `timeout`, an oversized body `invalid_input`. Interpreting the status is the
 * caller's job (see {@link fetchText} for the plain "2xx or error" case).
 */
export async function httpGet(
  url: string | URL,
  options: HttpGetOptions,
): Promise<Result<HttpTextResponse>> {
  const where = options.describeAs ?? String(url);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal =
    options.signal === undefined ? deadline : AbortSignal.any([deadline, options.signal]);
  const failure = (error: unknown, doing: string): HeadroomError => {
    if (deadline.aborted) {
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
