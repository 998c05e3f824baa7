import {
  GpuSampleSchema,
  HeadroomError,
  err,
  ok,
  type GpuSample,
  type Result,
} from '@headroom/core';
import type { Exposition, Sample } from '../prometheus/parse.js';

/**
 * DCGM reports a field it has no value for as a "blank" sentinel, and dcgm-exporter prints it
 * as a number:
 *
 * - int64 fields: `0x7ffffffffffffff0` (9223372036854775792) and up, which a double rounds to 2^63;
 * - int32 fields: `0x7ffffff0`..`0x7ffffff3` (2147483632..2147483635: blank, not found, not
 *   supported, no permission), which the exporter also prints in int64 fields
 *   ({@link DCGM_INT32_BLANK_MIN}..{@link DCGM_INT32_BLANK_MAX});
 * - fp64 fields: 2^47 (140737488355328) and up.
 *
 * Any value at or above 2^47 is therefore missing, not huge: no real GPU reading (MiB, W, C, %,
 * counts) comes near it. See {@link isDcgmBlank}.
 */
export const DCGM_BLANK_THRESHOLD = 2 ** 47;

/** The lowest int32 blank sentinel of DCGM, `0x7ffffff0` (`DCGM_INT32_BLANK`). */
export const DCGM_INT32_BLANK_MIN = 0x7ffffff0;

/** The highest int32 blank sentinel of DCGM, `0x7ffffff3` (`DCGM_INT32_NOT_PERMISSIONED`). */
export const DCGM_INT32_BLANK_MAX = 0x7ffffff3;

/**
 * Whether a value read from a DCGM exporter means "no value": NaN, ±Inf, an int32 blank
 * (2147483632..2147483635) or anything at or above {@link DCGM_BLANK_THRESHOLD} (int64 and fp64
 * blanks).
 */
export function isDcgmBlank(value: number): boolean {
  return (
    !Number.isFinite(value) ||
    value >= DCGM_BLANK_THRESHOLD ||
    (value >= DCGM_INT32_BLANK_MIN && value <= DCGM_INT32_BLANK_MAX)
  );
}

const MIB = 1024 * 1024;

/** One GPU, or one MIG instance, read from a DCGM exporter page. */
export interface DcgmGpuReading {
  /** The instance the GPU is assigned to: `namespace/pod` when the exporter maps pods, else `node/<hostname>`. */
  readonly instanceId: string;
  /** The node the GPU is on (the `Hostname` or `hostname` label), if given. */
  readonly hostname: string | undefined;
  /** Kubernetes namespace, pod and container the exporter tied the GPU to, if any. */
  readonly pod:
    | { readonly namespace: string; readonly name: string; readonly container: string | undefined }
    | undefined;
  /** The sample, in core's vocabulary. */
  readonly sample: GpuSample;
}

/** One field left out of a sample because its mapped value fails core's schema. */
export interface DroppedGpuField {
  /** The sample's `gpuId` (`<GPU UUID>` or `<GPU UUID>/gi<GPU_I_ID>`). */
  readonly gpuId: string;
  /** The `GpuSample` field, for example `utilization`. */
  readonly field: string;
  /** The mapped value that was rejected (after unit conversion, e.g. 2.5 for 250 %). */
  readonly value: unknown;
  /** Why: the schema's message, for example `Too big: expected number to be <=1`. */
  readonly reason: string;
}

/** What {@link mapDcgmExposition} returns. */
export interface DcgmMapResult {
  /** One reading per GPU and per MIG instance, each with only the fields that passed. */
  readonly readings: DcgmGpuReading[];
  /** Fields left out because their value was out of range; `dropped.length` is the count. */
  readonly dropped: DroppedGpuField[];
}

/** The minimal view of a zod schema that {@link validateDroppingFields} needs. */
interface SafeParser<T> {
  safeParse(input: unknown):
    | { readonly success: true; readonly data: T }
    | {
        readonly success: false;
        readonly error: {
          readonly issues: readonly {
            readonly path: readonly PropertyKey[];
            readonly message: string;
          }[];
        };
      };
}

/**
 * Validates `candidate` against `schema`; every optional field an issue names is removed and
 * recorded, and the rest is validated again. An issue on a `required` field (or with no field)
 * cannot be repaired and is returned as the error message.
 *
 * @internal shared by the DCGM and inference-server mappers.
 */
export function validateDroppingFields<T>(
  schema: SafeParser<T>,
  candidate: Readonly<Record<string, unknown>>,
  required: ReadonlySet<string>,
):
  | { ok: true; value: T; dropped: { field: string; value: unknown; reason: string }[] }
  | { ok: false; message: string } {
  const current: Record<string, unknown> = { ...candidate };
  const dropped: { field: string; value: unknown; reason: string }[] = [];
  // Each pass removes at least one field, so this ends within (fields + 1) passes.
  for (;;) {
    const parsed = schema.safeParse(current);
    if (parsed.success) return { ok: true, value: parsed.data, dropped };
    const bad = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if (typeof field !== 'string' || required.has(field) || !(field in current)) {
        const at = issue.path.map(String).join('.');
        return { ok: false, message: at === '' ? issue.message : `${at}: ${issue.message}` };
      }
      if (!bad.has(field)) bad.set(field, issue.message);
    }
    if (bad.size === 0) return { ok: false, message: 'invalid value' };
    for (const [field, reason] of bad) {
      dropped.push({ field, value: current[field], reason });
      delete current[field];
    }
  }
}

interface Draft {
  gpuId: string;
  hostname: string | undefined;
  pod: DcgmGpuReading['pod'];
  name?: string;
  migProfile?: string;
  gpuUtil?: number;
  grEngineActive?: number;
  fbUsedMiB?: number;
  fbFreeMiB?: number;
  fbTotalMiB?: number;
  fbReservedMiB?: number;
  temperatureC?: number;
  powerW?: number;
  lastXid?: number;
  eccSbe?: number;
  eccDbe?: number;
  rowRemapFailure?: boolean;
}

/** Field name -> how to store it. Anything else on the page is ignored. */
const FIELDS: Readonly<Record<string, (draft: Draft, value: number) => void>> = {
  DCGM_FI_DEV_GPU_UTIL: (d, v) => (d.gpuUtil = v / 100),
  DCGM_FI_PROF_GR_ENGINE_ACTIVE: (d, v) => (d.grEngineActive = v),
  DCGM_FI_DEV_FB_USED: (d, v) => (d.fbUsedMiB = v),
  DCGM_FI_DEV_FB_FREE: (d, v) => (d.fbFreeMiB = v),
  DCGM_FI_DEV_FB_TOTAL: (d, v) => (d.fbTotalMiB = v),
  DCGM_FI_DEV_FB_RESERVED: (d, v) => (d.fbReservedMiB = v),
  DCGM_FI_DEV_GPU_TEMP: (d, v) => (d.temperatureC = v),
  DCGM_FI_DEV_POWER_USAGE: (d, v) => (d.powerW = v),
  DCGM_FI_DEV_XID_ERRORS: (d, v) => (d.lastXid = v),
  DCGM_FI_DEV_ECC_SBE_VOL_TOTAL: (d, v) => (d.eccSbe = v),
  DCGM_FI_DEV_ECC_DBE_VOL_TOTAL: (d, v) => (d.eccDbe = v),
  DCGM_FI_DEV_ROW_REMAP_FAILURE: (d, v) => (d.rowRemapFailure = v !== 0),
};

/** Reads a label whatever its case (`Hostname` in older exporters, `hostname` in newer ones). */
function label(labels: Readonly<Record<string, string>>, name: string): string | undefined {
  const exact = labels[name];
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const key of Object.keys(labels)) if (key.toLowerCase() === lower) return labels[key];
  return undefined;
}

function entityOf(sample: Sample): {
  key: string;
  gpuId: string;
  hostname: string | undefined;
  pod: DcgmGpuReading['pod'];
  migProfile: string | undefined;
  name: string | undefined;
} {
  const l = sample.labels;
  const uuid = label(l, 'UUID') || `gpu${label(l, 'gpu') || '?'}`;
  const hostname = label(l, 'Hostname') || undefined;
  const gi = label(l, 'GPU_I_ID');
  const migProfile = label(l, 'GPU_I_PROFILE');
  const gpuId = gi === undefined || gi === '' ? uuid : `${uuid}/gi${gi}`;
  const namespace = label(l, 'namespace');
  const podName = label(l, 'pod');
  const pod =
    namespace && podName
      ? { namespace, name: podName, container: label(l, 'container') || undefined }
      : undefined;
  return {
    key: `${hostname ?? ''}\u0000${gpuId}`,
    gpuId,
    hostname,
    pod,
    migProfile: migProfile || undefined,
    name: label(l, 'modelName') || undefined,
  };
}

const REQUIRED_GPU_FIELDS: ReadonlySet<string> = new Set(['gpuId', 'sampledAtMs']);

/**
 * Maps a parsed DCGM exporter page to one reading per GPU and per MIG instance.
 *
 * - Whole GPUs take utilization from `DCGM_FI_DEV_GPU_UTIL` (percent / 100). MIG instances have
 *   no `DCGM_FI_DEV_GPU_UTIL`, so they (and any GPU without it) take `DCGM_FI_PROF_GR_ENGINE_ACTIVE`.
 * - Memory arrives in MiB and leaves in bytes; total is `DCGM_FI_DEV_FB_TOTAL` if present, else
 *   used + free (+ reserved).
 * - A blank sentinel ({@link isDcgmBlank}: int64 `0x7ffffffffffffff0` and up, int32
 *   `0x7ffffff0`..`0x7ffffff3`, fp64 2^47 and up), NaN or Inf is missing. A family absent from the
 *   page leaves its field `undefined` (unknown), never 0.
 * - MIG instances are keyed `<GPU UUID>/gi<GPU_I_ID>` with `migProfile` from `GPU_I_PROFILE`.
 * - One bad value does not cost the page: a field whose mapped value fails core's
 *   `GpuSampleSchema` (utilization 2.5, a temperature of 300 C, used memory above total) is left
 *   out of its sample (unknown) and listed in `dropped`; the other fields and GPUs are kept.
 *
 * @returns the readings and the dropped fields, or an `invalid_input` error when a sample cannot
 *   be repaired by leaving fields out (an invalid `sampledAtMs`).
 */
export function mapDcgmExposition(
  exposition: Exposition,
  sampledAtMs: number,
): Result<DcgmMapResult> {
  const drafts = new Map<string, Draft>();
  for (const [familyName, store] of Object.entries(FIELDS)) {
    const family = exposition.families.get(familyName);
    if (family === undefined) continue;
    for (const sample of family.samples) {
      const entity = entityOf(sample);
      let draft = drafts.get(entity.key);
      if (draft === undefined) {
        draft = { gpuId: entity.gpuId, hostname: entity.hostname, pod: entity.pod };
        if (entity.migProfile !== undefined) draft.migProfile = entity.migProfile;
        if (entity.name !== undefined) draft.name = entity.name;
        drafts.set(entity.key, draft);
      }
      draft.pod ??= entity.pod;
      if (isDcgmBlank(sample.value)) continue;
      store(draft, sample.value);
    }
  }
  const readings: DcgmGpuReading[] = [];
  const dropped: DroppedGpuField[] = [];
  let index = 0;
  for (const d of drafts.values()) {
    const utilization =
      d.migProfile === undefined ? (d.gpuUtil ?? d.grEngineActive) : d.grEngineActive;
    const totalMiB =
      d.fbTotalMiB ??
      (d.fbUsedMiB !== undefined && d.fbFreeMiB !== undefined
        ? d.fbUsedMiB + d.fbFreeMiB + (d.fbReservedMiB ?? 0)
        : undefined);
    const candidate = {
      gpuId: d.gpuId,
      ...(d.name === undefined ? {} : { name: d.name }),
      ...(utilization === undefined ? {} : { utilization }),
      ...(d.fbUsedMiB === undefined ? {} : { memoryUsedBytes: d.fbUsedMiB * MIB }),
      ...(totalMiB === undefined ? {} : { memoryTotalBytes: totalMiB * MIB }),
      ...(d.temperatureC === undefined ? {} : { temperatureC: d.temperatureC }),
      ...(d.powerW === undefined ? {} : { powerW: d.powerW }),
      ...(d.eccSbe === undefined ? {} : { eccSingleBitErrors: d.eccSbe }),
      ...(d.eccDbe === undefined ? {} : { eccDoubleBitErrors: d.eccDbe }),
      ...(d.lastXid === undefined ? {} : { lastXid: d.lastXid }),
      ...(d.rowRemapFailure === undefined ? {} : { rowRemapFailure: d.rowRemapFailure }),
      ...(d.migProfile === undefined ? {} : { migProfile: d.migProfile }),
      sampledAtMs,
    };
    const checked = validateDroppingFields(GpuSampleSchema, candidate, REQUIRED_GPU_FIELDS);
    if (!checked.ok) {
      return err(
        new HeadroomError({
          code: 'invalid_input',
          message: `GPU ${d.gpuId}: ${checked.message}`,
          path: ['gpus', index],
        }),
      );
    }
    for (const f of checked.dropped) dropped.push({ gpuId: d.gpuId, ...f });
    readings.push({
      instanceId:
        d.pod === undefined
          ? `node/${d.hostname ?? 'unknown'}`
          : `${d.pod.namespace}/${d.pod.name}`,
      hostname: d.hostname,
      pod: d.pod,
      sample: checked.value,
    });
    index++;
  }
  return ok({ readings, dropped });
}
