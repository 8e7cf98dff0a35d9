// Over 400 lines because discovery is one chain of fallbacks (page, feed, home page, RSD, post page) best read in order.
// Discovery: from a URL a person pasted (a home page, a post, or a feed) find the blog's post
// feed, site comment feed, pingback and webmention endpoints, RSD and TrackBack. Pull side
// only: it fetches and reads, and hands back what it found; the caller stores it.
import { browserDepth, loadHtmlWithin, loadXmlWithin, MarkupLimitError, type MarkupLimits } from './bounded-markup.ts';
import { decodeText } from './decode.ts';
import { sniffFeedFormat } from './parser/sniff.ts';
import { readFeed, sharedFeedReader, type FeedReader } from './read-feed.ts';
import { parseLinkHeader, resolveUrl } from './link-header.ts';
import { FeedParseError, FetchError, type FeedCandidate, type PageFindings, type ParsedFeedFormat, type Fetch, type FetchResponse, type ParsedFeed } from './types.ts';
import { urlKey } from '../domain/url-key.ts';

export interface Discovery {
  /** The blog's home page: the page given, or the home its feed names when the page lies under it. */
  homeUrl: string;
  title: string | null;
  description: string | null;
  /** The post feed Palaver will poll, fetched and parsed successfully during discovery. */
  feed: FeedCandidate & { format: ParsedFeedFormat; itemCount: number };
  /** Further post feeds the page offers (e.g. Atom beside RSS). */
  otherFeeds: FeedCandidate[];
  commentFeed: FeedCandidate | null;
  pingbackEndpoint: string | null;
  webmentionEndpoint: string | null;
  rsdUrl: string | null;
  trackbackPingUrl: string | null;
  hubUrls: string[];
  /** WordPress's REST API root (rel="https://api.w.org/"): complete comment lists come from there. */
  apiRootUrl: string | null;
  /** Plain-language remarks for the blog's page (what was assumed, what was missing). */
  notes: string[];
}

export type DiscoveryErrorCode = 'invalid-url' | 'unsupported-scheme' | 'blocked-address' | 'unreachable' | 'http-error' | 'no-feed';

export class DiscoveryError extends Error {
  readonly code: DiscoveryErrorCode;
  constructor(code: DiscoveryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DiscoveryError';
    this.code = code;
  }
}

const pageAccept = 'text/html, application/xhtml+xml, application/atom+xml, application/rss+xml, application/feed+json;q=0.9, application/xml;q=0.8, */*;q=0.5';

const feedTypes: Record<string, ParsedFeedFormat> = {
  'application/rss+xml': 'rss',
  'application/atom+xml': 'atom',
  'application/rdf+xml': 'rdf',
  'application/feed+json': 'json',
  'application/json': 'json',
};

// Paths blogging systems use when a theme forgets the <link rel="alternate">.
const wellKnownFeedPaths = ['feed/', 'feeds/posts/default', 'atom.xml', 'index.xml', 'rss.xml'];

function looksLikeCommentFeed(url: string, title: string | null): boolean {
  return /\/comments?\/feed|\/feeds\/comments\/|[?&]feed=comments|comments\.(xml|rss|atom)/i.test(url) || /comment|kommentar/i.test(title ?? '');
}

/** Normalizes what a person typed: trims, and assumes https:// when no scheme is given. */
export function normalizeInputUrl(input: string): URL {
  const trimmed = input.trim();
  if (trimmed === '') throw new DiscoveryError('invalid-url', 'Please enter the address of a blog.');
  // "example.org:8080/blog" parses as scheme "example.org:"; a host with a port is not a scheme.
  const hostWithPort = /^[^\s/:?#]+:\d+(?:[/?#]|$)/.test(trimmed);
  const withScheme = !hostWithPort && /^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new DiscoveryError('invalid-url', `“${trimmed}” is not a web address.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DiscoveryError('unsupported-scheme', `Only http and https addresses can be registered, not ${url.protocol.replace(/:$/, '')}.`);
  }
  if (url.username || url.password) {
    throw new DiscoveryError('invalid-url', 'Addresses with a user name or password cannot be registered.');
  }
  if (!url.hostname) throw new DiscoveryError('invalid-url', `“${trimmed}” has no host name.`);
  return url;
}

/** Tells whether two URLs differ in their port alone (http://h/feed/ against http://h:8080/feed/). */
function onlyPortDiffers(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    if (x.port === y.port) return false;
    x.port = y.port;
    return x.href === y.href;
  } catch {
    return false;
  }
}

function hasRel(el: { attribs: Record<string, string> }, rel: string): boolean {
  return (el.attribs.rel ?? '').toLowerCase().split(/\s+/).includes(rel);
}

// WordPress 4.4+ names its REST API root in a Link header on every page and in the head.
const wpApiRel = 'https://api.w.org/';

/**
 * What reading a page for discovery may build: a blog's home or post page has a few thousand
 * elements; at the limits a page takes about half a second, in a reading thread (readPageOffLoop).
 */
export const pageLimits: MarkupLimits = { maxElements: 50_000, maxDepth: browserDepth, maxMs: 1000 };

/**
 * What a page may build where discovery runs (the event loop that answers a registration) before
 * it is read again in a reading thread: a blog's page is read here in a few milliseconds, and
 * the page that would hold the loop for long only costs this much of it.
 */
const inPlacePageLimits: MarkupLimits = { maxElements: 8_000, maxDepth: browserDepth, maxMs: 40 };

/** Pages of this many characters or more go to the reading thread at once: tokenizing alone would take long here. */
const inPlacePageChars = 512 * 1024;

/** An RSD document names a handful of APIs in a few hundred bytes. */
const rsdBytes = 256 * 1024;

/** An RSD document names a handful of APIs. */
const rsdLimits: MarkupLimits = { maxElements: 1000, maxDepth: 32, maxMs: 250 };

/** Reads the discovery hints of an HTML page (headers and markup). Throws MarkupLimitError. */
export function readPage(html: string, pageUrl: string, headers: Record<string, string>, limits: MarkupLimits = pageLimits): PageFindings {
  const $ = loadHtmlWithin(html, limits);
  const baseHref = $('base[href]').first().attr('href');
  const base = (baseHref && resolveUrl(baseHref, pageUrl)) || pageUrl;

  const feeds: FeedCandidate[] = [];
  const commentFeeds: FeedCandidate[] = [];
  $('link[href]').each((_, el) => {
    if (!hasRel(el, 'alternate')) return;
    const type = (el.attribs.type ?? '').toLowerCase().split(';')[0]!.trim();
    const format = feedTypes[type];
    if (!format) return;
    const url = resolveUrl(el.attribs.href, base);
    if (!url) return;
    const title = el.attribs.title?.trim() || null;
    // JSON Feed 1.0 used plain application/json, but so does WordPress's REST API link on
    // every page (/wp-json/...): take application/json only when it says it is a feed.
    if (type === 'application/json' && (/\/wp-json\//.test(url) || !/feed/i.test(`${url} ${title ?? ''}`))) return;
    const list = looksLikeCommentFeed(url, title) ? commentFeeds : feeds;
    if (!list.some((f) => f.url === url)) list.push({ url, format, title });
  });

  // Pingback 1.0 §2: the X-Pingback header wins over the <link> element.
  const pingback =
    resolveUrl(headers['x-pingback'], pageUrl) ??
    resolveUrl($('link[href]').filter((_, el) => hasRel(el, 'pingback')).first().attr('href'), base);

  // Webmention §3.1.2: the Link header first, then the first <link> or <a> in document order;
  // an empty href means the page itself.
  let webmention = parseLinkHeader(headers.link, pageUrl).find((l) => l.rels.includes('webmention'))?.url ?? null;
  if (!webmention) {
    const el = $('link[href], a[href]').filter((_, e) => hasRel(e, 'webmention')).first();
    if (el.length) webmention = resolveUrl(el.attr('href') ?? '', base);
  }

  const rsdUrl = resolveUrl($('link[href]').filter((_, el) => hasRel(el, 'edituri')).first().attr('href'), base);

  // TrackBack 1.2: an RDF block, usually inside an HTML comment, names the ping URL.
  let trackbackPingUrl: string | null = null;
  const rdf = /trackback:ping\s*=\s*"([^"]+)"/i.exec(html);
  if (rdf) trackbackPingUrl = resolveUrl(rdf[1], base);
  if (!trackbackPingUrl) trackbackPingUrl = resolveUrl($('link[href]').filter((_, el) => hasRel(el, 'trackback')).first().attr('href'), base);

  const apiRootUrl =
    parseLinkHeader(headers.link, pageUrl).find((l) => l.rels.includes(wpApiRel))?.url ??
    resolveUrl($('link[href]').filter((_, el) => hasRel(el, wpApiRel)).first().attr('href'), base);

  const title = $('meta[property="og:site_name"]').attr('content')?.trim() || $('title').first().text().trim() || null;
  const description = $('meta[name="description"]').attr('content')?.trim() || null;
  return { title, description, feeds, commentFeeds, pingback, webmention, rsdUrl, trackbackPingUrl, apiRootUrl };
}

/** Reads the XML-RPC endpoint out of an RSD document, preferring the WordPress API. Throws MarkupLimitError. */
export function readRsd(xml: string, rsdUrl: string): string | null {
  const $ = loadXmlWithin(xml, rsdLimits, 'the RSD document');
  const apis = $('api')
    .toArray()
    .map((el) => ({ name: (el.attribs.name ?? '').toLowerCase(), link: resolveUrl(el.attribs.apiLink ?? el.attribs.apilink, rsdUrl) }))
    .filter((a): a is { name: string; link: string } => a.link !== null);
  // Pingback lives in WordPress's xmlrpc.php; Movable Type's mt-xmlrpc.cgi (MetaWeblog,
  // MovableType APIs) answers pingback calls with "Failed to locate method".
  const preferred = apis.find((a) => a.name === 'wordpress') ?? apis.find((a) => /\/xmlrpc\.php(?:[?#]|$)/.test(a.link));
  return preferred?.link ?? null;
}

/** Threads that read what would hold the event loop for long: big feeds, big or costly pages. */
export type DiscoveryReader = Pick<FeedReader, 'read' | 'readPage'>;

interface DiscoverDeps {
  fetch: Fetch;
  /** The process's shared reading thread when not given (read-feed.ts). */
  reader?: DiscoveryReader;
}

/**
 * Reads a page's discovery hints (readPage), in place when it is small and plain, else in a
 * reading thread with the full limits: a page past the small ones is read again there. Throws
 * MarkupLimitError past the limits, FeedParseError at the thread's own.
 */
async function readPageOffLoop(deps: DiscoverDeps, html: string, pageUrl: string, headers: Record<string, string>): Promise<PageFindings> {
  if (html.length < inPlacePageChars) {
    try {
      return readPage(html, pageUrl, headers, inPlacePageLimits);
    } catch (err) {
      // Too deep is too deep anywhere; the other limits are only this place's.
      if (!(err instanceof MarkupLimitError) || err.limit === 'depth') throw err;
    }
  }
  return (deps.reader ?? sharedFeedReader()).readPage(html, pageUrl, headers);
}

async function fetchOrExplain(deps: DiscoverDeps, url: string, accept: string): Promise<FetchResponse> {
  try {
    return await deps.fetch({ url, accept });
  } catch (err) {
    if (err instanceof FetchError) {
      // The pasted address passed normalizeInputUrl, so a bad scheme here came from a redirect:
      // the address was fine (not 400) but leads nowhere Palaver may go (422).
      const code = err.code === 'blocked-address' ? 'blocked-address' : 'unreachable';
      throw new DiscoveryError(code, `Could not reach ${new URL(url).host}: ${err.message}.`, { cause: err });
    }
    throw err;
  }
}

// Enough of the start of a document to pass a long comment or DOCTYPE before its root, in UTF-32.
const sniffBytes = 64 * 1024;

/**
 * Tells what a fetched document is from its decoded start (BOM, UTF-16/32, declared charset),
 * so that a UTF-32 feed or one behind a UTF-8 BOM is recognised by its root element.
 */
function sniffResponse(res: FetchResponse): ReturnType<typeof sniffFeedFormat> {
  return sniffFeedFormat(decodeText(res.body.subarray(0, sniffBytes), res.headers['content-type'] ?? null, 'xml').text);
}

async function tryFeed(deps: DiscoverDeps, url: string): Promise<{ url: string; feed: ParsedFeed } | { error: string }> {
  let res: FetchResponse;
  try {
    res = await deps.fetch({ url, accept: 'application/atom+xml, application/rss+xml, application/feed+json, application/xml;q=0.9, */*;q=0.5' });
  } catch (err) {
    if (err instanceof FetchError) return { error: `${url}: ${err.message}` };
    throw err;
  }
  if (res.status >= 400) return { error: `${url} answered with status ${res.status}` };
  try {
    return { url: res.url, feed: await readFeed(res.body, res.headers['content-type'] ?? null, res.url, deps.reader) };
  } catch (err) {
    if (err instanceof FeedParseError) return { error: `${url}: ${err.message}` };
    throw err;
  }
}

async function tryOptional<T>(work: () => Promise<T | null>): Promise<T | null> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof FetchError || err instanceof DiscoveryError || err instanceof FeedParseError || err instanceof MarkupLimitError) return null;
    throw err;
  }
}

/**
 * Discovers a blog from a pasted URL. Throws DiscoveryError with a message meant for the person
 * who pasted it when the URL is bad, does not answer, or leads to no readable feed.
 */
export async function discoverBlog(input: string, deps: DiscoverDeps): Promise<Discovery> {
  const start = normalizeInputUrl(input);
  const notes: string[] = [];
  const page = await fetchOrExplain(deps, start.href, pageAccept);
  if (page.status >= 400) {
    throw new DiscoveryError('http-error', `${new URL(page.url).host} answered with status ${page.status} for ${page.url}.`);
  }

  // The root element decides: <rss>, <feed> or <rdf:RDF> is a feed whatever its DOCTYPE or
  // Content-Type (servers send feeds as text/html too); no HTML page has such a root.
  const sniffed = sniffResponse(page);
  const pageIsFeed = sniffed !== null && sniffed !== 'html';

  let findings: PageFindings | null = null;
  let pageUrl = page.url;
  let feedResult: { url: string; feed: ParsedFeed } | null = null;
  // The home page of a pasted feed, once it is known to belong to the feed.
  let verifiedHome: string | null = null;
  const errors: string[] = [];

  if (pageIsFeed) {
    const r = await tryFeed(deps, page.url);
    if ('error' in r) throw new DiscoveryError('no-feed', `The feed at ${page.url} could not be read: ${r.error}.`);
    feedResult = r;
    // A feed was pasted: its home page carries the endpoints. A feed may name any page as its
    // home, so the page counts only when it shares the feed's origin or leads to the feed
    // itself; otherwise anyone could claim someone else's blog (and the trust its pings get).
    const claimed = r.feed.homeUrl && resolveUrl(r.feed.homeUrl, r.url);
    const feedOrigin = `${new URL(r.url).origin}/`;
    const readHome = (url: string) =>
      tryOptional(async () => {
        const answer = await deps.fetch({ url, accept: pageAccept });
        return answer.status < 400 ? { url: answer.url, findings: await readPageOffLoop(deps, decodeText(answer.body, answer.headers['content-type'] ?? null, 'html').text, answer.url, answer.headers) } : null;
      });
    let home: string | null = null;
    let homePage: Awaited<ReturnType<typeof readHome>> = null;
    if (claimed) {
      homePage = await readHome(claimed);
      const sameOrigin = new URL(claimed).origin === new URL(r.url).origin;
      const feedKeys = new Set([urlKey(r.url), urlKey(page.url), urlKey(start.href)].filter((k): k is string => k !== null));
      const leadsToFeed = homePage !== null && [...homePage.findings.feeds, ...homePage.findings.commentFeeds].some((f) => feedKeys.has(urlKey(f.url) ?? ''));
      if (sameOrigin || leadsToFeed) {
        home = claimed;
      } else {
        notes.push(`The feed names ${claimed} as its home page, but that page does not lead to this feed; the blog's home is the feed's own site, ${feedOrigin}.`);
        home = feedOrigin;
        homePage = await readHome(feedOrigin);
      }
    } else {
      notes.push('The feed names no home page; the feed address stands for the blog.');
    }
    if (home) {
      verifiedHome = home;
      pageUrl = homePage?.url ?? home;
      if (homePage) findings = homePage.findings;
      else notes.push(`The home page ${home} could not be read (no answer, or a page past the limits of reading one), so pingback and webmention endpoints are unknown.`);
    }
  } else {
    const html = decodeText(page.body, page.headers['content-type'] ?? null, 'html').text;
    try {
      findings = await readPageOffLoop(deps, html, page.url, page.headers);
    } catch (err) {
      if (!(err instanceof MarkupLimitError || err instanceof FeedParseError)) throw err;
      throw new DiscoveryError('no-feed', `The page at ${page.url} could not be read: ${err.message}. Paste the address of the blog's feed instead.`, { cause: err });
    }
    const candidates = [...findings.feeds];
    if (candidates.length === 0) {
      notes.push('The page declares no feed; Palaver tried the usual feed addresses.');
      for (const p of wellKnownFeedPaths) candidates.push({ url: new URL(p, page.url).href, format: null, title: null });
    }
    for (const c of candidates) {
      const r = await tryFeed(deps, c.url);
      if ('error' in r) {
        errors.push(r.error);
        continue;
      }
      feedResult = r;
      break;
    }
    if (!feedResult) {
      const why = findings.feeds.length
        ? `the feeds it names could not be read (${errors.join('; ')})`
        : 'it declares no feed (<link rel="alternate">) and none of the usual feed addresses answered with one';
      throw new DiscoveryError('no-feed', `No feed found at ${page.url}: ${why}.`);
    }
  }

  const { feed } = feedResult;
  if (feed.items.length === 0) notes.push('The feed has no entries yet; Palaver shows them as they appear.');
  // WordPress on a non-default port writes its self link without the port: the URL that
  // actually answered is the one to poll. Nothing is wrong with the blog, and the note says so.
  if (feed.selfUrl && feed.selfUrl !== feedResult.url) {
    notes.push(
      onlyPortDiffers(feed.selfUrl, feedResult.url)
        ? `Harmless: the feed gives its own address without the port (${feed.selfUrl}), as WordPress does on a non-standard port; Palaver reads it where it answered, ${feedResult.url}.`
        : `Harmless: the feed gives its own address as ${feed.selfUrl}, but it answered at ${feedResult.url}; Palaver reads it where it answered.`,
    );
  }

  // A post page was pasted: the blog is the home its feed names, when the page lies under it.
  let homeUrl = pageUrl;
  const feedHome = feed.homeUrl ? resolveUrl(feed.homeUrl, feedResult.url) : null;
  if (feedHome && !pageIsFeed) {
    const a = new URL(feedHome);
    const b = new URL(pageUrl);
    if (a.host === b.host && b.pathname.startsWith(a.pathname.replace(/\/?$/, '/')) && a.pathname !== b.pathname) {
      homeUrl = feedHome;
      notes.push(`${pageUrl} is a page of the blog at ${feedHome}; the blog was registered by its home page.`);
    }
  } else if (pageIsFeed) {
    homeUrl = verifiedHome ?? feedResult.url;
  }

  let pingback = findings?.pingback ?? null;
  let rsdUrl = findings?.rsdUrl ?? null;
  if (!pingback && rsdUrl) {
    const rsd = rsdUrl;
    pingback = await tryOptional(async () => {
      const res = await deps.fetch({ url: rsd, accept: 'application/rsd+xml, application/xml, text/xml;q=0.9', maxBytes: rsdBytes });
      return res.status < 400 ? readRsd(decodeText(res.body, res.headers['content-type'] ?? null, 'xml').text, res.url) : null;
    });
    if (pingback) notes.push('The pingback endpoint was taken from the XML-RPC API named in the RSD document.');
  }
  // WordPress 6 sends X-Pingback only on single posts: ask the newest post page.
  const newest = feed.items.find((i) => i.url)?.url;
  let webmention = findings?.webmention ?? null;
  let apiRootUrl = findings?.apiRootUrl ?? null;
  if ((!pingback || !webmention) && newest) {
    const post = await tryOptional(async () => {
      const res = await deps.fetch({ url: newest, accept: pageAccept });
      return res.status < 400 ? await readPageOffLoop(deps, decodeText(res.body, res.headers['content-type'] ?? null, 'html').text, res.url, res.headers) : null;
    });
    if (post) {
      if (!pingback && post.pingback) {
        pingback = post.pingback;
        notes.push('The pingback endpoint was found on a post page (X-Pingback or <link rel="pingback">).');
      }
      if (!webmention && post.webmention) webmention = post.webmention;
      rsdUrl ??= post.rsdUrl;
      apiRootUrl ??= post.apiRootUrl;
    }
  }
  if (!pingback) notes.push('No pingback endpoint found.');
  if (!webmention) notes.push('No webmention endpoint found.');

  const commentFeed = findings?.commentFeeds[0] ?? null;
  if (!commentFeed) notes.push('No site-wide comment feed found; comments come from each post’s own feed.');

  return {
    homeUrl,
    title: feed.title ?? findings?.title ?? null,
    description: feed.description ?? findings?.description ?? null,
    feed: { url: feedResult.url, format: feed.format, title: feed.title, itemCount: feed.items.length },
    otherFeeds: (findings?.feeds ?? []).filter((f) => f.url !== feedResult.url),
    commentFeed,
    pingbackEndpoint: pingback,
    webmentionEndpoint: webmention,
    rsdUrl,
    trackbackPingUrl: findings?.trackbackPingUrl ?? null,
    hubUrls: feed.hubUrls,
    apiRootUrl,
    notes,
  };
}
