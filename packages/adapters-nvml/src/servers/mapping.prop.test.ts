import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isHeadroomError } from '@headroom/core';
import { mapDcgmExposition } from '../dcgm/map.js';
import { parsePrometheusText } from '../prometheus/parse.js';
import { SERVER_KINDS, mapServerExposition } from './map.js';

const FIXTURES = [
  'dcgm-exporter.prom',
  'dcgm-exporter-variant.prom',
  'vllm.prom',
  'vllm-legacy.prom',
  'triton.prom',
  'sglang.prom',
].map((name) =>
  readFileSync(new URL(`../../../../../shared/data/metrics/${name}`, import.meta.url), 'utf8'),
);

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

describe('metric mapping never crashes on hostile values', () => {
  it('any value in any series maps to valid samples/load or a typed error', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIXTURES),
        fc.array(fc.tuple(fc.nat(), hostileValue), { minLength: 1, maxLength: 8 }),
        (text, edits) => {
          const lines = text.split('\n');
          const sampleLines = lines
            .map((l, i) => [l, i] as const)
            .filter(([l]) => l !== '' && !l.startsWith('#'));
          for (const [at, value] of edits) {
            const target = sampleLines[at % sampleLines.length];
            if (target === undefined) continue;
            lines[target[1]] = (lines[target[1]] as string).replace(/ \S+$/, ` ${value}`);
          }
          const parsed = parsePrometheusText(lines.join('\n'));
          if (!parsed.ok) return; // e.g. a histogram made invalid is still a parse, not a crash
          const dcgm = mapDcgmExposition(parsed.value, 1);
          if (dcgm.ok) {
            for (const r of dcgm.value) {
              for (const v of Object.values(r.sample))
                if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
            }
          } else {
            expect(isHeadroomError(dcgm.error, 'invalid_input')).toBe(true);
          }
          for (const kind of SERVER_KINDS) {
            const server = mapServerExposition(kind, parsed.value, { sampledAtMs: 1 });
            if (server.ok) {
              for (const v of Object.values(server.value.load)) {
                expect(v !== undefined && Number.isFinite(v) && v >= 0).toBe(true);
              }
            } else {
              expect(isHeadroomError(server.error, 'invalid_input')).toBe(true);
            }
          }
        },
      ),
    );
  });
});
