import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import {
  createStreamRouter,
  rendezvousHash,
  rendezvousScore,
  weightedRendezvousKey,
  type StreamRouteResult,
} from './index.js';

function endpointOf(result: StreamRouteResult): string {
  if (!result.ok) throw result.error;
  return result.endpointId;
}

const four = [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }];

describe('createStreamRouter', () => {
  it('opens a stream on its rendezvous choice and keeps it there', () => {
    // Arrange
    const router = createStreamRouter({ endpoints: four });
    const hash = rendezvousHash('s1');
    const expected = [...four].sort(
      (x, y) =>
        rendezvousScore(hash, rendezvousHash(y.id)) - rendezvousScore(hash, rendezvousHash(x.id)),
    )[0]?.id;

    // Act
    const opened = router.open('s1', 0);
    const first = opened.ok ? { ...opened } : undefined;
    const chunk = router.route('s1', 10);

    // Assert
    expect(first).toEqual({
      ok: true,
      endpointId: expected,
      migrated: false,
      from: undefined,
      reason: 'opened',
      handle: first?.handle,
    });
    expect(Number.isSafeInteger(first?.handle)).toBe(true);
    expect(chunk).toEqual({
      ok: true,
      endpointId: expected,
      migrated: false,
      from: undefined,
      reason: 'sticky',
      handle: first?.handle,
    });
    expect(router.size).toBe(1);
    expect(router.load(expected ?? '')).toBe(1);
  });

  it('routes by session handle exactly as by id, reusing the result object', () => {
    // Arrange
    const router = createStreamRouter({ endpoints: four, ttlMs: 1_000 });
    const opened = router.open('s1', 0);
    if (!opened.ok) throw opened.error;
    const handle = opened.handle;
    const byId = { ...router.route('s1', 10) };

    // Act
    const byHandle = router.routeHandle(handle, 20);

    // Assert
    expect(byHandle).toEqual(byId);
    expect(byHandle).toBe(opened);
    expect(router.closeHandle(handle)).toBe(true);
    expect(router.endpointOf('s1')).toBeUndefined();
    expect(router.closeHandle(handle)).toBe(false);
  });

  it('detects a stale handle after close and slot reuse, as an unknown id', () => {
    // Arrange: s1's slot is freed by close, then reused by s2.
    const router = createStreamRouter({ endpoints: four });
    const first = router.open('s1', 0);
    if (!first.ok) throw first.error;
    const stale = first.handle;
    router.close('s1');
    const second = router.open('s2', 1);
    if (!second.ok) throw second.error;
    expect(second.handle % 2 ** 24).toBe(stale % 2 ** 24); // the same slot, a new generation
    expect(second.handle).not.toBe(stale);

    // Act
    const result = router.routeHandle(stale, 2);

    // Assert: not s2's endpoint by accident; a typed not_found, and s2 is untouched.
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(isHeadroomError(result.error, 'not_found')).toBe(true);
      expect(result.error.path).toEqual(['handle']);
    }
    expect(router.closeHandle(stale)).toBe(false);
    expect(router.size).toBe(1);
    for (const bogus of [Number.NaN, -1, 0.5, 2 ** 53, Number.POSITIVE_INFINITY, 12_345]) {
      expect(router.routeHandle(bogus, 3).ok).toBe(false);
      expect(router.closeHandle(bogus)).toBe(false);
    }
    expect(router.routeHandle(second.handle, 3)).toMatchObject({ ok: true, reason: 'sticky' });
    const nan = router.routeHandle(second.handle, Number.NaN);
    expect(!nan.ok && isHeadroomError(nan.error, 'invalid_argument')).toBe(true);
  });

  it('routes a migrated stream through its handle to the new endpoint', () => {
    // Arrange
    const router = createStreamRouter({ endpoints: four, boundedLoadEpsilon: 10 });
    const handles = new Map<string, number>();
    for (let i = 0; i < 40; i++) {
      const r = router.open(`s${i}`, 0);
      if (!r.ok) throw r.error;
      handles.set(`s${i}`, r.handle);
    }

    // Act
    const migrations = router.markDraining('b');

    // Assert: each moved stream keeps its handle, which now routes to where it was moved.
    expect(migrations.length).toBeGreaterThan(0);
    for (const m of migrations) {
      const hop = router.routeHandle(handles.get(m.streamId) ?? -1, 1);
      expect(hop).toMatchObject({ ok: true, endpointId: m.to, reason: 'sticky', migrated: false });
      expect(hop.ok && hop.handle).toBe(handles.get(m.streamId));
    }
    // A stream dropped because nobody could take it leaves a stale handle.
    const solo = createStreamRouter({ endpoints: [{ id: 'a' }] });
    const only = solo.open('x', 0);
    if (!only.ok) throw only.error;
    const h = only.handle;
    solo.eject('a');
    expect(solo.routeHandle(h, 1).ok).toBe(false);
  });

  it('places a stream idle past its TTL again through its handle, as by id', () => {
    const router = createStreamRouter({ endpoints: four, ttlMs: 100 });
    const opened = router.open('s1', 0);
    if (!opened.ok) throw opened.error;
    const old = opened.handle;
    const back = router.routeHandle(old, 101);
    expect(back).toMatchObject({ ok: true, reason: 'expired', migrated: false });
    expect(back.ok && back.handle).not.toBe(old);
    expect(router.routeHandle(old, 102).ok).toBe(false);
    if (back.ok) expect(router.routeHandle(back.handle, 102)).toMatchObject({ reason: 'sticky' });
  });

  it('reuses one result object for successful calls', () => {
    const router = createStreamRouter({ endpoints: four });
    const a = router.open('s1', 0);
    const b = router.route('s1', 1);
    expect(a).toBe(b);
  });

  it('returns unavailable (not a throw) when no endpoint is ready', () => {
    const router = createStreamRouter({ endpoints: [{ id: 'a', state: 'draining' }] });
    const result = router.open('s1', 0);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(isHeadroomError(result.error, 'unavailable')).toBe(true);
      expect(result.error.message).toContain('no endpoint is ready');
    }
    expect(router.size).toBe(0);
  });

  it('rejects a non-finite nowMs as a value', () => {
    const router = createStreamRouter({ endpoints: four });
    const result = router.route('s1', Number.NaN);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(isHeadroomError(result.error, 'invalid_argument')).toBe(true);
    expect(() => router.sweep(Number.POSITIVE_INFINITY)).toThrow(/nowMs/);
  });

  it('moves the streams of a draining endpoint eagerly and reports each migration', () => {
    // Arrange
    const router = createStreamRouter({ endpoints: four, boundedLoadEpsilon: 10 });
    for (let i = 0; i < 40; i++) router.open(`s${i}`, 0);
    const onB = Array.from({ length: 40 }, (_, i) => `s${i}`).filter(
      (s) => router.endpointOf(s) === 'b',
    );

    // Act
    const migrations = router.markDraining('b');

    // Assert
    expect(migrations.map((m) => m.streamId).sort()).toEqual([...onB].sort());
    for (const m of migrations) {
      expect(m.from).toBe('b');
      expect(m.to).not.toBe('b');
      expect(router.endpointOf(m.streamId)).toBe(m.to);
    }
    expect(router.load('b')).toBe(0);
    const next = router.route(onB[0] ?? '', 1);
    expect(next.ok && next.migrated).toBe(false); // already told, through the migration list
  });

  it('drops streams nobody can take and reports them with to: null', () => {
    const router = createStreamRouter({ endpoints: [{ id: 'a' }] });
    router.open('s1', 0);
    expect(router.eject('a')).toEqual([{ streamId: 's1', from: 'a', to: null }]);
    expect(router.size).toBe(0);
    router.markReady('a');
    expect(endpointOf(router.route('s1', 1))).toBe('a');
  });

  it('removes endpoints idempotently and throws not_found for unknown state changes', () => {
    const router = createStreamRouter({ endpoints: four });
    router.open('s1', 0);
    const where = router.endpointOf('s1') ?? '';
    expect(router.remove(where)).toHaveLength(1);
    expect(router.remove(where)).toEqual([]);
    expect(router.load(where)).toBeUndefined();
    expect(() => router.markDraining('nope')).toThrow(/not_found at endpointId/);
  });

  it('moves no live stream when endpoints are added or reweighted', () => {
    const router = createStreamRouter({ endpoints: four, boundedLoadEpsilon: 10 });
    for (let i = 0; i < 50; i++) router.open(`s${i}`, 0);
    const before = Array.from({ length: 50 }, (_, i) => router.endpointOf(`s${i}`));
    const migrations = router.setEndpoints([
      ...four.map((e) => ({ ...e, weight: 3 })),
      { id: 'e' },
      { id: 'f' },
    ]);
    expect(migrations).toEqual([]);
    expect(Array.from({ length: 50 }, (_, i) => router.endpointOf(`s${i}`))).toEqual(before);
  });

  it('setEndpoints moves the streams of endpoints that left the list', () => {
    const router = createStreamRouter({ endpoints: four });
    for (let i = 0; i < 20; i++) router.open(`s${i}`, 0);
    const onA = router.load('a') ?? 0;
    const migrations = router.setEndpoints([
      { id: 'b' },
      { id: 'c' },
      { id: 'd', state: 'ejected' },
    ]);
    expect(migrations.filter((m) => m.from === 'a')).toHaveLength(onA);
    expect(migrations.every((m) => m.to === 'b' || m.to === 'c')).toBe(true);
    expect((router.load('b') ?? 0) + (router.load('c') ?? 0)).toBe(20);
  });

  it('rejects a bad endpoint list with the index and field, leaving the router unchanged', () => {
    const router = createStreamRouter({ endpoints: four });
    expect(() => router.setEndpoints([{ id: 'a' }, { id: 'a' }])).toThrow(
      /invalid_argument at endpoints\.1\.id|invalid_argument at endpoints\[1\]\.id/,
    );
    expect(() => router.setEndpoints([{ id: 'x', weight: 0 }])).toThrow(/weight/);
    expect(router.load('d')).toBe(0);
  });

  it('rejects a bad config naming the field', () => {
    expect(() => createStreamRouter({ ttlMs: -1 })).toThrow(/invalid_config at ttlMs/);
    expect(() => createStreamRouter({ maxStreams: 0 })).toThrow(/invalid_config at maxStreams/);
    expect(() => createStreamRouter({ boundedLoadEpsilon: Number.NaN })).toThrow(
      /boundedLoadEpsilon/,
    );
  });

  it('forgets a stream idle past the TTL and places it again, reporting the move', () => {
    // Arrange: the stream's endpoint is full of other streams when it comes back.
    const router = createStreamRouter({ endpoints: four, ttlMs: 100 });
    router.open('s1', 0);
    const home = router.endpointOf('s1');

    // Act
    const back = router.route('s1', 101);

    // Assert: expired, placed again by the same order on the same endpoint.
    expect(back).toMatchObject({ ok: true, endpointId: home, migrated: false, reason: 'expired' });
    expect(router.route('s1', 201)).toMatchObject({ ok: true, reason: 'sticky' }); // exactly ttl
  });

  it('refreshes recency at most once per ttlPrecisionMs', () => {
    // Arrange: precision 10 ms, so a chunk 5 ms after the last stamp does not refresh it.
    const router = createStreamRouter({ endpoints: four, ttlMs: 100, ttlPrecisionMs: 10 });
    router.open('s1', 0);
    router.route('s1', 5);

    // Act / Assert: idle 96 ms since the last chunk, but 101 since the stamp: forgotten (early,
    // within the precision); never kept past ttlMs.
    expect(router.route('s1', 101)).toMatchObject({ ok: true, reason: 'expired' });
    router.route('s1', 112); // 11 ms after the stamp: refreshed
    expect(router.route('s1', 212)).toMatchObject({ ok: true, reason: 'sticky' });
    expect(() => createStreamRouter({ ttlMs: 10, ttlPrecisionMs: 11 })).toThrow(/ttlPrecisionMs/);
  });

  it('sweeps idle streams and keeps the loads right', () => {
    const router = createStreamRouter({ endpoints: four, ttlMs: 100 });
    router.open('s1', 0);
    router.open('s2', 50);
    expect(router.sweep(120)).toBe(1);
    expect(router.endpointOf('s1')).toBeUndefined();
    expect(four.reduce((sum, e) => sum + (router.load(e.id) ?? 0), 0)).toBe(1);
    expect(router.sweep(10)).toBe(0); // time never runs backwards
  });

  it('forgets the least recently routed stream when the table is full', () => {
    const router = createStreamRouter({ endpoints: four, maxStreams: 2, ttlPrecisionMs: 0 });
    router.open('s1', 0);
    router.open('s2', 1);
    router.route('s1', 2);
    router.open('s3', 3);
    expect(router.size).toBe(2);
    expect(router.endpointOf('s2')).toBeUndefined();
    expect(router.route('s2', 4)).toMatchObject({ ok: true, reason: 'rerouted', migrated: false });
  });

  it('keeps new streams within the bounded-load cap', () => {
    // With epsilon 0 every endpoint holds at most ceil((L+1)/n) after each open.
    const router = createStreamRouter({ endpoints: four, boundedLoadEpsilon: 0 });
    for (let i = 0; i < 400; i++) router.open(`s${i}`, 0);
    for (const e of four) expect(router.load(e.id)).toBe(100);
  });

  it('honours maxStreams and fails when every ready endpoint is at its cap', () => {
    const router = createStreamRouter({
      endpoints: [
        { id: 'a', maxStreams: 1 },
        { id: 'b', maxStreams: 1 },
      ],
      boundedLoadEpsilon: 100,
    });
    expect(router.open('s1', 0).ok).toBe(true);
    expect(router.open('s2', 0).ok).toBe(true);
    const third = router.open('s3', 0);
    expect(third.ok).toBe(false);
    if (!third.ok) expect(third.error.message).toContain('maxStreams');
  });

  it('gives heavier endpoints a proportional share (weighted rendezvous)', () => {
    const router = createStreamRouter({
      endpoints: [{ id: 'small' }, { id: 'big', weight: 3 }],
      boundedLoadEpsilon: 1_000,
    });
    for (let i = 0; i < 4_000; i++) router.open(`s${i}`, 0);
    const share = (router.load('big') ?? 0) / 4_000;
    expect(share).toBeGreaterThan(0.72);
    expect(share).toBeLessThan(0.78);
  });
});

describe('rendezvous scores', () => {
  it('spread keys evenly over endpoints', () => {
    const ids = Array.from({ length: 8 }, (_, i) => rendezvousHash(`ep-${i}`));
    const counts = new Array<number>(8).fill(0);
    for (let k = 0; k < 16_000; k++) {
      const h = rendezvousHash(`stream-${k}`);
      let best = 0;
      for (let i = 1; i < 8; i++) {
        if (rendezvousScore(h, ids[i] ?? 0) > rendezvousScore(h, ids[best] ?? 0)) best = i;
      }
      counts[best] = (counts[best] ?? 0) + 1;
    }
    for (const c of counts) {
      expect(c).toBeGreaterThan(1_800);
      expect(c).toBeLessThan(2_200);
    }
  });

  it('weighted keys are positive, finite and keep the unweighted order for equal weights', () => {
    const k = rendezvousHash('s');
    const e1 = rendezvousHash('a');
    const e2 = rendezvousHash('b');
    const w1 = weightedRendezvousKey(k, e1, 1);
    const w2 = weightedRendezvousKey(k, e2, 1);
    expect(Number.isFinite(w1) && w1 > 0).toBe(true);
    expect(Math.sign(w1 - w2)).toBe(Math.sign(rendezvousScore(k, e1) - rendezvousScore(k, e2)));
  });
});
