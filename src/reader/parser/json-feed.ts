// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) into the normalized ParsedFeed.
// Hand-written because no XML parser applies; reads only the documented fields, ignores
// "_"-extensions, and never trusts a value's type.
import { JsonDepthError, parseJsonWithin } from '../json-within.ts';
import { collapseText, escapeHtml, parseFeedDate, resolveHttpUrl } from '../feed-values.ts';
import { FeedParseError, type FeedItem, type ParsedFeed } from '../types.ts';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(object: Json, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function text(object: Json, key: string): string | null {
  return collapseText(field(object, key));
}

function rawString(object: Json, key: string): string | null {
  const value = field(object, key);
  return typeof value === 'string' && value.trim() ? value : null;
}

/** 1.1 has "authors" (an array); 1.0 had "author" (an object), which 1.1 feeds still send. */
function firstAuthor(object: Json): Json | null {
  const authors = field(object, 'authors');
  if (Array.isArray(authors)) {
    const first = authors.find(isObject);
    if (first) return first;
  }
  const author = field(object, 'author');
  return isObject(author) ? author : null;
}

function readItem(raw: Json, feedBase: string, feedAuthor: Json | null, feedLang: string | null): FeedItem {
  const id = field(raw, 'id');
  // JSON Feed 1.0 allowed numeric ids in practice; the spec says string, so they are stringified.
  const guid = typeof id === 'string' ? id.trim() || null : typeof id === 'number' && Number.isFinite(id) ? String(id) : null;
  const url = resolveHttpUrl(field(raw, 'url'), feedBase) ?? resolveHttpUrl(field(raw, 'external_url'), feedBase);
  const contentHtml = rawString(raw, 'content_html');
  const contentText = rawString(raw, 'content_text');
  const summary = rawString(raw, 'summary');
  const author = firstAuthor(raw) ?? feedAuthor;
  return {
    guid,
    url,
    title: text(raw, 'title'),
    authorName: author ? text(author, 'name') : null,
    authorUrl: author ? resolveHttpUrl(field(author, 'url'), feedBase) : null,
    contentHtml: contentHtml ?? (contentText ? escapeHtml(contentText) : null),
    // "summary" is plain text in JSON Feed, so it travels escaped like content_text.
    summaryHtml: summary ? escapeHtml(summary) : null,
    publishedAt: parseFeedDate(field(raw, 'date_published')),
    updatedAt: parseFeedDate(field(raw, 'date_modified')),
    commentsPageUrl: null,
    commentFeeds: [],
    commentCount: null,
    inReplyTo: [],
    trackbackPingUrl: null,
    baseUrl: url ?? feedBase,
    lang: text(raw, 'language') ?? feedLang,
  };
}

/** Parses JSON Feed text; throws FeedParseError 'malformed' for bad JSON, 'not-a-feed' otherwise. */
export function parseJsonFeed(source: string, feedUrl: string): ParsedFeed {
  let doc: unknown;
  try {
    doc = parseJsonWithin(source);
  } catch (err) {
    if (err instanceof JsonDepthError) throw new FeedParseError('malformed', err.message, { cause: err });
    throw new FeedParseError('malformed', `not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!isObject(doc)) throw new FeedParseError('not-a-feed', 'this JSON document is not a JSON Feed (no top-level object)');
  const version = field(doc, 'version');
  const items = field(doc, 'items');
  const claimsJsonFeed = typeof version === 'string' && /jsonfeed\.org\/version\//i.test(version);
  if (!Array.isArray(items) && !claimsJsonFeed) {
    throw new FeedParseError('not-a-feed', 'this JSON document is not a JSON Feed (no "version" of jsonfeed.org and no "items")');
  }

  // Relative URLs resolve against the URL the feed was fetched from, not its claimed feed_url.
  const feedBase = feedUrl;
  const lang = text(doc, 'language');
  const feedAuthor = firstAuthor(doc);
  const hubs = field(doc, 'hubs');
  const hubUrls = Array.isArray(hubs)
    ? hubs.filter(isObject).map((hub) => resolveHttpUrl(field(hub, 'url'), feedBase)).filter((u): u is string => u !== null)
    : [];

  return {
    format: 'json',
    title: text(doc, 'title'),
    description: text(doc, 'description'),
    homeUrl: resolveHttpUrl(field(doc, 'home_page_url'), feedBase),
    selfUrl: resolveHttpUrl(field(doc, 'feed_url'), feedBase),
    hubUrls,
    ttlSeconds: null,
    lang,
    items: Array.isArray(items) ? items.filter(isObject).map((item) => readItem(item, feedBase, feedAuthor, lang)) : [],
    warnings: [],
  };
}
