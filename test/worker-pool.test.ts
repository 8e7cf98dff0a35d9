import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createWorkerPool, WorkerPoolError, type WorkerPool, type WorkerPoolOptions } from '../src/worker-pool.ts';

type Job = { id: number; op: 'echo' | 'busy' | 'exit'; ms?: number; value?: string };
type Answer = { id: number; value?: string; threadId: number };

const script = fileURLToPath(new URL('./support/pool-worker.ts', import.meta.url));
let pool: WorkerPool<Job, Answer> | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

function open(options: Partial<WorkerPoolOptions> = {}): WorkerPool<Job, Answer> {
  pool = createWorkerPool<Job, Answer>({ script, threads: 1, timeoutMs: () => 20_000, idleMs: 10_000, resourceLimits: { maxOldGenerationSizeMb: 64 }, ...options });
  return pool;
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (err: unknown) => (err instanceof WorkerPoolError ? err.failure : err),
  );

describe('createWorkerPool', () => {
  it('answers each job with its own answer, taking jobs side by side up to its threads', async () => {
    const p = open({ threads: 2 });
    const answers = await Promise.all(['a', 'b', 'c', 'd'].map((value) => p.run((id) => ({ id, op: 'busy', ms: 150, value }))));
    expect(answers.map((a) => a.value)).toEqual(['a', 'b', 'c', 'd']);
    expect(new Set(answers.map((a) => a.threadId)).size).toBe(2);
  });

  it('stops a job past its time limit, counted from when its thread is ready, and takes the next on a new thread', async () => {
    const p = open({ timeoutMs: () => 100, announcesReady: true, workerData: { announcesReady: true } });
    const first = await p.run((id) => ({ id, op: 'echo' }));
    expect(await failureOf(p.run((id) => ({ id, op: 'busy', ms: 5_000 })))).toEqual({ kind: 'timeout', limitMs: 100 });
    const next = await p.run((id) => ({ id, op: 'echo', value: 'weiter' }));
    expect(next.value).toBe('weiter');
    expect(next.threadId).not.toBe(first.threadId);
  });

  it('fails the job of a thread that exits, naming its exit code, and takes the next', async () => {
    const p = open();
    expect(await failureOf(p.run((id) => ({ id, op: 'exit' })))).toEqual({ kind: 'stopped', detail: 'exit code 3' });
    expect((await p.run((id) => ({ id, op: 'echo', value: 'wieder' }))).value).toBe('wieder');
  });

  it('waits for a thread that announces it is ready, and fails every waiting job when it ends before', async () => {
    const ready = open({ announcesReady: true, workerData: { announcesReady: true } });
    expect((await ready.run((id) => ({ id, op: 'echo', value: 'bereit' }))).value).toBe('bereit');
    await ready.close();
    const broken = open({ announcesReady: true, workerData: { exitBeforeReady: true }, threads: 2 });
    const failures = await Promise.all([1, 2, 3].map(() => failureOf(broken.run((id) => ({ id, op: 'echo' })))));
    expect(failures).toEqual([1, 2, 3].map(() => ({ kind: 'not-started', detail: 'exit code 5' })));
  });

  it('ends an idle thread and starts another for the next job', async () => {
    const p = open({ idleMs: 50 });
    const first = await p.run((id) => ({ id, op: 'echo' }));
    await new Promise((r) => setTimeout(r, 300));
    expect((await p.run((id) => ({ id, op: 'echo' }))).threadId).not.toBe(first.threadId);
  });

  it('counts the jobs waiting for a thread', async () => {
    const p = open();
    // The thread started for the first job takes it at once: its messages wait for it to load.
    const jobs = [1, 2, 3].map(() => p.run((id) => ({ id, op: 'busy', ms: 100 })));
    expect(p.waiting).toBe(2);
    await jobs[0];
    expect(p.waiting).toBe(1);
    await Promise.all(jobs);
    expect(p.waiting).toBe(0);
  });

  it('fails the running and waiting jobs when closed, and every job after', async () => {
    const p = open();
    const running = failureOf(p.run((id) => ({ id, op: 'busy', ms: 2_000 })));
    const waiting = failureOf(p.run((id) => ({ id, op: 'echo' })));
    await new Promise((r) => setTimeout(r, 100));
    await p.close();
    expect(await running).toEqual({ kind: 'closed' });
    expect(await waiting).toEqual({ kind: 'closed' });
    expect(await failureOf(p.run((id) => ({ id, op: 'echo' })))).toEqual({ kind: 'closed' });
  });
});
