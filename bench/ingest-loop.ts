// CPU of storing new WordPress items alone: the farm's feeds fetched and parsed first, then
// stored with ingestFeedItems one feed after another into a fresh database, timed by this
// process's CPU (drafting, threading and SQLite; not decoding or parsing). For profiles
// (node --cpu-prof) and same-run pairs of two builds.
//   node --import tsx bench/ingest-loop.ts [--feeds 200] [--rounds 1]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { ingestFeedItems } from '../src/ingest/feed-items.ts';
import { readFeedHere } from '../src/reader/read-feed.ts';
import type { ParsedFeed } from '../src/reader/types.ts';
import { insertBlog } from '../src/store/blogs.ts';
import { insertSource } from '../src/store/sources.ts';
import { startWordPressFarm } from './wordpress-farm.ts';

const { values } = parseArgs({ options: { feeds: { type: 'string', default: '200' }, rounds: { type: 'string', default: '1' } } });
const count = Number(values.feeds);
const farm = await startWordPressFarm(count);
const feeds: { url: string; parsed: ParsedFeed }[] = [];
for (const url of farm.feedUrls) feeds.push({ url, parsed: await readFeedHere(Buffer.from(await (await fetch(url)).arrayBuffer()), 'application/rss+xml', url) });
await farm.close();

for (let round = 0; round < Number(values.rounds); round++) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-ingest-loop-'));
  const database = openDatabase(path.join(dir, 'bench.db'));
  try {
    await migrateToLatest(database.db);
    const now = new Date().toISOString();
    const sources = [];
    for (const { url } of feeds) {
      const home = url.replace(/feed\/$/, '');
      const blog = await insertBlog(
        database.db,
        { homeUrl: home, urlKey: home.replace(/^https?:\/\//, '').replace(/\/$/, ''), title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] },
        now,
      );
      sources.push(await insertSource(database.db, { blogId: blog.id, kind: 'feed', url, nextCheckAt: now }, now));
    }
    const cpu = process.cpuUsage();
    const wall = performance.now();
    let items = 0;
    for (let i = 0; i < feeds.length; i++) items += (await ingestFeedItems(database.db, sources[i]!, feeds[i]!.parsed, now)).inserted;
    const used = process.cpuUsage(cpu);
    const ms = (used.user + used.system) / 1000;
    console.log(`${items} new items of ${feeds.length} feeds: ${(ms / items).toFixed(3)} ms CPU per item (${((performance.now() - wall) / items).toFixed(3)} ms wall), load ${os.loadavg()[0]!.toFixed(2)}`);
  } finally {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
