// The `palaver` command as a newcomer runs it: real processes. Each command names its database
// first; the demo refuses a taken port before it changes anything, and says who holds it.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/config.ts';
import { startArguments } from '../support/start-command.ts';

let dir: string;

function palaver(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/palaver.js', ...args],
      { cwd: projectRoot, env: { ...process.env, DATABASE_PATH: path.join(dir, 'palaver.db'), LOG_LEVEL: 'silent', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-first-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('npx palaver, first lines', () => {
  it('prints the version and a command’s own help', async () => {
    const version = await palaver(['--version']);
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout.trim()).toMatch(/^palaver \d+\.\d+\.\d+$/);
    const help = await palaver(['add', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: palaver add <url>/);
    expect(help.stdout).toContain('npx palaver add https://example.org/');
    const wrong = await palaver(['poll', '--onse']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^Unknown option --onse for palaver poll\. Its options: --once, --force, --quiet, --help\./);
  }, 60_000);

  it('names the database on the first line, points at the demo’s when the registry is empty beside it, and --quiet leaves it out', async () => {
    const first = await palaver(['poll', '--once']);
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n')[0]).toBe(`Database: ${path.join(dir, 'palaver.db')} (new)`);
    fs.writeFileSync(path.join(dir, 'demo.db'), '');
    const again = await palaver(['poll', '--once']);
    expect(again.stdout.split('\n')[0]).toBe(
      `Database: ${path.join(dir, 'palaver.db')} (0 blogs registered; the demo's database is ${path.join(dir, 'demo.db')}: DATABASE_PATH=${path.join(dir, 'demo.db')} npx palaver …)`,
    );
    const quiet = await palaver(['poll', '--once', '--quiet']);
    expect(quiet.stdout.split('\n')[0]).toBe('0 source(s) due.');
    // export-opml keeps stdout for the document: its first line goes to stderr.
    const opml = await palaver(['export-opml']);
    expect(opml.stdout).toMatch(/^<\?xml /);
    expect(opml.stderr.split('\n')[0]).toMatch(/^Database: .*palaver\.db \(0 blogs registered/);
    const migrate = await palaver(['migrate']);
    expect(migrate.stdout.split('\n')[0]).toBe(`Database: ${path.join(dir, 'palaver.db')}`);
  }, 90_000);
});

describe('npx palaver demo on a taken port', () => {
  it('says which process holds the port and which PORT to use, and touches nothing', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen({ port: 0, host: '127.0.0.1' }, resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const demoDb = path.join(dir, 'demo.db');
    fs.writeFileSync(demoDb, 'the previous demo');
    try {
      const run = await palaver(['demo'], { PORT: String(port), HOST: '127.0.0.1' });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`Port ${port} on 127.0.0.1 is taken by process ${process.pid} (`);
      expect(run.stderr).toMatch(new RegExp(`Stop it \\(Ctrl-C where it runs, or kill ${process.pid}\\), or use another port: PORT=\\d+ npx palaver demo`));
      expect(run.stderr).toContain(`Nothing was started or changed (${demoDb} is as it was).`);
      expect(fs.readFileSync(demoDb, 'utf8')).toBe('the previous demo');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 60_000);
});

describe('npm start logs', () => {
  // A port the system just handed out, rather than a random one that another test may hold.
  async function freePort(): Promise<number> {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen({ port: 0, host: '127.0.0.1' }, resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    return port;
  }

  async function serveAndAsk(env: Record<string, string>): Promise<string> {
    const port = await freePort();
    const child = spawn(process.execPath, startArguments(), {
      cwd: projectRoot,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: path.join(dir, 'start.db'), LOG_LEVEL: 'info', ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      let ok = false;
      // A loaded machine can take many seconds to start the process; an early exit fails at once.
      for (let i = 0; i < 300 && !ok; i++) {
        if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}: ${err}`);
        await new Promise((r) => setTimeout(r, 200));
        ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
      }
      if (!ok) throw new Error(`npm start did not answer in 60 s: ${err}`);
      await fetch(`http://127.0.0.1:${port}/assets/palaver.css`);
      await fetch(`http://127.0.0.1:${port}/blogs`);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    }
    return out;
  }

  it('writes one readable line per request with LOG_FORMAT=pretty, leaving out the stylesheet at info', async () => {
    const out = await serveAndAsk({ LOG_FORMAT: 'pretty' });
    const lines = out.trim().split('\n');
    expect(lines.filter((l) => / INFO {2}GET \/blogs 200 [\d.]+ ms$/.test(l))).toHaveLength(1);
    expect(out).not.toContain('palaver.css');
    expect(out).not.toContain('{"level"');
    expect(lines.every((l) => /^\d\d:\d\d:\d\d (INFO|WARN|ERROR|DEBUG) /.test(l))).toBe(true);
  }, 90_000);

  it('writes JSON lines when stdout is not a terminal, one per request', async () => {
    const out = await serveAndAsk({});
    const records = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const blogs = records.filter((r) => r.url === '/blogs');
    expect(blogs).toHaveLength(1);
    expect(blogs[0]).toMatchObject({ level: 30, method: 'GET', statusCode: 200, msg: 'request' });
    expect(records.some((r) => r.url === '/assets/palaver.css')).toBe(false);
  }, 90_000);
});
