// The posts of one blog as its feed hands them over, for tests that store a few and look at
// what pages and versions make of them.
import type { FeedItem } from '../../src/reader/types.ts';

export const postedAt = '2008-11-12T10:00:00.000Z';

/** Post n of sachar.example, as its feed would hand it over. */
export function sacharPost(n: number): FeedItem {
  const url = `https://sachar.example/p${n}/`;
  return {
    guid: `p${n}`, url, title: `Beitrag ${n}`, authorName: null, authorUrl: null, contentHtml: `<p>Beitrag ${n}</p>`, summaryHtml: null,
    publishedAt: postedAt, updatedAt: null, commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: url, lang: null,
  };
}
