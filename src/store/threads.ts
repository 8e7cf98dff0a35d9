// store: edges, channels and conversations. Records an arriving entry with its relations and
// keeps conversations as connected groups, touching only the entry's own edges and the
// conversations they join (union by size), never scanning the whole database.
import type { EntryDraft } from '../domain/models.ts';
import type { Channel, EdgeType } from '../domain/vocabulary.ts';
import { sql } from 'kysely';
import type { Db } from '../db/open.ts';
import { contentHashOf } from '../reader/entry-draft.ts';
import { rankConversation, type EntryRelations } from '../threading/relations.ts';
import { countKnownComments, findCountedPost } from './comment-gaps.ts';
import { upsertEntry, type UpsertOutcome } from './entries.ts';

// Edges that make two entries part of one conversation. A roundup's body links are weaker:
// see threading/relations.ts.
const joiningEdges: EdgeType[] = ['comment-of', 'reply-to', 'links-to', 'linkback', 'same-as'];

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

export interface RecordEntryInput {
  blogId: number | null;
  draft: EntryDraft;
  via: Channel;
  relations: EntryRelations;
  /** For linkback records: the page that was pinged. */
  targetUrl?: string | null;
}

export interface RecordedEntry {
  id: number;
  outcome: UpsertOutcome;
  commentCountRose: boolean;
  conversationId: number;
}

interface ResolvedEdge {
  fromEntryId: number;
  toEntryId: number;
  type: EdgeType;
}

/**
 * Stores an entry with the channel it came by and its edges, resolves edges waiting for it,
 * merges the conversations it connects and refreshes their counts. Idempotent: the same entry
 * again changes nothing. Run it inside the caller's transaction.
 */
export async function recordEntry(db: Db, input: RecordEntryInput, now: string): Promise<RecordedEntry> {
  let draft = { ...input.draft, kind: input.relations.kind };
  let relations = input.relations;
  // The same comment comes from the site comment feed (RSS: no author URL) and from its post's
  // Atom comment feed (with it): what the richer one said about a ping is kept.
  let priorQuery = db.selectFrom('entries').select(['kind', 'source_key', 'author_url']).where('identity', '=', draft.identity);
  priorQuery = input.blogId === null ? priorQuery.where('blog_id', 'is', null) : priorQuery.where('blog_id', '=', input.blogId);
  const prior = await priorQuery.executeTakeFirst();
  if (prior && prior.source_key !== null && relations.sourceKey === null && !draft.authorUrl) {
    const kept = { ...draft, kind: prior.kind, authorUrl: prior.author_url };
    draft = { ...kept, contentHash: contentHashOf(kept) };
    const sameAs = relations.relations.filter((r) => r.type !== 'links-to');
    relations = { ...relations, kind: prior.kind, sourceKey: prior.source_key, relations: [...sameAs, { type: 'same-as', target: `url:${prior.source_key}`, toUrl: prior.author_url }] };
  }
  const { id, outcome, commentCountRose } = await upsertEntry(db, input.blogId, draft, now);

  if (relations.kind === 'pingback' || relations.kind === 'trackback') {
    // First seen as a plain comment (the site's RSS comment feed has no author URL), now known
    // to be a ping shown as a comment: it came by that ping, not as a comment.
    await db.deleteFrom('entry_channels').where('entry_id', '=', id).where('via', '=', 'comment-feed').execute();
  }
  const channelAdded = await db
    .insertInto('entry_channels')
    .values({ entry_id: id, via: input.via, first_seen_at: now })
    .onConflict((oc) => oc.columns(['entry_id', 'via']).doNothing())
    .executeTakeFirst();
  const newChannel = Number(channelAdded.numInsertedOrUpdatedRows ?? 0) > 0;

  const row = await db
    .selectFrom('entries')
    .select(['conversation_id', 'kind', 'source_key', 'is_roundup', 'url_key', 'guid', 'blog_id'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

  // Nothing new about an entry that is already threaded: a repeated poll stops here.
  if (outcome === 'unchanged' && row.conversation_id !== null && row.kind === draft.kind) {
    const conversationId = await findSurvivingConversationId(db, row.conversation_id);
    if (newChannel) {
      // Pages and feeds show the channels: the node it stands for (itself or the post it is a
      // record of) counts as changed.
      const shownAs = (await db.selectFrom('entries').select('same_as_id').where('id', '=', id).executeTakeFirst())?.same_as_id ?? id;
      await db.updateTable('entries').set({ changed_at: now }).where('id', 'in', [id, shownAs]).execute();
    }
    // The post reports more comments: the conversation's "may be missing" count moves.
    if (commentCountRose || newChannel) await refreshConversation(db, conversationId, now);
    return { id, outcome, commentCountRose, conversationId };
  }

  const wasRoundup = row.is_roundup !== 0;
  await db
    .updateTable('entries')
    .set({
      kind: draft.kind,
      source_key: relations.sourceKey,
      ...(input.targetUrl !== undefined ? { target_url: input.targetUrl } : {}),
      // 1 = a roundup that has not joined a conversation yet, 2 = one that has.
      is_roundup: relations.isRoundup ? (wasRoundup ? row.is_roundup : 1) : 0,
    })
    .where('id', '=', id)
    .execute();

  // An edit replaces the body links; edges that already joined conversations keep them joined
  // (a link taken out later does not split a debate that happened).
  const wanted = new Set(relations.relations.map((r) => `${r.type} ${r.target}`));
  const existing = await db.selectFrom('edges').select(['id', 'type', 'target']).where('from_entry_id', '=', id).execute();
  const stale = existing.filter((e) => e.type === 'links-to' && !wanted.has(`${e.type} ${e.target}`)).map((e) => e.id);
  if (stale.length) await db.deleteFrom('edges').where('id', 'in', stale).execute();

  if (relations.relations.length) {
    await db
      .insertInto('edges')
      .values(relations.relations.map((r) => ({ from_entry_id: id, type: r.type, target: r.target, to_url: r.toUrl, created_at: now })))
      .onConflict((oc) => oc.columns(['from_entry_id', 'type', 'target']).doNothing())
      .execute();
  }

  const resolved: ResolvedEdge[] = [];
  // Outgoing edges still waiting for their target.
  const pending = await db.selectFrom('edges').select(['id', 'type', 'target']).where('from_entry_id', '=', id).where('to_entry_id', 'is', null).execute();
  for (const edge of pending) {
    const to = await findEntryByTarget(db, edge.target, row.blog_id, id);
    if (to === null) continue;
    await db.updateTable('edges').set({ to_entry_id: to }).where('id', '=', edge.id).execute();
    resolved.push({ fromEntryId: id, toEntryId: to, type: edge.type });
  }
  // Incoming edges that were waiting for this entry, whatever order the polls ran in.
  const targets = [row.url_key ? `url:${row.url_key}` : null, row.guid ? `ref:${row.guid}` : null].filter((t): t is string => t !== null);
  if (targets.length) {
    const waiting = await db
      .selectFrom('edges')
      .select(['id', 'from_entry_id', 'type'])
      .where('target', 'in', targets)
      .where('to_entry_id', 'is', null)
      .where('from_entry_id', '!=', id)
      .execute();
    if (waiting.length) {
      await db.updateTable('edges').set({ to_entry_id: id }).where('id', 'in', waiting.map((w) => w.id)).execute();
      for (const w of waiting) resolved.push({ fromEntryId: w.from_entry_id, toEntryId: id, type: w.type });
    }
  }
  // Already-resolved outgoing edges join too (an entry threaded before this poll, or edited).
  const earlier = await db.selectFrom('edges').select(['to_entry_id', 'type']).where('from_entry_id', '=', id).where('to_entry_id', 'is not', null).execute();
  for (const e of earlier) resolved.push({ fromEntryId: id, toEntryId: e.to_entry_id!, type: e.type });

  const partners = await settleSameAs(db, id, row.url_key, relations.sourceKey);

  // Which entries this one is joined with.
  const joined = new Set<number>(partners);
  for (const edge of resolved) {
    if (!joiningEdges.includes(edge.type)) continue;
    const other = edge.fromEntryId === id ? edge.toEntryId : edge.fromEntryId;
    if (other === id) continue;
    if (edge.type === 'links-to' && !(await mayBridge(db, edge.fromEntryId, edge.toEntryId))) continue;
    joined.add(other);
  }

  const conversationId = await joinConversations(db, id, [...joined], now, partners.length === 0);
  return { id, outcome, commentCountRose, conversationId };
}

/** Finds the entry an edge target names: a url key or a guid; the real post before any record of a ping. */
async function findEntryByTarget(db: Db, target: string, blogId: number | null, selfId: number): Promise<number | null> {
  const colon = target.indexOf(':');
  const kind = target.slice(0, colon);
  const value = target.slice(colon + 1);
  // Only threaded entries: one without a conversation belongs to a blog waiting for a moderator.
  if (kind === 'entry') {
    const row = await db.selectFrom('entries').select('id').where('id', '=', Number(value)).where('id', '!=', selfId).where('conversation_id', 'is not', null).executeTakeFirst();
    return row?.id ?? null;
  }
  let q = db.selectFrom('entries').select('id').where('id', '!=', selfId).where('conversation_id', 'is not', null);
  if (kind === 'url') q = q.where('url_key', '=', value);
  else if (kind === 'ref') q = q.where('guid', '=', value);
  else return null;
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
 * One thing is one node: records of a ping (a pingback shown as a comment, a listed or received
 * ping) point at the pinging post when Palaver has it, else at the first record of that ping.
 * Returns the entries this one is now the same as (in either direction).
 */
async function settleSameAs(db: Db, id: number, urlKey: string | null, sourceKey: string | null): Promise<number[]> {
  const partners: number[] = [];
  if (sourceKey !== null) {
    const primary = await db
      .selectFrom('entries')
      .select('id')
      .where('id', '!=', id)
      .where('same_as_id', 'is', null)
      .where('conversation_id', 'is not', null)
      .where((eb) => eb.or([eb.and([eb('url_key', '=', sourceKey), eb('source_key', 'is', null)]), eb('source_key', '=', sourceKey)]))
      .orderBy(sql`case when source_key is null then 0 else 1 end`)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    await db.updateTable('entries').set({ same_as_id: primary?.id ?? null }).where('id', '=', id).execute();
    if (primary) partners.push(primary.id);
  } else if (urlKey !== null) {
    // The post behind earlier ping records has arrived: it becomes their node.
    const records = await db.selectFrom('entries').select('id').where('source_key', '=', urlKey).where('id', '!=', id).execute();
    if (records.length) {
      const ids = records.map((r) => r.id);
      await db.updateTable('entries').set({ same_as_id: id }).where((eb) => eb.or([eb('id', 'in', ids), eb('same_as_id', 'in', ids)])).execute();
      partners.push(...ids);
    }
  }
  return partners;
}

/** Tells whether a body link may join two conversations: a roundup joins once, then never bridges. */
async function mayBridge(db: Db, fromId: number, toId: number): Promise<boolean> {
  const from = await db.selectFrom('entries').select(['is_roundup', 'conversation_id']).where('id', '=', fromId).executeTakeFirst();
  if (!from || from.is_roundup === 0) return true;
  if (from.is_roundup === 2) {
    const to = await db.selectFrom('entries').select('conversation_id').where('id', '=', toId).executeTakeFirst();
    return to?.conversation_id != null && from.conversation_id !== null && (await sameConversation(db, from.conversation_id, to.conversation_id));
  }
  await db.updateTable('entries').set({ is_roundup: 2 }).where('id', '=', fromId).execute();
  return true;
}

async function sameConversation(db: Db, a: number, b: number): Promise<boolean> {
  return (await findSurvivingConversationId(db, a)) === (await findSurvivingConversationId(db, b));
}

/** Follows merges to the conversation that now holds what `id` held. */
export async function findSurvivingConversationId(db: Db, id: number): Promise<number> {
  const row = await db.selectFrom('conversations').select(['id', 'merged_into_id']).where('id', '=', id).executeTakeFirst();
  return row?.merged_into_id ?? row?.id ?? id;
}

/** Puts an entry and the entries it joins into one conversation, merging smaller into larger. */
async function joinConversations(db: Db, entryId: number, joinedEntryIds: number[], now: string, noRecordsMoved: boolean): Promise<number> {
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
