// `npx palaver demo`: start the fixture blogs of the 2008 "Social Media Camp" debate, register
// and poll them in a database of the demo's own, and serve Palaver until Ctrl-C. The fetcher may
// reach exactly the fixture blogs' origins, not private networks in general.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { registerBlog } from '../registry/register-blog.ts';
import { startService } from '../service.ts';
import { startDemoBlogs } from './blogs.ts';

/** Where the demo keeps its database: beside the configured one, recreated on every run. */
export function demoDatabasePath(config: Config): string {
  return config.databasePath === ':memory:' ? ':memory:' : path.join(path.dirname(config.databasePath), 'demo.db');
}

function removeDatabase(file: string): void {
  if (file === ':memory:') return;
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
}

/** Runs the demo until SIGINT or SIGTERM; returns the exit code. */
export async function runDemo(config: Config, options: { signal?: AbortSignal; log?: (line: string) => void } = {}): Promise<number> {
  const log = options.log ?? ((line: string) => console.log(line));
  // Freitag serves windows-1252 labelled ISO-8859-1, as German blogs of 2008 often did.
  const blogs = await startDemoBlogs({ freitagCharset: 'windows-1252' });
  const databasePath = demoDatabasePath(config);
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
    throw err;
  }
  try {
    for (const blog of blogs.blogs) {
      const { blog: registered } = await registerBlog({ db: service.database.db, fetch: service.fetcher.fetch }, blog.homeUrl);
      log(`Registered ${registered.title ?? blog.name} at ${blog.homeUrl}`);
    }
    const summary = await service.poller.pollOnce({ force: true });
    log(`Polled ${summary.polled} feeds: ${summary.inserted} entries${summary.failed ? `, ${summary.failed} failed` : ''}.`);
    service.poller.start();
    log('');
    log(`Palaver is serving the demo debate at ${demoConfig.publicUrl}/ (database ${databasePath}).`);
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
