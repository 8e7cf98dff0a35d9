// reader: bodies the sanitizer would only copy: text in paragraphs, line breaks and emphasis,
// with no attribute, no other tag and nothing nested out of order, as most comments are. They
// are written here as sanitize-html writes them (its tag spelling, entities decoded and the text
// escaped again), since its setup alone costs more than such a body's whole reading.
import { decodeHTML } from 'entities/decode';

/** The tags a plain body may hold, none with an attribute. */
const inlineTags = new Set(['em', 'strong', 'b', 'i']);
/** Deeper than any comment's emphasis; anything deeper goes to the sanitizer. */
const maxDepth = 16;
/** A tag as comments write them: lowercase, no attribute, at most a slash before the end. */
const tagAt = /<(\/?)([a-z]+)( ?\/)?>/y;
/** A "<" that opens none of those tags: one scan turns away a post full of links before any work on it. */
const otherMarkup = /<(?!(?:\/?(?:p|em|strong|b|i)|br(?: ?\/)?)>)/;

/**
 * The sanitized form of `html` when it is plain markup (see above), or null when it holds
 * anything else (any other tag, an attribute, a comment, a stray "<", a tag left open or closed
 * out of order) and the sanitizer must read it.
 */
export function plainMarkup(html: string): string | null {
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
    const [whole, close, name, selfClosing] = tag as unknown as [string, string, string, string | undefined];
    if (name === 'br') {
      if (close) return null;
      out += '<br />';
    } else if (selfClosing) {
      return null;
    } else if (close) {
      if (open.pop() !== name) return null;
      out += `</${name}>`;
    } else {
      // A paragraph opens only at the top (the HTML parser would close what is open around it).
      if (name === 'p' ? open.length > 0 : !inlineTags.has(name)) return null;
      if (open.push(name) > maxDepth) return null;
      out += `<${name}>`;
    }
    from = lt + whole.length;
  }
  return open.length === 0 ? out : null;
}

/** Text between tags as the sanitizer writes it: entities decoded as the HTML parser does in text, then &, < and > escaped. */
function escapeText(text: string): string {
  if (text.includes('&')) text = decodeHTML(text);
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}
