// Reads ping source pages in worker threads with a time and a memory limit each: parsing a
// hostile page (megabytes of markup, tens of thousands of h-entries) then costs a worker that is
// stopped at its limit, never the event loop. It only runs jobs; verify-source.ts reads pages.
import { fileURLToPath } from 'node:url';
import { createWorkerPool, WorkerPoolError } from '../worker-pool.ts';
import type { SourcePage, VerifySourceResult } from './verify-source.ts';

export interface SourcePageLimits {
  /** Time one page may take to read, from when its worker starts on it. */
  timeoutMs: number;
  /** Heap a worker may use (V8 old generation), in MB. */
  memoryMb: number;
  /** Workers reading at once. */
  workers: number;
  /** An idle worker ends after this long (it starts again on the next page). */
  idleMs?: number;
}

export interface SourcePagePool {
  read(page: SourcePage): Promise<VerifySourceResult>;
  close(): Promise<void>;
}

/** What source-page-worker.ts is asked, and answers. */
export type SourcePageJob = { id: number; page: SourcePage };
export type SourcePageAnswer = { id: number; result: VerifySourceResult };

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(2))} s`;

/** What a page gets that its worker did not answer. */
function resultOf(err: unknown): VerifySourceResult {
  if (!(err instanceof WorkerPoolError)) return { status: 'error', message: `the source page could not be read: ${err instanceof Error ? err.message : String(err)}` };
  const failure = err.failure;
  switch (failure.kind) {
    case 'timeout':
      return { status: 'error', permanent: true, message: `reading the source page took longer than ${seconds(failure.limitMs)}, the time limit for a ping's source` };
    case 'memory':
      return { status: 'error', permanent: true, message: `reading the source page needed more than ${failure.limitMb} MB, the memory limit for a ping's source` };
    case 'closed':
      return { status: 'error', message: 'the source page could not be read: Palaver is shutting down' };
    case 'not-started':
      return { status: 'error', message: `the source page could not be read: its reader did not start (${failure.detail})` };
    case 'stopped':
      return { status: 'error', message: `the source page could not be read: its reader stopped (${failure.detail})` };
  }
}

/** Creates the pool; no worker starts before the first page. */
export function createSourcePagePool(limits: SourcePageLimits): SourcePagePool {
  const pool = createWorkerPool<SourcePageJob, SourcePageAnswer>({
    script: fileURLToPath(import.meta.url).replace(/source-page-pool\.(ts|js)$/, 'source-page-worker.$1'),
    threads: limits.workers,
    timeoutMs: () => limits.timeoutMs,
    idleMs: limits.idleMs ?? 60_000,
    resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb, maxYoungGenerationSizeMb: Math.min(32, Math.max(4, Math.floor(limits.memoryMb / 4))) },
    // The worker reads one small page first: the time limit then measures reading a page, not
    // compiling the parsers.
    announcesReady: true,
  });
  return {
    read: (page) => pool.run((id) => ({ id, page })).then((answer) => answer.result, resultOf),
    close: () => pool.close(),
  };
}
