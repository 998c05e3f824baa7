import { HeadroomError, type ErrorPath, type HeadroomErrorCode } from '@headroom/core';

/**
 * The `nvidia-smi --query-gpu` fields this adapter understands, and what each becomes in a
 * `GpuSample` (from `@headroom/core`):
 *
 * | field                                   | unit | `GpuSample` property                    |
 * | --------------------------------------- | ---- | --------------------------------------- |
 * | `index`                                 |      | `gpuId` when `uuid` is unknown           |
 * | `uuid`                                  |      | `gpuId`                                  |
 * | `name`                                  |      | `name`                                   |
 * | `utilization.gpu`                       | %    | `utilization` (percent / 100, 0..1)      |
 * | `memory.used`                           | MiB  | `memoryUsedBytes` (MiB x 1048576)        |
 * | `memory.total`                          | MiB  | `memoryTotalBytes` (MiB x 1048576)       |
 * | `temperature.gpu`                       | C    | `temperatureC`                           |
 * | `power.draw`                            | W    | `powerW`                                 |
 * | `ecc.errors.uncorrected.volatile.total` |      | `eccDoubleBitErrors`                     |
 * | `ecc.errors.corrected.volatile.total`   |      | `eccSingleBitErrors`                     |
 */
export const NVIDIA_SMI_FIELDS = Object.freeze([
  'index',
  'uuid',
  'name',
  'utilization.gpu',
  'memory.used',
  'memory.total',
  'temperature.gpu',
  'power.draw',
  'ecc.errors.uncorrected.volatile.total',
  'ecc.errors.corrected.volatile.total',
] as const);

/** One of {@link NVIDIA_SMI_FIELDS}: a `nvidia-smi --query-gpu` field name. */
export type NvidiaSmiField = (typeof NVIDIA_SMI_FIELDS)[number];

/**
 * The fields queried and expected when none are given, in this column order: `index`, `uuid`,
 * `name`, `utilization.gpu`, `memory.used`, `memory.total`, `temperature.gpu`, `power.draw`,
 * `ecc.errors.uncorrected.volatile.total`.
 */
export const NVIDIA_SMI_DEFAULT_FIELDS: readonly NvidiaSmiField[] = Object.freeze(
  NVIDIA_SMI_FIELDS.filter((field) => field !== 'ecc.errors.corrected.volatile.total'),
);

const KNOWN = new Set<string>(NVIDIA_SMI_FIELDS);

/** True when `name` is one of {@link NVIDIA_SMI_FIELDS}. */
export function isNvidiaSmiField(name: string): name is NvidiaSmiField {
  return KNOWN.has(name);
}

/**
 * Checks a field list: a non-empty array of distinct known fields that names `uuid` or `index`
 * (a sample needs an id). Returns a frozen copy.
 *
 * @internal
 */
export function checkFields(
  fields: unknown,
  code: HeadroomErrorCode,
  path: ErrorPath,
): readonly NvidiaSmiField[] {
  if (!Array.isArray(fields) || fields.length === 0) {
    throw new HeadroomError({
      code,
      message: 'must be a non-empty array of nvidia-smi --query-gpu field names',
      path,
      value: fields,
      limit: 'non-empty array',
    });
  }
  const seen = new Set<string>();
  fields.forEach((field: unknown, index) => {
    if (typeof field !== 'string' || !isNvidiaSmiField(field)) {
      throw new HeadroomError({
        code,
        message: `must be one of: ${NVIDIA_SMI_FIELDS.join(', ')}`,
        path: [...path, index],
        value: field,
        limit: `one of: ${NVIDIA_SMI_FIELDS.join(', ')}`,
      });
    }
    if (seen.has(field)) {
      throw new HeadroomError({
        code,
        message: `duplicate field ${JSON.stringify(field)}`,
        path: [...path, index],
        value: field,
        limit: 'distinct fields',
      });
    }
    seen.add(field);
  });
  if (!seen.has('uuid') && !seen.has('index')) {
    throw new HeadroomError({
      code,
      message: 'must include "uuid" or "index" (every sample needs a GPU id)',
      path,
      value: fields,
      limit: 'includes uuid or index',
    });
  }
  return Object.freeze([...(fields as NvidiaSmiField[])]);
}
