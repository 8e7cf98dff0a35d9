// Polling benchmark: N fixture feeds (default 2,000, ~20 items each) polled by Palaver, all
// changed (every item new), all unchanged (304), with one new post each, and unchanged from a
// blog without validators (200, the same body), against a baseline that only fetches the same
// URLs with undici at the same concurrency. Each side runs in its own process; median of the runs.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measuredWorker } from './measured-process.ts';
import { startFeedFarm, type FeedFarm } from './feed-fixtures.ts';
import { median } from './median.ts';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
  note?: string;
  /** Whether a bigger value is better (throughput) or worse (memory, latency). */
  higherIsBetter: boolean;
}

interface Phase {
  seconds: number;
  feeds: number;
  items: number;
  cpuSeconds: number;
  peakRssMb: number;
}

/** Runs the polling benchmark and returns its figures. */
export async function benchPolling(options: { feeds: number; runs: number; concurrency: number; hosts: number }): Promise<Figure[]> {
  const farm = await startFeedFarm(options.feeds, { hosts: options.hosts });
  const urlsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-bench-')), 'urls.json');
  fs.writeFileSync(urlsFile, JSON.stringify(farm.urls));
  const results: Record<'palaver' | 'baseline', Phase[][]> = { palaver: [], baseline: [] };
  try {
    for (let run = 0; run < options.runs; run++) {
      for (const mode of ['baseline', 'palaver'] as const) {
        farm.bump();
        farm.validators(true);
        const out = await runWorker(mode, urlsFile, farm, options);
        results[mode].push(out);
      }
    }
  } finally {
    await farm.close();
  }
  const pick = (mode: 'palaver' | 'baseline', phase: number, f: (p: Phase) => number) => median(results[mode].map((r) => f(r[phase]!)));
  const cpuPerFeed = (phase: number) =>
    `${pick('palaver', phase, (p) => (p.cpuSeconds / p.feeds) * 1000).toFixed(2)} ms, fetching alone ${pick('baseline', phase, (p) => (p.cpuSeconds / p.feeds) * 1000).toFixed(2)} ms`;
  const note = `${options.feeds} feeds × 20 items on ${options.hosts} loopback addresses, concurrency ${options.concurrency} (${Math.ceil(options.concurrency / options.hosts)} per host), median of ${options.runs}`;
  return [
    { name: 'poll, all changed: feeds/s', value: pick('palaver', 0, (p) => p.feeds / p.seconds), baseline: pick('baseline', 0, (p) => p.feeds / p.seconds), unit: 'feeds/s', higherIsBetter: true, note },
    { name: 'poll, all changed: items/s', value: pick('palaver', 0, (p) => p.items / p.seconds), baseline: pick('baseline', 0, (p) => p.items / p.seconds), unit: 'items/s', higherIsBetter: true },
    { name: 'poll, all changed: peak RSS', value: pick('palaver', 0, (p) => p.peakRssMb), baseline: pick('baseline', 0, (p) => p.peakRssMb), unit: 'MiB', higherIsBetter: false },
    { name: 'poll, all unchanged (304): feeds/s', value: pick('palaver', 1, (p) => p.feeds / p.seconds), baseline: pick('baseline', 1, (p) => p.feeds / p.seconds), unit: 'feeds/s', higherIsBetter: true },
    { name: 'poll, all unchanged (304): peak RSS', value: pick('palaver', 1, (p) => p.peakRssMb), baseline: pick('baseline', 1, (p) => p.peakRssMb), unit: 'MiB', higherIsBetter: false },
    {
      name: 'poll, one new post a feed: feeds/s', value: pick('palaver', 2, (p) => p.feeds / p.seconds), baseline: pick('baseline', 2, (p) => p.feeds / p.seconds), unit: 'feeds/s', higherIsBetter: true,
      note: `every feed answers 200 with one new post and its 19 other items as before (a blog that posted once): ${pick('palaver', 2, (p) => p.items)} entries stored; CPU per feed ${cpuPerFeed(2)}`,
    },
    {
      name: 'poll, unchanged without validators (200): feeds/s', value: pick('palaver', 3, (p) => p.feeds / p.seconds), baseline: pick('baseline', 3, (p) => p.feeds / p.seconds), unit: 'feeds/s', higherIsBetter: true,
      note: `the same bodies again from a farm that sends no ETag and answers every request 200: ${pick('palaver', 3, (p) => p.items)} entries stored; CPU per feed ${cpuPerFeed(3)}`,
    },
  ];
}

// Asynchronous on purpose: the fixture servers live in this process and must keep answering.
// The measured process runs Palaver as its own processes do (bench/measured-process.ts).
// The worker asks over IPC for the farm's changes between its passes (poll-worker.ts).
async function runWorker(mode: string, urlsFile: string, farm: FeedFarm, options: { concurrency: number; hosts: number }): Promise<Phase[]> {
  const worker = await measuredWorker('poll-worker.ts');
  return new Promise((resolve, reject) => {
    const child = fork(worker.file, [mode, urlsFile, String(options.concurrency), String(options.hosts)], {
      execArgv: worker.execArgv,
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    child.on('message', (m: { farm?: 'advance' | 'no-validators' }) => {
      if (m.farm === 'advance') farm.advance();
      else if (m.farm === 'no-validators') farm.validators(false);
      child.send({ done: m.farm });
    });
    let stdout = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) reject(new Error(`bench: the ${mode} poll worker exited ${code}`));
      else resolve(JSON.parse(stdout) as Phase[]);
    });
  });
}
