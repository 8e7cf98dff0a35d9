// URL identity: two URLs name the same page when their keys are equal (DESIGN.md, threading
// rule 5). Used for blog de-duplication, "belongs to a blog" checks and threading links.
import { trimEndOf } from './trim.ts';

// Comment anchors identify a comment, not a place on the page: WordPress and Movable Type
// write #comment-123, Blogger #c123456789.
const commentAnchor = /^#(comment-\d+|c\d+)$/i;

/**
 * Returns the comparison key of an http(s) URL (scheme, `www.`, default port, trailing slash,
 * non-comment fragment and utm_* parameters folded away), or null for anything else.
 */
export function urlKey(input: string | URL | null | undefined): string | null {
  if (input == null) return null;
  let url: URL;
  try {
    url = typeof input === 'string' ? new URL(input.trim()) : new URL(input.href);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  let host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (host.startsWith('www.')) host = host.slice(4);
  // new URL() already drops :80 on http and :443 on https; the other scheme's default port is
  // folded too, since http and https count as one.
  const port = url.port && !(url.port === '80' || url.port === '443') ? `:${url.port}` : '';
  const path = trimEndOf(url.pathname, '/');
  const params = [...url.searchParams.entries()].filter(([k]) => !k.toLowerCase().startsWith('utm_'));
  const query = params.length ? `?${new URLSearchParams(params).toString()}` : '';
  const fragment = commentAnchor.test(url.hash) ? url.hash.toLowerCase() : '';
  return `${host}${port}${path}${query}${fragment}`;
}

/** Tells whether `url` lies under the blog whose home page is `homeUrl` (same host and port, path prefix). */
export function isUnderHome(url: string, homeUrl: string): boolean {
  const u = urlKey(url);
  const h = urlKey(homeUrl);
  if (u === null || h === null) return false;
  const home = h.replace(/[?#].*$/, '');
  const target = u.replace(/[?#].*$/, '');
  if (target === home) return true;
  // A home of "example.org" owns "example.org/x"; a home of "example.org/blog" owns
  // "example.org/blog/x" but not "example.org/blogroll".
  return target.startsWith(`${home}/`) || (!home.includes('/') && target.startsWith(`${home}?`));
}

/** Returns the site of a URL key: its host, without `www.`, with a non-default port ("example.org:8080"). */
export function siteOfKey(key: string): string {
  return key.replace(/[/?#].*$/, '');
}
