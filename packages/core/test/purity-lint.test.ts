import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

// The architecture's purity and dependency rules are lint errors; this checks the lint config
// itself, by linting snippets as if they were files of the pure packages.
const root = fileURLToPath(new URL('../../../', import.meta.url));
let eslint: ESLint;

// Loading ESLint and the TypeScript parser takes seconds on a busy 2-core machine: do it once,
// with room to spare, so no single test carries it.
beforeAll(async () => {
  eslint = new ESLint({ cwd: root });
  await eslint.lintText('export {};\n', { filePath: `${root}packages/core/src/warm-up.ts` });
}, 120_000);

async function ruleHits(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${file}` });
  return (result?.messages ?? [])
    .filter((m) => m.severity === 2)
    .map((m) => `${m.ruleId}: ${m.message}`);
}

describe('purity lint rules', () => {
  it.each([
    ['Date.now()', 'export const t = Date.now();\n', 'no-restricted-properties'],
    ['Math.random()', 'export const r = Math.random();\n', 'no-restricted-properties'],
    ['new Date()', 'export const d = new Date();\n', 'no-restricted-syntax'],
    [
      'node:fs',
      "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n",
      'no-restricted-imports',
    ],
    [
      'child_process',
      "import { spawn } from 'child_process';\nexport const s = spawn;\n",
      'no-restricted-imports',
    ],
    ['fetch', "export const f = () => fetch('http://127.0.0.1');\n", 'no-restricted-globals'],
    ['setTimeout', 'setTimeout(() => undefined, 1);\n', 'no-restricted-globals'],
    ['globalThis.Date.now()', 'export const t = globalThis.Date.now();\n', 'no-restricted-syntax'],
    [
      'globalThis.Math.random()',
      'export const r = globalThis.Math.random();\n',
      'no-restricted-syntax',
    ],
    [
      'globalThis.setTimeout',
      'globalThis.setTimeout(() => undefined, 1);\n',
      'no-restricted-syntax',
    ],
  ])('rejects %s in a core source file', async (_name, code, rule) => {
    const hits = await ruleHits(code, 'packages/core/src/stats/example.ts');
    expect(hits.some((h) => h.startsWith(rule) && h.includes('Purity'))).toBe(true);
  });

  it.each(['scaling', 'routing', 'cost', 'fleet', 'sim'])(
    'applies to @headroom/%s sources too',
    async (pkg) => {
      expect(
        await ruleHits('export const t = Date.now();\n', `packages/${pkg}/src/x.ts`),
      ).toHaveLength(1);
    },
  );

  it('allows new Date(now) with an explicit time, and timers in a scheduler implementation', async () => {
    expect(
      await ruleHits(
        'export const d = (now: number) => new Date(now);\n',
        'packages/core/src/x.ts',
      ),
    ).toEqual([]);
    expect(
      await ruleHits(
        'setTimeout(() => undefined, 1);\n',
        'packages/scaling/src/runtime/loop-scheduler.ts',
      ),
    ).toEqual([]);
  });

  it('allows the wall clock in adapters and in tests', async () => {
    expect(
      await ruleHits('export const t = Date.now();\n', 'packages/adapters-k8s/src/x.ts'),
    ).toEqual([]);
    expect(await ruleHits('export const t = Date.now();\n', 'packages/core/src/x.test.ts')).toEqual(
      [],
    );
  });
});

describe('dependency-direction lint rules', () => {
  it('rejects a pure package importing an adapter', async () => {
    const hits = await ruleHits(
      "import { x } from '@headroom/adapters-k8s';\nexport const y = x;\n",
      'packages/scaling/src/x.ts',
    );
    expect(hits.join('\n')).toMatch(/no-restricted-imports: .*Dependency direction/);
  });

  it('rejects core importing any other headroom package, and scaling importing sim', async () => {
    expect(
      await ruleHits("export { x } from '@headroom/scaling';\n", 'packages/core/src/x.ts'),
    ).toHaveLength(1);
    expect(
      await ruleHits("export { x } from '@headroom/sim';\n", 'packages/scaling/src/x.ts'),
    ).toHaveLength(1);
  });

  it("rejects deep imports into another package's src/", async () => {
    expect(
      await ruleHits(
        "export { x } from '@headroom/core/src/stats/ddsketch';\n",
        'packages/routing/src/x.ts',
      ),
    ).toHaveLength(1);
    expect(
      await ruleHits("export { x } from '../../core/src/index';\n", 'packages/routing/src/x.ts'),
    ).not.toHaveLength(0);
    // At any depth, and into dist/ too; a relative import inside the same package is fine.
    expect(
      (
        await ruleHits(
          "export { x } from '../../../core/src/index.js';\n",
          'packages/routing/src/a/x.ts',
        )
      ).join(),
    ).toMatch(/no-cross-package-source/);
    expect(
      (
        await ruleHits(
          "export { x } from '../../../../packages/cost/dist/index.js';\n",
          'packages/routing/src/a/x.ts',
        )
      ).join(),
    ).toMatch(/no-cross-package-source/);
    expect(
      await ruleHits(
        "export { y } from '../../src/prometheus/parse.js';\n",
        'packages/adapters-nvml/test/support/x.ts',
      ),
    ).toEqual([]);
  });

  it('allows the public entries in the allowed direction', async () => {
    expect(
      await ruleHits(
        "export { createRandom } from '@headroom/core';\n",
        'packages/routing/src/x.ts',
      ),
    ).toEqual([]);
    expect(
      await ruleHits(
        "export { ManualClock } from '@headroom/core/testing';\n",
        'packages/sim/src/x.ts',
      ),
    ).toEqual([]);
  });
});
