import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRegionRouter, isRegionUnavailableError, type RegionRouter } from './index.js';

const RUNS = { numRuns: 1000 };
const MAX_AGE_MS = 1_000;
const THRESHOLD = 0.8;

const stateArb = fc.option(
  fc.record({
    capacity: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10 })),
    load: fc.integer({ min: 0, max: 12 }),
    healthy: fc.boolean(),
    servesModel: fc.boolean(),
  }),
  { nil: undefined, freq: 5 },
);

const scenarioArb = fc.integer({ min: 1, max: 6 }).chain((n) => {
  const regions = Array.from({ length: n }, (_, i) => `r${i}`);
  const subset = fc.subarray(regions, { minLength: 1 });
  return fc.record({
    regions: fc.constant(regions),
    strategy: fc.constantFrom('latency' as const, 'geography' as const),
    clientRegion: fc.constantFrom(...regions, 'client'),
    // Static distances from the client region (missing = unknown); small ints make ties common.
    statics: fc.tuple(
      ...regions.map(() => fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined })),
    ),
    // At most one RTT sample per region, at some time; fresh or stale at `nowMs`.
    rtts: fc.tuple(
      ...regions.map(() =>
        fc.option(fc.record({ rttMs: fc.integer({ min: 0, max: 5 }), atMs: fc.nat(3_000) }), {
          nil: undefined,
        }),
      ),
    ),
    states: fc.tuple(...regions.map(() => stateArb)),
    tenants: fc.array(subset, { minLength: 1, maxLength: 3 }),
    tenant: fc.option(fc.nat(3), { nil: undefined }),
    withModel: fc.boolean(),
    nowMs: fc.integer({ min: 3_000, max: 4_500 }),
  });
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function build(s: Scenario): RegionRouter {
  const router = createRegionRouter({
    regions: s.regions.map((name) => ({ name })),
    geography: {
      [s.clientRegion]: Object.fromEntries(
        s.regions.flatMap((r, i) => (s.statics[i] === undefined ? [] : [[r, s.statics[i]]])),
      ),
    },
    tenants: Object.fromEntries(
      s.tenants.map((allowed, i) => [`t${i}`, { allowedRegions: allowed }]),
    ),
    strategy: s.strategy,
    overflowThreshold: THRESHOLD,
    rttHalfLifeMs: 500,
    rttMaxAgeMs: MAX_AGE_MS,
  });
  s.regions.forEach((region, i) => {
    const sample = s.rtts[i];
    if (sample !== undefined) router.observeRtt(s.clientRegion, region, sample.rttMs, sample.atMs);
    const state = s.states[i];
    if (state !== undefined) {
      router.updateRegion(region, {
        capacity: state.capacity,
        load: state.load,
        healthy: state.healthy,
        modelVersions: state.servesModel ? { m: 'v1' } : { other: 'v1' },
      });
    }
  });
  return router;
}

/** The tenant's allowed regions (every region when the request names none or an unknown one). */
function allowedOf(s: Scenario): readonly string[] {
  if (s.tenant === undefined) return s.regions;
  return s.tenants[s.tenant] ?? s.regions;
}

/** Independent model: can region i take the request, and is it below the threshold? */
function room(s: Scenario, i: number): 'below' | 'above' | 'none' {
  const state = s.states[i];
  if (state === undefined || !state.healthy || state.capacity <= 0) return 'none';
  if (s.withModel && !state.servesModel) return 'none';
  if (state.load >= state.capacity) return 'none';
  return state.load / state.capacity >= THRESHOLD ? 'above' : 'below';
}

/** True when region i could serve the request but its load turned it away (full or past the threshold). */
function loadRejected(s: Scenario, i: number): boolean {
  const state = s.states[i];
  if (state === undefined || !state.healthy || state.capacity <= 0) return false;
  if (s.withModel && !state.servesModel) return false;
  return state.load / state.capacity >= THRESHOLD;
}

/** Independent model of the distance from the client to region i. */
function distanceOf(s: Scenario, i: number): number {
  const sample = s.rtts[i];
  if (s.strategy === 'latency' && sample !== undefined && s.nowMs - sample.atMs <= MAX_AGE_MS) {
    return sample.rttMs;
  }
  const d = s.statics[i];
  if (d !== undefined) return d;
  return s.regions[i] === s.clientRegion ? 0 : Number.POSITIVE_INFINITY;
}

function choose(s: Scenario, router: RegionRouter) {
  return router.chooseRegion({
    clientRegion: s.clientRegion,
    ...(s.tenant === undefined ? {} : { tenant: `t${s.tenant}` }),
    ...(s.withModel ? { model: 'm' } : {}),
    nowMs: s.nowMs,
  });
}

describe('region router properties', () => {
  it('never sends a pinned tenant outside its allowed regions', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const result = choose(s, build(s));
        if (result.ok) expect(allowedOf(s)).toContain(result.value.region);
        else {
          expect(isRegionUnavailableError(result.error)).toBe(true);
          if (isRegionUnavailableError(result.error)) {
            expect([...result.error.allowedRegions].sort()).toEqual([...allowedOf(s)].sort());
            expect(result.error.rejections.map((r) => r.region).sort()).toEqual(
              [...allowedOf(s)].sort(),
            );
          }
        }
      }),
      RUNS,
    );
  });

  it('succeeds exactly when an allowed region has capacity', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const allowed = new Set(allowedOf(s));
        const anyRoom = s.regions.some((r, i) => allowed.has(r) && room(s, i) !== 'none');
        expect(choose(s, build(s)).ok).toBe(anyRoom);
      }),
      RUNS,
    );
  });

  it('follows the waterfall: nearest below the threshold, else nearest with room', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const allowed = new Set(allowedOf(s));
        const order = s.regions
          .map((r, i) => ({ r, i, d: distanceOf(s, i) }))
          .filter((x) => allowed.has(x.r))
          .sort((a, b) => (a.d < b.d ? -1 : a.d > b.d ? 1 : a.r < b.r ? -1 : 1));
        const expected =
          order.find((x) => room(s, x.i) === 'below') ??
          order.find((x) => room(s, x.i) === 'above');
        const result = choose(s, build(s));
        expect(result.ok ? result.value.region : undefined).toBe(expected?.r);
        if (result.ok && expected !== undefined) {
          expect(result.value.distance).toBe(expected.d);
          const nearer = order.filter(
            (x) => x.d < expected.d || (x.d === expected.d && x.r < expected.r),
          );
          const turnedAwayForLoad = nearer.some((x) => loadRejected(s, x.i));
          expect(result.value.reason).toBe(
            nearer.length === 0 ? 'nearest' : turnedAwayForLoad ? 'overflow' : 'failover',
          );
        }
      }),
      RUNS,
    );
  });
});
