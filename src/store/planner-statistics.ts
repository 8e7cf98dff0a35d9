// store: PostgreSQL's first planner statistics of the tables a poll writes, taken as soon as a
// new database holds its first entries. The store's statements are prepared by name
// (src/db/postgres.ts), and after a few runs PostgreSQL keeps one generic plan per connection,
// made with what it knew of the tables then: on a database that was empty a minute ago, a
// sequential scan. The plan stays until the table is analyzed, which autovacuum does after its
// nap (a minute by default), by when a first import has polled hundreds of feeds and each lookup
// of a link's targets reads the whole entries table. ANALYZE is what PostgreSQL's documentation
// asks for after loading much data; it also makes every connection plan those statements again,
// this time with their indexes. SQLite plans each prepared statement with its own statistics and
// needs none of this.
import { sql } from 'kysely';
import { isPostgres } from '../db/dialect.ts';
import type { Db } from '../db/open.ts';

/** The tables whose size changes how a poll's statements are best run. */
export const plannedTables = ['entries', 'edges', 'conversations', 'entry_channels', 'sources', 'blogs'] as const;

/** Entries this process stores between two looks at the entries table. */
export const entriesBetweenLooks = 100;

/** Pages (8 kB each) the entries table fills before its first ANALYZE: about 500 posts. */
export const firstAnalyzeAtPages = 128;

interface Looks {
  /** Entries this process stored since it last looked. */
  stored: number;
  /** The entries table has statistics (this process took them, or found them): no more looks. */
  done: boolean;
  /** The look (and ANALYZE) running now, so two polls do not start one each. */
  running: Promise<void> | null;
}

const looks = new WeakMap<object, Looks>();

/**
 * Counts entries this process stored on `db`, and on PostgreSQL, every entriesBetweenLooks of
 * them, looks at the entries table until it has statistics: once it fills firstAnalyzeAtPages
 * without any, analyzes the tables a poll writes. Only that first time: after an ANALYZE each
 * connection plans each statement anew for several runs before it keeps a generic plan again
 * (seven of ten runs, in a check with psql), while a plan made with the first statistics, with
 * its indexes, stays right as the tables grow; autovacuum analyzes them later as it does any
 * table. Whoever analyzes first (autovacuum, another poller) ends the looks; a
 * table being analyzed by another session is skipped. Run it outside a transaction; resolves
 * when any look it started has ended.
 */
export async function noteStoredEntries(db: Db, count: number): Promise<void> {
  if (count <= 0 || db.isTransaction || !isPostgres(db)) return;
  let g = looks.get(db);
  if (!g) {
    g = { stored: 0, done: false, running: null };
    looks.set(db, g);
  }
  if (g.done) return;
  g.stored += count;
  if (g.running) return g.running;
  if (g.stored < entriesBetweenLooks) return;
  g.stored = 0;
  const state = g;
  g.running = analyzeFirstPages(db)
    .then((analyzed) => {
      state.done = analyzed;
    })
    .finally(() => {
      state.running = null;
    });
  return g.running;
}

/** Analyzes the tables when the entries table has its first pages and no statistics; tells whether it has statistics now. */
async function analyzeFirstPages(db: Db): Promise<boolean> {
  // reltuples: -1 until the table was first analyzed or vacuumed.
  const { rows } = await sql<{ pages: number; counted: number }>`
    select (pg_relation_size(oid) / current_setting('block_size')::int)::float8 as pages, reltuples::float8 as counted
      from pg_class where oid = 'entries'::regclass`.execute(db);
  const { pages, counted } = rows[0] ?? { pages: 0, counted: -1 };
  if (Number(counted) >= 0) return true;
  if (Number(pages) < firstAnalyzeAtPages) return false;
  await sql`analyze (skip_locked) ${sql.join(plannedTables.map((t) => sql.table(t)))}`.execute(db);
  return true;
}
