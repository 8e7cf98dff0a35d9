// Vitest global setup: compiles src/ to dist/ once before the suite, as `npm install` does, so
// the process tests (bin/palaver.js, `npm start`'s command) run the current sources without
// each compiling them at once.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  execFileSync(process.execPath, [path.resolve(import.meta.dirname, '../../scripts/build.js')], { stdio: 'inherit' });
}
