import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'infra/kafka/.cache/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // The CLI prints for people; scripts and benchmarks print their results.
    files: ['libs/cli/**', 'bench/**', 'libs/contracts/scripts/**', 'test/**', '**/*.spec.ts', 'infra/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // libs/core is pure: no I/O, no node:*, no infrastructure clients.
    files: ['libs/core/src/**'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'kafkajs', 'fastify', 'better-sqlite3', 'pino', '@eventstore/*', '@vigil/log', '@vigil/store'] }],
      'no-restricted-globals': ['error', { name: 'Date', message: 'libs/core never reads the clock: pass time in.' }],
    },
  },
);
