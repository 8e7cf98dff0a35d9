// store: small writes that arrive in the same turn of the event loop, committed in one
// transaction (an all-304 re-poll records hundreds of polls a second: one commit for a turn's
// records rather than one each). Each write's promise settles once its own write is committed.
import type { Db } from '../db/open.ts';

interface Pending {
  write: (db: Db) => Promise<unknown>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const pendingByDb = new Map<Db, Pending[]>();

/** Runs `write` in a transaction shared with the other writes of this turn; inside a transaction, at once. */
export function commitTogether(db: Db, write: (db: Db) => Promise<unknown>): Promise<void> {
  if (db.isTransaction) return write(db).then(() => undefined);
  return new Promise((resolve, reject) => {
    let pending = pendingByDb.get(db);
    if (!pending) {
      pending = [];
      pendingByDb.set(db, pending);
      setImmediate(() => void commitPending(db));
    }
    pending.push({ write, resolve, reject });
  });
}

async function commitPending(db: Db): Promise<void> {
  const batch = pendingByDb.get(db) ?? [];
  pendingByDb.delete(db);
  if (batch.length > 1) {
    try {
      await db.transaction().execute(async (trx) => {
        for (const p of batch) await p.write(trx);
      });
      for (const p of batch) p.resolve();
      return;
    } catch {
      // Whatever failed must not fail the other writes: each is tried again on its own.
    }
  }
  for (const p of batch) await p.write(db).then(() => p.resolve(), p.reject);
}
