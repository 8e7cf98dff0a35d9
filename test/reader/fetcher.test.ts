import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, startFixtureServer } from '../../src/demo/fixture-server.ts';
import { skipOptional } from '../support/skips.ts';
import { type Fetcher, type FetcherOptions, createFetcher } from '../../src/reader/fetcher.ts';
import { createGuardedLookup, isPublicAddress } from '../../src/reader/address-guard.ts';
import { createHostLimiter } from '../../src/reader/host-limiter.ts';
import { FetchError, type FetchRequest } from '../../src/reader/types.ts';

const userAgent = 'Palaver/0.1 (+http://localhost:3000)';
const cap = 64 * 1024;

const baseOptions: FetcherOptions = {
  userAgent,
  timeoutMs: 2_000,
  connectTimeoutMs: 1_000,
  headersTimeoutMs: 1_000,
  maxBodyBytes: cap,
  maxRedirects: 5,
  perHostConcurrency: 4,
  allowPrivateNetworks: true,
};

const fetchers: Fetcher[] = [];
function makeFetcher(overrides: Partial<FetcherOptions> = {}): Fetcher {
  const fetcher = createFetcher({ ...baseOptions, ...overrides });
  fetchers.push(fetcher);
  return fetcher;
}

async function fetchError(fetcher: Fetcher, request: FetchRequest): Promise<FetchError> {
  try {
    const res = await fetcher.fetch(request);
    throw new Error(`expected a FetchError, got HTTP ${res.status}`);
  } catch (err) {
    if (err instanceof FetchError) return err;
    throw err;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: FixtureServer;
let other: FixtureServer;

beforeAll(async () => {
  server = await startFixtureServer();
  other = await startFixtureServer();
});

afterEach(async () => {
  await Promise.all(fetchers.splice(0).map((f) => f.close()));
});

afterAll(async () => {
  await Promise.all([server.close(), other.close()]);
});

describe('createFetcher: answers', () => {
  it('returns status, body and lower-cased headers, dropping set-cookie', async () => {
    server.set('/plain', {
      status: 200,
      headers: { 'Content-Type': 'application/rss+xml', 'X-Powered-By': 'WordPress', Vary: ['Accept', 'Cookie'], 'Set-Cookie': 'a=b' },
      body: '<rss version="2.0"/>',
    });
    const res = await makeFetcher().fetch({ url: `${server.origin}/plain` });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('<rss version="2.0"/>');
    expect(res.headers['content-type']).toBe('application/rss+xml');
    expect(res.headers['x-powered-by']).toBe('WordPress');
    expect(res.headers['vary']).toBe('Accept, Cookie');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(Object.keys(res.headers).every((k) => k === k.toLowerCase())).toBe(true);
    expect(res.url).toBe(`${server.origin}/plain`);
    expect(res.requestedUrl).toBe(`${server.origin}/plain`);
    expect(res.redirects).toEqual([]);
    expect(res.notModified).toBe(false);
  });

  it('sends the User-Agent, a feed Accept and Accept-Encoding', async () => {
    server.set('/ua', { body: 'ok' });
    await makeFetcher().fetch({ url: `${server.origin}/ua` });
    const hit = server.hits.filter((h) => h.path === '/ua').at(-1);
    expect(hit?.headers['user-agent']).toBe(userAgent);
    expect(hit?.headers['accept']).toMatch(/^application\/atom\+xml, application\/rss\+xml/);
    expect(hit?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('sends the request Accept and extra headers but keeps its own User-Agent', async () => {
    server.set('/accept', { body: 'ok' });
    await makeFetcher().fetch({
      url: `${server.origin}/accept`,
      accept: 'text/html',
      headers: { 'User-Agent': 'Evil/1.0', 'X-Extra': 'yes', 'Accept-Encoding': 'identity' },
    });
    const hit = server.hits.filter((h) => h.path === '/accept').at(-1);
    expect(hit?.headers['accept']).toBe('text/html');
    expect(hit?.headers['x-extra']).toBe('yes');
    expect(hit?.headers['user-agent']).toBe(userAgent);
    expect(hit?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('returns 304 as notModified with an empty body when the validators match', async () => {
    const etag = '"v42"';
    const lastModified = 'Wed, 21 Oct 2015 07:28:00 GMT';
    server.set('/conditional', (req, res) => {
      if (req.headers['if-none-match'] === etag && req.headers['if-modified-since'] === lastModified) {
        res.writeHead(304, { etag });
        res.end();
        return;
      }
      res.writeHead(200, { etag, 'last-modified': lastModified });
      res.end('<feed/>');
    });
    const fetcher = makeFetcher();
    const first = await fetcher.fetch({ url: `${server.origin}/conditional` });
    expect(first.status).toBe(200);
    expect(first.headers['etag']).toBe(etag);

    const second = await fetcher.fetch({ url: `${server.origin}/conditional`, etag, lastModified });
    expect(second.status).toBe(304);
    expect(second.notModified).toBe(true);
    expect(second.body.length).toBe(0);
    const hit = server.hits.filter((h) => h.path === '/conditional').at(-1);
    expect(hit?.headers['if-none-match']).toBe(etag);
    expect(hit?.headers['if-modified-since']).toBe(lastModified);
  });

  it('returns non-2xx answers with their bodies instead of throwing', async () => {
    server.set('/gone', { status: 410, body: 'this blog is gone' });
    server.set('/busy', { status: 429, headers: { 'retry-after': '120' }, body: 'slow down' });
    const fetcher = makeFetcher();
    const gone = await fetcher.fetch({ url: `${server.origin}/gone` });
    expect([gone.status, gone.body.toString()]).toEqual([410, 'this blog is gone']);
    const busy = await fetcher.fetch({ url: `${server.origin}/busy` });
    expect([busy.status, busy.headers['retry-after']]).toEqual([429, '120']);
  });

  it('sends a POST body with its content type', async () => {
    server.set('/xmlrpc', (req, res, body) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(`${req.method} ${req.headers['content-type']} ${body.toString()}`);
    });
    const res = await makeFetcher().fetch({
      url: `${server.origin}/xmlrpc`,
      method: 'POST',
      body: '<methodCall/>',
      contentType: 'text/xml',
    });
    expect(res.body.toString()).toBe('POST text/xml <methodCall/>');
  });

  it('returns an empty body for HEAD', async () => {
    server.set('/head', { headers: { 'content-length': String(cap * 10) }, body: '' });
    const res = await makeFetcher().fetch({ url: `${server.origin}/head`, method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
    expect(server.hits.at(-1)?.method).toBe('HEAD');
  });
});

describe('createFetcher: compression', () => {
  const text = '<rss><channel><title>Social Media Camp</title></channel></rss>'.repeat(20);
  it.each([
    ['gzip', zlib.gzipSync(text)],
    ['x-gzip', zlib.gzipSync(text)],
    ['deflate', zlib.deflateSync(text)],
    ['deflate', zlib.deflateRawSync(text)],
    ['br', zlib.brotliCompressSync(text)],
    ['gzip, br', zlib.brotliCompressSync(zlib.gzipSync(text))],
  ])('decodes a %s body', async (encoding, body) => {
    const path = `/enc-${encodeURIComponent(encoding)}-${body.length}`;
    server.set(path, { headers: { 'content-encoding': encoding }, body });
    const res = await makeFetcher().fetch({ url: `${server.origin}${path}` });
    expect(res.body.toString()).toBe(text);
  });

  it('decodes a gzip body that lacks its trailer', async () => {
    const full = zlib.gzipSync(text);
    server.set('/gzip-cut', { headers: { 'content-encoding': 'gzip' }, body: full.subarray(0, full.length - 8) });
    const res = await makeFetcher().fetch({ url: `${server.origin}/gzip-cut` });
    expect(res.body.toString()).toBe(text);
  });

  it('accepts an empty body labelled gzip', async () => {
    server.set('/gzip-empty', { status: 404, headers: { 'content-encoding': 'gzip' }, body: '' });
    const res = await makeFetcher().fetch({ url: `${server.origin}/gzip-empty` });
    expect([res.status, res.body.length]).toEqual([404, 0]);
  });

  it('throws bad-encoding for a damaged gzip body', async () => {
    server.set('/gzip-bad', { headers: { 'content-encoding': 'gzip' }, body: 'this is not gzip at all' });
    const err = await fetchError(makeFetcher(), { url: `${server.origin}/gzip-bad` });
    expect(err.code).toBe('bad-encoding');
    expect(err.message).toMatch(/damaged/);
  });

  it('throws bad-encoding for an unknown content coding', async () => {
    server.set('/zstd', { headers: { 'content-encoding': 'zstd' }, body: 'xx' });
    const err = await fetchError(makeFetcher(), { url: `${server.origin}/zstd` });
    expect(err.code).toBe('bad-encoding');
    expect(err.message).toContain('zstd');
  });
});

describe('createFetcher: size cap', () => {
  it('accepts a body of exactly the cap', async () => {
    server.set('/exact', { body: Buffer.alloc(cap, 0x61) });
    const res = await makeFetcher().fetch({ url: `${server.origin}/exact` });
    expect(res.body.length).toBe(cap);
  });

  it('refuses at once when Content-Length exceeds the cap, without waiting for the body', async () => {
    server.set('/huge-declared', (_req, res) => {
      // Announces a big body and then sends nothing: only an early refusal ends before the deadline.
      res.writeHead(200, { 'content-length': String(cap + 1) });
      res.flushHeaders();
    });
    const err = await fetchError(makeFetcher({ timeoutMs: 5_000 }), { url: `${server.origin}/huge-declared` });
    expect(err.code).toBe('too-large');
    expect(err.message).toContain('64 KB');
  });

  it('refuses a chunked body that grows past the cap', async () => {
    server.set('/huge-chunked', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write(Buffer.alloc(cap, 0x61));
      res.end(Buffer.alloc(1, 0x61));
    });
    const err = await fetchError(makeFetcher(), { url: `${server.origin}/huge-chunked` });
    expect(err.code).toBe('too-large');
  });

  it('applies the cap to error pages too', async () => {
    server.set('/huge-500', { status: 500, body: Buffer.alloc(cap + 100, 0x61) });
    expect((await fetchError(makeFetcher(), { url: `${server.origin}/huge-500` })).code).toBe('too-large');
  });

  it('uses the request maxBytes over the configured cap', async () => {
    server.set('/small-cap', { body: Buffer.alloc(200, 0x61) });
    const fetcher = makeFetcher();
    expect((await fetchError(fetcher, { url: `${server.origin}/small-cap`, maxBytes: 100 })).code).toBe('too-large');
    expect((await fetcher.fetch({ url: `${server.origin}/small-cap`, maxBytes: 200 })).body.length).toBe(200);
  });

  it('stops a gzip bomb at the cap and keeps memory far below its size', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(cap);
    server.set('/bomb', { headers: { 'content-encoding': 'gzip', 'content-length': String(bomb.length) }, body: bomb });
    const before = process.memoryUsage().arrayBuffers;
    const err = await fetchError(makeFetcher(), { url: `${server.origin}/bomb` });
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(err.code).toBe('too-large');
    expect(grown).toBeLessThan(20 * 1024 * 1024);
  });

  it('stops an endless gzip stream at the cap instead of reading until the deadline', async () => {
    server.set('/endless-gzip', (_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      const zeros = new Readable({ read() { this.push(Buffer.alloc(64 * 1024)); } });
      const gzip = zlib.createGzip();
      zeros.pipe(gzip).pipe(res);
      res.on('close', () => zeros.destroy());
    });
    const err = await fetchError(makeFetcher({ timeoutMs: 10_000 }), { url: `${server.origin}/endless-gzip` });
    expect(err.code).toBe('too-large');
  });
});

describe('createFetcher: timeouts and aborts', () => {
  it('times out when no headers arrive and says so', async () => {
    server.set('/no-headers', () => {});
    const err = await fetchError(makeFetcher({ headersTimeoutMs: 200 }), { url: `${server.origin}/no-headers` });
    expect(err.code).toBe('timeout');
    expect(err.message).toBe('no answer within 0.2 s');
    expect(err.url).toBe(`${server.origin}/no-headers`);
  });

  it('times out on a slow endless body with the total deadline', async () => {
    server.set('/trickle', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const timer = setInterval(() => res.write('<item/>'), 20);
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    const err = await fetchError(makeFetcher({ timeoutMs: 400 }), { url: `${server.origin}/trickle` });
    expect(err.code).toBe('timeout');
    expect(err.message).toBe('body not complete within 0.4 s');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('times out when Content-Length promises more than the server ever sends', async () => {
    server.set('/short-open', (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only ten b');
    });
    const err = await fetchError(makeFetcher({ timeoutMs: 300 }), { url: `${server.origin}/short-open` });
    expect(err.code).toBe('timeout');
  });

  it('stops with aborted when the caller aborts', async () => {
    server.set('/abort-me', () => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await fetchError(makeFetcher(), { url: `${server.origin}/abort-me`, signal: controller.signal });
    expect(err.code).toBe('aborted');
  });

  it('does not send anything when the signal is already aborted', async () => {
    server.set('/pre-aborted', { body: 'x' });
    const err = await fetchError(makeFetcher(), { url: `${server.origin}/pre-aborted`, signal: AbortSignal.abort() });
    expect(err.code).toBe('aborted');
    expect(server.hitCount('/pre-aborted')).toBe(0);
  });
});

describe('createFetcher: broken connections', () => {
  it('turns a reset mid-body into a FetchError and keeps working', async () => {
    server.set('/reset', (req, res) => {
      res.writeHead(200, { 'content-length': '10000' });
      res.write('<rss><channel>');
      setTimeout(() => req.socket.destroy(), 20);
    });
    server.set('/after-reset', { body: 'still here' });
    const fetcher = makeFetcher();
    const err = await fetchError(fetcher, { url: `${server.origin}/reset` });
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/connection/);
    expect((await fetcher.fetch({ url: `${server.origin}/after-reset` })).body.toString()).toBe('still here');
  });

  it('turns a reset mid-gzip-body into network, not bad-encoding', async () => {
    const gz = zlib.gzipSync(Buffer.alloc(20_000, 0x61));
    server.set('/reset-gzip', (req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(gz.length) });
      res.write(gz.subarray(0, 20));
      setTimeout(() => req.socket.destroy(), 20);
    });
    expect((await fetchError(makeFetcher(), { url: `${server.origin}/reset-gzip` })).code).toBe('network');
  });

  it('returns only the announced bytes when Content-Length is shorter than the body', async () => {
    server.set('/long-body', (_req, res) => {
      res.writeHead(200, { 'content-length': '5' });
      res.end('hello and more bytes than announced');
    });
    const res = await makeFetcher().fetch({ url: `${server.origin}/long-body` });
    expect(res.body.toString()).toBe('hello');
  });

  it('reports a refused connection as connect', async () => {
    const gone = await startFixtureServer();
    const url = `${gone.origin}/`;
    await gone.close();
    const err = await fetchError(makeFetcher(), { url });
    expect(err.code).toBe('connect');
    expect(err.message).toContain('refused the connection');
  });

  it('reports an unknown host name as dns', async () => {
    const lookup: LookupFunction = (hostname, _options, callback) => {
      const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
        code: 'ENOTFOUND',
        syscall: 'getaddrinfo',
        hostname,
      });
      callback(err, '', undefined);
    };
    const err = await fetchError(makeFetcher({ lookup }), { url: 'http://no-such-blog.invalid/feed/' });
    expect(err.code).toBe('dns');
    expect(err.message).toBe('the name no-such-blog.invalid could not be found (DNS)');
  });
});

describe('createFetcher: redirects', () => {
  it('follows a chain within the limit and reports every hop with its status', async () => {
    server.set('/r1', { status: 301, headers: { location: `${server.origin}/r2` } });
    server.set('/r2', { status: 302, headers: { location: `${server.origin}/r3` } });
    server.set('/r3', { status: 307, headers: { location: `${server.origin}/r4` } });
    server.set('/r4', { status: 308, headers: { location: `${server.origin}/final` } });
    server.set('/final', { body: 'arrived' });
    const res = await makeFetcher().fetch({ url: `${server.origin}/r1` });
    expect(res.body.toString()).toBe('arrived');
    expect(res.url).toBe(`${server.origin}/final`);
    expect(res.requestedUrl).toBe(`${server.origin}/r1`);
    expect(res.redirects).toEqual([
      { from: `${server.origin}/r1`, to: `${server.origin}/r2`, status: 301 },
      { from: `${server.origin}/r2`, to: `${server.origin}/r3`, status: 302 },
      { from: `${server.origin}/r3`, to: `${server.origin}/r4`, status: 307 },
      { from: `${server.origin}/r4`, to: `${server.origin}/final`, status: 308 },
    ]);
  });

  it('follows exactly maxRedirects hops and refuses one more', async () => {
    for (let i = 0; i < 6; i++) server.set(`/hop${i}`, { status: 302, headers: { location: `/hop${i + 1}` } });
    server.set('/hop6', { body: 'end' });
    const fetcher = makeFetcher({ maxRedirects: 5 });
    const five = await fetcher.fetch({ url: `${server.origin}/hop1` });
    expect([five.body.toString(), five.redirects.length]).toEqual(['end', 5]);
    const err = await fetchError(fetcher, { url: `${server.origin}/hop0` });
    expect(err.code).toBe('too-many-redirects');
    expect(server.hitCount('/hop6')).toBe(1);
  });

  it('ends a redirect loop as too-many-redirects', async () => {
    server.set('/loop-a', { status: 302, headers: { location: '/loop-b' } });
    server.set('/loop-b', { status: 302, headers: { location: '/loop-a' } });
    const err = await fetchError(makeFetcher({ maxRedirects: 20 }), { url: `${server.origin}/loop-a` });
    expect(err.code).toBe('too-many-redirects');
    expect(err.message).toContain('loop');
    expect(server.hitCount('/loop-a')).toBe(1);
  });

  it('resolves relative Location headers against the current URL', async () => {
    server.set('/blog/2008/post/', { status: 301, headers: { location: '../feed/?x=1' } });
    server.set('/blog/2008/feed/', { status: 302, headers: { location: 'atom' } });
    server.set('/blog/2008/feed/atom', { status: 302, headers: { location: '//' + server.origin.slice(7) + '/done' } });
    server.set('/done', { body: 'ok' });
    const res = await makeFetcher().fetch({ url: `${server.origin}/blog/2008/post/` });
    expect(res.redirects.map((r) => r.to)).toEqual([
      `${server.origin}/blog/2008/feed/?x=1`,
      `${server.origin}/blog/2008/feed/atom`,
      `${server.origin}/done`,
    ]);
    expect(res.body.toString()).toBe('ok');
  });

  it('switches a POST to GET without body on 303, and on 301', async () => {
    server.set('/post-303', { status: 303, headers: { location: '/echo' } });
    server.set('/post-301', { status: 301, headers: { location: '/echo' } });
    server.set('/echo', (req, res, body) => {
      res.end(`${req.method} ${req.headers['content-type'] ?? '-'} [${body.toString()}]`);
    });
    const fetcher = makeFetcher();
    for (const path of ['/post-303', '/post-301']) {
      const res = await fetcher.fetch({ url: `${server.origin}${path}`, method: 'POST', body: 'a=1', contentType: 'application/x-www-form-urlencoded' });
      expect(res.body.toString()).toBe('GET - []');
    }
  });

  it('keeps method and body on 307 and 308', async () => {
    server.set('/post-307', { status: 307, headers: { location: '/echo-keep' } });
    server.set('/post-308', { status: 308, headers: { location: '/echo-keep' } });
    server.set('/echo-keep', (req, res, body) => void res.end(`${req.method} [${body.toString()}]`));
    const fetcher = makeFetcher();
    for (const path of ['/post-307', '/post-308']) {
      const res = await fetcher.fetch({ url: `${server.origin}${path}`, method: 'POST', body: 'a=1', contentType: 'text/plain' });
      expect(res.body.toString()).toBe('POST [a=1]');
    }
  });

  it('drops Authorization when a redirect leaves the origin', async () => {
    server.set('/auth-away', { status: 302, headers: { location: `${other.origin}/auth-seen` } });
    other.set('/auth-seen', (req, res) => void res.end(String(req.headers['authorization'] ?? 'none')));
    server.set('/auth-stay', { status: 302, headers: { location: '/auth-here' } });
    server.set('/auth-here', (req, res) => void res.end(String(req.headers['authorization'] ?? 'none')));
    const fetcher = makeFetcher();
    const headers = { Authorization: 'Bearer secret' };
    expect((await fetcher.fetch({ url: `${server.origin}/auth-away`, headers })).body.toString()).toBe('none');
    expect((await fetcher.fetch({ url: `${server.origin}/auth-stay`, headers })).body.toString()).toBe('Bearer secret');
  });

  it('returns a 3xx without Location as an answer', async () => {
    server.set('/no-location', { status: 302, body: 'nowhere' });
    const res = await makeFetcher().fetch({ url: `${server.origin}/no-location` });
    expect([res.status, res.redirects.length]).toEqual([302, 0]);
  });

  it.each([
    ['ftp://example.org/feed', 'unsupported-scheme'],
    ['file:///etc/passwd', 'unsupported-scheme'],
    ['http://user:pw@example.org/', 'credentials-in-url'],
    ['http://[oops/', 'redirect-invalid'],
  ])('refuses a redirect to %s', async (location, code) => {
    const path = `/bad-redirect-${encodeURIComponent(location)}`;
    server.set(path, { status: 302, headers: { location } });
    const err = await fetchError(makeFetcher(), { url: `${server.origin}${path}` });
    expect(err.code).toBe(code);
    expect(err.message).toMatch(/redirects to/);
  });
});

describe('createFetcher: address guard', () => {
  it('refuses a loopback literal when private networks are off, sending nothing', async () => {
    server.set('/literal', { body: 'secret' });
    const fetcher = makeFetcher({ allowPrivateNetworks: false });
    const before = server.hitCount('/literal');
    for (const host of ['127.0.0.1', '0x7f.1', '2130706433', '127.1']) {
      const err = await fetchError(fetcher, { url: `http://${host}:${server.port}/literal` });
      expect(err.code).toBe('blocked-address');
    }
    expect(server.hitCount('/literal')).toBe(before);
  });

  it('refuses localhost at connect time, after DNS', async () => {
    server.set('/via-name', { body: 'secret' });
    const err = await fetchError(makeFetcher({ allowPrivateNetworks: false }), {
      url: `http://localhost:${server.port}/via-name`,
    });
    expect(err.code).toBe('blocked-address');
    expect(err.message).toMatch(/^refused to connect to private address (127\.0\.0\.1|::1) \(loopback/);
    expect(err.url).toBe(`http://localhost:${server.port}/via-name`);
    expect(server.hitCount('/via-name')).toBe(0);
  });

  it('refuses a name that resolves to a private address', async () => {
    const lookup = fakeLookup({ 'intranet.example': [{ address: '10.0.0.1', family: 4 }] });
    const err = await fetchError(makeFetcher({ allowPrivateNetworks: false, lookup }), {
      url: 'http://intranet.example/feed/',
    });
    expect(err.code).toBe('blocked-address');
    expect(err.message).toBe(
      'refused to connect to private address 10.0.0.1 (private network): intranet.example resolves there',
    );
  });

  it('connects through the injected resolver when private networks are allowed', async () => {
    server.set('/resolved', (req, res) => void res.end(String(req.headers.host)));
    const lookup = fakeLookup({ 'blog.example': [{ address: '127.0.0.1', family: 4 }] });
    const res = await makeFetcher({ allowPrivateNetworks: true, lookup }).fetch({
      url: `http://blog.example:${server.port}/resolved`,
    });
    expect(res.body.toString()).toBe(`blog.example:${server.port}`);
  });

  it('allows loopback when private networks are allowed', async () => {
    server.set('/allowed', { body: 'welcome' });
    const fetcher = makeFetcher({ allowPrivateNetworks: true });
    expect((await fetcher.fetch({ url: `${server.origin}/allowed` })).body.toString()).toBe('welcome');
    expect((await fetcher.fetch({ url: `http://localhost:${server.port}/allowed` })).body.toString()).toBe('welcome');
  });

  it('allows IPv6 loopback only when private networks are allowed', async (ctx) => {
    let v6: FixtureServer;
    try {
      v6 = await startFixtureServer({ '/six': { body: 'over ipv6' } }, { host: '::1' });
    } catch {
      skipOptional(ctx, '::1 is not available on this machine');
    }
    try {
      expect((await makeFetcher().fetch({ url: `${v6.origin}/six` })).body.toString()).toBe('over ipv6');
      const err = await fetchError(makeFetcher({ allowPrivateNetworks: false }), { url: `${v6.origin}/six` });
      expect(err.code).toBe('blocked-address');
    } finally {
      await v6.close();
    }
  });

  it('allows exactly the allowed origin and not another port or host name', async () => {
    server.set('/demo-feed', { body: 'fixture blog' });
    other.set('/demo-feed', { body: 'other blog' });
    const fetcher = makeFetcher({ allowPrivateNetworks: false, allowedOrigins: [`${server.origin}/`] });
    expect((await fetcher.fetch({ url: `${server.origin}/demo-feed` })).body.toString()).toBe('fixture blog');
    expect((await fetchError(fetcher, { url: `${other.origin}/demo-feed` })).code).toBe('blocked-address');
    const viaName = await fetchError(fetcher, { url: `http://localhost:${server.port}/demo-feed` });
    expect(viaName.code).toBe('blocked-address');
    expect(other.hitCount('/demo-feed')).toBe(0);
  });

  it('refuses a redirect from an allowed origin to another private address', async () => {
    other.set('/internal', { body: 'internal' });
    server.set('/to-internal', { status: 302, headers: { location: `${other.origin}/internal` } });
    server.set('/to-internal-by-name', { status: 302, headers: { location: `http://localhost:${other.port}/internal` } });
    const fetcher = makeFetcher({ allowPrivateNetworks: false, allowedOrigins: [server.origin] });
    const literal = await fetchError(fetcher, { url: `${server.origin}/to-internal` });
    expect(literal.code).toBe('blocked-address');
    expect(literal.message).toContain('refused to connect to private address 127.0.0.1');
    const byName = await fetchError(fetcher, { url: `${server.origin}/to-internal-by-name` });
    expect(byName.code).toBe('blocked-address');
    expect(other.hitCount('/internal')).toBe(0);
    expect(server.hitCount('/to-internal')).toBe(1);
  });

  it.each([
    ['file:///etc/passwd', 'unsupported-scheme'],
    ['ftp://example.org/feed.xml', 'unsupported-scheme'],
    ['javascript:alert(1)', 'unsupported-scheme'],
    ['data:application/rss+xml,<rss/>', 'unsupported-scheme'],
    ['http://user:pass@example.org/feed/', 'credentials-in-url'],
    ['not a url', 'invalid-url'],
  ])('refuses %s', async (url, code) => {
    const err = await fetchError(makeFetcher({ allowPrivateNetworks: true }), { url });
    expect(err.code).toBe(code);
    expect(err.url).toBeTruthy();
  });
});

describe('createFetcher: per-host concurrency', () => {
  function countConcurrency(target: FixtureServer, path: string) {
    const seen = { now: 0, max: 0, total: 0 };
    target.set(path, async (_req, res) => {
      seen.now += 1;
      seen.total += 1;
      seen.max = Math.max(seen.max, seen.now);
      await sleep(60);
      seen.now -= 1;
      res.end('ok');
    });
    return seen;
  }

  it('keeps at most perHostConcurrency requests in flight per host and queues the rest', async () => {
    const seen = countConcurrency(server, '/count');
    const fetcher = makeFetcher({ perHostConcurrency: 2 });
    const results = await Promise.all(Array.from({ length: 7 }, () => fetcher.fetch({ url: `${server.origin}/count` })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(seen.total).toBe(7);
    expect(seen.max).toBe(2);
  });

  it('limits each host:port on its own', async () => {
    const seen = countConcurrency(server, '/count-two-names');
    const fetcher = makeFetcher({ perHostConcurrency: 1 });
    const urls = [server.origin, `http://localhost:${server.port}`].flatMap((o) => [o, o]).map((o) => `${o}/count-two-names`);
    await Promise.all(urls.map((url) => fetcher.fetch({ url })));
    expect(seen.max).toBe(2);
  });

  it('frees the slot after a failure', async () => {
    server.set('/fail-then', { body: Buffer.alloc(cap + 1) });
    server.set('/ok-then', { body: 'fine' });
    const fetcher = makeFetcher({ perHostConcurrency: 1 });
    expect((await fetchError(fetcher, { url: `${server.origin}/fail-then` })).code).toBe('too-large');
    expect((await fetcher.fetch({ url: `${server.origin}/ok-then` })).body.toString()).toBe('fine');
  });

  it('lets a queued request leave the queue when aborted', async () => {
    server.set('/hold', async (_req, res) => {
      await sleep(300);
      res.end('held');
    });
    const fetcher = makeFetcher({ perHostConcurrency: 1 });
    const holder = fetcher.fetch({ url: `${server.origin}/hold` });
    const controller = new AbortController();
    const queued = fetchError(fetcher, { url: `${server.origin}/hold`, signal: controller.signal });
    await sleep(30);
    controller.abort();
    const started = Date.now();
    expect((await queued).code).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(200);
    expect((await holder).body.toString()).toBe('held');
  });
});

describe('createHostLimiter', () => {
  it('hands slots over in order and forgets idle hosts', async () => {
    const limiter = createHostLimiter(1);
    const order: string[] = [];
    const first = await limiter.acquire('a:80');
    const second = limiter.acquire('a:80').then((release) => {
      order.push('second');
      return release;
    });
    const third = limiter.acquire('a:80').then((release) => {
      order.push('third');
      return release;
    });
    const elsewhere = await limiter.acquire('b:80');
    order.push('elsewhere');
    first();
    (await second)();
    (await third)();
    elsewhere();
    expect(order).toEqual(['elsewhere', 'second', 'third']);
    expect(limiter.activeKeys()).toEqual([]);
  });

  it('removes an aborted waiter and ignores a second release', async () => {
    const limiter = createHostLimiter(1);
    const release = await limiter.acquire('a:80');
    const controller = new AbortController();
    const waiting = limiter.acquire('a:80', controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    release();
    release();
    expect(limiter.activeKeys()).toEqual([]);
    const again = await limiter.acquire('a:80');
    again();
    expect(limiter.activeKeys()).toEqual([]);
  });
});

type Entry = { address: string; family: number };

function fakeLookup(table: Record<string, Entry[]>): LookupFunction {
  return (hostname, options, callback) => {
    const entries = table[hostname];
    if (!entries) {
      callback(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }), '', undefined);
      return;
    }
    if (options.all) callback(null, entries);
    else callback(null, entries[0]!.address, entries[0]!.family);
  };
}

function lookupOnce(lookup: LookupFunction, hostname: string, options: dns.LookupOptions) {
  return new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family: number | undefined }>((resolve) =>
    lookup(hostname, options, (err, address, family) => resolve({ err, address, family })),
  );
}

describe('createGuardedLookup', () => {
  const table = fakeLookup({
    'mixed.example': [
      { address: '10.0.0.1', family: 4 },
      { address: '93.184.216.34', family: 4 },
      { address: '2606:4700::1', family: 6 },
    ],
    'private.example': [
      { address: '192.168.0.10', family: 4 },
      { address: 'fd00::10', family: 6 },
    ],
  });
  const guarded = createGuardedLookup(table, (ip) => isPublicAddress(ip));

  it('answers {all: true} with only the public addresses', async () => {
    const { err, address } = await lookupOnce(guarded, 'mixed.example', { all: true });
    expect(err).toBeNull();
    expect(address).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:4700::1', family: 6 },
    ]);
  });

  it('answers a single-address lookup with the first public address', async () => {
    const { err, address, family } = await lookupOnce(guarded, 'mixed.example', {});
    expect(err).toBeNull();
    expect([address, family]).toEqual(['93.184.216.34', 4]);
  });

  it('refuses a name with only private addresses, in both forms', async () => {
    for (const options of [{ all: true }, {}]) {
      const { err } = await lookupOnce(guarded, 'private.example', options);
      expect(err).toBeInstanceOf(FetchError);
      expect((err as FetchError).code).toBe('blocked-address');
      expect(err?.message).toContain('192.168.0.10');
    }
  });

  it('passes DNS errors through', async () => {
    const { err } = await lookupOnce(guarded, 'missing.example', { all: true });
    expect(err?.code).toBe('ENOTFOUND');
  });

  it('works over the real resolver for localhost', async () => {
    const real = createGuardedLookup(dns.lookup as unknown as LookupFunction, (ip) => isPublicAddress(ip));
    const { err } = await lookupOnce(real, 'localhost', { all: true });
    expect((err as FetchError | null)?.code).toBe('blocked-address');
  });
});
