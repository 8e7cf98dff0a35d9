// Where each of Palaver's feeds lives: a scope and a format to a URL path and back. The one
// place that knows /feed.atom, /c/:id/feed.rss, /blogs/:id/feed.json and /g/:slug/feed.atom;
// routes, pages, the feed writers and the WebSub hub (whose topics are these URLs) all ask here.
import { groupSlugPattern } from '../domain/groups.ts';
import { feedFormats, type FeedFormat, type FeedScope } from '../domain/vocabulary.ts';
import { feedContentTypes } from './types.ts';

/** The path of a scope's page under which its feeds hang: '', '/c/12', '/blogs/3' or '/g/blog-week'. */
export function scopeBase(scope: FeedScope): string {
  switch (scope.kind) {
    case 'all':
      return '';
    case 'conversation':
      return `/c/${scope.id}`;
    case 'blog':
      return `/blogs/${scope.id}`;
    case 'group':
      return `/g/${scope.slug}`;
  }
}

/** Returns the path of a scope's feed in a format, e.g. /c/12/feed.atom. */
export function feedPath(scope: FeedScope, format: FeedFormat): string {
  return `${scopeBase(scope)}/feed.${format}`;
}

/** Returns the absolute URL of a scope's feed under PUBLIC_URL (also its WebSub topic). */
export function feedUrl(publicUrl: string, scope: FeedScope, format: FeedFormat): string {
  return `${publicUrl}${feedPath(scope, format)}`;
}

const routePrefixes: Record<FeedScope['kind'], string> = { all: '', conversation: '/c/:id', blog: '/blogs/:id', group: '/g/:slug' };

/** Returns the route pattern of a kind of feed in a format, e.g. /c/:id/feed.atom or /g/:slug/feed.rss. */
export function feedRoutePattern(kind: FeedScope['kind'], format: FeedFormat): string {
  return `${routePrefixes[kind]}/feed.${format}`;
}

// Group slugs as domain/groups.ts allows them (its pattern without the anchors).
const slug = groupSlugPattern.source.replace(/^\^|\$$/g, '');
const feedPathPattern = new RegExp(`^(?:/c/(\\d{1,15})|/blogs/(\\d{1,15})|/g/(${slug}))?/feed\\.(${feedFormats.join('|')})$`);

/** Reads a URL as one of Palaver's feeds (exactly, no query); null when it is not one. */
export function parseFeedUrl(publicUrl: string, url: string): { scope: FeedScope; format: FeedFormat } | null {
  if (!url.startsWith(`${publicUrl}/`)) return null;
  const m = feedPathPattern.exec(url.slice(publicUrl.length));
  if (!m) return null;
  const format = m[4] as FeedFormat;
  if (m[1]) return { scope: { kind: 'conversation', id: Number(m[1]) }, format };
  if (m[2]) return { scope: { kind: 'blog', id: Number(m[2]) }, format };
  if (m[3]) return { scope: { kind: 'group', slug: m[3] }, format };
  return { scope: { kind: 'all' }, format };
}

/** Lists the URLs (every format) of the feeds that show entries of these conversations, blogs and groups, everything's included. */
export function feedUrlsOf(publicUrl: string, scopes: { conversationIds: number[]; blogIds: number[]; groupSlugs?: string[] }): string[] {
  const all: FeedScope[] = [
    { kind: 'all' },
    ...[...new Set(scopes.conversationIds)].map((id): FeedScope => ({ kind: 'conversation', id })),
    ...[...new Set(scopes.blogIds)].map((id): FeedScope => ({ kind: 'blog', id })),
    ...[...new Set(scopes.groupSlugs ?? [])].map((slug): FeedScope => ({ kind: 'group', slug })),
  ];
  return all.flatMap((scope) => feedFormats.map((format) => feedUrl(publicUrl, scope, format)));
}

const formatNames: Record<FeedFormat, string> = { atom: 'Atom', rss: 'RSS', json: 'JSON Feed' };

/** A feed as a page announces it (`<link rel="alternate">`) or links to it. */
export interface FeedLink {
  format: FeedFormat;
  type: string;
  href: string;
  /** The format's name: Atom, RSS, JSON Feed. */
  label: string;
}

/** Lists a scope's feeds in every format, with absolute URLs under `base` ('' for site-relative links). */
export function feedLinks(base: string, scope: FeedScope): FeedLink[] {
  return feedFormats.map((format) => ({ format, type: feedContentTypes[format].split(';')[0]!, href: `${base}${feedPath(scope, format)}`, label: formatNames[format] }));
}

/** The autodiscovery `<link rel="alternate">` of each format for a page of this scope. */
export function feedAlternates(publicUrl: string, scope: FeedScope, title: string): { type: string; href: string; title: string }[] {
  return feedLinks(publicUrl, scope).map((f) => ({ type: f.type, href: f.href, title: `${title} (${f.label})` }));
}
