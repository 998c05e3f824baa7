import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHealthTracker, type GpuHealthSignals } from './index.js';

const RUNS = { numRuns: 1000 };
const T0 = 1_700_000_000_000;

const badSignalArb = fc.constantFrom<GpuHealthSignals>(
  { temperatureC: 88 },
  { temperatureC: 97 },
  { throttled: true },
  { xid: [79] },
  { eccUncorrectable: 3 },
  { rowRemapFailure: true },
);

const anySignalArb: fc.Arbitrary<GpuHealthSignals> = fc.record(
  {
    temperatureC: fc.oneof(
      fc.integer({ min: 40, max: 100 }),
      fc.constant(Number.NaN),
      fc.constant(Number.POSITIVE_INFINITY),
    ),
    throttled: fc.boolean(),
    eccUncorrectable: fc.constantFrom(0, 0, 0, 1),
    xid: fc.array(fc.constantFrom(13, 31, 43, 48, 79, 94), { maxLength: 2 }),
    rowRemapFailure: fc.constantFrom(false, false, false, true),
  },
  { requiredKeys: [] },
);

describe('health hysteresis properties', () => {
  it('a signal that flips every step changes state at most T / recoveryMs + 1 times', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 2, max: 120 }),
        badSignalArb,
        fc.boolean(),
        (recoveryMs, stepMs, steps, bad, startBad) => {
          const h = createHealthTracker({ recoveryMs });
          const clean: GpuHealthSignals = { temperatureC: 50, throttled: false };
          for (let k = 0; k < steps; k += 1) {
            const isBad = (k % 2 === 0) === startBad;
            h.observeGpu('gpu', isBad ? bad : clean, T0 + k * stepMs);
          }
          const spanMs = (steps - 1) * stepMs;
          expect(h.transitions('gpu')).toBeLessThanOrEqual(spanMs / recoveryMs + 1);
        },
      ),
      RUNS,
    );
  });

  it('any signal sequence recovers at most span / recoveryMs times, and worsens at most 3 + 3 × recoveries', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5_000 }), anySignalArb), {
          minLength: 1,
          maxLength: 80,
        }),
        (recoveryMs, readings) => {
          const h = createHealthTracker({ recoveryMs, eventLogSize: 1_000 });
          let t = T0;
          for (const [gapMs, signals] of readings) {
            t += gapMs;
            h.observeGpu('gpu', signals, t);
          }
          const spanMs = t - T0 - (readings[0]?.[0] ?? 0);
          const events = h.events('gpu');
          const recoveries = events.filter((e) => e.cause === 'gpu_recovered').length;
          expect(recoveries).toBeLessThanOrEqual(spanMs / recoveryMs);
          expect(events.length - recoveries).toBeLessThanOrEqual(3 + 3 * recoveries);
          expect(h.transitions('gpu')).toBe(events.length);
        },
      ),
      RUNS,
    );
  });
});

type Op =
  | {
      readonly kind: 'outcome';
      readonly host: number;
      readonly success: boolean;
      readonly dt: number;
    }
  | {
      readonly kind: 'burst';
      readonly host: number;
      readonly failures: number;
      readonly dt: number;
    }
  | { readonly kind: 'evaluate'; readonly dt: number }
  | { readonly kind: 'query'; readonly host: number; readonly dt: number };

function opArb(hosts: number): fc.Arbitrary<Op> {
  const host = fc.integer({ min: 0, max: hosts - 1 });
  const dt = fc.integer({ min: 0, max: 20_000 });
  return fc.oneof(
    fc.record({ kind: fc.constant('outcome' as const), host, success: fc.boolean(), dt }),
    fc.record({
      kind: fc.constant('burst' as const),
      host,
      failures: fc.integer({ min: 1, max: 6 }),
      dt,
    }),
    fc.record({ kind: fc.constant('evaluate' as const), dt }),
    fc.record({ kind: fc.constant('query' as const), host, dt }),
  );
}

const scenarioArb = fc
  .record({
    hosts: fc.integer({ min: 1, max: 40 }),
    maxEjectionPercent: fc.integer({ min: 0, max: 100 }),
    consecutive5xx: fc.integer({ min: 1, max: 4 }),
    baseEjectionTimeMs: fc.integer({ min: 1, max: 30_000 }),
    extraMaxMs: fc.integer({ min: 0, max: 100_000 }),
    successRateMinimumHosts: fc.integer({ min: 1, max: 5 }),
    successRateRequestVolume: fc.integer({ min: 1, max: 6 }),
  })
  .chain((s) =>
    fc.record({
      s: fc.constant(s),
      ops: fc.array(opArb(s.hosts), { maxLength: 60 }),
    }),
  );

describe('outlier ejection properties', () => {
  it('never holds more than max(1, floor(n × maxEjectionPercent / 100)) endpoints ejected, and an ejected endpoint returns only after its ejection time', () => {
    fc.assert(
      fc.property(scenarioArb, ({ s, ops }) => {
        const h = createHealthTracker({
          maxEjectionPercent: s.maxEjectionPercent,
          consecutive5xx: s.consecutive5xx,
          baseEjectionTimeMs: s.baseEjectionTimeMs,
          maxEjectionTimeMs: s.baseEjectionTimeMs + s.extraMaxMs,
          successRateMinimumHosts: s.successRateMinimumHosts,
          successRateRequestVolume: s.successRateRequestVolume,
          successRateStdevFactor: 0.5,
        });
        const ids = Array.from({ length: s.hosts }, (_, i) => `h${i}`);
        for (const id of ids) h.add(id);
        const cap = Math.max(1, Math.floor((s.hosts * s.maxEjectionPercent) / 100 + 1e-9));
        expect(h.maxOutlierEjections()).toBe(cap);
        const until = new Map<string, number>();
        let t = T0;
        for (const op of ops) {
          t += op.dt;
          if (op.kind === 'evaluate') h.evaluate(t);
          else {
            const id = ids[op.host] ?? 'h0';
            const knownUntil = until.get(id);
            const state = h.state(id, t);
            if (knownUntil !== undefined && t < knownUntil) expect(state).toBe('ejected');
            if (knownUntil !== undefined && t >= knownUntil) {
              expect(h.details(id, t)?.outlierEjected).toBe(false);
            }
            if (op.kind === 'outcome') h.recordOutcome(id, op.success, t);
            if (op.kind === 'burst') {
              for (let k = 0; k < op.failures; k += 1) h.recordOutcome(id, false, t);
            }
          }
          let ejected = 0;
          for (const id of ids) {
            const d = h.details(id, t);
            if (d?.outlierEjected === true) {
              ejected += 1;
              expect(d.ejectedUntilMs).toBeGreaterThan(t);
              until.set(id, d.ejectedUntilMs ?? Number.NaN);
            }
          }
          expect(ejected).toBeLessThanOrEqual(cap);
          expect(h.outlierEjectedCount(t)).toBe(ejected);
        }
      }),
      RUNS,
    );
  });

  it('each ejection in a row lasts longer than the last until maxEjectionTimeMs, and ends exactly then', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 15 }),
        (baseMs, extraMs, gapsAfterReturn) => {
          const maxMs = baseMs + extraMs;
          const h = createHealthTracker({
            consecutive5xx: 1,
            baseEjectionTimeMs: baseMs,
            maxEjectionTimeMs: maxMs,
          });
          let t = T0;
          let previous = 0;
          gapsAfterReturn.forEach((gap, k) => {
            t += gap;
            expect(h.recordOutcome('a', false, t)).toBe('ejected');
            const d = h.details('a', t);
            const duration = (d?.ejectedUntilMs ?? Number.NaN) - t;
            expect(duration).toBe(Math.min(baseMs * (k + 1), maxMs));
            expect(duration).toBeGreaterThanOrEqual(previous);
            if (previous < maxMs) expect(duration).toBeGreaterThan(previous);
            expect(d?.ejectionCount).toBe(k + 1);
            previous = duration;
            // Returns exactly at the end of its ejection time, not a millisecond before.
            expect(h.state('a', t + duration - 1)).toBe('ejected');
            t += duration;
            expect(h.state('a', t)).toBe('healthy');
          });
        },
      ),
      RUNS,
    );
  });
});
