// Discovery: the hints it reads (input URLs, Link headers, pages, RSD), discoverBlog on a
// table-driven fetch, and feeds that other readers accept pasted as the feed's own address: the
// fixtures of test/fixtures/feeds/ (one quirk each) and the real samples of the same quirks in the
// shared corpus, served byte for byte by a loopback fixture server.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/demo/fixture-server.ts';
import { MarkupLimitError } from '../../src/reader/bounded-markup.ts';
import { discoverBlog, DiscoveryError, normalizeInputUrl, readPage, readRsd, type DiscoveryReader } from '../../src/reader/discover.ts';
import { parseLinkHeader } from '../../src/reader/link-header.ts';
import { readFeedHere } from '../../src/reader/read-feed.ts';
import { createFetcher, type Fetcher } from '../../src/reader/fetcher.ts';
import { FetchError, type Fetch, type FetchResponse } from '../../src/reader/types.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.resolve(here, '../fixtures/feeds');
const corpusDir = path.resolve(here, '../../../shared/corpus');

let fetcher: Fetcher;
let server: FixtureServer;

beforeAll(async () => {
  fetcher = createFetcher({ userAgent: 'Palaver-test', allowPrivateNetworks: true, timeoutMs: 3000, connectTimeoutMs: 2000, headersTimeoutMs: 2000, maxBodyBytes: 1 << 22, maxRedirects: 5, perHostConcurrency: 4 });
  server = await startFixtureServer();
});

afterAll(async () => {
  await server.close();
  await fetcher.close();
});

async function discoverServed(name: string, body: Buffer, contentType: string) {
  const route = `/${name.replace(/[^\w.-]/g, '_')}/${encodeURIComponent(contentType)}`;
  server.set(route, { headers: { 'content-type': contentType }, body });
  return discoverBlog(`${server.origin}${route}`, { fetch: fetcher.fetch });
}

describe('discoverBlog on feeds that other readers accept', () => {
  it.each([
    ['doctype-xhtml-before-rss.xml', 'Notizen aus dem Netz', 2],
    ['doctype-netscape-long-internal-subset.xml', 'Freitag Blog', 1],
    ['utf-32be-bom.xml', 'Grüße aus Köln', 1],
    ['utf-32le-bom.xml', 'Grüße aus Köln', 1],
    ['utf-32be-no-bom.xml', 'Grüße aus Köln', 1],
    ['utf-32le-no-bom.xml', 'Grüße aus Köln', 1],
    ['rss-items-outside-channel.xml', 'Alte Schule', 2],
    ['rss-no-items.xml', 'Neues Blog', 0],
    ['rss-no-items-bom.xml', 'Neues Blog', 0],
    ['rss-no-channel-bom.xml', null, 0],
  ])('finds %s to be a feed (%s, %i entries)', async (name, title, itemCount) => {
    const found = await discoverServed(name, readFileSync(path.join(fixtures, name)), 'application/rss+xml');
    expect(found.feed).toMatchObject({ format: 'rss', title, itemCount });
    if (itemCount === 0) expect(found.notes).toContain('The feed has no entries yet; Palaver shows them as they appear.');
    else expect(found.notes).not.toContain('The feed has no entries yet; Palaver shows them as they appear.');
  });

  it('decides by the root element when a server sends a feed as text/html', async () => {
    const found = await discoverServed('rss-091.xml', readFileSync(path.join(fixtures, 'rss-091.xml')), 'text/html; charset=utf-8');
    expect(found.feed).toMatchObject({ format: 'rss', title: 'Freitag Blog', itemCount: 2 });
  });
});

// Real samples of the same quirks, from other feed readers' test suites (read in place).
const corpusSamples: [file: string, quirk: string][] = [
  ['feeds/gofeed/rss__version_rss_091_netscape.xml', 'Netscape DOCTYPE, <rss> without a channel'],
  ['feeds/gofeed/universal__rss_feed_bom.xml', 'UTF-8 BOM and a comment before an RSS channel without items'],
  ['feeds/feedparser/encoding__utf-16be-bom.xml', 'UTF-16BE with a BOM, an empty <rss>'],
  ['feeds/feedparser/encoding__utf-16le-bom.xml', 'UTF-16LE with a BOM, an empty <rss>'],
];
const corpusPresent = existsSync(path.join(corpusDir, 'manifest.json'));
if (!corpusPresent) console.info(`discover corpus samples: skipped, ${corpusDir} is absent`);

describe.skipIf(!corpusPresent)('discoverBlog on the corpus samples of these quirks', () => {
  it.each(corpusSamples)('registers %s (%s) as a feed with no entries yet', async (file) => {
    const found = await discoverServed(path.basename(file), readFileSync(path.join(corpusDir, file)), 'application/xml');
    expect(found.feed).toMatchObject({ format: 'rss', itemCount: 0 });
    expect(found.notes).toContain('The feed has no entries yet; Palaver shows them as they appear.');
  });
});

const rss = (home: string, items: string[] = ['http://blog.example/2008/11/idee/']) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>Sachars Blog</title><link>${home}</link><description>Ideen</description>${items
    .map((u) => `<item><title>Idee</title><link>${u}</link><guid>${u}</guid></item>`)
    .join('')}</channel></rss>`;

/** A fetch that answers from a table of URLs (anything else: 404), recording what was asked. */
function fakeWeb(pages: Record<string, { body: string; type?: string; headers?: Record<string, string>; status?: number }>): Fetch & { asked: string[] } {
  const asked: string[] = [];
  const fetch = (async (request) => {
    asked.push(request.url);
    const page = pages[request.url];
    if (page === undefined && request.url.includes('unreachable')) throw new FetchError('connect', request.url, 'unreachable.example refused the connection');
    const headers = { 'content-type': page?.type ?? 'text/html; charset=utf-8', ...(page?.headers ?? {}) };
    const response: FetchResponse = {
      requestedUrl: request.url,
      url: request.url,
      status: page?.status ?? (page ? 200 : 404),
      headers,
      body: Buffer.from(page?.body ?? 'not found'),
      redirects: [],
      notModified: false,
    };
    return response;
  }) as Fetch & { asked: string[] };
  fetch.asked = asked;
  return fetch;
}

describe('normalizeInputUrl', () => {
  it('assumes https for a bare host, keeps a port, and trims', () => {
    expect(normalizeInputUrl('  blog.example/2008/ ').href).toBe('https://blog.example/2008/');
    expect(normalizeInputUrl('localhost:8080/blog').href).toBe('https://localhost:8080/blog');
    expect(normalizeInputUrl('http://blog.example').href).toBe('http://blog.example/');
  });
  it.each([
    ['', 'invalid-url'],
    ['ftp://blog.example/', 'unsupported-scheme'],
    ['http://user:secret@blog.example/', 'invalid-url'],
    ['http://', 'invalid-url'],
  ])('refuses %j as %s', (input, code) => {
    expect(() => normalizeInputUrl(input)).toThrow(expect.objectContaining({ code }));
  });
});

describe('parseLinkHeader', () => {
  it('reads every link with its rels, quoted or not, resolved against the page', () => {
    expect(parseLinkHeader('</wm>; rel="webmention", <https://hub.example/>; rel=hub, <x>; title="no rel"', 'http://blog.example/post/')).toEqual([
      { url: 'http://blog.example/wm', rels: ['webmention'] },
      { url: 'https://hub.example/', rels: ['hub'] },
    ]);
  });
  it('reads quoted parameters holding commas, semicolons and escaped quotes, and takes the first rel', () => {
    expect(parseLinkHeader('<https://hub.example/>; title="Hub, \\"der\\" eine; ja"; rel="hub self"; rel=other, </wm>; rel=webmention', 'http://blog.example/')).toEqual([
      { url: 'https://hub.example/', rels: ['hub', 'self'] },
      { url: 'http://blog.example/wm', rels: ['webmention'] },
    ]);
  });
  it('reads a header of stray markup in one pass', () => {
    // 190 KB like this held a regular expression for 10–15 s.
    expect(parseLinkHeader(`<http://blog.example/feed/>; rel="alternate"${'<!--'.repeat(47_000)}`, 'http://blog.example/')).toEqual([{ url: 'http://blog.example/feed/', rels: ['alternate'] }]);
  });
  it('reads nothing from no header, and skips links that are not http(s)', () => {
    expect(parseLinkHeader(undefined, 'http://blog.example/')).toEqual([]);
    expect(parseLinkHeader('<mailto:a@b.example>; rel="webmention"', 'http://blog.example/')).toEqual([]);
  });
});

describe('readPage', () => {
  const page = `<html><head><base href="http://blog.example/sub/"><title>Fallback</title>
    <meta property="og:site_name" content="Sachars Blog"><meta name="description" content="Ideen">
    <link rel="alternate" type="application/rss+xml" title="Feed" href="feed/">
    <link rel="alternate" type="application/rss+xml" title="Kommentare" href="comments/feed/">
    <link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts">
    <link rel="pingback" href="/xmlrpc.php"><link rel="EditURI" href="/xmlrpc.php?rsd">
    </head><body><a rel="webmention" href="/wm-a">wm</a>
    <!-- <rdf:Description trackback:ping="http://blog.example/2008/11/idee/trackback/" /> --></body></html>`;

  it('finds post feeds and comment feeds apart, relative to <base>, and skips the WordPress REST API', () => {
    const found = readPage(page, 'http://blog.example/', {});
    expect(found.feeds).toEqual([{ url: 'http://blog.example/sub/feed/', format: 'rss', title: 'Feed' }]);
    expect(found.commentFeeds).toEqual([{ url: 'http://blog.example/sub/comments/feed/', format: 'rss', title: 'Kommentare' }]);
    expect(found).toMatchObject({ title: 'Sachars Blog', description: 'Ideen', rsdUrl: 'http://blog.example/xmlrpc.php?rsd', trackbackPingUrl: 'http://blog.example/2008/11/idee/trackback/' });
  });

  it('prefers the X-Pingback and Link headers over the markup', () => {
    const found = readPage(page, 'http://blog.example/', { 'x-pingback': 'http://blog.example/header-xmlrpc.php', link: '</wm-header>; rel="webmention"' });
    expect(found.pingback).toBe('http://blog.example/header-xmlrpc.php');
    expect(found.webmention).toBe('http://blog.example/wm-header');
  });

  it('falls back to the markup: <link rel="pingback">, <a rel="webmention">', () => {
    const found = readPage(page, 'http://blog.example/', {});
    expect(found.pingback).toBe('http://blog.example/xmlrpc.php');
    expect(found.webmention).toBe('http://blog.example/wm-a');
  });
});

// Markup whose tree costs far more than its size: each <div/> opens a div (HTML ignores the
// slash), and formatting elements left open when their block ends are built again for every
// paragraph after it (100 of them and 1,000 paragraphs build 100,000 elements from 10 KB).
const nestedDivs = `<title>Tief</title><link rel="alternate" type="application/rss+xml" href="/feed/">${'<div/>'.repeat(20_000)}`;
const rebuiltFormatting = `<title>Breit</title><div>${Array.from({ length: 100 }, (_, i) => `<b id="b${i}">`).join('')}</div>${'<p>x</p>'.repeat(1000)}`;

describe('readPage within its limits', () => {
  it('refuses a page whose tree nests past 512 levels or builds more than 50,000 elements, however few its tags', () => {
    expect(() => readPage(nestedDivs, 'http://blog.example/', {})).toThrow(new MarkupLimitError('depth', 'the page nests elements more than 512 levels deep'));
    expect(rebuiltFormatting.length).toBeLessThan(12_000);
    expect(() => readPage(rebuiltFormatting, 'http://blog.example/', {})).toThrow(new MarkupLimitError('elements', 'the page builds more than 50,000 elements'));
  });

  it('reads a page at the limits', () => {
    const deep = `<link rel="alternate" type="application/rss+xml" href="/feed/">${'<div>'.repeat(500)}`;
    expect(readPage(deep, 'http://blog.example/', {}).feeds).toEqual([{ url: 'http://blog.example/feed/', format: 'rss', title: null }]);
  });
});

describe('readRsd', () => {
  it('refuses a document nested deeper than an RSD ever is', () => {
    const rsd = `<?xml version="1.0"?><rsd version="1.0"><service><apis><api name="WordPress" apiLink="/xmlrpc.php"/>${'<x>'.repeat(20_000)}</apis></service></rsd>`;
    expect(() => readRsd(rsd, 'http://blog.example/rsd.xml')).toThrow(/the RSD document nests elements more than 32 levels deep/);
  });

  it("takes WordPress's XML-RPC API, not Movable Type's", () => {
    const rsd = (apis: string) => `<?xml version="1.0"?><rsd version="1.0"><service><apis>${apis}</apis></service></rsd>`;
    expect(readRsd(rsd('<api name="MetaWeblog" apiLink="/mt-xmlrpc.cgi"/><api name="WordPress" apiLink="/xmlrpc.php"/>'), 'http://blog.example/rsd.xml')).toBe('http://blog.example/xmlrpc.php');
    expect(readRsd(rsd('<api name="MovableType" apiLink="/mt-xmlrpc.cgi"/>'), 'http://blog.example/rsd.xml')).toBeNull();
  });
});

describe('discoverBlog', () => {
  it('finds the feed a home page names, and the endpoints on its newest post', async () => {
    const web = fakeWeb({
      'https://blog.example/': { body: '<link rel="alternate" type="application/rss+xml" href="/feed/"><title>Sachar</title>' },
      'https://blog.example/feed/': { body: rss('https://blog.example/', ['https://blog.example/2008/11/idee/']), type: 'application/rss+xml' },
      'https://blog.example/2008/11/idee/': { body: '<p>Post</p>', headers: { 'x-pingback': 'https://blog.example/xmlrpc.php', link: '<https://blog.example/wm>; rel="webmention"' } },
    });
    const found = await discoverBlog('blog.example', { fetch: web });
    expect(found).toMatchObject({
      homeUrl: 'https://blog.example/',
      title: 'Sachars Blog',
      feed: { url: 'https://blog.example/feed/', format: 'rss', itemCount: 1 },
      pingbackEndpoint: 'https://blog.example/xmlrpc.php',
      webmentionEndpoint: 'https://blog.example/wm',
      commentFeed: null,
    });
    expect(found.notes).toContain('The pingback endpoint was found on a post page (X-Pingback or <link rel="pingback">).');
  });

  it('registers a pasted post page by the home page its feed names', async () => {
    const web = fakeWeb({
      'https://blog.example/2008/11/idee/': { body: '<link rel="alternate" type="application/rss+xml" href="/feed/">' },
      'https://blog.example/feed/': { body: rss('https://blog.example/'), type: 'application/rss+xml' },
    });
    expect((await discoverBlog('https://blog.example/2008/11/idee/', { fetch: web })).homeUrl).toBe('https://blog.example/');
  });

  it('tries the usual feed addresses when a page declares none', async () => {
    const web = fakeWeb({
      'https://blog.example/': { body: '<title>Ohne Feed-Link</title>' },
      'https://blog.example/atom.xml': { body: '<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title></feed>', type: 'application/atom+xml' },
    });
    const found = await discoverBlog('https://blog.example/', { fetch: web });
    expect(found.feed).toMatchObject({ url: 'https://blog.example/atom.xml', format: 'atom' });
    expect(web.asked.slice(1, 4)).toEqual(['https://blog.example/feed/', 'https://blog.example/feeds/posts/default', 'https://blog.example/atom.xml']);
    expect(found.notes).toContain('The page declares no feed; Palaver tried the usual feed addresses.');
  });

  it('reads a pasted feed and takes the endpoints from the home page it names', async () => {
    const web = fakeWeb({
      'https://blog.example/feed/': { body: rss('https://blog.example/'), type: 'application/rss+xml' },
      'https://blog.example/': { body: '<link rel="pingback" href="/xmlrpc.php">' },
    });
    const found = await discoverBlog('https://blog.example/feed/', { fetch: web });
    expect(found).toMatchObject({ homeUrl: 'https://blog.example/', pingbackEndpoint: 'https://blog.example/xmlrpc.php' });
  });

  it.each([
    ['an address that does not answer', 'https://unreachable.example/', 'unreachable'],
    ['a page answering 404', 'https://blog.example/missing/', 'http-error'],
  ])('explains %s', async (_what, url, code) => {
    const web = fakeWeb({});
    await expect(discoverBlog(url, { fetch: web })).rejects.toSatisfy((err: unknown) => err instanceof DiscoveryError && err.code === code);
  });

  it('explains a home page too deep to read, and suggests pasting the feed', async () => {
    const web = fakeWeb({ 'https://blog.example/': { body: nestedDivs } });
    await expect(discoverBlog('https://blog.example/', { fetch: web })).rejects.toThrow(
      new DiscoveryError('no-feed', "The page at https://blog.example/ could not be read: the page nests elements more than 512 levels deep. Paste the address of the blog's feed instead."),
    );
  });

  it('reads a pasted feed whose home page is too deep to read, and says the endpoints are unknown', async () => {
    const web = fakeWeb({
      'https://blog.example/feed/': { body: rss('https://blog.example/'), type: 'application/rss+xml' },
      'https://blog.example/': { body: nestedDivs },
    });
    const found = await discoverBlog('https://blog.example/feed/', { fetch: web });
    expect(found).toMatchObject({ homeUrl: 'https://blog.example/', feed: { url: 'https://blog.example/feed/' }, pingbackEndpoint: null });
    expect(found.notes).toContain('The home page https://blog.example/ could not be read (no answer, or a page past the limits of reading one), so pingback and webmention endpoints are unknown.');
  });

  it('registers a blog whose newest post page is too deep to read, without what that page would have named', async () => {
    const web = fakeWeb({
      'https://blog.example/': { body: '<link rel="alternate" type="application/rss+xml" href="/feed/"><title>Sachar</title>' },
      'https://blog.example/feed/': { body: rss('https://blog.example/', ['https://blog.example/2008/11/idee/']), type: 'application/rss+xml' },
      'https://blog.example/2008/11/idee/': { body: `<link rel="pingback" href="/xmlrpc.php">${rebuiltFormatting}` },
    });
    const found = await discoverBlog('blog.example', { fetch: web });
    expect(found).toMatchObject({ homeUrl: 'https://blog.example/', pingbackEndpoint: null });
    expect(found.notes).toContain('No pingback endpoint found.');
  });

  it('says which named feeds could not be read when none of them is a feed', async () => {
    const web = fakeWeb({
      'https://blog.example/': { body: '<link rel="alternate" type="application/rss+xml" href="/feed/">' },
      'https://blog.example/feed/': { body: '<html><body>Wartung</body></html>', type: 'text/html' },
    });
    await expect(discoverBlog('https://blog.example/', { fetch: web })).rejects.toThrow(/No feed found at https:\/\/blog\.example\/: the feeds it names could not be read \(https:\/\/blog\.example\/feed\/: /);
  });
});

describe('discoverBlog off the event loop', () => {
  // A reader that records what discovery hands it and reads it as the reading thread would.
  function recordingReader() {
    const handed: string[] = [];
    const reader: DiscoveryReader = {
      read: async (body, contentType, url) => {
        handed.push(`feed ${url}`);
        return readFeedHere(body, contentType, url);
      },
      readPage: async (html, url, headers) => {
        handed.push(`page ${url}`);
        return readPage(html, url, headers);
      },
    };
    return { reader, handed };
  }
  const home = (extra: string) => `<link rel="alternate" type="application/rss+xml" href="/feed/"><title>Sachar</title>${extra}`;

  it('reads a blog\'s usual pages and feed where it runs', async () => {
    const { reader, handed } = recordingReader();
    const web = fakeWeb({
      'https://blog.example/': { body: home('<p>Hallo</p>'.repeat(200)) },
      'https://blog.example/feed/': { body: rss('https://blog.example/'), type: 'application/rss+xml' },
    });
    expect((await discoverBlog('https://blog.example/', { fetch: web, reader })).feed.url).toBe('https://blog.example/feed/');
    expect(handed).toEqual([]);
  });

  it('hands a page past the small limits, and a feed of 128 KiB or more, to its reading thread', async () => {
    const { reader, handed } = recordingReader();
    const items = Array.from({ length: 600 }, (_, i) => `https://blog.example/2008/11/beitrag-${i}-${'x'.repeat(200)}/`);
    const web = fakeWeb({
      // 20,000 elements: within the 50,000 a page may build, past what is read in place.
      'https://blog.example/': { body: home('<p>Hallo</p>'.repeat(20_000)) },
      'https://blog.example/feed/': { body: rss('https://blog.example/', items), type: 'application/rss+xml' },
    });
    const found = await discoverBlog('https://blog.example/', { fetch: web, reader });
    expect(found.feed).toMatchObject({ url: 'https://blog.example/feed/', itemCount: 600 });
    expect(handed).toEqual(['page https://blog.example/', 'feed https://blog.example/feed/']);
  });

  it('reads a costly page in the shared reading thread when given no reader, and refuses one past its limits there', async () => {
    const web = fakeWeb({
      'https://blog.example/': { body: home('<p>Hallo</p>'.repeat(20_000)) },
      'https://blog.example/feed/': { body: rss('https://blog.example/'), type: 'application/rss+xml' },
      'https://too-big.example/': { body: home(rebuiltFormatting) },
    });
    expect((await discoverBlog('https://blog.example/', { fetch: web })).feed.url).toBe('https://blog.example/feed/');
    await expect(discoverBlog('https://too-big.example/', { fetch: web })).rejects.toThrow(
      new DiscoveryError('no-feed', "The page at https://too-big.example/ could not be read: the page builds more than 50,000 elements. Paste the address of the blog's feed instead."),
    );
  });
});
