// `node --import ./test/support/refuse-modules.js …`: fails any import whose resolved URL matches
// PALAVER_REFUSE_MODULES (a regular expression), so a process test can show what a command does
// not load: TypeScript sources or the tsx loader at run time, the database or web server for --help.
import { register } from 'node:module';

const pattern = process.env.PALAVER_REFUSE_MODULES;
if (pattern) register('./refuse-modules-hooks.js', import.meta.url, { data: { pattern } });
