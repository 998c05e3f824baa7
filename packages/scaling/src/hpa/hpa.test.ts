import { describe, expect, it } from 'vitest';
import {
  createHpaController,
  hpaStep,
  initialHpaState,
  recordHpaScale,
  type HpaPod,
  type HpaSpecInput,
} from './index.js';

const T0 = 1_764_000_000_000;
const running = (name: string, extra: Partial<HpaPod> = {}): HpaPod => ({
  name,
  phase: 'Running',
  startTimeMs: T0 - 3_600_000,
  readyCondition: { ready: true, lastTransitionTimeMs: T0 - 3_500_000 },
  ...extra,
});
const queueSpec = (extra: Partial<HpaSpecInput> = {}): HpaSpecInput => ({
  minReplicas: 1,
  maxReplicas: 50,
  metrics: [
    { type: 'Pods', name: 'queue_depth', target: { type: 'AverageValue', averageValue: 5 } },
  ],
  ...extra,
});
const samples = (values: Record<string, number>) => ({
  kind: 'pods' as const,
  samples: Object.fromEntries(
    Object.entries(values).map(([pod, v]) => [
      pod,
      { milliValue: v * 1000, timestampMs: T0 - 10_000, windowMs: 30_000 },
    ]),
  ),
});
const pods = (...names: string[]) => names.map((n) => running(n));

describe('HPA replica calculation (pkg/controller/podautoscaler/replica_calculator.go semantics)', () => {
  const hpa = createHpaController(
    queueSpec({ behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } }),
  );
  const step = (specReplicas: number, podList: HpaPod[], values: Record<string, number>) =>
    hpaStep(hpa, initialHpaState(), {
      nowMs: T0,
      specReplicas,
      pods: podList,
      metrics: [samples(values)],
    });

  it('desired = ceil(current × observed / target)', () => {
    expect(step(3, pods('a', 'b', 'c'), { a: 10, b: 10, c: 10 }).reason.metricReplicas).toBe(6);
  });

  it('holds inside the tolerance band (default 0.1)', () => {
    expect(step(3, pods('a', 'b', 'c'), { a: 5.25, b: 5.25, c: 5.25 }).desiredReplicas).toBe(3);
    expect(step(3, pods('a', 'b', 'c'), { a: 4.6, b: 4.6, c: 4.6 }).desiredReplicas).toBe(3);
  });

  it('on a scale-down, a pod without a sample counts as exactly at target', () => {
    // Ratio 0.2 on a and b; c filled at target: (1 + 1 + 5) / 3 / 5 = 0.4667 -> ceil(0.4667 × 3) = 2, not 1.
    expect(step(3, pods('a', 'b', 'c'), { a: 1, b: 1 }).reason.metricReplicas).toBe(2);
  });

  it('on a scale-up, a pod without a sample counts as idle', () => {
    // (20 + 20 + 0) / 3 = 13.333 -> ratio 2.667 -> ceil(2.667 × 3) = 8.
    expect(step(3, pods('a', 'b', 'c'), { a: 20, b: 20 }).reason.metricReplicas).toBe(8);
  });

  it('on a scale-up, a pending pod counts as idle', () => {
    const list = [running('a'), running('b'), { name: 'c', phase: 'Pending' as const }];
    expect(step(3, list, { a: 20, b: 20 }).reason.metricReplicas).toBe(8);
  });

  it('holds when filling in missing pods flips the direction', () => {
    // a alone: ratio 1.2 (up); with b counted idle: 0.6 (down) -> keep 2.
    expect(step(2, pods('a', 'b'), { a: 6 }).desiredReplicas).toBe(2);
  });

  it('ignores deleted and failed pods', () => {
    const list = [
      running('a'),
      running('b', { deleted: true }),
      { name: 'c', phase: 'Failed' as const },
    ];
    expect(step(1, list, { a: 10, b: 100, c: 100 }).reason.metricReplicas).toBe(2);
  });
});

describe('CPU utilization targets', () => {
  const hpa = createHpaController({
    minReplicas: 1,
    maxReplicas: 20,
    metrics: [
      { type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
    ],
    behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
  });
  const cpuPod = (name: string) => running(name, { requestsMilli: { cpu: 500 } });
  const cpu = (values: Record<string, number>) => ({
    kind: 'pods' as const,
    samples: Object.fromEntries(
      Object.entries(values).map(([pod, m]) => [
        pod,
        { milliValue: m, timestampMs: T0 - 10_000, windowMs: 30_000 },
      ]),
    ),
  });

  it('uses integer percent of requests: 1000m used of 1000m requested at a 50% target doubles', () => {
    const d = hpaStep(hpa, initialHpaState(), {
      nowMs: T0,
      specReplicas: 2,
      pods: [cpuPod('a'), cpuPod('b')],
      metrics: [cpu({ a: 400, b: 600 })],
    });
    expect(d.reason.metricReplicas).toBe(4);
  });

  it('on a scale-down, a pod without a sample counts as 100% of its request', () => {
    // a, b at 10% -> ratio 0.2; c filled at 500m: (50+50+500)/1500 = 40% -> 0.8 -> ceil(2.4) = 3 (held: not below current by the flip rule? 0.8 < 1 and 3 <= 3)
    const d = hpaStep(hpa, initialHpaState(), {
      nowMs: T0,
      specReplicas: 3,
      pods: [cpuPod('a'), cpuPod('b'), cpuPod('c')],
      metrics: [cpu({ a: 50, b: 50 })],
    });
    expect(d.reason.metricReplicas).toBe(3);
  });

  it('treats a pod still in its CPU initialization period and not ready as unready', () => {
    const fresh = running('c', {
      requestsMilli: { cpu: 500 },
      startTimeMs: T0 - 60_000,
      readyCondition: { ready: false, lastTransitionTimeMs: T0 - 60_000 },
    });
    const d = hpaStep(hpa, initialHpaState(), {
      nowMs: T0,
      specReplicas: 3,
      pods: [cpuPod('a'), cpuPod('b'), fresh],
      metrics: [cpu({ a: 500, b: 500, c: 500 })],
    });
    // a, b at 100% (ratio 2); c unready counts 0 on the scale-up: 1000/1500 = 66% -> 1.33 -> ceil(4) = 4.
    expect(d.reason.metricReplicas).toBe(4);
    expect(d.reason.proposals[0]).toMatchObject({ ok: true, pods: { ready: 2, unready: 1 } });
  });

  it('fails the metric when a pod has no request', () => {
    const d = hpaStep(hpa, initialHpaState(), {
      nowMs: T0,
      specReplicas: 2,
      pods: [cpuPod('a'), running('b')],
      metrics: [cpu({ a: 400, b: 600 })],
    });
    expect(d.reason.code).toBe('invalid_metrics');
    expect(d.desiredReplicas).toBe(2);
  });
});

describe('several metrics, and invalid ones (computeReplicasForMetrics)', () => {
  const hpa = createHpaController(
    queueSpec({
      metrics: [
        { type: 'Pods', name: 'queue_depth', target: { type: 'AverageValue', averageValue: 5 } },
        {
          type: 'External',
          name: 'pending_jobs',
          target: { type: 'AverageValue', averageValue: 10 },
        },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
    }),
  );
  const list = pods('a', 'b', 'c', 'd');

  it('takes the largest proposal and names the metric that drove it', () => {
    const d = hpaStep(hpa, initialHpaState(), {
      nowMs: T0,
      specReplicas: 4,
      pods: list,
      metrics: [samples({ a: 5, b: 5, c: 5, d: 5 }), { kind: 'value', milliValue: 90_000 }],
    });
    expect(d.reason.metricReplicas).toBe(9);
    expect(d.reason.drivingMetric).toBe('External/pending_jobs');
  });

  it('scales up on the valid metrics when one fails', () => {
    const d = hpaStep(hpa, initialHpaState(), {
      nowMs: T0,
      specReplicas: 4,
      pods: list,
      metrics: [
        { kind: 'error', message: 'metrics API 503' },
        { kind: 'value', milliValue: 90_000 },
      ],
    });
    expect(d.desiredReplicas).toBe(8); // scale-up rate limit: 4 + 4 or 2 × 4
    expect(d.reason.metricReplicas).toBe(9);
  });

  it('never scales down while a metric is invalid, and holds when all are', () => {
    const down = hpaStep(hpa, initialHpaState(), {
      nowMs: T0,
      specReplicas: 4,
      pods: list,
      metrics: [
        { kind: 'error', message: 'x' },
        { kind: 'value', milliValue: 10_000 },
      ],
    });
    expect(down).toMatchObject({
      desiredReplicas: 4,
      rescale: false,
      reason: { code: 'invalid_metrics' },
    });
    const none = hpaStep(hpa, initialHpaState(), {
      nowMs: T0,
      specReplicas: 4,
      pods: list,
      metrics: [undefined, { kind: 'error', message: 'x' }],
    });
    expect(none.reason.code).toBe('invalid_metrics');
  });
});

describe('bounds and the scale-to-zero cases', () => {
  it('brings replicas outside [min, max] inside first, and is off at spec.replicas 0', () => {
    const hpa = createHpaController(queueSpec({ minReplicas: 2, maxReplicas: 10 }));
    const base = { nowMs: T0, pods: [], metrics: [] };
    expect(hpaStep(hpa, initialHpaState(), { ...base, specReplicas: 12 })).toMatchObject({
      desiredReplicas: 10,
      reason: { code: 'above_max' },
    });
    expect(hpaStep(hpa, initialHpaState(), { ...base, specReplicas: 1 })).toMatchObject({
      desiredReplicas: 2,
      reason: { code: 'below_min' },
    });
    expect(hpaStep(hpa, initialHpaState(), { ...base, specReplicas: 0 })).toMatchObject({
      desiredReplicas: 0,
      rescale: false,
      reason: { code: 'scaling_disabled' },
    });
  });

  it('with minReplicas 0 an Object Value metric scales from zero by ceil(observed / target)', () => {
    const hpa = createHpaController({
      minReplicas: 0,
      maxReplicas: 10,
      metrics: [{ type: 'Object', name: 'queue', target: { type: 'Value', value: 10 } }],
    });
    const d = hpaStep(hpa, initialHpaState(), {
      nowMs: T0,
      specReplicas: 0,
      pods: [],
      metrics: [{ kind: 'value', milliValue: 25_000 }],
    });
    expect(d.desiredReplicas).toBe(3);
  });
});

describe('inputs Kubernetes could not produce', () => {
  it('an Object/External Value metric with no pods selected fails the metric instead of scaling to 0', () => {
    const hpa = createHpaController({
      minReplicas: 1,
      maxReplicas: 20,
      metrics: [{ type: 'External', name: 'q', target: { type: 'Value', value: 5 } }],
    });
    const d = hpaStep(hpa, initialHpaState(), {
      nowMs: T0,
      specReplicas: 10,
      pods: [],
      metrics: [{ kind: 'value', milliValue: 50_000 }],
    });
    expect(d).toMatchObject({ desiredReplicas: 10, reason: { code: 'invalid_metrics' } });
  });

  it('non-finite or negative values never reach the math', () => {
    const hpa = createHpaController(
      queueSpec({ behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } }),
    );
    const nan = hpaStep(hpa, initialHpaState(), {
      nowMs: T0,
      specReplicas: 2,
      pods: pods('a', 'b'),
      metrics: [
        {
          kind: 'pods',
          samples: {
            a: { milliValue: Number.NaN, timestampMs: T0, windowMs: 0 },
            b: { milliValue: 20_000, timestampMs: T0, windowMs: 0 },
          },
        },
      ],
    });
    expect(Number.isInteger(nan.desiredReplicas)).toBe(true);
    expect(nan.state.recommendations.every((r) => Number.isFinite(r.replicas))).toBe(true);
    const ext = createHpaController({
      minReplicas: 1,
      maxReplicas: 20,
      metrics: [{ type: 'External', name: 'q', target: { type: 'AverageValue', averageValue: 5 } }],
    });
    expect(
      hpaStep(ext, initialHpaState(), {
        nowMs: T0,
        specReplicas: 3,
        pods: [],
        metrics: [{ kind: 'value', milliValue: Number.POSITIVE_INFINITY }],
      }).reason.code,
    ).toBe('invalid_metrics');
    expect(() =>
      hpaStep(hpa, initialHpaState(), { nowMs: T0, specReplicas: 2.5, pods: [], metrics: [] }),
    ).toThrow(/invalid_argument at specReplicas/);
  });

  it('rejects an empty policy list, as the API server does', () => {
    expect(() =>
      createHpaController(queueSpec({ behavior: { scaleUp: { policies: [] } } })),
    ).toThrow(/invalid_config at hpa\.behavior\.scaleUp\.policies/);
  });
});

describe('legacy behavior (no spec.behavior)', () => {
  const hpa = createHpaController(queueSpec({ maxReplicas: 100 }));
  it('limits a scale-up to max(2 × current, 4)', () => {
    const from1 = hpaStep(hpa, initialHpaState(), {
      nowMs: T0,
      specReplicas: 1,
      pods: pods('a'),
      metrics: [samples({ a: 50 })],
    });
    expect(from1).toMatchObject({
      desiredReplicas: 4,
      reason: { code: 'scale_up_limit', metricReplicas: 10 },
    });
    const from5 = hpaStep(hpa, initialHpaState(), {
      nowMs: T0,
      specReplicas: 5,
      pods: pods('a', 'b', 'c', 'd', 'e'),
      metrics: [samples({ a: 50, b: 50, c: 50, d: 50, e: 50 })],
    });
    expect(from5.desiredReplicas).toBe(10);
  });

  it('keeps the highest recommendation of the last 5 minutes on the way down', () => {
    const list = pods('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
    let state = hpaStep(hpa, initialHpaState(), {
      nowMs: T0,
      specReplicas: 8,
      pods: list,
      metrics: [samples(Object.fromEntries(list.map((p) => [p.name, 5])))],
    }).state;
    const low = samples(Object.fromEntries(list.map((p) => [p.name, 1])));
    const within = hpaStep(hpa, state, {
      nowMs: T0 + 240_000,
      specReplicas: 8,
      pods: list,
      metrics: [low],
    });
    expect(within.desiredReplicas).toBe(8);
    state = within.state;
    const after = hpaStep(hpa, state, {
      nowMs: T0 + 301_000,
      specReplicas: 8,
      pods: list,
      metrics: [low],
    });
    expect(after.desiredReplicas).toBe(2); // the T0 sample left the window; the T0+240s one said 2
  });
});

describe('behavior: stabilization windows and rate-limit policies', () => {
  it('defaults: up at most max(+4 pods, +100%) per 15 s, down stabilized over 300 s', () => {
    const hpa = createHpaController(queueSpec({ maxReplicas: 200, behavior: {} }));
    const d = hpaStep(hpa, initialHpaState(), {
      nowMs: T0,
      specReplicas: 2,
      pods: pods('a', 'b'),
      metrics: [samples({ a: 250, b: 250 })],
    });
    expect(d).toMatchObject({
      desiredReplicas: 6,
      reason: { code: 'scale_up_limit', metricReplicas: 100 },
    });
  });

  it('counts scale events inside each policy period (Pods 1 per 60 s down)', () => {
    const hpa = createHpaController(
      queueSpec({
        behavior: {
          scaleDown: {
            stabilizationWindowSeconds: 0,
            policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
          },
        },
      }),
    );
    const list = pods(...'abcdefghij');
    const idle = samples(Object.fromEntries(list.map((p) => [p.name, 1])));
    const first = hpaStep(hpa, initialHpaState(), {
      nowMs: T0,
      specReplicas: 10,
      pods: list,
      metrics: [idle],
    });
    expect(first).toMatchObject({ desiredReplicas: 9, reason: { code: 'scale_down_limit' } });
    let state = recordHpaScale(hpa, first.state, 10, 9, T0);
    const soon = hpaStep(hpa, state, {
      nowMs: T0 + 30_000,
      specReplicas: 9,
      pods: list.slice(0, 9),
      metrics: [idle],
    });
    expect(soon.desiredReplicas).toBe(9); // the period started at 10: 10 − 1 = 9 already reached
    state = soon.state;
    const later = hpaStep(hpa, state, {
      nowMs: T0 + 61_000,
      specReplicas: 9,
      pods: list.slice(0, 9),
      metrics: [idle],
    });
    expect(later.desiredReplicas).toBe(8);
  });

  it('selectPolicy Min takes the smallest allowed change, Disabled forbids the direction', () => {
    const min = createHpaController(
      queueSpec({
        maxReplicas: 200,
        behavior: {
          scaleUp: {
            selectPolicy: 'Min',
            policies: [
              { type: 'Pods', value: 4, periodSeconds: 15 },
              { type: 'Percent', value: 100, periodSeconds: 15 },
            ],
          },
        },
      }),
    );
    expect(
      hpaStep(min, initialHpaState(), {
        nowMs: T0,
        specReplicas: 10,
        pods: pods(...'abcdefghij'),
        metrics: [samples(Object.fromEntries([...'abcdefghij'].map((n) => [n, 50])))],
      }).desiredReplicas,
    ).toBe(14);
    const noDown = createHpaController(
      queueSpec({ behavior: { scaleDown: { selectPolicy: 'Disabled' } } }),
    );
    expect(
      hpaStep(noDown, initialHpaState(), {
        nowMs: T0,
        specReplicas: 4,
        pods: pods('a', 'b', 'c', 'd'),
        metrics: [samples({ a: 0, b: 0, c: 0, d: 0 })],
      }).desiredReplicas,
    ).toBe(4);
  });

  it('an up stabilization window takes the lowest recent recommendation', () => {
    const hpa = createHpaController(
      queueSpec({ behavior: { scaleUp: { stabilizationWindowSeconds: 60 } } }),
    );
    const list = pods('a', 'b');
    const quiet = hpaStep(hpa, initialHpaState(), {
      nowMs: T0,
      specReplicas: 2,
      pods: list,
      metrics: [samples({ a: 5, b: 5 })],
    });
    const spike = hpaStep(hpa, quiet.state, {
      nowMs: T0 + 30_000,
      specReplicas: 2,
      pods: list,
      metrics: [samples({ a: 20, b: 20 })],
    });
    expect(spike.desiredReplicas).toBe(2); // min(2, 8) within the 60 s window
    const sustained = hpaStep(hpa, spike.state, {
      nowMs: T0 + 61_000,
      specReplicas: 2,
      pods: list,
      metrics: [samples({ a: 20, b: 20 })],
    });
    expect(sustained).toMatchObject({
      desiredReplicas: 6,
      reason: { stabilizedReplicas: 8, code: 'scale_up_limit' },
    }); // +4 pods / 15 s
  });

  it('rejects a spec the API server would reject, naming the field', () => {
    expect(() =>
      createHpaController({
        minReplicas: 5,
        maxReplicas: 2,
        metrics: [{ type: 'Pods', name: 'q', target: { type: 'AverageValue', averageValue: 1 } }],
      }),
    ).toThrow(/invalid_config at hpa\.maxReplicas/);
    expect(() =>
      createHpaController(
        queueSpec({ metrics: [{ type: 'Pods', name: 'q', target: { type: 'Value', value: 1 } }] }),
      ),
    ).toThrow(/hpa\.metrics\[0\]\.target\.type/);
  });
});
