import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { startFixtureServer, type FixtureServer } from '../../src/demo/fixture-server.ts';
import { createPingVerifier, type PingVerifier } from '../../src/poller/ping-verifier.ts';
import { draftEntry } from '../../src/reader/entry-draft.ts';
import { createFetcher, type Fetcher } from '../../src/reader/fetcher.ts';
import type { FeedItem } from '../../src/reader/types.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { listConversationEntries, listConversations } from '../../src/store/conversations.ts';
import { findPing, setHostVerdict, upsertPing } from '../../src/store/pings.ts';
import { recordEntry } from '../../src/ingest/record-entry.ts';
import { relationsOf } from '../../src/threading/relations.ts';
import { createTestDatabase, expectCountsMatchRecount } from '../support/db.ts';
import type { PingVerdict } from '../../src/domain/verification.ts';

const html = { 'content-type': 'text/html; charset=utf-8' };
const silent = { info: () => {}, warn: () => {}, error: () => {} };
const at = '2026-03-01T12:00:00.000Z';

let database: OpenedDatabase;
let fetcher: Fetcher;
let site: FixtureServer;
let verifier: PingVerifier;
let targetUrl: string;
let targetId: number;

function post(url: string, body: string): FeedItem {
  return {
    guid: url, url, title: 'Social Media Camp – ein kleiner Exkurs', authorName: 'planetsab', authorUrl: null, contentHtml: body, summaryHtml: null,
    publishedAt: '2008-11-14T21:30:00.000Z', updatedAt: null, commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [],
    trackbackPingUrl: null, baseUrl: url, lang: 'de',
  };
}

async function entries() {
  const [c] = await listConversations(database.db, { limit: 10 });
  return listConversationEntries(database.db, c!.id);
}

beforeEach(async () => {
  database = await createTestDatabase();
  fetcher = createFetcher({ userAgent: 'Palaver-test', allowPrivateNetworks: true, timeoutMs: 3000, connectTimeoutMs: 2000, headersTimeoutMs: 2000, maxBodyBytes: 1 << 20, maxRedirects: 5, perHostConcurrency: 2 });
  site = await startFixtureServer();
  const blog = await insertBlog(database.db, { homeUrl: 'http://planetsab.example/', urlKey: 'planetsab.example', title: 'planetsab', description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, at);
  targetUrl = 'http://planetsab.example/2008/11/exkurs/';
  const draft = draftEntry(post(targetUrl, '<p>Exkurs</p>'), 'post');
  targetId = (await recordEntry(database.db, { blogId: blog.id, draft, via: 'feed', relations: relationsOf(draft, { via: 'feed', post: null, inReplyTo: [] }) }, at)).id;
  verifier = createPingVerifier({ db: database.db, fetch: fetcher.fetch, log: silent, now: () => new Date(at), settings: { concurrency: 2, moderation: 'open' as const, maxAttempts: 3, tickSeconds: 60 } });
});

afterEach(async () => {
  await expectCountsMatchRecount(database);
  await verifier.stop();
  await fetcher.close();
  await site.close();
  await database.close();
});

describe('ping verifier', () => {
  it('accepts a source that links to the target and threads it as a reply', async () => {
    site.set('/gerede/', { headers: html, body: `<html><head><title>Viel Gerede, noch kein Camp</title></head><body><p>Bei <a href="${targetUrl}">planetsab</a> gibt es einen „Exkurs“.</p></body></html>` });
    const { ping } = await upsertPing(database.db, { protocol: 'pingback', receivedVia: 'endpoint', sourceUrl: `${site.origin}/gerede/`, targetUrl, targetEntryId: targetId }, at);
    expect(await verifier.runOnce()).toMatchObject({ accepted: 1 });
    expect(await findPing(database.db, ping.id)).toMatchObject({ status: 'accepted' });
    const list = await entries();
    expect(list).toHaveLength(2);
    expect(list.find((e) => e.id !== targetId)).toMatchObject({ kind: 'pingback', title: 'Viel Gerede, noch kein Camp', via: ['pingback'], inReplyToId: targetId });
  });

  it('merges the ping with the source post when its feed arrives later: one node, both channels', async () => {
    const sourceUrl = `${site.origin}/gerede/`;
    site.set('/gerede/', { headers: html, body: `<p><a href="${targetUrl}">planetsab</a></p>` });
    await upsertPing(database.db, { protocol: 'webmention', receivedVia: 'endpoint', sourceUrl, targetUrl, targetEntryId: targetId }, at);
    await verifier.runOnce();
    const draft = draftEntry({ ...post(sourceUrl, `<p><a href="${targetUrl}">planetsab</a></p>`), title: 'Viel Gerede' }, 'post');
    const source = await recordEntry(database.db, { blogId: null, draft, via: 'feed', relations: relationsOf(draft, { via: 'feed', post: null, inReplyTo: [] }) }, at);
    const list = await entries();
    expect(list).toHaveLength(2);
    expect(list.find((e) => e.id === source.id)).toMatchObject({ kind: 'post', inReplyToId: targetId });
    expect(new Set(list.find((e) => e.id === source.id)!.via)).toEqual(new Set(['feed', 'webmention']));
  });

  it('rejects a source that does not link to the target, and stores nothing', async () => {
    site.set('/spam/', { headers: html, body: '<p>Billige Uhren</p>' });
    const { ping } = await upsertPing(database.db, { protocol: 'trackback', receivedVia: 'endpoint', sourceUrl: `${site.origin}/spam/`, targetUrl, targetEntryId: targetId }, at);
    expect(await verifier.runOnce()).toMatchObject({ rejected: 1 });
    expect(await findPing(database.db, ping.id)).toMatchObject({ status: 'rejected', statusReason: 'the source does not link to the target' });
    expect(await entries()).toHaveLength(1);
  });

  it('turns an accepted mention into a tombstone when the source answers 410', async () => {
    site.set('/weg/', { headers: html, body: `<p><a href="${targetUrl}">x</a></p>` });
    const sourceUrl = `${site.origin}/weg/`;
    await upsertPing(database.db, { protocol: 'webmention', receivedVia: 'endpoint', sourceUrl, targetUrl, targetEntryId: targetId }, at);
    await verifier.runOnce();
    site.set('/weg/', { status: 410, headers: html, body: 'Gone' });
    await upsertPing(database.db, { protocol: 'webmention', receivedVia: 'endpoint', sourceUrl, targetUrl, targetEntryId: targetId }, at);
    expect(await verifier.runOnce()).toMatchObject({ gone: 1 });
    const record = (await entries()).find((e) => e.id !== targetId);
    expect(record?.tombstonedAt).toBe(at);
  });

  it('holds the first ping from an unknown host for a moderator, and refuses blocked hosts', async () => {
    const moderated = createPingVerifier({ db: database.db, fetch: fetcher.fetch, log: silent, now: () => new Date(at), settings: { concurrency: 1, moderation: 'moderate' as const, maxAttempts: 3, tickSeconds: 60 } });
    site.set('/neu/', { headers: html, body: `<p><a href="${targetUrl}">x</a></p>` });
    const { ping } = await upsertPing(database.db, { protocol: 'pingback', receivedVia: 'endpoint', sourceUrl: `${site.origin}/neu/`, targetUrl, targetEntryId: targetId }, at);
    expect(await moderated.runOnce()).toMatchObject({ held: 1 });
    expect(await findPing(database.db, ping.id)).toMatchObject({ status: 'held' });

    await setHostVerdict(database.db, new URL(site.origin).host, 'blocked', 'spam', at);
    const again = await upsertPing(database.db, { protocol: 'pingback', receivedVia: 'endpoint', sourceUrl: `${site.origin}/neu/`, targetUrl, targetEntryId: targetId }, at);
    expect(await moderated.runOnce()).toMatchObject({ rejected: 1 });
    expect(await findPing(database.db, again.ping.id)).toMatchObject({ status: 'rejected', statusReason: 'the source’s host is blocked' });
  });

  it('retries a source that cannot be reached, then gives up with the reason', async () => {
    site.set('/kaputt/', { status: 500, headers: html, body: 'oops' });
    const { ping } = await upsertPing(database.db, { protocol: 'pingback', receivedVia: 'endpoint', sourceUrl: `${site.origin}/kaputt/`, targetUrl, targetEntryId: targetId }, at);
    expect(await verifier.runOnce()).toMatchObject({ retry: 1 });
    expect(await findPing(database.db, ping.id)).toMatchObject({ status: 'queued' });
    let clock = Date.parse(at);
    const later = createPingVerifier({ db: database.db, fetch: fetcher.fetch, log: silent, now: () => new Date((clock += 3600_000)), settings: { concurrency: 1, moderation: 'open' as const, maxAttempts: 3, tickSeconds: 60 } });
    await later.runOnce();
    await later.runOnce();
    expect(await findPing(database.db, ping.id)).toMatchObject({ status: 'rejected' });
  });
});

/** A source page that answers only when released, and says when it was asked. */
function gatedPage(site: FixtureServer, path: string, body: string) {
  let entered!: () => void;
  let release!: () => void;
  const asked = new Promise<void>((resolve) => (entered = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  site.set(path, (_req, res) => {
    entered();
    void released.then(() => {
      res.writeHead(200, html);
      res.end(body);
    });
  });
  return { asked, release };
}

describe('verifyNow overlapping the background pass', () => {
  it('waits for the background verification of the same ping and answers its real outcome', async () => {
    const page = gatedPage(site, '/ohne-link/', '<p>Kein Link hier.</p>');
    const { ping } = await upsertPing(database.db, { protocol: 'pingback', receivedVia: 'endpoint', sourceUrl: `${site.origin}/ohne-link/`, targetUrl, targetEntryId: targetId }, at);
    const background = verifier.runOnce();
    await page.asked;
    let answered: PingVerdict | null = null;
    const now = verifier.verifyNow(ping.id).then((outcome) => (answered = outcome));
    await new Promise((r) => setTimeout(r, 50));
    // Not "queued for verification" while the background check is still fetching the source.
    expect(answered).toBeNull();
    page.release();
    expect(await now).toMatchObject({ outcome: 'rejected', rejection: 'no-link' });
    expect(await background).toMatchObject({ rejected: 1, retry: 0 });
    expect(await findPing(database.db, ping.id)).toMatchObject({ status: 'rejected', statusReason: 'the source does not link to the target' });
    expect(site.hitCount('/ohne-link/')).toBe(1);
  });

  it('keeps the background pass off a ping it is verifying', async () => {
    const page = gatedPage(site, '/gerede/', `<p><a href="${targetUrl}">planetsab</a></p>`);
    const { ping } = await upsertPing(database.db, { protocol: 'pingback', receivedVia: 'endpoint', sourceUrl: `${site.origin}/gerede/`, targetUrl, targetEntryId: targetId }, at);
    const now = verifier.verifyNow(ping.id);
    await page.asked;
    expect(await verifier.runOnce()).toEqual({ accepted: 0, rejected: 0, held: 0, gone: 0, retry: 0 });
    page.release();
    expect((await now).outcome).toBe('accepted');
    expect(site.hitCount('/gerede/')).toBe(1);
  });

  it('waits for a check of another ping of the same source, then checks its own', async () => {
    const other = 'http://planetsab.example/2008/11/nachtrag/';
    const page = gatedPage(site, '/beide/', `<p><a href="${targetUrl}">Exkurs</a>, <a href="${other}">Nachtrag</a></p>`);
    const first = await upsertPing(database.db, { protocol: 'pingback', receivedVia: 'endpoint', sourceUrl: `${site.origin}/beide/`, targetUrl, targetEntryId: targetId }, at);
    const background = verifier.runOnce();
    await page.asked;
    // The same page pings a second post while the first ping is being checked.
    const second = await upsertPing(database.db, { protocol: 'pingback', receivedVia: 'endpoint', sourceUrl: `${site.origin}/beide/`, targetUrl: other, targetEntryId: targetId }, at);
    const now = verifier.verifyNow(second.ping.id);
    await new Promise((r) => setTimeout(r, 50));
    expect(site.hitCount('/beide/')).toBe(1);
    page.release();
    expect((await now).outcome).toBe('accepted');
    await background;
    expect(await findPing(database.db, first.ping.id)).toMatchObject({ status: 'accepted' });
    expect(await findPing(database.db, second.ping.id)).toMatchObject({ status: 'accepted' });
    expect(site.hitCount('/beide/')).toBe(2);
  });

  it('answers "held" for a ping a moderator has to approve, not "rejected"', async () => {
    const moderated = createPingVerifier({ db: database.db, fetch: fetcher.fetch, log: silent, now: () => new Date(at), settings: { concurrency: 1, moderation: 'moderate' as const, maxAttempts: 3, tickSeconds: 60 } });
    site.set('/neu/', { headers: html, body: `<p><a href="${targetUrl}">x</a></p>` });
    const { ping } = await upsertPing(database.db, { protocol: 'pingback', receivedVia: 'endpoint', sourceUrl: `${site.origin}/neu/`, targetUrl, targetEntryId: targetId }, at);
    expect((await moderated.verifyNow(ping.id)).outcome).toBe('held');
    expect((await moderated.verifyNow(ping.id)).outcome).toBe('held');
  });

  it('stops waiting when its signal aborts, and the background outcome is still stored', async () => {
    const page = gatedPage(site, '/langsam/', '<p>Kein Link.</p>');
    const { ping } = await upsertPing(database.db, { protocol: 'pingback', receivedVia: 'endpoint', sourceUrl: `${site.origin}/langsam/`, targetUrl, targetEntryId: targetId }, at);
    const background = verifier.runOnce();
    await page.asked;
    const late = new AbortController();
    const now = verifier.verifyNow(ping.id, late.signal);
    late.abort();
    expect((await now).outcome).toBe('retry');
    page.release();
    await background;
    expect(await findPing(database.db, ping.id)).toMatchObject({ status: 'rejected' });
  });
});
