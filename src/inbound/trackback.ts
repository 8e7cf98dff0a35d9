// TrackBack on the wire: reading a ping's form body (charsets included) and writing the XML
// answers and Movable Type's `?__mode=rss` listing. Pure functions: no fetching, no storage.
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { charsetFromContentType, resolveCharsetLabel } from '../reader/decode.ts';
import { htmlToText } from '../reader/sanitize.ts';

export interface TrackbackPing {
  /** The pinging post, absolute http(s). */
  url: string;
  /** Plain text; the url when the ping sent none (Movable Type does the same). */
  title: string;
  /** Plain text, possibly empty. */
  excerpt: string;
  /** Plain text, possibly empty. */
  blogName: string;
}

export type TrackbackParseResult = { ok: true; ping: TrackbackPing } | { ok: false; message: string };

/** A ping is a few short fields; anything far larger is not a trackback. */
export const maxTrackbackBodyBytes = 64 * 1024;
export const maxTrackbackTitleLength = 255;
export const maxTrackbackExcerptLength = 1000;
export const maxTrackbackBlogNameLength = 255;
const maxUrlLength = 2048;

const formType = 'application/x-www-form-urlencoded';

/** A form body split into fields, names decoded, values still bytes (percent-decoding done). */
type RawFields = Map<string, Buffer>;

/**
 * Splits an application/x-www-form-urlencoded body into fields. Values stay bytes: a `%E4`
 * means the byte 0xE4, whose character only the charset can tell (WHATWG URL §5.1).
 */
function splitForm(body: Buffer): RawFields {
  const fields: RawFields = new Map();
  // latin1 maps each byte to one code unit, so splitting and un-escaping never touch the charset.
  for (const pair of body.toString('latin1').split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = percentDecode(eq === -1 ? pair : pair.slice(0, eq)).toString('latin1');
    const value = percentDecode(eq === -1 ? '' : pair.slice(eq + 1));
    // PHP (and so WordPress) keeps the last of repeated fields.
    fields.set(name, value);
  }
  return fields;
}

function percentDecode(text: string): Buffer {
  const out = Buffer.alloc(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2b) {
      out[n++] = 0x20;
    } else if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out[n++] = parseInt(text.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      out[n++] = c & 0xff;
    }
  }
  return out.subarray(0, n);
}

type CharsetChoice = { ok: true; charset: string | null } | { ok: false; message: string };

/**
 * Resolves the declared charset label (null: none declared). UTF-7 can smuggle markup past
 * every filter ("+ADw-script+AD4-"); WordPress's wp-trackback.php refuses it as well.
 */
function chooseCharset(label: string | null): CharsetChoice {
  if (label === null) return { ok: true, charset: null };
  const cleaned = label.trim().replace(/^["']|["']$/g, '');
  if (/^(x-)?(unicode-1-1-)?utf-?7/i.test(cleaned) || /utf7/i.test(cleaned)) {
    return { ok: false, message: `the charset ${cleaned} (UTF-7) is not accepted; send UTF-8` };
  }
  const charset = resolveCharsetLabel(cleaned);
  if (charset === null) return { ok: false, message: `the charset "${cleaned}" is unknown; send UTF-8` };
  // A form body is ASCII with percent escapes; a UTF-16 or UTF-32 label cannot describe it.
  if (/^utf-(16|32)/.test(charset)) return { ok: false, message: `the charset ${cleaned} cannot encode a form; send UTF-8` };
  return { ok: true, charset };
}

function decodeField(bytes: Buffer, charset: string): string {
  if (charset === 'utf-8') return new TextDecoder('utf-8').decode(bytes);
  // Node's TextDecoder turns windows-1252's 0x80–0x9F („ “ – €) into control characters.
  return iconv.decode(bytes, charset);
}

/** Reduces a field to one line of plain text: tags and entities as WordPress's wp_html_excerpt. */
function cleanText(value: string, maxLength: number): string {
  // eslint-disable-next-line no-control-regex
  const withoutControls = value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '');
  return htmlToText(withoutControls, maxLength);
}

function checkPingUrl(value: string): { ok: true; url: string } | { ok: false; message: string } {
  const text = value.trim();
  if (!text) return { ok: false, message: 'the url field is missing: a trackback needs the URL of the post that links here' };
  if (text.length > maxUrlLength) return { ok: false, message: `the url is longer than ${maxUrlLength} characters` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: `the url "${text.slice(0, 200)}" is not an absolute web address` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, message: `the url must start with http:// or https://, not ${url.protocol}` };
  }
  if (url.username || url.password) return { ok: false, message: 'the url must not contain a user name or password' };
  return { ok: true, url: url.href };
}

/**
 * Reads a TrackBack ping from its raw form body. Charset: the Content-Type parameter, else a
 * `charset` field, else UTF-8 when the bytes are valid UTF-8, else windows-1252.
 */
export function parseTrackbackPing(rawBody: Buffer, contentType: string | undefined): TrackbackParseResult {
  if (rawBody.length > maxTrackbackBodyBytes) {
    return { ok: false, message: `the ping is larger than ${maxTrackbackBodyBytes} bytes` };
  }
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  // Some old clients send no Content-Type at all; anything else must be a plain form.
  if (mediaType && mediaType !== formType) {
    return { ok: false, message: `a trackback is sent as ${formType}, not ${mediaType}` };
  }
  const fields = splitForm(rawBody);
  const fieldLabel = fields.get('charset');
  const choice = chooseCharset(charsetFromContentType(contentType ?? null) ?? (fieldLabel?.length ? fieldLabel.toString('latin1') : null));
  if (!choice.ok) return choice;

  const textFields = ['url', 'title', 'excerpt', 'blog_name'].map((name) => fields.get(name) ?? Buffer.alloc(0));
  let charset = choice.charset;
  // Old clients label Latin-1 text as UTF-8 (a PHP default); invalid UTF-8 is read as it was meant.
  if (charset === 'utf-8' && !textFields.every((bytes) => isUtf8(bytes))) charset = 'windows-1252';
  charset ??= textFields.every((bytes) => isUtf8(bytes)) ? 'utf-8' : 'windows-1252';
  const [url, title, excerpt, blogName] = textFields.map((bytes) => decodeField(bytes, charset)) as [string, string, string, string];

  const checked = checkPingUrl(url);
  if (!checked.ok) return checked;
  return {
    ok: true,
    ping: {
      url: checked.url,
      title: cleanText(title, maxTrackbackTitleLength) || checked.url,
      excerpt: cleanText(excerpt, maxTrackbackExcerptLength),
      blogName: cleanText(blogName, maxTrackbackBlogNameLength),
    },
  };
}

/** Escapes text for XML 1.0, dropping characters that XML cannot carry at all. */
// Titles and excerpts of a listing are plain text, which RSS readers guess at: see
// escapePlainText (feeds/feed-text.ts).
function escapePlainText(text: string): string {
  return escapeXml(text).replace(/&amp;|&lt;|&gt;/g, (e) => (e === '&amp;' ? '&#x26;' : e === '&lt;' ? '&#x3C;' : '&#x3E;'));
}

function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

const xmlDeclaration = '<?xml version="1.0" encoding="utf-8"?>\n';

/** Renders the TrackBack answer: success without an error message, failure with one. */
export function renderTrackbackResponse(error?: string): string {
  if (error === undefined) return `${xmlDeclaration}<response>\n<error>0</error>\n</response>`;
  return `${xmlDeclaration}<response>\n<error>1</error>\n<message>${escapeXml(error)}</message>\n</response>`;
}

export interface TrackbackRssChannel {
  title: string;
  link: string;
  description: string;
}

export interface TrackbackRssPing {
  url: string;
  title: string;
  excerpt: string;
}

/**
 * Renders the answer to `GET <trackback URL>?__mode=rss` as Movable Type's mt-tb.cgi writes it:
 * RSS 0.91 inside `<response><error>0</error>…</response>`, one item per accepted ping.
 */
export function renderTrackbackRss(channel: TrackbackRssChannel, pings: readonly TrackbackRssPing[]): string {
  const items = pings
    .map(
      (ping) =>
        `<item>\n<title>${escapePlainText(ping.title)}</title>\n<link>${escapeXml(ping.url)}</link>\n` +
        `<description>${escapePlainText(ping.excerpt)}</description>\n</item>\n`,
    )
    .join('');
  return (
    `${xmlDeclaration}<response>\n<error>0</error>\n<rss version="0.91"><channel>\n` +
    `<title>${escapePlainText(channel.title)}</title>\n<link>${escapeXml(channel.link)}</link>\n` +
    `<description>${escapePlainText(channel.description)}</description>\n` +
    `${items}</channel>\n</rss></response>`
  );
}
