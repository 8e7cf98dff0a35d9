// Applies the numbered migrations in migrations/ in order, each run inside a transaction.
// Migrations are append-only: one that has landed is never edited.
import fs from 'node:fs/promises';
import path from 'node:path';
import { FileMigrationProvider, Migrator, type MigrationResult } from 'kysely';
import { projectRoot } from '../config.ts';
import type { Db } from './open.ts';

export const migrationsFolder = path.join(projectRoot, 'migrations');

/** Brings the schema up to the newest migration; returns the names applied now. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: migrationsFolder }),
  });
  const { error, results } = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r: MigrationResult) => r.status === 'Success').map((r) => r.migrationName);
  if (error) {
    const failed = (results ?? []).find((r) => r.status === 'Error');
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`db: migration ${failed?.migrationName ?? '(unknown)'} failed: ${message}`, { cause: error });
  }
  return applied;
}
