// Applies the numbered migrations in migrations/ in order, each run inside a transaction.
// Migrations are append-only: one that has landed is never edited.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, type Migration, type MigrationProvider, type MigrationResult } from 'kysely';
import { sortingOnDisk, type Db } from './open.ts';

// Beside the sources, migrations/*.ts; compiled (dist/src/db/migrate.js), dist/migrations/*.js.
// A migration's name leaves out the extension, so a database knows it either way.
export const migrationsFolder = fileURLToPath(new URL('../../migrations/', import.meta.url));
const extension = path.extname(fileURLToPath(import.meta.url));

// kysely's FileMigrationProvider imports from inside node_modules, where the TypeScript loader
// of tests does not reach; importing from here works under tsx and vitest alike.
const provider: MigrationProvider = {
  async getMigrations() {
    const files = (await fs.readdir(migrationsFolder)).filter((f) => /^\d{4}_[\w-]+\.[jt]s$/.test(f) && path.extname(f) === extension).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const mod = (await import(pathToFileURL(path.join(migrationsFolder, file)).href)) as Migration;
      migrations[file.slice(0, -extension.length)] = mod;
    }
    return migrations;
  },
};

/** Brings the schema up to the newest migration; returns the names applied now. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  // Migration numbers are handed out per change, and changes land in any order: a database that
  // has 0014 takes 0012 when it arrives later. Each migration still runs once, in number order.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = await sortingOnDisk(db, () => migrator.migrateToLatest());
  const applied = (results ?? []).filter((r: MigrationResult) => r.status === 'Success').map((r) => r.migrationName);
  if (error) {
    const failed = (results ?? []).find((r) => r.status === 'Error');
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`db: migration ${failed?.migrationName ?? '(unknown)'} failed: ${message}`, { cause: error });
  }
  return applied;
}
