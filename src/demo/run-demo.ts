// `npx palaver demo`: start the fixture blogs of the 2008 "Social Media Camp" debate, register
// and poll them in a database of the demo's own, and serve Palaver until Ctrl-C. The fetcher may
// reach exactly the fixture blogs' origins, not private networks in general. Nothing is started
// or recreated while the port is taken.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { describeTakenPort, findFreePortAfter, findPortOwner, probePort } from '../port-owner.ts';
import { registerBlog } from '../registry/register-blog.ts';
import { startService } from '../service.ts';
import { startDemoBlogs } from './blogs.ts';
import { createDemoGroup } from './group.ts';

/** Where the demo keeps its database: beside the configured one, recreated on every run. */
export function demoDatabasePath(config: Config): string {
  return config.databasePath === ':memory:' ? ':memory:' : path.join(path.dirname(config.databasePath), 'demo.db');
}

function removeDatabase(file: string): void {
  if (file === ':memory:') return;
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
}

async function explainTakenPort(config: Config, code: string): Promise<string> {
  return describeTakenPort({
    port: config.port,
    host: config.host,
    code,
    owner: findPortOwner(config.port),
    freePort: await findFreePortAfter(config.port, config.host),
    command: 'npx palaver demo',
  });
}

export interface DemoOptions {
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Where the line naming the database goes; null leaves it out (--quiet). */
  announce?: ((line: string) => void) | null;
}

/** Runs the demo until SIGINT or SIGTERM; returns the exit code. */
export async function runDemo(config: Config, options: DemoOptions = {}): Promise<number> {
  const log = options.log ?? ((line: string) => console.log(line));
  const announce = options.announce === undefined ? log : options.announce;
  const databasePath = demoDatabasePath(config);
  // Check the port before anything changes: a running `npm start` keeps data/demo.db as it was.
  const taken = config.port === 0 ? null : await probePort(config.port, config.host);
  if (taken) {
    console.error(`${await explainTakenPort(config, taken)}\nNothing was started or changed (${databasePath} is as it was).`);
    return 1;
  }
  announce?.(`Database: ${databasePath} (recreated for the demo on each run)`);
  // Freitag serves windows-1252 labelled ISO-8859-1, as German blogs of 2008 often did.
  const blogs = await startDemoBlogs({ freitagCharset: 'windows-1252' });
  removeDatabase(databasePath);
  const demoConfig: Config = {
    ...config,
    databasePath,
    // The debate's blogs stand in Germany: the demo shows their time unless a zone is configured.
    timeZone: config.timeZone ?? 'Europe/Berlin',
    fetcher: { ...config.fetcher, allowedOrigins: [...config.fetcher.allowedOrigins, ...blogs.blogs.map((b) => b.origin)] },
  };
  let service;
  try {
    service = await startService(demoConfig, { startPoller: false });
  } catch (err) {
    await blogs.close();
    // Another process took the port in the moment since the check.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      console.error(await explainTakenPort(config, code));
      return 1;
    }
    throw err;
  }
  try {
    for (const blog of blogs.blogs) {
      const { blog: registered } = await registerBlog({ db: service.database.db, fetch: service.fetcher.fetch }, blog.homeUrl);
      log(`Registered ${registered.title ?? blog.name} at ${blog.homeUrl}`);
    }
    const summary = await service.poller.pollOnce({ force: true });
    log(`Polled ${summary.polled} feeds: ${summary.inserted} entries${summary.failed ? `, ${summary.failed} failed` : ''}.`);
    const { group } = await createDemoGroup({ db: service.database.db, fetch: service.fetcher.fetch }, blogs);
    log(`Grouped them as “${group.title}”: ${demoConfig.publicUrl}/g/${group.slug}`);
    service.poller.start();
    log('');
    log(`Palaver is serving the demo debate at ${demoConfig.publicUrl}/ (database ${databasePath}).`);
    log('CLI commands reach the demo’s database while the demo runs (its blogs live on 127.0.0.1,');
    log('which Palaver’s fetcher refuses unless allowed), for example in a second terminal:');
    log(`  DATABASE_PATH=${databasePath} npx palaver export-opml`);
    log(`  DATABASE_PATH=${databasePath} FETCHER_ALLOW_PRIVATE_NETWORKS=true npx palaver poll --once --force`);
    log('Press Ctrl-C to stop.');
    await new Promise<void>((resolve) => {
      if (options.signal) {
        if (options.signal.aborted) resolve();
        options.signal.addEventListener('abort', () => resolve(), { once: true });
      }
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    return 0;
  } finally {
    await service.stop();
    await blogs.close();
  }
}
