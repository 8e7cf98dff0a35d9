// What `npm start` runs, read from package.json, as arguments for process.execPath: the process
// tests start the service exactly as a person does, minus npm itself.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/** The node arguments of package.json's start script (`node <args>`). */
export function startArguments(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [program, ...args] = pkg.scripts.start!.split(/\s+/);
  if (program !== 'node') throw new Error(`test: the start script is not a node command: ${pkg.scripts.start}`);
  return args;
}
