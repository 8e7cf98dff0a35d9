// store: an entry's threading, as SQL only. It applies what threading decided (src/threading/,
// sequenced by src/ingest/record-entry.ts): records channels, writes edges and resolves their
// targets to entries, points ping records at their node, keeps roundup states. The
// conversations these join are kept in conversation-union.ts.
import type { Db } from '../db/open.ts';
import { edgeTargetKey, type RelationDraft } from '../domain/edges.ts';
import { siteOfKey } from '../domain/url-key.ts';
import { RoundupState, type Channel, type EdgeType, type EntryKind } from '../domain/vocabulary.ts';
import { targetsNaming, type WaitingEdge } from './feed-part.ts';
import { holdsChannelOf, writeHeldChannels } from './held-channels.ts';
import { findEntriesByTargets, type TargetCandidates } from './edge-targets.ts';
import { heldConversationOf, heldEntryRow, holdEdgesPointedAt, holdNewEdges, setHeldRoundup, writeHeldThreading } from './held-threading.ts';
import { changedRows, firstRow, keptLengthParts, prepare, preparedList } from './prepared.ts';

/** An edge whose target is known: from one entry to another. */
export interface ResolvedEdge {
  fromEntryId: number;
  toEntryId: number;
  type: EdgeType;
  /**
   * The roundup state of the entry the edge is from, when it was read in this transaction with
   * the edge (after locking the names the edge aims at); else findRoundupState reads it.
   */
  fromRoundup?: RoundupState;
}

const priorRecord = prepare(2, (db, [identity, blogId]: [string, number]) =>
  db.selectFrom('entries').select(['kind', 'source_key', 'author_url', 'conversation_id']).where('identity', '=', identity).where('blog_id', '=', blogId),
);
const priorPingRecord = prepare(1, (db, [identity]: [string]) =>
  db.selectFrom('entries').select(['kind', 'source_key', 'author_url', 'conversation_id']).where('identity', '=', identity).where('blog_id', 'is', null),
);

/** Finds what the store holds of an entry with this identity in this blog (or among pings, blog null). */
export async function findPriorRecord(db: Db, blogId: number | null, identity: string): Promise<{ kind: EntryKind; sourceKey: string | null; authorUrl: string | null; conversationId: number | null } | undefined> {
  const row = blogId === null ? await firstRow(priorPingRecord, db, [identity]) : await firstRow(priorRecord, db, [identity, blogId]);
  return row ? { kind: row.kind, sourceKey: row.source_key, authorUrl: row.author_url, conversationId: row.conversation_id } : undefined;
}

const deleteChannel = prepare(2, (db, [entryId, via]: [number, Channel]) => db.deleteFrom('entry_channels').where('entry_id', '=', entryId).where('via', '=', via));
const insertChannel = prepare(3, (db, [entryId, via, now]: [number, Channel, string]) =>
  db.insertInto('entry_channels').values({ entry_id: entryId, via, first_seen_at: now }).onConflict((oc) => oc.columns(['entry_id', 'via']).doNothing()),
);

/** Records a channel an entry arrived by (after those held for it: it arrived twice in a part), dropping one it replaces; tells whether the channel is new. */
export async function addEntryChannel(db: Db, entryId: number, via: Channel, replaces: Channel | null, now: string): Promise<boolean> {
  if (holdsChannelOf(db, entryId)) await writeHeldChannels(db);
  if (replaces !== null) await deleteChannel(db, [entryId, replaces]);
  return changedRows(await insertChannel(db, [entryId, via, now])) > 0;
}

/** What threading needs to know of a stored entry. */
export interface ThreadingState {
  conversationId: number | null;
  kind: EntryKind;
  roundup: RoundupState;
  urlKey: string | null;
  guid: string | null;
  blogId: number | null;
}

const threadingState = prepare(1, (db, [entryId]: [number]) =>
  db.selectFrom('entries').select(['conversation_id', 'kind', 'is_roundup', 'url_key', 'guid', 'blog_id']).where('id', '=', entryId),
);

/** Finds an entry's threading state. */
export async function findThreadingState(db: Db, entryId: number): Promise<ThreadingState> {
  const row = await firstRow(threadingState, db, [entryId]);
  if (!row) throw new Error(`store: no entry ${entryId}`);
  return { conversationId: row.conversation_id, kind: row.kind, roundup: row.is_roundup, urlKey: row.url_key, guid: row.guid, blogId: row.blog_id };
}

/** Marks an entry changed, and the node it is a record of: pages and feeds show its channels. */
export async function touchEntryNode(db: Db, entryId: number, now: string): Promise<void> {
  const shownAs = (await db.selectFrom('entries').select('same_as_id').where('id', '=', entryId).executeTakeFirst())?.same_as_id ?? entryId;
  await db.updateTable('entries').set({ changed_at: now }).where('id', 'in', [entryId, shownAs]).execute();
}

/** Stores what threading decided about an entry: its kind, its ping source, its roundup state. */
export async function updateEntryThreading(
  db: Db,
  entryId: number,
  decided: { kind: EntryKind; sourceKey: string | null; roundup: RoundupState; targetUrl?: string | null },
): Promise<void> {
  if (decided.targetUrl !== undefined) await setThreadingAndTarget(db, [decided.kind, decided.sourceKey, decided.roundup, decided.targetUrl, entryId]);
  else await setThreading(db, [decided.kind, decided.sourceKey, decided.roundup, entryId]);
}

const setThreading = prepare(4, (db, [kind, sourceKey, roundup, entryId]: [EntryKind, string | null, RoundupState, number]) =>
  db.updateTable('entries').set({ kind, source_key: sourceKey, is_roundup: roundup }).where('id', '=', entryId),
);
const setThreadingAndTarget = prepare(5, (db, [kind, sourceKey, roundup, targetUrl, entryId]: [EntryKind, string | null, RoundupState, string | null, number]) =>
  db.updateTable('entries').set({ kind, source_key: sourceKey, target_url: targetUrl, is_roundup: roundup }).where('id', '=', entryId),
);

/** Lists an entry's outgoing edges as stored. */
export async function listOutgoingEdges(db: Db, entryId: number): Promise<{ id: number; type: EdgeType; target: string }[]> {
  return (await outgoingEdges(db, [entryId])).rows;
}

const outgoingEdges = prepare(1, (db, [entryId]: [number]) => db.selectFrom('edges').select(['id', 'type', 'target']).where('from_entry_id', '=', entryId));

/** Deletes edges by id. */
export async function deleteEdges(db: Db, ids: number[]): Promise<void> {
  if (ids.length) await db.deleteFrom('edges').where('id', 'in', ids).execute();
}

/** Inserts an entry's edges; an edge it already has stays as it is. */
export async function insertEdges(db: Db, entryId: number, relations: RelationDraft[], now: string): Promise<void> {
  for (const part of keptLengthParts(relations)) {
    // Which site a link points at, so the sites followed posts link to can be counted.
    await insertEdgeRows(part.length)(db, part.flatMap((r) => [entryId, r.type, edgeTargetKey(r.target), r.toUrl, now, r.target.kind === 'url' ? siteOfKey(r.target.key) : null]));
  }
}

// One statement per number of edges: an entry has a few.
const insertEdgeRows = preparedList(6, (db, rows: [number, EdgeType, string, string | null, string, string | null][]) =>
  db
    .insertInto('edges')
    .values(rows.map(([fromEntryId, type, target, toUrl, now, toSite]) => ({ from_entry_id: fromEntryId, type, target, to_url: toUrl, created_at: now, to_site: toSite })))
    .onConflict((oc) => oc.columns(['from_entry_id', 'type', 'target']).doNothing()),
);

/**
 * Inserts the edges of an entry that had none (a new entry), each with the entry its target
 * names when one was found (resolveEdgeTargets), so no edge is written twice; returns those
 * still waiting for their target, with the entry's roundup state.
 */
export async function insertNewEdges(
  db: Db,
  entryId: number,
  relations: RelationDraft[],
  targets: Map<string, number>,
  now: string,
  roundup: RoundupState,
): Promise<(WaitingEdge & { target: string })[]> {
  // A part of a feed holds them and writes them with its other entries' (held-threading.ts).
  const rows = relations.map((r) => {
    const target = edgeTargetKey(r.target);
    return { from: entryId, type: r.type, target, to: targets.get(target) ?? null, toUrl: r.toUrl, createdAt: now, toSite: r.target.kind === 'url' ? siteOfKey(r.target.key) : null };
  });
  const held = holdNewEdges(db, rows);
  if (held) return held.map((w) => ({ id: w.id, from_entry_id: entryId, type: w.type, target: w.target, from_roundup: roundup }));
  const waiting: (WaitingEdge & { target: string })[] = [];
  for (const part of keptLengthParts(rows)) {
    const { rows: written } = await insertResolvedEdgeRows(part.length)(
      db,
      part.flatMap((r) => [r.from, r.type, r.target, r.to, r.toUrl, r.createdAt, r.toSite]),
    );
    for (const row of written) if (row.to_entry_id === null) waiting.push({ id: row.id, from_entry_id: entryId, type: row.type, target: row.target, from_roundup: roundup });
  }
  return waiting;
}

const insertResolvedEdgeRows = preparedList(7, (db, rows: [number, EdgeType, string, number | null, string | null, string, string | null][]) =>
  db
    .insertInto('edges')
    .values(rows.map(([fromEntryId, type, target, toEntryId, toUrl, now, toSite]) => ({ from_entry_id: fromEntryId, type, target, to_entry_id: toEntryId, to_url: toUrl, created_at: now, to_site: toSite })))
    .onConflict((oc) => oc.columns(['from_entry_id', 'type', 'target']).doNothing())
    .returning(['id', 'type', 'target', 'to_entry_id']),
);

/**
 * Finds the entries the edges of a new entry (not stored yet) will point at, before they are
 * written: by stored target, the best candidate, as resolveOutgoingEdges picks it. Returns the
 * targets found and the edges they resolve, in the order the edges' index lists them.
 */
export async function resolveEdgeTargets(
  db: Db,
  entryId: number,
  blogId: number | null,
  relations: RelationDraft[],
  read?: TargetCandidates,
): Promise<{ targets: Map<string, number>; resolved: ResolvedEdge[] }> {
  const edges = new Map<string, { type: EdgeType; target: string }>();
  for (const r of relations) {
    const target = edgeTargetKey(r.target);
    const key = `${r.type} ${target}`;
    if (!edges.has(key)) edges.set(key, { type: r.type, target });
  }
  if (edges.size === 0) return { targets: new Map(), resolved: [] };
  const targets = await findEntriesByTargets(db, [...new Set([...edges.values()].map((e) => e.target))], blogId, entryId, read);
  // The order in which resolveOutgoingEdges reads them back: by type, then target.
  const ordered = [...edges.values()].sort((a, b) => (a.type !== b.type ? (a.type < b.type ? -1 : 1) : a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  const resolved: ResolvedEdge[] = [];
  for (const e of ordered) {
    const to = targets.get(e.target);
    if (to !== undefined) resolved.push({ fromEntryId: entryId, toEntryId: to, type: e.type });
  }
  return { targets, resolved };
}

const pendingOutgoingEdges = prepare(1, (db, [entryId]: [number]) =>
  db.selectFrom('edges').select(['id', 'type', 'target']).where('from_entry_id', '=', entryId).where('to_entry_id', 'is', null),
);
const pointEdgesAt = preparedList(1, (db, ids: [number][], [to]: [number]) => db.updateTable('edges').set({ to_entry_id: to }).where('id', 'in', ids.map(([id]) => id)), 1);

/** Resolves an entry's outgoing edges still waiting for their target; returns those that found it. */
export async function resolveOutgoingEdges(db: Db, entryId: number, blogId: number | null): Promise<ResolvedEdge[]> {
  const pending = (await pendingOutgoingEdges(db, [entryId])).rows;
  if (pending.length === 0) return [];
  const found = await findEntriesByTargets(db, pending.map((e) => e.target), blogId, entryId);
  const resolved: ResolvedEdge[] = [];
  const edgesByEntry = new Map<number, number[]>();
  for (const edge of pending) {
    const to = found.get(edge.target);
    if (to === undefined) continue;
    edgesByEntry.set(to, [...(edgesByEntry.get(to) ?? []), edge.id]);
    resolved.push({ fromEntryId: entryId, toEntryId: to, type: edge.type });
  }
  for (const [to, ids] of edgesByEntry) {
    for (const part of keptLengthParts(ids)) await pointEdgesAt(part.length)(db, [...part, to]);
  }
  return resolved;
}

const waitingEdges = preparedList(1, (db, targets: [string][], [entryId]: [number]) =>
  db
    .selectFrom('edges')
    .innerJoin('entries', 'entries.id', 'edges.from_entry_id')
    .select(['edges.id', 'edges.from_entry_id', 'edges.type', 'entries.is_roundup as from_roundup'])
    .where('edges.target', 'in', targets.map(([t]) => t))
    .where('edges.to_entry_id', 'is', null)
    .where('edges.from_entry_id', '!=', entryId),
  1,
);

/** Resolves the edges of other entries that were waiting for this one, whatever order the polls ran in. */
export async function resolveIncomingEdges(db: Db, entryId: number, names: { urlKey: string | null; guid: string | null }, read?: Map<string, WaitingEdge[]>): Promise<ResolvedEdge[]> {
  const targets = targetsNaming(names);
  if (targets.length === 0) return [];
  // Edges read from the store: those held as found are written first, so none is found twice.
  if (!read) await writeHeldThreading(db);
  const waiting = read ? targets.flatMap((t) => read.get(t) ?? []).filter((w) => w.from_entry_id !== entryId) : (await waitingEdges(targets.length)(db, [...targets, entryId])).rows;
  if (waiting.length === 0) return [];
  // A part of a feed holds them and writes them with its other entries' (held-threading.ts).
  if (!holdEdgesPointedAt(db, waiting, entryId)) for (const part of keptLengthParts(waiting.map((w) => w.id))) await pointEdgesAt(part.length)(db, [...part, entryId]);
  return waiting.map((w) => ({ fromEntryId: w.from_entry_id, toEntryId: entryId, type: w.type, ...(w.from_roundup !== undefined ? { fromRoundup: w.from_roundup } : {}) }));
}

const resolvedOutgoingEdges = prepare(1, (db, [entryId]: [number]) =>
  db.selectFrom('edges').select(['to_entry_id', 'type']).where('from_entry_id', '=', entryId).where('to_entry_id', 'is not', null),
);

/** Lists an entry's outgoing edges that have found their target. */
export async function listResolvedOutgoingEdges(db: Db, entryId: number): Promise<ResolvedEdge[]> {
  const { rows } = await resolvedOutgoingEdges(db, [entryId]);
  return rows.map((e) => ({ fromEntryId: entryId, toEntryId: e.to_entry_id!, type: e.type }));
}

/**
 * Lists the nodes a record of the ping from `sourceKey` may point at: the pinging page (an
 * entry at that URL that is no ping record) and the other records of that ping, oldest first;
 * threaded entries only (one without a conversation belongs to a blog waiting for a moderator).
 */
export async function listSameAsCandidates(db: Db, entryId: number, sourceKey: string): Promise<{ id: number; sourceKey: string | null }[]> {
  await writeHeldThreading(db);
  const rows = await db
    .selectFrom('entries')
    .select(['id', 'source_key'])
    .where('id', '!=', entryId)
    .where('same_as_id', 'is', null)
    .where('conversation_id', 'is not', null)
    .where((eb) => eb.or([eb.and([eb('url_key', '=', sourceKey), eb('source_key', 'is', null)]), eb('source_key', '=', sourceKey)]))
    .orderBy('id')
    // Records point at their node, so only the page and the first record are ever candidates.
    .limit(64)
    .execute();
  return rows.map((r) => ({ id: r.id, sourceKey: r.source_key }));
}

/** Points an entry at the node it is a record of (null: it is a node itself). */
export async function updateSameAs(db: Db, entryId: number, nodeId: number | null): Promise<void> {
  await setSameAs(db, [nodeId, entryId]);
}

const setSameAs = prepare(2, (db, [nodeId, entryId]: [number | null, number]) => db.updateTable('entries').set({ same_as_id: nodeId }).where('id', '=', entryId));

/** Lists the records of pings sent from this URL key (other than the entry itself). */
export async function listPingRecordsFrom(db: Db, urlKey: string, entryId: number): Promise<number[]> {
  const { rows } = await pingRecordsFrom(db, [urlKey, entryId]);
  return rows.map((r) => r.id);
}

const pingRecordsFrom = prepare(2, (db, [urlKey, entryId]: [string, number]) => db.selectFrom('entries').select('id').where('source_key', '=', urlKey).where('id', '!=', entryId));

/** Makes an entry the node of these records, and of the records that pointed at them. */
export async function pointRecordsAt(db: Db, recordIds: number[], nodeId: number): Promise<void> {
  if (recordIds.length === 0) return;
  await db.updateTable('entries').set({ same_as_id: nodeId }).where((eb) => eb.or([eb('id', 'in', recordIds), eb('same_as_id', 'in', recordIds)])).execute();
}

const roundupState = prepare(1, (db, [entryId]: [number]) => db.selectFrom('entries').select(['is_roundup', 'conversation_id']).where('id', '=', entryId));

/** Finds an entry's roundup state and conversation (for the bridging rule of body links). */
export async function findRoundupState(db: Db, entryId: number): Promise<{ roundup: RoundupState; conversationId: number | null } | undefined> {
  // A new entry of this part whose row is held: its state is the one held.
  const held = heldEntryRow(db, entryId);
  if (held) return { roundup: held.threading?.roundup ?? RoundupState.None, conversationId: heldConversationOf(db, entryId) ?? null };
  const row = await firstRow(roundupState, db, [entryId]);
  // An entry that joined its conversation in this transaction may hold it in memory still.
  return row ? { roundup: row.is_roundup, conversationId: row.conversation_id ?? heldConversationOf(db, entryId) ?? null } : undefined;
}

/**
 * Stores an entry's roundup state; with `onlyFrom`, only if the entry is still in that state (a
 * transaction that wrote it meanwhile is waited for); tells whether it was stored.
 */
export async function updateRoundupState(db: Db, entryId: number, roundup: RoundupState, onlyFrom?: RoundupState): Promise<boolean> {
  const held = setHeldRoundup(db, entryId, roundup, onlyFrom);
  if (held !== undefined) return held;
  let q = db.updateTable('entries').set({ is_roundup: roundup }).where('id', '=', entryId);
  if (onlyFrom !== undefined) q = q.where('is_roundup', '=', onlyFrom);
  const done = await q.executeTakeFirst();
  return Number(done.numUpdatedRows) > 0;
}
