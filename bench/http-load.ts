// Load for the HTTP benchmarks: closed-loop requests per second at a fixed concurrency, with
// the answer's status checked, through an undici pool.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

/** Sends GETs for `seconds` with `concurrency` in flight; returns requests per second. */
export async function throughput(
  origin: string,
  path: string,
  options: { concurrency: number; seconds: number; headers?: Record<string, string>; expectStatus?: number },
): Promise<number> {
  const pool = new Pool(origin, { connections: options.concurrency, pipelining: 1 });
  const expected = options.expectStatus ?? 200;
  let done = 0;
  const until = performance.now() + options.seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const res = await pool.request({ path, method: 'GET', headers: options.headers });
      await res.body.dump({ limit: Infinity });
      if (res.statusCode !== expected) throw new Error(`bench: ${path} answered ${res.statusCode}, not ${expected}`);
      done += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return done / elapsed;
}
