import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HeadroomError,
  err,
  ok,
  type InstanceObservation,
  type MetricReadOptions,
  type MetricSource,
  type Result,
  type Scheduler,
} from '@headroom/core';
import { ManualScheduler, createRandom } from '@headroom/core/testing';
import { createMetricPoller } from './index.js';

type ReadResult = Result<readonly InstanceObservation[]>;
type Kind = 'ok' | 'fail' | 'hang' | 'hang-ignoring-abort' | 'throw';
interface Outcome {
  readonly kind: Kind;
  /** For `hang-ignoring-abort`: when the read finally settles, ms after it started. */
  readonly settleAfterMs: number;
}

/** A source that plays a script of outcomes (cyclically) and checks it is never read twice at once. */
class ScriptedSource implements MetricSource {
  readonly name: string;
  reads = 0;
  inFlight = 0;
  overlaps = 0;
  readonly #script: readonly Outcome[];
  readonly #scheduler: ManualScheduler;

  constructor(name: string, script: readonly Outcome[], scheduler: ManualScheduler) {
    this.name = name;
    this.#script = script;
    this.#scheduler = scheduler;
  }

  read(options?: MetricReadOptions): Promise<ReadResult> {
    if (this.inFlight > 0) this.overlaps++;
    const outcome = this.#script[this.reads % this.#script.length] as Outcome;
    this.reads++;
    this.inFlight++;
    const settle = (result: ReadResult): ReadResult => {
      this.inFlight--;
      return result;
    };
    const now = this.#scheduler.now();
    const observations = [{ instanceId: `${this.name}/pod`, observedAtMs: now }];
    switch (outcome.kind) {
      case 'ok':
        return Promise.resolve(settle(ok(observations)));
      case 'fail':
        return Promise.resolve(
          settle(err(new HeadroomError({ code: 'unavailable', message: 'down' }))),
        );
      case 'throw':
        this.inFlight--;
        throw new Error('bug in source');
      case 'hang':
        return new Promise((resolve) => {
          options?.signal?.addEventListener('abort', () =>
            resolve(settle(err(new HeadroomError({ code: 'timeout', message: 'aborted' })))),
          );
        });
      case 'hang-ignoring-abort':
        return new Promise((resolve) => {
          // Settles late on the raw scheduler (not the recorded one): it ignores the abort.
          this.#scheduler.schedule(() => resolve(settle(ok(observations))), outcome.settleAfterMs);
        });
    }
  }
}

const outcomeArb: fc.Arbitrary<Outcome> = fc.record({
  kind: fc.constantFrom<Kind>('ok', 'ok', 'fail', 'hang', 'hang-ignoring-abort', 'throw'),
  settleAfterMs: fc.integer({ min: 0, max: 20_000 }),
});

const configArb = fc.record({
  intervalMs: fc.integer({ min: 500, max: 5_000 }),
  jitterRatio: fc.double({ min: 0, max: 0.5, noNaN: true }),
  initialMs: fc.integer({ min: 500, max: 5_000 }),
  extraMaxMs: fc.integer({ min: 0, max: 10_000 }),
  multiplier: fc.double({ min: 1, max: 4, noNaN: true }),
  randomSeed: fc.integer(),
});

describe('createMetricPoller (properties)', () => {
  it('keeps every delay within the jitter band of [interval or initial backoff, maxMs], never overlaps reads of a source, and never rejects read()', async () => {
    await fc.assert(
      fc.asyncProperty(
        configArb,
        fc.array(fc.array(outcomeArb, { minLength: 1, maxLength: 20 }), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 8 }),
        async (config, scripts, steps) => {
          const manual = new ManualScheduler(0);
          const delays: number[] = [];
          let recording = false;
          const scheduler: Scheduler = {
            now: () => manual.now(),
            schedule: (callback, delayMs) => {
              if (recording) delays.push(delayMs);
              return manual.schedule(callback, delayMs);
            },
          };
          const { intervalMs, jitterRatio, initialMs, multiplier } = config;
          const maxMs = initialMs + config.extraMaxMs;
          // Shorter than any poll delay, so the deadline timers are told apart by their delay.
          const timeoutMs = Math.floor((Math.min(intervalMs, initialMs) * (1 - jitterRatio)) / 2);
          const sources = scripts.map((script, i) => new ScriptedSource(`s${i}`, script, manual));
          const poller = createMetricPoller({
            sources,
            scheduler,
            random: createRandom(config.randomSeed),
            intervalMs,
            jitterRatio,
            timeoutMs,
            backoff: { initialMs, maxMs, multiplier },
          });

          poller.start();
          recording = true;
          for (const stepMs of steps) {
            await manual.advanceAsync(stepMs);
            const result = await poller.read(); // a rejection fails the property
            expect(typeof result.ok).toBe('boolean');
            if (result.ok) {
              for (const o of result.value) {
                expect(o.observedAtMs).toBeGreaterThanOrEqual(manual.now() - 3 * intervalMs);
              }
            } else {
              expect(result.error.code).toBe('unavailable');
            }
          }
          poller.stop();

          const low = Math.min(intervalMs, initialMs) * (1 - jitterRatio) - 1e-9;
          const high = Math.max(intervalMs, maxMs) * (1 + jitterRatio) + 1e-9;
          const pollDelays = delays.filter((d) => d !== timeoutMs);
          for (const d of pollDelays) {
            expect(d).toBeGreaterThanOrEqual(low);
            expect(d).toBeLessThanOrEqual(high);
          }
          const reads = sources.reduce((n, s) => n + s.reads, 0);
          expect(delays.length - pollDelays.length).toBe(reads);
          for (const source of sources) expect(source.overlaps).toBe(0);

          // After stop() nothing polls any more.
          const readsAtStop = sources.map((s) => s.reads);
          await manual.advanceAsync(3 * (maxMs + intervalMs));
          expect(sources.map((s) => s.reads)).toEqual(readsAtStop);
        },
      ),
    );
  });
});

const PEAK_FIELDS = ['queueDepth', 'activeStreams', 'inFlightRequests'] as const;
/** A load value encodes `base × SEQ_SPAN + seq`: its size is random, `seq` names its observation. */
const SEQ_SPAN = 1_000_000;

interface LoadScriptStep {
  readonly ok: boolean;
  /** How far `observedAtMs` lags the poll, as a fraction of maxAgeMs. */
  readonly lagRatio: number;
  /** Per instance (`pod-0`, `pod-1`), per peak field: the value's base, or absent. */
  readonly instances: readonly (readonly (number | undefined)[] | undefined)[];
}

/** Plays a script; every load value it reports is registered with its observation's time. */
class LoadSource implements MetricSource {
  #reads = 0;
  constructor(
    readonly name: string,
    readonly script: readonly LoadScriptStep[],
    readonly scheduler: ManualScheduler,
    readonly maxAgeMs: number,
    readonly observedAt: Map<number, number>,
  ) {}

  read(): Promise<ReadResult> {
    const step = this.script[this.#reads++ % this.script.length] as LoadScriptStep;
    if (!step.ok) {
      return Promise.resolve(err(new HeadroomError({ code: 'unavailable', message: 'down' })));
    }
    const observedAtMs = this.scheduler.now() - Math.floor(step.lagRatio * this.maxAgeMs);
    const observations: InstanceObservation[] = [];
    step.instances.forEach((fields, i) => {
      if (fields === undefined) return;
      const load: Record<string, number> = {};
      fields.forEach((base, f) => {
        if (base === undefined) return;
        const seq = this.observedAt.size + 1;
        this.observedAt.set(seq, observedAtMs);
        load[PEAK_FIELDS[f] as string] = base * SEQ_SPAN + seq;
      });
      observations.push({ instanceId: `pod-${i}`, observedAtMs, load });
    });
    return Promise.resolve(ok(observations));
  }
}

const loadStepArb: fc.Arbitrary<LoadScriptStep> = fc.record({
  ok: fc.boolean(),
  lagRatio: fc.constantFrom(0, 0, 0.5, 0.99, 1, 1.01, 2),
  instances: fc.array(
    fc.option(
      fc.array(fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }), {
        minLength: 3,
        maxLength: 3,
      }),
      { nil: undefined },
    ),
    { minLength: 2, maxLength: 2 },
  ),
});

describe('createMetricPoller (freshness of peaks)', () => {
  it('never reports a load value from an observation older than maxAgeMs, however far apart the reads and whichever sources fail', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          intervalMs: fc.integer({ min: 200, max: 3_000 }),
          maxAgeMs: fc.integer({ min: 100, max: 10_000 }),
          jitterRatio: fc.double({ min: 0, max: 0.5, noNaN: true }),
          randomSeed: fc.integer(),
        }),
        fc.array(fc.array(loadStepArb, { minLength: 1, maxLength: 12 }), {
          minLength: 1,
          maxLength: 3,
        }),
        // Gaps between reads: mostly longer than maxAgeMs (the case that leaked stale peaks).
        fc.array(
          fc.record({
            far: fc.constantFrom(true, true, true, false),
            ratio: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        async (config, scripts, gaps) => {
          const scheduler = new ManualScheduler(0);
          const observedAt = new Map<number, number>();
          const { maxAgeMs } = config;
          const sources = scripts.map(
            (script, i) => new LoadSource(`s${i}`, script, scheduler, maxAgeMs, observedAt),
          );
          const poller = createMetricPoller({
            sources,
            scheduler,
            random: createRandom(config.randomSeed),
            intervalMs: config.intervalMs,
            jitterRatio: config.jitterRatio,
            maxAgeMs,
            backoff: { initialMs: config.intervalMs, maxMs: 4 * config.intervalMs },
          });

          poller.start();
          for (const gap of gaps) {
            const gapMs = gap.far
              ? maxAgeMs + 1 + Math.floor(gap.ratio * 2 * maxAgeMs)
              : Math.floor(gap.ratio * maxAgeMs);
            await scheduler.advanceAsync(gapMs);
            const result = await poller.read();
            if (!result.ok) {
              expect(result.error.code).toBe('unavailable');
              continue;
            }
            const cutoff = scheduler.now() - maxAgeMs;
            for (const o of result.value) {
              expect(o.observedAtMs).toBeGreaterThanOrEqual(cutoff);
              for (const field of PEAK_FIELDS) {
                const value = o.load?.[field];
                if (value === undefined) continue;
                const at = observedAt.get(value % SEQ_SPAN);
                expect(at, `${o.instanceId} ${field} = ${value}`).toBeDefined();
                expect(at).toBeGreaterThanOrEqual(cutoff);
              }
            }
          }
          poller.stop();
        },
      ),
    );
  });
});
