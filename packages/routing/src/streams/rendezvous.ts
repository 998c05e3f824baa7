import { hashString32, mix32 } from '@headroom/core';

/** 2^32, to turn a 32-bit score into a fraction. */
const TWO_POW_32 = 4_294_967_296;

/**
 * The 32-bit hash of a stream id or an endpoint id that {@link rendezvousScore} combines. Every
 * gateway replica computes the same value for the same id and seed.
 *
 * @param id - the stream id or endpoint id.
 * @param seed - a fleet-wide hash seed (an unsigned 32-bit integer); replicas that must agree use
 * the same one. @defaultValue 0
 */
export function rendezvousHash(id: string, seed = 0): number {
  return hashString32(id, seed);
}

/**
 * The rendezvous (highest random weight) score of one key on one endpoint: an unsigned 32-bit
 * integer that looks uniformly random per (key, endpoint) pair and depends on nothing else.
 *
 * Rendezvous hashing (Thaler and Ravishankar, 1996) ranks the endpoints for a key by this score
 * and sends the key to the highest-ranked eligible one. Because each pair is scored on its own,
 * removing an endpoint only moves the keys that ranked it first, adding one only takes the keys
 * for which it now ranks first, and two gateway replicas that know the same endpoints agree on
 * the order without talking to each other.
 *
 * The pair is mixed twice with the murmur3 finalizer (`mix32` from `@headroom/core`): a single `mix32(key ^
 * endpoint)` would give two keys whose hashes differ by the same XOR as two endpoints' mirrored
 * rankings; adding the endpoint hash back between the rounds breaks that symmetry.
 *
 * @param keyHash - {@link rendezvousHash} of the stream id.
 * @param endpointHash - {@link rendezvousHash} of the endpoint id.
 * @returns an integer in [0, 2^32).
 */
export function rendezvousScore(keyHash: number, endpointHash: number): number {
  return mix32((mix32(keyHash ^ endpointHash) + Math.imul(endpointHash, 0x9e3779b1)) | 0);
}

/**
 * The weighted rendezvous key of one key on one endpoint: `-weight / ln(u)` with `u` the
 * {@link rendezvousScore} mapped into the open interval (0, 1). The endpoint with the highest key
 * wins, and endpoint `i` wins a share `weight_i / Σ weight` of the keys (the logarithmic method
 * of weighted rendezvous hashing, Schindelhauer and Schomaker, 2005). Since the map from `u` to
 * the key is increasing for a fixed weight, equal weights give exactly the unweighted order.
 *
 * @param keyHash - {@link rendezvousHash} of the stream id.
 * @param endpointHash - {@link rendezvousHash} of the endpoint id.
 * @param weight - the endpoint's relative weight, finite and > 0 (not checked here: validated
 * where endpoints are registered).
 * @returns a positive finite number.
 */
export function weightedRendezvousKey(
  keyHash: number,
  endpointHash: number,
  weight: number,
): number {
  const u = (rendezvousScore(keyHash, endpointHash) + 0.5) / TWO_POW_32;
  return -weight / Math.log(u);
}
