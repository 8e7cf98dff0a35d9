import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  maxTrackbackExcerptLength,
  parseTrackbackPing,
  renderTrackbackResponse,
  renderTrackbackRss,
} from '../../src/inbound/trackback.ts';

const form = 'application/x-www-form-urlencoded';

/** Percent-encodes every byte outside [A-Za-z0-9] of a field, the way PHP's urlencode does. */
function encodeBytes(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x20) out += '+';
    else if (/[A-Za-z0-9._-]/.test(String.fromCharCode(b))) out += String.fromCharCode(b);
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function body(fields: Record<string, string>, charset = 'utf-8'): Buffer {
  return Buffer.from(
    Object.entries(fields)
      .map(([k, v]) => `${k}=${encodeBytes(iconv.encode(v, charset))}`)
      .join('&'),
    'latin1',
  );
}

function expectPing(result: ReturnType<typeof parseTrackbackPing>) {
  if (!result.ok) throw new Error(`expected a ping, got: ${result.message}`);
  return result.ping;
}

function expectRefusal(result: ReturnType<typeof parseTrackbackPing>): string {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.ping)}`);
  return result.message;
}

const german = {
  url: 'http://freitag.example/2008/05/social-media-camp/',
  title: 'Über das „Social Media Camp“',
  excerpt: 'Beim Social Media Camp hat sich noch nicht so viel getan – schöne Grüße, 5 €',
  blog_name: 'Freitag – Blög',
};

describe('parseTrackbackPing', () => {
  it('reads the four fields of a UTF-8 ping', () => {
    const ping = expectPing(parseTrackbackPing(body(german), `${form}; charset=utf-8`));
    expect(ping).toEqual({
      url: german.url,
      title: german.title,
      excerpt: german.excerpt,
      blogName: german.blog_name,
    });
  });

  it('decodes ISO-8859-1 named in the Content-Type, with „“ and € as windows-1252 bytes', () => {
    // „ “ – € are 0x84 0x93 0x96 0x80: not in ISO-8859-1 proper, but every Latin-1 blog sends them.
    const raw = body(german, 'windows-1252');
    expect(raw.toString('latin1')).toContain('%84Social');
    const ping = expectPing(parseTrackbackPing(raw, `${form}; charset=ISO-8859-1`));
    expect(ping.title).toBe('Über das „Social Media Camp“');
    expect(ping.excerpt).toBe(german.excerpt);
    expect(ping.blogName).toBe('Freitag – Blög');
  });

  it('decodes plain ISO-8859-1 umlauts named in a charset field', () => {
    const fields = { url: german.url, title: 'Grüße aus Köln', excerpt: 'Schöne Straße, größer', blog_name: 'Blög', charset: 'iso-8859-1' };
    const raw = body(fields, 'latin1');
    expect(raw.toString('latin1')).toContain('Gr%FC%DFe');
    const ping = expectPing(parseTrackbackPing(raw, form));
    expect(ping.title).toBe('Grüße aus Köln');
    expect(ping.excerpt).toBe('Schöne Straße, größer');
  });

  it('prefers the Content-Type charset over the charset field', () => {
    const raw = body({ ...german, charset: 'utf-8' }, 'windows-1252');
    expect(expectPing(parseTrackbackPing(raw, `${form}; charset="windows-1252"`)).title).toBe(german.title);
  });

  it('reads undeclared bytes as UTF-8 when valid, else as windows-1252', () => {
    expect(expectPing(parseTrackbackPing(body(german, 'utf-8'), undefined)).title).toBe(german.title);
    expect(expectPing(parseTrackbackPing(body(german, 'windows-1252'), form)).title).toBe(german.title);
  });

  it('reads Latin-1 bytes mislabelled as UTF-8 as Latin-1', () => {
    const ping = expectPing(parseTrackbackPing(body(german, 'windows-1252'), `${form}; charset=UTF-8`));
    expect(ping.excerpt).toBe(german.excerpt);
  });

  it('percent-decodes bytes before the charset, so a UTF-8 sequence split into escapes survives', () => {
    const raw = Buffer.from(`url=${encodeURIComponent(german.url)}&title=Gr%C3%BC%C3%9Fe+%E2%80%9Ehallo%E2%80%9C`);
    expect(expectPing(parseTrackbackPing(raw, form)).title).toBe('Grüße „hallo“');
  });

  it('refuses UTF-7, in the header and in the field', () => {
    const raw = Buffer.from(`url=${encodeURIComponent(german.url)}&title=%2BADw-script%2BAD4-`);
    expect(expectRefusal(parseTrackbackPing(raw, `${form}; charset=UTF-7`))).toMatch(/UTF-7.*not accepted/);
    const withField = Buffer.concat([raw, Buffer.from('&charset=utf-7')]);
    expect(expectRefusal(parseTrackbackPing(withField, form))).toMatch(/UTF-7/);
    expect(expectRefusal(parseTrackbackPing(raw, `${form}; charset=x-unicode-1-1-utf-7`))).toMatch(/UTF-7/);
  });

  it('refuses unknown charsets and charsets that cannot encode a form', () => {
    const raw = body(german);
    expect(expectRefusal(parseTrackbackPing(raw, `${form}; charset=klingon-8`))).toMatch(/charset "klingon-8" is unknown/);
    expect(expectRefusal(parseTrackbackPing(raw, `${form}; charset=utf-16`))).toMatch(/cannot encode a form/);
  });

  it('refuses a ping without url, with an empty url, or with a non-web url', () => {
    expect(expectRefusal(parseTrackbackPing(body({ title: 'x', excerpt: 'y' }), form))).toMatch(/url field is missing/);
    expect(expectRefusal(parseTrackbackPing(body({ url: '  ', title: 'x' }), form))).toMatch(/url field is missing/);
    expect(expectRefusal(parseTrackbackPing(body({ url: 'javascript:alert(1)' }), form))).toMatch(/http:\/\/ or https:\/\//);
    expect(expectRefusal(parseTrackbackPing(body({ url: '/relative/post' }), form))).toMatch(/not an absolute web address/);
    expect(expectRefusal(parseTrackbackPing(body({ url: 'http://user:pw@example.org/' }), form))).toMatch(/user name or password/);
  });

  it('refuses bodies that are not a form or are too large', () => {
    expect(expectRefusal(parseTrackbackPing(Buffer.from('{"url":"http://a.example/"}'), 'application/json'))).toMatch(
      /application\/x-www-form-urlencoded, not application\/json/,
    );
    expect(expectRefusal(parseTrackbackPing(Buffer.alloc(70_000, 0x61), form))).toMatch(/larger than/);
  });

  it('falls back to the url as title and to empty excerpt and blog name', () => {
    expect(expectPing(parseTrackbackPing(body({ url: german.url }), form))).toEqual({
      url: german.url,
      title: german.url,
      excerpt: '',
      blogName: '',
    });
  });

  it('strips markup and control characters and truncates long fields', () => {
    const ping = expectPing(
      parseTrackbackPing(
        body({
          url: german.url,
          title: `<b>Bold</b> <script>alert(1)</script>title\u0007 ${'x'.repeat(400)}`,
          excerpt: `<p onclick="x()">Hallo &amp; <a href="javascript:1">welt</a></p> ${'wort '.repeat(400)}`,
        }),
        form,
      ),
    );
    expect(ping.title.startsWith('Bold title ')).toBe(true);
    expect(ping.title.length).toBeLessThanOrEqual(255);
    expect(ping.title.endsWith('…')).toBe(true);
    expect(ping.excerpt.startsWith('Hallo & welt wort')).toBe(true);
    expect(ping.excerpt.length).toBeLessThanOrEqual(maxTrackbackExcerptLength);
    expect(ping.excerpt).not.toMatch(/[<>]/);
  });

  it('keeps the last of repeated fields, as PHP does', () => {
    const raw = Buffer.from(`url=http%3A%2F%2Fa.example%2F1&url=http%3A%2F%2Fa.example%2F2`);
    expect(expectPing(parseTrackbackPing(raw, form)).url).toBe('http://a.example/2');
  });
});

describe('renderTrackbackResponse', () => {
  it('renders success exactly', () => {
    expect(renderTrackbackResponse()).toBe('<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>0</error>\n</response>');
  });

  it('renders an error with its message escaped', () => {
    expect(renderTrackbackResponse('No <url> & "no" title\u0001')).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>1</error>\n' +
        '<message>No &lt;url&gt; &amp; &quot;no&quot; title</message>\n</response>',
    );
  });
});

describe('renderTrackbackRss', () => {
  it('renders the Movable Type __mode=rss listing, plain text as hexadecimal references (RSS Best Practices Profile)', () => {
    const xml = renderTrackbackRss(
      { title: 'Social Media Camp', link: 'http://localhost:3000/c/1', description: 'Pings für „SMC“ & mehr' },
      [
        { url: 'http://freitag.example/a?x=1&y=2', title: 'Freitag <antwortet>', excerpt: 'noch nicht so viel getan' },
        { url: 'http://b.example/', title: 'B', excerpt: '' },
      ],
    );
    expect(xml).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>0</error>\n<rss version="0.91"><channel>\n' +
        '<title>Social Media Camp</title>\n<link>http://localhost:3000/c/1</link>\n' +
        '<description>Pings für „SMC“ &#x26; mehr</description>\n' +
        '<item>\n<title>Freitag &#x3C;antwortet&#x3E;</title>\n<link>http://freitag.example/a?x=1&amp;y=2</link>\n' +
        '<description>noch nicht so viel getan</description>\n</item>\n' +
        '<item>\n<title>B</title>\n<link>http://b.example/</link>\n<description></description>\n</item>\n' +
        '</channel>\n</rss></response>',
    );
  });

  it('renders an empty channel when there are no pings', () => {
    const xml = renderTrackbackRss({ title: 't', link: 'http://l.example/', description: '' }, []);
    expect(xml).toContain('<description></description>\n</channel>\n</rss></response>');
    expect(xml).not.toContain('<item>');
  });
});
