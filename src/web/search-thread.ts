// Runs the searches of a SQLite file in a thread of their own (search-worker.ts, with its own
// read-only connection), one at a time and each within a time limit: a search reads the index
// synchronously, 0.3-0.8 s for common words over a million entries and more for a short prefix
// standing for thousands of words, and on the event loop that held every other page, feed and
// ping. A search past its limit has its thread stopped and answers 503; the next one starts another.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { SearchHit } from '../domain/models.ts';
import type { searchEntries } from '../store/search.ts';
import { workerBootstrap } from '../worker-bootstrap.ts';
import { HttpError } from './errors.ts';

/** What searchEntries is asked besides the words: how many hits, from where, in which group. */
export type SearchOptions = Parameters<typeof searchEntries>[2];

/** What search-worker.ts is asked, and answers. */
export type SearchJob = { id: number; input: string; options: SearchOptions };
export type SearchAnswer = { ready: true } | { id: number; hits: SearchHit[] } | { id: number; error: string };

export interface SearchThreadLimits {
  /** Time one search may take once its thread has taken it. */
  timeoutMs: number;
  /** Searches waiting for the thread at most; more answer 503 at once. */
  maxWaiting: number;
  /** An idle thread ends after this long (it starts again with the next search). */
  idleMs?: number;
}

export interface SearchThread {
  search(input: string, options: SearchOptions): Promise<SearchHit[]>;
  close(): Promise<void>;
}

interface Job {
  input: string;
  options: SearchOptions;
  resolve: (hits: SearchHit[]) => void;
  reject: (err: Error) => void;
}

/** Creates the search thread of the SQLite file `file`; no thread starts before the first search. Its limits are read at each search. */
export function createSearchThread(file: string, limits: SearchThreadLimits): SearchThread {
  const code = workerBootstrap(fileURLToPath(import.meta.url).replace(/search-thread\.(ts|js)$/, 'search-worker.$1'));
  const waiting: Job[] = [];
  let worker: Worker | null = null;
  let ready = false;
  let current: (Job & { id: number; timer: NodeJS.Timeout }) | null = null;
  let idleTimer: NodeJS.Timeout | null = null;
  let nextId = 1;
  let closed = false;

  // Ends the thread, failing the search it was running with `reason`.
  function stop(reason: Error): void {
    const w = worker;
    worker = null;
    ready = false;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    if (current) {
      clearTimeout(current.timer);
      current.reject(reason);
      current = null;
    }
    void w?.terminate();
  }

  function start(): Worker {
    const w = new Worker(code, { eval: true, execArgv: [], workerData: { file }, resourceLimits: { maxOldGenerationSizeMb: 256 } });
    w.on('message', (answer: SearchAnswer) => {
      if (w !== worker) return;
      if ('ready' in answer) {
        ready = true;
      } else if (current && answer.id === current.id) {
        clearTimeout(current.timer);
        if ('hits' in answer) current.resolve(answer.hits);
        else current.reject(new Error(`search: ${answer.error}`));
        current = null;
      }
      pump();
    });
    w.on('error', (err) => ended(w, `its thread stopped: ${err.message}`));
    w.on('exit', (exitCode) => ended(w, `its thread stopped (exit code ${exitCode})`));
    return w;
  }

  function ended(w: Worker, why: string): void {
    if (w !== worker) return;
    // A thread that cannot even start would fail again: the searches waiting for it fail now.
    const startFailed = !ready;
    stop(new Error(`search: ${why}`));
    if (startFailed) for (const job of waiting.splice(0)) job.reject(new Error(`search: ${why} before it was ready`));
    pump();
  }

  function pump(): void {
    if (closed) return;
    if (!worker) {
      if (waiting.length) worker = start();
      return;
    }
    if (!ready || current) return;
    const job = waiting.shift();
    if (!job) {
      // An idle thread never keeps the process alive, and ends after a while.
      worker.unref();
      idleTimer ??= setTimeout(() => stop(new Error('idle')), limits.idleMs ?? 60_000);
      idleTimer.unref();
      return;
    }
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    worker.ref();
    const id = nextId++;
    const timer = setTimeout(() => {
      stop(new HttpError(503, 'search-too-long', `This search took longer than ${Number((limits.timeoutMs / 1000).toFixed(3))} s; try longer or more words.`));
      pump();
    }, limits.timeoutMs);
    current = { ...job, id, timer };
    worker.postMessage({ id, input: job.input, options: job.options } satisfies SearchJob);
  }

  return {
    search(input, options) {
      if (closed) return Promise.reject(new HttpError(503, 'shutting-down', 'Palaver is shutting down; search again in a moment.'));
      if (waiting.length >= limits.maxWaiting) return Promise.reject(new HttpError(503, 'search-busy', 'Too many searches are waiting; try again in a moment.'));
      return new Promise((resolve, reject) => {
        waiting.push({ input, options, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      const stopped = new Error('search: Palaver is shutting down');
      for (const job of waiting.splice(0)) job.reject(stopped);
      const w = worker;
      stop(stopped);
      await w?.terminate();
    },
  };
}
