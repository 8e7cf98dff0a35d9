// Stores the same feeds with the code of a given checkout and writes every table's rows to a
// JSON file, so that two versions of the store can be shown to write identical rows (a change
// meant to save statements must not change what is stored). The feeds are built here, in a fixed
// order with a fixed clock: posts answering the next blog's posts (as the pollers benchmark's
// feeds), the same feeds again with new, edited and re-counted items, a feed of three parts,
// a feed naming an item twice, comment feeds with threaded replies and pings, a TrackBack listing,
// posts that merge two debates, and a blog waiting for a moderator.
//
//   node --import tsx bench/store-rows.ts <checkout> <out.json> [postgres admin URL]
//   node --import tsx bench/store-rows.ts --compare <a.json> <b.json>
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Db } from '../src/db/open.ts';
import type { Source } from '../src/domain/models.ts';
import type { FeedItem as Item } from '../src/reader/types.ts';

type Row = Record<string, unknown>;

// Tables of the migrator itself record when the migrations ran, not what was stored.
const skipped = new Set(['kysely_migration', 'kysely_migration_lock']);

function item(over: Partial<Item> & { guid: string; url: string }): Item {
  return {
    title: null, authorName: null, authorUrl: null, contentHtml: null, summaryHtml: null, publishedAt: null, updatedAt: null,
    commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: over.url, lang: 'de', ...over,
  };
}

const at = (day: number, hour: number) => new Date(Date.UTC(2008, 10, day, hour)).toISOString();
const blogUrl = (n: number) => `http://blog${n}.example`;
// As the pollers benchmark: each post answers the same-numbered post of the next blog of its circle of six.
const peer = (n: number) => Math.floor(n / 6) * 6 + ((n + 1) % 6);

function circlePost(n: number, id: number, i: number, edited = false): Item {
  const url = `${blogUrl(n)}/2008/11/post-${id}/`;
  return item({
    guid: `${blogUrl(n)}/?p=${id}`, url, title: `Beitrag ${id} von Blog ${n}`, authorName: `Autor ${n}`,
    contentHtml: `<p>Absatz ${id}${edited ? ', nachgetragen' : ''} mit einem <a href="${blogUrl(peer(n))}/2008/11/post-${id}/">Link</a>.</p>`,
    publishedAt: at(10, i % 24), commentFeeds: [{ url: `${url}feed/`, type: null }], commentCount: i % 5,
  });
}

/** Runs the feeds through the store of `checkout` on a fresh database, and returns every table's rows. */
async function storeRows(checkout: string, adminUrl: string | undefined): Promise<Record<string, Row[]>> {
  const load = (file: string) => import(pathToFileURL(path.join(checkout, 'src', file)).href);
  const { migrateToLatest } = await load('db/migrate.ts');
  const { openDatabase } = await load('db/open.ts');
  const { openPostgres } = await load('db/postgres.ts');
  const { insertBlog } = await load('store/blogs.ts');
  const { insertSource, listSourcesByBlog } = await load('store/sources.ts');
  const { ingestFeedItems } = await load('ingest/feed-items.ts');
  const { sql } = await import('kysely');

  let admin: import('pg').Client | undefined;
  const name = `palaver_rows_${process.pid}`;
  let database: { db: Db; close(): Promise<void> };
  if (adminUrl) {
    const pg = (await import('pg')).default;
    admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    database = openPostgres(adminUrl.replace(/\/[^/?]*(\?|$)/, `/${name}$1`), { poolSize: 1 });
  } else database = openDatabase(':memory:');
  const db = database.db;
  try {
    await migrateToLatest(db);
    const now = (hour: number) => new Date(Date.UTC(2026, 2, 1, hour)).toISOString();
    const blogs: { id: number }[] = [];
    const feeds: Source[] = [];
    for (let n = 0; n < 14; n++) {
      const blog = await insertBlog(db, { homeUrl: `${blogUrl(n)}/`, urlKey: `blog${n}.example`, title: null, description: null, pingbackEndpoint: n % 4 === 0 ? `${blogUrl(n)}/xmlrpc.php` : null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now(0));
      blogs.push(blog);
      feeds.push(await insertSource(db, { blogId: blog.id, kind: 'feed', url: `${blogUrl(n)}/feed/`, nextCheckAt: now(0) }, now(0)));
    }
    const ingest = (source: unknown, items: Item[], hour: number) => ingestFeedItems(db, source, { items, title: null }, now(hour));

    // First polls of twelve blogs: every part new (20 posts each).
    for (let n = 0; n < 12; n++) await ingest(feeds[n], Array.from({ length: 20 }, (_, i) => circlePost(n, 1000 + i, i)), 1);
    // The same feeds changed: five new posts, three edited, comment counts moved, the rest unchanged.
    for (let n = 0; n < 12; n++) {
      const items = Array.from({ length: 20 }, (_, i) => {
        const p = circlePost(n, 1000 + i, i, i % 7 === 3);
        return i % 4 === 1 ? { ...p, commentCount: (p.commentCount ?? 0) + 2 } : p;
      });
      await ingest(feeds[n], [...Array.from({ length: 5 }, (_, i) => circlePost(n, 2000 + i, i)), ...items.slice(0, 15)], 2);
    }
    // A long feed: three parts, each post answering the one before it.
    await ingest(
      feeds[12],
      Array.from({ length: 120 }, (_, i) =>
        item({
          guid: `long-${i}`, url: `${blogUrl(12)}/long/${i}/`, title: `Lang ${i}`, authorName: 'Lang',
          contentHtml: `<p><a href="${blogUrl(12)}/long/${i + 1}/">davor</a> und <a href="${blogUrl(i % 12)}/2008/11/post-100${i % 10}/">drüben</a></p>`,
          publishedAt: at(12, i % 24), commentCount: i % 3,
        }),
      ),
      3,
    );
    // A feed naming one item twice (read item by item), and posts linking two debates at once (they merge).
    const twice = circlePost(13, 3000, 0);
    await ingest(feeds[13], [twice, circlePost(13, 3001, 1), { ...twice, title: 'Zweimal' }], 4);
    await ingest(
      feeds[13],
      [0, 6].map((k, i) =>
        item({ guid: `merge-${k}`, url: `${blogUrl(13)}/merge/${k}/`, title: `Brücke ${k}`, contentHtml: `<p><a href="${blogUrl(k)}/2008/11/post-1001/">a</a> <a href="${blogUrl(k + 6)}/2008/11/post-1001/">b</a></p>`, publishedAt: at(13, i), commentCount: 4 }),
      ),
      5,
    );
    // Comment feeds of posts: replies threaded under each other, a pingback and a trackback shown as comments.
    for (const n of [0, 1, 6]) {
      const post = `${blogUrl(n)}/2008/11/post-1002/`;
      const source = (await listSourcesByBlog(db, blogs[n]!.id)).find((s: { kind: string; url: string }) => s.kind === 'post-comments' && s.url.startsWith(post));
      const comments = [
        item({ guid: `${post}#c1`, url: `${post}#comment-1`, authorName: 'Leserin', contentHtml: '<p>Guter Punkt.</p>', publishedAt: at(14, 1) }),
        item({ guid: `${post}#c2`, url: `${post}#comment-2`, authorName: 'Leser', contentHtml: '<p>Nein.</p>', publishedAt: at(14, 2), inReplyTo: [{ ref: `${post}#c1`, href: `${post}#comment-1` }] }),
        item({ guid: `${post}#c3`, url: `${post}#comment-3`, authorName: 'Blog 5', authorUrl: `${blogUrl(5)}/2008/11/post-1002/`, contentHtml: '<p>[…] siehe dort […]</p>', publishedAt: at(14, 3) }),
        item({ guid: `${post}#c4`, url: `${post}#comment-4`, authorName: 'Fremd', authorUrl: 'http://fremd.example/antwort/', contentHtml: '<p><strong>Antwort</strong> ein Auszug</p>', publishedAt: at(14, 4) }),
      ];
      await ingest(source, comments, 6);
      await ingest(source, [...comments, item({ guid: `${post}#c5`, url: `${post}#comment-5`, authorName: 'Spät', contentHtml: '<p>Noch was.</p>', publishedAt: at(14, 5) })], 7);
    }
    // A TrackBack listing of a post: the pings it names come by the listing channel.
    const listed = `${blogUrl(1)}/2008/11/post-1003/`;
    const listing = await insertSource(db, { blogId: blogs[1]!.id, kind: 'trackback-listing', url: `${listed}trackback/?__mode=rss`, nextCheckAt: now(0) }, now(0));
    await ingest(
      listing,
      [1, 2].map((k) => item({ guid: `tb-${k}`, url: `http://fremd${k}.example/post/`, title: `Trackback ${k}`, authorName: `Fremd ${k}`, contentHtml: `<p>Auszug ${k}</p>`, publishedAt: at(15, k) })),
      8,
    );
    // A blog waiting for a moderator: stored, not threaded.
    const waiting = await insertBlog(db, { homeUrl: 'http://wartet.example/', urlKey: 'wartet.example', title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now(0));
    await db.updateTable('blogs').set({ approval: 'pending' }).where('id', '=', waiting.id).execute();
    const waitingFeed = await insertSource(db, { blogId: waiting.id, kind: 'feed', url: 'http://wartet.example/feed/', nextCheckAt: now(0) }, now(0));
    await ingest(waitingFeed, [0, 1, 2].map((k) => item({ guid: `w-${k}`, url: `http://wartet.example/${k}/`, title: `Wartet ${k}`, contentHtml: `<p><a href="${blogUrl(0)}/2008/11/post-1000/">x</a></p>`, publishedAt: at(16, k) })), 9);

    const tables: string[] = adminUrl
      ? (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(db)).rows.map((r) => r.name)
      : (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'entries_fts_%' order by 1`.execute(db)).rows.map((r) => r.name);
    const out: Record<string, Row[]> = {};
    for (const table of tables) {
      if (skipped.has(table)) continue;
      // The full-text index of SQLite: its rows with the entry each indexes (the shadow tables are its storage).
      const query = table === 'entries_fts' ? sql<Row>`select rowid as entry_id, * from entries_fts` : sql<Row>`select * from ${sql.table(table)}`;
      const rows = (await query.execute(db)).rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? Number(v) : v])));
      // Row order on disk is not what is stored: sorted by every column's value.
      out[table] = rows.map((r) => JSON.stringify(r)).sort().map((r) => JSON.parse(r) as Row);
    }
    return out;
  } finally {
    await database.close();
    if (admin) {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }
}

/** Lists the differences between two dumps: tables whose rows differ, with the first rows that do. */
function compare(a: Record<string, Row[]>, b: Record<string, Row[]>): string[] {
  const out: string[] = [];
  for (const table of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const x = (a[table] ?? []).map((r) => JSON.stringify(r));
    const y = (b[table] ?? []).map((r) => JSON.stringify(r));
    if (x.length !== y.length) out.push(`${table}: ${x.length} rows against ${y.length}`);
    const ys = new Set(y);
    const missing = x.filter((r) => !ys.has(r));
    if (missing.length) out.push(`${table}: ${missing.length} rows differ, first: ${missing[0]} / ${y.find((r) => !new Set(x).has(r))}`);
  }
  return out;
}

const args = process.argv.slice(2);
if (args[0] === '--compare') {
  const read = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, Row[]>;
  const a = read(args[1]!);
  const diffs = compare(a, read(args[2]!));
  const rows = Object.values(a).reduce((n, t) => n + t.length, 0);
  console.log(diffs.length ? diffs.join('\n') : `identical: ${Object.keys(a).length} tables, ${rows} rows`);
  process.exitCode = diffs.length ? 1 : 0;
} else {
  const [checkout, file, adminUrl] = args;
  if (!checkout || !file) throw new Error('usage: store-rows.ts <checkout> <out.json> [postgres admin URL] | --compare <a.json> <b.json>');
  const rows = await storeRows(path.resolve(checkout), adminUrl);
  fs.writeFileSync(file, JSON.stringify(rows));
  console.log(`${file}: ${Object.keys(rows).length} tables, ${Object.values(rows).reduce((n, t) => n + t.length, 0)} rows`);
}
