import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import type { Fetch, FetchRequest, FetchResponse } from '../../src/reader/types.ts';
import { eventOf } from '../../src/domain/groups.ts';
import { insertGroup, insertGroupMembers } from '../../src/store/groups.ts';
import { findHubSubscriber, markDeliveriesDue } from '../../src/store/websub-hub.ts';
import { createHub, signBody, type Hub, type HubSettings } from '../../src/websub/hub.ts';
import { createTestDatabase } from '../support/db.ts';

const publicUrl = 'http://palaver.example';
const topic = `${publicUrl}/feed.atom`;
const callback = 'http://reader.example/cb';
const silent = { info: () => {}, warn: () => {}, error: () => {} };

let database: OpenedDatabase;
let sent: FetchRequest[];
let answer: (request: FetchRequest) => { status: number; body?: string };
let clock: Date;

const fetch: Fetch = async (request) => {
  sent.push(request);
  const a = answer(request);
  const response: FetchResponse = { requestedUrl: request.url, url: request.url, status: a.status, headers: {}, body: Buffer.from(a.body ?? ''), redirects: [], notModified: false };
  return response;
};

function hub(settings: Partial<HubSettings> = {}): Hub {
  return createHub({
    db: database.db,
    fetch,
    log: silent,
    now: () => clock,
    settings: { publicUrl, externalHubUrl: null, leaseSeconds: 3600, maxLeaseSeconds: 86400, deliveryAttempts: 3, tickSeconds: 60, maxItems: 50, ...settings },
  });
}
const request = (fields: Record<string, string | undefined>) =>
  ({ mode: 'subscribe', topic, callback, leaseSeconds: undefined, secret: undefined, ...fields }) as Parameters<Hub['request']>[0];

beforeEach(async () => {
  database = await createTestDatabase();
  sent = [];
  clock = new Date('2026-03-01T12:00:00.000Z');
  // A callback that echoes the challenge, as a subscriber that wants the subscription does.
  answer = (r) => ({ status: 200, body: new URL(r.url).searchParams.get('hub.challenge') ?? '' });
});
afterEach(async () => {
  await database.close();
});

describe('request', () => {
  it.each<[Record<string, string>, string]>([
    [{ mode: 'publish' }, 'This hub publishes only Palaver’s own feeds.'],
    [{ mode: 'list' }, 'hub.mode must be subscribe or unsubscribe.'],
    [{ callback: 'not a url' }, 'hub.callback must be an absolute URL.'],
    [{ callback: 'ftp://reader.example/' }, 'hub.callback must be an http or https URL.'],
    [{ callback: 'http://u:p@reader.example/' }, 'hub.callback must not carry credentials.'],
    [{ topic: 'http://elsewhere.example/feed.atom' }, `hub.topic must be one of Palaver's feeds under ${publicUrl}.`],
    [{ topic: `${publicUrl}/c/99/feed.atom` }, 'hub.topic names a feed that does not exist.'],
    [{ topic: `${publicUrl}/g/no-such-group/feed.atom` }, 'hub.topic names a feed that does not exist.'],
    [{ secret: 'x'.repeat(200) }, 'hub.secret must be less than 200 bytes.'],
    [{ leaseSeconds: 'soon' }, 'hub.lease_seconds must be a number of seconds.'],
  ])('refuses %j: %s', async (fields, message) => {
    expect(await hub().request(request(fields))).toEqual({ ok: false, message });
    expect(await findHubSubscriber(database.db, fields.topic ?? topic, fields.callback ?? callback)).toBeUndefined();
  });

  it('refuses every request when an external hub publishes the feeds', async () => {
    expect(await hub({ externalHubUrl: 'https://hub.example/' }).request(request({}))).toEqual({ ok: false, message: "Palaver's feeds are published through https://hub.example/." });
  });

  it('verifies intent with the lease it decided (clamped to the maximum), and stores the subscriber', async () => {
    const h = hub();
    expect(await h.request(request({ leaseSeconds: '999999999', secret: 'geheim' }))).toEqual({ ok: true });
    expect(await h.runOnce()).toMatchObject({ verified: 1, refused: 0 });
    const check = new URL(sent[0]!.url);
    expect(Object.fromEntries(check.searchParams)).toMatchObject({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.lease_seconds': '86400' });
    expect(await findHubSubscriber(database.db, topic, callback)).toMatchObject({ secret: 'geheim', leaseSeconds: 86400 });
  });

  it('stores nothing when the callback does not echo the challenge', async () => {
    answer = () => ({ status: 200, body: 'yes' });
    const h = hub();
    await h.request(request({}));
    expect(await h.runOnce()).toMatchObject({ verified: 0, refused: 1 });
    expect(await findHubSubscriber(database.db, topic, callback)).toBeUndefined();
  });
});

describe('deliveries', () => {
  async function subscribe(h: Hub, secret?: string) {
    await h.request(request(secret ? { secret } : {}));
    await h.runOnce();
    sent = [];
  }

  it('posts the whole feed, signed with the subscriber’s secret, with the hub and topic as links', async () => {
    const h = hub();
    await subscribe(h, 'geheim');
    await markDeliveriesDue(database.db, [topic], clock.toISOString());
    expect(await h.runOnce()).toMatchObject({ delivered: 1 });
    const post = sent[0]!;
    expect(post).toMatchObject({ url: callback, method: 'POST', contentType: 'application/atom+xml; charset=utf-8' });
    expect(post.headers).toMatchObject({ link: `<${publicUrl}/websub>; rel="hub", <${topic}>; rel="self"`, 'x-hub-signature': signBody('geheim', post.body!) });
    expect(String(post.body)).toContain('<title type="text">Palaver: all conversations</title>');
  });

  it('retries a failed delivery later, and ends the subscription on 410', async () => {
    const h = hub();
    await subscribe(h);
    answer = () => ({ status: 500 });
    await markDeliveriesDue(database.db, [topic], clock.toISOString());
    expect(await h.runOnce()).toMatchObject({ delivered: 0, failed: 1 });
    expect(await findHubSubscriber(database.db, topic, callback)).toMatchObject({ deliveryAttempts: 1, deliveryDueAt: '2026-03-01T12:01:00.000Z' });
    answer = () => ({ status: 410 });
    clock = new Date('2026-03-01T12:01:00.000Z');
    await h.runOnce();
    expect(await findHubSubscriber(database.db, topic, callback)).toBeUndefined();
  });

  it('pings the external hub for each changed feed instead of delivering', async () => {
    answer = () => ({ status: 204 });
    await hub({ externalHubUrl: 'https://hub.example/' }).notify({ entryIds: [], conversationIds: [], blogIds: [3] });
    expect(sent.map((r) => new URLSearchParams(String(r.body)).get('hub.url'))).toEqual([
      `${publicUrl}/feed.atom`, `${publicUrl}/feed.rss`, `${publicUrl}/feed.json`,
      `${publicUrl}/blogs/3/feed.atom`, `${publicUrl}/blogs/3/feed.rss`, `${publicUrl}/blogs/3/feed.json`,
    ]);
    expect(sent.every((r) => r.url === 'https://hub.example/' && r.method === 'POST')).toBe(true);
  });
});

describe('notify for groups', () => {
  it('pings the feeds of the groups whose blogs took part in a changed conversation within their dates, and of a group whose members changed', async () => {
    const db = database.db;
    const at = '2008-11-12T08:47:00.000Z';
    const blog = await db.insertInto('blogs').values({ home_url: 'http://sachar.example/', url_key: 'sachar.example', title: 'Sachar', created_at: at, updated_at: at }).returning('id').executeTakeFirstOrThrow();
    const conversation = await db.insertInto('conversations').values({ title: 'Idee', created_at: at, updated_at: at }).returning('id').executeTakeFirstOrThrow();
    const entry = { blog_id: blog.id, kind: 'post' as const, identity: 'p41', content_hash: 'h', first_seen_at: at, changed_at: at, sort_at: at, conversation_id: conversation.id };
    await db.insertInto('entries').values(entry).execute();
    const during = await insertGroup(db, { slug: 'week', title: 'Week', description: null, lang: null, event: eventOf('2008-11-12', '2008-11-17', 'Europe/Berlin') }, at);
    const before = await insertGroup(db, { slug: 'october', title: 'October', description: null, lang: null, event: eventOf('2008-10-01', '2008-10-31', 'Europe/Berlin') }, at);
    const always = await insertGroup(db, { slug: 'all-of-it', title: 'All', description: null, lang: null, event: null }, at);
    await insertGroup(db, { slug: 'empty', title: 'Empty', description: null, lang: null, event: null }, at);
    for (const g of [during, before, always]) await insertGroupMembers(db, g.id, [blog.id], at);
    answer = () => ({ status: 204 });
    await hub({ externalHubUrl: 'https://hub.example/' }).notify({ entryIds: [], conversationIds: [conversation.id], blogIds: [], groupSlugs: ['empty'] });
    const pinged = sent.map((r) => new URLSearchParams(String(r.body)).get('hub.url')!).filter((u) => u.includes('/g/'));
    expect(pinged.sort()).toEqual(['all-of-it', 'empty', 'week'].flatMap((slug) => ['atom', 'json', 'rss'].map((f) => `${publicUrl}/g/${slug}/feed.${f}`)).sort());
  });
});

describe('signBody', () => {
  it('writes sha256=<hex HMAC of the body>', () => {
    expect(signBody('k', 'body')).toBe(`sha256=${createHmac('sha256', 'k').update('body').digest('hex')}`);
  });
});
