import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: end-to-end fault tests against real service processes (crash, database
 * outage, two replicas, fuzz). Slow, so not part of `npm test` (vitest.config.ts excludes them); files
 * run one at a time because each starts its own service processes on a 2-core machine.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
