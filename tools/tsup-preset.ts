import type { Options } from 'tsup';

/** Options every headroom package builds with: dual ESM + CJS, `.d.ts` and `.d.cts`, no bundled deps. */
export function packageBuild(options: { entry: string[]; external?: string[] }): Options {
  return {
    entry: options.entry,
    external: options.external ?? [],
    format: ['esm', 'cjs'],
    target: 'node20',
    platform: 'node',
    dts: {
      // Build declarations against sibling packages' published types, not their sources.
      compilerOptions: { customConditions: [] },
    },
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    outDir: 'dist',
  };
}
