import { describe, expect, it } from 'vitest';
import {
  HeadroomError,
  err,
  isHeadroomError,
  ok,
  type HeadroomErrorCode,
  type InstanceLoad,
  type InstanceObservation,
  type MetricReadOptions,
  type MetricSource,
  type Result,
} from '@headroom/core';
import { ManualScheduler, createRandom } from '@headroom/core/testing';
import { createMetricPoller, type MetricPollerOptions } from './index.js';

type ReadResult = Result<readonly InstanceObservation[]>;

/** A fake source: `respond(call, signal)` decides each read; every call is recorded. */
class FakeSource implements MetricSource {
  readonly name: string;
  readonly calls: { atMs: number; signal: AbortSignal | undefined }[] = [];
  readonly #scheduler: ManualScheduler;
  readonly #respond: (call: number, signal: AbortSignal | undefined) => Promise<ReadResult>;

  constructor(
    name: string,
    scheduler: ManualScheduler,
    respond: (call: number, signal: AbortSignal | undefined) => Promise<ReadResult>,
  ) {
    this.name = name;
    this.#scheduler = scheduler;
    this.#respond = respond;
  }

  read(options?: MetricReadOptions): Promise<ReadResult> {
    this.calls.push({ atMs: this.#scheduler.now(), signal: options?.signal });
    return this.#respond(this.calls.length - 1, options?.signal);
  }

  get callTimes(): number[] {
    return this.calls.map((c) => c.atMs);
  }
}

const observation = (
  instanceId: string,
  observedAtMs: number,
  rest: Omit<InstanceObservation, 'instanceId' | 'observedAtMs'> = {},
): InstanceObservation => ({ instanceId, observedAtMs, ...rest });

const succeed = (...observations: InstanceObservation[]): Promise<ReadResult> =>
  Promise.resolve(ok(observations));

const fail = (code: HeadroomErrorCode = 'unavailable'): Promise<ReadResult> =>
  Promise.resolve(err(new HeadroomError({ code, message: 'scrape failed' })));

/** A read that settles only when its signal aborts (a well-behaved slow source). */
const hangUntilAborted = (signal: AbortSignal | undefined): Promise<ReadResult> =>
  new Promise((resolve) => {
    signal?.addEventListener('abort', () =>
      resolve(err(new HeadroomError({ code: 'timeout', message: 'aborted' }))),
    );
  });

function gaps(times: readonly number[]): number[] {
  return times.slice(1).map((t, i) => t - (times[i] as number));
}

function setup(
  sources: readonly MetricSource[],
  scheduler: ManualScheduler,
  options: Partial<MetricPollerOptions> = {},
) {
  return createMetricPoller({ sources, scheduler, random: createRandom(7), ...options });
}

async function readOk(poller: MetricSource): Promise<readonly InstanceObservation[]> {
  const result = await poller.read();
  if (!result.ok) throw result.error;
  return result.value;
}

describe('createMetricPoller: schedule', () => {
  it('polls every source at start, then every intervalMs within the jitter band', async () => {
    const scheduler = new ManualScheduler(0);
    const source = new FakeSource('vllm', scheduler, () =>
      succeed(observation('pod-a', scheduler.now())),
    );
    const poller = setup([source], scheduler, { intervalMs: 1_000, jitterRatio: 0.2 });

    poller.start();
    await scheduler.advanceAsync(100_000);

    const between = gaps(source.callTimes);
    expect(source.callTimes[0]).toBe(0);
    expect(between.length).toBeGreaterThan(80);
    for (const gap of between) {
      expect(gap).toBeGreaterThanOrEqual(800);
      expect(gap).toBeLessThanOrEqual(1_200);
    }
    expect(new Set(between).size).toBeGreaterThan(10); // jittered, not lockstep
    expect(Math.min(...between)).toBeLessThan(900);
    expect(Math.max(...between)).toBeGreaterThan(1_100);
  });

  it('replays exactly with the same seed', async () => {
    const run = async (): Promise<number[]> => {
      const scheduler = new ManualScheduler(0);
      const source = new FakeSource('s', scheduler, () => succeed());
      setup([source], scheduler, { intervalMs: 1_000 }).start();
      await scheduler.advanceAsync(20_000);
      return source.callTimes;
    };
    expect(await run()).toEqual(await run());
  });

  it('backs off exponentially up to backoff.maxMs after failures, then recovers to intervalMs', async () => {
    const scheduler = new ManualScheduler(0);
    const source = new FakeSource('dcgm', scheduler, (call) =>
      call < 6 ? fail('unavailable') : succeed(observation('pod-a', scheduler.now())),
    );
    const errors: string[] = [];
    const poller = setup([source], scheduler, {
      intervalMs: 5_000,
      jitterRatio: 0,
      backoff: { initialMs: 1_000, maxMs: 8_000, multiplier: 2 },
      onError: (name, error) => errors.push(`${name}:${error.code}`),
    });

    poller.start();
    await scheduler.advanceAsync(23_000); // through the fifth retry (sixth failure)
    expect(poller.status()[0]).toMatchObject({ consecutiveFailures: 6, nextPollAtMs: 31_000 });
    expect(poller.status()[0]?.lastError?.code).toBe('unavailable');
    await scheduler.advanceAsync(13_000);

    expect(gaps(source.callTimes)).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000, 5_000]);
    expect(errors).toEqual(Array.from({ length: 6 }, () => 'dcgm:unavailable'));
    expect(poller.status()[0]).toMatchObject({
      consecutiveFailures: 0,
      lastError: undefined,
      lastSuccessAtMs: 36_000,
      stale: false,
    });
  });

  it('reports a read that does not settle by timeoutMs as a timeout, aborting its signal', async () => {
    const scheduler = new ManualScheduler(0);
    const source = new FakeSource('triton', scheduler, (call, signal) =>
      call === 0 ? hangUntilAborted(signal) : succeed(observation('pod-a', scheduler.now())),
    );
    const errors: HeadroomError[] = [];
    const poller = setup([source], scheduler, {
      intervalMs: 5_000,
      timeoutMs: 2_000,
      jitterRatio: 0,
      onError: (_, error) => errors.push(error),
    });

    poller.start();
    await scheduler.advanceAsync(1_999);
    expect(poller.status()[0]).toMatchObject({ inFlight: true, nextPollAtMs: undefined });
    await scheduler.advanceAsync(1);

    expect(source.calls[0]?.signal?.aborted).toBe(true);
    expect(errors.map((e) => e.code)).toEqual(['timeout']);
    expect(errors[0]?.message).toMatch(/triton: read did not settle within 2000 ms/);
    expect(poller.status()[0]).toMatchObject({
      consecutiveFailures: 1,
      inFlight: false,
      nextPollAtMs: 3_000, // backoff.initialMs after the deadline
    });
    expect(poller.status()[0]?.lastError?.code).toBe('timeout');

    await scheduler.advanceAsync(1_000);
    expect(source.callTimes).toEqual([0, 3_000]);
    expect(poller.status()[0]?.consecutiveFailures).toBe(0);
  });

  it('never starts a second read while an aborted read that ignores its signal is pending', async () => {
    const scheduler = new ManualScheduler(0);
    let release: ((result: ReadResult) => void) | undefined;
    const source = new FakeSource('stuck', scheduler, (call) =>
      call === 0
        ? new Promise<ReadResult>((resolve) => {
            release = resolve;
          })
        : succeed(observation('pod-a', scheduler.now())),
    );
    const codes: string[] = [];
    const poller = setup([source], scheduler, {
      intervalMs: 5_000,
      timeoutMs: 1_000,
      jitterRatio: 0,
      backoff: { initialMs: 1_000, maxMs: 1_000 },
      onError: (_, error) => codes.push(error.code),
    });

    poller.start();
    await scheduler.advanceAsync(10_000);
    expect(source.calls).toHaveLength(1);
    expect(poller.status()[0]?.inFlight).toBe(true);
    expect(codes.length).toBeGreaterThan(3);
    expect(codes.every((c) => c === 'timeout')).toBe(true);
    expect(poller.status()[0]?.lastError?.message).toMatch(/has not settled; no new read started/);

    release?.(ok([observation('pod-late', 500)])); // a late result is discarded
    await scheduler.advanceAsync(1_000);
    expect(source.calls).toHaveLength(2);
    expect((await readOk(poller)).map((o) => o.instanceId)).toEqual(['pod-a']);
  });

  it('keeps polling when onError throws', async () => {
    const scheduler = new ManualScheduler(0);
    const source = new FakeSource('flaky', scheduler, (call) =>
      call % 2 === 0 ? fail() : succeed(observation('pod-a', scheduler.now())),
    );
    let listenerCalls = 0;
    const poller = setup([source], scheduler, {
      intervalMs: 1_000,
      backoff: { initialMs: 1_000, maxMs: 1_000 },
      onError: () => {
        listenerCalls++;
        throw new Error('listener bug');
      },
    });

    poller.start();
    await scheduler.advanceAsync(20_000);

    expect(source.calls.length).toBeGreaterThan(15);
    expect(listenerCalls).toBe(Math.ceil(source.calls.length / 2));
    expect(scheduler.pendingCount).toBe(1);
    expect((await poller.read()).ok).toBe(true);
  });

  it('treats a read that throws, rejects or fails without a HeadroomError as an unavailable failure', async () => {
    const scheduler = new ManualScheduler(0);
    const throwing: MetricSource = {
      name: 'throws',
      read: () => {
        throw new Error('boom');
      },
    };
    const rejecting: MetricSource = { name: 'rejects', read: () => Promise.reject(new Error('x')) };
    const untyped: MetricSource = {
      name: 'untyped',
      read: () => Promise.resolve({ ok: false, error: 'nope' } as unknown as ReadResult),
    };
    const errors: HeadroomError[] = [];
    const poller = setup([throwing, rejecting, untyped], scheduler, {
      onError: (_, error) => errors.push(error),
    });

    poller.start();
    await scheduler.advanceAsync(0);

    expect(errors.map((e) => [e.code, e.path])).toEqual([
      ['unavailable', ['sources', 0]],
      ['unavailable', ['sources', 1]],
      ['unavailable', ['sources', 2]],
    ]);
    expect(errors[0]?.cause).toBeInstanceOf(Error);
    const result = await poller.read();
    expect(result.ok).toBe(false);
  });

  it('stop() cancels every timer, aborts the read in flight and discards its result; start() resumes', async () => {
    const scheduler = new ManualScheduler(0);
    const slow = new FakeSource('slow', scheduler, (_, signal) => hangUntilAborted(signal));
    let release: ((result: ReadResult) => void) | undefined;
    const late = new FakeSource(
      'late',
      scheduler,
      () =>
        new Promise<ReadResult>((resolve) => {
          release = resolve;
        }),
    );
    const fast = new FakeSource('fast', scheduler, () =>
      succeed(observation('pod-a', scheduler.now())),
    );
    const errors: string[] = [];
    const poller = setup([slow, late, fast], scheduler, {
      intervalMs: 1_000,
      timeoutMs: 5_000,
      onError: (name) => errors.push(name),
    });

    poller.start();
    await scheduler.advanceAsync(100);
    expect(scheduler.pendingCount).toBeGreaterThan(0);
    poller.stop();
    poller.stop();

    expect(scheduler.pendingCount).toBe(0);
    expect(slow.calls[0]?.signal?.aborted).toBe(true);
    release?.(ok([observation('pod-late', 100)]));
    await scheduler.advanceAsync(60_000);
    expect(scheduler.pendingCount).toBe(0);
    expect(errors).toEqual([]);
    expect(poller.status().map((s) => [s.name, s.nextPollAtMs, s.inFlight])).toEqual([
      ['slow', undefined, false],
      ['late', undefined, false],
      ['fast', undefined, false],
    ]);
    expect(poller.status()[1]?.lastSuccessAtMs).toBeUndefined();

    poller.start();
    poller.start();
    await scheduler.advanceAsync(0);
    expect(fast.calls).toHaveLength(2);
    expect(slow.calls).toHaveLength(2);
    poller.stop();
    expect(scheduler.pendingCount).toBe(0);
  });
});

describe('createMetricPoller: read()', () => {
  it('reads a burst between two reads as its peak once, then the current value', async () => {
    const scheduler = new ManualScheduler(0);
    const streams = [500, 0];
    const source = new FakeSource('audio-gateway', scheduler, (call) =>
      succeed(
        observation('pod-a', scheduler.now(), {
          load: {
            activeStreams: streams[call] ?? 0,
            queueDepth: call === 0 ? 40 : 2,
            inFlightRequests: call === 0 ? 8 : 1,
            kvCacheUtilization: call === 0 ? 0.9 : 0.1,
          },
        }),
      ),
    );
    const poller = setup([source], scheduler, { intervalMs: 1_000, jitterRatio: 0 });

    poller.start();
    await scheduler.advanceAsync(1_000); // polls at 0 (500 streams) and 1000 (0 streams)
    const first = await readOk(poller);
    const second = await readOk(poller);

    expect(source.calls).toHaveLength(2);
    expect(first[0]?.load).toEqual<InstanceLoad>({
      activeStreams: 500,
      queueDepth: 40,
      inFlightRequests: 8,
      kvCacheUtilization: 0.1, // not a peak field: the latest value
    });
    expect(second[0]?.load).toEqual<InstanceLoad>({
      activeStreams: 0,
      queueDepth: 2,
      inFlightRequests: 1,
      kvCacheUtilization: 0.1,
    });
  });

  it('merges observations of one instance across sources, later-polled fields winning', async () => {
    const scheduler = new ManualScheduler(0);
    const dcgm = new FakeSource('dcgm', scheduler, () =>
      succeed(
        observation('ns/pod-a', scheduler.now(), {
          labels: { gpuClass: 'H100', model: 'from-dcgm', extra: { node: 'n1' } },
          gpus: [
            { gpuId: 'GPU-0', utilization: 0.5, sampledAtMs: scheduler.now() },
            { gpuId: 'GPU-1', utilization: 0.7, sampledAtMs: scheduler.now() },
          ],
        }),
        observation('ns/pod-b', scheduler.now(), {
          gpus: [{ gpuId: 'GPU-0', sampledAtMs: scheduler.now() }],
        }),
      ),
    );
    const vllm = new FakeSource('vllm', scheduler, () =>
      succeed(
        observation('ns/pod-a', scheduler.now(), {
          labels: { model: 'llama-3.1-8b', extra: { pool: 'p' } },
          load: { queueDepth: 3 },
          latency: { ttftP99Ms: 420 },
          gpus: [{ gpuId: 'GPU-1', memoryUsedBytes: 1e9, sampledAtMs: scheduler.now() }],
        }),
      ),
    );
    const poller = setup([dcgm, vllm], scheduler);

    poller.start();
    await scheduler.advanceAsync(0);
    const value = await readOk(poller);

    expect(poller.name).toBe('poller(dcgm, vllm)');
    expect(value.map((o) => o.instanceId)).toEqual(['ns/pod-a', 'ns/pod-b']);
    expect(value[0]).toEqual<InstanceObservation>({
      instanceId: 'ns/pod-a',
      observedAtMs: 0,
      labels: { gpuClass: 'H100', model: 'llama-3.1-8b', extra: { node: 'n1', pool: 'p' } },
      load: { queueDepth: 3 },
      gpus: [
        { gpuId: 'GPU-0', utilization: 0.5, sampledAtMs: 0 },
        { gpuId: 'GPU-1', utilization: 0.7, memoryUsedBytes: 1e9, sampledAtMs: 0 },
      ],
      latency: { ttftP99Ms: 420 },
    });
  });

  it('excludes stale observations, marks their sources stale, and says which sources failed', async () => {
    const scheduler = new ManualScheduler(0);
    const dying = new FakeSource('dying', scheduler, (call) =>
      call === 0 ? succeed(observation('pod-a', scheduler.now())) : fail('unavailable'),
    );
    const stuck = new FakeSource('stuck-exporter', scheduler, () =>
      succeed(observation('pod-s', 0)),
    );
    const live = new FakeSource('live', scheduler, () =>
      succeed(observation('pod-b', scheduler.now())),
    );
    const poller = setup([dying, stuck, live], scheduler, {
      intervalMs: 1_000,
      jitterRatio: 0,
      backoff: { initialMs: 1_000, maxMs: 1_000 },
    });

    poller.start();
    await scheduler.advanceAsync(0);
    expect((await readOk(poller)).map((o) => o.instanceId)).toEqual(['pod-a', 'pod-b', 'pod-s']);

    await scheduler.advanceAsync(3_000); // maxAgeMs defaults to 3 × intervalMs: still fresh
    expect((await readOk(poller)).map((o) => o.instanceId)).toEqual(['pod-a', 'pod-b', 'pod-s']);
    await scheduler.advanceAsync(1);

    expect((await readOk(poller)).map((o) => o.instanceId)).toEqual(['pod-b']);
    expect(poller.status().map((s) => [s.name, s.stale])).toEqual([
      ['dying', true],
      ['stuck-exporter', true],
      ['live', false],
    ]);
    expect(poller.status(0).every((s) => !s.stale)).toBe(true);
  });

  it('never reports a peak from an observation older than maxAgeMs (regression)', async () => {
    const scheduler = new ManualScheduler(0);
    // vllm reports a queue of 50 at t=0, then fails; dcgm keeps reporting the pod's GPUs.
    const vllm = new FakeSource('vllm', scheduler, (call) =>
      call === 0
        ? succeed(observation('pod-a', scheduler.now(), { load: { queueDepth: 50 } }))
        : fail('unavailable'),
    );
    const dcgm = new FakeSource('dcgm', scheduler, () =>
      succeed(
        observation('pod-a', scheduler.now(), {
          gpus: [{ gpuId: 'GPU-0', utilization: 0.5, sampledAtMs: scheduler.now() }],
        }),
      ),
    );
    const poller = setup([vllm, dcgm], scheduler, { intervalMs: 1_000, maxAgeMs: 15_000 });

    poller.start();
    await scheduler.advanceAsync(20_000);
    const [pod] = await readOk(poller);

    expect(pod?.instanceId).toBe('pod-a');
    expect(pod?.gpus).toHaveLength(1);
    expect(pod?.load).toBeUndefined(); // unknown, not the stale 50
  });

  it('drops a stale peak even when a fresh, lower value of the same field arrived since', async () => {
    const scheduler = new ManualScheduler(0);
    const vllm = new FakeSource('vllm', scheduler, () => {
      const now = scheduler.now();
      if (now === 0) return succeed(observation('pod-a', now, { load: { queueDepth: 50 } }));
      if (now >= 18_000) return succeed(observation('pod-a', now, { load: { queueDepth: 2 } }));
      return fail('unavailable');
    });
    const poller = setup([vllm], scheduler, {
      intervalMs: 1_000,
      jitterRatio: 0,
      backoff: { initialMs: 1_000, maxMs: 1_000 },
      maxAgeMs: 15_000,
    });

    poller.start();
    await scheduler.advanceAsync(20_000);
    const [pod] = await readOk(poller);

    expect(vllm.callTimes).toContain(18_000);
    expect(pod?.load).toEqual<InstanceLoad>({ queueDepth: 2 });
  });

  it('keeps a burst seen since the last read while it is fresh, and forgets it once stale', async () => {
    const firstReadAt = async (atMs: number): Promise<InstanceLoad | undefined> => {
      const scheduler = new ManualScheduler(0);
      const vllm = new FakeSource('vllm', scheduler, (call) =>
        succeed(
          observation('pod-a', scheduler.now(), { load: { activeStreams: call === 1 ? 90 : 5 } }),
        ),
      );
      const poller = setup([vllm], scheduler, {
        intervalMs: 1_000,
        jitterRatio: 0,
        maxAgeMs: 1_500,
      });
      poller.start();
      await scheduler.advanceAsync(atMs); // polls every second: 5, 90 at t=1000, then 5
      return (await readOk(poller))[0]?.load;
    };

    expect(await firstReadAt(2_000)).toEqual<InstanceLoad>({ activeStreams: 90 });
    expect(await firstReadAt(2_500)).toEqual<InstanceLoad>({ activeStreams: 90 });
    expect(await firstReadAt(2_501)).toEqual<InstanceLoad>({ activeStreams: 5 }); // 90 is stale
  });

  it('returns unavailable naming each source when nothing fresh is left', async () => {
    const scheduler = new ManualScheduler(0);
    const dying = new FakeSource('dcgm', scheduler, (call) =>
      call === 0 ? succeed(observation('pod-a', scheduler.now())) : fail('unavailable'),
    );
    const never = new FakeSource('vllm', scheduler, () => fail('timeout'));
    const poller = setup([dying, never], scheduler, { intervalMs: 1_000 });

    const before = await poller.read();
    expect(before.ok).toBe(false);
    if (!before.ok) expect(before.error.message).toMatch(/dcgm \(never read successfully\)/);

    poller.start();
    await scheduler.advanceAsync(10_000);
    const result = await poller.read();

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(isHeadroomError(result.error, 'unavailable')).toBe(true);
    expect(result.error.message).toMatch(
      /dcgm \(stale, last success 10000 ms ago, \d+ consecutive/,
    );
    expect(result.error.message).toMatch(/vllm \(never read successfully, \d+ consecutive/);
  });

  it('reads ok([]) when a fresh poll reports no instances (idle is not unknown)', async () => {
    const scheduler = new ManualScheduler(0);
    const empty = new FakeSource('empty', scheduler, () => succeed());
    const poller = setup([empty], scheduler);
    poller.start();
    await scheduler.advanceAsync(0);
    expect(await poller.read()).toEqual(ok([]));
  });

  it('drops malformed observations from a successful read', async () => {
    const scheduler = new ManualScheduler(0);
    const sloppy: MetricSource = {
      name: 'sloppy',
      read: () =>
        Promise.resolve(
          ok([
            observation('pod-a', 0),
            { instanceId: '', observedAtMs: 0 },
            { instanceId: 'pod-nan', observedAtMs: Number.NaN },
          ]),
        ),
    };
    const poller = setup([sloppy], scheduler);
    poller.start();
    await scheduler.advanceAsync(0);
    expect((await readOk(poller)).map((o) => o.instanceId)).toEqual(['pod-a']);
  });
});

describe('createMetricPoller: validation', () => {
  const scheduler = new ManualScheduler(0);
  const source: MetricSource = { name: 's', read: () => succeed() };
  const base: MetricPollerOptions = { sources: [source], scheduler, random: createRandom(1) };

  it.each<[string, Partial<MetricPollerOptions>, string]>([
    ['no sources', { sources: [] }, 'sources'],
    ['zero interval', { intervalMs: 0 }, 'intervalMs'],
    ['NaN interval', { intervalMs: Number.NaN }, 'intervalMs'],
    ['jitter of 1', { jitterRatio: 1 }, 'jitterRatio'],
    ['negative jitter', { jitterRatio: -0.1 }, 'jitterRatio'],
    ['negative timeout', { timeoutMs: -1 }, 'timeoutMs'],
    ['infinite maxAge', { maxAgeMs: Number.POSITIVE_INFINITY }, 'maxAgeMs'],
    ['zero backoff', { backoff: { initialMs: 0 } }, 'backoff.initialMs'],
    ['max below initial', { backoff: { initialMs: 5_000, maxMs: 1_000 } }, 'backoff.maxMs'],
    ['shrinking multiplier', { backoff: { multiplier: 0.5 } }, 'backoff.multiplier'],
    ['nameless source', { sources: [{ name: '', read: source.read }] }, 'sources[0].name'],
  ])('rejects %s with invalid_config at %s', (_, bad, path) => {
    let thrown: unknown;
    try {
      createMetricPoller({ ...base, ...bad });
    } catch (error) {
      thrown = error;
    }
    expect(isHeadroomError(thrown, 'invalid_config')).toBe(true);
    expect((thrown as HeadroomError).message).toContain(`invalid_config at ${path}:`);
  });

  it('accepts the defaults and a backoff.initialMs above the default maxMs', () => {
    expect(() => createMetricPoller(base)).not.toThrow();
    expect(() => createMetricPoller({ ...base, backoff: { initialMs: 120_000 } })).not.toThrow();
  });

  it('status(nowMs) rejects a non-finite time', () => {
    expect(() => createMetricPoller(base).status(Number.NaN)).toThrow(/invalid_argument at nowMs/);
  });
});
