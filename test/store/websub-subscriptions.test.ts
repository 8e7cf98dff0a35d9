import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { insertSource, updateSourceAfterPoll } from '../../src/store/sources.ts';
import {
  claimDueFeedSubscriptions,
  deleteFeedSubscription,
  findFeedSubscription,
  insertFeedSubscription,
  listFeedSubscriptionsBySource,
  markOrphanFeedSubscriptions,
  updateFeedSubscription,
} from '../../src/store/websub-subscriptions.ts';
import { createTestDatabase } from '../support/db.ts';

let database: OpenedDatabase;
const t0 = '2026-03-01T12:00:00.000Z';

async function feed() {
  const blog = await insertBlog(database.db, { homeUrl: 'http://sachar.example/', urlKey: 'sachar.example', title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, t0);
  return insertSource(database.db, { blogId: blog.id, kind: 'feed', url: 'http://sachar.example/feed/', nextCheckAt: t0 }, t0);
}

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

describe('feed subscriptions', () => {
  it('inserts a wanted subscription due at once, claims it once, and updates only what is given', async () => {
    const source = await feed();
    const sub = await insertFeedSubscription(database.db, { sourceId: source.id, hubUrl: 'https://hub.example/', topicUrl: 'http://sachar.example/feed/', secret: 's' }, t0);
    expect(sub).toMatchObject({ wanted: true, dueAt: t0, attempts: 0, pendingMode: null });
    expect((await claimDueFeedSubscriptions(database.db, { now: t0, leaseUntil: '2026-03-01T12:05:00.000Z', limit: 5 })).map((s) => s.id)).toEqual([sub.id]);
    expect(await claimDueFeedSubscriptions(database.db, { now: t0, leaseUntil: '2026-03-01T12:05:00.000Z', limit: 5 })).toEqual([]);
    await updateFeedSubscription(database.db, sub.id, { pendingMode: 'subscribe', attempts: 1 }, t0);
    expect(await findFeedSubscription(database.db, sub.id)).toMatchObject({ pendingMode: 'subscribe', attempts: 1, secret: 's', dueAt: '2026-03-01T12:05:00.000Z' });
    await deleteFeedSubscription(database.db, sub.id);
    expect(await listFeedSubscriptionsBySource(database.db, source.id)).toEqual([]);
  });

  it('marks the subscriptions of a stopped feed unwanted and due, so the worker unsubscribes them', async () => {
    const source = await feed();
    const sub = await insertFeedSubscription(database.db, { sourceId: source.id, hubUrl: 'https://hub.example/', topicUrl: 'http://sachar.example/feed/', secret: 's' }, t0);
    await updateFeedSubscription(database.db, sub.id, { dueAt: null }, t0);
    expect(await markOrphanFeedSubscriptions(database.db, t0)).toBe(0);
    await updateSourceAfterPoll(database.db, source.id, { checkedAt: t0, nextCheckAt: t0, lastStatus: 410, lastError: 'gone', consecutiveFailures: 1, succeeded: false, disabledReason: 'the feed is gone for good (410)' });
    expect(await markOrphanFeedSubscriptions(database.db, '2026-03-01T13:00:00.000Z')).toBe(1);
    expect(await findFeedSubscription(database.db, sub.id)).toMatchObject({ wanted: false, dueAt: '2026-03-01T13:00:00.000Z' });
  });
});
