import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests run on the TypeScript sources: @vigil/sdk, the one published package, maps its sources to the `vigil-source`
// export condition (its default is the compiled dist/ that users install), so every test resolves with it.
const conditions = ['vigil-source', ...defaultServerConditions];

// One project per test tier (emmett's habit): the tier is in the file name.
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['libs/**/*.unit.spec.ts', 'services/**/*.unit.spec.ts', 'test/**/*.unit.spec.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
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
        extends: true,
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
