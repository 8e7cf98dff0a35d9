// Opens the database the settings name: PostgreSQL when DATABASE_URL is set, else the SQLite file
// at DATABASE_PATH (the default, which needs no server). pg is loaded only for PostgreSQL.
import { openDatabase, type OpenedDatabase } from './open.ts';

export interface DatabaseSettings {
  databasePath: string;
  databaseUrl?: string | null;
  database?: { poolSize: number };
}

/** Opens (without migrating) the database of these settings. */
export async function openConfiguredDatabase(settings: DatabaseSettings, options: { onError?: (err: Error) => void; applicationName?: string } = {}): Promise<OpenedDatabase> {
  if (settings.databaseUrl) {
    const { openPostgres } = await import('./postgres.ts');
    return openPostgres(settings.databaseUrl, { poolSize: settings.database?.poolSize ?? 10, ...options });
  }
  return openDatabase(settings.databasePath);
}
