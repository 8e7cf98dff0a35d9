import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { changedRows, firstRow, prepare, preparedList } from '../../src/store/prepared.ts';
import { createTestDatabase } from '../support/db.ts';

let database: OpenedDatabase;
const t0 = '2026-01-01T00:00:00.000Z';

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

async function blog(n: number): Promise<number> {
  const home = `http://blog${n}.example/`;
  const b = await insertBlog(database.db, { homeUrl: home, urlKey: `blog${n}.example`, title: `Blog ${n}`, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, t0);
  return b.id;
}

describe('prepared statements', () => {
  it('compile once and bind each call its own values, in a transaction too', async () => {
    const ids = [await blog(1), await blog(2), await blog(3)];
    const titleOf = prepare(1, (db, [id]: [number]) => db.selectFrom('blogs').select('title').where('id', '=', id));
    expect((await firstRow(titleOf, database.db, [ids[1]!]))?.title).toBe('Blog 2');
    expect((await firstRow(titleOf, database.db, [ids[2]!]))?.title).toBe('Blog 3');
    const rename = prepare(2, (db, [title, id]: [string, number]) => db.updateTable('blogs').set({ title }).where('id', '=', id));
    await database.db.transaction().execute(async (trx) => {
      expect(changedRows(await rename(trx, ['Renamed', ids[0]!]))).toBe(1);
      expect((await firstRow(titleOf, trx, [ids[0]!]))?.title).toBe('Renamed');
    });
    expect(changedRows(await rename(database.db, ['Nobody', 999_999]))).toBe(0);
  });

  it('keep the constants the builder wrote among the bound values', async () => {
    const id = await blog(1);
    const titled = prepare(1, (db, [id]: [number]) => db.selectFrom('blogs').select('id').where('id', '=', id).where('title', '=', 'Blog 1').limit(1));
    expect((await firstRow(titled, database.db, [id]))?.id).toBe(id);
  });

  it('refuse a builder that looks at an argument instead of passing it on', async () => {
    // A branch on the stand-in drops the argument from the SQL: every call would run the same branch.
    const looks = prepare(1, (db, [id]: [number | null]) => (id === null ? db.selectFrom('blogs').select('id').where('id', 'is', null) : db.selectFrom('blogs').select('id').where('title', 'is not', null)));
    await expect(looks(database.db, [1])).rejects.toThrow(/binds 0 of its 1 arguments/);
  });

  it('over a list: one statement per length, the fixed arguments after the rows', async () => {
    const ids = [await blog(1), await blog(2), await blog(3), await blog(4)];
    const titlesIn = preparedList(1, (db, rows: [number][], [title]: [string]) => db.selectFrom('blogs').select('id').where('id', 'in', rows.map(([id]) => id)).where('title', '!=', title).orderBy('id'), 1);
    expect((await titlesIn(3)(database.db, [ids[0], ids[1], ids[2], 'Blog 2'])).rows.map((r) => r.id)).toEqual([ids[0], ids[2]]);
    expect((await titlesIn(1)(database.db, [ids[3], 'x'])).rows.map((r) => r.id)).toEqual([ids[3]]);
    expect(titlesIn(3)).toBe(titlesIn(3));
    // A list longer than those kept still runs.
    const many = Array.from({ length: 40 }, (_, i) => ids[i % 4]!);
    expect((await titlesIn(40)(database.db, [...many, 'none'])).rows).toHaveLength(4);
  });
});
