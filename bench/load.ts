// Mixed load: the whole service in a measured process of its own (bench/load-worker.ts: wired
// as createService wires it on a database file), while a second process sends pages, feeds, API
// calls and webmentions on loopback, and its poller keeps polling this process's farm of
// changing feeds. Reports requests, errors, latency and the service's memory.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFeedFarm } from './feed-fixtures.ts';
import { measuredWorker } from './measured-process.ts';
import type { Figure } from './poll.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface LoadReport {
  requests: number;
  errors: number;
  byStatus: Record<string, number>;
  p50: number;
  p99: number;
  p99ByKind: Record<string, number>;
}

/** Runs the mixed load and returns its figures. */
export async function benchLoad(options: { feeds: number; seconds: number; concurrency: number }): Promise<Figure[]> {
  // BENCH_ACCEPT_ENCODING ('gzip, deflate, br' as browsers send it): the client (which inherits it) asks for compressed answers.
  const encoding = process.env.BENCH_ACCEPT_ENCODING ?? '';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-load-urls-'));
  const farm = await startFeedFarm(options.feeds, { hosts: 4 });
  let polls = 0;
  const bump = setInterval(() => {
    farm.bump();
    polls += 1;
  }, 10_000);
  try {
    const urlsFile = path.join(dir, 'urls.json');
    fs.writeFileSync(urlsFile, JSON.stringify(farm.urls));
    const worker = await measuredWorker('load-worker.ts');
    const { report, peakMb: peak, growthMb: growth } = await new Promise<{ report: LoadReport; peakMb: number; growthMb: number }>((resolve, reject) => {
      const child = fork(worker.file, [urlsFile, String(options.seconds), String(options.concurrency), path.join(here, 'load-client.ts')], {
        execArgv: worker.execArgv,
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      });
      let stdout = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.once('error', reject);
      child.once('close', (code) => {
        if (code !== 0) reject(new Error(`bench: the load worker exited ${code}`));
        else resolve(JSON.parse(stdout) as { report: LoadReport; peakMb: number; growthMb: number });
      });
    });
    const statuses = Object.entries(report.byStatus).map(([s, n]) => `${s}: ${n}`).join(', ');
    const kinds = Object.entries(report.p99ByKind).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ');
    const note = `p99 by request: ${kinds}. ${options.seconds} s, ${options.concurrency} in flight from a second process (pages, feeds, API, webmentions${encoding ? `, each with Accept-Encoding: ${encoding}` : ', without Accept-Encoding'}) while the poller polled ${options.feeds} changing feeds (${polls} feed changes); answers ${statuses}`;
    return [
      { name: 'mixed load: requests/s', value: report.requests / options.seconds, baseline: null, unit: 'req/s', higherIsBetter: true, note },
      { name: 'mixed load: errors (5xx other than a full queue’s 503, or failed)', value: report.errors, baseline: null, unit: 'errors', higherIsBetter: false },
      { name: 'mixed load: p50 latency', value: report.p50, baseline: null, unit: 'ms', higherIsBetter: false },
      { name: 'mixed load: p99 latency', value: report.p99, baseline: null, unit: 'ms', higherIsBetter: false },
      { name: 'mixed load: service peak RSS', value: peak, baseline: null, unit: 'MiB', higherIsBetter: false },
      { name: 'mixed load: service RSS growth', value: growth, baseline: null, unit: 'MiB', higherIsBetter: false },
    ];
  } finally {
    clearInterval(bump);
    await farm.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
