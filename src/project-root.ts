// Where the checkout is: config/, docs/ and the assets stay there when this runs compiled from
// dist/src/. Its own module, so `palaver --help` finds package.json without loading the config schema.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory of package.json, from the TypeScript sources or the compiled dist/. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), import.meta.url.endsWith('.js') ? '../..' : '..');
