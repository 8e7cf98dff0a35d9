// store: edges, channels and conversations, as SQL only. It applies what threading decided
// (src/threading/, sequenced by src/ingest/record-entry.ts): resolves edge targets to entries,
// records channels, points ping records at their node, and keeps conversations as connected
// groups (union by size) with their counts, touching only an entry's own edges and the
// conversations they join, never scanning the whole database.
import { sql } from 'kysely';
import type { Db } from '../db/open.ts';
import { edgeTargetKey, parseEdgeTarget, type RelationDraft } from '../domain/edges.ts';
import { rankConversation } from '../domain/rank.ts';
import type { Channel, EdgeType, EntryKind, RoundupState } from '../domain/vocabulary.ts';
import { countKnownComments, findCountedPost } from './comment-gaps.ts';

const linkbackKinds: readonly string[] = ['pingback', 'trackback', 'webmention'];
const linkbackChannels: Channel[] = ['pingback', 'trackback', 'webmention', 'listing'];
const kindsSql = sql.join(linkbackKinds.map((k) => sql.lit(k)));
const channelsSql = sql.join(linkbackChannels.map((c) => sql.lit(c)));

/**
 * Whether the node `e` arrived as a linkback, as a reader counts: it is a ping of its own, came
 * by a ping channel, or has a live record of a ping merged into it (a post that also pinged).
 */
const arrivedAsLinkback = sql<boolean>`(e.kind in (${kindsSql})
  or exists (select 1 from entry_channels ch where ch.entry_id = e.id and ch.via in (${channelsSql}))
  or exists (select 1 from entries r where r.same_as_id = e.id and r.tombstoned_at is null
    and (r.kind in (${kindsSql}) or exists (select 1 from entry_channels rc where rc.entry_id = r.id and rc.via in (${channelsSql})))))`;

/** An edge whose target is known: from one entry to another. */
export interface ResolvedEdge {
  fromEntryId: number;
  toEntryId: number;
  type: EdgeType;
}

/** Finds what the store holds of an entry with this identity in this blog (or among pings, blog null). */
export async function findPriorRecord(db: Db, blogId: number | null, identity: string): Promise<{ kind: EntryKind; sourceKey: string | null; authorUrl: string | null } | undefined> {
  let q = db.selectFrom('entries').select(['kind', 'source_key', 'author_url']).where('identity', '=', identity);
  q = blogId === null ? q.where('blog_id', 'is', null) : q.where('blog_id', '=', blogId);
  const row = await q.executeTakeFirst();
  return row ? { kind: row.kind, sourceKey: row.source_key, authorUrl: row.author_url } : undefined;
}

/** Records a channel an entry arrived by, dropping one it replaces; tells whether the channel is new. */
export async function addEntryChannel(db: Db, entryId: number, via: Channel, replaces: Channel | null, now: string): Promise<boolean> {
  if (replaces !== null) await db.deleteFrom('entry_channels').where('entry_id', '=', entryId).where('via', '=', replaces).execute();
  const added = await db
    .insertInto('entry_channels')
    .values({ entry_id: entryId, via, first_seen_at: now })
    .onConflict((oc) => oc.columns(['entry_id', 'via']).doNothing())
    .executeTakeFirst();
  return Number(added.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** What threading needs to know of a stored entry. */
export interface ThreadingState {
  conversationId: number | null;
  kind: EntryKind;
  roundup: RoundupState;
  urlKey: string | null;
  guid: string | null;
  blogId: number | null;
}

/** Finds an entry's threading state. */
export async function findThreadingState(db: Db, entryId: number): Promise<ThreadingState> {
  const row = await db
    .selectFrom('entries')
    .select(['conversation_id', 'kind', 'is_roundup', 'url_key', 'guid', 'blog_id'])
    .where('id', '=', entryId)
    .executeTakeFirstOrThrow();
  return { conversationId: row.conversation_id, kind: row.kind, roundup: row.is_roundup, urlKey: row.url_key, guid: row.guid, blogId: row.blog_id };
}

/** Marks an entry changed, and the node it is a record of: pages and feeds show its channels. */
export async function touchEntryNode(db: Db, entryId: number, now: string): Promise<void> {
  const shownAs = (await db.selectFrom('entries').select('same_as_id').where('id', '=', entryId).executeTakeFirst())?.same_as_id ?? entryId;
  await db.updateTable('entries').set({ changed_at: now }).where('id', 'in', [entryId, shownAs]).execute();
}

/** Stores what threading decided about an entry: its kind, its ping source, its roundup state. */
export async function updateEntryThreading(
  db: Db,
  entryId: number,
  decided: { kind: EntryKind; sourceKey: string | null; roundup: RoundupState; targetUrl?: string | null },
): Promise<void> {
  await db
    .updateTable('entries')
    .set({
      kind: decided.kind,
      source_key: decided.sourceKey,
      ...(decided.targetUrl !== undefined ? { target_url: decided.targetUrl } : {}),
      is_roundup: decided.roundup,
    })
    .where('id', '=', entryId)
    .execute();
}

/** Lists an entry's outgoing edges as stored. */
export async function listOutgoingEdges(db: Db, entryId: number): Promise<{ id: number; type: EdgeType; target: string }[]> {
  return db.selectFrom('edges').select(['id', 'type', 'target']).where('from_entry_id', '=', entryId).execute();
}

/** Deletes edges by id. */
export async function deleteEdges(db: Db, ids: number[]): Promise<void> {
  if (ids.length) await db.deleteFrom('edges').where('id', 'in', ids).execute();
}

/** Inserts an entry's edges; an edge it already has stays as it is. */
export async function insertEdges(db: Db, entryId: number, relations: RelationDraft[], now: string): Promise<void> {
  if (relations.length === 0) return;
  await db
    .insertInto('edges')
    .values(relations.map((r) => ({ from_entry_id: entryId, type: r.type, target: edgeTargetKey(r.target), to_url: r.toUrl, created_at: now })))
    .onConflict((oc) => oc.columns(['from_entry_id', 'type', 'target']).doNothing())
    .execute();
}

/** Resolves an entry's outgoing edges still waiting for their target; returns those that found it. */
export async function resolveOutgoingEdges(db: Db, entryId: number, blogId: number | null): Promise<ResolvedEdge[]> {
  const resolved: ResolvedEdge[] = [];
  const pending = await db.selectFrom('edges').select(['id', 'type', 'target']).where('from_entry_id', '=', entryId).where('to_entry_id', 'is', null).execute();
  for (const edge of pending) {
    const to = await findEntryByTarget(db, edge.target, blogId, entryId);
    if (to === null) continue;
    await db.updateTable('edges').set({ to_entry_id: to }).where('id', '=', edge.id).execute();
    resolved.push({ fromEntryId: entryId, toEntryId: to, type: edge.type });
  }
  return resolved;
}

/** Resolves the edges of other entries that were waiting for this one, whatever order the polls ran in. */
export async function resolveIncomingEdges(db: Db, entryId: number, names: { urlKey: string | null; guid: string | null }): Promise<ResolvedEdge[]> {
  const targets: string[] = [];
  if (names.urlKey) targets.push(edgeTargetKey({ kind: 'url', key: names.urlKey }));
  if (names.guid) targets.push(edgeTargetKey({ kind: 'ref', guid: names.guid }));
  if (targets.length === 0) return [];
  const waiting = await db
    .selectFrom('edges')
    .select(['id', 'from_entry_id', 'type'])
    .where('target', 'in', targets)
    .where('to_entry_id', 'is', null)
    .where('from_entry_id', '!=', entryId)
    .execute();
  if (waiting.length === 0) return [];
  await db.updateTable('edges').set({ to_entry_id: entryId }).where('id', 'in', waiting.map((w) => w.id)).execute();
  return waiting.map((w) => ({ fromEntryId: w.from_entry_id, toEntryId: entryId, type: w.type }));
}

/** Lists an entry's outgoing edges that have found their target. */
export async function listResolvedOutgoingEdges(db: Db, entryId: number): Promise<ResolvedEdge[]> {
  const rows = await db.selectFrom('edges').select(['to_entry_id', 'type']).where('from_entry_id', '=', entryId).where('to_entry_id', 'is not', null).execute();
  return rows.map((e) => ({ fromEntryId: entryId, toEntryId: e.to_entry_id!, type: e.type }));
}

/** Finds the entry an edge target names: a url key or a guid; the real post before any record of a ping. */
async function findEntryByTarget(db: Db, stored: string, blogId: number | null, selfId: number): Promise<number | null> {
  const target = parseEdgeTarget(stored);
  if (target === null) return null;
  // Only threaded entries: one without a conversation belongs to a blog waiting for a moderator.
  if (target.kind === 'entry') {
    const row = await db.selectFrom('entries').select('id').where('id', '=', target.id).where('id', '!=', selfId).where('conversation_id', 'is not', null).executeTakeFirst();
    return row?.id ?? null;
  }
  let q = db.selectFrom('entries').select('id').where('id', '!=', selfId).where('conversation_id', 'is not', null);
  q = target.kind === 'url' ? q.where('url_key', '=', target.key) : q.where('guid', '=', target.guid);
  const row = await q
    .orderBy(sql`case when same_as_id is null and source_key is null then 0 when same_as_id is null then 1 else 2 end`)
    // A guid is unique only within its blog; prefer the same blog's entry.
    .orderBy(sql`case when blog_id is ${blogId} then 0 else 1 end`)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * Lists the nodes a record of the ping from `sourceKey` may point at: the pinging page (an
 * entry at that URL that is no ping record) and the other records of that ping, oldest first;
 * threaded entries only (one without a conversation belongs to a blog waiting for a moderator).
 */
export async function listSameAsCandidates(db: Db, entryId: number, sourceKey: string): Promise<{ id: number; sourceKey: string | null }[]> {
  const rows = await db
    .selectFrom('entries')
    .select(['id', 'source_key'])
    .where('id', '!=', entryId)
    .where('same_as_id', 'is', null)
    .where('conversation_id', 'is not', null)
    .where((eb) => eb.or([eb.and([eb('url_key', '=', sourceKey), eb('source_key', 'is', null)]), eb('source_key', '=', sourceKey)]))
    .orderBy('id')
    // Records point at their node, so only the page and the first record are ever candidates.
    .limit(64)
    .execute();
  return rows.map((r) => ({ id: r.id, sourceKey: r.source_key }));
}

/** Points an entry at the node it is a record of (null: it is a node itself). */
export async function updateSameAs(db: Db, entryId: number, nodeId: number | null): Promise<void> {
  await db.updateTable('entries').set({ same_as_id: nodeId }).where('id', '=', entryId).execute();
}

/** Lists the records of pings sent from this URL key (other than the entry itself). */
export async function listPingRecordsFrom(db: Db, urlKey: string, entryId: number): Promise<number[]> {
  const rows = await db.selectFrom('entries').select('id').where('source_key', '=', urlKey).where('id', '!=', entryId).execute();
  return rows.map((r) => r.id);
}

/** Makes an entry the node of these records, and of the records that pointed at them. */
export async function pointRecordsAt(db: Db, recordIds: number[], nodeId: number): Promise<void> {
  if (recordIds.length === 0) return;
  await db.updateTable('entries').set({ same_as_id: nodeId }).where((eb) => eb.or([eb('id', 'in', recordIds), eb('same_as_id', 'in', recordIds)])).execute();
}

/** Finds an entry's roundup state and conversation (for the bridging rule of body links). */
export async function findRoundupState(db: Db, entryId: number): Promise<{ roundup: RoundupState; conversationId: number | null } | undefined> {
  const row = await db.selectFrom('entries').select(['is_roundup', 'conversation_id']).where('id', '=', entryId).executeTakeFirst();
  return row ? { roundup: row.is_roundup, conversationId: row.conversation_id } : undefined;
}

/** Stores an entry's roundup state. */
export async function updateRoundupState(db: Db, entryId: number, roundup: RoundupState): Promise<void> {
  await db.updateTable('entries').set({ is_roundup: roundup }).where('id', '=', entryId).execute();
}

/** Tells whether two conversations are one now (after the merges since). */
export async function isSameConversation(db: Db, a: number, b: number): Promise<boolean> {
  return (await findSurvivingConversationId(db, a)) === (await findSurvivingConversationId(db, b));
}

/** Follows merges to the conversation that now holds what `id` held. */
export async function findSurvivingConversationId(db: Db, id: number): Promise<number> {
  const row = await db.selectFrom('conversations').select(['id', 'merged_into_id']).where('id', '=', id).executeTakeFirst();
  return row?.merged_into_id ?? row?.id ?? id;
}

/** Puts an entry and the entries it joins into one conversation, merging smaller into larger. */
export async function joinConversations(db: Db, entryId: number, joinedEntryIds: number[], now: string, noRecordsMoved: boolean): Promise<number> {
  const ids = [entryId, ...joinedEntryIds];
  const rows = await db
    .selectFrom('entries')
    .leftJoin('conversations', 'conversations.id', 'entries.conversation_id')
    .select(['entries.id', 'entries.conversation_id', 'conversations.entry_count'])
    .where('entries.id', 'in', ids)
    .execute();
  const conversations = new Map<number, number>();
  for (const r of rows) if (r.conversation_id !== null) conversations.set(r.conversation_id, r.entry_count ?? 0);

  let survivor: number;
  const merged = conversations.size > 1;
  if (conversations.size === 0) {
    const created = await db
      .insertInto('conversations')
      .values({ created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    survivor = created.id;
  } else {
    // Union by size: the larger conversation keeps its id (and its URL); the smaller ones'
    // entries move, so an entry moves only O(log n) times over its life.
    const ordered = [...conversations.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    survivor = ordered[0]![0];
    for (const [other] of ordered.slice(1)) await mergeConversation(db, other, survivor, now);
  }
  const unassigned = rows.filter((r) => r.conversation_id === null).map((r) => r.id);
  if (unassigned.length) {
    // Records of a ping travel with their node.
    await db
      .updateTable('entries')
      .set({ conversation_id: survivor })
      .where((eb) => eb.or([eb('id', 'in', unassigned), eb('same_as_id', 'in', unassigned)]))
      .execute();
  }
  // The common case, a new entry joining one conversation (or starting one), updates the
  // counts from the entry alone; merges, edits and moved ping records recount.
  if (!merged && noRecordsMoved && unassigned.length === 1 && unassigned[0] === entryId) await addToConversation(db, survivor, entryId, now);
  else await refreshConversation(db, survivor, now);
  return survivor;
}

/**
 * Counts a new entry into its conversation without reading the conversation's other entries:
 * a few indexed lookups (is its blog or author new here, what does its post report) instead
 * of the recount refreshConversation does, so ingest cost does not grow with the debate.
 */
async function addToConversation(db: Db, conversationId: number, entryId: number, now: string): Promise<void> {
  const e = await db
    .selectFrom('entries')
    .select(['id', 'kind', 'blog_id', 'author_url', 'author_name', 'sort_at', 'title', 'excerpt', 'comment_count', 'same_as_id', 'tombstoned_at'])
    .where('id', '=', entryId)
    .executeTakeFirstOrThrow();
  if (e.same_as_id !== null || e.tombstoned_at !== null) return refreshConversation(db, conversationId, now);
  const c = await db.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirstOrThrow();
  const visibleOthers = () =>
    db.selectFrom('entries').select('id').where('conversation_id', '=', conversationId).where('id', '!=', entryId).where('same_as_id', 'is', null).where('tombstoned_at', 'is', null);

  const newBlog = e.blog_id !== null && !(await visibleOthers().where('blog_id', '=', e.blog_id).limit(1).executeTakeFirst());
  const authorKey = (e.author_url ?? e.author_name)?.toLowerCase() ?? null;
  const newAuthor =
    authorKey !== null && !(await visibleOthers().where(sql`lower(coalesce(author_url, author_name))`, '=', authorKey).limit(1).executeTakeFirst());

  // The root is the earliest post (or, with no post yet, the earliest entry).
  let rootId = c.root_entry_id;
  let title = c.title;
  const root = rootId === null ? undefined : await db.selectFrom('entries').select(['id', 'kind', 'sort_at']).where('id', '=', rootId).executeTakeFirst();
  const earlier = !root || e.sort_at < root.sort_at || (e.sort_at === root.sort_at && e.id < root.id);
  if (!root || (e.kind === 'post' && (root.kind !== 'post' || earlier)) || (root.kind !== 'post' && e.kind !== 'post' && earlier)) {
    rootId = e.id;
    title = e.title ?? e.excerpt?.slice(0, 120) ?? null;
  }

  // Missing comments change only for this entry's post, or for this entry if it is a post.
  let missing = c.missing_count;
  if (e.kind === 'post') {
    if (e.comment_count !== null) missing += Math.max(0, e.comment_count - (await countKnownComments(db, e.id)));
  } else {
    const post = await findCountedPost(db, entryId);
    if (post && post.conversationId === conversationId && post.commentCount !== null) {
      const known = await countKnownComments(db, post.id);
      // This entry is one of the known comments now; before it, one fewer was known.
      missing += Math.max(0, post.commentCount - known) - Math.max(0, post.commentCount - (known - 1));
    }
  }

  const blogs = c.blog_count + (newBlog ? 1 : 0);
  const authors = c.author_count + (newAuthor ? 1 : 0);
  const first = c.first_activity_at === null || e.sort_at < c.first_activity_at ? e.sort_at : c.first_activity_at;
  const last = c.last_activity_at === null || e.sort_at > c.last_activity_at ? e.sort_at : c.last_activity_at;
  // A new node without records: its own kind and channels say whether it came as a linkback.
  const isLinkback =
    linkbackKinds.includes(e.kind) ||
    (await db.selectFrom('entry_channels').select('via').where('entry_id', '=', entryId).where('via', 'in', linkbackChannels).limit(1).executeTakeFirst()) !== undefined;
  await db
    .updateTable('conversations')
    .set({
      root_entry_id: rootId,
      title,
      entry_count: c.entry_count + 1,
      post_count: c.post_count + (e.kind === 'post' ? 1 : 0),
      comment_count: c.comment_count + (e.kind === 'comment' ? 1 : 0),
      linkback_count: c.linkback_count + (isLinkback ? 1 : 0),
      blog_count: blogs,
      author_count: authors,
      missing_count: missing,
      first_activity_at: first,
      last_activity_at: last,
      rank: rankConversation(last, blogs, authors),
      updated_at: now,
    })
    .where('id', '=', conversationId)
    .execute();
}

/** Moves everything of conversation `from` into `into`; `from` redirects there from now on. */
export async function mergeConversation(db: Db, from: number, into: number, now: string): Promise<void> {
  if (from === into) return;
  await db.updateTable('entries').set({ conversation_id: into }).where('conversation_id', '=', from).execute();
  await db
    .updateTable('conversations')
    .set({ merged_into_id: into, updated_at: now })
    .where((eb) => eb.or([eb('id', '=', from), eb('merged_into_id', '=', from)]))
    .execute();
}

/** Recomputes a conversation's root, title, counts, gap and rank from its own entries. */
export async function refreshConversation(db: Db, id: number, now: string): Promise<void> {
  const stats = await db
    .selectFrom('entries as e')
    .where('e.conversation_id', '=', id)
    .where('e.same_as_id', 'is', null)
    .where('e.tombstoned_at', 'is', null)
    .select((eb) => [
      eb.fn.countAll<number>().as('entries'),
      eb.fn.sum<number>(sql`case when kind = 'post' then 1 else 0 end`).as('posts'),
      eb.fn.sum<number>(sql`case when kind = 'comment' then 1 else 0 end`).as('comments'),
      // Answers that arrived as a linkback, merged ones included: a post that also pinged counts
      // as a post and as a linkback, so the figures need not add up to the entries.
      eb.fn.sum<number>(sql`case when ${arrivedAsLinkback} then 1 else 0 end`).as('linkbacks'),
      eb.fn.count<number>('blog_id').distinct().as('blogs'),
      eb.fn.count<number>(sql`lower(coalesce(author_url, author_name))`).distinct().as('authors'),
      eb.fn.min<string>('sort_at').as('first'),
      eb.fn.max<string>('sort_at').as('last'),
    ])
    .executeTakeFirstOrThrow();

  const root = await db
    .selectFrom('entries')
    .select(['id', 'title', 'excerpt'])
    .where('conversation_id', '=', id)
    .where('same_as_id', 'is', null)
    .orderBy(sql`case when kind = 'post' then 0 else 1 end`)
    .orderBy('sort_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();

  // WordPress comment feeds carry only the newest ten; the post says how many there are.
  // Its count includes pingbacks and trackbacks, so every record of a comment counts.
  const posts = await db
    .selectFrom('entries')
    .select(['id', 'comment_count'])
    .where('conversation_id', '=', id)
    .where('kind', '=', 'post')
    .where('comment_count', '>', 0)
    .execute();
  let missing = 0;
  for (const p of posts) missing += Math.max(0, (p.comment_count ?? 0) - (await countKnownComments(db, p.id)));

  const blogs = Number(stats.blogs);
  const authors = Number(stats.authors);
  await db
    .updateTable('conversations')
    .set({
      root_entry_id: root?.id ?? null,
      title: root?.title ?? root?.excerpt?.slice(0, 120) ?? null,
      entry_count: Number(stats.entries),
      post_count: Number(stats.posts ?? 0),
      comment_count: Number(stats.comments ?? 0),
      linkback_count: Number(stats.linkbacks ?? 0),
      blog_count: blogs,
      author_count: authors,
      missing_count: missing,
      first_activity_at: stats.first ?? null,
      last_activity_at: stats.last ?? null,
      rank: rankConversation(stats.last ?? null, blogs, authors),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Marks the record of a ping as gone (its source answered 410 or stopped linking). A record
 * hidden behind a post only loses its channel; a record shown on its own becomes a tombstone.
 */
export async function tombstoneLinkback(db: Db, entryId: number, now: string): Promise<void> {
  const row = await db.selectFrom('entries').select(['conversation_id', 'source_key']).where('id', '=', entryId).executeTakeFirst();
  // Only records of pings: a post or comment from a feed is not the ping's to delete.
  if (!row || row.source_key === null) return;
  await db.updateTable('entries').set({ tombstoned_at: now, changed_at: now }).where('id', '=', entryId).execute();
  if (row.conversation_id !== null) await refreshConversation(db, await findSurvivingConversationId(db, row.conversation_id), now);
}
