// Group benchmark: an event's group of 100 blogs of `perBlog` posts each, every post linking the
// next blog's post of the same number (so each number is one conversation across the 100 blogs),
// stored as polls store them in a SQLite file, served by the real app through the pages' read
// connection, as `npm start` serves it. What a group costs when its pages miss the cache: the
// group page, its JSON answer and a search in the group, each a median over requests that were
// not answered before; baseline: the home page on a miss, the site's page that ranks the same
// conversations without a group.
import { performance } from 'node:perf_hooks';
import defaults from '../config/default.json' with { type: 'json' };
import { buildApp } from '../src/app.ts';
import { validateConfig } from '../src/config.ts';
import type { OpenedDatabase } from '../src/db/open.ts';
import { ingestFeedItems } from '../src/ingest/feed-items.ts';
import type { FeedItem } from '../src/reader/types.ts';
import { insertBlog } from '../src/store/blogs.ts';
import { commitWaitingWrites } from '../src/store/dialect.ts';
import { insertGroup, insertGroupMembers } from '../src/store/groups.ts';
import { insertSource } from '../src/store/sources.ts';
import type { Figure } from './poll.ts';
import { withDatabase } from './scratch-database.ts';
import { median } from './median.ts';

const blogs = 100;

/** Post `i` of blog `b`: its text names its number, and it links the next blog's post `i`. */
function groupPost(b: number, i: number): FeedItem {
  const url = `http://blog${b}.example/p${i}/`;
  return {
    guid: url, url, title: `Beitrag ${i}`, authorName: `Autorin ${b}`, authorUrl: null,
    contentHtml: `<p>Zum Camp, Teil ${i}: <a href="http://blog${(b + 1) % blogs}.example/p${i}/">die Antwort</a>.</p>`, summaryHtml: null,
    publishedAt: new Date(Date.UTC(2008, 10, 1) + i * 3_600_000 + b * 1000).toISOString(), updatedAt: null,
    commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: url, lang: 'de',
  };
}

/** Stores the group's blogs and posts as polls do, and the group of all of them. */
async function seedGroup(database: OpenedDatabase, perBlog: number): Promise<void> {
  const now = '2026-01-01T00:00:00.000Z';
  const ids: number[] = [];
  for (let b = 0; b < blogs; b++) {
    const blog = await insertBlog(
      database.db,
      { homeUrl: `http://blog${b}.example/`, urlKey: `blog${b}.example`, title: `Blog ${b}`, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] },
      now,
    );
    ids.push(blog.id);
    const source = await insertSource(database.db, { blogId: blog.id, kind: 'feed', url: `http://blog${b}.example/feed/`, nextCheckAt: now }, now);
    for (let first = 0; first < perBlog; first += 500) {
      const items = Array.from({ length: Math.min(500, perBlog - first) }, (_, k) => groupPost(b, first + k));
      await ingestFeedItems(database.db, source, { items, title: null }, now);
    }
  }
  const group = await insertGroup(database.db, { slug: 'camp', title: 'Camp', description: null, lang: 'de', event: null }, now);
  await insertGroupMembers(database.db, group.id, ids, now);
  await commitWaitingWrites(database.db);
}

/** Median wall time of GET `paths` in turn, each asked once, over HTTP. */
async function medianMs(origin: string, paths: string[]): Promise<number> {
  const times: number[] = [];
  for (const p of paths) {
    const t = performance.now();
    const res = await fetch(origin + p);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`bench: ${p} answered ${res.status}`);
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Runs the group benchmark over 100 blogs of `perBlog` posts and returns its figures. */
export async function benchGroups(options: { perBlog: number; requests: number }): Promise<Figure[]> {
  return withDatabase(async (database) => {
    await seedGroup(database, options.perBlog);
    const config = validateConfig({ ...defaults, logLevel: 'silent' });
    const app = await buildApp({ config, db: database.db, read: database.read, fetch: async () => { throw new Error('bench: no fetching'); } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const origin = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    try {
      // The first requests read the group's conversation ids and compile what they run.
      await medianMs(origin, ['/g/camp', '/api/groups/camp', '/g/camp?q=camp', '/']);
      // Each path once: a page, a page size or a search not asked before misses every cache.
      const n = options.requests;
      const each = (make: (k: number) => string) => Array.from({ length: n }, (_, k) => make(k + 2));
      const home = await medianMs(origin, each((k) => `/?page=${k}`));
      const page = await medianMs(origin, each((k) => `/g/camp?page=${k}`));
      const answer = await medianMs(origin, each((k) => `/api/groups/camp?limit=${k}`));
      const search = await medianMs(origin, each((k) => `/g/camp?q=teil+${k}`));
      const entries = `${blogs} blogs of ${options.perBlog.toLocaleString('en')} posts (${(blogs * options.perBlog).toLocaleString('en')} entries in ${options.perBlog.toLocaleString('en')} conversations), all in one group, on a SQLite file read as npm start reads it`;
      const baseline = `baseline: the home page on a miss (\`/?page=k\`), which ranks the same conversations without a group`;
      return [
        { name: 'group page on a cache miss', value: page, baseline: home, unit: 'ms', higherIsBetter: false, note: `median of ${n} pages of /g/:slug (?page=k), each asked once; ${entries}; ${baseline}` },
        { name: "group's JSON answer on a cache miss", value: answer, baseline: home, unit: 'ms', higherIsBetter: false, note: `median of ${n} /api/groups/:slug?limit=k, each asked once; ${entries}; ${baseline}` },
        { name: 'search in a group', value: search, baseline: home, unit: 'ms', higherIsBetter: false, note: `median of ${n} /g/:slug?q=teil+k, each asked once, on the event loop; ${entries}; ${baseline}` },
      ];
    } finally {
      await app.close();
    }
  });
}
