import { HeadroomError } from '@headroom/core';

/**
 * Parses a Prometheus base URL; the result always ends with `/` so that `api/v1/...` resolves
 * below any path prefix. Internal to this folder (not exported from the package).
 *
 * @throws `HeadroomError` with `code` (`invalid_argument` or `invalid_config`) when the URL is
 * not absolute http(s), or has a query or fragment.
 */
export function parseBaseUrl(
  baseUrl: unknown,
  code: 'invalid_argument' | 'invalid_config',
  path: readonly string[] = ['baseUrl'],
): URL {
  let url: URL | undefined;
  if (typeof baseUrl === 'string') {
    try {
      url = new URL(baseUrl);
    } catch {
      url = undefined;
    }
  }
  if (
    url === undefined ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    throw new HeadroomError({
      code,
      message: 'must be an absolute http: or https: URL without query or fragment',
      path,
      value: baseUrl,
      limit: 'http(s)://host[:port][/prefix]',
    });
  }
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return url;
}
