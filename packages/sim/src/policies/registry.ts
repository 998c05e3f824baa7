import { HeadroomError } from '@headroom/core';
import type { SimPolicy } from '../engine/types.js';
import { headroomPolicy, type HeadroomPolicyOptions } from './headroom.js';
import { hpaPolicy, type HpaPolicyOptions } from './hpa.js';
import { kedaQueuePolicy, type KedaQueuePolicyOptions } from './keda.js';
import { knativePolicy, type KnativePolicyOptions } from './knative.js';
import { staticPeakPolicy, type StaticPeakPolicyOptions } from './static-peak.js';

/** The named policies of the suite, in the order reports list them. */
export const POLICY_NAMES = ['static', 'hpa', 'knative', 'keda', 'headroom'] as const;

/** One of {@link POLICY_NAMES}. */
export type PolicyName = (typeof POLICY_NAMES)[number];

/** The options each named policy takes. */
export interface PolicyOptionsByName {
  /** {@link staticPeakPolicy}'s options. */
  readonly static: StaticPeakPolicyOptions;
  /** {@link hpaPolicy}'s options. */
  readonly hpa: HpaPolicyOptions;
  /** {@link knativePolicy}'s options. */
  readonly knative: KnativePolicyOptions;
  /** {@link kedaQueuePolicy}'s options. */
  readonly keda: KedaQueuePolicyOptions;
  /** {@link headroomPolicy}'s options. */
  readonly headroom: HeadroomPolicyOptions;
}

/** True when `name` is one of {@link POLICY_NAMES}. */
export function isPolicyName(name: unknown): name is PolicyName {
  return typeof name === 'string' && (POLICY_NAMES as readonly string[]).includes(name);
}

/**
 * Builds a named policy with its options (each policy's defaults where omitted): the registry
 * the CLI and the flagship use. A fresh object per call; each keeps its state between decisions
 * and resets it in `initialReplicas`.
 *
 * @throws `HeadroomError` `invalid_argument` for an unknown name (listing the known ones);
 * `invalid_config` for options the policy rejects (naming the option, bound and value).
 * @example
 * ```ts
 * const policies = POLICY_NAMES.map((name) => createPolicy(name));
 * const hpa = createPolicy('hpa', { targetUtilization: 0.6 });
 * ```
 */
export function createPolicy<TName extends PolicyName>(
  name: TName,
  options?: PolicyOptionsByName[TName],
): SimPolicy;
export function createPolicy(name: string, options?: object): SimPolicy;
export function createPolicy(name: string, options: object = {}): SimPolicy {
  switch (name) {
    case 'static':
      return staticPeakPolicy(options as StaticPeakPolicyOptions);
    case 'hpa':
      return hpaPolicy(options as HpaPolicyOptions);
    case 'knative':
      return knativePolicy(options as KnativePolicyOptions);
    case 'keda':
      return kedaQueuePolicy(options as KedaQueuePolicyOptions);
    case 'headroom':
      return headroomPolicy(options as HeadroomPolicyOptions);
    default:
      throw new HeadroomError({
        code: 'invalid_argument',
        message: `unknown policy; known: ${POLICY_NAMES.join(', ')}`,
        path: ['policy'],
        value: name,
        limit: `one of: ${POLICY_NAMES.join(', ')}`,
      });
  }
}
