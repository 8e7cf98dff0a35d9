// Ping sources built to freeze the verifier: megabytes of markup with tens of thousands of small
// h-entries linking the target. Reading them is bounded in bytes, elements, time and memory (in
// worker threads), the service keeps answering meanwhile, and a ping that exhausts a limit is
// rejected naming it, not retried; queued ones survive kill -9 and end the same way.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAttackWeb, homePage, rssFeed, type AttackWeb } from './attack-web.ts';
import { expectPlainWords } from './expect.ts';
import { startFaultServer, type FaultServer } from './fault-server.ts';
import { freePort, sampleHealth, startServiceProcess, writeConfig } from './service-process.ts';
import { createWorld, slowestHealthWhile, type World } from './world.ts';

let faults: FaultServer;
let web: AttackWeb;
let world: World;
let targetUrl: string;

/** A page of `n` small h-entries, each linking the target: about 80 bytes apiece. */
function floodPage(target: string, n: number): Buffer {
  const unit = `<p class="h-entry"><a class="u-in-reply-to" href="${target}">re</a></p>\n`;
  return Buffer.from(`<!DOCTYPE html><html><head><title>Flood</title></head><body>${unit.repeat(n)}</body></html>`);
}

async function webmention(source: string): Promise<string> {
  const res = await world.app.inject({
    method: 'POST',
    url: '/webmention',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ source, target: targetUrl }).toString(),
  });
  expect(res.statusCode, res.body).toBe(201);
  return new URL(res.headers.location as string).pathname;
}

async function status(statusPath: string): Promise<{ status: string; reason: string | null }> {
  return (await world.app.inject({ method: 'GET', url: statusPath })).json();
}

beforeAll(async () => {
  faults = await startFaultServer({ maxBodyBytes: 5 * 1024 * 1024 });
  web = await startAttackWeb();
  world = await createWorld(faults, {
    fetcher: { allowedOrigins: [faults.origin, web.origin], timeoutMs: 20_000 },
    pings: { perClientPerMinute: 10_000, perSourceHostPerMinute: 10_000 },
  });
  await world.registerGoodBlog('ps-target');
  targetUrl = `${faults.origin}/blog/ps-target/post-1/`;
});
afterAll(async () => {
  await world.close();
  await web.close();
  await faults.close();
});

describe('ping sources', () => {
  it('a 5 MB source of 60,000 h-entries: /health answers every 200 ms sample within 500 ms, and the ping is rejected naming the byte limit', async (ctx) => {
    const page = floodPage(targetUrl, 60_000);
    expect(page.length).toBeGreaterThan(4_500_000);
    web.route('/flood/5mb', { type: 'text/html; charset=utf-8', body: page });
    const statusPath = await webmention(`${web.origin}/flood/5mb`);
    const { slowestMs, samples } = await slowestHealthWhile(world, () => world.pingVerifier.runOnce());
    ctx.task.meta.slowestHealthMs = Math.round(slowestMs);
    expect(samples).toBeGreaterThan(0);
    expect(slowestMs).toBeLessThan(500);
    const after = await status(statusPath);
    expect(after.status).toBe('rejected');
    expectPlainWords(after.reason, /larger than the limit of 1 MB/);
  });

  it('a source under the byte limit with more elements than allowed is rejected naming that limit, its reading stopped there', async (ctx) => {
    const page = Buffer.from(`<!DOCTYPE html><title>Many</title><body><p class="h-entry"><a href="${targetUrl}">r</a></p>${'<b>x</b>'.repeat(31_000)}</body>`);
    expect(page.length).toBeLessThan(1024 * 1024);
    web.route('/flood/elements', { type: 'text/html; charset=utf-8', body: page });
    const statusPath = await webmention(`${web.origin}/flood/elements`);
    const { slowestMs } = await slowestHealthWhile(world, () => world.pingVerifier.runOnce());
    ctx.task.meta.slowestHealthMs = Math.round(slowestMs);
    expect(slowestMs).toBeLessThan(500);
    const after = await status(statusPath);
    expect(after.status).toBe('rejected');
    expectPlainWords(after.reason, /builds more than 30,000 elements/);
  });

  it('a limit-exhausting ping is not retried: a second run leaves it as it was, and the page was fetched once', async () => {
    web.route('/flood/once', { type: 'text/html; charset=utf-8', body: floodPage(targetUrl, 20_000) });
    const statusPath = await webmention(`${web.origin}/flood/once`);
    await world.pingVerifier.runOnce();
    const first = await status(statusPath);
    expect(first.status).toBe('rejected');
    await world.pingVerifier.runOnce();
    expect(await status(statusPath)).toEqual(first);
    expect(web.hits.filter((h) => h.path === '/flood/once').length).toBe(1);
  });

  it('a pingback answered at once counts against verifyConcurrency: with every slot busy it stays queued, unfetched', async () => {
    // The slow source must hold its slot past the pingback's deadline (3 s here).
    const narrow = await createWorld(faults, {
      fetcher: { allowedOrigins: [faults.origin, web.origin], timeoutMs: 20_000, headersTimeoutMs: 20_000 },
      pings: { verifyConcurrency: 1, perClientPerMinute: 10_000, perSourceHostPerMinute: 10_000 },
    });
    try {
      await narrow.registerGoodBlog('ps-narrow');
      const target = `${faults.origin}/blog/ps-narrow/post-1/`;
      let release: (() => void) | null = null;
      web.route('/slow/one', (_req, res) => {
        release = () => {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end(`<p><a href="${target}">x</a></p>`);
        };
      });
      web.route('/quick/one', { type: 'text/html', body: `<p><a href="${target}">quick</a></p>` });
      const queued = await narrow.app.inject({
        method: 'POST',
        url: '/webmention',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ source: `${web.origin}/slow/one`, target }).toString(),
      });
      expect(queued.statusCode).toBe(201);
      // The background verifier takes the only slot and waits for the slow source.
      const background = narrow.pingVerifier.runOnce();
      for (let waited = 0; !release && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      expect(release).not.toBeNull();
      const call = `<?xml version="1.0"?><methodCall><methodName>pingback.ping</methodName><params><param><value><string>${web.origin}/quick/one</string></value></param><param><value><string>${target}</string></value></param></params></methodCall>`;
      const res = await narrow.app.inject({ method: 'POST', url: '/xmlrpc', headers: { 'content-type': 'text/xml' }, payload: call });
      expect(res.body).toContain('queued for verification');
      expect(web.hits.some((h) => h.path === '/quick/one')).toBe(false);
      release!();
      await background;
      // Once the slot is free the queued pingback is verified as usual.
      await narrow.pingVerifier.runOnce();
      expect(web.hits.some((h) => h.path === '/quick/one')).toBe(true);
    } finally {
      await narrow.close();
    }
  });
});

describe('ping sources across kill -9', () => {
  it('50 huge sources queued, the service killed and restarted: it answers at once and the pings end rejected naming the limit', async (ctx) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-pings-'));
    const databasePath = path.join(dir, 'palaver.db');
    const configPath = writeConfig(path.join(dir, 'config.json'), {
      poller: { tickSeconds: 1 },
      pings: { moderation: 'open', perClientPerMinute: 10_000, perSourceHostPerMinute: 10_000, queueCapacity: 1000 },
    });
    const port = await freePort();
    // The target blog, and 50 sources that answer nothing until the service is gone.
    web.route('/k/', { type: 'text/html; charset=utf-8', body: homePage('Kill target', `${web.origin}/k/feed`) });
    web.route('/k/feed', {
      type: 'application/rss+xml; charset=utf-8',
      body: rssFeed({ title: 'Kill target', link: `${web.origin}/k/` }, [{ title: 'Target', link: `${web.origin}/k/post/`, guid: 'k-1', date: new Date('2025-01-01'), html: '<p>t</p>' }]),
    });
    web.route('/k/post/', { type: 'text/html', body: '<!DOCTYPE html><title>Target</title><p>t</p>' });
    const target = `${web.origin}/k/post/`;
    const huge = floodPage(target, 60_000);
    let serving = false;
    const held: (() => void)[] = [];
    for (let i = 0; i < 50; i++) {
      web.route(`/k/source/${i}`, (_req, res) => {
        const answer = () => {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(huge);
        };
        if (serving) answer();
        else held.push(answer);
      });
    }

    let service = await startServiceProcess({ port, databasePath, configPath });
    try {
      const reg = await fetch(`${service.origin}/api/blogs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${web.origin}/k/` }) });
      expect(reg.status).toBe(201);
      const blogId = ((await reg.json()) as { id: number }).id;
      for (let waited = 0; waited < 30_000; waited += 200) {
        const blog = (await (await fetch(`${service.origin}/api/blogs/${blogId}`)).json()) as { entryCount: number };
        if (blog.entryCount > 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const statusUrls: string[] = [];
      for (let i = 0; i < 50; i++) {
        const res = await fetch(`${service.origin}/webmention`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ source: `${web.origin}/k/source/${i}`, target }).toString(),
        });
        expect(res.status, await res.clone().text()).toBe(201);
        statusUrls.push(new URL(res.headers.get('location')!).pathname);
      }
      await service.kill9();

      // The rows survived the kill. A verification that was running holds a five-minute lease;
      // end it as time would, so the restart sees every ping due.
      const db = new SQLite(databasePath);
      const queued = db.prepare("select count(*) as n from pings where status = 'queued'").get() as { n: number };
      expect(queued.n).toBe(50);
      db.prepare("update pings set next_attempt_at = '2000-01-01T00:00:00.000Z' where status = 'queued'").run();
      db.close();

      serving = true;
      for (const answer of held.splice(0)) answer();
      const started = performance.now();
      service = await startServiceProcess({ port, databasePath, configPath });
      const startMs = performance.now() - started;
      const drained = (async () => {
        for (let waited = 0; waited < 90_000; waited += 250) {
          const all: { status: string; reason: string | null }[] = [];
          for (const u of statusUrls) all.push((await (await fetch(`${service.origin}${u}`)).json()) as { status: string; reason: string | null });
          if (all.every((s) => s.status !== 'queued')) return all;
          await new Promise((r) => setTimeout(r, 250));
        }
        throw new Error('the pings were still queued after 90 s');
      })();
      const { slowestMs, samples } = await sampleHealth(service.origin, drained);
      const outcomes = await drained;
      ctx.task.meta.slowestHealthMs = Math.round(slowestMs);
      ctx.task.meta.note = `restart answered /health after ${Math.round(startMs)} ms; ${samples} samples while 50 pings drained`;
      expect(slowestMs).toBeLessThan(500);
      for (const o of outcomes) {
        expect(o.status).toBe('rejected');
        expectPlainWords(o.reason, /larger than the limit of 1 MB/);
      }
    } finally {
      await service.kill9();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
