// The shape every feed writer renders: one feed and its items, already composed, sanitized and
// ordered by the caller. Nothing here knows about the database or HTTP.
import type { Channel, EntryKind, FeedFormat } from '../domain/vocabulary.ts';

export interface OutGenerator {
  name: string;
  uri: string;
  version: string;
}

export interface OutFeed {
  /** Stable absolute URL of the feed's HTML page, e.g. `${publicUrl}/c/12`. */
  id: string;
  /**
   * Palaver's public base URL (PUBLIC_URL). The documentation of the JSON Feed extension and the
   * category schemes hang under it: `${baseUrl}/docs/json-feed-extension`.
   */
  baseUrl: string;
  title: string;
  subtitle: string | null;
  /** The HTML page (rel=alternate). */
  homeUrl: string;
  /** This feed's own URL in the format being written. */
  selfUrl: string;
  /** WebSub hub, when WebSub is on. */
  hubUrl: string | null;
  /** ISO 8601. */
  updatedAt: string;
  lang: string | null;
  generator: OutGenerator;
  /** In the order they are to appear (newest first, as a rule); writers never reorder. */
  items: OutItem[];
}

export interface OutItem {
  /** Stable: never changes when conversations merge, e.g. `tag:palaver.example,2026:entry/123`. */
  id: string;
  /** The original. */
  url: string | null;
  /** Already composed by the caller ("Jens Best on 'Social Media Camp – ein kleiner Exkurs'"). */
  title: string;
  kind: EntryKind;
  /** The channels the entry arrived by. */
  via: Channel[];
  authorName: string | null;
  authorUrl: string | null;
  /** ISO 8601. */
  publishedAt: string;
  /** ISO 8601. */
  updatedAt: string;
  /** Sanitized already; URLs absolute. */
  contentHtml: string | null;
  summaryText: string | null;
  lang: string | null;
  /** The blog the entry belongs to. */
  source: { title: string | null; url: string; feedUrl: string | null } | null;
  /** Ids are OutItem ids. */
  inReplyTo: { id: string; url: string | null } | null;
  replies: { htmlUrl: string; feedUrl: string; count: number } | null;
  conversation: { id: string; url: string };
  /** The original is gone (410, or the link vanished); the item keeps its id and place. */
  tombstone: boolean;
}

/** Content-Type header values of the writers' output. */
export const feedContentTypes: Record<FeedFormat | 'opml', string> = {
  atom: 'application/atom+xml; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
  opml: 'text/x-opml; charset=utf-8',
};
