// The peer comparison: N WordPress-6-style feeds (wordpress-farm.ts) on one loopback host,
// per-host limit 8. Palaver's poller against bare undici fetching the same URLs, each in its own
// process (wordpress-worker.ts): cold ingest, the comment feeds it discovers (404), the all-304
// re-poll; and the conversation page latency from a second process while the whole service
// ingests N feeds cold, against the same requests once it is idle.
import { fork } from 'node:child_process';
import { measuredWorker } from './measured-process.ts';
import type { Figure } from './poll.ts';
import { startWordPressFarm } from './wordpress-farm.ts';
import type { Phase, ServeReport, WorkerInput, WorkerReport } from './wordpress-worker.ts';

async function runWorker<T>(input: WorkerInput): Promise<T> {
  // The measured process runs Palaver as its own processes do (bench/measured-process.ts).
  const worker = await measuredWorker('wordpress-worker.ts');
  return new Promise((resolve, reject) => {
    // BENCH_CPU_PROF=<dir>: a CPU profile of each measured process (node --cpu-prof), to read with any profile viewer.
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const child = fork(worker.file, [], { execArgv: [...worker.execArgv, ...prof] });
    let report: T | undefined;
    child.once('message', (m) => (report = m as T));
    child.once('error', reject);
    child.once('exit', (code) => (report !== undefined ? resolve(report) : reject(new Error(`bench: WordPress ${input.mode} worker exited ${code} without a report`))));
    child.send(input);
  });
}

const thousands = (n: number) => n.toLocaleString('en');

// Where a phase's CPU per item went, by thread, when the worker could tell (Linux).
const threads = (phase: Phase) => {
  const t = phase.cpuByThread;
  if (!t) return '';
  const perItem = (s: number) => ((s / phase.items) * 1000).toFixed(2);
  return `; an item: event loop ${perItem(t.eventLoop)} ms, reading thread (the busiest other) ${perItem(t.busiestOther)} ms, V8's and libuv's helper threads ${perItem(t.rest)} ms`;
};

/** Cold ingest, comment feeds and re-poll of N feeds, for each N: Palaver against bare fetching. */
export async function benchWordPressIngest(options: { sizes: number[]; perHost: number }): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const n of options.sizes) {
    const farm = await startWordPressFarm(n);
    // As many other feeds from a second fixture server (another port), for a cold ingest by the process the first one warmed up.
    const later = await startWordPressFarm(n);
    try {
      const input = { feedUrls: farm.feedUrls, commentFeedUrls: farm.commentFeedUrls, perHost: options.perHost };
      const bare = await runWorker<WorkerReport>({ ...input, mode: 'baseline' });
      const before = farm.counts();
      const ours = await runWorker<WorkerReport>({ ...input, mode: 'palaver', laterFeedUrls: later.feedUrls });
      const after = farm.counts();
      const name = `WordPress ×${thousands(n)}`;
      const failed = ours.cold.failed + ours.comments.failed + ours.repoll.failed;
      const note =
        `${thousands(n)} feeds × 20 items (mean ${(farm.meanFeedBytes / 1024).toFixed(1)} KiB: content:encoded, wfw:commentRss, slash:comments, German) on one loopback host, ` +
        `per-host limit ${options.perHost}, poller concurrency 8, fresh database; ${thousands(ours.cold.items)} new entries in ${ours.cold.seconds.toFixed(1)} s ` +
        `(${ours.cold.cpuSeconds.toFixed(1)} CPU-s${threads(ours.cold)}); then ${thousands(ours.comments.feeds)} comment feeds polled in ${ours.comments.seconds.toFixed(1)} s ` +
        `(${thousands(after.comments404 - before.comments404)} answers 404), then ${thousands(ours.repoll.feeds)} post feeds again (${thousands(after.feeds304 - before.feeds304)} answers 304)` +
        `${after.other > before.other ? `; ${thousands(after.other - before.other)} other requests (404)` : ''}` +
        `${failed ? `; ${failed} polls failed` : ''}. Baseline: undici GETs of the same URLs, ${options.perHost} connections, bodies read and dropped`;
      figures.push(
        { name: `${name}: cold ingest, feeds/s`, value: ours.cold.feeds / ours.cold.seconds, baseline: bare.cold.feeds / bare.cold.seconds, unit: 'feeds/s', higherIsBetter: true, note },
        { name: `${name}: cold ingest, items/s`, value: ours.cold.items / ours.cold.seconds, baseline: bare.cold.items / bare.cold.seconds, unit: 'items/s', higherIsBetter: true },
        { name: `${name}: cold ingest, CPU per item`, value: (ours.cold.cpuSeconds / ours.cold.items) * 1000, baseline: (bare.cold.cpuSeconds / bare.cold.items) * 1000, unit: 'ms', higherIsBetter: false },
        { name: `${name}: cold ingest, peak RSS`, value: ours.cold.peakRssMb, baseline: bare.cold.peakRssMb, unit: 'MiB', higherIsBetter: false },
        ...(ours.laterCold
          ? [
              {
                name: `${name}: cold ingest by a warmed-up process, CPU per item`,
                value: (ours.laterCold.cpuSeconds / ours.laterCold.items) * 1000,
                baseline: (bare.cold.cpuSeconds / bare.cold.items) * 1000,
                unit: 'ms',
                higherIsBetter: false,
                note:
                  `${thousands(n)} other feeds of the same kind from a second fixture server (another port), ingested cold by the same process after everything above (its code compiled and optimized by then): ` +
                  `${thousands(ours.laterCold.items)} new entries in ${ours.laterCold.seconds.toFixed(1)} s, ${(ours.laterCold.feeds / ours.laterCold.seconds).toFixed(0)} feeds/s ` +
                  `(${ours.laterCold.cpuSeconds.toFixed(1)} CPU-s${threads(ours.laterCold)}). Baseline: fetching alone, as above`,
              },
            ]
          : []),
        { name: `${name}: comment feeds (404), feeds/s`, value: ours.comments.feeds / ours.comments.seconds, baseline: bare.comments.feeds / bare.comments.seconds, unit: 'feeds/s', higherIsBetter: true },
        { name: `${name}: all-304 re-poll, feeds/s`, value: ours.repoll.feeds / ours.repoll.seconds, baseline: bare.repoll.feeds / bare.repoll.seconds, unit: 'feeds/s', higherIsBetter: true },
      );
    } finally {
      await farm.close();
      await later.close();
    }
  }
  return figures;
}

/** The p99 of conversation pages asked from a second process while the service ingests N feeds cold; baseline: the same once idle. */
export async function benchWordPressPages(options: { feeds: number; perHost: number; rate: number; idleSeconds: number }): Promise<Figure[]> {
  const farm = await startWordPressFarm(options.feeds);
  try {
    const r = await runWorker<ServeReport>({ mode: 'serve', feedUrls: farm.feedUrls, commentFeedUrls: farm.commentFeedUrls, perHost: options.perHost, pageRate: options.rate, idleSeconds: options.idleSeconds });
    const side = (s: ServeReport['ingestSide']) =>
      `inside the service a page took p50 ${s.pageP50.toFixed(1)} ms, p99 ${s.pageP99.toFixed(1)} ms from its request read, the event loop's delay p99 ${s.loopP99.toFixed(0)} ms, max ${s.loopMax.toFixed(0)} ms, the service used ${(s.cpuShare * 100).toFixed(0)} % of a core`;
    const statuses = (report: ServeReport['ingest']) => Object.entries(report.byStatus).map(([s, k]) => `${s}: ${k}`).join(', ');
    const note =
      `${r.ingest.requests} requests of /c/:id${process.env.BENCH_ACCEPT_ENCODING ? ` (Accept-Encoding: ${process.env.BENCH_ACCEPT_ENCODING})` : ''}, one at a time and at most ${options.rate}/s, from a second process while the service (startService, its own poller) ingested ` +
      `${thousands(options.feeds)} feeds cold: post feeds done after ${r.feedsSeconds.toFixed(1)} s (the first conversation listed after ${r.ingest.waitedSeconds.toFixed(1)} s), ` +
      `the whole first poll with ${thousands(r.polled - options.feeds)} comment feeds after ${r.pollSeconds.toFixed(1)} s; p50 ${r.ingest.p50.toFixed(1)} ms, max ${r.ingest.max.toFixed(0)} ms, ` +
      `answers ${statuses(r.ingest)}; ${side(r.ingestSide)}. Baseline: the same requests for ${options.idleSeconds} s once the poll ended (p50 ${r.idle.p50.toFixed(1)} ms, ${r.idle.requests} requests, ` +
      `answers ${statuses(r.idle)}; ${side(r.idleSide)})`;
    return [
      { name: `WordPress ×${thousands(options.feeds)}: conversation page p99 during cold ingest`, value: r.ingest.p99, baseline: r.idle.p99, unit: 'ms', higherIsBetter: false, note },
    ];
  } finally {
    await farm.close();
  }
}
