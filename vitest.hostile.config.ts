import { defineConfig } from 'vitest/config';
import SkipReporter from './test/support/skip-reporter.ts';
import ClosingTableReporter from './test/hostile/closing-table-reporter.ts';

// The hostile suite (npm run test:hostile): the fault-injecting fixture web against the whole
// pipeline, and the storage-safety tests. Its own JSON report lands beside the main one, where
// .ci/run counts it. The TLS twin of the fault server uses a self-signed test certificate that
// Node trusts only through NODE_EXTRA_CA_CERTS, read at process start: the npm script sets it.

export default defineConfig({
  test: {
    include: ['test/hostile/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/support/build-dist.ts'],
    reporters: ['default', ['json', { outputFile: 'test/artifacts/vitest-hostile.json' }], new ClosingTableReporter(), new SkipReporter('hostile')],
  },
});
