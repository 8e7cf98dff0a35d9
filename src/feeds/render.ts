// Renders a feed: a scope (everything, a conversation, a blog, a group) and a format to the document,
// composed from the store. The feed routes serve it with HTTP caching around it; the WebSub
// hub delivers the same bytes to subscribers. Nothing here knows about HTTP.
import { createHash } from 'node:crypto';
import type { Db } from '../db/open.ts';
import type { FeedFormat, FeedScope } from '../domain/vocabulary.ts';
import { findBlogById } from '../store/blogs.ts';
import { findConversation } from '../store/conversations.ts';
import { findGroupBySlug } from '../store/groups.ts';
import { listFeedEntries } from '../store/feed-items.ts';
import { renderAtom } from './atom.ts';
import { feedUrl, parseFeedUrl } from './feed-urls.ts';
import { buildOutFeed, conversationUrl, type FeedMeta } from './from-entries.ts';
import { renderJsonFeed } from './json-feed.ts';
import { renderRss } from './rss.ts';
import { feedContentTypes, type OutFeed } from './types.ts';

const writers: Record<FeedFormat, (feed: OutFeed) => string> = { atom: renderAtom, rss: renderRss, json: renderJsonFeed };

export interface FeedRenderDeps {
  db: Db;
  publicUrl: string;
  /** Items per feed (feeds.maxItems). */
  maxItems: number;
  /** The WebSub hub the feed names (rel="hub"), or null. */
  hubUrl: string | null;
}

/** What a feed's scope is: missing, merged into another conversation, or found with its title. */
export type FeedSubject =
  | { status: 'missing' }
  | { status: 'moved'; scope: FeedScope }
  | { status: 'found'; meta: FeedMeta; emptyUpdatedAt: string };

/** Looks a scope up and names its feed: title, subtitle, page, and the date an empty feed shows. */
export async function findFeedSubject(db: Db, publicUrl: string, scope: FeedScope): Promise<FeedSubject> {
  switch (scope.kind) {
    case 'all':
      return {
        status: 'found',
        meta: {
          homeUrl: `${publicUrl}/`,
          title: 'Palaver: all conversations',
          subtitle: 'Every post, comment and linkback of the debates Palaver follows, newest first.',
        },
        emptyUpdatedAt: new Date(0).toISOString(),
      };
    case 'conversation': {
      const found = await findConversation(db, scope.id);
      if (!found) return { status: 'missing' };
      // The survivor of a merge holds the whole thread now; its feed is the one to follow.
      if ('mergedInto' in found) return { status: 'moved', scope: { kind: 'conversation', id: found.mergedInto } };
      const c = found.conversation;
      return {
        status: 'found',
        meta: {
          homeUrl: conversationUrl(publicUrl, c.id),
          title: `${c.title?.trim() || `Conversation ${c.id}`} – Palaver`,
          subtitle: `A conversation across ${c.blogCount} ${c.blogCount === 1 ? 'blog' : 'blogs'}: posts, comments and linkbacks, newest first.`,
        },
        emptyUpdatedAt: c.lastActivityAt ?? new Date(0).toISOString(),
      };
    }
    case 'blog': {
      const blog = await findBlogById(db, scope.id);
      if (!blog) return { status: 'missing' };
      return {
        status: 'found',
        meta: {
          homeUrl: `${publicUrl}/blogs/${blog.id}`,
          title: `${blog.title?.trim() || blog.homeUrl} – Palaver`,
          subtitle: `Posts, comments and linkbacks of ${blog.homeUrl} as Palaver threads them, newest first.`,
        },
        emptyUpdatedAt: blog.createdAt,
      };
    }
    case 'group': {
      const group = await findGroupBySlug(db, scope.slug);
      if (!group) return { status: 'missing' };
      return {
        status: 'found',
        meta: {
          homeUrl: `${publicUrl}/g/${group.slug}`,
          title: `${group.title} – Palaver`,
          subtitle: group.description?.trim() || `Posts, comments and linkbacks of the conversations of the group “${group.title}”, threaded across its blogs, newest first.`,
          lang: group.lang,
        },
        emptyUpdatedAt: group.updatedAt,
      };
    }
  }
}

/** A rendered feed document with its validators. */
export interface RenderedFeed {
  contentType: string;
  body: Buffer;
  /** A strong ETag: a hash of the bytes. */
  etag: string;
  /** The newest change among the items (ISO 8601). */
  lastModified: string;
  /** The feed's own URL (rel="self", the WebSub topic). */
  selfUrl: string;
}

/** Returns a strong ETag of a representation: a hash of its bytes. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/** Renders the feed of a found subject in a format. */
export async function renderFeedDocument(deps: FeedRenderDeps, scope: FeedScope, format: FeedFormat, subject: Extract<FeedSubject, { status: 'found' }>): Promise<RenderedFeed> {
  const selfUrl = feedUrl(deps.publicUrl, scope, format);
  const entries = await listFeedEntries(deps.db, scope, deps.maxItems);
  const feed = buildOutFeed({ publicUrl: deps.publicUrl, meta: subject.meta, selfUrl, hubUrl: deps.hubUrl, entries, emptyUpdatedAt: subject.emptyUpdatedAt });
  const text = writers[format](feed);
  return { contentType: feedContentTypes[format], body: Buffer.from(text, 'utf8'), etag: etagOf(text), lastModified: feed.updatedAt, selfUrl };
}

/** Renders one of Palaver's feeds by its URL (a WebSub topic); null when no such feed exists now. */
export async function renderFeedAt(deps: FeedRenderDeps, url: string): Promise<RenderedFeed | null> {
  const parsed = parseFeedUrl(deps.publicUrl, url);
  if (!parsed) return null;
  const subject = await findFeedSubject(deps.db, deps.publicUrl, parsed.scope);
  // A merged conversation's feed redirects; a subscriber of the old topic gets nothing from it.
  if (subject.status !== 'found') return null;
  return renderFeedDocument(deps, parsed.scope, parsed.format, subject);
}
