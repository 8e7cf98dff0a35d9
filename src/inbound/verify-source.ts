// Verification of an inbound ping: fetch its source through the given (guarded) fetch, accept it
// only if the page links to the target, and take title, author and excerpt from it. It decides
// nothing about storage or moderation, and fetches nothing but the source.
import { type Cheerio, type CheerioAPI, load } from 'cheerio';
// Type only, erased at runtime: cheerio's node type, from the package cheerio itself depends on.
import type { Element } from 'domhandler';
import { mf2 } from 'microformats-parser';
import { browserDepth, loadHtmlWithin, MarkupLimitError } from '../reader/bounded-markup.ts';
import { decodeText } from '../reader/decode.ts';
import { escapeHtml } from '../reader/feed-values.ts';
import { htmlToText, sanitizeHtml } from '../reader/sanitize.ts';
import { type Fetch, FetchError, type FetchResponse } from '../reader/types.ts';
import type { VerifiedSource } from '../domain/verification.ts';
import type { PingProtocol } from '../domain/vocabulary.ts';
import { trimEndOf } from '../domain/trim.ts';
import { urlKey } from '../domain/url-key.ts';

export interface VerifySourceRequest {
  source: string;
  target: string;
  protocol: PingProtocol;
  signal?: AbortSignal;
  /** Overrides the fetcher's byte cap for this page. */
  maxBytes?: number;
  /** Elements (start tags) a page may have before it is refused unread. */
  maxElements?: number;
}

export type VerifySourceResult =
  | ({ status: 'verified' } & VerifiedSource)
  | { status: 'no-link' }
  | { status: 'gone'; httpStatus: number }
  | { status: 'error'; message: string; permanent?: boolean };

// Refusals of the address guard come out the same on every attempt, and so does a page over
// the byte limit: no point in retrying.
const permanentFetchErrors = new Set(['blocked-address', 'unsupported-scheme', 'credentials-in-url', 'invalid-url', 'too-large']);

const acceptHeader = 'text/html, application/xhtml+xml;q=0.9, text/plain;q=0.5, */*;q=0.1';
const maxTitleLength = 255;
const maxNameLength = 255;
/** Characters kept on each side of the link text, and of the link text itself (wp-includes/class-wp-xmlrpc-server.php). */
const contextChars = 100;
const maxSummaryLength = 300;

const linkSelectors: Record<PingProtocol, string> = {
  pingback: 'a[href]',
  trackback: 'a[href]',
  // Webmention §3.2.2 counts any reference, so a photo or a video embedded from the target counts.
  webmention: 'a[href], img[src], video[src], audio[src], source[src]',
};

/** A fetched source page, as read by readSourcePage (in this thread or in a worker). */
export interface SourcePage {
  body: Uint8Array;
  contentType: string | null;
  /** The URL that answered, after redirects. */
  url: string;
  target: string;
  protocol: PingProtocol;
  /** Elements (start tags) a page may have before it is refused unread. */
  maxElements?: number;
}

/** Reads a source page: whether it links to the target, and what to show of it. */
export type SourcePageReader = (page: SourcePage) => VerifySourceResult | Promise<VerifySourceResult>;

/** Fetches a ping's source and tells whether it links to the target, with what to show of it. */
export async function verifySource(fetch: Fetch, request: VerifySourceRequest, read: SourcePageReader = readSourcePage): Promise<VerifySourceResult> {
  const targetKey = urlKey(request.target);
  if (targetKey === null) return { status: 'error', message: `the target ${request.target} is not an http(s) URL` };

  let response: FetchResponse;
  try {
    response = await fetch({
      url: request.source,
      accept: acceptHeader,
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.maxBytes !== undefined ? { maxBytes: request.maxBytes } : {}),
    });
  } catch (err) {
    const reason = err instanceof FetchError || err instanceof Error ? err.message : String(err);
    const permanent = err instanceof FetchError && permanentFetchErrors.has(err.code);
    return { status: 'error', message: `the source could not be fetched: ${reason}`, ...(permanent ? { permanent } : {}) };
  }

  if (response.status === 404 || response.status === 410) return { status: 'gone', httpStatus: response.status };
  if (response.status < 200 || response.status > 299) {
    return { status: 'error', message: `the source answered HTTP ${response.status}` };
  }

  return read({ body: response.body, contentType: response.headers['content-type'] ?? null, url: response.url, target: request.target, protocol: request.protocol, ...(request.maxElements !== undefined ? { maxElements: request.maxElements } : {}) });
}

/** Elements a source page may build when the caller sets no limit (config's default). */
const defaultSourceElements = 30_000;
/** Time building a source page's tree may take; the worker that reads it (source-page-pool.ts) has its own limit too. */
const sourceReadMs = 5000;

/** Reads a fetched source page: whether it links to the target, and what to show of it. */
export function readSourcePage(page: SourcePage): VerifySourceResult {
  const targetKey = urlKey(page.target);
  if (targetKey === null) return { status: 'error', message: `the target ${page.target} is not an http(s) URL` };
  const contentType = page.contentType;
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  const body = Buffer.from(page.body.buffer, page.body.byteOffset, page.body.byteLength);
  // A page without a Content-Type is sniffed as HTML, as browsers do with markup.
  if (mediaType === '' || mediaType === 'text/html' || mediaType === 'application/xhtml+xml') {
    const html = decodeText(body, contentType, 'html').text;
    let $: CheerioAPI;
    try {
      // Counted on the tree parse5 builds, which can be far more than the tags written.
      $ = loadHtmlWithin(html, { maxElements: page.maxElements ?? defaultSourceElements, maxDepth: browserDepth, maxMs: sourceReadMs }, 'the source page');
    } catch (err) {
      if (err instanceof MarkupLimitError) return { status: 'error', permanent: true, message: `${err.message}, the limit for a ping's source` };
      throw err;
    }
    return verifyHtml($, html, page.url, targetKey, page.protocol);
  }
  if (mediaType.startsWith('text/')) {
    // Only Webmention looks for a bare URL in text (§3.2.2); a pingback needs a hyperlink.
    if (page.protocol !== 'webmention') return { status: 'no-link' };
    const text = decodeText(body, contentType, 'html').text;
    return verifyText(text, page.url, targetKey);
  }
  return { status: 'error', message: `the source is ${mediaType}, not a web page` };
}

function resolveHttpUrl(value: string | undefined, base: string): string | null {
  if (!value) return null;
  try {
    const url = new URL(value.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** The base for relative URLs: the first <base href> (resolved against the page), else the page. */
function documentBase($: CheerioAPI, pageUrl: string): string {
  return resolveHttpUrl($('base[href]').first().attr('href'), pageUrl) ?? pageUrl;
}

function findLinks($: CheerioAPI, base: string, targetKey: string, protocol: PingProtocol): Element[] {
  const found: Element[] = [];
  for (const el of $(linkSelectors[protocol]).toArray()) {
    if (el.type !== 'tag') continue;
    const attribute = el.tagName === 'a' ? 'href' : 'src';
    const url = resolveHttpUrl($(el).attr(attribute), base);
    if (url !== null && urlKey(url) === targetKey) found.push(el);
  }
  return found;
}

function verifyHtml($: CheerioAPI, html: string, pageUrl: string, targetKey: string, protocol: PingProtocol): VerifySourceResult {
  const base = documentBase($, pageUrl);
  const links = findLinks($, base, targetKey, protocol);
  if (links.length === 0) return { status: 'no-link' };

  const entry = findEntry(html, base, pageUrl, targetKey);
  const page = readPageMeta($, base);
  // Links in the post's own content say more than a link in the sidebar or the footer.
  const link = links.find((el) => $(el).closest('.e-content').length > 0) ?? links.find((el) => $(el).closest('nav, header, footer, aside').length === 0) ?? links[0]!;
  const context = linkContext($, link);

  const url = entry?.url && sameHost(entry.url, pageUrl) ? entry.url : pageUrl;
  let excerptHtml = '';
  if (entry?.summary) excerptHtml = sanitizeHtml(escapeHtml(entry.summary), url);
  else if (context) excerptHtml = sanitizeHtml(`[…] ${escapeHtml(context)} […]`, url);

  return {
    status: 'verified',
    url,
    title: entry?.name ?? page.title,
    authorName: entry?.authorName ?? page.authorName,
    authorUrl: entry?.authorUrl ?? page.authorUrl,
    publishedAt: entry?.publishedAt ?? page.publishedAt,
    excerptHtml,
    contentHtml: entry?.contentHtml ? sanitizeHtml(entry.contentHtml, url) || null : null,
  };
}

function sameHost(a: string, b: string): boolean {
  const hostOf = (key: string | null) => key?.split(/[/?#]/)[0] ?? null;
  const ka = hostOf(urlKey(a));
  return ka !== null && ka === hostOf(urlKey(b));
}

function toIso(value: string | null | undefined): string | null {
  if (!value) return null;
  const time = Date.parse(value.trim());
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/**
 * Collapses an already decoded text value (a <title>, an attribute, a microformats value) to one
 * line, cut at a word boundary with "…". Never re-parsed as HTML: "&lt;b&gt;" in a title is text.
 */
function cleanLine(value: string | null | undefined, maxLength: number): string | null {
  if (!value) return null;
  // eslint-disable-next-line no-control-regex
  const text = value.replace(/[\u0000-\u001f\u007f-\u009f\s\u00a0]+/g, ' ').trim();
  if (text.length <= maxLength) return text || null;
  let cut = text.slice(0, maxLength - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const space = cut.lastIndexOf(' ');
  if (space >= maxLength * 0.6) cut = cut.slice(0, space);
  return `${cut.replace(/[\s,;:.]+$/, '')}…`;
}

interface PageMeta {
  title: string | null;
  authorName: string | null;
  authorUrl: string | null;
  publishedAt: string | null;
}

function readPageMeta($: CheerioAPI, base: string): PageMeta {
  // <title> first: it is what WordPress shows as a pingback's author and title.
  const title = cleanLine($('title').first().text(), maxTitleLength) ?? cleanLine($('meta[property="og:title"]').first().attr('content'), maxTitleLength);
  return {
    title,
    authorName: cleanLine($('meta[name="author"]').first().attr('content'), maxNameLength),
    authorUrl: resolveHttpUrl($('link[rel~="author"][href], a[rel~="author"][href]').first().attr('href'), base),
    publishedAt: toIso($('meta[property="article:published_time"]').first().attr('content')),
  };
}

const paragraphSelector = 'p, li, blockquote, dd, dt, td, th, h1, h2, h3, h4, h5, h6, pre, figcaption, caption';
const linkStart = '\uE000';
const linkEnd = '\uE001';

/**
 * Returns the text of the paragraph around the link: up to 100 characters on each side of the
 * link text, cut at word boundaries, as WordPress's pingback.ping builds its excerpt.
 */
function linkContext($: CheerioAPI, link: Element): string {
  const el: Cheerio<Element> = $(link);
  const paragraph = el.closest(paragraphSelector).first();
  const container = paragraph.length ? paragraph : el.parent();
  // Markers around the link find it again in the flattened text, however often its text recurs.
  el.before(linkStart).after(linkEnd);
  const text = htmlToText($.html(container.length ? container : el));
  const start = text.indexOf(linkStart);
  const end = text.indexOf(linkEnd, start + 1);
  if (start === -1 || end === -1) return cleanLine(text.replace(/[\uE000\uE001]/g, ''), 3 * contextChars) ?? '';

  let before = text.slice(0, start).replace(/[\uE000\uE001]/g, '');
  let linkText = text.slice(start + 1, end).replace(/[\uE000\uE001]/g, '');
  let after = text.slice(end + 1).replace(/[\uE000\uE001]/g, '');
  if (before.length > contextChars) {
    before = before.slice(-contextChars);
    const space = before.indexOf(' ');
    if (space !== -1) before = before.slice(space + 1);
  }
  if (linkText.length > contextChars) linkText = `${linkText.slice(0, contextChars)}…`;
  if (after.length > contextChars) {
    after = after.slice(0, contextChars);
    const space = after.lastIndexOf(' ');
    if (space !== -1) after = after.slice(0, space);
  }
  return `${before}${linkText}${after}`.replace(/\s+/g, ' ').trim();
}

interface EntryData {
  name: string | null;
  url: string | null;
  authorName: string | null;
  authorUrl: string | null;
  publishedAt: string | null;
  summary: string | null;
  contentHtml: string | null;
}

type Mf2Document = ReturnType<typeof mf2>;
type Mf2Item = Mf2Document['items'][number];
type Mf2Property = Mf2Item['properties'][string][number];

function isItem(value: Mf2Property | undefined): value is Mf2Item {
  return typeof value === 'object' && value !== null && 'properties' in value;
}

function firstString(item: Mf2Item, name: string): string | null {
  const value = item.properties[name]?.[0];
  if (typeof value === 'string') return value;
  if (isItem(value) && typeof value.value === 'string') return value.value;
  if (typeof value === 'object' && value !== null && 'value' in value && typeof value.value === 'string') return value.value;
  return null;
}

/** Walks the microformats tree for h-entries, each with the author of the h-feed around it. */
function collectEntries(items: Mf2Item[]): { entry: Mf2Item; feedAuthor: Mf2Property | undefined }[] {
  const out: { entry: Mf2Item; feedAuthor: Mf2Property | undefined }[] = [];
  const stack: { item: Mf2Item; feedAuthor: Mf2Property | undefined }[] = items.map((item) => ({ item, feedAuthor: undefined })).reverse();
  while (stack.length) {
    const { item, feedAuthor } = stack.pop()!;
    const types = item.type ?? [];
    if (types.includes('h-entry')) out.push({ entry: item, feedAuthor });
    const author = types.includes('h-feed') ? (item.properties['author']?.[0] ?? feedAuthor) : feedAuthor;
    const children = item.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push({ item: children[i]!, feedAuthor: author });
  }
  return out;
}

function readAuthor(value: Mf2Property | undefined, base: string): { name: string | null; url: string | null } {
  if (value === undefined) return { name: null, url: null };
  if (typeof value === 'string') {
    // A bare p-author may be a name or (for u-author) a URL.
    const url = /^https?:\/\//i.test(value.trim()) ? resolveHttpUrl(value, base) : null;
    return url ? { name: null, url } : { name: cleanLine(value, maxNameLength), url: null };
  }
  if (isItem(value)) {
    const name = firstString(value, 'name') ?? (typeof value.value === 'string' ? value.value : null);
    return { name: cleanLine(name, maxNameLength), url: resolveHttpUrl(firstString(value, 'url') ?? undefined, base) };
  }
  return { name: null, url: null };
}

/**
 * Picks the h-entry that stands for the page: the one whose u-url is the page, else the one
 * whose content links to the target, else the first; null when the page has none.
 */
function findEntry(html: string, base: string, pageUrl: string, targetKey: string): EntryData | null {
  let entries: ReturnType<typeof collectEntries>;
  try {
    entries = collectEntries(mf2(html, { baseUrl: base }).items);
  } catch {
    // Microformats are a bonus; a page the parser chokes on is still read by its <title>.
    return null;
  }
  if (entries.length === 0) return null;
  const pageKey = urlKey(pageUrl);
  const contentLinks = (entry: Mf2Item) => {
    const content = entry.properties['content']?.[0];
    if (typeof content !== 'object' || content === null || !('html' in content)) return false;
    const $ = load(content.html);
    return findLinks($, base, targetKey, 'webmention').length > 0;
  };
  const chosen =
    (entries.length > 1 ? entries.find(({ entry }) => urlKey(firstString(entry, 'url')) === pageKey) : undefined) ??
    (entries.length > 1 ? entries.find(({ entry }) => contentLinks(entry)) : undefined) ??
    entries[0]!;
  const { entry, feedAuthor } = chosen;

  const content = entry.properties['content']?.[0];
  let contentHtml: string | null = null;
  let contentText: string | null = null;
  if (typeof content === 'string') {
    contentHtml = escapeHtml(content);
    contentText = content;
  } else if (typeof content === 'object' && content !== null && 'html' in content) {
    contentHtml = content.html;
    contentText = content.value;
  }

  let name = cleanLine(firstString(entry, 'name'), maxTitleLength);
  // A note has no title: parsers imply its name from the text, which only repeats the content.
  if (name && contentText && (cleanLine(contentText, Infinity) ?? '').startsWith(name.replace(/…$/, ''))) name = null;

  const author = readAuthor(entry.properties['author']?.[0] ?? feedAuthor, base);
  const summary = cleanLine(firstString(entry, 'summary'), maxSummaryLength);
  return {
    name,
    url: resolveHttpUrl(firstString(entry, 'url') ?? undefined, base),
    authorName: author.name,
    authorUrl: author.url,
    publishedAt: toIso(firstString(entry, 'published')),
    summary,
    contentHtml,
  };
}

const bareUrl = /https?:\/\/[^\s<>"'()]+/gi;

function verifyText(text: string, pageUrl: string, targetKey: string): VerifySourceResult {
  for (const match of text.matchAll(bareUrl)) {
    // Without the punctuation of the sentence that ends with it.
    const url = trimEndOf(match[0], '.,;:!?');
    if (urlKey(url) !== targetKey) continue;
    const at = match.index ?? 0;
    const around = text.slice(Math.max(0, at - contextChars), at + url.length + contextChars).replace(/\s+/g, ' ').trim();
    return {
      status: 'verified',
      url: pageUrl,
      title: null,
      authorName: null,
      authorUrl: null,
      publishedAt: null,
      excerptHtml: sanitizeHtml(`[…] ${escapeHtml(around)} […]`, pageUrl),
      contentHtml: null,
    };
  }
  return { status: 'no-link' };
}
