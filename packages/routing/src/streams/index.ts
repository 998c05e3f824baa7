/**
 * Stream stickiness: a bounded, TTL-limited affinity table over rendezvous hashing with bounded
 * loads, so every gateway replica sends a stream to the same endpoint.
 */
export {
  STREAM_ENDPOINT_STATES,
  StreamEndpointSchema,
  StreamRouterConfigSchema,
  createStreamRouter,
} from './stream-router.js';
export type {
  StreamEndpoint,
  StreamEndpointState,
  StreamMigration,
  StreamRouteFailure,
  StreamRouteOk,
  StreamRouteReason,
  StreamRouteResult,
  StreamRouter,
  StreamRouterConfig,
} from './stream-router.js';
export { rendezvousHash, rendezvousScore, weightedRendezvousKey } from './rendezvous.js';
