// The shapes of one refresh of a source: what it is given (settings, database, fetcher, the
// listeners told about its outcome) and what it reports. Apart from refresh.ts so that the feed
// and the listing refreshes share them without importing each other.
import type { Db } from '../db/open.ts';
import type { Source } from '../domain/models.ts';
import type { EntriesChanged } from '../domain/vocabulary.ts';
import type { FeedReader } from '../reader/read-feed.ts';
import type { Fetch, ParsedFeed } from '../reader/types.ts';
import type { CompletionSettings } from './complete-comments.ts';

export interface RefreshSettings {
  pollIntervalSeconds: number;
  maxIntervalSeconds: number;
  maxBackoffSeconds: number;
  disableAfterFailures: number;
  /** A post's comment feed is no longer checked after this many quiet days. */
  commentFeedMaxQuietDays: number;
  /** How often a post feed that a WebSub hub pushes is still polled, as a fallback (default 6 h). */
  pushedPollIntervalSeconds?: number;
  /** Limits of reading the comments a post's comment feed cannot show (see complete-comments.ts). */
  commentCompletion?: Partial<CompletionSettings>;
  /**
   * Whether an entry of a blog that waits for a moderator shows once it answers an entry that is
   * shown already (registry.showPendingWhenJoined); otherwise it waits for the approval.
   */
  showPendingWhenJoined?: boolean;
  /** Items of one feed read per poll, the newest first (poller.maxItemsPerPoll); default 500. */
  maxItemsPerPoll?: number;
}

export interface RefreshDeps {
  db: Db;
  fetch: Fetch;
  settings: RefreshSettings;
  now?: () => Date;
  /** Threads that read bodies and draft items off the event loop; without them, that work runs in it. */
  reader?: FeedReader;
  /** Told when a listing queued pings, so their verification starts soon. */
  onPingsQueued?: () => void;
  /** Told after the commit when entries were added or changed (WebSub publishes from it). */
  onEntriesChanged?: (change: EntriesChanged) => void;
  /** Told what hub a blog's post feed declares each time it is read (WebSub subscribes from it). */
  onPostFeedRead?: (source: Source, feed: Pick<ParsedFeed, 'hubUrls' | 'selfUrl'>) => void;
}

export type RefreshOutcome = 'updated' | 'unchanged' | 'not-modified' | 'failed' | 'disabled';

export interface RefreshResult {
  sourceId: number;
  blogId: number;
  url: string;
  outcome: RefreshOutcome;
  status: number | null;
  inserted: number;
  updated: number;
  /** Plain-language error for failed and disabled outcomes. */
  error: string | null;
  warnings: string[];
  nextCheckAt: string;
}
