import { defineConfig } from 'vitest/config';
import SkipReporter from './test/support/skip-reporter.ts';

// Browser tests: playwright-core driving Debian's Chromium against the real app on loopback.
// Slower than the main suite, so `npm run test:browser` runs them apart; .ci/run counts both
// JSON reports.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: 'test/artifacts/vitest-browser.json' }], new SkipReporter('browser')],
  },
});
