// reader: bodies the sanitizer would only copy, tidied: text in paragraphs, line breaks, emphasis
// and links, as most comments are, and the blocks WordPress writes around them (quotes, figures
// with their image and caption, lists, headings), with attributes the sanitizer keeps as they
// are or drops, and nothing nested where the HTML parser would close it. They are written here
// as sanitize-html writes them (its tag spelling, entities decoded and the text escaped again,
// URLs made absolute, a link given Palaver's rel, headings demoted, other attributes dropped),
// since its setup alone costs more than such a body's whole reading. The same scan reads what
// threading and search take from the written body (readSanitizedBody): its text and its links.
import { decodeHTML, decodeHTMLAttribute } from 'entities/decode';
import { linkRel, linkSchemes, resolveSrcset, resolveUrl } from './html-urls.ts';

/** Tags that may open inside a paragraph, a link or each other (a link never inside a link). */
const inlineTags = new Set(['em', 'strong', 'b', 'i', 'a']);
/** Tags that hold paragraphs and each other, never inside an inline tag. */
const blockTags = new Set(['p', 'blockquote', 'figure', 'figcaption', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
/** Headings sit under Palaver's own (src/reader/sanitize.ts). */
const demoted: Record<string, string> = { h1: 'h3', h2: 'h4', h3: 'h5', h4: 'h6', h5: 'h6', h6: 'h6' };

/** How an attribute the sanitizer keeps is written: as text, as an image's srcset, or as an absolute URL of these schemes. */
type Kept = 'text' | 'srcset' | readonly string[];
const imageSchemes = ['http', 'https'];
/** The attributes the sanitizer keeps on each tag (src/reader/sanitize.ts); it drops every other. */
const keptAttributes: Record<string, Record<string, Kept>> = {
  a: { href: linkSchemes, title: 'text', hreflang: 'text' },
  blockquote: { cite: linkSchemes },
  img: { src: imageSchemes, alt: 'text', title: 'text', width: 'text', height: 'text', srcset: 'srcset' },
};
/** Attributes the sanitizer keeps in a way written only there (list numbering, lang and dir on every tag). */
const leftToSanitizer = new Set(['lang', 'dir', 'start', 'reversed', 'value']);

/** Deeper than any comment's emphasis or post's quotes; anything deeper goes to the sanitizer. */
const maxDepth = 16;
/** A tag as blogs write these: lowercase, quoted attribute values without brackets, at most a slash before the end. */
const tagAt = /<(\/?)([a-z][a-z1-6]*)((?:[ \t\n\r\f]+[a-z][a-z0-9-]*=(?:"[^"<>]*"|'[^'<>]*'))*)[ \t\n\r\f]*(\/?)>/y;
const attribute = /[ \t\n\r\f]+([a-z][a-z0-9-]*)=(?:"([^"<>]*)"|'([^'<>]*)')/g;
/** A "<" that opens none of those tags: one scan turns away a body full of other markup before any work on it. */
const otherMarkup = /<(?!\/?(?:p|em|strong|b|i|a|br|img|blockquote|figure|figcaption|ul|ol|li|h[1-6])[ \t\n\r\f/>])/;

/** A link of the written body as the HTML parser reads it there: its href (absolute), rel and text. */
export interface PlainAnchor {
  href: string;
  rel: string;
  text: string;
}

/** A body written by plainMarkup, with what a reading of it finds (readSanitizedBody's pass). */
export interface PlainBody {
  html: string;
  /** Its text as textCollector collects it: entities decoded, a space at each block's start and end. */
  text: string;
  /** Its links that have an href, in order. */
  anchors: PlainAnchor[];
}

/** Elements of the shortcut around which textCollector (src/reader/sanitize.ts) puts a space. */
const spacedInText = new Set([...blockTags, 'br']);

/**
 * The sanitized form of `html` when it is plain markup (see above), with its text and links; or
 * null when it holds anything else (any other tag, an attribute written only by the sanitizer, a
 * comment, a stray "<", a tag left open, closed out of order or opened where the HTML parser would
 * close another) and the sanitizer must read it. URLs resolve against `baseUrl`.
 */
export function plainMarkup(html: string, baseUrl: string | null): PlainBody | null {
  if (otherMarkup.test(html)) return null;
  let out = '';
  let text = '';
  const anchors: PlainAnchor[] = [];
  let anchor: PlainAnchor | null = null;
  const open: string[] = [];
  let inline = 0;
  let from = 0;
  for (;;) {
    const lt = html.indexOf('<', from);
    const chunk = decodeText(lt === -1 ? html.slice(from) : html.slice(from, lt));
    out += escapeText(chunk);
    text += chunk;
    if (anchor) anchor.text += chunk;
    if (lt === -1) break;
    tagAt.lastIndex = lt;
    const tag = tagAt.exec(html);
    if (!tag) return null;
    const [whole, close, name, attributes, selfClosing] = tag as unknown as [string, string, string, string, string];
    if (name === 'br' || name === 'img') {
      if (close) return null;
      if (name === 'br') {
        if (attributes) return null;
        out += '<br />';
        // The text collector spaces a line break as an element it opens and closes.
        text += '  ';
      } else {
        const written = attributesOf('img', attributes, baseUrl);
        if (written === null) return null;
        out += `<img${written.html} />`;
      }
    } else if (selfClosing) {
      return null;
    } else if (close) {
      if (attributes || open.pop() !== name) return null;
      if (inlineTags.has(name)) inline--;
      if (spacedInText.has(name)) text += ' ';
      if (name === 'a' && anchor) {
        anchors.push(anchor);
        anchor = null;
      }
      out += `</${demoted[name] ?? name}>`;
    } else {
      const top = open[open.length - 1];
      if (inlineTags.has(name)) {
        if (name === 'a' && open.includes('a')) return null;
        inline++;
      } else if (!blockTags.has(name) || inline > 0 || top === (name === 'li' ? 'li' : 'p')) {
        // A block inside emphasis or a link is not what blogs write; the HTML parser closes an
        // open paragraph before a block (an open list item before another) and would write it so.
        return null;
      }
      if (open.push(name) > maxDepth) return null;
      const written = attributesOf(name, attributes, baseUrl);
      if (written === null) return null;
      if (spacedInText.has(name)) text += ' ';
      if (name === 'a' && written.href !== null) anchor = { href: written.href, rel: linkRel, text: '' };
      out += `<${demoted[name] ?? name}${written.html}${name === 'a' ? ` rel="${linkRel}"` : ''}>`;
    }
    from = lt + whole.length;
  }
  return open.length === 0 ? { html: out, text, anchors } : null;
}

const noAttributes = { html: '', href: null };

/**
 * A start tag's attributes as the sanitizer writes them, each with its leading space: those it
 * keeps in the order given, values decoded as the HTML parser decodes an attribute, URLs made
 * absolute (dropped when they cannot be), empty values dropped but an image's alt; null for an
 * attribute given twice or one only the sanitizer writes. With them the href written, if any.
 */
function attributesOf(tag: string, attributes: string, baseUrl: string | null): { html: string; href: string | null } | null {
  if (!attributes) return noAttributes;
  const kept = keptAttributes[tag];
  let out = '';
  let href: string | null = null;
  const seen = new Set<string>();
  for (const [, name, doubleQuoted, singleQuoted] of attributes.matchAll(attribute)) {
    if (seen.has(name!)) return null;
    seen.add(name!);
    if (leftToSanitizer.has(name!)) return null;
    const how = kept?.[name!];
    if (how === undefined) continue;
    let value: string | null = decodeHTMLAttribute(doubleQuoted ?? singleQuoted ?? '');
    if (how === 'srcset') {
      value = srcsetOf(value, baseUrl);
      if (value === null) return null;
    } else if (how !== 'text') value = resolveUrl(value, baseUrl, how);
    if (value) {
      out += ` ${name}="${escapeAttribute(value)}"`;
      if (name === 'href') href = value;
    } else if (value === '' && name === 'alt') out += ' alt=""';
  }
  return { html: out, href };
}

const widthDescriptor = /^[1-9]\d{0,8}w$/;
const densityDescriptor = /^(?:0|[1-9]\d{0,8})(?:\.\d{1,8})?x$/;

/**
 * An image's srcset as the sanitizer writes it: each candidate's URL made absolute (resolveSrcset),
 * then read again by parse-srcset and written with its descriptor as a number ("1.50x" as
 * "1.5x"); '' when no candidate is left (the attribute is dropped); null for a descriptor written
 * any other way (two of them, a zero, a sign, a height, leading zeros), left to the sanitizer.
 */
function srcsetOf(value: string, baseUrl: string | null): string | null {
  const resolved = resolveSrcset(value, baseUrl);
  if (resolved === null) return '';
  const out: string[] = [];
  // Absolute URLs hold no space, so ", " only ever parts two candidates.
  for (const candidate of resolved.split(', ')) {
    const [url, descriptor, more] = candidate.split(' ') as [string, string | undefined, string | undefined];
    if (more !== undefined || url.endsWith(',')) return null;
    if (descriptor === undefined || widthDescriptor.test(descriptor)) out.push(candidate);
    else if (densityDescriptor.test(descriptor) && parseFloat(descriptor) > 0) out.push(`${url} ${parseFloat(descriptor)}x`);
    else return null;
  }
  return out.join(', ');
}

/** Text between tags as the HTML parser reads it: entities decoded. */
function decodeText(text: string): string {
  return text.includes('&') ? decodeHTML(text) : text;
}

/** Decoded text as the sanitizer writes it: &, < and > escaped. */
function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function escapeAttribute(value: string): string {
  return value.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}
