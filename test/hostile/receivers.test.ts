// Hostile pings at the receivers (POST /xmlrpc, /trackback/:id, /webmention): bodies that try to
// exhaust the parser, sources that point at private addresses or hostile answers. Every answer
// is in the protocol's own form, nothing is accepted unverified, and the service keeps answering.
// Then the XSS vectors, stored through a feed, must come out harmless in /c/:id and in the API.
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultServer, xssVectors, type FaultServer } from './fault-server.ts';
import { expectMemoryBound, expectPlainWords } from './expect.ts';
import { createWorld, measurePeakRss, type World } from './world.ts';

let faults: FaultServer;
let world: World;
let targetUrl: string;
let targetEntryId: number;

beforeAll(async () => {
  faults = await startFaultServer({ maxBodyBytes: 5 * 1024 * 1024 });
  world = await createWorld(faults, { pings: { perClientPerMinute: 10_000, perSourceHostPerMinute: 10_000 } });
  await world.registerGoodBlog('r-target');
  targetUrl = `${faults.origin}/blog/r-target/post-1/`;
  const list = await world.app.inject({ method: 'GET', url: '/api/conversations?limit=200' });
  for (const c of list.json<{ conversations: { id: number }[] }>().conversations) {
    const res = await world.app.inject({ method: 'GET', url: `/api/conversations/${c.id}` });
    const entry = res.json<{ entries: { id: number; url: string }[] }>().entries.find((e) => e.url === targetUrl);
    if (entry) targetEntryId = entry.id;
  }
  expect(targetEntryId).toBeGreaterThan(0);
});
afterAll(async () => {
  await world.close();
  await faults.close();
});

const call = (method: string, params: string) =>
  `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params}</params></methodCall>`;
const str = (s: string) => `<param><value><string>${s}</string></value></param>`;

async function xmlrpc(body: string | Buffer) {
  return world.app.inject({ method: 'POST', url: '/xmlrpc', headers: { 'content-type': 'text/xml' }, payload: body });
}

function faultCodeOf(xml: string): number | null {
  const m = /<name>faultCode<\/name>\s*<value>\s*<(?:int|i4)>(-?\d+)<\/(?:int|i4)>/.exec(xml);
  return m ? Number(m[1]) : null;
}

describe('receivers', () => {
  const bodies: [string, () => string | Buffer, number[]][] = [
    ['billion laughs', () => `<?xml version="1.0"?><!DOCTYPE methodCall [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 8 }, (_, i) => `<!ENTITY a${i + 1} "${`&a${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]>${call('pingback.ping', str('&a8;') + str(targetUrl))}`, [-32700]],
    ['a DOCTYPE with an external entity', () => `<?xml version="1.0"?><!DOCTYPE methodCall [<!ENTITY x SYSTEM "${faults.origin}/secret">]>${call('pingback.ping', str('&x;') + str(targetUrl))}`, [-32700]],
    ['an external DTD', () => `<?xml version="1.0"?><!DOCTYPE methodCall SYSTEM "${faults.origin}/secret.dtd">${call('pingback.ping', str('x') + str(targetUrl))}`, [-32700]],
    ['deep nesting', () => call('pingback.ping', `<param><value>${'<array><data><value>'.repeat(1400)}x${'</value></data></array>'.repeat(1400)}</value></param>`), [-32700, -32600, -32602]],
    ['__proto__ and constructor members', () => call('pingback.ping', `<param><value><struct><member><name>__proto__</name><value><struct><member><name>polluted</name><value>yes</value></member></struct></value></member><member><name>constructor</name><value>c</value></member></struct></value></param>${str(targetUrl)}`), [-32602]],
    ['a truncated call', () => call('pingback.ping', str('http://example.org/') + str(targetUrl)).slice(0, 80), [-32700]],
    ['not XML at all', () => 'source=http://example.org/&target=x', [-32700]],
    ['bare ampersand', () => call('pingback.ping', str('http://example.org/?a=1&b=2') + str(targetUrl)), [-32700]],
    ['broken CDATA', () => call('pingback.ping', '<param><value><string><![CDATA[x</string></value></param>'), [-32700]],
    ['an unknown method', () => call('system.shell', str('rm -rf /')), [-32601]],
    ['control characters', () => call('pingback.ping', str('http://example.org/\u0001\u0002') + str(targetUrl)), [-32700]],
  ];

  it.each(bodies)('XML-RPC with %s: a fault with HTTP 200, and the service answers', async (_label, body, codes) => {
    const { value: res, peakDeltaMb } = await measurePeakRss(() => xmlrpc(body()));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(codes).toContain(faultCodeOf(res.body));
    expect(peakDeltaMb).toBeLessThan(64);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(faults.hits.some((h) => h.path.startsWith('/secret'))).toBe(false);
    await world.expectHealthy();
  });

  it('XML-RPC over the body limit is refused before parsing', async (ctx) => {
    const { value: res, peakDeltaMb } = await measurePeakRss(() => xmlrpc(call('pingback.ping', str('x'.repeat(2 * 1024 * 1024)) + str(targetUrl))));
    expect([200, 413]).toContain(res.statusCode);
    if (res.statusCode === 200) expect(faultCodeOf(res.body)).toBe(-32700);
    expectMemoryBound(ctx, peakDeltaMb, 64);
    await world.expectHealthy();
  });

  it.each([
    ['a private address', 'http://ten.hostile.test/post/', /private address/],
    ['the cloud metadata address', 'http://169.254.169.254/latest/', /private address/],
  ])('pingback.ping from %s: refused at once with fault 0x10 naming the reason', async (_label, source, reason) => {
    const res = await xmlrpc(call('pingback.ping', str(source) + str(targetUrl)));
    expect(res.statusCode).toBe(200);
    expect(faultCodeOf(res.body), res.body).toBe(0x10);
    expectPlainWords(/<name>faultString<\/name>\s*<value>\s*<string>([^<]*)</.exec(res.body)?.[1], reason);
    await world.expectHealthy();
  });

  // A source over a limit stays over it: the ping is refused at once, naming the limit.
  it('pingback.ping from a gzip bomb: refused (0x10) naming the byte limit, not queued again', async () => {
    const source = `${faults.origin}/fault/gzip-bomb?blog=src`;
    const { value: res, peakDeltaMb } = await measurePeakRss(() => xmlrpc(call('pingback.ping', str(source) + str(targetUrl))));
    expect(res.statusCode).toBe(200);
    expect(faultCodeOf(res.body)).toBe(0x10);
    expect(res.body).toMatch(/larger than the limit of 1 MB/);
    expect(peakDeltaMb).toBeLessThan(96);
    const ping = await world.database.db.selectFrom('pings').selectAll().where('source_url', '=', source).executeTakeFirstOrThrow();
    expect(ping.status).toBe('rejected');
    expectPlainWords(ping.status_reason as string | null, /larger than the limit of 1 MB/);
    await world.expectHealthy();
  });

  // A source that fails in transit may work later: the sender hears "queued", never "registered".
  it.each([['a page that never answers', 'slow-headers', /no answer within|no complete answer/]])('pingback.ping from %s: queued for a later try with the reason kept, not accepted', async (_label, fault, reason) => {
    const source = `${faults.origin}/fault/${fault}?blog=src`;
    const { value: res, peakDeltaMb } = await measurePeakRss(() => xmlrpc(call('pingback.ping', str(source) + str(targetUrl))));
    expect(res.statusCode).toBe(200);
    expect(faultCodeOf(res.body)).toBeNull();
    expect(res.body).toContain('queued for verification');
    expect(peakDeltaMb).toBeLessThan(96);
    const ping = await world.database.db.selectFrom('pings').selectAll().where('source_url', '=', source).executeTakeFirstOrThrow();
    expect(ping.status).toBe('queued');
    expectPlainWords(ping.status_reason as string | null, reason);
    await world.expectHealthy();
  });

  it.each([
    ['a private host name', 'http://metadata.hostile.test/latest/', /private address/],
    ['a 10/8 literal', 'http://10.0.0.1/post', /private address/],
    ['a redirect to loopback', '', /private address/],
  ])('webmention from %s: 201, then rejected with the reason on its status page', async (_label, source, reason) => {
    const from = source || `${faults.origin}/redirect-to/loopback-v4`;
    const res = await world.app.inject({
      method: 'POST',
      url: '/webmention',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ source: from, target: targetUrl }).toString(),
    });
    expect(res.statusCode).toBe(201);
    await world.pingVerifier.runOnce();
    const status = await world.app.inject({ method: 'GET', url: new URL(res.headers.location as string).pathname });
    const body = status.json<{ status: string; reason: string }>();
    expect(body.status, JSON.stringify(body)).toBe('rejected');
    expectPlainWords(body.reason, reason);
  });

  it.each([
    ['a file: source', { source: 'file:///etc/passwd', target: '' }],
    ['a javascript: source', { source: 'javascript:alert(1)', target: '' }],
    ['a source with user:pass@', { source: 'http://user:pw@example.org/', target: '' }],
    ['a target that is not ours', { source: 'http://example.org/a', target: 'http://elsewhere.example/b' }],
    ['source equal to target', { source: '', target: '' }],
  ])('webmention with %s: 400 with a reason', async (_label, form) => {
    const payload = new URLSearchParams({ source: form.source || targetUrl, target: form.target || targetUrl }).toString();
    const res = await world.app.inject({ method: 'POST', url: '/webmention', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload });
    expect(res.statusCode).toBe(400);
    expectPlainWords(res.json<{ error: { message: string } }>().error.message, /./);
  });

  it.each([
    ['a private source', { url: 'http://192.168.0.1/post', title: 't', excerpt: 'e', blog_name: 'b' }, 'text/plain'],
    ['markup everywhere', { url: 'http://oneninetwo.hostile.test/x', title: '<script>alert(1)</script>', excerpt: '<img src=x onerror=alert(1)>', blog_name: '"><svg onload=alert(1)>' }, ''],
  ])('trackback with %s: received, never accepted unverified', async (_label, form) => {
    const res = await world.app.inject({
      method: 'POST',
      url: `/trackback/${targetEntryId}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      payload: new URLSearchParams(form).toString(),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<error>0</error>');
    await world.pingVerifier.runOnce();
    const listing = await world.app.inject({ method: 'GET', url: `/trackback/${targetEntryId}?__mode=rss` });
    expect(listing.body).not.toContain(form.url);
  });

  it.each([
    ['a UTF-7 charset', 'application/x-www-form-urlencoded; charset=utf-7', 'url=http%3A%2F%2Fexample.org%2F&title=%2BADw-script%2BAD4-'],
    ['no url', 'application/x-www-form-urlencoded', 'title=hello'],
    ['a javascript: url', 'application/x-www-form-urlencoded', 'url=javascript%3Aalert(1)'],
  ])('trackback with %s: error 1 with a message', async (_label, type, payload) => {
    const res = await world.app.inject({ method: 'POST', url: `/trackback/${targetEntryId}`, headers: { 'content-type': type }, payload });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/<error>1<\/error>\s*<message>[^<]+<\/message>/);
  });
});

// Attributes that run script or load a document, and schemes that do.
const dangerousAttribute = /^(on|formaction$|srcdoc$|srcset$|style$)/i;
const dangerousUrl = /^\s*(javascript|vbscript|data):/i;

function expectHarmlessHtml(html: string, context: string): void {
  const $ = cheerio.load(html);
  for (const el of $('*').toArray()) {
    if (el.type !== 'tag') continue;
    const name = el.tagName.toLowerCase();
    // Palaver draws its own SVG (the debate map, the home page's small maps), never inside an
    // entry's content; any other <svg> came from a feed. Everything inside is checked like the rest.
    const ownSvg = name === 'svg' && /\b(debate-map-svg|spark)\b/.test(el.attribs.class ?? '') && $(el).closest('.content, .e-content, .excerpt').length === 0;
    if (!ownSvg) expect(['iframe', 'object', 'embed', 'base', 'svg', 'math', 'frame', 'applet'], `${context}: <${name}>`).not.toContain(name);
    // Palaver's own forms (registration, language) post to itself; a foreign one would not.
    if (name === 'form') expect(el.attribs.action ?? '', `${context}: form action`).toMatch(/^\/(?!\/)/);
    if (name === 'script') expect(el.attribs.src ?? '', `${context}: inline script`).toMatch(/^\//);
    if (name === 'meta') expect(el.attribs['http-equiv'] ?? '', `${context}: meta refresh`).not.toMatch(/refresh/i);
    for (const [attr, value] of Object.entries(el.attribs)) {
      if (name !== 'link' && name !== 'meta') expect(attr, `${context}: ${name}[${attr}]`).not.toMatch(dangerousAttribute);
      if (['href', 'src', 'action', 'data', 'poster', 'background', 'cite'].includes(attr)) {
        // Browsers skip control characters and spaces inside a scheme ("jav\tascript:").
        // eslint-disable-next-line no-control-regex
        expect(value.replace(/[\u0000-\u0020]/g, ''), `${context}: ${name}[${attr}]=${value}`).not.toMatch(dangerousUrl);
      }
    }
    if (name === 'a' && /^https?:/.test(el.attribs.href ?? '') && !(el.attribs.href ?? '').startsWith('http://palaver.example')) {
      const rel = (el.attribs.rel ?? '').split(/\s+/);
      for (const r of ['nofollow', 'ugc', 'noopener']) expect(rel, `${context}: outbound link rel`).toContain(r);
    }
  }
}

describe('xss', () => {
  const entries: { id: number; title: string | null; contentHtml: string | null; author: { name: string | null }; url: string | null }[] = [];
  const pages: { id: number; html: string }[] = [];

  beforeAll(async () => {
    const { id } = await world.registerGoodBlog('r-xss');
    faults.setFeed('r-xss', 'xss');
    await world.pollAll();
    expect((await world.blog(id)).entryCount).toBe(3 + xssVectors.length);
    const list = await world.app.inject({ method: 'GET', url: '/api/conversations?limit=200' });
    for (const c of list.json<{ conversations: { id: number }[] }>().conversations) {
      const res = await world.app.inject({ method: 'GET', url: `/api/conversations/${c.id}` });
      const found = res.json<{ entries: (typeof entries)[number][] }>().entries.filter((e) => e.url === null || !e.url.includes('/r-target/'));
      entries.push(...found);
      const page = await world.app.inject({ method: 'GET', url: `/c/${c.id}` });
      expect(page.statusCode).toBe(200);
      pages.push({ id: c.id, html: page.body });
    }
  });

  it.each(xssVectors.map((v, i) => [i, v.html.slice(0, 60)] as const))('vector %i (%s) is harmless in the API’s contentHtml', (i) => {
    const entry = entries.find((e) => e.title === (xssVectors[i]!.title ? undefined : `Vector ${i}`)) ?? entries.find((e) => e.url?.endsWith(`/xss-${i}/`));
    if (xssVectors[i]!.link) {
      // A javascript: link is no permalink: the entry keeps no URL at all.
      expect(entries.some((e) => e.url?.startsWith('javascript:'))).toBe(false);
      return;
    }
    expect(entry, `entry of vector ${i}`).toBeDefined();
    expectHarmlessHtml(entry!.contentHtml ?? '', `vector ${i} contentHtml`);
  });

  it('every conversation page is harmless: no script runs, no handler, no dangerous URL', () => {
    expect(pages.length).toBeGreaterThan(0);
    for (const page of pages) expectHarmlessHtml(page.html, `/c/${page.id}`);
  });

  it('titles and author names with markup are shown as text', () => {
    const page = pages.map((p) => p.html).join('\n');
    expect(page).not.toMatch(/<script>alert|<img src=x onerror|<svg onload/i);
    for (const e of entries) expect(`${e.title ?? ''} ${e.author.name ?? ''}`).not.toMatch(/<script|<img|<svg/i);
  });

  it('the blog list and the blog page are harmless too', async () => {
    for (const url of ['/blogs', '/']) {
      const res = await world.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expectHarmlessHtml(res.body, url);
    }
  });
});
