import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * One `npm test` runs every tier. Unit and contract tests of the embedded log need nothing;
 * the `integration` project needs a Kafka broker: its global setup starts the local one
 * (`npm run kafka:start`) unless `KAFKA_BROKERS` points at one already.
 */
export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (`main`) and ESM (`module`) builds. Node, and so every library,
    // loads the CommonJS one; Vite would hand our sources the ESM one, and `instanceof` checks
    // across the two copies fail (graphql-ws, Apollo). Tests use the one Node uses.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]] : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'event-core/test/**/*.test.ts',
            'schema/test/**/*.test.ts',
            'subgraphs/*/test/**/*.test.ts',
            'gateway/test/**/*.test.ts',
            'infra/test/**/*.test.ts',
            'client/test/**/*.test.ts',
          ],
          exclude: ['**/*kafka*.test.ts', 'client/test/**/*.e2e.test.ts', '**/node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        // Component tests of the dashboard in happy-dom, with the dashboard's own Vite config (React).
        extends: './dashboard/vite.config.ts',
        test: {
          name: 'dashboard',
          root: './dashboard',
          include: ['test/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          env: { TZ: 'UTC' },
          setupFiles: ['./test/setup.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            '*/test/**/*kafka*.test.ts',
            'subgraphs/*/test/**/*kafka*.test.ts',
            'e2e/**/*.test.ts',
            'client/test/**/*.e2e.test.ts',
            'bench/test/**/*.test.ts',
          ],
          // The three-broker fault suite has its own command: `npm run test:cluster` (vitest.cluster.config.ts).
          exclude: ['**/node_modules/**', 'e2e/cluster/**'],
          globalSetup: ['./e2e/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
