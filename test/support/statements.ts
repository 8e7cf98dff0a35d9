// Records the SQL of every statement the database drivers run while `work` runs (BEGIN and
// COMMIT included, prepared statements each time they run), for tests that pin what a write
// costs. kysely's plugins see a prepared statement only when it is compiled, so this listens
// where the statements are sent: better-sqlite3's statements and pg's clients.
import Database from 'better-sqlite3';
import pg from 'pg';
import { vi } from 'vitest';

type Method = (...args: unknown[]) => unknown;

/** Runs `work` and returns what it returned with the SQL of the statements it ran, in order. */
export async function recordStatements<T>(work: () => Promise<T>): Promise<{ result: T; sql: string[] }> {
  const sql: string[] = [];
  const statement = Object.getPrototypeOf(new Database(':memory:').prepare('select 1')) as Record<string, Method>;
  const client = pg.Client.prototype as unknown as Record<string, Method>;
  const originals: [Record<string, Method>, string, Method][] = [];
  const wrap = (target: Record<string, Method>, method: string, sqlOf: (self: unknown, args: unknown[]) => string) => {
    const original = target[method]!;
    originals.push([target, method, original]);
    target[method] = function (this: unknown, ...args: unknown[]) {
      sql.push(sqlOf(this, args));
      return original.apply(this, args);
    };
  };
  for (const method of ['run', 'all', 'get']) wrap(statement, method, (self) => (self as { source: string }).source);
  wrap(client, 'query', (_, [text]) => (typeof text === 'string' ? text : String((text as { text?: unknown }).text ?? '')));
  try {
    return { result: await work(), sql };
  } finally {
    for (const [target, method, original] of originals.reverse()) target[method] = original;
  }
}

/** Counts the statements that begin with `prefix` (compared without case or quotes). */
export function countStarting(sql: string[], prefix: string): number {
  const want = prefix.toLowerCase();
  return sql.filter((s) => s.replaceAll('"', '').toLowerCase().trimStart().startsWith(want)).length;
}

/**
 * Counts the statements SQLite runs from now on, on every connection of this process (spies that
 * vi.restoreAllMocks removes): a page kept between commits costs one statement a request.
 */
export function countSqliteStatements(): () => number {
  const probe = new Database(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('select 1')) as Record<'all' | 'get' | 'run' | 'iterate', (...args: unknown[]) => unknown>;
  probe.close();
  const spies = (['all', 'get', 'run', 'iterate'] as const).map((m) => vi.spyOn(statement, m));
  return () => spies.reduce((n, spy) => n + spy.mock.calls.length, 0);
}
