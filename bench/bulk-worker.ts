// The bulk ingest's measured process (bench/threading.ts): Palaver as npm start runs it
// (bench/measured-process.ts), its first 5,000 entries through feed parts, then, once its code is
// compiled and optimised, 20,000 more into a fresh database after a run into another, then the
// same 5,000 recorded one by one. Prints the figures as JSON.
import { bulkEntries, bulkIngest, bulkOneByOne } from './bulk-ingest.ts';
import { withDatabase } from './scratch-database.ts';

/** Entries/s of each run. */
export interface BulkFigures {
  first: number;
  warm: number;
  oneByOne: number;
}

async function main(): Promise<void> {
  const first = await withDatabase((database) => bulkIngest(database, bulkEntries));
  await withDatabase((database) => bulkIngest(database, bulkEntries));
  const warm = await withDatabase((database) => bulkIngest(database, 4 * bulkEntries));
  const oneByOne = await withDatabase((database) => bulkOneByOne(database));
  const figures: BulkFigures = { first, warm, oneByOne };
  process.stdout.write(JSON.stringify(figures));
}

await main();
