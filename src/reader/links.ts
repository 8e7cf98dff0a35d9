// Links that can thread: the anchors of a post or comment body that could be the permalink of
// another post or comment (DESIGN.md, threading rule 2). It only reads HTML and URLs; whether a
// link names a known entry is threading's question, never answered here.
import { Parser } from 'htmlparser2';
import { urlKey } from '../domain/url-key.ts';
import type { PlainAnchor } from './plain-markup.ts';
import { collapseText, textCollector } from './sanitize.ts';

export interface ExtractedLink {
  /** Absolute URL as written (resolved against the base), fragment kept. */
  url: string;
  /** urlKey(url): what threading compares. */
  key: string;
  /** The anchor's text, whitespace collapsed; '' for an image link. */
  text: string;
}

// Path segments of listing pages, at any depth so that a blog under /blog/ is covered too:
// WordPress /tag/ /category/ /author/ and /page/2/, Blogger /search/label/, attachment pages,
// trackback and feed endpoints.
const listingSegments = new Set([
  'tag',
  'tags',
  'category',
  'categories',
  'author',
  'authors',
  'search',
  'label',
  'labels',
  'attachment',
  'trackback',
  'feed',
  'feeds',
  'wp-admin',
  'wp-content',
  'wp-includes',
  'wp-json',
]);

// Scripts that are never a post: WordPress's login, XML-RPC, comment and trackback receivers;
// Movable Type's TrackBack, search and admin CGIs.
const scriptNames = new Set([
  'wp-login.php',
  'wp-signup.php',
  'wp-register.php',
  'wp-comments-post.php',
  'wp-trackback.php',
  'wp-cron.php',
  'xmlrpc.php',
  'mt-tb.cgi',
  'mt-search.cgi',
  'mt-comments.cgi',
  'mt.cgi',
  'archives.html',
  'archive.html',
]);

// The folder names a blog is commonly installed in: /blog/ is that blog's home page. A single
// other segment (/about/, /my-post/) stays threadable, since WordPress's /%postname%/ permalinks
// look exactly like it.
const blogRootNames = new Set(['blog', 'blogs', 'weblog', 'wordpress', 'wp', 'journal']);

const indexFile = /^(index|default)\.(html?|php|shtml|asp|aspx|cgi)$/;

const mediaExtension =
  /\.(jpe?g|png|gif|webp|svg|bmp|ico|tiff?|avif|heic|mp3|m4a|ogg|oga|wav|flac|aac|mp4|m4v|ogv|webm|mov|avi|wmv|flv|mkv|swf|pdf|docx?|xlsx?|pptx?|od[tsp]|rtf|txt|zip|gz|tgz|bz2|rar|7z|tar|exe|dmg|css|js)$/;

// Feeds by file name: MT's index.rdf and atom.xml, /rss.xml, JSON Feed's feed.json, OPML.
const feedExtension = /\.(rss|atom|xml|rdf|json|opml)$/;

// Date archives, with or without WordPress's /archives/ prefix: /2008/, /2008/11/, /2008/11/05/;
// Blogger's monthly archive file 2008_11_01_archive.html.
const dateSegment = /^\d{4}$|^\d{1,2}$/;
const bloggerArchive = /^\d{4}_\d{2}(_\d{2})?_archive\.html$/;

// Query parameters of WordPress's plain permalinks that name listings, feeds or forms.
const listingParams = ['s', 'cat', 'tag', 'author', 'author_name', 'year', 'monthnum', 'paged', 'feed', 'attachment_id', 'replytocom'];
// Query parameters that name one post on a home path (WordPress ?p= and ?page_id=, MT entry_id).
const postParams = ['p', 'page_id', 'entry_id'];

// Hosts that only serve avatars, images, feeds or account pages: Gravatar, the WordPress.com
// image CDN, FeedBurner, Blogger's profile and comment-form host.
const nonPostHost = /(^|\.)gravatar\.com$|^i[0-3]\.wp\.com$|(^|\.)feedburner\.com$|^(www\.|draft\.)?blogger\.com$|^\d\.bp\.blogspot\.com$|^s\.w\.org$/;

/** Tells whether an absolute http(s) URL could be the permalink of a post or comment (threading rule 2). */
export function isThreadableUrl(input: string | URL): boolean {
  let url: URL;
  try {
    // A URL already parsed is read as it is: parsing its href again gives the same URL.
    url = typeof input === 'string' ? new URL(input.trim()) : input;
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.username || url.password) return false;
  const host = url.hostname.toLowerCase();
  if (nonPostHost.test(host)) return false;

  const params = new URLSearchParams(url.search);
  for (const name of listingParams) if (params.has(name)) return false;
  // Blogger's feed parameter (?alt=rss) and its search pages' paging.
  if (params.has('alt') || params.has('updated-max')) return false;
  // WordPress's ?m=200811 is a date archive; Blogger's ?m=1 only asks for the mobile layout.
  if (/^\d{4,}$/.test(params.get('m') ?? '')) return false;

  let segments: string[];
  try {
    segments = url.pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s).toLowerCase());
  } catch {
    segments = url.pathname.split('/').filter(Boolean).map((s) => s.toLowerCase());
  }
  if (segments.some((s) => listingSegments.has(s) || scriptNames.has(s))) return false;
  const last = segments[segments.length - 1] ?? '';
  if (mediaExtension.test(last) || feedExtension.test(last) || bloggerArchive.test(last)) return false;
  // Ghost and others serve their feed at /rss/; /atom/ likewise.
  if (last === 'rss' || last === 'atom') return false;

  // Pagination of any listing: …/page/2/
  const pageAt = segments.lastIndexOf('page');
  if (pageAt >= 0 && pageAt === segments.length - 2 && /^\d+$/.test(last)) segments = segments.slice(0, pageAt);
  if (segments.length && indexFile.test(segments[segments.length - 1] ?? '')) segments = segments.slice(0, -1);
  // What is left without a slug: an "archives" index, dates, or a blog root is a listing.
  const rest = segments.filter((s, i) => !(i === 0 && blogRootNames.has(s)) && s !== 'archives');
  const isHomeOrArchive = rest.length === 0 || (rest.length <= 3 && /^\d{4}$/.test(rest[0] ?? '') && rest.every((s) => dateSegment.test(s)));
  if (!isHomeOrArchive) return true;
  // A home path still names one post through WordPress's plain permalinks (/?p=41, /index.php?p=41).
  return rest.length === 0 && postParams.some((name) => /^\d+$/.test(params.get(name) ?? ''));
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

interface Anchor {
  href: string;
  rel: string;
  text: string;
}

/** Handlers of htmlparser2 that read the anchors and the first <base href> of what they are fed. */
interface AnchorCollector {
  onopentag(name: string, attributes: Record<string, string>): void;
  ontext(text: string): void;
  onclosetag(name: string): void;
  read(): { anchors: Anchor[]; base: string | null };
}

/**
 * Reads anchors in a streaming pass (htmlparser2, no tree: this runs for every item a poll
 * stores). An anchor opened inside another ends the outer one, and anchors inside <noscript>
 * are none, as a browser's tree would have them.
 */
function anchorCollector(): AnchorCollector {
  const anchors: Anchor[] = [];
  let base: string | null = null;
  let open: Anchor | null = null;
  // What a browser with scripts shows: <noscript> is text to it, never links.
  let noscript = 0;
  return {
    onopentag(name, attributes) {
      if (name === 'noscript') noscript += 1;
      else if (noscript > 0) return;
      if (name === 'a') {
        if (open) anchors.push(open);
        open = attributes.href === undefined ? null : { href: attributes.href, rel: attributes.rel ?? '', text: '' };
      } else if (name === 'base' && base === null && attributes.href !== undefined) {
        base = attributes.href;
      }
    },
    ontext(text) {
      if (open) open.text += text;
    },
    onclosetag(name) {
      if (name === 'noscript') noscript = Math.max(0, noscript - 1);
      if (name !== 'a' || !open) return;
      anchors.push(open);
      open = null;
    },
    read() {
      if (open) anchors.push(open);
      open = null;
      return { anchors, base };
    },
  };
}

const parserOptions = { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true };

/** Reads the anchors of an HTML body or page and its first <base href>, in one streaming pass. */
function readAnchors(html: string): { anchors: Anchor[]; base: string | null } {
  const collector = anchorCollector();
  new Parser(collector, parserOptions).end(html);
  return collector.read();
}

/**
 * Returns the links of an HTML body or page that could thread: `a[href]` to http(s) URLs that
 * pass isThreadableUrl, not rel="tag" or rel="license", not the page itself, deduplicated by
 * key (first occurrence wins, its text filled from a later one when empty).
 */
export function extractLinks(html: string, baseUrl: string): ExtractedLink[] {
  return threadableLinks(() => readAnchors(html), baseUrl);
}

function threadableLinks(readAll: () => { anchors: Anchor[]; base: string | null }, baseUrl: string): ExtractedLink[] {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    return [];
  }
  const read = readAll();
  // A full page may declare its own base; content bodies leave it to the feed's xml:base.
  const declaredBase = read.base;
  if (declaredBase) {
    try {
      base = new URL(declaredBase.trim(), base);
    } catch {
      // An unusable <base> is ignored, as browsers do.
    }
  }
  const pageKey = urlKey(base.href.replace(/#.*$/, ''));
  const byKey = new Map<string, ExtractedLink>();
  for (const anchor of read.anchors) {
    const href = anchor.href.trim();
    // A fragment alone points into this page; only a comment anchor names something else.
    if (!href || (href.startsWith('#') && !/^#(comment-\d+|c\d+)$/i.test(href))) continue;
    const rel = anchor.rel.toLowerCase().split(/\s+/);
    if (rel.includes('tag') || rel.includes('license')) continue;
    let url: URL;
    try {
      url = new URL(href, base);
    } catch {
      continue;
    }
    if (!isThreadableUrl(url)) continue;
    const key = urlKey(url);
    if (key === null || key === pageKey) continue;
    const text = collapse(anchor.text);
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, { url: url.href, key, text });
    else if (!seen.text && text) seen.text = text;
  }
  return [...byKey.values()];
}

/** The threadable links (as extractLinks finds them) among a body's anchors read by plainMarkup. */
export function linksOfAnchors(anchors: PlainAnchor[], baseUrl: string): ExtractedLink[] {
  return threadableLinks(() => ({ anchors, base: null }), baseUrl);
}

/**
 * Reads a body sanitizeHtml made once for both threading and search: its links as extractLinks
 * finds them and its text as htmlToText gives it. The repairs htmlToText makes before it parses
 * (bogus comments escaped, tags nested over 200 deep dropped) change nothing in sanitized HTML:
 * its text has every "<" escaped and its nesting stops at 100.
 */
export function readSanitizedBody(html: string, baseUrl: string): { links: ExtractedLink[]; text: string } {
  // Without markup or entities there is neither an anchor nor anything to decode.
  if (!/[<&]/.test(html)) return { links: threadableLinks(() => ({ anchors: [], base: null }), baseUrl), text: collapseText(html) };
  const anchors = anchorCollector();
  const text = textCollector();
  new Parser(
    {
      onopentag(name, attributes) {
        anchors.onopentag(name, attributes);
        text.onopentag(name);
      },
      onclosetag(name) {
        anchors.onclosetag(name);
        text.onclosetag(name);
      },
      ontext(chunk) {
        anchors.ontext(chunk);
        text.ontext(chunk);
      },
    },
    parserOptions,
  ).end(html);
  return { links: threadableLinks(() => anchors.read(), baseUrl), text: collapseText(text.collected()) };
}
