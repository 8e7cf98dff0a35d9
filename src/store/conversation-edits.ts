// store: what a change to an entry already counted in its conversation does to the conversation's
// counts, without recounting the debate: a post that reports another comment count moves the
// "may be missing" count by its own gap; an edit that leaves the entry's place in the counts
// (kind, blog, author, date, visibility) moves that gap and, for the root, the title; a channel
// that counts nothing only marks the conversation changed; a new record of a ping moves the
// linkbacks and the gap its node and post give; a new post that takes earlier records of its
// pings as its own takes them out of the counts before it is counted.
import type { Db } from '../db/open.ts';
import { isLinkbackKind, type Channel, type EntryKind } from '../domain/vocabulary.ts';
import { forgetReadAhead } from './arrivals-ahead.ts';
import { countKnownComments, findCountedPost } from './comment-gaps.ts';
import { countedConversation, countedEntry, moveEditedCounts, moveMissingCount, moveRecordCounts, newRecordContext, otherOfAuthor, otherOfBlog, removeCountedRecords } from './conversation-count-statements.ts';
import { authorKeyOf, channelMayCount, conversationTitleOf, keepsCountedPlace, type ArrivedEntry, type CountedEntryState } from './conversation-count-values.ts';
import { addToConversation, heldCountsOf, waitsForRecount } from './conversation-counts.ts';
import { writeHeldChannels } from './held-channels.ts';
import { writeHeldThreading } from './held-threading.ts';
import { firstRow } from './prepared.ts';

/**
 * Follows a post of the conversation that reports another comment count (`before` → `after`):
 * only that post's gap between reported and known comments changes, so the "may be missing"
 * count moves by its difference, whichever way the count went, without recounting the debate.
 */
export async function countPostCommentCount(db: Db, conversationId: number, post: { id: number; kind: EntryKind }, before: number | null, after: number | null, now: string): Promise<void> {
  if (before === after || waitsForRecount(db, conversationId)) return;
  const delta = await gapMoved(db, post, before, after);
  const held = heldCountsOf(db, conversationId);
  if (held) {
    held.row = { ...held.row, missing_count: held.row.missing_count + delta, updated_at: now };
    held.dirty = true;
    return;
  }
  // What was read ahead of this row is stale once it is written.
  forgetReadAhead(db);
  await moveMissingCount(db, [delta, now, conversationId]);
}

/** An entry recorded again: its row before, and the channel it gained and the one it gave up, if any. */
export interface EditedEntry {
  before: CountedEntryState;
  newChannel: Channel | null;
  replacedChannel: Channel | null;
}

/**
 * Follows an edit of an entry that stayed in its conversation, with nothing joined to it and no
 * comment or ping of it found (the caller knows). When the edit left the entry's place in the
 * counts and its channels count nothing new (channelMayCount), its post's gap moves and, if it is
 * the root, the conversation takes its new title: a lookup of the entry instead of a recount that
 * reads the whole debate (139 ms at 50,000 entries). Tells whether it could; else the caller recounts.
 */
export async function countEditedEntry(db: Db, conversationId: number, entryId: number, edit: EditedEntry, now: string): Promise<boolean> {
  // A merge in this transaction recounts the conversation once, this edit with the rest.
  if (waitsForRecount(db, conversationId)) return true;
  const after = await firstRow(countedEntry, db, [entryId]);
  if (!after || !keepsCountedPlace(edit.before, after)) return false;
  if ([edit.newChannel, edit.replacedChannel].some((c) => c !== null && channelMayCount(c, after.kind))) return false;
  const { before } = edit;
  const delta = await gapMoved(db, after, before.comment_count, after.comment_count);
  const title = conversationTitleOf(after);
  const held = heldCountsOf(db, conversationId);
  if (held) {
    const isRoot = held.row.root_entry_id === entryId;
    held.row = { ...held.row, missing_count: held.row.missing_count + delta, title: isRoot ? title : held.row.title, updated_at: now };
    held.dirty = true;
    return true;
  }
  forgetReadAhead(db);
  await moveEditedCounts(db, [delta, entryId, title, now, conversationId]);
  return true;
}

/**
 * Marks a conversation changed whose counts stay as they are (an entry of it gained a channel
 * that counts nothing): pages and feeds, which show an entry's channels, follow its updated_at.
 */
export async function touchCountedConversation(db: Db, conversationId: number, now: string): Promise<void> {
  if (waitsForRecount(db, conversationId)) return;
  const held = heldCountsOf(db, conversationId);
  if (held) {
    held.row = { ...held.row, updated_at: now };
    held.dirty = true;
    return;
  }
  forgetReadAhead(db);
  await moveMissingCount(db, [0, now, conversationId]);
}

/** A new entry that is a record of a ping, pointed at the node `nodeId` (its page, or the ping's first record). */
export interface NewRecord {
  nodeId: number;
  kind: EntryKind;
  sourceKey: string;
}

/**
 * Follows a new record of a ping joining its node's conversation (a pingback in a blog's comment
 * feed, whose sending post Palaver has): a record is no entry of its own, so only two counts can
 * move. The node arrived as a linkback now, if it did not before; and the post the record counts
 * toward knows one more comment, unless another entry gave it that ping already. A lookup of the
 * node and the post instead of a recount. Tells whether it could (a record of a ping's kind, of a
 * node of this conversation); else the caller recounts.
 */
export async function countNewRecord(db: Db, conversationId: number, entryId: number, record: NewRecord, now: string): Promise<boolean> {
  if (!isLinkbackKind(record.kind)) return false;
  if (waitsForRecount(db, conversationId)) return true;
  // The lookups read the record's edges and channels and the node's records: those held are written first.
  await writeHeldChannels(db);
  await writeHeldThreading(db);
  const post = await findCountedPost(db, entryId);
  const context = await firstRow(newRecordContext, db, [record.nodeId, entryId, post?.id ?? 0, record.sourceKey, entryId]);
  if (!context || context.same_as_id !== null || context.conversation_id !== conversationId) return false;
  if (post && post.conversationId !== conversationId) return false;
  const linkbacks = context.tombstoned_at === null && !context.linkback_besides ? 1 : 0;
  let missing = 0;
  if (post && !context.ping_known && (post.commentCount ?? 0) > 0) {
    const known = await countKnownComments(db, post.id);
    missing = Math.max(0, post.commentCount! - known) - Math.max(0, post.commentCount! - (known - 1));
  }
  const held = heldCountsOf(db, conversationId);
  if (held) {
    held.row = { ...held.row, linkback_count: held.row.linkback_count + linkbacks, missing_count: held.row.missing_count + missing, updated_at: now };
    held.dirty = true;
    return true;
  }
  forgetReadAhead(db);
  await moveRecordCounts(db, [linkbacks, missing, now, conversationId]);
  return true;
}

/** A stored entry about to become a record of a new post (the page that sent its ping), as it was counted. */
export type RecordToMove = CountedEntryState & { id: number };

/** Reads the entries a new post is about to take as its records, before they move. */
export async function readRecordsToMove(db: Db, ids: number[]): Promise<RecordToMove[]> {
  const out: RecordToMove[] = [];
  for (const id of ids) {
    const row = await firstRow(countedEntry, db, [id]);
    if (row) out.push(row);
  }
  return out;
}

/**
 * Counts a new post that took stored records of the pings it sent as its own (they were shown on
 * their own until it arrived), in the conversation they were in: the records leave the counts
 * (an entry and a linkback each, and their blogs and authors where no other entry has them), then
 * the post is counted as any new entry, a linkback now if a live record of a ping points at it.
 * Lookups of a few entries instead of a recount. Tells whether it could: not when a record was the
 * conversation's root or its first or last activity, or a record of another node; else the
 * caller recounts.
 */
export async function countArrivalOverRecords(db: Db, conversationId: number, entryId: number, arrival: ArrivedEntry, moved: RecordToMove[], now: string): Promise<boolean> {
  if (waitsForRecount(db, conversationId)) {
    await addToConversation(db, conversationId, entryId, now, arrival);
    return true;
  }
  if (moved.some((r) => r.same_as_id !== null)) return false;
  const shown = moved.filter((r) => r.tombstoned_at === null);
  if (shown.some((r) => !isLinkbackKind(r.kind))) return false;
  // The lookups read the conversation's entries and the post's records: those held are written first.
  await writeHeldChannels(db);
  await writeHeldThreading(db);
  forgetReadAhead(db);
  const held = heldCountsOf(db, conversationId);
  const row = held?.row ?? (await firstRow(countedConversation, db, [conversationId]));
  if (!row) return false;
  if (shown.some((r) => r.id === row.root_entry_id || r.sort_at === row.first_activity_at || r.sort_at === row.last_activity_at)) return false;
  // A blog or author of the records is gone when no entry shown besides the post has it; the post's own are counted with it.
  const goneBlogs = new Set<number>();
  const goneAuthors = new Set<string>();
  for (const r of shown) {
    if (r.blog_id !== null && !goneBlogs.has(r.blog_id) && !(await firstRow(otherOfBlog, db, [conversationId, entryId, r.blog_id]))) goneBlogs.add(r.blog_id);
    const author = authorKeyOf({ authorUrl: r.author_url, authorName: r.author_name });
    if (author !== null && !goneAuthors.has(author) && !(await firstRow(otherOfAuthor, db, [conversationId, entryId, author]))) goneAuthors.add(author);
  }
  if (held) {
    held.row = {
      ...held.row,
      entry_count: held.row.entry_count - shown.length,
      linkback_count: held.row.linkback_count - shown.length,
      blog_count: held.row.blog_count - goneBlogs.size,
      author_count: held.row.author_count - goneAuthors.size,
    };
    for (const b of goneBlogs) held.blogs.delete(b);
    for (const a of goneAuthors) held.authors.delete(a);
  } else await removeCountedRecords(db, [shown.length, shown.length, goneBlogs.size, goneAuthors.size, conversationId]);
  // The post is a linkback now if a live record of a ping points at it.
  const node = await firstRow(newRecordContext, db, [entryId, 0, 0, '', 0]);
  await addToConversation(db, conversationId, entryId, now, { ...arrival, viaLinkback: arrival.viaLinkback || Boolean(node?.linkback_besides) });
  return true;
}

/**
 * How a post's gap (the comments it reports beyond those Palaver has, as a recount counts it)
 * moves when its count goes from `before` to `after`; nothing for an entry that is no post.
 */
async function gapMoved(db: Db, post: { id: number; kind: EntryKind }, before: number | null, after: number | null): Promise<number> {
  if (before === after || post.kind !== 'post' || ((before ?? 0) <= 0 && (after ?? 0) <= 0)) return 0;
  const known = await countKnownComments(db, post.id);
  const gap = (count: number | null) => Math.max(0, (count ?? 0) - known);
  return gap(after) - gap(before);
}
