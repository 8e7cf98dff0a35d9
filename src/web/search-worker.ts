// The thread that runs searches (search-thread.ts runs and limits it): a read-only connection
// of its own to the SQLite file, searchEntries, one search at a time, and nothing else.
import { parentPort, workerData } from 'node:worker_threads';
import { openReader } from '../db/open.ts';
import { searchEntries } from '../store/search.ts';
import type { SearchAnswer, SearchJob } from './search-thread.ts';

const db = openReader((workerData as { file: string }).file);
const answer = (a: SearchAnswer) => parentPort!.postMessage(a);

parentPort!.on('message', (job: SearchJob) => {
  searchEntries(db, job.input, job.options).then(
    (hits) => answer({ id: job.id, hits }),
    (err: unknown) => answer({ id: job.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
// One search first: the time limit then measures a search, not preparing the statement.
await searchEntries(db, 'palaver', { limit: 1 });
answer({ ready: true });
