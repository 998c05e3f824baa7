import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHeadroomError } from '@headroom/core';
import { ManualClock } from '@headroom/core/testing';
import { parsePrometheusText } from '../prometheus/parse.js';
import {
  DCGM_BLANK_THRESHOLD,
  DCGM_INT32_BLANK_MAX,
  DCGM_INT32_BLANK_MIN,
  isDcgmBlank,
  mapDcgmExposition,
} from './map.js';
import { DEFAULT_PROM_QUERIES } from '../prometheus-api/source.js';
import { createDcgmSource } from './source.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../../../../shared/data/metrics/${name}`, import.meta.url), 'utf8');
const MIB = 1024 * 1024;
const AT = 1_764_000_000_000;

function mapText(text: string) {
  const page = parsePrometheusText(text);
  if (!page.ok) throw page.error;
  const mapped = mapDcgmExposition(page.value, AT);
  if (!mapped.ok) throw mapped.error;
  return mapped.value;
}

function readings(name: string) {
  const mapped = mapText(fixture(name));
  expect(mapped.dropped).toEqual([]);
  return mapped.readings;
}

/** A one-family DCGM page: one gauge line per `[labels, value]`. */
function dcgmPage(family: string, lines: readonly (readonly [string, string])[]): string {
  return `# TYPE ${family} gauge\n${lines.map(([l, v]) => `${family}{${l}} ${v}\n`).join('')}`;
}

/** The whole GPU both fixtures tie to the vLLM pod, as read from `dcgm-exporter.prom`. */
const GPU0_READING = {
  instanceId: 'llm/vllm-7d9c5b6f4-x2x9p',
  hostname: 'gpu-node-1',
  pod: { namespace: 'llm', name: 'vllm-7d9c5b6f4-x2x9p', container: 'vllm' },
  sample: {
    gpuId: 'GPU-11111111-2222-3333-4444-555555555555',
    name: 'NVIDIA H100 80GB HBM3',
    utilization: 0.97,
    memoryUsedBytes: 78106 * MIB,
    memoryTotalBytes: (78106 + 3411) * MIB,
    temperatureC: 61,
    powerW: 512.334,
    lastXid: 0,
    rowRemapFailure: false,
    sampledAtMs: AT,
  },
};

/** The two MIG instances both fixtures report on gpu-node-1 (no pod), identical in each. */
const MIG_READINGS = [
  {
    instanceId: 'node/gpu-node-1',
    hostname: 'gpu-node-1',
    pod: undefined,
    sample: {
      gpuId: 'GPU-66666666-7777-8888-9999-000000000000/gi7',
      name: 'NVIDIA H100 80GB HBM3',
      // MIG instances have no DCGM_FI_DEV_GPU_UTIL: graphics-engine activity instead.
      utilization: 0.431,
      memoryUsedBytes: 512 * MIB,
      memoryTotalBytes: (512 + 9216) * MIB,
      temperatureC: 44,
      powerW: 121.05,
      lastXid: 0,
      rowRemapFailure: false,
      migProfile: '1g.10gb',
      sampledAtMs: AT,
    },
  },
  {
    instanceId: 'node/gpu-node-1',
    hostname: 'gpu-node-1',
    pod: undefined,
    sample: {
      gpuId: 'GPU-66666666-7777-8888-9999-000000000000/gi8',
      name: 'NVIDIA H100 80GB HBM3',
      utilization: 0,
      memoryUsedBytes: 0,
      memoryTotalBytes: 9728 * MIB,
      temperatureC: 44,
      powerW: 121.05,
      lastXid: 0,
      rowRemapFailure: false,
      migProfile: '1g.10gb',
      sampledAtMs: AT,
    },
  },
];

describe('mapDcgmExposition on dcgm-exporter.prom', () => {
  it('produces one whole GPU tied to its pod and two MIG instances on the node', () => {
    expect(readings('dcgm-exporter.prom')).toEqual([GPU0_READING, ...MIG_READINGS]);
  });

  it('leaves ECC counts unknown when the exporter does not report them (absent is not 0)', () => {
    for (const r of readings('dcgm-exporter.prom')) {
      expect(r.sample.eccDoubleBitErrors).toBeUndefined();
      expect(r.sample.eccSingleBitErrors).toBeUndefined();
    }
  });
});

describe('mapDcgmExposition on dcgm-exporter-variant.prom', () => {
  it('treats the blank sentinel as missing, reads lowercase hostname, and reports XID 79', () => {
    expect(readings('dcgm-exporter-variant.prom')).toEqual([
      {
        ...GPU0_READING,
        sample: {
          ...GPU0_READING.sample,
          temperatureC: undefined, // 9223372036854775794: the int64 blank, not a hot GPU
          lastXid: 79,
        },
      },
      ...MIG_READINGS,
    ]);
    const [gpu0] = readings('dcgm-exporter-variant.prom');
    expect(gpu0 !== undefined && 'temperatureC' in gpu0.sample).toBe(false);
  });
});

describe('DCGM blank sentinels', () => {
  it.each([
    [Number.NaN, true],
    [Number.POSITIVE_INFINITY, true],
    [Number.NEGATIVE_INFINITY, true],
    [2 ** 63, true], // int64 blanks 0x7ffffffffffffff0.. as doubles
    [DCGM_BLANK_THRESHOLD, true], // fp64 blank
    [DCGM_BLANK_THRESHOLD + 3, true],
    [2147483632, true], // 0x7ffffff0 DCGM_INT32_BLANK
    [2147483633, true], // 0x7ffffff1 not found
    [2147483634, true], // 0x7ffffff2 not supported
    [2147483635, true], // 0x7ffffff3 no permission
    [2147483631, false],
    [2147483636, false],
    [DCGM_BLANK_THRESHOLD - 1, false],
    [0, false],
    [-1, false],
  ] as const)('isDcgmBlank(%s) is %s', (value, blank) => {
    expect(isDcgmBlank(value)).toBe(blank);
  });

  it('reads the int32 blanks 0x7ffffff0..0x7ffffff3 in any field as missing, not as a value', () => {
    expect([DCGM_INT32_BLANK_MIN, DCGM_INT32_BLANK_MAX]).toEqual([2147483632, 2147483635]);
    const gpu = 'gpu="0",UUID="GPU-a",Hostname="n1"';
    const text = [
      dcgmPage('DCGM_FI_DEV_GPU_TEMP', [[gpu, '2147483632']]),
      dcgmPage('DCGM_FI_DEV_POWER_USAGE', [[gpu, '2147483633']]),
      dcgmPage('DCGM_FI_DEV_GPU_UTIL', [[gpu, '2147483634']]),
      dcgmPage('DCGM_FI_DEV_XID_ERRORS', [[gpu, '2147483635']]),
      // Just outside the range: real (if absurd) counts, kept.
      dcgmPage('DCGM_FI_DEV_ECC_SBE_VOL_TOTAL', [[gpu, '2147483631']]),
      dcgmPage('DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', [[gpu, '2147483636']]),
    ].join('');
    expect(mapText(text)).toEqual({
      readings: [
        {
          instanceId: 'node/n1',
          hostname: 'n1',
          pod: undefined,
          sample: {
            gpuId: 'GPU-a',
            eccSingleBitErrors: 2147483631,
            eccDoubleBitErrors: 2147483636,
            sampledAtMs: AT,
          },
        },
      ],
      dropped: [],
    });
  });
});

describe('memory total: the DCGM scrape and the default Prometheus template agree', () => {
  const gpu = 'gpu="0",UUID="GPU-a",Hostname="n1"';
  const base =
    dcgmPage('DCGM_FI_DEV_FB_USED', [[gpu, '100']]) +
    dcgmPage('DCGM_FI_DEV_FB_FREE', [[gpu, '50']]);

  it.each([
    ['used + free without reserved', base, 150],
    ['used + free + reserved', base + dcgmPage('DCGM_FI_DEV_FB_RESERVED', [[gpu, '10']]), 160],
    [
      'FB_TOTAL when exported',
      base +
        dcgmPage('DCGM_FI_DEV_FB_RESERVED', [[gpu, '10']]) +
        dcgmPage('DCGM_FI_DEV_FB_TOTAL', [[gpu, '170']]),
      170,
    ],
  ] as const)('scrape: %s', (_, text, totalMiB) => {
    expect(mapText(text).readings[0]?.sample.memoryTotalBytes).toBe(totalMiB * MIB);
  });

  it('template: FB_TOTAL, else used + free + reserved (0 where absent), per GPU before the sum', () => {
    // Evaluated against a real Prometheus in test/prometheus-server.test.ts (no reserved there).
    expect(DEFAULT_PROM_QUERIES.gpuMemoryTotalBytes).toBe(
      'sum by ({{by}}) (DCGM_FI_DEV_FB_TOTAL or (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE + (DCGM_FI_DEV_FB_RESERVED or DCGM_FI_DEV_FB_USED * 0))) * 1048576',
    );
  });
});

describe('mapDcgmExposition with out-of-range values', () => {
  const gpu0 = 'gpu="0",UUID="GPU-a",Hostname="n1"';
  const gpu1 = 'gpu="1",UUID="GPU-b",Hostname="n1"';
  const text = [
    dcgmPage('DCGM_FI_DEV_GPU_UTIL', [
      [gpu0, '250'],
      [gpu1, '40'],
    ]),
    dcgmPage('DCGM_FI_DEV_GPU_TEMP', [
      [gpu0, '300'],
      [gpu1, '55'],
    ]),
    dcgmPage('DCGM_FI_DEV_POWER_USAGE', [
      [gpu0, '400'],
      [gpu1, '-5'],
    ]),
  ].join('');

  it('drops only the offending fields, keeps the rest of the page, and lists what it dropped', () => {
    const mapped = mapText(text);
    expect(mapped.readings.map((r) => r.sample)).toEqual([
      { gpuId: 'GPU-a', powerW: 400, sampledAtMs: AT },
      { gpuId: 'GPU-b', utilization: 0.4, temperatureC: 55, sampledAtMs: AT },
    ]);
    expect(mapped.dropped).toEqual([
      { gpuId: 'GPU-a', field: 'utilization', value: 2.5, reason: expect.any(String) },
      { gpuId: 'GPU-a', field: 'temperatureC', value: 300, reason: expect.any(String) },
      { gpuId: 'GPU-b', field: 'powerW', value: -5, reason: expect.any(String) },
    ]);
    expect(mapped.dropped.every((d) => d.reason.length > 0)).toBe(true);
  });

  it('drops used memory above the total rather than failing the page', () => {
    const mapped = mapText(
      dcgmPage('DCGM_FI_DEV_FB_USED', [[gpu0, '100']]) +
        dcgmPage('DCGM_FI_DEV_FB_TOTAL', [[gpu0, '50']]),
    );
    expect(mapped.readings.map((r) => r.sample)).toEqual([
      { gpuId: 'GPU-a', memoryTotalBytes: 50 * MIB, sampledAtMs: AT },
    ]);
    expect(mapped.dropped).toEqual([
      {
        gpuId: 'GPU-a',
        field: 'memoryUsedBytes',
        value: 100 * MIB,
        reason: 'memoryUsedBytes exceeds memoryTotalBytes',
      },
    ]);
  });

  it('still fails on what leaving fields out cannot repair (an invalid sampledAtMs)', () => {
    const page = parsePrometheusText(text);
    if (!page.ok) throw page.error;
    const mapped = mapDcgmExposition(page.value, -1);
    expect(!mapped.ok && isHeadroomError(mapped.error, 'invalid_input')).toBe(true);
  });

  it('serves the rest of the page through createDcgmSource', async () => {
    const source = createDcgmSource({
      url: 'http://127.0.0.1:9400/metrics',
      clock: new ManualClock(AT),
      fetch: async () =>
        new Response(text, { headers: { 'content-type': 'text/plain; version=0.0.4' } }),
    });
    const result = await source.read();
    expect(result).toEqual({
      ok: true,
      value: [
        {
          instanceId: 'node/n1',
          observedAtMs: AT,
          gpus: [
            { gpuId: 'GPU-a', powerW: 400, sampledAtMs: AT },
            { gpuId: 'GPU-b', utilization: 0.4, temperatureC: 55, sampledAtMs: AT },
          ],
        },
      ],
    });
  });
});

describe('createDcgmSource over HTTP (loopback)', () => {
  let server: Server;
  let base = '';
  let mode: 'ok' | '503' | 'hang' | 'garbage' | 'huge' = 'ok';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (mode === 'hang') return; // never answers; the client's deadline must fire
      if (mode === '503') {
        res.writeHead(503).end('busy');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      if (mode === 'garbage') res.end('DCGM_FI_DEV_GPU_TEMP{gpu="0" 61\n');
      else if (mode === 'huge') res.end('#'.repeat(70_000));
      else res.end(fixture('dcgm-exporter.prom'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('groups GPUs by instance with the clock time', async () => {
    mode = 'ok';
    const source = createDcgmSource({ url: `${base}/metrics`, clock: new ManualClock(AT) });
    const result = await source.read();
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.map((o) => [o.instanceId, o.observedAtMs, o.gpus?.length])).toEqual([
      ['llm/vllm-7d9c5b6f4-x2x9p', AT, 1],
      ['node/gpu-node-1', AT, 2],
    ]);
  });

  it.each([
    ['503', 'unavailable'],
    ['hang', 'timeout'],
    ['garbage', 'invalid_input'],
    ['huge', 'invalid_input'],
  ] as const)('reports %s as a typed %s error, never a throw', async (m, code) => {
    mode = m;
    const source = createDcgmSource({ url: `${base}/metrics`, timeoutMs: 300, maxBytes: 65_536 });
    const result = await source.read();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(isHeadroomError(result.error, code)).toBe(true);
  });

  it('reports a refused connection as unavailable', async () => {
    // A loopback port that was free a moment ago (node:net, listen on :0 then close): nothing
    // listens there, so the connection is refused (port 9 would be rejected by undici unsent).
    const { freePort } = await import('../../test/support/canned-http.js');
    const port = await freePort();
    const source = createDcgmSource({ url: `http://127.0.0.1:${port}/metrics`, timeoutMs: 2_000 });

    const result = await source.read();

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(isHeadroomError(result.error, 'unavailable'), result.error.message).toBe(true);
    expect(result.error.message).toContain('ECONNREFUSED');
  });

  it('rejects bad options at construction', () => {
    expect(() => createDcgmSource({ url: 'ftp://x' })).toThrow(/invalid_config at url/);
    expect(() => createDcgmSource({ url: base, timeoutMs: 0 })).toThrow(
      /invalid_config at timeoutMs/,
    );
  });
});
