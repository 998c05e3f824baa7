import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import {
  IDLE_KEY,
  allocateCost,
  apportionLargestRemainder,
  formatMicroUsd,
  microToUsd,
  rollUpAllocation,
  toFocusRows,
  usdToMicro,
  type AllocationInput,
  type CostAllocation,
} from '../index.js';
import { thrown } from '../../../../tools/test-utils.js';

function costOf(allocation: CostAllocation, model: string, tenant: string): number {
  return allocation.keys.find((k) => k.model === model && k.tenant === tenant)?.costMicroUsd ?? 0;
}

const oneGpu: AllocationInput = {
  resources: [{ id: 'gpu-0', costMicroUsd: usdToMicro(4), provisionedSeconds: 3600 }],
  usage: [
    { resourceId: 'gpu-0', model: 'llama-8b', tenant: 'search', gpuSeconds: 1800 },
    { resourceId: 'gpu-0', model: 'llama-8b', tenant: 'chat', gpuSeconds: 900 },
  ],
};

describe('usdToMicro / microToUsd / formatMicroUsd', () => {
  it('rounds through the decimal, halves away from zero', () => {
    expect(usdToMicro(2.5)).toBe(2_500_000);
    expect(usdToMicro(0.0000015)).toBe(2);
    expect(usdToMicro(0.0000005)).toBe(1);
    expect(usdToMicro(0.00000049)).toBe(0);
    expect(usdToMicro(-0.0000015)).toBe(-2);
    expect(usdToMicro('12.3456785')).toBe(12_345_679);
    expect(usdToMicro('1e-6')).toBe(1);
    expect(usdToMicro(1e21 / 1e12)).toBe(1_000_000_000_000_000);
    expect(usdToMicro('.5')).toBe(500_000);
  });

  it('rejects non-finite amounts, garbage and overflow', () => {
    expect(
      isHeadroomError(
        thrown(() => usdToMicro(Number.NaN)),
        'invalid_argument',
      ),
    ).toBe(true);
    expect(
      isHeadroomError(
        thrown(() => usdToMicro('12,5')),
        'invalid_argument',
      ),
    ).toBe(true);
    expect(
      isHeadroomError(
        thrown(() => usdToMicro(1e12)),
        'invalid_argument',
      ),
    ).toBe(true);
  });

  it('converts back and formats exactly', () => {
    expect(microToUsd(2_500_000)).toBe(2.5);
    expect(formatMicroUsd(1_250_000)).toBe('1.250000');
    expect(formatMicroUsd(-1)).toBe('-0.000001');
    expect(formatMicroUsd(0)).toBe('0.000000');
    expect(
      isHeadroomError(
        thrown(() => microToUsd(0.5)),
        'invalid_argument',
      ),
    ).toBe(true);
  });
});

describe('apportionLargestRemainder', () => {
  it('gives leftover units to the largest remainders, ties to the smaller key', () => {
    const parts = apportionLargestRemainder(10, [
      { key: 'c', weight: 1 },
      { key: 'a', weight: 1 },
      { key: 'b', weight: 1 },
    ]);
    expect(parts.get('a')).toBe(4);
    expect(parts.get('b')).toBe(3);
    expect(parts.get('c')).toBe(3);
  });

  it('rejects all-zero weights and duplicate keys', () => {
    expect(
      isHeadroomError(thrown(() => apportionLargestRemainder(1, [{ key: 'a', weight: 0 }]))),
    ).toBe(true);
    expect(
      isHeadroomError(
        thrown(() =>
          apportionLargestRemainder(1, [
            { key: 'a', weight: 1 },
            { key: 'a', weight: 2 },
          ]),
        ),
      ),
    ).toBe(true);
  });
});

describe('allocateCost', () => {
  it('separate idle: usage shares plus an __idle__ line', () => {
    const a = allocateCost({ ...oneGpu, options: { idle: 'separate' } });
    expect(costOf(a, 'llama-8b', 'search')).toBe(2_000_000);
    expect(costOf(a, 'llama-8b', 'chat')).toBe(1_000_000);
    expect(costOf(a, IDLE_KEY, IDLE_KEY)).toBe(1_000_000);
    expect(a.unallocatedIdleMicroUsd).toBe(1_000_000);
    expect(a.resources[0]).toMatchObject({
      capacity: 3600,
      used: 2700,
      idle: 900,
      idleFraction: 0.25,
    });
    expect(a.resources[0]?.idleMicroUsd).toBe(1_000_000);
  });

  it('proportional idle: idle shared by usage', () => {
    const a = allocateCost({ ...oneGpu, options: { idle: 'proportional' } });
    expect(costOf(a, 'llama-8b', 'search')).toBe(2_666_667);
    expect(costOf(a, 'llama-8b', 'chat')).toBe(1_333_333);
    expect(costOf(a, IDLE_KEY, IDLE_KEY)).toBe(0);
  });

  it('even idle: idle split equally among the keys on the resource', () => {
    const a = allocateCost({
      ...oneGpu,
      usage: [
        ...oneGpu.usage,
        { resourceId: 'gpu-0', model: 'llama-8b', tenant: 'batch', gpuSeconds: 0 },
      ],
      options: { idle: 'even' },
    });
    // idle 1 USD / 3 keys each on top of the usage shares.
    expect(costOf(a, 'llama-8b', 'search')).toBe(2_333_333);
    expect(costOf(a, 'llama-8b', 'chat')).toBe(1_333_334 - 1);
    expect(costOf(a, 'llama-8b', 'batch')).toBe(333_334);
    expect(a.keys.reduce((s, k) => s + k.costMicroUsd, 0)).toBe(4_000_000);
  });

  it('an unused resource stays on the idle line in every mode', () => {
    for (const idle of ['separate', 'proportional', 'even'] as const) {
      const a = allocateCost({
        resources: [{ id: 'g', costMicroUsd: 7, provisionedSeconds: 60 }],
        usage: [],
        options: { idle },
      });
      expect(a.keys).toEqual([{ model: IDLE_KEY, tenant: IDLE_KEY, costMicroUsd: 7 }]);
    }
  });

  it('counts MIG slice-seconds on a whole GPU by compute slices / 7, or memory slices / 8', () => {
    const resources = [{ id: 'gpu', costMicroUsd: 7_000_000, provisionedSeconds: 100 }];
    const compute = allocateCost({
      resources,
      usage: [
        { resourceId: 'gpu', model: 'm', tenant: 'a', migSliceSeconds: 100, profile: '3g.40gb' },
        { resourceId: 'gpu', model: 'm', tenant: 'b', migSliceSeconds: 100, profile: '4g.40gb' },
      ],
    });
    expect(costOf(compute, 'm', 'a')).toBe(3_000_000);
    expect(costOf(compute, 'm', 'b')).toBe(4_000_000);
    const memory = allocateCost({
      resources,
      usage: [
        {
          resourceId: 'gpu',
          model: 'm',
          tenant: 'a',
          migSliceSeconds: 100,
          profile: '1g.10gb',
          memorySlices: 1,
        },
      ],
      options: { migShareBasis: 'memory' },
    });
    expect(costOf(memory, 'm', 'a')).toBe(875_000);
    expect(memory.resources[0]?.used).toBe(12.5);
    const override = allocateCost({
      resources,
      usage: [{ resourceId: 'gpu', model: 'm', tenant: 'a', migSliceSeconds: 100, profile: 'x' }],
      options: { migProfileShares: { x: 0.5 } },
    });
    expect(costOf(override, 'm', 'a')).toBe(3_500_000);
  });

  it('counts slice-seconds one for one on a MIG-slice resource', () => {
    const a = allocateCost({
      resources: [
        { id: 'mig-0', costMicroUsd: 1_000, provisionedSeconds: 100, migProfile: '1g.10gb' },
      ],
      usage: [
        { resourceId: 'mig-0', model: 'm', tenant: 't', migSliceSeconds: 50, profile: '1g.10gb' },
      ],
    });
    expect(costOf(a, 'm', 't')).toBe(500);
    expect(a.lines[0]?.unit).toBe('slice_seconds');
  });

  it('splits token-metered resources by tokens, with idle only against capacityTokens', () => {
    const a = allocateCost({
      resources: [
        { id: 'api', costMicroUsd: 900, provisionedSeconds: 3600 },
        { id: 'api2', costMicroUsd: 1000, provisionedSeconds: 3600, capacityTokens: 1000 },
      ],
      usage: [
        { resourceId: 'api', model: 'm', tenant: 'a', tokens: 200 },
        { resourceId: 'api', model: 'm', tenant: 'b', tokens: 100 },
        { resourceId: 'api2', model: 'm', tenant: 'a', tokens: 500 },
      ],
    });
    expect(costOf(a, 'm', 'a')).toBe(600 + 500);
    expect(costOf(a, 'm', 'b')).toBe(300);
    expect(costOf(a, IDLE_KEY, IDLE_KEY)).toBe(500);
  });

  it('names the record and field of bad input', () => {
    const bad = (usage: unknown[]): unknown =>
      thrown(() => allocateCost({ ...oneGpu, usage: usage as AllocationInput['usage'] }));
    const neg = bad([{ resourceId: 'gpu-0', model: 'm', tenant: 't', gpuSeconds: -1 }]);
    expect(isHeadroomError(neg, 'invalid_input') && neg.path).toEqual(['usage', 0, 'gpuSeconds']);
    const nan = bad([
      { resourceId: 'gpu-0', model: 'm', tenant: 't', gpuSeconds: 1 },
      { resourceId: 'gpu-0', model: 'm', tenant: 't', tokens: Number.NaN },
    ]);
    expect(isHeadroomError(nan, 'invalid_input') && nan.path).toEqual(['usage', 1, 'tokens']);
    const unknown = bad([{ resourceId: 'nope', model: 'm', tenant: 't', gpuSeconds: 1 }]);
    expect(isHeadroomError(unknown, 'invalid_input') && unknown.path).toEqual([
      'usage',
      0,
      'resourceId',
    ]);
    const over = bad([
      { resourceId: 'gpu-0', model: 'm', tenant: 'a', gpuSeconds: 3000 },
      { resourceId: 'gpu-0', model: 'm', tenant: 'b', gpuSeconds: 601 },
    ]);
    expect(isHeadroomError(over, 'invalid_input') && over.path).toEqual(['usage', 1, 'gpuSeconds']);
    const mixed = bad([
      { resourceId: 'gpu-0', model: 'm', tenant: 'a', gpuSeconds: 1 },
      { resourceId: 'gpu-0', model: 'm', tenant: 'b', tokens: 1 },
    ]);
    expect(isHeadroomError(mixed, 'invalid_input') && mixed.path).toEqual(['usage', 1, 'tokens']);
    const reserved = bad([{ resourceId: 'gpu-0', model: IDLE_KEY, tenant: 't', gpuSeconds: 1 }]);
    expect(isHeadroomError(reserved, 'invalid_input') && reserved.path).toEqual([
      'usage',
      0,
      'model',
    ]);
    const cost = thrown(() =>
      allocateCost({
        resources: [{ id: 'g', costMicroUsd: 1.5, provisionedSeconds: 1 }],
        usage: [],
      }),
    );
    expect(isHeadroomError(cost, 'invalid_input') && cost.path).toEqual([
      'resources',
      0,
      'costMicroUsd',
    ]);
    const option = thrown(() => allocateCost({ ...oneGpu, options: { idle: 'spread' as 'even' } }));
    expect(isHeadroomError(option, 'invalid_config')).toBe(true);
  });

  it('clips usage beyond capacity when asked, keeping proportions', () => {
    const a = allocateCost({
      resources: [{ id: 'g', costMicroUsd: 3_000, provisionedSeconds: 100 }],
      usage: [
        { resourceId: 'g', model: 'm', tenant: 'a', gpuSeconds: 200 },
        { resourceId: 'g', model: 'm', tenant: 'b', gpuSeconds: 100 },
      ],
      options: { overUsage: 'clip' },
    });
    expect(costOf(a, 'm', 'a')).toBe(2_000);
    expect(costOf(a, 'm', 'b')).toBe(1_000);
    expect(a.resources[0]).toMatchObject({ clipped: true, idle: 0, idleMicroUsd: 0 });
  });

  it('keeps idleFraction finite when capacity is a denormal that rounds to 0', () => {
    // Regression (found by the property test): capacity 0 s plus a 5e-324 s MIG record was
    // clipped to a capacity whose nearest double is 0, and idle / capacity gave NaN.
    const a = allocateCost({
      resources: [{ id: 'g', costMicroUsd: 0, provisionedSeconds: 0 }],
      usage: [
        {
          resourceId: 'g',
          model: 'm',
          tenant: 'a',
          migSliceSeconds: 5e-324,
          profile: '1g.10gb',
        },
      ],
      options: { idle: 'separate', overUsage: 'clip' },
    });
    const fraction = a.resources[0]?.idleFraction ?? Number.NaN;
    expect(Number.isFinite(fraction)).toBe(true);
    expect(fraction).toBeGreaterThanOrEqual(0);
    expect(fraction).toBeLessThanOrEqual(1);
  });

  it('rolls up by model and by tenant', () => {
    const a = allocateCost({
      resources: [
        { id: 'g0', costMicroUsd: 1_000, provisionedSeconds: 10 },
        { id: 'g1', costMicroUsd: 2_000, provisionedSeconds: 10 },
      ],
      usage: [
        { resourceId: 'g0', model: 'm1', tenant: 'a', gpuSeconds: 10 },
        { resourceId: 'g1', model: 'm2', tenant: 'a', gpuSeconds: 5 },
        { resourceId: 'g1', model: 'm2', tenant: 'b', gpuSeconds: 5 },
      ],
    });
    expect(rollUpAllocation(a, 'tenant')).toEqual([
      { key: 'a', costMicroUsd: 2_000, share: 2 / 3 },
      { key: 'b', costMicroUsd: 1_000, share: 1 / 3 },
    ]);
    expect(rollUpAllocation(a, 'model').map((r) => r.key)).toEqual(['m2', 'm1']);
  });
});

describe('toFocusRows', () => {
  it('emits FOCUS columns with exact decimals and ISO periods', () => {
    const a = allocateCost({
      ...oneGpu,
      resources: [{ ...oneGpu.resources[0]!, name: 'node-a/gpu0', tags: { team: 'ml' } }],
    });
    const rows = toFocusRows(a, {
      startMs: Date.UTC(2025, 0, 1),
      endMs: Date.UTC(2025, 0, 1, 1),
    });
    expect(rows).toHaveLength(3);
    const chat = rows.find((r) => r.Tags['headroom/tenant'] === 'chat');
    expect(chat).toMatchObject({
      BilledCost: '1.000000',
      EffectiveCost: '1.000000',
      BillingCurrency: 'USD',
      ChargePeriodStart: '2025-01-01T00:00:00.000Z',
      ChargePeriodEnd: '2025-01-01T01:00:00.000Z',
      ResourceId: 'gpu-0',
      ResourceName: 'node-a/gpu0',
      ServiceCategory: 'AI and Machine Learning',
      AllocatedResourceId: 'llama-8b/chat',
      AllocatedMethodId: 'headroom-usage-share-idle-separate',
      Tags: { team: 'ml', 'headroom/model': 'llama-8b', 'headroom/tenant': 'chat' },
    });
    expect(JSON.parse(chat?.AllocatedMethodDetails ?? '')).toEqual({
      Elements: [{ AllocatedRatio: 0.25, UsageUnit: 'GPU-Seconds', UsageQuantity: 900 }],
    });
    const idle = rows.find((r) => r.Tags['headroom/model'] === IDLE_KEY);
    expect(idle?.AllocatedResourceId).toBeNull();
    const sum = rows.reduce((s, r) => s + usdToMicro(r.BilledCost), 0);
    expect(sum).toBe(a.totalMicroUsd);
  });

  it('rejects an empty or non-finite period', () => {
    const a = allocateCost(oneGpu);
    expect(
      isHeadroomError(
        thrown(() => toFocusRows(a, { startMs: 10, endMs: 10 })),
        'invalid_argument',
      ),
    ).toBe(true);
    expect(
      isHeadroomError(
        thrown(() => toFocusRows(a, { startMs: Number.NaN, endMs: 10 })),
        'invalid_argument',
      ),
    ).toBe(true);
  });
});
