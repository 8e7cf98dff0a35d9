// Sending HTML pages: the reader's language (?lang, cookie, Accept-Language), validators
// (ETag, Last-Modified) with 304 answers, and a small cache of rendered pages.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pickLocale, type Locale } from '../views/i18n.ts';

/** Picks the page language; an explicit ?lang= is remembered in a cookie for the next pages. */
export function requestLocale(request: FastifyRequest, reply: FastifyReply): Locale {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const locale = pickLocale({ query: query.lang, cookie: request.headers.cookie, acceptLanguage: request.headers['accept-language'] });
  if (query.lang === locale) reply.header('set-cookie', `lang=${locale}; Path=/; Max-Age=31536000; SameSite=Lax`);
  // Caches must keep the languages apart.
  reply.header('vary', 'Accept-Language, Cookie');
  return locale;
}

export interface RenderedPage {
  /** Encoded once: a cached page is sent as these bytes, with no per-request UTF-8 encoding. */
  body: Buffer;
  etag: string;
  /** When the data behind the page last changed (HTTP date), if known. */
  lastModified: string | null;
  renderedAt: number;
  /** Rendered without a part the tally thread was too busy to count: sent, but not kept. */
  partial?: boolean;
}

/** Wraps a rendered body with its validators. */
export function toRenderedPage(html: string, lastModifiedIso: string | null, renderedAt: number): RenderedPage {
  const body = Buffer.from(html, 'utf8');
  const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
  const date = lastModifiedIso ? new Date(lastModifiedIso) : null;
  return { body, etag, lastModified: date && !Number.isNaN(date.getTime()) ? date.toUTCString() : null, renderedAt };
}

function notModified(request: FastifyRequest, page: RenderedPage): boolean {
  const inm = request.headers['if-none-match'];
  // RFC 9110 §13.1.2: with If-None-Match present, If-Modified-Since is ignored.
  if (inm !== undefined) return inm.split(',').some((tag) => tag.trim().replace(/^W\//, '') === page.etag || tag.trim() === '*');
  const ims = request.headers['if-modified-since'];
  if (!ims || !page.lastModified) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Date.parse(page.lastModified) <= since;
}

/** Sends a rendered page (HTML unless `type` says otherwise), or 304 when the client's copy is current. */
export function sendPage(request: FastifyRequest, reply: FastifyReply, page: RenderedPage, options: { type?: string } = {}): FastifyReply {
  reply.header('etag', page.etag);
  if (page.lastModified) reply.header('last-modified', page.lastModified);
  // Relative times age: clients revalidate every time, which the ETag makes cheap.
  reply.header('cache-control', 'no-cache');
  if (notModified(request, page)) return reply.status(304).send();
  return reply.type(options.type ?? 'text/html; charset=utf-8').send(page.body);
}

/**
 * Keeps rendered pages by key (what was rendered and the version of its data) for `maxAgeMs`:
 * relative times ("vor 2 Stunden") age, so a page is rendered again after a while even when its
 * data did not change. Least recently used pages go first beyond `maxEntries`.
 */
export class PageCache<P extends RenderedPage = RenderedPage> {
  private readonly pages = new Map<string, P>();
  private bytes = 0;

  constructor(
    private readonly maxAgeMs = 60_000,
    private readonly maxEntries = 500,
    // A 500-entry conversation is about 1 MB.
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  private remove(key: string): void {
    const page = this.pages.get(key);
    if (!page) return;
    this.bytes -= page.body.length;
    this.pages.delete(key);
  }

  /** Returns the cached page for key, or renders, stores and returns it. */
  async get(key: string, now: number, render: () => Promise<P> | P): Promise<P> {
    const hit = this.pages.get(key);
    if (hit && now - hit.renderedAt < this.maxAgeMs && hit.renderedAt <= now) {
      this.pages.delete(key);
      this.pages.set(key, hit);
      return hit;
    }
    const page = await render();
    if (page.partial) return page;
    this.remove(key);
    this.pages.set(key, page);
    this.bytes += page.body.length;
    while (this.pages.size > this.maxEntries || (this.bytes > this.maxBytes && this.pages.size > 1)) this.remove(this.pages.keys().next().value!);
    return page;
  }

  get size(): number {
    return this.pages.size;
  }
}
