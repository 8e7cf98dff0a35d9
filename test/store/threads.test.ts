import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import type { EntryDraft } from '../../src/domain/models.ts';
import { RoundupState } from '../../src/domain/vocabulary.ts';
import { findConversation } from '../../src/store/conversations.ts';
import { findSurvivingConversationId, joinConversations, mergeConversation } from '../../src/store/conversation-union.ts';
import { upsertEntry } from '../../src/store/entries.ts';
import {
  addEntryChannel,
  findRoundupState,
  insertEdges,
  listOutgoingEdges,
  listSameAsCandidates,
  resolveIncomingEdges,
  resolveOutgoingEdges,
  updateEntryThreading,
} from '../../src/store/threads.ts';
import { createTestDatabase } from '../support/db.ts';

let database: OpenedDatabase;
const t0 = '2026-01-01T00:00:00.000Z';

async function entry(n: number, patch: Partial<EntryDraft> = {}, threaded = true): Promise<number> {
  const url = `http://blog.example/${n}/`;
  const draft: EntryDraft = {
    kind: 'post', identity: `url:${n}`, guid: `guid-${n}`, url, urlKey: `blog.example/${n}`, title: `Post ${n}`, authorName: null, authorUrl: null, contentHtml: null, excerpt: null,
    lang: null, publishedAt: `2008-11-1${n % 10}T00:00:00.000Z`, updatedAt: null, commentCount: null, commentFeedUrl: null, commentsPageUrl: null, trackbackPingUrl: null, contentHash: `h${n}`, ...patch,
  };
  const { id } = await upsertEntry(database.db, null, draft, t0, { contentText: null });
  // Only threaded entries are targets (an entry without a conversation is held for a moderator).
  if (threaded) await joinConversations(database.db, id, [], t0, true);
  return id;
}

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

describe('edges', () => {
  it('stores targets in their tagged form and resolves them in either order', async () => {
    const a = await entry(1);
    await insertEdges(database.db, a, [{ type: 'links-to', target: { kind: 'url', key: 'blog.example/2' }, toUrl: 'http://blog.example/2/' }, { type: 'reply-to', target: { kind: 'ref', guid: 'guid-3' }, toUrl: null }], t0);
    expect((await listOutgoingEdges(database.db, a)).map((e) => e.target)).toEqual(['url:blog.example/2', 'ref:guid-3']);
    // Nothing to resolve yet; the second entry arrives and takes the edge waiting for it.
    expect(await resolveOutgoingEdges(database.db, a, null)).toEqual([]);
    const b = await entry(2);
    expect(await resolveIncomingEdges(database.db, b, { urlKey: 'blog.example/2', guid: 'guid-2' })).toEqual([{ fromEntryId: a, toEntryId: b, type: 'links-to', fromRoundup: RoundupState.None }]);
    const c = await entry(3);
    expect(await resolveOutgoingEdges(database.db, a, null)).toEqual([{ fromEntryId: a, toEntryId: c, type: 'reply-to' }]);
  });

  it('resolves the waiting edges of an entry together (a query per kind of target), each to its best candidate', async () => {
    // A link to a page that is both a post and the record of a ping from it: the post is the target.
    const record = await entry(2, { identity: 'ping:2', guid: null, contentHash: 'r2' });
    await updateEntryThreading(database.db, record, { kind: 'pingback', sourceKey: 'blog.example/2', roundup: RoundupState.None });
    const post = await entry(2, { identity: 'url:2b', guid: null, contentHash: 'p2' });
    const guided = await entry(3);
    const a = await entry(1);
    const links = Array.from({ length: 1200 }, (_, i) => ({ type: 'links-to' as const, target: { kind: 'url' as const, key: `elsewhere.example/${i}` }, toUrl: null }));
    await insertEdges(
      database.db,
      a,
      [
        ...links,
        { type: 'links-to', target: { kind: 'url', key: 'blog.example/2' }, toUrl: null },
        { type: 'reply-to', target: { kind: 'ref', guid: 'guid-3' }, toUrl: null },
        { type: 'links-to', target: { kind: 'entry', id: guided }, toUrl: null },
        { type: 'links-to', target: { kind: 'url', key: 'blog.example/1' }, toUrl: null },
      ],
      t0,
    );
    const resolved = await resolveOutgoingEdges(database.db, a, null);
    expect(resolved.map((e) => `${e.type} ${e.toEntryId}`).sort()).toEqual([`links-to ${guided}`, `links-to ${post}`, `reply-to ${guided}`].sort());
    expect(resolved.every((e) => e.fromEntryId === a)).toBe(true);
    // The edges store what they found; the 1,200 others and the link to itself still wait.
    const stored = await database.db.selectFrom('edges').select(['target', 'to_entry_id']).where('from_entry_id', '=', a).where('to_entry_id', 'is not', null).orderBy('id').execute();
    expect(stored).toEqual([
      { target: 'url:blog.example/2', to_entry_id: post },
      { target: 'ref:guid-3', to_entry_id: guided },
      { target: `entry:${guided}`, to_entry_id: guided },
    ]);
  });

  it('inserts an edge it already has once', async () => {
    const a = await entry(1);
    const edge = { type: 'links-to' as const, target: { kind: 'url' as const, key: 'blog.example/2' }, toUrl: null };
    await insertEdges(database.db, a, [edge], t0);
    await insertEdges(database.db, a, [edge], t0);
    expect(await listOutgoingEdges(database.db, a)).toHaveLength(1);
  });
});

describe('channels, roundups and same-as candidates', () => {
  it('tells whether a channel is new, and drops the one it replaces', async () => {
    const a = await entry(1);
    expect(await addEntryChannel(database.db, a, 'comment-feed', null, t0)).toBe(true);
    expect(await addEntryChannel(database.db, a, 'comment-feed', null, t0)).toBe(false);
    expect(await addEntryChannel(database.db, a, 'pingback', 'comment-feed', t0)).toBe(true);
    const channels = await database.db.selectFrom('entry_channels').select('via').where('entry_id', '=', a).execute();
    expect(channels.map((c) => c.via)).toEqual(['pingback']);
  });

  it('stores the roundup state as threading decided it', async () => {
    const a = await entry(1, {}, false);
    await updateEntryThreading(database.db, a, { kind: 'post', sourceKey: null, roundup: RoundupState.Waiting });
    expect(await findRoundupState(database.db, a)).toEqual({ roundup: RoundupState.Waiting, conversationId: null });
  });

  it('lists the pinging page and the records of its ping as candidates, oldest first', async () => {
    const record = await entry(5, { kind: 'pingback', identity: 'linkback:freitag.example/gerede', urlKey: 'freitag.example/gerede' });
    await updateEntryThreading(database.db, record, { kind: 'pingback', sourceKey: 'freitag.example/gerede', roundup: RoundupState.None });
    const post = await entry(6, { urlKey: 'freitag.example/gerede' });
    const me = await entry(7);
    expect(await listSameAsCandidates(database.db, me, 'freitag.example/gerede')).toEqual([
      { id: record, sourceKey: 'freitag.example/gerede' },
      { id: post, sourceKey: null },
    ]);
  });
});

describe('the union of conversations', () => {
  it('keeps the larger conversation and its id, and the smaller one redirects there for good', async () => {
    const [a, b, c] = [await entry(1, {}, false), await entry(2, {}, false), await entry(3, {}, false)];
    const big = await joinConversations(database.db, a, [], t0, true);
    expect(await joinConversations(database.db, b, [a], t0, true)).toBe(big);
    const small = await joinConversations(database.db, c, [], t0, true);
    expect(small).not.toBe(big);
    const d = await entry(4, {}, false);
    expect(await joinConversations(database.db, d, [c, a], t0, true)).toBe(big);
    expect(await findSurvivingConversationId(database.db, small)).toBe(big);
    expect(await findConversation(database.db, small)).toEqual({ mergedInto: big });
    expect((await findConversation(database.db, big)) as { conversation: { entryCount: number } }).toMatchObject({ conversation: { entryCount: 4 } });
  });

  it('redirects what was merged into a conversation that merges on', async () => {
    const [a, b, c] = [await entry(1, {}, false), await entry(2, {}, false), await entry(3, {}, false)];
    const [x, y, z] = [await joinConversations(database.db, a, [], t0, true), await joinConversations(database.db, b, [], t0, true), await joinConversations(database.db, c, [], t0, true)];
    await mergeConversation(database.db, x, y, t0);
    await mergeConversation(database.db, y, z, t0);
    expect(await findSurvivingConversationId(database.db, x)).toBe(z);
  });
});
