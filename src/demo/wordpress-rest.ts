// The fixture blogs' WordPress REST API (/wp-json/): the index, wp/v2/comments and wp/v2/posts
// as WordPress 6 answers an anonymous reader (WP_REST_Comments_Controller, WP_REST_Posts_Controller),
// and the refusals of sites that switch it off. Pure: a request's path and query in, status,
// headers and JSON text out; blogs.ts sends them.
import type { DebateComment, DebatePost } from './debate.ts';
import { localParts } from './local-time.ts';
import { commentLink, postPermalink, type Site } from './wordpress.ts';

export interface RestAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const jsonHeaders = { 'content-type': 'application/json; charset=UTF-8', 'x-content-type-options': 'nosniff', 'access-control-expose-headers': 'X-WP-Total, X-WP-TotalPages, Link' };

function json(status: number, value: unknown, headers: Record<string, string> = {}): RestAnswer {
  // wp_json_encode() escapes slashes: "http:\/\/…".
  return { status, headers: { ...jsonHeaders, ...headers }, body: JSON.stringify(value).replace(/\//g, '\\/') };
}

function restError(status: number, code: string, message: string, params?: Record<string, string>): RestAnswer {
  return json(status, { code, message, data: params ? { status, params } : { status } });
}

// What sites that restrict the API answer: "Disable REST API"-style plugins (401), hosts and
// security plugins (403), and a rest_endpoints filter that drops the routes (404).
function refusal(mode: 401 | 403 | 404): RestAnswer {
  if (mode === 401) return restError(401, 'rest_not_logged_in', 'You are not currently logged in.');
  if (mode === 403) return restError(403, 'rest_forbidden', 'Sorry, you are not allowed to do that.');
  return restError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
}

/** mysql_to_rfc3339() of a *_gmt column: UTC without a zone. */
function rfc3339NoZone(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, '');
}

/** mysql_to_rfc3339() of a local-time column: the blog's wall clock, no zone either. */
function localNoZone(iso: string): string {
  const p = localParts(iso);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

function commentJson(site: Site, post: DebatePost, comment: DebateComment, rendered: (c: DebateComment) => string): Record<string, unknown> {
  return {
    id: comment.id,
    post: post.id,
    parent: comment.parentId,
    author: 0,
    author_name: comment.author,
    author_url: comment.authorUrl ? site.resolveLinks(comment.authorUrl) : '',
    date: localNoZone(comment.date),
    date_gmt: rfc3339NoZone(comment.date),
    content: { rendered: rendered(comment) },
    link: commentLink(site, post, comment),
    status: 'approved',
    type: comment.type,
    author_avatar_urls: { '24': 'https://secure.gravatar.com/avatar/?s=24&d=mm&r=g', '48': 'https://secure.gravatar.com/avatar/?s=48&d=mm&r=g', '96': 'https://secure.gravatar.com/avatar/?s=96&d=mm&r=g' },
    meta: [],
    _links: {
      self: [{ href: `${site.origin}/wp-json/wp/v2/comments/${comment.id}` }],
      collection: [{ href: `${site.origin}/wp-json/wp/v2/comments` }],
      up: [{ embeddable: true, post_type: 'post', href: `${site.origin}/wp-json/wp/v2/posts/${post.id}` }],
      ...(comment.parentId ? { 'in-reply-to': [{ embeddable: true, href: `${site.origin}/wp-json/wp/v2/comments/${comment.parentId}` }] } : {}),
    },
  };
}

function intParam(query: URLSearchParams, name: string, fallback: number): number | 'invalid' {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  return /^\d{1,9}$/.test(raw) ? Number(raw) : 'invalid';
}

/**
 * Answers GET /wp-json/<route>?<query> for the blog. `rendered` is comment_text() of a comment
 * (the markup the pages and feeds show). Unknown routes are rest_no_route, as in WordPress.
 */
export function answerRest(site: Site, route: string, query: URLSearchParams, rendered: (c: DebateComment) => string): RestAnswer {
  const mode = site.settings?.restApi ?? 'on';
  if (mode !== 'on') return refusal(mode);
  const path = `/${route.replace(/^\/+|\/+$/g, '')}`;
  if (path === '/') {
    return json(200, { name: site.blog.name, description: site.blog.description, url: site.origin, home: site.origin, gmt_offset: 1, timezone_string: 'Europe/Berlin', namespaces: ['oembed/1.0', 'wp/v2'], authentication: [], routes: {} });
  }
  if (path === '/wp/v2/comments') return answerComments(site, query, rendered);
  if (path === '/wp/v2/posts') return answerPosts(site, query);
  return refusal(404);
}

function answerComments(site: Site, query: URLSearchParams, rendered: (c: DebateComment) => string): RestAnswer {
  const perPage = intParam(query, 'per_page', 10);
  if (perPage === 'invalid' || perPage < 1 || perPage > 100) {
    return restError(400, 'rest_invalid_param', 'Invalid parameter(s): per_page', { per_page: 'per_page must be between 1 (inclusive) and 100 (inclusive)' });
  }
  const page = intParam(query, 'page', 1);
  if (page === 'invalid' || page < 1) return restError(400, 'rest_invalid_param', 'Invalid parameter(s): page', { page: 'page must be greater than or equal to 1' });
  const type = query.get('type') ?? 'comment';
  // Anonymous readers may list only approved comments of type "comment".
  if (type !== 'comment') return restError(401, 'rest_forbidden_param', 'Query parameter not permitted: type');
  const orderby = query.get('orderby') ?? 'date_gmt';
  if (!['date', 'date_gmt', 'id', 'include', 'post', 'parent', 'type'].includes(orderby)) {
    return restError(400, 'rest_invalid_param', 'Invalid parameter(s): orderby', { orderby: 'orderby is not one of date, date_gmt, id, include, post, parent, and type.' });
  }
  const order = query.get('order') ?? 'desc';
  const postIds = (query.get('post') ?? '').split(',').filter(Boolean).map(Number);
  const posts = site.blog.posts.filter((p) => postIds.length === 0 || postIds.includes(p.id));
  const all = posts
    .flatMap((post) => post.comments.filter((c) => c.type === 'comment').map((comment) => ({ post, comment })))
    .sort((a, b) => {
      const by = orderby === 'id' ? a.comment.id - b.comment.id : Date.parse(a.comment.date) - Date.parse(b.comment.date) || a.comment.id - b.comment.id;
      return order === 'asc' ? by : -by;
    });
  const total = all.length;
  const totalPages = Math.ceil(total / perPage);
  const shown = all.slice((page - 1) * perPage, page * perPage);
  const base = new URL(`${site.origin}/wp-json/wp/v2/comments`);
  for (const [k, v] of query) base.searchParams.set(k, v);
  const link = (n: number) => {
    const u = new URL(base);
    u.searchParams.set('page', String(n));
    return u.href;
  };
  const links = [...(page > 1 ? [`<${link(Math.min(page - 1, Math.max(totalPages, 1)))}>; rel="prev"`] : []), ...(totalPages > page ? [`<${link(page + 1)}>; rel="next"`] : [])];
  return json(
    200,
    shown.map(({ post, comment }) => commentJson(site, post, comment, rendered)),
    { 'x-wp-total': String(total), 'x-wp-totalpages': String(totalPages), allow: 'GET, POST', ...(links.length ? { link: links.join(', ') } : {}) },
  );
}

function answerPosts(site: Site, query: URLSearchParams): RestAnswer {
  const slug = query.get('slug');
  const posts = site.blog.posts.filter((p) => slug === null || slug.split(',').includes(p.slug));
  const fields = query.get('_fields')?.split(',');
  const full = (p: DebatePost): Record<string, unknown> => ({ id: p.id, date_gmt: rfc3339NoZone(p.date), slug: p.slug, status: 'publish', type: 'post', link: postPermalink(site, p), title: { rendered: p.title } });
  const pick = (o: Record<string, unknown>) => (fields ? Object.fromEntries(Object.entries(o).filter(([k]) => fields.includes(k))) : o);
  return json(200, posts.map((p) => pick(full(p))), { 'x-wp-total': String(posts.length), 'x-wp-totalpages': String(posts.length ? 1 : 0) });
}
