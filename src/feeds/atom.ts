// The Atom 1.0 writer (RFC 4287) with threading per RFC 4685. Pure: an OutFeed in, a document
// out; it never reorders, fetches or sanitizes (content arrives sanitized).
import {
  categoryScheme,
  formatIsoDate,
  languageTag,
  renderElement,
  renderInReplyTo,
  renderParent,
} from './feed-text.ts';
import { showItemText } from './tombstone.ts';
import type { OutFeed, OutItem } from './types.ts';

export const atomNamespace = 'http://www.w3.org/2005/Atom';
export const threadNamespace = 'http://purl.org/syndication/thread/1.0';

/** Renders `feed` as an Atom 1.0 document. */
export function renderAtom(feed: OutFeed): string {
  const children = [
    renderElement('id', {}, feed.id),
    renderElement('title', { type: 'text' }, feed.title),
  ];
  if (feed.subtitle) children.push(renderElement('subtitle', { type: 'text' }, feed.subtitle));
  children.push(
    renderElement('updated', {}, formatIsoDate(feed.updatedAt)),
    renderElement('link', { rel: 'alternate', type: 'text/html', href: feed.homeUrl }),
    renderElement('link', { rel: 'self', type: 'application/atom+xml', href: feed.selfUrl }),
  );
  if (feed.hubUrl) children.push(renderElement('link', { rel: 'hub', href: feed.hubUrl }));
  children.push(renderElement('generator', { uri: feed.generator.uri, version: feed.generator.version }, feed.generator.name));
  for (const item of feed.items) children.push(renderEntry(feed, item));
  const root = renderParent(
    'feed',
    { xmlns: atomNamespace, 'xmlns:thr': threadNamespace, 'xml:lang': languageTag(feed.lang) },
    children,
  );
  return `<?xml version="1.0" encoding="utf-8"?>\n${root}\n`;
}

function renderEntry(feed: OutFeed, item: OutItem): string {
  const shown = showItemText(item);
  const lang = languageTag(item.lang);
  const children = [
    renderElement('id', {}, item.id),
    renderElement('title', { type: 'text' }, shown.title),
    // RFC 4287 §4.1.1.1: an entry needs content or an alternate link. An item without an original
    // (a feed item with neither guid nor link) points at its conversation instead. The alternate
    // link comes first because readers such as rss-parser take the first link.
    renderElement('link', { rel: 'alternate', type: 'text/html', href: item.url ?? item.conversation.url }),
    renderElement('link', { rel: 'related', type: 'text/html', href: item.conversation.url, title: 'conversation' }),
  ];
  if (item.replies) {
    // RFC 4685 §4: the replies link names the feed of responses; thr:count is how many it holds.
    children.push(
      renderElement('link', {
        rel: 'replies',
        type: 'application/atom+xml',
        href: item.replies.feedUrl,
        'thr:count': item.replies.count,
      }),
      renderElement('link', { rel: 'replies', type: 'text/html', href: item.replies.htmlUrl, 'thr:count': item.replies.count }),
    );
  }
  children.push(renderAuthor(item), renderElement('published', {}, formatIsoDate(item.publishedAt)));
  children.push(renderElement('updated', {}, formatIsoDate(item.updatedAt)));
  children.push(renderElement('category', { scheme: categoryScheme(feed, 'kind'), term: item.kind }));
  for (const via of item.via) children.push(renderElement('category', { scheme: categoryScheme(feed, 'via'), term: via }));
  if (item.tombstone) children.push(renderElement('category', { scheme: categoryScheme(feed, 'status'), term: 'tombstone' }));
  if (item.inReplyTo) children.push(renderInReplyTo(item.inReplyTo));
  if (item.replies) children.push(renderElement('thr:total', {}, String(item.replies.count)));
  if (shown.summaryText) children.push(renderElement('summary', { type: 'text' }, shown.summaryText));
  if (shown.contentHtml) children.push(renderElement('content', { type: 'html' }, shown.contentHtml));
  if (item.source) children.push(renderSource(item.source));
  return renderParent('entry', { 'xml:lang': lang }, children);
}

// RFC 4287 §4.1.2: every entry needs an author unless the feed has one; Palaver's feed has none
// of its own, so a ping without a name is credited to its blog, and failing that to "unknown".
function renderAuthor(item: OutItem): string {
  const name = item.authorName?.trim() || item.source?.title?.trim() || 'unknown';
  const children = [renderElement('name', {}, name)];
  const uri = item.authorName?.trim() ? item.authorUrl : item.authorUrl ?? item.source?.url ?? null;
  if (uri) children.push(renderElement('uri', {}, uri));
  return renderParent('author', {}, children);
}

function renderSource(source: NonNullable<OutItem['source']>): string {
  // The blog's own feed id is not known here; its home URL is stable and names the same thing.
  const children = [renderElement('id', {}, source.url)];
  if (source.title) children.push(renderElement('title', { type: 'text' }, source.title));
  children.push(renderElement('link', { rel: 'alternate', type: 'text/html', href: source.url }));
  if (source.feedUrl) children.push(renderElement('link', { rel: 'self', href: source.feedUrl }));
  return renderParent('source', {}, children);
}
