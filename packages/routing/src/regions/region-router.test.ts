import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import {
  createRegionRouter,
  isRegionUnavailableError,
  type RegionRouter,
  type RegionRouterConfig,
} from './index.js';

const config: RegionRouterConfig = {
  regions: [{ name: 'eu-west' }, { name: 'eu-central' }, { name: 'us-east' }, { name: 'ap-south' }],
  geography: {
    'eu-west': { 'eu-central': 25, 'us-east': 80, 'ap-south': 150 },
    'eu-central': { 'eu-west': 25, 'us-east': 95, 'ap-south': 120 },
    'us-east': { 'eu-west': 80, 'eu-central': 95, 'ap-south': 220 },
    latam: { 'us-east': 120, 'eu-west': 190 },
  },
  tenants: { 'acme-eu': { allowedRegions: ['eu-west', 'eu-central'] } },
  overflowThreshold: 0.8,
  rttHalfLifeMs: 10_000,
  rttMaxAgeMs: 60_000,
};

function healthyFleet(overrides: Partial<Record<string, { load: number }>> = {}): RegionRouter {
  const router = createRegionRouter(config);
  for (const region of ['eu-west', 'eu-central', 'us-east', 'ap-south']) {
    router.updateRegion(region, {
      capacity: 100,
      load: overrides[region]?.load ?? 10,
      healthy: true,
      modelVersions: { whisper: 'v3' },
    });
  }
  return router;
}

describe('createRegionRouter', () => {
  it('geography: picks the client region itself, then the nearest by the static table', () => {
    const router = healthyFleet();
    const own = router.chooseRegionOrThrow({ clientRegion: 'eu-west', nowMs: 0 });
    expect(own).toMatchObject({
      region: 'eu-west',
      reason: 'nearest',
      distance: 0,
      source: 'static',
    });
    const latam = router.chooseRegionOrThrow({ clientRegion: 'latam', nowMs: 0 });
    expect(latam).toMatchObject({ region: 'us-east', reason: 'nearest', distance: 120 });
  });

  it('latency: a fresh measured RTT beats the static table; a stale one is ignored', () => {
    const router = healthyFleet();
    router.observeRtt('latam', 'eu-west', 60, 1_000);
    router.observeRtt('latam', 'us-east', 140, 1_000);
    expect(router.chooseRegionOrThrow({ clientRegion: 'latam', nowMs: 2_000 })).toMatchObject({
      region: 'eu-west',
      source: 'measured',
      distance: 60,
    });
    expect(router.chooseRegionOrThrow({ clientRegion: 'latam', nowMs: 100_000 })).toMatchObject({
      region: 'us-east',
      source: 'static',
    });
  });

  it('latency: smooths RTT samples with a time-decayed EWMA', () => {
    const router = healthyFleet();
    router.observeRtt('eu-west', 'us-east', 100, 0);
    router.observeRtt('eu-west', 'us-east', 200, 10_000); // one half-life later
    expect(router.measuredRttMs('eu-west', 'us-east')).toBeCloseTo(150, 6);
    expect(router.observeRtt('eu-west', 'us-east', -1, 20_000)).toBe(false);
    expect(router.observeRtt('eu-west', 'nowhere', 10, 20_000)).toBe(false);
    expect(router.observeRtt('mars', 'us-east', 10, 20_000)).toBe(false);
    expect(router.observeRtt('eu-west', 'us-east', 10, 5_000)).toBe(false); // out of order
  });

  it('geography strategy ignores measurements', () => {
    const router = createRegionRouter({ ...config, strategy: 'geography' });
    router.updateRegion('eu-central', { capacity: 10, load: 0 });
    router.updateRegion('eu-west', { capacity: 10, load: 0 });
    router.observeRtt('eu-west', 'eu-central', 1, 0);
    expect(router.chooseRegionOrThrow({ clientRegion: 'eu-west', nowMs: 0 }).region).toBe(
      'eu-west',
    );
  });

  it('overflow: spills to the next nearest when the nearest is at its threshold', () => {
    const router = healthyFleet({ 'eu-west': { load: 80 } });
    const choice = router.chooseRegionOrThrow({ clientRegion: 'eu-west', nowMs: 0, explain: true });
    expect(choice).toMatchObject({ region: 'eu-central', reason: 'overflow', utilization: 0.1 });
    expect(choice.explain?.map((v) => [v.region, v.verdict])).toEqual([
      ['eu-west', 'over_threshold'],
      ['eu-central', 'chosen'],
      ['us-east', 'farther'],
      ['ap-south', 'farther'],
    ]);
  });

  it('overflow: when every region is past its threshold, the nearest with room wins', () => {
    const router = healthyFleet({
      'eu-west': { load: 100 },
      'eu-central': { load: 95 },
      'us-east': { load: 90 },
      'ap-south': { load: 85 },
    });
    const choice = router.chooseRegionOrThrow({ clientRegion: 'eu-west', nowMs: 0 });
    expect(choice).toMatchObject({ region: 'eu-central', reason: 'overflow' });
  });

  it('failover: skips unhealthy regions, regions without capacity and without the model', () => {
    const router = healthyFleet();
    router.updateRegion('eu-west', { healthy: false });
    router.updateRegion('eu-central', { capacity: 0 });
    router.updateRegion('us-east', { modelVersions: { other: 'v1' } });
    const choice = router.chooseRegionOrThrow({
      clientRegion: 'eu-west',
      model: 'whisper',
      nowMs: 0,
      explain: true,
    });
    expect(choice).toMatchObject({ region: 'ap-south', reason: 'failover' });
    expect(choice.explain?.map((v) => v.verdict)).toEqual([
      'unhealthy',
      'no_capacity',
      'model_not_served',
      'chosen',
    ]);
  });

  it('pins a tenant: never spills outside its allowed regions, and says why', () => {
    // Arrange: both EU regions are down or full; us-east is idle.
    const router = healthyFleet({ 'eu-central': { load: 100 } });
    router.updateRegion('eu-west', { healthy: false });

    // Act
    const result = router.chooseRegion({ clientRegion: 'eu-west', tenant: 'acme-eu', nowMs: 0 });

    // Assert
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(isRegionUnavailableError(result.error)).toBe(true);
    expect(isHeadroomError(result.error, 'unavailable')).toBe(true);
    if (!isRegionUnavailableError(result.error)) return;
    expect(result.error.tenant).toBe('acme-eu');
    expect(result.error.allowedRegions).toEqual(['eu-central', 'eu-west']);
    expect(result.error.rejections).toEqual([
      { region: 'eu-west', reason: 'unhealthy' },
      { region: 'eu-central', reason: 'full' },
    ]);
    expect(result.error.message).toContain('tenant "acme-eu"');
    expect(result.error.message).toContain('eu-west unhealthy; eu-central full');
    expect(() =>
      router.chooseRegionOrThrow({ clientRegion: 'eu-west', tenant: 'acme-eu', nowMs: 0 }),
    ).toThrow(/unavailable at tenant/);
    // An unpinned request still spills to us-east.
    expect(router.chooseRegionOrThrow({ clientRegion: 'eu-west', nowMs: 0 }).region).toBe(
      'us-east',
    );
  });

  it('pins a tenant even when the nearest region overall is outside its list', () => {
    const router = healthyFleet();
    const choice = router.chooseRegionOrThrow({
      clientRegion: 'us-east',
      tenant: 'acme-eu',
      nowMs: 0,
    });
    expect(choice).toMatchObject({ region: 'eu-west', reason: 'nearest', distance: 80 });
  });

  it('treats unknown tenants as unrestricted by default, or rejects them', () => {
    expect(healthyFleet().chooseRegion({ clientRegion: 'eu-west', tenant: 'x', nowMs: 0 }).ok).toBe(
      true,
    );
    const strict = createRegionRouter({ ...config, unknownTenant: 'reject' });
    const result = strict.chooseRegion({ clientRegion: 'eu-west', tenant: 'x', nowMs: 0 });
    expect(!result.ok && isHeadroomError(result.error, 'not_found')).toBe(true);
  });

  it('skips regions that never reported a state', () => {
    const router = createRegionRouter(config);
    const result = router.chooseRegion({ clientRegion: 'eu-west', nowMs: 0 });
    expect(!result.ok && isRegionUnavailableError(result.error)).toBe(true);
    if (!result.ok && isRegionUnavailableError(result.error)) {
      expect(result.error.rejections.every((r) => r.reason === 'no_state')).toBe(true);
    }
  });

  it('returns errors as values for bad runtime data', () => {
    const router = healthyFleet();
    const bad = router.updateRegion('eu-west', { capacity: Number.NaN });
    expect(!bad.ok && bad.error.message).toMatch(/invalid_input at regions\.eu-west\.capacity/);
    expect(router.status('eu-west')?.capacity).toBe(100); // unchanged
    const unknown = router.updateRegion('mars', { capacity: 1 });
    expect(!unknown.ok && isHeadroomError(unknown.error, 'not_found')).toBe(true);
    const nan = router.chooseRegion({ clientRegion: 'eu-west', nowMs: Number.NaN });
    expect(!nan.ok && isHeadroomError(nan.error, 'invalid_argument')).toBe(true);
  });

  it('merges partial updates', () => {
    const router = createRegionRouter(config);
    router.updateRegion('us-east', { capacity: 10 });
    const merged = router.updateRegion('us-east', { load: 3 });
    expect(merged.ok && merged.value).toEqual({
      capacity: 10,
      load: 3,
      healthy: true,
      modelVersions: {},
    });
  });

  it('reports model-version drift against the fleet target', () => {
    const router = healthyFleet();
    router.updateRegion('us-east', { modelVersions: { whisper: 'v2', llama: '3.1' } });
    expect(router.versionDrift({ whisper: 'v3', llama: '3.1', absent: 'v9' })).toEqual([
      { region: 'us-east', model: 'whisper', version: 'v2', targetVersion: 'v3' },
    ]);
  });

  it('rejects a bad config naming the field', () => {
    expect(() =>
      createRegionRouter({ ...config, tenants: { t: { allowedRegions: ['mars'] } } }),
    ).toThrow(/invalid_config at tenants\.t\.allowedRegions\.0|tenants\.t\.allowedRegions\[0\]/);
    expect(() => createRegionRouter({ ...config, overflowThreshold: 1.5 })).toThrow(
      /overflowThreshold/,
    );
    expect(() => createRegionRouter({ regions: [{ name: 'a' }, { name: 'a' }] })).toThrow(
      /duplicate region name/,
    );
    expect(() => createRegionRouter({ regions: [] })).toThrow(/regions/);
  });
});
