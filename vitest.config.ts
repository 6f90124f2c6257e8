import { defineConfig } from 'vitest/config';

// One project per test tier (emmett's habit): the tier is in the file name.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['libs/**/*.unit.spec.ts', 'services/**/*.unit.spec.ts', 'test/**/*.unit.spec.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'int',
          include: ['libs/**/*.int.spec.ts', 'services/**/*.int.spec.ts', 'test/**/*.int.spec.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          globalSetup: ['test/setup/global-setup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e.spec.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          globalSetup: ['test/setup/global-setup.ts'],
        },
      },
    ],
  },
});
