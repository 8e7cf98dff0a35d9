// store: small writes that arrive in the same turn of the event loop, committed in one
// transaction (an all-304 re-poll records hundreds of polls a second, and claims the next
// sources after them: one commit for a turn's records and claim rather than one each; on SQLite
// that commit may wait for the feeds stored next, letCommitWait). Each write's promise settles,
// with what the write returned, once its transaction has ended.
import { isPostgres } from '../db/dialect.ts';
import type { Db } from '../db/open.ts';
import { letCommitWait } from './dialect.ts';

interface Pending {
  write: (db: Db) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

const pendingByDb = new Map<Db, Pending[]>();

/**
 * Runs `write` at the end of this turn in a transaction shared with the other writes of the
 * turn, and settles with what it returned once that commits; inside a transaction, at once.
 */
export function commitTogether<T>(db: Db, write: (db: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return write(db);
  return new Promise<T>((resolve, reject) => {
    let pending = pendingByDb.get(db);
    if (!pending) {
      pending = [];
      pendingByDb.set(db, pending);
      setImmediate(() => void commitPending(db));
    }
    pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
  });
}

async function commitPending(db: Db): Promise<void> {
  const batch = pendingByDb.get(db) ?? [];
  pendingByDb.delete(db);
  // One write alone on PostgreSQL needs no transaction (BEGIN and COMMIT would be two more
  // round trips); on SQLite it is one whose commit may wait.
  if (batch.length > 1 || !isPostgres(db)) {
    try {
      const results: unknown[] = [];
      await db.transaction().execute(async (trx) => {
        await letCommitWait(trx);
        for (const p of batch) results.push(await p.write(trx));
      });
      batch.forEach((p, i) => p.resolve(results[i]));
      return;
    } catch {
      // Whatever failed must not fail the other writes: each is tried again on its own.
    }
  }
  for (const p of batch) await p.write(db).then(p.resolve, p.reject);
}
