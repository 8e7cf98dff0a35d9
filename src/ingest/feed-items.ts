// Records the items of one parsed feed: the items read before (the same hash as last time) are
// recognised in one query and left alone, the others drafted (sanitized, their links read; in a
// reading thread when the poller has them) and threaded, and everything the feed changes is
// written in one transaction, so a crash leaves the whole feed or none of it (a feed of more
// than 50 items: in parts of 50, completed by the next poll). The comment feeds and listings new posts name become sources.
import type { Db } from '../db/open.ts';
import { edgeTargetKey } from '../domain/edges.ts';
import type { Source } from '../domain/models.ts';
import type { Channel, EntriesChanged, EntryKind, ListingSourceKind } from '../domain/vocabulary.ts';
import { draftEntry, draftWithPlainReading, identityOf, itemHashOf } from '../reader/entry-draft.ts';
import { trackbackListingUrl } from '../reader/listings.ts';
import type { FeedReader, ReadDraft } from '../reader/read-feed.ts';
import type { FeedItem, ParsedFeed } from '../reader/types.ts';
import type { RecordedItem } from '../store/source-item-records.ts';
import { findBlogById, updateBlogTitle } from '../store/blogs.ts';
import { listEntryItemStates } from '../store/entries.ts';
import { answersThreadedEntry } from '../store/held-entries.ts';
import { authorKeyOf, deferConversationCounts, flushConversationCounts } from '../store/conversation-counts.ts';
import { readJoinedConversationsAhead } from '../store/conversation-union.ts';
import { letCommitWait, transactionRetryingConflicts } from '../store/dialect.ts';
import { ensureSources, findCommentActivity, wakeCommentSources, type NewSource } from '../store/sources.ts';
import { findPriorRecords, listPingSourceKeys, listWaitingEdges, targetsNaming } from '../store/feed-part.ts';
import { addThreadedCandidate, readTargetCandidates } from '../store/edge-targets.ts';
import { relationsOf, type EntryRelations } from '../threading/relations.ts';
import { nextTurn } from '../event-loop-turns.ts';
import { holdEntryChannels, writeHeldChannels } from '../store/held-channels.ts';
import { holdThreadingWrites, writeHeldThreading } from '../store/held-threading.ts';
import { insertNewEntryRows, lockNamesToRecord, recordCommentCount, recordEntry, recordHeldEntry } from './record-entry.ts';

const channelBySource: Record<Source['kind'], Channel> = {
  feed: 'feed',
  'site-comments': 'comment-feed',
  'post-comments': 'comment-feed',
  'trackback-listing': 'listing',
  'pingback-listing': 'listing',
};

/** The kind of entry a source's items become. */
export const entryKindBySource: Readonly<Record<Source['kind'], EntryKind>> = {
  feed: 'post',
  'site-comments': 'comment',
  'post-comments': 'comment',
  'trackback-listing': 'trackback',
  'pingback-listing': 'pingback',
};

// Drafting a long feed is CPU work outside the transaction: this often the event loop answers
// pages and pings in between.
const draftSliceMs = 10;

/** Items stored in one transaction: every feed of a normal size whole, a huge one in parts. */
export const itemsPerTransaction = 50;

/**
 * Picks the comment feed to follow for a post: WordPress's Atom variant carries the parent of
 * each threaded reply (thr:in-reply-to), its RSS one (wfw:commentRss, <permalink>feed/) none.
 */
export function preferredCommentFeed(post: { url: string | null; commentFeedUrl: string | null }): string | null {
  const feed = post.commentFeedUrl;
  if (!feed || !post.url) return feed;
  const permalink = post.url.endsWith('/') ? post.url : `${post.url}/`;
  return feed === `${permalink}feed/` ? `${permalink}feed/atom/` : feed;
}

/**
 * Picks the listings of pings to poll for a post: WordPress's getPingbacks when the blog has a
 * pingback endpoint, and a TrackBack listing (?__mode=rss) when the post names a TrackBack URL
 * that is not WordPress's (<permalink>trackback/ has no listing; its trackbacks are in the
 * comment feeds).
 */
export function listingSourcesFor(post: { url: string | null; trackbackPingUrl: string | null }, pingbackEndpoint: string | null): { kind: ListingSourceKind; url: string }[] {
  const out: { kind: ListingSourceKind; url: string }[] = [];
  if (pingbackEndpoint && post.url) out.push({ kind: 'pingback-listing', url: post.url });
  const tb = post.trackbackPingUrl;
  if (tb && !/\/trackback\/?$/.test(new URL(tb).pathname)) out.push({ kind: 'trackback-listing', url: trackbackListingUrl(tb) });
  return out;
}

/** What storing a feed's items did. */
export interface FeedIngest {
  /** The blog waits for a moderator: its entries are held, and read again at every poll. */
  pending: boolean;
  inserted: number;
  updated: number;
  /** Entries this ingest created (not the ones it changed). */
  insertedIds: number[];
  changed: EntriesChanged;
  /** New posts whose feed says nothing about comments or TrackBack (Movable Type's defaults). */
  unexplained: { entryId: number; url: string }[];
}

/**
 * An item a poll left unread (src/reader/read-items.ts) is not what the store has of it: thrown
 * before anything is written, so the feed is read whole instead.
 */
export class UnreadItemsChanged extends Error {
  constructor(identity: string) {
    super(`ingest: the item ${identity} left unread is not the one stored`);
    this.name = 'UnreadItemsChanged';
  }
}

/** An item to record, drafted outside the transaction. */
interface DraftedItem {
  item: FeedItem;
  itemHash: string;
  draft: ReturnType<typeof draftEntry>;
  relations: EntryRelations;
}

// The feeds a poller reads at once would otherwise all wait for the database's one connection
// and then run their transactions back to back in one turn of the event loop, with a page's
// queries queued behind every one of them. In a lane, one feed's transaction waits at a time,
// each in a turn of the event loop of its own, so a page waits for one feed at most.
const lanes = new WeakMap<Db, Promise<void>>();

function inLane<T>(db: Db, work: () => Promise<T>): Promise<T> {
  const run = (lanes.get(db) ?? Promise.resolve()).then(nextTurn).then(work);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  lanes.set(db, settled);
  return run;
}

/** Where a source's items arrive, as their hashes take it in (itemHashOf's `scope`): the kind of source and its post. */
export function itemScopeOf(source: Pick<Source, 'kind' | 'entryId'>): string {
  return `${source.kind}:${source.entryId ?? ''}`;
}

/**
 * Records the items of a parsed feed of `source` in one transaction (in parts of
 * itemsPerTransaction when it has more): entries with their threading, the comment feeds and
 * listings of new posts, and the blog's title. Items whose
 * hash is the one stored (the same item again) only update the comment count they report.
 * With `settings.reader`, the other items are drafted in its threads, off the event loop;
 * `settings.drafts` are drafts made with the feed's read (FeedReader.readItems), one per item
 * of `feed.items` in its order, used for the items that need one; `settings.itemHashes`, the
 * items' hashes made there (itemHashOf with itemScopeOf), one per item likewise.
 */
export async function ingestFeedItems(
  db: Db,
  source: Source,
  feed: Pick<ParsedFeed, 'items' | 'title'>,
  checkedAt: string,
  settings: { showPendingWhenJoined?: boolean; reader?: Pick<FeedReader, 'draft'>; drafts?: readonly ReadDraft[]; itemHashes?: readonly string[]; unread?: readonly RecordedItem[] } = {},
): Promise<FeedIngest> {
  const kind = entryKindBySource[source.kind];
  const via = channelBySource[source.kind];
  // Drafts judge dates against the real clock (a date far ahead is a wrong one), as before.
  const at = new Date();
  const owner = await findBlogById(db, source.blogId);
  const blog = source.kind === 'feed' ? owner : undefined;
  // A blog registered by a stranger under moderation is read but not shown until approved.
  const pending = owner !== undefined && owner.approval !== 'approved';
  const post = source.kind === 'post-comments' && source.entryId !== null ? await findCommentActivity(db, source.entryId) : undefined;

  // What the store holds of these items, in one query; an identity twice in one feed is read
  // in full each time, as it always was.
  const scope = itemScopeOf(source);
  const keyed = feed.items.map((item, index) => ({ item, identity: identityOf(item), itemHash: settings.itemHashes?.[index] ?? itemHashOf(item, kind, scope, at), drafted: settings.drafts?.[index] }));
  const leftUnread = settings.unread ?? [];
  const stored = await listEntryItemStates(db, source.blogId, [...new Set([...keyed.map((k) => k.identity), ...leftUnread.map((u) => u.identity)])]);
  const seen = new Map<string, number>();
  for (const k of keyed) seen.set(k.identity, (seen.get(k.identity) ?? 0) + 1);
  for (const u of leftUnread) seen.set(u.identity, (seen.get(u.identity) ?? 0) + 1);

  const unchanged: { entry: { id: number; kind: EntryKind; commentCount: number | null; conversationId: number }; commentCount: number | null }[] = [];
  // The same item again, already threaded, once in the feed: nothing to sanitize, read or
  // thread, only the comment count it reports to record when that moved. An entry still waiting
  // for a moderator is read again (approval or a threaded answer may show it).
  const sameAgain = (identity: string, itemHash: string, commentCount: number | null): boolean => {
    const state = stored.get(identity);
    if (!state || state.itemHash !== itemHash || state.conversationId === null || seen.get(identity) !== 1) return false;
    if (state.commentCount !== commentCount) unchanged.push({ entry: { ...state, conversationId: state.conversationId }, commentCount });
    return true;
  };
  const toDraft = keyed.filter((k) => !sameAgain(k.identity, k.itemHash, k.item.commentCount));
  // Items left unread as the record has them: each must be the same item again.
  for (const u of leftUnread) if (!sameAgain(u.identity, u.itemHash, u.commentCount)) throw new UnreadItemsChanged(u.identity);
  const unread = toDraft.filter((k) => k.drafted === undefined);
  const read = settings.reader && unread.length > 0 ? await settings.reader.draft(unread.map((k) => k.item), kind, at) : [];
  const readOf = new Map(unread.map((k, i) => [k, read[i]]));
  const drafted: DraftedItem[] = [];
  let sliceStart = performance.now();
  for (const k of toDraft) {
    const { draft, body } = k.drafted ?? readOf.get(k) ?? draftWithPlainReading(k.item, kind, at);
    const relations = relationsOf(draft, { via, post: post ? { guid: post.guid, url: post.url } : null, inReplyTo: k.item.inReplyTo }, body);
    drafted.push({ item: k.item, itemHash: k.itemHash, draft, relations });
    if (performance.now() - sliceStart > draftSliceMs) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }

  let inserted = 0;
  let updated = 0;
  const changed: EntriesChanged = { entryIds: [], conversationIds: [], blogIds: [] };
  const insertedIds: number[] = [];
  const unexplained: { entryId: number; url: string }[] = [];
  // Work in transactions of at most itemsPerTransaction items: a normal feed is one, stored
  // whole or not at all; a huge one (thousands of items) holds neither the event loop nor the
  // write lock for long, and a crash part-way leaves its first parts, completed by the next
  // poll (its validators are written after the last part).
  type Step = { unchanged: (typeof unchanged)[number] } | { drafted: DraftedItem };
  const steps: Step[] = [...unchanged.map((u) => ({ unchanged: u })), ...drafted.map((d) => ({ drafted: d }))];
  for (let first = 0; first === 0 || first < steps.length; first += itemsPerTransaction) {
    const part = steps.slice(first, first + itemsPerTransaction);
    const last = first + itemsPerTransaction >= steps.length;
    // What a part stored counts once it committed: a part the database ended over a deadlock
    // with another process runs again from the start.
    const done = await inLane(db, () =>
      transactionRetryingConflicts(db, async (trx) => {
        // Shared with the records and claims after it (src/store/dialect.ts); the poll that
        // stored it commits what waits before it ends (src/poller/poller.ts).
        await letCommitWait(trx);
        sliceStart = performance.now();
        const got = { inserted: 0, updated: 0, insertedIds: [] as number[], entryIds: [] as number[], conversationIds: [] as number[], unexplained: [] as FeedIngest['unexplained'] };
        // Every item's names at once, in one order: two feeds' transactions never wait for each
        // other in a circle over them (src/ingest/record-entry.ts).
        await lockNamesToRecord(
          trx,
          part.flatMap((step) => ('drafted' in step ? [{ blogId: source.blogId, draft: step.drafted.draft, relations: step.drafted.relations }] : [])),
        );
        // Read once for the part, with its names locked: what the store holds of each item's
        // identity (an identity twice in the feed is read at its turn), and the counts of the
        // conversations its entries join, written once at the end.
        const once = part.flatMap((step) => ('drafted' in step && seen.get(step.drafted.draft.identity) === 1 ? [step.drafted.draft.identity] : []));
        const priors = await findPriorRecords(trx, source.blogId, once);
        const readOnce = new Set(once);
        const drafts = part.flatMap((step) => ('drafted' in step ? [step.drafted] : []));
        // The URL keys pings were recorded from: those of stored records, and of records this part stores.
        const pingedFrom = await listPingSourceKeys(trx, drafts.flatMap((d) => (d.draft.urlKey ? [d.draft.urlKey] : [])));
        // The edges waiting for the part's new entries, when every item is new and names an entry
        // no other item names (a stored or edited entry may resolve edges of its own meanwhile).
        const names = drafts.map((d) => targetsNaming(d.draft));
        const named = new Map<string, number>();
        for (const n of names.flat()) named.set(n, (named.get(n) ?? 0) + 1);
        const allNew = !pending && drafts.every((d) => readOnce.has(d.draft.identity) && !priors.has(d.draft.identity)) && [...named.values()].every((n) => n === 1);
        const waiting = allNew ? await listWaitingEdges(trx, [...named.keys()]) : undefined;
        // The entries the part's edges aim at, read once, when no item can become or move one: all
        // new, no ping among them or recorded from their pages (a record may move to its page).
        // An item of the part that a target names joins that target's list once it is threaded
        // (addThreadedCandidate): a blog's post linking its previous one asks nothing more.
        const noRecords = pingedFrom.size === 0 && drafts.every((d) => d.relations.sourceKey === null);
        const aimed = drafts.flatMap((d) => d.relations.relations.map((r) => edgeTargetKey(r.target)));
        const candidates = allNew && noRecords && aimed.length > 0 ? await readTargetCandidates(trx, aimed) : undefined;
        // Names edges of this part's entries aim at that are not in `waiting` (an entry recorded
        // without saying which of its edges wait): those entries read their waiting edges themselves.
        const aimedAt = new Set<string>();
        deferConversationCounts(trx);
        holdEntryChannels(trx);
        // Every item of the part new, no ping record among them nor recorded from their pages:
        // their rows, under ids taken now, their conversations and the waiting edges they find
        // are held and written together for the part, each row once with its conversation
        // (src/store/held-threading.ts). Threading each in turn reads only threaded entries and
        // ping records, which the items after it are not yet, and what the part holds.
        const writesTogether = allNew && noRecords && drafts.length > 1 && drafts.length === part.length;
        if (writesTogether) holdThreadingWrites(trx);
        const together = writesTogether
          ? await insertNewEntryRows(
              trx,
              drafts.map((d) => ({ blogId: source.blogId, draft: d.draft, via, relations: d.relations, itemHash: d.itemHash })),
              checkedAt,
            )
          : undefined;
        if (together) {
          // The stored debates they may join (those their edges aim at, those whose edges wait for
          // them), read and locked once for the part rather than as each entry arrives.
          const stored = [...(candidates?.values() ?? [])].flat().flatMap((c) => (c.conversation_id !== null ? [c.id] : []));
          for (const list of waiting?.values() ?? []) for (const w of list) stored.push(w.from_entry_id);
          const authors = drafts.flatMap((d) => authorKeyOf(d.draft) ?? []);
          if (stored.length > 0) await readJoinedConversationsAhead(trx, stored, source.blogId, authors);
        }
        // The comment feeds and listings of new posts, added in one statement after the part's items.
        const sources: NewSource[] = [];
        for (const step of part) {
          // better-sqlite3 answers synchronously: without a turn now and then, a part of 50
          // items would hold the event loop until its commit. Pages read meanwhile through
          // their own connection the last commit, never a part half stored.
          if (performance.now() - sliceStart > draftSliceMs) {
            await nextTurn();
            sliceStart = performance.now();
          }
          if ('unchanged' in step) {
            const u = step.unchanged;
            const rose = await recordCommentCount(trx, u.entry, u.commentCount, checkedAt);
            if (rose && source.kind === 'feed') await wakeCommentSources(trx, u.entry.id, checkedAt);
            continue;
          }
          const { draft, relations, itemHash } = step.drafted;
          // A pingback or trackback that the blog shows as a comment arrived by that ping.
          const channel: Channel = relations.kind === 'pingback' || relations.kind === 'trackback' ? relations.kind : via;
          if (pending && !(settings.showPendingWhenJoined && (await answersThreadedEntry(trx, relations.relations)))) {
            const held = await recordHeldEntry(trx, { blogId: source.blogId, draft, via: channel, kind: relations.kind, itemHash }, checkedAt);
            if (held.outcome === 'inserted') got.inserted += 1;
            else if (held.outcome === 'updated') got.updated += 1;
            continue;
          }
          const prior = readOnce.has(draft.identity) ? (priors.get(draft.identity) ?? null) : undefined;
          const noPingsFrom = draft.urlKey !== null && !pingedFrom.has(draft.urlKey);
          if (relations.sourceKey !== null) pingedFrom.add(relations.sourceKey);
          const waitingRead = waiting && !targetsNaming(draft).some((t) => aimedAt.has(t)) ? waiting : undefined;
          const inserted = together?.[drafts.indexOf(step.drafted)];
          const recorded = await recordEntry(
            trx,
            { blogId: source.blogId, draft, via: channel, relations, itemHash, prior, noPingsFrom, waiting: waitingRead, targetCandidates: candidates, ...(inserted ? { inserted } : {}) },
            checkedAt,
          );
          if (candidates && recorded.outcome === 'inserted') addThreadedCandidate(candidates, { id: recorded.id, urlKey: draft.urlKey, guid: draft.guid, blogId: source.blogId, conversationId: recorded.conversationId });
          if (waiting && recorded.waiting) {
            // The new entry's edges that wait for a later entry of this part join what it reads.
            for (const w of recorded.waiting) if (named.has(w.target)) waiting.set(w.target, [...(waiting.get(w.target) ?? []), w]);
          } else for (const r of relations.relations) aimedAt.add(edgeTargetKey(r.target));
          if (recorded.outcome === 'inserted') {
            got.inserted += 1;
            got.insertedIds.push(recorded.id);
          } else if (recorded.outcome === 'updated') got.updated += 1;
          if (recorded.outcome !== 'unchanged') {
            got.entryIds.push(recorded.id);
            got.conversationIds.push(recorded.conversationId);
          }
          if (source.kind !== 'feed') continue;
          const commentFeed = preferredCommentFeed(draft);
          if (commentFeed) sources.push({ blogId: source.blogId, entryId: recorded.id, kind: 'post-comments', url: commentFeed, nextCheckAt: checkedAt });
          if (recorded.commentCountRose) await wakeCommentSources(trx, recorded.id, checkedAt);
          if (recorded.outcome === 'inserted' && draft.url && !commentFeed && !draft.trackbackPingUrl && !blog?.pingbackEndpoint) {
            got.unexplained.push({ entryId: recorded.id, url: draft.url });
          }
          for (const listing of listingSourcesFor(draft, blog?.pingbackEndpoint ?? null)) {
            sources.push({ blogId: source.blogId, entryId: recorded.id, kind: listing.kind, url: listing.url, nextCheckAt: checkedAt });
          }
        }
        await writeHeldThreading(trx);
        await writeHeldChannels(trx);
        await flushConversationCounts(trx);
        await ensureSources(trx, sources, checkedAt);
        if (last && source.kind === 'feed' && feed.title) await updateBlogTitle(trx, source.blogId, feed.title, checkedAt);
        return got;
      }),
    );
    inserted += done.inserted;
    updated += done.updated;
    insertedIds.push(...done.insertedIds);
    changed.entryIds.push(...done.entryIds);
    changed.conversationIds.push(...done.conversationIds);
    unexplained.push(...done.unexplained);
  }
  if (changed.entryIds.length > 0) {
    changed.conversationIds = [...new Set(changed.conversationIds)];
    changed.blogIds = [source.blogId];
  }
  return { pending, inserted, updated, insertedIds, changed, unexplained };
}
