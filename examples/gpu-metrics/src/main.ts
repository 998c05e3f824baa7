// Polls a DCGM exporter and a vLLM server into headroom observations. Both "servers" here are
// a loopback HTTP server serving real-format pages (../data), so the example runs anywhere;
// point the URLs at your exporter (port 9400) and vLLM (port 8000) to use it for real.
// Run: npm run build && npm run example -w @headroom/example-gpu-metrics
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createDcgmSource,
  createInferenceServerSource,
  createMetricPoller,
} from '@headroom/adapters-nvml';
import { createRandom, createSystemScheduler } from '@headroom/core';

const page = (name: string): string =>
  readFileSync(new URL(`../data/${name}`, import.meta.url), 'utf8');
const pages: Record<string, string> = {
  '/dcgm/metrics': page('dcgm-exporter.prom'),
  '/vllm/metrics': page('vllm.prom'),
};

const server = createServer((req, res) => {
  const body = pages[req.url ?? ''];
  if (body === undefined) res.writeHead(404).end();
  else res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const poller = createMetricPoller({
  sources: [
    createDcgmSource({ url: `${base}/dcgm/metrics` }),
    createInferenceServerSource({
      url: `${base}/vllm/metrics`,
      instanceId: 'llm/vllm-7d9c5b6f4-x2x9p',
    }),
  ],
  scheduler: createSystemScheduler(),
  random: createRandom(7),
  intervalMs: 250,
  timeoutMs: 2_000,
});
poller.start();
// Wait until every source has reported once (at most 5 s), as a controller's first tick would.
for (
  let waited = 0;
  waited < 5_000 && poller.status().some((s) => s.lastSuccessAtMs === undefined);
  waited += 50
) {
  await new Promise((resolve) => setTimeout(resolve, 50));
}

const reading = await poller.read();
poller.stop();
server.close();

if (!reading.ok) {
  console.error(`no fresh metrics: ${reading.error.message}`);
  process.exitCode = 1;
} else {
  for (const o of reading.value) {
    console.log(`instance ${o.instanceId}`);
    if (o.labels?.model !== undefined) console.log(`  model           ${o.labels.model}`);
    if (o.load !== undefined) console.log(`  load            ${JSON.stringify(o.load)}`);
    for (const gpu of o.gpus ?? []) {
      const util =
        gpu.utilization === undefined ? 'unknown' : `${(gpu.utilization * 100).toFixed(1)}%`;
      const mem =
        gpu.memoryUsedBytes === undefined || gpu.memoryTotalBytes === undefined
          ? 'unknown'
          : `${(gpu.memoryUsedBytes / 2 ** 30).toFixed(1)} / ${(gpu.memoryTotalBytes / 2 ** 30).toFixed(1)} GiB`;
      console.log(
        `  gpu ${gpu.gpuId}${gpu.migProfile ? ` (MIG ${gpu.migProfile})` : ''}: util ${util}, memory ${mem}, ECC DBE ${gpu.eccDoubleBitErrors ?? 'unknown'}`,
      );
    }
  }
  for (const s of poller.status())
    console.log(
      `source ${s.name}: ${s.stale ? 'stale' : 'fresh'}, failures ${s.consecutiveFailures}`,
    );
}
