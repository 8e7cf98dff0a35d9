// Over 400 lines because three comment-list markups (WordPress html5, its xhtml walker, microformats) are read in one bounded pass.
// Reads the comments a post's own page lists: WordPress's comment markup (wp_list_comments:
// <li id="comment-N" class="comment …">, <ol class="children"> for replies, .comment-author
// .vcard, .comment-metadata <time>, .comment-content; the older xhtml walker's <cite class="fn">
// and .commentmetadata) and microformats (h-entry/h-cite with p-author, dt-published,
// e-content) where themes add them, across the comment-page-N/ (or ?cpage=N) pages WordPress
// splits long threads into. Pull side only: bounded in bytes, elements and pages.
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import type { CommentPingKind } from '../domain/vocabulary.ts';
import { browserDepth, loadHtmlWithin, MarkupLimitError, type MarkupLimits } from './bounded-markup.ts';
import { decodeText } from './decode.ts';
import { parseLinkHeader } from './link-header.ts';
import { parseFeedDate, resolveHttpUrl } from './feed-values.ts';
import { FeedParseError, FetchError, type Fetch, type FeedItem } from './types.ts';

/** One comment as the page shows it; HTML is raw (sanitized at ingest). */
export interface PageComment {
  /** WordPress's comment_ID, from id="comment-N". */
  id: string;
  /** The comment it is nested under (its <li> ancestor), or null for a top-level comment. */
  parentId: string | null;
  type: 'comment' | CommentPingKind;
  authorName: string | null;
  authorUrl: string | null;
  /** The comment's permalink as the page links it (…/comment-page-2/#comment-N), if it does. */
  url: string | null;
  publishedAt: string | null;
  contentHtml: string | null;
}

export interface CommentListPage {
  comments: PageComment[];
  /** Other pages of this post's comments the page links to (comment navigation), absolute, no fragment. */
  pageUrls: string[];
  /** The page held more comment elements than the limit; the rest were not read. */
  truncated: boolean;
  /** Which comment page this is, when the URL or the navigation says so. */
  currentPage: number | null;
}

export interface CommentListLimits {
  /** Comment elements read from one page (WordPress shows 50 top-level ones a page by default). */
  maxComments: number;
  /** Ancestors looked through to find a comment's parent: nesting deeper than this is flattened. */
  maxDepth: number;
}

/** Longest page text parsed; a page of comments is far below this. */
export const maxCommentPageChars = 3 * 1024 * 1024;

const defaultLimits: CommentListLimits = { maxComments: 2000, maxDepth: 64 };

// Elements looked at inside one comment (its markup, not its replies): a comment is far smaller.
const maxOwnNodes = 5000;

// WordPress: <li id="comment-N"> around <article id="div-comment-N"> (its body, never a comment
// of its own); some themes: <li id="li-comment-N"> around <div id="comment-N">.
const commentIdPattern = /^(?:li-)?comment-(\d{1,18})$/;

function commentIdOf(el: Element): string | null {
  const id = el.attribs.id;
  if (!id) return null;
  const m = commentIdPattern.exec(id);
  return m ? m[1]! : null;
}

/** The nearest comment element above `node` within `maxDepth` steps, else null. */
function owningComment(node: AnyNode, commentEls: Set<Element>, maxDepth: number): Element | null {
  let current = node.parent;
  for (let i = 0; current && i < maxDepth; i++, current = current.parent) {
    if (current.type === 'tag' && commentEls.has(current as Element)) return current as Element;
  }
  return null;
}

function classesOf(el: Element): string[] {
  return (el.attribs.class ?? '').toLowerCase().split(/\s+/).filter(Boolean);
}

function hasClass(el: Element, name: string): boolean {
  return classesOf(el).includes(name);
}

// A comment's own markup is a few levels deep in every theme; deeper is not looked through.
const maxFieldDepth = 32;

/** Tells whether `node` lies inside an element of class `name` below the comment element `top`. */
function isInside(node: Element, top: Element, name: string): boolean {
  let steps = 0;
  for (let p = node.parent; p && p !== top && steps < maxFieldDepth; p = p.parent, steps++) {
    if (p.type === 'tag' && hasClass(p as Element, name)) return true;
  }
  return false;
}

/** What a field of a comment looks like: a tag, a class, an ancestor class below the comment. */
interface FieldShape {
  tag?: string;
  cls?: string;
  in?: string;
}

// Finds a comment's field: the first of its own elements matching the first shape that matches
// any, as the selectors ".comment-author .fn", "time.dt-published" would, without scanning the
// whole page once per selector.
function ownMatcher(top: Element, nodes: Element[]) {
  return (shapes: FieldShape[], accept: (node: Element) => boolean = () => true): Element | null => {
    for (const shape of shapes) {
      const found = nodes.find(
        (n) => (!shape.tag || n.name === shape.tag) && (!shape.cls || hasClass(n, shape.cls)) && (!shape.in || isInside(n, top, shape.in)) && accept(n),
      );
      if (found) return found;
    }
    return null;
  };
}

function withoutFragment(url: string): string {
  const u = new URL(url);
  u.hash = '';
  return u.href;
}

/** The post's permalink a comment page belongs to: …/slug/comment-page-3/ → …/slug/. */
export function postUrlOfCommentPage(url: string): string {
  const u = new URL(url);
  u.hash = '';
  u.searchParams.delete('cpage');
  u.pathname = u.pathname.replace(/\/comment-page-\d+\/?$/, '/');
  return u.href;
}

/** The comment page number a URL names (comment-page-N or ?cpage=N), or null for the post itself. */
export function commentPageNumber(url: string): number | null {
  const u = new URL(url);
  const m = /\/comment-page-(\d{1,6})\/?$/.exec(u.pathname) ?? /^(\d{1,6})$/.exec(u.searchParams.get('cpage') ?? '');
  return m ? Number(m[1]) : null;
}

/** The URL of comment page `n` of a post, in the style the blog uses (pretty or ?cpage=). */
export function commentPageUrl(postUrl: string, n: number, style: 'pretty' | 'query'): string {
  const u = new URL(postUrl);
  u.hash = '';
  if (style === 'query') {
    u.searchParams.set('cpage', String(n));
  } else {
    u.pathname = `${u.pathname.replace(/\/?$/, '/')}comment-page-${n}/`;
  }
  return u.href;
}

/**
 * Parses the comment list of a post page (or one of its comment pages). Pure; reads at most
 * `limits.maxComments` comment elements and never walks more than `limits.maxDepth` ancestors.
 */
export function parseCommentList(html: string, pageUrl: string, limits: CommentListLimits = defaultLimits): CommentListPage {
  if (html.length > maxCommentPageChars) throw new CommentPageError(`the page is larger than ${Math.round(maxCommentPageChars / 1024 / 1024)} MB`);
  let $: CheerioAPI;
  try {
    $ = loadHtmlWithin(html, pageLimits);
  } catch (err) {
    if (err instanceof MarkupLimitError) throw new CommentPageError(err.message);
    throw err;
  }
  const baseHref = $('base[href]').first().attr('href');
  const base = (baseHref && resolveHttpUrl(baseHref, pageUrl)) || pageUrl;
  const postUrl = postUrlOfCommentPage(pageUrl);

  const candidates = $('[id]').toArray().filter((el): el is Element => el.type === 'tag' && commentIdOf(el) !== null);
  const truncated = candidates.length > limits.maxComments;
  const commentEls = new Set(candidates.slice(0, limits.maxComments));
  // An element inside another with the same comment id is that comment's body, not a reply.
  for (const el of commentEls) {
    const outer = owningComment(el, commentEls, limits.maxDepth);
    if (outer && commentIdOf(outer) === commentIdOf(el)) commentEls.delete(el);
  }
  // A comment's own elements: its subtree without the replies nested in it, at most
  // maxOwnNodes of them, so a hostile page costs time linear in its size.
  const ownNodes = (el: Element): Element[] => {
    const out: Element[] = [];
    const stack: AnyNode[] = [...el.children].reverse();
    while (stack.length > 0 && out.length < maxOwnNodes) {
      const node = stack.pop()!;
      if (node.type !== 'tag' || commentEls.has(node as Element)) continue;
      out.push(node as Element);
      const children = (node as Element).children;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
    return out;
  };
  const comments: PageComment[] = [];
  const seen = new Set<string>();
  for (const el of commentEls) {
    const id = commentIdOf(el)!;
    if (seen.has(id)) continue;
    seen.add(id);
    const parentEl = owningComment(el, commentEls, limits.maxDepth);
    const nodes = ownNodes(el);
    const classes = classesOf(el);
    const type = classes.includes('pingback') ? 'pingback' : classes.includes('trackback') ? 'trackback' : 'comment';

    const own = ownMatcher(el, nodes);
    const author = own([{ cls: 'fn', in: 'comment-author' }, { tag: 'cite', in: 'comment-author' }, { cls: 'p-name', in: 'p-author' }, { cls: 'p-author' }, { cls: 'p-name', in: 'h-card' }, { cls: 'comment-author' }]);
    const authorLink = own(
      [
        { tag: 'a', cls: 'url', in: 'comment-author' },
        { tag: 'a', in: 'fn' },
        { tag: 'a', cls: 'u-url', in: 'p-author' },
        { tag: 'a', cls: 'u-url', in: 'h-card' },
        { tag: 'a', in: 'p-author' },
        { tag: 'a', cls: 'url' },
      ],
      (n) => n.attribs.href !== undefined,
    );
    const time = own([{ tag: 'time', in: 'comment-metadata' }, { tag: 'time', in: 'comment-meta' }, { cls: 'dt-published' }, { tag: 'time' }], (n) => n.attribs.datetime !== undefined);
    const permalink = own(
      [{ tag: 'a', in: 'comment-metadata' }, { tag: 'a', in: 'commentmetadata' }, { tag: 'a', in: 'comment-meta' }, { tag: 'a', cls: 'u-url' }],
      (n) => n.attribs.href !== undefined && !['h-card', 'p-author', 'comment-author', 'vcard'].some((c) => isInside(n, el, c)),
    );
    let contentHtml: string | null = null;
    const content = own([{ cls: 'comment-content' }, { cls: 'e-content' }, { cls: 'comment-text' }]);
    if (content) {
      contentHtml = $(content).html();
    } else if (type === 'comment') {
      // The xhtml walker puts the text straight into .comment-body after author and date.
      const body = own([{ cls: 'comment-body' }]);
      if (body) {
        const copy = $(body).clone();
        copy.find('.comment-author, .comment-meta, .commentmetadata, .reply, .comment-awaiting-moderation, ol, ul, [id]').remove();
        contentHtml = copy.html();
      }
    }
    const authorText = author ? $(author).text().replace(/\s+/g, ' ').trim() || null : null;
    const pingName = type !== 'comment' && !authorText && authorLink ? $(authorLink).text().replace(/\s+/g, ' ').trim() || null : null;
    comments.push({
      id,
      parentId: parentEl ? commentIdOf(parentEl) : null,
      type,
      authorName: (authorText ?? pingName)?.slice(0, 500) ?? null,
      authorUrl: resolveHttpUrl(authorLink?.attribs.href ?? null, base),
      url: resolveHttpUrl(permalink?.attribs.href ?? null, base),
      publishedAt: parseFeedDate(time?.attribs.datetime ?? null),
      contentHtml: contentHtml?.trim() || null,
    });
  }

  // Comment navigation: WordPress links pages as comment-page-N/ (or ?cpage=N) of this post,
  // with rel="prev"/"next" only where a theme adds it, so every such link counts.
  const postPath = new URL(postUrl).pathname;
  const pageUrls = new Set<string>();
  $('a[href], link[href]').each((_, node) => {
    const href = resolveHttpUrl((node as Element).attribs.href, base);
    if (!href) return;
    const url = new URL(href);
    if (url.origin !== new URL(postUrl).origin || postUrlOfCommentPage(href) !== postUrl) return;
    if (commentPageNumber(href) === null || (url.pathname === postPath && !url.searchParams.has('cpage'))) return;
    pageUrls.add(withoutFragment(href));
  });
  pageUrls.delete(withoutFragment(pageUrl));
  // paginate_links marks the page shown as <span class="page-numbers current">; on the post's
  // own URL that tells which numbered page it is (the newest with WordPress's defaults).
  const current = $('.page-numbers.current')
    .toArray()
    .find((n) => $(n).closest('[class*="comment"]').length > 0);
  const currentNumber = current ? /(\d{1,6})\s*$/.exec($(current).text().trim())?.[1] : undefined;
  const currentPage = currentNumber ? Number(currentNumber) : commentPageNumber(pageUrl);
  // Comment permalinks name the page they are on: the page shown is no other page to read.
  const others = [...pageUrls].filter((u) => commentPageNumber(u) !== currentPage);
  return { comments, pageUrls: others, truncated, currentPage };
}

// A WordPress page of 2,000 comments builds about 30,000 elements, 40 deep; a page past these
// limits is refused as its tree is built (bounded-markup.ts).
const pageLimits: MarkupLimits = { maxElements: 100_000, maxDepth: browserDepth, maxMs: 2000 };

/** Reads a comment list elsewhere as parseCommentList does here: the poller's reading threads (read-feed.ts). */
export interface CommentListReader {
  readCommentList(html: string, url: string, limits?: CommentListLimits): Promise<CommentListPage>;
}

/** A page that cannot be read as a comment list. */
export class CommentPageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommentPageError';
  }
}

/**
 * Turns page comments into feed items named as WordPress's comment feeds name them (guid
 * <post guid>#comment-N), replies pointing at their parent. Pings listed without text (the
 * short "Pingback: <title>" form) are left to the ping listings: they carry nothing to show.
 */
export function commentPageItems(comments: PageComment[], post: { guid: string | null; url: string | null }, pageUrl: string): FeedItem[] {
  const postUrl = post.url ?? postUrlOfCommentPage(pageUrl);
  const ref = (id: string) => (post.guid ? `${post.guid}#comment-${id}` : null);
  const anchor = (id: string) => {
    const u = new URL(postUrl);
    u.hash = `comment-${id}`;
    return u.href;
  };
  return comments
    .filter((c) => c.type === 'comment' || c.contentHtml)
    .map((c) => ({
      guid: ref(c.id),
      url: c.url ?? anchor(c.id),
      title: null,
      authorName: c.authorName,
      authorUrl: c.authorUrl,
      contentHtml: c.contentHtml,
      summaryHtml: null,
      publishedAt: c.publishedAt,
      updatedAt: null,
      commentsPageUrl: null,
      commentFeeds: [],
      commentCount: null,
      inReplyTo: c.parentId ? [{ ref: ref(c.parentId), href: anchor(c.parentId) }] : [{ ref: post.guid, href: postUrl }],
      trackbackPingUrl: null,
      baseUrl: c.url ?? pageUrl,
      lang: null,
    }));
}

export type CommentPagesResult =
  | {
      kind: 'comments';
      items: FeedItem[];
      pagesRead: number;
      /** Pages the navigation showed that the page limit left unread. */
      pagesLeft: number;
      /** Whether a page held more comment elements than the parser reads. */
      truncated: boolean;
      /** The REST API root the post page advertised (Link header), if any. */
      apiRootUrl: string | null;
    }
  | { kind: 'failed'; status: number | null; reason: string };

const pageAccept = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1';

// Navigation claiming more pages than this is not a comment thread (50 a page: 50,000 comments).
const maxPageNumber = 1000;

async function fetchPage(fetch: Fetch, url: string, maxBytes: number): Promise<{ ok: true; text: string; url: string; headers: Record<string, string> } | { ok: false; status: number | null; reason: string }> {
  try {
    const res = await fetch({ url, accept: pageAccept, maxBytes });
    if (res.status !== 200) return { ok: false, status: res.status, reason: `the post page answered ${res.status}` };
    return { ok: true, text: decodeText(res.body, res.headers['content-type'] ?? null, 'html').text, url: res.url, headers: res.headers };
  } catch (err) {
    if (err instanceof FetchError) return { ok: false, status: null, reason: `the post page could not be fetched: ${err.message}` };
    throw err;
  }
}

function apiRootOf(headers: Record<string, string>, pageUrl: string): string | null {
  return parseLinkHeader(headers.link, pageUrl).find((l) => l.rels.includes('https://api.w.org/'))?.url ?? null;
}

/**
 * Reads a post's comments from its page and, when WordPress splits them, its other comment
 * pages, newest page first, at most `maxPages` pages. Pages the navigation skips ("1 … 5 6")
 * are filled in from the URL pattern. With a reader, each page is built into a tree in its
 * thread. Never throws for what the blog does.
 */
export async function readCommentPages(
  fetch: Fetch,
  post: { guid: string | null; url: string },
  options: { maxPages: number; maxBytes: number; limits?: CommentListLimits; reader?: CommentListReader },
): Promise<CommentPagesResult> {
  const first = await fetchPage(fetch, post.url, options.maxBytes);
  if (!first.ok) return { kind: 'failed', status: first.status, reason: first.reason };
  const postUrl = postUrlOfCommentPage(first.url);
  const byId = new Map<string, FeedItem>();
  const fetched = new Set<string>([withoutFragment(first.url), withoutFragment(post.url)]);
  const known = new Map<string, number>();
  // Page numbers already read (the post's own URL is one of them).
  const shown = new Set<number>();
  let truncated = false;
  let pagesRead = 0;
  let style: 'pretty' | 'query' = 'pretty';

  // Reads one page into the result; returns why it could not, or null.
  const take = async (text: string, url: string): Promise<string | null> => {
    let page: CommentListPage;
    try {
      page = options.reader ? await options.reader.readCommentList(text, url, options.limits) : parseCommentList(text, url, options.limits);
    } catch (err) {
      // FeedParseError: the reading thread's time or memory limit.
      if (err instanceof CommentPageError || err instanceof FeedParseError) return err.message;
      throw err;
    }
    pagesRead += 1;
    truncated ||= page.truncated;
    if (page.currentPage !== null) shown.add(page.currentPage);
    for (const item of commentPageItems(page.comments, { guid: post.guid, url: postUrl }, url)) {
      const key = item.guid ?? item.url ?? '';
      if (!byId.has(key)) byId.set(key, item);
    }
    for (const link of page.pageUrls) {
      const n = commentPageNumber(link);
      if (n === null || n > maxPageNumber) continue;
      if (new URL(link).searchParams.has('cpage')) style = 'query';
      if (!known.has(link)) known.set(link, n);
    }
    return null;
  };

  const refused = await take(first.text, first.url);
  if (refused !== null) return { kind: 'failed', status: 200, reason: `the post page's comments could not be read: ${refused}` };
  // Navigation shows the first, the last and the pages near the current one: the pages in
  // between follow from the pattern.
  const queue = () => {
    const highest = Math.min(maxPageNumber, Math.max(0, ...known.values()));
    const numbers = new Set(known.values());
    for (let n = 1; n <= highest; n++) {
      if (!numbers.has(n)) known.set(commentPageUrl(postUrl, n, style), n);
    }
    return [...known.entries()].filter(([url, n]) => !fetched.has(url) && !shown.has(n)).sort((a, b) => b[1] - a[1]);
  };
  // Every request counts against the limit, the ones that fail too.
  let requests = 1;
  for (let next = queue()[0]; next && requests < options.maxPages; next = queue()[0]) {
    const [url] = next;
    fetched.add(url);
    requests += 1;
    const page = await fetchPage(fetch, url, options.maxBytes);
    if (!page.ok) continue;
    await take(page.text, page.url);
  }
  return {
    kind: 'comments',
    items: [...byId.values()],
    pagesRead,
    pagesLeft: queue().length,
    truncated,
    apiRootUrl: apiRootOf(first.headers, first.url),
  };
}
