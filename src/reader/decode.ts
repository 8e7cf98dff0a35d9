// Decoding owns one question, "which charset are these bytes in?", and turns fetched bytes into
// a JS string. It reads only a BOM, the Content-Type charset, the XML declaration and HTML <meta>;
// it never parses a feed or a page and never touches the network or the database.
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import type { DecodedText } from './types.ts';

export type DecodeKind = 'xml' | 'html' | 'json';

type Utf8Reading = 'ascii' | 'valid' | 'mostly' | 'invalid';

/** How far into the bytes the XML declaration and <meta charset> are looked for (HTML prescan). */
const prescanBytes = 1024;

/**
 * Labels that name encodings able to smuggle markup past a sanitizer ("+ADw-script+AD4-" in
 * UTF-7) or that mean something other than text to iconv-lite ("base64", "hex").
 */
const refusedLabels = new Set([
  'utf-7', 'utf7', 'unicode-1-1-utf-7', 'csunicode11utf7', 'utf-7-imap', 'x-utf-7',
  'base64', 'hex', 'binary', 'ucs2', 'x-user-defined',
]);

/** Spellings seen in old feeds that the WHATWG label list does not know. */
const extraLabels: Record<string, string> = {
  'latin-1': 'windows-1252',
  'iso-latin-1': 'windows-1252',
  'iso8859_1': 'windows-1252',
  'iso_8859_1': 'windows-1252',
  'utf_8': 'utf-8',
  'utf-8n': 'utf-8',
};

const utf32Labels: Record<string, string> = {
  'utf-32': 'utf-32be',
  'utf32': 'utf-32be',
  'ucs-4': 'utf-32be',
  'utf-32be': 'utf-32be',
  'utf-32le': 'utf-32le',
};

/**
 * Resolves a charset label to a canonical encoding name, or null when it is unknown or refused.
 * Uses the WHATWG Encoding label table (via TextDecoder), so iso-8859-1, latin1 and us-ascii
 * become windows-1252 as in every browser.
 */
export function resolveCharsetLabel(label: string): string | null {
  const name = label.trim().replace(/^["']|["']$/g, '').trim().toLowerCase();
  if (!name || refusedLabels.has(name)) return null;
  const utf32 = utf32Labels[name];
  if (utf32) return utf32;
  const alias = extraLabels[name];
  if (alias) return alias;
  try {
    const canonical = new TextDecoder(name).encoding;
    return refusedLabels.has(canonical) ? null : canonical;
  } catch {
    // Node's TextDecoder throws for labels WHATWG does not list (and for the "replacement" ones).
    return null;
  }
}

/** Reads the charset parameter of a Content-Type header value (an HTTP answer's or a form post's). */
export function charsetFromContentType(contentType: string | null): string | null {
  if (!contentType) return null;
  const match = /;\s*charset\s*=\s*("?)([^";,\s]{1,64})\1/i.exec(contentType);
  return match?.[2] ?? null;
}

function sniffBom(bytes: Buffer): { charset: string; length: number } | null {
  const [b0, b1, b2, b3] = bytes;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { charset: 'utf-8', length: 3 };
  if (b0 === 0xff && b1 === 0xfe && b2 === 0x00 && b3 === 0x00) return { charset: 'utf-32le', length: 4 };
  if (b0 === 0x00 && b1 === 0x00 && b2 === 0xfe && b3 === 0xff) return { charset: 'utf-32be', length: 4 };
  if (b0 === 0xfe && b1 === 0xff) return { charset: 'utf-16be', length: 2 };
  if (b0 === 0xff && b1 === 0xfe) return { charset: 'utf-16le', length: 2 };
  return null;
}

/**
 * Recognises UTF-16/32 without a BOM from the zero bytes around the first ASCII character, as
 * XML 1.0 Appendix F does for "<?xml" (feedparser's utf-16le-autodetect case). No text in an
 * ASCII-compatible charset starts with NUL bytes, so this overrides any label.
 */
function sniffWideWithoutBom(bytes: Buffer): string | null {
  if (bytes.length < 4) return null;
  const [b0, b1, b2, b3] = bytes;
  if (b0 === 0 && b1 === 0 && b2 === 0 && b3 !== 0) return 'utf-32be';
  if (b0 !== 0 && b1 === 0 && b2 === 0 && b3 === 0) return 'utf-32le';
  if (b0 === 0 && b1 !== 0 && b2 === 0 && b3 !== 0) return 'utf-16be';
  if (b0 !== 0 && b1 === 0 && b2 !== 0 && b3 === 0) return 'utf-16le';
  return null;
}

/** Finds encoding="…" in an XML declaration, allowing leading whitespace and comments. */
function charsetFromXmlDeclaration(head: string): string | null {
  const match = /^(?:\s|<!--[\s\S]*?-->)*<\?xml\s[^?>]*?\bencoding\s*=\s*(["'])([^"']{1,64})\1/.exec(head);
  return match?.[2] ?? null;
}

/**
 * Finds <meta charset> or <meta http-equiv="Content-Type" content="…; charset=…"> in the first
 * 1024 bytes, a simplified form of the HTML prescan (comments skipped).
 */
function charsetFromMeta(head: string): string | null {
  const withoutComments = head.replace(/<!--[\s\S]*?(?:-->|$)/g, '');
  const metaTag = /<meta\s[^>]*>/gi;
  for (const tag of withoutComments.matchAll(metaTag)) {
    const direct = /\bcharset\s*=\s*["']?\s*([^"'\s;/>]{1,64})/i.exec(tag[0]);
    if (direct?.[1]) return direct[1];
  }
  return null;
}

/**
 * Reads the bytes as UTF-8: pure ASCII, valid with multi-byte sequences, mostly valid (more valid
 * multi-byte sequences than broken bytes, as in a UTF-8 feed with one stray Latin-1 byte), or not.
 */
function readUtf8(bytes: Buffer): Utf8Reading {
  if (isUtf8(bytes)) {
    for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return 'valid';
    return 'ascii';
  }
  let valid = 0;
  let invalid = 0;
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need = 0;
    let lower = 0x80;
    let upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lower = 0xa0;
      if (b === 0xed) upper = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lower = 0x90;
      if (b === 0xf4) upper = 0x8f;
    }
    if (need === 0) {
      invalid++;
      i++;
      continue;
    }
    let ok = i + need < n;
    for (let k = 1; ok && k <= need; k++) {
      const c = bytes[i + k]!;
      const lo = k === 1 ? lower : 0x80;
      const hi = k === 1 ? upper : 0xbf;
      if (c < lo || c > hi) ok = false;
    }
    if (ok) {
      valid++;
      i += need + 1;
    } else {
      invalid++;
      i++;
    }
  }
  return valid > invalid ? 'mostly' : 'invalid';
}

function isWide(charset: string): boolean {
  return charset.startsWith('utf-16') || charset.startsWith('utf-32');
}

/**
 * Whether the bytes can be in the declared charset. UTF-16/32 need a BOM or zero bytes (handled
 * before); a declared UTF-8 must be (mostly) valid UTF-8; a declared legacy charset is
 * contradicted by valid multi-byte UTF-8, which Latin-1 or KOI8-R text practically never forms.
 */
function bytesAgreeWith(charset: string, utf8: Utf8Reading): boolean {
  if (isWide(charset)) return false;
  if (charset === 'utf-8') return utf8 !== 'invalid';
  return utf8 !== 'valid';
}

function decodeAs(bytes: Buffer, charset: string): string {
  if (charset === 'utf-8') return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  // Node's TextDecoder('windows-1252') yields C1 controls for 0x80–0x9F; iconv-lite maps them
  // to € „ “ ” – — as browsers do, so every legacy charset goes through iconv-lite.
  if (iconv.encodingExists(charset)) return iconv.decode(bytes, charset, { stripBOM: false });
  return new TextDecoder(charset).decode(bytes);
}

/**
 * Drops the encoding pseudo-attribute so that nothing re-decodes the already decoded text, when
 * it stands in the text's first prescanBytes characters, where charsetFromXmlDeclaration reads
 * it. Looked for in the whole text, whitespace in the declaration could be split between the
 * declaration's start and the space before `encoding` in every way: 45,000 newlines in a
 * TrackBack listing's declaration took 0.7 s (a fuzzed input), on the event loop below 128 KiB.
 */
function neutraliseXmlDeclaration(text: string): string {
  const start = /^\s+(?=<\?xml[\s?])/.exec(text);
  // Whitespace before the declaration is a fatal error for strict XML parsers (SimplePie's
  // feed-with-whitespace-before-xml-declaration); it carries nothing, so it goes.
  const body = start ? text.slice(start[0].length) : text;
  const head = body.slice(0, prescanBytes);
  const neutral = head.replace(/^(<\?xml\s[^?>]*?)\s*\bencoding\s*=\s*(["'])[^"']{0,64}\2/, '$1');
  return neutral === head ? body : neutral + body.slice(prescanBytes);
}

/**
 * Decodes fetched bytes to text. Order: BOM; UTF-16/32 zero-byte pattern; HTTP charset; XML
 * declaration (xml) or <meta> (html); valid UTF-8; windows-1252. A declared charset is skipped
 * when the bytes contradict it (see bytesAgreeWith), so a feed served as UTF-8 but written in
 * ISO-8859-1 by its prolog, or the reverse, is read in the charset the bytes agree with.
 */
export function decodeText(bytes: Buffer, contentType: string | null, kind: DecodeKind): DecodedText {
  const finish = (text: string, charset: string, charsetSource: DecodedText['charsetSource']): DecodedText => {
    let out = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    if (kind === 'xml') out = neutraliseXmlDeclaration(out);
    return { text: out, charset, charsetSource };
  };

  const bom = sniffBom(bytes);
  if (bom) return finish(decodeAs(bytes.subarray(bom.length), bom.charset), bom.charset, 'bom');

  const httpLabel = charsetFromContentType(contentType);
  const httpCharset = httpLabel ? resolveCharsetLabel(httpLabel) : null;

  const wide = kind === 'html' ? null : sniffWideWithoutBom(bytes);
  if (wide) {
    const source = httpCharset && isWide(httpCharset) ? 'http' : 'prolog';
    return finish(decodeAs(bytes, wide), wide, source);
  }

  const head = bytes.subarray(0, prescanBytes).toString('latin1');
  let docLabel: string | null = null;
  if (kind === 'xml') docLabel = charsetFromXmlDeclaration(head);
  else if (kind === 'html') docLabel = charsetFromMeta(head);
  let docCharset = docLabel ? resolveCharsetLabel(docLabel) : null;
  // HTML: a <meta> naming UTF-16 cannot be true of bytes that were readable ASCII (WHATWG prescan).
  if (kind === 'html' && docCharset && isWide(docCharset)) docCharset = 'utf-8';

  const utf8 = readUtf8(bytes);
  const declared: [string | null, DecodedText['charsetSource']][] = [
    [httpCharset, 'http'],
    [docCharset, kind === 'html' ? 'meta' : 'prolog'],
  ];
  for (const [charset, source] of declared) {
    if (charset && bytesAgreeWith(charset, utf8)) return finish(decodeAs(bytes, charset), charset, source);
  }
  if (utf8 === 'ascii' || utf8 === 'valid') return finish(decodeAs(bytes, 'utf-8'), 'utf-8', 'utf8-valid');
  return finish(decodeAs(bytes, 'windows-1252'), 'windows-1252', 'fallback');
}
