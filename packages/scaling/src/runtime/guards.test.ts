import { describe, expect, it } from 'vitest';
import { ok, type InstanceSnapshot, type Result } from '@headroom/core';
import { ManualScheduler, createRandom } from '@headroom/core/testing';
import { createTargetTracking } from '../signals/index.js';
import {
  createAutoscaler,
  type ActuationResult,
  type Actuator,
  type AutoscalerOptions,
  type DecisionEvent,
  type FleetReader,
  type FleetReading,
} from './index.js';

const NOW = 1_764_000_000_000;
const TARGET = 'llm/llama-70b';

/** `replicas` ready instances with `queue` requests waiting each; ready since `readySinceMs`. */
class Fleet implements FleetReader, Actuator {
  queue = 4;
  readySinceMs: number | undefined;
  readonly calls: number[] = [];

  constructor(
    readonly scheduler: ManualScheduler,
    public replicas: number,
  ) {}

  read(): Promise<Result<FleetReading>> {
    const instances: InstanceSnapshot[] = Array.from({ length: this.replicas }, (_, i) => ({
      id: `pod-${i}`,
      state: 'ready',
      labels: {},
      load: { queueDepth: this.queue },
      gpus: [],
      observedAtMs: this.scheduler.now(),
      ...(this.readySinceMs === undefined ? {} : { stateSinceMs: this.readySinceMs }),
    }));
    return Promise.resolve(ok({ instances, currentReplicas: this.replicas }));
  }

  setReplicas(_target: string, replicas: number): Promise<ActuationResult> {
    this.calls.push(replicas);
    this.replicas = replicas;
    return Promise.resolve({ ok: true });
  }
}

function setup(guards: AutoscalerOptions['guards'], state?: unknown, replicas = 4) {
  const scheduler = new ManualScheduler(NOW);
  const fleet = new Fleet(scheduler, replicas);
  const make = (s?: unknown) =>
    createAutoscaler({
      target: TARGET,
      policy: createTargetTracking({
        minReplicas: 1,
        maxReplicas: 40,
        signals: [{ name: 'queue', kind: 'queue_depth', target: 4 }],
        behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
      }),
      reader: fleet,
      actuator: fleet,
      scheduler,
      random: createRandom(1),
      ...(guards === undefined ? {} : { guards }),
      ...(s === undefined ? {} : { state: s as never }),
    });
  return { scheduler, fleet, autoscaler: make(state), make };
}

async function decide(
  autoscaler: ReturnType<typeof createAutoscaler>,
  scheduler: ManualScheduler,
): Promise<DecisionEvent> {
  const outcome = await autoscaler.tick();
  await scheduler.advanceAsync(0);
  if (outcome.kind !== 'decided') throw new Error(`not decided: ${outcome.kind}`);
  return outcome.decision;
}

describe('createAutoscaler: guards', () => {
  it('refuses a scale-down during the cooldown after a scale-up, then allows it', async () => {
    const { scheduler, fleet, autoscaler } = setup({
      cooldown: { afterScaleUpMs: 60_000, afterReadyMs: 0 },
    });
    fleet.queue = 12;
    expect((await decide(autoscaler, scheduler)).decision).toEqual({
      kind: 'scale',
      from: 4,
      to: 8,
    });
    expect(autoscaler.state().lastScaleUpAtMs).toBe(NOW);

    fleet.queue = 1; // wants 8 -> 2
    await scheduler.advanceAsync(30_000);
    const refused = await decide(autoscaler, scheduler);
    expect(refused.decision).toEqual({ kind: 'hold', replicas: 8 });
    expect(refused.guard).toEqual({
      guard: 'cooldown',
      reason: 'cooldown_after_scale_up',
      from: 8,
      to: 2,
      untilMs: NOW + 60_000,
    });
    expect(fleet.calls).toEqual([8]);

    await scheduler.advanceAsync(30_000);
    const allowed = await decide(autoscaler, scheduler);
    expect(allowed.decision).toEqual({ kind: 'scale', from: 8, to: 2 });
    expect(allowed.guard).toBeUndefined();
    expect(fleet.calls).toEqual([8, 2]);
  });

  it('refuses a scale-down during the cooldown after an instance became ready', async () => {
    const { scheduler, fleet, autoscaler } = setup({ cooldown: { afterScaleUpMs: 0 } });
    fleet.queue = 1;
    fleet.readySinceMs = NOW - 1_000;
    const refused = await decide(autoscaler, scheduler);
    expect(refused.guard).toMatchObject({
      guard: 'cooldown',
      reason: 'cooldown_after_ready',
      untilMs: NOW - 1_000 + 300_000,
    });
    expect(fleet.calls).toEqual([]);
  });

  it('with a flap budget of K = 1, refuses the second direction change in the window', async () => {
    const { scheduler, fleet, autoscaler } = setup({
      flapBudget: { maxDirectionChanges: 1, windowMs: 3_600_000 },
    });
    fleet.queue = 12;
    expect((await decide(autoscaler, scheduler)).decision).toMatchObject({ kind: 'scale', to: 8 });
    fleet.queue = 2; // down: the first direction change, allowed
    await scheduler.advanceAsync(15_000);
    expect((await decide(autoscaler, scheduler)).decision).toMatchObject({ kind: 'scale', to: 4 });
    fleet.queue = 12; // up again: the second change, refused
    await scheduler.advanceAsync(15_000);
    const refused = await decide(autoscaler, scheduler);
    expect(refused.decision).toEqual({ kind: 'hold', replicas: 4 });
    expect(refused.guard).toEqual({
      guard: 'flap_budget',
      reason: 'flap_budget_spent',
      from: 4,
      to: 8,
      untilMs: undefined,
    });
    expect(fleet.calls).toEqual([8, 4]);
    // A refused scale is not counted.
    expect(autoscaler.state().flap).toEqual({
      lastDirection: 'down',
      changesAtMs: [NOW + 15_000],
      lastStepAtMs: NOW + 15_000,
    });
    // After the window, the change is allowed.
    await scheduler.advanceAsync(3_600_000);
    expect((await decide(autoscaler, scheduler)).decision).toMatchObject({ kind: 'scale', to: 8 });
  });

  it('keeps the guard state through a JSON round-trip', async () => {
    const guards = {
      cooldown: { afterScaleUpMs: 60_000, afterReadyMs: 0 },
      flapBudget: { maxDirectionChanges: 1 },
    };
    const { scheduler, fleet, autoscaler, make } = setup(guards);
    fleet.queue = 12;
    await decide(autoscaler, scheduler); // 4 -> 8 at NOW
    await scheduler.advanceAsync(60_000);
    fleet.queue = 2;
    await decide(autoscaler, scheduler); // 8 -> 4, a direction change
    autoscaler.stop();
    const stored = JSON.parse(JSON.stringify(autoscaler.state())) as Record<string, unknown>;
    expect(stored).toMatchObject({
      lastScaleUpAtMs: NOW,
      flap: { lastDirection: 'down', changesAtMs: [NOW + 60_000], lastStepAtMs: NOW + 60_000 },
    });

    const resumed = make(stored);
    expect(resumed.state()).toEqual(stored);
    fleet.queue = 12;
    await scheduler.advanceAsync(15_000);
    const refused = await decide(resumed, scheduler);
    expect(refused.guard).toMatchObject({ guard: 'flap_budget', reason: 'flap_budget_spent' });
  });

  it('resumes from an old state JSON without the guard fields', async () => {
    const { scheduler, fleet, autoscaler, make } = setup(undefined);
    fleet.queue = 12;
    await decide(autoscaler, scheduler);
    autoscaler.stop();
    const {
      lastScaleUpAtMs: _up,
      flap: _flap,
      ...old
    } = JSON.parse(JSON.stringify(autoscaler.state())) as Record<string, unknown>;
    expect(Object.keys(old)).not.toContain('flap');

    const resumed = make(old);
    expect(resumed.state()).toMatchObject({
      knownReplicas: 8,
      lastScaleUpAtMs: null,
      flap: { lastDirection: null, changesAtMs: [], lastStepAtMs: null },
    });
    fleet.queue = 1;
    await scheduler.advanceAsync(15_000);
    expect((await decide(resumed, scheduler)).decision).toMatchObject({ kind: 'scale', from: 8 });
  });

  it.each([
    [{ cooldown: { afterScaleUpMs: -1 } }, ['guards', 'cooldown', 'afterScaleUpMs']],
    [{ cooldown: { afterReadyMs: Number.NaN } }, ['guards', 'cooldown', 'afterReadyMs']],
    [{ flapBudget: { maxDirectionChanges: 0 } }, ['guards', 'flapBudget', 'maxDirectionChanges']],
    [{ flapBudget: { maxDirectionChanges: 1, windowMs: 0 } }, ['guards', 'flapBudget', 'windowMs']],
  ] as const)('throws invalid_config for guards %j', (guards, path) => {
    expect(() => setup(guards as AutoscalerOptions['guards'])).toThrow(
      expect.objectContaining({ code: 'invalid_config', path }),
    );
  });
});
