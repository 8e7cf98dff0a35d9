// Compressed answers on the demo debate: the pages, feeds and static files Palaver keeps, compressed
// once per rendering and validated by a weak ETag; everything else compressed per request; never
// an operator's session, and never a request body inflated.
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { debateSlugs } from '../../src/demo/debate.ts';
import { startDemoDebate, type DemoDebate } from '../support/demo-debate.ts';

const adminToken = 'a-token-for-the-compression-tests';
let d: DemoDebate;

beforeAll(async () => {
  // One instant for the whole file: answers asked for one after another compare equal only if a
  // second passing between them changes no "1 second ago" or "in 60 minutes" on the page.
  const at = new Date();
  d = await startDemoDebate({ adminToken }, { now: () => at });
});

afterAll(async () => {
  await d?.close();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const get = (url: string, headers: Record<string, string> = {}) => d.t.app.inject({ method: 'GET', url, headers });

function decoded(res: Awaited<ReturnType<typeof get>>): string {
  const body = res.rawPayload;
  const coding = res.headers['content-encoding'];
  if (coding === 'br') return zlib.brotliDecompressSync(body).toString('utf8');
  if (coding === 'gzip') return zlib.gunzipSync(body).toString('utf8');
  expect(coding).toBeUndefined();
  return body.toString('utf8');
}

describe('compressed answers', () => {
  it('sends a conversation page as brotli or gzip as asked, the same page, with a weak ETag that revalidates it', async () => {
    const url = `/c/${d.conversationId}`;
    const plain = await get(url);
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Language, Cookie, Accept-Encoding');
    const etag = String(plain.headers.etag);
    expect(etag).toMatch(/^"/);

    const br = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Language, Cookie, Accept-Encoding');
    expect(br.headers.etag).toBe(`W/${etag}`);
    expect(Number(br.headers['content-length'])).toBe(br.rawPayload.length);
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
    expect(decoded(br)).toBe(plain.payload);

    const gzip = await get(url, { 'accept-encoding': 'gzip;q=1, br;q=0.5' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(decoded(gzip)).toBe(plain.payload);

    for (const identity of ['identity', 'br;q=0, gzip;q=0', 'compress']) {
      expect((await get(url, { 'accept-encoding': identity })).headers['content-encoding'], identity).toBeUndefined();
    }

    // A browser keeps the weak ETag of the compressed page and sends it back.
    const again = await get(url, { 'accept-encoding': 'br', 'if-none-match': `W/${etag}` });
    expect(again.statusCode).toBe(304);
    expect(again.headers.etag).toBe(`W/${etag}`);
    expect(again.headers.vary).toContain('Accept-Encoding');
    expect((await get(url, { 'if-none-match': etag })).statusCode).toBe(304);
  });

  it('compresses a kept page once per rendering, not once per reader', async () => {
    const url = `/c/${d.conversationId}?view=thread`;
    const spy = vi.spyOn(zlib, 'brotliCompress');
    const first = await get(url, { 'accept-encoding': 'br' });
    const second = await get(url, { 'accept-encoding': 'br' });
    expect(first.headers['content-encoding']).toBe('br');
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('sends the feeds and the stylesheet compressed, and answers their weak ETags with 304', async () => {
    for (const url of ['/feed.atom', `/c/${d.conversationId}/feed.json`, '/assets/palaver.css']) {
      const plain = await get(url);
      expect(plain.statusCode, url).toBe(200);
      const gzip = await get(url, { 'accept-encoding': 'gzip' });
      expect(gzip.headers['content-encoding'], url).toBe('gzip');
      expect(gzip.headers.vary, url).toContain('Accept-Encoding');
      expect(decoded(gzip), url).toBe(plain.payload);
      expect(gzip.headers.etag, url).toBe(`W/${String(plain.headers.etag)}`);
      expect((await get(url, { 'accept-encoding': 'gzip', 'if-none-match': String(gzip.headers.etag) })).statusCode, url).toBe(304);
    }
  });

  it('compresses what a route sends without keeping it: the registry page and the JSON API', async () => {
    for (const url of ['/blogs', `/api/conversations/${d.conversationId}`]) {
      const plain = await get(url);
      const br = await get(url, { 'accept-encoding': 'br' });
      expect(br.headers['content-encoding'], url).toBe('br');
      expect(decoded(br), url).toBe(plain.payload);
    }
    // A small answer goes as it is.
    const health = await get('/health', { 'accept-encoding': 'br' });
    expect(health.rawPayload.length).toBeLessThan(1024);
    expect(health.headers['content-encoding']).toBeUndefined();
  });

  it("never compresses an operator's session, whose pages carry its CSRF token", async () => {
    const login = await d.t.app.inject({ method: 'POST', url: '/admin/login', payload: { token: adminToken } });
    expect(login.statusCode).toBe(303);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    for (const url of ['/admin?done=Gespeichert', '/blogs', `/c/${d.conversationId}`, '/feed.atom']) {
      const res = await get(url, { cookie, 'accept-encoding': 'gzip, br' });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-encoding'], url).toBeUndefined();
    }
    expect((await get('/admin', { cookie })).payload).toContain('name="csrf"');
  });

  it('takes a request body as sent: a gzip-encoded ping is not inflated', async () => {
    const form = (source: string) => `source=${encodeURIComponent(source)}&target=${encodeURIComponent(d.demo.permalink('sachar', debateSlugs.sachar))}`;
    const send = (payload: string | Buffer, headers: Record<string, string> = {}) =>
      d.t.app.inject({ method: 'POST', url: '/webmention', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload });
    // The same form as it is is taken: the encoded one fails only for its encoding.
    expect((await send(form('http://127.0.0.1:9/plain'))).statusCode).toBe(201);
    expect((await send(zlib.gzipSync(form('http://127.0.0.1:9/gzipped')), { 'content-encoding': 'gzip' })).statusCode).toBe(400);
  });
});
