// One poller process of the several-pollers benchmark: opens the database it is given (a
// postgres:// URL, or a SQLite file), after polling the feeds of a warm-up database when given
// one; says "ready", waits for "go" on stdin, polls every due post feed once (all again at each
// further "go"), and prints what it polled, how long it took, the CPU it used, the statements it
// sent and how long those that take threading's name locks took (waiting for other pollers' feeds).
import readline from 'node:readline';
import pg from 'pg';
import { openConfiguredDatabase } from '../src/db/connect.ts';
import { createPoller } from '../src/poller/poller.ts';
import { createFetcher } from '../src/reader/fetcher.ts';
import { createHostLimiter } from '../src/reader/host-limiter.ts';
import { createSharedHostSlots } from '../src/store/shared-limits.ts';

// Every statement pg sends, counted, and the time from sending a name lock to its answer.
let statements = 0;
let nameLockMs = 0;
const send = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements += 1;
  const config = args[0] as string | { text?: string } | undefined;
  const text = typeof config === 'string' ? config : config?.text;
  const t = performance.now();
  const result = (send as (...a: unknown[]) => unknown).apply(this, args);
  if (text?.includes('pg_advisory_xact_lock(h)') && result instanceof Promise) {
    result.then(() => (nameLockMs += performance.now() - t), () => {});
  }
  return result;
} as typeof send;

const [target, concurrencyArg, perHostArg, warmTarget] = process.argv.slice(2);
const concurrency = Number(concurrencyArg);
const perHost = Number(perHostArg);
const fetcherOptions = {
  userAgent: 'Palaver-bench', timeoutMs: 30_000, connectTimeoutMs: 5_000, headersTimeoutMs: 20_000, maxBodyBytes: 5 * 2 ** 20,
  maxRedirects: 5, perHostConcurrency: perHost, allowPrivateNetworks: true,
};

/** A poller over `url` (a postgres:// URL or a SQLite file) wired as `palaver poller` wires it. */
async function pollerOver(url: string) {
  const postgres = /^postgres/.test(url);
  const database = await openConfiguredDatabase(postgres ? { databasePath: '', databaseUrl: url, database: { poolSize: 8 } } : { databasePath: url });
  // As the service wires it: on PostgreSQL the per-host limit holds over all the pollers.
  const hostLimiter = postgres ? createSharedHostSlots({ db: database.db, limit: perHost, leaseMs: 35_000, local: createHostLimiter(perHost) }) : undefined;
  const fetcher = createFetcher({ ...fetcherOptions, ...(hostLimiter ? { hostLimiter } : {}) });
  const poller = createPoller({
    db: database.db,
    fetch: fetcher.fetch,
    settings: { pollIntervalSeconds: 1800, maxIntervalSeconds: 86400, maxBackoffSeconds: 86400, disableAfterFailures: 20, commentFeedMaxQuietDays: 60, concurrency, tickSeconds: 15, perHostLimit: perHost * 2 },
    log: { info: () => {}, warn: () => {}, error: (o, m) => console.error(m, o) },
    // Post feeds only, as in the polling benchmark.
    kinds: ['feed'],
  });
  return {
    poller,
    async close() {
      await fetcher.close();
      await database.close();
    },
  };
}

// A poller runs for days: what it does per feed once its code is compiled is the figure, not the
// first seconds of a process. So each first polls a few other feeds into a database of its own.
if (warmTarget) {
  const warm = await pollerOver(warmTarget);
  await warm.poller.pollOnce();
  await warm.close();
}
const { poller, close } = await pollerOver(target!);

const lines = readline.createInterface({ input: process.stdin });
process.stdout.write('ready\n');
// "go" starts a pass over every due feed; each further "go" polls them all again at once, after
// the benchmark changed the fixture as that pass needs (pollers.ts, laterPasses).
let pass = 0;
for await (const line of lines) {
  if (line.trim() !== 'go') continue;
  const cpu = process.cpuUsage();
  const t = performance.now();
  const statementsBefore = statements;
  const lockMsBefore = nameLockMs;
  const summary = await poller.pollOnce({ force: pass++ > 0 });
  const seconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const sent = statements - statementsBefore;
  process.stdout.write(
    `${JSON.stringify({ polled: summary.polled, inserted: summary.inserted, failed: summary.failed + summary.crashed, seconds, cpuMs: (used.user + used.system) / 1000, statements: sent, nameLockMs: nameLockMs - lockMsBefore })}\n`,
  );
}
await close();
