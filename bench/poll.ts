// Polling benchmark: N fixture feeds (default 2,000, ~20 items each) polled by Palaver, once
// all changed and once all unchanged (304), against a baseline that only fetches the same URLs
// with undici at the same concurrency. Each side runs in its own process; median of the runs.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measuredWorker } from './measured-process.ts';
import { startFeedFarm } from './feed-fixtures.ts';

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
  peakRssMb: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

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
        const out = await runWorker(mode, urlsFile, options);
        results[mode].push(out);
      }
    }
  } finally {
    await farm.close();
  }
  const pick = (mode: 'palaver' | 'baseline', phase: number, f: (p: Phase) => number) => median(results[mode].map((r) => f(r[phase]!)));
  const note = `${options.feeds} feeds × 20 items on ${options.hosts} loopback addresses, concurrency ${options.concurrency} (${Math.ceil(options.concurrency / options.hosts)} per host), median of ${options.runs}`;
  return [
    { name: 'poll, all changed: feeds/s', value: pick('palaver', 0, (p) => p.feeds / p.seconds), baseline: pick('baseline', 0, (p) => p.feeds / p.seconds), unit: 'feeds/s', higherIsBetter: true, note },
    { name: 'poll, all changed: items/s', value: pick('palaver', 0, (p) => p.items / p.seconds), baseline: pick('baseline', 0, (p) => p.items / p.seconds), unit: 'items/s', higherIsBetter: true },
    { name: 'poll, all changed: peak RSS', value: pick('palaver', 0, (p) => p.peakRssMb), baseline: pick('baseline', 0, (p) => p.peakRssMb), unit: 'MiB', higherIsBetter: false },
    { name: 'poll, all unchanged (304): feeds/s', value: pick('palaver', 1, (p) => p.feeds / p.seconds), baseline: pick('baseline', 1, (p) => p.feeds / p.seconds), unit: 'feeds/s', higherIsBetter: true },
    { name: 'poll, all unchanged (304): peak RSS', value: pick('palaver', 1, (p) => p.peakRssMb), baseline: pick('baseline', 1, (p) => p.peakRssMb), unit: 'MiB', higherIsBetter: false },
  ];
}

// Asynchronous on purpose: the fixture servers live in this process and must keep answering.
// The measured process runs Palaver as its own processes do (bench/measured-process.ts).
async function runWorker(mode: string, urlsFile: string, options: { concurrency: number; hosts: number }): Promise<Phase[]> {
  const worker = await measuredWorker('poll-worker.ts');
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [...worker.execArgv, worker.file, mode, urlsFile, String(options.concurrency), String(options.hosts)],
      { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 },
      (err, stdout) => {
        if (err) reject(err);
        else resolve(JSON.parse(stdout) as Phase[]);
      },
    );
    child.stderr?.pipe(process.stderr);
  });
}
