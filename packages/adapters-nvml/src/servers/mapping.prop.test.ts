import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isHeadroomError } from '@headroom/core';
import { mapDcgmExposition } from '../dcgm/map.js';
import { parsePrometheusText } from '../prometheus/parse.js';
import { SERVER_KINDS, mapServerExposition, type ServerKind } from './map.js';

const FIXTURES_BY_NAME = new Map(
  [
    'dcgm-exporter.prom',
    'dcgm-exporter-variant.prom',
    'vllm.prom',
    'vllm-legacy.prom',
    'triton.prom',
    'sglang.prom',
  ].map((name) => [
    name,
    readFileSync(new URL(`../../../../../shared/data/metrics/${name}`, import.meta.url), 'utf8'),
  ]),
);
const FIXTURES = [...FIXTURES_BY_NAME.values()];

/** Replaces sample values with hostile numbers a broken exporter could print. */
const hostileValue = fc.constantFrom(
  'NaN',
  '+Inf',
  '-Inf',
  '-1',
  '1e308',
  '9223372036854775794',
  '0',
  '-0',
  '1.5',
  '1e-300',
  '250',
);

/** Replaces the values of the sample lines that `edits` point at (index modulo the sample lines). */
function mutate(text: string, edits: readonly (readonly [number, string])[]): string {
  const lines = text.split('\n');
  const sampleLines = lines
    .map((l, i) => [l, i] as const)
    .filter(([l]) => l !== '' && !l.startsWith('#'));
  for (const [at, value] of edits) {
    const target = sampleLines[at % sampleLines.length];
    if (target === undefined) continue;
    lines[target[1]] = (lines[target[1]] as string).replace(/ \S+$/, ` ${value}`);
  }
  return lines.join('\n');
}

const edits = fc.array(fc.tuple(fc.nat(), hostileValue), { minLength: 1, maxLength: 8 });

/** How one fuzzed page differs from its fixture. */
interface PageEdits {
  /** Every sample value is multiplied by this first. */
  readonly scale: number;
  /** Then these sample values are replaced (see {@link mutate}). */
  readonly values: readonly (readonly [number, string])[];
  /** Then these `le` bounds are replaced (index modulo the bucket lines). */
  readonly bounds: readonly (readonly [number, string])[];
}

function expectFiniteNonNegative(values: object): void {
  for (const v of Object.values(values)) {
    expect(typeof v === 'number' && Number.isFinite(v) && v >= 0).toBe(true);
  }
}

describe('metric mapping never crashes on hostile values', () => {
  it('any value in any series maps to valid samples/load or a typed error', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIXTURES), edits, (text, changes) => {
        const parsed = parsePrometheusText(mutate(text, changes));
        if (!parsed.ok) return; // e.g. a histogram made invalid is still a parse, not a crash
        const dcgm = mapDcgmExposition(parsed.value, 1);
        if (dcgm.ok) {
          for (const r of dcgm.value.readings) {
            for (const v of Object.values(r.sample))
              if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
          }
        } else {
          expect(isHeadroomError(dcgm.error, 'invalid_input')).toBe(true);
        }
        for (const kind of SERVER_KINDS) {
          const server = mapServerExposition(kind, parsed.value, { sampledAtMs: 1 });
          if (server.ok) {
            expectFiniteNonNegative(server.value.load);
          } else {
            expect(isHeadroomError(server.error, 'invalid_input')).toBe(true);
          }
        }
      }),
    );
  });

  it('latency between two mutated scrapes is finite and >= 0 or absent, never a throw', () => {
    const servers = new Map<string, ServerKind>([
      ['vllm.prom', 'vllm'],
      ['vllm-legacy.prom', 'vllm'],
      ['triton.prom', 'triton'],
    ]);
    /** Hostile bucket bounds: overflowing, negative, zero, tiny. */
    const hostileLe = fc.constantFrom('1e309', '-1', '0', '1e-300', '-1e309', '1e308');
    /** Scales every value on a page: growth, a reset (0.5), overflow of counts and sums. */
    const scale = fc.constantFrom(1, 1.25, 2, 1000, 0.5, 1e300, 1e306);
    const page = fc.record({
      scale,
      values: fc.array(fc.tuple(fc.nat(), hostileValue), { maxLength: 4 }),
      bounds: fc.array(fc.tuple(fc.nat(), hostileLe), { maxLength: 2 }),
    });
    const build = (text: string, p: PageEdits): string => {
      const lines = text.split('\n').map((l) => {
        if (l === '' || l.startsWith('#')) return l;
        const n = Number(l.slice(l.lastIndexOf(' ') + 1));
        return Number.isFinite(n) ? l.replace(/ \S+$/, ` ${n * p.scale}`) : l;
      });
      const out = mutate(lines.join('\n'), p.values).split('\n');
      const withLe = out.map((l, i) => [l, i] as const).filter(([l]) => l.includes('le="'));
      for (const [at, le] of p.bounds) {
        const target = withLe[at % withLe.length];
        if (target !== undefined) out[target[1]] = target[0].replace(/le="[^"]*"/, `le="${le}"`);
      }
      return out.join('\n');
    };
    let withLatency = 0;
    fc.assert(
      fc.property(fc.constantFrom(...servers), page, page, ([name, kind], before, after) => {
        const text = FIXTURES_BY_NAME.get(name) as string;
        const first = parsePrometheusText(build(text, before));
        const second = parsePrometheusText(build(text, after));
        if (!first.ok || !second.ok) return;
        const previous = mapServerExposition(kind, first.value, { sampledAtMs: 1 });
        if (!previous.ok) return;
        const next = mapServerExposition(kind, second.value, {
          sampledAtMs: 2,
          previous: previous.value.state,
        });
        if (!next.ok) {
          expect(isHeadroomError(next.error, 'invalid_input')).toBe(true);
          return;
        }
        if (Object.keys(next.value.latency).length > 0) withLatency++;
        expectFiniteNonNegative(next.value.latency);
        expectFiniteNonNegative(next.value.load);
        for (const problem of next.value.problems) expect(typeof problem).toBe('string');
      }),
      { numRuns: 300 },
    );
    // The generator must reach the latency path, not only fail before it.
    expect(withLatency).toBeGreaterThan(0);
  });
});
