import { describe, expect, it } from 'vitest';
import { planForValuesMark } from '../../src/db/dialect.ts';
import { createStatementNamer, describePostgresUrl } from '../../src/db/postgres.ts';

describe('the statement names of a PostgreSQL pool', () => {
  it('names a statement with parameters from its second use on, the same name every time', () => {
    const nameOf = createStatementNamer();
    expect(nameOf('select * from entries where id = $1', 1)).toBeUndefined();
    const name = nameOf('select * from entries where id = $1', 1);
    expect(name).toMatch(/^palaver_\d+$/);
    expect(nameOf('select * from entries where id = $1', 1)).toBe(name);
    nameOf('select * from blogs where id = $1', 1);
    const other = nameOf('select * from blogs where id = $1', 1);
    expect(other).toBeDefined();
    expect(other).not.toBe(name);
  });

  it('never names a statement marked to be planned for its values', () => {
    const nameOf = createStatementNamer();
    for (let i = 0; i < 8; i++) expect(nameOf(`with m as (select ${planForValuesMark} id from entry_search where search_vector @@ $1) select id from m`, 1)).toBeUndefined();
  });

  it('leaves statements without parameters unnamed (migrations send several commands at once)', () => {
    const nameOf = createStatementNamer();
    for (let i = 0; i < 3; i++) expect(nameOf('begin', 0)).toBeUndefined();
  });

  it('names at most its limit of statements and keeps the names it gave', () => {
    const nameOf = createStatementNamer(2);
    const named = ['a', 'b', 'c'].map((t) => {
      nameOf(`select ${t} = $1`, 1);
      return nameOf(`select ${t} = $1`, 1);
    });
    expect(named[0]).toBeDefined();
    expect(named[1]).toBeDefined();
    expect(named[2]).toBeUndefined();
    expect(nameOf('select a = $1', 1)).toBe(named[0]);
  });
});

describe('describePostgresUrl', () => {
  it('hides the password', () => {
    expect(describePostgresUrl('postgres://u:secret@h/db')).toBe('postgres://u:***@h/db');
  });
});
