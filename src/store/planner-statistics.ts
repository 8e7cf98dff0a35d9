// store: PostgreSQL's planner statistics of the tables a poll writes, taken while a database
// fills faster than autovacuum looks at it. The store's statements are prepared by name
// (src/db/postgres.ts), and after a few runs PostgreSQL keeps one generic plan per connection,
// made with what it knew of the tables then: on a database that was empty a minute ago, a
// sequential scan. The plan stays until the table is analyzed, which autovacuum does after its
// nap (a minute by default), by when a first import has polled hundreds of feeds and each lookup
// of a link's targets reads the whole entries table. ANALYZE is what PostgreSQL's documentation
// asks for after loading much data; it also makes every connection plan those statements again.
// SQLite plans each prepared statement with its own statistics and needs none of this.
import { sql } from 'kysely';
import { isPostgres } from '../db/dialect.ts';
import type { Db } from '../db/open.ts';

/** The tables whose size changes how a poll's statements are best run. */
export const plannedTables = ['entries', 'edges', 'conversations', 'entry_channels', 'sources', 'blogs'] as const;

/** Entries this process stores between two looks at the entries table. */
export const entriesBetweenLooks = 100;

/** Pages (8 kB each) the entries table fills before its first ANALYZE: 180 of the pollers benchmark's posts. */
export const firstAnalyzeAtPages = 128;

/**
 * How many times its size at the last statistics the entries table grows before the next
 * ANALYZE. Analyzing only once left a plan made at 180 posts, with 20 conversations counted,
 * reading every conversation when there were 800; analyzing at each doubling makes every
 * connection plan each statement anew for several runs each time (seven of ten runs, in a check
 * with psql), four or five times in a first import of 8,000 posts.
 */
export const growthBeforeAnalyze = 4;

interface Looks {
  /** Entries this process stored since it last looked. */
  stored: number;
  /** The look (and ANALYZE) running now, so two polls do not start one each. */
  running: Promise<void> | null;
}

const looks = new WeakMap<object, Looks>();

/**
 * Counts entries this process stored on `db`, and on PostgreSQL, every entriesBetweenLooks of
 * them, looks at the entries table: when it fills firstAnalyzeAtPages and growthBeforeAnalyze
 * times the pages the planner's statistics last saw, analyzes the tables a poll writes. The
 * statistics are the table's, whoever took them: pollers side by side analyze once per growth,
 * not once each, and once autovacuum keeps up (it analyzes a table that grew by a tenth) this
 * never runs. A table another session is analyzing is skipped. Run it outside a transaction;
 * resolves when any look it started has ended.
 */
export async function noteStoredEntries(db: Db, count: number): Promise<void> {
  if (count <= 0 || db.isTransaction || !isPostgres(db)) return;
  let g = looks.get(db);
  if (!g) {
    g = { stored: 0, running: null };
    looks.set(db, g);
  }
  g.stored += count;
  if (g.running) return g.running;
  if (g.stored < entriesBetweenLooks) return;
  g.stored = 0;
  const state = g;
  g.running = analyzeWhenGrown(db).finally(() => {
    state.running = null;
  });
  return g.running;
}

async function analyzeWhenGrown(db: Db): Promise<void> {
  // relpages: the table's size when it was last analyzed or vacuumed (0 before), the size the
  // planner's statistics describe.
  const { rows } = await sql<{ pages: number; seen: number }>`
    select (pg_relation_size(oid) / current_setting('block_size')::int)::float8 as pages, relpages::float8 as seen
      from pg_class where oid = 'entries'::regclass`.execute(db);
  const { pages, seen } = rows[0] ?? { pages: 0, seen: 0 };
  if (Number(pages) < Math.max(firstAnalyzeAtPages, growthBeforeAnalyze * Number(seen))) return;
  await sql`analyze (skip_locked) ${sql.join(plannedTables.map((t) => sql.table(t)))}`.execute(db);
}
