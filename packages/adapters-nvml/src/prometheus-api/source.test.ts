import { isHeadroomError, type HeadroomError, type Result } from '@headroom/core';
import { ManualClock } from '@headroom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  startCannedServer,
  vectorBody,
  type CannedResponse,
  type CannedServer,
} from '../../test/support/canned-http.js';
import { DEFAULT_PROM_QUERIES, createPrometheusSource } from './index.js';

const MiB = 1_048_576;
const NOW_MS = 1_700_000_000_000;

function series(pairs: readonly [Record<string, string>, string][]): CannedResponse {
  return { body: vectorBody(pairs.map(([metric, value]) => ({ metric, value }))) };
}

/** Answers the first route whose text occurs in the query; an empty vector otherwise. */
function routes(table: readonly [string, CannedResponse][]): (url: URL) => CannedResponse {
  return (url) => {
    const query = url.searchParams.get('query') ?? '';
    for (const [text, response] of table) if (query.includes(text)) return response;
    return { body: vectorBody([]) };
  };
}

function expectError<T>(result: Result<T>, code: HeadroomError['code']): HeadroomError {
  if (result.ok) throw new Error('expected an error');
  expect(isHeadroomError(result.error, code), result.error.message).toBe(true);
  return result.error;
}

const a = { namespace: 'llm', pod: 'vllm-a' };
const b = { namespace: 'llm', pod: 'vllm-b' };

describe('createPrometheusSource against a canned Prometheus HTTP API', () => {
  let server: CannedServer;
  beforeAll(async () => {
    server = await startCannedServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('joins the queries by instance labels into observations, leaving unknowns undefined', async () => {
    // Arrange
    server.setHandler(
      routes([
        [
          'DCGM_FI_DEV_GPU_UTIL',
          series([
            [a, '0.97'],
            [{}, '0.43'],
          ]),
        ],
        ['DCGM_FI_DEV_FB_FREE', series([[a, String(81_517 * MiB)]])],
        ['DCGM_FI_DEV_FB_USED', series([[a, String(78_106 * MiB)]])],
        [
          'vllm:num_requests_waiting',
          series([
            [a, '6'],
            [b, '2'],
          ]),
        ],
        [
          'vllm:num_requests_running',
          series([
            [a, '24'],
            [b, 'NaN'],
          ]),
        ],
        ['vllm:kv_cache_usage_perc', series([[a, '0.731']])],
        [
          'histogram_quantile(0.99, sum by (le, namespace, pod) (rate(vllm:time_to_first_token',
          series([[a, '250']]),
        ],
        [
          'histogram_quantile(0.5, sum by (le, namespace, pod) (rate(vllm:time_to_first_token',
          series([[a, 'NaN']]),
        ],
      ]),
    );
    const source = createPrometheusSource({
      baseUrl: server.baseUrl,
      clock: new ManualClock(NOW_MS),
    });

    // Act
    const result = await source.read();

    // Assert
    expect(result).toEqual({
      ok: true,
      value: [
        {
          instanceId: 'llm/vllm-a',
          observedAtMs: NOW_MS,
          labels: { extra: a },
          load: { queueDepth: 6, inFlightRequests: 24, kvCacheUtilization: 0.731 },
          latency: { ttftP99Ms: 250 },
          gpus: [
            {
              gpuId: 'llm/vllm-a:aggregate',
              utilization: 0.97,
              memoryUsedBytes: 78_106 * MiB,
              memoryTotalBytes: 81_517 * MiB,
              sampledAtMs: NOW_MS,
            },
          ],
        },
        {
          instanceId: 'llm/vllm-b',
          observedAtMs: NOW_MS,
          labels: { extra: b },
          load: { queueDepth: 2 },
        },
      ],
    });
    const observationB = result.ok ? result.value[1] : undefined;
    expect(observationB?.load?.inFlightRequests).toBeUndefined();
    expect(observationB && 'gpus' in observationB).toBe(false);
    expect(source.stats()).toEqual({
      reads: 1,
      failedReads: 0,
      droppedNonFiniteSamples: 2,
      droppedUnattributedSeries: 1,
      droppedOutOfRangeValues: 0,
    });
    expect(server.requests).toHaveLength(Object.keys(DEFAULT_PROM_QUERIES).length);
    for (const request of server.requests) {
      const query = request.searchParams.get('query') ?? '';
      expect(request.searchParams.get('time')).toBe('1700000000.000');
      expect(query).not.toContain('{{');
      expect(query).toContain('by (');
    }
    const sent = server.requests.map((r) => r.searchParams.get('query'));
    expect(sent).toContain(
      'histogram_quantile(0.99, sum by (le, namespace, pod) (rate(vllm:time_to_first_token_seconds_bucket[1m]))) * 1000',
    );
    expect(sent).toContain(
      'max by (namespace, pod) (vllm:kv_cache_usage_perc) or max by (namespace, pod) (vllm:gpu_cache_usage_perc)',
    );
  });

  it('renders custom instance labels, window and templates, and skips disabled queries', async () => {
    server.setHandler(routes([['my_queue', series([[{ pod: 'p1' }, '4']])]]));
    const source = createPrometheusSource({
      baseUrl: server.baseUrl,
      instanceLabels: ['pod'],
      rangeWindow: '30s',
      queries: { queueDepth: 'sum by ({{by}}) (my_queue)', e2eP50Ms: '', e2eP95Ms: '' },
      clock: new ManualClock(NOW_MS),
    });
    const result = await source.read();
    expect(result).toEqual({
      ok: true,
      value: [
        {
          instanceId: 'p1',
          observedAtMs: NOW_MS,
          labels: { extra: { pod: 'p1' } },
          load: { queueDepth: 4 },
        },
      ],
    });
    const sent = server.requests.map((r) => r.searchParams.get('query') ?? '');
    expect(sent).toHaveLength(Object.keys(DEFAULT_PROM_QUERIES).length - 2);
    expect(sent).toContain('sum by (pod) (my_queue)');
    expect(sent.some((q) => q.includes('rate(vllm:time_to_first_token_seconds_bucket[30s])'))).toBe(
      true,
    );
  });

  it('skips values outside their domain and counts them', async () => {
    server.setHandler(
      routes([
        ['DCGM_FI_DEV_GPU_UTIL', series([[a, '1.5']])],
        ['vllm:num_requests_waiting', series([[a, '2.5']])],
        ['vllm:num_requests_running', series([[a, '3']])],
      ]),
    );
    const source = createPrometheusSource({
      baseUrl: server.baseUrl,
      clock: new ManualClock(NOW_MS),
    });
    const result = await source.read();
    expect(result.ok && result.value).toEqual([
      {
        instanceId: 'llm/vllm-a',
        observedAtMs: NOW_MS,
        labels: { extra: a },
        load: { inFlightRequests: 3 },
      },
    ]);
    expect(source.stats().droppedOutOfRangeValues).toBe(2);
  });

  it('fails the whole read when one query fails, naming the query', async () => {
    server.setHandler(
      routes([
        [
          'vllm:num_requests_waiting',
          {
            status: 422,
            body: { status: 'error', errorType: 'execution', error: 'too many samples' },
          },
        ],
      ]),
    );
    const source = createPrometheusSource({ baseUrl: server.baseUrl });
    const error = expectError(await source.read(), 'invalid_input');
    expect(error.path).toEqual(['queries', 'queueDepth']);
    expect(error.message).toContain('query queueDepth');
    expect(error.message).toContain('too many samples');
    expect(source.stats()).toMatchObject({ reads: 1, failedReads: 1 });
  });

  it('rejects a query that returns two series for one instance', async () => {
    server.setHandler(
      routes([
        [
          'vllm:num_requests_waiting',
          series([
            [{ ...a, engine: '0' }, '1'],
            [{ ...a, engine: '1' }, '2'],
          ]),
        ],
      ]),
    );
    const source = createPrometheusSource({ baseUrl: server.baseUrl });
    const error = expectError(await source.read(), 'invalid_input');
    expect(error.message).toContain('more than one series for instance llm/vllm-a');
  });

  it('reports a hanging server as a timeout within timeoutMs', async () => {
    server.setHandler(() => ({ hang: 'headers' }));
    const source = createPrometheusSource({ baseUrl: server.baseUrl, timeoutMs: 150 });
    const error = expectError(await source.read(), 'timeout');
    expect(error.message).toContain('query gpuUtilization');
  });

  it('reports an aborted read as a timeout', async () => {
    server.setHandler(() => ({ hang: 'headers' }));
    const source = createPrometheusSource({ baseUrl: server.baseUrl });
    expectError(await source.read({ signal: AbortSignal.abort() }), 'timeout');
  });

  it('reports a refused connection as unavailable', async () => {
    const port = await freePort();
    const source = createPrometheusSource({ baseUrl: `http://127.0.0.1:${port}` });
    expectError(await source.read(), 'unavailable');
  });

  it.each([
    ['baseUrl', { baseUrl: 'localhost:9090' }],
    ['baseUrl', { baseUrl: 'http://p:9090/?x=1' }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['timeoutMs', { timeoutMs: 1.5 }],
    ['instanceLabels', { instanceLabels: [] }],
    ['instanceLabels', { instanceLabels: ['pod', 'pod'] }],
    ['instanceLabels', { instanceLabels: ['le'] }],
    ['instanceLabels', { instanceLabels: ['bad-label'] }],
    ['rangeWindow', { rangeWindow: '1 minute' }],
    ['rangeWindow', { rangeWindow: '0s' }],
    ['queries', { queries: { nope: 'up' } }],
    ['queries', { queries: { queueDepth: 3 } }],
    [
      'queries',
      {
        queries: Object.fromEntries(Object.keys(DEFAULT_PROM_QUERIES).map((name) => [name, ''])),
      },
    ],
    ['concurrency', { concurrency: 0 }],
    ['clock', { clock: {} }],
  ])('throws invalid_config for a bad %s', (field, overrides) => {
    const options = { baseUrl: 'http://127.0.0.1:9090', ...overrides } as unknown as Parameters<
      typeof createPrometheusSource
    >[0];
    let thrown: unknown;
    try {
      createPrometheusSource(options);
    } catch (error) {
      thrown = error;
    }
    expect(isHeadroomError(thrown, 'invalid_config')).toBe(true);
    expect((thrown as HeadroomError).path[0]).toBe(field);
  });

  it('ships default queries with the documented fallbacks', () => {
    expect(DEFAULT_PROM_QUERIES.gpuUtilization).toContain('DCGM_FI_DEV_GPU_UTIL) / 100');
    expect(DEFAULT_PROM_QUERIES.gpuUtilization).toContain(
      'or avg by ({{by}}) (DCGM_FI_PROF_GR_ENGINE_ACTIVE)',
    );
    expect(DEFAULT_PROM_QUERIES.kvCacheUtilization).toContain('vllm:gpu_cache_usage_perc');
    expect(Object.isFrozen(DEFAULT_PROM_QUERIES)).toBe(true);
  });
});
