import { parseConfig, type ErrorPath } from '@headroom/core';
import { z } from 'zod';
import type { AutoscalerState, PendingActuation } from './types.js';

const count = z.number().int().nonnegative();
const epochMs = z.number().finite();

const PendingActuationSchema = z.object({
  /** The decision that asked for the change. */
  decisionId: z.number().int().positive(),
  /** Why the decision was made: `policy` or `fallback`. */
  cause: z.literal(['policy', 'fallback']),
  /** The replicas before the change, or `null` when unknown. */
  from: count.nullable(),
  /** The replicas to set. */
  to: count,
  /** When the decision was made, epoch ms. */
  decidedAtMs: epochMs,
  /** Attempts that have failed so far. */
  attempts: count,
});

const ScaleEventSchema = z.object({
  /** Replicas added or removed, > 0. */
  change: z.number().finite(),
  /** When, epoch ms. */
  atMs: epochMs,
  /** Older than the longest policy period when last checked. */
  outdated: z.boolean(),
});

/**
 * The zod schema of {@link AutoscalerState}, for validating a state read back from storage (a
 * ConfigMap, a Lease annotation, a file) before resuming from it.
 */
export const AutoscalerStateSchema = z.object({
  /** Format version, 1. */
  version: z.literal(1),
  /** The scale target the state belongs to. */
  target: z.string().min(1),
  /** The policy's state. */
  hpa: z.object({
    /** Recommendations, for stabilization. */
    recommendations: z.array(
      z.object({
        /** The unstabilized desired replicas. */
        replicas: z.number().finite(),
        /** When it was made, epoch ms. */
        atMs: epochMs,
      }),
    ),
    /** Scale-up events, for the scale-up policies. */
    scaleUpEvents: z.array(ScaleEventSchema),
    /** Scale-down events, for the scale-down policies. */
    scaleDownEvents: z.array(ScaleEventSchema),
  }),
  /** The replicas of the last decision, or `null`. */
  lastDesiredReplicas: count.nullable(),
  /** The replicas last known to be asked for, or `null`. */
  knownReplicas: count.nullable(),
  /** The newest change not yet applied, or `null`. */
  pending: PendingActuationSchema.nullable(),
  /** The id the next decision gets, >= 1. */
  nextDecisionId: z.number().int().positive(),
  /** Reads that failed in a row. */
  consecutiveSourceFailures: count,
  /** Ticks skipped in total. */
  skippedTicks: count,
  /** When the last scale-up was applied, epoch ms, or `null`; optional (older states lack it). */
  lastScaleUpAtMs: epochMs.nullable().optional(),
  /** The flap budget's state; optional (older states lack it). */
  flap: z
    .object({
      /** The direction of the last allowed scale, or `null`. */
      lastDirection: z.literal(['up', 'down']).nullable(),
      /** Direction changes still in the window, epoch ms. */
      changesAtMs: z.array(epochMs),
      /** The latest time seen, epoch ms, or `null`. */
      lastStepAtMs: epochMs.nullable(),
    })
    .optional(),
});

/**
 * Validates a state to resume from (see {@link AutoscalerStateSchema}) and returns a copy of it.
 *
 * @param input - the state, for example `JSON.parse` of a stored `state()`.
 * @param path - where it sits in the caller's config, for errors. @defaultValue `['state']`
 * @throws `HeadroomError` `invalid_config` naming the offending field and value.
 * @example
 * ```ts
 * const state = parseAutoscalerState(JSON.parse(stored));
 * ```
 */
export function parseAutoscalerState(input: unknown, path: ErrorPath = ['state']): AutoscalerState {
  const parsed = parseConfig(AutoscalerStateSchema, input, path);
  const pending: PendingActuation | null = parsed.pending === null ? null : { ...parsed.pending };
  return {
    version: 1,
    target: parsed.target,
    hpa: {
      recommendations: parsed.hpa.recommendations.map((r) => ({ ...r })),
      scaleUpEvents: parsed.hpa.scaleUpEvents.map((e) => ({ ...e })),
      scaleDownEvents: parsed.hpa.scaleDownEvents.map((e) => ({ ...e })),
    },
    lastDesiredReplicas: parsed.lastDesiredReplicas,
    knownReplicas: parsed.knownReplicas,
    pending,
    nextDecisionId: parsed.nextDecisionId,
    consecutiveSourceFailures: parsed.consecutiveSourceFailures,
    skippedTicks: parsed.skippedTicks,
    ...(parsed.lastScaleUpAtMs === undefined ? {} : { lastScaleUpAtMs: parsed.lastScaleUpAtMs }),
    ...(parsed.flap === undefined
      ? {}
      : { flap: { ...parsed.flap, changesAtMs: [...parsed.flap.changesAtMs] } }),
  };
}
