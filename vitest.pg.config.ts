import { defineConfig } from 'vitest/config';
import SkipReporter from './test/support/skip-reporter.ts';

// The main suite again on PostgreSQL (npm run test:pg, with DATABASE_URL naming a server's admin
// database): every test database is a copy of a migrated template (test/support/postgres.ts).
// Its own JSON report lands beside the main one, where .ci/run counts both.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/hostile/**', 'test/browser/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/support/build-dist.ts', 'test/support/pg-template.ts'],
    reporters: ['default', ['json', { outputFile: 'test/artifacts/vitest-pg.json' }], new SkipReporter('pg')],
  },
});
