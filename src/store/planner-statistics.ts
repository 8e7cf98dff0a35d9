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

/** Entries stored before the first ANALYZE of a database PostgreSQL has not analyzed yet. */
export const firstAnalyzeAfter = 500;

interface Growth {
  /** Entries this process stored since the statistics it knows of were taken. */
  stored: number;
  /** How many entries the statistics counted (unknown until first asked). */
  counted: number | null;
  /** The ANALYZE running now, so two polls do not start one each. */
  running: Promise<void> | null;
}

const growth = new WeakMap<object, Growth>();

/**
 * Counts entries this process stored on `db`, and on PostgreSQL analyzes the tables a poll
 * writes once the entries stored since their statistics were taken outnumber the entries those
 * statistics counted (at least firstAnalyzeAfter): the table doubled, and a plan made before
 * may read all of it. Tables another session is analyzing (autovacuum, another poller) are
 * skipped. Run it outside a transaction; resolves when any ANALYZE it started has ended.
 */
export async function noteStoredEntries(db: Db, count: number): Promise<void> {
  if (count <= 0 || db.isTransaction || !isPostgres(db)) return;
  let g = growth.get(db);
  if (!g) {
    g = { stored: 0, counted: null, running: null };
    growth.set(db, g);
  }
  g.stored += count;
  if (g.running) return g.running;
  const state = g;
  const run = async () => {
    state.counted ??= await countedEntries(db);
    if (state.stored < Math.max(firstAnalyzeAfter, state.counted)) return;
    const storedBefore = state.stored;
    await sql`analyze (skip_locked) ${sql.join(plannedTables.map((t) => sql.table(t)))}`.execute(db);
    // What this process stored while ANALYZE ran may or may not be counted: counted again next time.
    state.counted = await countedEntries(db);
    state.stored -= storedBefore;
  };
  g.running = run().finally(() => {
    state.running = null;
  });
  return g.running;
}

/** The entries the planner's statistics count: 0 for a table never analyzed (reltuples -1). */
async function countedEntries(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`select greatest(reltuples, 0)::float8 as n from pg_class where oid = 'entries'::regclass`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
