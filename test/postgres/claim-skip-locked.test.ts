// A claim on PostgreSQL (npm run test:pg only) passes over a due row another process holds
// locked and takes the next one at once, rather than waiting for that process: pollers side by
// side never queue behind each other's claims. SQLite has no row locks (one writer at a time,
// whom every claim waits for), so this holds on PostgreSQL alone.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/postgres.ts';
import { claimDue } from '../../src/store/claim.ts';
import { upsertPing } from '../../src/store/pings.ts';
import { createPostgresTestDatabase, testPostgresUrl } from '../support/postgres.ts';

const adminUrl = testPostgresUrl()!;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('claimDue on PostgreSQL', () => {
  it('passes over a row another process holds locked, without waiting for it', async () => {
    const created = await createPostgresTestDatabase(adminUrl);
    cleanups.push(created.drop);
    // Two processes, a connection each.
    const [mine, other] = [openPostgres(created.url, { poolSize: 1 }), openPostgres(created.url, { poolSize: 1 })];
    cleanups.push(() => mine.close(), () => other.close());
    const ping = async (n: number, dueAt: string) =>
      (await upsertPing(mine.db, { protocol: 'webmention', receivedVia: 'endpoint', sourceUrl: `http://source.example/${n}`, targetUrl: 'http://palaver.example/e/1', targetEntryId: null }, dueAt)).ping.id;
    const first = await ping(1, '2026-01-01T00:00:00.000Z');
    const second = await ping(2, '2026-01-01T00:00:01.000Z');
    const now = '2026-01-01T00:01:00.000Z';
    const claimOne = () =>
      claimDue(mine.db, {
        table: 'pings',
        due: mine.db.selectFrom('pings').select('id').where('status', '=', 'queued').where('next_attempt_at', '<=', now).orderBy('next_attempt_at').orderBy('id').limit(1),
        lease: { next_attempt_at: '2026-01-01T00:05:00.000Z' },
      });
    // A claim that waited for the lock would end here with an error instead of hanging the test.
    await sql`set lock_timeout = '2s'`.execute(mine.db);
    await other.db.transaction().execute(async (trx) => {
      await sql`select id from pings where id = ${first} for update`.execute(trx);
      // The first due ping is held: the claim takes the next one at once.
      expect((await claimOne()).map((r) => r.id)).toEqual([second]);
    });
    // Released: the next claim takes it.
    expect((await claimOne()).map((r) => r.id)).toEqual([first]);
  });
});
