// Compiles the TypeScript of src/ and migrations/ to JavaScript in dist/ (dist/src/…,
// dist/migrations/…), so `npx palaver` and `npm start` start without a TypeScript loader. It only
// strips types, file by file: `npm run typecheck` is what checks them. Incremental: a source whose
// time or size differs from when it was last compiled (a `git pull` without `npm install`) is
// compiled again, and an output whose source is gone is removed. Runs at install (`prepare`),
// before `npm start`, and from bin/palaver.js; `node scripts/build.js --clean` rebuilds all.
// Run as a script, it also links the `palaver` command into node_modules/.bin for npx.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const thisScript = fileURLToPath(import.meta.url);
const defaultRoot = path.resolve(path.dirname(thisScript), '..');
const sourceDirs = ['src', 'migrations'];
// What each output was compiled from: the source's time and size, and the compiler settings.
const stateFile = 'build-state.json';

/** The files under `dir` (relative to `base`) whose names pass `wanted`, as paths relative to `base`. */
function listFiles(base, dir, wanted) {
  const found = [];
  const walk = (rel) => {
    let entries;
    try {
      entries = fs.readdirSync(path.join(base, rel), { withFileTypes: true });
    } catch (err) {
      if (err.code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      const child = path.join(rel, e.name);
      if (e.isDirectory()) walk(child);
      else if (e.isFile() && wanted(e.name)) found.push(child);
    }
  };
  walk(dir);
  return found.sort();
}

/** A file's identity for staleness: modification time and size, or null when it is missing. */
function stamp(file) {
  try {
    const s = fs.statSync(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
}

function readState(outDir) {
  try {
    const state = JSON.parse(fs.readFileSync(path.join(outDir, stateFile), 'utf8'));
    return state && typeof state.sources === 'object' ? state : { settings: null, sources: {} };
  } catch {
    return { settings: null, sources: {} };
  }
}

/**
 * What a build would do now, found by file stamps alone (fast: no TypeScript is loaded):
 * `stale` sources (relative to root) whose output is missing or was compiled from another
 * version of them, of this script or of tsconfig.json; `orphans`, outputs (relative to dist/)
 * whose source is gone.
 */
export function planBuild(options = {}) {
  const root = options.root ?? defaultRoot;
  const outDir = path.join(root, 'dist');
  const state = readState(outDir);
  const settings = `${stamp(thisScript)}|${stamp(path.join(root, 'tsconfig.json'))}`;
  // `only`: just these sources (what `palaver --help` loads), without walking the tree or
  // looking for orphans (a quick look; building always plans the whole tree).
  const partial = Array.isArray(options.only);
  // `dirs`: the folders to compile, src/ and migrations/ unless told (the benchmarks add bench/).
  const dirs = options.dirs ?? sourceDirs;
  const candidates = partial ? options.only : dirs.flatMap((dir) => listFiles(root, dir, (name) => name.endsWith('.ts') && !name.endsWith('.d.ts')));
  const sources = {};
  const stale = [];
  const expected = new Set();
  for (const source of candidates) {
    const output = source.replace(/\.ts$/, '.js');
    expected.add(output);
    sources[source] = stamp(path.join(root, source));
    if (state.settings !== settings || state.sources[source] !== sources[source] || !fs.existsSync(path.join(outDir, output))) stale.push(source);
  }
  const orphans = partial
    ? []
    : dirs
        .flatMap((dir) => listFiles(outDir, dir, (name) => name.endsWith('.js') || name.endsWith('.js.map')))
        .filter((output) => !expected.has(output.replace(/\.map$/, '')));
  return { root, outDir, stale, orphans, state, settings, sources };
}

/** Compiler options for type stripping, from tsconfig.json: the same target as the type check, ES modules out. */
function compilerOptions(ts, root) {
  const file = path.join(root, 'tsconfig.json');
  const read = ts.readConfigFile(file, ts.sys.readFile);
  if (read.error) throw new Error(`build: ${file}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
  const { options, errors } = ts.convertCompilerOptionsFromJson(read.config.compilerOptions ?? {}, root);
  if (errors.length) throw new Error(`build: ${file}: ${ts.flattenDiagnosticMessageText(errors[0].messageText, '\n')}`);
  // Every source is an ES module (package.json "type": "module"), which one file at a time
  // cannot ask NodeNext; where files go is this script's business, not tsc's.
  const { rootDir: _rootDir, outDir: _outDir, ...emit } = options;
  return { ...emit, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, noEmit: false, declaration: false, sourceMap: true, inlineSourceMap: false, inlineSources: false };
}

/** Writes through a temporary file and a rename, so a process starting meanwhile never reads half a module. */
function writeAtomically(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}

/**
 * Compiles what planBuild found stale and removes the orphans; returns the counts. Throws,
 * naming file and line, on a syntax error: the other files are still written, and the broken
 * one stays stale, so the next start says so again.
 */
export async function build(options = {}) {
  const { root, outDir, stale, orphans, state, settings, sources } = planBuild({ ...options, only: undefined });
  for (const output of orphans) fs.rmSync(path.join(outDir, output), { force: true });
  if (stale.length === 0) return { compiled: 0, removed: orphans.length };
  const ts = (await import('typescript')).default;
  const compiler = compilerOptions(ts, root);
  const compiled = {};
  const problems = [];
  for (const source of stale) {
    const text = fs.readFileSync(path.join(root, source), 'utf8');
    const result = ts.transpileModule(text, { fileName: source, compilerOptions: compiler, reportDiagnostics: true });
    const errors = (result.diagnostics ?? []).map((d) => {
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
      return `${source}${where ? `:${where.line + 1}:${where.character + 1}` : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    problems.push(...errors);
    // The map points back at the .ts file, so a stack trace (node --enable-source-maps) names its line.
    const output = path.join(outDir, source.replace(/\.ts$/, '.js'));
    const map = JSON.parse(result.sourceMapText);
    map.file = path.basename(output);
    map.sources = [path.relative(path.dirname(output), path.join(root, source)).split(path.sep).join('/')];
    writeAtomically(`${output}.map`, JSON.stringify(map));
    writeAtomically(output, result.outputText);
    if (errors.length === 0) compiled[source] = sources[source];
  }
  // Entries from the last build hold only while the settings are the same.
  const kept = state.settings === settings ? Object.fromEntries(Object.entries(state.sources).filter(([source]) => source in sources && !stale.includes(source))) : {};
  writeAtomically(path.join(outDir, stateFile), JSON.stringify({ settings, sources: { ...kept, ...compiled } }));
  if (problems.length) throw new Error(`build: ${problems.length} error(s):\n${problems.slice(0, 20).join('\n')}`);
  return { compiled: stale.length, removed: orphans.length };
}

/**
 * Before running dist/: compiles the sources changed since the last build, saying so on
 * stderr, and returns the counts. A checkout that cannot be written (installed read-only) runs
 * its existing build with a warning; one without any build fails with what to run.
 */
export async function ensureBuilt(options = {}) {
  const plan = planBuild({ ...options, only: undefined });
  if (plan.stale.length === 0 && plan.orphans.length === 0) return { compiled: 0, removed: 0 };
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  if (plan.stale.length > 0) log(`Compiling ${plan.stale.length} changed source file${plan.stale.length === 1 ? '' : 's'} to dist/ …`);
  try {
    return await build(options);
  } catch (err) {
    const usable = fs.existsSync(path.join(plan.outDir, 'src', 'cli-entry.js')) && fs.existsSync(path.join(plan.outDir, 'src', 'main.js'));
    if (!usable || !['EACCES', 'EPERM', 'EROFS'].includes(err.code)) throw err;
    log(`warning: dist/ is older than the sources and cannot be rewritten (${err.code}); running the previous build. Run \`npm run build\` as the checkout's owner.`);
    return { compiled: 0, removed: 0 };
  }
}

// npx runs a command it finds in node_modules/.bin at once. Through package.json's `bin` it
// first reads every package of node_modules and links the project into its own cache, which
// took longer than `palaver --help` itself. npm links the commands of dependencies only, never
// the project's own, so the build makes this link.
const commandLink = path.join('node_modules', '.bin', 'palaver');
// Relative, as npm links the commands of dependencies: the checkout may be moved or copied.
const commandTarget = path.join('..', '..', 'bin', 'palaver.js');

/**
 * Links node_modules/.bin/palaver to bin/palaver.js, replacing a link or file that points
 * elsewhere, and makes bin/palaver.js executable; returns `created`, `refreshed` or `unchanged`.
 * Throws when node_modules is missing (before `npm install`), saying what to run.
 */
export function linkCommand(options = {}) {
  const root = options.root ?? defaultRoot;
  const modules = path.join(root, 'node_modules');
  if (!fs.statSync(modules, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`build: ${modules} is missing, so \`npx palaver\` has nothing to run: run \`npm install\` (or \`npm ci\`) in ${root} first.`);
  }
  // Execute permission for whoever may read it, as npm gives the commands it links.
  const script = path.join(root, 'bin', 'palaver.js');
  const { mode } = fs.statSync(script);
  const executable = mode | ((mode & 0o444) >> 2);
  if (executable !== mode) fs.chmodSync(script, executable & 0o7777);

  const link = path.join(root, commandLink);
  const existing = fs.lstatSync(link, { throwIfNoEntry: false });
  if (existing?.isSymbolicLink() && fs.readlinkSync(link) === commandTarget) return 'unchanged';
  fs.mkdirSync(path.dirname(link), { recursive: true });
  // A rename replaces a file or a link, not a folder.
  if (existing?.isDirectory()) fs.rmSync(link, { recursive: true });
  // A new link renamed over the old one: an npx starting meanwhile finds one or the other.
  const temporary = `${link}.${process.pid}.tmp`;
  fs.rmSync(temporary, { force: true });
  fs.symlinkSync(commandTarget, temporary);
  fs.renameSync(temporary, link);
  return existing ? 'refreshed' : 'created';
}

// `node scripts/build.js` (install, `npm start`): what changed; `--clean` (`npm run build`): all of dist/ anew.
if (process.argv[1] && path.resolve(process.argv[1]) === thisScript) {
  try {
    // First: without node_modules nothing else can work, and this says so plainly.
    if (linkCommand() !== 'unchanged') console.error(`Linked ${commandLink} to bin/palaver.js, so \`npx palaver\` runs it.`);
    if (process.argv.includes('--clean')) fs.rmSync(path.join(defaultRoot, 'dist'), { recursive: true, force: true });
    const started = performance.now();
    const { compiled } = await ensureBuilt();
    if (compiled > 0) console.error(`Compiled in ${Math.round(performance.now() - started)} ms.`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
