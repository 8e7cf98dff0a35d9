// store: the counts of a conversation (entries, posts, comments, linkbacks, blogs, authors, the
// comments that may be missing, root, title, activity and rank): counted from an arriving entry
// alone where it can, held in memory for a part of a feed and written once, or recounted from
// the conversation's entries (after merges in a part of a feed, once as the part writes its
// counts). SQL only; conversation-union.ts decides which conversation.
import type { Selectable } from 'kysely';
import type { Db } from '../db/open.ts';
import type { ConversationsTable } from '../db/schema.ts';
import { rankConversation } from '../domain/rank.ts';
import { linkbackChannels, type EntryKind } from '../domain/vocabulary.ts';
import { countKnownComments, findCountedPost } from './comment-gaps.ts';
import { writeHeldChannels } from './held-channels.ts';
import { holdsCommentsOf, holdsEntriesOf, writeHeldThreading } from './held-threading.ts';
import { firstRow } from './prepared.ts';
import { entryCountReadAhead, forgetReadAhead, readAhead, readAheadOf } from './arrivals-ahead.ts';
import {
  arrivalContext,
  arrivalContextWithComments,
  countedConversation,
  countedEntry,
  insertCountedConversation,
  linkbackChannel,
  mergeOverlap,
  otherOfAuthor,
  otherOfBlog,
  recountReading,
  rootEntry,
  setConversationCounts,
  setManyConversationCounts,
  type ConversationCountsRow,
} from './conversation-count-statements.ts';
import { authorKeyOf, combinedCounts, conversationTitleOf, countedInto, emptyConversation, withCounts, type ArrivedEntry, type CountedRoot } from './conversation-count-values.ts';

export { authorKeyOf, type ArrivedEntry } from './conversation-count-values.ts';

/**
 * Inserts the conversation a new entry starts on its own, with its counts: a comment's post is in
 * another conversation, so only a post's own count can be missing. Returns its id.
 */
export async function startCountedConversation(db: Db, entryId: number, arrival: ArrivedEntry, now: string): Promise<number> {
  const missing = arrival.kind === 'post' && arrival.commentCount !== null ? Math.max(0, arrival.commentCount - (arrival.answered ? await countKnownComments(db, entryId) : 0)) : 0;
  const counts = countedInto(emptyConversation, arrival, { id: entryId }, missing);
  const id = (await firstRow(insertCountedConversation, db, [...counts, now, now]))!.id;
  // Counts held for a part: the entries of the part that join it later count on from these
  // without reading them back (nothing to write unless they do).
  const authorKey = authorKeyOf(arrival);
  deferred.get(db)?.set(id, {
    row: withCounts({ id, merged_into_id: null, created_at: now }, counts, now),
    blogs: new Set(arrival.blogId === null ? [] : [arrival.blogId]),
    authors: new Set(authorKey === null ? [] : [authorKey]),
    root: { id: entryId, kind: arrival.kind, sort_at: arrival.sortAt },
  });
  return id;
}

/**
 * The entry count of a conversation as this transaction knows it without reading it again: with
 * the entries counted but not written yet (deferConversationCounts), as its merges and arrivals
 * left it until its recount (recountMerged), or as read ahead for the part (readArrivalsAhead);
 * undefined when it knows none of these. What union by size compares.
 */
export function knownEntryCount(db: Db, conversationId: number): number | undefined {
  return recounts.get(db)?.get(conversationId)?.entries ?? deferred.get(db)?.get(conversationId)?.row.entry_count ?? entryCountReadAhead(db, conversationId);
}

/**
 * Counts a new entry into its conversation without reading the conversation's other entries:
 * a few indexed lookups (is its blog or author new here, what does its post report) instead
 * of the recount refreshConversation does, so ingest cost does not grow with the debate.
 * `arrival`: the entry as stored, when the caller knows it (else it is read back).
 */
export async function addToConversation(db: Db, conversationId: number, entryId: number, now: string, arrival?: ArrivedEntry): Promise<void> {
  // A conversation merged into in this part is recounted as the part's counts are written, this
  // entry with the others: only the size that union by size compares follows it meanwhile.
  const waiting = recounts.get(db)?.get(conversationId);
  if (waiting) return void (waiting.entries += 1);
  let e: ArrivedEntry;
  if (arrival) e = arrival;
  else {
    await writeHeldChannels(db, linkbackChannels);
    const row = await firstRow(countedEntry, db, [entryId]);
    if (!row) throw new Error(`store: no entry ${entryId}`);
    if (row.same_as_id !== null || row.tombstoned_at !== null) return refreshConversation(db, conversationId, now);
    e = {
      kind: row.kind,
      blogId: row.blog_id,
      authorUrl: row.author_url,
      authorName: row.author_name,
      sortAt: row.sort_at,
      title: row.title,
      excerpt: row.excerpt,
      commentCount: row.comment_count,
      viaLinkback: (await firstRow(linkbackChannel, db, [entryId])) !== undefined,
      answered: true,
      towardPost: true,
    };
  }
  const batch = deferred.get(db);
  let held = batch?.get(conversationId);
  const authorKey = authorKeyOf(e);
  // A new post's comments Palaver has: none when nothing answered it yet; none needed when it reports none.
  const ownComments = e.kind === 'post' && e.commentCount !== null && e.commentCount > 0 && e.answered;
  let newBlog: boolean;
  let newAuthor: boolean;
  let root: { id: number; kind: EntryKind; sort_at: string } | undefined;
  let known: number | undefined;
  if (!held) {
    // The conversation, whether the entry's blog and author take part already, its root and the
    // post's known comments, in one statement.
    if (ownComments) await writeHeldChannels(db, ['listing']);
    // It reads the conversation's other entries and the post's comments: those held are written
    // first. (Entries held for a conversation whose counts are held were counted into them: the
    // branch below knows their blogs and authors.)
    if (holdsEntriesOf(db, conversationId, entryId) || (ownComments && holdsCommentsOf(db, entryId))) await writeHeldThreading(db);
    const read = (arrival && readAhead(db, conversationId, e.blogId, authorKey)) || (await firstRow(ownComments ? arrivalContextWithComments : arrivalContext, db, [conversationId, entryId, e.blogId, authorKey]));
    if (!read) throw new Error(`store: no conversation ${conversationId}`);
    // Read ahead, a new post counts no known comments: the edges that make comments of it are held
    // until written, and writing them (as just above) ends what was read ahead.
    const { has_blog, has_author, root_kind, root_sort_at, known_comments, ...row } = read as typeof read & { known_comments?: number | string };
    held = { row, blogs: new Set(), authors: new Set(), root: undefined };
    batch?.set(conversationId, held);
    newBlog = e.blogId !== null && !has_blog;
    newAuthor = authorKey !== null && !has_author;
    root = row.root_entry_id === null || root_kind === null || root_sort_at === null ? undefined : { id: row.root_entry_id, kind: root_kind, sort_at: root_sort_at };
    if (ownComments) known = Number(known_comments ?? 0);
  } else {
    const c = held.row;
    // Blogs and authors this transaction counted here already are known to take part.
    newBlog = e.blogId !== null && !held.blogs.has(e.blogId) && !(await firstRow(otherOfBlog, db, [conversationId, entryId, e.blogId]));
    newAuthor = authorKey !== null && !held.authors.has(authorKey) && !(await firstRow(otherOfAuthor, db, [conversationId, entryId, authorKey]));
    root = c.root_entry_id === null ? undefined : held.root?.id === c.root_entry_id ? held.root : await firstRow(rootEntry, db, [c.root_entry_id]);
  }
  const c = held.row;

  // Missing comments change only for this entry's post, or for this entry if it is a post.
  let missing = 0;
  if (e.kind === 'post') {
    if (e.commentCount !== null) missing = Math.max(0, e.commentCount - (ownComments ? (known ?? (await countKnownComments(db, entryId))) : 0));
  } else {
    const post = e.towardPost ? await findCountedPost(db, entryId) : undefined;
    if (post && post.conversationId === conversationId && post.commentCount !== null) {
      const known = await countKnownComments(db, post.id);
      // This entry is one of the known comments now; before it, one fewer was known.
      missing = Math.max(0, post.commentCount - known) - Math.max(0, post.commentCount - (known - 1));
    }
  }
  const counts = countedInto(c, e, { id: entryId, newBlog, newAuthor, root }, missing);
  if (!batch) return void (await setConversationCounts(db, [...counts, now, conversationId]));
  // Deferred to flushConversationCounts: written once for all the entries of the batch.
  const rootId = counts[0];
  held.row = withCounts(c, counts, now);
  held.dirty = true;
  if (e.blogId !== null) held.blogs.add(e.blogId);
  if (authorKey !== null) held.authors.add(authorKey);
  held.root = rootId === entryId ? { id: entryId, kind: e.kind, sort_at: e.sortAt } : root;
}

/**
 * The counts this transaction holds of a conversation (deferConversationCounts), to move in
 * memory; undefined when its row holds them.
 */
export function heldCountsOf(db: Db, conversationId: number): HeldCounts | undefined {
  return deferred.get(db)?.get(conversationId);
}

/** Whether a conversation waits for the recount its merges in this transaction make (recountMerged), which counts every change to it meanwhile. */
export function waitsForRecount(db: Db, conversationId: number): boolean {
  return recounts.get(db)?.has(conversationId) ?? false;
}

/**
 * Reads at once what counting the first arrival of a part's new entries into each of these
 * conversations reads (arrivals-ahead.ts), for a part that defers its counts.
 */
export async function readArrivalsAhead(db: Db, conversationIds: number[], blogId: number, authorKeys: string[]): Promise<void> {
  if (deferred.has(db)) await readAheadOf(db, conversationIds, blogId, authorKeys);
}

/** A conversation's counts as a batch of new entries left them, not written yet. */
export interface HeldCounts {
  row: Selectable<ConversationsTable>;
  /** Blogs and authors (lower-case key) of visible entries counted in it by this batch. */
  blogs: Set<number>;
  authors: Set<string>;
  root: { id: number; kind: EntryKind; sort_at: string } | undefined;
  dirty?: boolean;
}

// Per transaction that defers counts: the conversations its new entries joined, by id.
const deferred = new WeakMap<object, Map<number, HeldCounts>>();

// Per transaction that defers counts: the conversations merges made of others, to recount once
// when the counts are written, with their entry count as the merges and arrivals since left it.
const recounts = new WeakMap<object, Map<number, { entries: number; now: string }>>();

/**
 * Lets the new entries of one transaction (a part of a feed) count into their conversations in
 * memory, each conversation's row written once by flushConversationCounts, which the caller
 * must run before the transaction commits. Anything else that reads or rewrites a
 * conversation's counts in the transaction (a recount, a merge) writes or drops its held ones first.
 */
export function deferConversationCounts(db: Db): void {
  if (!db.isTransaction) throw new Error('store: counts are deferred only within a transaction');
  deferred.set(db, new Map());
  recounts.set(db, new Map());
}

/**
 * Recounts a conversation that a merge just made of others (`entries`: about as many entries as it
 * holds now). Where counts are deferred, the recount waits until they are written, once for every
 * merge into it and every entry that joins it meanwhile, and the part's threading writes stay held
 * until then; elsewhere it is refreshConversation at once.
 */
export async function recountMerged(db: Db, id: number, entries: number, now: string): Promise<void> {
  const waiting = recounts.get(db);
  if (!waiting) return refreshConversation(db, id, now);
  deferred.get(db)!.delete(id);
  waiting.set(id, { entries, now });
}

/**
 * Drops what is held of conversations a merge is about to join into `into`, which is recounted
 * after it (recountMerged): the counts held of `into` are replaced by the recount, and a merged
 * conversation waiting for its recount is recounted now (its row stays as it was when it merged).
 * The counts held of the others are written.
 */
export async function settleCountsBeforeMerge(db: Db, from: number, into: number, now: string): Promise<void> {
  const waiting = recounts.get(db);
  if (!waiting) return flushConversationCounts(db, [from, into]);
  if (waiting.delete(from)) await refreshConversation(db, from, now);
  else await writeHeldCounts(db, [from]);
  deferred.get(db)?.delete(into);
}

/**
 * Combines the counts of `from` into those of `into`, which a merge is about to join, without
 * recounting the merged debate (a recount reads all of its entries): the sums of both, the blogs
 * and authors of `from` that `into` lacks (each entry of the smaller looked up in the larger by
 * index) and the earlier root. Held for the part where counts are deferred, else written. Tells
 * whether it did: not when either waits for its recount, whose counts are not known until then.
 */
export async function combineMergedCounts(db: Db, from: number, into: number, now: string): Promise<boolean> {
  const waiting = recounts.get(db);
  if (waiting?.has(from) || waiting?.has(into)) return false;
  // The lookups read the entries of both in their rows: those held are written first.
  await writeHeldThreading(db);
  forgetReadAhead(db);
  const [a, b] = [await countsOf(db, into), await countsOf(db, from)];
  const overlap = (await firstRow(mergeOverlap, db, [from, into]))!;
  const { counts, root } = combinedCounts({ ...a.row, root: a.root }, { ...b.row, root: b.root }, Number(overlap.new_blogs ?? 0), Number(overlap.new_authors ?? 0));
  const batch = deferred.get(db);
  if (!batch) {
    await setConversationCounts(db, [...counts, now, into]);
    return true;
  }
  // The merged row keeps its counts as they were at the merge, as without a part.
  await writeHeldCounts(db, [from]);
  batch.set(into, { row: withCounts(a.row, counts, now), blogs: new Set([...a.blogs, ...b.blogs]), authors: new Set([...a.authors, ...b.authors]), root, dirty: true });
  return true;
}

/** A conversation's counts as this transaction knows them (held, else its row), with its root. */
async function countsOf(db: Db, id: number): Promise<HeldCounts & { root: CountedRoot | undefined }> {
  const held = deferred.get(db)?.get(id);
  if (held) {
    const rootId = held.row.root_entry_id;
    const root = rootId === null ? undefined : held.root?.id === rootId ? held.root : await firstRow(rootEntry, db, [rootId]);
    return { row: held.row, root, blogs: held.blogs, authors: held.authors };
  }
  const read = await firstRow(countedConversation, db, [id]);
  if (!read) throw new Error(`store: no conversation ${id}`);
  const { root_kind, root_sort_at, ...row } = read;
  const root = row.root_entry_id !== null && root_kind !== null && root_sort_at !== null ? { id: row.root_entry_id, kind: root_kind, sort_at: root_sort_at } : undefined;
  return { row, root, blogs: new Set(), authors: new Set() };
}

/**
 * Writes the counts deferConversationCounts held (of `ids` only, when given), and holds no more of
 * them; all of them, the conversations waiting for their recount (recountMerged) recounted first.
 */
export async function flushConversationCounts(db: Db, ids?: number[]): Promise<void> {
  forgetReadAhead(db);
  if (!deferred.has(db)) return;
  const recounted: ConversationCountsRow[] = [];
  const waiting = recounts.get(db);
  if (ids === undefined && waiting && waiting.size > 0) {
    // It reads channels (linkbacks, listed pings), the entries and the comments' edges: those
    // held by this transaction are written first.
    await writeHeldChannels(db, linkbackChannels);
    await writeHeldThreading(db);
    for (const [id, { now }] of waiting) recounted.push(await recountRow(db, id, now));
  }
  await writeHeldCounts(db, ids, recounted);
  if (ids === undefined) {
    deferred.delete(db);
    recounts.delete(db);
  }
}

/** Writes the counts held of conversations `ids` (all when not given), with `rows` beside them, and holds no more of them. */
async function writeHeldCounts(db: Db, ids: number[] | undefined, rows: ConversationCountsRow[] = []): Promise<void> {
  const batch = deferred.get(db);
  if (!batch) return;
  for (const id of ids ?? [...batch.keys()]) {
    const held = batch.get(id);
    if (!held) continue;
    batch.delete(id);
    if (!held.dirty) continue;
    const r = held.row;
    rows.push([
      r.root_entry_id,
      r.title,
      r.entry_count,
      r.post_count,
      r.comment_count,
      r.linkback_count,
      r.blog_count,
      r.author_count,
      r.missing_count,
      r.first_activity_at,
      r.last_activity_at,
      r.rank,
      r.updated_at,
      id,
    ]);
  }
  if (rows.length === 1) await setConversationCounts(db, rows[0]!);
  // Several conversations (a feed whose posts join several debates): their rows in one statement.
  else for (let i = 0; i < rows.length; i += 100) {
    const part = rows.slice(i, i + 100);
    await setManyConversationCounts(part.length)(db, part.flat());
  }
}

/**
 * Recomputes a conversation's root, title, counts, gap and rank from its own entries: one read
 * of everything it needs, then its row.
 */
export async function refreshConversation(db: Db, id: number, now: string): Promise<void> {
  // The recount replaces whatever counts were held for it, or its recount to come.
  deferred.get(db)?.delete(id);
  recounts.get(db)?.delete(id);
  forgetReadAhead(db);
  // It reads channels (linkbacks, listed pings), the entries and the comments' edges: those held
  // by this transaction are written first.
  await writeHeldChannels(db, linkbackChannels);
  await writeHeldThreading(db);
  await setConversationCounts(db, await recountRow(db, id, now));
}

/** A conversation's row from root to rank as its entries make it now (with `now` and its id): one read. */
async function recountRow(db: Db, id: number, now: string): Promise<ConversationCountsRow> {
  const read = (await firstRow(recountReading, db, [id]))!;
  const blogs = Number(read.blogs);
  const authors = Number(read.authors);
  const last = read.last ?? null;
  return [
    read.root_id ?? null,
    conversationTitleOf({ title: read.root_title ?? null, excerpt: read.root_excerpt ?? null }),
    Number(read.entries),
    Number(read.posts ?? 0),
    Number(read.comments ?? 0),
    Number(read.linkbacks ?? 0),
    blogs,
    authors,
    Number(read.missing ?? 0),
    read.first ?? null,
    last,
    rankConversation(last, blogs, authors),
    now,
    id,
  ];
}
