// Polls one post's listing of pings (Movable Type's ?__mode=rss, WordPress's getPingbacks) and
// queues every listed source for verification: listings include unapproved and spam pings, so
// nothing listed becomes a node before its page is fetched and found to link to the post.
import type { Source } from '../domain/models.ts';
import { fetchPingbackSources, fetchTrackbackListing, fetchTrackbackPings, wordpressPostId, type ListingResult } from '../reader/listings.ts';
import { findBlogById } from '../store/blogs.ts';
import { findPingBySourceTarget, upsertPing } from '../store/pings.ts';
import { findCommentActivity, updateSourceAfterPoll } from '../store/sources.ts';
import type { RefreshDeps, RefreshResult } from './refresh-types.ts';
import { commentFeedWaitSeconds, parseRetryAfter, scheduleAfterFailure } from './schedule.ts';

// Listings change slowly and cost the blog an XML-RPC call: never more often than this.
const minListingWaitSeconds = 6 * 3600;
// A blog with listings switched off is asked again after a week, not every poll.
const unavailableWaitSeconds = 7 * 24 * 3600;
const dormantSeconds = 365 * 24 * 3600;

/** Polls a listing source and queues the pings it names; never throws for what the blog did. */
export async function refreshListing(deps: RefreshDeps, source: Source): Promise<RefreshResult> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const checkedAt = started.toISOString();
  const post = source.entryId !== null ? await findCommentActivity(deps.db, source.entryId) : undefined;
  const blog = await findBlogById(deps.db, source.blogId);
  const base = { sourceId: source.id, blogId: source.blogId, url: source.url, status: null, inserted: 0, updated: 0, warnings: [] as string[] };

  let result: ListingResult;
  if (source.kind === 'pingback-listing') {
    result = blog?.pingbackEndpoint && post?.url ? await fetchPingbackSources(deps.fetch, blog.pingbackEndpoint, post.url) : { status: 'unavailable', reason: 'the blog has no pingback endpoint' };
    // WordPress lists a post's trackbacks through the same endpoint, by post ID (its guid's ?p=).
    // That ID is a guess (an imported post keeps its old guid), so when the pingbacks were listed
    // a failure here is the guess's, not the blog's; otherwise it is the listing's outcome.
    const postId = post ? wordpressPostId({ guid: post.guid, url: post.url }) : null;
    if (blog?.pingbackEndpoint && postId !== null && result.status !== 'failed') {
      const trackbacks = await fetchTrackbackPings(deps.fetch, blog.pingbackEndpoint, postId);
      if (trackbacks.status === 'ok') result = result.status === 'ok' ? { status: 'ok', pings: [...result.pings, ...trackbacks.pings] } : trackbacks;
      else if (result.status === 'ok') base.warnings.push(`the trackbacks of post ${postId} could not be listed: ${trackbacks.reason}`);
      else if (trackbacks.status === 'failed') result = trackbacks;
    }
  } else {
    result = await fetchTrackbackListing(deps.fetch, source.url);
  }

  if (result.status === 'unavailable') {
    const nextCheckAt = new Date(started.getTime() + unavailableWaitSeconds * 1000).toISOString();
    // Not the blog's failure: many blogs switch listings off. Said on the source, not counted.
    await updateSourceAfterPoll(deps.db, source.id, {
      checkedAt,
      nextCheckAt,
      lastStatus: null,
      lastError: `listing unavailable: ${result.reason}`,
      consecutiveFailures: 0,
      succeeded: false,
    });
    return { ...base, outcome: 'unchanged', error: null, nextCheckAt };
  }

  if (result.status === 'failed') {
    // A listing that fails is backed off like a feed and stopped after as many failures.
    const { failures, nextCheckAt, stopReason: disabledReason } = scheduleAfterFailure({
      now: started,
      consecutiveFailures: source.consecutiveFailures,
      settings: deps.settings,
      retryAfterSeconds: parseRetryAfter(result.retryAfter, started),
      error: result.reason,
    });
    const stop = disabledReason !== undefined;
    await updateSourceAfterPoll(deps.db, source.id, {
      checkedAt,
      nextCheckAt,
      lastStatus: result.httpStatus,
      lastError: result.reason,
      consecutiveFailures: failures,
      succeeded: false,
      ...(disabledReason !== undefined ? { disabledReason } : {}),
    });
    return { ...base, outcome: stop ? 'disabled' : 'failed', status: result.httpStatus, error: disabledReason ?? result.reason, nextCheckAt };
  }

  let queued = 0;
  const targetUrl = post?.url ?? source.url;
  for (const ping of result.pings) {
    // A listing repeats itself every poll: only sources not seen before are checked.
    if (await findPingBySourceTarget(deps.db, ping.url, targetUrl)) continue;
    await upsertPing(
      deps.db,
      { protocol: ping.via, receivedVia: 'listing', sourceUrl: ping.url, targetUrl, targetEntryId: source.entryId, title: ping.title, excerpt: ping.excerpt, blogName: ping.blogName },
      checkedAt,
    );
    queued += 1;
  }
  const wait = post
    ? commentFeedWaitSeconds({ now: started, postAt: post.postAt, lastActivityAt: post.lastActivityAt, intervalSeconds: minListingWaitSeconds, maxQuietDays: deps.settings.commentFeedMaxQuietDays })
    : null;
  const nextCheckAt = new Date(started.getTime() + (wait ?? dormantSeconds) * 1000).toISOString();
  await updateSourceAfterPoll(deps.db, source.id, { checkedAt, nextCheckAt, lastStatus: 200, lastError: null, consecutiveFailures: 0, succeeded: true });
  if (queued > 0) deps.onPingsQueued?.();
  return { ...base, outcome: queued > 0 ? 'updated' : 'unchanged', inserted: queued, error: null, status: 200, nextCheckAt };
}
