#!/usr/bin/env -S node --max-semi-space-size=12 --heap-growing-percent=100
// `npx palaver <command>`: runs the CLI compiled to dist/ at install, first compiling the
// sources changed since (a `git pull` without `npm install`), so no TypeScript loader starts.
// The first line's memory options are src/node-options.ts's (V8 takes them only at start).
import { ensureBuilt, planBuild } from '../scripts/build.js';

// Help, the version and usage errors need only the usage table's modules: when those are
// current, the walk over every source waits until a command runs.
const usageModules = ['src/cli-entry.ts', 'src/cli-usage.ts', 'src/project-root.ts'];
if (planBuild({ only: usageModules }).stale.length > 0) await ensureBuilt();
// Stack traces name the TypeScript lines (dist/ carries source maps).
process.setSourceMapsEnabled(true);
const { runCommandLine } = await import('../dist/src/cli-entry.js');
process.exitCode = await runCommandLine(process.argv.slice(2), { beforeCommand: () => ensureBuilt() });
