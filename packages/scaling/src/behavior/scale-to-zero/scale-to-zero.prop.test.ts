import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  initialScaleToZeroState,
  scaleToZeroStep,
  type ScaleToZeroConfigInput,
  type ScaleToZeroDecision,
} from './index.js';

const RUNS = { numRuns: 1000 };

/** The type an arbitrary generates. */
type Generated<A> = A extends fc.Arbitrary<infer T> ? T : never;
const T0 = 1_700_000_000_000;

const configArb: fc.Arbitrary<ScaleToZeroConfigInput> = fc.record({
  activationThreshold: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 100, noNaN: true })),
  cooldownMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 600_000 })),
  allowed: fc.boolean(),
  coldStartMs: fc.integer({ min: 0, max: 600_000 }),
});

const metricArb = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 0, max: 200, noNaN: true }) },
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -3) },
);

const tickArb = fc.record({
  advanceMs: fc.oneof(fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: 0, max: 900_000 })),
  currentReplicas: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 8 })),
  metricValue: metricArb,
});

interface Step {
  readonly nowMs: number;
  readonly currentReplicas: number;
  readonly metricValue: number | undefined;
  readonly decision: ScaleToZeroDecision;
}

function run(config: ScaleToZeroConfigInput, ticks: Generated<typeof tickArb>[]): Step[] {
  let state = initialScaleToZeroState();
  let nowMs = T0;
  const out: Step[] = [];
  for (const tick of ticks) {
    nowMs += tick.advanceMs;
    const decision = scaleToZeroStep(config, state, {
      nowMs,
      currentReplicas: tick.currentReplicas,
      metricValue: tick.metricValue,
    });
    out.push({
      nowMs,
      currentReplicas: tick.currentReplicas,
      metricValue: tick.metricValue,
      decision,
    });
    state = decision.state;
  }
  return out;
}

const traceArb = fc.record({
  config: configArb,
  ticks: fc.array(tickArb, { minLength: 1, maxLength: 30 }),
});

function isActive(config: ScaleToZeroConfigInput, value: number | undefined): boolean {
  return (
    value !== undefined &&
    Number.isFinite(value) &&
    value >= 0 &&
    value > config.activationThreshold
  );
}

describe('scaleToZeroStep properties', () => {
  it('never deactivates before cooldownMs has passed since the last active sample', () => {
    fc.assert(
      fc.property(traceArb, ({ config, ticks }) => {
        let lastActiveSampleMs: number | undefined;
        // The start of the cooldown: the last active sample, or the first sight of the workload
        // running when nothing was active before.
        let cooldownStartMs: number | undefined;
        for (const step of run(config, ticks)) {
          if (isActive(config, step.metricValue)) {
            lastActiveSampleMs = step.nowMs;
            cooldownStartMs = step.nowMs;
          } else if (step.currentReplicas > 0) {
            cooldownStartMs ??= step.nowMs;
          }
          if (step.decision.action !== 'deactivate') continue;
          const cooldownMs = config.cooldownMs ?? 300_000;
          if (lastActiveSampleMs !== undefined) {
            expect(step.nowMs - lastActiveSampleMs).toBeGreaterThan(cooldownMs);
          }
          expect(cooldownStartMs).toBeDefined();
          expect(step.nowMs - (cooldownStartMs ?? step.nowMs)).toBeGreaterThan(cooldownMs);
        }
      }),
      RUNS,
    );
  });

  it('never deactivates a workload class that is not allowed to run at zero', () => {
    fc.assert(
      fc.property(
        traceArb.map(({ config, ticks }) => ({ config: { ...config, allowed: false }, ticks })),
        ({ config, ticks }) => {
          for (const step of run(config, ticks)) {
            expect(step.decision.action).not.toBe('deactivate');
            if (step.currentReplicas === 0) expect(step.decision.action).toBe('activate');
          }
        },
      ),
      RUNS,
    );
  });

  it('never deactivates (nor activates on data) on a missing or invalid metric', () => {
    fc.assert(
      fc.property(traceArb, ({ config, ticks }) => {
        for (const step of run(config, ticks)) {
          const v = step.metricValue;
          if (v !== undefined && Number.isFinite(v) && v >= 0) continue;
          expect(step.decision.action).not.toBe('deactivate');
          if (step.decision.action === 'activate')
            expect(step.decision.reason).toBe('zero_not_allowed');
        }
      }),
      RUNS,
    );
  });

  it('replicas is 1 on activate, 0 on deactivate, undefined otherwise; the penalty only on activate', () => {
    fc.assert(
      fc.property(traceArb, ({ config, ticks }) => {
        for (const { decision, currentReplicas } of run(config, ticks)) {
          const expected = { activate: 1, deactivate: 0, none: undefined }[decision.action];
          expect(decision.replicas).toBe(expected);
          expect(decision.coldStartPenaltyMs).toBe(
            decision.action === 'activate' ? config.coldStartMs : undefined,
          );
          if (decision.action === 'activate') expect(currentReplicas).toBe(0);
          if (decision.action === 'deactivate') expect(currentReplicas).toBeGreaterThan(0);
          expect(JSON.parse(JSON.stringify(decision.state))).toEqual(decision.state);
        }
      }),
      RUNS,
    );
  });

  it('an active workload at zero is always activated', () => {
    fc.assert(
      fc.property(traceArb, ({ config, ticks }) => {
        for (const step of run(config, ticks)) {
          if (step.currentReplicas === 0 && isActive(config, step.metricValue)) {
            expect(step.decision.action).toBe('activate');
          }
        }
      }),
      RUNS,
    );
  });
});
