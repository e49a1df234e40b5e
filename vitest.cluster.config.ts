import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * `npm run test:cluster`: the fault suite on a three-broker Kafka cluster of its own
 * (`e2e/cluster/`), apart from `npm test` because it starts three more JVMs and takes several
 * minutes. It needs no shared broker: the cluster is started and always stopped by the suite.
 */
export default defineConfig({
  // As in vitest.config.ts: the CommonJS graphql that Node (and so every library) loads.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    name: 'cluster',
    include: ['e2e/cluster/**/*.test.ts'],
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest-cluster.json' }]] : ['default'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
