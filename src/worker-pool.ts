// Runs jobs in worker threads, one job per thread at a time, each within a time limit and the
// thread's memory limit: the reading threads, the readers of ping sources and the search thread
// are pools of this kind. A thread starts when a job needs it and ends when idle; a job past its
// limit costs its thread, never the event loop. What a job and its answer mean is the caller's.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { workerBootstrap } from './worker-bootstrap.ts';

export interface WorkerPoolOptions {
  /** The worker's module, .ts or .js (workerBootstrap). */
  script: string;
  /** Threads running at once. */
  threads: number;
  /** Time one job may take once its thread has taken it; read at each job. */
  timeoutMs: () => number;
  /** An idle thread ends after this long (the next job starts another). */
  idleMs: number;
  resourceLimits: ResourceLimits;
  workerData?: unknown;
  /**
   * The worker posts `{ ready: true }` once it can take jobs (after warming up, say). Its time
   * limit then counts from there, and a thread that ends before it is ready fails every job
   * waiting, rather than starting thread after thread that cannot load.
   */
  announcesReady?: boolean;
}

/** Why a job got no answer. */
export type WorkerPoolFailure =
  | { kind: 'timeout'; limitMs: number }
  | { kind: 'memory'; limitMb: number }
  /** The thread failed or exited while it had the job: `detail` is its error or its exit code. */
  | { kind: 'stopped'; detail: string }
  /** The thread ended before it was ready, so no job could run. */
  | { kind: 'not-started'; detail: string }
  | { kind: 'closed' };

function describe(failure: WorkerPoolFailure): string {
  switch (failure.kind) {
    case 'timeout':
      return `a job took longer than ${failure.limitMs} ms`;
    case 'memory':
      return `a job needed more than ${failure.limitMb} MB`;
    case 'stopped':
      return `its thread stopped (${failure.detail})`;
    case 'not-started':
      return `its thread did not start (${failure.detail})`;
    case 'closed':
      return 'closed';
  }
}

/** A job's failure; callers say it in their own words from `failure`. */
export class WorkerPoolError extends Error {
  constructor(readonly failure: WorkerPoolFailure) {
    super(`worker pool: ${describe(failure)}`);
    this.name = 'WorkerPoolError';
  }
}

export interface WorkerPool<Message, Answer> {
  /** Posts `message(id)` to a thread; resolves with the thread's answer carrying `id`. Rejects with WorkerPoolError. */
  run(message: (id: number) => Message): Promise<Answer>;
  /** Jobs not yet taken by a thread. */
  readonly waiting: number;
  /** Fails the jobs still waiting or running (`closed`) and ends every thread; later jobs fail at once. */
  close(): Promise<void>;
}

interface Job<Answer> {
  id: number;
  message: unknown;
  resolve: (answer: Answer) => void;
  reject: (err: WorkerPoolError) => void;
}

interface Thread<Answer> {
  worker: Worker;
  ready: boolean;
  job: (Job<Answer> & { timer: NodeJS.Timeout }) | null;
  idleTimer: NodeJS.Timeout | null;
  ended: boolean;
}

/** Creates the pool; no thread starts before the first job. */
export function createWorkerPool<Message, Answer extends { id?: number }>(options: WorkerPoolOptions): WorkerPool<Message, Answer> {
  const code = workerBootstrap(options.script);
  const waiting: Job<Answer>[] = [];
  const threads = new Set<Thread<Answer>>();
  let nextId = 1;
  let closed = false;

  function finish(thread: Thread<Answer>, outcome: { answer: Answer } | { failure: WorkerPoolFailure }): void {
    const job = thread.job;
    if (!job) return;
    clearTimeout(job.timer);
    thread.job = null;
    if ('answer' in outcome) job.resolve(outcome.answer);
    else job.reject(new WorkerPoolError(outcome.failure));
  }

  // Ends a thread, failing its job (if any) with `failure`.
  function end(thread: Thread<Answer>, failure: WorkerPoolFailure): void {
    if (thread.ended) return;
    thread.ended = true;
    threads.delete(thread);
    if (thread.idleTimer) clearTimeout(thread.idleTimer);
    finish(thread, { failure });
    void thread.worker.terminate();
    if (!thread.ready) {
      const notStarted = new WorkerPoolError({ kind: 'not-started', detail: failure.kind === 'stopped' ? failure.detail : describe(failure) });
      for (const job of waiting.splice(0)) job.reject(notStarted);
      return;
    }
    pump();
  }

  function spawn(): void {
    const worker = new Worker(code, { eval: true, execArgv: [], resourceLimits: options.resourceLimits, ...(options.workerData === undefined ? {} : { workerData: options.workerData }) });
    const thread: Thread<Answer> = { worker, ready: !options.announcesReady, job: null, idleTimer: null, ended: false };
    worker.on('message', (message: Answer & { ready?: true }) => {
      if (thread.ended) return;
      if (message.ready) thread.ready = true;
      else if (thread.job && message.id === thread.job.id) finish(thread, { answer: message });
      pump();
    });
    worker.on('error', (err: Error & { code?: string }) => {
      end(thread, err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? { kind: 'memory', limitMb: options.resourceLimits.maxOldGenerationSizeMb ?? 0 } : { kind: 'stopped', detail: err.message });
    });
    worker.on('exit', (exitCode) => end(thread, { kind: 'stopped', detail: `exit code ${exitCode}` }));
    threads.add(thread);
  }

  function pump(): void {
    if (closed) return;
    // Threads up to the limit for the jobs no free thread (idle, or starting) will take.
    let free = [...threads].filter((t) => !t.job).length;
    while (waiting.length > free && threads.size < options.threads) {
      spawn();
      free += 1;
    }
    for (const thread of threads) {
      if (!thread.ready || thread.job) continue;
      const job = waiting.shift();
      if (!job) {
        // An idle thread never keeps the process alive, and ends after a while.
        thread.worker.unref();
        thread.idleTimer ??= setTimeout(() => {
          thread.ended = true;
          threads.delete(thread);
          void thread.worker.terminate();
        }, options.idleMs);
        thread.idleTimer.unref();
        continue;
      }
      if (thread.idleTimer) clearTimeout(thread.idleTimer);
      thread.idleTimer = null;
      const limitMs = options.timeoutMs();
      const timer = setTimeout(() => end(thread, { kind: 'timeout', limitMs }), limitMs);
      thread.job = { ...job, timer };
      thread.worker.ref();
      thread.worker.postMessage(job.message);
    }
  }

  return {
    run(message) {
      if (closed) return Promise.reject(new WorkerPoolError({ kind: 'closed' }));
      return new Promise<Answer>((resolve, reject) => {
        const id = nextId++;
        waiting.push({ id, message: message(id), resolve, reject });
        pump();
      });
    },
    get waiting() {
      return waiting.length;
    },
    async close() {
      closed = true;
      const stopped = new WorkerPoolError({ kind: 'closed' });
      for (const job of waiting.splice(0)) job.reject(stopped);
      await Promise.all(
        [...threads].map(async (thread) => {
          thread.ended = true;
          if (thread.idleTimer) clearTimeout(thread.idleTimer);
          finish(thread, { failure: { kind: 'closed' } });
          await thread.worker.terminate();
        }),
      );
      threads.clear();
    },
  };
}
