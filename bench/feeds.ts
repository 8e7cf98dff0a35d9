// Feed benchmark: the 50-item Atom feed of a 500-entry conversation served by the real app, as
// full answers (200) and as 304 (If-None-Match), against a bare Fastify route sending the same
// bytes from memory, in the same run; and the time to build the feed when nothing is cached.
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import defaults from '../config/default.json' with { type: 'json' };
import { buildApp } from '../src/app.ts';
import { validateConfig } from '../src/config.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { renderAtom } from '../src/feeds/atom.ts';
import { buildOutFeed } from '../src/feeds/from-entries.ts';
import { listFeedEntries } from '../src/store/feed-items.ts';
import { throughput } from './http-load.ts';
import { seedConversation } from './pages.ts';
import type { Figure } from './poll.ts';

/** Runs the feed benchmark and returns its figures. */
export async function benchFeeds(options: { entries: number; concurrency: number; seconds: number }): Promise<Figure[]> {
  const database = openDatabase(':memory:');
  await migrateToLatest(database.db);
  const id = await seedConversation(database, options.entries);
  const config = validateConfig({ ...defaults, databasePath: ':memory:', logLevel: 'silent' });
  const app = await buildApp({ config, db: database.db, fetch: async () => { throw new Error('bench: no fetching'); } });
  const appOrigin = await app.listen({ host: '127.0.0.1', port: 0 });
  const path = `/c/${id}/feed.atom`;
  const sample = await fetch(appOrigin + path);
  const body = Buffer.from(await sample.arrayBuffer());
  const etag = sample.headers.get('etag');
  if (sample.status !== 200 || !etag) throw new Error(`bench: ${path} answered ${sample.status} without an ETag`);
  const baseline = Fastify({ logger: false });
  baseline.get(path, async (_request, reply) => reply.type('application/atom+xml; charset=utf-8').send(body));
  const baseOrigin = await baseline.listen({ host: '127.0.0.1', port: 0 });
  const load = { concurrency: options.concurrency, seconds: options.seconds };
  const builds: number[] = [];
  for (let k = 0; k < 15; k++) {
    const t0 = performance.now();
    const entries = await listFeedEntries(database.db, { kind: 'conversation', id }, config.feeds.maxItems);
    renderAtom(buildOutFeed({ publicUrl: config.publicUrl, meta: { homeUrl: `${config.publicUrl}/c/${id}`, title: 'x', subtitle: null }, selfUrl: appOrigin + path, hubUrl: null, entries, emptyUpdatedAt: new Date(0).toISOString() }));
    builds.push(performance.now() - t0);
  }
  const buildMs = builds.sort((a, b) => a - b)[7]!;
  try {
    await throughput(baseOrigin, path, { ...load, seconds: 1 });
    await throughput(appOrigin, path, { ...load, seconds: 1 });
    const base = await throughput(baseOrigin, path, load);
    const full = await throughput(appOrigin, path, load);
    const notModified = await throughput(appOrigin, path, { ...load, headers: { 'if-none-match': etag }, expectStatus: 304 });
    const note = `${path} of a ${options.entries}-entry conversation (${config.feeds.maxItems} items, ${(body.length / 1024).toFixed(0)} KiB), ${options.concurrency} in flight for ${options.seconds} s; baseline: bare Fastify sending the same bytes from memory`;
    return [
      { name: 'conversation feed (Atom), 200', value: full, baseline: base, unit: 'req/s', higherIsBetter: true, note },
      { name: 'conversation feed (Atom), 304', value: notModified, baseline: base, unit: 'req/s', higherIsBetter: true },
      { name: 'conversation feed (Atom), built on a cache miss', value: buildMs, baseline: null, unit: 'ms', higherIsBetter: false, note: 'median of 15: store read, item mapping and the Atom writer' },
    ];
  } finally {
    await app.close();
    await baseline.close();
    await database.close();
  }
}
