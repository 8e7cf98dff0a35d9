// Floods of open connections against the service process, with its open-file limit lowered so a
// flood can reach it: from one address, the other readers are still answered and a blog still
// registers and polls; from many, readers wait but the poller keeps polling and no feed is
// charged a failure for the machine's own shortage.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homePage, rssFeed, startAttackWeb, type AttackWeb } from './attack-web.ts';
import { freePort, sampleHealth, startServiceProcess, writeConfig, type ServiceProcess } from './service-process.ts';

let web: AttackWeb;
beforeAll(async () => {
  web = await startAttackWeb();
});
afterAll(async () => {
  await web.close();
});

// 256 open files: the service needs about 40 of its own (Node, tsx, SQLite, a reading thread).
const fdLimit = 256;
const server = { maxConnections: 150, maxConnectionsPerClient: 40 };

/** Holds `perAddress` half-sent requests open from each address, opening a new one a second after the service closes one. */
function flood(port: number, addresses: string[], perAddress: number) {
  let stopped = false;
  const sockets = new Set<net.Socket>();
  let closedByService = 0;
  const openOne = (from: string) => {
    if (stopped) return;
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: from });
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nHost: palaver.example\r\nX-Slow: '));
    socket.on('close', () => {
      sockets.delete(socket);
      if (stopped) return;
      closedByService += 1;
      setTimeout(() => openOne(from), 1000).unref();
    });
  };
  for (const from of addresses) for (let i = 0; i < perAddress; i++) openOne(from);
  return {
    closedByService: () => closedByService,
    stop() {
      stopped = true;
      for (const s of sockets) s.destroy();
    },
  };
}

/** Whether a request on a new connection from 127.0.0.1 gets an answer. */
function newConnectionAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: 5000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

function blogAt(prefix: string, posts: number): void {
  const origin = web.origin;
  web.route(`/${prefix}/`, { type: 'text/html; charset=utf-8', body: homePage(`Flood ${prefix}`, `${origin}/${prefix}/feed`) });
  const items = Array.from({ length: posts }, (_, i) => ({
    title: `Post ${i + 1}`,
    link: `${origin}/${prefix}/post-${i + 1}/`,
    guid: `${prefix}-${i + 1}`,
    date: new Date(Date.UTC(2025, 0, 1 + i)),
    html: `<p>Post ${i + 1}</p>`,
  }));
  // Each poll opens a connection of its own, as it would to a blog that does not keep them alive.
  web.route(`/${prefix}/feed`, { type: 'application/rss+xml; charset=utf-8', headers: { connection: 'close' }, body: rssFeed({ title: `Flood ${prefix}`, link: `${origin}/${prefix}/` }, items) });
  for (const item of items) web.route(new URL(item.link).pathname, { type: 'text/html', body: `<!DOCTYPE html><title>${item.title}</title>${item.html}` });
}

async function startService(dir: string, settings: Record<string, unknown> = server): Promise<ServiceProcess> {
  const configPath = writeConfig(path.join(dir, 'config.json'), { pollIntervalSeconds: 1, poller: { tickSeconds: 1 }, server: settings });
  return startServiceProcess({ port: await freePort(), databasePath: path.join(dir, 'palaver.db'), configPath, fdLimit });
}

async function register(service: ServiceProcess, prefix: string): Promise<number> {
  const res = await fetch(`${service.origin}/api/blogs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${web.origin}/${prefix}/` }) });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

async function waitForEntries(service: ServiceProcess, blogId: number, count: number): Promise<void> {
  for (let waited = 0; waited < 30_000; waited += 200) {
    const blog = (await (await fetch(`${service.origin}/api/blogs/${blogId}`)).json()) as { entryCount: number };
    if (blog.entryCount >= count) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`blog ${blogId} did not reach ${count} entries within 30 s`);
}

describe('connection floods', () => {
  it('1,000 connections from one address: readers elsewhere are answered, and a blog registers and polls meanwhile', async (ctx) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-flood-'));
    const service = await startService(dir);
    const port = Number(new URL(service.origin).port);
    const attack = flood(port, ['127.0.0.2'], 1000);
    try {
      await new Promise((r) => setTimeout(r, 2000));
      blogAt('one', 2);
      const work = (async () => {
        const id = await register(service, 'one');
        await waitForEntries(service, id, 2);
      })();
      const { slowestMs, samples } = await sampleHealth(service.origin, work);
      await work;
      ctx.task.meta.slowestHealthMs = Math.round(slowestMs);
      ctx.task.meta.note = `${attack.closedByService()} flood connections closed by the service; /health sampled ${samples} times from another address`;
      expect(slowestMs).toBeLessThan(1000);
      expect(attack.closedByService()).toBeGreaterThan(900);
    } finally {
      attack.stop();
      await service.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the default caps lowered to the files the process may open: three addresses cannot fill the total', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-flood-'));
    const service = await startService(dir, {});
    const port = Number(new URL(service.origin).port);
    // With the per-client cap left at 256 over a total lowered to 192, one address alone took it all.
    const attack = flood(port, ['127.0.0.2', '127.0.0.3', '127.0.0.4'], 200);
    try {
      await new Promise((r) => setTimeout(r, 2000));
      expect(attack.closedByService()).toBeGreaterThan(3 * (200 - 24));
      expect(await newConnectionAnswers(port)).toBe(true);
    } finally {
      attack.stop();
      await service.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const caps = [
    { name: 'server.maxConnections 150', settings: server, addresses: 6 },
    // The default, 2,048, is more than the process may open: the service lowers it at start to
    // 192, and the per-client cap with it (256 to 24), so it takes eight addresses to fill it.
    { name: 'the default cap, lowered to the 256 files the process may open', settings: {}, addresses: 10 },
  ];
  for (const { name, settings, addresses } of caps) {
    it(`connections from many addresses fill the total (${name}): the poller still polls, and no feed is charged a failure`, async (ctx) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-flood-'));
      const service = await startService(dir, settings);
      const port = Number(new URL(service.origin).port);
      const prefix = `many-${addresses}`;
      blogAt(prefix, 1);
      const id = await register(service, prefix);
      await waitForEntries(service, id, 1);
      const attack = flood(port, Array.from({ length: addresses }, (_, i) => `127.0.0.${2 + i}`), 200);
      try {
        await new Promise((r) => setTimeout(r, 2000));
        // The blog posts while every connection the service allows is taken.
        const floodStarted = Date.now();
        blogAt(prefix, 2);
        const db = new SQLite(path.join(dir, 'palaver.db'), { readonly: true });
        try {
          let entries = 0;
          for (let waited = 0; waited < 20_000 && entries < 2; waited += 250) {
            await new Promise((r) => setTimeout(r, 250));
            entries = (db.prepare('select count(*) as n from entries where blog_id = ?').get(id) as { n: number }).n;
          }
          const failing = db.prepare('select url, consecutive_failures, last_error from sources where blog_id = ? and (consecutive_failures > 0 or last_error is not null)').all(id);
          const polls = web.hits.filter((h) => h.path === `/${prefix}/feed` && h.at >= floodStarted).length;
          ctx.task.meta.note = `${polls} polls of the feed during the flood; ${attack.closedByService()} flood connections closed by the service`;
          expect(entries).toBe(2);
          expect(failing).toEqual([]);
        } finally {
          db.close();
        }
        // A new reader waits (a connection the service already had, kept alive, would still be served).
        expect(await newConnectionAnswers(port)).toBe(false);
      } finally {
        attack.stop();
        await service.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
