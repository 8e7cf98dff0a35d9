// What the `palaver` command accepts: each command with its options, help text and examples,
// and the parsing of a command line against them (unknown options name the valid ones).
// It runs nothing; src/cli.ts does.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from './project-root.ts';

type BooleanOption = 'once' | 'force' | 'no-poll' | 'quiet' | 'help';
type StringOption = 'opml' | 'title' | 'description' | 'from' | 'to' | 'time-zone' | 'lang' | 'blog';
type OptionName = BooleanOption | StringOption;

/** The options of a command line as parsed: switches, and options that take a value (--blog may repeat). */
export type OptionValues = Partial<Record<BooleanOption, boolean>> & Partial<Record<Exclude<StringOption, 'blog'>, string>> & { blog?: string[] };

const optionSpecs: Record<OptionName, { type: 'boolean' | 'string'; short?: string; multiple?: boolean; text: string }> = {
  once: { type: 'boolean', text: 'poll what is due now, print a line per source, and exit' },
  force: { type: 'boolean', text: 'with --once: poll every source now, whatever its schedule' },
  'no-poll': { type: 'boolean', text: 'register without polling the new blog' },
  quiet: { type: 'boolean', short: 'q', text: 'leave out the first line naming the database' },
  help: { type: 'boolean', short: 'h', text: 'show this help' },
  opml: { type: 'string', text: 'create: an OPML file of the group’s blogs (those not registered yet are registered)' },
  blog: { type: 'string', multiple: true, text: 'create: a registered blog (id or address) to include; repeat for more' },
  title: { type: 'string', text: 'create: the group’s title (default: the OPML list’s title, else the slug)' },
  description: { type: 'string', text: 'create: what the group is about' },
  from: { type: 'string', text: 'create: an event’s first day, YYYY-MM-DD (with --to)' },
  to: { type: 'string', text: 'create: an event’s last day, YYYY-MM-DD (with --from)' },
  'time-zone': { type: 'string', text: 'create: the zone the event’s days are counted in (default: timeZone, else this machine’s)' },
  lang: { type: 'string', text: 'create: the language its blogs write in, e.g. de' },
};

export interface CommandSpec {
  name: string;
  /** The command line without options' descriptions: "add <url>". */
  synopsis: string;
  summary: string;
  /** More lines for `palaver <command> --help`. */
  details: string[];
  options: OptionName[];
  examples: string[];
  /** How many positional arguments it takes at most. */
  maxArgs: number;
}

export const commands: readonly CommandSpec[] = [
  {
    name: 'add',
    synopsis: 'add <url>',
    summary: 'register a blog by its home page, a post or its feed, then poll it',
    details: ['Palaver finds the post feed, the comment feed and the ping endpoints, prints what it found, and polls the new blog once.'],
    options: ['no-poll', 'quiet', 'help'],
    examples: ['npx palaver add https://example.org/', 'npx palaver add https://example.org/2008/11/a-post/ --no-poll'],
    maxArgs: 1,
  },
  {
    name: 'poll',
    synopsis: 'poll [--once [--force]]',
    summary: 'poll the registered blogs: once (--once) or in the foreground until Ctrl-C',
    details: ['Without --once it keeps polling in the foreground, as the server does, without serving pages.'],
    options: ['once', 'force', 'quiet', 'help'],
    examples: ['npx palaver poll --once', 'npx palaver poll --once --force', 'DATABASE_PATH=data/demo.db FETCHER_ALLOW_PRIVATE_NETWORKS=true npx palaver poll --once --force'],
    maxArgs: 0,
  },
  {
    name: 'import-opml',
    synopsis: 'import-opml <file>',
    summary: 'register every blog of an OPML list (nested outlines too), a line per blog',
    details: ['Exits 1 when any outline failed; one failure never stops the rest.'],
    options: ['quiet', 'help'],
    examples: ['npx palaver import-opml blogs.opml'],
    maxArgs: 1,
  },
  {
    name: 'export-opml',
    synopsis: 'export-opml',
    summary: 'print the registry as OPML 2.0 on stdout',
    details: ['The line naming the database goes to stderr, so stdout is the OPML document alone.'],
    options: ['quiet', 'help'],
    examples: ['npx palaver export-opml > blogs.opml', 'DATABASE_PATH=data/demo.db npx palaver export-opml'],
    maxArgs: 0,
  },
  {
    name: 'group',
    synopsis: 'group <create|list|add|remove> …',
    summary: 'make groups of blogs (an event over many blogs): one page, feed and programme for each',
    details: [
      'group create <slug> [--opml list.opml] [--blog <id or address>]… [--title …] [--from YYYY-MM-DD --to YYYY-MM-DD]: blogs of the list not registered yet are registered, four at a time, a line per blog; exits 1 when any failed.',
      'group list: every group with its address. group add <slug> <blog>…: add registered blogs. group remove <slug> <blog>: take one out.',
      'The group is at /g/<slug>, its feeds at /g/<slug>/feed.atom|rss|json, its blogs at /g/<slug>.opml.',
    ],
    options: ['opml', 'blog', 'title', 'description', 'from', 'to', 'time-zone', 'lang', 'quiet', 'help'],
    examples: [
      'npx palaver group create social-media-camp-2008 --opml camp.opml --from 2008-11-12 --to 2008-11-17 --time-zone Europe/Berlin',
      'npx palaver group create feeds --blog 3 --blog https://example.org/ --title "Feeds and readers"',
      'npx palaver group remove social-media-camp-2008 https://example.org/',
    ],
    maxArgs: 1001,
  },
  {
    name: 'migrate',
    synopsis: 'migrate',
    summary: 'apply pending database migrations',
    details: ['The server and every other command migrate by themselves; this is for doing it ahead of an upgrade.'],
    options: ['quiet', 'help'],
    examples: ['npx palaver migrate', 'DATABASE_PATH=/var/lib/palaver/palaver.db npx palaver migrate'],
    maxArgs: 0,
  },
  {
    name: 'backup',
    synopsis: 'backup <file>',
    summary: 'copy the database online (safe while Palaver runs) and check the copy',
    details: ['Never overwrites an existing file; exits non-zero with the reason when the copy or its integrity check fails.'],
    options: ['quiet', 'help'],
    examples: ['npx palaver backup backups/palaver-2008-11-17.db'],
    maxArgs: 1,
  },
  {
    name: 'demo',
    synopsis: 'demo',
    summary: 'replay the 2008 "Social Media Camp" debate from local fixture blogs and serve it on PORT',
    details: [
      'Starts three fixture blogs on 127.0.0.1, registers and polls them in a database of its own (data/demo.db beside DATABASE_PATH, recreated on each run), and serves Palaver on PORT (3000) until Ctrl-C.',
      'When the port is taken it says by which process and changes nothing.',
    ],
    options: ['quiet', 'help'],
    examples: ['npx palaver demo', 'PORT=3001 npx palaver demo'],
    maxArgs: 0,
  },
  {
    name: 'web',
    synopsis: 'web',
    summary: 'serve the pages, feeds and ping endpoints on PORT, without polling or background work',
    details: [
      'One of the two roles of `npm start`, for running several processes against one PostgreSQL (DATABASE_URL): any number of web processes behind one address, beside `palaver poller` processes that do the work. Pings it accepts are queued for the pollers.',
    ],
    options: ['quiet', 'help'],
    examples: ['DATABASE_URL=postgres://palaver@db/palaver PORT=3001 npx palaver web'],
    maxArgs: 0,
  },
  {
    name: 'poller',
    synopsis: 'poller',
    summary: 'poll blogs, verify pings, deliver and renew WebSub, without serving HTTP, until Ctrl-C',
    details: [
      'The other role of `npm start`. Any number may run against one PostgreSQL (DATABASE_URL): each claims due work with a lease, so nothing is fetched twice, and what a process that died had claimed is taken up by another once its lease ends.',
    ],
    options: ['quiet', 'help'],
    examples: ['DATABASE_URL=postgres://palaver@db/palaver npx palaver poller'],
    maxArgs: 0,
  },
  {
    name: 'migrate-to-postgres',
    synopsis: 'migrate-to-postgres <sqlite file>',
    summary: 'copy a SQLite database into the empty PostgreSQL database of DATABASE_URL, then verify the copy',
    details: [
      'One way: the SQLite file is only read. The PostgreSQL database is migrated first and must hold no blogs yet. The copy is checked by the row count of every table and by comparing a sample of conversations; any difference exits 1.',
    ],
    options: ['quiet', 'help'],
    examples: ['DATABASE_URL=postgres://palaver@db/palaver npx palaver migrate-to-postgres data/palaver.db'],
    maxArgs: 1,
  },
];

/** Returns Palaver's version from package.json. */
export function palaverVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

function optionList(names: readonly OptionName[]): string {
  return names.map((n) => `--${n}`).join(', ');
}

/** The overview `palaver --help` prints. */
export function usage(): string {
  const width = Math.max(...commands.map((c) => c.synopsis.length)) + 2;
  return [
    'Usage: palaver <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.synopsis.padEnd(width)}${c.summary}`),
    '',
    'Every command names the database it opened on its first line (--quiet leaves it out).',
    'Settings come from config/default.json and the environment (PORT, DATABASE_PATH, ...); see README.md.',
    '`palaver <command> --help` shows a command’s options and examples; `palaver --version` the version.',
  ].join('\n');
}

/** The help of one command: what it does, its options, examples. */
export function commandHelp(spec: CommandSpec): string {
  const width = Math.max(...spec.options.map((o) => o.length + (optionSpecs[o].short ? 6 : 2))) + 2;
  return [
    `Usage: palaver ${spec.synopsis}${spec.options.length ? ' [options]' : ''}`,
    '',
    `${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.`,
    ...spec.details,
    '',
    'Options:',
    ...spec.options.map((o) => `  ${`${optionSpecs[o].short ? `-${optionSpecs[o].short}, ` : ''}--${o}`.padEnd(width)}${optionSpecs[o].text}`),
    '',
    'Examples:',
    ...spec.examples.map((e) => `  ${e}`),
  ].join('\n');
}

/** A command line that names a command to run, with its arguments and options. */
export interface CommandToRun {
  kind: 'run';
  command: CommandSpec;
  args: string[];
  values: OptionValues;
}

export type ParsedCommandLine =
  | CommandToRun
  | { kind: 'print'; text: string }
  | { kind: 'error'; message: string };

/** Parses a command line: the command, its arguments and options; help, version, or what is wrong. */
export function parseCommandLine(argv: string[]): ParsedCommandLine {
  const name = argv.find((a) => !a.startsWith('-'));
  const flags = argv.filter((a) => a.startsWith('-'));
  if (name === undefined || name === 'help') {
    const topic = name === 'help' ? argv.filter((a) => !a.startsWith('-'))[1] : undefined;
    if (topic !== undefined) {
      const spec = commands.find((c) => c.name === topic);
      return spec ? { kind: 'print', text: commandHelp(spec) } : { kind: 'error', message: `Unknown command “${topic}”. Commands: ${commands.map((c) => c.name).join(', ')}.` };
    }
    if (flags.includes('--version') || flags.includes('-v')) return { kind: 'print', text: `palaver ${palaverVersion()}` };
    if (flags.length === 0 || flags.some((f) => f === '--help' || f === '-h') || name === 'help') return { kind: 'print', text: usage() };
    return { kind: 'error', message: `Unknown option ${flags[0]}. Without a command palaver takes --help or --version.\n\n${usage()}` };
  }
  const spec = commands.find((c) => c.name === name);
  if (!spec) return { kind: 'error', message: `Unknown command “${name}”. Commands: ${commands.map((c) => c.name).join(', ')}.\n\n${usage()}` };
  const options: Record<string, { type: 'boolean' | 'string'; short?: string; multiple?: boolean }> = {};
  for (const o of spec.options) options[o] = { type: optionSpecs[o].type, ...(optionSpecs[o].short ? { short: optionSpecs[o].short } : {}), ...(optionSpecs[o].multiple ? { multiple: true } : {}) };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const bad = /'([^']+)'/.exec((err as Error).message)?.[1] ?? flags.find((f) => !spec.options.some((o) => f === `--${o}`)) ?? '';
    const wantsValue = spec.options.some((o) => optionSpecs[o].type === 'string' && bad.startsWith(`--${o}`));
    const what = code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? (wantsValue ? `Option ${bad.split(' ')[0]} needs a value.` : `Option ${bad} takes no value.`) : `Unknown option ${bad} for palaver ${spec.name}.`;
    return { kind: 'error', message: `${what} Its options: ${optionList(spec.options)}.\n\n${commandHelp(spec)}` };
  }
  const values = parsed.values as OptionValues;
  if (values.help) return { kind: 'print', text: commandHelp(spec) };
  const args = parsed.positionals.slice(1);
  if (args.length > spec.maxArgs) {
    return { kind: 'error', message: `palaver ${spec.name} takes ${spec.maxArgs === 0 ? 'no arguments' : `one argument`}; “${args[spec.maxArgs]}” is one too many.\n\n${commandHelp(spec)}` };
  }
  return { kind: 'run', command: spec, args, values };
}
