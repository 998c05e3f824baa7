export { readInstanceSignal } from './signals.js';
export type { FleetSignalValue, InstanceSignalValue, SignalKind, SignalSpec } from './signals.js';
export { createTargetTracking, targetTrackingStep } from './target-tracking.js';
export type {
  CompositeRule,
  SignalProposal,
  TargetTracking,
  TargetTrackingDecision,
  TargetTrackingInput,
  TargetTrackingOptions,
  TargetTrackingReasonCode,
} from './target-tracking.js';
