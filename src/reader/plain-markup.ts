// reader: bodies the sanitizer would only copy: text in paragraphs, line breaks, emphasis and
// links, with nothing else, no attribute but a link's href (its rel and target are replaced
// anyway) and nothing nested out of order, as most comments are. They are written here as
// sanitize-html writes them (its tag spelling, entities decoded and the text escaped again, a
// link's URL made absolute and given Palaver's rel), since its setup alone costs more than such
// a body's whole reading.
import { decodeHTML, decodeHTMLAttribute } from 'entities/decode';
import { linkRel, linkSchemes, resolveUrl } from './html-urls.ts';

/** The tags that may open inside a paragraph or a link, none with an attribute. */
const inlineTags = new Set(['em', 'strong', 'b', 'i']);
/** Deeper than any comment's emphasis; anything deeper goes to the sanitizer. */
const maxDepth = 16;
/** A tag as comments write them: lowercase, attributes only on a link, at most a slash before the end. */
const tagAt = /<(\/?)([a-z]+)((?:[ \t\n\r\f]+[a-z]+=(?:"[^"<>]*"|'[^'<>]*'))*)[ \t\n\r\f]*(\/?)>/y;
const attribute = /[ \t\n\r\f]+([a-z]+)=(?:"([^"<>]*)"|'([^'<>]*)')/g;
/** A "<" that opens none of those tags: one scan turns away a post full of other markup before any work on it. */
const otherMarkup = /<(?!(?:\/?(?:p|em|strong|b|i|a)|br(?: ?\/)?)>|a[ \t\n\r\f])/;

/**
 * The sanitized form of `html` when it is plain markup (see above), or null when it holds
 * anything else (any other tag or attribute, a comment, a stray "<", a tag left open or closed
 * out of order) and the sanitizer must read it. Links resolve against `baseUrl`.
 */
export function plainMarkup(html: string, baseUrl: string | null): string | null {
  if (otherMarkup.test(html)) return null;
  let out = '';
  const open: string[] = [];
  let from = 0;
  for (;;) {
    const lt = html.indexOf('<', from);
    out += escapeText(lt === -1 ? html.slice(from) : html.slice(from, lt));
    if (lt === -1) break;
    tagAt.lastIndex = lt;
    const tag = tagAt.exec(html);
    if (!tag) return null;
    const [whole, close, name, attributes, selfClosing] = tag as unknown as [string, string, string, string, string];
    if (attributes && (close || name !== 'a')) return null;
    if (name === 'br') {
      if (close) return null;
      out += '<br />';
    } else if (selfClosing) {
      return null;
    } else if (close) {
      if (open.pop() !== name) return null;
      out += `</${name}>`;
    } else {
      // A paragraph opens only at the top (the HTML parser would close what is open around it),
      // a link never inside a link.
      if (name === 'p' ? open.length > 0 : name === 'a' ? open.includes('a') : !inlineTags.has(name)) return null;
      if (open.push(name) > maxDepth) return null;
      if (name !== 'a') out += `<${name}>`;
      else {
        const link = linkTag(attributes, baseUrl);
        if (link === null) return null;
        out += link;
      }
    }
    from = lt + whole.length;
  }
  return open.length === 0 ? out : null;
}

/**
 * A link's start tag as the sanitizer writes it: its href decoded as the HTML parser decodes an
 * attribute, made absolute (or dropped when it cannot be), then Palaver's rel; null for any other
 * attribute or one given twice.
 */
function linkTag(attributes: string, baseUrl: string | null): string | null {
  let href: string | undefined;
  const seen = new Set<string>();
  for (const [, name, doubleQuoted, singleQuoted] of attributes.matchAll(attribute)) {
    if (seen.has(name!)) return null;
    seen.add(name!);
    if (name === 'href') href = decodeHTMLAttribute(doubleQuoted ?? singleQuoted ?? '');
    else if (name !== 'rel' && name !== 'target') return null;
  }
  const absolute = href === undefined ? null : resolveUrl(href, baseUrl, linkSchemes);
  return absolute ? `<a href="${escapeAttribute(absolute)}" rel="${linkRel}">` : `<a rel="${linkRel}">`;
}

/** Text between tags as the sanitizer writes it: entities decoded as the HTML parser does in text, then &, < and > escaped. */
function escapeText(text: string): string {
  if (text.includes('&')) text = decodeHTML(text);
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function escapeAttribute(value: string): string {
  return value.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}
