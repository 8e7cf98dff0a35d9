// Over 400 lines because a poll of a source is one sequence (fetch, statuses, redirects, ingest, comment completion) with its outcomes.
// Refreshes one source: fetch (conditional) → decode → parse → draft entries → store, and
// records what happened on the source so its blog's status page can say it in plain words.
import { createHash } from 'node:crypto';
import type { Db } from '../db/open.ts';
import type { Source } from '../domain/models.ts';
import type { Channel, EntriesChanged, EntryKind, ListingSourceKind } from '../domain/vocabulary.ts';
import { newestItems } from './item-cap.ts';
import { decodeText } from '../reader/decode.ts';
import { draftEntry } from '../reader/entry-draft.ts';
import { parseFeed } from '../reader/parse-feed.ts';
import { FeedParseError, FetchError, type FeedItem, type FetchResponse, type ParsedFeed } from '../reader/types.ts';
import { findBlogById, updateBlogTitle } from '../store/blogs.ts';
import { trackbackListingUrl } from '../reader/listings.ts';
import { readPostPage } from '../reader/post-page.ts';
import { refreshListing } from './refresh-listing.ts';
import { completePostComments, defaultCompletionSettings, type CompletionOutcome } from './complete-comments.ts';
import { wakeCommentSourcesOfComments } from '../store/comment-gaps.ts';
import type { RefreshDeps, RefreshResult, RefreshSettings } from './refresh-types.ts';
import { findCommentActivity, insertSource, listSourcesByBlog, updateSourceAfterPoll, wakeCommentSources, type SourcePollState } from '../store/sources.ts';
import { answersThreadedEntry } from '../store/held-entries.ts';
import { recordEntry, recordHeldEntry } from '../ingest/record-entry.ts';
import { relationsOf } from '../threading/relations.ts';
import { commentFeedWaitSeconds, commentGapWaitSeconds, computeNextCheck, parseCacheMaxAge, parseRetryAfter, scheduleAfterFailure } from './schedule.ts';

export const feedAccept =
  'application/atom+xml, application/rss+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, application/json;q=0.7, */*;q=0.1';

const defaultMaxItemsPerPoll = 500;

const channelBySource: Record<Source['kind'], Channel> = {
  feed: 'feed',
  'site-comments': 'comment-feed',
  'post-comments': 'comment-feed',
  'trackback-listing': 'listing',
  'pingback-listing': 'listing',
};

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
    const r = await ingestFeedItems(deps.db, source, { items, title: null }, started.toISOString());
    return { inserted: r.inserted, entryIds: r.changed.entryIds, conversationIds: r.changed.conversationIds };
  };
  return completePostComments({ db: deps.db, fetch: deps.fetch, settings, ingest }, source, feedItems, started);
}

// What a comment source records about comments still missing, and its next check: sooner
// while comments are missing (the blog may answer next time), on the usual schedule otherwise.
function gapState(source: Source, gap: CompletionOutcome, started: Date, nextCheckAt: string, s: RefreshSettings): Pick<SourcePollState, 'gapNote' | 'gapPolls' | 'nextCheckAt'> & { apiPostId?: number } {
  const gapPolls = gap.missing > 0 ? source.gapPolls + 1 : 0;
  const retry = gap.missing > 0 ? commentGapWaitSeconds({ intervalSeconds: s.pollIntervalSeconds, gapPolls }) : null;
  const sooner = retry === null ? nextCheckAt : new Date(Math.min(Date.parse(nextCheckAt), started.getTime() + retry * 1000)).toISOString();
  return { gapNote: gap.note, gapPolls, nextCheckAt: sooner, ...(gap.apiPostId !== undefined ? { apiPostId: gap.apiPostId } : {}) };
}

/**
 * Picks the comment feed to follow for a post: WordPress's Atom variant carries the parent of
 * each threaded reply (thr:in-reply-to), its RSS one (wfw:commentRss, <permalink>feed/) none.
 */
export function preferredCommentFeed(post: { url: string | null; commentFeedUrl: string | null }): string | null {
  const feed = post.commentFeedUrl;
  if (!feed || !post.url) return feed;
  const permalink = post.url.endsWith('/') ? post.url : `${post.url}/`;
  return feed === `${permalink}feed/` ? `${permalink}feed/atom/` : feed;
}

/**
 * Picks the listings of pings to poll for a post: WordPress's getPingbacks when the blog has a
 * pingback endpoint, and a TrackBack listing (?__mode=rss) when the post names a TrackBack URL
 * that is not WordPress's (<permalink>trackback/ has no listing; its trackbacks are in the
 * comment feeds).
 */
export function listingSourcesFor(post: { url: string | null; trackbackPingUrl: string | null }, pingbackEndpoint: string | null): { kind: ListingSourceKind; url: string }[] {
  const out: { kind: ListingSourceKind; url: string }[] = [];
  if (pingbackEndpoint && post.url) out.push({ kind: 'pingback-listing', url: post.url });
  const tb = post.trackbackPingUrl;
  if (tb && !/\/trackback\/?$/.test(new URL(tb).pathname)) out.push({ kind: 'trackback-listing', url: trackbackListingUrl(tb) });
  return out;
}

const entryKindBySource: Record<Source['kind'], EntryKind> = {
  feed: 'post',
  'site-comments': 'comment',
  'post-comments': 'comment',
  'trackback-listing': 'trackback',
  'pingback-listing': 'pingback',
};

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
    options: { retryAfterSeconds?: number | null; disable?: boolean } = {},
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
    return result({ outcome: disable ? 'disabled' : 'failed', status, error: disabledReason ?? error, nextCheckAt });
  };

  let res: FetchResponse;
  try {
    res = await deps.fetch({ url: source.url, etag: source.etag, lastModified: source.lastModified, accept: feedAccept });
  } catch (err) {
    if (err instanceof FetchError) return fail(err.message, null);
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
    const taken = seen >= 2 && !(await listSourcesByBlog(deps.db, source.blogId)).some((o) => o.url === res.url);
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

  let feed;
  try {
    const decoded = decodeText(res.body, res.headers['content-type'] ?? null, 'xml');
    feed = await parseFeed(decoded.text, res.url);
  } catch (err) {
    if (err instanceof FeedParseError || err instanceof FetchError) return fail(`the feed could not be read: ${err.message}`, res.status);
    throw err;
  }
  const cap = s.maxItemsPerPoll ?? defaultMaxItemsPerPoll;
  const capped = newestItems(feed.items, cap);
  if (capped.skipped > 0) {
    feed = {
      ...feed,
      items: capped.items,
      warnings: [...feed.warnings, `the feed has ${feed.items.length} items; Palaver read the newest ${cap} and left ${capped.skipped} older ones out`],
    };
  }

  const hint = Math.max(hintFromHeaders ?? 0, feed.ttlSeconds ?? 0) || null;
  const state = successState(hint);
  // Each entry commits on its own, and the validators that vouch for them after all of them:
  // a crash in between leaves the old validators, so the next poll fetches the feed again and,
  // ingest being idempotent, loses and duplicates nothing. Short transactions keep pages and
  // pings answering while a long feed is stored.
  const items = await ingestFeedItems(deps.db, source, feed, checkedAt, s);
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
  await deps.db.transaction().execute(async (trx) => {
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
      itemsSkipped: capped.skipped,
    });
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

interface FeedIngest {
  inserted: number;
  updated: number;
  /** Entries this ingest created (not the ones it changed). */
  insertedIds: number[];
  changed: EntriesChanged;
  /** New posts whose feed says nothing about comments or TrackBack (Movable Type's defaults). */
  unexplained: { entryId: number; url: string }[];
}

/**
 * Records the items of a parsed feed of `source`, each in a transaction of its own: entries with
 * their threading, the comment feeds and listings of new posts, and the blog's title.
 */
async function ingestFeedItems(db: Db, source: Source, feed: Pick<ParsedFeed, 'items' | 'title'>, checkedAt: string, settings: Pick<RefreshSettings, 'showPendingWhenJoined'> = {}): Promise<FeedIngest> {
  const kind = entryKindBySource[source.kind];
  const via = channelBySource[source.kind];
  let inserted = 0;
  let updated = 0;
  const changed: EntriesChanged = { entryIds: [], conversationIds: [], blogIds: [] };
  const insertedIds: number[] = [];
  const owner = await findBlogById(db, source.blogId);
  const blog = source.kind === 'feed' ? owner : undefined;
  // A blog registered by a stranger under moderation is read but not shown until approved.
  const pending = owner !== undefined && owner.approval !== 'approved';
  const unexplained: { entryId: number; url: string }[] = [];
  const post = source.kind === 'post-comments' && source.entryId !== null ? await findCommentActivity(db, source.entryId) : undefined;
  for (const item of feed.items) {
    // SQLite work never waits for I/O, so without this a long feed would hold the event loop.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await db.transaction().execute(async (trx) => {
      const draft = draftEntry(item, kind);
      const relations = relationsOf(draft, { via, post: post ? { guid: post.guid, url: post.url } : null, inReplyTo: item.inReplyTo });
      // A pingback or trackback that the blog shows as a comment arrived by that ping.
      const channel: Channel = relations.kind === 'pingback' || relations.kind === 'trackback' ? relations.kind : via;
      if (pending && !(settings.showPendingWhenJoined && (await answersThreadedEntry(trx, relations.relations)))) {
        const held = await recordHeldEntry(trx, { blogId: source.blogId, draft, via: channel, kind: relations.kind }, checkedAt);
        if (held.outcome === 'inserted') inserted += 1;
        else if (held.outcome === 'updated') updated += 1;
        return;
      }
      const recorded = await recordEntry(trx, { blogId: source.blogId, draft, via: channel, relations }, checkedAt);
      if (recorded.outcome === 'inserted') {
        inserted += 1;
        insertedIds.push(recorded.id);
      } else if (recorded.outcome === 'updated') updated += 1;
      if (recorded.outcome !== 'unchanged') {
        changed.entryIds.push(recorded.id);
        changed.conversationIds.push(recorded.conversationId);
      }
      if (source.kind === 'feed') {
        const commentFeed = preferredCommentFeed(draft);
        if (commentFeed) {
          await insertSource(trx, { blogId: source.blogId, entryId: recorded.id, kind: 'post-comments', url: commentFeed, nextCheckAt: checkedAt }, checkedAt);
        }
        if (recorded.commentCountRose) await wakeCommentSources(trx, recorded.id, checkedAt);
        if (recorded.outcome === 'inserted' && draft.url && !commentFeed && !draft.trackbackPingUrl && !blog?.pingbackEndpoint) {
          unexplained.push({ entryId: recorded.id, url: draft.url });
        }
        for (const listing of listingSourcesFor(draft, blog?.pingbackEndpoint ?? null)) {
          await insertSource(trx, { blogId: source.blogId, entryId: recorded.id, kind: listing.kind, url: listing.url, nextCheckAt: checkedAt }, checkedAt);
        }
      }
    });
  }
  if (source.kind === 'feed' && feed.title) await updateBlogTitle(db, source.blogId, feed.title, checkedAt);
  if (changed.entryIds.length > 0) {
    changed.conversationIds = [...new Set(changed.conversationIds)];
    changed.blogIds = [source.blogId];
  }
  return { inserted, updated, insertedIds, changed, unexplained };
}

// What follows a committed ingest: the pages of unexplained posts, then the listeners.
async function afterIngest(
  deps: Pick<RefreshDeps, 'db' | 'fetch' | 'onEntriesChanged' | 'onPostFeedRead'>,
  source: Source,
  feed: ParsedFeed,
  ingested: FeedIngest,
  checkedAt: string,
): Promise<{ inserted: number; updated: number }> {
  // Their pages are read once, after the commit, a few per poll: the post page has the
  // TrackBack RDF whose listing (?__mode=rss) Palaver can then follow.
  for (const post of ingested.unexplained.slice(0, maxPostPagesPerPoll)) {
    const found = await readPostPage(deps.fetch, post.url);
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
  // A push may carry only the new items without the feed's links: it says nothing about the hub.
  return afterIngest({ db: deps.db, fetch: deps.fetch, onEntriesChanged: deps.onEntriesChanged }, source, feed, ingested, at);
}
