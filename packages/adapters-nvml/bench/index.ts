// @headroom/adapters-nvml benchmarks: `npm run bench` from the repository root.
import { createRandom, type Random } from '@headroom/core';
import parsePrometheusTextFormat, { type PrometheusTextFamily } from 'parse-prometheus-text-format';
import { runComparisons, type Comparison } from '../../../tools/bench.js';
import { parsePrometheusText } from '@headroom/adapters-nvml';

const HOSTS = 32;
const GPUS_PER_HOST = 8;
const ENGINES = 45; // vLLM engines on the page (one per pod, as a federated scrape shows them)

const DCGM_FAMILIES: readonly [
  name: string,
  type: string,
  help: string,
  value: (r: Random) => string,
][] = [
  ['DCGM_FI_DEV_GPU_TEMP', 'gauge', 'GPU temperature (in C).', (r) => String(35 + r.nextInt(50))],
  [
    'DCGM_FI_DEV_POWER_USAGE',
    'gauge',
    'Power draw (in W).',
    (r) => (60 + 640 * r.nextFloat()).toFixed(6),
  ],
  ['DCGM_FI_DEV_GPU_UTIL', 'gauge', 'GPU utilization (in %).', (r) => String(r.nextInt(101))],
  [
    'DCGM_FI_DEV_MEM_COPY_UTIL',
    'gauge',
    'Memory utilization (in %).',
    (r) => String(r.nextInt(101)),
  ],
  [
    'DCGM_FI_DEV_FB_USED',
    'gauge',
    'Framebuffer memory used (in MiB).',
    (r) => String(r.nextInt(81_000)),
  ],
  [
    'DCGM_FI_DEV_FB_FREE',
    'gauge',
    'Framebuffer memory free (in MiB).',
    (r) => String(r.nextInt(81_000)),
  ],
  [
    'DCGM_FI_DEV_SM_CLOCK',
    'gauge',
    'SM clock frequency (in MHz).',
    (r) => String(1_000 + r.nextInt(980)),
  ],
  ['DCGM_FI_DEV_MEM_CLOCK', 'gauge', 'Memory clock frequency (in MHz).', () => '2619'],
  [
    'DCGM_FI_DEV_XID_ERRORS',
    'gauge',
    'Value of the last XID error encountered.',
    (r) => (r.nextInt(50) === 0 ? '79' : '0'),
  ],
  [
    'DCGM_FI_DEV_ECC_SBE_VOL_TOTAL',
    'counter',
    'Total number of single-bit volatile ECC errors.',
    (r) => String(r.nextInt(4)),
  ],
  [
    'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL',
    'counter',
    'Total number of double-bit volatile ECC errors.',
    () => '0',
  ],
  [
    'DCGM_FI_DEV_PCIE_REPLAY_COUNTER',
    'counter',
    'Total number of PCIe retries.',
    (r) => String(r.nextInt(10)),
  ],
];

const TTFT_BUCKETS = [
  '0.001',
  '0.005',
  '0.01',
  '0.02',
  '0.04',
  '0.06',
  '0.08',
  '0.1',
  '0.25',
  '0.5',
  '0.75',
  '1.0',
  '2.5',
  '5.0',
  '7.5',
  '10.0',
  '+Inf',
];
const E2E_BUCKETS = [
  '0.3',
  '0.5',
  '0.8',
  '1.0',
  '1.5',
  '2.0',
  '2.5',
  '5.0',
  '10.0',
  '15.0',
  '20.0',
  '30.0',
  '40.0',
  '50.0',
  '60.0',
  '+Inf',
];
const MODELS = [
  'meta-llama/Llama-3.1-8B-Instruct',
  'meta-llama/Llama-3.1-70B-Instruct',
  'Qwen/Qwen2.5-32B-Instruct',
];

function hex(random: Random, digits: number): string {
  let out = '';
  for (let i = 0; i < digits; i++) out += random.nextInt(16).toString(16);
  return out;
}

/** A DCGM exporter page for HOSTS × GPUS_PER_HOST GPUs and a federated vLLM page for ENGINES engines. */
function buildPage(): { text: string; series: number } {
  const random = createRandom(2026);
  const lines: string[] = [];
  let series = 0;

  const gpuLabels: string[] = [];
  for (let host = 0; host < HOSTS; host++) {
    for (let gpu = 0; gpu < GPUS_PER_HOST; gpu++) {
      const uuid = `GPU-${hex(random, 8)}-${hex(random, 4)}-${hex(random, 4)}-${hex(random, 4)}-${hex(random, 12)}`;
      const bus = (0x18 + gpu * 0x11).toString(16).toUpperCase().padStart(2, '0');
      const pod = `vllm-${hex(random, 9)}-${hex(random, 5)}`;
      gpuLabels.push(
        `gpu="${gpu}",UUID="${uuid}",pci_bus_id="00000000:${bus}:00.0",device="nvidia${gpu}",` +
          `modelName="NVIDIA H100 80GB HBM3",Hostname="gpu-node-${host}",DCGM_FI_DRIVER_VERSION="570.133.20",` +
          `container="vllm",namespace="llm",pod="${pod}"`,
      );
    }
  }
  for (const [name, type, help, value] of DCGM_FAMILIES) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const labels of gpuLabels) {
      lines.push(`${name}{${labels}} ${value(random)}`);
      series++;
    }
  }

  const engineLabels = Array.from({ length: ENGINES }, (_, i) => {
    const model = MODELS[i % MODELS.length] as string;
    return `engine="0",model_name="${model}",namespace="llm",pod="vllm-${i}"`;
  });
  const simple: readonly [string, string, string, (r: Random) => string][] = [
    [
      'vllm:num_requests_running',
      'gauge',
      'Number of requests in model execution batches.',
      (r) => `${r.nextInt(256)}.0`,
    ],
    [
      'vllm:num_requests_waiting',
      'gauge',
      'Number of requests waiting to be processed.',
      (r) => `${r.nextInt(64)}.0`,
    ],
    [
      'vllm:kv_cache_usage_perc',
      'gauge',
      'KV-cache usage. 1 means 100 percent usage.',
      (r) => r.nextFloat().toFixed(4),
    ],
    [
      'vllm:prompt_tokens_total',
      'counter',
      'Number of prefill tokens processed.',
      (r) => `${r.nextInt(1e9)}.0`,
    ],
    [
      'vllm:generation_tokens_total',
      'counter',
      'Number of generation tokens processed.',
      (r) => `${r.nextInt(1e9)}.0`,
    ],
    [
      'vllm:num_preemptions_total',
      'counter',
      'Cumulative number of preemption from the engine.',
      (r) => `${r.nextInt(100)}.0`,
    ],
  ];
  for (const [name, type, help, value] of simple) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const labels of engineLabels) {
      lines.push(`${name}{${labels}} ${value(random)}`);
      series++;
    }
  }
  const histograms: readonly [string, string, readonly string[]][] = [
    [
      'vllm:time_to_first_token_seconds',
      'Histogram of time to first token in seconds.',
      TTFT_BUCKETS,
    ],
    [
      'vllm:e2e_request_latency_seconds',
      'Histogram of e2e request latency in seconds.',
      E2E_BUCKETS,
    ],
  ];
  for (const [name, help, buckets] of histograms) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const labels of engineLabels) {
      const [engine, model, ...rest] = labels.split(',');
      let cumulative = 0;
      for (const le of buckets) {
        cumulative += random.nextInt(500);
        // vLLM writes `le` between `engine` and `model_name`.
        lines.push(
          `${name}_bucket{${engine},le="${le}",${model},${rest.join(',')}} ${cumulative}.0`,
        );
        series++;
      }
      lines.push(`${name}_sum{${labels}} ${(cumulative * 0.4).toFixed(3)}`);
      lines.push(`${name}_count{${labels}} ${cumulative}.0`);
      series += 2;
    }
  }
  return { text: `${lines.join('\n')}\n`, series };
}

/** Samples in the peer's output: one per plain series, one per bucket, sum and count it kept. */
function peerSampleCount(families: readonly PrometheusTextFamily[]): number {
  let count = 0;
  for (const family of families) {
    for (const metric of family.metrics) {
      if (metric.buckets !== undefined || metric.quantiles !== undefined) {
        count += Object.keys(metric.buckets ?? metric.quantiles ?? {}).length;
        if (metric.sum !== undefined) count++;
        if (metric.count !== undefined) count++;
      } else if (metric.value !== undefined) count++;
      else count += (metric.sum === undefined ? 0 : 1) + (metric.count === undefined ? 0 : 1);
    }
  }
  return count;
}

/** What the peer returns for a histogram with two series told apart by `model_name`. */
function probeHistogramLabels(): void {
  const text =
    '# TYPE vllm:e2e_request_latency_seconds histogram\n' +
    'vllm:e2e_request_latency_seconds_bucket{le="1.0",model_name="llama"} 5\n' +
    'vllm:e2e_request_latency_seconds_bucket{le="+Inf",model_name="llama"} 7\n' +
    'vllm:e2e_request_latency_seconds_sum{model_name="llama"} 4.2\n' +
    'vllm:e2e_request_latency_seconds_count{model_name="llama"} 7\n' +
    'vllm:e2e_request_latency_seconds_bucket{le="1.0",model_name="qwen"} 1\n' +
    'vllm:e2e_request_latency_seconds_bucket{le="+Inf",model_name="qwen"} 2\n' +
    'vllm:e2e_request_latency_seconds_sum{model_name="qwen"} 1.1\n' +
    'vllm:e2e_request_latency_seconds_count{model_name="qwen"} 2\n';
  const peer = parsePrometheusTextFormat(text);
  const ours = parsePrometheusText(text);
  if (!ours.ok) throw ours.error;
  const family = ours.value.families.get('vllm:e2e_request_latency_seconds');
  process.stdout.write(
    '\nProbe: a histogram with two series (model_name="llama" and "qwen"), 8 samples\n' +
      `  parse-prometheus-text-format returns: ${JSON.stringify(peer[0]?.metrics)}\n` +
      `  parsePrometheusText returns ${family?.samples.length ?? 0} samples, model_name kept: ` +
      `${JSON.stringify([...new Set(family?.samples.map((s) => s.labels.model_name))])}\n`,
  );
}

async function main(): Promise<void> {
  const page = buildPage();
  const ours = parsePrometheusText(page.text);
  if (!ours.ok) throw ours.error;
  const peer = parsePrometheusTextFormat(page.text);
  process.stdout.write(
    `Page: ${page.series} series, ${page.text.split('\n').length - 1} lines, ` +
      `${(page.text.length / 1024).toFixed(0)} KiB (DCGM: ${HOSTS * GPUS_PER_HOST} GPUs × ` +
      `${DCGM_FAMILIES.length} gauges/counters, 10 labels each; vLLM: ${ENGINES} engines, 2 histograms each)\n` +
      `Correctness: parsePrometheusText ${ours.value.sampleCount} samples in ${ours.value.families.size} families; ` +
      `parse-prometheus-text-format ${peerSampleCount(peer)} samples in ${peer.length} families\n`,
  );
  probeHistogramLabels();

  let sink = 0;
  const comparisons: Comparison[] = [
    {
      name: `parse one ${page.series.toLocaleString('en-US')}-series page (DCGM + vLLM histograms)`,
      opsPerCall: 1,
      subject: {
        name: 'parsePrometheusText',
        fn: () => {
          const result = parsePrometheusText(page.text);
          sink += result.ok ? result.value.sampleCount : 0;
        },
      },
      baseline: {
        name: 'parse-prometheus-text-format (lossy *)',
        fn: () => {
          sink += parsePrometheusTextFormat(page.text).length;
        },
      },
    },
  ];
  const results = await runComparisons('@headroom/adapters-nvml', comparisons);
  for (const result of results) {
    process.stdout.write(
      `  series/s: ${result.subject} ${((result.subjectOpsPerSec * page.series) / 1e6).toFixed(2)}M, ` +
        `${result.baseline} ${((result.baselineOpsPerSec * page.series) / 1e6).toFixed(2)}M\n`,
    );
  }
  process.stdout.write(
    '  * parse-prometheus-text-format drops every histogram label other than `le`: it flattens a\n' +
      '    histogram family into one metric of buckets keyed by `le` (later series overwrite earlier\n' +
      '    ones) and loses `_sum`/`_count` when they carry labels; see the probe above.\n' +
      `  (checksum ${sink > 0 ? 'ok' : 'empty'})\n`,
  );
}

await main();
