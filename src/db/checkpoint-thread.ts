// Checkpoints of a SQLite file in a thread of its own: the write-ahead log is copied back into
// the database file (and the file synced) beside the event loop, instead of inside the commit that
// takes the log past SQLite's threshold, on the thread that answers pages and stores feeds. While
// the thread runs, the write connection checkpoints itself only past a far higher bound; when the
// thread ends or cannot start, the usual threshold comes back.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type SQLite from 'better-sqlite3';
import { workerBootstrap } from '../worker-bootstrap.ts';

/** SQLite's own threshold (pages of log), which the write connection keeps without the thread. */
export const autocheckpointPages = 1000;
/** The write connection's threshold while the thread runs: only if the thread falls far behind. */
export const autocheckpointPagesBehindThread = 10_000;

/** What the thread is told at start. */
export interface CheckpointThreadData {
  file: string;
  intervalMs: number;
  busyTimeoutMs: number;
}

/** What the thread tells: that it checkpoints, or why it cannot. */
export type CheckpointThreadMessage = { ready: true } | { failed: string };

export interface CheckpointThread {
  /** Resolves once the thread checkpoints, or has ended (then the writer checkpoints itself again). */
  readonly started: Promise<boolean>;
  /** Ends the thread (its last checkpoint done); the writer checkpoints itself from then on. */
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `file` every `intervalMs` (a passive checkpoint: it copies what no reader
 * still needs and never waits for the writer) in a worker thread with a connection of its own.
 */
export function startCheckpointThread(writer: SQLite.Database, file: string, options: { intervalMs?: number; busyTimeoutMs?: number } = {}): CheckpointThread {
  const data: CheckpointThreadData = { file, intervalMs: options.intervalMs ?? 100, busyTimeoutMs: options.busyTimeoutMs ?? 5_000 };
  const code = workerBootstrap(fileURLToPath(import.meta.url).replace(/checkpoint-thread\.(ts|js)$/, 'checkpoint-worker.$1'));
  const worker = new Worker(code, { eval: true, execArgv: [], workerData: data, resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 } });
  // The thread keeps no process alive: a service ends when its work ends, and close() stops it.
  worker.unref();
  writer.pragma(`wal_autocheckpoint = ${autocheckpointPagesBehindThread}`);
  let ended = false;
  const restore = () => {
    if (ended) return;
    ended = true;
    if (writer.open) writer.pragma(`wal_autocheckpoint = ${autocheckpointPages}`);
  };
  const exited = new Promise<void>((resolve) => worker.once('exit', () => (restore(), resolve())));
  const started = new Promise<boolean>((resolve) => {
    worker.on('message', (m: CheckpointThreadMessage) => {
      if ('ready' in m) resolve(true);
      else {
        restore();
        resolve(false);
      }
    });
    worker.once('error', () => (restore(), resolve(false)));
    void exited.then(() => resolve(false));
  });
  return {
    started,
    async stop() {
      if (!ended) worker.postMessage('stop');
      // A thread stuck in a checkpoint (a disk that does not answer) is not waited for long.
      const timer = setTimeout(() => void worker.terminate(), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
