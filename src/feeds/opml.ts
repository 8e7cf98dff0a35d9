// OPML 2.0 export and import of the blog list. Import reads untrusted uploads: it refuses
// DOCTYPE (so no entity is ever declared or expanded), caps the size, and never fetches.
import type { CheerioAPI } from 'cheerio/slim';
import type { AnyNode, Element } from 'domhandler';
import { urlKey } from '../domain/url-key.ts';
import { loadXmlWithin, MarkupLimitError, type MarkupLimits } from '../reader/bounded-markup.ts';
import { formatRfc822Date, renderElement, renderParent } from './feed-text.ts';

export interface OpmlBlog {
  title: string;
  htmlUrl: string;
  xmlUrl: string;
  description?: string | null;
}

export interface OpmlExport {
  title: string;
  ownerName?: string | null;
  dateCreated: string | Date;
  blogs: OpmlBlog[];
}

export interface OpmlOutline {
  title: string;
  xmlUrl: string | null;
  htmlUrl: string | null;
}

export interface ParsedOpml {
  title: string | null;
  /** Feed and site outlines of every nesting level, in document order, duplicates removed. */
  outlines: OpmlOutline[];
  /** One line per outline that could not be used, naming it. */
  errors: string[];
  /** URLs of outlines skipped because an earlier outline named the same blog. */
  duplicates: string[];
}

/** A document that cannot be read as OPML at all; entries that are merely bad go to `errors`. */
export class OpmlError extends Error {
  /** What is wrong, without the `opml:` the message starts with. */
  readonly reason: string;
  constructor(reason: string) {
    super(`opml: ${reason}`);
    this.name = 'OpmlError';
    this.reason = reason;
  }
}

/** An OPML list of a few thousand blogs is well under a megabyte. */
export const maxOpmlChars = 2 * 1024 * 1024;
/**
 * Organisers nest groups a few levels deep; thousands of levels would overflow the stack of
 * every recursive walk over the outlines (text, children).
 */
const opmlLimits: MarkupLimits = { maxElements: 50_000, maxDepth: 256, maxMs: 1000 };

function opmlHead(list: Omit<OpmlExport, 'blogs'>): string {
  const head = [
    renderElement('title', {}, list.title),
    renderElement('dateCreated', {}, formatRfc822Date(list.dateCreated)),
  ];
  if (list.ownerName) head.push(renderElement('ownerName', {}, list.ownerName));
  head.push(renderElement('docs', {}, 'http://opml.org/spec2.opml'));
  return `<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0">\n${renderParent('head', {}, head)}\n`;
}

function renderOutline(blog: OpmlBlog): string {
  return renderElement('outline', {
    type: 'rss',
    text: blog.title,
    title: blog.title,
    xmlUrl: blog.xmlUrl,
    htmlUrl: blog.htmlUrl,
    description: blog.description || null,
  });
}

/** Renders the blog list as an OPML 2.0 subscription list. */
export function renderOpml(list: OpmlExport): string {
  const outlines = list.blogs.map(renderOutline);
  const body = outlines.length ? renderParent('body', {}, outlines) : '<body/>';
  return `${opmlHead(list)}${body}\n</opml>\n`;
}

/**
 * Renders the same document as renderOpml from blogs that come in pages, one part of text per
 * page: the whole registry is tens of thousands of blogs, read and written a page at a time.
 */
export async function* renderOpmlParts(list: Omit<OpmlExport, 'blogs'>, pages: AsyncIterable<OpmlBlog[]>): AsyncGenerator<string> {
  let opened = false;
  for await (const page of pages) {
    if (page.length === 0) continue;
    yield `${opened ? '\n' : `${opmlHead(list)}<body>\n`}${page.map(renderOutline).join('\n')}`;
    opened = true;
  }
  yield opened ? '\n</body>\n</opml>\n' : `${opmlHead(list)}<body/>\n</opml>\n`;
}

const feedTypes = new Set(['rss', 'atom']);

/**
 * Parses an OPML document into blog outlines: nested outlines flattened, `type` compared
 * case-insensitively, outlines without a usable URL reported, duplicates (by URL key) skipped.
 * Throws OpmlError when the document is too large, declares a DOCTYPE or is not OPML.
 */
export function parseOpml(text: string, options: { maxChars?: number } = {}): ParsedOpml {
  const maxChars = options.maxChars ?? maxOpmlChars;
  if (text.length > maxChars) throw new OpmlError(`the list is larger than ${maxChars} characters`);
  const source = text.replace(/^\uFEFF/, '');
  // htmlparser2 does not process DTDs, but refusing them outright keeps "billion laughs" and
  // external entities out whatever the parser does, and no real OPML export carries one.
  if (/<!DOCTYPE/i.test(source) || /<!ENTITY/i.test(source)) throw new OpmlError('documents with a DOCTYPE are refused');
  let $: CheerioAPI;
  try {
    $ = loadXmlWithin(source, opmlLimits, 'the list', { withStartIndices: true });
  } catch (err) {
    if (err instanceof MarkupLimitError) throw new OpmlError(err.message);
    throw err;
  }
  const root = $.root().children().filter((_i, el) => el.type === 'tag').first();
  if (root.length === 0 || root.prop('tagName')?.toLowerCase() !== 'opml') throw new OpmlError('not an OPML document (no <opml> root)');
  const body = root.children().filter((_i, el) => el.type === 'tag' && el.tagName.toLowerCase() === 'body').first();
  if (body.length === 0) throw new OpmlError('not an OPML document (no <body>)');

  const titleText = root
    .children()
    .filter((_i, el) => el.type === 'tag' && el.tagName.toLowerCase() === 'head')
    .children()
    .filter((_i, el) => el.type === 'tag' && el.tagName.toLowerCase() === 'title')
    .first()
    .text();
  const result: ParsedOpml = { title: collapse(titleText) || null, outlines: [], errors: [], duplicates: [] };
  const seenXml = new Set<string>();
  const seenHtml = new Set<string>();

  const lines = lineCounter(source);
  for (const el of listOutlines(body.get(0)!)) {
    const attrs = lowerCaseAttributes(el);
    const hasChildren = el.children.some((child) => child.type === 'tag');
    const type = (attrs.type ?? '').trim().toLowerCase();
    const rawXml = attrs.xmlurl?.trim() || null;
    const rawHtml = attrs.htmlurl?.trim() || (type === 'link' ? attrs.url?.trim() || null : null);
    const label = collapse(attrs.title ?? '') || collapse(attrs.text ?? '');
    const name = label ? `"${label}"` : (rawXml ?? rawHtml ?? `outline at line ${lines(el.startIndex ?? 0)}`);

    // An outline with children and no URL of its own is a folder (a category or group).
    if (hasChildren && !rawXml && !rawHtml) continue;
    if (type && !feedTypes.has(type) && type !== 'link') {
      result.errors.push(`${name}: outline type "${attrs.type}" is not a feed`);
      continue;
    }
    const xmlUrl = rawXml && urlKey(rawXml) ? rawXml : null;
    const htmlUrl = rawHtml && urlKey(rawHtml) ? rawHtml : null;
    if (rawXml && !xmlUrl) result.errors.push(`${name}: xmlUrl "${rawXml}" is not an http(s) URL`);
    if (rawHtml && !htmlUrl) result.errors.push(`${name}: htmlUrl "${rawHtml}" is not an http(s) URL`);
    if (!xmlUrl && !htmlUrl) {
      if (!rawXml && !rawHtml) result.errors.push(`${name}: outline has neither xmlUrl nor htmlUrl`);
      continue;
    }
    const xmlKey = urlKey(xmlUrl);
    const htmlKey = urlKey(htmlUrl);
    // The same feed twice is one blog; a site named without a feed is one only if no earlier
    // outline named that site.
    if (xmlKey ? seenXml.has(xmlKey) : htmlKey !== null && seenHtml.has(htmlKey)) {
      result.duplicates.push((xmlUrl ?? htmlUrl) as string);
      continue;
    }
    if (xmlKey) seenXml.add(xmlKey);
    if (htmlKey) seenHtml.add(htmlKey);
    result.outlines.push({ title: label || ((xmlUrl ?? htmlUrl) as string), xmlUrl, htmlUrl });
  }
  return result;
}

// OPML names its attributes in camelCase, but hand-edited and older exports write `xmlurl`,
// `XMLURL` or `HTMLUrl`; the first spelling met wins.
function lowerCaseAttributes(el: Element): Record<string, string> {
  const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(el.attribs)) {
    const lower = key.toLowerCase();
    if (!(lower in attrs)) attrs[lower] = value;
  }
  return attrs;
}

// Lists outline elements under `root` in document order with an explicit stack: cheerio's
// find() took 30 s on 50,000 nested outlines, and recursion would exhaust the call stack.
function listOutlines(root: AnyNode): Element[] {
  const found: Element[] = [];
  const stack: AnyNode[] = [...childrenOf(root)].reverse();
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.type !== 'tag') continue;
    const el = node as Element;
    if (el.tagName.toLowerCase() === 'outline') found.push(el);
    for (let i = el.children.length - 1; i >= 0; i -= 1) stack.push(el.children[i]!);
  }
  return found;
}

function childrenOf(node: AnyNode): AnyNode[] {
  return 'children' in node ? node.children : [];
}

// Returns a function from offset to line number; offsets must come in ascending order (as the
// outlines do), so the text is scanned once however many outlines are reported.
function lineCounter(source: string): (offset: number) => number {
  let line = 1;
  let scanned = 0;
  return (offset) => {
    for (let i = source.indexOf('\n', scanned); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) {
      line += 1;
      scanned = i + 1;
    }
    return line;
  };
}

function collapse(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}
