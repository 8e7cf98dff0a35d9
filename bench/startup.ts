// How fast `npx palaver --help` answers: bin/palaver.js (the compiled CLI, dist/ built first if
// a source changed) started as a new process, and the same through npx, against a bare
// `node -e ""` start in the same run; npx's own cost shows as `npx node -e ""`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Figure } from './poll.ts';
import { median } from './median.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function wallMs(command: string, args: string[]): number {
  const t = performance.now();
  const r = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.status !== 0) throw new Error(`bench: ${command} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString().slice(0, 500)}`);
  return performance.now() - t;
}

/** The median wall time of `palaver --help` (bin/palaver.js, and through npx) over `runs` starts, against bare Node starts. */
export function benchStartup(options: { runs: number }): Figure[] {
  // The first starts may compile what changed since the last build; they are not counted.
  wallMs(process.execPath, ['bin/palaver.js', '--help']);
  wallMs('npx', ['palaver', '--help']);
  const help: number[] = [];
  const npx: number[] = [];
  const npxNode: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    help.push(wallMs(process.execPath, ['bin/palaver.js', '--help']));
    npx.push(wallMs('npx', ['palaver', '--help']));
    npxNode.push(wallMs('npx', ['node', '-e', '']));
    bare.push(wallMs(process.execPath, ['-e', '']));
  }
  const spread = (xs: number[]) => `min ${Math.min(...xs).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
  return [
    {
      name: 'palaver --help, wall time',
      value: median(help),
      baseline: median(bare),
      unit: 'ms',
      higherIsBetter: false,
      note: `median of ${options.runs} starts of node bin/palaver.js --help (what npx palaver runs), ${spread(help)}. Baseline: node -e "" started the same way`,
    },
    {
      name: 'npx palaver --help, wall time',
      value: median(npx),
      baseline: median(bare),
      unit: 'ms',
      higherIsBetter: false,
      note: `median of ${options.runs} starts, ${spread(npx)}; npx node -e "" (npx's own start and lookup) took ${median(npxNode).toFixed(0)} ms. Baseline: node -e ""`,
    },
  ];
}
