import { defineConfig } from 'vitest/config';

// Two projects: `unit` runs with in-process doubles only; `integration` talks to the real Kafka
// broker and ClickHouse server started by `npx quant infra up` (see README).
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{libs,services,apps}/*/test/**/*.spec.ts'],
          exclude: ['**/*.int.spec.ts', '**/node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['{libs,services,apps}/*/test/**/*.int.spec.ts'],
          globalSetup: ['./tools/test/integration-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
