// A poll's reading of a feed body that changed, and the storing of its items: a post feed's or a
// site comment feed's item record (its items' text as last read, src/store/source-item-records.ts)
// lets the read parse only the new text; an item left unread that is not what the store has
// sends the whole feed to be read again. The poll's own record is refresh.ts's.
import type { Source } from '../domain/models.ts';
import { entryKindBySource, ingestFeedItems, itemScopeOf, UnreadItemsChanged, type FeedIngest } from '../ingest/feed-items.ts';
import { nextTurn } from '../event-loop-turns.ts';
import { identityOf } from '../reader/entry-draft.ts';
import { readItems, type ReadDraft } from '../reader/read-feed.ts';
import type { ItemDigests } from '../reader/read-items.ts';
import { FeedParseError, FetchError, type FetchResponse, type ParsedFeed } from '../reader/types.ts';
import { readItemRecord, type ItemRecord, type RecordedItem } from '../store/source-item-records.ts';
import { newestItems } from './item-cap.ts';
import type { RefreshDeps } from './refresh-types.ts';

/** What reading and storing a body did, or why the feed could not be read. */
export type BodyIngest =
  | {
      feed: ParsedFeed;
      items: FeedIngest;
      /** Old items left out beyond the cap. */
      cappedOut: number;
      /** The item record to write with the poll's record, when it changed (null: none to keep). */
      itemRecord: { next: ItemRecord | null } | null;
    }
  | { failed: string };

interface ReadBody {
  feed: ParsedFeed;
  drafts?: ReadDraft[];
  itemHashes?: string[];
  digests: ItemDigests | null;
  cappedOut: number;
}

/** Reads a body that changed and stores its items (ingestFeedItems), at most `cap` of the newest. */
export async function ingestFeedBody(deps: Pick<RefreshDeps, 'db' | 'reader' | 'settings'>, source: Source, res: FetchResponse, options: { cap: number; checkedAt: string }): Promise<BodyIngest> {
  const { cap } = options;
  // A post feed and a site's comment feed keep a record of what their items' text read as: a
  // poll then parses only the items whose text is new (a blog that posted once: one of twenty).
  // A record is written with a successful read: a source never read has none.
  const recordsItems = source.kind === 'feed' || source.kind === 'site-comments';
  const record = recordsItems && source.lastSuccessAt !== null ? await readItemRecord(deps.db, source.id) : null;

  // Reads the body (leaving unread the items `known` records), cut to the newest `cap` items.
  async function readBody(known: ItemRecord | null): Promise<ReadBody | { failed: string }> {
    let feed: ParsedFeed;
    let drafts: ReadDraft[] | undefined;
    let itemHashes: string[] | undefined;
    let digests: ItemDigests | null = null;
    try {
      // Feeds fetched together are read in turns of their own, pages and pings answered between.
      await nextTurn();
      // The read hashes the feed's items too. Read for the first time, its items are new, and a
      // reading thread drafts them in the same trip (a feed longer than the cap is drafted once
      // cut to it, as any other).
      const draftUpTo = source.lastSuccessAt === null ? cap : 0;
      const asked = recordsItems ? { digests: { known: known && { context: known.context, digests: [...known.items.keys()] }, skipUpTo: cap } } : {};
      const request = { kind: entryKindBySource[source.kind], scope: itemScopeOf(source), at: new Date(), draftUpTo, ...asked };
      const read = await readItems(res.body, res.headers['content-type'] ?? null, res.url, request, deps.reader);
      feed = read.feed;
      drafts = read.drafts ?? undefined;
      itemHashes = read.itemHashes;
      digests = read.digests;
    } catch (err) {
      if (err instanceof FeedParseError || err instanceof FetchError) return { failed: err.message };
      throw err;
    }
    const capped = newestItems(feed.items, cap);
    if (capped.skipped === 0) return { feed, drafts, itemHashes, digests, cappedOut: 0 };
    return {
      feed: {
        ...feed,
        items: capped.items,
        warnings: [...feed.warnings, `the feed has ${feed.items.length} items; Palaver read the newest ${cap} and left ${capped.skipped} older ones out`],
      },
      digests: null,
      cappedOut: capped.skipped,
    };
  }

  // The feed's entries commit together, and the validators that vouch for them after them
  // (refresh.ts): a crash in between leaves the old validators, so the next poll fetches the feed
  // again and, ingest being idempotent, loses and duplicates nothing.
  async function ingest(read: ReadBody): Promise<FeedIngest | { failed: string }> {
    const unread = read.digests?.skipped.map((digest) => record!.items.get(digest)!) ?? [];
    try {
      return await ingestFeedItems(deps.db, source, read.feed, options.checkedAt, {
        ...deps.settings,
        ...(deps.reader ? { reader: deps.reader } : {}),
        ...(read.drafts ? { drafts: read.drafts } : {}),
        ...(read.itemHashes ? { itemHashes: read.itemHashes } : {}),
        ...(unread.length > 0 ? { unread } : {}),
      });
    } catch (err) {
      // A reading thread stopped drafting the items at its time or memory limit: nothing was stored.
      if (err instanceof FeedParseError) return { failed: err.message };
      throw err;
    }
  }

  let read = await readBody(record);
  if ('failed' in read) return read;
  let items: FeedIngest | { failed: string };
  try {
    items = await ingest(read);
  } catch (err) {
    // An item left unread is not what the store has of it (edited since, waiting for a
    // moderator, its identity twice in the feed now): nothing was stored; the whole feed is read.
    if (!(err instanceof UnreadItemsChanged)) throw err;
    read = await readBody(null);
    if ('failed' in read) return read;
    items = await ingest(read);
  }
  if ('failed' in items) return items;
  // A blog waiting for a moderator keeps no record: its entries are read again at every poll.
  const next = recordsItems && !items.pending ? nextItemRecord(read, record) : null;
  return { feed: read.feed, items, cappedOut: read.cappedOut, itemRecord: recordsItems && !sameRecord(next, record) ? { next } : null };
}

/** The record the next poll reads with: the items read now, and the ones left unread as the record had them. */
function nextItemRecord(read: ReadBody, record: ItemRecord | null): ItemRecord | null {
  const { feed, itemHashes, digests } = read;
  if (!digests || !itemHashes) return null;
  const items = new Map<string, RecordedItem>();
  for (const digest of digests.skipped) {
    const recorded = record?.items.get(digest);
    if (recorded) items.set(digest, recorded);
  }
  feed.items.forEach((item, k) => {
    const digest = digests.items[k];
    if (digest) items.set(digest, { identity: identityOf(item), itemHash: itemHashes[k]!, commentCount: item.commentCount });
  });
  return { context: digests.context, items };
}

// A record is what its digests read as: the same context and the same digests, the same record.
function sameRecord(a: ItemRecord | null, b: ItemRecord | null): boolean {
  if (a === null || b === null) return a === b;
  return a.context === b.context && a.items.size === b.items.size && [...a.items.keys()].every((digest) => b.items.has(digest));
}
