// `palaver import-opml` and `palaver export-opml` as an operator runs them: the real command
// in a child process on a temporary database, against loopback fixture blogs.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/config.ts';
import { startDemoBlogs, type DemoBlogs } from '../../src/demo/blogs.ts';
import { startFixtureServer } from '../../src/demo/fixture-server.ts';
import { parseOpml } from '../../src/feeds/opml.ts';

let demo: DemoBlogs;
let dir: string;
let closedOrigin: string;

function palaver(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'palaver.js'), ...args], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_PATH: path.join(dir, 'palaver.db'), FETCHER_ALLOW_PRIVATE_NETWORKS: 'true', LOG_LEVEL: 'silent' },
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
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'palaver-cli-'));
  const closed = await startFixtureServer();
  closedOrigin = closed.origin;
  await closed.close();
});

afterAll(async () => {
  await demo.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('palaver import-opml / export-opml', () => {
  it('prints a line per blog and a summary of failures, exits 1 when one failed, and exports what it registered', async () => {
    const [sachar, planetsab] = demo.blogs;
    const file = path.join(dir, 'list.opml');
    await fs.writeFile(
      file,
      `<opml version="2.0"><head><title>Blogwoche</title></head><body><outline text="Gruppe">
        <outline type="rss" text="Sachar" xmlUrl="${sachar!.homeUrl}feed/"/>
        <outline type="RSS" text="planetsab" htmlUrl="${planetsab!.homeUrl}"/>
        <outline type="rss" text="Offline" xmlUrl="${closedOrigin}/feed/"/>
        <outline type="rss" text="Sachar nochmal" xmlUrl="${sachar!.homeUrl}feed/"/>
      </outline></body></opml>`,
    );
    const run = await palaver(['import-opml', file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines.filter((l) => /^\[\d\/4\] /.test(l))).toHaveLength(4);
    expect(run.stdout).toMatch(/✓ registered: Sachar/);
    expect(run.stdout).toMatch(/✓ registered: planetsab/);
    expect(run.stdout).toMatch(/✗ failed: Offline .*— /);
    expect(run.stdout).toMatch(/· duplicate, skipped: /);
    expect(run.stdout).toContain('Imported “Blogwoche”: 2 registered, 0 already there, 1 failed, 1 duplicate(s) skipped.');
    expect(run.stdout).toMatch(/Failures:\n {2}Offline http:\/\/127\.0\.0\.1:\d+\/feed\/: /);

    const again = await palaver(['import-opml', file]);
    expect(again.stdout).toContain('0 registered, 2 already there, 1 failed');

    const exported = await palaver(['export-opml']);
    expect(exported.code).toBe(0);
    const parsed = parseOpml(exported.stdout);
    // Registered concurrently: the order is the order discovery finished in.
    expect(parsed.outlines.map((o) => [o.xmlUrl, o.htmlUrl]).sort()).toEqual([
      [`${sachar!.homeUrl}feed/`, sachar!.homeUrl],
      [`${planetsab!.homeUrl}feed/`, planetsab!.homeUrl],
    ].sort());
  }, 60_000);

  it('exits 1 with a message for a file that is missing or not OPML', async () => {
    const missing = await palaver(['import-opml', path.join(dir, 'nope.opml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Cannot read .*nope\.opml/);
    const html = path.join(dir, 'page.html');
    await fs.writeFile(html, '<html><body>Hallo</body></html>');
    const wrong = await palaver(['import-opml', html]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/cannot be imported: opml: not an OPML document/);
  }, 60_000);
});
