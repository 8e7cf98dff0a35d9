import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import {
  claimDueDeliveries,
  claimSubscriberVerifications,
  confirmSubscriberRequest,
  deleteExpiredHubSubscribers,
  findHubSubscriber,
  findNextHubWork,
  finishDelivery,
  listActiveHubSubscribers,
  markDeliveriesDue,
  rejectSubscriberRequest,
  upsertSubscriberRequest,
} from '../../src/store/websub-hub.ts';
import { createTestDatabase } from '../support/db.ts';

let database: OpenedDatabase;
const topic = 'http://palaver.example/feed.atom';
const callback = 'http://reader.example/cb';
const t0 = '2026-03-01T12:00:00.000Z';
const lease = '2026-03-01T12:05:00.000Z';

async function subscribed(secret: string | null = 's1') {
  await upsertSubscriberRequest(database.db, { topic, callback, mode: 'subscribe', secret, leaseSeconds: 3600 }, t0);
  const [claimed] = await claimSubscriberVerifications(database.db, { now: t0, leaseUntil: lease, limit: 5 });
  await confirmSubscriberRequest(database.db, claimed!, t0);
  return (await findHubSubscriber(database.db, topic, callback))!;
}

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

describe('subscription requests', () => {
  it('keeps a verified secret and lease until a new request is verified (WebSub §5.1)', async () => {
    const first = await subscribed('s1');
    expect(first).toMatchObject({ secret: 's1', leaseSeconds: 3600, expiresAt: '2026-03-01T13:00:00.000Z', pendingMode: null });
    await upsertSubscriberRequest(database.db, { topic, callback, mode: 'subscribe', secret: 's2', leaseSeconds: 7200 }, '2026-03-01T12:10:00.000Z');
    expect(await findHubSubscriber(database.db, topic, callback)).toMatchObject({ secret: 's1', pendingSecret: 's2', pendingMode: 'subscribe' });
  });

  it('drops a failed request of a new subscriber, and only the pending part of a verified one', async () => {
    await upsertSubscriberRequest(database.db, { topic, callback, mode: 'subscribe', secret: null, leaseSeconds: 3600 }, t0);
    const [claimed] = await claimSubscriberVerifications(database.db, { now: t0, leaseUntil: lease, limit: 5 });
    await rejectSubscriberRequest(database.db, claimed!, 'the callback did not echo the challenge', t0);
    expect(await findHubSubscriber(database.db, topic, callback)).toBeUndefined();

    await subscribed('s1');
    await upsertSubscriberRequest(database.db, { topic, callback, mode: 'unsubscribe', secret: null, leaseSeconds: 3600 }, t0);
    const [again] = await claimSubscriberVerifications(database.db, { now: t0, leaseUntil: lease, limit: 5 });
    await rejectSubscriberRequest(database.db, again!, 'the callback answered 404', t0);
    expect(await findHubSubscriber(database.db, topic, callback)).toMatchObject({ secret: 's1', pendingMode: null, lastError: 'the callback answered 404' });
  });

  it('deletes a subscriber whose unsubscription is verified', async () => {
    await subscribed();
    await upsertSubscriberRequest(database.db, { topic, callback, mode: 'unsubscribe', secret: null, leaseSeconds: 3600 }, t0);
    const [claimed] = await claimSubscriberVerifications(database.db, { now: t0, leaseUntil: lease, limit: 5 });
    await confirmSubscriberRequest(database.db, claimed!, t0);
    expect(await findHubSubscriber(database.db, topic, callback)).toBeUndefined();
  });
});

describe('deliveries', () => {
  it('makes deliveries due for active subscribers, claims them once, and records how they went', async () => {
    await subscribed();
    expect(await markDeliveriesDue(database.db, [topic, 'http://palaver.example/feed.rss'], t0)).toBe(1);
    expect(await findNextHubWork(database.db)).toBe(t0);
    const [claimed] = await claimDueDeliveries(database.db, { now: t0, leaseUntil: lease, limit: 5 });
    expect(claimed).toMatchObject({ callback, deliveryDueAt: lease });
    expect(await claimDueDeliveries(database.db, { now: t0, leaseUntil: lease, limit: 5 })).toEqual([]);
    await finishDelivery(database.db, claimed!, { status: 'retry', retryAt: '2026-03-01T12:01:00.000Z', error: 'the callback answered 500' }, t0);
    expect(await findHubSubscriber(database.db, topic, callback)).toMatchObject({ deliveryAttempts: 1, deliveryDueAt: '2026-03-01T12:01:00.000Z', lastError: 'the callback answered 500' });
    const [retried] = await claimDueDeliveries(database.db, { now: '2026-03-01T12:01:00.000Z', leaseUntil: lease, limit: 5 });
    await finishDelivery(database.db, retried!, { status: 'delivered' }, '2026-03-01T12:01:00.000Z');
    expect(await findHubSubscriber(database.db, topic, callback)).toMatchObject({ deliveryAttempts: 0, deliveryDueAt: null, deliveredAt: '2026-03-01T12:01:00.000Z', lastError: null });
  });

  it('makes deliveries due for topics past the databases’ limits of bound values in one call', async () => {
    await subscribed();
    // A poll that changed 12,000 conversations names their three feeds each, and the blogs' and groups'.
    const many = Array.from({ length: 70_000 }, (_, i) => `http://palaver.example/c/${i}/feed.atom`);
    expect(await markDeliveriesDue(database.db, [...many, topic], t0)).toBe(1);
    expect(await findNextHubWork(database.db)).toBe(t0);
  });

  it('ends a subscription whose callback answers 410, and one whose lease ran out', async () => {
    await subscribed();
    await markDeliveriesDue(database.db, [topic], t0);
    const [claimed] = await claimDueDeliveries(database.db, { now: t0, leaseUntil: lease, limit: 5 });
    await finishDelivery(database.db, claimed!, { status: 'gone' }, t0);
    expect(await findHubSubscriber(database.db, topic, callback)).toBeUndefined();

    await subscribed();
    expect((await listActiveHubSubscribers(database.db, topic, t0)).length).toBe(1);
    expect(await deleteExpiredHubSubscribers(database.db, '2026-03-01T13:00:00.000Z')).toBe(1);
    expect(await listActiveHubSubscribers(database.db, topic, t0)).toEqual([]);
  });
});
