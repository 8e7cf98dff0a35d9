// How the benchmarks start a measured process of Palaver: as `npm start` and `palaver` run it,
// the JavaScript compiled to dist/ under plain node, with the same memory options and source
// maps. Through tsx every module is transpiled as it loads and its source and map stay in memory:
// 40–65 MiB more resident than the product, which no user runs. BENCH_LOADER=tsx runs the
// workers through tsx as the benchmarks did before 2026-12-04, for comparison.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../scripts/build.js';
import { nodeMemoryOptions } from '../src/node-options.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** How the measured processes load Palaver: `dist` (compiled, the default) or `tsx`. */
export const measuredLoader: 'dist' | 'tsx' = process.env.BENCH_LOADER === 'tsx' ? 'tsx' : 'dist';

/**
 * The node arguments that run a worker of the benchmarks (a file of bench/, by name) with its
 * measured Palaver: compiled first (with bench/, so the worker's imports of ../src load dist/src),
 * unless BENCH_LOADER=tsx.
 */
export async function measuredWorker(name: string): Promise<{ execArgv: string[]; file: string }> {
  if (measuredLoader === 'tsx') return { execArgv: [...nodeMemoryOptions, '--import', 'tsx'], file: path.join(root, 'bench', name) };
  await build({ dirs: ['src', 'migrations', 'bench'] });
  return { execArgv: [...nodeMemoryOptions, '--enable-source-maps'], file: path.join(root, 'dist', 'bench', name.replace(/\.ts$/, '.js')) };
}
