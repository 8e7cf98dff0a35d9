// How fast `npx palaver --help` answers: bin/palaver.js (the compiled CLI, dist/ built first if
// a source changed) started as a new process, against a bare `node -e ""` start in the same run.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Figure } from './poll.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function wallMs(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`bench: node ${args.join(' ')} exited ${r.status}: ${r.stderr.toString().slice(0, 500)}`);
  return performance.now() - t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The median wall time of `palaver --help` over `runs` starts, against bare Node starts. */
export function benchStartup(options: { runs: number }): Figure[] {
  // The first start may compile what changed since the last build; it is not counted.
  wallMs(['bin/palaver.js', '--help']);
  const help: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    help.push(wallMs(['bin/palaver.js', '--help']));
    bare.push(wallMs(['-e', '']));
  }
  return [
    {
      name: 'palaver --help, wall time',
      value: median(help),
      baseline: median(bare),
      unit: 'ms',
      higherIsBetter: false,
      note: `median of ${options.runs} starts of bin/palaver.js --help (what npx palaver runs), min ${Math.min(...help).toFixed(0)} ms, max ${Math.max(...help).toFixed(0)} ms. Baseline: node -e "" started the same way`,
    },
  ];
}
