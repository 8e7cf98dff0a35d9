// The demo's three fixture blogs: one loopback server per blog, each answering like WordPress 6
// (pages, feeds with validators and 304s, RSD, XML-RPC, TrackBack), rendered from the debate's
// data on every request so that tests can add comments and edit posts while the blogs run.
//
// Option `freitagCharset: 'windows-1252'` serves the Freitag blog as many German blogs of 2008
// did: headers, XML prologs and <meta> say ISO-8859-1 while the bytes are windows-1252 („ “ – as
// 0x84 0x93 0x96). Default: every blog in UTF-8.
import type http from 'node:http';
import iconv from 'iconv-lite';
import { type BlogKey, type CommentType, type DebateBlog, type DebatePost, createDebate } from './debate.ts';
import { type FixtureServer, type RouteHandler, startFixtureServer } from './fixture-server.ts';
import { answerRest } from './wordpress-rest.ts';
import {
  type RestApiMode,
  type Site,
  answerXmlRpc,
  commentHtml,
  commentPageCount,
  displayBlogName,
  feedValidators,
  findPostBySlug,
  postGuid,
  postPermalink,
  renderCommentsAtom,
  renderCommentsRss,
  renderHomePage,
  renderPostPage,
  renderPostsAtom,
  renderPostsRss,
  renderRsd,
  renderTrackbackResponse,
} from './wordpress.ts';
import { parseForm } from './form-body.ts';

export interface DemoBlog {
  key: BlogKey;
  /** The blog's name as readers see it, e.g. "Sachar’s Blog". */
  name: string;
  /** http://host:port, no trailing slash. */
  origin: string;
  /** The home page URL a person would paste: origin plus "/". */
  homeUrl: string;
  server: FixtureServer;
}

export interface NewComment {
  author: string;
  authorUrl?: string;
  /** comment_content as WordPress stores it: text with line breaks; `{{key/slug}}` placeholders allowed. */
  content: string;
  /** ISO 8601; the comment feeds' validators follow the newest comment date of the blog. */
  date: string;
  /** Makes a threaded reply (comment_parent); must be a comment on the same post. */
  parentId?: number;
  type?: CommentType;
}

export interface PostPatch {
  content?: string;
  title?: string;
  /** post_modified_gmt; defaults to now, as saving a post in WordPress does. */
  modified?: string;
}

export interface DemoBlogs {
  blogs: DemoBlog[];
  /** Permalink of a post by blog key and slug, for tests. */
  permalink(key: BlogKey, slug: string): string;
  /** Adds a comment (optionally threaded) and returns its comment id; pages and feeds show it at once. */
  addComment(key: BlogKey, postSlug: string, comment: NewComment): number;
  /** Edits a post's title or body; its modified time moves, so every feed's validators change. */
  editPost(key: BlogKey, slug: string, patch: PostPatch): void;
  /** Switches a blog's REST API on, or to refusing every reader with 401, 403 or 404. */
  setRestApi(key: BlogKey, mode: RestApiMode): void;
  /** Splits a blog's comment lists into pages of `perPage` top-level comments (null: one page). */
  setCommentsPerPage(key: BlogKey, perPage: number | null): void;
  close(): Promise<void>;
}

export interface DemoBlogsOptions {
  /** Loopback address for all three servers (default 127.0.0.1); each gets its own port. */
  host?: string;
  freitagCharset?: 'utf-8' | 'windows-1252';
  /** What every blog's REST API answers at start (default: on, as WordPress ships). */
  restApi?: RestApiMode;
  /** comments_per_page with page_comments on, for every blog at start (default: null, off). */
  commentsPerPage?: number | null;
}

/** Starts the three fixture blogs on port 0 and resolves once all of them listen. */
export async function startDemoBlogs(options: DemoBlogsOptions = {}): Promise<DemoBlogs> {
  const host = options.host ?? '127.0.0.1';
  const data = createDebate();
  const servers: FixtureServer[] = [];
  try {
    for (let i = 0; i < data.length; i++) servers.push(await startFixtureServer({}, { host }));
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }

  const sites = new Map<BlogKey, Site>();
  const siteOf = (key: BlogKey): Site => {
    const site = sites.get(key);
    if (!site) throw new Error(`demo: no blog “${key}”`);
    return site;
  };
  const postOf = (key: BlogKey, slug: string): { site: Site; post: DebatePost } => {
    const site = siteOf(key);
    const post = findPostBySlug(site.blog, slug);
    if (!post) throw new Error(`demo: no post “${slug}” on ${key}`);
    return { site, post };
  };
  const resolveLinks = (text: string): string =>
    text.replace(/\{\{([a-z]+)(?:\/([^}]+))?\}\}/g, (_, key: BlogKey, slug: string | undefined) => {
      if (!slug) return `${siteOf(key).origin}/`;
      const { site, post } = postOf(key, slug);
      return postPermalink(site, post);
    });

  data.forEach((blog, i) => {
    const server = servers[i]!;
    const charset = blog.key === 'freitag' && options.freitagCharset === 'windows-1252' ? 'ISO-8859-1' : 'UTF-8';
    const site: Site = { origin: server.origin, blog, charset, resolveLinks, settings: { restApi: options.restApi ?? 'on', commentsPerPage: options.commentsPerPage ?? null } };
    sites.set(blog.key, site);
    registerRoutes(server, site);
  });

  const blogs: DemoBlog[] = data.map((blog, i) => ({
    key: blog.key,
    name: displayBlogName(blog),
    origin: servers[i]!.origin,
    homeUrl: `${servers[i]!.origin}/`,
    server: servers[i]!,
  }));

  return {
    blogs,
    permalink(key, slug) {
      const { site, post } = postOf(key, slug);
      return postPermalink(site, post);
    },
    addComment(key, postSlug, comment) {
      const { site, post } = postOf(key, postSlug);
      return insertComment(site.blog, post, comment);
    },
    setRestApi(key, mode) {
      siteOf(key).settings!.restApi = mode;
    },
    setCommentsPerPage(key, perPage) {
      siteOf(key).settings!.commentsPerPage = perPage;
    },
    editPost(key, slug, patch) {
      const { post } = postOf(key, slug);
      if (patch.title !== undefined) post.title = patch.title;
      if (patch.content !== undefined) post.content = patch.content;
      post.modified = toGmtSeconds(patch.modified ?? new Date().toISOString(), 'modified');
    },
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

// WordPress keeps *_gmt columns to the second.
function toGmtSeconds(date: string, field: string): string {
  const ms = Date.parse(date);
  if (Number.isNaN(ms)) throw new Error(`demo: ${field} “${date}” is not a date`);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

function insertComment(blog: DebateBlog, post: DebatePost, comment: NewComment): number {
  const parentId = comment.parentId ?? 0;
  if (parentId && !post.comments.some((c) => c.id === parentId)) {
    throw new Error(`demo: comment ${parentId} is not on “${post.slug}”`);
  }
  // comment_ID is one auto-increment column for the whole blog.
  const id = Math.max(0, ...blog.posts.flatMap((p) => p.comments.map((c) => c.id))) + 1;
  post.comments.push({
    id,
    type: comment.type ?? 'comment',
    author: comment.author,
    ...(comment.authorUrl ? { authorUrl: comment.authorUrl } : {}),
    date: toGmtSeconds(comment.date, 'date'),
    content: comment.content,
    parentId,
  });
  return id;
}

// ---------------------------------------------------------------------------------------------
// HTTP

function encodeBody(text: string, charset: Site['charset']): Buffer {
  if (charset === 'UTF-8') return Buffer.from(text, 'utf8');
  // What a latin-1 WordPress database held: anything beyond windows-1252 as a numeric reference.
  let out = '';
  for (const ch of text) {
    const fits = iconv.decode(iconv.encode(ch, 'win1252'), 'win1252') === ch;
    out += fits ? ch : `&#${ch.codePointAt(0)};`;
  }
  return iconv.encode(out, 'win1252');
}

function send(res: http.ServerResponse, site: Site, status: number, type: string, body: string, headers: Record<string, string | string[]> = {}): void {
  const bytes = encodeBody(body, site.charset);
  res.writeHead(status, { 'content-type': `${type}; charset=${site.charset}`, 'content-length': String(bytes.length), ...headers });
  res.end(bytes);
}

function redirect(res: http.ServerResponse, status: 301 | 302, location: string): void {
  res.writeHead(status, { location, 'content-type': 'text/html; charset=UTF-8', 'content-length': '0' });
  res.end();
}

// WP::send_headers(): 304 when both validators the client sent match, or the one it sent does.
// The ETag comparison is exact, so a weak W/"…" from a proxy never matches.
function isNotModified(req: http.IncomingMessage, lastModified: string, etag: string): boolean {
  const clientEtag = req.headers['if-none-match'];
  const clientLastModified = (req.headers['if-modified-since'] ?? '').trim();
  const clientTime = clientLastModified ? Date.parse(clientLastModified) : Number.NEGATIVE_INFINITY;
  const fresh = !Number.isNaN(clientTime) && clientTime >= Date.parse(lastModified);
  return clientLastModified && clientEtag ? fresh && clientEtag === etag : fresh || clientEtag === etag;
}

function feedRoute(site: Site, kind: 'posts' | 'comments', type: 'application/rss+xml' | 'application/atom+xml', render: (requestPath: string) => string): RouteHandler {
  return (req, res) => {
    const { lastModified, etag } = feedValidators(site.blog, kind);
    const validators = { 'last-modified': lastModified, etag };
    if (isNotModified(req, lastModified, etag)) {
      res.writeHead(304, { 'content-type': `${type}; charset=${site.charset}`, ...validators });
      res.end();
      return;
    }
    send(res, site, 200, type, render(req.url ?? '/'), validators);
  };
}

function apiLink(site: Site): string {
  return `<${site.origin}/wp-json/>; rel="https://api.w.org/"`;
}

function registerRoutes(server: FixtureServer, site: Site): void {
  const { origin } = site;

  // The REST API, at /wp-json/ and (plain permalinks' form) /?rest_route=.
  const rest = (route: string): RouteHandler => (req, res) => {
    const query = new URL(req.url ?? '/', origin).searchParams;
    const answer = answerRest(site, route || query.get('rest_route') || '/', query, (c) => commentHtml(site, c));
    // JSON is UTF-8 whatever blog_charset says.
    const bytes = Buffer.from(answer.body, 'utf8');
    res.writeHead(answer.status, { ...answer.headers, 'content-length': String(bytes.length) });
    res.end(bytes);
  };
  for (const route of ['', 'wp/v2/comments', 'wp/v2/posts']) server.set(`/wp-json/${route}`, rest(route));
  server.set('/wp-json', (_req, res) => redirect(res, 301, `${origin}/wp-json/`));

  server.set('/', (req, res) => {
    if (new URL(req.url ?? '/', origin).searchParams.has('rest_route')) return rest('')(req, res, Buffer.alloc(0));
    const p = new URL(req.url ?? '/', origin).searchParams.get('p');
    // redirect_canonical(): a guid or shortlink ?p=ID leads to the permalink.
    const post = p === null ? undefined : site.blog.posts.find((x) => String(x.id) === p);
    if (post) return redirect(res, 301, postPermalink(site, post));
    send(res, site, 200, 'text/html', renderHomePage(site), { link: apiLink(site) });
  });

  server.set('/feed/', feedRoute(site, 'posts', 'application/rss+xml', (path) => renderPostsRss(site, path)));
  server.set('/feed/atom/', feedRoute(site, 'posts', 'application/atom+xml', (path) => renderPostsAtom(site, path)));
  server.set('/comments/feed/', feedRoute(site, 'comments', 'application/rss+xml', (path) => renderCommentsRss(site, path)));
  server.set('/comments/feed/atom/', feedRoute(site, 'comments', 'application/atom+xml', () => renderCommentsAtom(site)));
  for (const path of ['/feed', '/feed/atom', '/comments/feed', '/comments/feed/atom']) {
    server.set(path, (_req, res) => redirect(res, 301, `${origin}${path}/`));
  }

  server.set('/xmlrpc.php', (req, res, body) => {
    if (req.method === 'POST') {
      const answer = answerXmlRpc(site, body.toString('utf8'));
      // XML-RPC answers faults with HTTP 200 too.
      send(res, site, 200, 'text/xml', answer, { connection: 'close' });
      return;
    }
    if (new URL(req.url ?? '/', origin).searchParams.has('rsd')) {
      send(res, site, 200, 'text/xml', renderRsd(site));
      return;
    }
    res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' });
    res.end('XML-RPC server accepts POST requests only.');
  });

  for (const post of site.blog.posts) {
    const path = new URL(postPermalink(site, post)).pathname;
    const postPage = (cpage?: number): RouteHandler => (_req, res) => {
      if (cpage !== undefined && (site.settings?.commentsPerPage == null || cpage > commentPageCount(post, site.settings.commentsPerPage))) {
        send(res, site, 404, 'text/html', '<!doctype html><title>Seite nicht gefunden</title><h1>Seite nicht gefunden</h1>');
        return;
      }
      send(res, site, 200, 'text/html', renderPostPage(site, post, cpage), {
        // WP::handle_404() sends X-Pingback on single posts only, never on the home page.
        'x-pingback': `${origin}/xmlrpc.php`,
        link: [
          apiLink(site),
          `<${origin}/wp-json/wp/v2/posts/${post.id}>; rel="alternate"; title="JSON"; type="application/json"`,
          `<${postGuid(site, post)}>; rel=shortlink`,
        ],
      });
    };
    server.set(path, postPage());
    // comment-page-N/ when page_comments is on (routes exist for the first hundred pages).
    for (let n = 1; n <= 100; n++) server.set(`${path}comment-page-${n}/`, postPage(n));
    server.set(path.replace(/\/$/, ''), (_req, res) => redirect(res, 301, postPermalink(site, post)));
    server.set(`${path}feed/`, feedRoute(site, 'comments', 'application/rss+xml', (requestPath) => renderCommentsRss(site, requestPath, post)));
    server.set(`${path}feed/atom/`, feedRoute(site, 'comments', 'application/atom+xml', () => renderCommentsAtom(site, post)));
    server.set(`${path}trackback/`, (req, res, body) => answerTrackback(site, post, req, res, body));
  }
}

// wp-trackback.php: form fields in the sender's charset (Content-Type parameter or a charset field).
function answerTrackback(site: Site, post: DebatePost, req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
  if (req.method !== 'POST') return redirect(res, 302, postPermalink(site, post));
  const declared = /charset=([^;\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
  const form = parseForm(body, declared);
  const charsetField = form.get('charset');
  const fields = charsetField && !declared ? parseForm(body, charsetField) : form;
  const url = fields.get('url') ?? '';
  const title = stripTagsAndTrim(fields.get('title') ?? '', 250);
  const excerpt = stripTagsAndTrim(fields.get('excerpt') ?? '', 252);
  const blogName = fields.get('blog_name') ?? '';
  const xml = (error: 0 | 1, message?: string) => send(res, site, 200, 'text/xml', renderTrackbackResponse(error, message));

  if (!url && !title && !blogName) return redirect(res, 302, postPermalink(site, post));
  if (!url || !title) {
    // WordPress answers such a ping with an empty 200, neither accepting nor refusing it.
    send(res, site, 200, 'text/xml', '');
    return;
  }
  if (post.comments.some((c) => c.authorUrl && site.resolveLinks(c.authorUrl) === url)) {
    return xml(1, 'There is already a ping from that URL for this post.');
  }
  insertComment(site.blog, post, {
    type: 'trackback',
    author: blogName,
    authorUrl: url,
    content: `<strong>${title}</strong>\n\n${excerpt}`,
    date: new Date().toISOString(),
  });
  xml(0);
}

function stripTagsAndTrim(text: string, max: number): string {
  const plain = text.replace(/<[^>]*>/g, '');
  // wp_html_excerpt() cuts and marks the cut with an ellipsis.
  return plain.length > max ? `${plain.slice(0, max)}&#8230;` : plain;
}

