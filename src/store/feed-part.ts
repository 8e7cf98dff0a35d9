// store: what a part of a feed reads once for all its items, after locking their names, instead
// of each item asking: what the store holds of their identities, which of their URLs pings were
// recorded from, and the edges waiting for their names (src/ingest/feed-items.ts passes them on).
import type { Db } from '../db/open.ts';
import { edgeTargetKey } from '../domain/edges.ts';
import type { EdgeType, EntryKind, RoundupState } from '../domain/vocabulary.ts';
import { keptLengthParts, preparedList } from './prepared.ts';

/** What the store holds of an entry of the same identity (findPriorRecord's answer). */
export interface PriorRecordState {
  kind: EntryKind;
  sourceKey: string | null;
  authorUrl: string | null;
  conversationId: number | null;
}

/** What the store holds of a blog's entries with these identities (findPriorRecord for many at once), by identity. */
export async function findPriorRecords(db: Db, blogId: number, identities: string[]): Promise<Map<string, PriorRecordState>> {
  const out = new Map<string, PriorRecordState>();
  for (const part of keptLengthParts([...new Set(identities)])) {
    for (const row of (await priorRecords(part.length)(db, [...part, blogId])).rows) {
      out.set(row.identity, { kind: row.kind, sourceKey: row.source_key, authorUrl: row.author_url, conversationId: row.conversation_id });
    }
  }
  return out;
}

const priorRecords = preparedList(
  1,
  (db, identities: [string][], [blogId]: [number]) =>
    db
      .selectFrom('entries')
      .select(['identity', 'kind', 'source_key', 'author_url', 'conversation_id'])
      .where('blog_id', '=', blogId)
      .where('identity', 'in', identities.map(([i]) => i)),
  1,
);

/** Lists which of these URL keys pings were recorded from (the source keys of stored ping records): one query for a part of a feed. */
export async function listPingSourceKeys(db: Db, urlKeys: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of keptLengthParts([...new Set(urlKeys)])) {
    for (const row of (await pingSourceKeys(part.length)(db, part)).rows) if (row.source_key !== null) out.add(row.source_key);
  }
  return out;
}

const pingSourceKeys = preparedList(1, (db, keys: [string][]) =>
  db
    .selectFrom('entries')
    .select('source_key')
    .distinct()
    .where('source_key', 'in', keys.map(([k]) => k)),
);

/** The edge targets that name an entry: its URL key and its guid, in the order the edges' index lists them. */
export function targetsNaming(names: { urlKey: string | null; guid: string | null }): string[] {
  const targets: string[] = [];
  if (names.guid) targets.push(edgeTargetKey({ kind: 'ref', guid: names.guid }));
  if (names.urlKey) targets.push(edgeTargetKey({ kind: 'url', key: names.urlKey }));
  return targets;
}

/** An edge of some entry still waiting for its target. */
export interface WaitingEdge {
  id: number;
  from_entry_id: number;
  type: EdgeType;
  /** The roundup state of the entry the edge is from, as read with it (see ResolvedEdge.fromRoundup). */
  from_roundup?: RoundupState;
}

/**
 * Lists the edges waiting for any of these targets, by target (for a part of a feed: the names
 * of its entries, read once), each target's oldest first.
 */
export async function listWaitingEdges(db: Db, targets: string[]): Promise<Map<string, WaitingEdge[]>> {
  const out = new Map<string, WaitingEdge[]>();
  for (const part of keptLengthParts([...new Set(targets)])) {
    for (const row of (await waitingForTargets(part.length)(db, part)).rows) {
      const list = out.get(row.target) ?? [];
      list.push({ id: row.id, from_entry_id: row.from_entry_id, type: row.type, from_roundup: row.is_roundup });
      out.set(row.target, list);
    }
  }
  for (const list of out.values()) list.sort((a, b) => a.id - b.id);
  return out;
}

const waitingForTargets = preparedList(1, (db, targets: [string][]) =>
  db
    .selectFrom('edges')
    .innerJoin('entries', 'entries.id', 'edges.from_entry_id')
    .select(['edges.id', 'edges.from_entry_id', 'edges.type', 'edges.target', 'entries.is_roundup'])
    .where('edges.target', 'in', targets.map(([t]) => t))
    .where('edges.to_entry_id', 'is', null),
);
