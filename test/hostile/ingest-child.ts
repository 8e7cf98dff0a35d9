// A Palaver poller in a child process for the kill -9 test: it polls every source of the
// database at argv[2] again and again and prints "committed <entries>" after each poll, so the
// parent knows what was durably stored before it kills the process at a random moment.
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openDatabase } from '../../src/db/open.ts';
import { createPoller } from '../../src/poller/poller.ts';
import { createFetcher } from '../../src/reader/fetcher.ts';
import { registerBlog } from '../../src/registry/register-blog.ts';
import { countEntries } from '../../src/store/entries.ts';

const [dbPath, homeUrl] = process.argv.slice(2);
if (!dbPath || !homeUrl) throw new Error('usage: ingest-child.ts <database> <blog home URL>');

const database = openDatabase(dbPath);
await migrateToLatest(database.db);
const fetcher = createFetcher({
  userAgent: 'Palaver/0.1 (hostile suite)',
  timeoutMs: 5000,
  connectTimeoutMs: 1000,
  headersTimeoutMs: 2000,
  maxBodyBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
  perHostConcurrency: 2,
  allowPrivateNetworks: true,
});
const silent = { info: () => {}, warn: () => {}, error: () => {} };
// Registering again finds the blog already there: the same script serves every restart.
await registerBlog({ db: database.db, fetch: fetcher.fetch }, homeUrl);
const poller = createPoller({
  db: database.db,
  fetch: fetcher.fetch,
  log: silent,
  settings: {
    pollIntervalSeconds: 1800,
    maxIntervalSeconds: 86400,
    maxBackoffSeconds: 86400,
    disableAfterFailures: 20,
    commentFeedMaxQuietDays: 60,
    concurrency: 2,
    tickSeconds: 1,
    perHostLimit: 4,
  },
  kinds: ['feed'],
});
process.stdout.write('ready\n');
for (;;) {
  const summary = await poller.pollOnce({ force: true });
  if (summary.crashed) process.stdout.write(`crashed ${summary.crashed}\n`);
  process.stdout.write(`committed ${await countEntries(database.db)}\n`);
}
