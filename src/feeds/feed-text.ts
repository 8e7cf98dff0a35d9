// Text hygiene shared by the Atom, RSS, JSON Feed and OPML writers: characters XML 1.0 forbids,
// lone surrogates, escaping, dates and language tags. It builds no documents itself.
import type { OutFeed, OutItem } from './types.ts';

// A lone surrogate cannot be encoded as UTF-8; strict parsers reject the whole document.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// XML 1.0 §2.2 Char: of the C0 controls only tab, LF and CR are allowed; U+FFFE/U+FFFF never.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const forbiddenInXml = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/**
 * Returns `value` with lone surrogates replaced by U+FFFD and characters XML 1.0 forbids removed.
 * Applied to JSON Feed strings too, so one item reads the same in every format.
 */
export function cleanText(value: string): string {
  return value.replace(loneSurrogate, '\uFFFD').replace(forbiddenInXml, '');
}

/** Returns `value` cleaned and escaped for XML character data. */
export function escapeXmlText(value: string): string {
  return cleanText(value).replace(/[&<>\r]/g, (c) => textEntities[c] ?? c);
}

/**
 * Returns plain text cleaned and escaped for RSS, where readers disagree whether an element other
 * than description holds HTML: "&", "<" and ">" as hexadecimal character references (&#x26;,
 * &#x3C;, &#x3E;), the form the RSS Best Practices Profile and the W3C feed validator
 * (CharacterData) recommend because aggregators that guess at HTML read them as characters,
 * whereas "&lt;script&gt;" turns into markup in those that treat the title as HTML.
 */
export function escapePlainText(value: string): string {
  return cleanText(value).replace(/[&<>\r]/g, (c) => plainTextEntities[c] ?? c);
}

const plainTextEntities: Record<string, string> = { '&': '&#x26;', '<': '&#x3C;', '>': '&#x3E;', '\r': '&#xD;' };

/** Returns `value` cleaned and escaped for a double- or single-quoted XML attribute. */
export function escapeXmlAttr(value: string): string {
  return cleanText(value).replace(/[&<>"'\t\n\r]/g, (c) => attrEntities[c] ?? c);
}

// `>` is escaped too so `]]>` can never appear in character data (XML 1.0 §2.4); a literal CR
// would be normalised to LF by every parser (§2.11), so it travels as a reference.
const textEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
// Attribute-value normalisation (§3.3.3) turns literal tabs and newlines into spaces.
const attrEntities: Record<string, string> = {
  ...textEntities,
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#x9;',
  '\n': '&#xA;',
};

/** Returns `value` escaped as HTML text, for plain text placed where feeds expect HTML. */
export function textToHtml(value: string): string {
  return value.replace(/[&<>"]/g, (c) => htmlEntities[c] ?? c);
}

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

function parseDate(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`feeds: invalid date ${JSON.stringify(value)}`);
  return date;
}

/** Returns an ISO 8601 / RFC 3339 timestamp in UTC; throws on a date that does not parse. */
export function formatIsoDate(value: string | Date): string {
  return (typeof value === 'string' ? parseDate(value) : value).toISOString();
}

/** Returns an RFC 822 date (RFC 1123 four-digit year, GMT) as RSS 2.0 and OPML 2.0 want it. */
export function formatRfc822Date(value: string | Date): string {
  return (typeof value === 'string' ? parseDate(value) : value).toUTCString();
}

// BCP 47 in the shape xml:lang and RSS <language> accept; anything else is dropped rather than
// written, since an invalid xml:lang makes the document invalid.
const languageTagPattern = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;

/** Returns a usable language tag or null. */
export function languageTag(value: string | null | undefined): string | null {
  const tag = value?.trim();
  return tag && languageTagPattern.test(tag) ? tag : null;
}

/** Returns the URL documenting Palaver's feed extensions (the JSON Feed `_palaver` object, category schemes). */
export function extensionDocUrl(feed: Pick<OutFeed, 'baseUrl'>): string {
  return `${feed.baseUrl.replace(/\/+$/, '')}/docs/json-feed-extension`;
}

/** Returns the category scheme (Atom `scheme`, RSS `domain`) of the `via` or `kind` categories. */
export function categoryScheme(feed: Pick<OutFeed, 'baseUrl'>, name: 'via' | 'kind' | 'status'): string {
  return `${extensionDocUrl(feed)}#${name}`;
}

export type XmlAttrs = Record<string, string | number | null | undefined>;

function renderAttrs(attrs: XmlAttrs): string {
  let out = '';
  for (const [name, value] of Object.entries(attrs)) {
    if (value == null) continue;
    out += ` ${name}="${escapeXmlAttr(String(value))}"`;
  }
  return out;
}

/** Returns `<name attrs>text</name>`, or an empty-element tag when `text` is null; null attributes are left out. */
export function renderElement(name: string, attrs: XmlAttrs, text: string | null = null): string {
  return text === null ? `<${name}${renderAttrs(attrs)}/>` : `<${name}${renderAttrs(attrs)}>${escapeXmlText(text)}</${name}>`;
}

/** Returns `<name attrs>text</name>` with the text escaped as RSS plain text (escapePlainText). */
export function renderPlainElement(name: string, attrs: XmlAttrs, text: string): string {
  return `<${name}${renderAttrs(attrs)}>${escapePlainText(text)}</${name}>`;
}

/** Returns `<name attrs>` followed by already-rendered children and the end tag. */
export function renderParent(name: string, attrs: XmlAttrs, children: string[]): string {
  // No indentation: a child's text may hold newlines that must stay as they are.
  return `<${name}${renderAttrs(attrs)}>\n${children.join('\n')}\n</${name}>`;
}

/** Renders RFC 4685 thr:in-reply-to (Atom and RSS alike): the parent's item id and its original. */
export function renderInReplyTo(parent: NonNullable<OutItem['inReplyTo']>): string {
  return renderElement('thr:in-reply-to', { ref: parent.id, href: parent.url, type: parent.url ? 'text/html' : null });
}
