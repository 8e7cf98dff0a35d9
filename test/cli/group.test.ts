// `palaver group` as an operator runs it: the real command in a child process on a temporary
// database, creating a group from an OPML file of loopback fixture blogs (one offline), then
// listing, adding and removing; and the parsing of its options.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli-usage.ts';
import { projectRoot } from '../../src/config.ts';
import { startDemoBlogs, type DemoBlogs } from '../../src/demo/blogs.ts';
import { startFixtureServer } from '../../src/demo/fixture-server.ts';

let demo: DemoBlogs;
let dir: string;
let closedOrigin: string;

function palaver(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'palaver.js'), ...args], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_PATH: path.join(dir, 'palaver.db'), FETCHER_ALLOW_PRIVATE_NETWORKS: 'true', LOG_LEVEL: 'silent', PUBLIC_URL: 'https://palaver.example' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  demo = await startDemoBlogs();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'palaver-group-'));
  const closed = await startFixtureServer();
  closedOrigin = closed.origin;
  await closed.close();
});

afterAll(async () => {
  await demo.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('parseCommandLine for group', () => {
  it('takes options with values, --blog repeated, and says when a value is missing', () => {
    const parsed = parseCommandLine(['group', 'create', 'week', '--opml', 'list.opml', '--blog', '3', '--blog', 'https://example.org/', '--from=2008-11-12', '--to', '2008-11-17']);
    expect(parsed).toMatchObject({ kind: 'run', args: ['create', 'week'], values: { opml: 'list.opml', blog: ['3', 'https://example.org/'], from: '2008-11-12', to: '2008-11-17' } });
    expect((parseCommandLine(['group', 'create', 'week', '--opml']) as { message: string }).message).toMatch(/^Option --opml needs a value\./);
  });
});

describe('palaver group', () => {
  it('creates a group from an OPML file a line per blog, exits 1 for the offline one, then lists, adds and removes', async () => {
    const [sachar, planetsab] = demo.blogs;
    const file = path.join(dir, 'week.opml');
    await fs.writeFile(
      file,
      `<opml version="2.0"><head><title>Blogwoche</title></head><body>
        <outline type="rss" text="Sachar" xmlUrl="${sachar!.homeUrl}feed/"/>
        <outline type="rss" text="Offline" xmlUrl="${closedOrigin}/feed/"/>
      </body></opml>`,
    );
    const run = await palaver(['group', 'create', 'week', '--opml', file, '--from', '2008-11-12', '--to', '2008-11-17', '--time-zone', 'Europe/Berlin']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/\[\d\/2\] ✓ registered: Sachar/);
    expect(run.stdout).toMatch(/\[\d\/2\] ✗ failed: Offline .*— /);
    expect(run.stdout).toContain('Created “Blogwoche” with 1 blog(s), 2008-11-12 to 2008-11-17 (Europe/Berlin): https://palaver.example/g/week');

    const taken = await palaver(['group', 'create', 'week', '--blog', '1']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('There is already a group “week”.');

    const bad = await palaver(['group', 'create', 'Week!', '--blog', '1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/slug: must be 1 to 64 lower-case letters/);

    await palaver(['add', planetsab!.homeUrl, '--no-poll']);
    const added = await palaver(['group', 'add', 'week', planetsab!.homeUrl, 'https://nowhere.example/']);
    expect(added.code).toBe(1);
    expect(added.stdout).toContain('✗ not added: https://nowhere.example/ — not a registered blog');
    expect(added.stdout).toContain('Added 1 blog(s) to “Blogwoche”.');

    const list = await palaver(['group', 'list']);
    expect(list.stdout).toMatch(/^week\tBlogwoche\t2 blog\(s\)\t2008-11-12 to 2008-11-17\thttps:\/\/palaver\.example\/g\/week$/m);

    const removed = await palaver(['group', 'remove', 'week', sachar!.homeUrl]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('Removed');
    expect((await palaver(['group', 'list'])).stdout).toMatch(/\tBlogwoche\t1 blog\(s\)\t/);
  }, 90_000);
});
