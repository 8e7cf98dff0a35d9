// Opens PostgreSQL for kysely through a `pg` pool (DATABASE_URL), with numbers read as numbers,
// and a listening connection for LISTEN/NOTIFY. This is the one place that knows it talks to
// PostgreSQL, as open.ts is for SQLite.
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { planForValuesMark } from './dialect.ts';
import type { Database } from './schema.ts';
import type { OpenedDatabase } from './open.ts';

// count(*) and sums come back as int8 and numeric, which pg hands over as strings to be safe
// beyond 2^53; Palaver's counts and ids stay far below, and SQLite gives numbers.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

// PostgreSQL's text cannot hold U+0000, which SQLite stores and hostile feeds send (XML forbids
// it, so no page or feed could show it anyway): it is dropped from every string sent.
const withoutNul = (value: unknown): unknown => (typeof value === 'string' && value.includes('\u0000') ? value.replaceAll('\u0000', '') : value);

/** Distinct statements a pool names (and each of its connections keeps parsed); the rest stay unnamed. */
export const namedStatementsKept = 500;

/**
 * The name under which a statement's SQL is prepared on every connection of one pool: the
 * store runs the same few dozen statements for every item, and an unnamed statement is parsed
 * and planned by the server each time it runs, which cost about as much server CPU as running
 * it. A named one is parsed once per connection, and after a few runs PostgreSQL keeps a
 * generic plan of it when that plan costs no more than the ones made for the values. Only
 * statements with parameters (a statement without any goes by the simple protocol, which
 * allows several commands, as migrations send), only from their second use (a one-off never
 * takes a name), never one marked planForValuesMark, and at most namedStatementsKept per pool:
 * a connection keeps what it parsed until it closes.
 */
export function createStatementNamer(limit = namedStatementsKept): (text: string, parameterCount: number) => string | undefined {
  const names = new Map<string, string>();
  const seenOnce = new Set<string>();
  return (text, parameterCount) => {
    if (parameterCount === 0) return undefined;
    const name = names.get(text);
    // A named statement is found first: the mark is looked for only in texts not named yet.
    if (name !== undefined || names.size >= limit || text.includes(planForValuesMark)) return name;
    if (!seenOnce.has(text)) {
      // Bounded like the names: texts seen once are forgotten when too many pile up.
      if (seenOnce.size >= limit * 4) seenOnce.clear();
      seenOnce.add(text);
      return undefined;
    }
    seenOnce.delete(text);
    const named = `palaver_${names.size + 1}`;
    names.set(text, named);
    return named;
  };
}

/** The pool as kysely sees it, with U+0000 taken out of every parameter and repeated statements named. */
function withoutNulCharacters(pool: pg.Pool, nameOf: ReturnType<typeof createStatementNamer>): PostgresPool {
  return {
    async connect() {
      const client = await pool.connect();
      const query = ((text: unknown, parameters?: unknown[]) => {
        if (typeof text !== 'string') return client.query(text as pg.Submittable);
        const values = parameters?.map(withoutNul);
        const name = nameOf(text, values?.length ?? 0);
        return name === undefined ? client.query(text, values) : client.query({ name, text, values });
      }) as unknown as PostgresPoolClient['query'];
      return { query, release: () => client.release() };
    },
    end: () => pool.end(),
  };
}

/** The URL without its password, for logs and the CLI's first line. */
export function describePostgresUrl(url: string): string {
  // Not through URL: a socket folder leaves the host empty (postgres://user@/db?host=/tmp/x).
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@?]*):[^@/?]*@/i, '$1:***@');
}

export interface PostgresOptions {
  /** Connections of this process's pool. */
  poolSize?: number;
  /** Told about errors of idle connections (the server restarted); the pool replaces them. */
  onError?: (err: Error) => void;
  /** The name the server shows for these connections (pg_stat_activity). */
  applicationName?: string;
}

/** Opens a pool to the PostgreSQL database at `url`; nothing connects until the first query. */
export function openPostgres(url: string, options: PostgresOptions = {}): OpenedDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types,
    application_name: options.applicationName ?? 'palaver',
    // A statement that holds a connection forever would starve the pool; the longest ones (a
    // migration, a big merge) end in seconds.
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (err) => options.onError?.(err));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: withoutNulCharacters(pool, createStatementNamer()) }) });
  const listeners: pg.Client[] = [];
  return {
    db,
    read: db,
    dialect: 'postgres',
    label: describePostgresUrl(url),
    async listen(channel, onMessage) {
      // A connection of its own: a pooled one would lose the LISTEN when handed to a query.
      const client = new pg.Client({ connectionString: url, types, application_name: `${options.applicationName ?? 'palaver'} listener` });
      client.on('error', (err) => options.onError?.(err));
      client.on('notification', (n) => {
        if (n.channel === channel) onMessage(n.payload ?? '');
      });
      await client.connect();
      await client.query(`listen ${pg.escapeIdentifier(channel)}`);
      listeners.push(client);
      return async () => {
        const i = listeners.indexOf(client);
        if (i >= 0) listeners.splice(i, 1);
        await client.end().catch(() => undefined);
      };
    },
    close: async () => {
      await Promise.all(listeners.splice(0).map((c) => c.end().catch(() => undefined)));
      await db.destroy();
    },
  };
}
