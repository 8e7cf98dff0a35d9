// store: two writes of threading that a part of a feed holds for its new entries and writes in
// one statement each before it commits, instead of one per entry: the conversation each new
// entry joined (entries.conversation_id) and the new entry each waiting edge found
// (edges.to_entry_id). Reads in the same transaction that depend on them consult what is held
// (an entry's conversation) or write it first (a conversation's entries, a post's comments).
import { sql } from 'kysely';
import type { Db } from '../db/open.ts';
import type { EdgeType } from '../domain/vocabulary.ts';
import { preparedList } from './prepared.ts';

interface Held {
  /** New entry → the conversation it joined, not written yet. */
  conversations: Map<number, number>;
  /** Waiting edge → the new entry it found and the edge's type, not written yet. */
  edges: Map<number, [number, EdgeType]>;
}

// Per transaction that holds these writes.
const held = new WeakMap<object, Held>();

/**
 * Lets the new entries of one transaction (a part of a feed whose rows insertNewEntryRows wrote)
 * hold their conversations and the edges they resolve in memory, written by writeHeldThreading,
 * which the caller must run before the transaction commits.
 */
export function holdThreadingWrites(db: Db): void {
  if (!db.isTransaction) throw new Error('store: threading writes are held only within a transaction');
  held.set(db, { conversations: new Map(), edges: new Map() });
}

/** Tells whether the transaction holds threading writes (holdThreadingWrites), written or not. */
export function holdsThreadingWrites(db: Db): boolean {
  return held.has(db);
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

/** Tells whether an entry (other than `except`) joined conversation `conversationId` in this transaction and that is not written yet. */
export function holdsEntriesOf(db: Db, conversationId: number, except?: number): boolean {
  const h = held.get(db);
  if (!h) return false;
  for (const [entryId, c] of h.conversations) if (c === conversationId && entryId !== except) return true;
  return false;
}

/** Moves the held entries of conversation `from` to `into`, as a merge moves the written ones. */
export function moveHeldEntries(db: Db, from: number, into: number): void {
  const h = held.get(db);
  if (!h) return;
  for (const [entryId, c] of h.conversations) if (c === from) h.conversations.set(entryId, into);
}

/**
 * Holds that waiting edges found a new entry, when the transaction holds threading writes; tells
 * whether it did (else the caller writes it).
 */
export function holdEdgesPointedAt(db: Db, edges: { id: number; type: EdgeType }[], toEntryId: number): boolean {
  const h = held.get(db);
  if (h) for (const e of edges) h.edges.set(e.id, [toEntryId, e.type]);
  return h !== undefined;
}

/**
 * Tells whether the transaction holds an edge pointed at this entry and not written yet that
 * makes it a post's comment (comment-of, linkback: what the post's known comments count).
 */
export function holdsCommentsOf(db: Db, entryId: number): boolean {
  const h = held.get(db);
  if (!h) return false;
  for (const [to, type] of h.edges.values()) if (to === entryId && (type === 'comment-of' || type === 'linkback')) return true;
  return false;
}

/** Writes what the transaction holds (one statement per kind of write), before a read that depends on it and before the transaction commits. */
export async function writeHeldThreading(db: Db): Promise<void> {
  const h = held.get(db);
  if (!h) return;
  const conversations = [...h.conversations];
  const edges = [...h.edges].map(([id, [to]]) => [id, to] as [number, number]);
  h.conversations.clear();
  h.edges.clear();
  for (let i = 0; i < conversations.length; i += rowsPerUpdate) {
    const part = conversations.slice(i, i + rowsPerUpdate);
    await assignConversations(part.length)(db, part.flat());
  }
  for (let i = 0; i < edges.length; i += rowsPerUpdate) {
    const part = edges.slice(i, i + rowsPerUpdate);
    await pointEdges(part.length)(db, part.flat());
  }
}

// A part has at most 50 entries and a few waiting edges each: two values a row stay far within
// every database's limit of bound values.
const rowsPerUpdate = 200;

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
