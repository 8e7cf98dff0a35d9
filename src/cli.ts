// The `palaver` command: add, poll, import-opml, export-opml, group, migrate, backup, demo, the two
// roles of the server (web, poller) and migrate-to-postgres. Each command opens what it needs, names
// the database on its first line, prints plain progress for people, and exits non-zero when it could not do its job.
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CommandToRun } from './cli-usage.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { backupDatabase, BackupError } from './db/backup.ts';
import { openConfiguredDatabase } from './db/connect.ts';
import { migrateToLatest } from './db/migrate.ts';
import { describePostgresUrl } from './db/postgres.ts';
import type { Source } from './domain/models.ts';
import type { ServiceLog } from './domain/vocabulary.ts';
import type { RefreshResult } from './poller/refresh-types.ts';
import { renderRegistryOpml } from './registry/export-opml.ts';
import { importOpml, importOutcomeWords, OpmlError, type ImportLine } from './registry/import-opml.ts';
import { registerBlog, RegistrationError } from './registry/register-blog.ts';
import { createService, openMigratedDatabase, startService, type Service } from './service.ts';
import { countBlogs, findBlogById } from './store/blogs.ts';
import { countDueSources } from './store/sources.ts';

class UsageError extends Error {}

/** Where a command says which database it opened: stdout, or stderr when stdout carries data. */
type Announce = ((line: string) => void) | null;

/** Shows a database path as typed relative to here when it lies below, else absolute. */
function showPath(file: string): string {
  if (file === ':memory:' || /^postgres(ql)?:\/\//i.test(file)) return file;
  const relative = path.relative(process.cwd(), path.resolve(file));
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : path.resolve(file);
}

/**
 * Builds the first line of a command: the database and what is in it, and, when the registry is
 * empty while the demo's database lies beside it, how to reach that one instead.
 */
export function describeDatabase(file: string, state: { existed: boolean; blogs: number | null }): string {
  const shown = showPath(file);
  if (!state.existed) return `Database: ${shown} (new)`;
  if (state.blogs === null) return `Database: ${shown}`;
  const count = `${state.blogs} blog${state.blogs === 1 ? '' : 's'} registered`;
  const demo = file === ':memory:' ? null : path.join(path.dirname(file), 'demo.db');
  if (state.blogs === 0 && demo && path.resolve(demo) !== path.resolve(file) && existsSync(demo)) {
    return `Database: ${shown} (${count}; the demo's database is ${showPath(demo)}: DATABASE_PATH=${showPath(demo)} npx palaver …)`;
  }
  return `Database: ${shown} (${count})`;
}

/** The database a command opens, as its first line names it: the SQLite file, or the URL without its password. */
function databaseName(config: Config): string {
  return config.databaseUrl ? describePostgresUrl(config.databaseUrl) : config.databasePath;
}

/** Whether the database was there before this command (a PostgreSQL database always was). */
function databaseExisted(config: Config): boolean {
  return config.databaseUrl ? true : config.databasePath !== ':memory:' && existsSync(config.databasePath);
}

/** Logs the poller's warnings for a person at a terminal (progress lines say the rest). */
const quietLog: ServiceLog = {
  info: () => {},
  warn: () => {},
  error: (obj, msg) => console.error(`error: ${msg}`, (obj as { err?: unknown }).err ?? ''),
};

function describeResult(r: RefreshResult): string {
  switch (r.outcome) {
    case 'updated':
      return `${r.inserted} new, ${r.updated} changed`;
    case 'unchanged':
      return 'no new entries';
    case 'not-modified':
      return 'not modified (304)';
    case 'failed':
      return `failed: ${r.error ?? 'unknown error'}`;
    case 'disabled':
      return `stopped: ${r.error ?? 'unknown error'}`;
  }
}

async function withDatabase<T>(config: Config, announce: Announce, work: (db: Awaited<ReturnType<typeof openMigratedDatabase>>) => Promise<T>): Promise<T> {
  const existed = databaseExisted(config);
  const database = await openMigratedDatabase(config);
  try {
    announce?.(describeDatabase(databaseName(config), { existed, blogs: await countBlogs(database.db) }));
    return await work(database);
  } finally {
    await database.close();
  }
}

/** Runs a command on the service as the server wires it, without listening; its workers log for a person. */
async function withService<T>(config: Config, announce: Announce, work: (service: Service) => Promise<T>): Promise<T> {
  const existed = databaseExisted(config);
  const service = await createService(config, { log: quietLog });
  try {
    announce?.(describeDatabase(databaseName(config), { existed, blogs: await countBlogs(service.database.db) }));
    return await work(service);
  } finally {
    await service.stop();
  }
}

async function commandMigrate(config: Config, announce: Announce): Promise<number> {
  const existed = databaseExisted(config);
  const database = await openConfiguredDatabase(config);
  try {
    announce?.(describeDatabase(databaseName(config), { existed, blogs: null }));
    const applied = await migrateToLatest(database.db);
    console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'The database is up to date.');
    return 0;
  } finally {
    await database.close();
  }
}

async function commandBackup(config: Config, announce: Announce, file: string | undefined): Promise<number> {
  if (!file) throw new UsageError('backup needs a file to write: palaver backup backups/palaver-2008-11-17.db');
  if (config.databaseUrl) {
    console.error(`palaver backup copies a SQLite file; a PostgreSQL database is backed up with its own tools: pg_dump --format=custom --file=${file} <database>`);
    return 2;
  }
  announce?.(describeDatabase(config.databasePath, { existed: existsSync(config.databasePath), blogs: null }));
  try {
    const report = await backupDatabase(config.databasePath, file);
    console.log(`Backed up ${report.source} to ${report.target}: ${report.pages} pages, ${report.bytes} bytes; the copy passes the integrity check.`);
    return 0;
  } catch (err) {
    if (!(err instanceof BackupError)) throw err;
    console.error(`Backup failed: ${err.message}`);
    return 1;
  }
}

async function commandPoll(config: Config, announce: Announce, options: { once: boolean; force: boolean }): Promise<number> {
  return withService(config, announce, async ({ database: { db }, poller }) => {
    if (!options.once) {
      console.log('Polling in the foreground; Ctrl-C stops.');
      poller.start();
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await poller.stop();
      return 0;
    }
    const due = options.force ? null : await countDueSources(db, new Date().toISOString());
    console.log(options.force ? 'Polling every source now (--force).' : `${due} source(s) due.`);
    const titles = new Map<number, string>();
    const label = async (source: Source) => {
      if (!titles.has(source.blogId)) titles.set(source.blogId, (await findBlogById(db, source.blogId))?.title ?? `blog ${source.blogId}`);
      return titles.get(source.blogId)!;
    };
    let n = 0;
    const lines: Promise<void>[] = [];
    const summary = await poller.pollOnce({
      force: options.force,
      onResult: (r, source) => {
        n += 1;
        const i = n;
        lines.push(label(source).then((name) => console.log(`[${i}] ${r.outcome === 'failed' || r.outcome === 'disabled' ? '✗' : '✓'} ${name} · ${source.kind} ${r.url}: ${describeResult(r)}`)));
      },
      onCrash: (source, err) => console.error(`[!] ${source.url}: ${err instanceof Error ? err.message : String(err)}`),
    });
    await Promise.all(lines);
    console.log(
      `Polled ${summary.polled} source(s): ${summary.inserted} new entries, ${summary.changed} changed; ` +
        `${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.notModified} not modified, ` +
        `${summary.failed} failed, ${summary.disabled} stopped${summary.crashed ? `, ${summary.crashed} crashed` : ''}.`,
    );
    return summary.crashed > 0 ? 1 : 0;
  });
}

async function commandAdd(config: Config, announce: Announce, url: string | undefined, poll: boolean): Promise<number> {
  if (!url) throw new UsageError('add needs the address of a blog: palaver add https://example.org/');
  return withService(config, announce, async ({ database: { db }, fetcher, poller }) => {
    try {
      console.log(`Looking at ${url} …`);
      const { blog, created, discovery } = await registerBlog({ db, fetch: fetcher.fetch }, url);
      console.log(`${created ? 'Registered' : 'Already registered'}: ${blog.title ?? blog.homeUrl} (id ${blog.id}) ${blog.homeUrl}`);
      if (discovery) {
        console.log(`  post feed:     ${discovery.feed.url} (${discovery.feed.format}, ${discovery.feed.itemCount} items)`);
        console.log(`  comment feed:  ${discovery.commentFeed?.url ?? '—'}`);
        console.log(`  pingback:      ${discovery.pingbackEndpoint ?? '—'}`);
        console.log(`  webmention:    ${discovery.webmentionEndpoint ?? '—'}`);
        for (const note of discovery.notes) console.log(`  note: ${note}`);
      }
      if (poll && created) {
        const summary = await poller.pollOnce();
        console.log(`First poll: ${summary.inserted} entries from ${summary.polled} source(s)${summary.failed ? `, ${summary.failed} failed` : ''}.`);
      }
      return 0;
    } catch (err) {
      if (err instanceof RegistrationError) {
        console.error(`Could not register ${url}: ${err.message}`);
        return 2;
      }
      throw err;
    }
  });
}

const importMarks: Record<ImportLine['outcome'], string> = { registered: '✓', known: '=', failed: '✗', duplicate: '·' };

function describeImportLine(line: ImportLine): string {
  const name = line.blogTitle && line.blogTitle !== line.title ? `${line.title} (${line.blogTitle})` : line.title;
  const where = line.url && line.url !== line.title ? ` ${line.url}` : '';
  const id = line.blogId !== null ? ` [blog ${line.blogId}]` : '';
  return `${importMarks[line.outcome]} ${importOutcomeWords[line.outcome]}: ${name}${where}${id}${line.outcome === 'failed' && line.reason ? ` — ${line.reason}` : ''}`;
}

async function commandImportOpml(config: Config, announce: Announce, file: string | undefined): Promise<number> {
  if (!file) throw new UsageError('import-opml needs an OPML file: palaver import-opml blogs.opml');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    console.error(`Cannot read ${file}: ${(err as Error).message}`);
    return 1;
  }
  return withService(config, announce, async ({ database: { db }, fetcher }) => {
    try {
      const report = await importOpml({ db, fetch: fetcher.fetch }, text, {
        onLine: (line, done, total) => console.log(`[${done}/${total}] ${describeImportLine(line)}`),
        maxEntries: config.registry.maxImportEntries,
        hostIntervalMs: config.registry.importHostIntervalMs,
      });
      console.log(
        `Imported ${report.listTitle ? `“${report.listTitle}”` : file}: ${report.registered} registered, ${report.known} already there, ` +
          `${report.failed} failed, ${report.duplicates} duplicate(s) skipped.`,
      );
      const failures = report.lines.filter((l) => l.outcome === 'failed');
      if (failures.length) {
        console.log('Failures:');
        for (const f of failures) console.log(`  ${f.title}${f.url && f.url !== f.title ? ` ${f.url}` : ''}: ${f.reason ?? 'unknown error'}`);
      }
      if (report.registered) console.log('New blogs are polled by the running server, or now with: palaver poll --once');
      return failures.length ? 1 : 0;
    } catch (err) {
      if (err instanceof OpmlError) {
        console.error(`${file} cannot be imported: ${err.message}`);
        return 1;
      }
      throw err;
    }
  });
}

async function commandExportOpml(config: Config, announce: Announce): Promise<number> {
  return withDatabase(config, announce, async ({ db }) => {
    process.stdout.write(await renderRegistryOpml(db, { now: new Date() }));
    return 0;
  });
}

/** Waits for Ctrl-C or a stop signal. */
function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/** The web role: HTTP only; the background work is left to `palaver poller` processes. */
async function commandWeb(config: Config, announce: Announce): Promise<number> {
  announce?.(describeDatabase(databaseName(config), { existed: databaseExisted(config), blogs: null }));
  const service = await startService(config, { workers: false });
  console.log(`Serving on ${service.address} (web only: pages, feeds, ping endpoints; polling is left to palaver poller). Ctrl-C stops.`);
  await untilStopped();
  await service.stop();
  return 0;
}

/** The poller role: polling, ping verification, WebSub delivery and renewals; no HTTP. */
async function commandPoller(config: Config, announce: Announce): Promise<number> {
  return withService(config, announce, async (service) => {
    await service.startWorkers({ poller: true });
    console.log('Polling, verifying pings and delivering WebSub in the foreground (no HTTP); Ctrl-C stops.');
    await untilStopped();
    return 0;
  });
}

async function commandMigrateToPostgres(config: Config, announce: Announce, file: string | undefined): Promise<number> {
  if (!file) throw new UsageError('migrate-to-postgres needs the SQLite file to copy: palaver migrate-to-postgres data/palaver.db');
  if (!config.databaseUrl) throw new UsageError('migrate-to-postgres copies into the PostgreSQL database of DATABASE_URL; set it: DATABASE_URL=postgres://user:pass@host/db');
  if (!existsSync(file)) {
    console.error(`No SQLite database at ${file}.`);
    return 1;
  }
  announce?.(`Database: ${databaseName(config)} (copying ${showPath(file)} into it)`);
  const { copySqliteToPostgres, CopyError } = await import('./store/copy-to-postgres.ts');
  try {
    const report = await copySqliteToPostgres(file, config, { onTable: (table, rows) => console.log(`  ${table}: ${rows} row(s)`) });
    console.log(`Copied ${report.rows} rows in ${report.tables} tables; row counts match, and ${report.sampled} sampled conversation(s) read the same on both.`);
    return 0;
  } catch (err) {
    if (!(err instanceof CopyError)) throw err;
    console.error(`Copy failed: ${err.message}`);
    return 1;
  }
}

/** Runs a command parsed by cli-entry.ts (help and usage errors are answered there) and returns the exit code. */
export async function runCli(parsed: CommandToRun): Promise<number> {
  const { command, args, values } = parsed;
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Palaver cannot start: ${err.message}`);
      return 1;
    }
    throw err;
  }
  // export-opml writes its document on stdout: its first line goes to stderr.
  const announce: Announce = values.quiet ? null : command.name === 'export-opml' ? (line) => console.error(line) : (line) => console.log(line);
  try {
    switch (command.name) {
      case 'migrate':
        return await commandMigrate(config, announce);
      case 'backup':
        return await commandBackup(config, announce, args[0]);
      case 'poll':
        if (values.force && !values.once) throw new UsageError('--force goes with --once: palaver poll --once --force');
        return await commandPoll(config, announce, { once: values.once ?? false, force: values.force ?? false });
      case 'add':
        return await commandAdd(config, announce, args[0], !values['no-poll']);
      case 'import-opml':
        return await commandImportOpml(config, announce, args[0]);
      case 'export-opml':
        return await commandExportOpml(config, announce);
      case 'group': {
        const { runGroupCommand, GroupUsageError } = await import('./cli-group.ts');
        try {
          return await withService(config, announce, (service) => runGroupCommand(config, service, args, values));
        } catch (err) {
          if (err instanceof GroupUsageError) throw new UsageError(err.message);
          throw err;
        }
      }
      case 'web':
        return await commandWeb(config, announce);
      case 'poller':
        return await commandPoller(config, announce);
      case 'migrate-to-postgres':
        return await commandMigrateToPostgres(config, announce, args[0]);
      case 'demo': {
        const { runDemo } = await import('./demo/run-demo.ts');
        return await runDemo(config, { announce });
      }
      default:
        throw new UsageError(`Unknown command “${command.name}”.`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\nSee: palaver ${command.name} --help`);
      return 2;
    }
    console.error(`palaver ${command.name} failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
