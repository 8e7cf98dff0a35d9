// PostgreSQL for the tests (`npm run test:pg`): PALAVER_TEST_PG names a server's admin database,
// the global setup (pg-template.ts) migrates a template database there once, and every test
// database is a copy of it (CREATE DATABASE … TEMPLATE), dropped when closed, so test files run
// in parallel on databases of their own. Without PALAVER_TEST_PG everything runs on SQLite.
import pg from 'pg';

export const templateDatabase = 'palaver_test_template';
export const testDatabasePrefix = 'palaver_t_';

/** The admin URL of the test server, or null when the suite runs on SQLite. */
export function testPostgresUrl(): string | null {
  return process.env.PALAVER_TEST_PG?.trim() || null;
}

/** The same server's URL for another database. */
export function urlOfDatabase(adminUrl: string, name: string): string {
  // Not through URL: a socket folder leaves the host empty (postgres://user@/db?host=/tmp/x).
  const m = /^(postgres(?:ql)?:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/i.exec(adminUrl);
  if (!m) throw new Error(`not a postgres:// URL: ${adminUrl}`);
  return `${m[1]}/${name}${m[3] ?? ''}`;
}

let admin: pg.Pool | null = null;
let counter = 0;

function adminPool(adminUrl: string): pg.Pool {
  admin ??= new pg.Pool({ connectionString: adminUrl, max: 2 });
  return admin;
}

/**
 * Creates an empty-of-data, migrated database for one test (or, with `unmigrated`, one without
 * any table); returns its URL and a dropper.
 */
export async function createPostgresTestDatabase(adminUrl: string, options: { unmigrated?: boolean } = {}): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${testDatabasePrefix}${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
  const pool = adminPool(adminUrl);
  // Two creations from one template at the same moment make one of them fail ("source database
  // is being accessed by other users"); a retry after a moment succeeds.
  for (let attempt = 0; ; attempt++) {
    try {
      await pool.query(`create database ${pg.escapeIdentifier(name)}${options.unmigrated ? '' : ` template ${pg.escapeIdentifier(templateDatabase)}`}`);
      break;
    } catch (err) {
      if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  }
  return {
    url: urlOfDatabase(adminUrl, name),
    name,
    drop: async () => {
      await pool.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
    },
  };
}
