// The JSON Feed 1.1 writer and the definition of Palaver's `_palaver` extension. Pure: an OutFeed
// in, a document out; no reordering or fetching.
//
// The `_palaver` extension (JSON Feed 1.1 "Extensions": keys start with an underscore, the object
// carries `about`). Documented for subscribers in docs/json-feed-extension.md, served under
// `${baseUrl}/docs/json-feed-extension`. Readers that do not know it lose nothing but threading.
//
// On the feed:  "_palaver": { "about", "generator": { "name", "uri", "version" }, "updated" }
// On an item:   "_palaver": {
//   "about":        the documentation URL,
//   "kind":         "post" | "comment" | "trackback" | "pingback" | "webmention"
//                   (a post that also arrived as a ping stays "post"),
//   "via":          channels it arrived by: "feed", "comment-feed", "pingback", "trackback",
//                   "webmention", "listing",
//   "in_reply_to":  { "id", "url" } or null; `id` is the `id` of another item in Palaver's feeds,
//                   `url` its original,
//   "conversation": { "id", "url" } of the conversation the item belongs to now (it may change
//                   when conversations merge; the item's own `id` never does),
//   "replies":      { "url", "feed_url", "count" } or null,
//   "source":       { "title", "url", "feed_url" } of the blog, or null,
//   "tombstone":    true when the original is gone: then the title starts with "[removed] " and
//                   content and summary are a short note instead of the author's words
// }
// The item's `tags` repeat `kind` and `via` for readers that show tags only.
import { cleanText, extensionDocUrl, formatIsoDate, languageTag } from './feed-text.ts';
import { showItemText } from './tombstone.ts';
import type { OutFeed, OutItem } from './types.ts';

export const jsonFeedVersion = 'https://jsonfeed.org/version/1.1';

interface JsonAuthor {
  name?: string;
  url?: string;
}

/** Renders `feed` as a JSON Feed 1.1 document. */
export function renderJsonFeed(feed: OutFeed): string {
  const about = extensionDocUrl(feed);
  const language = languageTag(feed.lang);
  const document = {
    version: jsonFeedVersion,
    title: feed.title,
    home_page_url: feed.homeUrl,
    feed_url: feed.selfUrl,
    ...(feed.subtitle ? { description: feed.subtitle } : {}),
    ...(language ? { language } : {}),
    ...(feed.hubUrl ? { hubs: [{ type: 'WebSub', url: feed.hubUrl }] } : {}),
    _palaver: { about, generator: feed.generator, updated: formatIsoDate(feed.updatedAt) },
    items: feed.items.map((item) => renderItem(item, about)),
  };
  // JSON.stringify writes a lone surrogate as a `\udXXX` escape, legal JSON that strict decoders
  // refuse; every string goes through the same cleaning as in the XML formats.
  return JSON.stringify(document, (_key, value: unknown) => (typeof value === 'string' ? cleanText(value) : value));
}

function renderItem(item: OutItem, about: string): Record<string, unknown> {
  const shown = showItemText(item);
  const language = languageTag(item.lang);
  const authors = renderAuthors(item);
  return {
    id: item.id,
    url: item.url ?? item.conversation.url,
    title: shown.title,
    // JSON Feed 1.1: an item has content_html or content_text, at least one.
    ...(shown.contentHtml ? { content_html: shown.contentHtml } : { content_text: shown.summaryText ?? shown.title }),
    ...(shown.summaryText ? { summary: shown.summaryText } : {}),
    date_published: formatIsoDate(item.publishedAt),
    date_modified: formatIsoDate(item.updatedAt),
    ...(authors.length ? { authors } : {}),
    ...(language ? { language } : {}),
    tags: [item.kind, ...item.via.filter((via) => via !== item.kind)],
    _palaver: {
      about,
      kind: item.kind,
      via: item.via,
      in_reply_to: item.inReplyTo ? { id: item.inReplyTo.id, url: item.inReplyTo.url } : null,
      conversation: { id: item.conversation.id, url: item.conversation.url },
      replies: item.replies ? { url: item.replies.htmlUrl, feed_url: item.replies.feedUrl, count: item.replies.count } : null,
      source: item.source ? { title: item.source.title, url: item.source.url, feed_url: item.source.feedUrl } : null,
      tombstone: item.tombstone,
    },
  };
}

// Credited as in the Atom writer: a ping without an author name goes to its blog.
function renderAuthors(item: OutItem): JsonAuthor[] {
  const named = item.authorName?.trim();
  const name = named || item.source?.title?.trim();
  const url = named ? item.authorUrl : item.authorUrl ?? item.source?.url ?? null;
  if (!name && !url) return [];
  return [{ ...(name ? { name } : {}), ...(url ? { url } : {}) }];
}
