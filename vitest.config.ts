import { defineConfig } from 'vitest/config';
import SkipReporter from './test/support/skip-reporter.ts';

// Every run also writes vitest's JSON report, which .ci/run reads for its closing count.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/postgres/ needs a PostgreSQL server: npm run test:pg runs it.
    exclude: ['test/hostile/**', 'test/browser/**', 'test/postgres/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['test/support/build-dist.ts'],
    reporters: ['default', ['json', { outputFile: 'test/artifacts/vitest-main.json' }], new SkipReporter('main')],
  },
});
