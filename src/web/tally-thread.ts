// Runs the page reads that add up a whole blog, a whole debate or the whole registry (the comment
// gaps of a blog, the entries of the blogs listed, the sites a debate mentions and its activity
// by day, the ranking of sites all debates mention) in a
// thread of their own (tally-worker.ts, with its own read-only connection to the SQLite file),
// one at a time and each within a time limit. Each counts rows in proportion to what is stored
// (a blog of 10,000 commented posts, a debate of 100,000 entries, 50,000 links to sites):
// 0.2-0.7 s of SQLite on the event loop, which held every other page, feed and
// ping meanwhile. On PostgreSQL, and for a database in memory, they run as any other read.
import { fileURLToPath } from 'node:url';
import type { Db } from '../db/open.ts';
import type { CommentGap, ConversationActivity, UnfollowedSite } from '../domain/models.ts';
import { listConversationActivity } from '../store/debate-map.ts';
import { listCommentGapsOfBlog } from '../store/comment-gaps.ts';
import { countEntriesOfBlogs } from '../store/entries.ts';
import { listSuggestedSites, listUnfollowedSitesOf } from '../store/site-mentions.ts';
import { WorkerPoolError } from '../worker-pool.ts';
import { createFileThread } from './file-thread.ts';
import { HttpError, retryBusySeconds } from './errors.ts';

/** The reads a tally thread runs. */
export interface Tallies {
  /** One page of the sites debates mention that Palaver does not follow, ranked as /blogs shows them. */
  suggestedSites(page: { limit: number; offset: number }): Promise<UnfollowedSite[]>;
  /** A blog's posts that report more comments than Palaver has, most missing first. */
  commentGaps(blogId: number): Promise<CommentGap[]>;
  /** The sites a conversation mentions that Palaver does not follow, the first `limit` of them as its page lists them, and how many. */
  unfollowedSitesOf(conversationId: number, limit: number): Promise<{ sites: UnfollowedSite[]; total: number }>;
  /** The small maps of conversations (entries per day, blogs in the order they joined), as the home and group pages list them. */
  conversationActivity(conversationIds: number[]): Promise<Map<number, ConversationActivity>>;
  /** How many entries each of these blogs has (countEntriesOfBlogs): as many index rows as they have entries. */
  entryCounts(blogIds: number[]): Promise<Map<number, number>>;
  close(): Promise<void>;
}

/** What tally-worker.ts is asked, and answers. */
export type TallyRead =
  | { read: 'suggested-sites'; page: { limit: number; offset: number } }
  | { read: 'comment-gaps'; blogId: number }
  | { read: 'unfollowed-sites-of'; conversationId: number; limit: number }
  | { read: 'conversation-activity'; conversationIds: number[] }
  | { read: 'entry-counts'; blogIds: number[] };
export type TallyJob = TallyRead & { id: number };
export type TallyAnswer = { ready: true } | { id: number; rows: unknown[] } | { id: number; error: string };

/**
 * Debates of at most this many entries are counted on the event loop (a few milliseconds), not
 * handed to the thread, which would cost more and, the first time, start it.
 */
export const tallyThreadAboveEntries = 5_000;

/**
 * Picks where a count of debates of `entries` entries in all runs: in the thread (`thread`, when
 * the service has one) past tallyThreadAboveEntries, else on `db` in place.
 */
export function talliesBySize(db: Db, thread: Tallies | undefined): (entries: number) => Tallies {
  const here = talliesOn(db);
  return (entries) => (thread && entries > tallyThreadAboveEntries ? thread : here);
}

/**
 * A tally a page can do without (a debate's unfollowed sites, the small maps of a list, the
 * registry's suggested sites, a blog's comment gaps): undefined when the thread is busy or
 * closing, where the read alone would answer 503, so the page is shown without that part rather
 * than not at all.
 */
export async function unlessBusy<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof HttpError && err.statusCode === 503) return undefined;
    throw err;
  }
}

/** The reads on `db`, on the event loop: PostgreSQL counts in its own processes. */
export function talliesOn(db: Db): Tallies {
  return {
    suggestedSites: (page) => listSuggestedSites(db, page),
    commentGaps: (blogId) => listCommentGapsOfBlog(db, blogId),
    unfollowedSitesOf: (conversationId, limit) => listUnfollowedSitesOf(db, conversationId, limit),
    conversationActivity: (conversationIds) => listConversationActivity(db, conversationIds),
    entryCounts: (blogIds) => countEntriesOfBlogs(db, blogIds),
    close: async () => {},
  };
}

/** Creates the tally thread of the SQLite file `file`; no thread starts before the first read. */
export function createTallyThread(file: string, limits: { timeoutMs: number; maxWaiting: number; idleMs?: number }): Tallies {
  const pool = createFileThread<TallyJob, Exclude<TallyAnswer, { ready: true }>>(fileURLToPath(import.meta.url).replace(/tally-thread\.(ts|js)$/, 'tally-worker.$1'), file, limits);
  async function run(read: TallyRead): Promise<unknown[]> {
    if (pool.waiting >= limits.maxWaiting) throw new HttpError(503, 'busy', 'Too many pages are being counted; try again in a moment.', retryBusySeconds);
    let answer;
    try {
      answer = await pool.run((id) => ({ ...read, id }));
    } catch (err) {
      if (!(err instanceof WorkerPoolError)) throw err;
      const failure = err.failure;
      if (failure.kind === 'closed') throw new HttpError(503, 'shutting-down', 'Palaver is shutting down; try again in a moment.', retryBusySeconds);
      if (failure.kind === 'timeout') throw new HttpError(503, 'busy', `Counting for this page took longer than ${Number((failure.limitMs / 1000).toFixed(3))} s; try again in a moment.`, retryBusySeconds);
      if (failure.kind === 'memory') throw new Error(`tallies: the thread needed more than ${failure.limitMb} MB`);
      throw new Error(`tallies: the thread stopped${failure.kind === 'not-started' ? ' before it was ready' : ''} (${failure.detail})`);
    }
    if ('error' in answer) throw new Error(`tallies: ${answer.error}`);
    return answer.rows;
  }
  return {
    suggestedSites: async (page) => (await run({ read: 'suggested-sites', page })) as UnfollowedSite[],
    commentGaps: async (blogId) => (await run({ read: 'comment-gaps', blogId })) as CommentGap[],
    unfollowedSitesOf: async (conversationId, limit) => (await run({ read: 'unfollowed-sites-of', conversationId, limit }))[0] as { sites: UnfollowedSite[]; total: number },
    conversationActivity: async (conversationIds) => (await run({ read: 'conversation-activity', conversationIds }))[0] as Map<number, ConversationActivity>,
    entryCounts: async (blogIds) => (await run({ read: 'entry-counts', blogIds }))[0] as Map<number, number>,
    close: () => pool.close(),
  };
}
