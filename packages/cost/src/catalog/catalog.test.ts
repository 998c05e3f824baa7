import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { thrownError } from '../../../../tools/test-utils.js';
import {
  DEFAULT_CATALOG_AS_OF,
  defaultCatalog,
  findPrice,
  microToUsd,
  gpuClass,
  instanceType,
  loadCatalog,
  pricePerGpuHour,
  roundUsd,
  spotMonthlyInterruptionRate,
  usdToMicro,
  type Catalog,
} from '../index.js';

const sharedPrices = JSON.parse(
  readFileSync(
    new URL('../../../../../shared/data/gpu/aws-prices-us-east-1.json', import.meta.url),
    'utf8',
  ),
) as { instances: Record<string, { usdPerHour: number; gpus: number; gpu: string }> };

describe('defaultCatalog', () => {
  it('has H100-80GB with 80 GiB and p5.48xlarge at $55.04 on-demand', () => {
    const catalog = defaultCatalog();
    expect(gpuClass(catalog, 'H100-80GB')).toMatchObject({
      memoryGiB: 80,
      arch: 'Hopper',
      fp8: true,
      migCapable: true,
      bandwidthGBs: 3350,
    });
    const p5 = instanceType(catalog, 'p5.48xlarge');
    expect(p5).toMatchObject({ provider: 'aws', region: 'us-east-1', gpuClass: 'H100-80GB' });
    expect(p5.gpuCount).toBe(8);
    expect(p5.prices['on-demand']).toEqual({ usdPerHour: 55.04, assumed: false });
    expect(pricePerGpuHour(catalog, 'p5.48xlarge', 'on-demand')).toBeCloseTo(6.88, 10);
  });

  it('is dated, cites its sources and labels derived prices as assumed', () => {
    const catalog = defaultCatalog();
    expect(catalog.asOf).toBe(DEFAULT_CATALOG_AS_OF);
    expect(catalog.sources.some((s) => s.includes('AWS Price List'))).toBe(true);
    expect(catalog.sources.some((s) => s.includes('NVIDIA'))).toBe(true);
    const p5 = instanceType(catalog, 'p5.48xlarge');
    expect(p5.prices.reserved).toEqual({ usdPerHour: 33.024, assumed: true });
    expect(p5.prices.spot).toEqual({ usdPerHour: 22.016, assumed: true });
    expect(p5.prices.spot?.interruptionBucket).toBeUndefined();
  });

  it('carries every instance type of the shared price facts at its published price', () => {
    const catalog = defaultCatalog();
    for (const [name, fact] of Object.entries(sharedPrices.instances)) {
      const t = instanceType(catalog, name);
      expect(t.prices['on-demand']?.usdPerHour).toBe(fact.usdPerHour);
      expect(t.gpuCount).toBe(fact.gpus);
      expect(t.gpuClass).toBe(fact.gpu);
    }
    expect(catalog.instanceTypes).toHaveLength(Object.keys(sharedPrices.instances).length);
  });

  it('uses FP16 TFLOPS for the T4 and marks approximate figures', () => {
    const t4 = gpuClass(defaultCatalog(), 'T4');
    expect(t4.bf16Tflops).toBe(65);
    expect(t4.approximate).toBe(true);
    expect(t4.fp8Tflops).toBeUndefined();
    expect(gpuClass(defaultCatalog(), 'L4').approximate).toBe(false);
  });

  it('takes other discounts, and rejects a discount of 1 or more', () => {
    const catalog = defaultCatalog({ reservedDiscount: 0.5, spotDiscount: 0.7 });
    expect(findPrice(catalog, 'g6.xlarge', 'reserved')?.usdPerHour).toBe(0.4024);
    expect(findPrice(catalog, 'g6.xlarge', 'spot')?.usdPerHour).toBe(0.24144);
    expect(thrownError(() => defaultCatalog({ spotDiscount: 1 }))).toMatchObject({
      code: 'invalid_argument',
      path: ['options', 'spotDiscount'],
    });
    expect(thrownError(() => defaultCatalog({ reservedDiscount: Number.NaN })).code).toBe(
      'invalid_argument',
    );
  });

  it('is deeply frozen', () => {
    const catalog = defaultCatalog();
    expect(Object.isFrozen(catalog.instanceTypes[0]?.prices)).toBe(true);
    expect(Object.isFrozen(catalog.gpuClasses)).toBe(true);
  });
});

describe('lookups', () => {
  it('throws not_found for unknown names, listing known ones', () => {
    const catalog = defaultCatalog();
    const gpu = thrownError(() => gpuClass(catalog, 'H900'));
    expect(gpu.code).toBe('not_found');
    expect(gpu.message).toContain('H100-80GB');
    expect(thrownError(() => instanceType(catalog, 'p9.huge')).code).toBe('not_found');
    expect(thrownError(() => pricePerGpuHour(catalog, 'p9.huge', 'spot')).code).toBe('not_found');
  });

  it('throws not_found for a missing price and invalid_argument for an unknown capacity type', () => {
    const catalog = loadCatalog(
      { instanceTypes: [{ name: 'g6.xlarge', prices: { spot: null } }] },
      { base: defaultCatalog() },
    );
    const missing = thrownError(() => pricePerGpuHour(catalog, 'g6.xlarge', 'spot'));
    expect(missing.code).toBe('not_found');
    expect(missing.path).toEqual(['instanceTypes', 'g6.xlarge', 'prices', 'spot']);
    expect(
      thrownError(() => pricePerGpuHour(catalog, 'g6.xlarge', 'on_demand' as 'on-demand')).code,
    ).toBe('invalid_argument');
  });
});

describe('loadCatalog', () => {
  const minimal = {
    asOf: '2026-01-01',
    sources: ['test'],
    gpuClasses: [
      {
        name: 'X1',
        arch: 'Hopper',
        memoryGiB: 80,
        bandwidthGBs: 3000,
        bf16Tflops: 900,
        fp8: true,
        tdpW: 700,
        migCapable: false,
      },
    ],
    instanceTypes: [
      {
        name: 'x1.big',
        provider: 'acme',
        region: 'moon-1',
        gpuClass: 'X1',
        gpuCount: 2,
        prices: { 'on-demand': { usdPerHour: 10 } },
      },
    ],
  };

  it('validates a complete catalog and fills defaults', () => {
    const catalog = loadCatalog(minimal);
    expect(catalog.gpuClasses[0]?.approximate).toBe(false);
    expect(catalog.instanceTypes[0]?.prices['on-demand']).toEqual({
      usdPerHour: 10,
      assumed: false,
    });
    expect(pricePerGpuHour(catalog, 'x1.big', 'on-demand')).toBe(5);
  });

  it('names the path of a negative price', () => {
    const bad = structuredClone(minimal);
    (bad.instanceTypes[0]!.prices as Record<string, unknown>)['spot'] = { usdPerHour: -1 };
    const e = thrownError(() => loadCatalog(bad));
    expect(e.code).toBe('invalid_config');
    expect(e.path).toEqual(['instanceTypes', 0, 'prices', 'spot', 'usdPerHour']);
  });

  it('names the path of a NaN, a missing field, an unknown key and a bad date', () => {
    const nan = structuredClone(minimal);
    nan.gpuClasses[0]!.memoryGiB = Number.NaN;
    expect(thrownError(() => loadCatalog(nan)).path).toEqual(['gpuClasses', 0, 'memoryGiB']);

    const missing = structuredClone(minimal) as { gpuClasses: Record<string, unknown>[] };
    delete missing.gpuClasses[0]!['arch'];
    expect(thrownError(() => loadCatalog(missing)).path).toEqual(['gpuClasses', 0, 'arch']);

    const typo = structuredClone(minimal) as { gpuClasses: Record<string, unknown>[] };
    typo.gpuClasses[0]!['memoryGB'] = 80;
    expect(thrownError(() => loadCatalog(typo)).path).toEqual(['gpuClasses', 0]);

    expect(thrownError(() => loadCatalog({ ...minimal, asOf: 'July' })).path).toEqual(['asOf']);
    expect(thrownError(() => loadCatalog('not a catalog')).code).toBe('invalid_config');
  });

  it('rejects an unknown GPU class reference and duplicate names, naming the path', () => {
    const dangling = structuredClone(minimal);
    dangling.instanceTypes[0]!.gpuClass = 'Y2';
    const e = thrownError(() => loadCatalog(dangling));
    expect(e.path).toEqual(['instanceTypes', 0, 'gpuClass']);
    expect(e.message).toContain('Y2');

    const dup = structuredClone(minimal);
    dup.gpuClasses.push({ ...dup.gpuClasses[0]! });
    expect(thrownError(() => loadCatalog(dup)).path).toEqual(['gpuClasses', 1, 'name']);
  });

  it('merges overrides onto a base by name', () => {
    const base = defaultCatalog();
    const catalog = loadCatalog(
      {
        asOf: '2026-08-01',
        sources: ['our EDP contract'],
        gpuClasses: [{ name: 'L4', bandwidthGBs: 310 }],
        instanceTypes: [
          {
            name: 'p5.48xlarge',
            prices: {
              reserved: { usdPerHour: 30 },
              spot: { usdPerHour: 20, interruptionBucket: 1 },
            },
          },
          {
            name: 'a3-highgpu-8g',
            provider: 'gcp',
            region: 'us-central1',
            gpuClass: 'H100-80GB',
            gpuCount: 8,
            prices: { 'on-demand': { usdPerHour: 88.49 } },
          },
        ],
      },
      { base },
    );
    expect(catalog.asOf).toBe('2026-08-01');
    expect(catalog.sources).toContain('our EDP contract');
    expect(catalog.sources.length).toBe(base.sources.length + 1);
    expect(gpuClass(catalog, 'L4')).toMatchObject({ bandwidthGBs: 310, memoryGiB: 24, fp8: true });
    const p5 = instanceType(catalog, 'p5.48xlarge');
    expect(p5.prices['on-demand']?.usdPerHour).toBe(55.04);
    expect(p5.prices.reserved).toEqual({ usdPerHour: 30, assumed: false });
    expect(p5.prices.spot).toEqual({ usdPerHour: 20, assumed: false, interruptionBucket: 1 });
    expect(instanceType(catalog, 'a3-highgpu-8g').provider).toBe('gcp');
    expect(catalog.instanceTypes).toHaveLength(base.instanceTypes.length + 1);
    // The base is untouched.
    expect(instanceType(base, 'p5.48xlarge').prices.reserved?.usdPerHour).toBe(33.024);
  });

  it('names the override path for bad overrides', () => {
    const base: Catalog = defaultCatalog();
    const neg = thrownError(() =>
      loadCatalog(
        { instanceTypes: [{ name: 'g5.xlarge', prices: { 'on-demand': { usdPerHour: -2 } } }] },
        { base },
      ),
    );
    expect(neg).toMatchObject({
      code: 'invalid_config',
      path: ['instanceTypes', 0, 'prices', 'on-demand', 'usdPerHour'],
    });
    const incomplete = thrownError(() =>
      loadCatalog({ instanceTypes: [{ name: 'new.box', gpuClass: 'L4' }] }, { base }),
    );
    expect(incomplete.code).toBe('invalid_config');
    expect(incomplete.path[0]).toBe('instanceTypes');
    expect(incomplete.path[1]).toBe(0);
    const dangling = thrownError(() =>
      loadCatalog({ instanceTypes: [{ name: 'g5.xlarge', gpuClass: 'Q7' }] }, { base }),
    );
    expect(dangling.path).toEqual(['instanceTypes', 0, 'gpuClass']);
    const twice = thrownError(() =>
      loadCatalog({ gpuClasses: [{ name: 'L4' }, { name: 'L4', tdpW: 1 }] }, { base }),
    );
    expect(twice.path).toEqual(['gpuClasses', 1, 'name']);
    const bucket = thrownError(() =>
      loadCatalog(
        {
          instanceTypes: [
            { name: 'g5.xlarge', prices: { spot: { usdPerHour: 1, interruptionBucket: 7 } } },
          ],
        },
        { base, path: ['catalog'] },
      ),
    );
    expect(bucket.path).toEqual([
      'catalog',
      'instanceTypes',
      0,
      'prices',
      'spot',
      'interruptionBucket',
    ]);
  });
});

describe('money helpers', () => {
  it('round-trips USD through integer micro-USD', () => {
    expect(usdToMicro(55.04)).toBe(55_040_000);
    expect(usdToMicro(-0.0000005)).toBe(-1);
    expect(usdToMicro(-0)).toBe(0);
    expect(microToUsd(55_040_000)).toBe(55.04);
    expect(roundUsd(55.04 * 0.6)).toBe(33.024);
  });

  it('rejects NaN, infinities, huge amounts and non-integers', () => {
    expect(thrownError(() => usdToMicro(Number.NaN)).code).toBe('invalid_argument');
    expect(thrownError(() => usdToMicro(Number.POSITIVE_INFINITY)).code).toBe('invalid_argument');
    expect(thrownError(() => usdToMicro(1e12)).code).toBe('invalid_argument');
    expect(thrownError(() => microToUsd(1.5)).code).toBe('invalid_argument');
  });
});

describe('spot buckets', () => {
  it('assumes the top of each labelled range and the worst bucket when unknown', () => {
    expect(spotMonthlyInterruptionRate(0)).toBe(0.05);
    expect(spotMonthlyInterruptionRate(3)).toBe(0.2);
    expect(spotMonthlyInterruptionRate(undefined)).toBe(0.3);
  });
});
