import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import {
  initialQueueWorkerState,
  parseQueueWorkerConfig,
  queueWorkerStep,
  type QueueWorkerConfigInput,
  type QueueWorkerInput,
} from './index.js';

const T0 = 1_700_000_000_000;
const CONFIG: QueueWorkerConfigInput = {
  targetDrainSeconds: 120,
  maxWorkers: 20,
  cooldownMs: 60_000,
  coldStartMs: 45_000,
};

function step(input: Partial<QueueWorkerInput>, config: QueueWorkerConfigInput = CONFIG) {
  return queueWorkerStep(config, initialQueueWorkerState(), {
    nowMs: T0,
    backlog: 600,
    arrivalRatePerS: 2,
    throughputPerWorkerPerS: 0.5,
    currentWorkers: 4,
    ...input,
  });
}

describe('queueWorkerStep', () => {
  it('sizes for draining the backlog within the target plus keeping up with arrivals', () => {
    const d = step({});
    // 600 / 120 = 5/s to drain, / 0.5 = 10 workers; 2 / 0.5 = 4 for arrivals.
    expect(d).toMatchObject({ desiredWorkers: 14, reason: 'backlog', action: 'scale_up' });
    expect(d.explain).toMatchObject({
      requiredDrainRatePerS: 5,
      drainWorkers: 10,
      arrivalWorkers: 4,
      rawWorkers: 14,
      throughputSource: 'measured',
      predictedDrainSeconds: 120,
    });
    expect(d.detail).toContain('14 workers');
  });

  it('clamps to maxWorkers and minWorkers and says so', () => {
    expect(step({ backlog: 100_000 })).toMatchObject({ desiredWorkers: 20, reason: 'clamped_max' });
    expect(step({ backlog: 0, arrivalRatePerS: 0 }, { ...CONFIG, minWorkers: 3 })).toMatchObject({
      desiredWorkers: 3,
      reason: 'clamped_min',
    });
  });

  it('activates a pool at zero only above the activation threshold (KEDA), with the cold start', () => {
    const config = { ...CONFIG, activationThreshold: 5 };
    expect(step({ currentWorkers: 0, backlog: 5, arrivalRatePerS: 0 }, config)).toMatchObject({
      desiredWorkers: 0,
      reason: 'idle_at_zero',
      action: 'hold',
    });
    expect(step({ currentWorkers: 0, backlog: 6, arrivalRatePerS: 0 }, config)).toMatchObject({
      desiredWorkers: 1,
      reason: 'activate',
      coldStartPenaltyMs: 45_000,
      action: 'scale_up',
    });
    expect(step({ currentWorkers: 0, backlog: 600 }, config)).toMatchObject({
      desiredWorkers: 14,
      reason: 'activate',
    });
  });

  it('scales to zero only after the cooldown with an empty backlog', () => {
    let state = initialQueueWorkerState();
    const at = (nowMs: number, backlog: number, currentWorkers: number) => {
      const d = queueWorkerStep(CONFIG, state, {
        nowMs,
        backlog,
        arrivalRatePerS: 0,
        throughputPerWorkerPerS: 0.5,
        currentWorkers,
      });
      state = d.state;
      return d;
    };
    expect(at(T0, 10, 2).reason).toBe('backlog');
    expect(at(T0 + 30_000, 0, 2)).toMatchObject({ desiredWorkers: 1, reason: 'cooling_down' });
    expect(at(T0 + 60_000, 0, 1)).toMatchObject({ desiredWorkers: 1, reason: 'cooling_down' });
    expect(at(T0 + 60_001, 0, 1)).toMatchObject({
      desiredWorkers: 0,
      reason: 'scale_to_zero',
      action: 'scale_down',
    });
    expect(at(T0 + 90_000, 0, 0)).toMatchObject({ desiredWorkers: 0, reason: 'idle_at_zero' });
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('never scales to zero with minWorkers >= 1, and brings a pool at zero up to it', () => {
    const config = { ...CONFIG, minWorkers: 2 };
    expect(step({ currentWorkers: 0, backlog: 0, arrivalRatePerS: 0 }, config)).toMatchObject({
      desiredWorkers: 2,
      reason: 'clamped_min',
    });
  });

  it('tightens the drain rate for high classes with classTargets', () => {
    const config = {
      ...CONFIG,
      classTargets: [
        { name: 'realtime', targetDrainSeconds: 10 },
        { name: 'batch', targetDrainSeconds: 60 },
      ],
    };
    const d = step(
      {
        backlog: 600,
        arrivalRatePerS: 0,
        backlogByClass: { realtime: 40, batch: 200, backfill: 360 },
      },
      config,
    );
    // realtime 40 / 10 = 4/s; realtime + batch 240 / 60 = 4/s; all 600 / 120 = 5/s.
    expect(d.explain.requiredDrainRatePerS).toBe(5);
    const tight = step(
      { backlog: 600, arrivalRatePerS: 0, backlogByClass: { realtime: 100, batch: 200 } },
      config,
    );
    // realtime 100 / 10 = 10/s binds: 20 workers.
    expect(tight.explain).toMatchObject({ requiredDrainRatePerS: 10, bindingClass: 'realtime' });
    expect(tight.desiredWorkers).toBe(20);
  });

  it('falls back to the configured throughput, else holds with a reason', () => {
    expect(
      step(
        { throughputPerWorkerPerS: Number.NaN },
        { ...CONFIG, fallbackThroughputPerWorkerPerS: 1 },
      ),
    ).toMatchObject({
      desiredWorkers: 7,
      explain: { throughputSource: 'fallback' },
    });
    for (const bad of [undefined, 0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const d = step(bad === undefined ? {} : { throughputPerWorkerPerS: bad }, CONFIG);
      if (bad === undefined) continue;
      expect(d).toMatchObject({ desiredWorkers: 4, reason: 'throughput_unknown', action: 'hold' });
    }
    const { throughputPerWorkerPerS: _omit, ...rest } = {
      nowMs: T0,
      backlog: 50,
      arrivalRatePerS: 0,
      throughputPerWorkerPerS: 1,
      currentWorkers: 0,
    };
    // At zero with no throughput ever measured: activate one worker.
    expect(queueWorkerStep(CONFIG, undefined, rest)).toMatchObject({
      desiredWorkers: 1,
      reason: 'throughput_unknown',
      coldStartPenaltyMs: 45_000,
    });
  });

  it('holds on an invalid backlog, arrival rate, time or worker count, never NaN', () => {
    expect(step({ backlog: Number.NaN })).toMatchObject({
      desiredWorkers: 4,
      reason: 'backlog_invalid',
    });
    expect(step({ backlog: -3, currentWorkers: 0 })).toMatchObject({
      desiredWorkers: 0,
      reason: 'backlog_invalid',
    });
    expect(step({ arrivalRatePerS: -1 })).toMatchObject({
      desiredWorkers: 4,
      reason: 'arrival_rate_invalid',
    });
    expect(step({ currentWorkers: 50, throughputPerWorkerPerS: Number.NaN })).toMatchObject({
      desiredWorkers: 20,
      reason: 'throughput_unknown',
    });
    expect(step({ nowMs: Number.NaN })).toMatchObject({
      desiredWorkers: 4,
      reason: 'time_invalid',
    });
    expect(step({ currentWorkers: Number.NaN })).toMatchObject({
      desiredWorkers: 14,
      reason: 'workers_invalid',
    });
    expect(step({ currentWorkers: -2, backlog: Number.NaN })).toMatchObject({
      desiredWorkers: 1,
      reason: 'workers_invalid',
    });
  });

  it('rejects a bad configuration naming the field', () => {
    const thrown = (() => {
      try {
        parseQueueWorkerConfig({ targetDrainSeconds: 60, minWorkers: 5, maxWorkers: 2 });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(isHeadroomError(thrown, 'invalid_config')).toBe(true);
    expect(String(thrown)).toContain('maxWorkers');
    expect(parseQueueWorkerConfig({ targetDrainSeconds: 60, maxWorkers: 2 })).toMatchObject({
      minWorkers: 0,
      activationThreshold: 0,
      cooldownMs: 300_000,
      coldStartMs: 0,
    });
  });
});
