// The CLI beside a running service: two SQLite connections writing one database. While the
// service stores a 17,500-item feed, `palaver poll --once --force` must complete: write
// transactions take the write lock when they begin (BEGIN IMMEDIATE) and wait for the other
// side's short transactions (busy timeout) instead of failing with "database is locked".
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homePage, startAttackWeb, type AttackWeb } from './attack-web.ts';
import { freePort, startServiceProcess, writeConfig } from './service-process.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
let web: AttackWeb;

beforeAll(async () => {
  web = await startAttackWeb();
});
afterAll(async () => {
  await web.close();
});

function runCli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'palaver.js'), ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'silent', FETCHER_ALLOW_PRIVATE_NETWORKS: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function entries(file: string): number {
  const db = new SQLite(file, { readonly: true });
  try {
    return (db.prepare('select count(*) as n from entries').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function feed(name: string, n: number): string {
  const base = `${web.origin}/${name}`;
  const items: string[] = [];
  for (let i = n; i >= 1; i--) {
    items.push(`<item><title>${name} ${i}</title><link>${base}/p/${i}/</link><guid isPermaLink="false">${name}-${i}</guid><pubDate>${new Date(Date.UTC(2020, 0, 1) + i * 60_000).toUTCString()}</pubDate><description>Item ${i}.</description></item>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>${name}</title><link>${base}/</link><description>d</description>${items.join('\n')}</channel></rss>`;
}

describe('beside the service', () => {
  it('palaver poll --once --force completes while the service stores a 17,500-item feed', { timeout: 240_000 }, async (ctx) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-beside-'));
    const databasePath = path.join(dir, 'palaver.db');
    // The service reads the whole feed in one poll; the CLI (its own settings) the newest 5,000,
    // most of them not stored yet: both write at once.
    const serviceConfig = writeConfig(path.join(dir, 'service.json'), { poller: { tickSeconds: 1, maxItemsPerPoll: 17_500 } });
    const cliConfig = writeConfig(path.join(dir, 'cli.json'), { poller: { maxItemsPerPoll: 5000 } });
    for (const name of ['huge', 'small']) {
      web.route(`/${name}/`, { type: 'text/html; charset=utf-8', body: homePage(name, `${web.origin}/${name}/feed`) });
      web.route(`/${name}/feed`, { type: 'application/rss+xml; charset=utf-8', body: feed(name, name === 'huge' ? 17_500 : 300) });
      web.route(`/${name}/p/${name === 'huge' ? 17_500 : 300}/`, { type: 'text/html', body: '<!DOCTYPE html><title>p</title>' });
    }
    const service = await startServiceProcess({ port: await freePort(), databasePath, configPath: serviceConfig });
    try {
      const small = await fetch(`${service.origin}/api/blogs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${web.origin}/small/` }) });
      expect(small.status).toBe(201);
      const huge = await fetch(`${service.origin}/api/blogs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${web.origin}/huge/` }) });
      expect(huge.status).toBe(201);
      // Wait until the service is in the middle of storing the big feed.
      for (let waited = 0; entries(databasePath) < 1000 && waited < 120_000; waited += 200) await new Promise((r) => setTimeout(r, 200));
      const before = entries(databasePath);
      expect(before).toBeGreaterThanOrEqual(1000);
      expect(before).toBeLessThan(17_800);

      const started = performance.now();
      const cli = await runCli(['poll', '--once', '--force'], { DATABASE_PATH: databasePath, PALAVER_CONFIG: cliConfig });
      const ms = performance.now() - started;
      const during = entries(databasePath);
      ctx.task.meta.note = `CLI poll beside the service: exit ${cli.status} after ${Math.round(ms)} ms; entries ${before} → ${during} meanwhile`;
      expect(cli.stderr).not.toMatch(/locked|SQLITE_BUSY/i);
      expect(cli.stdout).not.toMatch(/locked|SQLITE_BUSY|crashed/i);
      expect(cli.status, `${cli.stdout}\n${cli.stderr}`).toBe(0);
      // The service kept storing meanwhile, and still answers.
      expect(during).toBeGreaterThan(before);
      expect((await fetch(`${service.origin}/health`)).status).toBe(200);
    } finally {
      await service.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
