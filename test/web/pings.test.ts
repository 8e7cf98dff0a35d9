import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/demo/fixture-server.ts';
import { draftEntry } from '../../src/reader/entry-draft.ts';
import type { FeedItem } from '../../src/reader/types.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { recordEntry } from '../../src/ingest/record-entry.ts';
import { relationsOf } from '../../src/threading/relations.ts';
import { serializeMethodCall } from '../../src/xmlrpc/codec.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { expectCountsMatchRecount } from '../support/db.ts';
import { recordStatements } from '../support/statements.ts';

const html = { 'content-type': 'text/html; charset=utf-8' };
const publicUrl = 'http://palaver.example';
const targetUrl = 'http://planetsab.example/2008/11/social-media-camp-ein-kleiner-exkurs/';

let t: TestApp;
let site: FixtureServer;
let entryId: number;
let conversationId: number;

async function setup(pings: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}) {
  t = await createTestApp({
    publicUrl,
    ...overrides,
    pings: { moderation: 'open', queueCapacity: 100, verifyConcurrency: 2, pingbackDeadlineMs: 3000, perClientPerMinute: 100, perSourceHostPerMinute: 100, maxAttempts: 3, ...pings },
  });
  const at = '2026-03-01T12:00:00.000Z';
  const blog = await insertBlog(t.database.db, { homeUrl: 'http://planetsab.example/', urlKey: 'planetsab.example', title: 'planetsab', description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, at);
  const item: FeedItem = {
    guid: `${targetUrl}`, url: targetUrl, title: 'Social Media Camp – ein kleiner Exkurs', authorName: 'planetsab', authorUrl: null, contentHtml: '<p>Exkurs</p>',
    summaryHtml: null, publishedAt: '2008-11-14T21:30:00.000Z', updatedAt: null, commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [],
    trackbackPingUrl: null, baseUrl: targetUrl, lang: 'de',
  };
  const draft = draftEntry(item, 'post');
  const recorded = await recordEntry(t.database.db, { blogId: blog.id, draft, via: 'feed', relations: relationsOf(draft, { via: 'feed', post: null, inReplyTo: [] }) }, at);
  entryId = recorded.id;
  conversationId = recorded.conversationId;
}

const rpc = (method: string, params: (string | number)[]) =>
  t.app.inject({ method: 'POST', url: '/xmlrpc', headers: { 'content-type': 'text/xml' }, payload: serializeMethodCall(method, params) });

const faultCode = (body: string) => Number(/<name>faultCode<\/name>\s*<value>\s*<(?:int|i4)>(-?\d+)</.exec(body)?.[1]);

async function conversation() {
  return (await t.app.inject(`/api/conversations/${conversationId}`)).json() as { entries: { id: number; kind: string; title: string; via: string[]; inReplyTo: number | null; tombstone: boolean }[] };
}

beforeEach(async () => {
  site = await startFixtureServer();
});

afterEach(async () => {
  await expectCountsMatchRecount(t.database);
  await t.close();
  await site.close();
});

describe('ping discovery', () => {
  it('advertises the endpoints on conversation and entry pages, from PUBLIC_URL', async () => {
    await setup();
    const page = await t.app.inject({ url: `/c/${conversationId}`, headers: { host: 'evil.example' } });
    expect(page.headers['x-pingback']).toBe(`${publicUrl}/xmlrpc`);
    expect(page.headers.link).toBe(`<${publicUrl}/webmention>; rel="webmention"`);
    expect(page.body).toContain(`<link rel="pingback" href="${publicUrl}/xmlrpc" />`);
    expect(page.body).toContain(`<link rel="webmention" href="${publicUrl}/webmention">`);
    expect(page.body).toContain(`trackback:ping="${publicUrl}/trackback/${entryId}"`);
    const entry = await t.app.inject(`/e/${entryId}`);
    expect(entry.statusCode).toBe(200);
    expect(entry.body).toContain(`<link rel="trackback" href="${publicUrl}/trackback/${entryId}">`);
    expect(entry.body).toMatch(/<!--\s*<rdf:RDF[\s\S]*trackback:ping=[\s\S]*<\/rdf:RDF>\s*-->/);
  });
});

describe('POST /trackback/:entryId', () => {
  it('takes an ISO-8859-1 ping, verifies it and lists it as Movable Type does', async () => {
    await setup();
    site.set('/gerede/', { headers: html, body: `<html><head><title>Viel Gerede</title></head><body><p>Siehe <a href="${targetUrl}">planetsab</a>.</p></body></html>` });
    const form = `url=${encodeURIComponent(`${site.origin}/gerede/`)}&title=${escape('Über das „Camp“'.replace(/[„“]/g, '"'))}&blog_name=Freitag&excerpt=${escape('Größer als gedacht')}`;
    const res = await t.app.inject({ method: 'POST', url: `/trackback/${entryId}`, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=ISO-8859-1' }, payload: iconv.encode(form, 'latin1') });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.body).toBe('<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>0</error>\n</response>');
    await t.pingVerifier.runOnce();
    const c = await conversation();
    expect(c.entries.find((e) => e.kind === 'trackback')).toMatchObject({ title: 'Viel Gerede', via: ['trackback'], inReplyTo: entryId });
    const listing = await t.app.inject(`/trackback/${entryId}?__mode=rss`);
    expect(listing.body).toContain(`<link>${site.origin}/gerede/</link>`);
    expect(listing.body).toContain('<title>Über das &quot;Camp&quot;</title>');
    expect(listing.body).toContain('<description>Größer als gedacht</description>');
  });

  it('answers errors in TrackBack XML: no url, unknown entry, and a GET', async () => {
    await setup();
    const noUrl = await t.app.inject({ method: 'POST', url: `/trackback/${entryId}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'title=x' });
    expect(noUrl.body).toMatch(/<error>1<\/error>\n<message>[^<]+<\/message>/);
    const unknown = await t.app.inject({ method: 'POST', url: '/trackback/999999', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'url=http://a.example/' });
    expect(unknown.body).toContain('<error>1</error>');
    // A GET without ?__mode=rss checks the address and reads none of its pings.
    const { result: get, sql: ran } = await recordStatements(() => t.app.inject(`/trackback/${entryId}`));
    expect(get.statusCode).toBe(200);
    expect(get.body).toContain('<error>1</error>');
    expect(ran.filter((q) => /from "pings"/.test(q))).toEqual([]);
    expect((await t.app.inject('/trackback/999999')).statusCode).toBe(404);
  });
});

describe('POST /xmlrpc pingback.ping', () => {
  it('verifies within the deadline and registers the ping; a second time is fault 48', async () => {
    await setup();
    site.set('/gerede/', { headers: html, body: `<p><a href="${targetUrl}">planetsab</a></p>` });
    const ok = await rpc('pingback.ping', [`${site.origin}/gerede/`, targetUrl]);
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('registered');
    expect((await conversation()).entries.find((e) => e.kind === 'pingback')).toMatchObject({ via: ['pingback'], inReplyTo: entryId });
    expect(faultCode((await rpc('pingback.ping', [`${site.origin}/gerede/`, targetUrl])).body)).toBe(0x30);
    const list = await rpc('pingback.extensions.getPingbacks', [targetUrl]);
    expect(list.body).toContain(`${site.origin}/gerede/`);
  });

  it('answers a ping to a Palaver conversation page and threads it under the root', async () => {
    await setup();
    const page = `${publicUrl}/c/${conversationId}`;
    site.set('/antwort/', { headers: html, body: `<p>Die ganze <a href="${page}">Debatte</a>.</p>` });
    expect((await rpc('pingback.ping', [`${site.origin}/antwort/`, page])).body).toContain('registered');
    expect((await conversation()).entries.find((e) => e.kind === 'pingback')?.inReplyTo).toBe(entryId);
  });

  it.each([
    ['a source without the link', 'nolink', () => targetUrl, 0x11],
    ['a target that is not ours', 'ok', () => 'http://elsewhere.example/post/', 0x21],
    ['a Palaver page that does not exist', 'ok', () => `${publicUrl}/c/424242`, 0x20],
    ['a source that is gone', 'gone', () => targetUrl, 0x10],
  ])('faults for %s', async (_name, page, target, code) => {
    await setup();
    site.set('/ok/', { headers: html, body: `<p><a href="${targetUrl}">x</a></p>` });
    site.set('/nolink/', { headers: html, body: '<p>nothing</p>' });
    site.set('/gone/', { status: 410, headers: html, body: 'gone' });
    expect(faultCode((await rpc('pingback.ping', [`${site.origin}/${page}/`, target()])).body)).toBe(code);
  });

  it('answers protocol errors with the XML-RPC fault codes, never masked', async () => {
    await setup();
    expect(faultCode((await rpc('pingback.ping', ['only-one'])).body)).toBe(-32602);
    expect(faultCode((await rpc('system.shutdown', [])).body)).toBe(-32601);
    const garbage = await t.app.inject({ method: 'POST', url: '/xmlrpc', headers: { 'content-type': 'text/xml' }, payload: '<methodCall><methodName>x' });
    expect(faultCode(garbage.body)).toBe(-32700);
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><methodCall><methodName>&lol2;</methodName></methodCall>`;
    const bomb = await t.app.inject({ method: 'POST', url: '/xmlrpc', headers: { 'content-type': 'text/xml' }, payload: laughs });
    expect(bomb.statusCode).toBe(200);
    expect(faultCode(bomb.body)).toBe(-32700);
  });

  it('answers fault 0x11 although the background verifier took the ping first', async () => {
    await setup();
    let asked!: () => void;
    let release!: () => void;
    const sourceAsked = new Promise<void>((resolve) => (asked = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    site.set('/ohne-link/', (_req, res) => {
      asked();
      void released.then(() => {
        res.writeHead(200, html);
        res.end('<p>Hier steht kein Link.</p>');
      });
    });
    // Force the overlap: the endpoint's wake runs a background pass, and the synchronous check
    // starts only once that pass is fetching the source.
    const verifier = t.pingVerifier;
    const verifyNow = verifier.verifyNow.bind(verifier);
    let background: Promise<unknown> = Promise.resolve();
    verifier.wake = () => {
      background = verifier.runOnce();
    };
    verifier.verifyNow = async (id, signal) => {
      await sourceAsked;
      const answer = verifyNow(id, signal);
      release();
      return answer;
    };
    const res = await rpc('pingback.ping', [`${site.origin}/ohne-link/`, targetUrl]);
    expect(faultCode(res.body)).toBe(0x11);
    expect(await background).toMatchObject({ rejected: 1 });
    expect(site.hitCount('/ohne-link/')).toBe(1);
  });

  it('answers "queued" when the source is slower than the deadline, and finishes later', async () => {
    await setup({ pingbackDeadlineMs: 150 });
    site.set('/langsam/', (_req, res) => {
      setTimeout(() => {
        res.writeHead(200, html);
        res.end(`<p><a href="${targetUrl}">x</a></p>`);
      }, 600);
    });
    const res = await rpc('pingback.ping', [`${site.origin}/langsam/`, targetUrl]);
    expect(res.body).toContain('queued');
    // Finished in the background: the page is read in a worker thread, which starts on demand.
    for (let waited = 0; waited < 8000 && !(await conversation()).entries.some((e) => e.kind === 'pingback'); waited += 100) await new Promise((r) => setTimeout(r, 100));
    expect((await conversation()).entries.some((e) => e.kind === 'pingback')).toBe(true);
  });
});

describe('POST /webmention', () => {
  const send = (body: string) => t.app.inject({ method: 'POST', url: '/webmention', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body });

  it.each([
    ['source=not-a-url&target=' + encodeURIComponent(targetUrl), 'invalid-source'],
    ['source=' + encodeURIComponent(targetUrl) + '&target=' + encodeURIComponent(targetUrl), 'source-is-target'],
    ['source=http%3A%2F%2Fa.example%2F&target=http%3A%2F%2Felsewhere.example%2Fx', 'target-not-ours'],
    ['target=' + encodeURIComponent(targetUrl), 'missing-source'],
  ])('refuses %s with 400', async (body, code) => {
    await setup();
    const res = await send(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe(code);
  });

  it('answers 201 with a status URL, verifies, and deletes the mention when the link goes', async () => {
    await setup();
    site.set('/erwaehnt/', { headers: html, body: `<div class="h-entry"><p class="p-name">Erwähnt</p><a href="${targetUrl}">hier</a></div>` });
    const body = `source=${encodeURIComponent(`${site.origin}/erwaehnt/`)}&target=${encodeURIComponent(targetUrl)}`;
    const res = await send(body);
    expect(res.statusCode).toBe(201);
    const location = res.headers.location as string;
    expect(location).toMatch(new RegExp(`^${publicUrl}/webmention/\\d+$`));
    const statusPath = new URL(location).pathname;
    expect((await t.app.inject(statusPath)).json()).toMatchObject({ status: 'queued' });
    await t.pingVerifier.runOnce();
    expect((await t.app.inject(statusPath)).json()).toMatchObject({ status: 'accepted' });
    expect((await conversation()).entries.find((e) => e.kind === 'webmention')).toMatchObject({ via: ['webmention'], tombstone: false });

    site.set('/erwaehnt/', { headers: html, body: '<p>Link entfernt.</p>' });
    expect((await send(body)).statusCode).toBe(201);
    await t.pingVerifier.runOnce();
    expect((await t.app.inject(statusPath)).json()).toMatchObject({ status: 'rejected' });
    expect((await conversation()).entries.find((e) => e.kind === 'webmention')).toMatchObject({ tombstone: true });
  });

  it('limits pings per client and answers 503 when the queue is full', async () => {
    await setup({ perClientPerMinute: 2, queueCapacity: 1 });
    const body = (n: number) => `source=${encodeURIComponent(`${site.origin}/${n}/`)}&target=${encodeURIComponent(targetUrl)}`;
    expect((await send(body(1))).statusCode).toBe(201);
    const full = await send(body(2));
    expect(full.statusCode).toBe(503);
    expect(full.headers['retry-after']).toBe('60');
    expect((await send(body(3))).statusCode).toBe(429);
  });
});

describe('moderation', () => {
  it('holds a first ping from an unknown host until a moderator with the token approves it', async () => {
    await setup({ moderation: 'moderate' }, { adminToken: 'a-long-enough-admin-token' });
    site.set('/neu/', { headers: html, body: `<p><a href="${targetUrl}">x</a></p>` });
    const answer = await rpc('pingback.ping', [`${site.origin}/neu/`, targetUrl]);
    expect(answer.body).toContain('moderator');

    expect((await t.app.inject('/api/pings?status=held')).statusCode).toBe(401);
    const auth = { authorization: 'Bearer a-long-enough-admin-token' };
    const held = (await t.app.inject({ url: '/api/pings?status=held', headers: auth })).json().pings;
    expect(held).toHaveLength(1);
    const approved = await t.app.inject({ method: 'POST', url: `/api/pings/${held[0].id}/approve`, headers: auth });
    expect(approved.statusCode).toBe(200);
    await t.pingVerifier.runOnce();
    expect((await t.app.inject({ url: '/api/pings?status=accepted', headers: auth })).json().pings).toHaveLength(1);
  });

  it('is off without a configured token', async () => {
    await setup();
    expect((await t.app.inject('/api/pings')).statusCode).toBe(404);
  });
});

describe('the moderation page', () => {
  it('opens with the token, lists held pings and approves one with a button', async () => {
    t = await createTestApp({
      publicUrl,
      adminToken: 'a-long-enough-admin-token',
      pings: { moderation: 'moderate', queueCapacity: 100, verifyConcurrency: 2, pingbackDeadlineMs: 3000, perClientPerMinute: 100, perSourceHostPerMinute: 100, maxAttempts: 3 },
    });
    const login = await t.app.inject('/admin');
    expect(login.body).toContain('name="token"');
    const wrong = await t.app.inject({ method: 'POST', url: '/admin/login', payload: { token: 'nope' } });
    expect(wrong.statusCode).toBe(401);
    const right = await t.app.inject({ method: 'POST', url: '/admin/login', payload: { token: 'a-long-enough-admin-token' } });
    expect(right.statusCode).toBe(303);
    const cookie = String(right.headers['set-cookie']).split(';')[0]!;
    expect(String(right.headers['set-cookie'])).toContain('SameSite=Strict');
    const page = (await t.app.inject({ url: '/admin', headers: { cookie } })).body;
    expect(page).toContain('0 pings wait');
    expect((await t.app.inject({ method: 'POST', url: '/admin/hosts/spam.example/block' })).statusCode).toBe(401);
    // The form's CSRF token is the session's: without it the action is refused.
    expect((await t.app.inject({ method: 'POST', url: '/admin/hosts/spam.example/block', headers: { cookie } })).statusCode).toBe(403);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    const blocked = await t.app.inject({ method: 'POST', url: '/admin/hosts/spam.example/block', headers: { cookie }, payload: { csrf: csrf ?? '' } });
    expect(blocked.statusCode).toBe(303);
  });
});

describe('abuse', () => {
  it('refuses a closed-door ping from an unknown host, and accepts one from a registered blog at once', async () => {
    await setup({ moderation: 'closed' });
    site.set('/x/', { headers: html, body: `<p><a href="${targetUrl}">x</a></p>` });
    expect(faultCode((await rpc('pingback.ping', [`${site.origin}/x/`, targetUrl])).body)).toBe(0x31);
    await insertBlog(t.database.db, { homeUrl: `${site.origin}/`, urlKey: new URL(site.origin).host, title: 'Registriert', description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, '2026-03-01T12:00:00.000Z');
    site.set('/y/', { headers: html, body: `<p><a href="${targetUrl}">y</a></p>` });
    expect((await rpc('pingback.ping', [`${site.origin}/y/`, targetUrl])).body).toContain('registered');
  });

  it('does not follow a source that redirects to a private address', async () => {
    // A Palaver that may reach only this fixture site, as on the open internet.
    await setup({ maxAttempts: 1 }, { fetcher: { allowPrivateNetworks: false, allowedOrigins: [site.origin] } });
    site.set('/umweg/', { status: 302, headers: { location: 'http://127.0.0.1:9/admin' }, body: '' });
    const res = await rpc('pingback.ping', [`${site.origin}/umweg/`, targetUrl]);
    expect(faultCode(res.body)).toBe(0x10);
    expect(res.body).toMatch(/private|not allowed|refused|blocked/i);
  });

  it('answers a 1 MB XML-RPC body with an error, not a crash', async () => {
    await setup();
    const big = `<?xml version="1.0"?><methodCall><methodName>pingback.ping</methodName><params><param><value><string>${'a'.repeat(1024 * 1024)}</string></value></param></params></methodCall>`;
    const res = await t.app.inject({ method: 'POST', url: '/xmlrpc', headers: { 'content-type': 'text/xml' }, payload: big });
    expect([200, 413]).toContain(res.statusCode);
    expect((await t.app.inject('/health')).statusCode).toBe(200);
  });

  it('keeps a flood of 1,000 pings from one client within its limit, memory flat', async () => {
    await setup({ perClientPerMinute: 50, perSourceHostPerMinute: 1000, queueCapacity: 10_000 });
    const before = process.memoryUsage().rss;
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/webmention',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `source=${encodeURIComponent(`http://spam${i % 50}.example/p/${i}`)}&target=${encodeURIComponent(targetUrl)}`,
      });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    }
    expect(statuses.get(201)).toBe(50);
    expect(statuses.get(429)).toBe(950);
    const grownMb = (process.memoryUsage().rss - before) / 2 ** 20;
    expect(grownMb).toBeLessThan(64);
  });

  it('limits pings naming one source host, whatever the client', async () => {
    await setup({ perClientPerMinute: 10_000, perSourceHostPerMinute: 20, queueCapacity: 10_000 });
    let accepted = 0;
    for (let i = 0; i < 100; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/webmention',
        remoteAddress: `10.0.${Math.floor(i / 250)}.${i % 250}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `source=${encodeURIComponent(`http://one-host.example/p/${i}`)}&target=${encodeURIComponent(targetUrl)}`,
      });
      if (res.statusCode === 201) accepted += 1;
    }
    expect(accepted).toBe(20);
  });
});

describe('TrackBack conformance', () => {
  it('takes the same ping twice as one, and refuses UTF-7', async () => {
    await setup();
    site.set('/tb/', { headers: html, body: `<p><a href="${targetUrl}">x</a></p>` });
    const send = (payload: string, type = 'application/x-www-form-urlencoded; charset=utf-8') =>
      t.app.inject({ method: 'POST', url: `/trackback/${entryId}`, headers: { 'content-type': type }, payload });
    const form = `url=${encodeURIComponent(`${site.origin}/tb/`)}&title=Eins`;
    expect((await send(form)).body).toContain('<error>0</error>');
    expect((await send(form)).body).toContain('<error>0</error>');
    await t.pingVerifier.runOnce();
    expect((await conversation()).entries.filter((e) => e.kind === 'trackback')).toHaveLength(1);
    const utf7 = await send(`url=${encodeURIComponent(`${site.origin}/tb2/`)}&title=+AGQ-`, 'application/x-www-form-urlencoded; charset=UTF-7');
    expect(utf7.body).toContain('<error>1</error>');
  });

  it('refuses a webmention with both URLs invalid', async () => {
    await setup();
    const res = await t.app.inject({ method: 'POST', url: '/webmention', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'source=nope&target=also-nope' });
    expect(res.statusCode).toBe(400);
  });
});
