import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { commitWaitingWrites, letCommitWait } from '../../src/store/dialect.ts';
import { createTestDatabase, onPostgres } from '../support/db.ts';

let database: OpenedDatabase;
beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

describe('letCommitWait', () => {
  // Whether a SQLite file lets the commit wait: test/db/open.test.ts.
  it(`${onPostgres ? 'on PostgreSQL commits at the end of the transaction all the same' : 'on SQLite in memory leaves the writes to the one connection'}, and commitWaitingWrites does no harm with nothing waiting`, async () => {
    await database.db.transaction().execute(async (trx) => {
      await letCommitWait(trx);
      await trx.insertInto('ping_hosts').values({ host: 'a.example', verdict: 'trusted', created_at: 'now' }).execute();
    });
    expect((await database.read.selectFrom('ping_hosts').select('host').execute()).map((r) => r.host)).toEqual(['a.example']);
    await commitWaitingWrites(database.db);
    await commitWaitingWrites(database.db);
    expect((await database.read.selectFrom('ping_hosts').select('host').execute()).map((r) => r.host)).toEqual(['a.example']);
  });
});
