// store: which entries the targets of edges name (URL keys, guids, entry ids), the best
// candidate first: the real post before a record of a ping, the same blog's, the oldest. Only
// threaded entries are candidates. SQL and the pick; threads.ts writes the edges.
import type { Db } from '../db/open.ts';
import { edgeTargetKey, parseEdgeTarget } from '../domain/edges.ts';
import { heldConversationOf } from './held-threading.ts';
import { keptLengthParts, preparedList } from './prepared.ts';

/** A candidate's rank for a target: the real post before any record of a ping, then the same blog's (a guid is unique only within its blog), then the oldest. */
function candidateRank(row: { id: number; same_as_id: number | null; source_key: string | null; blog_id: number | null }, blogId: number | null): [number, number, number] {
  const node = row.same_as_id === null && row.source_key === null ? 0 : row.same_as_id === null ? 1 : 2;
  return [node, row.blog_id === blogId ? 0 : 1, row.id];
}

function ranksBefore(a: [number, number, number], b: [number, number, number]): boolean {
  return a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2];
}

// Candidates with their conversation, for isThreaded.
const threaded = (db: Db, selfId: number) => db.selectFrom('entries').select(['id', 'url_key', 'guid', 'same_as_id', 'source_key', 'blog_id', 'conversation_id']).where('id', '!=', selfId);
type TargetCandidate = { id: number; url_key: string | null; guid: string | null; same_as_id: number | null; source_key: string | null; blog_id: number | null; conversation_id: number | null };

/**
 * Whether a candidate is threaded: in a conversation, written or held by this transaction
 * (held-threading.ts). One without belongs to a blog waiting for a moderator, or is a row of
 * this part of a feed not threaded yet.
 */
function isThreaded(db: Db, row: TargetCandidate): boolean {
  return row.conversation_id !== null || heldConversationOf(db, row.id) !== undefined;
}

const candidatesByUrlKey = preparedList(1, (db, keys: [string][], [selfId]: [number]) => threaded(db, selfId).where('url_key', 'in', keys.map(([k]) => k)), 1);
const candidatesByGuid = preparedList(1, (db, guids: [string][], [selfId]: [number]) => threaded(db, selfId).where('guid', 'in', guids.map(([g]) => g)), 1);
const candidatesById = preparedList(1, (db, ids: [number][], [selfId]: [number]) => threaded(db, selfId).where('id', 'in', ids.map(([i]) => i)), 1);

/**
 * Finds the entries edge targets name (url keys, guids, entry ids), one query per kind of
 * target: by stored target, the best candidate. Only threaded entries: one without a
 * conversation belongs to a blog waiting for a moderator.
 */
export async function findEntriesByTargets(db: Db, stored: string[], blogId: number | null, selfId: number, read?: TargetCandidates): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (read && stored.every((s) => read.has(s))) {
    // Every target's candidates were read for the part: the same pick, without asking again.
    for (const s of stored) {
      let best: { id: number; rank: [number, number, number] } | undefined;
      for (const row of read.get(s)!) {
        if (row.id === selfId) continue;
        const rank = candidateRank(row, blogId);
        if (!best || ranksBefore(rank, best.rank)) best = { id: row.id, rank };
      }
      if (best) found.set(s, best.id);
    }
    return found;
  }
  const byUrlKey = new Map<string, string>();
  const byGuid = new Map<string, string>();
  const byId = new Map<number, string>();
  for (const s of stored) {
    const target = parseEdgeTarget(s);
    if (target?.kind === 'url') byUrlKey.set(target.key, s);
    else if (target?.kind === 'ref') byGuid.set(target.guid, s);
    else if (target?.kind === 'entry') byId.set(target.id, s);
  }
  const pick = (rows: TargetCandidate[], keyOf: (row: (typeof rows)[number]) => string | undefined) => {
    const best = new Map<string, { id: number; rank: [number, number, number] }>();
    for (const row of rows) {
      if (!isThreaded(db, row)) continue;
      const key = keyOf(row);
      if (key === undefined) continue;
      const rank = candidateRank(row, blogId);
      const current = best.get(key);
      if (!current || ranksBefore(rank, current.rank)) best.set(key, { id: row.id, rank });
    }
    for (const [key, { id }] of best) found.set(key, id);
  };
  for (const keys of keptLengthParts([...byUrlKey.keys()])) pick((await candidatesByUrlKey(keys.length)(db, [...keys, selfId])).rows, (row) => (row.url_key === null ? undefined : byUrlKey.get(row.url_key)));
  for (const guids of keptLengthParts([...byGuid.keys()])) pick((await candidatesByGuid(guids.length)(db, [...guids, selfId])).rows, (row) => (row.guid === null ? undefined : byGuid.get(row.guid)));
  for (const ids of keptLengthParts([...byId.keys()])) {
    for (const row of (await candidatesById(ids.length)(db, [...ids, selfId])).rows) if (isThreaded(db, row)) found.set(byId.get(row.id)!, row.id);
  }
  return found;
}

/** The entries edge targets may resolve to, by target (every target asked for has a list; empty: none yet). */
export type TargetCandidates = Map<string, TargetCandidate[]>;

/**
 * Reads the candidates of many edge targets at once (a part of a feed: the targets of its items'
 * edges), one query per kind of target, for resolveEdgeTargets to pick from. Only for targets no
 * entry can take or leave meanwhile: the caller holds their names' locks and stores no entry they
 * name, and moves no ping record.
 */
export async function readTargetCandidates(db: Db, stored: string[]): Promise<TargetCandidates> {
  const out: TargetCandidates = new Map();
  const byUrlKey = new Map<string, string>();
  const byGuid = new Map<string, string>();
  const byId = new Map<number, string>();
  for (const s of new Set(stored)) {
    const target = parseEdgeTarget(s);
    if (target?.kind === 'url') byUrlKey.set(target.key, s);
    else if (target?.kind === 'ref') byGuid.set(target.guid, s);
    else if (target?.kind === 'entry') byId.set(target.id, s);
    else continue;
    out.set(s, []);
  }
  const add = (target: string | undefined, row: TargetCandidate) => {
    if (target !== undefined && isThreaded(db, row)) out.get(target)!.push(row);
  };
  // No entry has id 0: the statements of findEntriesByTargets, excluding none.
  for (const keys of keptLengthParts([...byUrlKey.keys()])) for (const row of (await candidatesByUrlKey(keys.length)(db, [...keys, 0])).rows) add(row.url_key === null ? undefined : byUrlKey.get(row.url_key), row);
  for (const guids of keptLengthParts([...byGuid.keys()])) for (const row of (await candidatesByGuid(guids.length)(db, [...guids, 0])).rows) add(row.guid === null ? undefined : byGuid.get(row.guid), row);
  for (const ids of keptLengthParts([...byId.keys()])) for (const row of (await candidatesById(ids.length)(db, [...ids, 0])).rows) add(byId.get(row.id), row);
  return out;
}

/**
 * Adds a new entry just threaded to the candidates read for a part (readTargetCandidates) of the
 * targets that name it, its guid and its URL key, as the statements would now find it: the items
 * after it in the part pick it from the lists. Only for an entry that is no record of a ping
 * (no source key, no same-as node), as readTargetCandidates's callers store.
 */
export function addThreadedCandidate(candidates: TargetCandidates, entry: { id: number; urlKey: string | null; guid: string | null; blogId: number | null; conversationId: number }): void {
  const row: TargetCandidate = { id: entry.id, url_key: entry.urlKey, guid: entry.guid, same_as_id: null, source_key: null, blog_id: entry.blogId, conversation_id: entry.conversationId };
  if (entry.guid) candidates.get(edgeTargetKey({ kind: 'ref', guid: entry.guid }))?.push(row);
  if (entry.urlKey) candidates.get(edgeTargetKey({ kind: 'url', key: entry.urlKey }))?.push(row);
}
