// store: PostgreSQL's planner statistics of the tables a poll writes, taken again while a
// database fills. The store's statements are prepared by name (src/db/postgres.ts), and after a
// few runs PostgreSQL keeps one generic plan per connection, made with what it knew of the table
// then: on a database that was empty a minute ago, a sequential scan. The plan stays until the
// table is analyzed again, which autovacuum does after its nap (a minute by default), by when a
// first import has polled hundreds of feeds and each lookup of a link's targets reads the whole
// entries table. ANALYZE is what PostgreSQL's documentation asks for after loading much data;
// it also makes every connection plan those statements again. SQLite plans each prepared
// statement with its own statistics and needs none of this.
import { sql } from 'kysely';
import { isPostgres } from '../db/dialect.ts';
import type { Db } from '../db/open.ts';

/** The tables whose size changes how a poll's statements are best run. */
export const plannedTables = ['entries', 'edges', 'conversations', 'entry_channels', 'sources', 'blogs'] as const;

/** Entries this process stores between two looks at the size of the entries table. */
export const entriesBetweenLooks = 100;

/** Pages (8 kB each) the entries table fills before its first ANALYZE: about 500 posts. */
export const firstAnalyzeAtPages = 128;

interface Growth {
  /** Entries this process stored since it last looked. */
  stored: number;
  /** The look (and ANALYZE) running now, so two polls do not start one each. */
  running: Promise<void> | null;
}

const growth = new WeakMap<object, Growth>();

/**
 * Counts entries this process stored on `db`, and on PostgreSQL, every entriesBetweenLooks of
 * them, looks at the entries table: when it is at least twice the size the planner's statistics
 * last saw (and at least firstAnalyzeAtPages), analyzes the tables a poll writes. The size is the
 * table's, whoever wrote it: pollers side by side analyze once per doubling, not once each, and a
 * table another session is analyzing (autovacuum, another poller) is skipped. Run it outside a
 * transaction; resolves when any look it started has ended.
 */
export async function noteStoredEntries(db: Db, count: number): Promise<void> {
  if (count <= 0 || db.isTransaction || !isPostgres(db)) return;
  let g = growth.get(db);
  if (!g) {
    g = { stored: 0, running: null };
    growth.set(db, g);
  }
  g.stored += count;
  if (g.running) return g.running;
  if (g.stored < entriesBetweenLooks) return;
  g.stored = 0;
  const state = g;
  g.running = analyzeWhenDoubled(db).finally(() => {
    state.running = null;
  });
  return g.running;
}

async function analyzeWhenDoubled(db: Db): Promise<void> {
  // relpages: the table's size when it was last analyzed or vacuumed (0 before), the size the
  // planner scales its row counts from.
  const { rows } = await sql<{ pages: number; seen: number }>`
    select (pg_relation_size(oid) / current_setting('block_size')::int)::float8 as pages, relpages::float8 as seen
      from pg_class where oid = 'entries'::regclass`.execute(db);
  const { pages, seen } = rows[0] ?? { pages: 0, seen: 0 };
  if (Number(pages) < Math.max(firstAnalyzeAtPages, 2 * Number(seen))) return;
  await sql`analyze (skip_locked) ${sql.join(plannedTables.map((t) => sql.table(t)))}`.execute(db);
}
