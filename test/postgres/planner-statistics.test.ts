// A first import into an empty PostgreSQL database (npm run test:pg only): the store's named
// statements get generic plans made while the tables were empty, and once the entries table has
// its first pages, and again each time it has grown fourfold since the planner's statistics were
// taken, the tables are analyzed and those plans made again. SQLite plans with its own statistics and has nothing to analyze.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/open.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { edgeTargetKey } from '../../src/domain/edges.ts';
import { readTargetCandidates } from '../../src/store/edge-targets.ts';
import { entriesBetweenLooks, firstAnalyzeAtPages, growthBeforeAnalyze, noteStoredEntries, plannedTables } from '../../src/store/planner-statistics.ts';
import { createPostgresTestDatabase, testPostgresUrl } from '../support/postgres.ts';

const adminUrl = testPostgresUrl()!;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const now = '2026-01-01T00:00:00.000Z';

async function freshDatabase(): Promise<Db> {
  const created = await createPostgresTestDatabase(adminUrl);
  cleanups.push(created.drop);
  // One connection: the session that prepared the statements is the one asked for their plans.
  const database = openPostgres(created.url, { poolSize: 1 });
  cleanups.push(() => database.close());
  // Only this test's ANALYZE may take statistics, not autovacuum passing by meanwhile.
  for (const table of plannedTables) await sql`alter table ${sql.table(table)} set (autovacuum_enabled = false)`.execute(database.db);
  return database.db;
}

let serial = 0;
// About a kilobyte of text each, as posts have: 500 fill about 64 pages.
const text = 'Absatz über „Social Media“ mit etwas Text. '.repeat(24);
async function insertEntries(db: Db, count: number): Promise<void> {
  for (let first = 0; first < count; first += 500) {
    const rows = Array.from({ length: Math.min(500, count - first) }, () => {
      const n = ++serial;
      return { kind: 'post' as const, identity: `e${n}`, url_key: `blog.example/${n}`, content_text: `${n} ${text}`, sort_at: now, content_hash: `h${n}`, first_seen_at: now, changed_at: now };
    });
    await db.insertInto('entries').values(rows).execute();
  }
}

async function pagesOfEntries(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`select (pg_relation_size('entries') / current_setting('block_size')::int)::float8 as n`.execute(db);
  return Number(rows[0]!.n);
}

async function countedEntries(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`select reltuples::float8 as n from pg_class where oid = 'entries'::regclass`.execute(db);
  return Number(rows[0]!.n);
}

// The targets of a feed's links, looked up at once as a part of a feed does.
const targets = Array.from({ length: 20 }, (_, i) => edgeTargetKey({ kind: 'url', key: `blog.example/${i + 1}` }));

/** The plan the session would run the store's lookup of entries by 20 URL keys with now. */
async function lookupPlan(db: Db): Promise<string> {
  const { rows } = await sql<{ name: string }>`select name from pg_prepared_statements where statement like '%"url_key" in ($2, $3, %, $21)'`.execute(db);
  expect(rows).toHaveLength(1);
  const values = targets.map((t) => `'${t.slice('url:'.length)}'`).join(', ');
  const plan = await sql<{ 'QUERY PLAN': string }>`explain execute ${sql.raw(`${rows[0]!.name}(0, ${values})`)}`.execute(db);
  return plan.rows.map((r) => r['QUERY PLAN']).join('\n');
}

/** Another `count` entries stored, this process noting a look's worth: the entries the statistics count then. */
async function storeAndLook(db: Db, count: number): Promise<number> {
  await insertEntries(db, count);
  await noteStoredEntries(db, entriesBetweenLooks);
  return countedEntries(db);
}

describe('planner statistics as a PostgreSQL database fills', () => {
  it('analyzes once the entries table has grown past its first size, and the lookups are planned again with their index', async () => {
    const db = await freshDatabase();
    await insertEntries(db, 3);
    // PostgreSQL makes a generic plan after five runs; with three rows a scan of the table is cheapest.
    for (let i = 0; i < 8; i++) await readTargetCandidates(db, targets);
    await insertEntries(db, 5_000);
    expect(await pagesOfEntries(db)).toBeGreaterThan(firstAnalyzeAtPages);
    expect(await lookupPlan(db)).toContain('Seq Scan on entries');
    expect(await countedEntries(db)).toBe(-1);

    // It looks only every entriesBetweenLooks entries this process stored.
    await noteStoredEntries(db, entriesBetweenLooks - 1);
    expect(await countedEntries(db)).toBe(-1);
    await noteStoredEntries(db, 1);
    expect(await countedEntries(db)).toBe(5_003);
    for (const table of plannedTables) {
      const { rows } = await sql<{ n: number }>`select reltuples::float8 as n from pg_class where oid = ${table}::regclass`.execute(db);
      expect(Number(rows[0]!.n), table).toBeGreaterThanOrEqual(0);
    }
    await readTargetCandidates(db, targets);
    const plan = await lookupPlan(db);
    expect(plan).not.toContain('Seq Scan');
    expect(plan).toContain('entries_url_key_idx');
  });

  it('waits for the table to fill its first pages, then to grow fourfold, whoever stored its rows', async () => {
    expect(growthBeforeAnalyze).toBe(4);
    const db = await freshDatabase();
    await insertEntries(db, 500);
    expect(await pagesOfEntries(db)).toBeLessThan(firstAnalyzeAtPages);
    expect(await storeAndLook(db, 0)).toBe(-1);
    expect(await storeAndLook(db, 1_500)).toBe(2_000);
    // Another process stores two and a half times as much again: not grown fourfold yet.
    expect(await storeAndLook(db, 5_000)).toBe(2_000);
    expect(await storeAndLook(db, 1_500)).toBe(8_500);
  });

  it('counts growth from statistics another session took', async () => {
    const db = await freshDatabase();
    await insertEntries(db, 3_000);
    await sql`analyze entries`.execute(db);
    expect(await storeAndLook(db, 3_000)).toBe(3_000);
  });

  it('takes no statistics inside a transaction', async () => {
    const db = await freshDatabase();
    await insertEntries(db, 2_000);
    await db.transaction().execute((trx) => noteStoredEntries(trx, 2_000));
    expect(await countedEntries(db)).toBe(-1);
  });
});
