// Feed routes: everything, one conversation, one blog and one group as Atom, RSS and JSON Feed, with
// conditional GET, compression and the WebSub Link headers. The document comes from
// feeds/render.ts (the WebSub hub delivers the same); this module only caches it and translates HTTP.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { feedFormats, type FeedFormat, type FeedScope } from '../domain/vocabulary.ts';
import { feedPath, feedRoutePattern } from '../feeds/feed-urls.ts';
import { findFeedSubject, renderFeedDocument } from '../feeds/render.ts';
import { findFeedVersion } from '../store/feed-items.ts';
import type { AppDeps } from './deps.ts';
import { etagAsSent, negotiateCoding, sendKept } from './compression.ts';
import { HttpError } from './errors.ts';
import { parseGroupSlug, parseIdParam } from './ids.ts';
import { matchesIfNoneMatch, PageCache, type RenderedPage } from './page.ts';

/**
 * Tells whether the client's copy is current: If-None-Match when sent (RFC 9110 §13.2.2: it
 * takes precedence), else If-Modified-Since at the one-second precision of HTTP dates.
 */
export function isNotModified(headers: FastifyRequest['headers'], etag: string, lastModified: Date): boolean {
  const inm = headers['if-none-match'];
  if (typeof inm === 'string' && inm.length) return matchesIfNoneMatch(inm, etag);
  const ims = headers['if-modified-since'];
  if (typeof ims !== 'string') return false;
  const since = Date.parse(ims);
  if (Number.isNaN(since)) return false;
  return Math.floor(lastModified.getTime() / 1000) <= Math.floor(since / 1000);
}

function missing(scope: FeedScope): string {
  switch (scope.kind) {
    case 'all':
      return 'There is no such feed.';
    case 'conversation':
      return `There is no conversation ${scope.id}.`;
    case 'blog':
      return 'There is no such blog.';
    case 'group':
      return 'There is no such group.';
  }
}

/** Registers the feed routes of every scope and format. */
export async function feedRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // Only reads: through the read handle, which an ingest's open transaction does not hold up.
  const db = deps.read ?? deps.db;
  const publicUrl = deps.config.publicUrl;
  const cache = new PageCache<RenderedPage & { selfUrl: string; contentType: string }>(5 * 60_000, 300, 32 * 1024 * 1024);

  async function sendFeed(request: FastifyRequest, reply: FastifyReply, scope: FeedScope, format: FeedFormat) {
    const subject = await findFeedSubject(db, publicUrl, scope);
    if (subject.status === 'missing') throw new HttpError(404, 'not-found', missing(scope));
    if (subject.status === 'moved') return reply.redirect(feedPath(subject.scope, format), 301);
    const hubUrl = deps.websubHubUrl?.() ?? null;
    // Rendered once per version of the data: a feed reader polling every few minutes, and every
    // 304, costs two index lookups instead of a render.
    const version = await findFeedVersion(db, scope);
    const key = `${feedPath(scope, format)} ${hubUrl ?? ''} ${JSON.stringify(subject.meta)} ${version}`;
    const rendered = await cache.get(key, Date.now(), async () => {
      const feed = await renderFeedDocument({ db: db, publicUrl, maxItems: deps.config.feeds.maxItems, hubUrl }, scope, format, subject);
      return { body: feed.body, etag: feed.etag, lastModified: feed.lastModified, renderedAt: Date.now(), selfUrl: feed.selfUrl, contentType: feed.contentType };
    });
    const lastModified = new Date(rendered.lastModified!);
    // WebSub §4: a publisher advertises the hub and the topic's canonical URL in Link headers.
    const links = [`<${rendered.selfUrl}>; rel="self"`];
    if (hubUrl) links.push(`<${hubUrl}>; rel="hub"`);
    const coding = negotiateCoding(request, reply, rendered);
    reply
      .header('etag', etagAsSent(rendered.etag, coding))
      .header('last-modified', lastModified.toUTCString())
      .header('cache-control', 'public, max-age=60')
      .header('link', links.join(', '));
    if (isNotModified(request.headers, rendered.etag, lastModified)) return reply.code(304).send();
    return sendKept(reply, rendered, rendered.contentType, coding);
  }

  for (const format of feedFormats) {
    app.get(feedRoutePattern('all', format), async (request, reply) => sendFeed(request, reply, { kind: 'all' }, format));
    app.get(feedRoutePattern('conversation', format), async (request, reply) =>
      sendFeed(request, reply, { kind: 'conversation', id: parseIdParam(request.params, 'conversation') }, format),
    );
    app.get(feedRoutePattern('blog', format), async (request, reply) => sendFeed(request, reply, { kind: 'blog', id: parseIdParam(request.params, 'blog') }, format));
    app.get(feedRoutePattern('group', format), async (request, reply) => sendFeed(request, reply, { kind: 'group', slug: parseGroupSlug(request.params) }, format));
  }
}
