import { isHeadroomError } from '@headroom/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createStreamRouter,
  type StreamEndpoint,
  type StreamRouteResult,
  type StreamRouter,
} from './index.js';

const RUNS = { numRuns: 1000 };

const endpointsArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 8 })
  .chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc.record({
          id: fc.constant<string>(`ep-${id}`),
          weight: fc.oneof(fc.constant(1), fc.double({ min: 0.25, max: 4, noNaN: true })),
        }),
      ),
    ),
  );

type Op =
  | { kind: 'open'; stream: number; gapMs: number }
  | { kind: 'route'; stream: number; gapMs: number }
  | { kind: 'close'; stream: number }
  | { kind: 'drain'; endpoint: number }
  | { kind: 'ready'; endpoint: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('open' as const),
      stream: fc.nat(40),
      gapMs: fc.nat(30),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('route' as const),
      stream: fc.nat(40),
      gapMs: fc.nat(30),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), stream: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drain' as const), endpoint: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ready' as const), endpoint: fc.nat(7) }) },
);

const scenarioArb = fc.record({
  endpoints: endpointsArb,
  epsilon: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 2, noNaN: true })),
  ttlMs: fc.integer({ min: 1, max: 200 }),
  precision: fc.double({ min: 0, max: 1, noNaN: true }),
  maxStreams: fc.integer({ min: 1, max: 50 }),
  ops: fc.array(opArb, { maxLength: 60 }),
});

function copy(result: StreamRouteResult): StreamRouteResult {
  return result.ok ? { ...result } : result;
}

/** Applies one op; returns the result of open/route (copied), or undefined. */
function apply(
  router: StreamRouter,
  endpoints: readonly StreamEndpoint[],
  op: Op,
  nowMs: number,
): StreamRouteResult | undefined {
  const endpointId = (i: number): string => endpoints[i % endpoints.length]?.id ?? '';
  switch (op.kind) {
    case 'open':
      return copy(router.open(`s${op.stream}`, nowMs));
    case 'route':
      return copy(router.route(`s${op.stream}`, nowMs));
    case 'close':
      router.close(`s${op.stream}`);
      return undefined;
    case 'drain':
      router.markDraining(endpointId(op.endpoint));
      return undefined;
    case 'ready':
      router.markReady(endpointId(op.endpoint));
      return undefined;
  }
}

function placements(router: StreamRouter): Map<string, string> {
  const out = new Map<string, string>();
  for (let s = 0; s <= 40; s++) {
    const where = router.endpointOf(`s${s}`);
    if (where !== undefined) out.set(`s${s}`, where);
  }
  return out;
}

/** Runs a scenario's ops on a fresh router and returns it. */
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function build(scenario: Scenario): StreamRouter {
  const router = createStreamRouter({
    endpoints: scenario.endpoints,
    boundedLoadEpsilon: scenario.epsilon,
    ttlMs: 1_000_000,
  });
  let nowMs = 0;
  for (const op of scenario.ops) {
    if ('gapMs' in op) nowMs += op.gapMs;
    apply(router, scenario.endpoints, op, nowMs);
  }
  return router;
}

describe('stream router properties', () => {
  it('removing an endpoint moves only its own streams', () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(7), (scenario, pick) => {
        // Arrange
        const router = build(scenario);
        const victim = scenario.endpoints[pick % scenario.endpoints.length]?.id ?? '';
        const before = placements(router);

        // Act
        const migrations = router.remove(victim);

        // Assert
        const after = placements(router);
        const moved = new Set(migrations.map((m) => m.streamId));
        for (const [stream, where] of before) {
          if (where === victim) {
            expect(moved.has(stream)).toBe(true);
            expect(after.get(stream)).not.toBe(victim);
          } else {
            expect(moved.has(stream)).toBe(false);
            expect(after.get(stream)).toBe(where);
          }
        }
        for (const m of migrations) {
          expect(m.from).toBe(victim);
          expect(after.get(m.streamId) ?? null).toBe(m.to);
        }
      }),
      RUNS,
    );
  });

  it('adding an endpoint moves no live stream', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 31, max: 40 }), (scenario, extra) => {
        const router = build(scenario);
        const before = placements(router);
        const migrations = router.setEndpoints([
          ...scenario.endpoints.map((e) => ({
            ...e,
            state: (router.load(e.id) ?? 0) > 0 ? ('ready' as const) : ('draining' as const),
          })),
          { id: `ep-${extra}`, weight: 2 },
        ]);
        expect(migrations).toEqual([]);
        expect(placements(router)).toEqual(before);
      }),
      RUNS,
    );
  });

  it('never opens a stream on an endpoint above the bounded-load cap', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const router = createStreamRouter({
          endpoints: scenario.endpoints,
          boundedLoadEpsilon: scenario.epsilon,
          ttlMs: 1_000_000,
        });
        const ready = new Set(scenario.endpoints.map((e) => e.id));
        const weightOf = new Map(scenario.endpoints.map((e) => [e.id, e.weight]));
        let nowMs = 0;
        for (const op of scenario.ops) {
          if ('gapMs' in op) nowMs += op.gapMs;
          const stream = 'stream' in op ? `s${op.stream}` : '';
          const placing =
            op.kind !== 'close' && 'stream' in op && router.endpointOf(stream) === undefined;
          // Arrange: L and W over ready endpoints, before the assignment.
          let load = 0;
          let weight = 0;
          for (const id of ready) {
            load += router.load(id) ?? 0;
            weight += weightOf.get(id) ?? 0;
          }
          const result = apply(router, scenario.endpoints, op, nowMs);
          if (op.kind === 'drain')
            ready.delete(scenario.endpoints[op.endpoint % scenario.endpoints.length]?.id ?? '');
          if (op.kind === 'ready')
            ready.add(scenario.endpoints[op.endpoint % scenario.endpoints.length]?.id ?? '');
          if (!placing || result === undefined) continue;
          // Assert: placed iff some endpoint is ready, and within the cap.
          expect(result.ok).toBe(ready.size > 0);
          if (!result.ok) continue;
          expect(ready.has(result.endpointId)).toBe(true);
          const w = weightOf.get(result.endpointId) ?? 0;
          const cap = Math.ceil(((1 + scenario.epsilon) * (load + 1) * w) / weight + 1e-9);
          expect(router.load(result.endpointId)).toBeLessThanOrEqual(Math.max(cap, 1));
        }
      }),
      RUNS,
    );
  });

  it('two routers given the same inputs agree on every endpoint (in any endpoint order)', () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(), (scenario, rotate) => {
        const shift = rotate % scenario.endpoints.length;
        const shuffled = [
          ...scenario.endpoints.slice(shift),
          ...scenario.endpoints.slice(0, shift),
        ].reverse();
        const config = {
          boundedLoadEpsilon: scenario.epsilon,
          ttlMs: scenario.ttlMs,
          maxStreams: scenario.maxStreams,
        };
        const one = createStreamRouter({ ...config, endpoints: scenario.endpoints });
        const two = createStreamRouter({ ...config, endpoints: shuffled });
        let nowMs = 0;
        for (const op of scenario.ops) {
          if ('gapMs' in op) nowMs += op.gapMs;
          const a = apply(one, scenario.endpoints, op, nowMs);
          const b = apply(two, scenario.endpoints, op, nowMs);
          if (a?.ok === false || b?.ok === false) expect(a?.ok).toBe(b?.ok);
          else expect(a).toEqual(b);
        }
        expect(placements(one)).toEqual(placements(two));
      }),
      RUNS,
    );
  });

  it('never holds more than maxStreams, nor a stream idle past the TTL, and keeps loads exact', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const router = createStreamRouter({
          endpoints: scenario.endpoints,
          boundedLoadEpsilon: scenario.epsilon,
          ttlMs: scenario.ttlMs,
          ttlPrecisionMs: scenario.precision * scenario.ttlMs,
          maxStreams: scenario.maxStreams,
        });
        const lastSeen = new Map<string, number>();
        let nowMs = 0;
        for (const op of scenario.ops) {
          if ('gapMs' in op) nowMs += op.gapMs;
          const before = 'stream' in op ? router.endpointOf(`s${op.stream}`) : undefined;
          const seenBefore = 'stream' in op ? lastSeen.get(`s${op.stream}`) : undefined;
          const result = apply(router, scenario.endpoints, op, nowMs);
          if (result?.ok === true && 'stream' in op) {
            const stream = `s${op.stream}`;
            // A live stream within its TTL stays where it was.
            if (
              before !== undefined &&
              seenBefore !== undefined &&
              nowMs - seenBefore <= scenario.ttlMs - scenario.precision * scenario.ttlMs
            ) {
              expect(result.reason).toBe('sticky');
              expect(result.endpointId).toBe(before);
            }
            lastSeen.set(stream, nowMs);
          }
          // Bound, TTL and exact loads after every op.
          const held = placements(router);
          expect(router.size).toBe(held.size);
          expect(router.size).toBeLessThanOrEqual(scenario.maxStreams);
          for (const stream of held.keys()) {
            expect(nowMs - (lastSeen.get(stream) ?? Number.NEGATIVE_INFINITY)).toBeLessThanOrEqual(
              scenario.ttlMs,
            );
          }
          for (const e of scenario.endpoints) {
            const count = [...held.values()].filter((where) => where === e.id).length;
            expect(router.load(e.id)).toBe(count);
          }
        }
      }),
      RUNS,
    );
  });

  it('routing by session handle always agrees with routing by id', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        // Arrange: twin routers; `byId` only ever sees ids, `byHandle` routes and closes through
        // the last handle it was given, falling back to the id when the handle is stale.
        const config = {
          endpoints: scenario.endpoints,
          boundedLoadEpsilon: scenario.epsilon,
          ttlMs: scenario.ttlMs,
          ttlPrecisionMs: scenario.precision * scenario.ttlMs,
          maxStreams: scenario.maxStreams,
        };
        const byId = createStreamRouter(config);
        const byHandle = createStreamRouter(config);
        const handles = new Map<string, number>();
        let nowMs = 0;
        for (const op of scenario.ops) {
          if ('gapMs' in op) nowMs += op.gapMs;
          const stream = 'stream' in op ? `s${op.stream}` : '';
          const handle = handles.get(stream);
          let a: StreamRouteResult | undefined;
          let b: StreamRouteResult | undefined;
          if (op.kind === 'route' && handle !== undefined) {
            // Act
            a = copy(byId.route(stream, nowMs));
            b = copy(byHandle.routeHandle(handle, nowMs));
            if (!b.ok) {
              // Assert: a stale handle only where the id is unknown to the table too.
              expect(isHeadroomError(b.error, 'not_found')).toBe(true);
              expect(a.ok ? a.reason : 'unknown').not.toMatch(/sticky|expired/);
              b = copy(byHandle.route(stream, nowMs));
            }
          } else if (op.kind === 'close' && handle !== undefined) {
            expect(byHandle.closeHandle(handle)).toBe(byId.close(stream));
          } else {
            a = apply(byId, scenario.endpoints, op, nowMs);
            b = apply(byHandle, scenario.endpoints, op, nowMs);
          }
          // Assert: the same outcome (endpoint, reason, migration and handle).
          if (a?.ok === false || b?.ok === false) expect(a?.ok).toBe(b?.ok);
          else expect(b).toEqual(a);
          if (b?.ok === true) handles.set(stream, b.handle);
          expect(placements(byHandle)).toEqual(placements(byId));
          // Handles of gone streams are kept on purpose: their slots get reused by other
          // streams, and routing through them must still be refused.
          for (const h of handles.values()) expect(h % 2 ** 24).toBeLessThan(scenario.maxStreams);
        }
      }),
      RUNS,
    );
  });

  it('endpoints removed and added again (reused internal slots) keep every stream on a live endpoint', () => {
    type Churn =
      | { kind: 'open'; stream: number }
      | { kind: 'route'; stream: number }
      | { kind: 'close'; stream: number }
      | { kind: 'remove'; endpoint: number }
      | { kind: 'add'; endpoint: number }
      | { kind: 'eject'; endpoint: number };
    const churnArb = fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('open' as const), stream: fc.nat(15) }),
        fc.record({ kind: fc.constant('route' as const), stream: fc.nat(15) }),
        fc.record({ kind: fc.constant('close' as const), stream: fc.nat(15) }),
        fc.record({ kind: fc.constant('remove' as const), endpoint: fc.nat(5) }),
        fc.record({ kind: fc.constant('add' as const), endpoint: fc.nat(5) }),
        fc.record({ kind: fc.constant('eject' as const), endpoint: fc.nat(5) }),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(churnArb, (ops: Churn[]) => {
        const router = createStreamRouter({ maxStreams: 12, ttlMs: 1e9 });
        const known = new Set<string>();
        let now = 1_000;
        for (const op of ops) {
          now += 10;
          if (op.kind === 'open' || op.kind === 'route') {
            const id = `s-${op.stream}`;
            const before = router.endpointOf(id);
            const result = op.kind === 'open' ? router.open(id, now) : router.route(id, now);
            if (result.ok) {
              expect(known.has(result.endpointId)).toBe(true);
              if (before !== undefined) expect(result.endpointId).toBe(before);
            } else expect(router.endpointOf(id)).toBeUndefined();
          } else if (op.kind === 'close') router.close(`s-${op.stream}`);
          else if (op.kind === 'remove') {
            known.delete(`ep-${op.endpoint}`);
            router.remove(`ep-${op.endpoint}`);
          } else if (op.kind === 'add') {
            known.add(`ep-${op.endpoint}`);
            router.setEndpoints([...known].map((id) => ({ id })));
          } else if (known.has(`ep-${op.endpoint}`)) router.eject(`ep-${op.endpoint}`);
          // Every live stream sits on a known endpoint, and the loads add up to the table.
          let total = 0;
          for (const id of known) total += router.load(id) ?? 0;
          expect(total).toBe(router.size);
          for (let k = 0; k < 16; k++) {
            const at = router.endpointOf(`s-${k}`);
            if (at !== undefined) expect(known.has(at)).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });
});
