// Turns the store's feed entries into the writers' OutFeed: item ids, composed titles, threading
// and sources. Pure: no database, no HTTP; the route decides scope, limits and URLs.
import type { FeedEntry, FeedEntryRef } from '../domain/models.ts';
import { feedUrl } from './feed-urls.ts';
import type { OutFeed, OutItem } from './types.ts';

/**
 * Returns an entry's item id: its Palaver page. The entry id never changes when conversations
 * merge or are re-ranked (the conversation is not part of it), and the URL opens in a browser.
 */
export function entryItemId(publicUrl: string, entryId: number): string {
  return `${publicUrl}/e/${entryId}`;
}

/** Returns the URL of a conversation's page. */
export function conversationUrl(publicUrl: string, conversationId: number): string {
  return `${publicUrl}/c/${conversationId}`;
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}

// How an answered entry is named inside another item's title: a post by its title in quotes,
// a comment by whose it is, else its address.
function nameOf(ref: FeedEntryRef): string {
  const title = ref.title?.trim();
  if (ref.kind === 'comment') return `a comment by ${ref.authorName?.trim() || 'someone'}${title ? ` ('${clip(title, 100)}')` : ''}`;
  if (title) return `'${clip(title, 120)}'`;
  return ref.url ?? `entry ${ref.id}`;
}

/**
 * Composes an item's title: a post by its own title (or the start of its text); a comment as
 * "Jens Best on 'Social Media Camp – ein kleiner Exkurs'" (the post it is on); a ping as
 * "planetsab linked to 'Social Media Camp – ein kleiner Exkurs'" (what it pinged).
 */
export function composeItemTitle(entry: FeedEntry): string {
  if (entry.kind === 'post') {
    return entry.title?.trim() || (entry.excerpt ? clip(entry.excerpt, 80) : 'Untitled post');
  }
  if (entry.kind === 'comment') {
    const who = entry.authorName?.trim() || 'Someone';
    const post = entry.post ?? (entry.parent?.kind === 'post' ? entry.parent : null);
    const postTitle = post?.title?.trim();
    if (postTitle) return `${who} on '${clip(postTitle, 120)}'`;
    return entry.parent ? `${who} on ${nameOf(entry.parent)}` : `Comment by ${who}`;
  }
  const who = entry.authorName?.trim() || entry.blog?.title?.trim() || hostOf(entry.url) || 'Someone';
  if (entry.parent) return `${who} linked to ${nameOf(entry.parent)}`;
  return entry.targetUrl ? `${who} linked to ${entry.targetUrl}` : `${who} linked here`;
}

function latest(...dates: (string | null)[]): string {
  return dates.filter((d): d is string => !!d).reduce((a, b) => (new Date(b).getTime() > new Date(a).getTime() ? b : a));
}

/** Maps one feed entry to an item of the writers. */
export function feedItemFromEntry(entry: FeedEntry, publicUrl: string): OutItem {
  const publishedAt = entry.publishedAt ?? entry.sortAt;
  const conversation = conversationUrl(publicUrl, entry.conversationId);
  return {
    id: entryItemId(publicUrl, entry.id),
    url: entry.url,
    title: composeItemTitle(entry),
    kind: entry.kind,
    via: entry.via,
    authorName: entry.authorName,
    authorUrl: entry.authorUrl,
    publishedAt,
    updatedAt: latest(publishedAt, entry.updatedAt, entry.tombstonedAt),
    contentHtml: entry.contentHtml,
    summaryText: entry.excerpt,
    lang: entry.lang,
    source: entry.blog ? { title: entry.blog.title, url: entry.blog.homeUrl, feedUrl: entry.blog.feedUrl } : null,
    inReplyTo: entry.parent ? { id: entryItemId(publicUrl, entry.parent.id), url: entry.parent.url } : null,
    // A post's replies are the rest of its conversation: its page, anchored at the post, and its
    // Atom feed, which holds the replies among the conversation's other entries.
    replies:
      entry.kind === 'post'
        ? { htmlUrl: `${conversation}#e-${entry.id}`, feedUrl: feedUrl(publicUrl, { kind: 'conversation', id: entry.conversationId }, 'atom'), count: entry.replyCount }
        : null,
    conversation: { id: String(entry.conversationId), url: conversation },
    tombstone: entry.tombstonedAt !== null,
  };
}

export interface FeedMeta {
  /** The HTML page the feed belongs to, absolute; also the feed's id. */
  homeUrl: string;
  title: string;
  subtitle: string | null;
  lang?: string | null;
}

/**
 * Builds the OutFeed of a scope. `updatedAt` is the newest change among the items, or
 * `emptyUpdatedAt` when there are none, so the document (and its ETag) changes only with them.
 */
export function buildOutFeed(input: {
  publicUrl: string;
  meta: FeedMeta;
  selfUrl: string;
  hubUrl: string | null;
  entries: FeedEntry[];
  emptyUpdatedAt: string;
}): OutFeed {
  const updatedAt = input.entries.length ? latest(...input.entries.map((e) => e.lastChangedAt)) : input.emptyUpdatedAt;
  return {
    id: input.meta.homeUrl,
    baseUrl: input.publicUrl,
    title: input.meta.title,
    subtitle: input.meta.subtitle,
    homeUrl: input.meta.homeUrl,
    selfUrl: input.selfUrl,
    hubUrl: input.hubUrl,
    updatedAt,
    lang: input.meta.lang ?? null,
    // The instance that wrote the feed, as the User-Agent names it.
    generator: { name: 'Palaver', uri: input.publicUrl, version: '0.1' },
    items: input.entries.map((e) => feedItemFromEntry(e, input.publicUrl)),
  };
}
