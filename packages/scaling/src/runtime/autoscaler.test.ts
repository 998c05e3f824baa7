import { metrics, type Attributes, type MeterProvider } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import {
  HeadroomError,
  err,
  isHeadroomError,
  ok,
  type InstanceSnapshot,
  type Result,
} from '@headroom/core';
import { ManualScheduler, createRandom } from '@headroom/core/testing';
import { createTargetTracking, type TargetTrackingOptions } from '../signals/index.js';
import {
  AUTOSCALER_METRICS,
  createAutoscaler,
  type ActuationResult,
  type Actuator,
  type Autoscaler,
  type AutoscalerEvents,
  type AutoscalerOptions,
  type FleetReader,
  type FleetReading,
} from './index.js';

const NOW = 1_764_000_000_000;
const TARGET = 'llm/llama-70b';

function policy(behavior: TargetTrackingOptions['behavior'] = {}) {
  return createTargetTracking({
    minReplicas: 1,
    maxReplicas: 40,
    signals: [{ name: 'queue', kind: 'queue_depth', target: 4 }],
    behavior,
  });
}

/** A fake fleet: `replicas` ready instances, each with `queue` requests waiting (or per-instance loads). */
class FakeFleet implements FleetReader {
  replicas: number;
  queue = 4;
  /** When set, the queue per instance follows this total demand (requests waiting, fleet-wide). */
  demand: ((nowMs: number) => number) | undefined;
  streams: (number | undefined)[] | undefined;
  failWith: HeadroomError | 'throw' | 'hang' | undefined;
  reads = 0;

  constructor(
    readonly scheduler: ManualScheduler,
    replicas: number,
  ) {
    this.replicas = replicas;
  }

  instances(): InstanceSnapshot[] {
    const at = this.scheduler.now();
    if (this.demand !== undefined) {
      this.queue = Math.ceil(this.demand(at) / Math.max(1, this.replicas));
    }
    return Array.from({ length: this.replicas }, (_, i) => ({
      id: `pod-${i}`,
      state: 'ready' as const,
      labels: {},
      load: {
        queueDepth: this.queue,
        ...(this.streams?.[i] === undefined ? {} : { activeStreams: this.streams[i] }),
      },
      gpus: [],
      observedAtMs: at,
    }));
  }

  read(signal: AbortSignal): Promise<Result<FleetReading>> {
    this.reads++;
    if (this.failWith === 'throw') throw new Error('reader bug');
    if (this.failWith === 'hang') {
      return new Promise((resolve) =>
        signal.addEventListener('abort', () => resolve(err(signal.reason as HeadroomError))),
      );
    }
    if (this.failWith !== undefined) return Promise.resolve(err(this.failWith));
    return Promise.resolve(ok({ instances: this.instances(), currentReplicas: this.replicas }));
  }
}

type Script = 'ok' | 'fail' | 'throw' | 'hang' | 'manual';

/** A fake actuator: applies to the fleet on success; each call follows the next script entry (default ok). */
class FakeActuator implements Actuator {
  readonly calls: { replicas: number; atMs: number }[] = [];
  readonly script: Script[] = [];
  inFlight = 0;
  maxInFlight = 0;
  release: ((result: ActuationResult) => void) | undefined;

  constructor(
    readonly scheduler: ManualScheduler,
    readonly fleet: FakeFleet,
  ) {}

  setReplicas(
    target: string,
    replicas: number,
    { signal }: { signal: AbortSignal },
  ): Promise<ActuationResult> {
    expect(target).toBe(TARGET);
    this.calls.push({ replicas, atMs: this.scheduler.now() });
    const step = this.script.shift() ?? 'ok';
    if (step === 'throw') throw new Error('actuator bug');
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const done = (result: ActuationResult): ActuationResult => {
      this.inFlight--;
      if (result.ok) this.fleet.replicas = replicas;
      return result;
    };
    if (step === 'ok') return Promise.resolve(done({ ok: true }));
    if (step === 'fail') {
      return Promise.resolve(
        done({ ok: false, error: new HeadroomError({ code: 'unavailable', message: '503' }) }),
      );
    }
    return new Promise((resolve) => {
      let settled = false;
      const settle = (result: ActuationResult): void => {
        if (settled) return;
        settled = true;
        resolve(done(result));
      };
      signal.addEventListener('abort', () =>
        settle({ ok: false, error: signal.reason as HeadroomError }),
      );
      if (step === 'manual') this.release = settle;
    });
  }
}

interface Recorded {
  name: keyof AutoscalerEvents;
  event: unknown;
}

function record(autoscaler: Autoscaler): Recorded[] {
  const seen: Recorded[] = [];
  const names: (keyof AutoscalerEvents)[] = [
    'decision',
    'actuated',
    'actuation-failed',
    'superseded',
    'source-failed',
    'tick-skipped',
    'drain',
  ];
  for (const name of names)
    autoscaler.events.on(name, (event: unknown) => seen.push({ name, event }));
  return seen;
}

function setup(
  overrides: Partial<AutoscalerOptions> = {},
  {
    replicas = 4,
    behavior,
  }: { replicas?: number; behavior?: TargetTrackingOptions['behavior'] } = {},
) {
  const scheduler = new ManualScheduler(NOW);
  const fleet = new FakeFleet(scheduler, replicas);
  const actuator = new FakeActuator(scheduler, fleet);
  const autoscaler = createAutoscaler({
    target: TARGET,
    policy: policy(behavior),
    reader: fleet,
    actuator,
    scheduler,
    random: createRandom(7),
    ...overrides,
  });
  const events = record(autoscaler);
  return { scheduler, fleet, actuator, autoscaler, events };
}

const names = (events: Recorded[]) => events.map((e) => e.name);

afterEach(() => {
  metrics.disable();
});

describe('createAutoscaler: scaling up', () => {
  it('reads, decides, actuates, and records the scale for the rate limits', async () => {
    // Arrange: 4 replicas, 12 queued each against a target of 4 (pressure 3).
    const { scheduler, fleet, actuator, autoscaler, events } = setup();
    fleet.queue = 12;

    // Act
    const outcome = await autoscaler.tick();
    await scheduler.advanceAsync(0);

    // Assert: +4 pods / +100% per 15 s allows 8.
    expect(outcome).toMatchObject({
      kind: 'decided',
      decision: { decisionId: 1, cause: 'policy', decision: { kind: 'scale', from: 4, to: 8 } },
    });
    expect(actuator.calls).toEqual([{ replicas: 8, atMs: NOW }]);
    expect(names(events)).toEqual(['decision', 'actuated']);
    expect(events[1]?.event).toEqual({
      decisionId: 1,
      target: TARGET,
      cause: 'policy',
      from: 4,
      to: 8,
      attempts: 1,
      atMs: NOW,
    });
    const state = autoscaler.state();
    expect(state.hpa.scaleUpEvents).toEqual([{ change: 4, atMs: NOW, outdated: false }]);
    expect(state).toMatchObject({ knownReplicas: 8, lastDesiredReplicas: 8, pending: null });
    expect(scheduler.pendingCount).toBe(0);
  });

  it('ticks on the interval through the scheduler and lets the rate limit see the applied scale', async () => {
    const { scheduler, fleet, actuator, autoscaler } = setup();
    fleet.queue = 40; // pressure 10: asks for far more than one period allows
    autoscaler.start();
    await scheduler.advanceAsync(0); // first tick at once
    await scheduler.advanceAsync(5_000); // within the same 15 s period: no tick
    expect(actuator.calls.map((c) => c.replicas)).toEqual([8]);
    await scheduler.advanceAsync(10_000); // next tick: the +4 / +100% window starts from 8
    expect(actuator.calls.map((c) => c.replicas)).toEqual([8, 16]);
    expect(actuator.calls.map((c) => c.atMs)).toEqual([NOW, NOW + 15_000]);
    autoscaler.stop();
  });

  it('does not order capacity already on its way again', async () => {
    const { scheduler, fleet, actuator, autoscaler, events } = setup(
      {},
      { behavior: { scaleUp: { policies: [{ type: 'Pods', value: 100, periodSeconds: 15 }] } } },
    );
    fleet.queue = 8; // asks for 8
    actuator.script.push('manual');
    await autoscaler.tick();
    expect(actuator.calls.map((c) => c.replicas)).toEqual([8]);
    await scheduler.advanceAsync(15_000);
    // The reader still says 4 (not applied yet), but the policy starts from the 8 in flight.
    const second = await autoscaler.tick();
    expect(second).toMatchObject({ decision: { decision: { kind: 'hold', replicas: 8 } } });
    actuator.release?.({ ok: true });
    await scheduler.advanceAsync(0);
    expect(names(events)).toEqual(['decision', 'decision', 'actuated']);
  });
});

describe('createAutoscaler: retries', () => {
  it('retries a failing actuator with exponential backoff and jitter, then succeeds', async () => {
    const { scheduler, fleet, actuator, autoscaler, events } = setup();
    fleet.queue = 8;
    actuator.script.push('fail', 'fail');

    await autoscaler.tick();
    await scheduler.advanceAsync(10_000);

    expect(actuator.calls).toHaveLength(3);
    const [first, second, third] = actuator.calls.map((c) => c.atMs) as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(800); // 1 s ± 20 %
    expect(second - first).toBeLessThanOrEqual(1_200);
    expect(third - second).toBeGreaterThanOrEqual(1_600); // 2 s ± 20 %
    expect(third - second).toBeLessThanOrEqual(2_400);
    expect(names(events)).toEqual(['decision', 'actuated']);
    expect(events[1]?.event).toMatchObject({ decisionId: 1, attempts: 3, to: 8 });
    expect(autoscaler.state().hpa.scaleUpEvents).toEqual([
      { change: 4, atMs: third, outdated: false },
    ]);
    expect(scheduler.pendingCount).toBe(0);
  });

  it('replays the same retry delays from the same seed', async () => {
    const delays = async () => {
      const { scheduler, fleet, actuator, autoscaler } = setup();
      fleet.queue = 8;
      actuator.script.push('fail', 'fail', 'fail');
      await autoscaler.tick();
      await scheduler.advanceAsync(60_000);
      return actuator.calls.map((c) => c.atMs);
    };
    expect(await delays()).toEqual(await delays());
  });

  it('ends in actuation-failed with the last error after maxAttempts', async () => {
    const { scheduler, fleet, actuator, autoscaler, events } = setup({
      retry: { maxAttempts: 3, initialMs: 100, jitterRatio: 0 },
    });
    fleet.queue = 8;
    actuator.script.push('fail', 'throw', 'fail', 'ok');

    await autoscaler.tick();
    await scheduler.advanceAsync(60_000);

    expect(actuator.calls.map((c) => c.atMs - NOW)).toEqual([0, 100, 300]);
    expect(names(events)).toEqual(['decision', 'actuation-failed']);
    const failed = events[1]?.event as { attempts: number; error: HeadroomError; to: number };
    expect(failed.attempts).toBe(3);
    expect(failed.to).toBe(8);
    expect(isHeadroomError(failed.error, 'unavailable')).toBe(true);
    expect(autoscaler.state().pending).toBeNull();
    expect(autoscaler.state().hpa.scaleUpEvents).toEqual([]);
  });

  it('turns a thrown actuator call into an internal error and a call past its timeout into timeout', async () => {
    const { scheduler, fleet, actuator, autoscaler } = setup({
      retry: { maxAttempts: 2, initialMs: 100, jitterRatio: 0 },
      actuationTimeoutMs: 5_000,
    });
    const failures: string[] = [];
    autoscaler.events.on('actuation-failed', (e) => failures.push(e.error.code));
    fleet.queue = 8;
    actuator.script.push('throw', 'hang');

    await autoscaler.tick();
    await scheduler.advanceAsync(10_000);

    expect(actuator.calls.map((c) => c.atMs - NOW)).toEqual([0, 100]);
    expect(failures).toEqual(['timeout']);
    expect(actuator.inFlight).toBe(0); // the hung call saw its signal aborted
    expect(scheduler.pendingCount).toBe(0);
  });
});

describe('createAutoscaler: serialized actuation', () => {
  it('coalesces a newer decision over a pending one and keeps one call in flight', async () => {
    const { scheduler, fleet, actuator, autoscaler, events } = setup(
      {},
      { behavior: { scaleUp: { policies: [{ type: 'Pods', value: 100, periodSeconds: 15 }] } } },
    );
    actuator.script.push('manual');
    fleet.queue = 8; // decision 1: 4 -> 8, in flight (slow)
    await autoscaler.tick();
    fleet.queue = 12; // decision 2: 8 -> 12, pending behind the call in flight
    await scheduler.advanceAsync(10_000);
    await autoscaler.tick();
    fleet.queue = 16; // decision 3: 12 -> 16 replaces decision 2
    await scheduler.advanceAsync(10_000);
    await autoscaler.tick();

    expect(actuator.calls.map((c) => c.replicas)).toEqual([8]);
    expect(autoscaler.state().pending).toMatchObject({ decisionId: 3, from: 8, to: 16 });
    actuator.release?.({ ok: true });
    await scheduler.advanceAsync(0);

    expect(actuator.calls.map((c) => c.replicas)).toEqual([8, 16]);
    expect(actuator.maxInFlight).toBe(1);
    expect(names(events)).toEqual([
      'decision',
      'decision',
      'decision',
      'superseded',
      'actuated',
      'actuated',
    ]);
    expect(events[3]?.event).toMatchObject({ decisionId: 2, supersededBy: 3, to: 12, attempts: 0 });
    expect(events[5]?.event).toMatchObject({ decisionId: 3, from: 8, to: 16 });
    // Both changes are on the record for the rate limits: +4, then +8.
    expect(autoscaler.state().hpa.scaleUpEvents.map((e) => e.change)).toEqual([4, 8]);
  });

  it('supersedes a change waiting for a retry, and one whose call failed while a newer one waited', async () => {
    const { scheduler, fleet, actuator, autoscaler, events } = setup(
      { retry: { initialMs: 10_000, jitterRatio: 0 } },
      { behavior: { scaleUp: { policies: [{ type: 'Pods', value: 100, periodSeconds: 15 }] } } },
    );
    actuator.script.push('fail');
    fleet.queue = 8;
    await autoscaler.tick(); // decision 1 fails, waits 10 s for a retry
    await scheduler.advanceAsync(0);
    fleet.queue = 12;
    await scheduler.advanceAsync(5_000);
    await autoscaler.tick(); // decision 2 replaces it: from 4 (1 never applied), to 12
    await scheduler.advanceAsync(0);

    expect(actuator.calls.map((c) => c.replicas)).toEqual([8, 12]);
    expect(names(events)).toEqual(['decision', 'decision', 'superseded', 'actuated']);
    expect(events[2]?.event).toMatchObject({ decisionId: 1, supersededBy: 2, attempts: 1 });
    expect(events[3]?.event).toMatchObject({ decisionId: 2, from: 4, to: 12, attempts: 1 });
    expect(scheduler.pendingCount).toBe(0);
  });
});

describe('createAutoscaler: source failures', () => {
  it('holds on a failed read in hold mode and never acts on missing data', async () => {
    const { fleet, actuator, autoscaler, events } = setup();
    fleet.failWith = new HeadroomError({ code: 'unavailable', message: 'exporter down' });

    const outcome = await autoscaler.tick();

    expect(outcome).toMatchObject({ kind: 'source-failed', fallback: null });
    expect(names(events)).toEqual(['source-failed']);
    expect(events[0]?.event).toMatchObject({ action: 'hold', consecutiveFailures: 1 });
    expect(actuator.calls).toEqual([]);
  });

  it('scales to the fallback replicas after failureThreshold failures (KEDA), once', async () => {
    const { scheduler, fleet, actuator, autoscaler, events } = setup({
      onSourceFailure: { mode: 'fallback', replicas: 6, failureThreshold: 2 },
    });
    await autoscaler.tick(); // a good read: 4 replicas at target, hold
    fleet.failWith = new HeadroomError({ code: 'timeout', message: 'scrape timed out' });

    const first = await autoscaler.tick();
    const second = await autoscaler.tick();
    await scheduler.advanceAsync(0);
    const third = await autoscaler.tick();

    expect(first).toMatchObject({ kind: 'source-failed', fallback: null });
    expect(second).toMatchObject({
      kind: 'source-failed',
      fallback: { cause: 'fallback', reason: null, decision: { kind: 'scale', from: 4, to: 6 } },
    });
    expect(third).toMatchObject({ fallback: { decision: { kind: 'hold', replicas: 6 } } });
    expect(actuator.calls.map((c) => c.replicas)).toEqual([6]);
    expect(
      events
        .filter((e) => e.name === 'source-failed')
        .map((e) => (e.event as { action: string }).action),
    ).toEqual(['hold', 'fallback', 'fallback']);
    expect(events.find((e) => e.name === 'actuated')?.event).toMatchObject({
      cause: 'fallback',
      from: 4,
      to: 6,
    });

    fleet.failWith = undefined; // the source recovers: the policy decides again
    const recovered = await autoscaler.tick();
    expect(recovered).toMatchObject({ kind: 'decided', decision: { cause: 'policy' } });
    expect(autoscaler.state().consecutiveSourceFailures).toBe(0);
  });

  it('sets the fallback with an unknown base when no read ever succeeded', async () => {
    const { scheduler, fleet, actuator, autoscaler } = setup({
      onSourceFailure: { mode: 'fallback', replicas: 3 },
    });
    fleet.failWith = 'throw';
    const outcome = await autoscaler.tick();
    await scheduler.advanceAsync(0);
    expect(outcome).toMatchObject({
      kind: 'source-failed',
      error: { code: 'internal' },
      fallback: { decision: { kind: 'scale', from: null, to: 3 } },
    });
    expect(actuator.calls.map((c) => c.replicas)).toEqual([3]);
    expect(autoscaler.state().hpa.scaleDownEvents).toEqual([]); // an unknown change is not recorded
  });

  it('times out a read that hangs and rejects a malformed reading', async () => {
    const { scheduler, fleet, autoscaler } = setup({ readTimeoutMs: 2_000 });
    fleet.failWith = 'hang';
    const pending = autoscaler.tick();
    await scheduler.advanceAsync(2_000);
    expect(await pending).toMatchObject({ kind: 'source-failed', error: { code: 'timeout' } });

    const bad: FleetReader = {
      read: () => Promise.resolve(ok({ instances: [], currentReplicas: -1 })),
    };
    const other = createAutoscaler({
      target: TARGET,
      policy: policy(),
      reader: bad,
      actuator: { setReplicas: () => Promise.resolve({ ok: true }) },
      scheduler,
      random: createRandom(1),
    });
    expect(await other.tick()).toMatchObject({
      kind: 'source-failed',
      error: { code: 'invalid_input', path: ['currentReplicas'] },
    });
  });
});

describe('createAutoscaler: events and lifecycle', () => {
  it('keeps going when a listener throws', async () => {
    const { scheduler, fleet, actuator, autoscaler } = setup();
    autoscaler.events.on('decision', () => {
      throw new Error('listener bug');
    });
    autoscaler.events.on('actuated', () => {
      throw new Error('listener bug');
    });
    fleet.queue = 8;

    const outcome = await autoscaler.tick();
    await scheduler.advanceAsync(0);
    fleet.queue = 16;
    await scheduler.advanceAsync(15_000);
    await autoscaler.tick();
    await scheduler.advanceAsync(0);

    expect(outcome.kind).toBe('decided');
    expect(actuator.calls.map((c) => c.replicas)).toEqual([8, 16]);
  });

  it('skips and counts a tick that falls due while the previous one still runs', async () => {
    const { scheduler, fleet, autoscaler, events } = setup({
      intervalMs: 1_000,
      readTimeoutMs: 2_500,
    });
    fleet.failWith = 'hang';
    autoscaler.start();
    await scheduler.advanceAsync(2_500);

    expect(names(events)).toEqual(['tick-skipped', 'tick-skipped', 'source-failed']);
    expect(autoscaler.state().skippedTicks).toBe(2);
    const manual = autoscaler.tick(); // a manual tick while one runs is skipped too
    expect(await autoscaler.tick()).toMatchObject({ kind: 'skipped', reason: 'overlap' });
    autoscaler.stop();
    expect(await manual).toMatchObject({ kind: 'skipped', reason: 'stopped' });
  });

  it('stop() cancels every timer and hands the unapplied change over to start()', async () => {
    const { scheduler, fleet, actuator, autoscaler, events } = setup({
      retry: { initialMs: 5_000, jitterRatio: 0 },
    });
    fleet.queue = 8;
    actuator.script.push('hang');
    autoscaler.start();
    await scheduler.advanceAsync(0);
    expect(scheduler.pendingCount).toBeGreaterThan(0); // next tick, actuation timeout

    autoscaler.stop();

    expect(scheduler.pendingCount).toBe(0);
    expect(actuator.inFlight).toBe(0); // the call saw its signal aborted
    expect(autoscaler.state().pending).toMatchObject({ decisionId: 1, from: 4, to: 8 });
    expect(await autoscaler.tick()).toMatchObject({ kind: 'skipped', reason: 'stopped' });
    expect(names(events)).toEqual(['decision']);

    autoscaler.start(); // resubmits the change
    await scheduler.advanceAsync(0);
    expect(actuator.calls.map((c) => c.replicas)).toEqual([8, 8]);
    expect(names(events)).toContain('actuated');
    autoscaler.stop();
    expect(scheduler.pendingCount).toBe(0);
  });

  it('emits drain with the least-loaded ready instances after a scale-in', async () => {
    const { scheduler, fleet, actuator, autoscaler, events } = setup(
      {},
      { replicas: 6, behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } },
    );
    fleet.queue = 2; // half the target: 6 -> 3
    fleet.streams = [5, 0, undefined, 2, 0, 9];

    await autoscaler.tick();
    await scheduler.advanceAsync(0);

    expect(actuator.calls.map((c) => c.replicas)).toEqual([3]);
    expect(events.find((e) => e.name === 'drain')?.event).toEqual({
      decisionId: 1,
      target: TARGET,
      from: 6,
      to: 3,
      victims: ['pod-1', 'pod-4', 'pod-3'],
      atMs: NOW,
    });
    expect(autoscaler.state().hpa.scaleDownEvents).toEqual([
      { change: 3, atMs: NOW, outdated: false },
    ]);
  });

  it('records desired, current, pressure, decisions and failures as OpenTelemetry metrics', async () => {
    const records: { name: string; value: number; attributes: Attributes | undefined }[] = [];
    const instrument = (name: string) => ({
      add: (value: number, attributes?: Attributes) => records.push({ name, value, attributes }),
      record: (value: number, attributes?: Attributes) => records.push({ name, value, attributes }),
    });
    const meter = {
      createCounter: instrument,
      createUpDownCounter: instrument,
      createHistogram: instrument,
    };
    metrics.setGlobalMeterProvider({ getMeter: () => meter } as unknown as MeterProvider);
    const { scheduler, fleet, actuator, autoscaler } = setup({
      retry: { maxAttempts: 1 },
    });
    fleet.queue = 8;
    actuator.script.push('fail');

    await autoscaler.tick();
    await scheduler.advanceAsync(0);

    expect(records).toEqual([
      { name: AUTOSCALER_METRICS.currentReplicas, value: 4, attributes: { target: TARGET } },
      {
        name: 'headroom.scaling.signal_pressure',
        value: 2,
        attributes: { target: TARGET, signal: 'queue' },
      },
      { name: 'headroom.scaling.desired_replicas', value: 8, attributes: { target: TARGET } },
      {
        name: 'headroom.scaling.decisions',
        value: 1,
        attributes: { target: TARGET, reason: 'desired_within_range', direction: 'up' },
      },
      {
        name: 'headroom.scaling.actuation_failures',
        value: 1,
        attributes: { target: TARGET, code: 'unavailable', final: true },
      },
    ]);
  });
});

describe('createAutoscaler: resume from JSON state', () => {
  /** Demand over time: a ramp up, a plateau and a dip, one value per 15 s tick. */
  const LOAD = [4, 8, 12, 20, 20, 16, 8, 4, 2, 2, 6, 10, 3, 1, 1, 1, 9, 12, 12, 4];
  const demand = (nowMs: number) => 16 * (LOAD[Math.round((nowMs - NOW) / 15_000)] ?? 4);

  function make(
    scheduler: ManualScheduler,
    fleet: FakeFleet,
    decisions: unknown[],
    state?: unknown,
  ) {
    const autoscaler = createAutoscaler({
      target: TARGET,
      policy: policy({ scaleDown: { stabilizationWindowSeconds: 60 } }),
      reader: fleet,
      actuator: new FakeActuator(scheduler, fleet),
      scheduler,
      random: createRandom(3),
      ...(state === undefined ? {} : { state: state as never }),
    });
    autoscaler.events.on('decision', (e) => decisions.push(e));
    return autoscaler;
  }

  it('continues where it stopped: the decisions match an uninterrupted run', async () => {
    const end = (LOAD.length - 1) * 15_000;
    // Uninterrupted: ticks at 0, 15 s, ..., end.
    const s1 = new ManualScheduler(NOW);
    const f1 = new FakeFleet(s1, 4);
    f1.demand = demand;
    const all: unknown[] = [];
    const a1 = make(s1, f1, all);
    a1.start();
    await s1.advanceAsync(end);
    a1.stop();

    // Interrupted after 8 ticks, just before the 9th; resumed from JSON when it falls due.
    const s2 = new ManualScheduler(NOW);
    const f2 = new FakeFleet(s2, 4);
    f2.demand = demand;
    const resumed: unknown[] = [];
    const a2 = make(s2, f2, resumed);
    a2.start();
    await s2.advanceAsync(8 * 15_000 - 1);
    a2.stop();
    const json = JSON.stringify(a2.state());
    await s2.advanceAsync(1);
    const a3 = make(s2, f2, resumed, JSON.parse(json));
    a3.start();
    await s2.advanceAsync(end - 8 * 15_000);
    a3.stop();

    expect(all.length).toBe(LOAD.length);
    expect(resumed).toEqual(all);
    const scaled = (all as { decision: { kind: string } }[]).filter(
      (d) => d.decision.kind === 'scale',
    );
    expect(scaled.length).toBeGreaterThan(3);
    expect(JSON.parse(json)).toEqual(a2.state());
  });

  it('submits the change left pending in the state when the resumed autoscaler starts', async () => {
    const scheduler = new ManualScheduler(NOW);
    const fleet = new FakeFleet(scheduler, 4);
    fleet.queue = 8;
    const oldActuator = new FakeActuator(scheduler, fleet);
    oldActuator.script.push('hang');
    const leader = createAutoscaler({
      target: TARGET,
      policy: policy(),
      reader: fleet,
      actuator: oldActuator,
      scheduler,
      random: createRandom(3),
    });
    await leader.tick();
    leader.stop(); // lost the lease with 4 -> 8 in flight
    const stored = JSON.parse(JSON.stringify(leader.state())) as unknown;

    const actuated: unknown[] = [];
    const next = make(scheduler, fleet, [], stored);
    next.events.on('actuated', (e) => actuated.push(e));
    next.start();
    await scheduler.advanceAsync(0);
    next.stop();

    expect(actuated).toEqual([
      { decisionId: 1, target: TARGET, cause: 'policy', from: 4, to: 8, attempts: 1, atMs: NOW },
    ]);
    expect(next.state().hpa.scaleUpEvents).toEqual([{ change: 4, atMs: NOW, outdated: false }]);
  });

  it('rejects a state that does not validate or belongs to another target', () => {
    const scheduler = new ManualScheduler(NOW);
    const fleet = new FakeFleet(scheduler, 4);
    const good = make(scheduler, fleet, []).state();
    expect(() => make(scheduler, fleet, [], { ...good, nextDecisionId: -1 })).toThrow(
      expect.objectContaining({ code: 'invalid_config', path: ['state', 'nextDecisionId'] }),
    );
    expect(() =>
      createAutoscaler({
        target: 'other',
        policy: policy(),
        reader: fleet,
        actuator: new FakeActuator(scheduler, fleet),
        scheduler,
        random: createRandom(1),
        state: good,
      }),
    ).toThrow(expect.objectContaining({ code: 'invalid_config', path: ['state', 'target'] }));
  });
});

describe('createAutoscaler: configuration', () => {
  const base = () => {
    const scheduler = new ManualScheduler(NOW);
    const fleet = new FakeFleet(scheduler, 4);
    return {
      target: TARGET,
      policy: policy(),
      reader: fleet,
      actuator: new FakeActuator(scheduler, fleet),
      scheduler,
      random: createRandom(1),
    };
  };

  it.each([
    [{ target: '' }, ['target']],
    [{ intervalMs: 0 }, ['intervalMs']],
    [{ actuationTimeoutMs: Number.NaN }, ['actuationTimeoutMs']],
    [{ retry: { maxAttempts: 0 } }, ['retry', 'maxAttempts']],
    [{ retry: { jitterRatio: 2 } }, ['retry', 'jitterRatio']],
    [{ onSourceFailure: { mode: 'fallback', replicas: 41 } }, ['onSourceFailure', 'replicas']],
    [
      { onSourceFailure: { mode: 'fallback', replicas: 2, failureThreshold: 0 } },
      ['onSourceFailure', 'failureThreshold'],
    ],
    [{ onSourceFailure: { mode: 'panic' } }, ['onSourceFailure', 'mode']],
    [{ actuator: {} }, ['actuator', 'setReplicas']],
  ] as const)('throws invalid_config for %j', (override, path) => {
    expect(() => createAutoscaler({ ...base(), ...(override as object) })).toThrow(
      expect.objectContaining({ code: 'invalid_config', path }),
    );
  });
});

describe('an actuator that ignores its abort signal', () => {
  it('never has two calls in flight: a retry waits until the abandoned call settles', async () => {
    const scheduler = new ManualScheduler(NOW);
    const fleet = new FakeFleet(scheduler, 4);
    fleet.queue = 8; // asks for 8
    let calls = 0;
    let live = 0;
    let maxLive = 0;
    const release: (() => void)[] = [];
    const actuator: Actuator = {
      setReplicas: () => {
        calls++;
        live++;
        maxLive = Math.max(maxLive, live);
        // Ignores the signal; settles only when the test says so.
        return new Promise<ActuationResult>((resolve) =>
          release.push(() => {
            live--;
            resolve({ ok: true });
          }),
        );
      },
    };
    const autoscaler = createAutoscaler({
      target: TARGET,
      policy: policy(),
      reader: fleet,
      actuator,
      scheduler,
      random: createRandom(3),
      intervalMs: 15_000,
      actuationTimeoutMs: 1_000,
    });
    await autoscaler.tick();
    await scheduler.advanceAsync(60_000);
    expect(calls).toBe(1);
    expect(maxLive).toBe(1);
    release.shift()?.();
    await scheduler.advanceAsync(60_000);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(maxLive).toBe(1);
    autoscaler.stop();
    for (const r of release) r();
  });
});
