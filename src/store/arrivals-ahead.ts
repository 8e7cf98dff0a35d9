// store: what counting the first arrivals of a part of a feed reads of the conversations they may
// join, read for the whole part at once (the conversation, its root, whether the part's blog and
// each of its authors take part already), and held until something it read may have changed.
import type { Selectable } from 'kysely';
import type { Db } from '../db/open.ts';
import type { ConversationsTable } from '../db/schema.ts';
import type { EntryKind } from '../domain/vocabulary.ts';
import { isPostgres } from '../db/dialect.ts';
import { arrivalsAhead, authorsAhead, authorsListed, authorsListedKeys } from './conversation-count-statements.ts';
import { heldWritesOf } from './held-threading.ts';

/** The conversations a part's new entries may join, as readAheadOf read them. */
interface Ahead {
  blogId: number;
  rows: Map<number, Selectable<ConversationsTable> & { has_blog: boolean | number; root_kind: EntryKind | null; root_sort_at: string | null }>;
  /** The author keys asked about, and `${conversation} ${key}` of those found in a conversation. */
  authorKeys: Set<string>;
  authorsIn: Set<string>;
  /** heldWritesOf when they were read. */
  writes: number | undefined;
}

// Per transaction (a part of a feed): what was read ahead, until something it read may have changed.
const ahead = new WeakMap<object, Ahead>();

/**
 * Reads at once what counting the first arrival of a part's new entries into each of these
 * conversations reads (arrivalContext): the conversation, its root, whether the part's blog and
 * each of its authors already take part. Two statements for the part instead of one per
 * conversation joined. For a part whose new entries hold their threading writes (none of them is
 * in a conversation written yet) and whose conversations are locked (lockConversationsOfEntries).
 * What was read holds until threading writes something or counts are written or recounted.
 */
export async function readAheadOf(db: Db, conversationIds: number[], blogId: number, authorKeys: string[]): Promise<void> {
  const ids = [...new Set(conversationIds)];
  if (ids.length === 0) return;
  const keys = [...new Set(authorKeys)];
  const rows: Ahead['rows'] = new Map();
  const authorsIn = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    for (const row of (await arrivalsAhead(part.length)(db, [...part, blogId])).rows) rows.set(row.id, row);
    for (const row of await authorsTakingPart(db, part, keys)) authorsIn.add(`${row.conversation_id} ${row.author_key}`);
  }
  ahead.set(db, { blogId, rows, authorKeys: new Set(keys), authorsIn, writes: heldWritesOf(db) });
}

/** Which of these author keys take part in which of these conversations, as each database answers it best. */
async function authorsTakingPart(db: Db, ids: number[], keys: string[]): Promise<{ conversation_id: number | null; author_key: string }[]> {
  if (keys.length === 0) return [];
  if (!isPostgres(db)) return (await authorsAhead(ids.length)(db, [...ids, JSON.stringify(keys)])).rows;
  const found: { conversation_id: number | null; author_key: string }[] = [];
  for (let k = 0; k < keys.length; k += authorsListedKeys) {
    const some = keys.slice(k, k + authorsListedKeys);
    const padded = [...some, ...Array<string>(authorsListedKeys - some.length).fill(some[0]!)];
    found.push(...(await authorsListed(ids.length)(db, [...ids, ...padded])).rows);
  }
  return found;
}

/** arrivalContext's answer for a new entry of the part, when it was read ahead and still holds. */
export function readAhead(db: Db, conversationId: number, blogId: number | null, authorKey: string | null) {
  const a = ahead.get(db);
  if (!a || a.writes !== heldWritesOf(db) || a.blogId !== blogId || (authorKey !== null && !a.authorKeys.has(authorKey))) return undefined;
  const row = a.rows.get(conversationId);
  if (!row) return undefined;
  return { ...row, has_author: authorKey !== null && a.authorsIn.has(`${conversationId} ${authorKey}`), known_comments: 0 };
}

/** The entry count of a conversation as read ahead, if it was. */
export function entryCountReadAhead(db: Db, conversationId: number): number | undefined {
  return ahead.get(db)?.rows.get(conversationId)?.entry_count;
}

/** Forgets what was read ahead: a conversation's row was written, or its entries moved. */
export function forgetReadAhead(db: Db): void {
  ahead.delete(db);
}
