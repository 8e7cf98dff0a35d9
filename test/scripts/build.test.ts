// The build that compiles src/ and migrations/ to dist/: on a small tree (what it compiles,
// what it skips, what it removes), then on a copy of the whole checkout as a person meets it
// after `git pull` without `npm install`: `npx palaver` and `npm start` compile what changed.
// And the link node_modules/.bin/palaver through which npx finds the command.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { build, ensureBuilt, linkCommand, planBuild } from '../../scripts/build.js';

const root = path.resolve(import.meta.dirname, '../..');
let dir: string;

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-build-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('build', () => {
  beforeEach(() => {
    fs.copyFileSync(path.join(root, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
    write('package.json', '{"type": "module"}');
    write('src/main.ts', "import { greet, type Greeting } from './lib/greet.ts';\nconst g: Greeting = greet('Welt');\nconsole.log(g.text);\n");
    write('src/lib/greet.ts', 'export interface Greeting { text: string }\nexport function greet(name: string): Greeting {\n  return { text: `Hallo, ${name}` };\n}\n');
    write('src/lib/types.d.ts', 'export type Nothing = never;\n');
    write('src/views/page.js', 'document.title = "a browser script";\n');
    write('migrations/0001_first.ts', "export async function up(): Promise<void> {}\n");
  });

  it('compiles every .ts of src/ and migrations/ to runnable JavaScript in dist/, with maps back to the sources', async () => {
    expect(await build({ root: dir })).toEqual({ compiled: 3, removed: 0 });
    const main = fs.readFileSync(path.join(dir, 'dist/src/main.js'), 'utf8');
    expect(main).toContain('from "./lib/greet.js"');
    expect(main).not.toContain('Greeting');
    expect(fs.existsSync(path.join(dir, 'dist/migrations/0001_first.js'))).toBe(true);
    // Declarations and the browser's own script are not compiled or copied.
    expect(fs.existsSync(path.join(dir, 'dist/src/lib/types.js'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'dist/src/views'))).toBe(false);
    const map = JSON.parse(fs.readFileSync(path.join(dir, 'dist/src/lib/greet.js.map'), 'utf8')) as { sources: string[] };
    expect(map.sources).toEqual(['../../../src/lib/greet.ts']);
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [path.join(dir, 'dist/src/main.js')], (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    expect(out).toBe('Hallo, Welt\n');
  });

  it('compiles other folders when told (the benchmarks’ workers beside dist/src), leaving them out of a plain build', async () => {
    write('bench/worker.ts', "import { greet } from '../src/lib/greet.ts';\nconsole.log(greet('Bank').text);\n");
    expect(await build({ root: dir })).toEqual({ compiled: 3, removed: 0 });
    expect(fs.existsSync(path.join(dir, 'dist/bench/worker.js'))).toBe(false);
    expect(await build({ root: dir, dirs: ['src', 'migrations', 'bench'] })).toEqual({ compiled: 1, removed: 0 });
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [path.join(dir, 'dist/bench/worker.js')], (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    expect(out).toBe('Hallo, Bank\n');
    // A plain build neither compiles nor removes them.
    expect(planBuild({ root: dir })).toMatchObject({ stale: [], orphans: [] });
    expect(fs.existsSync(path.join(dir, 'dist/bench/worker.js'))).toBe(true);
  });

  it('compiles again only what changed, and removes the output of a source that is gone', async () => {
    await build({ root: dir });
    expect(planBuild({ root: dir })).toMatchObject({ stale: [], orphans: [] });
    expect(await ensureBuilt({ root: dir, log: () => {} })).toEqual({ compiled: 0, removed: 0 });

    write('src/lib/greet.ts', "export interface Greeting { text: string }\nexport function greet(name: string): Greeting {\n  return { text: `Moin, ${name}` };\n}\n");
    fs.rmSync(path.join(dir, 'migrations/0001_first.ts'));
    expect(planBuild({ root: dir })).toMatchObject({ stale: ['src/lib/greet.ts'], orphans: ['migrations/0001_first.js', 'migrations/0001_first.js.map'] });
    const said: string[] = [];
    expect(await ensureBuilt({ root: dir, log: (line) => said.push(line) })).toEqual({ compiled: 1, removed: 2 });
    expect(said).toEqual(['Compiling 1 changed source file to dist/ …']);
    expect(fs.readFileSync(path.join(dir, 'dist/src/lib/greet.js'), 'utf8')).toContain('Moin');
    expect(fs.existsSync(path.join(dir, 'dist/migrations/0001_first.js'))).toBe(false);

    expect(planBuild({ root: dir })).toMatchObject({ stale: [], orphans: [] });
    // A changed compiler setting makes everything stale.
    write('tsconfig.json', fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8').replace('"ES2022"', '"ES2023"'));
    expect(planBuild({ root: dir }).stale).toEqual(['src/lib/greet.ts', 'src/main.ts']);
  });

  it('stops on a syntax error, naming the file and line, and still writes the other files', async () => {
    write('src/broken.ts', 'export const a = 1;\nexport const b = (;\n');
    await expect(build({ root: dir })).rejects.toThrow(/src\/broken\.ts:2:\d+: /);
    expect(fs.existsSync(path.join(dir, 'dist/src/main.js'))).toBe(true);
    // Only the broken file is left to compile, and the next build says so again.
    expect(planBuild({ root: dir }).stale).toEqual(['src/broken.ts']);
    await expect(build({ root: dir })).rejects.toThrow(/src\/broken\.ts:2:/);
  });
});

describe('a checkout after git pull without npm install', () => {
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, args, { cwd: dir, env: { ...process.env, DATABASE_PATH: path.join(dir, 'p.db') }, timeout: 90_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );

  beforeEach(() => {
    for (const part of ['src', 'migrations', 'scripts', 'bin', 'config', 'docs']) fs.cpSync(path.join(root, part), path.join(dir, part), { recursive: true });
    for (const file of ['package.json', 'tsconfig.json']) fs.copyFileSync(path.join(root, file), path.join(dir, file));
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  });

  it('npx palaver compiles the sources once, then only a changed one, before it runs', async () => {
    const first = await run(['bin/palaver.js', '--version']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^Compiling \d+ changed source files to dist\/ …\n$/);
    expect(first.stdout).toMatch(/^palaver \d+\.\d+\.\d+\n$/);

    expect(await run(['bin/palaver.js', '--version'])).toMatchObject({ code: 0, stderr: '' });

    // A pulled change to the CLI's usage text shows at once.
    const usage = path.join(dir, 'src/cli-usage.ts');
    fs.writeFileSync(usage, fs.readFileSync(usage, 'utf8').replace("'Usage: palaver <command> [options]'", "'Usage (pulled): palaver <command> [options]'"));
    const after = await run(['bin/palaver.js', '--help']);
    expect(after.stderr).toBe('Compiling 1 changed source file to dist/ …\n');
    expect(after.stdout).toMatch(/^Usage \(pulled\): palaver/);
  }, 120_000);

  it('npx palaver --help looks only at the usage modules; a command compiles the rest first', async () => {
    await run(['scripts/build.js']);
    const main = path.join(dir, 'src/main.ts');
    fs.writeFileSync(main, fs.readFileSync(main, 'utf8').replace('Palaver is serving on port', 'Palaver (pulled) is serving on port'));
    for (const args of [['--help'], ['--version'], ['poll', '--help']]) {
      const answer = await run(['bin/palaver.js', ...args]);
      expect(answer, args.join(' ')).toMatchObject({ code: 0, stderr: '' });
    }
    expect(fs.readFileSync(path.join(dir, 'dist/src/main.js'), 'utf8')).not.toContain('(pulled)');
    const migrate = await run(['bin/palaver.js', 'migrate']);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stderr).toBe('Compiling 1 changed source file to dist/ …\n');
    expect(fs.readFileSync(path.join(dir, 'dist/src/main.js'), 'utf8')).toContain('(pulled)');
  }, 120_000);

  it('npm start compiles a changed source before it serves', async () => {
    await run(['scripts/build.js']);
    const main = path.join(dir, 'src/main.ts');
    fs.writeFileSync(main, fs.readFileSync(main, 'utf8').replace('Palaver is serving on port', 'Palaver (pulled) is serving on port'));
    const port = 30000 + Math.floor(Math.random() * 20000);
    const child = spawn('npm', ['start'], {
      cwd: dir,
      detached: true,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: path.join(dir, 'start.db'), LOG_FORMAT: 'json', npm_config_update_notifier: 'false' },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    try {
      let ok = false;
      for (let i = 0; i < 300 && !ok; i++) {
        await new Promise((r) => setTimeout(r, 200));
        ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
      }
      expect(ok, out).toBe(true);
      expect(out).toContain('Compiling 1 changed source file to dist/ …');
      await new Promise((r) => setTimeout(r, 200));
      expect(out).toContain('Palaver (pulled) is serving on port');
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
    }
  }, 120_000);
});

describe('linkCommand', () => {
  const link = () => path.join(dir, 'node_modules/.bin/palaver');
  const execute = (file: string, args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(file, args, { cwd: dir, env: { ...process.env, npm_config_update_notifier: 'false' }, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );

  beforeEach(() => {
    write('bin/palaver.js', '#!/usr/bin/env node\nconsole.log(`palaver ${process.argv.slice(2).join(" ")}`);\n');
    fs.chmodSync(path.join(dir, 'bin/palaver.js'), 0o644);
    fs.mkdirSync(path.join(dir, 'node_modules'));
  });

  it('links node_modules/.bin/palaver to bin/palaver.js by a relative path, and makes the script executable', async () => {
    expect(linkCommand({ root: dir })).toBe('created');
    expect(fs.readlinkSync(link())).toBe('../../bin/palaver.js');
    expect(fs.statSync(path.join(dir, 'bin/palaver.js')).mode & 0o777).toBe(0o755);
    expect(await execute(link(), ['--help'])).toMatchObject({ code: 0, stdout: 'palaver --help\n' });
    // Relative, so a moved checkout still runs its own script.
    const moved = `${dir}-moved`;
    fs.renameSync(dir, moved);
    try {
      expect(fs.realpathSync(path.join(moved, 'node_modules/.bin/palaver'))).toBe(fs.realpathSync(path.join(moved, 'bin/palaver.js')));
    } finally {
      fs.renameSync(moved, dir);
    }
  });

  it('leaves a current link and an executable script as they are', () => {
    linkCommand({ root: dir });
    const before = fs.lstatSync(link());
    fs.chmodSync(path.join(dir, 'bin/palaver.js'), 0o700);
    expect(linkCommand({ root: dir })).toBe('unchanged');
    expect(linkCommand({ root: dir })).toBe('unchanged');
    expect(fs.lstatSync(link()).ino).toBe(before.ino);
    expect(fs.statSync(path.join(dir, 'bin/palaver.js')).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(path.join(dir, 'node_modules/.bin'))).toEqual(['palaver']);
  });

  it.each([
    ['a link to a script that is gone', () => fs.symlinkSync('../../old/palaver.js', link())],
    ['an absolute link to another checkout', () => fs.symlinkSync(path.join(root, 'bin/palaver.js'), link())],
    ['a copied file', () => fs.writeFileSync(link(), '#!/bin/sh\necho stale\n', { mode: 0o755 })],
    ['a folder', () => fs.mkdirSync(path.join(link(), 'inside'), { recursive: true })],
  ])('replaces %s with the link', async (_name, stale) => {
    fs.mkdirSync(path.join(dir, 'node_modules/.bin'));
    stale();
    expect(linkCommand({ root: dir })).toBe('refreshed');
    expect(fs.lstatSync(link()).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(link())).toBe('../../bin/palaver.js');
    expect(fs.readdirSync(path.join(dir, 'node_modules/.bin'))).toEqual(['palaver']);
    expect(await execute(link(), ['demo'])).toMatchObject({ code: 0, stdout: 'palaver demo\n' });
  });

  it('says to run npm install when node_modules is missing, and changes nothing', () => {
    fs.rmdirSync(path.join(dir, 'node_modules'));
    expect(() => linkCommand({ root: dir })).toThrow(/node_modules is missing.*run `npm install` \(or `npm ci`\)/);
    expect(fs.existsSync(path.join(dir, 'node_modules'))).toBe(false);
    expect(fs.statSync(path.join(dir, 'bin/palaver.js')).mode & 0o777).toBe(0o644);
  });

  it('is what `node scripts/build.js` (install, npm start, npm run build) does first', async () => {
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.copyFileSync(path.join(root, 'scripts/build.js'), path.join(dir, 'scripts/build.js'));
    const first = await execute(process.execPath, ['scripts/build.js']);
    expect(first).toMatchObject({ code: 0, stderr: 'Linked node_modules/.bin/palaver to bin/palaver.js, so `npx palaver` runs it.\n' });
    expect(fs.readlinkSync(link())).toBe('../../bin/palaver.js');
    expect(await execute(process.execPath, ['scripts/build.js', '--clean'])).toMatchObject({ code: 0, stderr: '' });

    fs.rmSync(path.join(dir, 'node_modules'), { recursive: true });
    const missing = await execute(process.execPath, ['scripts/build.js']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/node_modules is missing, so `npx palaver` has nothing to run: run `npm install`/);
  });

  it('is how npx finds palaver: through the link, with no `bin` entry and no install from the registry', async () => {
    // With a `bin` entry npx reads every package of node_modules before it runs the command.
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { bin?: unknown };
    const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { bin?: unknown }> };
    expect(manifest.bin).toBeUndefined();
    expect(lock.packages['']!.bin).toBeUndefined();
    // A lost link must not make npx fetch a package of that name.
    expect(fs.readFileSync(path.join(root, '.npmrc'), 'utf8')).toMatch(/^yes=false$/m);

    fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
    fs.copyFileSync(path.join(root, '.npmrc'), path.join(dir, '.npmrc'));
    linkCommand({ root: dir });
    expect(await execute('npx', ['palaver', '--version'])).toMatchObject({ code: 0, stdout: 'palaver --version\n' });
  }, 60_000);
});
