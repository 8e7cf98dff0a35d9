// Refreshes one source: fetch (conditional) → decode → parse → store its items (ingest/), and
// records what happened on the source so its blog's status page can say it in plain words.
import { createHash } from 'node:crypto';
import type { Db } from '../db/open.ts';
import type { Source } from '../domain/models.ts';
import { newestItems } from './item-cap.ts';
import { FetchError, type FeedItem, type FetchResponse, type ParsedFeed } from '../reader/types.ts';
import { readPostPage } from '../reader/post-page.ts';
import { refreshListing } from './refresh-listing.ts';
import { completePostComments, defaultCompletionSettings, type CompletionOutcome } from './complete-comments.ts';
import { commitWaitingWrites, letCommitWait } from '../store/dialect.ts';
import { wakeCommentSourcesOfComments } from '../store/comment-gaps.ts';
import type { RefreshDeps, RefreshResult, RefreshSettings } from './refresh-types.ts';
import { blogHasSourceAt, findCommentActivity, insertSource, updateSourceAfterPoll, type SourcePollState } from '../store/sources.ts';
import { ingestFeedItems, listingSourcesFor, type FeedIngest } from '../ingest/feed-items.ts';
import { writeItemRecord } from '../store/source-item-records.ts';
import { ingestFeedBody } from './feed-body.ts';
import { commentFeedWaitSeconds, commentGapWaitSeconds, computeNextCheck, parseCacheMaxAge, parseRetryAfter, scheduleAfterFailure } from './schedule.ts';

export const feedAccept =
  'application/atom+xml, application/rss+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, application/json;q=0.7, */*;q=0.1';

const defaultMaxItemsPerPoll = 500;


// Reading post pages costs the blog a request each: a first poll of a long feed reads a few.
const maxPostPagesPerPoll = 10;

// A comment feed with nothing left to follow waits this long unless its post stirs.
const dormantSeconds = 365 * 24 * 3600;

const defaultPushedPollIntervalSeconds = 6 * 3600;

// While a hub pushes a post feed, a poll is only the fallback for missed pushes.
function pollIntervalOf(source: Source, settings: RefreshSettings, at: string): number {
  if (source.kind !== 'feed' || !source.pushedUntil || source.pushedUntil <= at) return settings.pollIntervalSeconds;
  return Math.max(settings.pollIntervalSeconds, settings.pushedPollIntervalSeconds ?? defaultPushedPollIntervalSeconds);
}

// A post's comment feed is checked as often as post feeds while the post or its newest comment
// is young, then ever more rarely, and not at all once quiet for commentFeedMaxQuietDays.
async function commentSourceNextCheck(db: Db, source: Source, started: Date, hint: number | null, s: RefreshSettings): Promise<string> {
  const activity = source.entryId !== null ? await findCommentActivity(db, source.entryId) : undefined;
  const wait = activity
    ? commentFeedWaitSeconds({
        now: started,
        postAt: activity.postAt,
        lastActivityAt: activity.lastActivityAt,
        intervalSeconds: s.pollIntervalSeconds,
        maxQuietDays: s.commentFeedMaxQuietDays,
      })
    : null;
  return computeNextCheck({
    now: started,
    intervalSeconds: wait ?? dormantSeconds,
    maxIntervalSeconds: wait === null ? dormantSeconds : s.maxIntervalSeconds,
    hintSeconds: hint,
    consecutiveFailures: 0,
    maxBackoffSeconds: s.maxBackoffSeconds,
  }).toISOString();
}

// Reads what the post's comment feed could not show (API, Blogger paging, the post page).
function completeComments(deps: RefreshDeps, source: Source, feedItems: FeedItem[] | null, started: Date): Promise<CompletionOutcome | null> {
  const settings = { ...defaultCompletionSettings, ...deps.settings.commentCompletion };
  const ingest = async (items: FeedItem[]) => {
    const r = await ingestFeedItems(deps.db, source, { items, title: null }, started.toISOString(), deps.reader ? { reader: deps.reader } : {});
    return { inserted: r.inserted, entryIds: r.changed.entryIds, conversationIds: r.changed.conversationIds };
  };
  return completePostComments({ db: deps.db, fetch: deps.fetch, settings, ingest, ...(deps.reader ? { reader: deps.reader } : {}) }, source, feedItems, started);
}

// What a comment source records about comments still missing, and its next check: sooner
// while comments are missing (the blog may answer next time), on the usual schedule otherwise.
function gapState(source: Source, gap: CompletionOutcome, started: Date, nextCheckAt: string, s: RefreshSettings): Pick<SourcePollState, 'gapNote' | 'gapPolls' | 'nextCheckAt'> & { apiPostId?: number } {
  const gapPolls = gap.missing > 0 ? source.gapPolls + 1 : 0;
  const retry = gap.missing > 0 ? commentGapWaitSeconds({ intervalSeconds: s.pollIntervalSeconds, gapPolls }) : null;
  const sooner = retry === null ? nextCheckAt : new Date(Math.min(Date.parse(nextCheckAt), started.getTime() + retry * 1000)).toISOString();
  return { gapNote: gap.note, gapPolls, nextCheckAt: sooner, ...(gap.apiPostId !== undefined ? { apiPostId: gap.apiPostId } : {}) };
}


// The error of a poll whose comment completion a reading thread stopped at its limit.
function completionStopped(reason: string): string {
  return `the missing comments could not be read: ${reason}`;
}

// Statuses after which asking again soon is pointless but the blog may come back.
function describeStatus(res: FetchResponse): string {
  const reasons: Record<number, string> = {
    400: 'the server refused the request (400)',
    401: 'the feed needs a login (401)',
    403: 'the server refuses Palaver access (403)',
    404: 'the feed was not found (404)',
    429: 'the server asks Palaver to slow down (429)',
    500: 'the server had an internal error (500)',
    502: 'the server’s gateway failed (502)',
    503: 'the server is unavailable (503)',
    504: 'the server’s gateway timed out (504)',
  };
  return reasons[res.status] ?? `the server answered with status ${res.status}`;
}

/** Polls one source once and records the outcome; never throws for anything the blog did. */
export async function refreshSource(deps: RefreshDeps, source: Source): Promise<RefreshResult> {
  if (source.kind === 'pingback-listing' || source.kind === 'trackback-listing') return refreshListing(deps, source);
  const now = deps.now ?? (() => new Date());
  const started = now();
  const checkedAt = started.toISOString();
  const s = deps.settings;

  const result = (partial: Partial<RefreshResult> & Pick<RefreshResult, 'outcome' | 'nextCheckAt'>): RefreshResult => ({
    sourceId: source.id,
    blogId: source.blogId,
    url: source.url,
    status: null,
    inserted: 0,
    updated: 0,
    error: null,
    warnings: [],
    ...partial,
  });

  const fail = async (
    error: string,
    status: number | null,
    options: { retryAfterSeconds?: number | null; disable?: boolean; stored?: Pick<RefreshResult, 'inserted' | 'updated'> } = {},
  ): Promise<RefreshResult> => {
    const { failures, nextCheckAt, stopReason } = scheduleAfterFailure({
      now: started,
      consecutiveFailures: source.consecutiveFailures,
      settings: s,
      retryAfterSeconds: options.retryAfterSeconds ?? null,
      error,
    });
    const disable = options.disable || stopReason !== undefined;
    const disabledReason = options.disable ? error : stopReason;
    await updateSourceAfterPoll(deps.db, source.id, {
      checkedAt,
      nextCheckAt,
      lastStatus: status,
      lastError: error,
      consecutiveFailures: failures,
      succeeded: false,
      ...(disabledReason !== undefined ? { disabledReason } : {}),
    });
    return result({ outcome: disable ? 'disabled' : 'failed', status, error: disabledReason ?? error, nextCheckAt, ...options.stored });
  };

  let res: FetchResponse;
  try {
    res = await deps.fetch({ url: source.url, etag: source.etag, lastModified: source.lastModified, accept: feedAccept });
  } catch (err) {
    // This machine's shortage is not the blog's failure: thrown on, the poll counts as crashed and
    // the source's lease makes it due again, with nothing on its record.
    if (err instanceof FetchError && err.code !== 'local') return fail(err.message, null);
    throw err;
  }

  const hintFromHeaders = parseCacheMaxAge(res.headers['cache-control']);
  const successState = (hintSeconds: number | null): Pick<SourcePollState, 'consecutiveFailures' | 'succeeded' | 'lastError' | 'checkedAt' | 'nextCheckAt' | 'lastStatus' | 'intervalHintSeconds'> => ({
    checkedAt,
    lastStatus: res.status,
    lastError: null,
    consecutiveFailures: 0,
    succeeded: true,
    intervalHintSeconds: hintSeconds,
    nextCheckAt: computeNextCheck({
      now: started,
      intervalSeconds: pollIntervalOf(source, s, checkedAt),
      maxIntervalSeconds: s.maxIntervalSeconds,
      consecutiveFailures: 0,
      maxBackoffSeconds: s.maxBackoffSeconds,
      hintSeconds,
    }).toISOString(),
  });

  if (res.status === 410) return fail('the feed is gone for good (410); Palaver stopped checking it', 410, { disable: true });
  if (res.status === 429 || res.status === 503) {
    return fail(describeStatus(res), res.status, { retryAfterSeconds: parseRetryAfter(res.headers['retry-after'], started) });
  }
  if (res.status === 404 && source.kind === 'post-comments' && source.url.endsWith('/feed/atom/')) {
    // Not WordPress after all (or Atom switched off): follow the RSS comment feed it named.
    await updateSourceAfterPoll(deps.db, source.id, {
      checkedAt,
      nextCheckAt: checkedAt,
      lastStatus: 404,
      lastError: null,
      consecutiveFailures: 0,
      succeeded: true,
      url: source.url.replace(/atom\/$/, ''),
    });
    return result({ outcome: 'unchanged', status: 404, nextCheckAt: checkedAt, url: source.url.replace(/atom\/$/, '') });
  }
  if (res.status >= 400) return fail(describeStatus(res), res.status);
  if (res.status >= 300 && res.status !== 304) return fail(`the server answered with an unfollowable redirect (${res.status})`, res.status);

  // A permanent move is believed only when it repeats on the next poll (a one-off
  // misconfiguration must not lose the feed); the fetcher has already checked every hop.
  const moved = res.redirects.length > 0 && res.redirects.every((r) => r.status === 301 || r.status === 308) && res.url !== source.url;
  const redirectState: Pick<SourcePollState, 'redirectUrl' | 'redirectCount' | 'url'> = {};
  if (moved) {
    const seen = source.redirectUrl === res.url ? source.redirectCount + 1 : 1;
    const taken = seen >= 2 && !(await blogHasSourceAt(deps.db, source.blogId, res.url));
    if (taken) Object.assign(redirectState, { url: res.url, redirectUrl: null, redirectCount: 0 });
    else Object.assign(redirectState, { redirectUrl: res.url, redirectCount: seen });
  } else if (source.redirectUrl !== null) {
    Object.assign(redirectState, { redirectUrl: null, redirectCount: 0 });
  }

  // The same body as last time (a server without validators answering 200 again) changes
  // nothing: it counts as not modified and is not parsed again.
  const bodyHash = createHash('sha256').update(res.body).digest('base64url');
  const sameBody = source.bodyHash === bodyHash && source.lastError === null;
  if (res.notModified || res.status === 304 || sameBody) {
    const hinted = successState(hintFromHeaders ?? source.intervalHintSeconds);
    // A post's comment feed keeps its decaying schedule when nothing changed, too.
    const state = source.kind === 'post-comments' && source.entryId !== null ? { ...hinted, nextCheckAt: await commentSourceNextCheck(deps.db, source, started, hintFromHeaders ?? source.intervalHintSeconds, s) } : hinted;
    // Comments were missing last time: the feed has nothing new, but the API or the page may.
    const gap = source.kind === 'post-comments' && source.gapNote !== null ? await completeComments(deps, source, null, started) : null;
    if (gap?.stopped) {
      // The comments stored before the stop are committed: they reach the listeners all the same.
      if (gap.entryIds.length > 0) safely(() => deps.onEntriesChanged?.({ entryIds: gap.entryIds, conversationIds: [...new Set(gap.conversationIds)], blogIds: [source.blogId] }));
      return fail(completionStopped(gap.stopped), res.status, { stored: { inserted: gap.inserted, updated: 0 } });
    }
    const gapped = gap ? gapState(source, gap, started, state.nextCheckAt, s) : null;
    await updateSourceAfterPoll(deps.db, source.id, {
      ...state,
      ...gapped,
      ...redirectState,
      // A 304 may carry fresher validators; without them the old ones stay valid.
      ...(res.headers.etag ? { etag: res.headers.etag } : {}),
      ...(res.headers['last-modified'] ? { lastModified: res.headers['last-modified'] } : {}),
    });
    if (gap && gap.entryIds.length > 0) safely(() => deps.onEntriesChanged?.({ entryIds: gap.entryIds, conversationIds: [...new Set(gap.conversationIds)], blogIds: [source.blogId] }));
    return result({
      outcome: gap && gap.inserted > 0 ? 'updated' : res.notModified || res.status === 304 ? 'not-modified' : 'unchanged',
      status: res.status,
      inserted: gap?.inserted ?? 0,
      nextCheckAt: gapped?.nextCheckAt ?? state.nextCheckAt,
      url: redirectState.url ?? source.url,
    });
  }

  const cap = s.maxItemsPerPoll ?? defaultMaxItemsPerPoll;
  const body = await ingestFeedBody(deps, source, res, { cap, checkedAt });
  if ('failed' in body) return fail(`the feed could not be read: ${body.failed}`, res.status);
  const { feed, items } = body;
  const hint = Math.max(hintFromHeaders ?? 0, feed.ttlSeconds ?? 0) || null;
  const state = successState(hint);
  // A new comment in the site's comment feed moves its post's thread, whatever the post feed says.
  if (source.kind === 'site-comments') await wakeCommentSourcesOfComments(deps.db, items.insertedIds, checkedAt);
  const gap = source.kind === 'post-comments' ? await completeComments(deps, source, feed.items, started) : null;
  if (gap) {
    items.inserted += gap.inserted;
    items.changed.entryIds.push(...gap.entryIds);
    items.changed.conversationIds.push(...gap.conversationIds);
    items.changed.conversationIds = [...new Set(items.changed.conversationIds)];
    if (gap.entryIds.length > 0) items.changed.blogIds = [source.blogId];
  }
  if (gap?.stopped) {
    // The feed's items (and the comments stored before the stop) are committed and stay; the
    // validators are not written, so the next poll reads the feed again, finds its items
    // unchanged and completes the comments.
    const stored = await afterIngest(deps, source, feed, items, checkedAt);
    return fail(completionStopped(gap.stopped), res.status, { stored });
  }
  await deps.db.transaction().execute(async (trx) => {
    // The poll's record shares the commit of the feed's items (src/store/dialect.ts).
    await letCommitWait(trx);
    const nextCheckAt = source.kind === 'post-comments' && source.entryId !== null ? await commentSourceNextCheck(trx, source, started, hint, s) : state.nextCheckAt;
    await updateSourceAfterPoll(trx, source.id, {
      ...state,
      nextCheckAt,
      ...(gap ? gapState(source, gap, started, nextCheckAt, s) : {}),
      ...redirectState,
      etag: res.headers.etag ?? null,
      lastModified: res.headers['last-modified'] ?? null,
      format: feed.format,
      title: feed.title,
      bodyHash,
      itemsSkipped: body.cappedOut,
    });
    if (body.itemRecord) await writeItemRecord(trx, source.id, body.itemRecord.next);
  });
  const { inserted, updated } = await afterIngest(deps, source, feed, items, checkedAt);
  return result({
    outcome: inserted + updated > 0 ? 'updated' : 'unchanged',
    status: res.status,
    inserted,
    updated,
    warnings: feed.warnings,
    nextCheckAt: state.nextCheckAt,
    url: redirectState.url ?? source.url,
  });
}

// What follows a committed ingest: the pages of unexplained posts, then the listeners.
async function afterIngest(
  deps: Pick<RefreshDeps, 'db' | 'fetch' | 'reader' | 'onEntriesChanged' | 'onPostFeedRead'>,
  source: Source,
  feed: ParsedFeed,
  ingested: FeedIngest,
  checkedAt: string,
): Promise<{ inserted: number; updated: number }> {
  // Their pages are read once, after the commit, a few per poll: the post page has the
  // TrackBack RDF whose listing (?__mode=rss) Palaver can then follow.
  for (const post of ingested.unexplained.slice(0, maxPostPagesPerPoll)) {
    const found = await readPostPage(deps.fetch, post.url, deps.reader);
    if (!found) continue;
    const sources = [
      ...listingSourcesFor({ url: post.url, trackbackPingUrl: found.trackbackPingUrl }, null),
      ...(found.commentFeedUrl ? [{ kind: 'post-comments' as const, url: found.commentFeedUrl }] : []),
    ];
    for (const s2 of sources) await insertSource(deps.db, { blogId: source.blogId, entryId: post.entryId, kind: s2.kind, url: s2.url, nextCheckAt: checkedAt }, checkedAt);
  }
  // A listener's failure is its own business: the entries are committed whatever it does.
  if (ingested.changed.entryIds.length > 0) safely(() => deps.onEntriesChanged?.(ingested.changed));
  if (source.kind === 'feed') safely(() => deps.onPostFeedRead?.(source, { hubUrls: feed.hubUrls, selfUrl: feed.selfUrl }));
  return { inserted: ingested.inserted, updated: ingested.updated };
}

function safely(listener: () => void): void {
  try {
    listener();
  } catch {
    // Listeners log their own failures; a poll never fails because of one.
  }
}

/**
 * Ingests a feed that arrived without a poll (a WebSub push) through the same path as a poll's
 * items; the source's poll state (validators, schedule) stays as it is.
 */
export async function ingestPushedFeed(deps: Pick<RefreshDeps, 'db' | 'fetch' | 'now' | 'onEntriesChanged'>, source: Source, feed: ParsedFeed): Promise<{ inserted: number; updated: number }> {
  const at = (deps.now ?? (() => new Date()))().toISOString();
  const ingested = await ingestFeedItems(deps.db, source, { ...feed, items: newestItems(feed.items, defaultMaxItemsPerPoll).items }, at);
  // The hub is answered once the push is on disk: it does not send it again.
  await commitWaitingWrites(deps.db);
  // A push may carry only the new items without the feed's links: it says nothing about the hub.
  return afterIngest({ db: deps.db, fetch: deps.fetch, onEntriesChanged: deps.onEntriesChanged }, source, feed, ingested, at);
}
