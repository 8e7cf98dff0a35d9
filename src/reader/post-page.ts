// Reads a post's own page for what its feed leaves out: Movable Type's default feeds carry no
// TrackBack URL and no comment feed, but every entry page has the TrackBack RDF block.
import { decodeText } from './decode.ts';
import { MarkupLimitError } from './bounded-markup.ts';
import { readPage } from './discover.ts';
import type { FeedReader } from './read-feed.ts';
import { FeedParseError, FetchError, type Fetch } from './types.ts';

export interface PostPageFindings {
  trackbackPingUrl: string | null;
  commentFeedUrl: string | null;
}

/**
 * Fetches a post page and returns its TrackBack URL and comment feed; null when it cannot be read
 * (or passes pageLimits). With a reader, the page is built into a tree in its thread.
 */
export async function readPostPage(fetch: Fetch, url: string, reader?: Pick<FeedReader, 'readPage'>): Promise<PostPageFindings | null> {
  try {
    const res = await fetch({ url, accept: 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1', maxBytes: 2 * 1024 * 1024 });
    if (res.status !== 200) return null;
    const text = decodeText(res.body, res.headers['content-type'] ?? null, 'html').text;
    const findings = reader ? await reader.readPage(text, res.url, res.headers) : readPage(text, res.url, res.headers);
    return { trackbackPingUrl: findings.trackbackPingUrl, commentFeedUrl: findings.commentFeeds[0]?.url ?? null };
  } catch (err) {
    // A page too large or too deep to read is a page without findings, as one that failed to load.
    if (err instanceof FetchError || err instanceof MarkupLimitError || err instanceof FeedParseError) return null;
    throw err;
  }
}
