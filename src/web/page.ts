// Sending HTML pages: the reader's language (?lang, cookie, Accept-Language), validators
// (ETag, Last-Modified) with 304 answers, and a small cache of rendered pages, by version or
// until the next commit.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/open.ts';
import { readOnlyStamp } from '../store/dialect.ts';
import { pickLocale, type Locale } from '../views/i18n.ts';
import { etagAsSent, negotiateCoding, sendKept, type KeptBody } from './compression.ts';

/** Picks the page language; an explicit ?lang= is remembered in a cookie for the next pages. */
export function requestLocale(request: FastifyRequest, reply: FastifyReply): Locale {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const locale = pickLocale({ query: query.lang, cookie: request.headers.cookie, acceptLanguage: request.headers['accept-language'] });
  if (query.lang === locale) reply.header('set-cookie', `lang=${locale}; Path=/; Max-Age=31536000; SameSite=Lax`);
  // Caches must keep the languages apart.
  reply.header('vary', 'Accept-Language, Cookie');
  return locale;
}

export interface RenderedPage extends KeptBody {
  /** Encoded once: a cached page is sent as these bytes (or their compressed form), with no per-request UTF-8 encoding. */
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

/**
 * Whether an If-None-Match header names `etag` (RFC 9110 §13.1.2): compared weakly (the weak
 * ETag of a compressed answer names its page too), lists are comma-separated, `*` matches any.
 */
export function matchesIfNoneMatch(header: string, etag: string): boolean {
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === opaque);
}

function notModified(request: FastifyRequest, page: RenderedPage): boolean {
  const inm = request.headers['if-none-match'];
  // RFC 9110 §13.1.2: with If-None-Match present, If-Modified-Since is ignored.
  if (inm !== undefined) return matchesIfNoneMatch(inm, page.etag);
  const ims = request.headers['if-modified-since'];
  if (!ims || !page.lastModified) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Date.parse(page.lastModified) <= since;
}

/** Sends a rendered page (HTML unless `type` says otherwise), compressed as the client accepts, or 304 when its copy is current. */
export async function sendPage(request: FastifyRequest, reply: FastifyReply, page: RenderedPage, options: { type?: string } = {}): Promise<FastifyReply> {
  const coding = negotiateCoding(request, reply, page);
  reply.header('etag', etagAsSent(page.etag, coding));
  if (page.lastModified) reply.header('last-modified', page.lastModified);
  // Relative times age: clients revalidate every time, which the ETag makes cheap. A page drawn
  // without a part the tally thread was too busy to count is kept by no cache: the next request
  // shows it whole.
  reply.header('cache-control', page.partial ? 'no-store' : 'no-cache');
  if (notModified(request, page)) return reply.status(304).send();
  return sendKept(reply, page, options.type ?? 'text/html; charset=utf-8', coding);
}

/**
 * Keeps rendered pages by key (what was rendered and the version of its data) for `maxAgeMs`:
 * relative times ("vor 2 Stunden") age, so a page is rendered again after a while even when its
 * data did not change. Least recently used pages go first beyond `maxEntries`.
 */
export class PageCache<P extends RenderedPage = RenderedPage> {
  private readonly pages = new Map<string, P>();

  constructor(
    private readonly maxAgeMs = 60_000,
    private readonly maxEntries = 500,
    // A 500-entry conversation is about 1 MB, its compressed forms a fifth of that each.
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

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
    this.pages.delete(key);
    this.pages.set(key, page);
    // Counted anew at each insertion: a page's compressed forms are added after it is stored.
    const sizeOf = (p: P) => p.body.length + (p.encodedBytes ?? 0);
    let bytes = 0;
    for (const p of this.pages.values()) bytes += sizeOf(p);
    for (const [oldest, p] of this.pages) {
      if (this.pages.size <= this.maxEntries && (bytes <= this.maxBytes || this.pages.size <= 1)) break;
      this.pages.delete(oldest);
      bytes -= sizeOf(p);
    }
    return page;
  }

  get size(): number {
    return this.pages.size;
  }
}

/**
 * A page kept in `cache` under `key` until the reading connection `db` sees a commit (SQLite's
 * data_version, one statement a request: store/dialect.ts readOnlyStamp) or the cache's age
 * passes: a crowd between two polls costs a statement a request, not the page's reads. Without
 * such a stamp (PostgreSQL, a connection that has written) it is rendered every time.
 */
export async function keptUntilCommit<P extends RenderedPage>(cache: PageCache<P>, db: Db, key: unknown[], at: number, render: () => Promise<P>): Promise<P> {
  const stamp = await readOnlyStamp(db);
  return stamp === null ? render() : cache.get(JSON.stringify([stamp, ...key]), at, render);
}
