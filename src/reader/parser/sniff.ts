// Sniffing a document's format from its first bytes: the root element (skipping BOM, the XML
// declaration, processing instructions, comments and the DOCTYPE) or a JSON object, and the
// root tag's attributes. Reads no more than it needs and parses nothing.
import type { ParsedFeedFormat } from '../types.ts';

/** The root element of a document as its start tag reads. */
export interface RootTag {
  /** Qualified name as written, e.g. "rss", "feed", "rdf:RDF". */
  name: string;
  /** The attribute text of the start tag. */
  attributes: string;
  selfClosing: boolean;
}

/** What a document starts with: its root element, an HTML doctype, no element, or no markup. */
export type Prologue =
  /** htmlDoctype: an HTML DOCTYPE came first, so a root that is no feed makes an HTML page. */
  | { kind: 'element'; root: RootTag; htmlDoctype: boolean }
  | { kind: 'html-doctype' }
  | { kind: 'no-element' }
  | { kind: 'not-markup' };

/**
 * Skips BOM, whitespace, XML declaration, PIs, comments and DOCTYPE, and reads the root start
 * tag. The root decides what a document is, whatever DOCTYPE precedes it (feeds written from
 * XHTML templates carry the XHTML DOCTYPE); the DOCTYPE is skipped, never expanded.
 */
export function readPrologue(text: string, limit = text.length): Prologue {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = Math.min(text.length, limit);
  let htmlDoctype = false;
  const nothing = (kind: 'no-element' | 'not-markup'): Prologue => (htmlDoctype ? { kind: 'html-doctype' } : { kind });
  for (;;) {
    while (i < n && /\s/.test(text[i]!)) i++;
    if (i >= n) return nothing('no-element');
    if (text[i] !== '<') return nothing('not-markup');
    if (text.startsWith('<?', i)) {
      const close = text.indexOf('?>', i + 2);
      if (close < 0) return { kind: 'no-element' };
      i = close + 2;
    } else if (text.startsWith('<!--', i)) {
      const close = text.indexOf('-->', i + 4);
      if (close < 0) return { kind: 'no-element' };
      i = close + 3;
    } else if (/^<!doctype/i.test(text.slice(i, i + 9))) {
      if (/^<!doctype\s+html\b/i.test(text.slice(i, i + 20))) htmlDoctype = true;
      const bracket = text.indexOf('[', i);
      const gt = text.indexOf('>', i);
      if (gt < 0) return nothing('no-element');
      if (bracket >= 0 && bracket < gt) {
        const subsetEnd = text.indexOf(']', bracket);
        const close = subsetEnd < 0 ? -1 : text.indexOf('>', subsetEnd);
        if (close < 0) return nothing('no-element');
        i = close + 1;
      } else {
        i = gt + 1;
      }
    } else {
      // The name ends where a name character does not follow: otherwise each shorter name is
      // tried against the rest of an unclosed tag, in time that grows with the square of a long
      // name (`<feed` and 25,000 dots took 0.35 s).
      const tag = /^<([A-Za-z_][\w.:-]*)(?![\w.:-])([^<>]*?)(\/?)>/.exec(text.slice(i, i + 64 * 1024));
      if (!tag) return nothing('not-markup');
      return { kind: 'element', root: { name: tag[1]!, attributes: tag[2] ?? '', selfClosing: tag[3] === '/' }, htmlDoctype };
    }
  }
}

/** Decodes XML's five predefined entities in text read without a parser. */
export function decodeXmlAttribute(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|apos);/g, (_m, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[name] ?? '');
}

/** Reads one attribute off a root start tag (xml:base and xml:lang, which rss-parser does not expose). */
export function rootAttribute(root: RootTag, name: string): string | null {
  const escaped = name.replace(/[.:]/g, '\\$&');
  const match = new RegExp(`(?:^|\\s)${escaped}\\s*=\\s*(["'])([^"']*)\\1`).exec(root.attributes);
  return match ? decodeXmlAttribute(match[2]!) : null;
}

function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

/** Tells which feed format a root element names (HTML too), or null for any other XML. */
export function formatOfRoot(name: string): ParsedFeedFormat | 'html' | null {
  const local = localName(name);
  if (local === 'rss') return 'rss';
  if (local === 'feed') return 'atom';
  if (local === 'RDF') return 'rdf';
  const lower = local.toLowerCase();
  if (lower === 'html' || lower === 'head' || lower === 'body') return 'html';
  return null;
}

function looksLikeJsonFeed(head: string): boolean {
  return /"version"\s*:\s*"[^"]*jsonfeed\.org/i.test(head) || /"items"\s*:\s*\[/.test(head);
}

/**
 * Tells what a document is from its first bytes: a feed format, an HTML page, or null. Cheap:
 * it reads only the root element (or, for JSON, the first 64 KB).
 */
export function sniffFeedFormat(text: string): ParsedFeedFormat | 'html' | null {
  // \s also matches a BOM (U+FEFF).
  const start = text.search(/\S/);
  if (start < 0) return null;
  if (text[start] === '{') return looksLikeJsonFeed(text.slice(0, 64 * 1024)) ? 'json' : null;
  const prologue = readPrologue(text, 256 * 1024);
  if (prologue.kind === 'html-doctype') return 'html';
  if (prologue.kind !== 'element') return null;
  const format = formatOfRoot(prologue.root.name);
  return format === null && prologue.htmlDoctype ? 'html' : format;
}
