// The `palaver` command's front door: help, the version and usage errors come from the usage
// table alone; the commands (database, fetcher, poller, web) load only when one runs, so
// `palaver --help` answers at once.
import { parseCommandLine } from './cli-usage.ts';

/** Runs the `palaver` command line and returns the exit code. */
export async function runCommandLine(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (parsed.kind === 'print') {
    console.log(parsed.text);
    return 0;
  }
  if (parsed.kind === 'error') {
    console.error(parsed.message);
    return 2;
  }
  const { runCli } = await import('./cli.ts');
  return runCli(parsed);
}
