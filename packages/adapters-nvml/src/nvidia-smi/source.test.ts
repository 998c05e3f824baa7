import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isHeadroomError, type InstanceObservation, type Result } from '@headroom/core';
import { ManualClock } from '@headroom/core/testing';
import {
  NVIDIA_SMI_DEFAULT_FIELDS,
  createNvidiaSmiSource,
  parseNvidiaSmiCsv,
  type NvidiaSmiSourceOptions,
} from './index.js';

const SHARED_QUERY = fileURLToPath(
  new URL('../../../../../shared/data/metrics/nvidia-smi-query.csv', import.meta.url),
);
const LOCAL = new URL('../../test/fixtures/nvidia-smi/', import.meta.url);
const fixture = (name: string): string => fileURLToPath(new URL(name, LOCAL));

const AT_MS = 1_767_225_600_000;
const DEFAULT_QUERY = `--query-gpu=${NVIDIA_SMI_DEFAULT_FIELDS.join(',')}`;
const DRIVER_FAILURE =
  "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.";

/** A shell script that answers only the expected arguments, as nvidia-smi would be called. */
function stub(query: string, body: string): string {
  return [
    '#!/bin/sh',
    'PATH=/usr/bin:/bin',
    `if [ "$#" -ne 2 ] || [ "$1" != '${query}' ] || [ "$2" != '--format=csv,noheader,nounits' ]; then`,
    '  echo "unexpected arguments: $*" >&2',
    '  exit 64',
    'fi',
    body,
    '',
  ].join('\n');
}

const STUBS = {
  ok: stub(DEFAULT_QUERY, `exec cat '${SHARED_QUERY}'`),
  customFields: stub('--query-gpu=uuid,memory.used', "echo 'GPU-abc, 1024'"),
  driverFailure: stub(DEFAULT_QUERY, `cat '${fixture('driver-failure.txt')}' >&2\nexit 9`),
  driverFailureOnStdout: stub(DEFAULT_QUERY, `cat '${fixture('driver-failure.txt')}'\nexit 9`),
  malformed: stub(DEFAULT_QUERY, `exec cat '${fixture('query-bad-number.csv')}'`),
  slow: stub(DEFAULT_QUERY, 'exec sleep 5'),
  empty: stub(DEFAULT_QUERY, 'exit 0'),
} as const;

let root = '';
const dirs = {} as Record<keyof typeof STUBS | 'missing', string>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'headroom-nvidia-smi-'));
  dirs.missing = await mkdtemp(join(root, 'missing-'));
  // Write every stub before any process is spawned.
  for (const [name, script] of Object.entries(STUBS)) {
    const dir = await mkdtemp(join(root, `${name}-`));
    const path = join(dir, 'nvidia-smi');
    await writeFile(path, script, { mode: 0o755 });
    await chmod(path, 0o755);
    dirs[name as keyof typeof STUBS] = dir;
  }
});

afterAll(async () => {
  if (root !== '') await rm(root, { recursive: true, force: true });
});

function source(
  stubName: keyof typeof dirs,
  options: Partial<NvidiaSmiSourceOptions> = {},
): ReturnType<typeof createNvidiaSmiSource> {
  return createNvidiaSmiSource({
    instanceId: 'gpu-node-1',
    binary: 'nvidia-smi',
    env: { ...process.env, PATH: dirs[stubName] },
    clock: new ManualClock(AT_MS),
    ...options,
  });
}

function failure(result: Result<readonly InstanceObservation[]>) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe.skipIf(process.platform === 'win32')(
  'createNvidiaSmiSource with a stub nvidia-smi',
  () => {
    it('runs nvidia-smi with the default query and returns one observation of its GPUs', async () => {
      // Arrange
      const smi = source('ok');
      const expected = parseNvidiaSmiCsv(readFileSync(SHARED_QUERY, 'utf8'), {
        sampledAtMs: AT_MS,
      });

      // Act
      const result = await smi.read();

      // Assert
      expect(smi.name).toBe('nvidia-smi gpu-node-1');
      expect(expected.ok).toBe(true);
      expect(result).toStrictEqual({
        ok: true,
        value: [
          {
            instanceId: 'gpu-node-1',
            observedAtMs: AT_MS,
            gpus: expected.ok ? expected.value : [],
          },
        ],
      });
      if (result.ok) {
        expect(result.value[0]?.gpus).toHaveLength(4);
        expect(result.value[0]?.gpus?.[2]?.utilization).toBeUndefined();
        expect(result.value[0]?.gpus?.[2]?.eccDoubleBitErrors).toBe(2);
      }
    });

    it('queries the configured fields in order', async () => {
      const smi = source('customFields', { fields: ['uuid', 'memory.used'] });

      const result = await smi.read();

      expect(result).toStrictEqual({
        ok: true,
        value: [
          {
            instanceId: 'gpu-node-1',
            observedAtMs: AT_MS,
            gpus: [{ gpuId: 'GPU-abc', memoryUsedBytes: 1_073_741_824, sampledAtMs: AT_MS }],
          },
        ],
      });
    });

    it('returns an observation with no GPUs when nvidia-smi prints nothing', async () => {
      const result = await source('empty').read();

      expect(result).toStrictEqual({
        ok: true,
        value: [{ instanceId: 'gpu-node-1', observedAtMs: AT_MS, gpus: [] }],
      });
    });

    it('reports a missing binary as unavailable: nvidia-smi not found on PATH', async () => {
      const result = await source('missing').read();

      const error = failure(result);
      expect(isHeadroomError(error, 'unavailable')).toBe(true);
      expect(error.message).toContain('nvidia-smi was not found on PATH');
      expect(error.message).toContain('driver or toolkit is not installed');
    });

    it('reports a missing absolute path as unavailable, naming the path', async () => {
      const binary = join(dirs.missing, 'nvidia-smi');

      const error = failure(await source('missing', { binary }).read());

      expect(error.code).toBe('unavailable');
      expect(error.message).toContain(`not found at ${binary}`);
    });

    it('reports a non-zero exit as unavailable, quoting the first stderr line', async () => {
      const error = failure(await source('driverFailure').read());

      expect(error.code).toBe('unavailable');
      expect(error.message).toContain('exited with code 9');
      expect(error.message).toContain(DRIVER_FAILURE);
    });

    it('quotes stdout when a failing nvidia-smi printed its message there', async () => {
      const error = failure(await source('driverFailureOnStdout').read());

      expect(error.code).toBe('unavailable');
      expect(error.message).toContain(DRIVER_FAILURE);
    });

    it('reports a hung nvidia-smi as timeout after timeoutMs', async () => {
      const error = failure(await source('slow', { timeoutMs: 300 }).read());

      expect(error.code).toBe('timeout');
      expect(error.limit).toBe('300 ms');
      expect(error.message).toContain('did not finish within 300 ms');
    });

    it('stops at once when the read signal aborts, and never spawns for an aborted signal', async () => {
      const controller = new AbortController();
      const smi = source('slow', { timeoutMs: 60_000 });

      const pending = smi.read({ signal: controller.signal });
      controller.abort(new Error('poll deadline'));
      const aborted = failure(await pending);
      const preAborted = failure(await smi.read({ signal: AbortSignal.abort() }));

      expect(aborted.code).toBe('timeout');
      expect(aborted.message).toContain('aborted');
      expect(aborted.cause).toStrictEqual(new Error('poll deadline'));
      expect(preAborted.code).toBe('timeout');
    });

    it('rejects output larger than maxOutputBytes as invalid_input', async () => {
      const error = failure(await source('ok', { maxOutputBytes: 64 }).read());

      expect(error.code).toBe('invalid_input');
      expect(error.limit).toBe('<= 64 bytes');
    });

    it('returns the parse error for malformed output, naming the line', async () => {
      const error = failure(await source('malformed').read());

      expect(error.code).toBe('invalid_input');
      expect(error.path).toStrictEqual(['line', 2, 'memory.used']);
    });

    it('reports a clock that returns garbage as a value, not a throw', async () => {
      const result = await source('ok', { clock: { now: () => Number.NaN } }).read();

      expect(failure(result).code).toBe('invalid_config');
    });
  },
);

describe('createNvidiaSmiSource options', () => {
  const base: NvidiaSmiSourceOptions = { instanceId: 'gpu-node-1' };

  it.each([
    [{ instanceId: '' }, ['instanceId']],
    [{ binary: '' }, ['binary']],
    [{ binary: 'nvidia\0smi' }, ['binary']],
    [{ timeoutMs: 0 }, ['timeoutMs']],
    [{ timeoutMs: -5 }, ['timeoutMs']],
    [{ timeoutMs: 1.5 }, ['timeoutMs']],
    [{ timeoutMs: Number.NaN }, ['timeoutMs']],
    [{ timeoutMs: 2 ** 31 }, ['timeoutMs']],
    [{ maxOutputBytes: 0 }, ['maxOutputBytes']],
    [{ maxOutputBytes: Number.POSITIVE_INFINITY }, ['maxOutputBytes']],
    [{ fields: [] }, ['fields']],
    [{ fields: ['uuid', 'bogus'] }, ['fields', 1]],
    [{ fields: ['uuid', 'uuid'] }, ['fields', 1]],
    [{ fields: ['name'] }, ['fields']],
    [{ env: 'PATH=/bin' }, ['env']],
    [{ clock: { now: 5 } }, ['clock']],
  ] as const)('throws invalid_config for %j at %j', (override, path) => {
    const create = (): unknown =>
      createNvidiaSmiSource({ ...base, ...override } as unknown as NvidiaSmiSourceOptions);

    expect(create).toThrow(expect.objectContaining({ code: 'invalid_config', path }));
  });

  it('names the bound and the value in the message', () => {
    let thrown: unknown;
    try {
      createNvidiaSmiSource({ ...base, timeoutMs: -5 });
    } catch (error) {
      thrown = error;
    }

    expect(isHeadroomError(thrown, 'invalid_config')).toBe(true);
    expect(String((thrown as Error).message)).toBe(
      'invalid_config at timeoutMs: must be finite, integer, >= 1, <= 2147483647 (got -5)',
    );
  });

  it('accepts the defaults', () => {
    expect(createNvidiaSmiSource(base).name).toBe('nvidia-smi gpu-node-1');
  });
});

describe('createNvidiaSmiSource with a process that will not die', () => {
  /** A child that never exits (stuck in the driver, say) and whose pipes we can inspect. */
  class StuckChild extends EventEmitter {
    readonly stdin = new PassThrough();
    readonly stdout = new PassThrough();
    readonly stderr = new PassThrough();
    readonly kill = vi.fn(() => true);
  }

  async function withStuckChild(): Promise<{
    create: typeof createNvidiaSmiSource;
    children: StuckChild[];
  }> {
    const children: StuckChild[] = [];
    vi.resetModules();
    vi.doMock('node:child_process', () => ({
      execFile: () => {
        const child = new StuckChild();
        children.push(child);
        return child; // never calls back: the process never exits, its pipes stay open
      },
    }));
    const { createNvidiaSmiSource: create } = await import('./source.js');
    return { create, children };
  }

  afterEach(() => {
    vi.doUnmock('node:child_process');
    vi.resetModules();
    vi.useRealTimers();
  });

  const pipesOf = (child: StuckChild | undefined): boolean[] =>
    [child?.stdin, child?.stdout, child?.stderr].map((pipe) => pipe?.destroyed === true);

  it("closes the child's pipes when the read signal aborts", async () => {
    const { create, children } = await withStuckChild();
    const controller = new AbortController();

    const pending = create({ instanceId: 'gpu-node-1' }).read({ signal: controller.signal });
    expect(pipesOf(children[0])).toEqual([false, false, false]);
    controller.abort(new Error('poll deadline'));

    expect(failure(await pending).code).toBe('timeout');
    expect(pipesOf(children[0])).toEqual([true, true, true]);
  });

  it('kills the child and closes its pipes when it stops waiting after timeoutMs', async () => {
    const { create, children } = await withStuckChild();
    vi.useFakeTimers();

    const pending = create({ instanceId: 'gpu-node-1', timeoutMs: 100 }).read();
    vi.advanceTimersByTime(1_099);
    expect(pipesOf(children[0])).toEqual([false, false, false]);
    vi.advanceTimersByTime(1);

    expect(failure(await pending).code).toBe('timeout');
    expect(children[0]?.kill).toHaveBeenCalledWith('SIGKILL');
    expect(pipesOf(children[0])).toEqual([true, true, true]);
  });
});
