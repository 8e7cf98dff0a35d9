// Importing an OPML list of blogs against loopback fixture blogs: nested outlines, bad entries
// (an unreachable address, a page without feeds, a non-feed outline, duplicates), a feed that
// moved with a working home page, and a line per outline as each finishes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { startDemoBlogs, type DemoBlogs } from '../../src/demo/blogs.ts';
import { startFixtureServer, type FixtureServer } from '../../src/demo/fixture-server.ts';
import { OpmlError, parseOpml } from '../../src/feeds/opml.ts';
import { createFetcher, type Fetcher } from '../../src/reader/fetcher.ts';
import { importOpml, type ImportLine } from '../../src/registry/import-opml.ts';
import { listBlogs } from '../../src/store/blogs.ts';
import { listBlogSources } from '../../src/store/sources.ts';
import { testConfig } from '../support/app.ts';
import { createTestDatabase } from '../support/db.ts';

let demo: DemoBlogs;
let plain: FixtureServer;
let closedOrigin: string;
let fetcher: Fetcher;

beforeAll(async () => {
  demo = await startDemoBlogs();
  plain = await startFixtureServer({
    '/': { headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<!doctype html><title>Visitenkarte</title><p>Kein Blog, kein Feed.</p>' },
  });
  const closed = await startFixtureServer();
  closedOrigin = closed.origin;
  await closed.close();
  const config = testConfig();
  fetcher = createFetcher({ ...config.fetcher, userAgent: config.userAgent });
});

afterAll(async () => {
  await fetcher.close();
  await plain.close();
  await demo.close();
});

const home = (key: 'sachar' | 'planetsab' | 'freitag') => demo.blogs.find((b) => b.key === key)!.homeUrl;
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

function blogWeek(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Blogwoche „Social Media“ 2008</title></head>
  <body>
    <outline text="Teilnehmer">
      <outline text="Berlin">
        <outline type="RSS" text="Sachar" xmlUrl="${escape(home('sachar'))}feed/" htmlUrl="${escape(home('sachar'))}"/>
        <outline text="Hamburg">
          <outline type="rss" text="planetsab" XMLURL="${escape(home('planetsab'))}feed/"/>
          <outline type="Atom" text="Freitag (Feed umgezogen)" xmlUrl="${escape(home('freitag'))}alter-feed/" htmlUrl="${escape(home('freitag'))}"/>
        </outline>
      </outline>
      <outline type="rss" text="Offline" xmlUrl="${closedOrigin}/feed/"/>
      <outline type="rss" text="Visitenkarte" xmlUrl="${plain.origin}/"/>
      <outline type="include" text="Podcast-Liste" url="http://podcasts.example/list.opml"/>
      <outline type="rss" text="planetsab (Kopie)" xmlUrl="${escape(home('planetsab').replace('http://', 'HTTP://'))}feed/?utm_source=opml"/>
    </outline>
  </body>
</opml>`;
}

describe('importOpml', () => {
  let database: OpenedDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  it('registers the blogs of a nested list, reports each bad entry with its reason, and skips duplicates', async () => {
    const progress: string[] = [];
    const report = await importOpml({ db: database.db, fetch: fetcher.fetch }, blogWeek(), {
      onLine: (line, done, total) => progress.push(`${done}/${total} ${line.outcome} ${line.title}`),
    });
    expect(report.listTitle).toBe('Blogwoche „Social Media“ 2008');
    const byTitle = new Map(report.lines.map((l) => [l.title, l]));
    expect(byTitle.get('Sachar')).toMatchObject({ outcome: 'registered', url: `${home('sachar')}feed/` });
    expect(byTitle.get('planetsab')).toMatchObject({ outcome: 'registered' });
    // The feed is gone; the home page leads to the blog.
    expect(byTitle.get('Freitag (Feed umgezogen)')).toMatchObject({ outcome: 'registered', url: home('freitag') });
    expect(byTitle.get('Offline')!.outcome).toBe('failed');
    expect(byTitle.get('Offline')!.reason).toMatch(/connect|refused|reach/i);
    expect(byTitle.get('Visitenkarte')!.outcome).toBe('failed');
    expect(byTitle.get('Visitenkarte')!.reason).toMatch(/feed/i);
    expect(byTitle.get('Podcast-Liste')).toMatchObject({ outcome: 'failed', reason: 'outline type "include" is not a feed' });
    expect(report.lines.filter((l) => l.outcome === 'duplicate').map((l) => l.url)).toEqual([`${home('planetsab').replace('http://', 'HTTP://')}feed/?utm_source=opml`]);
    expect(report).toMatchObject({ registered: 3, known: 0, failed: 3, duplicates: 1 });

    // One progress line per outline, numbered as they finish.
    expect(progress).toHaveLength(7);
    expect(progress.map((p) => p.split(' ')[0])).toEqual(['1/7', '2/7', '3/7', '4/7', '5/7', '6/7', '7/7']);

    const blogs = await listBlogs(database.db);
    expect(blogs.map((b) => b.homeUrl).sort()).toEqual([home('freitag'), home('planetsab'), home('sachar')].sort());
    const feeds = (await listBlogSources(database.db, blogs.map((b) => b.id))).filter((s) => s.kind === 'feed').map((s) => s.url);
    expect(feeds.sort()).toEqual(demo.blogs.map((b) => `${b.homeUrl}feed/`).sort());
  });

  it('finds blogs already there on a second import and registers nothing twice', async () => {
    const lines: ImportLine[] = [];
    const report = await importOpml({ db: database.db, fetch: fetcher.fetch }, blogWeek(), { onLine: (l) => lines.push(l) });
    expect(report).toMatchObject({ registered: 0, known: 3, failed: 3, duplicates: 1 });
    expect((await listBlogs(database.db)).length).toBe(3);
  });

  it('registers at most `concurrency` blogs at once', async () => {
    const db = await createTestDatabase();
    let running = 0;
    let peak = 0;
    const slowFetch: typeof fetcher.fetch = async (...args) => {
      running += 1;
      peak = Math.max(peak, running);
      try {
        await new Promise((r) => setTimeout(r, 20));
        return await fetcher.fetch(...args);
      } finally {
        running -= 1;
      }
    };
    const outlines = Array.from({ length: 8 }, (_, i) => `<outline type="rss" text="n${i}" xmlUrl="${closedOrigin}/feed-${i}/"/>`).join('');
    const report = await importOpml({ db: db.db, fetch: slowFetch }, `<opml version="2.0"><body>${outlines}</body></opml>`, { concurrency: 2 });
    expect(report.failed).toBe(8);
    expect(peak).toBe(2);
    await db.close();
  });

  it('reads a long list through the reader it is given (a reading thread), not where it was called', async () => {
    const asked: number[] = [];
    const reader = { readOpml: async (text: string) => (asked.push(text.length), parseOpml(text)) };
    // 10,000 outlines without an address: 220 KB, each a line of its own in the report.
    const long = `<opml version="2.0"><body>${'<outline text="leer"/>'.repeat(10_000)}</body></opml>`;
    const report = await importOpml({ db: database.db, fetch: fetcher.fetch, reader }, long);
    expect(asked).toEqual([long.length]);
    expect(report.failed).toBe(10_000);
    expect(report.lines[0]!.reason).toBe('outline has neither xmlUrl nor htmlUrl');
  });

  it('refuses a document that is not OPML, before registering anything', async () => {
    await expect(importOpml({ db: database.db, fetch: fetcher.fetch }, '<html><body>nope</body></html>')).rejects.toBeInstanceOf(OpmlError);
  });
});
