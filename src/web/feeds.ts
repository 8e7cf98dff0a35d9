// Feed routes: everything, one conversation and one blog as Atom, RSS and JSON Feed with
// conditional GET; the OPML export and import of the registry; the page documenting the
// extensions. Feeds are composed from the store here; the writers in feeds/ never see HTTP.

import { type FeedFormat, feedFormats, type FeedScope } from '../domain/vocabulary.ts';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../app.ts';
import { projectRoot } from '../config.ts';
import { renderAtom } from '../feeds/atom.ts';
import { buildOutFeed, conversationUrl, type FeedMeta } from '../feeds/from-entries.ts';
import { renderJsonFeed } from '../feeds/json-feed.ts';
import { renderRss } from '../feeds/rss.ts';
import { feedContentTypes, type OutFeed } from '../feeds/types.ts';
import { renderRegistryOpml } from '../registry/export-opml.ts';
import { findBlogById } from '../store/blogs.ts';
import { findConversation } from '../store/conversations.ts';
import { findFeedVersion, listFeedEntries } from '../store/feed-items.ts';
import { HttpError } from './errors.ts';
import { PageCache } from './page.ts';

const writers: Record<FeedFormat, (feed: OutFeed) => string> = { atom: renderAtom, rss: renderRss, json: renderJsonFeed };

/** The autodiscovery `<link rel="alternate">` of each format for a page whose feeds live under `basePath`. */
export function feedAlternates(publicUrl: string, basePath: string, title: string): { type: string; href: string; title: string }[] {
  const names: Record<FeedFormat, string> = { atom: 'Atom', rss: 'RSS', json: 'JSON Feed' };
  return feedFormats.map((format) => ({
    type: feedContentTypes[format].split(';')[0]!,
    href: `${publicUrl}${basePath}/feed.${format}`,
    title: `${title} (${names[format]})`,
  }));
}

const idParams = z.object({ id: z.string().regex(/^\d{1,15}$/).transform(Number) });

function parseId(params: unknown, what: string): number {
  const parsed = idParams.safeParse(params);
  if (!parsed.success) throw new HttpError(404, 'not-found', `There is no such ${what}.`);
  return parsed.data.id;
}

/** Returns a strong ETag of a representation: a hash of its bytes. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

// RFC 9110 §13.1.2: If-None-Match compares weakly, lists are comma-separated, `*` matches any.
function matchesIfNoneMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque);
}

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

/** Registers the feed routes, /blogs.opml and /docs/json-feed-extension. */
export async function feedRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const publicUrl = deps.config.publicUrl;
  const maxItems = deps.config.feeds.maxItems;
  const now = deps.now ?? (() => new Date());
  const cache = new PageCache(5 * 60_000, 300, 32 * 1024 * 1024);

  async function sendFeed(
    request: FastifyRequest,
    reply: FastifyReply,
    input: { scope: FeedScope; format: FeedFormat; basePath: string; meta: FeedMeta; emptyUpdatedAt: string },
  ) {
    const selfUrl = `${publicUrl}${input.basePath}/feed.${input.format}`;
    const hubUrl = deps.websubHubUrl?.() ?? null;
    // Rendered once per version of the data: a feed reader polling every few minutes, and every
    // 304, costs two index lookups instead of a render.
    const version = await findFeedVersion(deps.db, input.scope);
    const key = `${selfUrl} ${hubUrl ?? ''} ${JSON.stringify(input.meta)} ${version}`;
    const rendered = await cache.get(key, Date.now(), async () => {
      const entries = await listFeedEntries(deps.db, input.scope, maxItems);
      const feed = buildOutFeed({ publicUrl, meta: input.meta, selfUrl, hubUrl, entries, emptyUpdatedAt: input.emptyUpdatedAt });
      const text = writers[input.format](feed);
      return { body: Buffer.from(text, 'utf8'), etag: etagOf(text), lastModified: feed.updatedAt, renderedAt: Date.now() };
    });
    const body = rendered.body;
    const etag = rendered.etag;
    const lastModified = new Date(rendered.lastModified!);
    // WebSub §4: a publisher advertises the hub and the topic's canonical URL in Link headers.
    const links = [`<${selfUrl}>; rel="self"`];
    if (hubUrl) links.push(`<${hubUrl}>; rel="hub"`);
    reply
      .header('etag', etag)
      .header('last-modified', lastModified.toUTCString())
      .header('cache-control', 'public, max-age=60')
      .header('link', links.join(', '));
    if (isNotModified(request.headers, etag, lastModified)) return reply.code(304).send();
    return reply.type(feedContentTypes[input.format]).send(body);
  }

  for (const format of feedFormats) {
    app.get(`/feed.${format}`, async (request, reply) =>
      sendFeed(request, reply, {
        scope: { kind: 'all' },
        format,
        basePath: '',
        meta: {
          homeUrl: `${publicUrl}/`,
          title: 'Palaver: all conversations',
          subtitle: 'Every post, comment and linkback of the debates Palaver follows, newest first.',
        },
        emptyUpdatedAt: new Date(0).toISOString(),
      }),
    );

    app.get<{ Params: { id: string } }>(`/c/:id/feed.${format}`, async (request, reply) => {
      const id = parseId(request.params, 'conversation');
      const found = await findConversation(deps.db, id);
      if (!found) throw new HttpError(404, 'not-found', `There is no conversation ${id}.`);
      // The survivor of a merge holds the whole thread now; its feed is the one to follow.
      if ('mergedInto' in found) return reply.redirect(`/c/${found.mergedInto}/feed.${format}`, 301);
      const c = found.conversation;
      return sendFeed(request, reply, {
        scope: { kind: 'conversation', id: c.id },
        format,
        basePath: `/c/${c.id}`,
        meta: {
          homeUrl: conversationUrl(publicUrl, c.id),
          title: `${c.title?.trim() || `Conversation ${c.id}`} – Palaver`,
          subtitle: `A conversation across ${c.blogCount} ${c.blogCount === 1 ? 'blog' : 'blogs'}: posts, comments and linkbacks, newest first.`,
        },
        emptyUpdatedAt: c.lastActivityAt ?? new Date(0).toISOString(),
      });
    });

    app.get<{ Params: { id: string } }>(`/blogs/:id/feed.${format}`, async (request, reply) => {
      const id = parseId(request.params, 'blog');
      const blog = await findBlogById(deps.db, id);
      if (!blog) throw new HttpError(404, 'not-found', 'There is no such blog.');
      return sendFeed(request, reply, {
        scope: { kind: 'blog', id: blog.id },
        format,
        basePath: `/blogs/${blog.id}`,
        meta: {
          homeUrl: `${publicUrl}/blogs/${blog.id}`,
          title: `${blog.title?.trim() || blog.homeUrl} – Palaver`,
          subtitle: `Posts, comments and linkbacks of ${blog.homeUrl} as Palaver threads them, newest first.`,
        },
        emptyUpdatedAt: blog.createdAt,
      });
    });
  }

  app.get('/blogs.opml', async (_request, reply) => {
    const body = await renderRegistryOpml(deps.db, { now: now() });
    return reply
      .type(feedContentTypes.opml)
      .header('content-disposition', 'inline; filename="palaver-blogs.opml"')
      .send(body);
  });

  const extensionDoc = path.join(projectRoot, 'docs', 'json-feed-extension.md');
  app.get('/docs/json-feed-extension', async (_request, reply) => {
    // Served as the Markdown it is written in: readable as text, and the URL is an identifier first.
    const text = await fs.readFile(extensionDoc, 'utf8');
    return reply.type('text/markdown; charset=utf-8').send(text);
  });
}
