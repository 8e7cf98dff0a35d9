// Parsing owns decoded feed text → ParsedFeed for RSS 0.9x/1.0 (RDF)/2.0 and Atom (via
// rss-parser) and JSON Feed (json-feed.ts): format quirks are normalized here and nowhere else.
// It never decodes bytes, never sanitizes HTML (contentHtml stays raw), and never expands DTD entities.
import { isUtf8 } from 'node:buffer';
import Parser from 'rss-parser';
import { parseJsonFeed } from './json-feed.ts';
import { collapseText, escapeHtml, parseCount, parseFeedDate, resolveHttpUrl } from './feed-values.ts';
import { htmlToText } from './sanitize.ts';
import { FeedParseError, type ParsedFeedFormat, type FeedItem, type FeedLink, type InReplyTo, type ParsedFeed } from './types.ts';

/** Text longer than this (UTF-16 code units, about 10 MB) is refused before any parsing. */
export const maxFeedChars = 10 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Sniffing

interface RootTag {
  /** Qualified name as written, e.g. "rss", "feed", "rdf:RDF". */
  name: string;
  /** The attribute text of the start tag. */
  attributes: string;
  selfClosing: boolean;
}

type Prologue =
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
function readPrologue(text: string, limit = text.length): Prologue {
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
      const tag = /^<([A-Za-z_][\w.:-]*)([^<>]*?)(\/?)>/.exec(text.slice(i, i + 64 * 1024));
      if (!tag) return nothing('not-markup');
      return { kind: 'element', root: { name: tag[1]!, attributes: tag[2] ?? '', selfClosing: tag[3] === '/' }, htmlDoctype };
    }
  }
}

function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

function formatOfRoot(name: string): ParsedFeedFormat | 'html' | null {
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

// ---------------------------------------------------------------------------------------------
// Lenient text repairs, each taken only when needed and reported as a warning

/**
 * CDATA sections and comments, whose content text repairs must not touch. Found with indexOf, not
 * a lazy regex, so a document full of unclosed "<![CDATA[" costs linear time, not quadratic.
 */
function findOpaqueRanges(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  // Each search resumes only once the previous hit is passed, so both scans stay linear.
  let nextCdata = text.indexOf('<![CDATA[');
  let nextComment = text.indexOf('<!--');
  while (nextCdata >= 0 || nextComment >= 0) {
    const isCdata = nextCdata >= 0 && (nextComment < 0 || nextCdata < nextComment);
    const start = isCdata ? nextCdata : nextComment;
    const close = text.indexOf(isCdata ? ']]>' : '-->', start + (isCdata ? 9 : 4));
    if (close < 0) {
      ranges.push([start, text.length]);
      break;
    }
    const end = close + 3;
    ranges.push([start, end]);
    if (nextCdata >= 0 && nextCdata < end) nextCdata = text.indexOf('<![CDATA[', end);
    if (nextComment >= 0 && nextComment < end) nextComment = text.indexOf('<!--', end);
  }
  return ranges;
}

function mapOutsideOpaque(text: string, transform: (chunk: string) => string): string {
  let out = '';
  let last = 0;
  for (const [start, end] of findOpaqueRanges(text)) {
    out += transform(text.slice(last, start)) + text.slice(start, end);
    last = end;
  }
  return out + transform(text.slice(last));
}

const bareAmpersand = /&(?!(?:[A-Za-z_][\w.-]*|#\d+|#x[\dA-Fa-f]+);)/g;

/** Escapes "&" that starts no entity ("Fish & Chips"), the commonest ill-formedness in real feeds. */
function escapeBareAmpersands(text: string): { text: string; count: number } {
  let count = 0;
  const repaired = mapOutsideOpaque(text, (chunk) =>
    chunk.replace(bareAmpersand, () => {
      count++;
      return '&amp;';
    }),
  );
  return { text: repaired, count };
}

/**
 * Leaves references to entities declared in an internal DTD as literal text. Palaver never
 * expands DTD entities (billion laughs); without this, a feed using one is unreadable.
 */
function neutraliseDtdEntities(text: string): { text: string; names: string[] } {
  const names = new Set<string>();
  const declaration = /<!ENTITY\s+([A-Za-z_][\w.-]*)\s/g;
  const doctypeEnd = Math.min(text.length, 1024 * 1024);
  for (const match of text.slice(0, doctypeEnd).matchAll(declaration)) names.add(match[1]!);
  if (!names.size) return { text, names: [] };
  const used = new Set<string>();
  const reference = /&([A-Za-z_][\w.-]*);/g;
  const repaired = mapOutsideOpaque(text, (chunk) =>
    chunk.replace(reference, (whole, name: string) => {
      if (!names.has(name)) return whole;
      used.add(name);
      return `&amp;${name};`;
    }),
  );
  return { text: repaired, names: [...used] };
}

/** XML 1.0 forbids C0 controls; sax lets them through, and Palaver's own feeds would break on them. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const illegalControls = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

const markupElements = ['title', 'subtitle', 'summary', 'content', 'rights', 'tagline', 'info', 'copyright', 'description', 'body', 'fullitem', 'xhtml:body'];
const markupStart = new RegExp(`<(${markupElements.join('|')})(\\s[^<>]*?)?(/?)>`, 'g');

function insideRange(ranges: [number, number][], index: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, end] = ranges[mid]!;
    if (index < start) hi = mid - 1;
    else if (index >= end) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * Turns inline markup (Atom type="xhtml", Atom 0.3 mode="xml", xhtml:body, unescaped HTML in
 * RSS descriptions) into CDATA text. xml2js files child elements apart from the text between
 * them, which scrambles mixed content; as one string it stays in order (Typepad's xhtml content).
 */
function inlineMarkupToCdata(text: string): { text: string; count: number } {
  const opaque = findOpaqueRanges(text);
  let out = '';
  let last = 0;
  let count = 0;
  markupStart.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = markupStart.exec(text))) {
    if (match[3] === '/' || insideRange(opaque, match.index)) continue;
    const name = match[1]!;
    const contentStart = match.index + match[0].length;
    // Only elements whose content holds a child element ("safe<script>…" counts, CDATA does not).
    const next = text.indexOf('<', contentStart);
    if (next < 0 || !/[A-Za-z_]/.test(text[next + 1] ?? '')) continue;
    const close = findClosingTag(text, name, contentStart, opaque);
    // An unclosed element makes the document ill-formed anyway; stop rather than rescan it.
    if (close < 0) break;
    const inner = text.slice(contentStart, close).replace(/(<\/?)[A-Za-z_][\w.-]*:(?=[A-Za-z_])/g, '$1');
    const attributes = (match[2] ?? '').replace(/\s(?:type|mode)\s*=\s*(["'])[^"']*\1/g, '');
    out += `${text.slice(last, match.index)}<${name}${attributes} type="xhtml"><![CDATA[${inner.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
    last = close;
    markupStart.lastIndex = close;
    count++;
  }
  return { text: count ? out + text.slice(last) : text, count };
}

function findClosingTag(text: string, name: string, from: number, opaque: [number, number][]): number {
  const escaped = name.replace(/[.:]/g, '\\$&');
  const tag = new RegExp(`<(/?)${escaped}(?=[\\s/>])[^<>]*?(/?)>`, 'g');
  tag.lastIndex = from;
  let depth = 1;
  let match: RegExpExecArray | null;
  while ((match = tag.exec(text))) {
    if (insideRange(opaque, match.index)) continue;
    if (match[1] === '/') depth--;
    else if (match[2] !== '/') depth++;
    if (depth === 0) return match.index;
  }
  return -1;
}

/**
 * Gives attribute-less Atom links (<link>URL</link>, written RSS-style by some generators, or an
 * empty <link/>) a rel attribute: rss-parser reads link.$.rel and crashes on a link without
 * attributes. The URL in the text is read later by readLinks.
 */
function atomLinksWithAttributes(text: string): string {
  return mapOutsideOpaque(text, (chunk) => chunk.replace(/<((?:[\w.-]+:)?link)(\s*\/?)>/g, '<$1 rel="alternate"$2>'));
}

// ---------------------------------------------------------------------------------------------
// Namespaces: real feeds bind the usual namespaces to unusual prefixes (FeedBurner's atom10:link),
// and xml2js keys elements by the prefix as written, so prefixes are mapped to the usual ones.

const usualPrefixByNamespace: Record<string, string> = {
  'http://www.w3.org/2005/Atom': 'atom',
  'http://purl.org/atom/ns#': 'atom',
  'http://wellformedweb.org/CommentAPI/': 'wfw',
  'http://purl.org/rss/1.0/modules/slash/': 'slash',
  'http://purl.org/syndication/thread/1.0': 'thr',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://madskills.com/public/xml/rss/module/trackback/': 'trackback',
  'http://purl.org/rss/1.0/modules/syndication/': 'sy',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
  'http://www.w3.org/1999/xhtml': 'xhtml',
  'http://purl.org/rss/1.0/': '',
  'http://my.netscape.com/rdf/simple/0.9/': '',
};

function normaliseNamespaceUri(uri: string): string {
  return uri.trim().replace(/\/$/, '');
}

const usualPrefix = new Map(Object.entries(usualPrefixByNamespace).map(([uri, prefix]) => [normaliseNamespaceUri(uri), prefix]));

function prefixRenames(text: string, format: ParsedFeedFormat): Map<string, string> {
  const renames = new Map<string, string>();
  const seen = new Set<string>();
  for (const match of text.matchAll(/\bxmlns:([A-Za-z_][\w.-]*)\s*=\s*(["'])([^"']*)\2/g)) {
    const prefix = match[1]!;
    if (seen.has(prefix)) continue;
    seen.add(prefix);
    let wanted = usualPrefix.get(normaliseNamespaceUri(match[3]!));
    if (wanted === undefined) continue;
    // Inside an Atom document Atom elements are unprefixed (<atom:feed xmlns:atom=…> exists).
    if (wanted === 'atom' && format === 'atom') wanted = '';
    if (wanted !== prefix) renames.set(prefix, wanted);
  }
  return renames;
}

function renameProcessor(renames: Map<string, string>): (name: string) => string {
  return (name) => {
    const colon = name.indexOf(':');
    if (colon < 0) return name;
    const wanted = renames.get(name.slice(0, colon));
    if (wanted === undefined) return name;
    return wanted ? `${wanted}:${name.slice(colon + 1)}` : name.slice(colon + 1);
  };
}

/**
 * rss-parser builds a "snippet" of description, content and content:encoded with a regex that
 * takes quadratic time on "<p" without ">" (120 KB of it: 12 s). Palaver never uses snippets, so
 * these elements reach rss-parser under names it does not know ("#" cannot occur in XML names).
 */
const hiddenFromRssParser = new Set(['description', 'content', 'content:encoded', 'summary']);

function hideFromRssParser(name: string): string {
  return hiddenFromRssParser.has(name) ? `#${name}` : name;
}

// ---------------------------------------------------------------------------------------------
// rss-parser

const itemFields = [
  ['$', 'xAttributes', { keepArray: true }],
  ['title', 'xTitle', { keepArray: true }],
  ['link', 'xLinks', { keepArray: true }],
  ['atom:link', 'xAtomLinks', { keepArray: true }],
  ['guid', 'xGuid', { keepArray: true }],
  ['id', 'xId', { keepArray: true }],
  ['#description', 'xDescription', { keepArray: true }],
  ['#content:encoded', 'xContentEncoded', { keepArray: true }],
  ['xhtml:body', 'xXhtmlBody', { keepArray: true }],
  ['body', 'xBody', { keepArray: true }],
  ['fullitem', 'xFullitem', { keepArray: true }],
  ['#content', 'xContent', { keepArray: true }],
  ['#summary', 'xSummary', { keepArray: true }],
  ['author', 'xAuthor', { keepArray: true }],
  ['dc:creator', 'xDcCreator', { keepArray: true }],
  ['pubDate', 'xPubDate', { keepArray: true }],
  ['dc:date', 'xDcDate', { keepArray: true }],
  ['published', 'xPublished', { keepArray: true }],
  ['issued', 'xIssued', { keepArray: true }],
  ['created', 'xCreated', { keepArray: true }],
  ['updated', 'xUpdated', { keepArray: true }],
  ['modified', 'xModified', { keepArray: true }],
  ['atom:published', 'xAtomPublished', { keepArray: true }],
  ['atom:updated', 'xAtomUpdated', { keepArray: true }],
  ['comments', 'xComments', { keepArray: true }],
  ['wfw:commentRss', 'xWfwCommentRss', { keepArray: true }],
  // WordPress before 2.x and some Movable Type templates wrote the element as commentRSS.
  ['wfw:commentRSS', 'xWfwCommentRSS', { keepArray: true }],
  ['slash:comments', 'xSlashComments', { keepArray: true }],
  ['thr:total', 'xThrTotal', { keepArray: true }],
  ['thr:in-reply-to', 'xThrInReplyTo', { keepArray: true }],
  ['trackback:ping', 'xTrackbackPing', { keepArray: true }],
  ['dc:language', 'xDcLanguage', { keepArray: true }],
];

const feedFields = [
  ['$', 'xAttributes', { keepArray: true }],
  ['title', 'xTitle', { keepArray: true }],
  ['#description', 'xDescription', { keepArray: true }],
  ['subtitle', 'xSubtitle', { keepArray: true }],
  ['tagline', 'xTagline', { keepArray: true }],
  ['link', 'xLinks', { keepArray: true }],
  ['atom:link', 'xAtomLinks', { keepArray: true }],
  ['language', 'xLanguage', { keepArray: true }],
  ['dc:language', 'xDcLanguage', { keepArray: true }],
  ['author', 'xAuthor', { keepArray: true }],
  ['ttl', 'xTtl', { keepArray: true }],
  ['sy:updatePeriod', 'xUpdatePeriod', { keepArray: true }],
  ['sy:updateFrequency', 'xUpdateFrequency', { keepArray: true }],
];

/** Atom dates rss-parser cannot read make it throw (new Date(x).toISOString()); give it ours. */
function repairAtomDate(value: string, name: string): string {
  if ((name === 'published' || name === 'updated') && Number.isNaN(Date.parse(value))) return parseFeedDate(value) ?? '';
  return value;
}

type Raw = Record<string, unknown>;

function createParser(renames: Map<string, string>): Parser<Raw, Raw> {
  const rename = renames.size ? renameProcessor(renames) : null;
  const options = {
    defaultRSS: 2,
    xml2js: {
      tagNameProcessors: [rename ? (name: string) => hideFromRssParser(rename(name)) : hideFromRssParser],
      ...(rename ? { attrNameProcessors: [rename] } : {}),
      valueProcessors: [repairAtomDate],
      // Whitespace-only elements become "" (rss-parser would try new Date("  ") and throw).
      emptyTag: () => '',
    },
    customFields: { feed: feedFields, item: itemFields },
  };
  return new Parser<Raw, Raw>(options as unknown as Parser.ParserOptions<Raw, Raw>);
}

/** Turns a sax message ("Unclosed root tag\nLine: 4\nColumn: 2\nChar: ") into plain words. */
function describeXmlError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const [first, ...rest] = message.split('\n');
  const line = /Line:\s*(\d+)/.exec(rest.join(' '));
  const column = /Column:\s*(\d+)/.exec(rest.join(' '));
  const what = (first ?? 'parse error').trim().replace(/^./, (c) => c.toLowerCase());
  if (!line) return `not well-formed XML: ${what}`;
  return `not well-formed XML at line ${Number(line[1]) + 1}, column ${Number(column?.[1] ?? 0) + 1}: ${what}`;
}

function isSaxError(err: unknown): boolean {
  return err instanceof Error && /\nLine: \d+/.test(err.message);
}

// ---------------------------------------------------------------------------------------------
// Reading xml2js nodes (strings, or objects with "$" attributes and "_" text)

function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function own(object: unknown, key: string): unknown {
  return typeof object === 'object' && object !== null && Object.hasOwn(object, key) ? (object as Raw)[key] : undefined;
}

function nodeText(node: unknown): string | null {
  if (typeof node === 'string') return node;
  const text = own(node, '_');
  return typeof text === 'string' ? text : null;
}

function nodeAttr(node: unknown, name: string): string | null {
  const value = own(own(node, '$'), name);
  return typeof value === 'string' ? value : null;
}

function fieldText(item: Raw, key: string): string | null {
  return nodeText(firstOf(own(item, key)));
}

/** The attributes object copied by the '$' custom field. */
function attrOf(item: Raw, name: string): string | null {
  const value = own(own(item, 'xAttributes'), name);
  return typeof value === 'string' ? value : null;
}

/** A child's xml:base resolved against its parent's; unsafe bases (javascript:) are ignored. */
function nestBase(base: Base, declared: string | null): Base {
  if (!declared) return base;
  const resolved = resolveHttpUrl(declared, base.url);
  return resolved ? { url: resolved, declared: true } : base;
}

interface Base {
  url: string;
  /** Whether some xml:base on the way down set it (otherwise it is the feed URL). */
  declared: boolean;
}

type ConstructKind = 'text' | 'html';

/** Reads an Atom text construct (or an RSS element) as HTML or as text, honouring type/mode. */
function readConstruct(node: unknown, defaultKind: ConstructKind): { value: string; kind: ConstructKind } | null {
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

function constructText(node: unknown, defaultKind: ConstructKind): string | null {
  const read = readConstruct(node, defaultKind);
  if (!read) return null;
  return read.kind === 'html' ? htmlToText(read.value) || null : collapseText(read.value);
}

function constructHtml(node: unknown, defaultKind: ConstructKind): string | null {
  const read = readConstruct(node, defaultKind);
  if (!read || !read.value.trim()) return null;
  return read.kind === 'html' ? read.value : escapeHtml(read.value.trim());
}

interface Link {
  rel: string;
  href: string;
  type: string | null;
  count: number | null;
}

/** Atom-style links (attributes), resolved; RSS text links are skipped here. */
function readLinks(nodes: unknown, base: string, textAsHref = false): Link[] {
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

function alternateOf(links: Link[]): string | null {
  const alternates = links.filter((l) => l.rel === 'alternate');
  return (alternates.find((l) => !l.type || l.type.includes('html')) ?? alternates[0])?.href ?? null;
}

/** RSS <link> text, the first one that is a URL (Atom links in the default namespace have attributes). */
function rssTextLink(nodes: unknown, base: string): string | null {
  for (const node of listOf(nodes)) {
    if (nodeAttr(node, 'href')) continue;
    const url = resolveHttpUrl(nodeText(node), base);
    if (url) return url;
  }
  return null;
}

/** RSS 2.0 <author> is "email (Name)"; the name is what a reader wants to see. */
function rssAuthorName(value: string): string | null {
  const named = /^\s*\S+@\S+\s*\(([^)]+)\)\s*$/.exec(value);
  return htmlToText(named ? named[1]! : value) || null;
}

const updatePeriodSeconds: Record<string, number> = {
  hourly: 3600,
  daily: 86_400,
  weekly: 604_800,
  monthly: 2_592_000,
  yearly: 31_536_000,
};

function ttlFromFeed(feed: Raw): number | null {
  const ttlMinutes = parseCount(fieldText(feed, 'xTtl'));
  if (ttlMinutes) return ttlMinutes * 60;
  const period = fieldText(feed, 'xUpdatePeriod')?.trim().toLowerCase();
  const periodSeconds = period ? updatePeriodSeconds[period] : undefined;
  if (!periodSeconds) return null;
  const frequency = parseCount(fieldText(feed, 'xUpdateFrequency')) || 1;
  return Math.max(1, Math.round(periodSeconds / frequency));
}

// ---------------------------------------------------------------------------------------------
// Normalizing

interface FeedContext {
  format: ParsedFeedFormat;
  base: Base;
  lang: string | null;
  authorName: string | null;
  authorUrl: string | null;
}

function readAuthor(item: Raw, base: string): { name: string | null; url: string | null } {
  const creator = fieldText(item, 'xDcCreator');
  const author = firstOf(own(item, 'xAuthor'));
  if (typeof author === 'object' && author !== null && !Object.hasOwn(author, '_')) {
    // Atom person construct (Atom 0.3 wrote <url>, 1.0 writes <uri>).
    const name = collapseText(nodeText(firstOf(own(author, 'name'))));
    const url = resolveHttpUrl(nodeText(firstOf(own(author, 'uri'))) ?? nodeText(firstOf(own(author, 'url'))), base);
    return { name: name ?? (creator ? htmlToText(creator) || null : null), url };
  }
  if (creator?.trim()) return { name: htmlToText(creator) || null, url: null };
  const text = nodeText(author);
  return { name: text ? rssAuthorName(text) : null, url: null };
}

const bloggerItemId = /^tag:blogger\.com,1999:blog-(\d+)\.post-\d+$/;
const bloggerCommentSelf = /\/feeds\/(?:\d+\/)?\d+\/comments\/default\/(\d+)$/;

/**
 * Blogger's thr:in-reply-to names only the post; a threaded reply (since 2012) names its parent
 * comment as <link rel="related" href=".../feeds/<blogId>/<postId>/comments/default/<id>">. Blogger
 * ids posts and comments alike as tag:blogger.com,1999:blog-<blogId>.post-<id>, so the parent's
 * Atom id follows from the reply's own id and that link.
 */
function bloggerParentComment(guid: string | null, relatedUrls: string[]): InReplyTo | null {
  const blogId = guid ? bloggerItemId.exec(guid)?.[1] : undefined;
  if (!blogId) return null;
  for (const url of relatedUrls) {
    const parentId = bloggerCommentSelf.exec(new URL(url).pathname)?.[1];
    if (parentId) return { ref: `tag:blogger.com,1999:blog-${blogId}.post-${parentId}`, href: null, source: url };
  }
  return null;
}

function readItem(item: Raw, context: FeedContext): FeedItem {
  const isAtom = context.format === 'atom';
  const itemBase = nestBase(context.base, attrOf(item, 'xml:base'));
  const links = [...readLinks(own(item, 'xLinks'), itemBase.url, isAtom), ...readLinks(own(item, 'xAtomLinks'), itemBase.url)];

  // Identity: Atom id, RSS guid, RDF rdf:about.
  const guidNode = firstOf(own(item, 'xGuid'));
  const guidText = collapseText(nodeText(guidNode));
  const idText = collapseText(fieldText(item, 'xId'));
  const about = collapseText(attrOf(item, 'rdf:about'));
  const guid = isAtom ? idText : guidText ?? about ?? idText;

  // A guid is a permalink unless isPermaLink="false" (RSS 2.0); it stands in for a missing link
  // only when it is an absolute http(s) URL (gofeed's "abc123" guid is not a page).
  const guidIsPermalink = guidText !== null && (nodeAttr(guidNode, 'isPermaLink') ?? 'true').trim().toLowerCase() !== 'false';
  const url = isAtom
    ? alternateOf(links)
    : (rssTextLink(own(item, 'xLinks'), itemBase.url) ??
      alternateOf(links) ??
      (guidIsPermalink ? resolveHttpUrl(guidText, null) : null) ??
      resolveHttpUrl(about, null));

  // Content: Atom content/summary by type; RSS content:encoded (or xhtml:body) and description.
  const contentNode = firstOf(own(item, isAtom ? 'xContent' : 'xContentEncoded'))
    ?? firstOf(own(item, 'xXhtmlBody')) ?? firstOf(own(item, 'xBody')) ?? firstOf(own(item, 'xFullitem'))
    ?? (isAtom ? undefined : firstOf(own(item, 'xContent')));
  const summaryNode = firstOf(own(item, isAtom ? 'xSummary' : 'xDescription')) ?? (isAtom ? undefined : firstOf(own(item, 'xSummary')));
  const contentHtml = contentNode === undefined ? null : constructHtml(contentNode, isAtom ? 'text' : 'html');
  const summaryHtml = summaryNode === undefined ? null : constructHtml(summaryNode, isAtom ? 'text' : 'html');
  // WordPress puts xml:base="<permalink>" on Atom content. One baseUrl serves both fields, so it
  // is the base of the field shown (content, else summary), as entry drafting does.
  const contentBase = nestBase(itemBase, nodeAttr(contentHtml !== null ? contentNode : summaryNode, 'xml:base'));
  const baseUrl = contentBase.declared ? contentBase.url : (url ?? context.base.url);

  const titleNode = firstOf(own(item, 'xTitle'));
  const title = titleNode === undefined ? null : constructText(titleNode, isAtom ? 'text' : 'html');

  const author = readAuthor(item, itemBase.url);

  const published =
    parseFeedDate(fieldText(item, 'xPubDate')) ??
    parseFeedDate(fieldText(item, 'xPublished')) ??
    parseFeedDate(fieldText(item, 'xAtomPublished')) ??
    parseFeedDate(fieldText(item, 'xDcDate')) ??
    parseFeedDate(fieldText(item, 'xIssued')) ??
    parseFeedDate(fieldText(item, 'xCreated'));
  const updated =
    parseFeedDate(fieldText(item, 'xUpdated')) ?? parseFeedDate(fieldText(item, 'xAtomUpdated')) ?? parseFeedDate(fieldText(item, 'xModified'));

  // Comments: RSS <comments> page, wfw:commentRss feed, Atom rel="replies" (RFC 4685 §3).
  const replies = links.filter((l) => l.rel === 'replies');
  const htmlReplies = replies.find((l) => l.type?.includes('html'));
  const commentFeeds: FeedLink[] = [];
  for (const key of ['xWfwCommentRss', 'xWfwCommentRSS']) {
    for (const node of listOf(own(item, key))) {
      const feed = resolveHttpUrl(nodeText(node), itemBase.url);
      if (feed && !commentFeeds.some((f) => f.url === feed)) commentFeeds.push({ url: feed, type: null });
    }
  }
  for (const link of replies) {
    if (link !== htmlReplies && !commentFeeds.some((f) => f.url === link.href)) commentFeeds.push({ url: link.href, type: link.type });
  }
  const feedReplies = replies.find((l) => l.type === 'application/atom+xml') ?? replies.find((l) => l !== htmlReplies);
  const commentCount =
    parseCount(fieldText(item, 'xSlashComments')) ??
    parseCount(fieldText(item, 'xThrTotal')) ??
    feedReplies?.count ??
    replies.find((l) => l.count !== null)?.count ??
    null;

  const inReplyTo: InReplyTo[] = [];
  for (const node of listOf(own(item, 'xThrInReplyTo'))) {
    const ref = collapseText(nodeAttr(node, 'ref'));
    const href = resolveHttpUrl(nodeAttr(node, 'href'), itemBase.url);
    const source = resolveHttpUrl(nodeAttr(node, 'source'), itemBase.url);
    if (ref || href) inReplyTo.push(source ? { ref, href, source } : { ref, href });
  }
  const selfUrl = links.find((l) => l.rel === 'self')?.href;
  const relatedUrls = [...new Set(links.filter((l) => l.rel === 'related').map((l) => l.href))];
  const parent = bloggerParentComment(guid, relatedUrls);
  if (parent && !inReplyTo.some((r) => r.ref === parent.ref)) inReplyTo.push(parent);

  // RSS 2.0 trackback module writes the URL as text, the RDF form as rdf:resource.
  const pingNode = firstOf(own(item, 'xTrackbackPing'));
  const trackbackPingUrl = resolveHttpUrl(nodeText(pingNode) ?? nodeAttr(pingNode, 'rdf:resource'), itemBase.url);

  return {
    guid,
    url,
    title,
    authorName: author.name ?? context.authorName,
    authorUrl: author.url ?? (author.name ? null : context.authorUrl),
    contentHtml,
    summaryHtml,
    publishedAt: published ?? updated,
    updatedAt: updated,
    commentsPageUrl: resolveHttpUrl(fieldText(item, 'xComments'), itemBase.url) ?? htmlReplies?.href ?? null,
    commentFeeds,
    commentCount,
    inReplyTo,
    trackbackPingUrl,
    // Only when present, so items of feeds without them keep their old shape.
    ...(selfUrl ? { selfUrl } : {}),
    ...(relatedUrls.length ? { relatedUrls } : {}),
    baseUrl,
    lang: collapseText(attrOf(item, 'xml:lang')) ?? collapseText(fieldText(item, 'xDcLanguage')) ?? context.lang,
  };
}

function readAttribute(attributes: string, name: string): string | null {
  const escaped = name.replace(/[.:]/g, '\\$&');
  const match = new RegExp(`(?:^|\\s)${escaped}\\s*=\\s*(["'])([^"']*)\\1`).exec(attributes);
  return match ? decodeXmlAttribute(match[2]!) : null;
}

function decodeXmlAttribute(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|apos);/g, (_m, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[name] ?? '');
}

function normalizeFeed(raw: Raw, format: ParsedFeedFormat, root: RootTag, feedUrl: string, warnings: string[]): ParsedFeed {
  // xml:base and xml:lang on <rss> or <rdf:RDF> are not exposed by rss-parser; read them off the tag.
  const rootBase = nestBase({ url: feedUrl, declared: false }, format === 'atom' ? null : readAttribute(root.attributes, 'xml:base'));
  const base = nestBase(rootBase, attrOf(raw, 'xml:base'));
  const isAtom = format === 'atom';
  const links = [...readLinks(own(raw, 'xLinks'), base.url, isAtom), ...readLinks(own(raw, 'xAtomLinks'), base.url)];
  const lang =
    collapseText(attrOf(raw, 'xml:lang')) ??
    collapseText(fieldText(raw, 'xLanguage')) ??
    collapseText(fieldText(raw, 'xDcLanguage')) ??
    (isAtom ? null : collapseText(readAttribute(root.attributes, 'xml:lang')));
  const feedAuthor = isAtom ? readAuthor(raw, base.url) : { name: null, url: null };
  const context: FeedContext = { format, base, lang, authorName: feedAuthor.name, authorUrl: feedAuthor.url };

  const titleNode = firstOf(own(raw, 'xTitle'));
  const descriptionNode = firstOf(own(raw, isAtom ? 'xSubtitle' : 'xDescription')) ?? firstOf(own(raw, 'xTagline'));
  const items = Array.isArray(raw.items) ? (raw.items as unknown[]) : [];

  return {
    format,
    title: titleNode === undefined ? null : constructText(titleNode, isAtom ? 'text' : 'html'),
    // Plain text: it is shown as a blog's tagline, never as markup.
    description: descriptionNode === undefined ? null : constructText(descriptionNode, isAtom ? 'text' : 'html'),
    homeUrl: (isAtom ? null : rssTextLink(own(raw, 'xLinks'), base.url)) ?? alternateOf(links),
    selfUrl: links.find((l) => l.rel === 'self')?.href ?? null,
    hubUrls: [...new Set(links.filter((l) => l.rel === 'hub').map((l) => l.href))],
    ttlSeconds: ttlFromFeed(raw),
    lang,
    items: items.map((item) => readItem(typeof item === 'object' && item !== null ? (item as Raw) : {}, context)),
    warnings,
  };
}

function emptyFeed(format: ParsedFeedFormat, warnings: string[]): ParsedFeed {
  return { format, title: null, description: null, homeUrl: null, selfUrl: null, hubUrls: [], ttlSeconds: null, lang: null, items: [], warnings };
}

// ---------------------------------------------------------------------------------------------

/**
 * Movable Type answers <TrackBack URL>?__mode=rss with RSS 0.91 inside the TrackBack reply
 * (MT::App::Trackback::_response): <response><error>0</error><rss version="0.91">…</rss></response>,
 * or <error>1</error><message>…</message> when the entry is unknown or pings are off.
 */
function unwrapTrackbackListing(text: string): string {
  const error = /<error>\s*(\d+)\s*<\/error>/.exec(text.slice(0, 4096));
  if (error && error[1] !== '0') {
    const message = /<message>([\s\S]{0,500}?)<\/message>/.exec(text)?.[1];
    const said = message ? decodeXmlAttribute(message).replace(/\s+/g, ' ').trim() : '';
    throw new FeedParseError('not-a-feed', `the TrackBack listing answered with an error${said ? `: ${said}` : ''}`);
  }
  const start = text.search(/<rss[\s>]/);
  const end = text.lastIndexOf('</rss>');
  if (start < 0 || end < start) throw new FeedParseError('not-a-feed', 'this is a TrackBack response without a listing, not a feed');
  return text.slice(start, end + '</rss>'.length);
}

/**
 * Moves <item>s that stand outside <channel> (RSS 0.9x style, sloppy generators) into it, as
 * feedparser reads them: the channel's own tags come out and everything inside the root becomes
 * one channel (rss-parser reads items only inside it). Returns null when there is nothing to move.
 */
function itemsIntoChannel(text: string, rootName: string): string | null {
  const opaque = findOpaqueRanges(text);
  const outside = (index: number) => !insideRange(opaque, index);
  let depth = 0;
  let stray = false;
  let channelStart: string | null = null;
  const channelTags: [number, number][] = [];
  for (const m of text.matchAll(/<(\/?)(channel|item)(?=[\s/>])[^<>]*?(\/?)>/g)) {
    if (!outside(m.index)) continue;
    if (m[2] === 'item') {
      if (!m[1] && depth === 0) stray = true;
      continue;
    }
    channelTags.push([m.index, m.index + m[0].length]);
    if (m[1]) depth = Math.max(0, depth - 1);
    else {
      channelStart ??= m[3] ? m[0].replace(/\s*\/>$/, '>') : m[0];
      if (!m[3]) depth++;
    }
  }
  if (!stray) return null;
  const name = rootName.replace(/[.:]/g, '\\$&');
  const open = [...text.matchAll(new RegExp(`<${name}(?=[\\s/>])[^<>]*>`, 'g'))].find((m) => outside(m.index));
  const close = [...text.matchAll(new RegExp(`</${name}\\s*>`, 'g'))].filter((m) => outside(m.index)).at(-1);
  if (!open || !close || close.index < open.index) return null;
  const innerStart = open.index + open[0].length;
  let inner = '';
  let last = innerStart;
  for (const [start, end] of channelTags) {
    if (start < innerStart || end > close.index) continue;
    inner += text.slice(last, start);
    last = end;
  }
  inner += text.slice(last, close.index);
  return `${text.slice(0, innerStart)}${channelStart ?? '<channel>'}${inner}</channel>${text.slice(close.index)}`;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * Parses decoded feed text (RSS, RDF, Atom or JSON Feed) into a ParsedFeed. Throws
 * FeedParseError: 'too-large', 'empty', 'not-a-feed' (HTML pages included) or 'malformed'.
 */
export async function parseFeed(text: string, feedUrl: string): Promise<ParsedFeed> {
  if (text.length > maxFeedChars) {
    throw new FeedParseError('too-large', `the feed is larger than ${Math.round(maxFeedChars / 1024 / 1024)} MB`);
  }
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const start = source.search(/\S/);
  if (start < 0) throw new FeedParseError('empty', 'the document is empty');
  if (source[start] === '{' || source[start] === '[') return parseJsonFeed(source, feedUrl);

  const prologue = readPrologue(source);
  if (prologue.kind === 'no-element') throw new FeedParseError('empty', 'the document has no elements (only whitespace, comments or declarations)');
  if (prologue.kind === 'html-doctype') throw new FeedParseError('not-a-feed', 'this is an HTML page, not a feed');
  if (prologue.kind === 'not-markup') throw new FeedParseError('not-a-feed', 'this is neither XML nor JSON, so not a feed');
  const { root } = prologue;
  if (root.name === 'response') return parseFeed(unwrapTrackbackListing(source), feedUrl);
  const format = formatOfRoot(root.name);
  if (format === 'html' || (format === null && prologue.htmlDoctype)) throw new FeedParseError('not-a-feed', 'this is an HTML page, not a feed');
  if (format === null || format === 'json') {
    throw new FeedParseError('not-a-feed', `this is an XML document with root element <${root.name}>, not a feed`);
  }

  const warnings: string[] = [];
  let xml = source;
  const controls = xml.match(illegalControls)?.length ?? 0;
  if (controls) {
    xml = xml.replace(illegalControls, '');
    warnings.push(`removed ${plural(controls, 'control character', 'control characters')} that XML does not allow`);
  }
  if (format === 'rss') {
    const gathered = itemsIntoChannel(xml, root.name);
    if (gathered !== null) {
      xml = gathered;
      warnings.push('read items that stand outside <channel>');
    }
  }
  if (format !== 'atom' && !/<(?:[\w.-]+:)?channel[\s>/]/.test(xml)) {
    // <rss version="0.91"></rss> is a feed with nothing in it (rss-parser would crash on it).
    return emptyFeed(format, [...warnings, 'the feed has no channel']);
  }
  if (format === 'atom' && root.selfClosing) return emptyFeed(format, warnings);
  xml = inlineMarkupToCdata(xml).text;
  if (format === 'atom') xml = atomLinksWithAttributes(xml);

  const parser = createParser(prefixRenames(xml, format));
  let raw: Raw;
  try {
    raw = (await parser.parseString(xml)) as unknown as Raw;
  } catch (err) {
    if (!isSaxError(err)) throw new FeedParseError('malformed', `the feed's structure could not be read: ${(err as Error).message}`, { cause: err });
    // One lenient retry: escape bare ampersands and leave DTD-declared entities unexpanded.
    const ampersands = escapeBareAmpersands(xml);
    const entities = neutraliseDtdEntities(ampersands.text);
    if (!ampersands.count && !entities.names.length) throw new FeedParseError('malformed', describeXmlError(err), { cause: err });
    try {
      raw = (await createParser(prefixRenames(entities.text, format)).parseString(entities.text)) as unknown as Raw;
    } catch {
      throw new FeedParseError('malformed', describeXmlError(err), { cause: err });
    }
    if (ampersands.count) warnings.push(`escaped ${plural(ampersands.count, 'bare ampersand', 'bare ampersands')}`);
    if (entities.names.length) {
      warnings.push(`left ${plural(entities.names.length, 'DTD entity', 'DTD entities')} unexpanded (${entities.names.map((n) => `&${n};`).join(' ')})`);
    }
  }
  return normalizeFeed(raw, format, root, feedUrl, warnings);
}
