import { describe, expect, it } from 'vitest';
import type { InstanceSnapshot } from '@headroom/core';
import { initialHpaState } from '../hpa/index.js';
import { createTargetTracking, targetTrackingStep, type CompositeRule } from './index.js';

const NOW = 1_764_000_000_000;
function instance(
  id: string,
  opts: {
    state?: InstanceSnapshot['state'];
    util?: number;
    queue?: number;
    streams?: number;
    ageMs?: number;
  } = {},
): InstanceSnapshot {
  const at = NOW - (opts.ageMs ?? 5_000);
  return {
    id,
    state: opts.state ?? 'ready',
    labels: {},
    load: {
      ...(opts.queue === undefined ? {} : { queueDepth: opts.queue }),
      ...(opts.streams === undefined ? {} : { activeStreams: opts.streams }),
    },
    gpus:
      opts.util === undefined
        ? []
        : [{ gpuId: `${id}-gpu0`, utilization: opts.util, sampledAtMs: at }],
    observedAtMs: at,
  };
}

const policy = createTargetTracking({
  maxReplicas: 40,
  signals: [
    { name: 'gpu', kind: 'gpu_utilization', target: 0.7 },
    { name: 'queue', kind: 'queue_depth', target: 4 },
  ],
  behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
});

describe('target tracking on GPU signals', () => {
  it('scales on the signal with the most pressure and says which', () => {
    const fleet = ['a', 'b', 'c', 'd'].map((id) => instance(id, { util: 0.7, queue: 12 }));
    const d = targetTrackingStep(policy, initialHpaState(), {
      nowMs: NOW,
      currentReplicas: 4,
      instances: fleet,
    });
    expect(d.decision).toEqual({ kind: 'scale', from: 4, to: 8 }); // queue asks 12 (pressure 3); up to +4 per 15 s
    expect(d.reason).toMatchObject({
      drivingSignal: 'queue',
      drivingPressure: 3,
      recommendedReplicas: 12,
      code: 'scale_up_limit',
    });
  });

  it('counts instances still loading as capacity on its way (idle on a scale-up)', () => {
    const fleet = [
      instance('a', { util: 0.95 }),
      instance('b', { util: 0.95 }),
      instance('c', { state: 'loading' }),
      instance('d', { state: 'warming' }),
    ];
    const d = targetTrackingStep(policy, initialHpaState(), {
      nowMs: NOW,
      currentReplicas: 4,
      instances: fleet,
    });
    // (0.95 + 0.95 + 0 + 0) / 4 / 0.7 = 0.68 < 1: filling in flips the direction, so hold instead of ordering more.
    expect(d.decision).toEqual({ kind: 'hold', replicas: 4 });
  });

  it('a stale value counts as exactly at target on a scale-down', () => {
    const fleet = [
      instance('a', { util: 0.1, queue: 0 }),
      instance('b', { util: 0.1, queue: 0 }),
      instance('c', { util: 0.1, queue: 0, ageMs: 600_000 }),
    ];
    const d = targetTrackingStep(policy, initialHpaState(), {
      nowMs: NOW,
      currentReplicas: 3,
      instances: fleet,
    });
    // gpu: a, b at 0.1; c stale -> counted at target 0.7: (0.1 + 0.1 + 0.7) / 3 / 0.7 = 0.43 -> 2.
    expect(d.reason.proposals.find((p) => p.signal === 'gpu')?.replicas).toBe(2);
  });

  it('scales up on valid signals but never down while one is invalid, and holds with none', () => {
    const latency = createTargetTracking({
      maxReplicas: 40,
      signals: [
        { name: 'queue', kind: 'queue_depth', target: 4 },
        { name: 'p95', kind: 'latency', target: 2_000 },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
    });
    const idle = ['a', 'b', 'c', 'd'].map((id) => instance(id, { queue: 0 }));
    const down = targetTrackingStep(latency, initialHpaState(), {
      nowMs: NOW,
      currentReplicas: 4,
      instances: idle,
    });
    expect(down.decision).toEqual({ kind: 'hold', replicas: 4 });
    expect(down.reason.code).toBe('invalid_signal_blocks_scale_down');
    const busy = ['a', 'b', 'c', 'd'].map((id) => instance(id, { queue: 8 }));
    expect(
      targetTrackingStep(latency, initialHpaState(), {
        nowMs: NOW,
        currentReplicas: 4,
        instances: busy,
      }).decision,
    ).toEqual({ kind: 'scale', from: 4, to: 8 });
    const nothing = targetTrackingStep(latency, initialHpaState(), {
      nowMs: NOW,
      currentReplicas: 4,
      instances: [],
    });
    expect(nothing.reason.code).toBe('no_valid_signal');
  });

  it('a latency SLO signal scales by observed / SLO', () => {
    const slo = createTargetTracking({
      maxReplicas: 40,
      signals: [{ name: 'p95', kind: 'latency', target: 2_000 }],
    });
    const fleet = ['a', 'b', 'c', 'd', 'e'].map((id) => instance(id));
    const d = targetTrackingStep(slo, initialHpaState(), {
      nowMs: NOW,
      currentReplicas: 5,
      instances: fleet,
      fleet: { p95: { value: 3_000, sampledAtMs: NOW } },
    });
    expect(d.reason.recommendedReplicas).toBe(8); // ceil(5 × 1.5)
  });

  it('weighted mean and custom composites', () => {
    const fleet = ['a', 'b', 'c', 'd'].map((id) => instance(id, { util: 1.4, queue: 4 }));
    const mk = (composite: CompositeRule) =>
      createTargetTracking({
        maxReplicas: 100,
        composite,
        signals: [
          { name: 'gpu', kind: 'gpu_utilization', target: 0.7, weight: 3 },
          { name: 'queue', kind: 'queue_depth', target: 4, weight: 1 },
        ],
        behavior: { scaleUp: { policies: [{ type: 'Percent', value: 1000, periodSeconds: 15 }] } },
      });
    // gpu proposes 8, queue 4: weighted (3 × 8 + 4) / 4 = 7.
    expect(
      targetTrackingStep(mk('weighted_mean'), initialHpaState(), {
        nowMs: NOW,
        currentReplicas: 4,
        instances: fleet,
      }).reason.recommendedReplicas,
    ).toBe(7);
    expect(
      targetTrackingStep(
        mk((ps) => Math.min(...ps.map((p) => p.replicas))),
        initialHpaState(),
        { nowMs: NOW, currentReplicas: 4, instances: fleet },
      ).reason.recommendedReplicas,
    ).toBe(4);
    const broken = targetTrackingStep(
      mk(() => Number.NaN),
      initialHpaState(),
      { nowMs: NOW, currentReplicas: 4, instances: fleet },
    );
    expect(broken.reason.code).toBe('composite_invalid');
  });

  it('tolerance can differ up and down', () => {
    const asym = createTargetTracking({
      maxReplicas: 40,
      tolerance: { up: 0.05, down: 0.3 },
      signals: [{ name: 'q', kind: 'queue_depth', target: 10 }],
      behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
    });
    const at = (q: number) => ['a', 'b', 'c', 'd'].map((id) => instance(id, { queue: q }));
    expect(
      targetTrackingStep(asym, initialHpaState(), {
        nowMs: NOW,
        currentReplicas: 4,
        instances: at(11),
      }).decision.kind,
    ).toBe('scale');
    expect(
      targetTrackingStep(asym, initialHpaState(), {
        nowMs: NOW,
        currentReplicas: 4,
        instances: at(7.5),
      }).decision.kind,
    ).toBe('hold');
  });

  it('rejects a bad configuration naming the field', () => {
    expect(() => createTargetTracking({ maxReplicas: 4, signals: [] })).toThrow(
      /invalid_config at signals/,
    );
    expect(() =>
      createTargetTracking({
        maxReplicas: 4,
        signals: [{ name: 'q', kind: 'queue_depth', target: -1 }],
      }),
    ).toThrow(/signals\[0\]\.target/);
    expect(() =>
      createTargetTracking({ maxReplicas: 4, signals: [{ name: 'c', kind: 'custom', target: 1 }] }),
    ).toThrow(/signals\[0\]\.read/);
  });
});
