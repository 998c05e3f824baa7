import { isTelemetryEnabled, type LazyCounter } from '@headroom/core';
import { metrics, type Counter, type MeterProvider, type MetricOptions } from '@opentelemetry/api';

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
 *   `reason`. The stream router does not record it (it has no notion of why an endpoint left):
 *   the host records one per `StreamMigration` it gets back, through
 *   {@link routingInstruments}, with the reason it knows (`draining`, `ejected`, `removed`...).
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

const SCOPE = '@headroom/routing';

/**
 * A counter with `@headroom/core`'s lazy semantics (binds to the global meter provider on use, so
 * one made before the host registers its SDK starts counting once it does; one boolean check when
 * telemetry is off; never throws into the host), without a closure per call: core's wrapper
 * passes each `add` through a `() => ...` thunk, which allocates on every counter call of the
 * router's telemetry flush.
 */
function lazyCounter(name: string, options: MetricOptions): LazyCounter {
  let boundTo: MeterProvider | undefined;
  let instrument: Counter | undefined;
  return {
    add(value, attributes) {
      if (!isTelemetryEnabled()) return;
      try {
        const provider = metrics.getMeterProvider();
        if (provider !== boundTo || instrument === undefined) {
          instrument = provider.getMeter(SCOPE).createCounter(name, options);
          boundTo = provider;
        }
        instrument.add(value, attributes);
      } catch {
        // Telemetry must never break the host's routing.
      }
    },
  };
}

/**
 * The lazy OpenTelemetry instruments behind {@link ROUTING_METRICS}, shared by every router and
 * stream router in the process. No-ops until the host registers an SDK; `add` allocates nothing
 * of its own (the SDK behind it may).
 */
export const routingInstruments = Object.freeze({
  /** See {@link ROUTING_METRICS}.picks. */
  picks: lazyCounter(ROUTING_METRICS.picks, {
    description: 'Requests routed to an endpoint',
    unit: '{pick}',
  }),
  /** See {@link ROUTING_METRICS}.sheds. */
  sheds: lazyCounter(ROUTING_METRICS.sheds, {
    description: 'Requests not routed (shed), by reason',
    unit: '{request}',
  }),
  /** See {@link ROUTING_METRICS}.panics. */
  panics: lazyCounter(ROUTING_METRICS.panics, {
    description: 'Picks made in panic mode or spilled past saturation',
    unit: '{pick}',
  }),
  /** See {@link ROUTING_METRICS}.ejections. */
  ejections: lazyCounter(ROUTING_METRICS.ejections, {
    description: 'Endpoints ejected from routing',
    unit: '{ejection}',
  }),
  /** See {@link ROUTING_METRICS}.migrations. */
  migrations: lazyCounter(ROUTING_METRICS.migrations, {
    description: 'Streams migrated off an endpoint',
    unit: '{stream}',
  }),
});
