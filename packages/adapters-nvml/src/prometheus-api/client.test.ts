import { isHeadroomError, type HeadroomError, type Result } from '@headroom/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  startCannedServer,
  vectorBody,
  type CannedServer,
} from '../../test/support/canned-http.js';
import { queryInstant, queryInstantDetailed } from './index.js';

function expectError<T>(result: Result<T>, code: HeadroomError['code']): HeadroomError {
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('expected an error');
  expect(isHeadroomError(result.error, code), result.error.message).toBe(true);
  return result.error;
}

describe('queryInstant against a canned Prometheus HTTP API', () => {
  let server: CannedServer;
  beforeAll(async () => {
    server = await startCannedServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('returns the samples of a vector and sends query, time (seconds) and timeout', async () => {
    // Arrange
    server.setHandler(() => ({
      body: vectorBody([
        { metric: { namespace: 'llm', pod: 'a' }, value: '6' },
        { metric: { namespace: 'llm', pod: 'b' }, value: '0.731' },
      ]),
    }));

    // Act
    const result = await queryInstant({
      baseUrl: server.baseUrl,
      query: 'sum by (namespace, pod) (vllm:num_requests_waiting)',
      timeMs: 1_700_000_000_250,
      timeoutMs: 2_000,
    });

    // Assert
    expect(result).toEqual({
      ok: true,
      value: [
        { labels: { namespace: 'llm', pod: 'a' }, value: 6, timestampMs: 1_700_000_000_000 },
        { labels: { namespace: 'llm', pod: 'b' }, value: 0.731, timestampMs: 1_700_000_000_000 },
      ],
    });
    const request = server.requests[0];
    expect(request?.pathname).toBe('/api/v1/query');
    expect(request?.searchParams.get('query')).toBe(
      'sum by (namespace, pod) (vllm:num_requests_waiting)',
    );
    expect(request?.searchParams.get('time')).toBe('1700000000.250');
    expect(request?.searchParams.get('timeout')).toBe('2000ms');
  });

  it('resolves api/v1/query below a base URL path prefix', async () => {
    server.setHandler(() => ({ body: vectorBody([]) }));
    const result = await queryInstant({
      baseUrl: `${server.baseUrl}prometheus`,
      query: 'up',
      timeoutMs: 2_000,
    });
    expect(result).toEqual({ ok: true, value: [] });
    expect(server.requests[0]?.pathname).toBe('/prometheus/api/v1/query');
    expect(server.requests[0]?.searchParams.has('time')).toBe(false);
  });

  it('returns a scalar as one sample without labels', async () => {
    server.setHandler(() => ({
      body: { status: 'success', data: { resultType: 'scalar', result: [1_700_000_000.5, '42'] } },
    }));
    const result = await queryInstantDetailed({
      baseUrl: server.baseUrl,
      query: 'scalar(up)',
      timeoutMs: 2_000,
    });
    expect(result).toEqual({
      ok: true,
      value: {
        resultType: 'scalar',
        samples: [{ labels: {}, value: 42, timestampMs: 1_700_000_000_500 }],
        droppedNonFiniteSamples: 0,
      },
    });
  });

  it('drops NaN and infinite samples as missing and counts them', async () => {
    server.setHandler(() => ({
      body: vectorBody([
        { metric: { pod: 'a' }, value: 'NaN' },
        { metric: { pod: 'b' }, value: '+Inf' },
        { metric: { pod: 'c' }, value: '-Inf' },
        { metric: { pod: 'd' }, value: '1.5e+03' },
      ]),
    }));
    const detailed = await queryInstantDetailed({
      baseUrl: server.baseUrl,
      query: 'x',
      timeoutMs: 2_000,
    });
    const plain = await queryInstant({ baseUrl: server.baseUrl, query: 'x', timeoutMs: 2_000 });
    expect(detailed.ok && detailed.value.droppedNonFiniteSamples).toBe(3);
    expect(plain.ok && plain.value.map((s) => [s.labels['pod'], s.value])).toEqual([['d', 1500]]);
  });

  it.each([
    [400, 'bad_data', 'invalid_input'],
    [422, 'execution', 'invalid_input'],
    [429, 'rate_limited', 'rate_limited'],
    [503, 'timeout', 'unavailable'],
    [500, 'internal', 'unavailable'],
    [404, 'not_found', 'not_found'],
  ] as const)(
    'maps HTTP %i (%s) to %s with Prometheus error in the message',
    async (status, errorType, code) => {
      server.setHandler(() => ({
        status,
        body: { status: 'error', errorType, error: `boom ${status}` },
      }));
      const result = await queryInstant({ baseUrl: server.baseUrl, query: 'up', timeoutMs: 2_000 });
      const error = expectError(result, code);
      expect(error.message).toContain(`HTTP ${status}`);
      expect(error.message).toContain(`${errorType}: boom ${status}`);
    },
  );

  it('reports a PromQL syntax error (400 bad_data) as invalid_input with the parser message', async () => {
    server.setHandler(() => ({
      status: 400,
      body: {
        status: 'error',
        errorType: 'bad_data',
        error: 'invalid parameter "query": 1:5: parse error: unexpected <by>',
      },
    }));
    const error = expectError(
      await queryInstant({ baseUrl: server.baseUrl, query: 'sum( by', timeoutMs: 2_000 }),
      'invalid_input',
    );
    expect(error.message).toContain('parse error');
  });

  it('rejects malformed JSON and malformed samples as invalid_input', async () => {
    server.setHandler(() => ({ body: '{"status":"success","data":' }));
    expectError(
      await queryInstant({ baseUrl: server.baseUrl, query: 'up', timeoutMs: 2_000 }),
      'invalid_input',
    );
    server.setHandler(() => ({ body: vectorBody([{ metric: { pod: 'a' }, value: '' }]) }));
    expectError(
      await queryInstant({ baseUrl: server.baseUrl, query: 'up', timeoutMs: 2_000 }),
      'invalid_input',
    );
  });

  it('never returns a partial response: warnings make an unavailable error', async () => {
    server.setHandler(() => ({
      body: vectorBody([{ metric: { pod: 'a' }, value: '1' }], 1, {
        warnings: ['remote store eu-1 unreachable'],
      }),
    }));
    const error = expectError(
      await queryInstant({ baseUrl: server.baseUrl, query: 'up', timeoutMs: 2_000 }),
      'unavailable',
    );
    expect(error.message).toContain('remote store eu-1 unreachable');
  });

  it('accepts only vector and scalar results', async () => {
    server.setHandler(() => ({
      body: { status: 'success', data: { resultType: 'matrix', result: [] } },
    }));
    const error = expectError(
      await queryInstant({ baseUrl: server.baseUrl, query: 'up[5m]', timeoutMs: 2_000 }),
      'invalid_input',
    );
    expect(error.message).toContain('matrix');
  });

  it('caps the response size, declared or streamed', async () => {
    const big = vectorBody(
      Array.from({ length: 200 }, (_, i) => ({ metric: { pod: `p${i}` }, value: '1' })),
    );
    server.setHandler(() => ({ body: big }));
    const declared = await queryInstant({
      baseUrl: server.baseUrl,
      query: 'up',
      timeoutMs: 2_000,
      maxResponseBytes: 1_024,
    });
    expect(expectError(declared, 'invalid_input').message).toContain('exceeds 1024 bytes');

    // No content-length: the cap applies while streaming.
    server.setHandler(() => ({ body: big, headers: { 'transfer-encoding': 'chunked' } }));
    expectError(
      await queryInstant({
        baseUrl: server.baseUrl,
        query: 'up',
        timeoutMs: 2_000,
        maxResponseBytes: 1_024,
      }),
      'invalid_input',
    );
  });

  it('times out on a server that never answers, and on a body that stalls', async () => {
    server.setHandler(() => ({ hang: 'headers' }));
    const noAnswer = await queryInstant({ baseUrl: server.baseUrl, query: 'up', timeoutMs: 150 });
    expect(expectError(noAnswer, 'timeout').message).toContain('150 ms');

    server.setHandler(() => ({ hang: 'body', body: vectorBody([]) }));
    expectError(
      await queryInstant({ baseUrl: server.baseUrl, query: 'up', timeoutMs: 150 }),
      'timeout',
    );
  });

  it('reports an abort by the caller as a timeout', async () => {
    server.setHandler(() => ({ hang: 'headers' }));
    const controller = new AbortController();
    const pending = queryInstant({
      baseUrl: server.baseUrl,
      query: 'up',
      timeoutMs: 10_000,
      signal: controller.signal,
    });
    controller.abort();
    expect(expectError(await pending, 'timeout').message).toContain('aborted');
    const already = await queryInstant({
      baseUrl: server.baseUrl,
      query: 'up',
      timeoutMs: 10_000,
      signal: AbortSignal.abort(),
    });
    expectError(already, 'timeout');
  });

  it('reports a refused connection as unavailable', async () => {
    const port = await freePort();
    const error = expectError(
      await queryInstant({ baseUrl: `http://127.0.0.1:${port}`, query: 'up', timeoutMs: 2_000 }),
      'unavailable',
    );
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('returns invalid_argument for bad options instead of throwing', async () => {
    const bad = [
      { baseUrl: 'not a url', query: 'up', timeoutMs: 1_000 },
      { baseUrl: 'ftp://host', query: 'up', timeoutMs: 1_000 },
      { baseUrl: server.baseUrl, query: '', timeoutMs: 1_000 },
      { baseUrl: server.baseUrl, query: 'up', timeoutMs: 0 },
      { baseUrl: server.baseUrl, query: 'up', timeoutMs: 1_000, timeMs: Number.NaN },
      { baseUrl: server.baseUrl, query: 'up', timeoutMs: 1_000, maxResponseBytes: 0 },
    ];
    for (const options of bad) {
      expectError(await queryInstant(options), 'invalid_argument');
    }
  });

  it('returns invalid_argument for a fractional or oversized timeoutMs instead of rejecting', async () => {
    let fetched = 0;
    const fakeFetch: typeof fetch = () => {
      fetched += 1;
      return Promise.resolve(new Response(JSON.stringify(vectorBody([])), { status: 200 }));
    };
    for (const timeoutMs of [1.5, 1_500.5, 600_001, 2 ** 31, 2 ** 32]) {
      const error = expectError(
        await queryInstant({ baseUrl: server.baseUrl, query: 'up', timeoutMs, fetch: fakeFetch }),
        'invalid_argument',
      );
      expect(error.path).toEqual(['timeoutMs']);
      expect(error.value).toBe(timeoutMs);
    }
    expect(fetched).toBe(0);
  });

  it('uses an injected fetch', async () => {
    const calls: string[] = [];
    const fakeFetch: typeof fetch = async (input) => {
      calls.push(String(input));
      return new Response(JSON.stringify(vectorBody([{ metric: {}, value: '3' }])), {
        status: 200,
      });
    };
    const result = await queryInstant({
      baseUrl: 'http://prometheus.invalid:9090',
      query: 'up',
      timeoutMs: 1_000,
      fetch: fakeFetch,
    });
    expect(result.ok && result.value[0]?.value).toBe(3);
    expect(calls[0]).toMatch(/^http:\/\/prometheus\.invalid:9090\/api\/v1\/query\?query=up/);
  });
});
