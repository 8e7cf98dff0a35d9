// The `palaver` command's front door: help, the version and usage errors come from the usage
// table alone; the commands (database, fetcher, poller, web) load only when one runs, so
// `palaver --help` answers at once.
import { parseCommandLine } from './cli-usage.ts';

/**
 * Runs the `palaver` command line and returns the exit code. `beforeCommand` runs before a
 * command's modules load (bin/palaver.js compiles what changed there), never for help.
 */
export async function runCommandLine(argv: string[], hooks: { beforeCommand?: () => Promise<unknown> } = {}): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (parsed.kind === 'print') {
    console.log(parsed.text);
    return 0;
  }
  if (parsed.kind === 'error') {
    console.error(parsed.message);
    return 2;
  }
  await hooks.beforeCommand?.();
  const { runCli } = await import('./cli.ts');
  return runCli(parsed);
}
