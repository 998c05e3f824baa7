import { defineConfig, type ViteUserConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The one vitest configuration every package uses: sibling packages resolve to their sources
 * (the private `@headroom/source` export condition), fast-check takes its seed from
 * HEADROOM_SEED (printed once per run), and a stray console call fails the test that made it.
 */
export function packageTestConfig(overrides: { testTimeoutMs?: number } = {}): ViteUserConfig {
  return defineConfig({
    resolve: { conditions: ['@headroom/source', 'module', 'node', 'import', 'default'] },
    ssr: { resolve: { conditions: ['@headroom/source', 'module', 'node', 'import', 'default'] } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      globalSetup: [`${root}tools/vitest-global-setup.ts`],
      setupFiles: [`${root}tools/vitest-setup.ts`],
      testTimeout: overrides.testTimeoutMs ?? 20_000,
      pool: 'forks',
      restoreMocks: true,
    },
  });
}
