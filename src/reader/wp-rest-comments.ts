// Reads one WordPress post's comments through the REST API (wp/v2/comments, WordPress 4.7+):
// the complete list the comment feeds cut to the newest ten. Pull side only: it fetches through
// the given (guarded) fetcher and maps the JSON to feed items; the caller stores them.
//
// What WordPress answers (WP_REST_Comments_Controller): an array of at most `per_page` (≤ 100)
// comments with X-WP-Total / X-WP-TotalPages, approved comments of type "comment" only for
// anonymous readers (type=pingback needs edit_posts: 401 rest_forbidden_param), `date_gmt`
// without a zone, `content.rendered` after the comment_text filters, `parent` 0 or a comment id.
// Sites that switch the API off answer 401 (rest_not_logged_in, rest_cannot_access), 403
// (rest_forbidden, or a firewall's HTML) or 404 (rest_no_route); a password-protected or private
// post answers 401/403 rest_cannot_read_post for that post alone.
import { JsonDepthError, parseJsonWithin } from './json-within.ts';
import { z } from 'zod';
import { parseFeedDate, resolveHttpUrl } from './feed-values.ts';
import { wordpressPostId } from './listings.ts';
import { FetchError, type Fetch, type FeedItem } from './types.ts';

/** WordPress's largest allowed per_page: fewer requests for a long thread. */
export const wpRestPerPage = 100;

/** A page of 100 comments is well under this; more is not a comment list. */
export const maxWpRestPageBytes = 2 * 1024 * 1024;

// A rendered comment longer than this is not one WordPress would store (comment_content holds 65,525 bytes).
const maxCommentChars = 256 * 1024;

const restAccept = 'application/json;q=1, */*;q=0.1';

/** The post whose comments are read: its guid and permalink name each comment as the feeds do. */
export interface WpPost {
  guid: string | null;
  url: string | null;
}

export type WpRestAnswer =
  | {
      kind: 'comments';
      items: FeedItem[];
      /** X-WP-Total: the post's approved comments of type "comment" (pings are not counted). */
      total: number | null;
      pagesRead: number;
      /** False when the page limit stopped the reading before X-WP-TotalPages. */
      complete: boolean;
      /** Comments left out because they were malformed or not this post's. */
      skipped: number;
    }
  /** The API refuses every anonymous reader (switched off or restricted): ask again much later. */
  | { kind: 'off'; status: number; reason: string }
  /** The API works but not for this post (password-protected, private). */
  | { kind: 'post-closed'; status: number; reason: string }
  /** Anything else (network, 5xx, 429, a body that is not a comment list): try again next time. */
  | { kind: 'failed'; status: number | null; reason: string };

/**
 * Builds the URL of a REST route under an API root, as WordPress does for pretty permalinks
 * (<home>/wp-json/wp/v2/comments) and for plain ones (<home>/?rest_route=/wp/v2/comments).
 */
export function wpRestUrl(root: string, route: string, params: Record<string, string | number>): string {
  const url = new URL(root);
  const path = route.replace(/^\/+/, '');
  if (url.searchParams.has('rest_route')) {
    url.searchParams.set('rest_route', `/${path}`);
  } else {
    url.pathname = `${url.pathname.replace(/\/?$/, '/')}${path}`;
  }
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, String(value));
  url.hash = '';
  return url.href;
}

/** The slug of a pretty permalink: its last path segment (/2008/11/slug/ → slug). */
export function slugOfPermalink(url: string | null): string | null {
  if (!url) return null;
  try {
    const segments = new URL(url).pathname.split('/').filter(Boolean);
    const last = segments.at(-1);
    return last && !/\.(php|html?)$/i.test(last) ? decodeURIComponent(last) : null;
  } catch {
    return null;
  }
}

const wpComment = z.object({
  id: z.number().int().positive(),
  post: z.number().int().nonnegative(),
  parent: z.number().int().nonnegative().default(0),
  author_name: z.string().max(1000).default(''),
  author_url: z.string().max(2000).default(''),
  date_gmt: z.string().max(64).nullish(),
  date: z.string().max(64).nullish(),
  content: z.object({ rendered: z.string() }).partial().nullish(),
  link: z.string().max(4000).nullish(),
  status: z.string().max(40).nullish(),
  type: z.string().max(40).nullish(),
});

function commentRef(post: WpPost, id: number): string | null {
  return post.guid ? `${post.guid}#comment-${id}` : null;
}

function postAnchor(post: WpPost, id: number): string | null {
  if (!post.url) return null;
  const u = new URL(post.url);
  u.hash = `comment-${id}`;
  return u.href;
}

/**
 * Maps one page of wp/v2/comments JSON to feed items named as WordPress's comment feeds name
 * them (guid <post guid>#comment-N), so a comment read here and from a feed is one entry.
 * Pure; throws WpRestFormatError when the body is not a list of comments.
 */
export function mapWpComments(json: unknown, postId: number, post: WpPost): { items: FeedItem[]; skipped: number } {
  if (!Array.isArray(json)) throw new WpRestFormatError('the REST API answered with something other than a list of comments');
  if (json.length > wpRestPerPage) throw new WpRestFormatError(`the REST API answered with ${json.length} comments, more than the ${wpRestPerPage} asked for`);
  const items: FeedItem[] = [];
  let skipped = 0;
  for (const raw of json) {
    const parsed = wpComment.safeParse(raw);
    // Another post's comment (a filter ignoring ?post=), a held one, or a malformed one: not this thread.
    if (!parsed.success || parsed.data.post !== postId || (parsed.data.status && parsed.data.status !== 'approved')) {
      skipped += 1;
      continue;
    }
    const c = parsed.data;
    const rendered = c.content?.rendered ?? '';
    if (rendered.length > maxCommentChars) {
      skipped += 1;
      continue;
    }
    const base = post.url ?? 'http://invalid.invalid/';
    const link = resolveHttpUrl(c.link ?? null, base) ?? postAnchor(post, c.id);
    const parentRef = c.parent > 0 ? { ref: commentRef(post, c.parent), href: postAnchor(post, c.parent) } : { ref: post.guid, href: post.url };
    items.push({
      guid: commentRef(post, c.id),
      url: link,
      title: null,
      authorName: c.author_name.trim() || null,
      authorUrl: resolveHttpUrl(c.author_url, null),
      contentHtml: rendered || null,
      summaryHtml: null,
      // date_gmt is UTC without a zone (mysql_to_rfc3339); `date` is local time of unknown offset.
      publishedAt: parseFeedDate(c.date_gmt ?? null),
      updatedAt: null,
      commentsPageUrl: null,
      commentFeeds: [],
      commentCount: null,
      inReplyTo: parentRef.ref || parentRef.href ? [parentRef] : [],
      trackbackPingUrl: null,
      baseUrl: link ?? base,
      lang: null,
    });
  }
  return { items, skipped };
}

/** A REST answer that is not what WordPress sends. */
export class WpRestFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WpRestFormatError';
  }
}

interface RestError {
  code: string | null;
  message: string | null;
}

function readRestError(body: Buffer): RestError {
  try {
    const json: unknown = JSON.parse(body.subarray(0, 64 * 1024).toString('utf8'));
    if (json && typeof json === 'object' && !Array.isArray(json)) {
      const o = json as Record<string, unknown>;
      return { code: typeof o.code === 'string' ? o.code.slice(0, 100) : null, message: typeof o.message === 'string' ? o.message.slice(0, 300) : null };
    }
  } catch {
    // Not JSON: a firewall's or a theme's error page.
  }
  return { code: null, message: null };
}

function isJson(contentType: string | undefined, body: Buffer): boolean {
  if (contentType && /\bjson\b/i.test(contentType)) return true;
  return /^\s*[[{]/.test(body.subarray(0, 64).toString('latin1'));
}

function describeRefusal(status: number, error: RestError): string {
  const said = error.code ? ` (${error.code}${error.message ? `: ${error.message}` : ''})` : '';
  return `the REST API answered ${status}${said}`;
}

type Fetched = { ok: true; json: unknown; headers: Record<string, string> } | { ok: false; answer: Exclude<WpRestAnswer, { kind: 'comments' }> };

async function fetchRestJson(fetch: Fetch, url: string): Promise<Fetched> {
  let res;
  try {
    res = await fetch({ url, accept: restAccept, maxBytes: maxWpRestPageBytes });
  } catch (err) {
    if (err instanceof FetchError) return { ok: false, answer: { kind: 'failed', status: null, reason: `the REST API could not be read: ${err.message}` } };
    throw err;
  }
  if (res.status === 401 || res.status === 403 || res.status === 404 || res.status === 410) {
    const error = readRestError(res.body);
    const reason = describeRefusal(res.status, error);
    // WordPress names a post it will not show; everything else refuses the reader, not the post.
    if (error.code === 'rest_cannot_read_post' || error.code === 'rest_post_invalid_id') return { ok: false, answer: { kind: 'post-closed', status: res.status, reason } };
    return { ok: false, answer: { kind: 'off', status: res.status, reason } };
  }
  if (res.status !== 200) return { ok: false, answer: { kind: 'failed', status: res.status, reason: describeRefusal(res.status, readRestError(res.body)) } };
  // A login page or a home page in place of JSON: a plugin or host that keeps the API for itself.
  if (!isJson(res.headers['content-type'], res.body)) {
    return { ok: false, answer: { kind: 'off', status: 200, reason: 'the REST API answered with a web page instead of JSON' } };
  }
  try {
    return { ok: true, json: parseJsonWithin(res.body.toString('utf8')), headers: res.headers };
  } catch (err) {
    if (err instanceof JsonDepthError) return { ok: false, answer: { kind: 'failed', status: 200, reason: `the REST API answered with JSON that ${err.message.replace(/^the JSON /, '')}` } };
    return { ok: false, answer: { kind: 'failed', status: 200, reason: 'the REST API answered with malformed JSON' } };
  }
}

function headerCount(value: string | undefined): number | null {
  return value !== undefined && /^\s*\d{1,9}\s*$/.test(value) ? Number(value) : null;
}

/**
 * Finds a post's REST id: from its ?p= guid, else by asking wp/v2/posts?slug= (one request).
 * Returns null when neither names it, or the refusal when the API is off.
 */
export async function findWpPostId(fetch: Fetch, root: string, post: WpPost): Promise<number | null | Exclude<WpRestAnswer, { kind: 'comments' }>> {
  const fromGuid = wordpressPostId(post);
  if (fromGuid !== null) return fromGuid;
  const slug = slugOfPermalink(post.url);
  if (!slug) return null;
  const fetched = await fetchRestJson(fetch, wpRestUrl(root, 'wp/v2/posts', { slug, _fields: 'id,link' }));
  if (!fetched.ok) return fetched.answer;
  if (!Array.isArray(fetched.json)) return null;
  const found = (fetched.json as unknown[]).slice(0, 20).find((p): p is { id: number } => {
    if (!p || typeof p !== 'object') return false;
    const o = p as Record<string, unknown>;
    // Several posts may share a slug across dates; the permalink tells them apart when given.
    return typeof o.id === 'number' && Number.isInteger(o.id) && o.id > 0 && (typeof o.link !== 'string' || !post.url || o.link === post.url);
  });
  return found?.id ?? null;
}

/**
 * Reads every comment of a post through wp/v2/comments, oldest first, 100 a page, paging with
 * page= until X-WP-TotalPages (or `maxPages`). Never throws for what the blog does.
 */
export async function readWpRestComments(fetch: Fetch, root: string, postId: number, post: WpPost, options: { maxPages: number }): Promise<WpRestAnswer> {
  const items: FeedItem[] = [];
  let skipped = 0;
  let total: number | null = null;
  let pagesRead = 0;
  let complete = false;
  for (let page = 1; page <= options.maxPages; page++) {
    const url = wpRestUrl(root, 'wp/v2/comments', { post: postId, per_page: wpRestPerPage, page, orderby: 'date_gmt', order: 'asc' });
    const fetched = await fetchRestJson(fetch, url);
    if (!fetched.ok) {
      // A later page failing keeps what the earlier ones brought.
      if (page > 1 && fetched.answer.kind === 'failed') break;
      return fetched.answer;
    }
    let mapped;
    try {
      mapped = mapWpComments(fetched.json, postId, post);
    } catch (err) {
      if (err instanceof WpRestFormatError) return { kind: 'failed', status: 200, reason: err.message };
      throw err;
    }
    pagesRead += 1;
    items.push(...mapped.items);
    skipped += mapped.skipped;
    total ??= headerCount(fetched.headers['x-wp-total']);
    const totalPages = Math.max(1, headerCount(fetched.headers['x-wp-totalpages']) ?? 1);
    // An empty page ends the list whatever the headers claim.
    if (page >= totalPages || mapped.items.length + mapped.skipped === 0) {
      complete = true;
      break;
    }
  }
  return { kind: 'comments', items, total, pagesRead, complete, skipped };
}
