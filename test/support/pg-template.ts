// Vitest global setup of `npm run test:pg`: migrates the template database every test database
// is copied from, after dropping what an earlier run left behind.
import pg from 'pg';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { templateDatabase, testDatabasePrefix, testPostgresUrl, urlOfDatabase } from './postgres.ts';

export default async function setup(): Promise<() => Promise<void>> {
  const adminUrl = testPostgresUrl();
  if (!adminUrl) throw new Error('npm run test:pg needs DATABASE_URL: the admin database of a PostgreSQL server the tests may create databases on');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const dropLeftovers = async () => {
    const { rows } = await admin.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [`${testDatabasePrefix}%`]);
    for (const r of rows) await admin.query(`drop database if exists ${pg.escapeIdentifier(r.datname)} with (force)`);
  };
  await dropLeftovers();
  await admin.query(`drop database if exists ${pg.escapeIdentifier(templateDatabase)} with (force)`);
  await admin.query(`create database ${pg.escapeIdentifier(templateDatabase)}`);
  const template = openPostgres(urlOfDatabase(adminUrl, templateDatabase), { poolSize: 1 });
  try {
    await migrateToLatest(template.db);
  } finally {
    await template.close();
  }
  return async () => {
    await dropLeftovers();
    await admin.query(`drop database if exists ${pg.escapeIdentifier(templateDatabase)} with (force)`);
    await admin.end();
  };
}
