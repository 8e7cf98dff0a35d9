// What RSS and Atom items and channels say alike, once the format adapters (rss-feed.ts,
// atom-feed.ts) have read identity, links and content their own way: authors, dates, comment
// feeds and counts, threading (thr:in-reply-to, Blogger's related links), TrackBack URLs and
// language, and the feed's self, hub and TTL. Real feeds mix the namespaces, so both read all.
import { collapseText, parseCount, parseFeedDate, resolveHttpUrl } from '../feed-values.ts';
import { htmlToText } from '../sanitize.ts';
import type { FeedItem, CommentFeedLink, InReplyTo, ParsedFeed, ParsedFeedFormat } from '../types.ts';
import type { Raw } from './rss-parser.ts';
import { attrOf, constructHtml, constructText, fieldText, firstOf, listOf, nestBase, nodeAttr, nodeText, own, rssAuthorName, ttlFromFeed, type Base, type ConstructKind, type Link } from './xml-nodes.ts';

/** What an item inherits from its feed. */
export interface FeedContext {
  format: ParsedFeedFormat;
  base: Base;
  lang: string | null;
  authorName: string | null;
  authorUrl: string | null;
  /** How a title or content without a type holds its text: Atom's default is text, RSS's HTML. */
  textKind: ConstructKind;
}

/** Reads an item's (or an Atom feed's) author: an Atom person, dc:creator or RSS's "email (Name)". */
export function readAuthor(item: Raw, base: string): { name: string | null; url: string | null } {
  const creator = fieldText(item, 'xDcCreator');
  const author = firstOf(own(item, 'xAuthor'));
  if (typeof author === 'object' && author !== null && !Object.hasOwn(author, '_')) {
    // Atom person construct (Atom 0.3 wrote <url>, 1.0 writes <uri>).
    const name = collapseText(nodeText(firstOf(own(author, 'name'))));
    const url = resolveHttpUrl(nodeText(firstOf(own(author, 'uri'))) ?? nodeText(firstOf(own(author, 'url'))), base);
    return { name: name ?? (creator ? htmlToText(creator) || null : null), url };
  }
  if (creator?.trim()) return { name: htmlToText(creator) || null, url: null };
  const text = nodeText(author);
  return { name: text ? rssAuthorName(text) : null, url: null };
}

const bloggerItemId = /^tag:blogger\.com,1999:blog-(\d+)\.post-\d+$/;
const bloggerCommentSelf = /\/feeds\/(?:\d+\/)?\d+\/comments\/default\/(\d+)$/;

/**
 * Blogger's thr:in-reply-to names only the post; a threaded reply (since 2012) names its parent
 * comment as <link rel="related" href=".../feeds/<blogId>/<postId>/comments/default/<id>">. Blogger
 * ids posts and comments alike as tag:blogger.com,1999:blog-<blogId>.post-<id>, so the parent's
 * Atom id follows from the reply's own id and that link.
 */
function bloggerParentComment(guid: string | null, relatedUrls: string[]): InReplyTo | null {
  const blogId = guid ? bloggerItemId.exec(guid)?.[1] : undefined;
  if (!blogId) return null;
  for (const url of relatedUrls) {
    const parentId = bloggerCommentSelf.exec(new URL(url).pathname)?.[1];
    if (parentId) return { ref: `tag:blogger.com,1999:blog-${blogId}.post-${parentId}`, href: null, source: url };
  }
  return null;
}

/** What a format adapter read of an item its own way. */
export interface ItemBasics {
  /** The item's base (its xml:base within the feed's). */
  base: Base;
  /** Its links, Atom-style and atom:link, resolved. */
  links: Link[];
  guid: string | null;
  url: string | null;
  /** The element holding the full content, and the one holding the summary. */
  contentNode: unknown;
  summaryNode: unknown;
}

/** Completes an item from what its adapter read and what every format says alike. */
export function completeItem(item: Raw, context: FeedContext, basics: ItemBasics): FeedItem {
  const { base: itemBase, links, guid, url, contentNode, summaryNode } = basics;
  const contentHtml = contentNode === undefined ? null : constructHtml(contentNode, context.textKind);
  const summaryHtml = summaryNode === undefined ? null : constructHtml(summaryNode, context.textKind);
  // WordPress puts xml:base="<permalink>" on Atom content. One baseUrl serves both fields, so it
  // is the base of the field shown (content, else summary), as entry drafting does.
  const contentBase = nestBase(itemBase, nodeAttr(contentHtml !== null ? contentNode : summaryNode, 'xml:base'));
  const baseUrl = contentBase.declared ? contentBase.url : (url ?? context.base.url);

  const titleNode = firstOf(own(item, 'xTitle'));
  const title = titleNode === undefined ? null : constructText(titleNode, context.textKind);

  const author = readAuthor(item, itemBase.url);

  const published =
    parseFeedDate(fieldText(item, 'xPubDate')) ??
    parseFeedDate(fieldText(item, 'xPublished')) ??
    parseFeedDate(fieldText(item, 'xAtomPublished')) ??
    parseFeedDate(fieldText(item, 'xDcDate')) ??
    parseFeedDate(fieldText(item, 'xIssued')) ??
    parseFeedDate(fieldText(item, 'xCreated'));
  const updated =
    parseFeedDate(fieldText(item, 'xUpdated')) ?? parseFeedDate(fieldText(item, 'xAtomUpdated')) ?? parseFeedDate(fieldText(item, 'xModified'));

  // Comments: RSS <comments> page, wfw:commentRss feed, Atom rel="replies" (RFC 4685 §3).
  const replies = links.filter((l) => l.rel === 'replies');
  const htmlReplies = replies.find((l) => l.type?.includes('html'));
  const commentFeeds: CommentFeedLink[] = [];
  for (const key of ['xWfwCommentRss', 'xWfwCommentRSS']) {
    for (const node of listOf(own(item, key))) {
      const feed = resolveHttpUrl(nodeText(node), itemBase.url);
      if (feed && !commentFeeds.some((f) => f.url === feed)) commentFeeds.push({ url: feed, type: null });
    }
  }
  for (const link of replies) {
    if (link !== htmlReplies && !commentFeeds.some((f) => f.url === link.href)) commentFeeds.push({ url: link.href, type: link.type });
  }
  const feedReplies = replies.find((l) => l.type === 'application/atom+xml') ?? replies.find((l) => l !== htmlReplies);
  const commentCount =
    parseCount(fieldText(item, 'xSlashComments')) ??
    parseCount(fieldText(item, 'xThrTotal')) ??
    feedReplies?.count ??
    replies.find((l) => l.count !== null)?.count ??
    null;

  const inReplyTo: InReplyTo[] = [];
  for (const node of listOf(own(item, 'xThrInReplyTo'))) {
    const ref = collapseText(nodeAttr(node, 'ref'));
    const href = resolveHttpUrl(nodeAttr(node, 'href'), itemBase.url);
    const source = resolveHttpUrl(nodeAttr(node, 'source'), itemBase.url);
    if (ref || href) inReplyTo.push(source ? { ref, href, source } : { ref, href });
  }
  const selfUrl = links.find((l) => l.rel === 'self')?.href;
  const relatedUrls = [...new Set(links.filter((l) => l.rel === 'related').map((l) => l.href))];
  const parent = bloggerParentComment(guid, relatedUrls);
  if (parent && !inReplyTo.some((r) => r.ref === parent.ref)) inReplyTo.push(parent);

  // RSS 2.0 trackback module writes the URL as text, the RDF form as rdf:resource.
  const pingNode = firstOf(own(item, 'xTrackbackPing'));
  const trackbackPingUrl = resolveHttpUrl(nodeText(pingNode) ?? nodeAttr(pingNode, 'rdf:resource'), itemBase.url);

  return {
    guid,
    url,
    title,
    authorName: author.name ?? context.authorName,
    authorUrl: author.url ?? (author.name ? null : context.authorUrl),
    contentHtml,
    summaryHtml,
    publishedAt: published ?? updated,
    updatedAt: updated,
    commentsPageUrl: resolveHttpUrl(fieldText(item, 'xComments'), itemBase.url) ?? htmlReplies?.href ?? null,
    commentFeeds,
    commentCount,
    inReplyTo,
    trackbackPingUrl,
    // Only when present, so items of feeds without them keep their old shape.
    ...(selfUrl ? { selfUrl } : {}),
    ...(relatedUrls.length ? { relatedUrls } : {}),
    baseUrl,
    lang: collapseText(attrOf(item, 'xml:lang')) ?? collapseText(fieldText(item, 'xDcLanguage')) ?? context.lang,
  };
}

/** What a format adapter read of a feed (channel) its own way. */
export interface FeedBasics {
  links: Link[];
  descriptionNode: unknown;
  homeUrl: string | null;
}

/** Completes a feed from what its adapter read; each raw item goes to the adapter's item reader. */
export function completeFeed(raw: Raw, context: FeedContext, basics: FeedBasics, readItem: (item: Raw, context: FeedContext) => FeedItem, warnings: string[]): ParsedFeed {
  const titleNode = firstOf(own(raw, 'xTitle'));
  const items = Array.isArray(raw.items) ? (raw.items as unknown[]) : [];
  return {
    format: context.format,
    title: titleNode === undefined ? null : constructText(titleNode, context.textKind),
    // Plain text: it is shown as a blog's tagline, never as markup.
    description: basics.descriptionNode === undefined ? null : constructText(basics.descriptionNode, context.textKind),
    homeUrl: basics.homeUrl,
    selfUrl: basics.links.find((l) => l.rel === 'self')?.href ?? null,
    hubUrls: [...new Set(basics.links.filter((l) => l.rel === 'hub').map((l) => l.href))],
    ttlSeconds: ttlFromFeed(raw),
    lang: context.lang,
    items: items.map((item) => readItem(typeof item === 'object' && item !== null ? (item as Raw) : {}, context)),
    warnings,
  };
}

/** Returns a feed without items (a channel-less RSS, a self-closing Atom root). */
export function emptyFeed(format: ParsedFeedFormat, warnings: string[]): ParsedFeed {
  return { format, title: null, description: null, homeUrl: null, selfUrl: null, hubUrls: [], ttlSeconds: null, lang: null, items: [], warnings };
}
