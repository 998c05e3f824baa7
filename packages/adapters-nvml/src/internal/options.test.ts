import { describe, expect, it } from 'vitest';
import { thrownError } from '../../../../tools/test-utils.js';
import { createDcgmSource } from '../dcgm/source.js';
import { createInferenceServerSource } from '../servers/source.js';
import { MAX_TIMER_MS, configTimeoutMs } from './options.js';

const BAD_TIMEOUTS = [0, -1, 0.5, 1_500.5, MAX_TIMER_MS + 1, 2 ** 32, Number.NaN, '5000'];

describe('configTimeoutMs', () => {
  it('returns the fallback when absent and accepts integers in [1, 2^31 − 1]', () => {
    expect(configTimeoutMs(undefined, 5_000, ['timeoutMs'])).toBe(5_000);
    expect(configTimeoutMs(1, 5_000, ['timeoutMs'])).toBe(1);
    expect(configTimeoutMs(MAX_TIMER_MS, 5_000, ['timeoutMs'])).toBe(2_147_483_647);
  });

  it.each(BAD_TIMEOUTS)('rejects %s with invalid_config naming the path and bounds', (value) => {
    const error = thrownError(() => configTimeoutMs(value, 5_000, ['timeoutMs']));

    expect(error.code).toBe('invalid_config');
    expect(error.path).toEqual(['timeoutMs']);
    expect(error.value).toBe(value);
    expect(error.limit).toBe('finite, integer, >= 1, <= 2147483647');
  });
});

describe('timeoutMs of the HTTP sources', () => {
  const url = 'http://127.0.0.1:9400/metrics';

  it.each(BAD_TIMEOUTS)(
    'createDcgmSource and createInferenceServerSource reject timeoutMs %s at construction',
    (timeoutMs) => {
      const dcgm = thrownError(() => createDcgmSource({ url, timeoutMs: timeoutMs as number }));
      const server = thrownError(() =>
        createInferenceServerSource({
          url,
          instanceId: 'llm/vllm-0',
          timeoutMs: timeoutMs as number,
        }),
      );

      for (const error of [dcgm, server]) {
        expect(error.code).toBe('invalid_config');
        expect(error.path).toEqual(['timeoutMs']);
      }
    },
  );

  it('a source built with the largest valid timeout reads to a result, never a rejection', async () => {
    const fakeFetch: typeof fetch = () =>
      Promise.resolve(new Response('DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-0"} 61\n'));
    const dcgm = createDcgmSource({ url, timeoutMs: MAX_TIMER_MS, fetch: fakeFetch });
    const vllm = createInferenceServerSource({
      url,
      instanceId: 'llm/vllm-0',
      kind: 'vllm',
      timeoutMs: MAX_TIMER_MS,
      fetch: () => Promise.resolve(new Response('vllm:num_requests_waiting 3\n')),
    });

    await expect(dcgm.read()).resolves.toHaveProperty('ok');
    await expect(vllm.read()).resolves.toHaveProperty('ok');
  });
});
