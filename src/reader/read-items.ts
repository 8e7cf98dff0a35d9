// A poll's reading of a feed body in a reading thread: decoded and parsed, its items hashed, and
// drafted when they are all new. Given the digests of the items a source's last reads found
// (the store's item record), it parses only the items whose text is new: an item with the same
// text in the same context (everything outside the items but the feed's last-change dates, and
// the feed's URL) reads the same, so its identity, hash and comment count are the recorded ones.
import { hash } from 'node:crypto';
import type { EntryKind } from '../domain/vocabulary.ts';
import { decodeText } from './decode.ts';
import { draftAndReadBody, itemHashKeeps, itemHashOf } from './entry-draft.ts';
import { contextText, findItemChunks, withItems } from './parser/item-chunks.ts';
import { maxFeedChars, parseFeed } from './parse-feed.ts';
import type { ParsedFeed } from './types.ts';

/** The digests of what a source's reads found: the feed's context, and the items whose reading they record. */
export interface KnownItems {
  context: string;
  digests: readonly string[];
}

/** What a read tells of the items' text, for the record of the next read. */
export interface ItemDigests {
  /** The context's digest. */
  context: string;
  /** Each read item's digest (feed.items, in order); null where its hash may change with time (itemHashKeeps). */
  items: (string | null)[];
  /** Digests of the items left unread because `known` has them, in the document's order. */
  skipped: string[];
}

export interface ReadItemsRequest {
  kind: EntryKind;
  scope: string;
  at: Date;
  draftUpTo: number;
  /**
   * Digests asked for: the items `known` has are left unread when the context is the one it
   * has and the feed has at most `skipUpTo` items (more would be cut to the newest, which needs
   * every item's date). `known` null: every item is read, and digested.
   */
  digests?: { known: KnownItems | null; skipUpTo: number };
}

export interface ReadItemsAnswer {
  feed: ParsedFeed;
  itemHashes: string[];
  drafts: ReturnType<typeof draftAndReadBody>[] | null;
  /** Null when the digests were not asked for, or the document cannot be cut into its items with certainty. */
  digests: ItemDigests | null;
}

/** The digest of an item's text or a feed's context, as records keep them. */
export const digestOf = (text: string): string => hash('sha256', text, 'base64url').slice(0, 22);

/** Reads a body for a poll (FeedReader.readItems), in this thread. Throws FeedParseError. */
export async function readItemsHere(body: Buffer, contentType: string | null, url: string, request: ReadItemsRequest): Promise<ReadItemsAnswer> {
  const text = decodeText(body, contentType, 'xml').text;
  const { feed, digests } = await readDigested(text, url, request);
  const itemHashes = feed.items.map((item) => itemHashOf(item, request.kind, request.scope, request.at));
  const drafts = feed.items.length > request.draftUpTo ? null : feed.items.map((item) => draftAndReadBody(item, request.kind, request.at));
  return { feed, itemHashes, drafts, digests };
}

async function readDigested(text: string, url: string, request: ReadItemsRequest): Promise<{ feed: ParsedFeed; digests: ItemDigests | null }> {
  const asked = request.digests;
  // JSON Feed, and a text parseFeed refuses for its size, are read as they always were.
  const chunks = asked && text.length <= maxFeedChars && text.trimStart().startsWith('<') ? findItemChunks(text) : null;
  if (!asked || !chunks) return { feed: await parseFeed(text, url), digests: null };

  const context = digestOf(`${url}\u0000${contextText(text, chunks)}`);
  const itemDigests = chunks.spans.map(([start, end]) => digestOf(text.slice(start, end)));
  const known = asked.known && asked.known.context === context && chunks.spans.length <= asked.skipUpTo ? new Set(asked.known.digests) : null;
  const skip = itemDigests.map((d) => known?.has(d) ?? false);
  if (skip.some(Boolean)) {
    const kept = itemDigests.filter((_, k) => !skip[k]);
    const feed = await parseFeed(withItems(text, chunks, skip.map((s) => !s)), url).catch(() => null);
    // Read as a whole document would be, or not at all: anything repaired, or items that are not
    // the pieces cut, and the whole document is read instead.
    if (feed && feed.format !== 'json' && feed.warnings.length === 0 && feed.items.length === kept.length) {
      return { feed, digests: { context, items: recordable(feed, kept, request.at), skipped: itemDigests.filter((_, k) => skip[k]) } };
    }
  }
  const feed = await parseFeed(text, url);
  // A repaired document's items are not recorded: their reading may depend on the repair.
  if (feed.format === 'json' || feed.warnings.length > 0 || feed.items.length !== itemDigests.length) return { feed, digests: null };
  return { feed, digests: { context, items: recordable(feed, itemDigests, request.at), skipped: [] } };
}

function recordable(feed: ParsedFeed, digests: string[], at: Date): (string | null)[] {
  return feed.items.map((item, k) => (itemHashKeeps(item, at) ? digests[k]! : null));
}
