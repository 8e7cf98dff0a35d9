// The thread behind checkpoint-thread.ts: a connection of its own to the SQLite file that runs a
// passive checkpoint at an interval, and touches nothing else.
import SQLite from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckpointThreadData, CheckpointThreadMessage } from './checkpoint-thread.ts';

const { file, intervalMs, busyTimeoutMs } = workerData as CheckpointThreadData;
const tell = (m: CheckpointThreadMessage) => parentPort!.postMessage(m);

let db: SQLite.Database;
try {
  db = new SQLite(file, { fileMustExist: true });
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  // The checkpoint syncs the log before it copies it, and the file after, as the writer's would.
  db.pragma('synchronous = NORMAL');
  // This connection never checkpoints on a commit of its own (it commits nothing).
  db.pragma('wal_autocheckpoint = 0');
} catch (err) {
  tell({ failed: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}

function checkpoint(): void {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    // A locked or broken file: the writer takes checkpoints over again.
    tell({ failed: err instanceof Error ? err.message : String(err) });
    clearInterval(timer);
    db.close();
    process.exit(1);
  }
}

const timer = setInterval(checkpoint, intervalMs);
parentPort!.on('message', (m: unknown) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  process.exit(0);
});
tell({ ready: true });
