import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import {
  countQueuedPings,
  findHostVerdict,
  findPingBySourceTarget,
  finishPing,
  hasAcceptedPingFromHost,
  listAcceptedPings,
  listPingsByStatus,
  setHostVerdict,
  upsertPing,
} from '../../src/store/pings.ts';
import { createTestDatabase } from '../support/db.ts';

let database: OpenedDatabase;
const t0 = '2026-03-01T12:00:00.000Z';
const target = 'http://planetsab.example/2008/11/exkurs/';

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

describe('upsertPing', () => {
  it('stores the same source and target once, whatever the spelling of their URLs, and queues it again', async () => {
    const first = await upsertPing(database.db, { protocol: 'pingback', receivedVia: 'listing', sourceUrl: 'http://Freitag.example/gerede/', targetUrl: target, targetEntryId: null }, t0);
    await finishPing(database.db, first.ping.id, { status: 'rejected', reason: 'the source does not link to the target' }, t0);
    const again = await upsertPing(database.db, { protocol: 'webmention', receivedVia: 'endpoint', sourceUrl: 'https://www.freitag.example/gerede', targetUrl: `${target}?utm_source=x`, targetEntryId: null }, '2026-03-02T12:00:00.000Z');
    expect(first.isNew).toBe(true);
    expect(again.isNew).toBe(false);
    expect(again.ping).toMatchObject({ id: first.ping.id, protocol: 'webmention', receivedVia: 'endpoint', status: 'queued', statusReason: null, targetUrl: `${target}?utm_source=x`, sourceHost: 'www.freitag.example' });
  });

  it('keeps "endpoint" once a ping came there, when a listing names it again', async () => {
    await upsertPing(database.db, { protocol: 'pingback', receivedVia: 'endpoint', sourceUrl: 'http://freitag.example/gerede/', targetUrl: target, targetEntryId: null }, t0);
    const listed = await upsertPing(database.db, { protocol: 'pingback', receivedVia: 'listing', sourceUrl: 'http://freitag.example/gerede/', targetUrl: target, targetEntryId: null }, t0);
    expect(listed.ping.receivedVia).toBe('endpoint');
  });

  it('refuses URLs that are not http(s)', async () => {
    await expect(upsertPing(database.db, { protocol: 'pingback', receivedVia: 'endpoint', sourceUrl: 'ftp://x.example/', targetUrl: target, targetEntryId: null }, t0)).rejects.toThrow(/http\(s\)/);
  });
});

describe('the queue and the verdicts', () => {
  it('counts queued pings, lists accepted ones by target and protocol, and the moderation queue newest first', async () => {
    const a = (await upsertPing(database.db, { protocol: 'pingback', receivedVia: 'endpoint', sourceUrl: 'http://a.example/1', targetUrl: target, targetEntryId: null }, t0)).ping;
    const b = (await upsertPing(database.db, { protocol: 'trackback', receivedVia: 'endpoint', sourceUrl: 'http://b.example/2', targetUrl: target, targetEntryId: null }, t0)).ping;
    const c = (await upsertPing(database.db, { protocol: 'webmention', receivedVia: 'endpoint', sourceUrl: 'http://c.example/3', targetUrl: target, targetEntryId: null }, t0)).ping;
    expect(await countQueuedPings(database.db)).toBe(3);
    await finishPing(database.db, a.id, { status: 'accepted', reason: null, entryId: null }, '2026-03-01T12:01:00.000Z');
    await finishPing(database.db, b.id, { status: 'accepted', reason: null, entryId: null }, '2026-03-01T12:02:00.000Z');
    await finishPing(database.db, c.id, { status: 'held', reason: 'first ping from this host: waiting for a moderator' }, '2026-03-01T12:03:00.000Z');
    expect(await countQueuedPings(database.db)).toBe(0);
    expect((await listAcceptedPings(database.db, target)).map((p) => p.id)).toEqual([a.id, b.id]);
    expect((await listAcceptedPings(database.db, target, 'trackback')).map((p) => p.id)).toEqual([b.id]);
    expect((await listPingsByStatus(database.db, 'held', 10)).map((p) => p.id)).toEqual([c.id]);
    expect((await findPingBySourceTarget(database.db, 'http://a.example/1', target))?.verifiedAt).toBe('2026-03-01T12:01:00.000Z');
    expect(await hasAcceptedPingFromHost(database.db, 'A.example')).toBe(true);
    expect(await hasAcceptedPingFromHost(database.db, 'c.example')).toBe(false);
  });

  it('records one verdict per host, case folded, the last one winning', async () => {
    expect(await findHostVerdict(database.db, 'spam.example')).toBeNull();
    await setHostVerdict(database.db, 'Spam.example', 'blocked', 'spam', t0);
    expect(await findHostVerdict(database.db, 'spam.EXAMPLE')).toBe('blocked');
    await setHostVerdict(database.db, 'spam.example', 'trusted', null, t0);
    expect(await findHostVerdict(database.db, 'spam.example')).toBe('trusted');
  });
});
