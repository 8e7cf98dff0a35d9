// Reads all of a Blogger post's comments: its comment feed (/feeds/<postId>/comments/default)
// shows the newest 25, but takes the GData paging parameters start-index (1-based) and
// max-results (at most 500) and says the whole count as openSearch:totalResults. Pull side only.
import { decodeText } from './decode.ts';
import { readFeed } from './read-feed.ts';
import { FeedParseError, FetchError, type Fetch, type FeedItem } from './types.ts';

/** Blogger's largest max-results for a feed page. */
export const bloggerMaxResults = 500;

const feedAccept = 'application/atom+xml, application/xml;q=0.9, */*;q=0.1';

/** Tells whether a URL is a Blogger per-post comment feed (on the blog's host or www.blogger.com). */
export function isBloggerCommentFeed(url: string): boolean {
  try {
    return /^\/feeds\/(?:\d+\/)?\d+\/comments\/default\/?$/.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

/** Reads openSearch:totalResults (any prefix) from the head of a feed; null when absent. */
export function readTotalResults(text: string): number | null {
  const m = /<(?:[\w.-]+:)?totalResults>\s*(\d{1,9})\s*<\/(?:[\w.-]+:)?totalResults>/.exec(text.slice(0, 64 * 1024));
  return m ? Number(m[1]) : null;
}

/** Returns the feed URL with start-index and max-results set. */
export function bloggerPageUrl(feedUrl: string, startIndex: number, maxResults: number): string {
  const u = new URL(feedUrl);
  u.searchParams.set('start-index', String(startIndex));
  u.searchParams.set('max-results', String(maxResults));
  return u.href;
}

export type BloggerCommentsResult =
  | { kind: 'comments'; items: FeedItem[]; total: number | null; pagesRead: number; complete: boolean }
  | { kind: 'failed'; status: number | null; reason: string };

/**
 * Pages through a Blogger comment feed from the first comment, `bloggerMaxResults` at a time,
 * until totalResults (or a short page, or `maxPages`). Never throws for what the blog does.
 */
export async function readBloggerComments(fetch: Fetch, feedUrl: string, options: { maxPages: number; maxBytes: number; pageSize?: number }): Promise<BloggerCommentsResult> {
  const size = Math.min(options.pageSize ?? bloggerMaxResults, bloggerMaxResults);
  const items: FeedItem[] = [];
  let total: number | null = null;
  let pagesRead = 0;
  for (let start = 1; pagesRead < options.maxPages; start += size) {
    let res;
    try {
      res = await fetch({ url: bloggerPageUrl(feedUrl, start, size), accept: feedAccept, maxBytes: options.maxBytes });
    } catch (err) {
      if (err instanceof FetchError) return pagesRead ? { kind: 'comments', items, total, pagesRead, complete: false } : { kind: 'failed', status: null, reason: `the comment feed could not be fetched: ${err.message}` };
      throw err;
    }
    if (res.status !== 200) {
      return pagesRead ? { kind: 'comments', items, total, pagesRead, complete: false } : { kind: 'failed', status: res.status, reason: `the comment feed answered ${res.status} to start-index paging` };
    }
    let pageItems: FeedItem[];
    try {
      const text = decodeText(res.body, res.headers['content-type'] ?? null, 'xml').text;
      total ??= readTotalResults(text);
      // A long page is read off the event loop, as a polled feed is (read-feed.ts).
      pageItems = (await readFeed(res.body, res.headers['content-type'] ?? null, res.url)).items;
    } catch (err) {
      if (err instanceof FeedParseError || err instanceof FetchError) {
        return pagesRead ? { kind: 'comments', items, total, pagesRead, complete: false } : { kind: 'failed', status: 200, reason: `the comment feed could not be read: ${err.message}` };
      }
      throw err;
    }
    pagesRead += 1;
    // A page cannot hold more than was asked for: the rest is not this feed's paging.
    items.push(...pageItems.slice(0, size));
    if (pageItems.length < size || (total !== null && start - 1 + pageItems.length >= total)) {
      return { kind: 'comments', items, total, pagesRead, complete: true };
    }
  }
  return { kind: 'comments', items, total, pagesRead, complete: false };
}
