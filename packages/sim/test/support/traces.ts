// Trace builders shared by the sim package's tests (never shipped).
import type { Trace, TraceRequest } from '../../src/traces/types.js';

/**
 * A trace with `counts[w]` evenly spaced requests in each window of `windowMs`, every request
 * with the given prompt and output token counts.
 */
export function windowedTrace(
  counts: readonly number[],
  windowMs: number,
  tokens: { readonly promptTokens: number; readonly outputTokens: number },
): Trace {
  const requests: TraceRequest[] = [];
  counts.forEach((n, w) => {
    for (let i = 0; i < n; i++) {
      requests.push({ arrivalMs: w * windowMs + (i * windowMs) / n, ...tokens });
    }
  });
  return { name: 'w', source: 'test', durationMs: counts.length * windowMs, requests };
}
