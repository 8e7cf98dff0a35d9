// store: entries (posts, comments, linkbacks) and the idempotent upsert that makes a repeated
// or interrupted poll harmless.
import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db } from '../db/open.ts';
import type { EntriesTable } from '../db/schema.ts';
import type { Entry, EntryDraft, EntryWithBlog } from '../domain/models.ts';
import { RoundupState, type EntryKind } from '../domain/vocabulary.ts';
import type { CountedEntryState } from './conversation-count-values.ts';
import { firstRow, keptLengthParts, prepare, preparedList } from './prepared.ts';

function toEntry(row: Selectable<EntriesTable>): Entry {
  return {
    id: row.id,
    blogId: row.blog_id,
    kind: row.kind,
    identity: row.identity,
    guid: row.guid,
    url: row.url,
    urlKey: row.url_key,
    title: row.title,
    authorName: row.author_name,
    authorUrl: row.author_url,
    contentHtml: row.content_html,
    excerpt: row.excerpt,
    lang: row.lang,
    publishedAt: row.published_at,
    updatedAt: row.updated_at,
    sortAt: row.sort_at,
    commentCount: row.comment_count,
    commentFeedUrl: row.comment_feed_url,
    commentsPageUrl: row.comments_page_url,
    trackbackPingUrl: row.trackback_ping_url,
    contentHash: row.content_hash,
    firstSeenAt: row.first_seen_at,
    changedAt: row.changed_at,
    tombstonedAt: row.tombstoned_at,
    conversationId: row.conversation_id,
    sameAsId: row.same_as_id,
    targetUrl: row.target_url,
  };
}

export type UpsertOutcome = 'inserted' | 'updated' | 'unchanged';

/**
 * Stores an entry of a blog, keyed by (blog, identity): new ones are inserted, edited ones
 * (a different content hash) updated, the same one again left alone. `contentText` is what
 * full-text search indexes (entries_fts follows by trigger), as threading derived it;
 * `itemHash` the hash of the feed item it was read from (null for anything else), kept so
 * that the same item again is recognised before any work (listEntryItemStates). A stored entry
 * tells what its row held before (`before`), so that its conversation need not be recounted.
 */
export async function upsertEntry(
  db: Db,
  blogId: number | null,
  draft: EntryDraft,
  now: string,
  derived: { contentText: string | null; itemHash?: string | null },
): Promise<{ id: number; outcome: UpsertOutcome; commentCountRose: boolean; commentCountBefore: number | null; before?: CountedEntryState }> {
  const itemHash = derived.itemHash ?? null;
  const existing = blogId === null ? await firstRow(storedPingRecord, db, [draft.identity]) : await firstRow(storedEntry, db, [draft.identity, blogId]);

  if (!existing) return { id: await insertNewEntry(db, blogId, draft, now, derived), outcome: 'inserted', commentCountRose: false, commentCountBefore: null };
  const { id: _id, content_hash: _hash, comment_feed_url: _feed, item_hash: _item, ...before } = existing;
  const values = entryValues(draft, derived.contentText, itemHash);

  const commentCountRose = draft.commentCount !== null && draft.commentCount > (existing.comment_count ?? 0);
  if (existing.content_hash === draft.contentHash) {
    // The comment count moves without the post changing; keep it current quietly. The item
    // hash follows the item read last, whichever feed it came from.
    if (existing.comment_count !== draft.commentCount || existing.comment_feed_url !== draft.commentFeedUrl || existing.item_hash !== itemHash) {
      await setCommentState(db, [draft.commentCount, draft.commentFeedUrl, itemHash, existing.id]);
    }
    return { id: existing.id, outcome: 'unchanged', commentCountRose, commentCountBefore: existing.comment_count, before };
  }

  await db
    .updateTable('entries')
    .set({
      ...values,
      // A post without a date keeps the place it got when first seen.
      ...(draft.publishedAt ? { sort_at: draft.publishedAt } : {}),
      changed_at: now,
    })
    .where('id', '=', existing.id)
    .execute();
  return { id: existing.id, outcome: 'updated', commentCountRose, commentCountBefore: existing.comment_count, before };
}


function entryValues(draft: EntryDraft, contentText: string | null, itemHash: string | null) {
  return {
    kind: draft.kind,
    guid: draft.guid,
    url: draft.url,
    url_key: draft.urlKey,
    title: draft.title,
    author_name: draft.authorName,
    author_url: draft.authorUrl,
    content_html: draft.contentHtml,
    content_text: contentText,
    excerpt: draft.excerpt,
    lang: draft.lang,
    published_at: draft.publishedAt,
    updated_at: draft.updatedAt,
    comment_count: draft.commentCount,
    comment_feed_url: draft.commentFeedUrl,
    comments_page_url: draft.commentsPageUrl,
    trackback_ping_url: draft.trackbackPingUrl,
    content_hash: draft.contentHash,
    item_hash: itemHash,
  };
}

/** What threading decided about a new entry, stored in its row at once (else the column defaults). */
export interface NewEntryThreading {
  sourceKey: string | null;
  roundup: RoundupState;
  targetUrl: string | null;
}

/** An entry the store does not hold yet, as insertNewEntry and insertNewEntries take it. */
export interface NewEntryRow {
  blogId: number | null;
  draft: EntryDraft;
  derived: { contentText: string | null; itemHash?: string | null };
  threading?: NewEntryThreading;
}

// The values of insertedColumns, in their order. Built as one array: an object spread with the
// threading columns added, then read column by column, took 10 µs an entry.
function newEntryValues(row: NewEntryRow, now: string): unknown[] {
  const { draft: d, derived } = row;
  const threading = row.threading;
  return [
    d.kind, d.guid, d.url, d.urlKey, d.title, d.authorName, d.authorUrl, d.contentHtml, derived.contentText, d.excerpt, d.lang, d.publishedAt, d.updatedAt,
    d.commentCount, d.commentFeedUrl, d.commentsPageUrl, d.trackbackPingUrl, d.contentHash, derived.itemHash ?? null, row.blogId, d.identity, d.publishedAt ?? d.updatedAt ?? now, now, now,
    threading?.sourceKey ?? null, threading?.roundup ?? RoundupState.None, threading?.targetUrl ?? null,
  ];
}

/**
 * Inserts an entry the store does not hold yet (the caller knows: it read the identity in this
 * transaction), with what threading decided about it in the same row write; returns its id.
 */
export async function insertNewEntry(
  db: Db,
  blogId: number | null,
  draft: EntryDraft,
  now: string,
  derived: { contentText: string | null; itemHash?: string | null },
  threading?: NewEntryThreading,
): Promise<number> {
  const row = await firstRow(insertEntry, db, newEntryValues({ blogId, draft, derived, ...(threading ? { threading } : {}) }, now));
  return row!.id;
}

/** Rows of one multi-row insert of entries: 27 values each, well within SQLite's and PostgreSQL's limits of bound values. */
export const entriesPerInsert = 25;

/**
 * Inserts entries the store does not hold yet (of distinct identities), as insertNewEntry would
 * one by one and in the same order, in statements of up to entriesPerInsert rows; returns their
 * ids in the order given.
 */
export async function insertNewEntries(db: Db, rows: NewEntryRow[], now: string): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += entriesPerInsert) {
    const part = rows.slice(i, i + entriesPerInsert);
    const result = await insertEntryRows(part.length)(db, part.flatMap((r) => newEntryValues(r, now)));
    // The order of RETURNING rows is not promised: each row is found again by its identity.
    const idOf = new Map(result.rows.map((r) => [`${r.blog_id ?? ''} ${r.identity}`, r.id]));
    for (const r of part) {
      const id = idOf.get(`${r.blogId ?? ''} ${r.draft.identity}`);
      if (id === undefined) throw new Error(`store: entry ${r.draft.identity} was not inserted`);
      ids.push(id);
    }
  }
  return ids;
}

// With what the entry's conversation counts of it, for an edit to tell what it changed (CountedEntryState).
const storedColumns = [
  'id', 'content_hash', 'comment_count', 'comment_feed_url', 'item_hash',
  'kind', 'blog_id', 'author_url', 'author_name', 'sort_at', 'title', 'excerpt', 'same_as_id', 'tombstoned_at', 'source_key',
] as const;
const storedEntry = prepare(2, (db, [identity, blogId]: [string, number]) => db.selectFrom('entries').select(storedColumns).where('identity', '=', identity).where('blog_id', '=', blogId));
const storedPingRecord = prepare(1, (db, [identity]: [string]) => db.selectFrom('entries').select(storedColumns).where('identity', '=', identity).where('blog_id', 'is', null));
const setCommentState = prepare(4, (db, [commentCount, commentFeedUrl, itemHash, id]: [number | null, string | null, string | null, number]) =>
  db.updateTable('entries').set({ comment_count: commentCount, comment_feed_url: commentFeedUrl, item_hash: itemHash }).where('id', '=', id),
);
const insertedColumns = [
  'kind', 'guid', 'url', 'url_key', 'title', 'author_name', 'author_url', 'content_html', 'content_text', 'excerpt', 'lang', 'published_at', 'updated_at',
  'comment_count', 'comment_feed_url', 'comments_page_url', 'trackback_ping_url', 'content_hash', 'item_hash', 'blog_id', 'identity', 'sort_at', 'first_seen_at', 'changed_at',
  'source_key', 'is_roundup', 'target_url',
] as const;
/** A row of insertedColumns from their values in order (stand-ins while a statement is prepared). */
const insertedRow = (args: readonly unknown[]) => Object.fromEntries(insertedColumns.map((c, i) => [c, args[i]])) as unknown as Insertable<EntriesTable>;
const insertEntry = prepare(insertedColumns.length, (db, args: readonly unknown[]) =>
  db
    .insertInto('entries')
    .values(insertedRow(args))
    .returning('id'),
);
const insertEntryRows = preparedList(insertedColumns.length, (db, rows: unknown[][]) =>
  db
    .insertInto('entries')
    .values(rows.map(insertedRow))
    .returning(['id', 'blog_id', 'identity']),
);

const insertEntryRowsWithIds = preparedList(insertedColumns.length + 2, (db, rows: unknown[][]) =>
  db
    .insertInto('entries')
    .values(rows.map(([id, conversationId, ...args]) => ({ id: id as number, conversation_id: conversationId as number | null, ...insertedRow(args) }))),
);

/**
 * Inserts new entries under the ids taken for them ahead (takeEntryIds), each with the
 * conversation it joined (null: none yet), as insertNewEntries would write them otherwise: a part
 * of a feed writes each new entry's row once, after its threading (held-threading.ts).
 */
export async function insertEntriesWithIds(db: Db, rows: readonly { id: number; conversationId: number | null; row: NewEntryRow; now: string }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += entriesPerInsert) {
    const part = rows.slice(i, i + entriesPerInsert);
    await insertEntryRowsWithIds(part.length)(db, part.flatMap((r) => [r.id, r.conversationId, ...newEntryValues(r.row, r.now)]));
  }
}

/** What a poll needs to know of a stored entry to leave the same feed item alone. */
export interface EntryItemState {
  id: number;
  kind: EntryKind;
  itemHash: string | null;
  commentCount: number | null;
  conversationId: number | null;
}

/** Lists, by identity, what the store holds of a blog's entries with these identities: one query for a feed's items. */
export async function listEntryItemStates(db: Db, blogId: number, identities: string[]): Promise<Map<string, EntryItemState>> {
  const out = new Map<string, EntryItemState>();
  for (const part of keptLengthParts(identities)) {
    const { rows } = await itemStates(part.length)(db, [...part, blogId]);
    for (const r of rows) out.set(r.identity, { id: r.id, kind: r.kind, itemHash: r.item_hash, commentCount: r.comment_count, conversationId: r.conversation_id });
  }
  return out;
}

const itemStates = preparedList(
  1,
  (db, identities: [string][], [blogId]: [number]) =>
    db
      .selectFrom('entries')
      .select(['id', 'identity', 'kind', 'item_hash', 'comment_count', 'conversation_id'])
      .where('blog_id', '=', blogId)
      .where('identity', 'in', identities.map(([i]) => i)),
  1,
);

/** Stores a post's reported comment count quietly (the entry itself is unchanged). */
export async function updateEntryCommentCount(db: Db, id: number, commentCount: number | null): Promise<void> {
  await db.updateTable('entries').set({ comment_count: commentCount }).where('id', '=', id).execute();
}

/** Starts a query over entries joined with their blog's title and home page. */
export function selectEntriesWithBlog(db: Db) {
  return db
    .selectFrom('entries')
    .leftJoin('blogs', 'blogs.id', 'entries.blog_id')
    .selectAll('entries')
    .select(['blogs.title as blog_title', 'blogs.home_url as blog_home_url']);
}

type EntryWithBlogRow = Selectable<EntriesTable> & { blog_title: string | null; blog_home_url: string | null };

/** Maps a row of selectEntriesWithBlog. */
export function toEntryWithBlog(row: EntryWithBlogRow): EntryWithBlog {
  return {
    ...toEntry(row),
    blog: row.blog_id !== null && row.blog_home_url !== null ? { id: row.blog_id, title: row.blog_title, homeUrl: row.blog_home_url } : null,
  };
}

/** Lists the newest entries of every blog (optionally of some kinds), newest first. */
export async function listRecentEntries(
  db: Db,
  options: { limit: number; offset?: number; kinds?: EntryKind[] },
): Promise<EntryWithBlog[]> {
  let q = selectEntriesWithBlog(db).where('entries.tombstoned_at', 'is', null).where('entries.same_as_id', 'is', null);
  if (options.kinds?.length) q = q.where('entries.kind', 'in', options.kinds);
  const rows = await q
    .orderBy('entries.sort_at', 'desc')
    .orderBy('entries.id', 'desc')
    .limit(options.limit)
    .offset(options.offset ?? 0)
    .execute();
  return rows.map(toEntryWithBlog);
}

/**
 * Lists a blog's newest entries, each node once: a record merged into another entry (a pingback
 * WordPress shows as a comment, merged into the post that sent it) is that entry, listed by its own blog.
 */
export async function listEntriesByBlog(db: Db, blogId: number, limit: number): Promise<EntryWithBlog[]> {
  const rows = await selectEntriesWithBlog(db)
    .where('entries.blog_id', '=', blogId)
    .where('entries.same_as_id', 'is', null)
    .orderBy('entries.sort_at', 'desc')
    .orderBy('entries.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toEntryWithBlog);
}

/** Counts entries (nodes: records merged into another entry are not counted again), optionally of one blog. */
export async function countEntries(db: Db, blogId?: number): Promise<number> {
  let q = db.selectFrom('entries').select((eb) => eb.fn.countAll<number>().as('n')).where('same_as_id', 'is', null);
  if (blogId !== undefined) q = q.where('blog_id', '=', blogId);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Counts the entries of each of `blogIds` as countEntries does, in one statement over the index
 * of a blog's nodes (migration 0021); a blog without entries is not in the map.
 */
export async function countEntriesOfBlogs(db: Db, blogIds: number[]): Promise<Map<number, number>> {
  if (blogIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('entries')
    .select(['blog_id', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('same_as_id', 'is', null)
    .where('blog_id', 'in', blogIds)
    .groupBy('blog_id')
    .execute();
  return new Map(rows.map((r) => [Number(r.blog_id), Number(r.n)]));
}

/** Finds an entry by id. */
export async function findEntryById(db: Db, id: number): Promise<EntryWithBlog | undefined> {
  const row = await selectEntriesWithBlog(db).where('entries.id', '=', id).executeTakeFirst();
  return row ? toEntryWithBlog(row) : undefined;
}

/** Finds the entry of a registered blog at a URL (after URL normalisation), the post first. */
export async function findBlogEntryByUrl(db: Db, key: string): Promise<EntryWithBlog | undefined> {
  const row = await selectEntriesWithBlog(db)
    .where('entries.url_key', '=', key)
    .where('entries.blog_id', 'is not', null)
    .where('entries.same_as_id', 'is', null)
    // A pending blog's entries are not threaded yet, so nothing can be pinged there.
    .where('entries.conversation_id', 'is not', null)
    .orderBy(sql`case when entries.kind = 'post' then 0 else 1 end`)
    .orderBy('entries.id')
    .limit(1)
    .executeTakeFirst();
  return row ? toEntryWithBlog(row) : undefined;
}
