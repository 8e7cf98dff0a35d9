// store: conversations as connected groups of entries, kept as entries arrive: an entry joins
// the conversations its edges reach, the smaller merge into the larger (union by size, so an
// entry moves O(log n) times over its life), and each conversation's counts, root, gap and rank
// follow (conversation-counts.ts). SQL only; never a scan of the database.
import type { Db } from '../db/open.ts';
import { countArrivalOverRecords, countEditedEntry, countNewRecord, type EditedEntry, type NewRecord, type RecordToMove } from './conversation-edits.ts';
import { addToConversation, combineMergedCounts, knownEntryCount, readArrivalsAhead, recountMerged, refreshConversation, settleCountsBeforeMerge, startCountedConversation, type ArrivedEntry } from './conversation-counts.ts';
import { lockConversations, lockConversationsOfEntries } from './dialect.ts';
import { forgetReadConversations, heldConversationOf, heldEntryRow, holdNewEntryConversation, moveHeldEntries, noteReadConversations, readConversationOf, writeHeldThreading } from './held-threading.ts';
import { firstRow, prepare, preparedList } from './prepared.ts';

export { refreshConversation } from './conversation-counts.ts';

/**
 * From which size a debate that a new entry merges others into has their counts combined rather
 * than recounted: a recount reads every entry (about 2.6 ms a thousand on SQLite), a combination
 * looks up the entries of the smaller ones and costs a few statements more. Tests lower it.
 */
export const mergeCounting = { combineFromEntries: 500 };

/** Tells whether two conversations are one now (after the merges since). */
export async function isSameConversation(db: Db, a: number, b: number): Promise<boolean> {
  return (await findSurvivingConversationId(db, a)) === (await findSurvivingConversationId(db, b));
}

const conversationMerge = prepare(1, (db, [id]: [number]) => db.selectFrom('conversations').select(['id', 'merged_into_id']).where('id', '=', id));

/** Follows merges to the conversation that now holds what `id` held. */
export async function findSurvivingConversationId(db: Db, id: number): Promise<number> {
  const row = await firstRow(conversationMerge, db, [id]);
  return row?.merged_into_id ?? row?.id ?? id;
}

const conversationsOf = preparedList(1, (db, ids: [number][]) =>
  db
    .selectFrom('entries')
    .leftJoin('conversations', 'conversations.id', 'entries.conversation_id')
    .select(['entries.id', 'entries.conversation_id', 'conversations.entry_count'])
    .where('entries.id', 'in', ids.map(([id]) => id)),
);
const insertConversation = prepare(2, (db, [createdAt, updatedAt]: [string, string]) => db.insertInto('conversations').values({ created_at: createdAt, updated_at: updatedAt }).returning('id'));
const assignConversation = preparedList(
  1,
  (db, rows: [number][], [survivor]: [number]) => {
    const ids = rows.map(([id]) => id);
    return db
      .updateTable('entries')
      .set({ conversation_id: survivor })
      .where((eb) => eb.or([eb('id', 'in', ids), eb('same_as_id', 'in', ids)]));
  },
  1,
);

const assignOwnConversation = prepare(2, (db, [survivor, entryId]: [number, number]) => db.updateTable('entries').set({ conversation_id: survivor }).where('id', '=', entryId));

/**
 * Follows merges to the conversation that now holds what `id` held, and locks it against other
 * transactions' merges and arrivals until this one ends (see lockConversations): for recounts.
 */
export async function lockSurvivingConversationId(db: Db, id: number): Promise<number> {
  for (;;) {
    const survivor = await findSurvivingConversationId(db, id);
    // Merged by another transaction between the read and the lock: follow it there.
    const mergedInto = (await lockConversations(db, [survivor]))?.get(survivor);
    if (mergedInto == null) return survivor;
    id = mergedInto;
  }
}

/**
 * Reads the conversations of entries (and their sizes) with those conversations locked: a merge
 * by another transaction that moved one of the entries before the lock was taken shows in the
 * next read, whose conversations are locked in turn.
 */
async function lockConversationsOf(db: Db, entryIds: number[], firstIsNew: boolean): Promise<{ id: number; conversation_id: number | null; entry_count: number | null }[]> {
  // A new entry joining nothing: its row was written without a conversation, nothing to read or lock.
  if (firstIsNew && entryIds.length === 1) return [{ id: entryIds[0]!, conversation_id: null, entry_count: null }];
  // Entries that joined a conversation earlier in this transaction and are held (held-threading.ts):
  // their conversation is known, locked by this transaction (or made by it) and counted in memory.
  // So are stored entries whose conversation this transaction read and locked before (a comment
  // feed's comments on one post each join the post's).
  const held = entryIds.map((id) => heldConversationOf(db, id) ?? readConversationOf(db, id));
  if (held.some((c) => c !== undefined)) {
    const known = entryIds.flatMap((id, i) => {
      const c = held[i];
      return c === undefined ? [] : [{ id, conversation_id: c as number | null, entry_count: knownEntryCount(db, c) ?? null }];
    });
    const rest = entryIds.filter((_, i) => held[i] === undefined);
    const onlyNew = firstIsNew && rest.length === 1 && rest[0] === entryIds[0];
    // A merge needs every conversation's size (one not held in memory is read with the entries);
    // a new entry joining one conversation needs none.
    if (known.every((k) => k.entry_count !== null) || (onlyNew && new Set(known.map((k) => k.conversation_id)).size === 1)) {
      const stored = onlyNew ? [{ id: entryIds[0]!, conversation_id: null, entry_count: null }] : await lockConversationsOfStored(db, rest);
      return [...stored, ...known];
    }
    await writeHeldThreading(db);
  }
  return lockConversationsOfStored(db, entryIds);
}

async function lockConversationsOfStored(db: Db, entryIds: number[]): Promise<{ id: number; conversation_id: number | null; entry_count: number | null }[]> {
  // The conversations the entries are in, locked by the statement that reads them. None of them
  // merged meanwhile: the entries are still in them (an entry leaves a conversation only when it
  // merges), and every entry but the first (the one being recorded) was found in one.
  const read = await lockConversationsOfEntries(db, entryIds);
  const locked = new Set(read?.map((r) => r.conversation_id));
  if (read && read.every((r) => r.merged_into_id === null)) {
    const found = new Map(read.map((r) => [r.id, r]));
    if (entryIds.every((id, i) => i === 0 || found.has(id))) {
      const rows = [...new Set(entryIds)].map((id) => {
        const row = found.get(id);
        return row ? { id, conversation_id: row.conversation_id as number | null, entry_count: row.entry_count as number | null } : { id, conversation_id: null, entry_count: null };
      });
      noteReadConversations(db, rows);
      return rows;
    }
  }
  for (;;) {
    const { rows } = await conversationsOf(entryIds.length)(db, entryIds);
    const unlocked = [...new Set(rows.map((r) => r.conversation_id).filter((c): c is number => c !== null && !locked.has(c)))];
    if (unlocked.length === 0 || !(await lockConversations(db, unlocked))) {
      noteReadConversations(db, rows);
      // A new entry whose row is held (held-threading.ts) is in no conversation yet, as its row will say.
      const found = new Set(rows.map((r) => r.id));
      for (const id of new Set(entryIds)) if (!found.has(id) && heldEntryRow(db, id)) rows.push({ id, conversation_id: null, entry_count: null });
      return rows;
    }
    for (const c of unlocked) locked.add(c);
  }
}

/**
 * Reads at once, with those conversations locked (PostgreSQL), the conversations of stored entries
 * that the new entries of a part of a feed may join (the entries their edges aim at, those whose
 * edges wait for them), and what counting the first arrival into each reads: two or three
 * statements for the part instead of two for each new entry that joins a stored debate. For a
 * part that holds its threading writes and counts (held-threading.ts, deferConversationCounts);
 * `blogId` and `authorKeys` (lower-case) are its entries'. A conversation another transaction
 * merged meanwhile is left for its entry's turn.
 */
export async function readJoinedConversationsAhead(db: Db, entryIds: number[], blogId: number, authorKeys: string[]): Promise<void> {
  const ids = [...new Set(entryIds)];
  const rows: { id: number; conversation_id: number }[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    const locked = await lockConversationsOfEntries(db, part);
    if (locked) rows.push(...locked.filter((r) => r.merged_into_id === null));
    else for (const r of (await conversationsOf(part.length)(db, part)).rows) if (r.conversation_id !== null) rows.push({ id: r.id, conversation_id: r.conversation_id });
  }
  noteReadConversations(db, rows);
  await readArrivalsAhead(db, rows.map((r) => r.conversation_id), blogId, authorKeys);
}

/**
 * How an entry came to join: `arrival`, it is new and stored as described (its counts need not be
 * read back), and `record`, it became a record of that ping's node (countNewRecord); `edited`, it
 * was recorded again, finding no comment or ping, as described (countEditedEntry).
 */
export interface JoiningEntry {
  arrival?: ArrivedEntry;
  record?: NewRecord;
  /** A new post's records of the pings it sent, as they were before they moved to it (countArrivalOverRecords). */
  moved?: RecordToMove[];
  edited?: EditedEntry;
}

/** Puts an entry and the entries it joins into one conversation, merging smaller into larger. */
export async function joinConversations(db: Db, entryId: number, joinedEntryIds: number[], now: string, noRecordsMoved: boolean, how: JoiningEntry = {}): Promise<number> {
  const { arrival } = how;
  const ids = [entryId, ...joinedEntryIds];
  const rows = await lockConversationsOf(db, ids, arrival !== undefined);
  const conversations = new Map<number, number>();
  for (const r of rows) if (r.conversation_id !== null) conversations.set(r.conversation_id, knownEntryCount(db, r.conversation_id) ?? r.entry_count ?? 0);

  let survivor: number;
  let combined = false;
  const merged = conversations.size > 1;
  const alone = noRecordsMoved && rows.every((r) => r.conversation_id !== null || r.id === entryId);
  if (conversations.size === 0 && arrival && alone) {
    // A new entry that starts a conversation on its own: the conversation is born counted.
    survivor = await startCountedConversation(db, entryId, arrival, now);
    if (!holdNewEntryConversation(db, entryId, survivor)) await assignOwnConversation(db, [survivor, entryId]);
    return survivor;
  }
  if (conversations.size === 0) {
    const created = await firstRow(insertConversation, db, [now, now]);
    survivor = created!.id;
  } else {
    // Union by size: the larger conversation keeps its id (and its URL); the smaller ones'
    // entries move, so an entry moves only O(log n) times over its life.
    const ordered = [...conversations.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    survivor = ordered[0]![0];
    // A new entry joining debates, one of them large: their counts are combined rather than the
    // merged debate recounted (a recount reads every entry), as long as each merge can.
    combined = arrival !== undefined && alone && ordered[0]![1] >= mergeCounting.combineFromEntries;
    for (const [other] of ordered.slice(1)) combined = await mergeConversation(db, other, survivor, now, combined);
  }
  const unassigned = rows.filter((r) => r.conversation_id === null).map((r) => r.id);
  // A new entry no record points at (none moved to it) goes alone; records of a ping travel with their node.
  if (arrival && alone && unassigned.length === 1) {
    if (!holdNewEntryConversation(db, entryId, survivor)) await assignOwnConversation(db, [survivor, entryId]);
  } else if (unassigned.length) {
    // Records that travel with their node are found by the rows: those held are written first,
    // and stored entries they move are read again.
    await writeHeldThreading(db);
    forgetReadConversations(db);
    await assignConversation(unassigned.length)(db, [...unassigned, survivor]);
  }
  // The common case, a new entry joining one conversation (or starting one), updates the
  // counts from the entry alone, as does a new entry whose merges combined the counts; other
  // merges and moved ping records recount (a part of a feed recounts what merged once, as it
  // writes its counts). An edit within its conversation is counted from the entry where it can.
  if (merged && !combined) await recountMerged(db, survivor, [...conversations.values()].reduce((n, size) => n + size, 0) + unassigned.length, now);
  else if (noRecordsMoved && unassigned.length === 1 && unassigned[0] === entryId) await addToConversation(db, survivor, entryId, now, arrival);
  else if (!(await countedFromEntry(db, survivor, entryId, how, noRecordsMoved, unassigned, now))) await refreshConversation(db, survivor, now);
  return survivor;
}

/**
 * Moves everything of conversation `from` into `into`; `from` redirects there from now on. With
 * `combine`, their counts are combined first (combineMergedCounts) when they can be; else the
 * caller recounts `into` after it (recountMerged), and the counts held of it are dropped. Tells
 * whether they were combined.
 */
export async function mergeConversation(db: Db, from: number, into: number, now: string, combine = false): Promise<boolean> {
  if (from === into) return combine;
  const combined = combine && (await combineMergedCounts(db, from, into, now));
  if (!combined) await settleCountsBeforeMerge(db, from, into, now);
  moveHeldEntries(db, from, into);
  await db.updateTable('entries').set({ conversation_id: into }).where('conversation_id', '=', from).execute();
  await db
    .updateTable('conversations')
    .set({ merged_into_id: into, updated_at: now })
    .where((eb) => eb.or([eb('id', '=', from), eb('merged_into_id', '=', from)]))
    .execute();
  return combined;
}

/**
 * Counts an entry that joined its conversation alone (no merge) from the entry where that can be
 * done: an edit that left its place, a new record of a ping whose node is there, or a new post
 * that took the records of its pings there. Tells whether it did.
 */
async function countedFromEntry(db: Db, survivor: number, entryId: number, how: JoiningEntry, noRecordsMoved: boolean, unassigned: number[], now: string): Promise<boolean> {
  if (how.edited && noRecordsMoved && unassigned.length === 0) return countEditedEntry(db, survivor, entryId, how.edited, now);
  if (how.record && unassigned.length === 1 && unassigned[0] === entryId) return countNewRecord(db, survivor, entryId, how.record, now);
  if (how.arrival && how.moved && unassigned.length === 1 && unassigned[0] === entryId) return countArrivalOverRecords(db, survivor, entryId, how.arrival, how.moved, now);
  return false;
}

/**
 * Marks the record of a ping as gone (its source answered 410 or stopped linking). A record
 * hidden behind a post only loses its channel; a record shown on its own becomes a tombstone.
 */
export async function tombstoneLinkback(db: Db, entryId: number, now: string): Promise<void> {
  const row = await db.selectFrom('entries').select(['conversation_id', 'source_key']).where('id', '=', entryId).executeTakeFirst();
  // Only records of pings: a post or comment from a feed is not the ping's to delete.
  if (!row || row.source_key === null) return;
  // The conversation first, then the entry's row: the order merges take them in.
  const conversationId = row.conversation_id === null ? null : await lockSurvivingConversationId(db, row.conversation_id);
  await db.updateTable('entries').set({ tombstoned_at: now, changed_at: now }).where('id', '=', entryId).execute();
  if (conversationId !== null) await refreshConversation(db, conversationId, now);
}
