// Palaver as a WebSub publisher: a loopback subscriber subscribes to a conversation feed at
// POST /websub, Palaver verifies intent at the subscriber's callback, a new entry arrives by
// a poll, and Palaver delivers the feed signed with the subscriber's secret.
import { createHmac } from 'node:crypto';
import type http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/demo/fixture-server.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { listRecentEntries } from '../../src/store/entries.ts';
import { insertSource } from '../../src/store/sources.ts';
import { findHubSubscriber } from '../../src/store/websub-hub.ts';
import { feedUrlsOf, parseFeedUrl } from '../../src/feeds/feed-urls.ts';
import { signBody } from '../../src/websub/hub.ts';
import defaults from '../../config/default.json' with { type: 'json' };
import { rssFeed } from '../support/blog-pages.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

const publicUrl = 'http://palaver.test';
const rssType = { 'content-type': 'application/rss+xml; charset=UTF-8' };
const first = { id: 1, slug: 'eins', title: 'Erster Beitrag', body: '<p>Eins</p>', date: 'Mon, 10 Nov 2008 10:00:00 +0100' };

interface Delivery {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

let t: TestApp;
let blog: FixtureServer;
let subscriber: FixtureServer;
let clock: Date;
let deliveries: Delivery[];
let verifications: URLSearchParams[];
let echo: (query: URLSearchParams) => string;
let deliveryStatus: number[];

function second(origin: string) {
  // Links to the first post: the poll threads it into the same conversation.
  return { id: 2, slug: 'zwei', title: 'Antwort auf Eins', body: `<p>Zu <a href="${origin}/2008/11/eins/">Eins</a>: ja.</p>`, date: 'Tue, 11 Nov 2008 10:00:00 +0100' };
}

async function conversationId(): Promise<number> {
  const [entry] = await listRecentEntries(t.database.db, { limit: 1 });
  return entry!.conversationId!;
}

// Each forced poll happens a second later: a forced run polls what was not checked since it began.
async function poll(): Promise<void> {
  clock = new Date(clock.getTime() + 1000);
  await t.poller.pollOnce({ force: true });
  await t.settle();
}

async function subscribe(fields: Record<string, string>) {
  return t.app.inject({ method: 'POST', url: '/websub', payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

beforeEach(async () => {
  clock = new Date('2026-03-01T12:00:00Z');
  t = await createTestApp({ publicUrl, websub: { ...defaults.websub } }, { now: () => clock });
  blog = await startFixtureServer({ '/feed/': { headers: rssType, body: '' } });
  blog.set('/feed/', { headers: rssType, body: rssFeed(blog.origin, [first]) });
  deliveries = [];
  verifications = [];
  deliveryStatus = [];
  echo = (q) => q.get('hub.challenge') ?? '';
  subscriber = await startFixtureServer({
    '/cb': (req, res, body) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      if (req.method === 'GET') {
        verifications.push(query);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(echo(query));
        return;
      }
      deliveries.push({ headers: req.headers, body });
      res.writeHead(deliveryStatus.shift() ?? 204);
      res.end();
    },
  });
  const now = clock.toISOString();
  const b = await insertBlog(t.database.db, { homeUrl: blog.origin, urlKey: 'blog', title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now);
  await insertSource(t.database.db, { blogId: b.id, kind: 'feed', url: `${blog.origin}/feed/`, nextCheckAt: now }, now);
  await poll();
});

afterEach(async () => {
  await t.close();
  await blog.close();
  await subscriber.close();
});

describe('POST /websub', () => {
  it('verifies intent, then delivers the changed conversation feed signed with the secret', async () => {
    const id = await conversationId();
    const topic = `${publicUrl}/c/${id}/feed.atom`;
    const res = await subscribe({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': `${subscriber.origin}/cb`, 'hub.secret': 'geheim', 'hub.lease_seconds': '3600' });
    expect(res.statusCode).toBe(202);
    expect(await t.websubHub.runOnce()).toMatchObject({ verified: 1, refused: 0 });
    expect(verifications).toHaveLength(1);
    expect(verifications[0]!.get('hub.mode')).toBe('subscribe');
    expect(verifications[0]!.get('hub.topic')).toBe(topic);
    expect(verifications[0]!.get('hub.lease_seconds')).toBe('3600');
    const stored = await findHubSubscriber(t.database.db, topic, `${subscriber.origin}/cb`);
    expect(stored?.expiresAt).toBe(new Date(clock.getTime() + 3600_000).toISOString());

    // A new post that answers the first arrives by a poll.
    blog.set('/feed/', { headers: rssType, body: rssFeed(blog.origin, [first, second(blog.origin)]) });
    await poll();
    expect(await t.websubHub.runOnce()).toMatchObject({ delivered: 1, failed: 0 });
    expect(deliveries).toHaveLength(1);
    const d = deliveries[0]!;
    expect(d.headers['content-type']).toMatch(/^application\/atom\+xml/);
    expect(d.headers.link).toBe(`<${publicUrl}/websub>; rel="hub", <${topic}>; rel="self"`);
    expect(d.headers['x-hub-signature']).toBe(`sha256=${createHmac('sha256', 'geheim').update(d.body).digest('hex')}`);
    const xml = d.body.toString('utf8');
    expect(xml).toContain('Antwort auf Eins');
    expect(xml).toContain(`<link rel="hub" href="${publicUrl}/websub"/>`);
    // The delivered body is what a GET of the topic returns.
    const get = await t.app.inject({ method: 'GET', url: `/c/${id}/feed.atom` });
    expect(get.body).toBe(xml);
    expect(get.headers.link).toContain(`<${publicUrl}/websub>; rel="hub"`);

    // Nothing changed since: nothing more goes out.
    await poll();
    expect(await t.websubHub.runOnce()).toMatchObject({ delivered: 0 });
  });

  it('delivers to subscribers of the merged feed and the blog feed too, without a signature when no secret was given', async () => {
    const blogTopic = `${publicUrl}/blogs/1/feed.rss`;
    const allTopic = `${publicUrl}/feed.json`;
    expect((await subscribe({ 'hub.mode': 'subscribe', 'hub.topic': blogTopic, 'hub.callback': `${subscriber.origin}/cb?feed=blog` })).statusCode).toBe(202);
    expect((await subscribe({ 'hub.mode': 'subscribe', 'hub.topic': allTopic, 'hub.callback': `${subscriber.origin}/cb?feed=all` })).statusCode).toBe(202);
    expect(await t.websubHub.runOnce()).toMatchObject({ verified: 2 });
    // The callback's own query survives next to the hub's parameters.
    expect(verifications.every((q) => q.get('feed') !== null)).toBe(true);
    blog.set('/feed/', { headers: rssType, body: rssFeed(blog.origin, [first, second(blog.origin)]) });
    await poll();
    expect(await t.websubHub.runOnce()).toMatchObject({ delivered: 2 });
    const types = deliveries.map((d) => String(d.headers['content-type']).split(';')[0]).sort();
    expect(types).toEqual(['application/feed+json', 'application/rss+xml']);
    expect(deliveries.every((d) => d.headers['x-hub-signature'] === undefined)).toBe(true);
  });

  it('makes no subscription when the callback does not echo the challenge', async () => {
    echo = () => 'something else';
    const topic = `${publicUrl}/feed.atom`;
    expect((await subscribe({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': `${subscriber.origin}/cb` })).statusCode).toBe(202);
    expect(await t.websubHub.runOnce()).toMatchObject({ verified: 0, refused: 1 });
    expect(await findHubSubscriber(t.database.db, topic, `${subscriber.origin}/cb`)).toBeUndefined();
  });

  it('retries a failed delivery with a growing backoff until it gets through', async () => {
    const topic = `${publicUrl}/feed.atom`;
    await subscribe({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': `${subscriber.origin}/cb`, 'hub.secret': 'x' });
    await t.websubHub.runOnce();
    deliveryStatus = [500, 503];
    blog.set('/feed/', { headers: rssType, body: rssFeed(blog.origin, [first, second(blog.origin)]) });
    await poll();
    expect(await t.websubHub.runOnce()).toMatchObject({ delivered: 0, failed: 1 });
    const afterFirst = await findHubSubscriber(t.database.db, topic, `${subscriber.origin}/cb`);
    expect(afterFirst).toMatchObject({ deliveryAttempts: 1, lastError: 'the callback answered 500' });
    expect(afterFirst!.deliveryDueAt).toBe(new Date(clock.getTime() + 60_000).toISOString());
    // Not due yet: nothing is sent.
    expect(await t.websubHub.runOnce()).toMatchObject({ delivered: 0, failed: 0 });
    clock = new Date(clock.getTime() + 61_000);
    expect(await t.websubHub.runOnce()).toMatchObject({ failed: 1 });
    expect((await findHubSubscriber(t.database.db, topic, `${subscriber.origin}/cb`))!.deliveryDueAt).toBe(new Date(clock.getTime() + 120_000).toISOString());
    clock = new Date(clock.getTime() + 121_000);
    expect(await t.websubHub.runOnce()).toMatchObject({ delivered: 1 });
    expect(deliveries).toHaveLength(3);
    expect(await findHubSubscriber(t.database.db, topic, `${subscriber.origin}/cb`)).toMatchObject({ deliveryDueAt: null, deliveryAttempts: 0, lastError: null });
  });

  it('gives up on a change after websub.deliveryAttempts failures and delivers the next change afresh', async () => {
    await t.close();
    t = await createTestApp({ publicUrl, websub: { ...defaults.websub, deliveryAttempts: 2 } }, { now: () => clock });
    const topic = `${publicUrl}/feed.atom`;
    await subscribe({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': `${subscriber.origin}/cb` });
    await t.websubHub.runOnce();
    deliveryStatus = [500, 500];
    await t.websubHub.notify({ entryIds: [], conversationIds: [], blogIds: [] });
    expect(await t.websubHub.runOnce()).toMatchObject({ failed: 1 });
    clock = new Date(clock.getTime() + 61_000);
    expect(await t.websubHub.runOnce()).toMatchObject({ failed: 1 });
    const given = await findHubSubscriber(t.database.db, topic, `${subscriber.origin}/cb`);
    expect(given).toMatchObject({ deliveryDueAt: null, deliveryAttempts: 0 });
    expect(given!.lastError).toContain('gave up after 2 attempts');
    clock = new Date(clock.getTime() + 3600_000);
    expect(await t.websubHub.runOnce()).toMatchObject({ delivered: 0, failed: 0 });
    await t.websubHub.notify({ entryIds: [], conversationIds: [], blogIds: [] });
    expect(await t.websubHub.runOnce()).toMatchObject({ delivered: 1 });
  });

  it('drops a subscriber whose callback answers 410 Gone', async () => {
    const topic = `${publicUrl}/feed.atom`;
    await subscribe({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': `${subscriber.origin}/cb` });
    await t.websubHub.runOnce();
    deliveryStatus = [410];
    await t.websubHub.notify({ entryIds: [], conversationIds: [], blogIds: [] });
    await t.websubHub.runOnce();
    expect(await findHubSubscriber(t.database.db, topic, `${subscriber.origin}/cb`)).toBeUndefined();
  });

  it('unsubscribes after verifying intent, and delivers nothing more', async () => {
    const topic = `${publicUrl}/feed.atom`;
    const callback = `${subscriber.origin}/cb`;
    await subscribe({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': callback });
    await t.websubHub.runOnce();
    expect((await subscribe({ 'hub.mode': 'unsubscribe', 'hub.topic': topic, 'hub.callback': callback })).statusCode).toBe(202);
    // Until the unsubscription is verified, the subscription holds.
    expect((await findHubSubscriber(t.database.db, topic, callback))?.pendingMode).toBe('unsubscribe');
    expect(await t.websubHub.runOnce()).toMatchObject({ verified: 1 });
    expect(verifications.at(-1)!.get('hub.mode')).toBe('unsubscribe');
    expect(verifications.at(-1)!.has('hub.lease_seconds')).toBe(false);
    expect(await findHubSubscriber(t.database.db, topic, callback)).toBeUndefined();
    await t.websubHub.notify({ entryIds: [], conversationIds: [], blogIds: [] });
    expect(await t.websubHub.runOnce()).toMatchObject({ delivered: 0 });
    expect(deliveries).toHaveLength(0);
  });

  it('lets a lease run out: an expired subscriber gets nothing and is removed', async () => {
    const topic = `${publicUrl}/feed.atom`;
    await subscribe({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': `${subscriber.origin}/cb`, 'hub.lease_seconds': '1' });
    await t.websubHub.runOnce();
    // Leases are at least a minute.
    expect(verifications[0]!.get('hub.lease_seconds')).toBe('60');
    clock = new Date(clock.getTime() + 61_000);
    await t.websubHub.notify({ entryIds: [], conversationIds: [], blogIds: [] });
    expect(await t.websubHub.runOnce()).toMatchObject({ delivered: 0 });
    expect(await findHubSubscriber(t.database.db, topic, `${subscriber.origin}/cb`)).toBeUndefined();
  });

  it.each([
    [{ 'hub.mode': 'publish', 'hub.url': `${publicUrl}/feed.atom` }, 'publishes only'],
    [{ 'hub.mode': 'subscribe', 'hub.topic': 'http://elsewhere.example/feed.atom', 'hub.callback': 'http://cb.example/' }, 'must be one of Palaver'],
    [{ 'hub.mode': 'subscribe', 'hub.topic': `${publicUrl}/c/999/feed.atom`, 'hub.callback': 'http://cb.example/' }, 'does not exist'],
    [{ 'hub.mode': 'subscribe', 'hub.topic': `${publicUrl}/c/1`, 'hub.callback': 'http://cb.example/' }, 'must be one of Palaver'],
    [{ 'hub.mode': 'subscribe', 'hub.topic': `${publicUrl}/feed.atom`, 'hub.callback': 'ftp://cb.example/' }, 'http or https'],
    [{ 'hub.mode': 'subscribe', 'hub.topic': `${publicUrl}/feed.atom` }, 'absolute URL'],
    [{ 'hub.mode': 'subscribe', 'hub.topic': `${publicUrl}/feed.atom`, 'hub.callback': 'http://cb.example/', 'hub.secret': 'x'.repeat(200) }, 'less than 200 bytes'],
    [{ 'hub.mode': 'subscribe', 'hub.topic': `${publicUrl}/feed.atom`, 'hub.callback': 'http://cb.example/', 'hub.lease_seconds': 'soon' }, 'number of seconds'],
  ])('refuses %j with 400', async (fields, message) => {
    const res = await subscribe(fields);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(message);
  });

  it('accepts a secret of 199 bytes', async () => {
    const res = await subscribe({ 'hub.mode': 'subscribe', 'hub.topic': `${publicUrl}/feed.atom`, 'hub.callback': `${subscriber.origin}/cb`, 'hub.secret': 'x'.repeat(199) });
    expect(res.statusCode).toBe(202);
  });
});

describe('WebSub with an external hub', () => {
  it('advertises it, pings it with hub.mode=publish for each changed topic, and runs no hub of its own', async () => {
    const hub = await startFixtureServer();
    const pings: URLSearchParams[] = [];
    hub.set('/', (_req, res, body) => {
      pings.push(new URLSearchParams(body.toString('utf8')));
      res.writeHead(204);
      res.end();
    });
    const ext = await createTestApp({ publicUrl, websub: { ...defaults.websub, hubUrl: hub.origin } });
    try {
      expect((await ext.app.inject({ method: 'POST', url: '/websub', payload: 'hub.mode=subscribe', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(404);
      const res = await ext.app.inject({ method: 'GET', url: '/feed.atom' });
      expect(res.headers.link).toContain(`<${hub.origin}>; rel="hub"`);
      await ext.websubHub.notify({ entryIds: [], conversationIds: [7], blogIds: [] });
      expect(pings.map((p) => p.get('hub.mode'))).toEqual(Array(6).fill('publish'));
      expect(pings.map((p) => p.get('hub.url'))).toEqual(feedUrlsOf(publicUrl, { conversationIds: [7], blogIds: [] }));
    } finally {
      await ext.close();
      await hub.close();
    }
  });

  it('advertises no hub when WebSub is off', async () => {
    const off = await createTestApp({ publicUrl, websub: { ...defaults.websub, enabled: false } });
    try {
      const res = await off.app.inject({ method: 'GET', url: '/feed.atom' });
      expect(res.headers.link).not.toContain('rel="hub"');
      expect((await off.app.inject({ method: 'GET', url: '/websub/callback/1?hub.mode=subscribe' })).statusCode).toBe(404);
    } finally {
      await off.close();
    }
  });
});

describe('parseFeedUrl and signBody', () => {
  it('reads only Palaver feed URLs under the public URL', () => {
    expect(parseFeedUrl(publicUrl, `${publicUrl}/feed.rss`)).toEqual({ scope: { kind: 'all' }, format: 'rss' });
    expect(parseFeedUrl(publicUrl, `${publicUrl}/c/12/feed.json`)).toEqual({ scope: { kind: 'conversation', id: 12 }, format: 'json' });
    expect(parseFeedUrl(publicUrl, `${publicUrl}/blogs/3/feed.atom`)).toEqual({ scope: { kind: 'blog', id: 3 }, format: 'atom' });
    expect(parseFeedUrl(publicUrl, `${publicUrl}/c/12/feed.atom?x=1`)).toBeNull();
    expect(parseFeedUrl(publicUrl, `${publicUrl}.evil/feed.atom`)).toBeNull();
    expect(parseFeedUrl(publicUrl, `${publicUrl}/blogs.opml`)).toBeNull();
  });

  it('signs with HMAC-SHA256 in hex', () => {
    expect(signBody('key', 'The quick brown fox jumps over the lazy dog')).toBe('sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
  });
});
