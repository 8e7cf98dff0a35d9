// Runs the searches of a SQLite file in a thread of their own (search-worker.ts, with its own
// read-only connection), one at a time and each within a time limit: a search reads the index
// synchronously, 0.3-0.8 s for common words over a million entries and more for a short prefix
// standing for thousands of words, and on the event loop that held every other page, feed and
// ping. A search past its limit has its thread stopped and answers 503; the next one starts another.
import { fileURLToPath } from 'node:url';
import type { SearchHit } from '../domain/models.ts';
import type { searchEntries } from '../store/search.ts';
import { WorkerPoolError } from '../worker-pool.ts';
import { createFileThread } from './file-thread.ts';
import { HttpError, retryBusySeconds } from './errors.ts';

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

/** Creates the search thread of the SQLite file `file`; no thread starts before the first search. Its limits are read at each search. */
export function createSearchThread(file: string, limits: SearchThreadLimits): SearchThread {
  const pool = createFileThread<SearchJob, Exclude<SearchAnswer, { ready: true }>>(fileURLToPath(import.meta.url).replace(/search-thread\.(ts|js)$/, 'search-worker.$1'), file, limits);
  return {
    async search(input, options) {
      if (pool.waiting >= limits.maxWaiting) throw new HttpError(503, 'search-busy', 'Too many searches are waiting; try again in a moment.', retryBusySeconds);
      let answer;
      try {
        answer = await pool.run((id) => ({ id, input, options }));
      } catch (err) {
        if (!(err instanceof WorkerPoolError)) throw err;
        const failure = err.failure;
        if (failure.kind === 'closed') throw new HttpError(503, 'shutting-down', 'Palaver is shutting down; search again in a moment.', retryBusySeconds);
        if (failure.kind === 'timeout') throw new HttpError(503, 'search-too-long', `This search took longer than ${Number((failure.limitMs / 1000).toFixed(3))} s; try longer or more words.`);
        if (failure.kind === 'memory') throw new Error(`search: its thread needed more than ${failure.limitMb} MB`);
        throw new Error(`search: its thread stopped${failure.kind === 'not-started' ? ' before it was ready' : ''} (${failure.detail})`);
      }
      if ('error' in answer) throw new Error(`search: ${answer.error}`);
      return answer.hits;
    },
    close: () => pool.close(),
  };
}
