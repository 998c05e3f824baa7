import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import type { Trace } from '../traces/types.js';
import { evenTrace, fleet, instance, observation } from './fixtures.js';
import {
  POLICY_NAMES,
  createPolicy,
  hpaPolicy,
  kedaQueuePolicy,
  knativePolicy,
  peakArrivalRatePerSec,
  staticPeakPolicy,
} from './index.js';

const BOUNDS = { minReplicas: 1, maxReplicas: 100 };
const SECOND = 1_000;

function start(
  policy: { initialReplicas: (ctx: never) => number },
  trace: Trace = evenTrace(1, 60_000),
  bounds = BOUNDS,
): number {
  return (policy.initialReplicas as (ctx: object) => number)({
    ...bounds,
    trace,
    capacityPerReplicaRps: 1,
  });
}

describe('staticPeakPolicy', () => {
  it('provisions ceil(peak 1-minute rate / capacity) and never changes', () => {
    // Arrange: 1 req/s for 5 minutes with a minute at 5 req/s in the middle.
    const quiet = evenTrace(1, 300_000).requests.filter(
      (r) => r.arrivalMs < 120_000 || r.arrivalMs >= 180_000,
    );
    const busy = evenTrace(5, 60_000).requests.map((r) => ({
      ...r,
      arrivalMs: r.arrivalMs + 120_000,
    }));
    const requests = [...quiet, ...busy].sort((a, b) => a.arrivalMs - b.arrivalMs);
    const trace: Trace = { name: 't', source: 'test', durationMs: 300_000, requests };
    const policy = staticPeakPolicy();

    // Act
    const initial = policy.initialReplicas({ ...BOUNDS, trace, capacityPerReplicaRps: 2 });
    const later = policy.decide(observation(60_000, fleet(initial)));

    // Assert: the peak minute has 300 arrivals: 5 req/s / 2 per replica → 3 replicas.
    expect(peakArrivalRatePerSec(trace)).toBe(5);
    expect(initial).toBe(3);
    expect(later).toBe(3);
  });

  it('uses a given count, clamped to the bounds', () => {
    const policy = staticPeakPolicy({ replicas: 500 });
    expect(start(policy)).toBe(100);
    expect(policy.decide(observation(0, fleet(2)))).toBe(100);
  });

  it('rejects bad options with invalid_config naming the option', () => {
    let error: unknown;
    try {
      staticPeakPolicy({ replicas: -1 });
    } catch (e) {
      error = e;
    }
    expect(isHeadroomError(error, 'invalid_config')).toBe(true);
    expect(String((error as Error).message)).toContain('replicas');
  });
});

describe('hpaPolicy: the Kubernetes HPA on GPU utilization', () => {
  it('scales 8 pods at 90% utilization with a 70% target to ceil(8 × 0.9 / 0.7) = 11', () => {
    // Arrange
    const policy = hpaPolicy({ targetUtilization: 0.7 });
    start(policy);

    // Act
    const desired = policy.decide(observation(15 * SECOND, fleet(8, { utilization: 0.9 })));

    // Assert
    expect(desired).toBe(11);
    expect(policy.inspect().lastDecision?.reason.metricReplicas).toBe(11);
  });

  it('keeps the count within the 10% tolerance (8 pods at 75% of a 70% target: ratio 1.07)', () => {
    const policy = hpaPolicy();
    start(policy);
    expect(policy.decide(observation(15 * SECOND, fleet(8, { utilization: 0.75 })))).toBe(8);
  });

  it('limits a scale-up to max(+4 pods, +100%) per 15 s', () => {
    // 2 pods at 100% with a 10% target want 20; the default behavior allows 2 → 6 (+4 pods).
    const policy = hpaPolicy({ targetUtilization: 0.1 });
    start(policy);
    expect(policy.decide(observation(15 * SECOND, fleet(2, { utilization: 1 })))).toBe(6);
  });

  it('stabilizes a scale-down over 300 s: the highest recommendation of the window wins', () => {
    // Arrange: 10 pods at 70% (at target), then idle.
    const policy = hpaPolicy();
    start(policy);
    expect(policy.decide(observation(0, fleet(10, { utilization: 0.7 })))).toBe(10);

    // Act / Assert: idle pods recommend 1, but the at-target recommendation holds for 300 s.
    for (let t = 15; t <= 285; t += 15) {
      expect(policy.decide(observation(t * SECOND, fleet(10, { utilization: 0.05 })))).toBe(10);
    }
    expect(policy.decide(observation(315 * SECOND, fleet(10, { utilization: 0.05 })))).toBe(1);
  });

  it('counts loading pods as idle on a scale-up (capacity on its way is not ordered twice)', () => {
    // 4 ready at 100% plus 2 loading, target 70%: ready alone would ask ceil(4 × 100/70) = 6;
    // with the 2 pending pods at 0 the ratio is 400/600/0.7 = 0.95: within tolerance, hold 6.
    const policy = hpaPolicy();
    start(policy);
    const instances = [...fleet(4, { utilization: 1 }), ...fleet(2, { state: 'loading' }, 'p')];
    expect(policy.decide(observation(15 * SECOND, instances))).toBe(6);
  });

  it('holds when no pod reports a utilization (invalid metrics)', () => {
    const policy = hpaPolicy();
    start(policy);
    expect(policy.decide(observation(15 * SECOND, fleet(5)))).toBe(5);
  });
});

describe('kedaQueuePolicy: KEDA queue length on the HPA', () => {
  it('asks for ceil(queue / target): 50 in the backlog with a target of 8 → 7', () => {
    const policy = kedaQueuePolicy({ targetQueuePerReplica: 8 });
    start(policy);
    const instances = [
      instance('a', { queueDepth: 10, inFlightRequests: 7 }),
      instance('b', { queueDepth: 10, inFlightRequests: 7 }),
      instance('c', { queueDepth: 9, inFlightRequests: 7 }),
    ];
    expect(policy.decide(observation(15 * SECOND, instances))).toBe(7);
    expect(policy.inspect().lastQueue).toBe(50);
  });

  it('counts only waiting requests with queue: waiting', () => {
    const policy = kedaQueuePolicy({ targetQueuePerReplica: 8, queue: 'waiting' });
    start(policy);
    const instances = fleet(3, { queueDepth: 8, inFlightRequests: 30 });
    expect(policy.decide(observation(15 * SECOND, instances))).toBe(3);
  });

  it('activation: with minReplicas 0 it goes to zero after the cooldown, and back to 1 above the threshold', () => {
    // Arrange
    const policy = kedaQueuePolicy({ activationThreshold: 2, cooldownMs: 60_000 });
    start(policy, evenTrace(1, 60_000), { minReplicas: 0, maxReplicas: 10 });
    const quiet = fleet(1, { queueDepth: 0, inFlightRequests: 1 });

    // Act / Assert: at or below the threshold, it cools down then scales to zero.
    expect(policy.decide(observation(0, quiet))).toBe(1);
    expect(policy.decide(observation(45 * SECOND, quiet))).toBe(1);
    expect(policy.decide(observation(75 * SECOND, quiet))).toBe(0);
    expect(policy.inspect().lastActivation?.reason).toBe('deactivate');
    // At zero, a backlog of 2 (not above the threshold) stays at zero; 3 activates.
    expect(policy.decide(observation(90 * SECOND, [], { currentReplicas: 0 }))).toBe(0);
    const gateway = [instance('g', { state: 'ready', queueDepth: 3 })];
    expect(policy.decide(observation(105 * SECOND, gateway, { currentReplicas: 0 }))).toBe(1);
    expect(policy.inspect().lastActivation?.reason).toBe('activate');
  });

  it('never goes to zero when minReplicas is 1, however quiet', () => {
    const policy = kedaQueuePolicy({ cooldownMs: 0 });
    start(policy);
    const idle = fleet(3, { queueDepth: 0, inFlightRequests: 0 });
    let replicas = 3;
    for (let t = 0; t <= 900; t += 15) {
      replicas = policy.decide(observation(t * SECOND, idle.slice(0, replicas)));
    }
    expect(replicas).toBe(1);
  });
});

describe('knativePolicy: KPA stable and panic windows on concurrency', () => {
  function run(
    policy: ReturnType<typeof knativePolicy>,
    fromS: number,
    toS: number,
    inFlight: (t: number) => number,
    ready: number,
  ): number {
    let desired = ready;
    for (let t = fromS; t <= toS; t += 2) {
      const per = inFlight(t) / ready;
      desired = policy.decide(observation(t * SECOND, fleet(ready, { inFlightRequests: per })));
    }
    return desired;
  }

  it('in stable mode asks for ceil(average concurrency / (target × 0.7))', () => {
    // 4 ready, 44.8 in flight for a minute: 44.8 / (16 × 0.7) = 4 → 4.
    const policy = knativePolicy({ targetConcurrency: 16 });
    start(policy);
    expect(run(policy, 0, 60, () => 44.8, 4)).toBe(4);
    expect(policy.inspect().lastStep?.reason).toBe('stable');
  });

  it('panics on a 2x burst in the panic window and does not scale down while in panic', () => {
    // Arrange: a minute at 4 replicas' worth, then the last 6 s at 100 in flight.
    const policy = knativePolicy({ targetConcurrency: 10, targetUtilization: 1 });
    start(policy);
    run(policy, 0, 58, () => 40, 4);

    // Act: the burst (panic window proposes ceil(100 / 10) = 10 >= 2 × 4).
    const burst = run(policy, 60, 66, () => 100, 4);

    // Assert
    expect(policy.inspect().lastStep?.inPanic).toBe(true);
    expect(burst).toBeGreaterThanOrEqual(10);
    // The load falls back: in panic the count holds (no scale-down) for a stable window.
    const after = run(policy, 68, 100, () => 10, 10);
    expect(after).toBeGreaterThanOrEqual(burst);
    // After a full stable window without a trigger, it leaves panic and follows the stable window.
    const calm = run(policy, 102, 240, () => 10, 10);
    expect(policy.inspect().lastStep?.inPanic).toBe(false);
    expect(calm).toBeLessThan(burst);
  });

  it('scales down at most to half the ready replicas per decision (max-scale-down-rate 2)', () => {
    const policy = knativePolicy({ targetConcurrency: 10 });
    start(policy);
    const desired = policy.decide(observation(0, fleet(10, { inFlightRequests: 0 })));
    expect(desired).toBe(5);
  });

  it('rejects a panic window longer than the stable window', () => {
    expect(() => knativePolicy({ stableWindowMs: 60_000, panicWindowMs: 90_000 })).toThrow(
      /panicWindowMs/,
    );
  });
});

describe('createPolicy registry', () => {
  it('builds every named policy with its defaults', () => {
    for (const name of POLICY_NAMES) {
      const policy = createPolicy(name);
      expect(policy.name).toBe(name);
      const initial = start(policy);
      expect(initial).toBeGreaterThanOrEqual(BOUNDS.minReplicas);
      const next = policy.decide(observation(15 * SECOND, fleet(initial, { utilization: 0.5 })));
      expect(Number.isInteger(next)).toBe(true);
    }
  });

  it('rejects an unknown name with invalid_argument listing the known ones', () => {
    let error: unknown;
    try {
      createPolicy('nope');
    } catch (e) {
      error = e;
    }
    expect(isHeadroomError(error, 'invalid_argument')).toBe(true);
    expect(String((error as Error).message)).toContain('static, hpa, knative, keda, headroom');
  });

  it('throws when decide is called before initialReplicas', () => {
    expect(() => createPolicy('hpa').decide(observation(0, fleet(1)))).toThrow(/initialReplicas/);
  });
});
