// A feed item as a parser hands it on, for the threading benchmarks: a post of bench.example's
// kind with the fields a test sets.
import type { FeedItem } from '../src/reader/types.ts';

/** A feed item at `url` (its guid too), with `fields` over a short German post. */
export function item(url: string, fields: Partial<FeedItem> = {}): FeedItem {
  return {
    guid: url,
    url,
    title: 'Ein Beitrag',
    authorName: 'Autor',
    authorUrl: null,
    contentHtml: '<p>Text</p>',
    summaryHtml: null,
    publishedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: null,
    commentsPageUrl: null,
    commentFeeds: [],
    commentCount: null,
    inReplyTo: [],
    trackbackPingUrl: null,
    baseUrl: url,
    lang: 'de',
    ...fields,
  };
}
