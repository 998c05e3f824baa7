import { HeadroomError, type InstanceSnapshot, type LifecycleState } from '@headroom/core';
import {
  createHpaController,
  normalizeRecommendation,
  type HpaController,
  type HpaReasonCode,
  type HpaState,
} from '../hpa/hpa.js';
import {
  podMetricProposal,
  toMilli,
  valueMetricProposal,
  type HpaPod,
  type HpaPodSample,
  type MetricProposal,
} from '../hpa/replica-calculator.js';
import type { HpaSpecInput } from '../hpa/spec.js';
import { readInstanceSignal, type FleetSignalValue, type SignalSpec } from './signals.js';

/** How proposals of several signals combine. `max` is the HPA's rule and the default. */
export type CompositeRule =
  'max' | 'weighted_mean' | ((proposals: readonly SignalProposal[]) => number);

/** Options of {@link createTargetTracking}. */
export interface TargetTrackingOptions {
  /** The signals, at least one, unique names. */
  readonly signals: readonly SignalSpec[];
  /** How proposals combine. @defaultValue 'max' */
  readonly composite?: CompositeRule;
  /**
   * No change while every pressure is within [1 − down, 1 + up]; a number sets both.
   * @defaultValue 0.1
   */
  readonly tolerance?: number | { readonly up?: number; readonly down?: number };
  /** Lower bound, >= 0. @defaultValue 1 */
  readonly minReplicas?: number;
  /** Upper bound, >= minReplicas. */
  readonly maxReplicas: number;
  /**
   * Stabilization windows and rate limits, with the HPA's fields and defaults (up: 0 s window,
   * +4 pods or +100% per 15 s; down: 300 s window, −100% per 15 s).
   * @defaultValue the HPA defaults
   */
  readonly behavior?: NonNullable<HpaSpecInput['behavior']>;
}

/** One signal's proposal. */
export interface SignalProposal {
  /** The signal's name. */
  readonly signal: string;
  /** Replicas this signal alone asks for. */
  readonly replicas: number;
  /** Observed / target after the missing and unready rules (1 = exactly at target). */
  readonly pressure: number;
}

/** What {@link targetTrackingStep} sees. */
export interface TargetTrackingInput {
  /** Decision time, epoch ms. */
  readonly nowMs: number;
  /** The replicas currently asked for. */
  readonly currentReplicas: number;
  /** The instances (any lifecycle state). */
  readonly instances: readonly InstanceSnapshot[];
  /** Fleet-wide values for `latency` signals, by signal name. */
  readonly fleet?: Readonly<Record<string, FleetSignalValue>>;
}

/** Why the decision is what it is. */
export type TargetTrackingReasonCode =
  HpaReasonCode | 'no_valid_signal' | 'invalid_signal_blocks_scale_down' | 'composite_invalid';

/** The outcome of one step. */
export interface TargetTrackingDecision {
  /** `scale` to a new count, or `hold`. */
  readonly decision:
    | { readonly kind: 'scale'; readonly from: number; readonly to: number }
    | { readonly kind: 'hold'; readonly replicas: number };
  /** The state for the next step. */
  readonly state: HpaState;
  /** Why. */
  readonly reason: {
    readonly code: TargetTrackingReasonCode;
    /** Human-readable. */
    readonly message: string;
    /** The signal that drove the recommendation (the largest proposal), if any. */
    readonly drivingSignal?: string;
    /** Its pressure (observed / target). */
    readonly drivingPressure?: number;
    /** Combined recommendation before stabilization and rate limits. */
    readonly recommendedReplicas?: number;
    /** Valid proposals. */
    readonly proposals: readonly SignalProposal[];
    /** Signals that produced no proposal, with why. */
    readonly invalid: readonly { readonly signal: string; readonly message: string }[];
  };
}

/** A validated target-tracking policy. */
export interface TargetTracking {
  /** The signals. */
  readonly signals: readonly SignalSpec[];
  /** The composite rule. */
  readonly composite: CompositeRule;
  /** The HPA behavior engine it uses for stabilization, rate limits and bounds. */
  readonly behavior: HpaController;
}

/**
 * Target tracking on GPU signals: each signal proposes `ceil(ready instances × pressure)` with
 * the Kubernetes HPA's rules for instances without data (on a scale-down an instance with no
 * valid value counts as exactly at target, on a scale-up as idle; if filling in flips the
 * direction, hold), instances still provisioning, loading or warming count as idle capacity on a
 * scale-up (capacity on its way is not ordered twice), the composite picks (max by default), and
 * the HPA's stabilization windows and rate limits shape the result.
 *
 * If some signals are invalid the policy scales up on the valid ones but never down; with no
 * valid signal it holds, never scales to zero.
 *
 * @throws `HeadroomError` `invalid_config` naming the field, bound and value.
 * @example
 * ```ts
 * const policy = createTargetTracking({
 *   maxReplicas: 40,
 *   signals: [
 *     { name: 'gpu', kind: 'gpu_utilization', target: 0.7 },
 *     { name: 'queue', kind: 'queue_depth', target: 4 },
 *     { name: 'p95', kind: 'latency', target: 2_000 },
 *   ],
 * });
 * let state = initialHpaState();
 * const step = targetTrackingStep(policy, state, { nowMs, currentReplicas: 6, instances, fleet: { p95: { value: 2_600, sampledAtMs: nowMs } } });
 * state = step.state;
 * ```
 */
export function createTargetTracking(options: TargetTrackingOptions): TargetTracking {
  const signals = options.signals ?? [];
  if (!Array.isArray(signals) || signals.length === 0) {
    throw new HeadroomError({
      code: 'invalid_config',
      message: 'at least one signal is required',
      path: ['signals'],
      value: signals,
      limit: 'length >= 1',
    });
  }
  const names = new Set<string>();
  signals.forEach((s, i) => {
    if (typeof s.name !== 'string' || s.name === '' || names.has(s.name)) {
      throw new HeadroomError({
        code: 'invalid_config',
        message: 'signal names must be unique, non-empty strings',
        path: ['signals', i, 'name'],
        value: s.name,
      });
    }
    names.add(s.name);
    if (!(typeof s.target === 'number' && s.target > 0 && Number.isFinite(s.target))) {
      throw new HeadroomError({
        code: 'invalid_config',
        message: 'must be a positive finite number',
        path: ['signals', i, 'target'],
        value: s.target,
        limit: '> 0',
      });
    }
    if (s.weight !== undefined && !(s.weight > 0 && Number.isFinite(s.weight))) {
      throw new HeadroomError({
        code: 'invalid_config',
        message: 'must be a positive finite number',
        path: ['signals', i, 'weight'],
        value: s.weight,
        limit: '> 0',
      });
    }
    if (s.kind === 'custom' && typeof s.read !== 'function') {
      throw new HeadroomError({
        code: 'invalid_config',
        message: 'a custom signal needs a read function',
        path: ['signals', i, 'read'],
        value: s.read,
      });
    }
  });
  const tolerance =
    typeof options.tolerance === 'number'
      ? { up: options.tolerance, down: options.tolerance }
      : (options.tolerance ?? {});
  const up = tolerance.up ?? 0.1;
  const down = tolerance.down ?? 0.1;
  const behavior = options.behavior ?? {};
  const controller = createHpaController({
    ...(options.minReplicas === undefined ? {} : { minReplicas: options.minReplicas }),
    maxReplicas: options.maxReplicas,
    // The metric list only satisfies the schema; signals are evaluated by this policy.
    metrics: [{ type: 'Pods', name: 'signals', target: { type: 'AverageValue', averageValue: 1 } }],
    behavior: {
      scaleUp: { ...behavior.scaleUp, tolerance: up },
      scaleDown: { ...behavior.scaleDown, tolerance: down },
    },
  });
  return { signals, composite: options.composite ?? 'max', behavior: controller };
}

const SERVING: ReadonlySet<LifecycleState> = new Set(['ready']);
const ON_ITS_WAY: ReadonlySet<LifecycleState> = new Set([
  'requested',
  'provisioning',
  'loading',
  'warming',
]);

function asPod(instance: InstanceSnapshot): HpaPod {
  if (SERVING.has(instance.state)) {
    return {
      name: instance.id,
      phase: 'Running',
      readyCondition: { ready: true, lastTransitionTimeMs: 0 },
      startTimeMs: 0,
    };
  }
  if (ON_ITS_WAY.has(instance.state)) return { name: instance.id, phase: 'Pending' };
  return { name: instance.id, phase: 'Failed' }; // draining, terminated, failed: not capacity
}

/**
 * One decision of a {@link TargetTracking} policy. Pure: same inputs, same output; never throws
 * on bad data (it holds with a reason).
 */
export function targetTrackingStep(
  policy: TargetTracking,
  state: HpaState,
  input: TargetTrackingInput,
): TargetTrackingDecision {
  const { nowMs, currentReplicas, instances } = input;
  const tolerances = {
    up: policy.behavior.scaleUp.tolerance,
    down: policy.behavior.scaleDown.tolerance,
  };
  const pods = instances.map(asPod);
  const proposals: SignalProposal[] = [];
  const invalid: { signal: string; message: string }[] = [];
  const hold = (
    code: TargetTrackingReasonCode,
    message: string,
    extra: object = {},
  ): TargetTrackingDecision => ({
    decision: { kind: 'hold', replicas: currentReplicas },
    state,
    reason: { code, message, proposals, invalid, ...extra },
  });

  const { minReplicas, maxReplicas } = policy.behavior.spec;
  if (!(Number.isSafeInteger(currentReplicas) && currentReplicas >= 0)) {
    return hold(
      'no_valid_signal',
      `currentReplicas must be a non-negative integer, got ${String(currentReplicas)}: holding`,
    );
  }
  if (currentReplicas > maxReplicas || currentReplicas < minReplicas) {
    const to = currentReplicas > maxReplicas ? maxReplicas : minReplicas;
    return {
      decision: { kind: 'scale', from: currentReplicas, to },
      state,
      reason: {
        code: to === maxReplicas ? 'above_max' : 'below_min',
        message: 'current replicas outside [minReplicas, maxReplicas]',
        proposals,
        invalid,
      },
    };
  }

  for (const signal of policy.signals) {
    let proposal: MetricProposal;
    if (signal.kind === 'latency') {
      const reading = input.fleet?.[signal.name];
      const age =
        reading?.sampledAtMs === undefined ? Number.POSITIVE_INFINITY : nowMs - reading.sampledAtMs;
      const value = reading?.value;
      if (
        value === undefined ||
        !Number.isFinite(value) ||
        value < 0 ||
        age > (signal.maxAgeMs ?? 60_000)
      ) {
        proposal = { ok: false, message: `no fresh value for latency signal ${signal.name}` };
      } else {
        proposal = valueMetricProposal(
          { type: 'Object', name: signal.name, target: { type: 'Value', value: signal.target } },
          toMilli(value),
          pods,
          currentReplicas,
          currentReplicas,
          tolerances,
        );
      }
    } else {
      const samples: Record<string, HpaPodSample> = {};
      for (const instance of instances) {
        if (!SERVING.has(instance.state)) continue;
        const v = readInstanceSignal(signal, instance, nowMs);
        if (v.ok)
          samples[instance.id] = { milliValue: toMilli(v.value), timestampMs: nowMs, windowMs: 0 };
      }
      proposal = podMetricProposal(
        {
          type: 'Pods',
          name: signal.name,
          target: { type: 'AverageValue', averageValue: signal.target },
        },
        samples,
        pods,
        currentReplicas,
        tolerances,
        { cpuInitializationPeriodMs: 0, initialReadinessDelayMs: 0 },
        nowMs,
      );
    }
    if (proposal.ok && Number.isFinite(proposal.replicas)) {
      proposals.push({
        signal: signal.name,
        replicas: proposal.replicas,
        pressure: proposal.usageRatio,
      });
    } else {
      invalid.push({
        signal: signal.name,
        message: proposal.ok ? 'non-finite proposal' : proposal.message,
      });
    }
  }

  if (proposals.length === 0)
    return hold('no_valid_signal', 'no signal has valid, fresh data: holding');
  let driving = proposals[0] as SignalProposal;
  for (const p of proposals) if (p.replicas > driving.replicas) driving = p;
  let recommended: number;
  const composite = policy.composite;
  if (composite === 'max') {
    recommended = driving.replicas;
  } else if (composite === 'weighted_mean') {
    let num = 0;
    let den = 0;
    for (const p of proposals) {
      const w = policy.signals.find((s) => s.name === p.signal)?.weight ?? 1;
      num += w * p.replicas;
      den += w;
    }
    recommended = Math.ceil(num / den);
  } else {
    let custom: number;
    try {
      custom = composite(proposals);
    } catch (error) {
      return hold(
        'composite_invalid',
        `the composite function threw: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (!Number.isFinite(custom) || custom < 0)
      return hold('composite_invalid', `the composite function returned ${String(custom)}`);
    recommended = Math.ceil(custom);
  }
  const drivingInfo = {
    drivingSignal: driving.signal,
    drivingPressure: driving.pressure,
    recommendedReplicas: recommended,
  };
  if (invalid.length > 0 && recommended < currentReplicas) {
    return hold(
      'invalid_signal_blocks_scale_down',
      `signals without valid data (${invalid.map((i) => i.signal).join(', ')}) block a scale-down`,
      drivingInfo,
    );
  }
  const normalized = normalizeRecommendation(
    policy.behavior,
    state,
    currentReplicas,
    recommended,
    nowMs,
  );
  const to = normalized.desiredReplicas;
  return {
    decision:
      to === currentReplicas
        ? { kind: 'hold', replicas: to }
        : { kind: 'scale', from: currentReplicas, to },
    state: normalized.state,
    reason: {
      code: normalized.code,
      message: normalized.message,
      ...drivingInfo,
      proposals,
      invalid,
    },
  };
}
