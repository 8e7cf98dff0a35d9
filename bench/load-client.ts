// The second process of the mixed load (bench/load.ts): for a number of seconds it keeps a
// number of requests in flight against the service, mixing pages, feeds, the API and
// webmentions, and reports counts and latencies to its parent.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

const [origin, secondsArg, concurrencyArg] = process.argv.slice(2);
const seconds = Number(secondsArg);
const concurrency = Number(concurrencyArg);
// As browsers and feed readers ask (BENCH_ACCEPT_ENCODING): every request with this Accept-Encoding.
const asked: Record<string, string> = process.env.BENCH_ACCEPT_ENCODING ? { 'accept-encoding': process.env.BENCH_ACCEPT_ENCODING } : {};
const pool = new Pool(origin!, { connections: concurrency });

async function get(path: string): Promise<{ status: number; body: string }> {
  const res = await pool.request({ path, method: 'GET' });
  return { status: res.statusCode, body: await res.body.text() };
}

const conversations = (JSON.parse((await get('/api/conversations?limit=200')).body).conversations as { id: number }[]).map((c) => c.id);
const entryUrls: string[] = [];
for (const id of conversations.slice(0, 20)) {
  const c = JSON.parse((await get(`/api/conversations/${id}`)).body) as { entries: { url: string | null }[] };
  for (const e of c.entries) if (e.url) entryUrls.push(e.url);
}
const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

type Request = { method: 'GET' | 'POST'; path: string; body?: string; kind: string };
function next(i: number): Request {
  const r = Math.random();
  const c = conversations.length ? pick(conversations) : 1;
  if (r < 0.4) return { method: 'GET', path: `/c/${c}`, kind: 'page' };
  if (r < 0.55) return { method: 'GET', path: `/c/${c}/feed.${pick(['atom', 'rss', 'json'])}`, kind: 'conversation feed' };
  if (r < 0.65) return { method: 'GET', path: '/', kind: 'home' };
  if (r < 0.75) return { method: 'GET', path: '/feed.atom', kind: 'everything feed' };
  if (r < 0.85) return { method: 'GET', path: `/api/conversations/${c}`, kind: 'api' };
  if (r < 0.9) return { method: 'GET', path: `/?q=${encodeURIComponent(pick(['Beitrag', 'Camp', 'Debatte', 'nichts']))}`, kind: 'search' };
  const target = entryUrls.length ? pick(entryUrls) : `${origin}/c/${c}`;
  return { method: 'POST', path: '/webmention', kind: 'webmention', body: `source=${encodeURIComponent(`http://127.0.0.1:9/source/${i}`)}&target=${encodeURIComponent(target)}` };
}

const latencies: number[] = [];
const byKind: Record<string, number[]> = {};
const byStatus: Record<string, number> = {};
let errors = 0;
let sent = 0;
const until = performance.now() + seconds * 1000;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      const req = next(sent++);
      const t0 = performance.now();
      try {
        const res = await pool.request({
          path: req.path,
          method: req.method,
          headers: req.body ? { ...asked, 'content-type': 'application/x-www-form-urlencoded' } : asked,
          ...(req.body ? { body: req.body } : {}),
        });
        await res.body.dump({ limit: Infinity });
        byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
        // A 503 with Retry-After is the bounded ping queue shedding load, as it should.
        if (res.statusCode >= 500 && !(res.statusCode === 503 && res.headers['retry-after'])) errors += 1;
      } catch {
        errors += 1;
        byStatus.failed = (byStatus.failed ?? 0) + 1;
      }
      latencies.push(performance.now() - t0);
      (byKind[req.kind] ??= []).push(performance.now() - t0);
    }
  }),
);
await pool.close();
latencies.sort((a, b) => a - b);
const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
const p99ByKind = Object.fromEntries(Object.entries(byKind).map(([k, xs]) => [k, xs.sort((a, b) => a - b)[Math.floor(0.99 * (xs.length - 1))]!]));
process.send!({ requests: latencies.length, errors, byStatus, p50: at(0.5), p99: at(0.99), p99ByKind });
