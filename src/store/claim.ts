// store: claim-and-lease, the one query shape behind every queue Palaver works off (due
// sources, queued pings, WebSub verifications, deliveries and subscriptions): pick the rows
// that are due, lock them, push their due time to a lease so no other worker takes them, and
// return them as the claim wrote them. A worker that dies leaves rows that fall due again
// when the lease ends.
import type { SelectQueryBuilder, Selectable, Transaction, UpdateObject } from 'kysely';
import type { Db } from '../db/open.ts';
import type { Database } from '../db/schema.ts';
import { claimsOverlap, lockPickedRows } from './dialect.ts';

/** The tables whose rows are claimed as work. */
export type ClaimableTable = 'sources' | 'pings' | 'websub_subscribers' | 'websub_subscriptions';

export interface ClaimSpec<T extends ClaimableTable> {
  table: T;
  /**
   * The due rows' ids in claim order, limited to the batch: the table's own due query (which
   * may join, rank per host, or filter by lease), run inside the claim's transaction.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the due query may select from joins and subqueries
  due: (trx: Transaction<Database>) => SelectQueryBuilder<Database, any, { id: number }>;
  /** What the claim writes on each claimed row: the lease, and any counter of attempts. */
  lease: UpdateObject<Database, T, T>;
}

/**
 * Claims the due rows of a queue table and leases them; returns the leased rows in claim order.
 * Claims of several processes side by side (PostgreSQL) pick the same rows first: the one that
 * locks them takes them, and the others pick again once its lease is committed, rather than
 * taking an empty claim for an empty queue.
 */
export async function claimDue<T extends ClaimableTable>(db: Db, spec: ClaimSpec<T>): Promise<Selectable<Database[T]>[]> {
  for (let attempt = 0; ; attempt++) {
    const { picked, claimed } = await claimOnce(db, spec);
    if (claimed.length > 0 || picked === 0 || attempt >= 4) return claimed;
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
  }
}

async function claimOnce<T extends ClaimableTable>(db: Db, spec: ClaimSpec<T>): Promise<{ picked: number; claimed: Selectable<Database[T]>[] }> {
  return db.transaction().execute(async (trx) => {
    const picked = (await spec.due(trx).execute()).map((r) => r.id);
    let ids = picked.length ? await lockPickedRows(trx, spec.table, picked) : [];
    // Where claims run side by side (PostgreSQL), a row another worker leased and committed after
    // our pick is lockable again but no longer due: asking the due query once more (for these
    // rows, without its limit), now that the rows are ours, keeps only what is still due.
    if (ids.length > 0 && claimsOverlap(trx)) {
      const locked = ids;
      const stillDue = new Set((await trx.selectFrom(spec.due(trx).clearLimit().as('d')).select('d.id').where('d.id', 'in', locked).execute()).map((r) => r.id));
      ids = ids.filter((id) => stillDue.has(id));
    }
    if (ids.length === 0) return { picked: picked.length, claimed: [] };
    // kysely types a query by one table; every claimable table has an integer id, which is all
    // the query touches besides the lease the caller typed against its own table.
    const queue = trx as unknown as Transaction<{ queue: { id: number } }>;
    const leased = (await queue
      .updateTable(spec.table as unknown as 'queue')
      .set(spec.lease as UpdateObject<{ queue: { id: number } }, 'queue'>)
      .where('id', 'in', ids)
      .returningAll()
      .execute()) as unknown as Selectable<Database[T]>[];
    const byId = new Map(leased.map((row) => [(row as { id: number }).id, row]));
    return { picked: picked.length, claimed: ids.map((id) => byId.get(id)).filter((row): row is Selectable<Database[T]> => row !== undefined) };
  });
}
