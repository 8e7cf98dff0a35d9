// The /health probe of the hostile benchmark (bench/hostile.ts) in a process of its own: asks
// /health every 50 ms over one kept-alive connection until told to stop, then sends the
// latencies in ms. Apart from the attacks, so that what it measures is the service's answer and
// not the wait for its own turn in an event loop busy sending them.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

const [origin] = process.argv.slice(2);
if (!origin) throw new Error('usage: health-probe.ts <origin>');
const pool = new Pool(origin, { connections: 1 });
const latencies: number[] = [];
let running = true;
process.once('message', () => (running = false));
process.send!('ready');
while (running) {
  const t0 = performance.now();
  try {
    const res = await pool.request({ path: '/health', method: 'GET', headersTimeout: 60_000, bodyTimeout: 60_000 });
    await res.body.dump();
    latencies.push(performance.now() - t0);
  } catch {
    latencies.push(60_000);
  }
  await new Promise((r) => setTimeout(r, 50));
}
await pool.close();
process.send!(latencies, () => process.exit(0));
