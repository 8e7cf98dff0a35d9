// The JSON shape of a blog in the API: the blog, its health, what discovery found, its sources.

import type { Blog, Source, CommentGap } from '../domain/models.ts';
import type { BlogHealth } from '../registry/health.ts';


/** Shapes a source for the API. */
export function sourceJson(s: Source) {
  return {
    id: s.id,
    kind: s.kind,
    url: s.url,
    format: s.format,
    lastCheckedAt: s.lastCheckedAt,
    lastSuccessAt: s.lastSuccessAt,
    lastStatus: s.lastStatus,
    lastError: s.lastError,
    consecutiveFailures: s.consecutiveFailures,
    nextCheckAt: s.disabledAt ? null : s.nextCheckAt,
    disabled: s.disabledAt !== null,
    disabledReason: s.disabledReason,
    ...(s.kind === 'post-comments' ? { missingReason: s.gapNote } : {}),
  };
}

/** Shapes a post's comment gap for the API. */
export function commentGapJson(g: CommentGap) {
  return { entryId: g.postId, url: g.url, title: g.title, conversationId: g.conversationId, reported: g.reported, known: g.known, missingCount: g.missing, reason: g.note };
}

/** Shapes a blog for the API; `withSources` adds the per-source poll state. */
export function blogJson(blog: Blog, health: BlogHealth, sources: Source[], options: { withSources?: boolean; entryCount?: number; gaps?: CommentGap[] } = {}) {
  const feed = sources.find((s) => s.kind === 'feed') ?? null;
  const comments = sources.find((s) => s.kind === 'site-comments') ?? null;
  return {
    id: blog.id,
    url: blog.homeUrl,
    homeUrl: blog.homeUrl,
    title: blog.title,
    description: blog.description,
    status: health.status,
    lastCheckedAt: health.lastCheckedAt,
    lastSuccessAt: health.lastSuccessAt,
    nextCheckAt: health.status === 'disabled' ? null : health.nextCheckAt,
    lastError: health.lastError,
    feedUrl: feed?.url ?? null,
    commentFeedUrl: comments?.url ?? null,
    pingbackEndpoint: blog.pingbackEndpoint,
    webmentionEndpoint: blog.webmentionEndpoint,
    rsdUrl: blog.rsdUrl,
    trackbackPingUrl: blog.trackbackPingUrl,
    restApi: blog.apiRootUrl ? { url: blog.apiRootUrl, status: blog.apiOffAt ? 'off' : 'on', reason: blog.apiOffReason } : null,
    notes: blog.discoveryNotes,
    createdAt: blog.createdAt,
    // 'pending' until a moderator approves a stranger's registration (registry.moderation).
    approval: blog.approval,
    ...(options.entryCount !== undefined ? { entryCount: options.entryCount } : {}),
    ...(options.gaps ? { missingCount: options.gaps.reduce((n, g) => n + g.missing, 0), commentGaps: options.gaps.map(commentGapJson) } : {}),
    ...(options.withSources ? { sources: sources.map(sourceJson) } : {}),
  };
}
