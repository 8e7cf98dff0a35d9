// Starts a worker thread on a module of Palaver whether Palaver runs from compiled JavaScript
// (dist/) or from its TypeScript (tsx, the test runner): the code a Worker evaluates to load it.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Returns the code for `new Worker(code, { eval: true })` that loads `workerFile` (a .js or .ts
 * path); a TypeScript one registers tsx first. A worker that cannot load exits with code 70.
 */
export function workerBootstrap(workerFile: string): string {
  const load = `import(${JSON.stringify(pathToFileURL(workerFile).href)})`;
  if (workerFile.endsWith('.js')) return `${load}.catch((err) => { console.error(err); process.exit(70); });`;
  // tsx's ESM entry (the CommonJS one cannot register from eval'd code): beside the resolved one.
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  return `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return ${load}; }).catch((err) => { console.error(err); process.exit(70); });`;
}
