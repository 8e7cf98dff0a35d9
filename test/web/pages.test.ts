// The HTML pages through app.inject: languages, the conversation views, microformats, search,
// validators and the page cache, error pages, and hostile content.
import { mf2 } from 'microformats-parser';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debateSlugs } from '../../src/demo/debate.ts';
import { refreshConversation } from '../../src/store/conversation-union.ts';
import { pickLocale } from '../../src/views/i18n.ts';
import { startDemoDebate, type DemoDebate } from '../support/demo-debate.ts';
import { onPostgres } from '../support/db.ts';

interface ApiEntry {
  id: number;
  kind: string;
  url: string | null;
  title: string | null;
  author: { name: string | null };
  inReplyTo: number | null;
}

let d: DemoDebate;
let entries: ApiEntry[];
const de = { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' };

function byAuthor(name: string): ApiEntry {
  const e = entries.find((x) => x.author.name === name);
  if (!e) throw new Error(`no entry by ${name}`);
  return e;
}

beforeAll(async () => {
  d = await startDemoDebate();
  entries = (await d.t.app.inject(`/api/conversations/${d.conversationId}`)).json().entries;
});

afterAll(async () => {
  await d.close();
});

describe('pickLocale', () => {
  it('prefers ?lang, then the cookie, then the best-weighted Accept-Language, else English', () => {
    expect(pickLocale({ query: 'de', cookie: 'lang=en', acceptLanguage: 'en' })).toBe('de');
    expect(pickLocale({ query: 'fr', cookie: 'x=1; lang=en', acceptLanguage: 'de' })).toBe('en');
    expect(pickLocale({ acceptLanguage: 'fr-FR, en;q=0.4, de;q=0.8' })).toBe('de');
    expect(pickLocale({ acceptLanguage: 'de-AT;q=0, en-GB' })).toBe('en');
    expect(pickLocale({ acceptLanguage: 'fr, it' })).toBe('en');
    expect(pickLocale({})).toBe('en');
  });
});

describe('GET /c/:id', () => {
  it('speaks German for Accept-Language de, with dates, times and numbers through Intl', async () => {
    const res = await d.t.app.inject({ url: `/c/${d.conversationId}`, headers: { ...de, cookie: 'tz=Europe/Berlin' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers.vary).toMatch(/Accept-Language/);
    expect(res.body).toContain('<html lang="de">');
    expect(res.body).toContain('3 Beiträge · 6 Kommentare · 2 Linkbacks · 3 Blogs');
    // Sachar posted at 08:47 UTC, 09:47 in Berlin: the date and time, not "vor 18 Jahren".
    expect(res.body).toMatch(/title="Mittwoch, 12\. November 2008 um 09:47 MEZ">12\. Nov\. 2008, 09:47</);
    expect(res.body).not.toMatch(/vor \d+ Jahren/);
    expect(res.body).toContain('Zeitzone: Mitteleuropäische Zeit (Europe/Berlin)');
    expect(res.body).toContain('Antwort auf');
    expect(res.body).toContain('>Weiterlesen<');
    expect(res.body).toContain('über <span class="channel channel-feed">Feed</span>, <span class="channel channel-pingback">Pingback</span>');
  });

  it('speaks English by default and switches language with ?lang, remembered in a cookie', async () => {
    const en = await d.t.app.inject(`/c/${d.conversationId}`);
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('3 posts · 6 comments · 2 linkbacks · 3 blogs');
    expect(en.body).toMatch(/>Nov 12, 2008, \d{1,2}:\d\d [AP]M</);
    expect(en.body).not.toMatch(/years ago/);
    expect(en.body).toContain(`href="/c/${d.conversationId}?lang=de"`);

    const switched = await d.t.app.inject({ url: `/c/${d.conversationId}?lang=de` });
    expect(switched.body).toContain('<html lang="de">');
    const cookie = String(switched.headers['set-cookie']);
    expect(cookie).toMatch(/^lang=de; Path=\/;/);
    const next = await d.t.app.inject({ url: '/', headers: { cookie: 'lang=de', 'accept-language': 'en' } });
    expect(next.body).toContain('<h1>Gespräche</h1>');
    const blogs = await d.t.app.inject({ url: '/blogs', headers: { cookie: 'lang=de' } });
    expect(blogs.body).toContain('<a href="/blogs/import">Blogs aus OPML importieren</a> · <a href="/blogs.opml">Alle Blogs als OPML exportieren</a>');
    expect(blogs.body).toContain('<caption>3 registrierte Blogs</caption>');
  });

  it('shows every entry in time order, with the entry language, titles of posts and one mark per blog', async () => {
    const res = await d.t.app.inject(`/c/${d.conversationId}`);
    const ids = [...res.body.matchAll(/<article class="entry[^"]*" id="e-(\d+)"/g)].map((m) => Number(m[1]));
    expect(ids).toEqual(entries.map((e) => e.id));
    expect(res.body).toContain('lang="de"');
    expect(res.body).toContain('<h2 class="entry-title p-name">');
    const marks = [...res.body.matchAll(/<li class="blog-c(\d)"><span class="mark" aria-hidden="true">(.)<\/span><a href="\/blogs\/\d+">([^<]+)</g)].map((m) => [m[1], m[2], m[3]]);
    expect(marks).toEqual([
      ['0', 'S', 'Sachar’s Blog'],
      ['1', 'P', 'planetsab'],
      ['2', 'F', 'Freitag'],
    ]);
  });

  it('links subscribe feeds and names the ping endpoints under PUBLIC_URL', async () => {
    const res = await d.t.app.inject(`/c/${d.conversationId}`);
    for (const ext of ['atom', 'rss', 'json']) expect(res.body).toContain(`href="/c/${d.conversationId}/feed.${ext}"`);
    expect(res.body).toContain(`<link rel="pingback" href="${d.t.config.publicUrl}/xmlrpc" />`);
    expect(res.body).toContain(`${d.t.config.publicUrl}/webmention`);
    expect(res.body).toContain('trackback:ping=');
    expect(res.headers['x-pingback']).toBe(`${d.t.config.publicUrl}/xmlrpc`);
  });

  it('nests the threaded reply under Jens Best and Freitag under planetsab in the thread view', async () => {
    const res = await d.t.app.inject(`/c/${d.conversationId}?view=thread`);
    expect(res.body).toMatch(/<a href="\/c\/\d+\?view=thread" aria-current="page">/);
    const jens = byAuthor('Jens Best');
    const katrin = entries.find((e) => e.author.name === 'Katrin R.' && e.inReplyTo === jens.id)!;
    const planetsab = entries.find((e) => e.url === d.demo.permalink('planetsab', debateSlugs.planetsab))!;
    const freitag = entries.find((e) => e.url === d.demo.permalink('freitag', debateSlugs.freitag))!;
    // The reply's <li> sits inside the list that follows its parent's article.
    const nestedUnder = (parent: number, child: number) =>
      new RegExp(`id="e-${parent}"[\\s\\S]*?</article><ol class="thread depth-\\d">(?:(?!</ol>)[\\s\\S])*?id="e-${child}"`).test(res.body);
    expect(nestedUnder(jens.id, katrin.id)).toBe(true);
    expect(freitag.inReplyTo).toBe(planetsab.id);
    expect(res.body.indexOf(`id="e-${freitag.id}"`)).toBeGreaterThan(res.body.indexOf(`id="e-${planetsab.id}"`));
    expect(nestedUnder(jens.id, freitag.id)).toBe(false);
  });

  it('is an mf2 h-feed of h-entries with authors, dates, replies and content', async () => {
    const res = await d.t.app.inject(`/c/${d.conversationId}`);
    const parsed = mf2(res.body, { baseUrl: `${d.t.config.publicUrl}/c/${d.conversationId}` });
    const feed = parsed.items.find((i) => i.type?.includes('h-feed'))!;
    expect(feed.properties.name).toEqual(['Idee: ein Social Media Camp']);
    const hentries = feed.children ?? [];
    expect(hentries).toHaveLength(entries.length);
    const jens = byAuthor('Jens Best');
    const jensItem = hentries[entries.indexOf(jens)]!;
    const author = jensItem.properties.author?.[0] as { type: string[]; properties: Record<string, unknown[]> };
    expect(author.type).toEqual(['h-card']);
    expect(author.properties.name).toEqual(['Jens Best']);
    expect(jensItem.properties.published?.[0]).toMatch(/^2008-11-\d\dT/);
    expect(jensItem.properties['in-reply-to']).toEqual([d.demo.permalink('planetsab', debateSlugs.planetsab)]);
    expect(jensItem.properties.url).toContain(jens.url);
    const content = jensItem.properties.content?.[0] as { html: string; value: string };
    expect(content.value).toContain('Schöner Exkurs');
    const root = hentries[0]!;
    expect(root.properties.name).toEqual(['Idee: ein Social Media Camp']);
  });

  it('answers 304 to If-None-Match and If-Modified-Since, and 200 once the conversation changes', async () => {
    const url = `/c/${d.conversationId}`;
    const first = await d.t.app.inject(url);
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers['last-modified']).toBeDefined();
    expect((await d.t.app.inject({ url, headers: { 'if-none-match': etag } })).statusCode).toBe(304);
    expect((await d.t.app.inject({ url, headers: { 'if-none-match': `"other", W/${etag}` } })).statusCode).toBe(304);
    expect((await d.t.app.inject({ url, headers: { 'if-modified-since': String(first.headers['last-modified']) } })).statusCode).toBe(304);
    expect((await d.t.app.inject({ url: `${url}?view=thread`, headers: { 'if-none-match': etag } })).statusCode).toBe(200);
    expect((await d.t.app.inject({ url, headers: { 'if-none-match': etag, ...de } })).statusCode).toBe(200);

    d.demo.addComment('planetsab', debateSlugs.planetsab, { author: 'Sachar', content: 'Neuer Kommentar für den Cache-Test.', date: '2008-11-18T09:00:00Z', parentId: 1187 });
    await d.t.poller.pollOnce({ force: true });
    const after = await d.t.app.inject({ url, headers: { 'if-none-match': etag } });
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('Neuer Kommentar für den Cache-Test.');
    expect(after.headers.etag).not.toBe(etag);
    entries = (await d.t.app.inject(`/api/conversations/${d.conversationId}`)).json().entries;
  });

  it('serves a changed entry at once although the page was cached', async () => {
    const url = `/c/${d.conversationId}`;
    await d.t.app.inject(url);
    const jens = byAuthor('Jens Best');
    const db = d.t.database.db;
    await sql`update entries set content_html = '<p>Geänderter Text.</p>', tombstoned_at = null where id = ${jens.id}`.execute(db);
    // What threading does after any change: the conversation's version moves.
    await refreshConversation(db, d.conversationId, new Date(Date.now() + 1000).toISOString());
    expect((await d.t.app.inject(url)).body).toContain('Geänderter Text.');
  });

  it('shows a tombstone for an entry whose source is gone, without its content', async () => {
    const thomas = byAuthor('Thomas W.');
    const db = d.t.database.db;
    await sql`update entries set tombstoned_at = '2008-12-01T00:00:00.000Z' where id = ${thomas.id}`.execute(db);
    await refreshConversation(db, d.conversationId, new Date(Date.now() + 2000).toISOString());
    const res = await d.t.app.inject(`/c/${d.conversationId}`);
    const article = new RegExp(`<article class="entry h-entry kind-comment blog-c\\d tombstone" id="e-${thomas.id}"[\\s\\S]*?</article>`).exec(res.body)?.[0] ?? '';
    expect(article).toContain('This entry is gone from its source.');
    expect(article).toContain('class="dt-deleted"');
    expect(article).not.toContain('e-content');
    await sql`update entries set tombstoned_at = null where id = ${thomas.id}`.execute(db);
    await refreshConversation(db, d.conversationId, new Date(Date.now() + 3000).toISOString());
  });

  it('says when comments may be missing', async () => {
    const db = d.t.database.db;
    await sql`update conversations set missing_count = 3, updated_at = ${new Date(Date.now() + 4000).toISOString()} where id = ${d.conversationId}`.execute(db);
    expect((await d.t.app.inject(`/c/${d.conversationId}`)).body).toContain('3 comments may be missing');
    expect((await d.t.app.inject({ url: `/c/${d.conversationId}`, headers: de })).body).toContain('3 Kommentare fehlen hier vielleicht');
    await refreshConversation(db, d.conversationId, new Date(Date.now() + 5000).toISOString());
  });
});

describe('GET /', () => {
  it('lists conversations with blogs, counts, activity and the newest entry', async () => {
    const res = await d.t.app.inject({ url: '/', headers: de });
    expect(res.statusCode).toBe(200);
    const item = /<li><article class="conversation-summary">[\s\S]*?Idee: ein Social Media Camp[\s\S]*?<\/article><\/li>/.exec(res.body)?.[0] ?? '';
    expect(item).toContain('3 Blogs: ');
    expect(item).toContain('Sachar’s Blog');
    // Earlier tests add a comment; the linkbacks are the two posts that also pinged.
    expect(item).toMatch(/3 Beiträge · \d Kommentare · 2 Linkbacks/);
    expect(item).toMatch(/begonnen <time datetime="2008-11-12[^"]*" title="Mittwoch, 12\. November 2008 um [^"]+">12\. Nov\. 2008<\/time>/);
    expect(item).toContain('class="excerpt"');
    expect(res.body).toContain('role="search"');
  });

  it('counts the posts that arrived as pingbacks as linkbacks, on the page and in the API', async () => {
    // planetsab's and Freitag's posts each pinged the post they answer (WordPress shows the pings
    // as comments); each is one node that came by feed and by pingback.
    const api = (await d.t.app.inject('/api/conversations')).json().conversations.find((c: { id: number }) => c.id === d.conversationId);
    expect(api).toMatchObject({ postCount: 3, linkbackCount: 2 });
    expect((await d.t.app.inject(`/api/conversations/${d.conversationId}`)).json()).toMatchObject({ linkbackCount: 2 });
    const viaPing = entries.filter((e) => (e as ApiEntry & { via: string[] }).via.includes('pingback'));
    expect(viaPing.map((e) => e.kind)).toEqual(['post', 'post']);
    expect((await d.t.app.inject('/?lang=en')).body).toMatch(/3 posts · \d comments · 2 linkbacks/);
  });

  it('recounts linkbacks of an existing database when migrating (0008)', async () => {
    const db = d.t.database.db;
    const before = await db.selectFrom('conversations').select(['id', 'linkback_count']).orderBy('id').execute();
    await sql`update conversations set linkback_count = 0`.execute(db);
    const { up } = await import('../../migrations/0008_linkback_counts.ts');
    await up(db as never);
    expect(await db.selectFrom('conversations').select(['id', 'linkback_count']).orderBy('id').execute()).toEqual(before);
    expect(before.find((c) => c.id === d.conversationId)?.linkback_count).toBe(2);
  });

  it('pages after 30 conversations', async () => {
    const res = await d.t.app.inject('/?page=2');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/" rel="prev"');
    expect(res.body).not.toContain('conversation-summary');
  });
});

describe('GET /?q= (search)', () => {
  it('finds entries by words of their text, title and author, linking into their conversation', async () => {
    const text = await d.t.app.inject('/?q=Exkurs');
    expect(text.body).toContain(`href="/c/${d.conversationId}#e-`);
    expect(text.body).toContain('<mark>');
    const author = await d.t.app.inject('/?q=jens best');
    const jens = byAuthor('Jens Best');
    expect(author.body).toContain(`#e-${jens.id}"`);
    // Diacritics fold: "uber" finds "über".
    expect((await d.t.app.inject('/?q=Gerede')).body).toContain('Social Media Camp: Viel Gerede, noch kein Camp');
  });

  it('takes any input as words, never as FTS5 syntax', async () => {
    for (const q of ['"', 'camp OR (', 'NEAR(a b)', '*', '-camp', "'; drop table entries; --"]) {
      const res = await d.t.app.inject(`/?q=${encodeURIComponent(q)}`);
      expect(res.statusCode, q).toBe(200);
    }
    expect((await d.t.app.inject('/?q=%20')).body).toContain('Type at least one word.');
    expect((await d.t.app.inject('/?q=zzzyxw')).body).toContain('Nothing found.');
  });

  it('follows edits and deletions of entries (the index triggers)', async () => {
    const db = d.t.database.db;
    const katrin = byAuthor('Katrin R.');
    await sql`update entries set content_text = 'Quastenflosser im Kommentar' where id = ${katrin.id}`.execute(db);
    expect((await d.t.app.inject('/?q=quastenflosser')).body).toContain(`#e-${katrin.id}"`);
    await sql`update entries set content_text = 'wieder normal' where id = ${katrin.id}`.execute(db);
    expect((await d.t.app.inject('/?q=quastenflosser')).body).toContain('Nothing found.');
    if (onPostgres) {
      // PostgreSQL's vectors live beside the entries (entry_search), kept by triggers on the
      // searched columns: another column's update (threading, counts) leaves them alone.
      const count = async (word: string) => Number((await sql<{ n: number }>`select count(*) as n from entry_search where search_vector @@ to_tsquery('palaver_search', ${word})`.execute(db)).rows[0]!.n);
      const version = async () => (await sql<{ v: string }>`select xmin::text as v from entry_search where entry_id = ${katrin.id}`.execute(db)).rows[0]!.v;
      expect(await count('normal')).toBe(1);
      const before = await version();
      await sql`update entries set comment_count = 3, conversation_id = conversation_id where id = ${katrin.id}`.execute(db);
      expect(await version()).toBe(before);
      await sql`update entries set title = 'Ein Exkurs' where id = ${katrin.id}`.execute(db);
      expect(await version()).not.toBe(before);
      expect((await d.t.app.inject('/?q=exkurs')).body).toContain(`#e-${katrin.id}"`);
      await db.transaction().execute(async (trx) => {
        await sql`set local session_replication_role = replica`.execute(trx);
        await sql`delete from entry_search where entry_id = ${katrin.id}`.execute(trx);
        await sql`delete from entries where id = ${katrin.id}`.execute(trx);
      });
      expect(await count('normal')).toBe(0);
      expect(await count('exkurs')).toBeGreaterThan(0);
      return;
    }
    const count = async () => Number((await sql<{ n: number }>`select count(*) as n from entries_fts where entries_fts match 'normal'`.execute(db)).rows[0]!.n);
    expect(await count()).toBe(1);
    await sql`pragma foreign_keys = off`.execute(db);
    await sql`delete from entries where id = ${katrin.id}`.execute(db);
    await sql`pragma foreign_keys = on`.execute(db);
    expect(await count()).toBe(0);
    expect((await sql<{ r: string }>`select count(*) as r from entries_fts where entries_fts match 'Exkurs'`.execute(db)).rows[0]!.r).toBeGreaterThan(0);
    await sql`insert into entries_fts(entries_fts) values ('integrity-check')`.execute(db);
  });
});

describe('one node once', () => {
  // The demo's pingbacks arrive twice: as WordPress comments on the pinged post (author = the
  // pinging post's title) and as the pinging post itself; Palaver merges them into the post.
  async function nodesByBlog(): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>();
    const list = (await d.t.app.inject('/api/conversations')).json().conversations as { id: number }[];
    for (const c of list) {
      for (const e of (await d.t.app.inject(`/api/conversations/${c.id}`)).json().entries as { id: number; blog: { id: number } | null }[]) {
        if (e.blog) out.set(e.blog.id, [...(out.get(e.blog.id) ?? []), e.id]);
      }
    }
    return out;
  }

  it('lists and counts a merged pingback once on the blog pages, the registry and the API', async () => {
    const nodes = await nodesByBlog();
    const blogs = (await d.t.app.inject('/api/blogs')).json().blogs as { id: number; title: string; entryCount: number }[];
    const registry = (await d.t.app.inject('/blogs')).body;
    for (const blog of blogs) {
      const ids = nodes.get(blog.id) ?? [];
      expect(blog.entryCount, blog.title).toBe(ids.length);
      expect((await d.t.app.inject(`/api/blogs/${blog.id}`)).json().entryCount, blog.title).toBe(ids.length);
      expect(registry).toMatch(new RegExp(`href="/blogs/${blog.id}">[\\s\\S]*?<td[^>]*class="number">${ids.length}</td>\\s*</tr>`));
      const page = (await d.t.app.inject(`/blogs/${blog.id}`)).body;
      const newest = /<section aria-labelledby="entries">([\s\S]*?)<\/section>/.exec(page)?.[1] ?? '';
      const shown = [...newest.matchAll(/#e-(\d+)"/g)].map((m) => Number(m[1]));
      expect(shown.length, blog.title).toBe(Math.min(30, ids.length));
      expect(new Set(shown).size, blog.title).toBe(shown.length);
      for (const id of shown) expect(ids, `${blog.title} lists entry ${id}`).toContain(id);
      // WordPress's "Blog Archive »" comment author is the record's name, never a row of its own.
      expect(newest, blog.title).not.toContain('Blog Archive');
    }
  });

  it('shows the merged post once in search results and in the feeds', async () => {
    const freitag = entries.find((e) => e.title === 'Social Media Camp: Viel Gerede, noch kein Camp')!;
    const hits = (await d.t.app.inject('/?q=Gerede')).body;
    expect(hits.match(new RegExp(`#e-${freitag.id}"`, 'g'))).toHaveLength(1);
    for (const path of ['/feed.json', `/c/${d.conversationId}/feed.json`]) {
      const ids = ((await d.t.app.inject(path)).json().items as { id: string }[]).map((i) => i.id);
      expect(new Set(ids).size, path).toBe(ids.length);
      expect(ids.filter((id) => id.endsWith(`/e/${freitag.id}`)), path).toHaveLength(1);
    }
  });
});

describe('error pages', () => {
  it('answers 404 in the site look and the reader’s language', async () => {
    const en = await d.t.app.inject('/c/999999');
    expect(en.statusCode).toBe(404);
    expect(en.headers['content-type']).toMatch(/^text\/html/);
    expect(en.body).toContain('<h1>Not found</h1>');
    expect(en.body).toContain('href="/assets/palaver.css"');
    const german = await d.t.app.inject({ url: '/nirgends', headers: de });
    expect(german.statusCode).toBe(404);
    expect(german.body).toContain('<h1>Nicht gefunden</h1>');
  });

  it('answers 500 without internals', async () => {
    const { createTestApp } = await import('../support/app.ts');
    const t = await createTestApp();
    try {
      t.app.get('/boom', async () => {
        throw new Error('secret detail at /srv/palaver/db.ts:12');
      });
      const res = await t.app.inject({ url: '/boom', headers: de });
      expect(res.statusCode).toBe(500);
      expect(res.body).toContain('Etwas ist schiefgegangen');
      expect(res.body).not.toContain('secret detail');
      expect(res.body).not.toContain('db.ts');
    } finally {
      await t.close();
    }
  });
});

describe('hostile content', () => {
  it('shows sanitized content only: no script, no event handler, no javascript: URL', async () => {
    const { createTestApp } = await import('../support/app.ts');
    const { startHostileBlog } = await import('../support/hostile-blog.ts');
    const t = await createTestApp();
    const hostile = await startHostileBlog();
    try {
      const { registerBlog } = await import('../../src/registry/register-blog.ts');
      await registerBlog({ db: t.database.db, fetch: t.fetcher.fetch }, hostile.homeUrl);
      await t.poller.pollOnce({ force: true });
      const list = (await t.app.inject('/api/conversations')).json().conversations as { id: number }[];
      expect(list.length).toBeGreaterThan(0);
      const res = await t.app.inject(`/c/${list[0]!.id}`);
      expect(res.body).toContain('Harmloser Text');
      // Palaver's own script is a file under the CSP; nothing from the feed becomes a script.
      expect(res.body.replace('<script src="/assets/palaver.js" defer></script>', '')).not.toMatch(/<script/i);
      expect(res.body).not.toMatch(/\son\w+=/i);
      expect(res.body).not.toMatch(/javascript:/i);
      expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
    } finally {
      await hostile.close();
      await t.close();
    }
  });
});
