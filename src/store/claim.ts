// store: claim-and-lease, the one query shape behind every queue Palaver works off (due
// sources, queued pings, WebSub verifications, deliveries and subscriptions): pick the rows
// that are due, lock them, push their due time to a lease so no other worker takes them, and
// return them as the claim wrote them, all in one statement. A worker that dies leaves rows
// that fall due again when the lease ends.
import type { Kysely, SelectQueryBuilder, Selectable, UpdateObject } from 'kysely';
import type { Db } from '../db/open.ts';
import type { Database } from '../db/schema.ts';
import { lockClaimedRows } from './dialect.ts';

/** The tables whose rows are claimed as work. */
export type ClaimableTable = 'sources' | 'pings' | 'websub_subscribers' | 'websub_subscriptions';

export interface ClaimSpec<T extends ClaimableTable> {
  table: T;
  /**
   * The due rows' ids in claim order, limited to the batch: the table's own due query (which
   * may join, or rank per host in a subquery). Its top level names `table` without an alias and
   * states every condition that makes a row of it due: on PostgreSQL that level locks the rows,
   * and a row another claim leased meanwhile is checked against those conditions again (a
   * condition only in a subquery or a joined table is judged as the statement began).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the due query may select from joins and subqueries
  due: SelectQueryBuilder<Database, any, { id: number }>;
  /** What the claim writes on each claimed row: the lease, and any counter of attempts. */
  lease: UpdateObject<Database, T, T>;
}

/**
 * Claims the due rows of a queue table and leases them, in one statement (UPDATE … WHERE id IN
 * (the due query, locked) RETURNING *), outside any transaction of its own; returns the leased
 * rows in id order. Claims of several processes side by side (PostgreSQL) pass over the rows the
 * others hold and take the next due ones, so an empty claim means no unheld row is due.
 *
 * The due query decides which rows a claim takes (the first due, at most the limit); the order
 * in which the database returns them is its own, so they come back by id: every caller starts or
 * finishes the whole claim before claiming again (the poller claims only for workers that are
 * free, and starts them all in the same turn), so no due order within a claim is worth keeping.
 */
export async function claimDue<T extends ClaimableTable>(db: Db, spec: ClaimSpec<T>): Promise<Selectable<Database[T]>[]> {
  return inIdOrder((await claimStatement(db, spec).execute()) as unknown as Selectable<Database[T]>[]);
}

/** claimDue's statement, for a caller that prepares it (prepared.ts) and runs it with inIdOrder. */
export function claimStatement<T extends ClaimableTable>(db: Db, spec: ClaimSpec<T>) {
  const picked = lockClaimedRows(db, spec.due, spec.table);
  // kysely types a query by one table; every claimable table has an integer id, which is all
  // the query touches besides the lease the caller typed against its own table.
  const queue = db as unknown as Kysely<{ queue: { id: number } }>;
  return queue
    .updateTable(spec.table as unknown as 'queue')
    .set(spec.lease as UpdateObject<{ queue: { id: number } }, 'queue'>)
    .where('id', 'in', picked as unknown as SelectQueryBuilder<{ queue: { id: number } }, 'queue', { id: number }>)
    .returningAll();
}

/** Claimed rows by id (claimDue). */
export function inIdOrder<R>(rows: R[]): R[] {
  return rows.sort((a, b) => (a as { id: number }).id - (b as { id: number }).id);
}
