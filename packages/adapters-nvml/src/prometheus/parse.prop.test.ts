import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isHeadroomError } from '@headroom/core';
import { parsePrometheusText } from './parse.js';

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

function checkOutcome(text: string): void {
  const result = parsePrometheusText(text);
  if (result.ok) {
    let count = 0;
    for (const family of result.value.families.values()) count += family.samples.length;
    expect(count).toBe(result.value.sampleCount);
  } else {
    expect(isHeadroomError(result.error, 'invalid_input')).toBe(true);
    expect(result.error.message).toMatch(/^invalid_input at line\[\d+\]: line \d+/);
  }
}

/** Mutations a flaky network or a buggy exporter could produce. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('replace-char' as const),
    at: fc.nat(),
    char: fc.constantFrom('"', '{', '}', ',', '=', ' ', '\\', '\n', '#', 'x', '\u0000', 'é'),
  }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.string({ maxLength: 12 }),
  }),
);

function mutate(
  text: string,
  m: { kind: string; at: number; char?: string; text?: string },
): string {
  const lines = text.split('\n');
  switch (m.kind) {
    case 'delete-line':
      lines.splice(m.at % lines.length, 1);
      return lines.join('\n');
    case 'duplicate-line': {
      const i = m.at % lines.length;
      lines.splice(i, 0, lines[i] ?? '');
      return lines.join('\n');
    }
    case 'truncate':
      return text.slice(0, m.at % (text.length + 1));
    case 'replace-char': {
      const i = m.at % Math.max(1, text.length);
      return text.slice(0, i) + (m.char ?? '') + text.slice(i + 1);
    }
    default: {
      const i = m.at % (text.length + 1);
      return text.slice(0, i) + (m.text ?? '') + text.slice(i);
    }
  }
}

describe('parser fuzzing', () => {
  it('arbitrary strings never crash or hang the parser: a result or a typed error with a line', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), checkOutcome));
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), checkOutcome));
  });

  it('arbitrary bytes decoded as latin1 never crash the parser', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) =>
        checkOutcome(Buffer.from(bytes).toString('latin1')),
      ),
    );
  });

  it('mutated real fixtures yield a result or a typed error with a line number', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIXTURES),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (text, mutations) => {
          checkOutcome(mutations.reduce((t, m) => mutate(t, m), text));
        },
      ),
    );
  });

  it('label values round-trip through escaping, in any label order', () => {
    const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(labelName, fc.string({ maxLength: 20 })), {
          selector: ([k]) => k,
          maxLength: 6,
        }),
        fc.double({ noNaN: true }).map((v) => (Object.is(v, -0) ? 0 : v)),
        (pairs, value) => {
          const escape = (s: string) =>
            s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
          const line = `metric{${pairs.map(([k, v]) => `${k}="${escape(v)}"`).join(',')}} ${String(value)}\n`;
          const result = parsePrometheusText(line);
          expect(result.ok).toBe(true);
          if (result.ok) {
            const sample = result.value.families.get('metric')?.samples[0];
            expect(sample?.labels).toEqual(Object.fromEntries(pairs));
            expect(sample?.value).toBe(value);
          }
        },
      ),
    );
  });
});
