// The RSS 2.0 writer, with the comment modules WordPress made common (wfw, slash) and RFC 4685
// thr:in-reply-to for threading. Pure: an OutFeed in, a document out; no reordering or fetching.
import { atomNamespace, threadNamespace } from './atom.ts';
import {
  categoryScheme,
  formatRfc822Date,
  languageTag,
  renderElement,
  renderInReplyTo,
  renderParent,
  renderPlainElement,
  textToHtml,
} from './feed-text.ts';
import { showItemText } from './tombstone.ts';
import type { OutFeed, OutItem } from './types.ts';

const namespaces = {
  'xmlns:atom': atomNamespace,
  'xmlns:dc': 'http://purl.org/dc/elements/1.1/',
  'xmlns:wfw': 'http://wellformedweb.org/CommentAPI/',
  'xmlns:slash': 'http://purl.org/rss/1.0/modules/slash/',
  'xmlns:thr': threadNamespace,
};

/** Renders `feed` as an RSS 2.0 document. */
export function renderRss(feed: OutFeed): string {
  const lang = languageTag(feed.lang);
  // Titles, names and the channel's description are plain text: see escapePlainText.
  const children = [
    renderPlainElement('title', {}, feed.title),
    renderElement('link', {}, feed.homeUrl),
    // <description> is required in a channel (RSS 2.0 "Required channel elements").
    renderPlainElement('description', {}, feed.subtitle || feed.title),
  ];
  if (lang) children.push(renderElement('language', {}, lang));
  children.push(
    renderElement('lastBuildDate', {}, formatRfc822Date(feed.updatedAt)),
    renderElement('generator', {}, `${feed.generator.name} ${feed.generator.version} (${feed.generator.uri})`),
    renderElement('docs', {}, 'https://www.rssboard.org/rss-specification'),
    renderElement('atom:link', { rel: 'self', type: 'application/rss+xml', href: feed.selfUrl }),
  );
  if (feed.hubUrl) children.push(renderElement('atom:link', { rel: 'hub', href: feed.hubUrl }));
  for (const item of feed.items) children.push(renderItem(feed, item, lang));
  const channel = renderParent('channel', {}, children);
  return `<?xml version="1.0" encoding="utf-8"?>\n${renderParent('rss', { version: '2.0', ...namespaces }, [channel])}\n`;
}

function renderItem(feed: OutFeed, item: OutItem, feedLang: string | null): string {
  const shown = showItemText(item);
  const description = shown.contentHtml ?? (shown.summaryText ? `<p>${textToHtml(shown.summaryText)}</p>` : null);
  const children = [
    renderPlainElement('title', {}, shown.title),
    // An item without an original points at its conversation, as the Atom writer does.
    renderElement('link', {}, item.url ?? item.conversation.url),
    // isPermaLink=false: the id is Palaver's stable id, not necessarily a URL readers should open.
    renderElement('guid', { isPermaLink: 'false' }, item.id),
    renderElement('pubDate', {}, formatRfc822Date(item.publishedAt)),
  ];
  // RSS <author> must be an e-mail address, which Palaver never has; dc:creator takes a name.
  const creator = item.authorName?.trim() || item.source?.title?.trim();
  if (creator) children.push(renderPlainElement('dc:creator', {}, creator));
  const lang = languageTag(item.lang);
  if (lang && lang !== feedLang) children.push(renderElement('dc:language', {}, lang));
  if (description) children.push(renderElement('description', {}, description));
  children.push(renderElement('category', { domain: categoryScheme(feed, 'kind') }, item.kind));
  for (const via of item.via) children.push(renderElement('category', { domain: categoryScheme(feed, 'via') }, via));
  if (item.tombstone) children.push(renderElement('category', { domain: categoryScheme(feed, 'status') }, 'tombstone'));
  if (item.replies) {
    children.push(
      renderElement('comments', {}, item.replies.htmlUrl),
      renderElement('wfw:commentRss', {}, item.replies.feedUrl),
      renderElement('slash:comments', {}, String(item.replies.count)),
    );
  }
  if (item.inReplyTo) children.push(renderInReplyTo(item.inReplyTo));
  if (item.source) {
    // RSS 2.0 <source url> names the source's RSS feed; the home page stands in when none is known.
    children.push(renderPlainElement('source', { url: item.source.feedUrl ?? item.source.url }, item.source.title ?? item.source.url));
  }
  return renderParent('item', {}, children);
}
