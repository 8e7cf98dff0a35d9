// store: the writes of threading that a part of a feed holds for its new entries and writes
// in one statement each before it commits, instead of one per entry: the new entries' rows
// themselves, under ids taken ahead, each written once with the conversation it joined (an entry
// row written and then updated cost its indexes twice, and on PostgreSQL a second row version in
// every index); the edges of each new entry (those waiting for a later entry of the part take the
// entry that finds them), the conversation each joined (entries.conversation_id) when its row
// was written before, and the new entry each stored waiting edge found (edges.to_entry_id).
// Reads in the same transaction that depend on them consult what is held (an entry's
// conversation and roundup state, the edges waiting for the part's entries) or write it first (a
// conversation's entries, a post's comments, an entry's own edges).
import { sql } from 'kysely';
import type { Db } from '../db/open.ts';
import { RoundupState, type EdgeType } from '../domain/vocabulary.ts';
import { insertEntriesWithIds, type NewEntryRow } from './entries.ts';
import { keptLengthParts, preparedList } from './prepared.ts';

/** An edge of a new entry as it will be written. */
export interface NewEdgeRow {
  from: number;
  type: EdgeType;
  target: string;
  to: number | null;
  toUrl: string | null;
  createdAt: string;
  toSite: string | null;
}

/** A new entry's row not written yet: what insertNewEntries would write, under the id taken for it. */
interface HeldRow {
  row: NewEntryRow;
  now: string;
}

interface Held {
  /** New entries' rows not written yet, by the ids taken for them, in the order they came. */
  rows: Map<number, HeldRow>;
  /** New entry → the conversation it joined, not written yet. */
  conversations: Map<number, number>;
  /**
   * Stored entry → its conversation, read by this transaction with the conversation locked
   * (written rows, kept across writes): no other transaction moves it meanwhile, and this one
   * moves it only by a merge (moveHeldEntries) or with records of pings (forgetReadConversations).
   */
  read: Map<number, number>;
  /** Stored waiting edge → the new entry it found and the edge's type, not written yet. */
  edges: Map<number, [number, EdgeType]>;
  /** The new entries' edges not written yet, in the order they came, by a stand-in id below 0. */
  newEdges: Map<number, NewEdgeRow>;
  /** Stand-in ids of new edges written since (a flush before a read), with the ids they got. */
  written: Map<number, number>;
  lastStandIn: number;
  /** How many times writeHeldThreading wrote something: what was read before may have changed. */
  writes: number;
}

// Per transaction that holds these writes.
const held = new WeakMap<object, Held>();

/**
 * Lets the new entries of one transaction (a part of a feed whose rows insertNewEntryRows wrote)
 * hold their edges, conversations and the edges they resolve in memory, written by
 * writeHeldThreading, which the caller must run before the transaction commits.
 */
export function holdThreadingWrites(db: Db): void {
  if (!db.isTransaction) throw new Error('store: threading writes are held only within a transaction');
  held.set(db, { rows: new Map(), conversations: new Map(), read: new Map(), edges: new Map(), newEdges: new Map(), written: new Map(), lastStandIn: 0, writes: 0 });
}

/** Tells whether the transaction holds threading writes (holdThreadingWrites). */
export function holdsThreadingWrites(db: Db): boolean {
  return held.has(db);
}

/**
 * Holds the rows of new entries under the ids taken for them (takeEntryIds, ascending), to be
 * written with their conversations by writeHeldThreading; the transaction must hold threading
 * writes. Until then only the entries' turns in this transaction know them: threading reads only
 * entries threaded before and what is held.
 */
export function holdNewEntryRows(db: Db, rows: readonly { id: number; row: NewEntryRow }[], now: string): void {
  const h = held.get(db);
  if (!h) throw new Error('store: new entries are held only with their threading writes');
  for (const r of rows) h.rows.set(r.id, { row: r.row, now });
}

/** The row of a new entry held and not written yet (holdNewEntryRows); undefined when it is not held. */
export function heldEntryRow(db: Db, entryId: number): Readonly<NewEntryRow> | undefined {
  return held.get(db)?.rows.get(entryId)?.row;
}

/**
 * What knownComments counts new entries by (a ping record's source, else the entry), when every
 * one of them is held and not written yet; undefined when one is written.
 */
export function heldCommentKeys(db: Db, entryIds: readonly number[]): string[] | undefined {
  const rows = held.get(db)?.rows;
  if (!rows) return undefined;
  const keys: string[] = [];
  for (const id of entryIds) {
    const r = rows.get(id);
    if (!r) return undefined;
    keys.push(r.row.threading?.sourceKey ?? `entry:${id}`);
  }
  return keys;
}

/**
 * Stores the roundup state of a new entry whose row is held and not written yet (with `onlyFrom`,
 * only if it is in that state); tells whether it did, undefined when the row is not held.
 */
export function setHeldRoundup(db: Db, entryId: number, roundup: RoundupState, onlyFrom?: RoundupState): boolean | undefined {
  const row = held.get(db)?.rows.get(entryId)?.row;
  if (!row) return undefined;
  if (onlyFrom !== undefined && (row.threading?.roundup ?? RoundupState.None) !== onlyFrom) return false;
  row.threading = { sourceKey: null, targetUrl: null, ...row.threading, roundup };
  return true;
}

/**
 * Holds the edges of a new entry (it has none stored), when the transaction holds threading
 * writes: an edge named twice once, as the insert's ON CONFLICT DO NOTHING keeps the first.
 * Returns those still waiting for their target, each with a stand-in id (below 0) that
 * holdEdgesPointedAt takes; undefined when nothing is held (the caller writes them).
 */
export function holdNewEdges(db: Db, rows: NewEdgeRow[]): { id: number; type: EdgeType; target: string }[] | undefined {
  const h = held.get(db);
  if (!h) return undefined;
  const seen = new Set<string>();
  const waiting: { id: number; type: EdgeType; target: string }[] = [];
  for (const row of rows) {
    const key = `${row.from} ${row.type} ${row.target}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const id = --h.lastStandIn;
    h.newEdges.set(id, { ...row });
    if (row.to === null) waiting.push({ id, type: row.type, target: row.target });
  }
  return waiting;
}

/**
 * The edges of an entry the transaction holds, in the order they came, when it holds them (a new
 * entry's edges are held all together or not at all); undefined when none are held.
 */
export function heldEdgesFrom(db: Db, entryId: number): Readonly<NewEdgeRow>[] | undefined {
  const h = held.get(db);
  if (!h) return undefined;
  const rows: NewEdgeRow[] = [];
  for (const row of h.newEdges.values()) if (row.from === entryId) rows.push(row);
  return rows.length > 0 ? rows : undefined;
}

/**
 * Holds that a new entry (no record of a ping points at it) joined a conversation, when the
 * transaction holds threading writes; tells whether it did (else the caller writes it).
 */
export function holdNewEntryConversation(db: Db, entryId: number, conversationId: number): boolean {
  const h = held.get(db);
  h?.conversations.set(entryId, conversationId);
  return h !== undefined;
}

/** The conversation a new entry joined in this transaction, when it is held and not written yet. */
export function heldConversationOf(db: Db, entryId: number): number | undefined {
  return held.get(db)?.conversations.get(entryId);
}

/** Notes the conversations of stored entries this transaction read with those conversations locked. */
export function noteReadConversations(db: Db, rows: readonly { id: number; conversation_id: number | null }[]): void {
  const h = held.get(db);
  if (h) for (const r of rows) if (r.conversation_id !== null) h.read.set(r.id, r.conversation_id);
}

/** The conversation of a stored entry as noteReadConversations noted it, when it did. */
export function readConversationOf(db: Db, entryId: number): number | undefined {
  return held.get(db)?.read.get(entryId);
}

/**
 * A number that changes each time the transaction's held threading is written (undefined when it
 * holds none): a read taken ahead stays true while it is the same.
 */
export function heldWritesOf(db: Db): number | undefined {
  return held.get(db)?.writes;
}

/** Forgets the conversations noted of stored entries: this transaction moved some it cannot follow. */
export function forgetReadConversations(db: Db): void {
  held.get(db)?.read.clear();
}

/** Tells whether an entry (other than `except`) joined conversation `conversationId` in this transaction and that is not written yet. */
export function holdsEntriesOf(db: Db, conversationId: number, except?: number): boolean {
  const h = held.get(db);
  if (!h) return false;
  for (const [entryId, c] of h.conversations) if (c === conversationId && entryId !== except) return true;
  return false;
}

/** Moves the held entries of conversation `from` (and those noted read in it) to `into`, as a merge moves the written ones. */
export function moveHeldEntries(db: Db, from: number, into: number): void {
  const h = held.get(db);
  if (!h) return;
  for (const [entryId, c] of h.conversations) if (c === from) h.conversations.set(entryId, into);
  for (const [entryId, c] of h.read) if (c === from) h.read.set(entryId, into);
}

/**
 * Holds that waiting edges found a new entry, when the transaction holds threading writes; tells
 * whether it did (else the caller writes it).
 */
export function holdEdgesPointedAt(db: Db, edges: { id: number; type: EdgeType }[], toEntryId: number): boolean {
  const h = held.get(db);
  if (!h) return false;
  for (const e of edges) {
    // An edge of this part's: written with the entry it found, or pointed at it once written.
    const row = h.newEdges.get(e.id);
    if (row) row.to = toEntryId;
    else h.edges.set(h.written.get(e.id) ?? e.id, [toEntryId, e.type]);
  }
  return true;
}

/**
 * Tells whether the transaction holds an edge pointed at this entry and not written yet that
 * makes it a post's comment (comment-of, linkback: what the post's known comments count).
 */
export function holdsCommentsOf(db: Db, entryId: number): boolean {
  const h = held.get(db);
  if (!h) return false;
  for (const [to, type] of h.edges.values()) if (to === entryId && makesComment(type)) return true;
  for (const row of h.newEdges.values()) if (row.to === entryId && makesComment(row.type)) return true;
  return false;
}

/**
 * The new entries whose held comment-of edges point at this entry (none: empty), when those are
 * all the held writes that make it a post's comment; undefined when a held linkback or a stored
 * edge pointed at it is held too (the caller writes them before it counts).
 */
export function heldCommentersOf(db: Db, entryId: number): number[] | undefined {
  const h = held.get(db);
  if (!h) return [];
  for (const [to, type] of h.edges.values()) if (to === entryId && makesComment(type)) return undefined;
  const from: number[] = [];
  for (const row of h.newEdges.values()) {
    if (row.to !== entryId || !makesComment(row.type)) continue;
    if (row.type !== 'comment-of') return undefined;
    from.push(row.from);
  }
  return from;
}

const makesComment = (type: EdgeType) => type === 'comment-of' || type === 'linkback';

/** Writes what the transaction holds (one statement per kind of write), before a read that depends on it and before the transaction commits. */
export async function writeHeldThreading(db: Db): Promise<void> {
  const h = held.get(db);
  if (!h) return;
  // The rows first: the edges and the conversations' counts written after them name them.
  await writeRows(db, h);
  const conversations = [...h.conversations];
  const newEdges = [...h.newEdges];
  if (conversations.length > 0 || newEdges.length > 0 || h.edges.size > 0) h.writes += 1;
  h.conversations.clear();
  h.newEdges.clear();
  for (const part of keptLengthParts(conversations)) await assignConversations(part.length)(db, part.flat());
  // In the order they came, so each gets the id it would have got written at its entry's turn.
  for (const part of keptLengthParts(newEdges)) {
    const { rows } = await insertEdgeRows(part.length)(db, part.flatMap(([, r]) => [r.from, r.type, r.target, r.to, r.toUrl, r.createdAt, r.toSite]));
    const ids = new Map(rows.map((row) => [`${row.from_entry_id} ${row.type} ${row.target}`, row.id]));
    for (const [standIn, r] of part) {
      const id = ids.get(`${r.from} ${r.type} ${r.target}`);
      if (id !== undefined) h.written.set(standIn, id);
    }
  }
  const edges = [...h.edges].map(([id, [to]]) => [id, to] as [number, number]);
  h.edges.clear();
  for (const part of keptLengthParts(edges)) await pointEdges(part.length)(db, part.flat());
}

/**
 * Writes the held rows of new entries alone, before a write that names them (their channels):
 * each with the conversation it joined, or none yet (written later as a stored entry's).
 */
export async function writeHeldEntryRows(db: Db): Promise<void> {
  const h = held.get(db);
  if (h) await writeRows(db, h);
}

async function writeRows(db: Db, h: Held): Promise<void> {
  if (h.rows.size === 0) return;
  const rows = [...h.rows].map(([id, r]) => ({ id, conversationId: h.conversations.get(id) ?? null, row: r.row, now: r.now }));
  h.rows.clear();
  for (const r of rows) h.conversations.delete(r.id);
  h.writes += 1;
  await insertEntriesWithIds(db, rows);
}

const insertEdgeRows = preparedList(7, (db, rows: [number, EdgeType, string, number | null, string | null, string, string | null][]) =>
  db
    .insertInto('edges')
    .values(rows.map(([fromEntryId, type, target, toEntryId, toUrl, now, toSite]) => ({ from_entry_id: fromEntryId, type, target, to_entry_id: toEntryId, to_url: toUrl, created_at: now, to_site: toSite })))
    .onConflict((oc) => oc.columns(['from_entry_id', 'type', 'target']).doNothing())
    .returning(['id', 'from_entry_id', 'type', 'target']),
);

// One value per row by CASE, the same SQL on both databases; the cast gives PostgreSQL the
// value's type, which a CASE of parameters alone leaves as text.
const valueById = (rows: [number, number][]) => sql<number>`case ${sql.ref('id')} ${sql.join(rows.map(([id, value]) => sql`when ${id} then cast(${value} as integer)`), sql` `)} end`;

const assignConversations = preparedList(2, (db, rows: [number, number][]) =>
  db
    .updateTable('entries')
    .set({ conversation_id: valueById(rows) })
    .where('id', 'in', rows.map(([id]) => id)),
);

const pointEdges = preparedList(2, (db, rows: [number, number][]) =>
  db
    .updateTable('edges')
    .set({ to_entry_id: valueById(rows) })
    .where('id', 'in', rows.map(([id]) => id)),
);
