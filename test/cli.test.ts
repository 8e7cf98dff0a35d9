// The `palaver` command and `npm start` as a person runs them: real processes on a temporary
// database, talking to fixture blogs on loopback.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDemoBlogs, type DemoBlogs } from '../src/demo/blogs.ts';
import { startArguments } from './support/start-command.ts';

const root = path.resolve(import.meta.dirname, '..');
let dir: string;
let demo: DemoBlogs;

// TypeScript sources or the tsx loader: what the installed command must not need at run time.
const typescriptAtRunTime = String.raw`\.ts$|/node_modules/tsx/`;
const refuseModules = ['--import', './test/support/refuse-modules.js'];

function palaver(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...refuseModules, 'bin/palaver.js', ...args],
      { cwd: root, env: { ...process.env, DATABASE_PATH: path.join(dir, 'p.db'), FETCHER_ALLOW_PRIVATE_NETWORKS: 'true', LOG_LEVEL: 'silent', PALAVER_REFUSE_MODULES: typescriptAtRunTime, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-cli-'));
  demo = await startDemoBlogs();
});

afterEach(async () => {
  await demo.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('npx palaver', () => {
  it('adds a blog, then polls everything with --force and prints a line per source and a summary', async () => {
    const add = await palaver(['add', demo.blogs[0]!.homeUrl]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('Registered: Sachar’s Blog');
    expect(add.stdout).toMatch(/post feed: +http:\/\/127\.0\.0\.1:\d+\/feed\/ \(rss/);

    const poll = await palaver(['poll', '--once', '--force']);
    expect(poll.code, poll.stderr).toBe(0);
    expect(poll.stdout).toContain('Polling every source now (--force).');
    expect(poll.stdout).toMatch(/\[1\] ✓ .*feed/);
    expect(poll.stdout.trim().split('\n').at(-1)).toMatch(/\d+ source/);

    const due = await palaver(['poll', '--once']);
    expect(due.code).toBe(0);
    expect(due.stdout).toContain('0 source(s) due.');
  }, 90_000);

  it('prints a ping listing that cannot be fetched as a failure, like the feeds, when the blogs are down', async () => {
    const add = await palaver(['add', demo.blogs[0]!.homeUrl]);
    expect(add.code, add.stderr).toBe(0);
    await demo.close();
    const poll = await palaver(['poll', '--once', '--force']);
    demo = await startDemoBlogs();
    expect(poll.code, poll.stderr).toBe(0);
    const lines = poll.stdout.split('\n').filter((l) => /^\[\d+\]/.test(l));
    const listings = lines.filter((l) => l.includes(' pingback-listing '));
    expect(listings.length).toBeGreaterThan(0);
    for (const line of listings) expect(line).toMatch(/^\[\d+\] ✗ .* pingback-listing .*: failed: the listing could not be fetched: /);
    expect(lines.filter((l) => l.includes(' ✓ '))).toEqual([]);
    expect(poll.stdout).toMatch(/ 0 unchanged, 0 not modified, \d+ failed/);
  }, 90_000);

  it('explains an unreachable or feedless address and exits non-zero', async () => {
    const res = await palaver(['add', 'http://127.0.0.1:1/']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/Could not register http:\/\/127\.0\.0\.1:1\/: /);
  }, 60_000);

  it('reads a PALAVER_CONFIG file that names only what it changes, and names its file and key when bad', async () => {
    const site = path.join(dir, 'site.json');
    fs.writeFileSync(site, JSON.stringify({ fetcher: { perHostConcurrency: 8 } }));
    const ok = await palaver(['migrate'], { PALAVER_CONFIG: site });
    expect(ok.code, ok.stderr).toBe(0);
    fs.writeFileSync(site, JSON.stringify({ fetcher: { perHostConcurrency: 'acht' } }));
    const bad = await palaver(['migrate'], { PALAVER_CONFIG: site });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('fetcher.perHostConcurrency');
    expect(bad.stderr).toContain(`(in ${site})`);
  }, 60_000);

  it('runs the JavaScript compiled at install: migrations included, no TypeScript loaded', async () => {
    const migrate = await palaver(['migrate']);
    expect(migrate.stderr).toBe('');
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(/Applied \d+ migration\(s\): 0001_initial, /);
    // The names match those applied from the .ts files, so a database moves between both.
    expect(migrate.stdout).not.toMatch(/\.(js|ts)\b/);
  }, 60_000);

  it('answers --help, --version and a usage error without loading the database, the fetcher or the web server', async () => {
    const heavy = { PALAVER_REFUSE_MODULES: String.raw`/node_modules/(better-sqlite3|kysely|fastify|undici|cheerio|sanitize-html)/|\.ts$` };
    const help = await palaver(['--help'], heavy);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: palaver <command>/);
    expect(await palaver(['poll', '--help'], heavy)).toMatchObject({ code: 0, stderr: '' });
    expect((await palaver(['--version'], heavy)).stdout).toMatch(/^palaver \d/);
    const wrong = await palaver(['poll', '--forse'], heavy);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('Unknown option --forse for palaver poll.');
    // The same check fails once a command runs: the refusal is real.
    const migrate = await palaver(['migrate'], heavy);
    expect(migrate.code).not.toBe(0);
    expect(migrate.stderr).toMatch(/refused to load .*node_modules\/(better-sqlite3|kysely|fastify|undici|cheerio|sanitize-html)\//);
  }, 60_000);

  it('refuses a bad setting, naming it', async () => {
    const res = await palaver(['migrate'], { POLL_INTERVAL_SECONDS: 'often' });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('POLL_INTERVAL_SECONDS');
  }, 60_000);
});

describe('npm start', () => {
  it('migrates, serves the home page and its assets on PORT from the compiled JavaScript, and stops on SIGTERM', async () => {
    const port = 30000 + Math.floor(Math.random() * 20000);
    const child = spawn(process.execPath, [...refuseModules, ...startArguments()], {
      cwd: root,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: path.join(dir, 'start.db'), LOG_LEVEL: 'silent', PALAVER_REFUSE_MODULES: typescriptAtRunTime },
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      let body = '';
      for (let i = 0; i < 100 && !body; i++) {
        await new Promise((r) => setTimeout(r, 200));
        body = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text(), () => '');
      }
      expect(body, stderr).toContain('Palaver');
      expect(body).toContain('npx palaver demo');
      // Files read from the checkout at run time, found from dist/ as from src/.
      const css = await fetch(`http://127.0.0.1:${port}/assets/palaver.css`);
      expect(css.status).toBe(200);
      expect(await css.text()).toBe(fs.readFileSync(path.join(root, 'src/views/palaver.css'), 'utf8'));
      expect((await fetch(`http://127.0.0.1:${port}/assets/palaver.svg`)).status).toBe(200);
      const doc = await fetch(`http://127.0.0.1:${port}/docs/json-feed-extension`);
      expect(doc.status).toBe(200);
      expect(await doc.text()).toBe(fs.readFileSync(path.join(root, 'docs/json-feed-extension.md'), 'utf8'));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
