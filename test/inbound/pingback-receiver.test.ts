import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import type { PingVerdict } from '../../src/domain/verification.ts';
import { recordEntry } from '../../src/ingest/record-entry.ts';
import { answerPingbackCall, pingbackFaults, type PingbackDeps } from '../../src/inbound/pingback-receiver.ts';
import { draftEntry } from '../../src/reader/entry-draft.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { findPing } from '../../src/store/pings.ts';
import { relationsOf } from '../../src/threading/relations.ts';
import { createTestDatabase } from '../support/db.ts';

const publicUrl = 'http://palaver.example';
const target = 'http://planetsab.example/2008/11/exkurs/';
const source = 'http://freitag.example/gerede/';
let database: OpenedDatabase;

const unlimited = { take: () => true };
function deps(verdict: PingVerdict | 'never', overrides: Partial<PingbackDeps> = {}): PingbackDeps {
  return {
    db: database.db,
    publicUrl,
    now: () => new Date('2026-03-01T12:00:00.000Z'),
    perClient: unlimited,
    perSourceHost: unlimited,
    queueCapacity: 10,
    deadlineMs: 50,
    verifier: { wake: () => {}, verifyNow: () => (verdict === 'never' ? new Promise<PingVerdict>(() => {}) : Promise.resolve(verdict)) },
    ...overrides,
  };
}
const ping = (d: PingbackDeps, params: unknown[] = [source, target]) =>
  answerPingbackCall(d, { methodName: 'pingback.ping', params: params as string[], clientAddress: '203.0.113.9' });

beforeEach(async () => {
  database = await createTestDatabase();
  const at = '2026-03-01T12:00:00.000Z';
  const blog = await insertBlog(database.db, { homeUrl: 'http://planetsab.example/', urlKey: 'planetsab.example', title: 'planetsab', description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, at);
  const draft = draftEntry({ guid: target, url: target, title: 'Exkurs', authorName: null, authorUrl: null, contentHtml: '<p>x</p>', summaryHtml: null, publishedAt: '2008-11-14T21:30:00.000Z', updatedAt: null, commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: target, lang: 'de' }, 'post');
  await recordEntry(database.db, { blogId: blog.id, draft, via: 'feed', relations: relationsOf(draft, { via: 'feed', post: null, inReplyTo: [] }) }, at);
});
afterEach(async () => {
  await database.close();
});

describe('answerPingbackCall', () => {
  // The fault follows the verifier's code, whatever words the stored reason has.
  it.each<[PingVerdict, { ok: boolean; faultCode?: number }]>([
    [{ outcome: 'accepted' }, { ok: true }],
    [{ outcome: 'held' }, { ok: true }],
    [{ outcome: 'retry' }, { ok: true }],
    [{ outcome: 'gone' }, { ok: false, faultCode: pingbackFaults.sourceMissing }],
    [{ outcome: 'rejected', rejection: 'no-link', reason: 'a reason that mentions a blocked host and accepted only' }, { ok: false, faultCode: pingbackFaults.noLink }],
    [{ outcome: 'rejected', rejection: 'blocked-host', reason: 'the words do not matter' }, { ok: false, faultCode: pingbackFaults.accessDenied }],
    [{ outcome: 'rejected', rejection: 'strangers-refused', reason: 'the source does not link to the target' }, { ok: false, faultCode: pingbackFaults.accessDenied }],
    [{ outcome: 'rejected', rejection: 'source-unreadable', reason: 'the source could not be checked: the source answered HTTP 500' }, { ok: false, faultCode: pingbackFaults.sourceMissing }],
  ])('answers the verdict %j with %j', async (verdict, expected) => {
    expect(await ping(deps(verdict))).toMatchObject(expected);
  });

  it('names the stored reason when the source could not be read', async () => {
    const answer = await ping(deps({ outcome: 'rejected', rejection: 'source-unreadable', reason: 'the source could not be checked: the source answered HTTP 500' }));
    expect(answer).toEqual({ ok: false, faultCode: 0x10, faultString: 'The source URI could not be read: the source could not be checked: the source answered HTTP 500.' });
  });

  it('answers "queued" when the verification outlasts the deadline, and keeps the ping queued', async () => {
    const answer = await ping(deps('never'));
    expect(answer).toEqual({ ok: true, value: `Pingback from ${source} to ${target} queued for verification.` });
    expect((await findPing(database.db, 1))?.status).toBe('queued');
  });

  it('refuses bad parameters, unknown methods and targets that are not ours before queueing anything', async () => {
    expect(await ping(deps({ outcome: 'accepted' }), [source])).toMatchObject({ ok: false, faultCode: -32602 });
    expect(await answerPingbackCall(deps({ outcome: 'accepted' }), { methodName: 'system.listMethods', params: [], clientAddress: 'x' })).toMatchObject({ ok: false, faultCode: -32601 });
    expect(await ping(deps({ outcome: 'accepted' }), [source, 'http://elsewhere.example/post/'])).toMatchObject({ ok: false, faultCode: 0x21 });
    expect(await ping(deps({ outcome: 'accepted' }), [source, `${publicUrl}/e/999`])).toMatchObject({ ok: false, faultCode: 0x20 });
    expect(await findPing(database.db, 1)).toBeUndefined();
  });

  it('asks a sender over its limit to come back later with fault 0x32', async () => {
    expect(await ping(deps({ outcome: 'accepted' }, { perSourceHost: { take: () => false } }))).toMatchObject({ ok: false, faultCode: 0x32 });
  });

  it('lists the sources of accepted pingbacks of a target', async () => {
    expect(await answerPingbackCall(deps({ outcome: 'accepted' }), { methodName: 'pingback.extensions.getPingbacks', params: [target], clientAddress: 'x' })).toEqual({ ok: true, value: [] });
  });
});
