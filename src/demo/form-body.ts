// How the fixture blogs read a form-encoded ping: percent-decoding to bytes first, then the
// bytes in the sender's charset, as WordPress and Movable Type do for TrackBack.
import iconv from 'iconv-lite';

/** Splits a form body into its fields, decoded in `charset` (UTF-8 when unknown or absent). */
export function parseForm(body: Buffer, charset: string | undefined): Map<string, string> {
  const encoding = charset && iconv.encodingExists(charset) ? charset : 'utf-8';
  const out = new Map<string, string>();
  for (const pair of body.toString('latin1').split('&')) {
    if (!pair) continue;
    const [rawName = '', rawValue = ''] = pair.split('=', 2);
    out.set(decodeFormPart(rawName, encoding), decodeFormPart(rawValue, encoding));
  }
  return out;
}

function decodeFormPart(part: string, encoding: string): string {
  const bytes: number[] = [];
  const s = part.replace(/\+/g, ' ');
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%' && /^[0-9a-f]{2}$/i.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(s.charCodeAt(i) & 0xff);
    }
  }
  return iconv.decode(Buffer.from(bytes), encoding);
}
