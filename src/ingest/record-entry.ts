// Records an arriving entry, the one path every post, comment and ping takes into the
// database: threading (src/threading/) decides what the entry is and which conversation it
// joins, the store (src/store/threads.ts) applies each decision with SQL. Run it inside the
// caller's transaction; the same entry again changes nothing.
import type { Db } from '../db/open.ts';
import type { EntryDraft } from '../domain/models.ts';
import { RoundupState, type Channel } from '../domain/vocabulary.ts';
import { serializeThreading } from '../store/dialect.ts';
import { updateEntryCommentCount, upsertEntry, type UpsertOutcome } from '../store/entries.ts';
import { findSurvivingConversationId, isSameConversation, joinConversations, refreshConversation } from '../store/conversation-union.ts';
import {
  addEntryChannel,
  deleteEdges,
  findPriorRecord,
  findRoundupState,
  findThreadingState,
  insertEdges,
  listOutgoingEdges,
  listPingRecordsFrom,
  listResolvedOutgoingEdges,
  listSameAsCandidates,
  pointRecordsAt,
  resolveIncomingEdges,
  resolveOutgoingEdges,
  touchEntryNode,
  updateEntryThreading,
  updateRoundupState,
  updateSameAs,
  type ResolvedEdge,
} from '../store/threads.ts';
import { contentTextOf, decideEntry, isAlreadyThreaded, staleLinkEdges } from '../threading/entry-record.ts';
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
}

export interface RecordedEntry {
  id: number;
  outcome: UpsertOutcome;
  commentCountRose: boolean;
  conversationId: number;
}

/**
 * Stores an entry with the channel it came by and its edges, resolves edges waiting for it,
 * merges the conversations it connects and refreshes their counts. Idempotent: the same entry
 * again changes nothing. Run it inside the caller's transaction.
 */
export async function recordEntry(db: Db, input: RecordEntryInput, now: string): Promise<RecordedEntry> {
  await serializeThreading(db);
  const decision = decideEntry(input.draft, input.relations, await findPriorRecord(db, input.blogId, input.draft.identity));
  const { draft } = decision;
  const { id, outcome, commentCountRose } = await upsertEntry(db, input.blogId, draft, now, { contentText: decision.contentText, itemHash: input.itemHash ?? null });
  const newChannel = await addEntryChannel(db, id, input.via, decision.replacesChannel, now);
  const stored = await findThreadingState(db, id);

  if (isAlreadyThreaded(outcome, stored, draft.kind)) {
    const conversationId = await findSurvivingConversationId(db, stored.conversationId!);
    if (newChannel) await touchEntryNode(db, id, now);
    // The post reports more comments: the conversation's "may be missing" count moves.
    if (commentCountRose || newChannel) await refreshConversation(db, conversationId, now);
    return { id, outcome, commentCountRose, conversationId };
  }

  await updateEntryThreading(db, id, {
    kind: draft.kind,
    sourceKey: decision.sourceKey,
    roundup: nextRoundupState(decision.isRoundup, stored.roundup),
    ...(input.targetUrl !== undefined ? { targetUrl: input.targetUrl } : {}),
  });
  await deleteEdges(db, staleLinkEdges(await listOutgoingEdges(db, id), decision.relations).map((e) => e.id));
  await insertEdges(db, id, decision.relations, now);

  const resolved: ResolvedEdge[] = [
    ...(await resolveOutgoingEdges(db, id, stored.blogId)),
    ...(await resolveIncomingEdges(db, id, stored)),
    // Already-resolved outgoing edges join too (an entry threaded before this poll, or edited).
    ...(await listResolvedOutgoingEdges(db, id)),
  ];
  const partners = await settleSameAs(db, id, { urlKey: stored.urlKey, sourceKey: decision.sourceKey });

  // Which entries this one is joined with.
  const joined = new Set<number>(partners);
  for (const edge of resolved) {
    if (!joinsConversation(edge.type)) continue;
    const other = edge.fromEntryId === id ? edge.toEntryId : edge.fromEntryId;
    if (other === id) continue;
    if (edge.type === 'links-to' && !(await mayBridge(db, edge))) continue;
    joined.add(other);
  }

  const conversationId = await joinConversations(db, id, [...joined], now, partners.length === 0);
  return { id, outcome, commentCountRose, conversationId };
}

/** Points a ping record at its node, or makes a post the node of earlier records; returns the entries now one node with it. */
async function settleSameAs(db: Db, id: number, entry: { urlKey: string | null; sourceKey: string | null }): Promise<number[]> {
  const plan = sameAsPlan(entry);
  if (plan.kind === 'record') {
    const node = pickSameAsNode(await listSameAsCandidates(db, id, plan.sourceKey));
    await updateSameAs(db, id, node?.id ?? null);
    return node ? [node.id] : [];
  }
  if (plan.kind === 'post') {
    const records = await listPingRecordsFrom(db, plan.urlKey, id);
    await pointRecordsAt(db, records, id);
    return records;
  }
  return [];
}

/** Applies the roundup rule to a body link: tells whether it may join the two entries' conversations. */
async function mayBridge(db: Db, edge: ResolvedEdge): Promise<boolean> {
  const from = await findRoundupState(db, edge.fromEntryId);
  switch (bridgeRule(from?.roundup ?? RoundupState.None)) {
    case 'bridges':
      return true;
    case 'joins-once':
      await updateRoundupState(db, edge.fromEntryId, RoundupState.Joined);
      return true;
    case 'within-own-conversation': {
      const to = await findRoundupState(db, edge.toEntryId);
      const fromConversation = from?.conversationId ?? null;
      return to?.conversationId != null && fromConversation !== null && (await isSameConversation(db, fromConversation, to.conversationId));
    }
  }
}

/**
 * Records what an unchanged feed item still tells: the comment count its post reports. A count
 * that rose moves the conversation's "may be missing" figure, as recordEntry does for the
 * same entry again; tells whether it rose.
 */
export async function recordCommentCount(db: Db, entry: { id: number; commentCount: number | null; conversationId: number }, commentCount: number | null, now: string): Promise<boolean> {
  if (commentCount === entry.commentCount) return false;
  // Before the entry's row is written: a merge of its conversation by another process waits, and
  // holding the row while waiting for the lock could deadlock with recordEntry, which locks first.
  await serializeThreading(db);
  await updateEntryCommentCount(db, entry.id, commentCount);
  const rose = commentCount !== null && commentCount > (entry.commentCount ?? 0);
  if (rose) await refreshConversation(db, await findSurvivingConversationId(db, entry.conversationId), now);
  return rose;
}

/**
 * Stores an entry of a blog that waits for a moderator without threading it: the entry (of the
 * kind threading recognised) and its channel, no edges and no conversation.
 */
export async function recordHeldEntry(db: Db, input: { blogId: number; draft: EntryDraft; via: Channel; kind: EntryDraft['kind']; itemHash?: string | null }, now: string): Promise<{ id: number; outcome: UpsertOutcome }> {
  await serializeThreading(db);
  const draft = { ...input.draft, kind: input.kind };
  const { id, outcome } = await upsertEntry(db, input.blogId, draft, now, { contentText: contentTextOf(draft), itemHash: input.itemHash ?? null });
  await addEntryChannel(db, id, input.via, null, now);
  return { id, outcome };
}
