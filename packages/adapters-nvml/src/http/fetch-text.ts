import { HeadroomError, err, ok, type Result } from '@headroom/core';

/** Options of {@link fetchText}. */
export interface FetchTextOptions {
  /** Give up after this long, ms. */
  readonly timeoutMs: number;
  /** Refuse bodies larger than this, bytes. */
  readonly maxBytes: number;
  /** An outer signal (the poller's) that also aborts the request. */
  readonly signal?: AbortSignal | undefined;
  /** The fetch implementation. @defaultValue the global `fetch` */
  readonly fetch?: typeof fetch | undefined;
  /** Extra request headers (for example `Accept`). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** Maps an HTTP status to a headroom error code. */
export function errorCodeForStatus(
  status: number,
): 'not_found' | 'conflict' | 'rate_limited' | 'unavailable' | 'invalid_input' {
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'invalid_input';
}

/**
 * GETs `url` as text with a deadline and a body-size cap, and never throws: a refused connection
 * or a 5xx is `unavailable`, a 404 `not_found`, a 429 `rate_limited`, a deadline `timeout`, an
 * oversized body `invalid_input`.
 */
export async function fetchText(url: string, options: FetchTextOptions): Promise<Result<string>> {
  const fetchImpl = options.fetch ?? fetch;
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal =
    options.signal === undefined ? deadline : AbortSignal.any([deadline, options.signal]);
  let response: Response;
  try {
    response = await fetchImpl(url, { signal, headers: { ...options.headers } });
  } catch (error) {
    return err(networkError(url, error, deadline, options.timeoutMs));
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    return err(
      new HeadroomError({
        code: errorCodeForStatus(response.status),
        message: `GET ${url} answered HTTP ${response.status} ${response.statusText}`.trim(),
        path: ['url'],
        value: url,
      }),
    );
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > options.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return err(tooLarge(url, options.maxBytes, declared));
  }
  try {
    const body = response.body;
    if (body === null) return ok('');
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let received = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > options.maxBytes) {
        await reader.cancel().catch(() => undefined);
        return err(tooLarge(url, options.maxBytes, received));
      }
      chunks.push(value);
    }
    return ok(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    return err(networkError(url, error, deadline, options.timeoutMs));
  }
}

function tooLarge(url: string, maxBytes: number, bytes: number): HeadroomError {
  return new HeadroomError({
    code: 'invalid_input',
    message: `GET ${url}: the response is larger than ${maxBytes} bytes`,
    path: ['maxBytes'],
    value: bytes,
    limit: `<= ${maxBytes}`,
  });
}

function networkError(
  url: string,
  error: unknown,
  deadline: AbortSignal,
  timeoutMs: number,
): HeadroomError {
  if (deadline.aborted) {
    return new HeadroomError({
      code: 'timeout',
      message: `GET ${url} did not answer within ${timeoutMs} ms`,
      path: ['timeoutMs'],
      value: timeoutMs,
      cause: error,
    });
  }
  const name = error instanceof Error ? error.name : '';
  if (name === 'AbortError') {
    return new HeadroomError({
      code: 'timeout',
      message: `GET ${url} was aborted by the caller`,
      cause: error,
    });
  }
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const detail =
    cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new HeadroomError({
    code: 'unavailable',
    message: `GET ${url} failed: ${detail}`,
    path: ['url'],
    value: url,
    cause: error,
  });
}
