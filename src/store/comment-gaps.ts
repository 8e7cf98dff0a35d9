// store: how many comments a post reports against how many Palaver has (the "may be missing"
// figure of conversations and blog pages), and the lookups the comment completion step needs.
// A comment is present once whatever channels brought it; a ping WordPress counts as a comment
// is present when it came as a comment record or in the blog's own listing of pings.
import { sql } from 'kysely';
import type { Db } from '../db/open.ts';
import type { CommentGap } from '../domain/models.ts';
import { writeHeldChannels } from './held-channels.ts';
import { sourceKinds, type EdgeType, type EntryKind } from '../domain/vocabulary.ts';
import { heldCommentKeys, heldCommentersOf, heldConversationOf, heldEdgesFrom, heldEntryRow, readConversationOf, writeHeldThreading, type NewEdgeRow } from './held-threading.ts';
import { firstRow, prepare, preparedList } from './prepared.ts';

/**
 * Counts the comments Palaver has of a post: entries with a comment-of edge to it, and pings the
 * blog's listing named (they are in WordPress's count too), each ping once however it came.
 */
export async function countKnownComments(db: Db, postId: number): Promise<number> {
  // Pings listed by the blog count by their channel: a held one is written before it is counted.
  await writeHeldChannels(db, ['listing']);
  // Comments whose edges found the post in this transaction and are held count with those
  // written, by their entries' rows (a comment feed's part would otherwise write its threading at
  // every comment); other held writes that make comments are written first.
  const commenters = heldCommentersOf(db, postId);
  if (commenters === undefined) await writeHeldThreading(db);
  if (!commenters?.length) return Number((await firstRow(knownComments, db, [postId]))?.n ?? 0);
  const ids = [...new Set(commenters)];
  // Their rows held too (a part's new entries are written with their conversations): their keys as the rows will give them.
  const keys = heldCommentKeys(db, ids);
  if (keys) return Number((await knownCommentsWithKeys(keys.length)(db, [...keys, postId])).rows[0]?.n ?? 0);
  return Number((await knownCommentsWith(ids.length)(db, [...ids, postId])).rows[0]?.n ?? 0);
}

/** The count of countKnownComments as an expression (a scalar subquery), to read along with other things. */
export function knownCommentsOf(postId: unknown) {
  return sql<number | string>`(select count(*) from (${knownCommentKeys(postId)}) as known)`;
}

const knownCommentKeys = (postId: unknown) => sql`
      select coalesce(e.source_key, 'entry:' || e.id) as k
        from edges x join entries e on e.id = x.from_entry_id
       where x.to_entry_id = ${postId} and x.type = 'comment-of'
      union
      select e.source_key as k
        from edges x join entries e on e.id = x.from_entry_id
       where x.to_entry_id = ${postId} and x.type = 'linkback' and e.source_key is not null
         and exists (select 1 from entry_channels c where c.entry_id = e.id and c.via = 'listing')`;

const knownComments = prepare(1, (db, [postId]: [number]) => {
  const query = sql<{ n: number }>`select count(*) as n from (${knownCommentKeys(postId)}) as known`;
  return { compile: () => query.compile(db) };
});

// knownComments with new entries whose comment-of edges to the post are held in memory: their
// keys as the edges would give them once written.
const knownCommentsWith = preparedList(1, (db, ids: [number][], [postId]: [number]) => {
  const held = sql`select coalesce(e.source_key, 'entry:' || e.id) as k from entries e where e.id in (${sql.join(ids.map(([id]) => id))})`;
  const query = sql<{ n: number }>`select count(*) as n from (${knownCommentKeys(postId)} union ${held}) as known`;
  return { compile: () => query.compile(db) };
}, 1);

const knownCommentsWithKeys = preparedList(1, (db, keys: [string][], [postId]: [number]) => {
  const held = sql.join(keys.map(([key]) => sql`select ${key} as k`), sql` union `);
  const query = sql<{ n: number }>`select count(*) as n from (${knownCommentKeys(postId)} union ${held}) as known`;
  return { compile: () => query.compile(db) };
}, 1);

/**
 * Finds the post an entry counts toward (the post it comments on, or the post a listed ping
 * names), with the count the post reports; undefined when it counts toward none.
 */
export async function findCountedPost(db: Db, entryId: number): Promise<{ id: number; commentCount: number | null; conversationId: number | null } | undefined> {
  await writeHeldChannels(db, ['listing']);
  // A new entry of a part of a feed: its edges are held, and the posts they found are read by id
  // rather than writing the part's threading first (a comment feed would write it at every comment).
  const heldEdges = heldEdgesFrom(db, entryId);
  const row = heldEdges ? await countedPostAmong(db, entryId, heldEdges) : await firstRow(countedPost, db, [entryId, entryId]);
  // A post that joined its conversation in this transaction may hold it in memory still.
  return row ? { id: row.id, commentCount: row.comment_count, conversationId: row.conversation_id ?? heldConversationOf(db, row.id) ?? null } : undefined;
}

const countedPost = prepare(2, (db, [entryId, sameEntryId]: [number, number]) =>
  db
    .selectFrom('edges')
    .innerJoin('entries as p', 'p.id', 'edges.to_entry_id')
    .select(['p.id', 'p.comment_count', 'p.conversation_id'])
    .where('edges.from_entry_id', '=', entryId)
    .where('p.kind', '=', 'post')
    .where((eb) =>
      eb.or([
        eb('edges.type', '=', 'comment-of'),
        eb.and([
          eb('edges.type', '=', 'linkback'),
          eb.exists(eb.selectFrom('entry_channels').select('entry_id').where('entry_id', '=', sameEntryId).where('via', '=', 'listing')),
        ]),
      ]),
    )
    .orderBy(sql`case when edges.type = 'comment-of' then 0 else 1 end`)
    .limit(1),
);

/**
 * countedPost over edges held in memory: the first post a comment-of edge found, else the first
 * a linkback found when the blog's listing named the entry. Among several edges of one type, the
 * one that came first.
 */
async function countedPostAmong(db: Db, entryId: number, edges: readonly NewEdgeRow[]): Promise<{ id: number; comment_count: number | null; conversation_id: number | null } | undefined> {
  const toward = (type: EdgeType) => edges.filter((e) => e.type === type && e.to !== null).map((e) => e.to!);
  const commentOf = toward('comment-of');
  let linkback = toward('linkback');
  if (commentOf.length === 0 && linkback.length === 0) return undefined;
  if (linkback.length > 0 && !(await firstRow(listedChannel, db, [entryId]))) linkback = [];
  const ids = [...new Set([...commentOf, ...linkback])];
  if (ids.length === 0) return undefined;
  // The part's later comments on the same posts ask again: what it read is kept for them, and
  // the conversation taken from what the part holds or has read and locked (held-threading.ts).
  let known = entriesOfPart.get(db);
  if (!known) entriesOfPart.set(db, (known = new Map()));
  const conversationOf = (id: number) => heldConversationOf(db, id) ?? readConversationOf(db, id);
  const read = new Map<number, number | null>();
  // A post of the part itself whose row is held: as it will be written.
  for (const id of ids) {
    const row = heldEntryRow(db, id);
    if (row) known.set(id, { kind: row.draft.kind, comment_count: row.draft.commentCount });
  }
  const unknown = ids.filter((id) => !known.has(id) || conversationOf(id) === undefined);
  if (unknown.length > 0) {
    for (const row of (await countedPostsById(unknown.length)(db, unknown)).rows) {
      known.set(row.id, { kind: row.kind, comment_count: row.comment_count });
      read.set(row.id, row.conversation_id);
    }
  }
  for (const id of ids) {
    const entry = known.get(id);
    if (entry?.kind === 'post') return { id, comment_count: entry.comment_count, conversation_id: read.has(id) ? read.get(id)! : (conversationOf(id) ?? null) };
  }
  return undefined;
}

// Per transaction of a part whose writes are held: the kind and reported comment count of the
// entries its comments counted toward. No write of such a part changes them (an edited item, a
// count an unchanged item reports or the completion step raises is stored outside one).
const entriesOfPart = new WeakMap<object, Map<number, { kind: EntryKind; comment_count: number | null }>>();

const listedChannel = prepare(1, (db, [entryId]: [number]) => db.selectFrom('entry_channels').select('entry_id').where('entry_id', '=', entryId).where('via', '=', 'listing'));

const countedPostsById = preparedList(1, (db, ids: [number][]) => db.selectFrom('entries').select(['id', 'kind', 'comment_count', 'conversation_id']).where('id', 'in', ids.map(([id]) => id)));

/** The post a post-comments source belongs to, as the completion step needs it. */
export interface CommentedPost {
  id: number;
  blogId: number | null;
  guid: string | null;
  url: string | null;
  commentCount: number | null;
  conversationId: number | null;
}

/** Finds a post by id with its reported comment count. */
export async function findCommentedPost(db: Db, postId: number): Promise<CommentedPost | undefined> {
  const row = await db.selectFrom('entries').select(['id', 'blog_id', 'guid', 'url', 'comment_count', 'conversation_id']).where('id', '=', postId).executeTakeFirst();
  return row ? { id: row.id, blogId: row.blog_id, guid: row.guid, url: row.url, commentCount: row.comment_count, conversationId: row.conversation_id } : undefined;
}

/**
 * Raises the count a post reports when another source says more (the REST API's X-WP-Total,
 * Blogger's openSearch:totalResults, the post feed read again). Returns the post's conversation
 * and the count before when the count rose (its "may be missing" figure moves), else null. In
 * the caller's transaction, with the post's conversation locked first.
 */
export async function raisePostCommentCount(db: Db, postId: number, count: number): Promise<{ conversationId: number | null; before: number | null } | null> {
  const post = await db.selectFrom('entries').select(['comment_count', 'conversation_id']).where('id', '=', postId).executeTakeFirst();
  if (!post || (post.comment_count !== null && post.comment_count >= count)) return null;
  await db.updateTable('entries').set({ comment_count: count }).where('id', '=', postId).execute();
  return { conversationId: post.conversation_id, before: post.comment_count };
}

/** Lists which of these identities a blog already has. */
export async function listStoredIdentities(db: Db, blogId: number, identities: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  // SQLite allows 32,766 parameters; chunks keep far below.
  for (let i = 0; i < identities.length; i += 500) {
    const chunk = identities.slice(i, i + 500);
    const rows = await db.selectFrom('entries').select('identity').where('blog_id', '=', blogId).where('identity', 'in', chunk).execute();
    for (const r of rows) found.add(r.identity);
  }
  return found;
}

/** Finds when Palaver first saw an entry of a blog, by identity. */
export async function findFirstSeenAt(db: Db, blogId: number, identity: string): Promise<string | undefined> {
  const row = await db.selectFrom('entries').select('first_seen_at').where('blog_id', '=', blogId).where('identity', '=', identity).executeTakeFirst();
  return row?.first_seen_at;
}

/**
 * Makes the comment sources of the posts these comments belong to due now: a new comment in
 * the site's comment feed says the post's thread moved, whatever its post feed answers.
 */
export async function wakeCommentSourcesOfComments(db: Db, commentIds: number[], now: string): Promise<number> {
  if (commentIds.length === 0) return 0;
  const result = await db
    .updateTable('sources')
    .set({ next_check_at: now, updated_at: now })
    .where('kind', '=', 'post-comments')
    .where('disabled_at', 'is', null)
    .where('next_check_at', '>', now)
    .where('entry_id', 'in', (eb) =>
      eb.selectFrom('edges').select('to_entry_id').where('from_entry_id', 'in', commentIds.slice(0, 500)).where('type', '=', 'comment-of').where('to_entry_id', 'is not', null),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0);
}

/**
 * Returns a key that changes when a blog's comment gaps may have: its newest entry change (a
 * post, an edit, a comment of its feeds), its newest comment source, and the newest check of its
 * own feeds and listings (a post feed that reports another comment count changes no entry). Read
 * from an index each and the rows of its own sources: 0.03-0.26 ms for a blog of 110,000 entries
 * and 10,000 comment feeds.
 * It does not see what the completion step alone finds (a note, a count it raises), nor a ping
 * verified after its listing was read: the conversations' rows do, but finding the blog's took
 * 6-14 ms there.
 */
export async function findCommentGapsVersion(db: Db, blogId: number): Promise<string> {
  const row = await firstRow(commentGapsVersion, db, [blogId, blogId, blogId]);
  return `b${blogId}:${row?.changed ?? ''}:${row?.source ?? 0}:${row?.checked ?? ''}`;
}

const ownSourceKinds = sourceKinds.filter((k) => k !== 'post-comments');

// Compiled once: building and compiling the query took 0.4-1.2 ms a view, more than running it.
const commentGapsVersion = prepare(3, (db, [ofEntries, ofCommentSources, ofOwnSources]: [number, number, number]) =>
  db.selectNoFrom((eb) => [
    eb.selectFrom('entries').select((e) => e.fn.max('changed_at').as('v')).where('blog_id', '=', ofEntries).as('changed'),
    eb.selectFrom('sources').select((s) => s.fn.max('id').as('v')).where('blog_id', '=', ofCommentSources).where('kind', '=', 'post-comments').as('source'),
    eb.selectFrom('sources').select((s) => s.fn.max('updated_at').as('v')).where('blog_id', '=', ofOwnSources).where('kind', 'in', ownSourceKinds).as('checked'),
  ]),
);

/**
 * Lists the posts of a blog that report more comments than Palaver has, most missing first: one
 * statement, counting each post's comments where they are stored. Counted with a statement a
 * post, a blog of 20,000 commented posts took its page 14 s.
 */
export async function listCommentGapsOfBlog(db: Db, blogId: number, limit = 50): Promise<CommentGap[]> {
  const commentSource = (column: 'id' | 'gap_note') =>
    sql<string | number | null>`(select s.${sql.ref(column)} from sources s where s.entry_id = p.id and s.kind = 'post-comments' order by s.id limit 1)`;
  const posts = db
    .selectFrom('entries as p')
    .select((eb) => ['p.id', 'p.title', 'p.url', 'p.conversation_id', 'p.comment_count', knownCommentsOf(eb.ref('p.id')).as('known'), commentSource('gap_note').as('gap_note'), commentSource('id').as('source_id')])
    .where('p.blog_id', '=', blogId)
    .where('p.kind', '=', 'post')
    .where('p.comment_count', '>', 0);
  const rows = await db
    .selectFrom(posts.as('g'))
    .selectAll()
    .where(sql<boolean>`g.comment_count > g.known`)
    .orderBy(sql`g.comment_count - g.known`, 'desc')
    .orderBy('g.id')
    .limit(limit)
    .execute();
  return rows.map((p) => {
    const reported = Number(p.comment_count ?? 0);
    const known = Number(p.known);
    return { postId: p.id, title: p.title, url: p.url, conversationId: p.conversation_id, reported, known, missing: reported - known, note: p.gap_note === null ? null : String(p.gap_note), sourceId: p.source_id === null ? null : Number(p.source_id) };
  });
}
