import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createHpaController,
  hpaStep,
  initialHpaState,
  recordHpaScale,
  type HpaMetricReading,
  type HpaPod,
  type HpaState,
} from './index.js';

const T0 = 1_764_000_000_000;
const RUNS = { numRuns: 1000 };

const bounds = fc
  .tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 60 }))
  .map(([a, b]) => ({ minReplicas: Math.min(a, b), maxReplicas: Math.max(a, b, 1) }));
const policy = fc.record({
  type: fc.constantFrom('Pods' as const, 'Percent' as const),
  value: fc.integer({ min: 1, max: 200 }),
  periodSeconds: fc.integer({ min: 1, max: 300 }),
});
const rules = fc.record(
  {
    stabilizationWindowSeconds: fc.integer({ min: 0, max: 600 }),
    selectPolicy: fc.constantFrom('Max' as const, 'Min' as const, 'Disabled' as const),
    policies: fc.array(policy, { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: [] },
);
const behavior = fc.option(fc.record({ scaleUp: rules, scaleDown: rules }, { requiredKeys: [] }), {
  nil: undefined,
});
/** Per-pod values: anything a broken pipeline could deliver, including huge and zero. */
const podValue = fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(0, 1, 2 ** 40));

function podList(n: number): HpaPod[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `p${i}`,
    phase: 'Running' as const,
    startTimeMs: T0 - 3_600_000,
    readyCondition: { ready: true, lastTransitionTimeMs: T0 - 3_500_000 },
  }));
}

function reading(pods: HpaPod[], values: (number | undefined)[]): HpaMetricReading {
  const samples: Record<string, { milliValue: number; timestampMs: number; windowMs: number }> = {};
  pods.forEach((p, i) => {
    const v = values[i % Math.max(1, values.length)];
    if (v !== undefined) samples[p.name] = { milliValue: v, timestampMs: T0, windowMs: 30_000 };
  });
  return { kind: 'pods', samples };
}

/** The one metric every property drives: Pods metric `q` targeting an average of 5 a pod. */
const Q_METRIC = {
  type: 'Pods',
  name: 'q',
  target: { type: 'AverageValue', averageValue: 5 },
} as const;

/** A step input at `nowMs` for `current` running pods reporting `values` (cycled) on `q`. */
function stepInput(nowMs: number, current: number, values: (number | undefined)[]) {
  const pods = podList(current);
  return { nowMs, specReplicas: current, pods, metrics: [reading(pods, values)] };
}

describe('HPA invariants', () => {
  it('desired replicas are always a finite integer within [min, max] once current is inside them', () => {
    fc.assert(
      fc.property(
        bounds,
        behavior,
        fc.integer({ min: 0, max: 80 }),
        fc.array(fc.option(podValue, { nil: undefined }), { maxLength: 8 }),
        fc.boolean(),
        (b, beh, current, values, broken) => {
          const hpa = createHpaController({
            ...b,
            ...(beh === undefined ? {} : { behavior: beh }),
            metrics: [Q_METRIC],
          });
          const pods = podList(Math.min(current, 40));
          const metrics = broken
            ? [{ kind: 'error' as const, message: 'down' }]
            : [reading(pods, values)];
          const d = hpaStep(hpa, initialHpaState(), {
            nowMs: T0,
            specReplicas: current,
            pods,
            metrics,
          });
          expect(Number.isInteger(d.desiredReplicas)).toBe(true);
          if (current === 0 && b.minReplicas !== 0) expect(d.desiredReplicas).toBe(0);
          else {
            expect(d.desiredReplicas).toBeGreaterThanOrEqual(b.minReplicas);
            expect(d.desiredReplicas).toBeLessThanOrEqual(b.maxReplicas);
          }
        },
      ),
      RUNS,
    );
  });

  it('never scales down inside the down window after a recommendation at or above current', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.array(
          fc.tuple(fc.integer({ min: 1, max: 120_000 }), fc.integer({ min: 0, max: 50_000 })),
          { minLength: 1, maxLength: 12 },
        ),
        (windowS, steps) => {
          const hpa = createHpaController({
            minReplicas: 1,
            maxReplicas: 40,
            metrics: [Q_METRIC],
            behavior: { scaleDown: { stabilizationWindowSeconds: windowS } },
          });
          let state: HpaState = initialHpaState();
          let now = T0;
          let current = 8;
          const history: { atMs: number; replicas: number }[] = [];
          for (const [dt, v] of steps) {
            now += dt;
            const d = hpaStep(hpa, state, stepInput(now, current, [v]));
            const highRecent = history.some(
              (h) => h.atMs > now - windowS * 1000 && h.replicas >= current,
            );
            if (highRecent) expect(d.desiredReplicas).toBeGreaterThanOrEqual(current);
            if (d.reason.metricReplicas !== undefined)
              history.push({ atMs: now, replicas: d.reason.metricReplicas });
            state = d.rescale
              ? recordHpaScale(hpa, d.state, current, d.desiredReplicas, now)
              : d.state;
            current = d.desiredReplicas;
          }
        },
      ),
      RUNS,
    );
  });

  it('a single Pods policy is never exceeded over its period, in either direction', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 5, max: 120 }),
        fc.array(
          fc.tuple(fc.integer({ min: 1, max: 60_000 }), fc.integer({ min: 0, max: 60_000 })),
          { minLength: 1, maxLength: 15 },
        ),
        (n, periodS, steps) => {
          const pol = {
            policies: [{ type: 'Pods' as const, value: n, periodSeconds: periodS }],
            stabilizationWindowSeconds: 0,
          };
          const hpa = createHpaController({
            minReplicas: 1,
            maxReplicas: 60,
            metrics: [Q_METRIC],
            behavior: { scaleUp: pol, scaleDown: pol },
          });
          let state: HpaState = initialHpaState();
          let now = T0;
          let current = 10;
          const events: { atMs: number; delta: number }[] = [];
          for (const [dt, v] of steps) {
            now += dt;
            const d = hpaStep(hpa, state, stepInput(now, current, [v]));
            if (d.rescale) {
              const delta = d.desiredReplicas - current;
              const inPeriod = events.filter((e) => e.atMs > now - periodS * 1000);
              const up = inPeriod.filter((e) => e.delta > 0).reduce((s, e) => s + e.delta, 0);
              const down = inPeriod.filter((e) => e.delta < 0).reduce((s, e) => s - e.delta, 0);
              if (delta > 0) expect(delta + up - down).toBeLessThanOrEqual(n);
              else expect(-delta + down - up).toBeLessThanOrEqual(n);
              events.push({ atMs: now, delta });
              state = recordHpaScale(hpa, d.state, current, d.desiredReplicas, now);
            } else {
              state = d.state;
            }
            current = d.desiredReplicas;
          }
        },
      ),
      RUNS,
    );
  });

  it('more load never yields fewer replicas (monotonic in every pod value)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.array(podValue, { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 6 }),
        (current, values, extra) => {
          const hpa = createHpaController({
            minReplicas: 1,
            maxReplicas: 1000,
            metrics: [Q_METRIC],
            behavior: {
              scaleUp: { policies: [{ type: 'Percent', value: 100_000, periodSeconds: 1 }] },
              scaleDown: { stabilizationWindowSeconds: 0 },
            },
          });
          const more = values.map((v, i) => v + (extra[i % extra.length] as number));
          const a = hpaStep(hpa, initialHpaState(), stepInput(T0, current, values));
          const b = hpaStep(hpa, initialHpaState(), stepInput(T0, current, more));
          expect(b.desiredReplicas).toBeGreaterThanOrEqual(a.desiredReplicas);
        },
      ),
      RUNS,
    );
  });

  it('state round-trips through JSON and gives the same next decision', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 1, max: 60_000 }), fc.integer({ min: 0, max: 50_000 })),
          { minLength: 1, maxLength: 8 },
        ),
        (steps) => {
          const hpa = createHpaController({
            minReplicas: 1,
            maxReplicas: 40,
            metrics: [Q_METRIC],
            behavior: {},
          });
          let state: HpaState = initialHpaState();
          let now = T0;
          let current = 5;
          for (const [dt, v] of steps) {
            now += dt;
            const input = stepInput(now, current, [v]);
            const direct = hpaStep(hpa, state, input);
            const resumed = hpaStep(hpa, JSON.parse(JSON.stringify(state)) as HpaState, input);
            expect(resumed.desiredReplicas).toBe(direct.desiredReplicas);
            state = direct.rescale
              ? recordHpaScale(hpa, direct.state, current, direct.desiredReplicas, now)
              : direct.state;
            current = direct.desiredReplicas;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
