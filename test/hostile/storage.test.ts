// Storage under fire: kill -9 in the middle of ingest (20 times), a read-only database, a full
// disk (a small tmpfs, when root may mount one), a restart storm of the whole service, and the
// backup command. Afterwards the database passes PRAGMA integrity_check, what was committed is
// there, and nothing is duplicated.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import './expect.ts';
import { validateConfig, type Config } from '../../src/config.ts';
import { checkIntegrity } from '../../src/db/backup.ts';
import { startService } from '../../src/service.ts';
import defaults from '../../config/default.json' with { type: 'json' };
import { skipOptional } from '../support/skips.ts';
import { startFaultServer, type FaultServer } from './fault-server.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const cli = path.join(root, 'bin', 'palaver.js');

let faults: FaultServer;
let work: string;
beforeAll(async () => {
  faults = await startFaultServer({ maxBodyBytes: 5 * 1024 * 1024 });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-storage-'));
});
afterAll(async () => {
  await faults.close();
  for (const dir of ['ro', 'full']) unmount(path.join(work, dir));
  fs.rmSync(work, { recursive: true, force: true });
});

function query<T>(file: string, sql: string): T[] {
  const db = new SQLite(file, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

/** Entries, and entries sharing a blog and an identity (which must never happen). */
function countEntries(file: string): { total: number; duplicates: number; distinctGuids: number } {
  const [total] = query<{ n: number }>(file, 'select count(*) as n from entries');
  const dup = query<{ n: number }>(file, 'select count(*) as n from (select blog_id, identity from entries group by 1, 2 having count(*) > 1)');
  const [guids] = query<{ n: number }>(file, 'select count(distinct guid) as n from entries');
  return { total: total!.n, duplicates: dup[0]!.n, distinctGuids: guids!.n };
}

// Asynchronous on purpose: the fault server lives in this process and must keep answering.
function runCli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
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

// Mounting needs root (or CAP_SYS_ADMIN); elsewhere the disk cases skip and say so.
function tryMountTmpfs(dir: string, size: string): boolean {
  fs.mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0777`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    // Already gone; nothing to undo.
  }
}

describe('storage', () => {
  // Twenty child processes that each load TypeScript: on a busy two-core machine that alone can
  // pass a minute, so this case has its own time limit.
  it('kill -9 in the middle of ingest, 20 times: nothing committed is lost, nothing is duplicated', async (ctx) => {
    const file = path.join(work, 'killed.db');
    faults.setFeed('s-rolling', 'rolling');
    let maxCommitted = 0;
    let killedBeforeFirstCommit = 0;
    let killedAfterACommit = 0;
    for (let round = 0; round < 20; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/hostile/ingest-child.ts'), file, faults.blogUrl('s-rolling')], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let committedThisRound = 0;
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        for (const m of d.toString().matchAll(/committed (\d+)/g)) {
          committedThisRound += 1;
          maxCommitted = Math.max(maxCommitted, Number(m[1]));
        }
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ? -1 : code)));
      // Wait until it is polling, then kill at a random moment of the next ingests.
      await new Promise<void>((resolve, reject) => {
        const onData = (d: Buffer) => {
          if (d.toString().includes('ready')) {
            child.stdout.off('data', onData);
            resolve();
          }
        };
        child.stdout.on('data', onData);
        child.on('exit', () => reject(new Error(`the ingest child exited early: ${stderr}`)));
      });
      // The first ingest of a run takes about a second, later ones about half that.
      await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 2400)));
      child.kill('SIGKILL');
      expect(await exited).toBe(-1);
      if (committedThisRound === 0) killedBeforeFirstCommit += 1;
      else killedAfterACommit += 1;
    }
    expect(checkIntegrity(file)).toEqual([]);
    const counts = countEntries(file);
    expect(counts.total).toBeGreaterThanOrEqual(maxCommitted);
    expect(counts.duplicates).toBe(0);
    expect(counts.distinctGuids).toBe(counts.total);
    const [blogs] = query<{ n: number }>(file, 'select count(*) as n from blogs');
    expect(blogs!.n).toBe(1);
    const [sources] = query<{ n: number }>(file, "select count(*) as n from sources where kind = 'feed'");
    expect(sources!.n).toBe(1);
    ctx.task.meta.note = `kills: ${killedBeforeFirstCommit} during the first ingest of a run, ${killedAfterACommit} after at least one commit; ${counts.total} entries, most reported committed ${maxCommitted}`;
    // The database works on: one more poll, run to its end, adds and duplicates nothing wrongly.
    const r = await runCli(['poll', '--once', '--force'], { DATABASE_PATH: file });
    expect(r.status, r.stderr).toBe(0);
    const after = countEntries(file);
    expect(after.duplicates).toBe(0);
    expect(after.total).toBeGreaterThanOrEqual(counts.total);
  }, 180_000);

  it('a read-only database gives a clear error and stays intact', async (ctx) => {
    const dir = path.join(work, 'ro');
    if (!tryMountTmpfs(dir, '64m')) skipOptional(ctx, 'mounting a tmpfs needs root (and CAP_SYS_ADMIN): a read-only file system cannot be simulated here');
    try {
      const file = path.join(dir, 'palaver.db');
      faults.setFeed('s-ro', 'good');
      const add = await runCli(['add', faults.blogUrl('s-ro')], { DATABASE_PATH: file });
      expect(add.status, add.stderr).toBe(0);
      const before = countEntries(file);
      expect(before.total).toBe(3);
      execFileSync('mount', ['-o', 'remount,ro', dir]);
      const poll = await runCli(['poll', '--once', '--force'], { DATABASE_PATH: file });
      expect(poll.status).not.toBe(0);
      expect(poll.stderr).toMatch(/db: cannot open .*readonly database/i);
      expect(poll.stderr).not.toMatch(/\n\s+at /);
      // The server refuses to start with the same words.
      const started = startService(serviceConfig(file));
      await expect(started).rejects.toThrow(/db: cannot open .*readonly database/i);
      await started.then((s) => s.stop(), () => undefined);
      execFileSync('mount', ['-o', 'remount,rw', dir]);
      expect(checkIntegrity(file)).toEqual([]);
      expect(countEntries(file)).toEqual(before);
    } finally {
      unmount(dir);
    }
  });

  it('a full disk gives a clear error, loses nothing committed, and recovers when space returns', async (ctx) => {
    const dir = path.join(work, 'full');
    if (!tryMountTmpfs(dir, '48m')) skipOptional(ctx, 'mounting a tmpfs needs root (and CAP_SYS_ADMIN): a full disk cannot be simulated here');
    try {
      const file = path.join(dir, 'palaver.db');
      faults.setFeed('s-full', 'good');
      const add = await runCli(['add', faults.blogUrl('s-full')], { DATABASE_PATH: file });
      expect(add.status, add.stderr).toBe(0);
      const before = countEntries(file);
      // Fill the file system to the last few KB.
      const filler = path.join(dir, 'filler');
      const fd = fs.openSync(filler, 'w');
      const block = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) fs.writeSync(fd, block);
      } catch (err) {
        expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
      }
      fs.closeSync(fd);
      faults.setFeed('s-full', 'ten-thousand-items');
      const poll = await runCli(['poll', '--once', '--force'], { DATABASE_PATH: file });
      expect(poll.status).not.toBe(0);
      expect(`${poll.stdout}\n${poll.stderr}`).toMatch(/disk is full|database or disk is full|no space/i);
      expect(checkIntegrity(file)).toEqual([]);
      expect(countEntries(file)).toEqual(before);
      // Space comes back: the next poll stores the feed.
      fs.rmSync(filler);
      const again = await runCli(['poll', '--once', '--force'], { DATABASE_PATH: file });
      expect(again.status, again.stderr).toBe(0);
      const after = countEntries(file);
      // A poll stores the newest poller.maxItemsPerPoll (500) items of the 10,000.
      expect(after.total).toBe(before.total + defaults.poller.maxItemsPerPoll);
      expect(after.duplicates).toBe(0);
      expect(checkIntegrity(file)).toEqual([]);
    } finally {
      unmount(dir);
    }
  });

  it('restart storm: 20 starts and stops within a minute keep the next-check times and re-poll nothing', async (ctx) => {
    const file = path.join(work, 'storm.db');
    const config = serviceConfig(file);
    const names = ['s-storm-1', 's-storm-2', 's-storm-3', 's-storm-4', 's-storm-5'];
    for (const n of names) faults.setFeed(n, 'good');
    const first = await startService(config);
    try {
      for (const n of names) {
        const res = await first.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: faults.blogUrl(n) } });
        expect(res.statusCode).toBe(201);
      }
      await waitFor(async () => names.every((n) => faults.hitCount(`/blog/${n}/feed`) >= 2), 15_000);
      await waitFor(async () => query<{ n: number }>(file, 'select count(*) as n from entries')[0]!.n === 15, 15_000);
    } finally {
      await first.stop();
    }
    const nextChecks = () => query<{ id: number; next_check_at: string }>(file, 'select id, next_check_at from sources order by id');
    const scheduled = nextChecks();
    const feedHits = () => names.reduce((n, name) => n + faults.hitCount(`/blog/${name}/feed`), 0);
    const hitsBefore = feedHits();
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      const service = await startService(config);
      // Long enough for the poller's first tick (it runs at start) to claim whatever is due.
      await new Promise((r) => setTimeout(r, 250));
      const health = await service.app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(200);
      await service.stop();
    }
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(60_000);
    expect(feedHits() - hitsBefore).toBe(0);
    expect(nextChecks()).toEqual(scheduled);
    expect(checkIntegrity(file)).toEqual([]);
    ctx.task.meta.note = `20 restarts in ${(elapsed / 1000).toFixed(1)} s; feed requests during the storm: ${feedHits() - hitsBefore}`;
  });

  // Two polls of 10,000 items and two CLI processes: on a busy two-core machine that can pass a
  // minute, so this case has its own time limit.
  it('backup copies a live database, the copy passes the integrity check and holds every entry', async () => {
    const file = path.join(work, 'live.db');
    const config = serviceConfig(file);
    faults.setFeed('s-backup', 'ten-thousand-items');
    const service = await startService(config, { startPoller: false });
    try {
      const res = await service.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: faults.blogUrl('s-backup') } });
      expect(res.statusCode).toBe(201);
      await service.poller.pollOnce({ force: true });
      // Back up while the service is up and writing (a second poll runs meanwhile).
      const polling = service.poller.pollOnce({ force: true });
      const target = path.join(work, 'backup.db');
      const r = await runCli(['backup', target], { DATABASE_PATH: file });
      await polling;
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Backed up .* passes the integrity check/);
      expect(checkIntegrity(target)).toEqual([]);
      const copy = countEntries(target);
      expect(copy.total).toBe(10_000);
      expect(copy.duplicates).toBe(0);
      // A second backup to the same file is refused rather than overwriting the first.
      const again = await runCli(['backup', target], { DATABASE_PATH: file });
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/Backup failed: .* already exists/);
    } finally {
      await service.stop();
    }
  }, 180_000);

  it.each([
    ['no database at the path', (dir: string) => ({ db: path.join(dir, 'missing.db'), target: path.join(dir, 'b1.db') }), /there is no database/],
    ['a target folder that does not exist', (dir: string) => ({ db: path.join(dir, 'live.db'), target: path.join(dir, 'no', 'such', 'dir', 'b.db') }), /cannot write/],
    ['a file that is not a database', (dir: string) => {
      fs.writeFileSync(path.join(dir, 'junk.db'), 'this is not SQLite');
      return { db: path.join(dir, 'junk.db'), target: path.join(dir, 'b2.db') };
    }, /cannot (open|write)|not a database/],
  ])('backup with %s: non-zero with the reason', async (_label, setup, reason) => {
    const { db, target } = setup(work);
    const r = await runCli(['backup', target], { DATABASE_PATH: db });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Backup failed: /);
    expect(r.stderr).toMatch(reason);
    expect(fs.existsSync(target)).toBe(false);
  });
});

function serviceConfig(file: string): Config {
  return validateConfig({
    ...defaults,
    port: 0,
    host: '127.0.0.1',
    databasePath: file,
    logLevel: 'silent',
    // The whole 10,000-item feed in one poll: a large live database for the backup.
    poller: { ...defaults.poller, tickSeconds: 1, maxItemsPerPoll: 10_000 },
    fetcher: { ...defaults.fetcher, allowPrivateNetworks: true },
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}
