// After a post's comment feed was checked: works out whether comments may still be missing
// (the post reports more than Palaver has, or the feed's window overflowed since the last check)
// and reads them the way the blog offers: Blogger's start-index paging, WordPress's REST API,
// then the post page's comment list. Only comments Palaver lacks are stored from there.
import type { Blog, Source } from '../domain/models.ts';
import type { Db } from '../db/open.ts';
import { readBloggerComments, isBloggerCommentFeed } from '../reader/blogger-comments.ts';
import { readCommentPages } from '../reader/comment-page.ts';
import { identityOf } from '../reader/entry-draft.ts';
import type { FeedReader } from '../reader/read-feed.ts';
import { readFeed } from '../reader/read-feed.ts';
import { FeedParseError, FetchError, type Fetch, type FeedItem } from '../reader/types.ts';
import { findWpPostId, readWpRestComments } from '../reader/wp-rest-comments.ts';
import { findBlogById, updateBlogApiState, updateBlogApiRoot } from '../store/blogs.ts';
import { countKnownComments, findCommentedPost, findFirstSeenAt, listStoredIdentities, raisePostCommentCount, type CommentedPost } from '../store/comment-gaps.ts';
import { listBlogSources } from '../store/sources.ts';
import { countPostCommentCount } from '../store/conversation-edits.ts';
import { lockSurvivingConversationId } from '../store/conversation-union.ts';
import { transactionRetryingConflicts } from '../store/dialect.ts';

/** WordPress's default posts_per_rss: a comment feed this full may have dropped older comments. */
export const feedWindow = 10;

/** A REST API that refused Palaver is asked again after this long. */
export const apiRecheckSeconds = 7 * 24 * 3600;

export interface CompletionSettings {
  /** Pages of a post's comments read from the post page (and its comment-page-N/ pages) per check. */
  maxCommentPages: number;
  /** Pages of 100 comments read from the REST API per check. */
  maxCommentApiPages: number;
  /** Byte cap of one post page (after decompression). */
  maxCommentPageBytes: number;
}

export const defaultCompletionSettings: CompletionSettings = { maxCommentPages: 10, maxCommentApiPages: 20, maxCommentPageBytes: 3 * 1024 * 1024 };

export interface CompletionDeps {
  db: Db;
  fetch: Fetch;
  /** Reads comment pages, and a large post feed, in its thread; without it they are read here (a large feed in the shared thread). */
  reader?: Pick<FeedReader, 'readCommentList' | 'read'>;
  settings: CompletionSettings;
  /** Stores comment items of the source the way a comment feed's are (threading included). */
  ingest: (items: FeedItem[]) => Promise<{ inserted: number; entryIds: number[]; conversationIds: number[] }>;
}

export interface CompletionOutcome {
  /** Comments the post reports that Palaver still lacks after this check. */
  missing: number;
  /** Why they are missing, in plain words for /blogs/:id; null when nothing is. */
  note: string | null;
  inserted: number;
  entryIds: number[];
  conversationIds: number[];
  /** The post's REST id when it was looked up in this check. */
  apiPostId?: number;
  /**
   * Why this check stopped before its end, in plain words: a reading thread stopped drafting
   * comments at its time or memory limit. What was stored before stays (inserted, entryIds);
   * null when the check ran its course.
   */
  stopped: string | null;
}

function oldestOf(items: FeedItem[]): FeedItem | undefined {
  const dated = items.filter((i) => i.publishedAt !== null);
  if (dated.length === 0) return items.at(-1);
  return dated.reduce((a, b) => (b.publishedAt! < a.publishedAt! ? b : a));
}

/**
 * Tells whether a comment feed's window may have dropped comments: it is full, and even its
 * oldest comment is one Palaver first saw after this source's previous check (so nothing ties
 * the window to what was read before).
 */
export async function windowOverflowed(db: Db, source: Source, blogId: number, items: FeedItem[]): Promise<boolean> {
  if (items.length < feedWindow) return false;
  const oldest = oldestOf(items);
  if (!oldest) return false;
  if (source.lastSuccessAt === null) return true;
  const firstSeen = await findFirstSeenAt(db, blogId, identityOf(oldest));
  return firstSeen === undefined || firstSeen >= source.lastSuccessAt;
}

function apiUsable(blog: Blog | undefined, now: Date): blog is Blog & { apiRootUrl: string } {
  if (!blog?.apiRootUrl) return false;
  if (blog.apiOffAt === null) return true;
  return now.getTime() - Date.parse(blog.apiOffAt) >= apiRecheckSeconds * 1000;
}

/**
 * Fills what a post's comment feed could not show, as far as the blog allows, and says what is
 * still missing. `feedItems` are the items the feed showed in this check (null on a 304).
 */
export async function completePostComments(
  deps: CompletionDeps,
  source: Source,
  feedItems: FeedItem[] | null,
  started: Date,
): Promise<CompletionOutcome | null> {
  if (source.entryId === null) return null;
  const post = await findCommentedPost(deps.db, source.entryId);
  if (!post || post.blogId === null || !post.url) return null;
  const outcome: CompletionOutcome = { missing: 0, note: null, inserted: 0, entryIds: [], conversationIds: [], stopped: null };
  try {
    return await fillPostComments(deps, source, { ...post, blogId: post.blogId, url: post.url }, feedItems, started, outcome);
  } catch (err) {
    // The readers say their own failures as notes: a FeedParseError here is the ingest's, whose
    // reading thread stopped drafting at its limit before its transaction, so that batch stored
    // nothing. The batches before it are committed and stay in the outcome; the rest of the
    // check (the count, the note) waits for the next one.
    if (err instanceof FeedParseError) return { ...outcome, stopped: err.message };
    throw err;
  }
}

async function fillPostComments(
  deps: CompletionDeps,
  source: Source,
  post: CommentedPost & { blogId: number; url: string },
  feedItems: FeedItem[] | null,
  started: Date,
  outcome: CompletionOutcome,
): Promise<CompletionOutcome> {
  const blogId = post.blogId;
  const checkedAt = started.toISOString();

  let reported = post.commentCount ?? 0;
  const overflow = feedItems !== null && (await windowOverflowed(deps.db, source, blogId, feedItems));
  const missingBefore = reported - (await countKnownComments(deps.db, post.id));
  // Nothing says a comment is missing, and nothing was missing last time: the feed was enough.
  if (missingBefore <= 0 && !overflow && source.gapNote === null) return outcome;

  const notes: string[] = [];
  let completeList = false;

  const store = async (items: FeedItem[]) => {
    const stored = await listStoredIdentities(deps.db, blogId, items.map((i) => identityOf(i)));
    const fresh = items.filter((i) => !stored.has(identityOf(i)));
    if (fresh.length === 0) return;
    const r = await deps.ingest(fresh);
    outcome.inserted += r.inserted;
    outcome.entryIds.push(...r.entryIds);
    outcome.conversationIds.push(...r.conversationIds);
  };
  const stillMissing = async () => reported - (await countKnownComments(deps.db, post.id));

  if (isBloggerCommentFeed(source.url)) {
    // Blogger: the comment feed pages with start-index; its totalResults is the whole count.
    const r = await readBloggerComments(deps.fetch, source.url, { maxPages: deps.settings.maxCommentApiPages, maxBytes: deps.settings.maxCommentPageBytes });
    if (r.kind === 'comments') {
      await store(r.items);
      if (r.total !== null) reported = Math.max(reported, r.total);
      completeList = r.complete;
      if (!r.complete) notes.push(`the comment feed's pages were read up to the limit of ${deps.settings.maxCommentApiPages}`);
    } else {
      notes.push(r.reason);
    }
  } else {
    const blog = await findBlogById(deps.db, blogId);
    if (apiUsable(blog, started)) {
      completeList = await readThroughApi(deps, source, post, blog, started, { store, notes, outcome, raise: (n) => (reported = Math.max(reported, n)) });
    } else if (blog?.apiRootUrl && blog.apiOffReason) {
      notes.push(`the REST API is switched off (${blog.apiOffReason})`);
    }
    // After a complete REST list only pings can be missing: the page shows them without text in
    // today's themes, so they are left to the ping listings.
    if (!completeList && ((await stillMissing()) > 0 || overflow)) {
      const page = await readCommentPages(deps.fetch, { guid: post.guid, url: post.url }, { maxPages: deps.settings.maxCommentPages, maxBytes: deps.settings.maxCommentPageBytes, ...(deps.reader ? { reader: deps.reader } : {}) });
      if (page.kind === 'comments') {
        await store(page.items);
        if (page.apiRootUrl && blog && !blog.apiRootUrl) await updateBlogApiRoot(deps.db, blog.id, page.apiRootUrl);
        if (page.pagesLeft > 0) notes.push(`the post page's comments were read up to the limit of ${deps.settings.maxCommentPages} pages (${page.pagesLeft} more)`);
        else if (page.truncated) notes.push('the post page lists more comments than Palaver reads from one page');
        else completeList = true;
      } else {
        notes.push(page.reason);
      }
    }
  }

  // The window overflowed and nothing listed the whole thread: only the post feed says how many
  // there are, and WordPress answers it 304 when only comments changed. Read it unconditionally.
  if (overflow && !completeList) {
    const count = await readReportedCount(deps, blogId, post);
    if (count !== null) reported = Math.max(reported, count);
  }

  if (reported > (post.commentCount ?? 0)) {
    await transactionRetryingConflicts(deps.db, async (trx) => {
      // The conversation is locked before the post's row, as merges take them, against arrivals
      // in other processes; its gap moves by what the post reports now.
      const current = await findCommentedPost(trx, post.id);
      const conversationId = current?.conversationId == null ? null : await lockSurvivingConversationId(trx, current.conversationId);
      const raised = await raisePostCommentCount(trx, post.id, reported);
      if (raised && conversationId !== null) await countPostCommentCount(trx, conversationId, { id: post.id, kind: 'post' }, raised.before, reported, checkedAt);
    });
  }
  outcome.missing = Math.max(0, await stillMissing());
  outcome.note = outcome.missing > 0 ? notes.join('; ') || 'the blog reports more comments than it lists' : null;
  return outcome;
}

interface ApiContext {
  store: (items: FeedItem[]) => Promise<void>;
  notes: string[];
  outcome: CompletionOutcome;
  raise: (count: number) => void;
}

// Reads the post's comments through wp/v2/comments; tells whether the list is complete.
async function readThroughApi(deps: CompletionDeps, source: Source, post: CommentedPost, blog: Blog & { apiRootUrl: string }, started: Date, ctx: ApiContext): Promise<boolean> {
  const checkedAt = started.toISOString();
  let postId = source.apiPostId;
  if (postId === null) {
    const found = await findWpPostId(deps.fetch, blog.apiRootUrl, { guid: post.guid, url: post.url });
    if (found !== null && typeof found === 'object') {
      if (found.kind === 'off') await updateBlogApiState(deps.db, blog.id, found.reason, checkedAt);
      ctx.notes.push(found.kind === 'off' ? `the REST API is switched off (${found.reason})` : found.reason);
      return false;
    }
    postId = found ?? 0;
    ctx.outcome.apiPostId = postId;
  }
  if (postId === 0) {
    ctx.notes.push('the REST API does not know this post');
    return false;
  }
  const answer = await readWpRestComments(deps.fetch, blog.apiRootUrl, postId, { guid: post.guid, url: post.url }, { maxPages: deps.settings.maxCommentApiPages });
  switch (answer.kind) {
    case 'comments':
      if (blog.apiOffAt !== null) await updateBlogApiState(deps.db, blog.id, null, checkedAt);
      await ctx.store(answer.items);
      // X-WP-Total counts the comments of type "comment" alone: a floor for the post's count.
      if (answer.total !== null) ctx.raise(answer.total);
      if (!answer.complete) ctx.notes.push(`the REST API was read up to the limit of ${deps.settings.maxCommentApiPages} pages`);
      return answer.complete;
    case 'off':
      await updateBlogApiState(deps.db, blog.id, answer.reason, checkedAt);
      ctx.notes.push(`the REST API is switched off (${answer.reason})`);
      return false;
    default:
      ctx.notes.push(answer.reason);
      return false;
  }
}

// Reads the blog's post feed without validators for the count (slash:comments, thr:total) it
// gives this post; null when the feed cannot be read or no longer lists the post.
async function readReportedCount(deps: CompletionDeps, blogId: number, post: CommentedPost): Promise<number | null> {
  const feed = (await listBlogSources(deps.db, [blogId])).find((s) => s.kind === 'feed' && s.disabledAt === null);
  if (!feed) return null;
  try {
    const res = await deps.fetch({ url: feed.url, accept: 'application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.1' });
    if (res.status !== 200) return null;
    const parsed = await readFeed(res.body, res.headers['content-type'] ?? null, res.url, deps.reader);
    const item = parsed.items.find((i) => (post.guid !== null && i.guid?.trim() === post.guid) || (post.url !== null && i.url === post.url));
    return item?.commentCount ?? null;
  } catch (err) {
    if (err instanceof FetchError || err instanceof FeedParseError) return null;
    throw err;
  }
}
