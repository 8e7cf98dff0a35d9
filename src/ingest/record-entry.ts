// Records an arriving entry, the one path every post, comment and ping takes into the
// database: threading (src/threading/) decides what the entry is and which conversation it
// joins, the store (src/store/threads.ts) applies each decision with SQL. Run it inside the
// caller's transaction; the same entry again changes nothing. Where several processes store
// side by side (PostgreSQL), an entry first locks the names it is found by and looks for, and
// the conversations it changes: entries that share neither are stored at the same time.
import type { Db } from '../db/open.ts';
import { edgeTargetKey, type RelationDraft } from '../domain/edges.ts';
import type { EntryDraft } from '../domain/models.ts';
import { linkbackChannels, RoundupState, type Channel, type EntryKind } from '../domain/vocabulary.ts';
import { lockThreadingNames, takeEntryIds } from '../store/dialect.ts';
import { insertNewEntries, insertNewEntry, updateEntryCommentCount, upsertEntry, type NewEntryRow, type UpsertOutcome } from '../store/entries.ts';
import { addNewEntryChannel } from '../store/held-channels.ts';
import { holdNewEntryRows, holdsThreadingWrites, writeHeldThreading } from '../store/held-threading.ts';
import { channelMayCount } from '../store/conversation-count-values.ts';
import type { ArrivedEntry } from '../store/conversation-counts.ts';
import { countPostCommentCount, readRecordsToMove, touchCountedConversation, type RecordToMove } from '../store/conversation-edits.ts';
import type { WaitingEdge } from '../store/feed-part.ts';
import { isSameConversation, joinConversations, lockSurvivingConversationId, refreshConversation } from '../store/conversation-union.ts';
import {
  addEntryChannel,
  deleteEdges,
  findPriorRecord,
  findRoundupState,
  findThreadingState,
  insertEdges,
  insertNewEdges,
  listOutgoingEdges,
  listPingRecordsFrom,
  listResolvedOutgoingEdges,
  listSameAsCandidates,
  pointRecordsAt,
  resolveEdgeTargets,
  resolveIncomingEdges,
  resolveOutgoingEdges,
  touchEntryNode,
  updateEntryThreading,
  updateRoundupState,
  updateSameAs,
  type ResolvedEdge,
} from '../store/threads.ts';
import type { TargetCandidates } from '../store/edge-targets.ts';
import { contentTextOf, decideEntry, isAlreadyThreaded, staleLinkEdges, type EntryDecision } from '../threading/entry-record.ts';
import { joinsConversation } from '../threading/joins.ts';
import type { EntryRelations } from '../threading/relations.ts';
import { bridgeRule, nextRoundupState } from '../threading/roundup.ts';
import { pickSameAsNode, sameAsPlan } from '../threading/same-as.ts';

export interface RecordEntryInput {
  blogId: number | null;
  draft: EntryDraft;
  via: Channel;
  relations: EntryRelations;
  /** For linkback records: the page that was pinged. */
  targetUrl?: string | null;
  /** For feed items: the hash of the item as it arrived (itemHashOf), kept to skip it next time. */
  itemHash?: string | null;
  /**
   * What the store holds of this entry's identity, when the caller read it in this transaction
   * after locking the entry's names (findPriorRecords for a part of a feed); null: nothing.
   */
  prior?: Awaited<ReturnType<typeof findPriorRecord>> | null;
  /** True when the caller read in this transaction, after locking the entry's names, that no ping was recorded from its URL. */
  noPingsFrom?: boolean;
  /**
   * The edges waiting for the entry's names (targetsNaming), when the caller read them in this
   * transaction after locking its names and no edge written since names it; else they are read here.
   */
  waiting?: Map<string, WaitingEdge[]>;
  /** The candidates of the entry's edge targets, read in this transaction after locking them (readTargetCandidates); else read here. */
  targetCandidates?: TargetCandidates;
  /** The entry's row, when insertNewEntryRows wrote it in this transaction with the entries stored beside it: its threading follows. */
  inserted?: InsertedEntry;
}

/** A new entry's row as insertNewEntryRows wrote it, with what threading decided for it. */
export interface InsertedEntry {
  id: number;
  decision: EntryDecision;
}

export interface RecordedEntry {
  id: number;
  outcome: UpsertOutcome;
  commentCountRose: boolean;
  conversationId: number;
  /** For a new entry: its edges still waiting for their target, as written. */
  waiting?: (WaitingEdge & { target: string })[];
}

/**
 * The names threading reads and writes for an entry: its identity in its blog (the same entry
 * arriving twice), its URL key and guid (the edges waiting for it, the ping records it is the
 * page of) and the targets of its edges and of its ping (the entries it answers or is a record
 * of). Two entries that share a name are threaded one after the other.
 */
export function threadingNamesOf(entry: { blogId: number | null; draft: Pick<EntryDraft, 'identity' | 'urlKey' | 'guid'>; sourceKey: string | null; relations: RelationDraft[] }): string[] {
  const names = [identityName(entry.blogId, entry.draft.identity)];
  if (entry.draft.urlKey) names.push(edgeTargetKey({ kind: 'url', key: entry.draft.urlKey }));
  if (entry.draft.guid) names.push(edgeTargetKey({ kind: 'ref', guid: entry.draft.guid }));
  if (entry.sourceKey) names.push(edgeTargetKey({ kind: 'url', key: entry.sourceKey }));
  for (const r of entry.relations) names.push(edgeTargetKey(r.target));
  return names;
}

function identityName(blogId: number | null, identity: string): string {
  return `identity:${blogId ?? ''}:${identity}`;
}

/**
 * Locks the names of entries a transaction is about to record, all at once (in one order, so two
 * transactions never wait for each other in a circle over them). recordEntry locks an entry's
 * names itself; taking a whole feed's first keeps two feeds' transactions from meeting halfway.
 */
export async function lockNamesToRecord(db: Db, entries: { blogId: number | null; draft: EntryDraft; relations: EntryRelations }[]): Promise<void> {
  await lockThreadingNames(
    db,
    entries.flatMap((e) => threadingNamesOf({ blogId: e.blogId, draft: e.draft, sourceKey: e.relations.sourceKey, relations: e.relations.relations })),
  );
}

/**
 * Stores an entry with the channel it came by and its edges, resolves edges waiting for it,
 * merges the conversations it connects and refreshes their counts. Idempotent: the same entry
 * again changes nothing. Run it inside the caller's transaction.
 */
export async function recordEntry(db: Db, input: RecordEntryInput, now: string): Promise<RecordedEntry> {
  if (input.inserted) return recordNewEntry(db, input, input.inserted.decision, now);
  // Threading of an entry that may be stored reads its rows and edges as written.
  await writeHeldThreading(db);
  await lockNamesToRecord(db, [input]);
  const prior = input.prior === undefined ? await findPriorRecord(db, input.blogId, input.draft.identity) : (input.prior ?? undefined);
  const decision = decideEntry(input.draft, input.relations, prior);
  const { draft } = decision;
  // What an earlier record of this entry named (a ping's page) is threaded too.
  await lockThreadingNames(db, threadingNamesOf({ blogId: input.blogId, draft, sourceKey: decision.sourceKey, relations: decision.relations }));
  // An entry in a conversation: the conversation is locked before the entry's row is written,
  // in the order merges take them, so a merge elsewhere never waits on this row while holding it.
  if (prior?.conversationId != null) await lockSurvivingConversationId(db, prior.conversationId);
  if (!prior) return recordNewEntry(db, input, decision, now);
  const { id, outcome, commentCountRose, commentCountBefore, before } = await upsertEntry(db, input.blogId, draft, now, { contentText: decision.contentText, itemHash: input.itemHash ?? null });
  const newChannel = await addEntryChannel(db, id, input.via, decision.replacesChannel, now);
  const stored = await findThreadingState(db, id);

  if (isAlreadyThreaded(outcome, stored, draft.kind)) {
    const conversationId = await lockSurvivingConversationId(db, stored.conversationId!);
    if (newChannel) await touchEntryNode(db, id, now);
    // A new channel may make it a linkback or a listed ping: recounted; one that counts nothing
    // changes only its pages. Another comment count moves only the "may be missing" count.
    if (newChannel && channelMayCount(input.via, draft.kind)) await refreshConversation(db, conversationId, now);
    else {
      if (newChannel) await touchCountedConversation(db, conversationId, now);
      await countPostCommentCount(db, conversationId, { id, kind: draft.kind }, commentCountBefore, draft.commentCount, now);
    }
    return { id, outcome, commentCountRose, conversationId };
  }

  await updateEntryThreading(db, id, {
    kind: draft.kind,
    sourceKey: decision.sourceKey,
    roundup: nextRoundupState(decision.isRoundup, stored.roundup),
    ...(input.targetUrl !== undefined ? { targetUrl: input.targetUrl } : {}),
  });
  // A new entry has no edges yet: nothing stale to read, and its resolved ones are those resolved now.
  const inserted = outcome === 'inserted';
  if (!inserted) await deleteEdges(db, staleLinkEdges(await listOutgoingEdges(db, id), decision.relations).map((e) => e.id));
  await insertEdges(db, id, decision.relations, now);

  const found: ResolvedEdge[] = [...(await resolveOutgoingEdges(db, id, stored.blogId)), ...(await resolveIncomingEdges(db, id, stored))];
  // Already-resolved outgoing edges join too (an entry threaded before this poll, or edited).
  const resolved = inserted ? found : [...found, ...(await listResolvedOutgoingEdges(db, id))];
  const { partners } = await settleSameAs(db, id, { urlKey: stored.urlKey, sourceKey: decision.sourceKey });

  const joined = await joinedEntries(db, id, resolved, partners);
  // An entry recorded again that found no comment or ping (only body links, which count nothing)
  // may be counted from the entry alone (countEditedEntry).
  const countsAlone = before && found.every((e) => e.type === 'links-to');
  const edited = countsAlone ? { before, newChannel: newChannel ? input.via : null, replacedChannel: decision.replacesChannel } : undefined;
  const conversationId = await joinConversations(db, id, joined, now, partners.length === 0, edited ? { edited } : {});
  return { id, outcome, commentCountRose, conversationId };
}

/**
 * recordEntry for an entry the store did not hold: its row is written once with what threading
 * decided, its edges with the targets they resolve to, and its conversation is counted from
 * what was stored rather than read back.
 */
async function recordNewEntry(db: Db, input: RecordEntryInput, decision: EntryDecision, now: string): Promise<RecordedEntry> {
  const { draft } = decision;
  const roundup = nextRoundupState(decision.isRoundup, RoundupState.None);
  let id = input.inserted?.id;
  if (id === undefined) {
    const row = newEntryRowOf(input, decision);
    id = await insertNewEntry(db, row.blogId, row.draft, now, row.derived, row.threading);
  }
  // A new entry has no channel to replace; a part of a feed writes its new entries' channels together.
  await addNewEntryChannel(db, id, input.via, now);
  const outgoing = await resolveEdgeTargets(db, id, input.blogId, decision.relations, input.targetCandidates);
  const waiting = await insertNewEdges(db, id, decision.relations, outgoing.targets, now, roundup);
  const incoming = await resolveIncomingEdges(db, id, { urlKey: draft.urlKey, guid: draft.guid }, input.waiting);
  const { partners, recordOf, moved } = await settleSameAs(db, id, { urlKey: draft.urlKey, sourceKey: decision.sourceKey }, { isNew: true, noPingsFrom: input.noPingsFrom === true });
  const joined = await joinedEntries(db, id, [...outgoing.resolved, ...incoming], partners, decision.isRoundup);
  const arrival: ArrivedEntry = {
    kind: draft.kind,
    blogId: input.blogId,
    authorUrl: draft.authorUrl,
    authorName: draft.authorName,
    sortAt: draft.publishedAt ?? draft.updatedAt ?? now,
    title: draft.title,
    excerpt: draft.excerpt,
    commentCount: draft.commentCount,
    viaLinkback: (linkbackChannels as readonly Channel[]).includes(input.via),
    // Only a comment or a ping makes a comment of the post; a post linking it answers it too, but counts toward none.
    answered: incoming.some((e) => e.type === 'comment-of' || e.type === 'linkback'),
    towardPost: outgoing.resolved.some((e) => e.type === 'comment-of' || e.type === 'linkback'),
  };
  const record = recordOf !== undefined && decision.sourceKey !== null ? { nodeId: recordOf, kind: draft.kind, sourceKey: decision.sourceKey } : undefined;
  const conversationId = await joinConversations(db, id, joined, now, partners.length === 0, { arrival, ...(record ? { record } : {}), ...(moved ? { moved } : {}) });
  return { id, outcome: 'inserted', commentCountRose: false, conversationId, waiting };
}

/** The row of a new entry: the draft as threading decided it, with its search text, item hash, ping source, roundup state and pinged page. */
function newEntryRowOf(input: RecordEntryInput, decision: EntryDecision): NewEntryRow {
  return {
    blogId: input.blogId,
    draft: decision.draft,
    derived: { contentText: decision.contentText, itemHash: input.itemHash ?? null },
    threading: { sourceKey: decision.sourceKey, roundup: nextRoundupState(decision.isRoundup, RoundupState.None), targetUrl: input.targetUrl ?? null },
  };
}

/**
 * Writes the rows of new entries (the caller read in this transaction, after locking their names,
 * that the store holds none of their identities) in as few statements as insertNewEntries takes,
 * each as recordEntry would write it; recordEntry with `inserted` then threads each in turn. Only
 * for entries whose threading reads threaded entries and ping records alone, which the rows
 * written here are not until their turn comes: no ping record among them, none recorded from
 * their pages. When the transaction holds threading writes, the rows are held too, under ids
 * taken now, and written once with their conversations (held-threading.ts).
 */
export async function insertNewEntryRows(db: Db, inputs: RecordEntryInput[], now: string): Promise<InsertedEntry[]> {
  const decisions = inputs.map((input) => decideEntry(input.draft, input.relations, undefined));
  await lockThreadingNames(
    db,
    inputs.flatMap((input, i) => threadingNamesOf({ blogId: input.blogId, draft: decisions[i]!.draft, sourceKey: decisions[i]!.sourceKey, relations: decisions[i]!.relations })),
  );
  const rows = inputs.map((input, i) => newEntryRowOf(input, decisions[i]!));
  let ids: number[];
  if (holdsThreadingWrites(db)) {
    ids = await takeEntryIds(db, rows.length);
    holdNewEntryRows(db, ids.map((id, i) => ({ id, row: rows[i]! })), now);
  } else ids = await insertNewEntries(db, rows, now);
  return ids.map((id, i) => ({ id, decision: decisions[i]! }));
}

/** Which entries an entry is joined with: its same-as partners and the ends of its resolved edges that join (body links by the roundup rule). */
async function joinedEntries(db: Db, id: number, resolved: ResolvedEdge[], partners: number[], isRoundup?: boolean): Promise<number[]> {
  const joined = new Set<number>(partners);
  for (const edge of resolved) {
    if (!joinsConversation(edge.type)) continue;
    const other = edge.fromEntryId === id ? edge.toEntryId : edge.fromEntryId;
    if (other === id) continue;
    // A new entry that is no roundup: its own body links bridge (bridgeRule of RoundupState.None).
    const bridges = edge.fromEntryId === id && isRoundup === false && bridgeRule(RoundupState.None) === 'bridges';
    if (edge.type === 'links-to' && !bridges && !(await mayBridge(db, edge))) continue;
    joined.add(other);
  }
  return [...joined];
}

/**
 * Points a ping record at its node, or makes a post the node of earlier records; returns the
 * entries now one node with it, the node when the entry became a record of it, and the records a
 * new post took as they were before.
 */
async function settleSameAs(
  db: Db,
  id: number,
  entry: { urlKey: string | null; sourceKey: string | null },
  known: { isNew?: boolean; noPingsFrom?: boolean } = {},
): Promise<{ partners: number[]; recordOf?: number; moved?: RecordToMove[] }> {
  const plan = sameAsPlan(entry);
  if (plan.kind === 'record') {
    const node = pickSameAsNode(await listSameAsCandidates(db, id, plan.sourceKey));
    // A new entry is no record of anything yet: only a node found changes it.
    if (node || !known.isNew) await updateSameAs(db, id, node?.id ?? null);
    return node ? { partners: [node.id], recordOf: node.id } : { partners: [] };
  }
  if (plan.kind === 'post') {
    if (known.noPingsFrom) return { partners: [] };
    const records = await listPingRecordsFrom(db, plan.urlKey, id);
    // A new post's records as they were counted, for its conversation to count them out (countArrivalOverRecords).
    const moved = known.isNew && records.length > 0 ? await readRecordsToMove(db, records) : undefined;
    await pointRecordsAt(db, records, id);
    return moved ? { partners: records, moved } : { partners: records };
  }
  return { partners: [] };
}

/** Applies the roundup rule to a body link: tells whether it may join the two entries' conversations. */
async function mayBridge(db: Db, edge: ResolvedEdge): Promise<boolean> {
  // An entry that is no roundup stays none within the transaction that read it (only its own
  // edit could make it one, and that edit would be this entry's record, not an edge to it).
  if (edge.fromRoundup === RoundupState.None) return true;
  const from = await findRoundupState(db, edge.fromEntryId);
  switch (bridgeRule(from?.roundup ?? RoundupState.None)) {
    case 'bridges':
      return true;
    case 'joins-once':
      // Two links of the roundup resolving in two processes at once: the one that marks it
      // joined joins; the other finds it joined and keeps to its conversation.
      if (await updateRoundupState(db, edge.fromEntryId, RoundupState.Joined, RoundupState.Waiting)) return true;
      return withinOwnConversation(db, edge, (await findRoundupState(db, edge.fromEntryId))?.conversationId ?? null);
    case 'within-own-conversation':
      return withinOwnConversation(db, edge, from?.conversationId ?? null);
  }
}

async function withinOwnConversation(db: Db, edge: ResolvedEdge, fromConversation: number | null): Promise<boolean> {
  const to = await findRoundupState(db, edge.toEntryId);
  return to?.conversationId != null && fromConversation !== null && (await isSameConversation(db, fromConversation, to.conversationId));
}

/**
 * Records what an unchanged feed item still tells: the comment count its post reports. Another
 * count moves the conversation's "may be missing" figure, as recordEntry does for the same entry
 * again; tells whether it rose.
 */
export async function recordCommentCount(db: Db, entry: { id: number; kind: EntryKind; commentCount: number | null; conversationId: number }, commentCount: number | null, now: string): Promise<boolean> {
  if (commentCount === entry.commentCount) return false;
  // The conversation before the entry's row, as recordEntry takes them: a merge of it elsewhere
  // waits, rather than holding the row while this waits for the conversation.
  const conversationId = await lockSurvivingConversationId(db, entry.conversationId);
  await updateEntryCommentCount(db, entry.id, commentCount);
  await countPostCommentCount(db, conversationId, entry, entry.commentCount, commentCount, now);
  return commentCount !== null && commentCount > (entry.commentCount ?? 0);
}

/**
 * Stores an entry of a blog that waits for a moderator without threading it: the entry (of the
 * kind threading recognised) and its channel, no edges and no conversation.
 */
export async function recordHeldEntry(db: Db, input: { blogId: number; draft: EntryDraft; via: Channel; kind: EntryDraft['kind']; itemHash?: string | null }, now: string): Promise<{ id: number; outcome: UpsertOutcome }> {
  await lockThreadingNames(db, [identityName(input.blogId, input.draft.identity)]);
  const draft = { ...input.draft, kind: input.kind };
  const { id, outcome } = await upsertEntry(db, input.blogId, draft, now, { contentText: contentTextOf(draft), itemHash: input.itemHash ?? null });
  await addEntryChannel(db, id, input.via, null, now);
  return { id, outcome };
}
