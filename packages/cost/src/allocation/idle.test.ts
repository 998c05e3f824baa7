import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { UNLABELED, accountIdle } from '../index.js';
import { thrown } from '../../../../tools/test-utils.js';

describe('accountIdle', () => {
  const records = [
    { provisionedGpuSeconds: 3600, usedGpuSeconds: 2400, model: 'llama', pool: 'main' },
    { provisionedGpuSeconds: 3600, usedGpuSeconds: 3600, model: 'llama', pool: 'main' },
    { provisionedGpuSeconds: 3600, model: 'llama', pool: 'warm', warm: true },
    {
      provisionedGpuSeconds: 7200,
      usedGpuSeconds: 1800,
      model: 'whisper',
      capacityType: 'spot' as const,
    },
  ];

  it('groups by pool, counting warm instances as provisioned and idle', () => {
    const result = accountIdle(records, ['pool']);
    expect(result.rows.map((r) => r.group.pool)).toEqual([UNLABELED, 'main', 'warm']);
    const main = result.rows.find((r) => r.group.pool === 'main');
    expect(main).toMatchObject({
      records: 2,
      provisionedGpuSeconds: 7200,
      usedGpuSeconds: 6000,
      idleGpuSeconds: 1200,
      idleFraction: 1200 / 7200,
    });
    const warm = result.rows.find((r) => r.group.pool === 'warm');
    expect(warm).toMatchObject({ idleGpuSeconds: 3600, warmIdleGpuSeconds: 3600, idleFraction: 1 });
    expect(result.total).toMatchObject({
      provisionedGpuSeconds: 18_000,
      usedGpuSeconds: 7800,
      idleGpuSeconds: 10_200,
      warmRecords: 1,
    });
  });

  it('groups by several dimensions and by none', () => {
    const result = accountIdle(records, ['model', 'capacityType']);
    expect(result.rows.map((r) => r.group)).toEqual([
      { model: 'llama', capacityType: UNLABELED },
      { model: 'whisper', capacityType: 'spot' },
    ]);
    expect(accountIdle(records).rows).toHaveLength(1);
    expect(accountIdle([]).total.idleFraction).toBe(0);
  });

  it('rejects bad records, naming index and field, or clips when asked', () => {
    const over = thrown(() =>
      accountIdle([{ provisionedGpuSeconds: 10, usedGpuSeconds: 11 }], ['model']),
    );
    expect(isHeadroomError(over, 'invalid_input') && over.path).toEqual([
      'records',
      0,
      'usedGpuSeconds',
    ]);
    expect(
      accountIdle([{ provisionedGpuSeconds: 10, usedGpuSeconds: 11 }], [], { overUsage: 'clip' })
        .total.idleGpuSeconds,
    ).toBe(0);
    const nan = thrown(() => accountIdle([records[0]!, { provisionedGpuSeconds: Number.NaN }]));
    expect(isHeadroomError(nan, 'invalid_input') && nan.path).toEqual([
      'records',
      1,
      'provisionedGpuSeconds',
    ]);
    const warm = thrown(() =>
      accountIdle([{ provisionedGpuSeconds: 10, usedGpuSeconds: 1, warm: true }]),
    );
    expect(isHeadroomError(warm, 'invalid_input')).toBe(true);
    const dim = thrown(() => accountIdle(records, ['zone' as 'model']));
    expect(isHeadroomError(dim, 'invalid_argument')).toBe(true);
  });
});
