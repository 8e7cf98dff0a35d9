import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoBlogs, startDemoBlogs } from '../../src/demo/blogs.ts';
import { debateSlugs } from '../../src/demo/debate.ts';
import { type FixtureServer, startFixtureServer } from '../../src/demo/fixture-server.ts';
import { type Fetcher, createFetcher } from '../../src/reader/fetcher.ts';
import {
  type ListingResult,
  fetchPingbackSources,
  fetchTrackbackListing,
  fetchTrackbackPings,
  trackbackListingUrl,
  wordpressPostId,
} from '../../src/reader/listings.ts';
import { parseFeed } from '../../src/reader/parse-feed.ts';
import { type Fetch, FetchError } from '../../src/reader/types.ts';
import { parseMethodCall, serializeFault, serializeMethodResponse } from '../../src/xmlrpc/codec.ts';

let fetcher: Fetcher;
let fetch: Fetch;
let server: FixtureServer;

beforeAll(async () => {
  fetcher = createFetcher({
    userAgent: 'Palaver/0.1 (+http://localhost:3000)',
    timeoutMs: 2_000,
    connectTimeoutMs: 1_000,
    headersTimeoutMs: 1_000,
    maxBodyBytes: 4 * 1024 * 1024,
    maxRedirects: 5,
    perHostConcurrency: 4,
    allowPrivateNetworks: true,
  });
  fetch = fetcher.fetch;
  server = await startFixtureServer();
});

afterAll(async () => {
  await server.close();
  await fetcher.close();
});

/** The reason of a listing the blog says it does not offer. */
function reasonOf(result: ListingResult): string {
  if (result.status !== 'unavailable') throw new Error(`expected "unavailable", got ${JSON.stringify(result)}`);
  return result.reason;
}

/** The reason of a listing that could not be had: an error, not "switched off". */
function failureOf(result: ListingResult): string {
  if (result.status !== 'failed') throw new Error(`expected "failed", got ${JSON.stringify(result)}`);
  return result.reason;
}

const xml = { 'content-type': 'text/xml; charset=utf-8' };

// MT::App::Trackback::_response wrapping _generate_rss, as Movable Type 3 and 4 write it.
const mtListing = `<?xml version="1.0" encoding="utf-8"?>
<response>
<error>0</error>
<rss version="0.91"><channel>
<title>Social Media Camp: Viel Gerede, noch kein Camp</title>
<link>http://freitag.example/archives/2008/11/social_media_camp.html</link>
<description>Seit Sachar die Idee in den Raum geworfen hat &amp;hellip;</description>
<language>en-us</language>
<item>
<title>Social Media Camp &#8211; ein kleiner Exkurs</title>
<link>http://planetsab.example/2008/11/social-media-camp-ein-kleiner-exkurs/</link>
<description>Sachar hat vor ein paar Tagen die Idee eines Social Media Camps in den Raum geworfen &amp; seitdem …</description>
</item>
<item>
<title>Re: Camp</title>
<link>https://www.planetsab.example/2008/11/social-media-camp-ein-kleiner-exkurs</link>
<description></description>
</item>
<item>
<title>Buy cheap watches</title>
<link>http://spam.example/watches.html</link>
<description>cheap</description>
</item>
<item>
<title>No link</title>
<link>javascript:alert(1)</link>
<description>x</description>
</item>
</channel>
</rss></response>`;

describe('trackbackListingUrl', () => {
  it('adds __mode=rss to a TrackBack URL, with or without a query', () => {
    expect(trackbackListingUrl('http://freitag.example/mt/mt-tb.cgi/123')).toBe('http://freitag.example/mt/mt-tb.cgi/123?__mode=rss');
    expect(trackbackListingUrl('http://freitag.example/mt/mt-tb.cgi?tb_id=123')).toBe('http://freitag.example/mt/mt-tb.cgi?tb_id=123&__mode=rss');
  });
});

describe('fetchTrackbackListing', () => {
  it('reads a long listing off the event loop: timers keep firing meanwhile', async () => {
    const items = Array.from({ length: 12_000 }, (_, i) => `<item><title>Antwort ${i}</title><link>http://source${i}.example/p/</link><description>${'Ich sehe das anders. '.repeat(10)}</description></item>`).join('');
    const body = Buffer.from(`<?xml version="1.0" encoding="utf-8"?><response><error>0</error><rss version="0.91"><channel><title>Idee</title><link>http://blog.example/2008/11/idee/</link>${items}</channel></rss></response>`);
    const answer = (async (request) => ({ requestedUrl: request.url, url: request.url, status: 200, headers: { 'content-type': 'text/xml' }, body, redirects: [], notModified: false })) as Fetch;
    let ticks = 0;
    const interval = setInterval(() => (ticks += 1), 5);
    const result = await fetchTrackbackListing(answer, 'http://blog.example/mt/mt-tb.cgi/42');
    clearInterval(interval);
    expect(result.status).toBe('ok');
    expect(result.status === 'ok' && result.pings).toHaveLength(12_000);
    // Read in place, the interval could not have fired while the listing was parsed.
    expect(ticks).toBeGreaterThanOrEqual(5);
  });

  it('reads a Movable Type listing: title, link and excerpt per ping, duplicates and unusable links dropped', async () => {
    server.set('/mt/mt-tb.cgi/123?__mode=rss', { headers: xml, body: mtListing });
    const result = await fetchTrackbackListing(fetch, `${server.origin}/mt/mt-tb.cgi/123`);
    expect(result).toEqual({
      status: 'ok',
      pings: [
        {
          url: 'http://planetsab.example/2008/11/social-media-camp-ein-kleiner-exkurs/',
          title: 'Social Media Camp – ein kleiner Exkurs',
          excerpt: 'Sachar hat vor ein paar Tagen die Idee eines Social Media Camps in den Raum geworfen & seitdem …',
          blogName: null,
          via: 'trackback',
        },
        // Listed, not trusted: the caller verifies that it links to the post.
        { url: 'http://spam.example/watches.html', title: 'Buy cheap watches', excerpt: 'cheap', blogName: null, via: 'trackback' },
      ],
    });
    expect(server.hits.at(-1)).toMatchObject({ method: 'GET', path: '/mt/mt-tb.cgi/123?__mode=rss' });
  });

  it('reads an empty listing as no pings', async () => {
    server.set('/mt/mt-tb.cgi/7?__mode=rss', {
      headers: xml,
      body: '<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>0</error>\n<rss version="0.91"><channel>\n<title>Leer</title>\n<link>http://freitag.example/x.html</link>\n<description></description>\n<language>en-us</language>\n</channel>\n</rss></response>',
    });
    expect(await fetchTrackbackListing(fetch, `${server.origin}/mt/mt-tb.cgi/7`)).toEqual({ status: 'ok', pings: [] });
  });

  it('reads an ISO-8859-1 listing as the blog declared it', async () => {
    const body = iconv.encode(mtListing.replace('encoding="utf-8"', 'encoding="iso-8859-1"').replace('&#8211;', '-').replace(' …', '').replace('Exkurs', 'Exkurs für Köln'), 'latin1');
    server.set('/latin1/tb?__mode=rss', { headers: { 'content-type': 'text/xml; charset=iso-8859-1' }, body });
    const result = await fetchTrackbackListing(fetch, `${server.origin}/latin1/tb`);
    expect(result.status === 'ok' && result.pings[0]?.title).toBe('Social Media Camp - ein kleiner Exkurs für Köln');
  });

  it('reports <error>1</error> with its message as unavailable', async () => {
    server.set('/mt/mt-tb.cgi/999?__mode=rss', {
      headers: xml,
      body: '<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>1</error>\n<message>Invalid TrackBack ID \'999\'</message>\n</response>\n',
    });
    expect(reasonOf(await fetchTrackbackListing(fetch, `${server.origin}/mt/mt-tb.cgi/999`))).toMatch(/answered with an error: Invalid TrackBack ID '999'/);
  });

  it.each([
    [404, /^the blog answered HTTP 404 Not Found \(the blog does not offer this listing\)$/],
    [410, /^the blog answered HTTP 410 Gone \(the blog does not offer this listing\)$/],
  ])('takes HTTP %i as a listing the blog does not offer', async (status, reason) => {
    server.set(`/status/${status}`, { status, headers: { 'content-type': 'text/html' }, body: '<h1>nope</h1>' });
    expect(reasonOf(await fetchTrackbackListing(fetch, `${server.origin}/status/${status}`))).toMatch(reason);
  });

  it.each([
    [403, /^the blog answered HTTP 403 Forbidden$/],
    [405, /^the blog answered HTTP 405 Method Not Allowed$/],
    [500, /^the blog answered HTTP 500 Internal Server Error$/],
    [503, /^the blog answered HTTP 503 Service Unavailable$/],
  ])('reports HTTP %i as a failure, with the status and Retry-After', async (status, reason) => {
    server.set(`/status/${status}`, { status, headers: { 'content-type': 'text/html', 'retry-after': '120' }, body: '<h1>nope</h1>' });
    const result = await fetchTrackbackListing(fetch, `${server.origin}/status/${status}`);
    expect(failureOf(result)).toMatch(reason);
    expect(result).toMatchObject({ httpStatus: status, retryAfter: '120' });
  });

  it('reports an HTML page as a failure', async () => {
    server.set('/html-tb', { headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<!DOCTYPE html><html><body>Blog</body></html>' });
    expect(failureOf(await fetchTrackbackListing(fetch, `${server.origin}/html-tb`))).toBe('the blog answered with an HTML page, not a TrackBack listing');
  });

  it('reports an HTML page served as text/xml as a failure', async () => {
    server.set('/html-as-xml', { headers: xml, body: '<!DOCTYPE html><html><body>Blog</body></html>' });
    expect(failureOf(await fetchTrackbackListing(fetch, `${server.origin}/html-as-xml`))).toMatch(/HTML page/);
  });

  it('reports a TrackBack reply without a listing and malformed XML as failures', async () => {
    server.set('/bare?__mode=rss', { headers: xml, body: '<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>0</error>\n</response>' });
    expect(failureOf(await fetchTrackbackListing(fetch, `${server.origin}/bare`))).toMatch(/could not be read: this is a TrackBack response without a listing/);
    server.set('/broken?__mode=rss', { headers: xml, body: '<response><error>0</error><rss version="0.91"><channel><item><title>x</item></rss></response>' });
    expect(failureOf(await fetchTrackbackListing(fetch, `${server.origin}/broken`))).toMatch(/could not be read/);
  });

  it('reports a refused connection as a failure in plain words', async () => {
    const closed = await startFixtureServer();
    const origin = closed.origin;
    await closed.close();
    const result = await fetchTrackbackListing(fetch, `${origin}/mt/mt-tb.cgi/1`);
    expect(failureOf(result)).toMatch(/^the listing could not be fetched: /);
    expect(result).toMatchObject({ httpStatus: null });
  });

  it('reports a URL the fetcher refuses, and no URL at all, as failures', async () => {
    const refusing: Fetch = async (request) => {
      throw new FetchError('blocked-address', request.url, 'the address 10.0.0.1 is in a private network');
    };
    expect(failureOf(await fetchTrackbackListing(refusing, 'http://intranet.example/tb'))).toBe(
      'the listing could not be fetched: the address 10.0.0.1 is in a private network',
    );
    expect(failureOf(await fetchTrackbackListing(fetch, 'not a url'))).toBe('"not a url" is not a URL');
  });

  it('asks the fetcher for at most a megabyte', async () => {
    let cap: number | undefined;
    const spy: Fetch = async (request) => {
      cap = request.maxBytes;
      throw new FetchError('too-large', request.url, 'the answer is larger than 1 MB');
    };
    expect(failureOf(await fetchTrackbackListing(spy, 'http://freitag.example/tb'))).toMatch(/larger than 1 MB/);
    expect(cap).toBe(1024 * 1024);
  });

  it('lets errors that are not fetch errors through', async () => {
    const broken: Fetch = async () => {
      throw new TypeError('a bug');
    };
    await expect(fetchTrackbackListing(broken, 'http://freitag.example/tb')).rejects.toThrow('a bug');
  });
});

describe('XML-RPC listings against a fixture endpoint', () => {
  it('sends pingback.extensions.getPingbacks with the target URL and reads the sources', async () => {
    let call: unknown;
    server.set('/rpc/pingbacks', (req, res, body) => {
      call = { contentType: req.headers['content-type'], ...parseMethodCall(body, { maxBytes: 10_000 }) };
      res.writeHead(200, xml);
      res.end(serializeMethodResponse(['http://a.example/2008/11/post/', 'https://www.a.example/2008/11/post', '', 'not a url', 42, 'http://b.example/?p=3']));
    });
    const result = await fetchPingbackSources(fetch, `${server.origin}/rpc/pingbacks`, 'http://sachar.example/2008/11/camp/');
    expect(call).toEqual({ contentType: 'text/xml; charset=utf-8', methodName: 'pingback.extensions.getPingbacks', params: ['http://sachar.example/2008/11/camp/'] });
    expect(result).toEqual({
      status: 'ok',
      pings: [
        { url: 'http://a.example/2008/11/post/', title: null, excerpt: null, blogName: null, via: 'pingback' },
        { url: 'http://b.example/?p=3', title: null, excerpt: null, blogName: null, via: 'pingback' },
      ],
    });
  });

  it('sends mt.getTrackbackPings with the post ID as an int and reads title and URL', async () => {
    let body = '';
    server.set('/rpc/trackbacks', (_req, res, raw) => {
      body = raw.toString('utf8');
      res.writeHead(200, xml);
      res.end(
        serializeMethodResponse([
          { pingTitle: 'Camp &#8211; &quot;ja&quot;&#8230;', pingURL: 'http://freitag.example/2008/11/camp/', pingIP: '192.0.2.7' },
          { pingTitle: '', pingURL: 'http://other.example/post/', pingIP: '192.0.2.8' },
          { pingTitle: 'no URL', pingIP: '192.0.2.9' },
          'not a struct',
        ]),
      );
    });
    const result = await fetchTrackbackPings(fetch, `${server.origin}/rpc/trackbacks`, 213);
    expect(body).toContain('<methodName>mt.getTrackbackPings</methodName><params><param><value><int>213</int></value></param></params>');
    expect(result).toEqual({
      status: 'ok',
      pings: [
        { url: 'http://freitag.example/2008/11/camp/', title: 'Camp – "ja"…', excerpt: null, blogName: null, via: 'trackback' },
        { url: 'http://other.example/post/', title: null, excerpt: null, blogName: null, via: 'trackback' },
      ],
    });
  });

  it.each([
    [-32601, 'server error. requested method pingback.extensions.getPingbacks does not exist.'],
    [-32602, 'server error. invalid method parameters'],
  ])('takes fault %i as a listing the blog does not offer', async (code, message) => {
    server.set('/rpc/fault', { headers: xml, body: serializeFault(code, message) });
    expect(reasonOf(await fetchPingbackSources(fetch, `${server.origin}/rpc/fault`, 'http://x.example/p/'))).toBe(
      `pingback.extensions.getPingbacks answered fault ${code}: ${message}`,
    );
  });

  it('reports any other fault as a failure, with its code and message', async () => {
    server.set('/rpc/fault', { headers: xml, body: serializeFault(-32500, 'server error. application error') });
    expect(failureOf(await fetchPingbackSources(fetch, `${server.origin}/rpc/fault`, 'http://x.example/p/'))).toBe(
      'pingback.extensions.getPingbacks answered fault -32500: server error. application error',
    );
  });

  it('reports an answer that is not a list as a failure', async () => {
    server.set('/rpc/string', { headers: xml, body: serializeMethodResponse('Hello!') });
    expect(failureOf(await fetchPingbackSources(fetch, `${server.origin}/rpc/string`, 'http://x.example/p/'))).toBe(
      'pingback.extensions.getPingbacks answered something other than a list',
    );
    expect(failureOf(await fetchTrackbackPings(fetch, `${server.origin}/rpc/string`, 1))).toBe('mt.getTrackbackPings answered something other than a list');
  });

  it('reports an HTML page, a 403 and unreadable XML-RPC as failures', async () => {
    server.set('/rpc/html', { headers: { 'content-type': 'text/html' }, body: '<html><body>XML-RPC is disabled by a security plugin</body></html>' });
    expect(failureOf(await fetchPingbackSources(fetch, `${server.origin}/rpc/html`, 'http://x.example/p/'))).toBe('the XML-RPC endpoint answered with an HTML page');
    server.set('/rpc/forbidden', { status: 403, headers: { 'content-type': 'text/plain' }, body: 'XML-RPC services are disabled on this site.' });
    expect(failureOf(await fetchTrackbackPings(fetch, `${server.origin}/rpc/forbidden`, 1))).toMatch(/HTTP 403 Forbidden$/);
    server.set('/rpc/bomb', {
      headers: xml,
      body: '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><methodResponse><params><param><value>&b;</value></param></params></methodResponse>',
    });
    expect(failureOf(await fetchPingbackSources(fetch, `${server.origin}/rpc/bomb`, 'http://x.example/p/'))).toMatch(/could not be read: .*DOCTYPE/);
    server.set('/rpc/empty', { headers: xml, body: '' });
    expect(failureOf(await fetchPingbackSources(fetch, `${server.origin}/rpc/empty`, 'http://x.example/p/'))).toMatch(/could not be read/);
  });
});

describe('XML-RPC listings against the WordPress fixture blog', () => {
  let demo: DemoBlogs;
  let xmlrpc: (key: 'sachar' | 'planetsab' | 'freitag') => string;

  beforeAll(async () => {
    demo = await startDemoBlogs();
    xmlrpc = (key) => `${demo.blogs.find((b) => b.key === key)?.origin}/xmlrpc.php`;
  });
  afterAll(async () => {
    await demo.close();
  });

  it('lists the pingback Sachar’s post got from planetsab', async () => {
    const result = await fetchPingbackSources(fetch, xmlrpc('sachar'), demo.permalink('sachar', debateSlugs.sachar));
    expect(result).toEqual({
      status: 'ok',
      pings: [{ url: demo.permalink('planetsab', debateSlugs.planetsab), title: null, excerpt: null, blogName: null, via: 'pingback' }],
    });
  });

  it('reports WordPress’s masked fault 0 for a URL that is not one of its posts as a failure', async () => {
    const home = demo.blogs.find((b) => b.key === 'sachar')?.homeUrl ?? '';
    expect(failureOf(await fetchPingbackSources(fetch, xmlrpc('sachar'), home))).toBe(
      'pingback.extensions.getPingbacks answered fault 0 (WordPress gives no reason: not a post it knows, or pings are off)',
    );
  });

  it('lists trackbacks by the post ID found in the feed’s guid', async () => {
    const permalink = demo.permalink('planetsab', debateSlugs.planetsab);
    demo.addComment('planetsab', debateSlugs.planetsab, {
      type: 'trackback',
      author: 'Freitag',
      authorUrl: 'http://freitag.example/2008/11/social-media-camp-viel-gerede/',
      content: '<strong>Social Media Camp: Viel Gerede, noch kein Camp</strong>\n\nSeit Sachar die Idee in den Raum geworfen hat&#8230;',
      date: '2008-11-17T09:00:00Z',
    });
    const feedResponse = await fetch({ url: `${new URL(permalink).origin}/feed/` });
    const feed = await parseFeed(feedResponse.body.toString('utf8'), feedResponse.url);
    const item = feed.items.find((i) => i.url === permalink);
    expect(item?.guid).toMatch(/\/\?p=\d+$/);
    const postId = wordpressPostId({ guid: item?.guid ?? null, url: item?.url ?? null });
    expect(postId).toBe(213);

    expect(await fetchTrackbackPings(fetch, xmlrpc('planetsab'), postId ?? 0)).toEqual({
      status: 'ok',
      pings: [
        {
          url: 'http://freitag.example/2008/11/social-media-camp-viel-gerede/',
          title: 'Social Media Camp: Viel Gerede, noch kein Camp',
          excerpt: null,
          blogName: null,
          via: 'trackback',
        },
      ],
    });
  });

  it('lists no trackbacks for a post that has none', async () => {
    expect(await fetchTrackbackPings(fetch, xmlrpc('sachar'), 41)).toEqual({ status: 'ok', pings: [] });
  });

  it('reports the fault for a post ID WordPress does not know', async () => {
    expect(failureOf(await fetchTrackbackPings(fetch, xmlrpc('sachar'), 99999))).toBe('mt.getTrackbackPings answered fault 404: Sorry, no such post.');
  });

  it('reports WordPress’s TrackBack URL, whose GET redirects to the post page, as a failure (it is never polled as a listing)', async () => {
    const trackbackUrl = `${demo.permalink('sachar', debateSlugs.sachar)}trackback/`;
    expect(failureOf(await fetchTrackbackListing(fetch, trackbackUrl))).toBe('the blog answered with an HTML page, not a TrackBack listing');
  });
});

describe('wordpressPostId', () => {
  it.each<[{ guid: string | null; url: string | null }, number | null]>([
    [{ guid: 'http://example.org/?p=41', url: 'http://example.org/2008/11/social-media-camp/' }, 41],
    [{ guid: 'https://example.org/blog/?p=7', url: null }, 7],
    [{ guid: 'http://example.org/index.php?p=12', url: null }, 12],
    [{ guid: 'http://example.org/2008/11/social-media-camp/', url: 'http://example.org/?p=41' }, 41],
    [{ guid: null, url: 'http://example.org/?page_id=2' }, 2],
    [{ guid: 'http://example.org/?p=41&preview=true', url: null }, 41],
    [{ guid: 'http://example.org/2008/11/social-media-camp/', url: 'http://example.org/2008/11/social-media-camp/' }, null],
    [{ guid: 'tag:blogger.com,1999:blog-123.post-456', url: 'http://planetsab.blogspot.com/2008/11/exkurs.html' }, null],
    [{ guid: 'http://example.org/2008/11/post.html?p=41', url: null }, null],
    [{ guid: 'http://example.org/?p=abc', url: null }, null],
    [{ guid: 'http://example.org/?p=0', url: null }, null],
    [{ guid: 'ftp://example.org/?p=41', url: null }, null],
    [{ guid: null, url: null }, null],
  ])('reads %j as %s', (item, expected) => {
    expect(wordpressPostId(item)).toBe(expected);
  });
});
