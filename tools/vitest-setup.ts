import fc from 'fast-check';
import { afterEach, beforeEach, inject } from 'vitest';

const seed = inject('headroomSeed');
const numRuns = inject('headroomNumRuns');
fc.configureGlobal({ seed, ...(numRuns === undefined ? {} : { numRuns }) });

// The library never logs, and neither do its tests: any console call fails the test that made it.
const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
type Method = (typeof methods)[number];
const originals = new Map<Method, (...args: unknown[]) => void>();
let strayCalls: string[] = [];

beforeEach(() => {
  strayCalls = [];
  for (const method of methods) {
    originals.set(method, console[method]);
    console[method] = (...args: unknown[]) => {
      strayCalls.push(`console.${method}(${args.map((a) => String(a)).join(', ')})`);
    };
  }
});

afterEach(() => {
  for (const [method, original] of originals) console[method] = original;
  if (strayCalls.length > 0) {
    const calls = strayCalls.join('\n  ');
    strayCalls = [];
    throw new Error(`stray console output in a test (tests must not log):\n  ${calls}`);
  }
});
