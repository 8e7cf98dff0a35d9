import * as cheerio from 'cheerio';
import iconv from 'iconv-lite';
import Parser from 'rss-parser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DemoBlogs, startDemoBlogs } from '../../src/demo/blogs.ts';
import { type BlogKey, debateSlugs } from '../../src/demo/debate.ts';

// rss-parser puts <description> into `content`; WordPress's full HTML is in content:encoded.
type Item = Parser.Item & { 'content:encoded'?: string; 'slash:comments'?: string; 'wfw:commentRss'?: string };
const parser = new Parser<Record<string, unknown>, Item>({ customFields: { item: ['slash:comments', 'wfw:commentRss'] } });

function origin(demo: DemoBlogs, key: BlogKey): string {
  const blog = demo.blogs.find((b) => b.key === key);
  if (!blog) throw new Error(`no blog ${key}`);
  return blog.origin;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string; bytes: Buffer }> {
  const res = await fetch(url, { headers, redirect: 'manual' });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, text: bytes.toString('utf8'), bytes };
}

async function feed(url: string): Promise<Parser.Output<Item>> {
  return parser.parseString((await get(url)).text);
}

function xml(text: string): cheerio.CheerioAPI {
  return cheerio.load(text, { xml: true });
}

type RpcValue = string | number | RpcValue[] | { [name: string]: RpcValue };

function readRpcValue($: cheerio.CheerioAPI, value: ReturnType<cheerio.CheerioAPI>): RpcValue {
  const typed = value.children().first();
  switch (typed.get(0)?.tagName) {
    case undefined:
      return value.text();
    case 'int':
      return Number(typed.text());
    case 'array':
      return typed.children('data').children('value').toArray().map((v) => readRpcValue($, $(v)));
    case 'struct':
      return Object.fromEntries(
        typed.children('member').toArray().map((m) => [$(m).children('name').text(), readRpcValue($, $(m).children('value').first())]),
      );
    default:
      return typed.text();
  }
}

async function xmlRpc(endpoint: string, method: string, params: string[]): Promise<{ status: number; result?: RpcValue; fault?: RpcValue }> {
  const body = `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params
    .map((p) => `<param><value>${p}</value></param>`)
    .join('')}</params></methodCall>`;
  const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  const $ = xml(await res.text());
  const fault = $('methodResponse > fault > value');
  if (fault.length) return { status: res.status, fault: readRpcValue($, fault.first()) };
  return { status: res.status, result: readRpcValue($, $('methodResponse > params > param > value').first()) };
}

describe('startDemoBlogs', () => {
  let demo: DemoBlogs;
  beforeAll(async () => {
    demo = await startDemoBlogs();
  });
  afterAll(async () => {
    await demo.close();
  });

  it('starts the three blogs on their own loopback ports', () => {
    expect(demo.blogs.map((b) => [b.key, b.name])).toEqual([
      ['sachar', 'Sachar’s Blog'],
      ['planetsab', 'planetsab'],
      ['freitag', 'Freitag'],
    ]);
    for (const blog of demo.blogs) {
      expect(blog.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(blog.homeUrl).toBe(`${blog.origin}/`);
      expect(blog.server.origin).toBe(blog.origin);
    }
    expect(new Set(demo.blogs.map((b) => b.origin)).size).toBe(3);
  });

  it('builds pretty permalinks from the post date in the blog’s time zone', () => {
    expect(demo.permalink('planetsab', debateSlugs.planetsab)).toBe(`${origin(demo, 'planetsab')}/2008/11/social-media-camp-ein-kleiner-exkurs/`);
    expect(() => demo.permalink('sachar', 'gibt-es-nicht')).toThrow(/gibt-es-nicht/);
  });

  it('serves every feed as well-formed XML with WordPress’s content types', async () => {
    for (const blog of demo.blogs) {
      const permalink = demo.permalink(blog.key, debateSlugs[blog.key]);
      const feeds: [string, string][] = [
        [`${blog.origin}/feed/`, 'application/rss+xml; charset=UTF-8'],
        [`${blog.origin}/feed/atom/`, 'application/atom+xml; charset=UTF-8'],
        [`${blog.origin}/comments/feed/`, 'application/rss+xml; charset=UTF-8'],
        [`${blog.origin}/comments/feed/atom/`, 'application/atom+xml; charset=UTF-8'],
        [`${permalink}feed/`, 'application/rss+xml; charset=UTF-8'],
        [`${permalink}feed/atom/`, 'application/atom+xml; charset=UTF-8'],
      ];
      for (const [url, type] of feeds) {
        const res = await get(url);
        expect(res.status, url).toBe(200);
        expect(res.headers.get('content-type'), url).toBe(type);
        // rss-parser parses with a strict XML parser: anything malformed throws here.
        const parsed = await parser.parseString(res.text);
        expect(parsed.items.length, url).toBeGreaterThan(0);
      }
    }
  });

  it('lists posts newest first with guid, permalink, date, comment feed and comment count', async () => {
    const planetsab = origin(demo, 'planetsab');
    const parsed = await feed(`${planetsab}/feed/`);
    const permalink = demo.permalink('planetsab', debateSlugs.planetsab);
    expect(parsed.items.map((i) => i.guid)).toEqual([`${planetsab}/?p=213`, `${planetsab}/?p=205`, `${planetsab}/?p=198`]);
    const [post] = parsed.items;
    expect(post?.title).toBe('Social Media Camp – ein kleiner Exkurs');
    expect(post?.link).toBe(permalink);
    expect(post?.pubDate).toBe('Fri, 14 Nov 2008 21:30:00 +0000');
    expect(post?.creator).toBe('planetsab');
    expect(post?.['wfw:commentRss']).toBe(`${permalink}feed/`);
    expect(post?.['slash:comments']).toBe('5');
    expect(post?.['content:encoded']).toContain('<h3>Was ich mir wünschen würde</h3>');
    expect(post?.content).toMatch(/Auf den Barcamps, die ich in diesem Jahr besucht habe, waren die Sessions über \[&#8230;\]$/);
  });

  it('keeps German text, typographic quotes and texturized entities intact', async () => {
    const sachar = await feed(`${origin(demo, 'sachar')}/feed/`);
    expect(sachar.title).toBe('Sachar’s Blog');
    expect(sachar.items[0]?.['content:encoded']).toContain('Wie verändert sich Öffentlichkeit');
    const planetsab = await feed(`${origin(demo, 'planetsab')}/feed/`);
    expect(planetsab.items[0]?.['content:encoded']).toContain('„Social Media“');
    const comments = await feed(`${demo.permalink('planetsab', debateSlugs.planetsab)}feed/`);
    const jens = comments.items.find((i) => i.guid?.endsWith('#comment-1187'));
    // wptexturize: " - " becomes an en dash.
    expect(jens?.['content:encoded']).toContain('für das Camp &#8211; und zwar');
    expect(jens?.['content:encoded']).toContain('Schöner Exkurs!');
  });

  it('links planetsab’s post to Sachar’s permalink and Freitag’s post to planetsab’s', async () => {
    const planetsab = await feed(`${origin(demo, 'planetsab')}/feed/`);
    expect(planetsab.items[0]?.['content:encoded']).toContain(`href="${demo.permalink('sachar', debateSlugs.sachar)}"`);
    const freitag = await feed(`${origin(demo, 'freitag')}/feed/`);
    expect(freitag.items[0]?.['content:encoded']).toContain(`href="${demo.permalink('planetsab', debateSlugs.planetsab)}"`);
    expect(freitag.items[0]?.['content:encoded']).toContain('Beim Social Media Camp hat sich noch nicht so viel getan');
  });

  it('keeps the older posts free of links into the debate', async () => {
    const origins = demo.blogs.map((b) => b.origin);
    for (const blog of demo.blogs) {
      const parsed = await feed(`${blog.origin}/feed/`);
      for (const item of parsed.items.filter((i) => i.link !== demo.permalink(blog.key, debateSlugs[blog.key]))) {
        for (const o of origins) expect(item['content:encoded'], item.link).not.toContain(o);
      }
    }
  });

  it('serves a home page with feed and RSD links but no pingback hints', async () => {
    const sachar = origin(demo, 'sachar');
    const res = await get(`${sachar}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(res.headers.get('x-pingback')).toBeNull();
    const $ = cheerio.load(res.text);
    const alternates = $('link[rel="alternate"][type="application/rss+xml"]').toArray().map((el) => [el.attribs.title, el.attribs.href]);
    expect(alternates).toEqual([
      ['Sachar’s Blog » Feed', `${sachar}/feed/`],
      ['Sachar’s Blog » Kommentar-Feed', `${sachar}/comments/feed/`],
    ]);
    expect($('link[rel="EditURI"]').attr('href')).toBe(`${sachar}/xmlrpc.php?rsd`);
    expect($('link[rel="EditURI"]').attr('type')).toBe('application/rsd+xml');
    expect($('link[rel="https://api.w.org/"]').attr('href')).toBe(`${sachar}/wp-json/`);
    expect($('link[rel="pingback"]')).toHaveLength(0);
  });

  it('serves post pages with X-Pingback, the comment feed, threaded comment anchors and TrackBack RDF', async () => {
    const planetsab = origin(demo, 'planetsab');
    const permalink = demo.permalink('planetsab', debateSlugs.planetsab);
    const res = await get(permalink);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-pingback')).toBe(`${planetsab}/xmlrpc.php`);
    const $ = cheerio.load(res.text);
    expect($('link[rel="pingback"]').attr('href')).toBe(`${planetsab}/xmlrpc.php`);
    expect($('link[rel="alternate"][type="application/rss+xml"]').last().attr('href')).toBe(`${permalink}feed/`);
    expect($('.entry-content a').first().attr('href')).toBe(demo.permalink('sachar', debateSlugs.sachar));
    expect($('li[id^="comment-"]').toArray().map((el) => el.attribs.id)).toEqual(['comment-1187', 'comment-1188', 'comment-1190', 'comment-1191', 'comment-1194']);
    expect($('#comment-1187 > ol.children > #comment-1188')).toHaveLength(1);
    expect($('#comment-1191').hasClass('pingback')).toBe(true);
    expect($('#comment-1191 a.url').attr('href')).toBe(demo.permalink('freitag', debateSlugs.freitag));
    expect(res.text).toMatch(new RegExp(`<!--\\s*<rdf:RDF[\\s\\S]*trackback:ping="${permalink}trackback/"[\\s\\S]*</rdf:RDF>\\s*-->`));
  });

  it('redirects a guid to the permalink', async () => {
    const res = await get(`${origin(demo, 'freitag')}/?p=3342`);
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(demo.permalink('freitag', debateSlugs.freitag));
  });

  it('names the XML-RPC endpoint in the RSD document', async () => {
    const freitag = origin(demo, 'freitag');
    const res = await get(`${freitag}/xmlrpc.php?rsd`);
    expect(res.headers.get('content-type')).toBe('text/xml; charset=UTF-8');
    const $ = xml(res.text);
    expect($('rsd > service > engineName').text()).toBe('WordPress');
    expect($('api[name="WordPress"]').attr('apiLink')).toBe(`${freitag}/xmlrpc.php`);
    expect($('api[name="WordPress"]').attr('preferred')).toBe('true');
  });

  it('writes the feeds’ self links without the port, like WordPress on a non-default port', async () => {
    const sachar = origin(demo, 'sachar');
    const port = new URL(sachar).port;
    expect(port).not.toBe('');
    const rss = xml((await get(`${sachar}/feed/`)).text);
    expect(rss('channel > atom\\:link[rel="self"]').attr('href')).toBe('http://127.0.0.1/feed/');
    expect(rss('channel > link').text()).toBe(sachar);
    const atom = xml((await get(`${sachar}/feed/atom/`)).text);
    expect(atom('feed > link[rel="self"]').attr('href')).toBe('http://127.0.0.1/feed/atom/');
    expect(atom('feed > entry > id').first().text()).toBe(`${sachar}/?p=41`);
    // The Atom comment feed builds its self link another way and keeps the port.
    const comments = xml((await get(`${sachar}/comments/feed/atom/`)).text);
    expect(comments('feed > link[rel="self"]').attr('href')).toBe(`${sachar}/comments/feed/atom/`);
  });

  it('threads the Atom comment feed: the reply to Jens Best points to his comment, others to the post', async () => {
    const planetsab = origin(demo, 'planetsab');
    const permalink = demo.permalink('planetsab', debateSlugs.planetsab);
    const $ = xml((await get(`${permalink}feed/atom/`)).text);
    const inReplyTo = (id: number) => $('entry').filter((_, e) => $(e).children('id').text() === `${planetsab}/?p=213#comment-${id}`).children('thr\\:in-reply-to');
    expect(inReplyTo(1188).attr('ref')).toBe(`${planetsab}/?p=213#comment-1187`);
    expect(inReplyTo(1188).attr('href')).toBe(`${permalink}#comment-1187`);
    expect(inReplyTo(1187).attr('ref')).toBe(`${planetsab}/?p=213`);
    expect(inReplyTo(1187).attr('href')).toBe(permalink);
    expect(inReplyTo(1187).attr('type')).toBe('text/html');
  });

  it('shows the Freitag pingback as a comment by the source page, pointing at the Freitag post', async () => {
    const permalink = demo.permalink('planetsab', debateSlugs.planetsab);
    const $ = xml((await get(`${permalink}feed/atom/`)).text);
    const entry = $('entry').filter((_, e) => $(e).children('id').text().endsWith('#comment-1191'));
    expect(entry.find('author > name').text()).toBe('Freitag » Blog Archive » Social Media Camp: Viel Gerede, noch kein Camp');
    expect(entry.find('author > uri').text()).toBe(demo.permalink('freitag', debateSlugs.freitag));
    expect(entry.children('content').text()).toContain('[&#8230;] Social Media Camp hat sich noch nicht so viel getan [&#8230;]');
  });

  it('titles site comment feed items as the German WordPress does', async () => {
    const parsed = await feed(`${origin(demo, 'planetsab')}/comments/feed/`);
    expect(parsed.title?.trim()).toBe('Kommentare für planetsab');
    expect(parsed.items[0]?.title?.trim()).toBe('Kommentar zu Social Media Camp – ein kleiner Exkurs von Markus');
    expect(parsed.items[0]?.guid).toBe(`${origin(demo, 'planetsab')}/?p=213#comment-1194`);
    expect(parsed.items[0]?.link).toBe(`${demo.permalink('planetsab', debateSlugs.planetsab)}#comment-1194`);
  });

  it('answers 304 to a matching If-None-Match or If-Modified-Since on feeds', async () => {
    const url = `${origin(demo, 'planetsab')}/feed/`;
    const first = await get(url);
    const etag = first.headers.get('etag');
    const lastModified = first.headers.get('last-modified');
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(lastModified).toBe('Sat, 15 Nov 2008 07:52:00 GMT');
    expect((await get(url, { 'if-none-match': etag! })).status).toBe(304);
    expect((await get(url, { 'if-modified-since': lastModified! })).status).toBe(304);
    expect((await get(url, { 'if-none-match': '"something-else"' })).status).toBe(200);
    // With both validators sent, both must match.
    expect((await get(url, { 'if-none-match': '"something-else"', 'if-modified-since': lastModified! })).status).toBe(200);
    const notModified = await get(url, { 'if-none-match': etag! });
    expect(notModified.bytes).toHaveLength(0);
    expect(notModified.headers.get('etag')).toBe(etag);
  });

  it('sends no validators on pages, as WordPress does', async () => {
    const res = await get(demo.permalink('sachar', debateSlugs.sachar));
    expect(res.headers.get('etag')).toBeNull();
    expect(res.headers.get('last-modified')).toBeNull();
  });

  it('returns the Freitag post from pingback.extensions.getPingbacks for planetsab’s post', async () => {
    const endpoint = `${origin(demo, 'planetsab')}/xmlrpc.php`;
    const answer = await xmlRpc(endpoint, 'pingback.extensions.getPingbacks', [`<string>${demo.permalink('planetsab', debateSlugs.planetsab)}</string>`]);
    expect(answer).toEqual({ status: 200, result: [demo.permalink('freitag', debateSlugs.freitag)] });
    // A post nobody pinged has an empty list.
    const none = await xmlRpc(`${origin(demo, 'freitag')}/xmlrpc.php`, 'pingback.extensions.getPingbacks', [demo.permalink('freitag', debateSlugs.freitag)]);
    expect(none.result).toEqual([]);
  });

  it('answers getPingbacks for an unknown URL with the fault WordPress masks to code 0', async () => {
    const endpoint = `${origin(demo, 'planetsab')}/xmlrpc.php`;
    const answer = await xmlRpc(endpoint, 'pingback.extensions.getPingbacks', [`<string>${origin(demo, 'planetsab')}/2008/11/gibt-es-nicht/</string>`]);
    expect(answer).toEqual({ status: 200, fault: { faultCode: 0, faultString: '' } });
  });

  it('returns an empty mt.getTrackbackPings list for the debate posts and a fault for unknown ids', async () => {
    const endpoint = `${origin(demo, 'planetsab')}/xmlrpc.php`;
    expect(await xmlRpc(endpoint, 'mt.getTrackbackPings', ['<int>213</int>'])).toEqual({ status: 200, result: [] });
    expect(await xmlRpc(endpoint, 'mt.getTrackbackPings', ['<int>99999</int>'])).toEqual({ status: 200, fault: { faultCode: 404, faultString: 'Sorry, no such post.' } });
  });

  it('answers unknown methods, unparseable calls and GET with XML-RPC’s errors', async () => {
    const endpoint = `${origin(demo, 'sachar')}/xmlrpc.php`;
    const unknown = await xmlRpc(endpoint, 'pingback.ping', ['<string>a</string>', '<string>b</string>']);
    expect(unknown.fault).toEqual({ faultCode: -32601, faultString: 'server error. requested method pingback.ping does not exist.' });
    const garbage = await fetch(endpoint, { method: 'POST', body: 'not xml' });
    expect(xml(await garbage.text())('member:first-child int').text()).toBe('-32700');
    const getRes = await get(endpoint);
    expect(getRes.status).toBe(405);
    expect(getRes.text).toBe('XML-RPC server accepts POST requests only.');
  });
});

describe('DemoBlogs.addComment', () => {
  let demo: DemoBlogs;
  beforeEach(async () => {
    demo = await startDemoBlogs();
  });
  afterEach(async () => {
    await demo.close();
  });

  it('shows a new comment in the post’s comment feeds and changes their validators', async () => {
    const url = `${demo.permalink('sachar', debateSlugs.sachar)}feed/`;
    const before = await get(url);
    const id = demo.addComment('sachar', debateSlugs.sachar, { author: 'Jens Best', content: 'Ich bin dabei – Köln passt mir gut.', date: '2008-11-20T09:00:00Z' });
    expect(id).toBe(404);
    const after = await get(url);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(after.headers.get('last-modified')).toBe('Thu, 20 Nov 2008 09:00:00 GMT');
    expect((await get(url, { 'if-none-match': before.headers.get('etag')! })).status).toBe(200);
    const parsed = await parser.parseString(after.text);
    expect(parsed.items[0]?.guid).toBe(`${origin(demo, 'sachar')}/?p=41#comment-404`);
    expect(parsed.items[0]?.title?.trim()).toBe('Von: Jens Best');
    expect(parsed.items[0]?.['content:encoded']).toContain('Köln passt mir gut.');
    const page = cheerio.load((await get(demo.permalink('sachar', debateSlugs.sachar))).text);
    expect(page('#comment-404 .comment-content').text()).toContain('Köln passt mir gut.');
  });

  it('leaves the post feed’s validators alone, as WordPress does, while its comment count moves', async () => {
    const url = `${origin(demo, 'planetsab')}/feed/`;
    const before = await get(url);
    demo.addComment('planetsab', debateSlugs.planetsab, { author: 'Katrin R.', content: 'Nachtrag.', date: '2008-11-21T10:00:00Z' });
    const after = await get(url);
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
    expect((await parser.parseString(after.text)).items[0]?.['slash:comments']).toBe('6');
  });

  it('threads a reply under its parent comment', async () => {
    const permalink = demo.permalink('planetsab', debateSlugs.planetsab);
    const id = demo.addComment('planetsab', debateSlugs.planetsab, { author: 'planetsab', content: '@Thomas: Noch nicht. Aber das wäre was!', date: '2008-11-18T08:00:00Z', parentId: 1190 });
    const $ = xml((await get(`${permalink}feed/atom/`)).text);
    const entry = $('entry').filter((_, e) => $(e).children('id').text().endsWith(`#comment-${id}`));
    expect(entry.children('thr\\:in-reply-to').attr('ref')).toBe(`${origin(demo, 'planetsab')}/?p=213#comment-1190`);
    const page = cheerio.load((await get(permalink)).text);
    expect(page(`#comment-1190 > ol.children > #comment-${id}`)).toHaveLength(1);
  });

  it('keeps only the newest ten comments in the feeds while the post still counts them all', async () => {
    const permalink = demo.permalink('planetsab', debateSlugs.planetsab);
    for (let day = 20; day < 26; day++) {
      demo.addComment('planetsab', debateSlugs.planetsab, { author: `Leser ${day}`, content: `Kommentar vom ${day}. November`, date: `2008-11-${day}T12:00:00Z` });
    }
    const rss = await feed(`${permalink}feed/`);
    expect(rss.items).toHaveLength(10);
    expect(rss.items.map((i) => i.guid)).not.toContain(`${origin(demo, 'planetsab')}/?p=213#comment-1187`);
    expect(rss.items.map((i) => i.guid)).toContain(`${origin(demo, 'planetsab')}/?p=213#comment-1188`);
    expect(rss.items[0]?.title?.trim()).toBe('Von: Leser 25');
    const posts = await feed(`${origin(demo, 'planetsab')}/feed/`);
    expect(posts.items[0]?.['slash:comments']).toBe('11');
    const atom = xml((await get(`${origin(demo, 'planetsab')}/feed/atom/`)).text);
    expect(atom('entry').first().children('thr\\:total').text()).toBe('11');
    expect(atom('entry').first().children('link[rel="replies"][type="application/atom+xml"]').attr('thr:count')).toBe('11');
  });

  it('accepts pingbacks that getPingbacks then lists', async () => {
    const source = demo.permalink('freitag', debateSlugs.freitag);
    demo.addComment('sachar', debateSlugs.sachar, { type: 'pingback', author: 'Freitag', authorUrl: `{{freitag/${debateSlugs.freitag}}}`, content: '[&#8230;] Angestoßen hat die Debatte Sachar [&#8230;]', date: '2008-11-17T08:06:00Z' });
    const answer = await xmlRpc(`${origin(demo, 'sachar')}/xmlrpc.php`, 'pingback.extensions.getPingbacks', [demo.permalink('sachar', debateSlugs.sachar)]);
    expect(answer.result).toEqual([demo.permalink('planetsab', debateSlugs.planetsab), source]);
  });

  it('rejects a parent comment from another post and a date that is not one', () => {
    expect(() => demo.addComment('planetsab', debateSlugs.planetsab, { author: 'X', content: 'x', date: '2008-11-20T00:00:00Z', parentId: 1150 })).toThrow(/1150/);
    expect(() => demo.addComment('planetsab', debateSlugs.planetsab, { author: 'X', content: 'x', date: 'gestern' })).toThrow(/gestern/);
  });
});

describe('DemoBlogs.editPost', () => {
  let demo: DemoBlogs;
  beforeEach(async () => {
    demo = await startDemoBlogs();
  });
  afterEach(async () => {
    await demo.close();
  });

  it('shows the edited post in the feeds with a new modified time and new validators', async () => {
    const url = `${origin(demo, 'freitag')}/feed/atom/`;
    const before = await get(url);
    demo.editPost('freitag', debateSlugs.freitag, { title: 'Social Media Camp: Jetzt mit Termin', content: '<p>Update: Das Camp findet im Frühjahr statt.</p>', modified: '2008-11-24T09:00:00Z' });
    const after = await get(url);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    const $ = xml(after.text);
    const entry = $('entry').first();
    expect(entry.children('title').text()).toBe('Social Media Camp: Jetzt mit Termin');
    expect(entry.children('content').text()).toContain('Das Camp findet im Frühjahr statt.');
    expect(entry.children('updated').text()).toBe('2008-11-24T09:00:00Z');
    expect(entry.children('published').text()).toBe('2008-11-17T07:58:00Z');
    // The slug stays, as it does when a published post is renamed in WordPress.
    expect(entry.children('link[rel="alternate"]').attr('href')).toBe(demo.permalink('freitag', debateSlugs.freitag));
  });
});

describe('TrackBack endpoint of a demo post', () => {
  let demo: DemoBlogs;
  beforeEach(async () => {
    demo = await startDemoBlogs();
  });
  afterEach(async () => {
    await demo.close();
  });

  it('stores a ping as a trackback comment, lists it, and refuses the same URL twice', async () => {
    const permalink = demo.permalink('freitag', debateSlugs.freitag);
    const ping = () =>
      fetch(`${permalink}trackback/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: new URLSearchParams({ url: 'http://camp.example.org/2008/11/termin/', title: 'Termin steht', excerpt: 'Im März in Köln.', blog_name: 'Camp-Blog' }).toString(),
      }).then((r) => r.text());
    expect(await ping()).toBe('<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>0</error>\n</response>');
    expect(await ping()).toContain('<error>1</error>');
    const listing = await xmlRpc(`${origin(demo, 'freitag')}/xmlrpc.php`, 'mt.getTrackbackPings', ['<int>3342</int>']);
    expect(listing.result).toEqual([{ pingTitle: 'Termin steht', pingURL: 'http://camp.example.org/2008/11/termin/', pingIP: '127.0.0.1' }]);
    const rss = await feed(`${permalink}feed/`);
    expect(rss.items[0]?.['content:encoded']).toContain('<strong>Termin steht</strong>');
    expect(rss.items[0]?.creator).toBe('Camp-Blog');
  });
});

describe('startDemoBlogs with freitagCharset windows-1252', () => {
  let demo: DemoBlogs;
  beforeAll(async () => {
    demo = await startDemoBlogs({ freitagCharset: 'windows-1252' });
  });
  afterAll(async () => {
    await demo.close();
  });

  it('declares ISO-8859-1 but sends windows-1252 bytes for Freitag, and UTF-8 elsewhere', async () => {
    const res = await get(`${origin(demo, 'freitag')}/feed/`);
    expect(res.headers.get('content-type')).toBe('application/rss+xml; charset=ISO-8859-1');
    expect(res.bytes.subarray(0, 60).toString('latin1')).toContain('encoding="ISO-8859-1"');
    // „ is 0x84 and “ is 0x93 in windows-1252: C1 controls to a strict ISO-8859-1 decoder.
    expect(res.bytes.includes(Buffer.from([0x84]))).toBe(true);
    const text = iconv.decode(res.bytes, 'win1252');
    expect(text).toContain('über ein „Social Media Camp“');
    const parsed = await parser.parseString(text);
    expect(parsed.items[0]?.title).toBe('Social Media Camp: Viel Gerede, noch kein Camp');
    const page = await get(demo.permalink('freitag', debateSlugs.freitag));
    expect(page.headers.get('content-type')).toBe('text/html; charset=ISO-8859-1');
    expect((await get(`${origin(demo, 'planetsab')}/feed/`)).headers.get('content-type')).toBe('application/rss+xml; charset=UTF-8');
  });
});
