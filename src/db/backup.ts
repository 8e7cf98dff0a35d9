// The online backup: copies a live SQLite database page by page (better-sqlite3's .backup(), safe
// while the service writes) and proves the copy with PRAGMA integrity_check before calling it good.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';

export class BackupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackupError';
  }
}

export interface BackupReport {
  source: string;
  target: string;
  pages: number;
  bytes: number;
}

/** Copies the database at `source` to `target` while it may be in use, then checks the copy. */
export async function backupDatabase(source: string, target: string): Promise<BackupReport> {
  if (!fs.existsSync(source)) throw new BackupError(`there is no database at ${source} (set DATABASE_PATH)`);
  if (path.resolve(source) === path.resolve(target)) throw new BackupError('the backup must go to another file than the database itself');
  if (fs.existsSync(target)) throw new BackupError(`${target} already exists; choose a new file so no backup is overwritten`);
  let sqlite: SQLite.Database;
  try {
    // Read-only: a backup never migrates or otherwise changes what it copies.
    sqlite = new SQLite(source, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new BackupError(`cannot open ${source}: ${(err as Error).message}`, { cause: err });
  }
  let pages: number;
  try {
    pages = (await sqlite.backup(target)).totalPages;
  } catch (err) {
    fs.rmSync(target, { force: true });
    throw new BackupError(`cannot write ${target}: ${(err as Error).message}`, { cause: err });
  } finally {
    sqlite.close();
  }
  const problems = checkIntegrity(target);
  if (problems.length) {
    throw new BackupError(`the copy at ${target} fails the integrity check: ${problems.slice(0, 5).join('; ')}`);
  }
  return { source, target, pages, bytes: fs.statSync(target).size };
}

/** Runs PRAGMA integrity_check on a database file; returns the problems found (none: []). */
export function checkIntegrity(file: string): string[] {
  let sqlite: SQLite.Database | undefined;
  try {
    sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
    const rows = sqlite.pragma('integrity_check') as { integrity_check: string }[];
    const messages = rows.map((r) => r.integrity_check);
    return messages.length === 1 && messages[0] === 'ok' ? [] : messages;
  } catch (err) {
    return [`cannot be read as a database (${(err as Error).message})`];
  } finally {
    sqlite?.close();
  }
}
