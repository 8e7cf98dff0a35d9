// Lenient repairs of feed XML that real feeds need, each taken only when needed and reported
// as a warning by the caller: control characters, bare ampersands, DTD entities left
// unexpanded, markup written inline into text elements, Atom links without attributes.

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
export function escapeBareAmpersands(text: string): { text: string; count: number } {
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
export function neutraliseDtdEntities(text: string): { text: string; names: string[] } {
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
export const illegalControls = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

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
export function inlineMarkupToCdata(text: string): { text: string; count: number } {
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
export function atomLinksWithAttributes(text: string): string {
  return mapOutsideOpaque(text, (chunk) => chunk.replace(/<((?:[\w.-]+:)?link)(\s*\/?)>/g, '<$1 rel="alternate"$2>'));
}


/**
 * Moves <item>s that stand outside <channel> (RSS 0.9x style, sloppy generators) into it, as
 * feedparser reads them: the channel's own tags come out and everything inside the root becomes
 * one channel (rss-parser reads items only inside it). Returns null when there is nothing to move.
 */
export function itemsIntoChannel(text: string, rootName: string): string | null {
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
