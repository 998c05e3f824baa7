import { z } from 'zod';

const replicas = z.number().int().min(0).max(2_147_483_647);

/** A scaling policy of an HPA `behavior` rule: `Pods` adds/removes a count, `Percent` a share, per period. */
export const HpaScalingPolicySchema = z.object({
  /** `Pods` (a number of replicas) or `Percent` (of the replicas at the start of the period). */
  type: z.literal(['Pods', 'Percent']),
  /** Replicas (Pods) or percent (Percent) allowed per period; > 0. */
  value: z.number().int().positive(),
  /** The period, seconds, in (0, 1800]. */
  periodSeconds: z.number().int().positive().max(1800),
});

/** One direction of an HPA `behavior`: stabilization window, policies, and how to pick among them. */
export const HpaScalingRulesSchema = z.object({
  /** Seconds of past recommendations to consider, [0, 3600]. Defaults: up 0, down 300. */
  stabilizationWindowSeconds: z.number().int().min(0).max(3600).optional(),
  /** `Max` (the policy allowing the most change, the default), `Min`, or `Disabled` (no scaling in this direction). */
  selectPolicy: z.literal(['Max', 'Min', 'Disabled']).optional(),
  /** Policies; defaults: up [4 Pods / 15 s, 100 Percent / 15 s], down [100 Percent / 15 s]. */
  policies: z.array(HpaScalingPolicySchema).min(1).optional(),
  /** Tolerance around a usage ratio of 1 in this direction (Kubernetes 1.33+). @defaultValue 0.1 */
  tolerance: z.number().min(0).max(1).optional(),
});

const target = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Utilization'), averageUtilization: z.number().int().positive() }),
  z.object({ type: z.literal('AverageValue'), averageValue: z.number().positive() }),
  z.object({ type: z.literal('Value'), value: z.number().positive() }),
]);

/** One metric of an HPA spec, as in `autoscaling/v2` (`Resource`, `Pods`, `Object`, `External`). */
export const HpaMetricSpecSchema = z
  .object({
    /** Where the metric comes from. */
    type: z.literal(['Resource', 'Pods', 'Object', 'External']),
    /** The metric name (for `Resource`: the resource, such as `cpu`). */
    name: z.string().min(1),
    /** The target: `Utilization` (Resource only), `AverageValue`, or `Value` (Object and External only). */
    target,
  })
  .superRefine((m, ctx) => {
    const allowed: Record<string, readonly string[]> = {
      Resource: ['Utilization', 'AverageValue'],
      Pods: ['AverageValue'],
      Object: ['Value', 'AverageValue'],
      External: ['Value', 'AverageValue'],
    };
    if (!(allowed[m.type] ?? []).includes(m.target.type)) {
      ctx.addIssue({
        code: 'custom',
        message: `a ${m.type} metric takes a target of type ${(allowed[m.type] ?? []).join(' or ')}`,
        path: ['target', 'type'],
        input: m.target.type,
      });
    }
  });

/** The part of a `HorizontalPodAutoscaler` spec the controller's decision reads. */
export const HpaSpecSchema = z
  .object({
    /** Lower bound, >= 0 (0 needs the HPAScaleToZero feature). @defaultValue 1 */
    minReplicas: replicas.default(1),
    /** Upper bound, >= minReplicas. */
    maxReplicas: replicas.min(1),
    /** The metrics; at least one. */
    metrics: z.array(HpaMetricSpecSchema).min(1),
    /** Scaling behavior; when absent, the legacy rules apply (5 min down stabilization, up to max(2x, 4)). */
    behavior: z
      .object({
        scaleUp: HpaScalingRulesSchema.optional(),
        scaleDown: HpaScalingRulesSchema.optional(),
      })
      .optional(),
    /** Controller-wide tolerance (`--horizontal-pod-autoscaler-tolerance`). @defaultValue 0.1 */
    tolerance: z.number().min(0).max(1).default(0.1),
    /** Controller-wide downscale stabilization for the legacy path and unset windows, seconds. @defaultValue 300 */
    downscaleStabilizationSeconds: z.number().int().min(0).default(300),
    /** CPU initialization period (`--horizontal-pod-autoscaler-cpu-initialization-period`), seconds. @defaultValue 300 */
    cpuInitializationPeriodSeconds: z.number().int().min(0).default(300),
    /** Initial readiness delay (`--horizontal-pod-autoscaler-initial-readiness-delay`), seconds. @defaultValue 30 */
    initialReadinessDelaySeconds: z.number().int().min(0).default(30),
  })
  .refine((s) => s.maxReplicas >= s.minReplicas, {
    message: 'maxReplicas must be >= minReplicas',
    path: ['maxReplicas'],
  });

/** What users pass: the input type of {@link HpaSpecSchema}. */
export type HpaSpecInput = z.input<typeof HpaSpecSchema>;
/** A validated spec with defaults filled. */
export type HpaSpec = z.output<typeof HpaSpecSchema>;
/** One metric of a spec. */
export type HpaMetricSpec = z.output<typeof HpaMetricSpecSchema>;
/** One scaling policy. */
export type HpaScalingPolicy = z.output<typeof HpaScalingPolicySchema>;

/** Scaling rules with every default resolved. */
export interface ResolvedScalingRules {
  /** Stabilization window, ms. */
  readonly stabilizationWindowMs: number;
  /** How to pick among policies. */
  readonly selectPolicy: 'Max' | 'Min' | 'Disabled';
  /** The policies. */
  readonly policies: readonly HpaScalingPolicy[];
  /** Tolerance in this direction. */
  readonly tolerance: number;
}

/** Resolves a direction's rules with the Kubernetes API defaults. */
export function resolveRules(spec: HpaSpec, direction: 'up' | 'down'): ResolvedScalingRules {
  const rules = direction === 'up' ? spec.behavior?.scaleUp : spec.behavior?.scaleDown;
  const defaultPolicies: HpaScalingPolicy[] =
    direction === 'up'
      ? [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ]
      : [{ type: 'Percent', value: 100, periodSeconds: 15 }];
  return {
    stabilizationWindowMs:
      1000 *
      (rules?.stabilizationWindowSeconds ??
        (direction === 'up' ? 0 : spec.downscaleStabilizationSeconds)),
    selectPolicy: rules?.selectPolicy ?? 'Max',
    policies: rules?.policies ?? defaultPolicies,
    tolerance: rules?.tolerance ?? spec.tolerance,
  };
}
