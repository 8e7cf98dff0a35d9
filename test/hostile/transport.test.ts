// Transport faults through the whole pipeline: a registered blog whose feed turns hostile is
// polled by the real poller, and discovery (POST /api/blogs) meets the same answer. The status
// API must say what went wrong in plain words, the entries of the earlier good poll stay, memory
// stays bounded and /health keeps answering.
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultServer, type FaultServer } from './fault-server.ts';
import { expectMemoryBound, expectPlainWords, whileServing } from './expect.ts';
import { createWorld, measurePeakRss, type World } from './world.ts';

let faults: FaultServer;
const maxBodyBytes = 5 * 1024 * 1024;

beforeAll(async () => {
  faults = await startFaultServer({ maxBodyBytes });
});
afterAll(async () => {
  await faults.close();
});

interface TransportCase {
  fault: string;
  /** What the blog's last error must say. */
  error: RegExp;
  /** What discovery must say when the pasted address answers so; null when that makes no sense. */
  discovery: RegExp | null;
  status?: 'failing' | 'disabled';
  /** Peak RSS growth allowed while polling, in MB (for the cases that try to exhaust memory). */
  memoryBoundMb?: number;
}

const cases: TransportCase[] = [
  { fault: 'slow-headers', error: /no answer within 1 s/, discovery: /Could not reach 127\.0\.0\.1:\d+: no answer within 1 s/ },
  { fault: 'slow-body', error: /body not complete within 1\.5 s/, discovery: /body not complete within 1\.5 s/ },
  { fault: 'endless-chunked', error: /larger than the limit of 5 MB/, discovery: /larger than the limit of 5 MB/, memoryBoundMb: 96 },
  { fault: 'over-cap-with-length', error: /larger than the limit of 5 MB/, discovery: /larger than the limit of 5 MB/, memoryBoundMb: 64 },
  { fault: 'over-cap-chunked', error: /larger than the limit of 5 MB/, discovery: /larger than the limit of 5 MB/, memoryBoundMb: 96 },
  { fault: 'lying-length-longer', error: /cut short|did not match its announced length|closed the connection/, discovery: /cut short|announced length|closed the connection/ },
  { fault: 'lying-length-shorter', error: /the feed could not be read/, discovery: /could not be read|No feed found/ },
  { fault: 'gzip-bomb', error: /larger than the limit of 5 MB/, discovery: /larger than the limit of 5 MB/, memoryBoundMb: 96 },
  { fault: 'reset-mid-body', error: /reset the connection|closed the connection/, discovery: /reset the connection|closed the connection/ },
  { fault: 'redirect-loop', error: /redirects in a loop/, discovery: /redirects in a loop/ },
  { fault: 'redirect-chain', error: /gave up after 5 redirects/, discovery: /gave up after 5 redirects/ },
  { fault: 'status-410', error: /gone for good \(410\)/, discovery: /answered with status 410/, status: 'disabled' },
  { fault: 'status-401', error: /needs a login \(401\)/, discovery: /answered with status 401/ },
  { fault: 'status-403', error: /refuses Palaver access \(403\)/, discovery: /answered with status 403/ },
  { fault: 'status-500', error: /internal error \(500\)/, discovery: /answered with status 500/ },
  { fault: 'status-502', error: /gateway failed \(502\)/, discovery: /answered with status 502/ },
  { fault: 'status-503', error: /unavailable \(503\)/, discovery: /answered with status 503/ },
  { fault: 'retry-after-seconds', error: /slow down \(429\)/, discovery: /answered with status 429/ },
  { fault: 'retry-after-date', error: /slow down \(429\)/, discovery: /answered with status 429/ },
  { fault: 'challenge-page-200', error: /HTML page|not a feed/i, discovery: /No feed found/ },
  { fault: 'challenge-page-403', error: /refuses Palaver access \(403\)/, discovery: /answered with status 403/ },
];

describe('transport', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld(faults);
  });
  afterAll(async () => {
    await world.close();
  });

  describe.each(cases)('$fault', (c) => {
    it('poller: the blog shows the error, keeps its entries, and the service answers', async (ctx) => {
      const name = `t-${c.fault}`;
      const { id } = await world.registerGoodBlog(name);
      faults.setFeed(name, c.fault);
      const { value: summary, peakDeltaMb } = await measurePeakRss(() => whileServing(world, () => world.pollAll()));
      expect(summary.crashed).toBe(0);
      const blog = await world.blog(id);
      expect(blog.status).toBe(c.status ?? 'failing');
      expectPlainWords(blog.lastError, c.error);
      expect(blog.entryCount).toBe(3);
      if (c.memoryBoundMb) expectMemoryBound(ctx, peakDeltaMb, c.memoryBoundMb);
      await world.expectHealthy();
      // The next good answer heals the blog (410 stopped it for good, so it stays stopped).
      faults.setFeed(name, 'good');
      await world.pollAll();
      const healed = await world.blog(id);
      expect(healed.entryCount).toBe(3);
      if (c.status !== 'disabled') expect(healed.status).toBe('active');
    });

    // Only faults that break discovery have a discovery case.
    if (c.discovery !== null) it('discovery: registration refuses the address with the reason', async (ctx) => {
      const { value: res, peakDeltaMb } = await measurePeakRss(() =>
        whileServing(world, () => world.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${faults.origin}/fault/${c.fault}` } })),
      );
      expect(res.statusCode).toBe(422);
      const body = res.json<{ error: { code: string; message: string } }>();
      expectPlainWords(body.error.message, c.discovery!);
      if (c.memoryBoundMb) expectMemoryBound(ctx, peakDeltaMb, c.memoryBoundMb);
      await world.expectHealthy();
    });
  });

  it('429 with Retry-After in seconds: the next check waits at least that long', async () => {
    const name = 't-ra-seconds-wait';
    const { id } = await world.registerGoodBlog(name);
    faults.setFeed(name, 'retry-after-seconds');
    const before = Date.now();
    await world.pollAll();
    const blog = await world.blog(id);
    expect(Date.parse(blog.nextCheckAt!) - before).toBeGreaterThanOrEqual(7200 * 1000 - 5000);
  });

  it('429 with Retry-After as an HTTP date: the next check waits until then', async () => {
    const name = 't-ra-date-wait';
    const { id } = await world.registerGoodBlog(name);
    faults.setFeed(name, 'retry-after-date');
    const before = Date.now();
    await world.pollAll();
    const blog = await world.blog(id);
    expect(Date.parse(blog.nextCheckAt!) - before).toBeGreaterThanOrEqual(3 * 3600 * 1000 - 60_000);
  });

  it('304 without validators keeps the entries and the stored validators, and is no error', async () => {
    const name = 't-304';
    const { id } = await world.registerGoodBlog(name);
    faults.setFeed(name, 'not-modified-without-validators');
    const summary = await world.pollAll();
    expect(summary.notModified).toBeGreaterThanOrEqual(1);
    const blog = await world.blog(id);
    expect(blog.status).toBe('active');
    expect(blog.lastError).toBeNull();
    expect(blog.entryCount).toBe(3);
    // The good poll stored an ETag; the next request still sends it.
    faults.setFeed(name, 'good');
    await world.pollAll();
    const last = faults.hits.filter((h) => h.path === `/blog/${name}/feed`).at(-1);
    expect(last?.headers['if-none-match']).toBe(`"${name}-v1"`);
  });

  it('a redirect chain within the limit is followed to the feed', async () => {
    const name = 't-chain-short';
    const { id } = await world.registerGoodBlog(name);
    faults.setFeed(name, 'redirect-chain-short');
    await world.pollAll();
    const blog = await world.blog(id);
    expect(blog.status).toBe('active');
    expect(blog.entryCount).toBe(3);
  });

  // Loopback has no second network, so "https→http" is simulated with a TLS twin of the fault
  // server on 127.0.0.1 (a self-signed test certificate trusted through NODE_EXTRA_CA_CERTS):
  // the feed redirects to https, which redirects back down to plain http.
  it('https→http: the downgrade is followed with the guard re-applied, and not adopted as the feed address', async (ctx) => {
    if (!(await trustsTestCertificate(faults.tlsOrigin))) {
      ctx.skip('the test certificate is not trusted: run through npm run test:hostile, which sets NODE_EXTRA_CA_CERTS');
    }
    const name = 't-downgrade';
    const { id } = await world.registerGoodBlog(name);
    faults.setFeed(name, 'https-to-http-downgrade');
    const tlsHits = () => faults.hits.filter((h) => h.path.startsWith('/fault/https-to-http-downgrade')).length;
    const before = tlsHits();
    await world.pollAll();
    await world.pollAll();
    expect(tlsHits()).toBe(before + 2);
    const blog = await world.blog(id);
    expect(blog.status).toBe('active');
    expect(blog.entryCount).toBe(3);
    // Two 302 hops: a temporary redirect never moves the feed, so no http:// address replaces it.
    expect(blog.sources.find((s) => s.kind === 'feed')?.url).toBe(faults.feedUrl(name));
  });
});

function trustsTestCertificate(origin: string | null): Promise<boolean> {
  if (!origin) return Promise.resolve(false);
  return new Promise((resolve) => {
    https
      .get(`${origin}/`, (res) => {
        res.resume();
        resolve(true);
      })
      .on('error', () => resolve(false));
  });
}
