// The one allowlist sanitizer for foreign HTML (feed content, ping excerpts), applied at ingest,
// and the HTML-to-plain-text reduction used for titles and excerpts. It makes every URL absolute
// and http(s)/mailto; it never fetches anything and never lets markup through unlisted.
import { decodeHTML } from 'entities/decode';
import { Parser } from 'htmlparser2';
import sanitize from 'sanitize-html';
import { linkRel, linkSchemes, resolveSrcset, resolveUrl } from './html-urls.ts';
import { plainMarkup, type PlainBody } from './plain-markup.ts';

const allowedTags = [
  'p', 'br', 'a', 'blockquote', 'q', 'cite', 'em', 'strong', 'b', 'i', 'u', 's', 'del', 'ins',
  'sub', 'sup', 'code', 'pre', 'kbd', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'h3', 'h4', 'h5', 'h6',
  'hr', 'figure', 'figcaption', 'img', 'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th',
  'td', 'abbr', 'span', 'small', 'mark', 'time',
];

/**
 * Headings inside a post sit under Palaver's own page and entry headings, so h1/h2 of a blog
 * post become h3/h4 and the rest shift down to h6.
 */
const demotedHeadings: Record<string, string> = { h1: 'h3', h2: 'h4', h3: 'h5', h4: 'h6', h5: 'h6', h6: 'h6' };

const allowedAttributes: sanitize.IOptions['allowedAttributes'] = {
  a: ['href', 'title', 'hreflang', 'rel'],
  img: ['src', 'alt', 'title', 'width', 'height', 'srcset'],
  blockquote: ['cite'],
  q: ['cite'],
  del: ['cite', 'datetime'],
  ins: ['cite', 'datetime'],
  abbr: ['title'],
  time: ['datetime'],
  ol: ['start', 'reversed'],
  li: ['value'],
  th: ['colspan', 'rowspan', 'scope'],
  td: ['colspan', 'rowspan'],
  '*': ['lang', 'dir'],
};

const urlAttributes = ['href', 'src', 'cite'];

function transformAnyTag(tagName: string, attribs: sanitize.Attributes): sanitize.Tag {
  const name = demotedHeadings[tagName] ?? tagName;
  const out: sanitize.Attributes = {};
  const baseUrl = currentBaseUrl;
  for (const [key, value] of Object.entries(attribs)) {
    if (urlAttributes.includes(key)) {
      const schemes = name === 'img' ? ['http', 'https'] : linkSchemes;
      const absolute = resolveUrl(value, baseUrl, schemes);
      if (absolute) out[key] = absolute;
    } else if (key === 'srcset') {
      const resolved = resolveSrcset(value, baseUrl);
      if (resolved) out[key] = resolved;
    } else if (key !== 'rel' && key !== 'target') {
      out[key] = value;
    }
  }
  if (name === 'a') out.rel = linkRel;
  return { tagName: name, attribs: out };
}

/** Elements that never have children, so never deepen the tree. */
const voidElements = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
/** Elements whose end tag is optional; the HTML parser closes them itself, so they do not nest. */
const impliedEndElements = new Set(['p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'thead', 'tbody', 'tfoot', 'colgroup', 'caption', 'option', 'optgroup', 'rt', 'rp']);
/** Above sanitize-html's nestingLimit, so legitimate markup is left to the real parser. */
const maxTagDepth = 200;

/** Where a tag ends as htmlparser2's tokenizer reads it: its ">", or the end of the text. */
function tagEnd(html: string, from: number, closing: boolean): number {
  // An end tag's attributes are skipped to the first ">"; a start tag's quoted values may hold one.
  if (closing) {
    const end = html.indexOf('>', from);
    return end === -1 ? html.length : end;
  }
  let at = from;
  while (at < html.length) {
    const c = html.charCodeAt(at);
    if (c === 62 /* > */) return at;
    at += 1;
    if (c !== 61 /* = */) continue;
    while (at < html.length && isSpace(html.charCodeAt(at))) at += 1;
    const quote = html.charCodeAt(at);
    if (quote === 34 /* " */ || quote === 39 /* ' */) {
      const close = html.indexOf(quote === 34 ? '"' : "'", at + 1);
      at = close === -1 ? html.length : close + 1;
    }
  }
  return html.length;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Where "/>" closes an element, as in htmlparser2: inside <svg> or <math>, not in HTML. */
const foreignElements = new Set(['svg', 'math']);

/**
 * Drops start and end tags nested deeper than maxTagDepth before parsing. htmlparser2 keeps its
 * open-element stack with Array#unshift, so parsing is quadratic in nesting depth (200 000 nested
 * <a>: 9 s; 80,000 <div/>, which HTML reads as open divs, or <div x="<">: 4–6 s); no blog post
 * nests 200 deep. Text stays; only the surplus tags go. Tags are found as htmlparser2's tokenizer
 * finds them (quoted attribute values may hold "<" and ">"), in one pass that never looks back.
 */
export function flattenDeepNesting(html: string): string {
  // A tag is dropped only after maxTagDepth start tags: with no more "<" than that, none is.
  if (countBelow(html, '<', maxTagDepth + 1)) return html;
  let depth = 0;
  let dropped = 0;
  // Depths at which an <svg> or <math> opened: foreign content, where "/>" closes an element.
  const foreignAt: number[] = [];
  const kept: string[] = [];
  let copiedTo = 0;
  for (let at = html.indexOf('<'); at !== -1 && at < html.length; ) {
    if (html.startsWith('<!--', at)) {
      const end = html.indexOf('-->', at + 4);
      if (end === -1) break;
      at = html.indexOf('<', end + 3);
      continue;
    }
    const closing = html.charCodeAt(at + 1) === 47; /* / */
    const nameAt = closing ? at + 2 : at + 1;
    if (!isAsciiLetter(html.charCodeAt(nameAt))) {
      at = html.indexOf('<', at + 1);
      continue;
    }
    let nameEnd = nameAt + 1;
    while (nameEnd < html.length) {
      const c = html.charCodeAt(nameEnd);
      if (isSpace(c) || c === 47 || c === 62) break;
      nameEnd += 1;
    }
    const name = html.slice(nameAt, nameEnd).toLowerCase();
    const end = tagEnd(html, nameEnd, closing);
    const selfClosing = !closing && html.charCodeAt(end - 1) === 47 && foreignAt.length > 0;
    let drop = false;
    if (!voidElements.has(name) && !impliedEndElements.has(name) && !selfClosing) {
      if (closing) {
        if (dropped > 0) {
          dropped -= 1;
          drop = true;
        } else if (depth > 0) {
          depth -= 1;
          while (foreignAt.length > 0 && foreignAt[foreignAt.length - 1]! >= depth) foreignAt.pop();
        }
      } else if (depth >= maxTagDepth) {
        dropped += 1;
        drop = true;
      } else {
        if (foreignElements.has(name)) foreignAt.push(depth);
        depth += 1;
      }
    }
    if (drop) {
      kept.push(html.slice(copiedTo, at));
      copiedTo = Math.min(end + 1, html.length);
    }
    at = html.indexOf('<', end + 1);
  }
  if (copiedTo === 0) return html;
  kept.push(html.slice(copiedTo));
  return kept.join('');
}

/** Tells whether `text` holds `char` fewer than `limit` times (stops counting at the limit). */
function countBelow(text: string, char: string, limit: number): boolean {
  let seen = 0;
  for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) if (++seen >= limit) return false;
  return true;
}

/**
 * Escapes "<!" that opens neither a comment, a CDATA section nor a declaration (`<!' <a …>` in
 * an escaped RSS description): HTML parsers swallow it as a bogus comment up to the next ">",
 * text and all, where feed readers (feedparser) show it as text.
 */
function escapeBogusComments(html: string): string {
  return html.replace(/<!(?!--|\[|[A-Za-z])/g, '&lt;!');
}

// sanitize-html calls transformTags synchronously within one sanitize() call, so the base URL of
// the call in progress can live here without leaking between calls.
let currentBaseUrl: string | null = null;

const options: sanitize.IOptions = {
  allowedTags,
  allowedAttributes,
  allowedSchemes: [...linkSchemes],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowedSchemesAppliedToAttributes: [...urlAttributes, 'srcset'],
  allowProtocolRelative: false,
  allowedClasses: {},
  disallowedTagsMode: 'discard',
  // Raw-text and metadata elements whose text is code or chrome, not prose.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'xmp', 'noscript', 'noembed', 'noframes', 'template', 'title', 'head', 'plaintext'],
  // Deeper nesting is a parser-stress payload, not a blog post; its tags go, its text stays.
  nestingLimit: 100,
  parseStyleAttributes: false,
  transformTags: { '*': transformAnyTag },
};

/**
 * Reduces foreign HTML to Palaver's allowlist: structure and inline text markup, images and
 * links with absolute http(s) URLs (resolved against baseUrl), links marked nofollow ugc noopener.
 */
export function sanitizeHtml(html: string, baseUrl: string | null): string {
  return sanitizeAndRead(html, baseUrl).html;
}

/**
 * sanitizeHtml, with the reading of plain markup's shortcut (its text and links) when it took
 * that: trimming the body's ends changes neither, since what it trims is whitespace outside any tag.
 */
export function sanitizeAndRead(html: string, baseUrl: string | null): { html: string; plain: PlainBody | null } {
  const plain = plainMarkup(html, baseUrl);
  return { html: (plain ? plain.html : sanitizeByLibrary(html, baseUrl)).trim(), plain };
}

/** sanitizeHtml without the shortcut for plain markup: what that shortcut must equal. */
export function sanitizeByLibrary(html: string, baseUrl: string | null): string {
  currentBaseUrl = baseUrl;
  try {
    return sanitize(flattenDeepNesting(escapeBogusComments(html)), options);
  } finally {
    currentBaseUrl = null;
  }
}

const skippedInText = new Set(['script', 'style', 'noscript', 'template', 'head', 'title', 'iframe', 'object', 'embed', 'svg', 'math', 'textarea', 'select', 'xmp', 'noembed', 'noframes']);
const blockElements = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl', 'dt', 'figcaption', 'figure', 'footer',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table',
  'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul', 'caption', 'details', 'summary',
]);

/** Handlers of htmlparser2 that collect the text of what they are fed, as collectText does. */
export interface TextCollector {
  onopentag(name: string): void;
  onclosetag(name: string): void;
  ontext(text: string): void;
  /** The text collected so far, before whitespace is collapsed. */
  collected(): string;
}

/**
 * Collects text in a streaming pass of htmlparser2 (the parser cheerio/slim builds its tree
 * with, so the same elements and text): text of skipped elements dropped, a space at each end of
 * a block element. No tree is built, and a hostile document nested 100 000 levels deep needs no
 * stack: only a count of the skipped elements open.
 */
export function textCollector(): TextCollector {
  const parts: string[] = [];
  let skipped = 0;
  return {
    onopentag(name) {
      if (skipped > 0 || skippedInText.has(name)) skipped += 1;
      else if (blockElements.has(name)) parts.push(' ');
    },
    onclosetag(name) {
      if (skipped > 0) skipped -= 1;
      else if (blockElements.has(name)) parts.push(' ');
    },
    ontext(text) {
      if (skipped === 0) parts.push(text);
    },
    collected: () => parts.join(''),
  };
}

/** The text of HTML in one streaming pass of htmlparser2 (textCollector). */
function collectText(html: string): string {
  const text = textCollector();
  new Parser(text, { decodeEntities: true }).end(html);
  return text.collected();
}

/** Collapses the whitespace of collected text, as htmlToText gives it. */
export function collapseText(text: string): string {
  return text.replace(/[\s\u00a0]+/g, ' ').trim();
}

function cutAtWordBoundary(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  if (maxLength <= 1) return '…'.slice(0, maxLength);
  let cut = text.slice(0, maxLength - 1);
  // Never leave half of a surrogate pair before the ellipsis.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const space = cut.lastIndexOf(' ');
  // Cut at the last word boundary unless that would throw away most of the excerpt (one long URL).
  if (space >= maxLength * 0.6) cut = cut.slice(0, space);
  return `${cut.replace(/[\s,;:.\-–—]+$/, '')}…`;
}

/**
 * Reduces HTML to plain text: entities decoded, scripts and styles dropped, block boundaries as
 * spaces, whitespace collapsed; cut at a word boundary with "…" when longer than maxLength.
 */
export function htmlToText(html: string, maxLength?: number): string {
  if (!html) return '';
  // Titles, names and excerpts without markup: entities decoded as the HTML parser decodes text
  // (the decoder it reads text with), without setting one up.
  const plain = !html.includes('<') ? (html.includes('&') ? decodeHTML(html) : html) : collectText(flattenDeepNesting(escapeBogusComments(html)));
  const text = collapseText(plain);
  return maxLength !== undefined && maxLength >= 0 ? cutAtWordBoundary(text, maxLength) : text;
}
