// Integration test: the Prometheus HTTP API source against a real `prometheus` binary that
// scrapes the DCGM exporter and vLLM fixtures from a loopback server. CI installs the binary
// (`.ci/run`: DEBIAN_PACKAGES=(prometheus)); locally, without it, these tests are skipped.
import { readFile } from 'node:fs/promises';
import { isHeadroomError } from '@headroom/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusSource, queryInstant } from '../src/prometheus-api/index.js';
import {
  findPrometheusBinary,
  startFixtureExporter,
  startPrometheus,
  waitUntilScraped,
  type FixtureExporter,
  type PrometheusProcess,
} from './support/prometheus-server.js';

const MiB = 1_048_576;
const POD = 'vllm-7d9c5b6f4-x2x9p';
const INSTANCE = `llm/${POD}`;
const TEST_TIMEOUT_MS = 90_000;

const binary = findPrometheusBinary();
const inCi = process.env.CI === 'true';
// Outside CI a missing binary skips these tests; in CI it fails them (CI installs prometheus).
const skip = binary === undefined && !inCi;
const reason = skip ? ' [skipped: no `prometheus` on PATH; apt-get install prometheus]' : '';

const fixture = (name: string): URL =>
  new URL(`../../../../shared/data/metrics/${name}`, import.meta.url);

describe('Prometheus HTTP API source against a real Prometheus server', () => {
  let exporter: FixtureExporter | undefined;
  let prometheus: PrometheusProcess | undefined;

  beforeAll(async () => {
    if (skip) return;
    if (binary === undefined) {
      throw new Error(
        'CI=true but no `prometheus` binary on PATH: .ci/run must install the Debian package',
      );
    }
    exporter = await startFixtureExporter({
      '/dcgm/metrics': await readFile(fixture('dcgm-exporter.prom'), 'utf8'),
      '/vllm/metrics': await readFile(fixture('vllm.prom'), 'utf8'),
    });
    const target = `127.0.0.1:${exporter.port}`;
    prometheus = await startPrometheus(binary, [
      // The DCGM exporter labels each GPU with the pod using it; honor_labels keeps those labels.
      { name: 'dcgm', metricsPath: '/dcgm/metrics', target },
      // vLLM's own metrics carry no pod labels: Kubernetes service discovery would attach them
      // to the target; static target labels stand in for it here.
      {
        name: 'vllm',
        metricsPath: '/vllm/metrics',
        target,
        labels: { namespace: 'llm', pod: POD },
      },
    ]);
    await waitUntilScraped(
      prometheus,
      ['dcgm', 'vllm'],
      ['DCGM_FI_DEV_GPU_UTIL', 'vllm:num_requests_waiting'],
      { timeoutMs: 45_000, intervalMs: 250 },
    );
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop(5_000);
    await exporter?.close();
  }, 15_000);

  it.skipIf(skip)(
    `reads GPU and vLLM load of ${INSTANCE} through PromQL${reason}`,
    async () => {
      // Arrange
      const baseUrl = (prometheus as PrometheusProcess).baseUrl;
      const source = createPrometheusSource({ baseUrl });

      // Act
      const result = await source.read();

      // Assert
      if (!result.ok) throw result.error;
      const observation = result.value.find((o) => o.instanceId === INSTANCE);
      expect(observation, JSON.stringify(result.value)).toBeDefined();
      expect(observation?.labels?.extra).toEqual({ namespace: 'llm', pod: POD });
      expect(observation?.load?.queueDepth).toBe(6);
      expect(observation?.load?.inFlightRequests).toBe(24);
      expect(observation?.load?.kvCacheUtilization).toBeCloseTo(0.731, 9);
      expect(observation?.gpus).toHaveLength(1);
      const gpu = observation?.gpus?.[0];
      expect(gpu?.gpuId).toBe(`${INSTANCE}:aggregate`);
      expect(gpu?.utilization).toBeCloseTo(0.97, 9);
      expect(gpu?.memoryUsedBytes).toBe(78_106 * MiB);
      expect(gpu?.memoryTotalBytes).toBe((78_106 + 3_411) * MiB);
      // The fixture's histograms never move, so no latency is known: undefined, not 0.
      expect(observation?.latency).toBeUndefined();
      // The MIG instances are assigned to no pod: counted, not invented.
      expect(source.stats().droppedUnattributedSeries).toBeGreaterThan(0);
      expect(source.stats().failedReads).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it.skipIf(skip)(
    `reports a PromQL syntax error as invalid_input${reason}`,
    async () => {
      const baseUrl = (prometheus as PrometheusProcess).baseUrl;

      const direct = await queryInstant({
        baseUrl,
        query: 'sum by (pod (DCGM_FI_DEV_GPU_UTIL',
        timeoutMs: 5_000,
      });
      const viaSource = await createPrometheusSource({
        baseUrl,
        queries: { queueDepth: 'sum by ({{by}} (vllm:num_requests_waiting' },
      }).read();

      expect(direct.ok).toBe(false);
      if (direct.ok || viaSource.ok) throw new Error('expected errors');
      expect(isHeadroomError(direct.error, 'invalid_input')).toBe(true);
      expect(direct.error.message).toContain('bad_data');
      expect(isHeadroomError(viaSource.error, 'invalid_input')).toBe(true);
      expect(viaSource.error.path).toEqual(['queries', 'queueDepth']);
    },
    TEST_TIMEOUT_MS,
  );

  it.skipIf(skip)(
    `rejects a range-vector (matrix) result as invalid_input${reason}`,
    async () => {
      const result = await queryInstant({
        baseUrl: (prometheus as PrometheusProcess).baseUrl,
        query: 'DCGM_FI_DEV_GPU_UTIL[1m]',
        timeoutMs: 5_000,
      });
      expect(!result.ok && isHeadroomError(result.error, 'invalid_input')).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );
});
