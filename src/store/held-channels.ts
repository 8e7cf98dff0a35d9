// store: the channels a part of a feed holds for its new entries, written in one statement
// before the part commits instead of one statement per entry. A read in the same transaction
// that looks at channels of a kind held (linkback counts, known comments) writes them first, so
// no read ever misses one.
import type { Db } from '../db/open.ts';
import type { Channel } from '../domain/vocabulary.ts';
import { writeHeldEntryRows } from './held-threading.ts';
import { keptLengthParts, preparedList } from './prepared.ts';

// Per transaction that holds channels: its held rows in the order they arrived, by entry and channel.
const held = new WeakMap<object, Map<string, [number, Channel, string]>>();

/**
 * Lets the new entries of one transaction (a part of a feed) hold their channels in memory,
 * written by writeHeldChannels, which the caller must run before the transaction commits.
 */
export function holdEntryChannels(db: Db): void {
  if (!db.isTransaction) throw new Error('store: channels are held only within a transaction');
  held.set(db, new Map());
}

/**
 * Records the channel a new entry arrived by (it has none yet, so none to replace): held for
 * writeHeldChannels when the transaction holds channels, else written now.
 */
export async function addNewEntryChannel(db: Db, entryId: number, via: Channel, now: string): Promise<void> {
  const rows = held.get(db);
  const key = `${entryId} ${via}`;
  if (!rows) await insertChannelRows(1)(db, [entryId, via, now]);
  // The first arrival's time stays, as the insert's ON CONFLICT DO NOTHING keeps it.
  else if (!rows.has(key)) rows.set(key, [entryId, via, now]);
}

/**
 * Writes the held channels before a read that looks at channels: all of them, when one of the
 * `kinds` asked about (or, without kinds, any) is held; nothing when the transaction holds none.
 */
export async function writeHeldChannels(db: Db, kinds?: readonly Channel[]): Promise<void> {
  const rows = held.get(db);
  if (!rows || rows.size === 0) return;
  if (kinds && ![...rows.values()].some(([, via]) => kinds.includes(via))) return;
  const list = [...rows.values()];
  rows.clear();
  // The entries they name first, when the part holds their rows too.
  await writeHeldEntryRows(db);
  for (const part of keptLengthParts(list)) await insertChannelRows(part.length)(db, part.flat());
}

/** Tells whether the transaction holds a channel of this entry not written yet. */
export function holdsChannelOf(db: Db, entryId: number): boolean {
  const rows = held.get(db);
  if (!rows) return false;
  for (const [id] of rows.values()) if (id === entryId) return true;
  return false;
}

const insertChannelRows = preparedList(3, (db, rows: [number, Channel, string][]) =>
  db
    .insertInto('entry_channels')
    .values(rows.map(([entryId, via, now]) => ({ entry_id: entryId, via, first_seen_at: now })))
    .onConflict((oc) => oc.columns(['entry_id', 'via']).doNothing()),
);
