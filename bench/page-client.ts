// The second process of the WordPress benchmark's page figure: between a "measure" and a
// "stop" from its parent it reads conversation pages (/c/:id of the conversations the API lists
// so far) as one reader does: one request at a time, at most `rate` a second. A stalled service
// shows as the latency of each page, not as a queue this process built itself.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface PageReport {
  requests: number;
  p50: number;
  p99: number;
  max: number;
  byStatus: Record<string, number>;
  /** Seconds from "measure" until the first conversation was listed and requests began. */
  waitedSeconds: number;
  seconds: number;
}

const [origin, rateArg] = process.argv.slice(2);
const rate = Number(rateArg);
// As a browser asks (BENCH_ACCEPT_ENCODING): each page with this Accept-Encoding.
const asked: Record<string, string> = process.env.BENCH_ACCEPT_ENCODING ? { 'accept-encoding': process.env.BENCH_ACCEPT_ENCODING } : {};
const pages = new Pool(origin!, { connections: 1 });
// The list of conversations is read on its own connection, and not counted.
const api = new Pool(origin!, { connections: 1 });
let ids: number[] = [];

async function refreshIds(): Promise<void> {
  try {
    const res = await api.request({ path: '/api/conversations?limit=200', method: 'GET' });
    const body = (await res.body.json()) as { conversations?: { id: number }[] };
    if (body.conversations?.length) ids = body.conversations.map((c) => c.id);
  } catch {
    // The next refresh tries again; the pages measured say how the service fared.
  }
}

async function run(stopped: Promise<void>): Promise<PageReport> {
  let stop = false;
  void stopped.then(() => (stop = true));
  const started = performance.now();
  while (ids.length === 0 && !stop) {
    await refreshIds();
    if (ids.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  const waitedSeconds = (performance.now() - started) / 1000;
  const refresher = setInterval(() => void refreshIds(), 1000);
  const latencies: number[] = [];
  const byStatus: Record<string, number> = {};
  const begin = performance.now();
  let sent = -Infinity;
  while (!stop) {
    const wait = sent + 1000 / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (stop) break;
    const id = ids[Math.floor(Math.random() * ids.length)]!;
    sent = performance.now();
    try {
      const res = await pages.request({ path: `/c/${id}`, method: 'GET', headers: asked });
      await res.body.dump({ limit: Infinity });
      byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
    } catch {
      byStatus.failed = (byStatus.failed ?? 0) + 1;
    }
    latencies.push(performance.now() - sent);
  }
  const seconds = (performance.now() - begin) / 1000;
  clearInterval(refresher);
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { requests: latencies.length, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? 0, byStatus, waitedSeconds, seconds };
}

let stopNow: () => void = () => {};
process.on('message', (m: { type: string }) => {
  if (m.type === 'measure') {
    const stopped = new Promise<void>((resolve) => (stopNow = resolve));
    void run(stopped).then((report) => process.send!({ type: 'report', report }));
  } else if (m.type === 'stop') stopNow();
});
process.send!({ type: 'ready' });
