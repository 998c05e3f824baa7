import { GpuSampleSchema, err, ok, parseInput, type GpuSample, type Result } from '@headroom/core';
import type { Exposition, Sample } from '../prometheus/parse.js';

/**
 * DCGM reports a field it has no value for as a "blank" sentinel: int64 fields print values from
 * 9223372036854775792 (0x7ffffffffffffff0) up, which a double rounds to 2^63; float fields use
 * 2^47 (140737488355328) and up. Any value at or above 2^47 is therefore missing, not huge: no
 * real GPU reading (MiB, W, C, %, counts) comes near it.
 */
export const DCGM_BLANK_THRESHOLD = 2 ** 47;

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
  const uuid = label(l, 'UUID') ?? `gpu${label(l, 'gpu') ?? '?'}`;
  const hostname = label(l, 'Hostname');
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
    name: label(l, 'modelName'),
  };
}

/**
 * Maps a parsed DCGM exporter page to one reading per GPU and per MIG instance.
 *
 * - Whole GPUs take utilization from `DCGM_FI_DEV_GPU_UTIL` (percent / 100). MIG instances have
 *   no `DCGM_FI_DEV_GPU_UTIL`, so they (and any GPU without it) take `DCGM_FI_PROF_GR_ENGINE_ACTIVE`.
 * - Memory arrives in MiB and leaves in bytes; total is `DCGM_FI_DEV_FB_TOTAL` if present, else
 *   used + free (+ reserved).
 * - A blank sentinel (at or above {@link DCGM_BLANK_THRESHOLD}), NaN or Inf is missing. A family absent
 *   from the page leaves its field `undefined` (unknown), never 0.
 * - MIG instances are keyed `<GPU UUID>/gi<GPU_I_ID>` with `migProfile` from `GPU_I_PROFILE`.
 *
 * @returns the readings, or an `invalid_input` error if a mapped sample fails core's schema.
 */
export function mapDcgmExposition(
  exposition: Exposition,
  sampledAtMs: number,
): Result<DcgmGpuReading[]> {
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
      const value = sample.value;
      if (!Number.isFinite(value) || value >= DCGM_BLANK_THRESHOLD) continue;
      store(draft, value);
    }
  }
  const readings: DcgmGpuReading[] = [];
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
    const parsed = parseInput(GpuSampleSchema, candidate, ['gpus', index]);
    if (!parsed.ok) return err(parsed.error);
    readings.push({
      instanceId:
        d.pod === undefined
          ? `node/${d.hostname ?? 'unknown'}`
          : `${d.pod.namespace}/${d.pod.name}`,
      hostname: d.hostname,
      pod: d.pod,
      sample: parsed.value,
    });
    index++;
  }
  return ok(readings);
}
