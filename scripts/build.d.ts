// Types of scripts/build.js for the TypeScript that imports it (the tests).
export interface BuildOptions {
  /** The checkout to build (tests build a copy); scripts/build.js's own by default. */
  root?: string;
  log?: (line: string) => void;
  /** planBuild only: look at these sources (relative to root) alone, without walking the tree or looking for orphans. */
  only?: string[];
  /** The folders whose sources are compiled (relative to root); src and migrations by default. */
  dirs?: string[];
}

export interface BuildPlan {
  root: string;
  outDir: string;
  /** Sources, relative to root, whose output is missing or was compiled from another version of them or of the settings. */
  stale: string[];
  /** Outputs, relative to dist/, whose source is gone. */
  orphans: string[];
}

export function planBuild(options?: BuildOptions): BuildPlan;
export function build(options?: BuildOptions): Promise<{ compiled: number; removed: number }>;
export function ensureBuilt(options?: BuildOptions): Promise<{ compiled: number; removed: number }>;
/** Links node_modules/.bin/palaver to bin/palaver.js (only `root` is read); throws when node_modules is missing. */
export function linkCommand(options?: BuildOptions): 'created' | 'refreshed' | 'unchanged';
