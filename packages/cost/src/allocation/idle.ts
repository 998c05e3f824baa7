import { CAPACITY_TYPES, HeadroomError, type CapacityType, type ErrorPath } from '@headroom/core';
import { compareKeys } from './apportion.js';
import { invalidInput } from './input-error.js';

/** The dimensions {@link accountIdle} can group by. */
export const IDLE_DIMENSIONS = ['model', 'region', 'pool', 'capacityType'] as const;

/** One of {@link IDLE_DIMENSIONS}. */
export type IdleDimension = (typeof IDLE_DIMENSIONS)[number];

/** The group value used when a record has no value for a grouped dimension. */
export const UNLABELED = '__none__';

/**
 * One instance's (or one GPU's) provisioned and used GPU-seconds over a period, with the labels
 * it can be grouped by.
 */
export interface IdleRecord {
  /** GPU-seconds provisioned (billable) in the period, >= 0: GPUs × seconds held. */
  readonly provisionedGpuSeconds: number;
  /**
   * GPU-seconds spent serving, >= 0 and <= `provisionedGpuSeconds` (see `overUsage`). For a warm
   * pool instance (`warm: true`) it must be 0 or absent: a warm instance is provisioned but idle.
   */
  readonly usedGpuSeconds?: number;
  /** The model it serves or was loaded with. */
  readonly model?: string;
  /** Cloud region. */
  readonly region?: string;
  /** Node pool or warm pool name. */
  readonly pool?: string;
  /** How the capacity is bought (`@headroom/core`'s `CapacityType`). */
  readonly capacityType?: CapacityType;
  /** True for an instance in a warm pool: provisioned, loaded, serving nothing. */
  readonly warm?: boolean;
}

/** Options of {@link accountIdle}. */
export interface IdleAccountingOptions {
  /**
   * What to do when a record's used exceeds its provisioned GPU-seconds: `error` throws
   * `invalid_input` naming the record; `clip` counts it as fully used.
   * @defaultValue `'error'`
   */
  readonly overUsage?: 'error' | 'clip';
}

/** Provisioned, used and idle GPU-seconds of one group (or of the total). */
export interface IdleRow {
  /** The group's value per grouped dimension ({@link UNLABELED} when a record had none). */
  readonly group: Readonly<Partial<Record<IdleDimension, string>>>;
  /** Records in the group. */
  readonly records: number;
  /** Of which warm-pool records. */
  readonly warmRecords: number;
  /** GPU-seconds provisioned. */
  readonly provisionedGpuSeconds: number;
  /** GPU-seconds used (after clipping). */
  readonly usedGpuSeconds: number;
  /** `provisionedGpuSeconds - usedGpuSeconds`, >= 0. */
  readonly idleGpuSeconds: number;
  /** Of the idle, the GPU-seconds held by warm-pool instances. */
  readonly warmIdleGpuSeconds: number;
  /** `idleGpuSeconds / provisionedGpuSeconds`, 0..1 (0 when nothing was provisioned). */
  readonly idleFraction: number;
}

/** What {@link accountIdle} returns. */
export interface IdleAccounting {
  /** The dimensions grouped by, in the order given. */
  readonly groupBy: readonly IdleDimension[];
  /** One row per group, sorted by the group values in `groupBy` order. */
  readonly rows: readonly IdleRow[];
  /** All records together (its `group` is empty). */
  readonly total: IdleRow;
}

interface Acc {
  group: Partial<Record<IdleDimension, string>>;
  sortKey: string[];
  records: number;
  warmRecords: number;
  provisioned: number;
  used: number;
  warmIdle: number;
}

function quantity(value: unknown, path: ErrorPath): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidInput(path, 'must be a finite number >= 0 (GPU-seconds)', value, 'finite, >= 0');
  }
  return value;
}

function rowOf(acc: Acc): IdleRow {
  const idle = Math.max(0, acc.provisioned - acc.used);
  return {
    group: acc.group,
    records: acc.records,
    warmRecords: acc.warmRecords,
    provisionedGpuSeconds: acc.provisioned,
    usedGpuSeconds: acc.used,
    idleGpuSeconds: idle,
    warmIdleGpuSeconds: acc.warmIdle,
    idleFraction: acc.provisioned > 0 ? Math.min(1, idle / acc.provisioned) : 0,
  };
}

/**
 * Idle accounting: provisioned vs used GPU-seconds, grouped by any of model, region, pool and
 * capacity type. Warm-pool instances count as provisioned and idle, and their idle is also shown
 * on its own (`warmIdleGpuSeconds`), because a warm pool is idle by design and priced as a
 * cold-start insurance premium rather than waste.
 *
 * Each row's `idleGpuSeconds` is `provisionedGpuSeconds - usedGpuSeconds` (never negative, since
 * every record's used is at most its provisioned); rows sum to the total (up to floating-point
 * addition). This is OpenCost's idle notion (allocatable capacity minus what workloads used),
 * measured in GPU-seconds.
 *
 * @param records - one per instance or GPU and period.
 * @param groupBy - the dimensions to group by; `[]` gives one row. Missing labels group under
 *   {@link UNLABELED}.
 * @param options - over-usage handling.
 * @returns rows per group and the total.
 * @throws `HeadroomError` `invalid_input` naming `records[i].field` for a negative, NaN or
 *   infinite quantity, used beyond provisioned (unless clipped), a warm record with usage, an
 *   unknown capacity type or a non-string label; `invalid_argument` for an unknown dimension.
 * @example
 * ```ts
 * const { rows } = accountIdle(
 *   [
 *     { provisionedGpuSeconds: 3600, usedGpuSeconds: 2400, model: 'llama-8b', pool: 'main' },
 *     { provisionedGpuSeconds: 3600, model: 'llama-8b', pool: 'warm', warm: true },
 *   ],
 *   ['pool'],
 * );
 * // rows: main idle 1200 (0.33), warm idle 3600 (1)
 * ```
 */
export function accountIdle(
  records: readonly IdleRecord[],
  groupBy: readonly IdleDimension[] = [],
  options: IdleAccountingOptions = {},
): IdleAccounting {
  groupBy.forEach((dimension, i) => {
    if (!(IDLE_DIMENSIONS as readonly string[]).includes(dimension)) {
      throw new HeadroomError({
        code: 'invalid_argument',
        message: `is not a dimension (${IDLE_DIMENSIONS.join(', ')})`,
        path: ['groupBy', i],
        value: dimension,
        limit: `one of: ${IDLE_DIMENSIONS.join(', ')}`,
      });
    }
  });
  const clip = (options.overUsage ?? 'error') === 'clip';
  const groups = new Map<string, Acc>();
  const total: Acc = {
    group: {},
    sortKey: [],
    records: 0,
    warmRecords: 0,
    provisioned: 0,
    used: 0,
    warmIdle: 0,
  };
  records.forEach((record, index) => {
    const path: ErrorPath = ['records', index];
    if (typeof record !== 'object' || record === null)
      throw invalidInput(path, 'must be an object', record);
    const provisioned = quantity(record.provisionedGpuSeconds, [...path, 'provisionedGpuSeconds']);
    let used = quantity(record.usedGpuSeconds ?? 0, [...path, 'usedGpuSeconds']);
    const warm = record.warm === true;
    if (warm && used > 0) {
      throw invalidInput(
        [...path, 'usedGpuSeconds'],
        'must be 0 for a warm-pool instance (it is provisioned but serves nothing)',
        used,
        '0 when warm',
      );
    }
    if (used > provisioned) {
      if (!clip) {
        throw invalidInput(
          [...path, 'usedGpuSeconds'],
          `exceeds provisionedGpuSeconds (${provisioned}); pass overUsage: 'clip' to cap it`,
          used,
          `<= ${provisioned}`,
        );
      }
      used = provisioned;
    }
    if (
      record.capacityType !== undefined &&
      !(CAPACITY_TYPES as readonly string[]).includes(record.capacityType)
    ) {
      throw invalidInput(
        [...path, 'capacityType'],
        'is not a capacity type',
        record.capacityType,
        `one of: ${CAPACITY_TYPES.join(', ')}`,
      );
    }
    const group: Partial<Record<IdleDimension, string>> = {};
    const sortKey: string[] = [];
    for (const dimension of groupBy) {
      const value = record[dimension];
      if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
        throw invalidInput(
          [...path, dimension],
          'must be a non-empty string',
          value,
          'non-empty string',
        );
      }
      group[dimension] = value ?? UNLABELED;
      sortKey.push(value ?? UNLABELED);
    }
    const key = JSON.stringify(sortKey);
    let acc = groups.get(key);
    if (acc === undefined) {
      acc = { group, sortKey, records: 0, warmRecords: 0, provisioned: 0, used: 0, warmIdle: 0 };
      groups.set(key, acc);
    }
    for (const target of [acc, total]) {
      target.records += 1;
      target.provisioned += provisioned;
      target.used += used;
      if (warm) {
        target.warmRecords += 1;
        target.warmIdle += provisioned;
      }
    }
  });
  const rows = [...groups.values()]
    .sort((a, b) => {
      for (let i = 0; i < a.sortKey.length; i++) {
        const c = compareKeys(a.sortKey[i] ?? '', b.sortKey[i] ?? '');
        if (c !== 0) return c;
      }
      return 0;
    })
    .map(rowOf);
  return { groupBy: [...groupBy], rows, total: rowOf(total) };
}
