// Turns a verified ping (received or listed) into the entry Palaver threads: a record of the
// pinging page that answers the target, and that merges with that page's post when Palaver
// has it or gets it. Pure: no database, no network.
import type { EntryDraft } from '../domain/models.ts';
import type { VerifiedSource } from '../domain/verification.ts';
import type { PingProtocol } from '../domain/vocabulary.ts';
import { contentHashOf } from '../reader/entry-draft.ts';
import { htmlToText } from '../reader/sanitize.ts';
import { urlKey } from '../domain/url-key.ts';
import { linkbackRelations, type EntryRelations } from './relations.ts';

export interface PingFacts {
  protocol: PingProtocol;
  sourceUrl: string;
  targetUrl: string;
  /** The entry the target names, when Palaver knows it (a ping to a Palaver page). */
  targetEntryId?: number | null;
  /** What a trackback said about itself; the verified page wins where it says more. */
  title?: string | null;
  excerpt?: string | null;
  blogName?: string | null;
}

/** Builds the entry draft and relations of a verified ping. */
export function pingRecord(ping: PingFacts, verified: Pick<VerifiedSource, 'url' | 'title' | 'authorName' | 'authorUrl' | 'publishedAt' | 'excerptHtml'>): { draft: EntryDraft; relations: EntryRelations } {
  const sourceKey = urlKey(ping.sourceUrl)!;
  const excerptHtml = verified.excerptHtml;
  const draftWithoutHash: Omit<EntryDraft, 'contentHash'> = {
    kind: ping.protocol,
    // One record per pinging page, whichever way its pings came.
    identity: `linkback:${sourceKey}`,
    guid: null,
    url: ping.sourceUrl,
    urlKey: sourceKey,
    title: verified.title ?? ping.title ?? null,
    authorName: verified.authorName ?? ping.blogName ?? null,
    authorUrl: verified.authorUrl,
    contentHtml: excerptHtml,
    excerpt: excerptHtml ? htmlToText(excerptHtml, 280) || null : (ping.excerpt ?? null),
    lang: null,
    publishedAt: verified.publishedAt,
    updatedAt: null,
    commentCount: null,
    commentFeedUrl: null,
    commentsPageUrl: null,
    trackbackPingUrl: null,
  };
  return {
    draft: { ...draftWithoutHash, contentHash: contentHashOf(draftWithoutHash) },
    relations: {
      kind: ping.protocol,
      sourceKey,
      sourceUrl: ping.sourceUrl,
      relations: linkbackRelations(ping.targetUrl, ping.targetEntryId ?? null),
      isRoundup: false,
    },
  };
}
