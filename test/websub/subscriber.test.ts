// Palaver as a WebSub subscriber: a loopback blog whose post feed declares a hub. The hub's
// side is played by the test: it records Palaver's requests at /hub (real HTTP) and calls
// Palaver's callback (through app.inject, as the callback lives under PUBLIC_URL).
import type { Source } from '../../src/domain/models.ts';
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/demo/fixture-server.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { countEntries, listRecentEntries } from '../../src/store/entries.ts';
import { findSourceById, insertSource } from '../../src/store/sources.ts';
import { findFeedSubscription, listFeedSubscriptionsBySource } from '../../src/store/websub-subscriptions.ts';
import { readFeedHere } from '../../src/reader/read-feed.ts';
import { subscriberSettings } from '../../src/service.ts';
import { checkSignature, createSubscriber } from '../../src/websub/subscriber.ts';
import defaults from '../../config/default.json' with { type: 'json' };
import { rssFeed } from '../support/blog-pages.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

const publicUrl = 'http://palaver.test';
const rssType = { 'content-type': 'application/rss+xml; charset=UTF-8' };
const first = { id: 1, slug: 'eins', title: 'Erster Beitrag', body: '<p>Eins</p>', date: 'Mon, 10 Nov 2008 10:00:00 +0100' };

let t: TestApp;
let blog: FixtureServer;
let clock: Date;
let source: Source;
let hubRequests: URLSearchParams[];
let hubStatus: number;

function reply(origin: string) {
  return { id: 2, slug: 'zwei', title: 'Antwort auf Eins', body: `<p>Zu <a href="${origin}/2008/11/eins/">Eins</a>: ja.</p>`, date: 'Tue, 11 Nov 2008 10:00:00 +0100' };
}

function feedWithHub(items: Parameters<typeof rssFeed>[1], withHub = true): string {
  const xml = rssFeed(blog.origin, items);
  return withHub ? xml.replace('<link>', `<atom:link href="${blog.origin}/hub" rel="hub" />\n\t<link>`) : xml;
}

async function start(overrides: Record<string, unknown>): Promise<void> {
  t = await createTestApp({ websub: { ...defaults.websub }, ...overrides }, { now: () => clock });
  const now = clock.toISOString();
  const b = await insertBlog(t.database.db, { homeUrl: blog.origin, urlKey: 'blog', title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now);
  source = await insertSource(t.database.db, { blogId: b.id, kind: 'feed', url: `${blog.origin}/feed/`, nextCheckAt: now }, now);
}

// Each forced poll happens a second later: a forced run polls what was not checked since it began.
async function poll(): Promise<void> {
  clock = new Date(clock.getTime() + 1000);
  await t.poller.pollOnce({ force: true });
  await t.settle();
}

function callbackPath(url: string): string {
  expect(url.startsWith(`${publicUrl}/websub/callback/`)).toBe(true);
  return url.slice(publicUrl.length);
}

// The hub verifies intent (WebSub §5.3) by a GET to the callback.
async function verify(request: URLSearchParams, overrides: Record<string, string> = {}) {
  const q = new URLSearchParams({ 'hub.mode': request.get('hub.mode')!, 'hub.topic': request.get('hub.topic')!, 'hub.challenge': 'c-h-a-l-l-e-n-g-e', ...overrides });
  if (q.get('hub.mode') === 'subscribe' && !q.has('hub.lease_seconds')) q.set('hub.lease_seconds', '3600');
  return t.app.inject({ method: 'GET', url: `${callbackPath(request.get('hub.callback')!)}?${q.toString()}` });
}

// The hub distributes content (§7) by a POST to the callback.
async function push(request: URLSearchParams, body: string, signature: string | null) {
  const headers: Record<string, string> = { 'content-type': 'application/rss+xml; charset=UTF-8', link: `<${blog.origin}/hub>; rel="hub", <${blog.origin}/feed/>; rel="self"` };
  if (signature !== null) headers['x-hub-signature'] = signature;
  return t.app.inject({ method: 'POST', url: callbackPath(request.get('hub.callback')!), payload: body, headers });
}

function sign(algorithm: string, secret: string, body: string): string {
  return `${algorithm}=${createHmac(algorithm, secret).update(body).digest('hex')}`;
}

async function subscribed(): Promise<URLSearchParams> {
  await poll();
  await t.websubSubscriber.runOnce();
  const request = hubRequests.at(-1)!;
  expect((await verify(request)).statusCode).toBe(200);
  return request;
}

describe('WebSub subscriber', () => {
  beforeEach(async () => {
    clock = new Date('2026-03-01T12:00:00Z');
    hubRequests = [];
    hubStatus = 202;
    blog = await startFixtureServer();
    blog.set('/feed/', { headers: rssType, body: feedWithHub([first]) });
    blog.set('/hub', (_req, res, body) => {
      hubRequests.push(new URLSearchParams(body.toString('utf8')));
      res.writeHead(hubStatus);
      res.end();
    });
  });

  afterEach(async () => {
    await t.close();
    await blog.close();
  });

  it('makes no subscription without an explicit PUBLIC_URL', async () => {
    await start({ publicUrl: null });
    await poll();
    expect(await t.websubSubscriber.runOnce()).toEqual({ requested: 0, failed: 0 });
    expect(await listFeedSubscriptionsBySource(t.database.db, source.id)).toEqual([]);
    expect(blog.hitCount('/hub')).toBe(0);
  });

  it('makes no subscription with WebSub off', async () => {
    await start({ publicUrl, websub: { ...defaults.websub, enabled: false } });
    await poll();
    await t.websubSubscriber.runOnce();
    expect(blog.hitCount('/hub')).toBe(0);
  });

  it('subscribes at the declared hub with the feed’s self URL, a callback and a secret, and answers the verification', async () => {
    await start({ publicUrl });
    await poll();
    expect(await t.websubSubscriber.runOnce()).toEqual({ requested: 1, failed: 0 });
    expect(hubRequests).toHaveLength(1);
    const request = hubRequests[0]!;
    expect(request.get('hub.mode')).toBe('subscribe');
    expect(request.get('hub.topic')).toBe(`${blog.origin}/feed/`);
    const [sub] = await listFeedSubscriptionsBySource(t.database.db, source.id);
    expect(request.get('hub.callback')).toBe(`${publicUrl}/websub/callback/${sub!.id}`);
    expect(request.get('hub.secret')).toMatch(/^[0-9a-f]{64}$/);
    expect(request.get('hub.lease_seconds')).toBe(String(defaults.websub.leaseSeconds));

    // Requests Palaver did not make are answered 404 (§5.3.1).
    expect((await verify(request, { 'hub.topic': `${blog.origin}/other/` })).statusCode).toBe(404);
    expect((await verify(request, { 'hub.mode': 'unsubscribe' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/websub/callback/999?hub.mode=subscribe&hub.topic=x&hub.challenge=y` })).statusCode).toBe(404);
    expect((await findFeedSubscription(t.database.db, sub!.id))?.verifiedAt).toBeNull();

    const res = await verify(request);
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('c-h-a-l-l-e-n-g-e');
    const active = await findFeedSubscription(t.database.db, sub!.id);
    expect(active).toMatchObject({ pendingMode: null, leaseSeconds: 3600, expiresAt: new Date(clock.getTime() + 3600_000).toISOString() });
    expect((await findSourceById(t.database.db, source.id))?.pushedUntil).toBe(active!.expiresAt);
    // Polling the same feed again subscribes no second time.
    await poll();
    expect(await t.websubSubscriber.runOnce()).toEqual({ requested: 0, failed: 0 });
    expect(await listFeedSubscriptionsBySource(t.database.db, source.id)).toHaveLength(1);
  });

  it('polls a pushed feed only as a fallback while the lease lasts', async () => {
    await start({ publicUrl });
    await subscribed();
    await poll();
    const pushed = await findSourceById(t.database.db, source.id);
    expect(Date.parse(pushed!.nextCheckAt) - clock.getTime()).toBe(defaults.websub.pushedPollIntervalSeconds * 1000);
    // After the lease, without renewal, the feed is polled as its own hint says (sy:updatePeriod hourly).
    clock = new Date(clock.getTime() + 3600_000);
    await poll();
    const polled = await findSourceById(t.database.db, source.id);
    expect(Date.parse(polled!.nextCheckAt) - clock.getTime()).toBe(3600_000);
  });

  it('ingests a signed push through the poll’s path, so the new post threads', async () => {
    await start({ publicUrl });
    const request = await subscribed();
    const secret = request.get('hub.secret')!;
    const body = feedWithHub([first, reply(blog.origin)]);
    const res = await push(request, body, sign('sha256', secret, body));
    expect(res.statusCode).toBe(200);
    expect(await countEntries(t.database.db)).toBe(2);
    const entries = await listRecentEntries(t.database.db, { limit: 10 });
    const answer = entries.find((e) => e.title === 'Antwort auf Eins')!;
    const original = entries.find((e) => e.title === 'Erster Beitrag')!;
    expect(answer.conversationId).toBe(original.conversationId);
    // The push did not touch the poll's validators or schedule.
    const [sub] = await listFeedSubscriptionsBySource(t.database.db, source.id);
    expect(sub!.lastPushAt).toBe(clock.toISOString());
  });

  it.each(['sha1', 'sha384', 'sha512'])('accepts a push signed with %s', async (algorithm) => {
    await start({ publicUrl });
    const request = await subscribed();
    const body = feedWithHub([first, reply(blog.origin)]);
    expect((await push(request, body, sign(algorithm, request.get('hub.secret')!, body))).statusCode).toBe(200);
    expect(await countEntries(t.database.db)).toBe(2);
  });

  it('reads a pushed feed of 128 KiB or more in a reading thread, not where the push is answered', async () => {
    await start({ publicUrl });
    const request = await subscribed();
    const secret = request.get('hub.secret')!;
    const handed: string[] = [];
    const subscriber = createSubscriber({
      db: t.database.db,
      fetch: t.fetcher.fetch,
      settings: subscriberSettings(t.config),
      log: { info: () => {}, warn: () => {}, error: () => {} },
      now: () => clock,
      reader: {
        read: async (body, contentType, url) => {
          handed.push(url);
          return readFeedHere(body, contentType, url);
        },
      },
    });
    const id = Number(callbackPath(request.get('hub.callback')!).split('/').at(-1));
    const small = feedWithHub([first, reply(blog.origin)]);
    expect(await subscriber.receive(id, { body: Buffer.from(small), contentType: rssType['content-type'], signature: sign('sha256', secret, small) })).toBe('ingested');
    expect(handed).toEqual([]);
    const long = { id: 3, slug: 'drei', title: 'Lang', body: `<p>${'Viel zu sagen. '.repeat(10_000)}</p>`, date: 'Wed, 12 Nov 2008 10:00:00 +0100' };
    const big = feedWithHub([first, reply(blog.origin), long]);
    expect(big.length).toBeGreaterThan(128 * 1024);
    expect(await subscriber.receive(id, { body: Buffer.from(big), contentType: rssType['content-type'], signature: sign('sha256', secret, big) })).toBe('ingested');
    expect(handed).toEqual([`${blog.origin}/feed/`]);
    expect(await countEntries(t.database.db)).toBe(3);
  });

  it('acknowledges but ignores a push with a wrong, missing or unknown signature', async () => {
    await start({ publicUrl });
    const request = await subscribed();
    const body = feedWithHub([first, reply(blog.origin)]);
    expect((await push(request, body, sign('sha256', 'not the secret', body))).statusCode).toBe(200);
    expect((await push(request, body, null)).statusCode).toBe(200);
    expect((await push(request, body, sign('md5', request.get('hub.secret')!, body))).statusCode).toBe(200);
    // Signed over other bytes than those that arrived.
    expect((await push(request, body, sign('sha256', request.get('hub.secret')!, `${body} `))).statusCode).toBe(200);
    expect(await countEntries(t.database.db)).toBe(1);
  });

  it('answers 410 to a push for a subscription it does not hold, and 413 to one too large', async () => {
    await start({ publicUrl, fetcher: { maxBodyBytes: 4096 } });
    const request = await subscribed();
    const gone = await t.app.inject({ method: 'POST', url: '/websub/callback/999', payload: '<rss/>', headers: { 'content-type': 'application/rss+xml' } });
    expect(gone.statusCode).toBe(410);
    const big = `<rss>${'x'.repeat(5000)}</rss>`;
    expect((await push(request, big, sign('sha256', request.get('hub.secret')!, big))).statusCode).toBe(413);
  });

  it('renews the subscription before the lease ends', async () => {
    await start({ publicUrl });
    const request = await subscribed();
    const [sub] = await listFeedSubscriptionsBySource(t.database.db, source.id);
    const expiresAt = Date.parse(sub!.expiresAt!);
    // A tenth of the lease early.
    expect(Date.parse(sub!.dueAt!)).toBe(expiresAt - 360_000);
    clock = new Date(expiresAt - 400_000);
    expect(await t.websubSubscriber.runOnce()).toEqual({ requested: 0, failed: 0 });
    clock = new Date(expiresAt - 300_000);
    expect(await t.websubSubscriber.runOnce()).toEqual({ requested: 1, failed: 0 });
    const renewal = hubRequests.at(-1)!;
    expect(renewal.get('hub.mode')).toBe('subscribe');
    expect(renewal.get('hub.callback')).toBe(request.get('hub.callback'));
    // Pushes keep working while the renewal waits for its verification.
    const body = feedWithHub([first, reply(blog.origin)]);
    expect((await push(request, body, sign('sha256', renewal.get('hub.secret')!, body))).statusCode).toBe(200);
    expect(await countEntries(t.database.db)).toBe(2);
    expect((await verify(renewal, { 'hub.lease_seconds': '7200' })).statusCode).toBe(200);
    const renewed = await findFeedSubscription(t.database.db, sub!.id);
    expect(renewed?.expiresAt).toBe(new Date(clock.getTime() + 7200_000).toISOString());
  });

  it('retries a subscription the hub refused, with backoff', async () => {
    await start({ publicUrl });
    hubStatus = 500;
    await poll();
    expect(await t.websubSubscriber.runOnce()).toEqual({ requested: 0, failed: 1 });
    const [sub] = await listFeedSubscriptionsBySource(t.database.db, source.id);
    expect(sub).toMatchObject({ pendingMode: null, lastError: 'the hub answered 500' });
    expect(Date.parse(sub!.dueAt!) - clock.getTime()).toBe(300_000);
    // A verification for the refused request finds nothing pending.
    expect((await verify(hubRequests[0]!)).statusCode).toBe(404);
    hubStatus = 202;
    clock = new Date(clock.getTime() + 300_000);
    expect(await t.websubSubscriber.runOnce()).toEqual({ requested: 1, failed: 0 });
    expect((await verify(hubRequests.at(-1)!)).statusCode).toBe(200);
  });

  it('unsubscribes when the feed stops declaring the hub, and polls normally again', async () => {
    await start({ publicUrl });
    const request = await subscribed();
    blog.set('/feed/', { headers: rssType, body: feedWithHub([first], false) });
    await poll();
    expect((await findSourceById(t.database.db, source.id))?.pushedUntil).toBeNull();
    expect(await t.websubSubscriber.runOnce()).toEqual({ requested: 1, failed: 0 });
    const undo = hubRequests.at(-1)!;
    expect(undo.get('hub.mode')).toBe('unsubscribe');
    expect(undo.get('hub.callback')).toBe(request.get('hub.callback'));
    expect(undo.has('hub.secret')).toBe(false);
    // Pushes are no longer believed while the unsubscription waits.
    const body = feedWithHub([first, reply(blog.origin)]);
    expect((await push(request, body, sign('sha256', request.get('hub.secret')!, body))).statusCode).toBe(410);
    const res = await verify(undo);
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('c-h-a-l-l-e-n-g-e');
    expect(await listFeedSubscriptionsBySource(t.database.db, source.id)).toEqual([]);
    expect(await countEntries(t.database.db)).toBe(1);
  });

  it('unsubscribes when the blog is disabled', async () => {
    await start({ publicUrl });
    await subscribed();
    await t.database.db.updateTable('blogs').set({ disabled_at: clock.toISOString() }).execute();
    expect(await t.websubSubscriber.runOnce()).toEqual({ requested: 1, failed: 0 });
    expect(hubRequests.at(-1)!.get('hub.mode')).toBe('unsubscribe');
    expect((await verify(hubRequests.at(-1)!)).statusCode).toBe(200);
    expect(await listFeedSubscriptionsBySource(t.database.db, source.id)).toEqual([]);
  });

  it('moves to the new hub when the feed declares another one', async () => {
    await start({ publicUrl });
    await subscribed();
    blog.set('/feed/', { headers: rssType, body: feedWithHub([first]).replace(`${blog.origin}/hub`, `${blog.origin}/hub2`) });
    blog.set('/hub2', (_req, res, body) => {
      hubRequests.push(new URLSearchParams(body.toString('utf8')));
      res.writeHead(202);
      res.end();
    });
    await poll();
    expect(await t.websubSubscriber.runOnce()).toEqual({ requested: 2, failed: 0 });
    expect(blog.hitCount('/hub2')).toBe(1);
    expect(hubRequests.slice(-2).map((r) => r.get('hub.mode')).sort()).toEqual(['subscribe', 'unsubscribe']);
  });
});

describe('checkSignature', () => {
  it('compares the HMAC of the exact bytes and refuses malformed headers', () => {
    const body = Buffer.from('<feed/>');
    const good = createHmac('sha256', 's').update(body).digest('hex');
    expect(checkSignature('s', body, `sha256=${good}`)).toBe(true);
    expect(checkSignature('s', body, `SHA256=${good.toUpperCase()}`)).toBe(true);
    expect(checkSignature('s', body, `sha256=${good.slice(0, -2)}`)).toBe(false);
    expect(checkSignature('s', body, good)).toBe(false);
    expect(checkSignature('s', body, null)).toBe(false);
  });
});
