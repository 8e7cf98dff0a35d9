import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { commitTogether } from '../../src/store/commit-together.ts';
import { createTestDatabase } from '../support/db.ts';

let database: OpenedDatabase;

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

describe('commitTogether', () => {
  it('runs the writes of one turn in one transaction, and a write inside a transaction at once', async () => {
    const transactions = vi.spyOn(database.db, 'transaction');
    const seen: boolean[] = [];
    await Promise.all([1, 2, 3].map(() => commitTogether(database.db, async (db) => seen.push(db.isTransaction))));
    expect(seen).toEqual([true, true, true]);
    expect(transactions).toHaveBeenCalledTimes(1);
    await database.db.transaction().execute(async (trx) => {
      await commitTogether(trx, async (db) => expect(db).toBe(trx));
    });
    expect(transactions).toHaveBeenCalledTimes(2);
  });

  it('settles each write with what it returned, in a shared transaction and alone', async () => {
    expect(await Promise.all([1, 2, 3].map((n) => commitTogether(database.db, async () => n * 10)))).toEqual([10, 20, 30]);
    expect(await commitTogether(database.db, async () => 'alone')).toBe('alone');
  });

  it('settles each write on its own when one of the turn fails', async () => {
    const results = await Promise.allSettled([
      commitTogether(database.db, async () => {
        throw new Error('refused');
      }),
      commitTogether(database.db, async () => {}),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
  });
});
