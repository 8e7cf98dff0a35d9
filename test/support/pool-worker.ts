// A worker for test/worker-pool.test.ts: echoes a job with its thread, or busies its thread,
// or exits, as the job says; with workerData it fails before it is ready, or says when it is.
import { parentPort, threadId, workerData } from 'node:worker_threads';

const data = (workerData ?? {}) as { exitBeforeReady?: boolean; announcesReady?: boolean };
if (data.exitBeforeReady) process.exit(5);

parentPort!.on('message', (job: { id: number; op: 'echo' | 'busy' | 'exit'; ms?: number; value?: string }) => {
  if (job.op === 'exit') process.exit(3);
  if (job.op === 'busy') {
    const until = Date.now() + (job.ms ?? 0);
    while (Date.now() < until);
  }
  parentPort!.postMessage({ id: job.id, value: job.value, threadId });
});
if (data.announcesReady) parentPort!.postMessage({ ready: true });
