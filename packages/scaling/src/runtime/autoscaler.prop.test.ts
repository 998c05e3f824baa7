import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeadroomError, err, ok, type InstanceSnapshot, type Result } from '@headroom/core';
import { ManualScheduler, createRandom } from '@headroom/core/testing';
import { createTargetTracking } from '../signals/index.js';
import {
  createAutoscaler,
  type ActuationResult,
  type Actuator,
  type FleetReader,
  type FleetReading,
  type SourceFailureMode,
} from './index.js';

const NOW = 1_764_000_000_000;
const RUNS = { numRuns: 200 };

type ReadStep =
  | { readonly kind: 'ok'; readonly demand: number }
  | { readonly kind: 'fail' }
  | { readonly kind: 'throw' }
  | { readonly kind: 'hang' };
type ActStep = 'ok' | 'fail' | 'throw' | 'hang' | { readonly slowMs: number };

const readStep: fc.Arbitrary<ReadStep> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('ok' as const), demand: fc.nat(160) }) },
  { weight: 1, arbitrary: fc.constantFrom<ReadStep>({ kind: 'fail' }, { kind: 'throw' }) },
  { weight: 1, arbitrary: fc.constant<ReadStep>({ kind: 'hang' }) },
);
const actStep: fc.Arbitrary<ActStep> = fc.oneof(
  fc.constantFrom<ActStep>('ok', 'ok', 'fail', 'throw', 'hang'),
  fc.record({ slowMs: fc.integer({ min: 1, max: 45_000 }) }),
);
const fallback: fc.Arbitrary<SourceFailureMode> = fc.oneof(
  fc.constant({ mode: 'hold' as const }),
  fc.record({
    mode: fc.constant('fallback' as const),
    replicas: fc.integer({ min: 1, max: 20 }),
    failureThreshold: fc.integer({ min: 1, max: 3 }),
  }),
);

const policy = createTargetTracking({
  minReplicas: 1,
  maxReplicas: 20,
  signals: [{ name: 'queue', kind: 'queue_depth', target: 4 }],
  behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
});

interface Scenario {
  reads: ReadStep[];
  acts: ActStep[];
  gapsMs: number[];
  maxAttempts: number;
  onSourceFailure: SourceFailureMode;
  seed: number;
}

async function simulate(scenario: Scenario) {
  const scheduler = new ManualScheduler(NOW);
  let replicas = 4;
  const reads = [...scenario.reads];
  const acts = [...scenario.acts];
  let inFlight = 0;
  let maxInFlight = 0;

  const reader: FleetReader = {
    read(signal: AbortSignal): Promise<Result<FleetReading>> {
      const step: ReadStep = reads.shift() ?? { kind: 'ok', demand: 4 * replicas };
      if (step.kind === 'throw') throw new Error('reader bug');
      if (step.kind === 'fail') {
        return Promise.resolve(err(new HeadroomError({ code: 'unavailable', message: 'down' })));
      }
      if (step.kind === 'hang') {
        return new Promise((resolve) =>
          signal.addEventListener('abort', () => resolve(err(signal.reason as HeadroomError))),
        );
      }
      const at = scheduler.now();
      const queueDepth = Math.ceil(step.demand / Math.max(1, replicas));
      const instances: InstanceSnapshot[] = Array.from({ length: replicas }, (_, i) => ({
        id: `pod-${i}`,
        state: 'ready',
        labels: {},
        load: { queueDepth, activeStreams: i % 3 },
        gpus: [],
        observedAtMs: at,
      }));
      return Promise.resolve(ok({ instances, currentReplicas: replicas }));
    },
  };

  const actuator: Actuator = {
    setReplicas(_target, to, { signal }): Promise<ActuationResult> {
      const step = acts.shift() ?? 'ok';
      if (step === 'throw') throw new Error('actuator bug');
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise((resolve) => {
        let settled = false;
        const settle = (result: ActuationResult): void => {
          if (settled) return;
          settled = true;
          inFlight--;
          timer?.cancel();
          if (result.ok) replicas = to;
          resolve(result);
        };
        const timer =
          typeof step === 'object'
            ? scheduler.schedule(() => settle({ ok: true }), step.slowMs)
            : undefined;
        signal.addEventListener('abort', () =>
          settle({ ok: false, error: signal.reason as HeadroomError }),
        );
        if (step === 'ok') settle({ ok: true });
        if (step === 'fail') {
          settle({ ok: false, error: new HeadroomError({ code: 'conflict', message: '409' }) });
        }
      });
    },
  };

  const autoscaler = createAutoscaler({
    target: 'llm',
    policy,
    reader,
    actuator,
    scheduler,
    random: createRandom(scenario.seed),
    retry: { maxAttempts: scenario.maxAttempts },
    onSourceFailure: scenario.onSourceFailure,
  });
  const scales = new Set<number>();
  const decisions = new Set<number>();
  const outcomes = new Map<number, string[]>();
  const outcome = (name: string) => (e: { decisionId: number }) =>
    outcomes.set(e.decisionId, [...(outcomes.get(e.decisionId) ?? []), name]);
  autoscaler.events.on('decision', (e) => {
    decisions.add(e.decisionId);
    if (e.decision.kind === 'scale') scales.add(e.decisionId);
  });
  autoscaler.events.on('actuated', outcome('actuated'));
  autoscaler.events.on('superseded', outcome('superseded'));
  autoscaler.events.on('actuation-failed', outcome('actuation-failed'));

  // Ticks at arbitrary gaps (some shorter than a hung read, so some are skipped).
  for (const gap of scenario.gapsMs) {
    void autoscaler.tick();
    await scheduler.advanceAsync(gap);
  }
  // No more ticks: let every retry, timeout and slow call finish.
  await scheduler.advanceAsync(scenario.maxAttempts * 100_000);
  return { autoscaler, scheduler, scales, decisions, outcomes, maxInFlight };
}

describe('createAutoscaler (property)', () => {
  it('ends every decision to scale in exactly one outcome, with at most one actuation in flight', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          reads: fc.array(readStep, { maxLength: 16 }),
          acts: fc.array(actStep, { maxLength: 16 }),
          gapsMs: fc.array(fc.integer({ min: 1_000, max: 40_000 }), {
            minLength: 1,
            maxLength: 16,
          }),
          maxAttempts: fc.integer({ min: 1, max: 4 }),
          onSourceFailure: fallback,
          seed: fc.nat(),
        }),
        async (scenario) => {
          const { autoscaler, scheduler, scales, decisions, outcomes, maxInFlight } =
            await simulate(scenario);

          expect(maxInFlight).toBeLessThanOrEqual(1);
          for (const id of scales) expect(outcomes.get(id)).toHaveLength(1);
          for (const id of outcomes.keys()) expect(scales.has(id)).toBe(true);
          for (const id of decisions) expect(id).toBeLessThan(autoscaler.state().nextDecisionId);
          expect(autoscaler.state().pending).toBeNull();
          expect(scheduler.pendingCount).toBe(0);
        },
      ),
      RUNS,
    );
  });
});
