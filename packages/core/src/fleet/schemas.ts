import { z } from 'zod';
import { LIFECYCLE_STATES } from '../lifecycle/lifecycle.js';

const nonNegative = z.number().nonnegative();
const count = z.number().int().nonnegative();
const fraction = z.number().min(0).max(1);
const epochMs = z.number().nonnegative();

/** Purchase options for GPU capacity. */
export const CAPACITY_TYPES = ['reserved', 'on-demand', 'spot'] as const;

/** One of {@link CAPACITY_TYPES}. */
export type CapacityType = (typeof CAPACITY_TYPES)[number];

/**
 * One reading of one GPU (or one MIG instance), as NVML, `nvidia-smi` or a DCGM exporter reports
 * it. Every metric is optional: a value the source does not report is `undefined` (unknown),
 * never 0. Numbers must be finite; NaN and Infinity fail validation.
 */
export const GpuSampleSchema = z
  .object({
    /** GPU identifier: UUID, bus id or index, as the source names it. */
    gpuId: z.string().min(1),
    /** Model name, for example `NVIDIA H100 80GB HBM3`. */
    name: z.string().min(1).optional(),
    /** Compute utilization, 0..1 (NVML's percentage / 100). */
    utilization: fraction.optional(),
    /** Framebuffer memory in use, bytes. */
    memoryUsedBytes: nonNegative.optional(),
    /** Framebuffer memory in total, bytes. */
    memoryTotalBytes: nonNegative.optional(),
    /** Core temperature, degrees Celsius. */
    temperatureC: z.number().min(-273.15).max(200).optional(),
    /** Board power draw, watts. */
    powerW: nonNegative.optional(),
    /** Corrected (single-bit) ECC errors, volatile count. */
    eccSingleBitErrors: count.optional(),
    /** Uncorrected (double-bit) ECC errors, volatile count. */
    eccDoubleBitErrors: count.optional(),
    /** The most recent XID error code; 0 when the source reports that none occurred. */
    lastXid: count.optional(),
    /** True when the GPU reported a failed row remap (its memory can no longer be repaired). */
    rowRemapFailure: z.boolean().optional(),
    /** MIG profile when this sample is a MIG instance, for example `3g.40gb`. */
    migProfile: z.string().min(1).optional(),
    /** When the sample was taken, epoch ms. */
    sampledAtMs: epochMs,
  })
  .refine(
    (s) =>
      s.memoryUsedBytes === undefined ||
      s.memoryTotalBytes === undefined ||
      s.memoryUsedBytes <= s.memoryTotalBytes,
    {
      message: 'memoryUsedBytes exceeds memoryTotalBytes',
      path: ['memoryUsedBytes'],
    },
  );

/** A validated {@link GpuSampleSchema}. */
export type GpuSample = z.output<typeof GpuSampleSchema>;

/** Labels that place an instance: which model it serves, where, on what and bought how. */
export const InstanceLabelsSchema = z.object({
  /** Model served, for example `meta-llama/Llama-3.1-8B-Instruct`. */
  model: z.string().min(1).optional(),
  /** Model version or revision. */
  modelVersion: z.string().min(1).optional(),
  /** Cloud region, for example `us-east-1`. */
  region: z.string().min(1).optional(),
  /** Availability zone. */
  zone: z.string().min(1).optional(),
  /** GPU class, for example `H100`. */
  gpuClass: z.string().min(1).optional(),
  /** How the capacity is bought. */
  capacityType: z.literal(CAPACITY_TYPES).optional(),
  /** Any other labels (tenant, pool, node group). */
  extra: z.record(z.string(), z.string()).optional(),
});

/** A validated {@link InstanceLabelsSchema}. */
export type InstanceLabels = z.output<typeof InstanceLabelsSchema>;

/** The load on an instance as its inference server reports it. Unknown values are `undefined`. */
export const InstanceLoadSchema = z.object({
  /** Requests waiting to be scheduled. */
  queueDepth: count.optional(),
  /** Long-lived streams open (audio sessions, SSE token streams). */
  activeStreams: count.optional(),
  /** Requests being processed (running batch). */
  inFlightRequests: count.optional(),
  /** Fraction of the KV-cache in use, 0..1. */
  kvCacheUtilization: fraction.optional(),
});

/** A validated {@link InstanceLoadSchema}. */
export type InstanceLoad = z.output<typeof InstanceLoadSchema>;

/** One instance (a pod, a VM, a server process) at one moment. */
export const InstanceSnapshotSchema = z.object({
  /** Stable identifier. */
  id: z.string().min(1),
  /** Lifecycle state. */
  state: z.literal(LIFECYCLE_STATES),
  /** When the current state was entered, epoch ms, if known. */
  stateSinceMs: epochMs.optional(),
  /** Placement labels. */
  labels: InstanceLabelsSchema.default({}),
  /** Load as reported by the server. */
  load: InstanceLoadSchema.default({}),
  /** GPU (or MIG instance) samples; empty when the source has none. */
  gpus: z.array(GpuSampleSchema).default([]),
  /** When this snapshot was observed, epoch ms. */
  observedAtMs: epochMs,
});

/** A validated {@link InstanceSnapshotSchema}. */
export type InstanceSnapshot = z.output<typeof InstanceSnapshotSchema>;

/** The whole fleet (or one pool of it) at one moment. Instance ids are unique. */
export const FleetSnapshotSchema = z
  .object({
    /** When the snapshot was assembled, epoch ms. */
    observedAtMs: epochMs,
    /** The instances. */
    instances: z.array(InstanceSnapshotSchema),
  })
  .superRefine((fleet, ctx) => {
    const seen = new Set<string>();
    fleet.instances.forEach((instance, index) => {
      if (seen.has(instance.id)) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicate instance id ${JSON.stringify(instance.id)}`,
          path: ['instances', index, 'id'],
          input: instance.id,
        });
      }
      seen.add(instance.id);
    });
  });

/** A validated {@link FleetSnapshotSchema}. */
export type FleetSnapshot = z.output<typeof FleetSnapshotSchema>;
