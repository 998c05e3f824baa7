import type { Options } from 'tsup';

/** Options every headroom package builds with: dual ESM + CJS, `.d.ts` and `.d.cts`, no bundled deps. */
export function packageBuild(options: { entry: string[]; external?: string[] }): Options {
  return {
    entry: options.entry,
    external: options.external ?? [],
    format: ['esm', 'cjs'],
    target: 'node20',
    platform: 'node',
    // Sibling packages are dependencies, hence external: their imports stay imports in the .d.ts.
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    outDir: 'dist',
  };
}
