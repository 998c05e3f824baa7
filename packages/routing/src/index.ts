/**
 * `@headroom/routing`: the router core a gateway author embeds in a Node service.
 *
 * - {@link createRouter}: the request pipeline (hard filters on model, version, lifecycle, health,
 *   region and GPU fit; headroom weights in physical units; slow start; prefix affinity;
 *   weighted, power-of-two-choices or least-loaded pickers; panic, spill and shed), with an
 *   optional explanation of every pick and no allocation per pick without one.
 * - {@link createHealthTracker}: graded GPU health (temperature, throttling, ECC, XID, row remap)
 *   and passive outlier ejection with Envoy's semantics, with hysteresis.
 * - {@link createStreamRouter}: sticky streams by rendezvous hashing with bounded load; streams
 *   move only when their endpoint drains, is ejected or disappears, and the caller is told.
 * - {@link createRegionRouter}: region choice by measured RTT or geography, waterfall overflow,
 *   failover, and tenant pinning that is never violated.
 *
 * @packageDocumentation
 */

export { createRouter } from './router/router.js';
export type { Router } from './router/router.js';
export { RouterConfigSchema, parseRouterConfig } from './router/config.js';
export type { RouterConfig, RouterConfigInput } from './router/config.js';
export { SHED_REASONS } from './router/types.js';
export type {
  CandidateExplanation,
  FilterName,
  PickExplanation,
  PickMode,
  PickResult,
  PickedEndpoint,
  PickerKind,
  RequestOutcome,
  RouteRequest,
  ShedReason,
  ShedResult,
} from './router/types.js';
export { ROUTING_METRICS, routingInstruments } from './router/telemetry.js';

export {
  ENDPOINT_FLAGS,
  EndpointSpecSchema,
  EndpointTable,
  HEALTH_CODE,
  LoadedModelSchema,
  READY_CODE,
  checkMetrics,
  lifecycleCode,
} from './table/endpoint-table.js';
export type {
  EndpointMetrics,
  EndpointSpec,
  EndpointSpecInput,
  LoadedModel,
  SlotRemoval,
} from './table/endpoint-table.js';
export {
  SaturationConfigSchema,
  ScoringConfigSchema,
  headroomFactors,
  headroomWeight,
  idleHeadroomWeight,
  isSaturated,
  kvCacheFactor,
  loadScore,
  memoryFactor,
  queueFactor,
  streamsFactor,
} from './table/scoring.js';
export type {
  EndpointSignals,
  HeadroomFactors,
  SaturationConfig,
  SaturationConfigInput,
  ScoringConfig,
  ScoringConfigInput,
} from './table/scoring.js';
export { FenwickTree } from './pick/fenwick.js';
export { IndexSet } from './pick/index-set.js';
export { pickLeastLoaded, pickTwoChoices, pickWeightedScan } from './pick/pickers.js';

export * from './health/index.js';
export * from './slow-start/index.js';
export * from './affinity/index.js';
export * from './matching/index.js';
export * from './streams/index.js';
export * from './regions/index.js';
