/**
 * A fast, well-mixed 32-bit hash of a string (FNV-1a over UTF-16 code units, then the murmur3
 * finalizer for avalanche). Deterministic across processes and platforms, so every gateway
 * replica derives the same choice from the same key (a stream id, a tenant).
 *
 * Not cryptographic: do not use it where an adversary picks keys to collide.
 *
 * @example
 * ```ts
 * const bucket = hashString32('tenant-42') % 16;
 * ```
 */
export function hashString32(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** The murmur3 32-bit finalizer: a bijection on 32-bit integers with full avalanche. */
export function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
