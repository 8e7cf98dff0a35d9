#!/usr/bin/env node
// `npx palaver <command>`: runs the CLI compiled to dist/ at install, first compiling the
// sources changed since (a `git pull` without `npm install`), so no TypeScript loader starts.
import { ensureBuilt } from '../scripts/build.js';

await ensureBuilt();
// Stack traces name the TypeScript lines (dist/ carries source maps).
process.setSourceMapsEnabled(true);
const { runCommandLine } = await import('../dist/src/cli-entry.js');
process.exitCode = await runCommandLine(process.argv.slice(2));
