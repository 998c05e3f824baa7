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
    expect(
      r.ok && {
        load: r.value.load,
        latency: r.value.latency,
        labels: r.value.labels,
        gpus: r.value.gpus,
        problems: r.value.problems,
      },
    ).toEqual({
      load: { queueDepth: 6, inFlightRequests: 24, kvCacheUtilization: 0.731 },
      latency: {},
      labels: { model: 'meta-llama/Llama-3.1-8B-Instruct' },
      gpus: [],
      problems: [],
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

  it('Triton: the mean queue wait divides by successful requests only', () => {
    // Triton accumulates nv_inference_queue_duration_us over successful requests.
    const first = mapServerExposition('triton', page(fixture('triton.prom')), { sampledAtMs: AT });
    if (!first.ok) throw first.error;
    const later = fixture('triton.prom')
      .replace(
        'nv_inference_request_success{model="whisper_large",version="1"} 18422',
        'nv_inference_request_success{model="whisper_large",version="1"} 18522',
      )
      .replace(
        'nv_inference_request_failure{model="whisper_large",version="1"} 3',
        'nv_inference_request_failure{model="whisper_large",version="1"} 103',
      )
      .replace(
        'nv_inference_queue_duration_us{model="whisper_large",version="1"} 92110450',
        'nv_inference_queue_duration_us{model="whisper_large",version="1"} 93110450',
      );
    const second = mapServerExposition('triton', page(later), {
      sampledAtMs: AT + 10_000,
      previous: first.value.state,
    });
    // 1 s of queueing over 100 successes (the 100 failures do not count): 10 ms.
    expect(second.ok && second.value.latency).toEqual({ queueWaitMeanMs: 10 });
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

/**
 * A histogram family in text format, one series per `[labels, buckets, sum]`; `buckets` reads
 * `le=count` pairs separated by spaces, for example `'0.5=3 +Inf=4'`.
 */
function histogram(name: string, series: readonly (readonly [string, string, number])[]): string {
  const lines = [`# TYPE ${name} histogram`];
  for (const [labels, buckets, total] of series) {
    const sep = labels === '' ? '' : ',';
    let count = '0';
    for (const pair of buckets.split(' ')) {
      const [le, n] = pair.split('=') as [string, string];
      lines.push(`${name}_bucket{${labels}${sep}le="${le}"} ${n}`);
      count = n;
    }
    lines.push(`${name}_sum{${labels}} ${total}`, `${name}_count{${labels}} ${count}`);
  }
  return `${lines.join('\n')}\n`;
}

const VLLM_LOAD = [
  '# TYPE vllm:num_requests_waiting gauge',
  'vllm:num_requests_waiting{engine="0"} 5',
  '# TYPE vllm:num_requests_running gauge',
  'vllm:num_requests_running{engine="0"} 7',
  '# TYPE vllm:kv_cache_usage_perc gauge',
  'vllm:kv_cache_usage_perc{engine="0"} 0.5',
  '',
].join('\n');
const LOAD = { queueDepth: 5, inFlightRequests: 7, kvCacheUtilization: 0.5 };

const TTFT = 'vllm:time_to_first_token_seconds';
const E2E = 'vllm:e2e_request_latency_seconds';

function twoScrapes(before: string, after: string) {
  const first = mapServerExposition('vllm', page(before), { sampledAtMs: AT });
  if (!first.ok) throw first.error;
  const second = mapServerExposition('vllm', page(after), {
    sampledAtMs: AT + 15_000,
    previous: first.value.state,
  });
  if (!second.ok) throw second.error;
  return { first: first.value, second: second.value };
}

describe('inference server mapping: one bad family costs only what it feeds', () => {
  it('a non-monotone TTFT histogram drops TTFT only; load and e2e latency stay', () => {
    const brokenTtft = histogram(TTFT, [['engine="0"', '0.5=9 1=3 +Inf=9', 1]]);
    const { first, second } = twoScrapes(
      VLLM_LOAD + brokenTtft + histogram(E2E, [['engine="0"', '1=0 +Inf=0', 0]]),
      VLLM_LOAD + brokenTtft + histogram(E2E, [['engine="0"', '1=100 +Inf=100', 50]]),
    );
    for (const r of [first, second]) {
      expect(r.load).toEqual(LOAD);
      expect(r.problems).toEqual([
        'ttft latency left out: histogram vllm:time_to_first_token_seconds{"engine":"0"}: bucket counts decrease as le grows',
      ]);
    }
    expect(second.latency).toEqual({ e2eP50Ms: 500, e2eP95Ms: 950, e2eP99Ms: 990 });
  });

  it('an out-of-range KV-cache value drops that field only', () => {
    const text = VLLM_LOAD.replace('perc{engine="0"} 0.5', 'perc{engine="0"} 1.5');
    const r = mapServerExposition('vllm', page(text), { sampledAtMs: AT });
    expect(r.ok && [r.value.load, r.value.problems]).toEqual([
      { queueDepth: 5, inFlightRequests: 7 },
      [expect.stringMatching(/^load\.kvCacheUtilization 1\.5 left out: ./)],
    ]);
  });

  it('an out-of-range Triton GPU value drops that GPU field only', () => {
    const text = fixture('triton.prom').replace('} 0.870000', '} 87');
    const r = mapServerExposition('triton', page(text), { sampledAtMs: AT });
    if (!r.ok) throw r.error;
    expect(r.value.load).toEqual({ queueDepth: 4 });
    expect(r.value.gpus).toEqual([
      {
        gpuId: 'GPU-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
        memoryTotalBytes: 25757220864,
        memoryUsedBytes: 17448304640,
        powerW: 61.245,
        sampledAtMs: AT,
      },
    ]);
    expect(r.value.problems).toEqual([
      expect.stringMatching(
        /^GPU GPU-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d: utilization 87 left out/,
      ),
    ]);
  });

  it('an overflowing bucket bound (le="1e309") never yields an infinite latency', () => {
    const { second } = twoScrapes(
      VLLM_LOAD + histogram(TTFT, [['engine="0"', '0.5=0 1e309=0 +Inf=0', 0]]),
      VLLM_LOAD + histogram(TTFT, [['engine="0"', '0.5=1 1e309=100 +Inf=100', 1e308]]),
    );
    expect(second.latency).toEqual({});
    expect(second.load).toEqual(LOAD);
    expect(second.problems).toEqual([
      'ttft latency left out: histogram vllm:time_to_first_token_seconds{"engine":"0"}: a bucket bound before +Inf is Infinity',
    ]);
  });

  it('a histogram sum overflowing to +Inf does not matter: percentiles come from the buckets', () => {
    const { second } = twoScrapes(
      VLLM_LOAD +
        histogram(TTFT, [
          ['engine="0"', '1=0 +Inf=0', 1e308],
          ['engine="1"', '1=0 +Inf=0', 1e308],
        ]),
      VLLM_LOAD +
        histogram(TTFT, [
          ['engine="0"', '1=10 +Inf=10', 1.7e308],
          ['engine="1"', '1=10 +Inf=10', 1.7e308],
        ]),
    );
    expect(second.latency).toEqual({ ttftP50Ms: 500, ttftP95Ms: 950, ttftP99Ms: 990 });
    expect(second.problems).toEqual([]);
  });

  it('a negative bucket bound does not yield a negative latency', () => {
    const { second } = twoScrapes(
      histogram(TTFT, [['', '-1=0 +Inf=0', 0]]),
      histogram(TTFT, [['', '-1=10 +Inf=10', -20]]),
    );
    expect(second.latency).toEqual({});
    expect(second.problems).toEqual(
      ['ttftP50Ms', 'ttftP95Ms', 'ttftP99Ms'].map(
        (key) => `${key} from vllm:time_to_first_token_seconds is -1000: left out`,
      ),
    );
  });

  it('an overflowing Triton queue counter never yields an infinite mean', () => {
    const counters = (success: number, queueUs: string) =>
      [
        '# TYPE nv_inference_request_success counter',
        `nv_inference_request_success{model="a"} ${success}`,
        '# TYPE nv_inference_queue_duration_us counter',
        `nv_inference_queue_duration_us{model="a"} ${queueUs}`,
        `nv_inference_queue_duration_us{model="b"} ${queueUs}`,
        '',
      ].join('\n');
    const first = mapServerExposition('triton', page(counters(10, '1e307')), { sampledAtMs: AT });
    if (!first.ok) throw first.error;
    const second = mapServerExposition('triton', page(counters(20, '1.7e308')), {
      sampledAtMs: AT + 10_000,
      previous: first.value.state,
    });
    expect(second.ok && [second.value.latency, second.value.load]).toEqual([{}, {}]);
  });
});

describe('vLLM percentiles across engines', () => {
  it('differences each engine on its own, so a restarted engine does not hide the other', () => {
    // Between the scrapes engine 0 serves 100 requests in (0.25, 0.5]; engine 1 restarts (its
    // counts go down) and serves 100 requests in (0.5, 1] after the restart.
    const { second } = twoScrapes(
      VLLM_LOAD +
        histogram(TTFT, [
          ['engine="0"', '0.25=1000 0.5=1000 1=1000 +Inf=1000', 100],
          ['engine="1"', '0.25=5000 0.5=5000 1=5000 +Inf=5000', 500],
        ]),
      VLLM_LOAD +
        histogram(TTFT, [
          ['engine="0"', '0.25=1000 0.5=1100 1=1100 +Inf=1100', 137.5],
          ['engine="1"', '0.25=0 0.5=0 1=100 +Inf=100', 75],
        ]),
    );
    // 200 requests: 100 in (0.25, 0.5] and 100 in (0.5, 1]. Summing the engines before taking
    // the difference would see the sum go down and report all 1,200 cumulative requests.
    expect(second.problems).toEqual([]);
    expect(second.latency.ttftP50Ms).toBeCloseTo(500, 9);
    expect(second.latency.ttftP95Ms).toBeCloseTo(500 + 500 * 0.9, 9);
    expect(second.latency.ttftP99Ms).toBeCloseTo(500 + 500 * 0.98, 9);
  });

  it('counts a series that appears between scrapes from zero', () => {
    const { second } = twoScrapes(
      VLLM_LOAD + histogram(TTFT, [['engine="0"', '1=10 +Inf=10', 1]]),
      VLLM_LOAD +
        histogram(TTFT, [
          ['engine="0"', '1=10 +Inf=10', 1],
          ['engine="1"', '1=4 +Inf=4', 1],
        ]),
    );
    expect(second.latency.ttftP50Ms).toBeCloseTo(500, 9);
  });

  it('records a problem for a series whose bucket bounds differ, instead of dropping it silently', () => {
    const { second } = twoScrapes(
      VLLM_LOAD +
        histogram(TTFT, [
          ['engine="0"', '1=0 +Inf=0', 0],
          ['engine="1"', '2=0 +Inf=0', 0],
        ]),
      VLLM_LOAD +
        histogram(TTFT, [
          ['engine="0"', '1=10 +Inf=10', 5],
          ['engine="1"', '2=10 +Inf=10', 15],
        ]),
    );
    expect(second.latency.ttftP50Ms).toBeCloseTo(500, 9);
    expect(second.problems).toEqual([
      'histogram vllm:time_to_first_token_seconds{"engine":"1"}: bucket bounds differ from {"engine":"0"}; left out of the ttft percentiles',
    ]);
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
