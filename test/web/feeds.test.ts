// The merged feeds over HTTP, built from the real Social Media Camp debate: three WordPress
// fixture blogs registered and polled, then every scope read in every format.
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { startDemoBlogs, type DemoBlogs } from '../../src/demo/blogs.ts';
import { startFixtureServer } from '../../src/demo/fixture-server.ts';
import { debateSlugs } from '../../src/demo/debate.ts';
import { parseOpml } from '../../src/feeds/opml.ts';
import { draftEntry } from '../../src/reader/entry-draft.ts';
import { registerBlog } from '../../src/registry/register-blog.ts';
import { recordEntry } from '../../src/ingest/record-entry.ts';
import { relationsOf } from '../../src/threading/relations.ts';
import { hostileCases } from '../feeds/hostile.ts';
import { childrenOf, onlyChild, parseStrictXml } from '../feeds/strict-xml.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

interface ApiEntry {
  id: number;
  kind: string;
  url: string | null;
  title: string | null;
  author: { name: string | null; url: string | null };
  blog: { id: number; title: string | null; url: string } | null;
  publishedAt: string;
  inReplyTo: number | null;
  via: string[];
}
interface ApiConversation {
  id: number;
  title: string;
  entries: ApiEntry[];
}
interface ThreadedItem {
  comments?: string;
  id?: string;
  guid?: string;
  'thr:in-reply-to'?: { $: { ref: string; href?: string } };
  'slash:comments'?: string;
  'wfw:commentRss'?: string;
}
interface JsonItem {
  id: string;
  url: string;
  title: string;
  date_published: string;
  content_html?: string;
  content_text?: string;
  _palaver: { kind: string; via: string[]; in_reply_to: { id: string; url: string | null } | null; conversation: { id: string; url: string }; replies: { count: number } | null; source: { url: string } | null };
}

const parser = new Parser<object, ThreadedItem>({ customFields: { item: ['thr:in-reply-to', 'slash:comments', 'wfw:commentRss'] } });
const formats = ['atom', 'rss', 'json'] as const;

/** One item as every format must carry it. */
interface Seen {
  id: string;
  title: string;
  link: string;
  date: string;
  inReplyTo: string | null;
}

async function readFeed(t: TestApp, path: string): Promise<Seen[]> {
  const res = await t.app.inject(path);
  expect(res.statusCode, `${path}: ${res.body.slice(0, 300)}`).toBe(200);
  if (path.endsWith('.json')) {
    const doc = JSON.parse(res.body) as { version: string; items: JsonItem[] };
    expect(doc.version).toBe('https://jsonfeed.org/version/1.1');
    return doc.items.map((i) => ({ id: i.id, title: i.title, link: i.url, date: new Date(i.date_published).toISOString(), inReplyTo: i._palaver.in_reply_to?.id ?? null }));
  }
  parseStrictXml(res.body);
  const feed = await parser.parseString(res.body);
  return feed.items.map((i) => ({
    id: (path.endsWith('.atom') ? i.id : i.guid) ?? '',
    title: i.title ?? '',
    link: i.link ?? '',
    date: i.isoDate ?? '',
    inReplyTo: i['thr:in-reply-to']?.$.ref ?? null,
  }));
}

describe('merged feeds of the Social Media Camp debate', () => {
  let t: TestApp;
  let demo: DemoBlogs;
  let debate: ApiConversation;
  const itemId = (id: number) => `${t.config.publicUrl}/e/${id}`;
  const byAuthor = (name: string) => debate.entries.find((e) => e.author.name === name)!;

  beforeAll(async () => {
    t = await createTestApp();
    demo = await startDemoBlogs({ freitagCharset: 'windows-1252' });
    for (const blog of demo.blogs) await registerBlog({ db: t.database.db, fetch: t.fetcher.fetch }, blog.homeUrl);
    await t.poller.pollOnce({ force: true });
    const list = (await t.app.inject('/api/conversations')).json().conversations as { id: number; title: string }[];
    const found = list.find((c) => c.title === 'Idee: ein Social Media Camp')!;
    debate = (await t.app.inject(`/api/conversations/${found.id}`)).json();
  });

  afterAll(async () => {
    await demo.close();
    await t.close();
  });

  // Newest first, as the feeds order them.
  const expected = (entries: ApiEntry[]) =>
    [...entries].sort((a, b) => b.publishedAt.localeCompare(a.publishedAt) || b.id - a.id);

  it.each(formats)('carries every entry of the conversation with id, title, link, date and parent (%s)', async (format) => {
    const items = await readFeed(t, `/c/${debate.id}/feed.${format}`);
    const want = expected(debate.entries);
    expect(want.length).toBeGreaterThan(5);
    expect(items.map((i) => i.id)).toEqual(want.map((e) => itemId(e.id)));
    expect(items.map((i) => i.link)).toEqual(want.map((e) => e.url));
    expect(items.map((i) => i.date)).toEqual(want.map((e) => new Date(e.publishedAt).toISOString()));
    expect(items.map((i) => i.inReplyTo)).toEqual(want.map((e) => (e.inReplyTo === null ? null : itemId(e.inReplyTo))));
    for (const [i, e] of want.entries()) if (e.kind === 'post') expect(items[i]!.title).toBe(e.title);
    expect(items.find((i) => i.id === itemId(byAuthor('Jens Best').id))!.title).toBe("Jens Best on 'Social Media Camp – ein kleiner Exkurs'");
  });

  it('names a threaded reply by the post it is on, and points at its parent comment', async () => {
    const jens = byAuthor('Jens Best');
    const katrin = debate.entries.find((e) => e.author.name === 'Katrin R.' && e.inReplyTo === jens.id)!;
    const items = await readFeed(t, `/c/${debate.id}/feed.atom`);
    const item = items.find((i) => i.id === itemId(katrin.id))!;
    expect(item.title).toBe("Katrin R. on 'Social Media Camp – ein kleiner Exkurs'");
    expect(item.inReplyTo).toBe(itemId(jens.id));
  });

  it('shows a post that also arrived as a pingback once, with both channels', async () => {
    const freitagUrl = demo.permalink('freitag', debateSlugs.freitag);
    const doc = JSON.parse((await t.app.inject('/feed.json')).body) as { items: JsonItem[] };
    const matches = doc.items.filter((i) => i.url === freitagUrl);
    expect(matches).toHaveLength(1);
    expect(matches[0]!._palaver.kind).toBe('post');
    expect(matches[0]!._palaver.via).toEqual(expect.arrayContaining(['feed', 'pingback']));
    expect(doc.items.filter((i) => i._palaver.kind === 'pingback')).toEqual([]);
    expect(new Set(doc.items.map((i) => i.id)).size).toBe(doc.items.length);
  });

  it('gives a post its replies: the conversation feed and how many answer it', async () => {
    const planetsab = debate.entries.find((e) => e.url === demo.permalink('planetsab', debateSlugs.planetsab))!;
    // Its comments at any depth, and the posts that answer it; not the comments on those posts.
    const direct = debate.entries.filter((e) => e.inReplyTo === planetsab.id);
    const nested = debate.entries.filter((e) => direct.some((d) => d.kind === 'comment' && d.id === e.inReplyTo));
    const answering = [...direct, ...nested];
    expect(answering.length).toBeGreaterThan(3);
    const rss = await parser.parseString((await t.app.inject(`/c/${debate.id}/feed.rss`)).body);
    const item = rss.items.find((i) => i.guid === itemId(planetsab.id))!;
    expect(item['wfw:commentRss']).toBe(`${t.config.publicUrl}/c/${debate.id}/feed.atom`);
    expect(Number(item['slash:comments'])).toBe(answering.length);
    expect(item.comments).toBe(`${t.config.publicUrl}/c/${debate.id}#e-${planetsab.id}`);
  });

  it.each(formats)('serves everything newest first, the debate included (%s)', async (format) => {
    const items = await readFeed(t, `/feed.${format}`);
    const dates = items.map((i) => i.date);
    expect(dates).toEqual([...dates].sort().reverse());
    for (const e of debate.entries) expect(items.map((i) => i.id)).toContain(itemId(e.id));
  });

  it.each(formats)('serves one blog: its own entries only, each intact (%s)', async (format) => {
    const planetsab = debate.entries.find((e) => e.url === demo.permalink('planetsab', debateSlugs.planetsab))!.blog!;
    const api = (await t.app.inject(`/api/conversations`)).json().conversations as { id: number }[];
    const all: ApiEntry[] = [];
    for (const c of api) all.push(...((await t.app.inject(`/api/conversations/${c.id}`)).json() as ApiConversation).entries);
    const want = expected(all.filter((e) => e.blog?.id === planetsab.id));
    const items = await readFeed(t, `/blogs/${planetsab.id}/feed.${format}`);
    expect(items.map((i) => i.id)).toEqual(want.map((e) => itemId(e.id)));
    expect(items.map((i) => i.link)).toEqual(want.map((e) => e.url));
    expect(items.map((i) => i.date)).toEqual(want.map((e) => new Date(e.publishedAt).toISOString()));
  });

  it('writes the blog as each item\'s source', async () => {
    const doc = JSON.parse((await t.app.inject('/feed.json')).body) as { items: JsonItem[] };
    for (const blog of demo.blogs) expect(doc.items.some((i) => i._palaver.source?.url === blog.homeUrl)).toBe(true);
    const channel = onlyChild(parseStrictXml((await t.app.inject('/feed.rss')).body), '', 'channel');
    const sources = childrenOf(channel, '', 'item').map((item) => onlyChild(item, '', 'source').attributes.url);
    expect(sources.length).toBe(doc.items.length);
    for (const url of sources) expect(demo.blogs.map((b) => `${b.homeUrl}feed/`)).toContain(url);
  });

  it('keeps content URLs absolute', async () => {
    const doc = JSON.parse((await t.app.inject('/feed.json')).body) as { items: JsonItem[] };
    const html = doc.items.map((i) => i.content_html ?? '').join('\n');
    expect(html).toMatch(/href="http/);
    expect(html).not.toMatch(/(?:href|src)="(?!https?:)/);
  });

  it('answers with the content type of each format and a self link', async () => {
    const types = { atom: 'application/atom+xml; charset=utf-8', rss: 'application/rss+xml; charset=utf-8', json: 'application/feed+json; charset=utf-8' };
    for (const format of formats) {
      const res = await t.app.inject(`/c/${debate.id}/feed.${format}`);
      expect(res.headers['content-type']).toBe(types[format]);
      // A hub follows when WebSub is on (see the hub test below).
      expect(String(res.headers.link).split(', ')[0]).toBe(`<${t.config.publicUrl}/c/${debate.id}/feed.${format}>; rel="self"`);
    }
  });

  describe('conditional GET', () => {
    it('answers 304 with no body to the ETag it gave', async () => {
      const first = await t.app.inject('/feed.atom');
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"[\w-]+"$/);
      const again = await t.app.inject({ url: '/feed.atom', headers: { 'if-none-match': etag } });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers.etag).toBe(etag);
      const listed = await t.app.inject({ url: '/feed.atom', headers: { 'if-none-match': `"other", W/${etag}` } });
      expect(listed.statusCode).toBe(304);
      const stale = await t.app.inject({ url: '/feed.atom', headers: { 'if-none-match': '"stale"' } });
      expect(stale.statusCode).toBe(200);
      expect(stale.body).toBe(first.body);
    });

    it('answers 304 to If-Modified-Since at or after Last-Modified, 200 before it', async () => {
      const first = await t.app.inject(`/c/${debate.id}/feed.rss`);
      const lastModified = first.headers['last-modified'] as string;
      expect(new Date(lastModified).getTime()).toBeGreaterThan(0);
      const same = await t.app.inject({ url: `/c/${debate.id}/feed.rss`, headers: { 'if-modified-since': lastModified } });
      expect(same.statusCode).toBe(304);
      const earlier = new Date(new Date(lastModified).getTime() - 1000).toUTCString();
      const before = await t.app.inject({ url: `/c/${debate.id}/feed.rss`, headers: { 'if-modified-since': earlier } });
      expect(before.statusCode).toBe(200);
      // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
      const both = await t.app.inject({ url: `/c/${debate.id}/feed.rss`, headers: { 'if-modified-since': lastModified, 'if-none-match': '"stale"' } });
      expect(both.statusCode).toBe(200);
    });
  });

  it('answers 404 for conversations and blogs that do not exist', async () => {
    expect((await t.app.inject('/c/999999/feed.atom')).statusCode).toBe(404);
    expect((await t.app.inject('/c/abc/feed.rss')).statusCode).toBe(404);
    expect((await t.app.inject('/blogs/999999/feed.json')).statusCode).toBe(404);
  });

  it('exports the registry as OPML with each blog\'s post feed and home page', async () => {
    const res = await t.app.inject('/blogs.opml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/x-opml; charset=utf-8');
    const parsed = parseOpml(res.body);
    expect(parsed.outlines.map((o) => o.htmlUrl).sort()).toEqual(demo.blogs.map((b) => b.homeUrl).sort());
    for (const o of parsed.outlines) expect(o.xmlUrl).toBe(`${o.htmlUrl}feed/`);
  });

  it('serves the documentation of the _palaver extension where the feeds point', async () => {
    const doc = JSON.parse((await t.app.inject('/feed.json')).body) as { _palaver: { about: string } };
    expect(doc._palaver.about).toBe(`${t.config.publicUrl}/docs/json-feed-extension`);
    const res = await t.app.inject('/docs/json-feed-extension');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(res.body).toContain('`_palaver`');
  });
});

describe('feeds that change', () => {
  let t: TestApp;
  let demo: DemoBlogs;

  beforeAll(async () => {
    demo = await startDemoBlogs();
  });
  afterAll(async () => {
    await demo.close();
  });

  async function register(key: 'sachar' | 'planetsab' | 'freitag') {
    await registerBlog({ db: t.database.db, fetch: t.fetcher.fetch }, demo.blogs.find((b) => b.key === key)!.homeUrl);
    await t.poller.pollOnce({ force: true });
  }

  it('keeps item ids when conversations merge, and the old feed redirects to the survivor\'s', async () => {
    t = await createTestApp();
    try {
      // Freitag first: its post stands alone until the posts it answers arrive.
      await register('freitag');
      const freitagPost = demo.permalink('freitag', debateSlugs.freitag);
      let lonely = 0;
      for (const c of (await t.app.inject('/api/conversations')).json().conversations as { id: number }[]) {
        const entries = ((await t.app.inject(`/api/conversations/${c.id}`)).json() as ApiConversation).entries;
        if (entries.some((e) => e.url === freitagPost)) lonely = c.id;
      }
      expect(lonely).toBeGreaterThan(0);
      const firstItems = await readFeed(t, `/c/${lonely}/feed.atom`);
      await register('sachar');
      await register('planetsab');
      const after = (await t.app.inject('/api/conversations')).json().conversations as { id: number; title: string }[];
      const survivor = after.find((c) => c.title === 'Idee: ein Social Media Camp')!.id;
      expect(survivor).not.toBe(lonely);
      const old = await t.app.inject(`/c/${lonely}/feed.atom`);
      expect(old.statusCode).toBe(301);
      expect(old.headers.location).toBe(`/c/${survivor}/feed.atom`);
      const merged = await readFeed(t, `/c/${survivor}/feed.atom`);
      for (const item of firstItems) {
        const now = merged.find((i) => i.id === item.id);
        expect(now, item.id).toBeDefined();
        expect(now).toMatchObject({ title: item.title, link: item.link, date: item.date });
      }
      const json = JSON.parse((await t.app.inject(`/c/${survivor}/feed.json`)).body) as { items: JsonItem[] };
      expect(json.items.every((i) => i._palaver.conversation.url === `${t.config.publicUrl}/c/${survivor}`)).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('changes ETag and Last-Modified when a comment arrives', async () => {
    t = await createTestApp();
    try {
      for (const key of ['sachar', 'planetsab', 'freitag'] as const) await register(key);
      const first = await t.app.inject('/feed.rss');
      demo.addComment('planetsab', debateSlugs.planetsab, { author: 'Neue Stimme', content: 'Noch ein Gedanke.', date: '2008-11-20T10:00:00Z' });
      await t.poller.pollOnce({ force: true });
      const res = await t.app.inject({ url: '/feed.rss', headers: { 'if-none-match': first.headers.etag as string } });
      expect(res.statusCode).toBe(200);
      expect(res.headers.etag).not.toBe(first.headers.etag);
      expect(res.body).toContain('Neue Stimme on');
      // HTTP dates have one-second precision: within the second of the first answer only the ETag tells.
      expect(Date.parse(res.headers['last-modified'] as string)).toBeGreaterThanOrEqual(Date.parse(first.headers['last-modified'] as string));
    } finally {
      await t.close();
    }
  });

  it('keeps hostile titles, names and content intact and well-formed in every format', async () => {
    t = await createTestApp();
    try {
      await register('planetsab');
      const postUrl = demo.permalink('planetsab', debateSlugs.planetsab);
      const ids: number[] = [];
      for (const [n, c] of hostileCases.entries()) {
        const draft = {
          ...draftEntry(
            { guid: `${postUrl}#comment-9${n}`, url: `${postUrl}#comment-9${n}`, title: null, authorName: null, authorUrl: null, contentHtml: '<p>x</p>', summaryHtml: null, publishedAt: `2009-01-01T00:00:${String(n).padStart(2, '0')}Z`, updatedAt: null, commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: postUrl, lang: 'de' },
            'comment',
          ),
          // What a store could hold whatever the sanitizer did: the writers must cope alone.
          authorName: c.input,
          contentHtml: `<p>${c.input}</p>`,
          excerpt: c.input,
        };
        const relations = relationsOf(draft, { via: 'comment-feed', post: { guid: null, url: postUrl }, inReplyTo: [] });
        ids.push((await recordEntry(t.database.db, { blogId: 1, draft, via: 'comment-feed', relations }, new Date().toISOString())).id);
      }
      const json = JSON.parse((await t.app.inject('/feed.json')).body) as { items: JsonItem[] };
      const rss = await parser.parseString((await t.app.inject('/feed.rss')).body);
      const atomBody = (await t.app.inject('/feed.atom')).body;
      parseStrictXml(atomBody);
      const atom = await parser.parseString(atomBody);
      for (const [n, c] of hostileCases.entries()) {
        // SQLite stores UTF-8: a lone surrogate comes back as U+FFFD already; the writers' own
        // handling of them is tested in test/feeds/.
        if (/[\uD800-\uDFFF]/.test(c.input) && !/[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(c.input)) continue;
        const id = `${t.config.publicUrl}/e/${ids[n]}`;
        const title = `${c.expected} on 'Social Media Camp – ein kleiner Exkurs'`;
        const inJson = json.items.find((i) => i.id === id)!;
        expect(inJson.title, c.name).toBe(title);
        expect(inJson.content_html, c.name).toBe(`<p>${c.expected}</p>`);
        // rss-parser trims and folds CR LF the way XML end-of-line handling does.
        const fold = (s: string) => s.replace(/\r\n/g, '\n').trim();
        expect(fold(rss.items.find((i) => i.guid === id)!.title ?? ''), c.name).toBe(fold(title));
        expect(fold(atom.items.find((i) => i.id === id)!.title ?? ''), c.name).toBe(fold(title));
      }
    } finally {
      await t.close();
    }
  });

  it('advertises the WebSub hub when the hook names one', async () => {
    t = await createTestApp();
    try {
      const app = await buildApp({ config: t.config, db: t.database.db, fetch: t.fetcher.fetch, websubHubUrl: () => `${t.config.publicUrl}/websub` });
      const res = await app.inject('/feed.atom');
      expect(res.headers.link).toBe(`<${t.config.publicUrl}/feed.atom>; rel="self", <${t.config.publicUrl}/websub>; rel="hub"`);
      expect(res.body).toContain(`<link rel="hub" href="${t.config.publicUrl}/websub"/>`);
      const json = JSON.parse((await app.inject('/feed.json')).body) as { hubs: { type: string; url: string }[] };
      expect(json.hubs).toEqual([{ type: 'WebSub', url: `${t.config.publicUrl}/websub` }]);
      await app.close();
    } finally {
      await t.close();
    }
  });

  it('imports a pasted OPML list on /blogs/import and shows a line per blog', async () => {
    t = await createTestApp({ adminToken: 'an-admin-token-for-imports' });
    try {
      // The import is the operator's: log in, and send the form's CSRF token back.
      const login = await t.app.inject({ method: 'POST', url: '/admin/login', payload: { token: 'an-admin-token-for-imports' } });
      const cookie = String(login.headers['set-cookie']).split(';')[0]!;
      const form = await t.app.inject({ url: '/blogs/import', headers: { cookie } });
      const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)![1]!;
      const closed = await startFixtureServer();
      const closedOrigin = closed.origin;
      await closed.close();
      const outlines = demo.blogs.map((b) => `<outline type="rss" text="${b.key}" xmlUrl="${b.homeUrl}feed/"/>`).join('\n');
      // Long enough to pass the 64 KiB limit of other forms.
      const padding = `<!-- ${'x'.repeat(100_000)} -->`;
      const opml = `<opml version="2.0"><head><title>Blogwoche</title></head><body>${padding}<outline text="Gruppe">${outlines}<outline type="rss" text="Offline" xmlUrl="${closedOrigin}/feed/"/></outline></body></opml>`;
      const res = await t.app.inject({ method: 'POST', url: '/blogs/import', payload: new URLSearchParams({ opml, csrf }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie } });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('3 registered, 0 already there, 1 failed, 0 duplicates skipped.');
      expect(res.body.match(/<strong>registered<\/strong>: <a href="\/blogs\/\d+">/g)).toHaveLength(3);
      expect(res.body).toMatch(/<strong>failed<\/strong>: Offline/);
      expect((await t.app.inject('/api/blogs')).json().blogs).toHaveLength(3);

      const notOpml = await t.app.inject({ method: 'POST', url: '/blogs/import', payload: `opml=%3Chtml%3E%3C%2Fhtml%3E&csrf=${csrf}`, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie } });
      expect(notOpml.statusCode).toBe(422);
      expect(notOpml.body).toContain('not an OPML document');
      expect(notOpml.body).toContain('&lt;html&gt;&lt;/html&gt;</textarea>');
      expect((await t.app.inject({ url: '/blogs/import', headers: { cookie } })).body).toContain('<textarea id="opml" name="opml"');
      // Without the login there is no form, and a post is refused.
      expect((await t.app.inject('/blogs/import')).body).not.toContain('<textarea');
      expect((await t.app.inject({ method: 'POST', url: '/blogs/import', payload: `opml=x`, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(401);
    } finally {
      await t.close();
    }
  });

  it('announces the feeds on the pages for autodiscovery', async () => {
    t = await createTestApp();
    try {
      await register('sachar');
      const home = (await t.app.inject('/')).body;
      for (const [type, format] of [['application/atom+xml', 'atom'], ['application/rss+xml', 'rss'], ['application/feed+json', 'json']]) {
        expect(home).toContain(`<link rel="alternate" type="${type}" href="${t.config.publicUrl}/feed.${format}"`);
      }
      const c = ((await t.app.inject('/api/conversations')).json().conversations as { id: number }[])[0]!.id;
      const blog = ((await t.app.inject('/api/blogs')).json().blogs as { id: number }[])[0]!.id;
      expect((await t.app.inject(`/blogs/${blog}`)).body).toContain(`<link rel="alternate" type="application/feed+json" href="${t.config.publicUrl}/blogs/${blog}/feed.json"`);
      expect((await t.app.inject('/blogs')).body).toContain('<a href="/blogs/import">');
      expect((await t.app.inject(`/c/${c}`)).body).toMatch(new RegExp(`<link rel="alternate" type="application/atom\\+xml" href="[^"]*/c/${c}/feed\\.atom"`));
    } finally {
      await t.close();
    }
  });

  it('serves at most feeds.maxItems items, the newest', async () => {
    t = await createTestApp({ feeds: { maxItems: 3 } });
    try {
      for (const key of ['sachar', 'planetsab', 'freitag'] as const) await register(key);
      const items = await readFeed(t, '/feed.json');
      expect(items).toHaveLength(3);
      const all = (await t.app.inject('/api/conversations')).json().conversations as { id: number }[];
      const dates: string[] = [];
      for (const c of all) for (const e of ((await t.app.inject(`/api/conversations/${c.id}`)).json() as ApiConversation).entries) dates.push(new Date(e.publishedAt).toISOString());
      expect(items.map((i) => i.date)).toEqual(dates.sort().reverse().slice(0, 3));
    } finally {
      await t.close();
    }
  });
});
