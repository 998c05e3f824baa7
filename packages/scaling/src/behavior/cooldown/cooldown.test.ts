import { describe, expect, it } from 'vitest';
import { type InstanceSnapshot } from '@headroom/core';
import { thrownCode } from '../../../../../tools/test-utils.js';
import { scaleDownCooldown } from './index.js';

function instance(
  id: string,
  state: InstanceSnapshot['state'],
  stateSinceMs?: number,
): InstanceSnapshot {
  return {
    id,
    state,
    labels: {},
    load: {},
    gpus: [],
    observedAtMs: 0,
    ...(stateSinceMs === undefined ? {} : { stateSinceMs }),
  };
}

describe('scaleDownCooldown', () => {
  it('always allows scale-ups and holds', () => {
    const input = { nowMs: 10, lastScaleUpAtMs: 9, instances: [instance('a', 'ready', 9)] };
    expect(scaleDownCooldown({}, { ...input, from: 2, to: 3 })).toEqual({
      allowed: true,
      reason: 'not_a_scale_down',
      untilMs: undefined,
    });
    expect(scaleDownCooldown({}, { ...input, from: 2, to: 2 }).reason).toBe('not_a_scale_down');
  });

  it('refuses a scale-down within afterScaleUpMs of the last scale-up, then allows it', () => {
    const config = { afterScaleUpMs: 1_000, afterReadyMs: 0 };
    const base = { from: 4, to: 3, lastScaleUpAtMs: 5_000, instances: [] };
    expect(scaleDownCooldown(config, { ...base, nowMs: 5_999 })).toEqual({
      allowed: false,
      reason: 'cooldown_after_scale_up',
      untilMs: 6_000,
    });
    expect(scaleDownCooldown(config, { ...base, nowMs: 6_000 })).toEqual({
      allowed: true,
      reason: 'allowed',
      untilMs: undefined,
    });
  });

  it('refuses a scale-down within afterReadyMs of the most recent ready instance', () => {
    const config = { afterScaleUpMs: 100, afterReadyMs: 1_000 };
    const instances = [
      instance('a', 'ready', 1_000),
      instance('b', 'ready', 3_000),
      instance('c', 'loading', 9_000), // not ready: ignored
      instance('d', 'ready'), // no stateSinceMs: ignored
    ];
    const base = { from: 4, to: 2, lastScaleUpAtMs: 0, instances };
    expect(scaleDownCooldown(config, { ...base, nowMs: 3_500 })).toEqual({
      allowed: false,
      reason: 'cooldown_after_ready',
      untilMs: 4_000,
    });
    expect(scaleDownCooldown(config, { ...base, nowMs: 4_000 }).allowed).toBe(true);
  });

  it('reports the scale-up cooldown first and the later end of both', () => {
    const result = scaleDownCooldown(
      { afterScaleUpMs: 1_000, afterReadyMs: 5_000 },
      { nowMs: 500, from: 3, to: 1, lastScaleUpAtMs: 0, instances: [instance('a', 'ready', 100)] },
    );
    expect(result).toEqual({ allowed: false, reason: 'cooldown_after_scale_up', untilMs: 5_100 });
  });

  it('uses five minutes for each cooldown by default and allows with no history', () => {
    const base = { from: 3, to: 2, instances: [] };
    expect(scaleDownCooldown({}, { ...base, nowMs: 299_999, lastScaleUpAtMs: 0 }).allowed).toBe(
      false,
    );
    expect(scaleDownCooldown({}, { ...base, nowMs: 300_000, lastScaleUpAtMs: 0 }).allowed).toBe(
      true,
    );
    expect(scaleDownCooldown({}, { ...base, nowMs: 0, lastScaleUpAtMs: null }).reason).toBe(
      'allowed',
    );
  });

  it('validates the config and the input', () => {
    const input = { nowMs: 0, from: 2, to: 1, lastScaleUpAtMs: null, instances: [] };
    expect(thrownCode(() => scaleDownCooldown({ afterScaleUpMs: -1 }, input))).toBe(
      'invalid_config',
    );
    expect(thrownCode(() => scaleDownCooldown({ afterReadyMs: Number.NaN }, input))).toBe(
      'invalid_config',
    );
    expect(
      thrownCode(() => scaleDownCooldown({}, { ...input, nowMs: Number.POSITIVE_INFINITY })),
    ).toBe('invalid_argument');
    expect(thrownCode(() => scaleDownCooldown({}, { ...input, lastScaleUpAtMs: Number.NaN }))).toBe(
      'invalid_argument',
    );
  });
});
