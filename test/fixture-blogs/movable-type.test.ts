import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DebatePost, createDebate, debateSlugs } from '../../src/demo/debate.ts';
import { type MovableTypeBlog, startMovableTypeBlog } from '../support/fixture-blogs/movable-type.ts';
import { discoverBlog } from '../../src/reader/discover.ts';
import type { Fetcher } from '../../src/reader/fetcher.ts';
import { parseFeed } from '../../src/reader/parse-feed.ts';
import { createTestFetcher } from '../support/polled-feed.ts';

let mt: MovableTypeBlog;
let fetcher: Fetcher;
let posts: DebatePost[];
let debatePost: DebatePost;

async function feedAt(url: string) {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return parseFeed(await res.text(), url);
}

async function ping(url: string, fields: Record<string, string>, method = 'POST'): Promise<{ type: string | null; text: string }> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    ...(method === 'POST' ? { body: new URLSearchParams(fields).toString() } : {}),
  });
  expect(res.status).toBe(200);
  return { type: res.headers.get('content-type'), text: await res.text() };
}

beforeAll(async () => {
  // planetsab's posts: a threaded reply (1188 to 1187) and a pingback MT cannot have.
  posts = createDebate()[1]!.posts;
  debatePost = posts.find((p) => p.slug === debateSlugs.planetsab)!;
  mt = await startMovableTypeBlog({ posts });
  fetcher = createTestFetcher();
});

afterAll(async () => {
  await fetcher.close();
  await mt.close();
});

describe('startMovableTypeBlog', () => {
  it('lets discovery find atom.xml first, index.xml beside it, and the RSD', async () => {
    const found = await discoverBlog(mt.homeUrl, { fetch: fetcher.fetch });
    expect(found.homeUrl).toBe(mt.homeUrl);
    expect(found.feed).toEqual({ url: `${mt.origin}/atom.xml`, format: 'atom', title: 'Markus’ Notizen', itemCount: 3 });
    expect(found.otherFeeds.map((f) => f.url)).toEqual([`${mt.origin}/index.xml`]);
    expect(found.rsdUrl).toBe(`${mt.origin}/rsd.xml`);
    expect(found.commentFeed).toBeNull();
    expect(found.webmentionEndpoint).toBeNull();
  });

  it('finds the TrackBack ping URL in the RDF of an entry page', async () => {
    const found = await discoverBlog(mt.entryUrl(debatePost), { fetch: fetcher.fetch });
    expect(found.homeUrl).toBe(mt.homeUrl);
    expect(found.trackbackPingUrl).toBe(mt.trackbackUrl(debatePost));
    expect(mt.trackbackUrl(debatePost)).toBe(`${mt.origin}/cgi-bin/mt/mt-tb.cgi/313`);
  });

  it('serves atom.xml with make_atom_id ids and no comment information', async () => {
    const feed = await feedAt(`${mt.origin}/atom.xml`);
    expect(feed.items.map((i) => i.guid)).toEqual([213, 205, 198].map((id) => `tag:127.0.0.1,2008://1.${id}`));
    expect(feed.items[0]).toMatchObject({
      guid: mt.entryAtomId(debatePost),
      // The basename is cut at 30 characters: social_media_camp_ein_kleiner_ → social-media-camp-ein-kleiner.
      url: `${mt.origin}/2008/11/social-media-camp-ein-kleiner.html`,
      title: 'Social Media Camp – ein kleiner Exkurs',
      authorName: 'planetsab',
      publishedAt: '2008-11-14T21:30:00.000Z',
      updatedAt: '2008-11-15T07:52:00.000Z',
      commentFeeds: [],
      commentCount: null,
      commentsPageUrl: null,
      inReplyTo: [],
      baseUrl: `${mt.origin}/`,
    });
    expect(feed.items[0]!.contentHtml).toContain('<h3>Was ich mir wünschen würde</h3>');
  });

  it('serves index.xml with the permalink as guid and the local time in pubDate', async () => {
    const res = await fetch(`${mt.origin}/index.xml`);
    const text = await res.text();
    expect(text).toContain('<pubDate>Fri, 14 Nov 2008 22:30:00 +0100</pubDate>');
    const feed = await parseFeed(text, `${mt.origin}/index.xml`);
    expect(feed.items[0]).toMatchObject({ guid: mt.entryUrl(debatePost), url: mt.entryUrl(debatePost), publishedAt: '2008-11-14T21:30:00.000Z', trackbackPingUrl: null, commentFeeds: [] });
  });

  it('has no comment feed: comments are HTML on the entry page, a reply naming its parent', async () => {
    expect((await fetch(`${mt.origin}/comments.xml`)).status).toBe(404);
    const res = await fetch(mt.entryUrl(debatePost));
    expect(res.headers.get('x-pingback')).toBeNull();
    const page = await res.text();
    expect(page).not.toMatch(/rel="pingback"/);
    const jens = debatePost.comments.find((c) => c.id === 1187)!;
    expect(page).toContain('<div class="comment" id="comment-1187">');
    expect(page).toContain(`hat auf <a href="${mt.commentUrl(debatePost, jens)}">den Kommentar von Jens Best</a> geantwortet`);
    expect(page).toContain('<h2 class="comments-header">4 Kommentare</h2>');
  });

  it('takes a TrackBack ping, lists it with ?__mode=rss, and ignores the same ping again', async () => {
    const url = mt.trackbackUrl(debatePost);
    const fields = { url: 'http://freitag.example.com/2008/11/camp.html', title: 'Viel Gerede & kein Camp', excerpt: 'Beim Social Media Camp hat sich noch nicht so viel getan', blog_name: 'Freitag' };
    const first = await ping(url, fields);
    expect(first).toEqual({ type: 'text/xml; charset=utf-8', text: '<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>0</error>\n</response>\n' });
    expect((await ping(url, fields)).text).toContain('<error>0</error>');

    const listing = await fetch(`${url}?__mode=rss`);
    const text = await listing.text();
    expect(text).toMatch(/^<\?xml version="1\.0" encoding="utf-8"\?>\n<response>\n<error>0<\/error>\n<rss version="0\.91"><channel>/);
    const feed = await parseFeed(text, `${url}?__mode=rss`);
    expect(feed).toMatchObject({ format: 'rss', title: 'Social Media Camp – ein kleiner Exkurs', homeUrl: mt.entryUrl(debatePost) });
    expect(feed.items).toEqual([
      expect.objectContaining({ title: 'Viel Gerede & kein Camp', url: fields.url, summaryHtml: fields.excerpt, guid: null, publishedAt: null }),
    ]);
    const page = await (await fetch(mt.entryUrl(debatePost))).text();
    expect(page).toContain('<a href="http://freitag.example.com/2008/11/camp.html">Viel Gerede &amp; kein Camp</a> aus Freitag');
  });

  it('refuses pings without a source URL, pings by GET, and ids it does not know, in the protocol', async () => {
    const url = mt.trackbackUrl(debatePost);
    expect((await ping(url, { title: 'x' })).text).toContain('<error>1</error>\n<message>You need to provide a Source URL (url).</message>');
    expect((await ping(url, {}, 'GET')).text).toContain('<message>Trackback pings must use HTTP POST</message>');
    const bare = await fetch(`${mt.origin}/cgi-bin/mt/mt-tb.cgi`, { method: 'POST' });
    expect(await bare.text()).toContain('<message>TrackBack ID (tb_id) is required.</message>');
  });

  it('names mt-xmlrpc.cgi in its RSD, which answers pingback calls with an XMLRPC::Lite fault', async () => {
    const rsd = await (await fetch(`${mt.origin}/rsd.xml`)).text();
    expect(rsd).toContain(`<api name="MovableType" preferred="false" apiLink="${mt.origin}/cgi-bin/mt/mt-xmlrpc.cgi" blogID="1" />`);
    const res = await fetch(`${mt.origin}/cgi-bin/mt/mt-xmlrpc.cgi`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<?xml version="1.0"?><methodCall><methodName>pingback.extensions.getPingbacks</methodName><params><param><value>x</value></param></params></methodCall>',
    });
    const text = await res.text();
    expect(text).toContain('Failed to locate method (pingback.extensions.getPingbacks) in class (MT::XMLRPCServer)');
    expect(text).toContain('<name>faultCode</name><value><string>Client</string></value>');
  });

  it('answers If-Modified-Since with 304 while nothing changed', async () => {
    const first = await fetch(`${mt.origin}/atom.xml`);
    const lastModified = first.headers.get('last-modified');
    expect(lastModified).not.toBeNull();
    expect((await fetch(`${mt.origin}/atom.xml`, { headers: { 'if-modified-since': lastModified! } })).status).toBe(304);
  });
});
