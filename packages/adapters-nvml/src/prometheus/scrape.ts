import { HeadroomError, err, type MetricReadOptions, type Result } from '@headroom/core';
import { fetchText, type FetchTextOptions } from '../http/fetch-text.js';
import { configNumber, configTimeoutMs } from '../internal/options.js';
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

/** The scrape options a `/metrics` source takes (see {@link exposureScraper}). @internal */
export interface ScraperOptions {
  /** Deadline for one scrape, ms: an integer in [1, 2_147_483_647]. @defaultValue 5_000 */
  readonly timeoutMs?: number;
  /** Largest accepted page, bytes, > 0. @defaultValue the source's own */
  readonly maxBytes?: number;
  /** fetch implementation. @defaultValue the global fetch */
  readonly fetch?: typeof fetch;
}

/**
 * Validates a source's `timeoutMs` (default 5 s) and `maxBytes` (default `defaultMaxBytes`), in
 * that order, and returns the scrape of `url` each `read` makes with them, honouring the read's
 * abort signal: the plumbing the DCGM and inference-server sources share.
 *
 * @throws `HeadroomError` `invalid_config` naming `timeoutMs` or `maxBytes`.
 * @internal
 */
export function exposureScraper(
  url: string,
  options: ScraperOptions,
  defaultMaxBytes: number,
): (readOptions: MetricReadOptions) => Promise<Result<Exposition>> {
  const timeoutMs = configTimeoutMs(options.timeoutMs, 5_000, ['timeoutMs']);
  const maxBytes = configNumber(options.maxBytes, defaultMaxBytes, ['maxBytes']);
  return (readOptions) =>
    scrapeExposition(url, {
      timeoutMs,
      maxBytes,
      signal: readOptions.signal,
      fetch: options.fetch,
    });
}
