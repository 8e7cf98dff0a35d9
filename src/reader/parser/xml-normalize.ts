// Normalizing a feed read by rss-parser (RSS 0.9x/1.0/2.0 and Atom) into the one ParsedFeed
// shape: identity, links, content, authors, dates, comment feeds and counts, threading
// (thr:in-reply-to, Blogger's related links) and TrackBack URLs. Format quirks end here.
import { collapseText, parseCount, parseFeedDate, resolveHttpUrl } from '../feed-values.ts';
import { htmlToText } from '../sanitize.ts';
import type { FeedItem, FeedLink, InReplyTo, ParsedFeed, ParsedFeedFormat } from '../types.ts';
import type { Raw } from './rss-parser.ts';
import type { RootTag } from './sniff.ts';
import { alternateOf, attrOf, constructHtml, constructText, fieldText, firstOf, listOf, nestBase, nodeAttr, nodeText, own, readLinks, rssAuthorName, rssTextLink, ttlFromFeed, type Base } from './xml-nodes.ts';

interface FeedContext {
  format: ParsedFeedFormat;
  base: Base;
  lang: string | null;
  authorName: string | null;
  authorUrl: string | null;
}

function readAuthor(item: Raw, base: string): { name: string | null; url: string | null } {
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

function readItem(item: Raw, context: FeedContext): FeedItem {
  const isAtom = context.format === 'atom';
  const itemBase = nestBase(context.base, attrOf(item, 'xml:base'));
  const links = [...readLinks(own(item, 'xLinks'), itemBase.url, isAtom), ...readLinks(own(item, 'xAtomLinks'), itemBase.url)];

  // Identity: Atom id, RSS guid, RDF rdf:about.
  const guidNode = firstOf(own(item, 'xGuid'));
  const guidText = collapseText(nodeText(guidNode));
  const idText = collapseText(fieldText(item, 'xId'));
  const about = collapseText(attrOf(item, 'rdf:about'));
  const guid = isAtom ? idText : guidText ?? about ?? idText;

  // A guid is a permalink unless isPermaLink="false" (RSS 2.0); it stands in for a missing link
  // only when it is an absolute http(s) URL (gofeed's "abc123" guid is not a page).
  const guidIsPermalink = guidText !== null && (nodeAttr(guidNode, 'isPermaLink') ?? 'true').trim().toLowerCase() !== 'false';
  const url = isAtom
    ? alternateOf(links)
    : (rssTextLink(own(item, 'xLinks'), itemBase.url) ??
      alternateOf(links) ??
      (guidIsPermalink ? resolveHttpUrl(guidText, null) : null) ??
      resolveHttpUrl(about, null));

  // Content: Atom content/summary by type; RSS content:encoded (or xhtml:body) and description.
  const contentNode = firstOf(own(item, isAtom ? 'xContent' : 'xContentEncoded'))
    ?? firstOf(own(item, 'xXhtmlBody')) ?? firstOf(own(item, 'xBody')) ?? firstOf(own(item, 'xFullitem'))
    ?? (isAtom ? undefined : firstOf(own(item, 'xContent')));
  const summaryNode = firstOf(own(item, isAtom ? 'xSummary' : 'xDescription')) ?? (isAtom ? undefined : firstOf(own(item, 'xSummary')));
  const contentHtml = contentNode === undefined ? null : constructHtml(contentNode, isAtom ? 'text' : 'html');
  const summaryHtml = summaryNode === undefined ? null : constructHtml(summaryNode, isAtom ? 'text' : 'html');
  // WordPress puts xml:base="<permalink>" on Atom content. One baseUrl serves both fields, so it
  // is the base of the field shown (content, else summary), as entry drafting does.
  const contentBase = nestBase(itemBase, nodeAttr(contentHtml !== null ? contentNode : summaryNode, 'xml:base'));
  const baseUrl = contentBase.declared ? contentBase.url : (url ?? context.base.url);

  const titleNode = firstOf(own(item, 'xTitle'));
  const title = titleNode === undefined ? null : constructText(titleNode, isAtom ? 'text' : 'html');

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
  const commentFeeds: FeedLink[] = [];
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

function readAttribute(attributes: string, name: string): string | null {
  const escaped = name.replace(/[.:]/g, '\\$&');
  const match = new RegExp(`(?:^|\\s)${escaped}\\s*=\\s*(["'])([^"']*)\\1`).exec(attributes);
  return match ? decodeXmlAttribute(match[2]!) : null;
}

/** Decodes XML's five predefined entities in text read without a parser. */
export function decodeXmlAttribute(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|apos);/g, (_m, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[name] ?? '');
}

/** Normalizes what rss-parser read into the one ParsedFeed shape. */
export function normalizeFeed(raw: Raw, format: ParsedFeedFormat, root: RootTag, feedUrl: string, warnings: string[]): ParsedFeed {
  // xml:base and xml:lang on <rss> or <rdf:RDF> are not exposed by rss-parser; read them off the tag.
  const rootBase = nestBase({ url: feedUrl, declared: false }, format === 'atom' ? null : readAttribute(root.attributes, 'xml:base'));
  const base = nestBase(rootBase, attrOf(raw, 'xml:base'));
  const isAtom = format === 'atom';
  const links = [...readLinks(own(raw, 'xLinks'), base.url, isAtom), ...readLinks(own(raw, 'xAtomLinks'), base.url)];
  const lang =
    collapseText(attrOf(raw, 'xml:lang')) ??
    collapseText(fieldText(raw, 'xLanguage')) ??
    collapseText(fieldText(raw, 'xDcLanguage')) ??
    (isAtom ? null : collapseText(readAttribute(root.attributes, 'xml:lang')));
  const feedAuthor = isAtom ? readAuthor(raw, base.url) : { name: null, url: null };
  const context: FeedContext = { format, base, lang, authorName: feedAuthor.name, authorUrl: feedAuthor.url };

  const titleNode = firstOf(own(raw, 'xTitle'));
  const descriptionNode = firstOf(own(raw, isAtom ? 'xSubtitle' : 'xDescription')) ?? firstOf(own(raw, 'xTagline'));
  const items = Array.isArray(raw.items) ? (raw.items as unknown[]) : [];

  return {
    format,
    title: titleNode === undefined ? null : constructText(titleNode, isAtom ? 'text' : 'html'),
    // Plain text: it is shown as a blog's tagline, never as markup.
    description: descriptionNode === undefined ? null : constructText(descriptionNode, isAtom ? 'text' : 'html'),
    homeUrl: (isAtom ? null : rssTextLink(own(raw, 'xLinks'), base.url)) ?? alternateOf(links),
    selfUrl: links.find((l) => l.rel === 'self')?.href ?? null,
    hubUrls: [...new Set(links.filter((l) => l.rel === 'hub').map((l) => l.href))],
    ttlSeconds: ttlFromFeed(raw),
    lang,
    items: items.map((item) => readItem(typeof item === 'object' && item !== null ? (item as Raw) : {}, context)),
    warnings,
  };
}

/** Returns a feed without items (a channel-less RSS, a self-closing Atom root). */
export function emptyFeed(format: ParsedFeedFormat, warnings: string[]): ParsedFeed {
  return { format, title: null, description: null, homeUrl: null, selfUrl: null, hubUrls: [], ttlSeconds: null, lang: null, items: [], warnings };
}
