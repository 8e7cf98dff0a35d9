// Reading xml2js nodes (strings, or objects with "$" attributes and "_" text): first and all
// values, attributes, xml:base, Atom text constructs, links, RSS's text links and feed TTLs.
import { isUtf8 } from 'node:buffer';
import { collapseText, escapeHtml, parseCount, resolveHttpUrl } from '../feed-values.ts';
import { htmlToText } from '../sanitize.ts';
import type { Raw } from './rss-parser.ts';

/** Returns the first value of an xml2js list, or the value itself. */
export function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

/** Returns an xml2js value as a list. */
export function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** Reads an object's own property (never one of Object.prototype's). */
export function own(object: unknown, key: string): unknown {
  return typeof object === 'object' && object !== null && Object.hasOwn(object, key) ? (object as Raw)[key] : undefined;
}

/** Returns a node's text: the string itself or its "_" text. */
export function nodeText(node: unknown): string | null {
  if (typeof node === 'string') return node;
  const text = own(node, '_');
  return typeof text === 'string' ? text : null;
}

/** Returns one of a node's attributes. */
export function nodeAttr(node: unknown, name: string): string | null {
  const value = own(own(node, '$'), name);
  return typeof value === 'string' ? value : null;
}

/** Returns the text of the first element of a field. */
export function fieldText(item: Raw, key: string): string | null {
  return nodeText(firstOf(own(item, key)));
}

/** The attributes object copied by the '$' custom field. */
export function attrOf(item: Raw, name: string): string | null {
  const value = own(own(item, 'xAttributes'), name);
  return typeof value === 'string' ? value : null;
}

/** A child's xml:base resolved against its parent's; unsafe bases (javascript:) are ignored. */
export function nestBase(base: Base, declared: string | null): Base {
  if (!declared) return base;
  const resolved = resolveHttpUrl(declared, base.url);
  return resolved ? { url: resolved, declared: true } : base;
}

/** The base URL relative URLs resolve against, and whether the document declared it (xml:base). */
export interface Base {
  url: string;
  /** Whether some xml:base on the way down set it (otherwise it is the feed URL). */
  declared: boolean;
}

/** How an Atom text construct (or an RSS element) holds its text: as text or as HTML. */
export type ConstructKind = 'text' | 'html';

/** Reads an Atom text construct (or an RSS element) as HTML or as text, honouring type/mode. */
export function readConstruct(node: unknown, defaultKind: ConstructKind): { value: string; kind: ConstructKind } | null {
  let value = nodeText(node);
  if (value === null) return null;
  const type = (nodeAttr(node, 'type') ?? '').trim().toLowerCase();
  const mode = (nodeAttr(node, 'mode') ?? '').trim().toLowerCase();
  if (mode === 'base64') value = Buffer.from(value, 'base64').toString('utf8');
  if (type === 'html' || type === 'xhtml' || type === 'text/html' || type === 'application/xhtml+xml' || mode === 'escaped') return { value, kind: 'html' };
  if (type === 'text' || type === 'text/plain') return { value, kind: 'text' };
  if (type === '') return { value, kind: defaultKind };
  // Images, sound and video (Atom content in base64 or by src) are not text to show.
  if (/^(?:image|audio|video|font|model)\//.test(type)) return null;
  // RFC 4287 §4.1.3.3: a type that is neither text nor XML carries base64; it is shown when it
  // decodes to text (feedparser's application/octet-stream title). Any other unknown type
  // (application/x-custom on a title: §3.1.1.3 leaves it to the reader) shows its text, escaped,
  // as feedparser and gofeed do.
  if (mode !== 'base64' && !type.startsWith('text/') && !/[+/]xml$/.test(type)) value = base64Text(value) ?? value;
  return { value, kind: 'text' };
}

/** Decodes base64 that holds UTF-8 text (no control characters); null for anything else. */
function base64Text(value: string): string | null {
  const compact = value.replace(/\s+/g, '');
  if (compact.length < 4 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return null;
  const bytes = Buffer.from(compact, 'base64');
  // eslint-disable-next-line no-control-regex -- control characters mean bytes, not text
  if (!isUtf8(bytes) || /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(bytes.toString('latin1'))) return null;
  return bytes.toString('utf8');
}

/** Reads a text construct as plain text. */
export function constructText(node: unknown, defaultKind: ConstructKind): string | null {
  const read = readConstruct(node, defaultKind);
  if (!read) return null;
  return read.kind === 'html' ? htmlToText(read.value) || null : collapseText(read.value);
}

/** Reads a text construct as HTML (plain text escaped). */
export function constructHtml(node: unknown, defaultKind: ConstructKind): string | null {
  const read = readConstruct(node, defaultKind);
  if (!read || !read.value.trim()) return null;
  return read.kind === 'html' ? read.value : escapeHtml(read.value.trim());
}

/** An Atom or RSS link, resolved, with what RFC 4685 adds (thr:count). */
export interface Link {
  rel: string;
  href: string;
  type: string | null;
  count: number | null;
}

/** Atom-style links (attributes), resolved; RSS text links are skipped here. */
export function readLinks(nodes: unknown, base: string, textAsHref = false): Link[] {
  const links: Link[] = [];
  for (const node of listOf(nodes)) {
    // An Atom link written as text (<link>URL</link>) carries its URL where the href should be.
    const href = resolveHttpUrl(nodeAttr(node, 'href') ?? (textAsHref ? nodeText(node) : null), base);
    if (!href) continue;
    links.push({
      rel: (nodeAttr(node, 'rel') ?? 'alternate').trim().toLowerCase(),
      href,
      type: nodeAttr(node, 'type')?.trim().toLowerCase() || null,
      count: parseCount(nodeAttr(node, 'thr:count')),
    });
  }
  return links;
}

/** Picks the page a set of links names as the alternate (HTML first). */
export function alternateOf(links: Link[]): string | null {
  const alternates = links.filter((l) => l.rel === 'alternate');
  return (alternates.find((l) => !l.type || l.type.includes('html')) ?? alternates[0])?.href ?? null;
}

/** RSS <link> text, the first one that is a URL (Atom links in the default namespace have attributes). */
export function rssTextLink(nodes: unknown, base: string): string | null {
  for (const node of listOf(nodes)) {
    if (nodeAttr(node, 'href')) continue;
    const url = resolveHttpUrl(nodeText(node), base);
    if (url) return url;
  }
  return null;
}

/**
 * An author longer than this is not "email (Name)": the pattern's two runs around the `@` can
 * divide a long run of `@` in every way, in time that grows with its square (20,000 took 0.3 s).
 */
const maxAddressedAuthorChars = 1024;

/** RSS 2.0 <author> is "email (Name)"; the name is what a reader wants to see. */
export function rssAuthorName(value: string): string | null {
  const named = value.length <= maxAddressedAuthorChars ? /^\s*\S+@\S+\s*\(([^)]+)\)\s*$/.exec(value) : null;
  return htmlToText(named ? named[1]! : value) || null;
}

const updatePeriodSeconds: Record<string, number> = {
  hourly: 3600,
  daily: 86_400,
  weekly: 604_800,
  monthly: 2_592_000,
  yearly: 31_536_000,
};

/** Reads a feed's own polling hint in seconds: RSS ttl, else sy:updatePeriod and sy:updateFrequency. */
export function ttlFromFeed(feed: Raw): number | null {
  const ttlMinutes = parseCount(fieldText(feed, 'xTtl'));
  if (ttlMinutes) return ttlMinutes * 60;
  const period = fieldText(feed, 'xUpdatePeriod')?.trim().toLowerCase();
  const periodSeconds = period ? updatePeriodSeconds[period] : undefined;
  if (!periodSeconds) return null;
  const frequency = parseCount(fieldText(feed, 'xUpdateFrequency')) || 1;
  return Math.max(1, Math.round(periodSeconds / frequency));
}
