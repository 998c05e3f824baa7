import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHeadroomError } from '@headroom/core';
import { ManualClock } from '@headroom/core/testing';
import { parsePrometheusText } from '../prometheus/parse.js';
import { mapDcgmExposition } from './map.js';
import { createDcgmSource } from './source.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../../../../shared/data/metrics/${name}`, import.meta.url), 'utf8');
const MIB = 1024 * 1024;
const AT = 1_764_000_000_000;

function readings(name: string) {
  const page = parsePrometheusText(fixture(name));
  if (!page.ok) throw page.error;
  const mapped = mapDcgmExposition(page.value, AT);
  if (!mapped.ok) throw mapped.error;
  return mapped.value;
}

describe('mapDcgmExposition on dcgm-exporter.prom', () => {
  it('produces one whole GPU tied to its pod and two MIG instances on the node', () => {
    expect(readings('dcgm-exporter.prom')).toEqual([
      {
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
      },
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
    ]);
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
    const [gpu0, gi7] = readings('dcgm-exporter-variant.prom');
    expect(gpu0).toMatchObject({ instanceId: 'llm/vllm-7d9c5b6f4-x2x9p', hostname: 'gpu-node-1' });
    expect(gpu0?.sample.temperatureC).toBeUndefined();
    expect(gpu0?.sample.lastXid).toBe(79);
    expect(gpu0?.sample.utilization).toBe(0.97);
    expect(gi7?.instanceId).toBe('node/gpu-node-1');
    expect(gi7?.sample.temperatureC).toBe(44);
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
    const source = createDcgmSource({ url: 'http://127.0.0.1:9/metrics', timeoutMs: 2_000 });
    const result = await source.read();
    expect(!result.ok && result.error.code).toBe('unavailable');
  });

  it('rejects bad options at construction', () => {
    expect(() => createDcgmSource({ url: 'ftp://x' })).toThrow(/invalid_config at url/);
    expect(() => createDcgmSource({ url: base, timeoutMs: 0 })).toThrow(
      /invalid_config at timeoutMs/,
    );
  });
});
