import { HeadroomError, err, ok, type Result } from '@headroom/core';
import { errorCodeForStatus, httpGet, type HttpGetOptions } from './http-get.js';

/** Options of {@link fetchText}: those of {@link httpGet}. */
export type FetchTextOptions = HttpGetOptions;

/**
 * GETs `url` as text: the body of a 2xx answer, or a typed error. A refused connection or a 5xx
 * is `unavailable`, a 404 `not_found`, a 429 `rate_limited`, the deadline `timeout`, an oversized
 * body `invalid_input`. Never throws.
 */
export async function fetchText(url: string, options: FetchTextOptions): Promise<Result<string>> {
  const response = await httpGet(url, options);
  if (!response.ok) return response;
  const { status, statusText } = response.value;
  if (status < 200 || status > 299) {
    return err(
      new HeadroomError({
        code: errorCodeForStatus(status),
        message: `GET ${options.describeAs ?? url} answered HTTP ${status} ${statusText}`.trim(),
        path: ['url'],
        value: url,
      }),
    );
  }
  return ok(response.value.text);
}
