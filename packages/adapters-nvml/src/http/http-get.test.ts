import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { isHeadroomError, type HeadroomErrorCode, type Result } from '@headroom/core';
import { httpGet, type HttpGetOptions, type HttpTextResponse } from './http-get.js';

const answer: typeof fetch = () => Promise.resolve(new Response('fine', { status: 200 }));

/** A fetch that settles only when its signal aborts, rejecting with the signal's reason. */
const hang: typeof fetch = (_input, init) =>
  new Promise((_resolve, reject) => {
    init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error));
  });

function errorOf(result: Result<HttpTextResponse>, code: HeadroomErrorCode) {
  if (result.ok) throw new Error(`expected ${code}, got HTTP ${result.value.status}`);
  expect(isHeadroomError(result.error, code), result.error.message).toBe(true);
  return result.error;
}

const base: HttpGetOptions = { timeoutMs: 1_000, maxBytes: 1_024, fetch: answer };

describe('httpGet', () => {
  const realAny = Object.getOwnPropertyDescriptor(AbortSignal, 'any');
  afterEach(() => {
    if (realAny !== undefined) Object.defineProperty(AbortSignal, 'any', realAny);
  });

  it.each([1.5, 1_500.5, 0, -1, 2 ** 31, 2 ** 32, Number.NaN, Number.POSITIVE_INFINITY])(
    'returns invalid_argument for timeoutMs %s instead of throwing (no timer warning either)',
    async (timeoutMs) => {
      const error = errorOf(
        await httpGet('http://x.invalid/', { ...base, timeoutMs }),
        'invalid_argument',
      );

      expect(error.path).toEqual(['timeoutMs']);
      expect(error.limit).toBe('integer, 1..2147483647');
    },
  );

  it('accepts the largest timer Node honours, and clears it when the request settles', async () => {
    const result = await httpGet('http://x.invalid/', { ...base, timeoutMs: 2_147_483_647 });

    expect(result.ok && result.value.text).toBe('fine');
  });

  it('returns an error, never a rejection, when fetch is missing or throws synchronously', async () => {
    const missing = await httpGet('http://x.invalid/', {
      ...base,
      fetch: 'not a function' as unknown as typeof fetch,
    });
    const throwing = await httpGet('http://x.invalid/', {
      ...base,
      fetch: () => {
        throw new TypeError('boom');
      },
    });
    const broken = await httpGet('http://x.invalid/', null as unknown as HttpGetOptions);

    expect(errorOf(missing, 'invalid_argument').path).toEqual(['fetch']);
    expect(errorOf(throwing, 'unavailable').message).toContain('boom');
    errorOf(broken, 'internal');
  });

  it('reports its deadline as timeout', async () => {
    const error = errorOf(
      await httpGet('http://x.invalid/', { ...base, timeoutMs: 20, fetch: hang }),
      'timeout',
    );

    expect(error.limit).toBe('20 ms');
  });

  it('aborts with the caller signal without AbortSignal.any, and removes its listener afterwards', async () => {
    Object.defineProperty(AbortSignal, 'any', { value: undefined, configurable: true });
    const caller = new AbortController();

    const pending = httpGet('http://x.invalid/', { ...base, fetch: hang, signal: caller.signal });
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    caller.abort(new Error('poll deadline'));
    const aborted = errorOf(await pending, 'timeout');
    const settled = await httpGet('http://x.invalid/', { ...base, signal: caller.signal });
    const done = new AbortController();
    const fine = await httpGet('http://x.invalid/', { ...base, signal: done.signal });

    expect(aborted.message).toContain('aborted by the caller');
    expect(errorOf(settled, 'timeout').message).toContain('aborted by the caller');
    expect(fine.ok).toBe(true);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    expect(getEventListeners(done.signal, 'abort')).toHaveLength(0);
  });
});
