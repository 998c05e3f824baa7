// ESLint flat config for the whole monorepo.
//
// Beyond typescript-eslint's recommended rules, it encodes two architecture rules from
// docs/architecture.md as lint errors:
//   1. Purity: the pure packages never read ambient time or randomness, never do I/O, and use
//      timers only in files that implement an injected scheduler.
//   2. Dependency direction: core <- scaling, routing, cost <- fleet <- sim; pure packages never
//      import adapters; nobody deep-imports another package's src/.
import js from '@eslint/js';
import path from 'node:path';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export const PURE_PACKAGES = ['core', 'scaling', 'routing', 'cost', 'fleet', 'sim'];

/** Which sibling packages each package may import (anything else named @headroom/* is an error). */
const ALLOWED_SIBLINGS = {
  core: [],
  scaling: ['core'],
  routing: ['core'],
  cost: ['core'],
  fleet: ['core', 'scaling', 'cost', 'routing'],
  sim: ['core', 'scaling', 'routing', 'cost', 'fleet'],
  'adapters-nvml': ['core'],
  'adapters-k8s': ['core', 'scaling', 'routing', 'cost'],
  'adapters-aws': ['core', 'scaling', 'routing', 'cost'],
};
const ALL_PACKAGES = Object.keys(ALLOWED_SIBLINGS);

const IO_MODULES = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'child_process',
  'dgram',
  'worker_threads',
  'tls',
  'dns',
];

const noDeepImports = [
  {
    group: ['@headroom/*/src', '@headroom/*/src/**', '@headroom/*/dist', '@headroom/*/dist/**'],
    message:
      "Import the package's public entry (@headroom/x or a documented subpath), never its src/ or dist/.",
  },
  {
    group: ['../../*/src', '../../*/src/**', '../../../packages/*/src/**', '**/packages/*/src/**'],
    message: "Import the package's public entry (@headroom/x), never another package's src/.",
  },
];

/**
 * A relative import that climbs out of its package into another package's src/ or dist/, at any
 * depth (glob patterns cannot tell `../../../core/src` from a path inside the same package).
 */
const noCrossPackageSource = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      deep: 'Import @headroom/{{pkg}} (its public entry), never its {{dir}}/ through a relative path ({{source}}).',
    },
  },
  create(context) {
    const file = context.filename;
    const own = /[\\/]packages[\\/]([^\\/]+)[\\/]/.exec(file)?.[1];
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), source);
      const hit = /[\\/]packages[\\/]([^\\/]+)[\\/](src|dist)(?:[\\/]|$)/.exec(target);
      if (hit !== null && hit[1] !== own) {
        context.report({ node, messageId: 'deep', data: { pkg: hit[1], dir: hit[2], source } });
      }
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

function restrictedImportsFor(pkg, { io }) {
  const pure = PURE_PACKAGES.includes(pkg);
  const forbidden = ALL_PACKAGES.filter((p) => p !== pkg && !ALLOWED_SIBLINGS[pkg].includes(p));
  const patterns = [...noDeepImports];
  if (forbidden.length > 0) {
    patterns.push({
      group: forbidden.flatMap((p) => [`@headroom/${p}`, `@headroom/${p}/**`]),
      message: pure
        ? `Dependency direction: @headroom/${pkg} may import only ${ALLOWED_SIBLINGS[pkg].map((p) => '@headroom/' + p).join(', ') || 'no other headroom package'} (pure packages never import adapters).`
        : `Dependency direction: @headroom/${pkg} may import only ${ALLOWED_SIBLINGS[pkg].map((p) => '@headroom/' + p).join(', ')}.`,
    });
  }
  const paths = io
    ? IO_MODULES.flatMap((m) => [m, `node:${m}`]).map((name) => ({
        name,
        message: 'Purity: no I/O in a pure package. Move it to an adapter and pass the data in.',
      }))
    : [];
  return ['error', { paths, patterns }];
}

const TIME_AND_RANDOM = {
  'no-restricted-properties': [
    'error',
    {
      object: 'Date',
      property: 'now',
      message: 'Purity: take `now` (epoch ms) as an argument or read an injected Clock.',
    },
    {
      object: 'Math',
      property: 'random',
      message: 'Purity: take an injected Random (createRandom(seed) from @headroom/core).',
    },
    {
      object: 'performance',
      property: 'now',
      message: 'Purity: take `now` as an argument or read an injected Clock.',
    },
    {
      object: 'globalThis',
      property: 'fetch',
      message: 'Purity: no I/O in a pure package; fetch belongs in an adapter.',
    },
  ],
  'no-restricted-syntax': [
    'error',
    {
      selector: "NewExpression[callee.name='Date'][arguments.length=0]",
      message: 'Purity: `new Date()` reads the wall clock; pass `now` in.',
    },
    {
      selector: "CallExpression[callee.name='Date']",
      message: 'Purity: `Date()` reads the wall clock; pass `now` in.',
    },
    {
      selector:
        "MemberExpression[property.name='now'][object.type='MemberExpression'][object.property.name=/^(Date|performance)$/]",
      message:
        'Purity: `globalThis.Date.now()` reads the wall clock; take `now` as an argument or read an injected Clock.',
    },
    {
      selector:
        "MemberExpression[property.name='random'][object.type='MemberExpression'][object.property.name='Math']",
      message: 'Purity: take an injected Random (createRandom(seed) from @headroom/core).',
    },
    {
      selector:
        "MemberExpression[object.name='globalThis'][property.name=/^(setTimeout|setInterval|setImmediate|queueMicrotask)$/]",
      message:
        'Purity: timers only in a file that implements an injected Scheduler (*-scheduler.ts); take a Scheduler instead.',
    },
  ],
};

const TIMERS = {
  'no-restricted-globals': [
    'error',
    { name: 'fetch', message: 'Purity: no I/O in a pure package; fetch belongs in an adapter.' },
    ...[
      'setTimeout',
      'setInterval',
      'setImmediate',
      'clearTimeout',
      'clearInterval',
      'clearImmediate',
      'queueMicrotask',
    ].map((name) => ({
      name,
      message:
        'Purity: timers only in a file that implements an injected Scheduler (*-scheduler.ts); take a Scheduler instead.',
    })),
  ],
};

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/coverage/**', '**/.turbo/**', 'docs/api/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['packages/**/*.ts'],
    plugins: { headroom: { rules: { 'no-cross-package-source': noCrossPackageSource } } },
    rules: { 'headroom/no-cross-package-source': 'error' },
  },
  // Dependency direction, per package; in the pure packages' sources, no I/O modules either.
  ...ALL_PACKAGES.map((pkg) => ({
    files: [`packages/${pkg}/**/*.ts`],
    rules: { 'no-restricted-imports': restrictedImportsFor(pkg, { io: false }) },
  })),
  ...PURE_PACKAGES.map((pkg) => ({
    files: [`packages/${pkg}/src/**/*.ts`],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': restrictedImportsFor(pkg, { io: true }) },
  })),
  // Purity: sources of the pure packages (tests and benchmarks may read the clock for timing).
  {
    files: PURE_PACKAGES.map((p) => `packages/${p}/src/**/*.ts`),
    ignores: ['**/*.test.ts'],
    rules: { ...TIME_AND_RANDOM, ...TIMERS },
  },
  // The edges: the one wall clock, and files that implement a Scheduler.
  {
    files: ['packages/core/src/platform/system-clock.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: PURE_PACKAGES.map((p) => `packages/${p}/src/**/*-scheduler.ts`),
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'Purity: no I/O in a pure package.' },
      ],
    },
  },
  // The simulator's command line (the main job and `headroom-sim`) is sim's one edge: it reads
  // trace files, writes the report, prints progress and times the run. Nothing else in
  // packages/sim/src may import from it (checked by the dependency rules of the pure sources).
  {
    files: ['packages/sim/src/node/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrictedImportsFor('sim', { io: false }),
      'no-restricted-properties': 'off',
      'no-restricted-syntax': 'off',
      'no-restricted-globals': 'off',
      'no-console': 'off',
    },
  },
  // Tests, benchmarks, examples and tooling may print and time things.
  {
    files: [
      '**/*.test.ts',
      '**/bench/**/*.ts',
      'examples/**/*.ts',
      'tools/**/*.ts',
      '*.config.ts',
      '*.config.js',
    ],
    rules: { 'no-console': 'off' },
  },
  prettier,
);
