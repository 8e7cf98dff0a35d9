// A group's version (the key its pages and feeds are cached under) and the conversation ids kept
// between requests: the version changes with every change a group page or feed shows, through the
// store's own writes (an answer from a blog outside the group, an edit, a tombstone, a merge, a
// member joining or leaving), and stays while nothing changed; the ids kept follow the member
// entries that decide which conversations the group has; on SQLite's reading connection a version
// is read again only after a commit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openDatabase } from '../../src/db/open.ts';
import { ingestFeedItems } from '../../src/ingest/feed-items.ts';
import type { EntryDraft } from '../../src/domain/models.ts';
import { joinConversations, mergeConversation, refreshConversation, tombstoneLinkback } from '../../src/store/conversation-union.ts';
import { findConversationIdOfEntry } from '../../src/store/conversations.ts';
import { upsertEntry } from '../../src/store/entries.ts';
import { findGroupVersion, listGroupConversationIds } from '../../src/store/group-conversation-ids.ts';
import { readGroupConversations } from '../../src/store/group-conversations.ts';
import { deleteGroupMember, insertGroup, insertGroupMembers, touchGroup } from '../../src/store/groups.ts';
import { commitWaitingWrites } from '../../src/store/dialect.ts';
import { insertSource } from '../../src/store/sources.ts';
import { updateSameAs } from '../../src/store/threads.ts';
import { insertHomeOnlyBlog } from '../support/db.ts';
import { sacharPost } from '../support/posts.ts';
import { recordStatements } from '../support/statements.ts';
import { day, storeDebate, useStoreGraph } from '../support/store-graph.ts';

const store = useStoreGraph();
const conversationOf = async (entryId: number) => (await findConversationIdOfEntry(store.db, entryId))!;

/** A group of the debate's home blog (the answering blog stays outside), an event of days 10–19 when `event`. */
async function groupOfHome(options: { event?: boolean } = {}) {
  const debate = await storeDebate(store.graph);
  const event = options.event ? { startsOn: '2008-11-10', endsOn: '2008-11-19', timeZone: 'UTC', startsAt: day(10), endsAt: day(20) } : null;
  const group = await insertGroup(store.db, { slug: options.event ? 'week' : 'sachar', title: 'Sachar', description: null, lang: null, event }, store.graph.now());
  await insertGroupMembers(store.db, group.id, [debate.home], store.graph.now());
  const version = () => findGroupVersion(store.db, { id: group.id });
  const listed = async () => (await readGroupConversations(store.db, group.id, { limit: 10 })).conversations.map((c) => c.id).sort((a, b) => a - b);
  return { ...debate, group, version, listed };
}

/** Records an entry of the graph again with other content (and date), as ingest records an edit that found no comment or ping. */
async function edit(name: string, blogId: number, change: { title: string; at: string }): Promise<void> {
  const now = store.graph.now();
  const draft: EntryDraft = {
    kind: 'post', identity: `id:${name}`, guid: `urn:graph:${name}`, url: `http://graph.example/${name}/`, urlKey: `graph.example/${name}`,
    title: change.title, authorName: null, authorUrl: null, contentHtml: `<p>${change.title}</p>`, excerpt: null, lang: null, publishedAt: change.at, updatedAt: null,
    commentCount: null, commentFeedUrl: null, commentsPageUrl: null, trackbackPingUrl: null, contentHash: `hash-${name}-${change.title}`,
  };
  const { id, outcome, before } = await upsertEntry(store.db, blogId, draft, now, { contentText: null });
  expect(outcome).toBe('updated');
  await joinConversations(store.db, id, [], now, true, before ? { edited: { before, newChannel: null, replacedChannel: null } } : {});
}

describe('findGroupVersion', () => {
  it('stays the same while nothing changes, also when a conversation outside the group does', async () => {
    const { group, version } = await groupOfHome();
    const first = await version();
    expect(await version()).toBe(first);
    expect(await findGroupVersion(store.db, { slug: group.slug })).toBe(first);
    const lone = await store.graph.entry({ name: 'lone', at: day(5) });
    await store.graph.entry({ name: 'lone-answer', at: day(6), answers: [['comment-of', lone]] });
    expect(await version()).toBe(first);
    expect(await findGroupVersion(store.db, { slug: 'nobody' })).toBe('g:none');
  });

  it('changes when a blog outside the group answers in one of its conversations', async () => {
    const { away, post, version } = await groupOfHome();
    const before = await version();
    await store.graph.entry({ name: 'outside-comment', blogId: away, kind: 'comment', via: 'comment-feed', at: day(7), answers: [['comment-of', post]] });
    expect(await version()).not.toBe(before);
  });

  it('changes when an entry of its conversations is edited, a member’s or another blog’s', async () => {
    const { home, away, version } = await groupOfHome();
    const first = await version();
    await edit('answer', away, { title: 'The answer, corrected', at: day(4) });
    const second = await version();
    expect(second).not.toBe(first);
    await edit('post', home, { title: 'The post, corrected', at: day(1) });
    expect(await version()).not.toBe(second);
  });

  it('changes when a ping record shown in one of its conversations is tombstoned', async () => {
    const { post, version } = await groupOfHome();
    const ping = await store.graph.entry({ name: 'ping', kind: 'pingback', via: 'pingback', at: day(5), sourceKey: 'elsewhere.example/ping', answers: [['linkback', post]] });
    const before = await version();
    await tombstoneLinkback(store.db, ping, store.graph.now());
    expect(await version()).not.toBe(before);
  });

  it('changes when a blog joins or leaves the group', async () => {
    const { group, away, version } = await groupOfHome();
    const first = await version();
    await insertGroupMembers(store.db, group.id, [away], store.graph.now());
    await touchGroup(store.db, group.id, store.graph.now());
    const second = await version();
    expect(second).not.toBe(first);
    // A blog deleted takes its memberships with it and touches no group: the members are read too.
    await deleteGroupMember(store.db, group.id, away);
    expect(await version()).not.toBe(second);
  });

  it('changes when its conversation merges into another, which the group then lists', async () => {
    const { post, group, version, listed } = await groupOfHome();
    // A larger debate elsewhere: the group's conversation merges into it, as joinConversations merges the smaller.
    const other = await store.graph.entry({ name: 'other', at: day(2) });
    for (const n of [1, 2, 3, 4, 5]) await store.graph.entry({ name: `other-${n}`, at: day(3), answers: [['comment-of', other]] });
    const from = await conversationOf(post);
    const into = await conversationOf(other);
    const before = await version();
    expect(await listed()).toEqual([from]);
    const now = store.graph.now();
    await mergeConversation(store.db, from, into, now);
    await refreshConversation(store.db, into, now);
    expect(await version()).not.toBe(before);
    expect(await listed()).toEqual([into]);
    expect(await listGroupConversationIds(store.db, group.id)).toEqual([into]);
    expect(await readGroupConversations(store.db, group.id, { limit: 10 })).toMatchObject({ conversations: [{ id: into }], count: 1 });
  });
});

describe('listGroupConversationIds', () => {
  it('follows a member entry moved into the event’s dates', async () => {
    const { home, post, version, listed } = await groupOfHome({ event: true });
    const empty = await version();
    expect(await listed()).toEqual([]);
    await edit('post', home, { title: 'The post, dated again', at: day(12) });
    expect(await version()).not.toBe(empty);
    expect(await listed()).toEqual([await conversationOf(post)]);
  });

  it('follows a held member entry threaded once its blog is let in', async () => {
    const { home, post, version, listed } = await groupOfHome();
    const held = await store.graph.entry({ name: 'held', blogId: home, at: day(8), held: true });
    const before = await version();
    expect(await listed()).toEqual([await conversationOf(post)]);
    await joinConversations(store.db, held, [], store.graph.now(), true);
    expect(await version()).not.toBe(before);
    expect(await listed()).toEqual([await conversationOf(post), await conversationOf(held)]);
  });

  it('follows a member entry that becomes a record of another entry', async () => {
    const { home, post, version, listed } = await groupOfHome();
    const own = await store.graph.entry({ name: 'own', blogId: home, at: day(8) });
    const node = await store.graph.entry({ name: 'node', at: day(8) });
    const before = await version();
    expect(await listed()).toEqual([await conversationOf(post), await conversationOf(own)]);
    await updateSameAs(store.db, own, node);
    expect(await version()).not.toBe(before);
    expect(await listed()).toEqual([await conversationOf(post)]);
  });
});

describe('readGroupConversations', () => {
  it('reads the group’s conversation ids once for its page of them and their count', async () => {
    const { group, home, post } = await groupOfHome();
    const later = await store.graph.entry({ name: 'later', blogId: home, at: day(5) });
    const { result, sql } = await recordStatements(() => readGroupConversations(store.db, group.id, { limit: 1 }));
    expect(result.count).toBe(2);
    expect(result.conversations).toHaveLength(1);
    // The group's row starts each reading of its ids (listGroupConversationIds).
    expect(sql.filter((s) => /from "groups"/.test(s))).toHaveLength(1);
    const [second] = (await readGroupConversations(store.db, group.id, { limit: 1, offset: 1 })).conversations;
    expect(second!.id).not.toBe(result.conversations[0]!.id);
    expect(await readGroupConversations(store.db, group.id, { limit: 0 })).toEqual({ conversations: [], count: 2 });
    expect([result.conversations[0]!.id, second!.id].sort((a, b) => a - b)).toEqual([await conversationOf(post), await conversationOf(later)].sort((a, b) => a - b));
  });
});

describe('findGroupVersion on the connection pages read from (a SQLite file)', () => {
  it('reads a version and the ids it was read from again only after a commit, with one statement a request meanwhile', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-group-version-'));
    const database = openDatabase(path.join(dir, 'p.db'));
    try {
      await migrateToLatest(database.db);
      const at = '2008-11-12T10:00:00.000Z';
      const blog = await insertHomeOnlyBlog(database.db, 'https://sachar.example/', at);
      const source = await insertSource(database.db, { blogId: blog.id, kind: 'feed', url: 'https://sachar.example/feed/', nextCheckAt: at }, at);
      await ingestFeedItems(database.db, source, { items: [sacharPost(1)], title: null }, at);
      const group = await insertGroup(database.db, { slug: 'camp', title: 'Camp', description: null, lang: null, event: null }, at);
      await insertGroupMembers(database.db, group.id, [blog.id], at);
      await commitWaitingWrites(database.db);
      let statements = 0;
      const read = database.read.withPlugin({ transformQuery: (args) => args.node, transformResult: async (args) => (statements++, args.result) });
      const first = await findGroupVersion(read, { id: group.id });
      statements = 0;
      expect(await findGroupVersion(read, { id: group.id })).toBe(first);
      expect(await findGroupVersion(read, { id: group.id })).toBe(first);
      expect(statements).toBe(2);
      // The ids the version was read from hold until a commit: the page's list and count read no member entry.
      const { result: listed, sql } = await recordStatements(() => readGroupConversations(read, group.id, { limit: 10 }));
      expect(listed.count).toBe(1);
      expect(sql.filter((s) => s.includes('"entries"'))).toEqual([]);
      // A new post of a member, committed: read anew, as the writing connection (which wrote, so keeps nothing) reads it.
      await ingestFeedItems(database.db, source, { items: [sacharPost(2), sacharPost(1)], title: null }, at);
      await commitWaitingWrites(database.db);
      expect((await readGroupConversations(read, group.id, { limit: 10 })).count).toBe(2);
      const second = await findGroupVersion(read, { id: group.id });
      expect(second).not.toBe(first);
      expect(second).toBe(await findGroupVersion(database.db, { id: group.id }));
      expect(await findGroupVersion(read, { slug: 'camp' })).toBe(second);
      // A member leaving is a commit too.
      await deleteGroupMember(database.db, group.id, blog.id);
      await commitWaitingWrites(database.db);
      expect(await findGroupVersion(read, { id: group.id })).not.toBe(second);
    } finally {
      await database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
