import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isHeadroomError } from '@headroom/core';
import { histogramDelta, histogramQuantile, histogramSeries } from './histogram.js';
import { parsePrometheusText, type Exposition } from './parse.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../../../../shared/data/metrics/${name}`, import.meta.url), 'utf8');

function parsed(text: string, options?: Parameters<typeof parsePrometheusText>[1]): Exposition {
  const result = parsePrometheusText(text, options);
  if (!result.ok) throw result.error;
  return result.value;
}

function failure(text: string, options?: Parameters<typeof parsePrometheusText>[1]): string {
  const result = parsePrometheusText(text, options);
  expect(result.ok).toBe(false);
  if (result.ok) return '';
  expect(isHeadroomError(result.error, 'invalid_input')).toBe(true);
  return result.error.message;
}

describe('parsePrometheusText on the real exporter fixtures', () => {
  it('parses every family of the DCGM exporter page, labels intact', () => {
    const page = parsed(fixture('dcgm-exporter.prom'));
    expect(page.format).toBe('prometheus');
    expect([...page.families.keys()]).toEqual([
      'DCGM_FI_DEV_GPU_TEMP',
      'DCGM_FI_DEV_POWER_USAGE',
      'DCGM_FI_DEV_GPU_UTIL',
      'DCGM_FI_DEV_XID_ERRORS',
      'DCGM_FI_DEV_FB_FREE',
      'DCGM_FI_DEV_FB_USED',
      'DCGM_FI_DEV_ROW_REMAP_FAILURE',
      'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
    ]);
    expect(page.sampleCount).toBe(22);
    const temp = page.families.get('DCGM_FI_DEV_GPU_TEMP');
    expect(temp?.type).toBe('gauge');
    expect(temp?.help).toBe('GPU temperature (in C).');
    expect(temp?.samples[1]).toEqual({
      name: 'DCGM_FI_DEV_GPU_TEMP',
      labels: {
        gpu: '1',
        UUID: 'GPU-66666666-7777-8888-9999-000000000000',
        pci_bus_id: '00000000:2A:00.0',
        device: 'nvidia1',
        modelName: 'NVIDIA H100 80GB HBM3',
        GPU_I_PROFILE: '1g.10gb',
        GPU_I_ID: '7',
        Hostname: 'gpu-node-1',
        DCGM_FI_DRIVER_VERSION: '570.133.20',
      },
      value: 44,
    });
  });

  it('keeps the blank sentinel of the DCGM variant as a number for the mapper to judge', () => {
    const page = parsed(fixture('dcgm-exporter-variant.prom'));
    expect(page.families.get('DCGM_FI_DEV_GPU_TEMP')?.samples[0]?.value).toBe(2 ** 63); // 9223372036854775794 as a double
    expect(page.families.get('DCGM_FI_DEV_XID_ERRORS')?.samples[0]?.value).toBe(79);
  });

  it('groups vLLM histograms with their buckets, whatever the label order, and keeps every label', () => {
    const page = parsed(fixture('vllm.prom'));
    const ttft = page.families.get('vllm:time_to_first_token_seconds');
    expect(ttft?.type).toBe('histogram');
    expect(ttft?.samples).toHaveLength(10);
    expect(ttft?.samples[0]?.labels).toEqual({
      engine: '0',
      le: '0.02',
      model_name: 'meta-llama/Llama-3.1-8B-Instruct',
    });
    const series = histogramSeries(ttft!);
    expect(series.ok && series.value[0]).toMatchObject({
      count: 3402,
      sum: 421.77,
      labels: { engine: '0', model_name: 'meta-llama/Llama-3.1-8B-Instruct' },
    });
    if (series.ok) {
      const s = series.value[0]!;
      // rank 0.5 * 3402 = 1701 falls in (0.1, 0.25]: 0.1 + 0.15 * (1701 - 1630) / 1250
      expect(histogramQuantile(0.5, s)).toBeCloseTo(0.1 + (0.15 * 71) / 1250, 12);
      expect(histogramQuantile(1, s)).toBe(2.5);
    }
    expect(page.families.get('vllm:prompt_tokens_total')?.samples[0]?.value).toBe(1.2873e7);
  });

  it('parses the legacy vLLM, Triton and SGLang pages', () => {
    expect(
      parsed(fixture('vllm-legacy.prom')).families.get('vllm:gpu_cache_usage_perc')?.samples[0]
        ?.value,
    ).toBe(0.731);
    const triton = parsed(fixture('triton.prom'));
    // Triton's counters have no _total suffix: the family is the series name itself.
    expect(triton.families.get('nv_inference_queue_duration_us')).toMatchObject({
      type: 'counter',
      samples: [{ value: 92110450 }],
    });
    expect(triton.families.get('nv_gpu_memory_total_bytes')?.samples[0]?.value).toBe(25757220864);
    expect(
      parsed(fixture('sglang.prom')).families.get('sglang:token_usage')?.samples[0]?.value,
    ).toBe(0.64);
  });
});

describe('parsePrometheusText semantics', () => {
  it('resolves label escapes and accepts a trailing comma and spaces', () => {
    const page = parsed('m{path="C:\\\\dir",quote="say \\"hi\\"",nl="a\\nb" , } 1\n');
    expect(page.families.get('m')?.samples[0]?.labels).toEqual({
      path: 'C:\\dir',
      quote: 'say "hi"',
      nl: 'a\nb',
    });
  });

  it('reads NaN, +Inf, -Inf, exponents and integer timestamps', () => {
    const page = parsed('a NaN\nb +Inf\nc -Inf 1700000000000\nd 1.5e-3\ne -0\n');
    const v = (n: string) => page.families.get(n)?.samples[0];
    expect(v('a')?.value).toBeNaN();
    expect(v('b')?.value).toBe(Number.POSITIVE_INFINITY);
    expect(v('c')).toMatchObject({
      value: Number.NEGATIVE_INFINITY,
      timestampMs: 1_700_000_000_000,
    });
    expect(v('d')?.value).toBe(0.0015);
    expect(page.families.get('a')?.type).toBe('untyped');
  });

  it('parses summaries with quantile labels and _created series', () => {
    const page = parsed(
      '# TYPE rpc summary\nrpc{quantile="0.5"} 0.2\nrpc{quantile="0.99"} 1.1\nrpc_sum 40\nrpc_count 100\nrpc_created 1.7e9\n',
    );
    expect(page.families.get('rpc')?.samples.map((s) => s.name)).toEqual([
      'rpc',
      'rpc',
      'rpc_sum',
      'rpc_count',
      'rpc_created',
    ]);
  });

  it('parses OpenMetrics: counters without _total in TYPE, seconds timestamps, exemplars, units, # EOF', () => {
    const text = [
      '# TYPE requests counter',
      '# UNIT requests requests',
      '# HELP requests Requests served.',
      'requests_total{code="200"} 1027 1700000000.5 # {trace_id="abc"} 1 1700000000.25',
      'requests_created{code="200"} 1699990000',
      '# TYPE lat histogram',
      'lat_bucket{le="0.1"} 1',
      'lat_bucket{le="+Inf"} 2',
      'lat_sum 0.3',
      'lat_count 2',
      '# EOF',
      '',
    ].join('\n');
    const page = parsed(text);
    expect(page.format).toBe('openmetrics');
    expect(page.families.get('requests')).toMatchObject({
      type: 'counter',
      unit: 'requests',
      help: 'Requests served.',
    });
    expect(page.families.get('requests')?.samples[0]).toEqual({
      name: 'requests_total',
      labels: { code: '200' },
      value: 1027,
      timestampMs: 1_700_000_000_500,
      exemplar: { labels: { trace_id: 'abc' }, value: 1, timestampMs: 1_700_000_000_250 },
    });
  });

  it('computes a histogram over the window between two scrapes, and survives a counter reset', () => {
    const at = (counts: number[]) =>
      histogramSeries(
        parsed(
          `# TYPE h histogram\nh_bucket{le="1"} ${counts[0]}\nh_bucket{le="2"} ${counts[1]}\nh_bucket{le="+Inf"} ${counts[2]}\nh_sum 1\nh_count ${counts[2]}\n`,
        ).families.get('h')!,
      );
    const before = at([10, 20, 20]);
    const after = at([10, 30, 40]);
    if (!before.ok || !after.ok) throw new Error('fixture');
    const delta = histogramDelta(before.value[0], after.value[0]!);
    expect(delta.buckets.map((b) => b.count)).toEqual([0, 10, 20]);
    expect(histogramQuantile(0.5, delta)).toBe(2); // half of 20 falls at the top of (1, 2]
    expect(histogramQuantile(0.9, delta)).toBe(2); // in +Inf: the largest finite bound
    const reset = at([1, 1, 1]);
    if (!reset.ok) throw new Error('fixture');
    expect(histogramDelta(after.value[0], reset.value[0]!)).toBe(reset.value[0]);
  });

  it.each([
    ['m{a="1" 1\n', /line 1.*expected ',' or '}'/],
    ['m{a=1} 1\n', /line 1.*expected '"'/],
    ['m{a="\\x"} 1\n', /invalid escape/],
    ['m{a="1",a="2"} 1\n', /duplicate label "a"/],
    ['m 1\nm 2\n', /line 2: duplicate series/],
    ['m one\n', /invalid value "one"/],
    ['m 1 soon\n', /invalid timestamp/],
    ['m\n', /expected a space before the value/],
    ['1m 1\n', /expected a metric name/],
    ['# TYPE m gauge\n# TYPE m counter\n', /line 2: second # TYPE/],
    ['m 1\n# TYPE m gauge\n', /line 2: # TYPE for "m" after its samples/],
    ['# TYPE m flux\n', /unknown metric type "flux"/],
    ['# TYPE h histogram\nh_bucket 1\n', /no "le" label/],
    ['# TYPE h histogram\nh_bucket{le="x"} 1\n', /invalid "le"/],
    ['# TYPE h histogram\nh 1\n', /needs a suffix/],
    ['# TYPE s summary\ns 1\n', /no "quantile" label/],
    ['m 1 2 3\n', /unexpected text after the value/],
    ['m{a="unterminated} 1\n', /unterminated/],
  ])('rejects %j naming the line', (text, message) => {
    expect(failure(text)).toMatch(message);
  });

  it('rejects OpenMetrics violations', () => {
    expect(failure('a 1\n\nb 2\n# EOF\n')).toMatch(/line 2: empty line/);
    expect(failure('a 1\n# EOF\nb 2\n', { format: 'openmetrics' })).toMatch(/content after # EOF/);
    expect(failure('a 1\n', { format: 'openmetrics' })).toMatch(/does not end with # EOF/);
    expect(failure('a 1\nb 1\na{x="1"} 2\n# EOF\n')).toMatch(
      /line 3: metric family "a" is not contiguous/,
    );
  });

  it('accepts CRLF line endings, blank lines and free comments in the text format', () => {
    const page = parsed('# a comment\r\n\r\nm{a="b"} 3\r\n');
    expect(page.families.get('m')?.samples[0]?.value).toBe(3);
  });

  it('never returns part of a page: one bad line fails the whole parse', () => {
    const good = fixture('vllm.prom');
    const lines = good.split('\n');
    lines.splice(20, 0, 'vllm:broken{engine="0" 1');
    const result = parsePrometheusText(lines.join('\n'));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.path).toEqual(['line', 21]);
  });
});
