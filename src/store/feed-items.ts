// store: what the merged feeds show: the newest visible entries of everything, of one blog, of
// one conversation or of a group's conversations, with their channels, the entry each answers,
// and their blog's post feed.
// Records of pings hidden behind a post (same_as_id) never appear as items of their own.
import { sql, type SqlBool } from 'kysely';
import type { Db } from '../db/open.ts';
import type { FeedEntry, FeedEntryRef } from '../domain/models.ts';
import type { Channel, EdgeType, FeedScope } from '../domain/vocabulary.ts';
import { conversationIdsIn, findGroupVersion, listGroupConversationIds } from './group-conversation-ids.ts';
import { keptLengthParts, prepare, preparedList } from './prepared.ts';

// Which edge says best what an entry answers, as on the conversation page (store/conversations.ts).
const replyPreference: EdgeType[] = ['reply-to', 'comment-of', 'linkback', 'links-to'];
const answeringEdges: EdgeType[] = ['comment-of', 'reply-to', 'linkback', 'links-to'];

// What a feed item is made from, of the entries a query finds.
function feedRows(db: Db) {
  return db
    .selectFrom('entries')
    .innerJoin('conversations', 'conversations.id', 'entries.conversation_id')
    .leftJoin('blogs', 'blogs.id', 'entries.blog_id')
    .select([
      'entries.id',
      'entries.kind',
      'entries.url',
      'entries.title',
      'entries.author_name',
      'entries.author_url',
      'entries.content_html',
      'entries.excerpt',
      'entries.lang',
      'entries.published_at',
      'entries.updated_at',
      'entries.sort_at',
      'entries.changed_at',
      'entries.tombstoned_at',
      'entries.target_url',
      'entries.conversation_id',
      'entries.blog_id',
      'blogs.title as blog_title',
      'blogs.home_url as blog_home_url',
      'conversations.updated_at as conversation_updated_at',
    ])
    .where('entries.same_as_id', 'is', null);
}
type FeedRow = Awaited<ReturnType<ReturnType<typeof feedRows>['execute']>>[number];

// The newest entries of one conversation, from the end of its index; compiled once, as a group's
// feed runs it for each conversation that may hold one of its newest entries.
const newestOfConversation = prepare(2, (db, [conversationId, limit]: [number, number]) =>
  feedRows(db).where('entries.conversation_id', '=', conversationId).orderBy('entries.sort_at', 'desc').orderBy('entries.id', 'desc').limit(limit),
);

// Newest first, as the statements order them.
const newestFirst = (a: FeedRow, b: FeedRow) => (a.sort_at < b.sort_at ? 1 : a.sort_at > b.sort_at ? -1 : b.id - a.id);

// The date of each conversation's newest entry that a feed shows: the rows and filter of feedRows,
// one step back from the end of the conversation's index. One statement for all of them (5,000
// conversations: 40 ms on SQLite, 25 ms on PostgreSQL); a statement each took 0.11 s and 0.8 s.
// By date alone, without the id that orders ties: PostgreSQL's index holds no id, and with it each
// step became a sort (20,000 conversations: 0.31 s against 0.18 s).
async function listNewestDates(db: Db, ids: readonly number[]): Promise<{ id: number; newestAt: string }[]> {
  const newest = feedRows(db).clearSelect().select('entries.sort_at').where('entries.conversation_id', '=', sql.ref<number>('c.id')).orderBy('entries.sort_at', 'desc').limit(1);
  const rows = await db.selectFrom(conversationIdsIn(db, ids).as('c')).select(['c.id', newest.as('newest_at')]).execute();
  const dated = rows.filter((r): r is { id: number; newest_at: string } => r.newest_at !== null);
  return dated.map((r) => ({ id: r.id, newestAt: r.newest_at })).sort((a, b) => (a.newestAt < b.newestAt ? 1 : a.newestAt > b.newestAt ? -1 : 0));
}

/**
 * The newest `limit` entries of a group's conversations (kept ids, as its pages read them). One
 * statement over them all sorts every entry of every conversation (1.1 s on SQLite for 5,000
 * conversations of 314,000 entries). Instead the conversations are taken newest first by the date
 * of their newest entry, and each gives its newest entries, as many as can still make the list:
 * those held that are newer than its newest entry stay ahead of all of it. Once `limit` are held
 * and the next conversation's newest entry is older than the last of them, nothing of it can
 * enter, nor of any after it (whose newest entries are older still). One whose newest entry has
 * the date of the last held is read, as an entry of it may come first by a later id. Where dates
 * do not tie, at most `limit` conversations are read: the newest entry of each one read stays held.
 */
async function newestOfGroup(db: Db, slug: string, limit: number): Promise<FeedRow[]> {
  const ids = await listGroupConversationIds(db, { slug });
  if (ids.length === 0 || limit <= 0) return [];
  let held: FeedRow[] = [];
  for (const { id, newestAt } of await listNewestDates(db, ids)) {
    if (held.length === limit && held[limit - 1]!.sort_at > newestAt) break;
    const ahead = held.filter((r) => r.sort_at > newestAt).length;
    const rows = (await newestOfConversation(db, [id, limit - ahead])).rows;
    held = [...held, ...rows].sort(newestFirst).slice(0, limit);
  }
  return held;
}

/** Lists the newest `limit` visible entries of a scope, newest first, ready to become feed items. */
export async function listFeedEntries(db: Db, scope: FeedScope, limit: number): Promise<FeedEntry[]> {
  let q = feedRows(db);
  // Each scope walks its own index backwards: entries(sort_at), (blog_id, sort_at), (conversation_id, sort_at).
  if (scope.kind === 'blog') q = q.where('entries.blog_id', '=', scope.id);
  else if (scope.kind === 'conversation') q = q.where('entries.conversation_id', '=', scope.id);
  const rows = scope.kind === 'group' ? await newestOfGroup(db, scope.slug, limit) : await q.orderBy('entries.sort_at', 'desc').orderBy('entries.id', 'desc').limit(limit).execute();
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);

  const records = await db
    .selectFrom('entries')
    .select(['id', 'same_as_id', 'tombstoned_at', 'changed_at'])
    .where('same_as_id', 'in', ids)
    .execute();
  const primaryOfRecord = new Map<number, number>(records.map((r) => [r.id, r.same_as_id!]));
  const ownAndRecordIds = [...ids, ...records.map((r) => r.id)];
  // A record of a ping that was taken down only loses its channel (see tombstoneLinkback).
  const goneRecords = new Set(records.filter((r) => r.tombstoned_at !== null).map((r) => r.id));

  const channels = await db
    .selectFrom('entry_channels')
    .select(['entry_id', 'via', 'first_seen_at'])
    .where('entry_id', 'in', ownAndRecordIds)
    .orderBy('first_seen_at')
    .orderBy('via')
    .execute();
  const edges = await db
    .selectFrom('edges')
    .select(['from_entry_id', 'to_entry_id', 'type'])
    .where('from_entry_id', 'in', ownAndRecordIds)
    .where('to_entry_id', 'is not', null)
    .where('type', '!=', 'same-as')
    .execute();
  const refs = await findVisibleRefs(db, edges.map((e) => e.to_entry_id!));

  const blogIds = [...new Set(rows.map((r) => r.blog_id).filter((id): id is number => id !== null))];
  const feedUrlOf = new Map<number, string>();
  if (blogIds.length) {
    const feeds = await db.selectFrom('sources').select(['blog_id', 'url']).where('kind', '=', 'feed').where('blog_id', 'in', blogIds).orderBy('id').execute();
    for (const f of feeds) if (!feedUrlOf.has(f.blog_id)) feedUrlOf.set(f.blog_id, f.url);
  }

  const viaOf = new Map<number, Channel[]>();
  const changedOf = new Map<number, string>();
  const bump = (id: number, at: string) => {
    const seen = changedOf.get(id);
    if (!seen || at > seen) changedOf.set(id, at);
  };
  for (const r of records) bump(r.same_as_id!, r.changed_at);
  for (const c of channels) {
    if (goneRecords.has(c.entry_id)) continue;
    const primary = primaryOfRecord.get(c.entry_id) ?? c.entry_id;
    const list = viaOf.get(primary) ?? [];
    if (!list.includes(c.via)) list.push(c.via);
    viaOf.set(primary, list);
    bump(primary, c.first_seen_at);
  }

  const parentOf = new Map<number, { ref: FeedEntryRef; type: EdgeType; own: boolean }>();
  const postOf = new Map<number, FeedEntryRef>();
  for (const e of edges) {
    const from = primaryOfRecord.get(e.from_entry_id) ?? e.from_entry_id;
    const to = refs.get(e.to_entry_id!);
    if (!to || to.id === from) continue;
    const own = from === e.from_entry_id;
    if (e.type === 'comment-of' && (own || !postOf.has(from))) postOf.set(from, to);
    const current = parentOf.get(from);
    const better =
      !current ||
      // The entry's own statements outrank those of its ping records.
      (own && !current.own) ||
      (own === current.own && replyPreference.indexOf(e.type) < replyPreference.indexOf(current.type));
    if (better) parentOf.set(from, { ref: to, type: e.type, own });
  }

  const replyCounts = await countReplies(
    db,
    rows.filter((r) => r.kind === 'post').map((r) => r.id),
    records,
  );

  return rows.map((r) => {
    const changed = [r.changed_at, r.conversation_updated_at, changedOf.get(r.id) ?? ''].reduce((a, b) => (b > a ? b : a));
    return {
      id: r.id,
      kind: r.kind,
      url: r.url,
      title: r.title,
      authorName: r.author_name,
      authorUrl: r.author_url,
      contentHtml: r.content_html,
      excerpt: r.excerpt,
      lang: r.lang,
      publishedAt: r.published_at,
      updatedAt: r.updated_at,
      sortAt: r.sort_at,
      tombstonedAt: r.tombstoned_at,
      targetUrl: r.target_url,
      conversationId: r.conversation_id!,
      blog:
        r.blog_id !== null && r.blog_home_url !== null
          ? { id: r.blog_id, title: r.blog_title, homeUrl: r.blog_home_url, feedUrl: feedUrlOf.get(r.blog_id) ?? null }
          : null,
      via: viaOf.get(r.id) ?? [],
      parent: parentOf.get(r.id)?.ref ?? null,
      post: postOf.get(r.id) ?? null,
      replyCount: replyCounts.get(r.id) ?? 0,
      lastChangedAt: changed,
    };
  });
}

// Finds the visible entries behind edge targets: a target that is a record of a ping stands for
// the post it merged with. Chains are short (a record points at a post); a few rounds suffice.
async function findVisibleRefs(db: Db, targetIds: number[]): Promise<Map<number, FeedEntryRef>> {
  const out = new Map<number, FeedEntryRef>();
  const pending = new Map<number, number[]>();
  for (const id of new Set(targetIds)) pending.set(id, [id]);
  for (let round = 0; round < 4 && pending.size > 0; round++) {
    const rows = await db
      .selectFrom('entries')
      .select(['id', 'kind', 'title', 'url', 'author_name', 'same_as_id'])
      .where('id', 'in', [...pending.keys()])
      .execute();
    const next = new Map<number, number[]>();
    for (const row of rows) {
      const askedFor = pending.get(row.id) ?? [];
      if (row.same_as_id === null || row.same_as_id === row.id) {
        const ref = { id: row.id, kind: row.kind, title: row.title, url: row.url, authorName: row.author_name };
        for (const asked of askedFor) out.set(asked, ref);
      } else {
        next.set(row.same_as_id, [...(next.get(row.same_as_id) ?? []), ...askedFor]);
      }
    }
    pending.clear();
    for (const [k, v] of next) pending.set(k, v);
  }
  return out;
}

// Counts, per post, the distinct entries that answer it or one of its ping records: comments
// threaded under other comments too (as WordPress's comment count does), pings and linking posts.
// Counted in SQL: a post of a thousand comments read each answer into the feed (50 such posts took
// a render 96-286 ms).
async function countReplies(db: Db, postIds: number[], records: { id: number; same_as_id: number | null }[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  if (postIds.length === 0) return counts;
  const posts = new Set(postIds);
  const recordsOfPosts = records.filter((r) => posts.has(r.same_as_id!));
  // An answer to a record counts toward the post the record stands for.
  const post = recordsOfPosts.length === 0
    ? sql<number>`edges.to_entry_id`
    : sql<number>`case edges.to_entry_id ${sql.join(recordsOfPosts.map((r) => sql`when ${r.id} then ${r.same_as_id}`), sql` `)} else edges.to_entry_id end`;
  const answerer = sql<number>`coalesce(src.same_as_id, src.id)`;
  const rows = await db
    .selectFrom('edges')
    .innerJoin('entries as src', 'src.id', 'edges.from_entry_id')
    .select([post.as('post'), sql<number | string>`count(distinct ${answerer})`.as('n')])
    .where('edges.to_entry_id', 'in', [...postIds, ...recordsOfPosts.map((r) => r.id)])
    .where('edges.type', 'in', answeringEdges)
    .where(sql<SqlBool>`${answerer} <> ${post}`)
    // By position: the same expression written twice binds its values twice, which PostgreSQL does not match.
    .groupBy(sql`1`)
    .execute();
  for (const r of rows) counts.set(Number(r.post), Number(r.n));
  return counts;
}

/**
 * Returns a key that changes whenever a scope's feed may have changed: the newest change of its
 * entries (content, channels, tombstones) and the newest entry id; a conversation's own version
 * for a conversation. Cheap on a large database (indexes on changed_at).
 */
export async function findFeedVersion(db: Db, scope: FeedScope): Promise<string> {
  if (scope.kind === 'conversation') {
    const row = await db.selectFrom('conversations').select(['updated_at', 'entry_count']).where('id', '=', scope.id).executeTakeFirst();
    return `c${scope.id}:${row?.updated_at ?? ''}:${row?.entry_count ?? 0}`;
  }
  if (scope.kind === 'group') return findGroupVersion(db, { slug: scope.slug });
  // One aggregate per query: SQLite answers a lone max() from the index without a scan.
  let changed = db.selectFrom('entries').select((eb) => eb.fn.max<string>('changed_at').as('v'));
  let newest = db.selectFrom('entries').select((eb) => eb.fn.max<number>('id').as('v'));
  if (scope.kind === 'blog') {
    changed = changed.where('blog_id', '=', scope.id);
    newest = newest.where('blog_id', '=', scope.id);
  }
  const [c, n] = [await changed.executeTakeFirst(), await newest.executeTakeFirst()];
  return `${scope.kind === 'blog' ? `b${scope.id}` : 'all'}:${c?.v ?? ''}:${n?.v ?? 0}`;
}

/** Lists the conversations (surviving a merge) and blogs that these entries appear in. */
export async function listEntryScopes(db: Db, entryIds: number[]): Promise<{ conversationIds: number[]; blogIds: number[] }> {
  const conversationIds = new Set<number>();
  const blogIds = new Set<number>();
  for (const part of keptLengthParts(entryIds)) for (const r of (await entryScopes(part.length)(db, part)).rows) {
    if (r.blogId !== null) blogIds.add(r.blogId);
    if (r.conversationId !== null) conversationIds.add(r.mergedInto ?? r.conversationId);
  }
  return { conversationIds: [...conversationIds], blogIds: [...blogIds] };
}

const entryScopes = preparedList(1, (db, ids: [number][]) =>
  db
    .selectFrom('entries')
    .leftJoin('conversations', 'conversations.id', 'entries.conversation_id')
    .select(['entries.blog_id as blogId', 'entries.conversation_id as conversationId', 'conversations.merged_into_id as mergedInto'])
    .where('entries.id', 'in', ids.map(([id]) => id)),
);

/** Tells whether a conversation (not merged away) or a blog exists, for a topic's validity. */
export async function existsFeedScope(db: Db, scope: 'conversation' | 'blog', id: number): Promise<boolean> {
  if (scope === 'blog') return (await db.selectFrom('blogs').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  const row = await db.selectFrom('conversations').select('id').where('id', '=', id).where('merged_into_id', 'is', null).executeTakeFirst();
  return row !== undefined;
}
