export { AUTOSCALER_METRICS, createAutoscaler } from './autoscaler.js';
export type { Autoscaler } from './autoscaler.js';
export { DEFAULT_RETRY, backoffDelayMs, resolveRetryOptions } from './backoff.js';
export { selectDrainVictims } from './drain.js';
export { fleetReaderFromSource, mergeObservations } from './fleet-reader.js';
export type {
  FleetInventory,
  FleetReaderFromSourceOptions,
  InventoryInstance,
} from './fleet-reader.js';
export { AutoscalerStateSchema, parseAutoscalerState } from './state.js';
export type {
  ActuatedEvent,
  ActuationCallOptions,
  ActuationFailedEvent,
  ActuationResult,
  Actuator,
  AutoscalerEventName,
  AutoscalerEvents,
  AutoscalerGuards,
  AutoscalerOptions,
  AutoscalerState,
  AutoscalerVerdict,
  DecisionCause,
  DecisionEvent,
  DrainEvent,
  FleetReader,
  FleetReading,
  GuardRefusal,
  PendingActuation,
  ResolvedRetryOptions,
  RetryOptions,
  SourceFailedEvent,
  SourceFailureMode,
  SupersededEvent,
  TickOutcome,
  TickSkippedEvent,
} from './types.js';
