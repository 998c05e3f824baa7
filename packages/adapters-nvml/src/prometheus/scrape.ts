import { HeadroomError, err, type Result } from '@headroom/core';
import { fetchText, type FetchTextOptions } from '../http/fetch-text.js';
import { parsePrometheusText, type Exposition } from './parse.js';

/**
 * GETs a `/metrics` page and parses it strictly: the exposition, or a typed error (the HTTP
 * failure from {@link fetchText}, or the parser's `invalid_input` prefixed with the URL).
 */
export async function scrapeExposition(
  url: string,
  options: FetchTextOptions,
): Promise<Result<Exposition>> {
  const page = await fetchText(url, options);
  if (!page.ok) return page;
  const parsed = parsePrometheusText(page.value);
  if (parsed.ok) return parsed;
  return err(
    new HeadroomError({
      code: 'invalid_input',
      message: `${url}: ${parsed.error.detail}`,
      path: parsed.error.path,
      value: parsed.error.value,
      cause: parsed.error,
    }),
  );
}
