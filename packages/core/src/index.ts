/**
 * `@headroom/core`: the vocabulary and math kernels every headroom package speaks.
 *
 * - Time and randomness as inputs: {@link Clock}, {@link Scheduler}, {@link Random}
 *   ({@link createRandom}: seeded xoshiro128\*\*).
 * - Windowed statistics over event time with bounded memory: {@link DDSketch},
 *   {@link WindowedQuantiles}, {@link TimeDecayedEwma}, {@link HighWaterMarkGauge}, {@link RateCounter}.
 * - The fleet vocabulary as zod schemas: {@link GpuSampleSchema}, {@link InstanceSnapshotSchema},
 *   {@link FleetSnapshotSchema}; the metric gate {@link checkMetric}.
 * - The instance lifecycle state machine: {@link createLifecycle}, {@link transition}.
 * - Errors: {@link HeadroomError}, {@link isHeadroomError}, {@link parseConfig}.
 * - Telemetry over `@opentelemetry/api`: {@link createTelemetry}.
 *
 * Test doubles live in `@headroom/core/testing`.
 *
 * @packageDocumentation
 */

export {
  HEADROOM_ERROR_CODES,
  HeadroomError,
  describeValue,
  err,
  formatPath,
  isHeadroomError,
  ok,
} from './errors/headroom-error.js';
export type {
  ErrorPath,
  HeadroomErrorCode,
  HeadroomErrorOptions,
  Result,
} from './errors/headroom-error.js';
export { requireNumber } from './errors/checks.js';
export type { NumberBounds } from './errors/checks.js';
export { addDuplicateIssues, fromZodError, parseConfig, parseInput } from './errors/zod.js';
export type { IssueSink } from './errors/zod.js';

export type { Clock } from './time/clock.js';
export type { Scheduler, TimerHandle } from './time/scheduler.js';
export { systemClock } from './platform/system-clock.js';
export { createSystemScheduler } from './platform/system-scheduler.js';
export type { SystemSchedulerOptions } from './platform/system-scheduler.js';

export { SeededRandom, createRandom } from './random/random.js';
export type { Random, RandomState, Seed } from './random/random.js';
export { hashString32, mix32 } from './random/hash.js';

export { MinHeap } from './internal/min-heap.js';

export { DDSketch } from './stats/ddsketch.js';
export type { DDSketchJSON, DDSketchOptions } from './stats/ddsketch.js';
export { WindowedQuantiles } from './stats/windowed-quantiles.js';
export type { WindowedQuantilesOptions } from './stats/windowed-quantiles.js';
export { TimeDecayedEwma } from './stats/ewma.js';
export type { TimeDecayedEwmaJSON, TimeDecayedEwmaOptions } from './stats/ewma.js';
export { HighWaterMarkGauge } from './stats/high-water-mark.js';
export type { HighWaterMarkReading } from './stats/high-water-mark.js';
export { RateCounter } from './stats/rate-counter.js';
export type { RateCounterOptions } from './stats/rate-counter.js';

export {
  CAPACITY_TYPES,
  FleetSnapshotSchema,
  GpuSampleSchema,
  InstanceLabelsSchema,
  InstanceLoadSchema,
  InstanceSnapshotSchema,
} from './fleet/schemas.js';
export type {
  CapacityType,
  FleetSnapshot,
  GpuSample,
  InstanceLabels,
  InstanceLoad,
  InstanceSnapshot,
} from './fleet/schemas.js';
export { checkMetric } from './fleet/metric-check.js';
export type {
  InstanceObservation,
  LatencyObservation,
  MetricReadOptions,
  MetricSource,
} from './fleet/source.js';
export type { MetricCheck, MetricCheckOptions, MetricProblem } from './fleet/metric-check.js';

export {
  LIFECYCLE_STATES,
  LIFECYCLE_TRANSITIONS,
  canTransition,
  coldStartMs,
  createLifecycle,
  isBillable,
  isServing,
  timeInState,
  transition,
  tryTransition,
} from './lifecycle/lifecycle.js';
export type { LifecycleRecord, LifecycleState } from './lifecycle/lifecycle.js';

export {
  createTelemetry,
  isTelemetryEnabled,
  setTelemetryEnabled,
  telemetryEnabledByEnv,
} from './telemetry/telemetry.js';
export type {
  LazyCounter,
  LazyHistogram,
  LazyUpDownCounter,
  Telemetry,
  TelemetryOptions,
} from './telemetry/telemetry.js';
