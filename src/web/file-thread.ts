// A thread that reads a SQLite file with a read-only connection of its own, one job at a time
// within a time limit, started by the first job and ended after idleMs without one: how the
// search thread and the tally thread run beside the event loop.
import { createWorkerPool, type WorkerPool } from '../worker-pool.ts';

/** The pool of one thread running `workerScript` (a module beside its caller) on the SQLite file `file`. */
export function createFileThread<Job, Answer extends { id?: number }>(workerScript: string, file: string, limits: { timeoutMs: number; idleMs?: number }): WorkerPool<Job, Answer> {
  return createWorkerPool<Job, Answer>({
    script: workerScript,
    threads: 1,
    timeoutMs: () => limits.timeoutMs,
    idleMs: limits.idleMs ?? 60_000,
    resourceLimits: { maxOldGenerationSizeMb: 256 },
    workerData: { file },
    announcesReady: true,
  });
}
