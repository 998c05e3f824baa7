import { createTelemetry } from '@headroom/core';

/**
 * The OpenTelemetry metric names of `@headroom/routing` (scope `@headroom/routing`).
 *
 * - `picks` (counter, `{pick}`): picks made; attributes `endpoint` and `region` (`unknown` when
 *   the endpoint has none). Counted in per-endpoint arrays on the hot path and added to the
 *   counter by `Router.flushTelemetry()` (and automatically every `telemetryFlushEveryPicks`
 *   picks), so a pick never allocates an attribute object or a closure.
 * - `sheds` (counter, `{request}`): requests not routed; attribute `reason` (a `ShedReason`).
 *   Counted and flushed like picks.
 * - `panics` (counter, `{pick}`): picks made in panic mode (healthy fraction under the panic
 *   threshold) or spilled past saturation; attribute `mode` (`panic` or `spill`). Flushed like picks.
 * - `ejections` (counter, `{ejection}`): endpoints that entered `ejected`; attribute `endpoint`.
 *   Recorded when the router observes the transition (not a hot path).
 * - `migrations` (counter, `{stream}`): streams moved off an endpoint; attributes `from` and
 *   `reason`. Recorded by stream routing through {@link routingInstruments}.
 */
export const ROUTING_METRICS = Object.freeze({
  /** Counter of picks (attributes `endpoint`, `region`). */
  picks: 'headroom.routing.picks',
  /** Counter of shed requests (attribute `reason`). */
  sheds: 'headroom.routing.sheds',
  /** Counter of picks in panic or spill mode (attribute `mode`). */
  panics: 'headroom.routing.panics',
  /** Counter of ejections (attribute `endpoint`). */
  ejections: 'headroom.routing.ejections',
  /** Counter of stream migrations (attributes `from`, `reason`). */
  migrations: 'headroom.routing.migrations',
} as const);

const telemetry = createTelemetry({ name: '@headroom/routing' });

/**
 * The lazy OpenTelemetry instruments behind {@link ROUTING_METRICS}, shared by every router and
 * stream router in the process. No-ops until the host registers an SDK.
 */
export const routingInstruments = Object.freeze({
  /** See {@link ROUTING_METRICS}.picks. */
  picks: telemetry.counter(ROUTING_METRICS.picks, {
    description: 'Requests routed to an endpoint',
    unit: '{pick}',
  }),
  /** See {@link ROUTING_METRICS}.sheds. */
  sheds: telemetry.counter(ROUTING_METRICS.sheds, {
    description: 'Requests not routed (shed), by reason',
    unit: '{request}',
  }),
  /** See {@link ROUTING_METRICS}.panics. */
  panics: telemetry.counter(ROUTING_METRICS.panics, {
    description: 'Picks made in panic mode or spilled past saturation',
    unit: '{pick}',
  }),
  /** See {@link ROUTING_METRICS}.ejections. */
  ejections: telemetry.counter(ROUTING_METRICS.ejections, {
    description: 'Endpoints ejected from routing',
    unit: '{ejection}',
  }),
  /** See {@link ROUTING_METRICS}.migrations. */
  migrations: telemetry.counter(ROUTING_METRICS.migrations, {
    description: 'Streams migrated off an endpoint',
    unit: '{stream}',
  }),
});
