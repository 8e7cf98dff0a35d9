// The fault-injecting fixture web of the hostile suite: one loopback server (port 0) whose blogs
// answer well or with any fault of issue 7 (transport, status, charset, XML, redirects to
// private addresses). It only serves; what Palaver makes of each answer is asserted elsewhere.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import iconv from 'iconv-lite';

/** What a blog's feed (or a /fault/<name> URL) answers; 'good' is a small valid RSS feed. */
export type Mode = string;

export interface FaultServer {
  /** http://127.0.0.1:port */
  origin: string;
  /** https://127.0.0.1:port of the TLS twin (it only redirects to http), or null without a test certificate. */
  tlsOrigin: string | null;
  /** A blog's home page: /blog/<name>/ (its feed is /blog/<name>/feed). */
  blogUrl(name: string): string;
  feedUrl(name: string): string;
  /** Sets what the blog's feed answers from now on. */
  setFeed(name: string, mode: Mode): void;
  /** Requests seen, by path. */
  hits: { method: string; path: string; headers: http.IncomingHttpHeaders }[];
  hitCount(prefix: string): number;
  close(): Promise<void>;
}

export const testTlsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tls');

/** Three items with stable guids, so a later poll can show nothing was lost. */
export function goodFeed(origin: string, name: string, options: { title?: string; items?: number; extra?: string } = {}): string {
  const count = options.items ?? 3;
  const items = Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    return `<item><title>${name} post ${n}</title><link>${origin}/blog/${name}/post-${n}/</link>
<guid isPermaLink="false">${name}-guid-${n}</guid><pubDate>Mon, ${String(10 + (n % 18)).padStart(2, '0')} Nov 2008 10:00:00 +0100</pubDate>
<description><![CDATA[<p>Beitrag ${n} von ${name}.</p>]]></description></item>`;
  }).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${options.title ?? `Blog ${name}`}</title><link>${origin}/blog/${name}/</link>
<description>Hostile-suite blog ${name}</description>${options.extra ?? ''}
${items}
</channel></rss>`;
}

function homePage(origin: string, name: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Blog ${name}</title>
<link rel="alternate" type="application/rss+xml" title="Feed" href="${origin}/blog/${name}/feed"></head>
<body><h1>Blog ${name}</h1></body></html>`;
}

// A document of `size` bytes made of one repeated string, written as it drains.
function streamRepeated(res: http.ServerResponse, unit: Buffer, total: number, onDone?: () => void): void {
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      const piece = unit.subarray(0, Math.min(unit.length, total - sent));
      sent += piece.length;
      if (!res.write(piece)) {
        res.once('drain', pump);
        return;
      }
    }
    if (onDone) onDone();
    else res.end();
  };
  res.on('close', () => {
    sent = total;
  });
  pump();
}

// gzip members may be concatenated (RFC 1952 §2.2); 100 members of 10 MB of spaces each make a
// 1 GB body from about 1 MB on the wire.
let bombMember: Buffer | null = null;
function gzipBombMember(): Buffer {
  bombMember ??= zlib.gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20), { level: 9 });
  return bombMember;
}

/** The feed title a windows-1252 (or Unicode) case must come out with: „“ – € live in 0x80–0x9F. */
export const cp1252Title = 'Über „Öffentlichkeit“ – 5 € Straße';
/** The feed title an ISO-8859-1 case must come out with (Latin-1 has no typographic quotes). */
export const latin1Title = 'Über Öffentlichkeit, Grüße aus Köln, Straße';

function latin1Feed(prolog: string, title = latin1Title): string {
  return `${prolog}<rss version="2.0"><channel><title>${title}</title><link>http://example.org/</link><description>x</description>
<item><title>Kommentar: Grüße aus Köln</title><guid isPermaLink="false">enc-1</guid><description>äöüß</description></item></channel></rss>`;
}

const cp1252Feed = (prolog: string): string => latin1Feed(prolog, cp1252Title);

function dtdFeed(doctype: string, body: string): string {
  return `<?xml version="1.0"?>\n${doctype}\n<rss version="2.0"><channel><title>DTD feed</title><link>http://example.org/</link><description>d</description>
<item><title>entity item</title><guid isPermaLink="false">dtd-1</guid><description>${body}</description></item></channel></rss>`;
}

function rssWithItems(items: string, title = 'Odd feed'): string {
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>${title}</title><link>http://example.org/</link><description>o</description>${items}</channel></rss>`;
}

type Answer = (req: http.IncomingMessage, res: http.ServerResponse, ctx: { origin: string; tlsOrigin: string | null; name: string }) => void;

const send =
  (status: number, headers: Record<string, string>, body: string | Buffer = ''): Answer =>
  (_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };

const xml = (body: string | Buffer, type = 'application/rss+xml'): Answer => send(200, { 'content-type': type }, body);

/** Every fault the server can answer, by name. */
export function faultAnswers(maxBodyBytes: number): Record<string, Answer> {
  const answers: Record<string, Answer> = {
    // --- transport
    'slow-headers': (_req, res) => {
      // Never answers; the socket closes when the client gives up.
      res.on('close', () => undefined);
    },
    'slow-body': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.write('<?xml version="1.0"?><rss version="2.0"><channel><title>slow</title>');
      const timer = setInterval(() => res.write(' '), 200);
      res.on('close', () => clearInterval(timer));
    },
    'endless-chunked': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.write('<?xml version="1.0"?><rss version="2.0"><channel><title>endless</title><description>');
      streamRepeated(res, Buffer.alloc(64 * 1024, 'a'), Number.MAX_SAFE_INTEGER);
    },
    'over-cap-with-length': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': String(maxBodyBytes + 1024) });
      streamRepeated(res, Buffer.alloc(64 * 1024, 'a'), maxBodyBytes + 1024);
    },
    'over-cap-chunked': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      streamRepeated(res, Buffer.alloc(64 * 1024, 'a'), maxBodyBytes * 2);
    },
    'lying-length-longer': (_req, res) => {
      // Announces more than it sends, then closes: the answer is cut short.
      const body = Buffer.from(goodFeed('http://example.org', 'liar'));
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': String(body.length * 10) });
      res.write(body, () => res.socket?.end());
    },
    'lying-length-shorter': (_req, res) => {
      // Announces less than it sends: the client reads the announced bytes, a truncated feed.
      const body = Buffer.from(goodFeed('http://example.org', 'liar'));
      const socket = res.socket!;
      res.detachSocket(socket);
      socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/rss+xml\r\ncontent-length: ${Math.floor(body.length / 2)}\r\nconnection: close\r\n\r\n${body.toString()}`);
    },
    'gzip-bomb': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' });
      const member = gzipBombMember();
      let left = 100;
      const pump = (): void => {
        while (left > 0) {
          left -= 1;
          if (!res.write(member)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('close', () => {
        left = 0;
      });
      pump();
    },
    'reset-mid-body': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': '100000' });
      res.write('<?xml version="1.0"?><rss version="2.0"><channel><title>reset</title>', () => {
        setTimeout(() => res.socket?.resetAndDestroy(), 20);
      });
    },
    'redirect-loop': (req, res, ctx) => {
      const other = req.url?.endsWith('/b') ? `${ctx.origin}/fault/redirect-loop/a` : `${ctx.origin}/fault/redirect-loop/b`;
      res.writeHead(302, { location: other });
      res.end();
    },
    'redirect-chain': (req, res, ctx) => {
      // /fault/redirect-chain/<n>: n hops before the good feed.
      const n = Number(/\/(\d+)(?:\?|$)/.exec(req.url ?? '')?.[1] ?? 12);
      const next = n > 0 ? `${ctx.origin}/fault/redirect-chain/${n - 1}?blog=${ctx.name}` : `${ctx.origin}/blog/${ctx.name}/good-feed`;
      res.writeHead(301, { location: next });
      res.end();
    },
    'redirect-chain-short': (_req, res, ctx) => {
      res.writeHead(301, { location: `${ctx.origin}/fault/redirect-chain/3?blog=${ctx.name}` });
      res.end();
    },
    'https-to-http-downgrade': (_req, res, ctx) => {
      res.writeHead(301, { location: `${ctx.origin}/blog/${ctx.name}/good-feed` });
      res.end();
    },
    'status-410': send(410, { 'content-type': 'text/html' }, '<h1>Gone</h1>'),
    'status-401': send(401, { 'content-type': 'text/html', 'www-authenticate': 'Basic realm="blog"' }, '<h1>Login</h1>'),
    'status-403': send(403, { 'content-type': 'text/html' }, '<h1>Forbidden</h1>'),
    'status-500': send(500, { 'content-type': 'text/html' }, '<h1>Internal Server Error</h1>'),
    'status-502': send(502, { 'content-type': 'text/html' }, '<h1>Bad Gateway</h1>'),
    'status-503': send(503, { 'content-type': 'text/html' }, '<h1>Service Unavailable</h1>'),
    'retry-after-seconds': send(429, { 'content-type': 'text/plain', 'retry-after': '7200' }, 'slow down'),
    'retry-after-date': (_req, res) => {
      res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': new Date(Date.now() + 3 * 3600_000).toUTCString() });
      res.end('slow down');
    },
    'not-modified-without-validators': send(304, {}),
    'challenge-page-200': xml(
      '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><noscript>Enable JavaScript and cookies to continue</noscript><script>/* challenge */</script></body></html>',
      'text/html; charset=UTF-8',
    ),
    'challenge-page-403': send(
      403,
      { 'content-type': 'text/html; charset=UTF-8', 'cf-mitigated': 'challenge' },
      '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>',
    ),

    // --- charsets
    'latin1-header-only': xml(iconv.encode(latin1Feed('<?xml version="1.0"?>'), 'latin1'), 'application/rss+xml; charset=ISO-8859-1'),
    'latin1-prolog-only': xml(iconv.encode(latin1Feed('<?xml version="1.0" encoding="ISO-8859-1"?>'), 'latin1'), 'application/rss+xml'),
    'cp1252-header-only': xml(iconv.encode(cp1252Feed('<?xml version="1.0"?>'), 'windows-1252'), 'text/xml; charset=windows-1252'),
    'cp1252-prolog-only': xml(iconv.encode(cp1252Feed('<?xml version="1.0" encoding="windows-1252"?>'), 'windows-1252'), 'text/xml'),
    'cp1252-header-utf8-prolog': xml(iconv.encode(cp1252Feed('<?xml version="1.0" encoding="UTF-8"?>'), 'windows-1252'), 'text/xml; charset=windows-1252'),
    'utf8-header-cp1252-prolog': xml(Buffer.from(cp1252Feed('<?xml version="1.0" encoding="windows-1252"?>')), 'text/xml; charset=utf-8'),
    'cp1252-undeclared': xml(iconv.encode(cp1252Feed('<?xml version="1.0"?>'), 'windows-1252'), 'text/xml'),
    'utf8-declared-latin1': xml(Buffer.from(latin1Feed('<?xml version="1.0" encoding="ISO-8859-1"?>')), 'text/xml; charset=ISO-8859-1'),
    'utf16le-bom': xml(Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(cp1252Feed('<?xml version="1.0" encoding="UTF-16"?>'), 'utf16le')]), 'application/xml'),
    'utf16be-bom': xml(Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(cp1252Feed('<?xml version="1.0" encoding="UTF-16"?>'), 'utf16be')]), 'application/xml'),
    'utf8-bom-before-prolog': xml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(cp1252Feed('<?xml version="1.0" encoding="UTF-8"?>'))])),
    'whitespace-before-prolog': xml(Buffer.from(`\n\n   \t${cp1252Feed('<?xml version="1.0" encoding="UTF-8"?>')}`)),
    'control-characters': xml(
      Buffer.from(rssWithItems(`<item><title>Null\u0000Bell\u0007Esc\u001b ok</title><guid isPermaLink="false">cc-1</guid><description>a\u0001b\u000bc\u001fd</description></item>`, 'Control\u0008 characters')),
    ),
    'lone-surrogates': xml(
      Buffer.concat([
        Buffer.from(rssWithItems(`<item><title>surrogate SURR here</title><guid isPermaLink="false">ls-1</guid><description>x&#xD800;y</description></item>`, 'Lone surrogates').split('SURR')[0]!),
        // UTF-8 bytes of U+D800, which UTF-8 forbids (RFC 3629 §3), then the rest of the document.
        Buffer.from([0xed, 0xa0, 0x80]),
        Buffer.from(rssWithItems(`<item><title>surrogate SURR here</title><guid isPermaLink="false">ls-1</guid><description>x&#xD800;y</description></item>`, 'Lone surrogates').split('SURR')[1]!),
      ]),
    ),

    // --- XML
    'billion-laughs': xml(
      dtdFeed(
        `<!DOCTYPE rss [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]>`,
        '&lol9;',
      ),
    ),
    'quadratic-blowup': xml(dtdFeed(`<!DOCTYPE rss [<!ENTITY a "${'x'.repeat(50_000)}">]>`, '&a;'.repeat(50_000))),
    'external-entity-file': xml(dtdFeed('<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', 'leak:&xxe;')),
    'external-entity-http': (_req, res, ctx) => xml(dtdFeed(`<!DOCTYPE rss [<!ENTITY xxe SYSTEM "${ctx.origin}/secret">]>`, 'leak:&xxe;'))(_req, res, ctx),
    'external-dtd': (_req, res, ctx) => xml(dtdFeed(`<!DOCTYPE rss SYSTEM "${ctx.origin}/secret.dtd">`, 'no entity'))(_req, res, ctx),
    'bare-ampersand': xml(rssWithItems(`<item><title>Fish & Chips & more</title><guid isPermaLink="false">amp-1</guid><description>AT&T</description></item>`, 'Bare & ampersand')),
    'broken-cdata': xml(rssWithItems(`<item><title>cdata</title><guid isPermaLink="false">cd-1</guid><description><![CDATA[<p>open but never closed</p></description></item>`)),
    truncated: xml(goodFeed('http://example.org', 'trunc').slice(0, 400)),
    'ten-thousand-items': xml(
      rssWithItems(
        Array.from({ length: 10_000 }, (_, i) => `<item><title>Item ${i}</title><guid isPermaLink="false">many-${i}</guid><link>http://example.org/many/${i}/</link><description>n ${i}</description></item>`).join(''),
        'Ten thousand',
      ),
    ),
    'five-mb-text-node': xml(
      rssWithItems(`<item><title>Huge</title><guid isPermaLink="false">huge-1</guid><description>${'Blabla '.repeat(Math.floor((5 * 1000 * 1000) / 7))}</description></item>`, 'Five MB'),
    ),
    'deep-nesting': xml(
      rssWithItems(`<item><title>deep</title><guid isPermaLink="false">deep-1</guid><description>x</description>${'<x>'.repeat(100_000)}${'</x>'.repeat(100_000)}</item>`, 'Deep'),
    ),
    // A CDATA opener with a typo that runs on: sax's time grows with its length squared.
    'runaway-declaration': xml(rssWithItems(`<item><title>lang</title><guid isPermaLink="false">decl-1</guid><description><![CDA${'http://target.example/post/1'.repeat(4000)}]]></description></item>`, 'Decl')),
    'proto-elements': xml(
      rssWithItems(
        `<__proto__><polluted>yes</polluted></__proto__><constructor><prototype><polluted>yes</polluted></prototype></constructor>
<item><title>proto</title><guid isPermaLink="false">proto-1</guid><__proto__><polluted>yes</polluted></__proto__><constructor>c</constructor><hasOwnProperty>h</hasOwnProperty><toString>t</toString><description>p</description></item>`,
        'Proto',
      ),
    ),
    'duplicate-guids': xml(
      rssWithItems(
        `<item><title>First copy</title><guid isPermaLink="false">dup-1</guid><description>one</description></item>
<item><title>Second copy</title><guid isPermaLink="false">dup-1</guid><description>two</description></item>
<item><title>Other</title><guid isPermaLink="false">dup-2</guid><description>three</description></item>`,
        'Duplicates',
      ),
    ),
    'missing-guids': xml(
      rssWithItems(
        `<item><title>Only a title</title><description>no guid, no link</description><pubDate>Tue, 18 Nov 2008 09:00:00 +0100</pubDate></item>
<item><description>Only a description, no title, guid or link</description></item>
<item><title>Another one</title><description>also none</description></item>`,
        'No guids',
      ),
    ),
    'german-dates': xml(
      rssWithItems(
        `<item><title>Montag</title><guid isPermaLink="false">de-1</guid><pubDate>Mo, 17 Nov 2008 10:00:00 +0100</pubDate></item>
<item><title>Dienstag</title><guid isPermaLink="false">de-2</guid><pubDate>Di, 18 Nov. 2008 10:00:00 MEZ</pubDate></item>
<item><title>Punkt</title><guid isPermaLink="false">de-3</guid><pubDate>19.11.2008 10:00</pubDate></item>
<item><title>Dezember</title><guid isPermaLink="false">de-4</guid><pubDate>Mittwoch, 3. Dezember 2008</pubDate></item>`,
        'Deutsche Daten',
      ),
    ),
    'odd-dates': xml(
      rssWithItems(
        `<item><title>Empty</title><guid isPermaLink="false">od-1</guid><pubDate></pubDate></item>
<item><title>Impossible</title><guid isPermaLink="false">od-2</guid><pubDate>Mon, 31 Feb 2008 25:61:00 +0100</pubDate></item>
<item><title>Epoch</title><guid isPermaLink="false">od-3</guid><pubDate>0</pubDate></item>
<item><title>Year 10000</title><guid isPermaLink="false">od-4</guid><pubDate>Fri, 1 Jan 10000 00:00:00 GMT</pubDate></item>
<item><title>Junk</title><guid isPermaLink="false">od-5</guid><pubDate>${'9'.repeat(500)}</pubDate></item>`,
        'Odd dates',
      ),
    ),
    xss: (_req, res, ctx) => {
      const items = xssVectors
        .map(
          (v, i) => `<item><title><![CDATA[${v.title ?? `Vector ${i}`}]]></title><link>${v.link ?? `${ctx.origin}/blog/${ctx.name}/xss-${i}/`}</link>
<guid isPermaLink="false">xss-${i}</guid><dc:creator><![CDATA[${v.author ?? 'Mallory'}]]></dc:creator><content:encoded><![CDATA[${v.html}]]></content:encoded></item>`,
        )
        .join('\n');
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>XSS &lt;script&gt;alert(1)&lt;/script&gt;</title><link>${ctx.origin}/blog/${ctx.name}/</link><description>x</description>${items}</channel></rss>`);
    },
    rolling: (() => {
      // Each answer shows 400 items, 100 newer than the last answer's: every poll inserts some
      // and updates the rest, so a kill lands in the middle of an ingest transaction.
      let served = 0;
      return (_req: http.IncomingMessage, res: http.ServerResponse) => {
        const first = served * 100;
        served += 1;
        const items = Array.from({ length: 400 }, (_, i) => {
          const n = first + i;
          return `<item><title>Rolling ${n}</title><guid isPermaLink="false">roll-${n}</guid><link>http://example.org/roll/${n}/</link><description><![CDATA[<p>Eintrag ${n}, zuletzt geliefert in Antwort ${served}.</p>]]></description></item>`;
        }).join('');
        res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
        res.end(rssWithItems(items, 'Rolling'));
      };
    })(),
    'future-dates': xml(
      rssWithItems(`<item><title>From the future</title><guid isPermaLink="false">fut-1</guid><pubDate>Fri, 01 Jan 2100 10:00:00 +0000</pubDate></item>`, 'Future'),
    ),
  };
  return answers;
}

/** Script injection vectors for foreign HTML, titles, authors and links (DESIGN.md, "Showing"). */
export const xssVectors: { html: string; title?: string; author?: string; link?: string }[] = [
  { html: '<p>before</p><script>alert(1)</script><p>after</p>' },
  { html: '<img src="x" onerror="alert(1)">' },
  { html: '<a href="javascript:alert(1)">click</a>' },
  { html: '<a href="jav&#x09;ascript:alert(1)">tab</a><a href=" JaVaScRiPt:alert(1)">case</a>' },
  { html: '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>' },
  { html: '<svg onload="alert(1)"><circle r="1"/></svg>' },
  { html: '<iframe src="javascript:alert(1)"></iframe><iframe srcdoc="<script>alert(1)</script>"></iframe>' },
  { html: '<object data="data:text/html,<script>alert(1)</script>"></object><embed src="x.swf">' },
  { html: '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>' },
  { html: '<div style="background:url(javascript:alert(1))">styled</div><p style="x:expression(alert(1))">ie</p>' },
  { html: '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">go</button></form>' },
  { html: '<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><base href="javascript:alert(1)//">' },
  { html: '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>' },
  { html: '<p>text</p>', title: '"><img src=x onerror=alert(1)><script>alert(1)</script>', author: '<script>alert(1)</script>Mallory' },
  { html: '<p>link</p>', link: 'javascript:alert(1)' },
  { html: '<a href="http://example.org/" target="_blank">plain outbound link</a><img src="http://example.org/i.png" srcset="javascript:alert(1) 2x">' },
];

/** Redirect answers to addresses the guard must refuse, by name. */
export const privateTargets: Record<string, string> = {
  'loopback-v4': 'http://127.0.0.1:9/',
  'loopback-v6': 'http://[::1]:9/',
  unspecified: 'http://0.0.0.0:9/',
  'cloud-metadata': 'http://169.254.169.254/latest/meta-data/',
  'private-10': 'http://10.0.0.1/',
  'private-172-16': 'http://172.16.5.4/',
  'private-192-168': 'http://192.168.1.1/',
  cgnat: 'http://100.64.0.1/',
  'unique-local-v6': 'http://[fc00::1]/',
  'link-local-v6': 'http://[fe80::1]/',
  'mapped-v4-in-v6': 'http://[::ffff:127.0.0.1]:9/',
  'hex-short': 'http://0x7f.1:9/',
  'decimal-integer': 'http://2130706433:9/',
  'short-dotted': 'http://127.1:9/',
  'file-scheme': 'file:///etc/passwd',
  'gopher-scheme': 'gopher://example.org/',
  'userinfo': 'http://user:secret@example.org/',
};

/** Starts the fault server on 127.0.0.1, port 0, and its TLS twin when a test certificate exists. */
export async function startFaultServer(options: { maxBodyBytes: number }): Promise<FaultServer> {
  const answers = faultAnswers(options.maxBodyBytes);
  const modes = new Map<string, Mode>();
  const hits: FaultServer['hits'] = [];
  const sockets = new Set<Socket>();
  let origin = '';
  let tlsOrigin: string | null = null;

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = req.url ?? '/';
    hits.push({ method: req.method ?? 'GET', path: url, headers: req.headers });
    req.resume();
    const blog = /^\/blog\/([\w-]+)\/(feed|good-feed|post-\d+\/)?$/.exec(url.split('?')[0]!);
    const fault = /^\/fault\/([\w-]+)/.exec(url);
    const redirect = /^\/redirect-to\/([\w-]+)$/.exec(url);
    const ctx = { origin, tlsOrigin, name: blog?.[1] ?? 'fault' };
    if (blog) {
      const name = blog[1]!;
      if (!blog[2]) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(homePage(origin, name));
        return;
      }
      if (blog[2].startsWith('post-')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!DOCTYPE html><html><head><title>${name} ${blog[2]}</title></head><body><article class="h-entry"><p>Post</p></article></body></html>`);
        return;
      }
      const mode = blog[2] === 'good-feed' ? 'good' : (modes.get(name) ?? 'good');
      if (mode === 'good') {
        res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: `"${name}-v1"` });
        res.end(goodFeed(origin, name));
        return;
      }
      if (mode.startsWith('redirect-to:')) {
        const target = privateTargets[mode.slice('redirect-to:'.length)];
        res.writeHead(302, { location: target ?? '/' });
        res.end();
        return;
      }
      if (mode === 'https-to-http-downgrade' && tlsOrigin) {
        // The feed moved to https, and the https side redirects back down to http.
        res.writeHead(302, { location: `${tlsOrigin}/fault/https-to-http-downgrade?blog=${name}` });
        res.end();
        return;
      }
      const answer = answers[mode];
      if (!answer) throw new Error(`fault server: unknown mode ${mode}`);
      answer(req, res, ctx);
      return;
    }
    if (fault) {
      const answer = answers[fault[1]!];
      const name = /[?&]blog=([\w-]+)/.exec(url)?.[1] ?? 'fault';
      if (answer) {
        answer(req, res, { ...ctx, name });
        return;
      }
    }
    if (redirect && privateTargets[redirect[1]!]) {
      res.writeHead(302, { location: privateTargets[redirect[1]!] });
      res.end();
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  };

  const server = http.createServer(handle);
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  server.on('connection', track);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let tlsServer: https.Server | null = null;
  const certFile = path.join(testTlsDir, 'cert.pem');
  if (fs.existsSync(certFile)) {
    tlsServer = https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(path.join(testTlsDir, 'key.pem')) }, handle);
    tlsServer.on('secureConnection', track);
    tlsServer.on('connection', track);
    await new Promise<void>((resolve) => tlsServer!.listen(0, '127.0.0.1', resolve));
    tlsOrigin = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
  }

  return {
    origin,
    tlsOrigin,
    blogUrl: (name) => `${origin}/blog/${name}/`,
    feedUrl: (name) => `${origin}/blog/${name}/feed`,
    setFeed: (name, mode) => void modes.set(name, mode),
    hits,
    hitCount: (prefix) => hits.filter((h) => h.path.startsWith(prefix)).length,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        tlsServer ? new Promise<void>((resolve) => tlsServer!.close(() => resolve())) : undefined,
      ]);
    },
  };
}
