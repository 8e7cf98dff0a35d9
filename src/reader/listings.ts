// Polls the listings of pings a blog publishes about one of its posts (DESIGN.md, "Listings of
// pings"): Movable Type's ?__mode=rss, WordPress's XML-RPC getPingbacks and getTrackbackPings.
// It only reports what a listing says; every listed URL is unverified (WordPress lists
// unapproved and spam pings too). A listing is "unavailable" only when the blog says so (XML-RPC
// fault -32601/-32602, HTTP 404/410, a TrackBack listing error); anything else is "failed".
import { STATUS_CODES } from 'node:http';
import * as cheerio from 'cheerio';
import { urlKey } from '../domain/url-key.ts';
import type { CommentPingKind } from '../domain/vocabulary.ts';
import { type XmlRpcValue, XmlRpcParseError, parseMethodResponse, serializeMethodCall } from '../xmlrpc/codec.ts';
import { decodeText } from './decode.ts';
import { readFeed } from './read-feed.ts';
import { htmlToText } from './sanitize.ts';
import { type Fetch, FetchError, type FetchRequest, type FetchResponse, FeedParseError } from './types.ts';

/** One ping as a listing names it. Nothing here is verified: callers fetch `url` and check its link. */
export interface ListedPing {
  url: string;
  /** Plain text as the listing gives it; untrusted. */
  title: string | null;
  /** As the listing gives it (Movable Type's excerpt); may hold markup, so sanitize or escape it. */
  excerpt: string | null;
  blogName: string | null;
  via: CommentPingKind;
}

export type ListingResult =
  | { status: 'ok'; pings: ListedPing[] }
  /** The blog said it offers no such listing: asked again much later, not an error. */
  | { status: 'unavailable'; reason: string }
  /** The listing could not be had (network, server error, an answer that is no listing): an error. */
  | { status: 'failed'; reason: string; httpStatus: number | null; retryAfter: string | null };

/** A listing larger than this is not read: a post with thousands of pings is spam, not a debate. */
export const maxListingBytes = 1024 * 1024;

function unavailable(reason: string): ListingResult {
  return { status: 'unavailable', reason };
}

function failed(reason: string, httpStatus: number | null = null, retryAfter: string | null = null): ListingResult {
  return { status: 'failed', reason, httpStatus, retryAfter };
}

// Only "not found" and "gone" say the listing does not exist; a 403, 500 or 503 may be a
// firewall, an outage or a rate limit of a blog whose listing works tomorrow.
const switchedOffStatuses = [404, 410];

// XML-RPC's "requested method not found" and "invalid method parameters" (the specification for
// fault codes, xmlrpc-epi): the blog has no such listing method, or not for this kind of post.
const switchedOffFaults = [-32601, -32602];

function describeStatus(status: number): string {
  const words = STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : '';
  const off = switchedOffStatuses.includes(status) ? ' (the blog does not offer this listing)' : '';
  return `the blog answered HTTP ${status}${words}${off}`;
}

type Fetched = { ok: true; response: FetchResponse } | { ok: false; result: ListingResult };

async function fetchListing(fetch: Fetch, request: FetchRequest): Promise<Fetched> {
  let response: FetchResponse;
  try {
    response = await fetch({ maxBytes: maxListingBytes, ...request });
  } catch (err) {
    if (err instanceof FetchError) return { ok: false, result: failed(`the listing could not be fetched: ${err.message}`) };
    throw err;
  }
  if (response.status !== 200) {
    const said = describeStatus(response.status);
    if (switchedOffStatuses.includes(response.status)) return { ok: false, result: unavailable(said) };
    return { ok: false, result: failed(said, response.status, response.headers['retry-after'] ?? null) };
  }
  return { ok: true, response };
}

function looksLikeHtml(response: FetchResponse): boolean {
  const type = response.headers['content-type'] ?? '';
  if (/^\s*(text\/html|application\/xhtml\+xml)/i.test(type)) return true;
  return /^\s*(<!--[\s\S]*?-->\s*)*<(!doctype\s+html|html[\s>])/i.test(response.body.subarray(0, 1024).toString('latin1'));
}

function httpUrl(value: string): string | null {
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

// A listing may name one source twice (a ping resent, http and https): report it once.
function uniqueByKey(pings: ListedPing[]): ListedPing[] {
  const seen = new Set<string>();
  return pings.filter((ping) => {
    const key = urlKey(ping.url) ?? ping.url;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function textOrNull(value: string | null | undefined): string | null {
  const text = value?.replace(/\s+/g, ' ').trim();
  return text ? text : null;
}

/** The message of a TrackBack reply with a non-zero <error> (empty when it gives none), or null. */
function trackbackListingError(text: string): string | null {
  const head = text.slice(0, 4096);
  const error = /^\s*(?:<\?xml[^>]*>\s*)?<response>\s*<error>\s*(\d+)\s*<\/error>/.exec(head);
  if (!error || Number(error[1]) === 0) return null;
  const message = /<message>([\s\S]{0,500}?)<\/message>/.exec(head)?.[1] ?? '';
  return cheerio.load(message, { xml: true }).root().text().replace(/\s+/g, ' ').trim();
}

/** Returns the URL at which Movable Type lists a post's TrackBack pings as RSS 0.91. */
export function trackbackListingUrl(trackbackUrl: string): string {
  const url = new URL(trackbackUrl);
  url.searchParams.set('__mode', 'rss');
  return url.href;
}

/**
 * Fetches Movable Type's `<TrackBack URL>?__mode=rss` (RSS 0.91 inside `<response>`, title,
 * link and excerpt per ping, no dates) and returns the pings it lists.
 */
export async function fetchTrackbackListing(fetch: Fetch, trackbackUrl: string): Promise<ListingResult> {
  let listingUrl: string;
  try {
    listingUrl = trackbackListingUrl(trackbackUrl);
  } catch {
    return failed(`"${trackbackUrl}" is not a URL`);
  }
  const outcome = await fetchListing(fetch, {
    url: listingUrl,
    accept: 'application/rss+xml, text/xml;q=0.9, application/xml;q=0.9, */*;q=0.1',
  });
  if (!outcome.ok) return outcome.result;
  const fetched = outcome.response;
  // WordPress answers a GET on its TrackBack URL with a redirect to the post page.
  if (looksLikeHtml(fetched)) return failed('the blog answered with an HTML page, not a TrackBack listing', 200);
  const { text } = decodeText(fetched.body, fetched.headers['content-type'] ?? null, 'xml');
  // MT::App::Trackback answers <error>1</error> when the entry is unknown or takes no pings.
  const refusal = trackbackListingError(text);
  if (refusal !== null) return unavailable(`the TrackBack listing answered with an error${refusal ? `: ${refusal}` : ''}`);
  try {
    // A long listing is read off the event loop, as a polled feed is (read-feed.ts).
    const feed = await readFeed(fetched.body, fetched.headers['content-type'] ?? null, fetched.url);
    const pings: ListedPing[] = [];
    for (const item of feed.items) {
      const url = item.url ? httpUrl(item.url) : null;
      // A ping without a usable source cannot be verified, so it cannot become anything.
      if (!url) continue;
      pings.push({ url, title: textOrNull(item.title), excerpt: textOrNull(item.summaryHtml ?? item.contentHtml), blogName: null, via: 'trackback' });
    }
    return { status: 'ok', pings: uniqueByKey(pings) };
  } catch (err) {
    if (err instanceof FeedParseError) return failed(`the TrackBack listing could not be read: ${err.message}`, 200);
    throw err;
  }
}

type XmlRpcOutcome = { ok: true; value: XmlRpcValue } | { ok: false; result: ListingResult };

async function callXmlRpc(fetch: Fetch, endpoint: string, methodName: string, params: XmlRpcValue[]): Promise<XmlRpcOutcome> {
  const outcome = await fetchListing(fetch, {
    url: endpoint,
    method: 'POST',
    body: serializeMethodCall(methodName, params),
    contentType: 'text/xml; charset=utf-8',
    accept: 'text/xml, application/xml;q=0.9, */*;q=0.1',
  });
  if (!outcome.ok) return outcome;
  const fetched = outcome.response;
  if (looksLikeHtml(fetched)) return { ok: false, result: failed('the XML-RPC endpoint answered with an HTML page', 200) };
  try {
    const answer = parseMethodResponse(fetched.body, { maxBytes: maxListingBytes, contentType: fetched.headers['content-type'] ?? null });
    if (answer.kind === 'fault') {
      // WordPress's xmlrpc_pingback_error filter masks every pingback fault but 48 to code 0
      // with no message, so 0 means "not a post with pingbacks" or "pingbacks are off".
      const said = answer.faultString ? `: ${answer.faultString}` : answer.faultCode === 0 ? ' (WordPress gives no reason: not a post it knows, or pings are off)' : '';
      const reason = `${methodName} answered fault ${answer.faultCode}${said}`;
      return { ok: false, result: switchedOffFaults.includes(answer.faultCode) ? unavailable(reason) : failed(reason, 200) };
    }
    return { ok: true, value: answer.value };
  } catch (err) {
    if (err instanceof XmlRpcParseError) return { ok: false, result: failed(`the XML-RPC answer could not be read: ${err.message}`, 200) };
    throw err;
  }
}

/** Asks a WordPress XML-RPC endpoint for `pingback.extensions.getPingbacks(targetUrl)` and returns the listed sources. */
export async function fetchPingbackSources(fetch: Fetch, xmlrpcEndpoint: string, targetUrl: string): Promise<ListingResult> {
  const outcome = await callXmlRpc(fetch, xmlrpcEndpoint, 'pingback.extensions.getPingbacks', [targetUrl]);
  if (!outcome.ok) return outcome.result;
  if (!Array.isArray(outcome.value)) return failed('pingback.extensions.getPingbacks answered something other than a list', 200);
  const pings: ListedPing[] = [];
  for (const source of outcome.value) {
    // WordPress lists comment_author_url, which is empty for a pingback whose URL was removed.
    const url = typeof source === 'string' ? httpUrl(source) : null;
    if (url) pings.push({ url, title: null, excerpt: null, blogName: null, via: 'pingback' });
  }
  return { status: 'ok', pings: uniqueByKey(pings) };
}

/** Asks a WordPress XML-RPC endpoint for `mt.getTrackbackPings(postId)` and returns the listed pings. */
export async function fetchTrackbackPings(fetch: Fetch, xmlrpcEndpoint: string, postId: number): Promise<ListingResult> {
  const outcome = await callXmlRpc(fetch, xmlrpcEndpoint, 'mt.getTrackbackPings', [postId]);
  if (!outcome.ok) return outcome.result;
  if (!Array.isArray(outcome.value)) return failed('mt.getTrackbackPings answered something other than a list', 200);
  const pings: ListedPing[] = [];
  for (const entry of outcome.value) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry) || entry instanceof Date || Buffer.isBuffer(entry)) continue;
    const url = typeof entry.pingURL === 'string' ? httpUrl(entry.pingURL) : null;
    if (!url) continue;
    // wp_xmlrpc_server::mt_getTrackbackPings cuts pingTitle out of comment_content, which is HTML.
    const title = typeof entry.pingTitle === 'string' ? textOrNull(htmlToText(entry.pingTitle)) : null;
    pings.push({ url, title, excerpt: null, blogName: null, via: 'trackback' });
  }
  return { status: 'ok', pings: uniqueByKey(pings) };
}

/**
 * Returns the WordPress post ID behind an item, from the guid WordPress stores at publication
 * (`http://example.org/?p=41`) or a plain permalink or shortlink of the same form; null otherwise.
 */
export function wordpressPostId(item: { guid: string | null; url: string | null }): number | null {
  for (const candidate of [item.guid, item.url]) {
    if (!candidate) continue;
    let url: URL;
    try {
      url = new URL(candidate.trim());
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    // Only the home path carries ?p= in WordPress (the blog may live in a folder).
    if (!/(^|\/)(index\.php)?$/.test(url.pathname)) continue;
    const id = url.searchParams.get('p') ?? url.searchParams.get('page_id');
    if (id && /^\d{1,15}$/.test(id) && Number(id) > 0) return Number(id);
  }
  return null;
}
