// Decides the stored form of an arriving entry: its final kind, what an earlier record of the
// same entry said that this one does not (prior-entry reconciliation), its search text and
// content hash, the channel it replaces, and whether a repeated arrival needs threading at all.
// Pure: the caller reads the prior record from the store and applies the decision there.
import { edgeTargetKey, type RelationDraft } from '../domain/edges.ts';
import type { EntryDraft } from '../domain/models.ts';
import type { Channel, EntryKind } from '../domain/vocabulary.ts';
import { contentHashOf } from '../reader/entry-draft.ts';
import { htmlToText } from '../reader/sanitize.ts';
import type { EntryRelations } from './relations.ts';

/** What the store already holds of an entry with the same identity in the same blog. */
export interface PriorRecord {
  kind: EntryKind;
  /** For a ping record: the url key of the page that sent it. */
  sourceKey: string | null;
  authorUrl: string | null;
}

/** How an arriving entry is stored and threaded. */
export interface EntryDecision {
  /** The draft as stored: its kind decided, reconciled with the prior record, hash recomputed. */
  draft: EntryDraft;
  /** What full-text search indexes: words, not markup. */
  contentText: string | null;
  /** For a ping record: the url key of the page that sent it (the node it merges with). */
  sourceKey: string | null;
  relations: RelationDraft[];
  isRoundup: boolean;
  /** A channel this arrival replaces on the entry (a ping first taken for a plain comment). */
  replacesChannel: Channel | null;
}

/**
 * Decides how an entry is stored. The same comment comes from the site comment feed (RSS: no
 * author URL) and from its post's Atom comment feed (with it): what the richer one said about
 * a ping is kept, so a later poll of the poorer feed does not turn the ping back into a comment.
 */
export function decideEntry(draft: EntryDraft, relations: EntryRelations, prior: PriorRecord | undefined): EntryDecision {
  let stored: EntryDraft = { ...draft, kind: relations.kind };
  let kind = relations.kind;
  let sourceKey = relations.sourceKey;
  let edges = relations.relations;
  if (prior && prior.sourceKey !== null && relations.sourceKey === null && !stored.authorUrl) {
    const kept = { ...stored, kind: prior.kind, authorUrl: prior.authorUrl };
    stored = { ...kept, contentHash: contentHashOf(kept) };
    kind = prior.kind;
    sourceKey = prior.sourceKey;
    // A ping's body is an excerpt of the pinging page: its links are not the entry's own.
    edges = [...edges.filter((r) => r.type !== 'links-to'), { type: 'same-as', target: { kind: 'url', key: prior.sourceKey }, toUrl: prior.authorUrl }];
  }
  return {
    draft: stored,
    // The text was read with the links when the body is the one they were read from.
    contentText: relations.bodyText !== undefined && relations.bodyText.html === stored.contentHtml ? relations.bodyText.text || null : contentTextOf(stored),
    sourceKey,
    relations: edges,
    isRoundup: relations.isRoundup,
    replacesChannel: replacedChannel(kind),
  };
}

/** Returns the text full-text search indexes for an entry: its content as words, else its excerpt. */
export function contentTextOf(draft: Pick<EntryDraft, 'contentHtml' | 'excerpt'>): string | null {
  return draft.contentHtml ? htmlToText(draft.contentHtml) || null : draft.excerpt;
}

/**
 * Returns the channel an entry of this kind no longer counts as: a pingback or trackback first
 * seen as a plain comment (the site's RSS comment feed has no author URL) came by that ping.
 */
export function replacedChannel(kind: EntryKind): Channel | null {
  return kind === 'pingback' || kind === 'trackback' ? 'comment-feed' : null;
}

/**
 * Tells whether an arrival leaves the entry's threading as it is: the same content again, of
 * an entry already in a conversation and still of the same kind (a repeated poll stops here).
 */
export function isAlreadyThreaded(
  outcome: 'inserted' | 'updated' | 'unchanged',
  stored: { conversationId: number | null; kind: EntryKind },
  kind: EntryKind,
): boolean {
  return outcome === 'unchanged' && stored.conversationId !== null && stored.kind === kind;
}

/**
 * Lists the stored edges an edit took away: body links no longer in the body. Other edges stay,
 * and edges that already joined conversations keep them joined (a link taken out later does
 * not split a debate that happened).
 */
export function staleLinkEdges<E extends { type: string; target: string }>(existing: E[], wanted: RelationDraft[]): E[] {
  const keep = new Set(wanted.map((r) => `${r.type} ${edgeTargetKey(r.target)}`));
  return existing.filter((e) => e.type === 'links-to' && !keep.has(`${e.type} ${e.target}`));
}
