import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './canned-http.js';

/** The absolute path of the `prometheus` executable on PATH, or undefined. */
export function findPrometheusBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'prometheus');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A loopback HTTP server serving fixed exposition texts, one per path. */
export interface FixtureExporter {
  /** The TCP port on 127.0.0.1. */
  readonly port: number;
  /** Closes the server and its connections. */
  close(): Promise<void>;
}

/** Serves `pages` (path -> Prometheus text exposition) on 127.0.0.1, port 0. */
export async function startFixtureExporter(
  pages: Readonly<Record<string, string>>,
): Promise<FixtureExporter> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const page = pages[path];
    if (page === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      'content-length': String(Buffer.byteLength(page)),
    });
    res.end(page);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One scrape job of the generated prometheus.yml. */
export interface ScrapeJob {
  /** `job_name`. */
  readonly name: string;
  /** `metrics_path`. */
  readonly metricsPath: string;
  /** `host:port` of the target. */
  readonly target: string;
  /** Target labels, as Kubernetes service discovery would attach them. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A running Prometheus server started by {@link startPrometheus}. */
export interface PrometheusProcess {
  /** `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  /** The process id. */
  readonly pid: number;
  /** The last 64 KiB of its stdout and stderr (never printed; for failure messages). */
  output(): string;
  /** True once the process has exited. */
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs` if still alive; removes the temp directory. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_CAP = 64 * 1024;

function yamlString(value: string): string {
  return JSON.stringify(value);
}

/** The prometheus.yml for `jobs`: 1 s scrapes, `honor_labels` so exporters' labels are kept. */
export function prometheusConfig(jobs: readonly ScrapeJob[]): string {
  const lines = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
  ];
  for (const job of jobs) {
    lines.push(
      `  - job_name: ${yamlString(job.name)}`,
      '    honor_labels: true',
      `    metrics_path: ${yamlString(job.metricsPath)}`,
      '    static_configs:',
      `      - targets: [${yamlString(job.target)}]`,
    );
    const labels = Object.entries(job.labels ?? {});
    if (labels.length > 0) {
      lines.push('        labels:');
      for (const [name, value] of labels) lines.push(`          ${name}: ${yamlString(value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Writes a config for `jobs` to a temp dir and spawns `binary` on a free loopback port. */
export async function startPrometheus(
  binary: string,
  jobs: readonly ScrapeJob[],
): Promise<PrometheusProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'headroom-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, prometheusConfig(jobs));
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir },
  );
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_CAP);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let hasExited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      hasExited = true;
      resolve();
    });
    child.once('error', (error) => {
      collect(Buffer.from(String(error)));
      hasExited = true;
      resolve();
    });
  });
  const pid = child.pid;
  if (pid === undefined) {
    await exit;
    await rm(dir, { recursive: true, force: true });
    throw new Error(`could not spawn ${binary}: ${output}`);
  }
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    pid,
    output: () => output,
    exited: () => hasExited,
    async stop(graceMs = 5_000) {
      if (!hasExited) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
        let timer: NodeJS.Timeout | undefined;
        const killed = await Promise.race([
          exit.then(() => false),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(true), graceMs);
          }),
        ]);
        clearTimeout(timer);
        if (killed && !hasExited) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
          await exit;
        }
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function instantQuery(
  baseUrl: string,
  query: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[] | undefined> {
  try {
    const url = new URL('/api/v1/query', baseUrl);
    url.searchParams.set('query', query);
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    if (!response.ok) return undefined;
    const body = (await response.json()) as {
      status?: string;
      data?: { result?: { metric: Record<string, string>; value: [number, string] }[] };
    };
    return body.status === 'success' ? (body.data?.result ?? []) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Polls every `intervalMs` until every job in `jobs` has `up == 1` and every query in
 * `mustHaveData` returns a sample; throws (with Prometheus's output) after `timeoutMs` or if the
 * process exits.
 */
export async function waitUntilScraped(
  prometheus: PrometheusProcess,
  jobs: readonly string[],
  mustHaveData: readonly string[],
  { timeoutMs = 45_000, intervalMs = 250 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const started = Date.now();
  let last = 'no answer yet';
  while (Date.now() - started < timeoutMs) {
    if (prometheus.exited()) {
      throw new Error(`prometheus exited before it was ready:\n${prometheus.output()}`);
    }
    const up = await instantQuery(prometheus.baseUrl, 'up');
    if (up !== undefined) {
      const upJobs = new Set(
        up.filter((s) => s.value[1] === '1').map((s) => s.metric['job'] ?? ''),
      );
      const missing = jobs.filter((job) => !upJobs.has(job));
      last = `jobs not up: ${missing.join(', ') || 'none'}`;
      if (missing.length === 0) {
        let allData = true;
        for (const query of mustHaveData) {
          const result = await instantQuery(prometheus.baseUrl, query);
          if (result === undefined || result.length === 0) {
            allData = false;
            last = `no data yet for ${query}`;
            break;
          }
        }
        if (allData) return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`prometheus not ready after ${timeoutMs} ms (${last}):\n${prometheus.output()}`);
}
