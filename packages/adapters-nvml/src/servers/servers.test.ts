import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@headroom/core/testing';
import { parsePrometheusText, type Exposition } from '../prometheus/parse.js';
import { detectServerKind, mapServerExposition } from './map.js';
import { createInferenceServerSource } from './source.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../../../../shared/data/metrics/${name}`, import.meta.url), 'utf8');
const page = (text: string): Exposition => {
  const r = parsePrometheusText(text);
  if (!r.ok) throw r.error;
  return r.value;
};
const AT = 1_764_000_000_000;

describe('inference server mapping on the fixtures', () => {
  it('vLLM: queue, running, KV-cache and model; no latency on the first scrape', () => {
    const exposition = page(fixture('vllm.prom'));
    expect(detectServerKind(exposition)).toBe('vllm');
    const r = mapServerExposition('vllm', exposition, { sampledAtMs: AT });
    expect(
      r.ok && {
        load: r.value.load,
        latency: r.value.latency,
        labels: r.value.labels,
        gpus: r.value.gpus,
      },
    ).toEqual({
      load: { queueDepth: 6, inFlightRequests: 24, kvCacheUtilization: 0.731 },
      latency: {},
      labels: { model: 'meta-llama/Llama-3.1-8B-Instruct' },
      gpus: [],
    });
  });

  it('vLLM before 0.9.2: falls back to vllm:gpu_cache_usage_perc', () => {
    const r = mapServerExposition('vllm', page(fixture('vllm-legacy.prom')), { sampledAtMs: AT });
    expect(r.ok && r.value.load).toEqual({
      queueDepth: 6,
      inFlightRequests: 24,
      kvCacheUtilization: 0.731,
    });
  });

  it('vLLM: TTFT and e2e percentiles over the interval between two scrapes', () => {
    const first = mapServerExposition('vllm', page(fixture('vllm.prom')), { sampledAtMs: AT });
    if (!first.ok) throw first.error;
    // 100 more requests, all with TTFT in (0.25, 0.5] and e2e in (1, 5].
    const later = fixture('vllm.prom')
      .replace(
        'le="0.5",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3312.0',
        'le="0.5",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3412.0',
      )
      .replace(
        'le="1.0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3390.0',
        'le="1.0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3490.0',
      )
      .replace(
        'le="2.5",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3401.0',
        'le="2.5",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3501.0',
      )
      .replace(
        /time_to_first_token_seconds_bucket\{engine="0",le="\+Inf",model_name="meta-llama\/Llama-3.1-8B-Instruct"\} 3402.0/,
        'time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3502.0',
      )
      .replace(
        'time_to_first_token_seconds_count{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3402.0',
        'time_to_first_token_seconds_count{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3502.0',
      )
      .replace(
        'le="5.0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 2204.0',
        'le="5.0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 2304.0',
      )
      .replace(
        'le="10.0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3120.0',
        'le="10.0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3220.0',
      )
      .replace(
        /e2e_request_latency_seconds_bucket\{engine="0",le="\+Inf",model_name="meta-llama\/Llama-3.1-8B-Instruct"\} 3380.0/,
        'e2e_request_latency_seconds_bucket{engine="0",le="+Inf",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3480.0',
      )
      .replace(
        'e2e_request_latency_seconds_count{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3380.0',
        'e2e_request_latency_seconds_count{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3480.0',
      );
    const second = mapServerExposition('vllm', page(later), {
      sampledAtMs: AT + 15_000,
      previous: first.value.state,
    });
    if (!second.ok) throw second.error;
    expect(second.value.latency.ttftP50Ms).toBeCloseTo(375, 9); // midpoint of (250, 500] ms
    expect(second.value.latency.ttftP99Ms).toBeCloseTo(250 + 250 * 0.99, 9);
    expect(second.value.latency.e2eP50Ms).toBeCloseTo(3000, 9);
  });

  it('Triton: pending requests, mean queue wait between scrapes, and its own GPU samples', () => {
    const first = mapServerExposition('triton', page(fixture('triton.prom')), { sampledAtMs: AT });
    if (!first.ok) throw first.error;
    expect(first.value.load).toEqual({ queueDepth: 4 });
    expect(first.value.labels).toEqual({ model: 'whisper_large' });
    expect(first.value.gpus).toEqual([
      {
        gpuId: 'GPU-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
        utilization: 0.87,
        memoryTotalBytes: 25757220864,
        memoryUsedBytes: 17448304640,
        powerW: 61.245,
        sampledAtMs: AT,
      },
    ]);
    const later = fixture('triton.prom')
      .replace(
        'nv_inference_request_success{model="whisper_large",version="1"} 18422',
        'nv_inference_request_success{model="whisper_large",version="1"} 18522',
      )
      .replace(
        'nv_inference_queue_duration_us{model="whisper_large",version="1"} 92110450',
        'nv_inference_queue_duration_us{model="whisper_large",version="1"} 92310450',
      );
    const second = mapServerExposition('triton', page(later), {
      sampledAtMs: AT + 10_000,
      previous: first.value.state,
    });
    expect(second.ok && second.value.latency).toEqual({ queueWaitMeanMs: 2 }); // 200,000 us over 100 requests
  });

  it('SGLang: queue, running and token usage as KV-cache use', () => {
    const exposition = page(fixture('sglang.prom'));
    expect(detectServerKind(exposition)).toBe('sglang');
    const r = mapServerExposition('sglang', exposition, { sampledAtMs: AT });
    expect(r.ok && [r.value.load, r.value.labels]).toEqual([
      { queueDepth: 37, inFlightRequests: 112, kvCacheUtilization: 0.64 },
      { model: 'Qwen/Qwen3-32B' },
    ]);
  });

  it('TGI: queue size and batch size', () => {
    const exposition = page(
      '# TYPE tgi_queue_size gauge\ntgi_queue_size 3\n# TYPE tgi_batch_current_size gauge\ntgi_batch_current_size 8\n',
    );
    expect(detectServerKind(exposition)).toBe('tgi');
    const r = mapServerExposition('tgi', exposition, { sampledAtMs: AT });
    expect(r.ok && r.value.load).toEqual({ queueDepth: 3, inFlightRequests: 8 });
  });
});

describe('createInferenceServerSource over HTTP (loopback)', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      const body =
        req.url === '/sglang'
          ? fixture('sglang.prom')
          : req.url === '/none'
            ? 'up 1\n'
            : fixture('vllm.prom');
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('detects the server and reports one observation for the instance', async () => {
    const source = createInferenceServerSource({
      url: `${base}/metrics`,
      instanceId: 'llm/vllm-0',
      clock: new ManualClock(AT),
    });
    const result = await source.read();
    expect(result.ok && result.value).toEqual([
      {
        instanceId: 'llm/vllm-0',
        observedAtMs: AT,
        load: { queueDepth: 6, inFlightRequests: 24, kvCacheUtilization: 0.731 },
        labels: { model: 'meta-llama/Llama-3.1-8B-Instruct' },
      },
    ]);
    const sglang = await createInferenceServerSource({
      url: `${base}/sglang`,
      instanceId: 'x',
      kind: 'sglang',
    }).read();
    expect(sglang.ok && sglang.value[0]?.load?.queueDepth).toBe(37);
  });

  it('says so when the page is not an inference server', async () => {
    const result = await createInferenceServerSource({
      url: `${base}/none`,
      instanceId: 'x',
    }).read();
    expect(!result.ok && result.error.message).toMatch(/no vLLM, Triton, SGLang or TGI metrics/);
  });

  it('rejects bad options at construction', () => {
    expect(() => createInferenceServerSource({ url: base, instanceId: '' })).toThrow(
      /invalid_config at instanceId/,
    );
    expect(() =>
      createInferenceServerSource({ url: base, instanceId: 'x', kind: 'ollama' as never }),
    ).toThrow(/invalid_config at kind/);
  });
});
