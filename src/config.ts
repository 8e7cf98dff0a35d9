// Settings: one zod schema over config/default.json, the operator's file (PALAVER_CONFIG) merged
// over it, and environment overrides. A bad value stops the start with a message naming the key
// and where it was set; nothing else in Palaver reads the environment.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { moderationPolicies } from './domain/vocabulary.ts';
import { projectRoot } from './project-root.ts';
import { positiveInt, serverSettings } from './server-settings.ts';

export { projectRoot };


function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http or https URL')
  .transform((u) => u.replace(/\/+$/, ''));

const configSchema = z
  .object({
    port: z.number().int().min(0).max(65535),
    host: z.string().min(1),
    databasePath: z.string().min(1),
    /** postgres://user:pass@host/db selects PostgreSQL instead of the SQLite file at databasePath. */
    databaseUrl: z
      .string()
      .refine((u) => /^postgres(ql)?:\/\//i.test(u), 'must be a postgres:// URL')
      .nullable()
      .default(null),
    database: z
      .object({
        /** Connections each process keeps open to PostgreSQL. */
        poolSize: positiveInt.max(1000),
      })
      .strict()
      .default({ poolSize: 10 }),
    /** The absolute base URL under which others reach Palaver; null means http://localhost:<port>. */
    publicUrl: httpUrl.nullable(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    /** Request and service logs: one readable line each on a terminal (auto), or JSON lines. */
    logFormat: z.enum(['auto', 'pretty', 'json']).default('auto'),
    /** The IANA zone pages show times in until a reader's browser names its own; null: this machine's (TZ). */
    timeZone: z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or UTC')
      .nullable()
      .default(null),
    pollIntervalSeconds: positiveInt,
    feeds: z
      .object({
        /** Items in each served feed (everything, a conversation, a blog), newest first. */
        maxItems: positiveInt.max(1000),
      })
      .strict()
      .default({ maxItems: 50 }),
    server: serverSettings,
    pages: z
      .object({
        /** Entries on one page of a conversation; a larger conversation is cut into pages. */
        conversationPageEntries: positiveInt.max(5000),
        /** Characters of content on one page of a conversation, about (each entry's markup counts too). */
        conversationPageChars: positiveInt.min(10_000),
        /** Searches (/?q=, /g/:slug?q=) one client may make a minute; more answer 429. */
        searchesPerClientPerMinute: positiveInt.default(30),
      })
      .strict()
      .default({ conversationPageEntries: 500, conversationPageChars: 1_000_000, searchesPerClientPerMinute: 30 }),
    poller: z
      .object({
        enabled: z.boolean(),
        tickSeconds: positiveInt,
        concurrency: positiveInt.max(256),
        maxBackoffSeconds: positiveInt,
        maxIntervalSeconds: positiveInt,
        disableAfterFailures: positiveInt,
        commentFeedMaxQuietDays: positiveInt,
        /** Pages of a post's comment list (post page, comment-page-N/) read per check when comments are missing. */
        maxCommentPages: positiveInt.max(100).default(10),
        /** Pages (of 100) of a post's comments read through the REST API, or Blogger's paging (of 500), per check. */
        maxCommentApiPages: positiveInt.max(100).default(20),
        /** Items of one feed read per poll, the newest first; older ones are counted and left out. */
        maxItemsPerPoll: positiveInt.max(100_000).default(500),
        /**
         * How long a claimed source stays with the poller that claimed it: a poller that dies
         * holds its sources this long at most. Longer than a poll can take (a minute at least).
         */
        claimLeaseSeconds: positiveInt.min(60).max(86_400).default(600),
        /** Threads that parse fetched feeds and sanitize new items, leaving the event loop the store's work (0: none). */
        readerThreads: z.number().int().min(0).max(16).default(() => Math.min(4, Math.max(0, os.availableParallelism() - 1))),
      })
      .strict(),
    pings: z
      .object({
        /**
         * Pings sent to Palaver from hosts it has not accepted before (registered blogs and
         * trusted hosts always pass): shown at once (open), held for a moderator (moderate), or
         * refused (closed).
         */
        moderation: z.enum(moderationPolicies),
        /** Pings waiting for verification before the endpoints answer 503. */
        queueCapacity: positiveInt,
        verifyConcurrency: positiveInt.max(64),
        /** How long a pingback waits for its verification before answering "queued". */
        pingbackDeadlineMs: positiveInt,
        perClientPerMinute: positiveInt,
        perSourceHostPerMinute: positiveInt,
        maxAttempts: positiveInt,
        /** Bytes of a ping's source page read at most; a larger page is rejected, naming the limit. */
        maxSourceBytes: positiveInt.min(16 * 1024).default(1024 * 1024),
        /** Elements (start tags) of a source page read at most. */
        maxSourceElements: positiveInt.min(100).default(30_000),
        /** Time to parse one source page (in a worker thread) before it is rejected. */
        sourceReadTimeoutMs: positiveInt.min(100).default(3000),
        /** Heap of the worker that parses source pages, in MB. */
        sourceReadMemoryMb: positiveInt.min(32).max(4096).default(128),
      })
      .strict(),
    websub: z
      .object({
        /** Palaver's hub for its own feeds and its subscriptions to blogs' hubs. */
        enabled: z.boolean(),
        /** An external hub to advertise and ping (hub.mode=publish) instead of Palaver's own. */
        hubUrl: httpUrl.nullable(),
        /** Lease granted when a subscriber asks for none; also what Palaver asks of blogs' hubs. */
        leaseSeconds: positiveInt,
        maxLeaseSeconds: positiveInt,
        /** Deliveries of one change to one subscriber before the hub gives up. */
        deliveryAttempts: positiveInt.max(20),
        /** How often a feed that a hub pushes is still polled, as a fallback. */
        pushedPollIntervalSeconds: positiveInt,
      })
      .strict()
      .refine((w) => w.leaseSeconds <= w.maxLeaseSeconds, { message: 'leaseSeconds must not exceed maxLeaseSeconds', path: ['leaseSeconds'] }),
    registry: z
      .object({
        /**
         * Blogs registered by strangers (not the operator's CLI, not the admin token): shown at
         * once (open), polled but shown only once a moderator approves them (moderate), or
         * refused (closed). null: open when Palaver listens on loopback only, else moderate.
         */
        moderation: z.enum(['open', 'moderate', 'closed']).nullable(),
        /** A pending blog's entry that answers a shown entry shows at once (it joined a debate). */
        showPendingWhenJoined: z.boolean(),
        /** Registrations one client (an IPv4 address, an IPv6 /64) may try per hour. */
        perClientPerHour: positiveInt,
        /** Registrations of blogs on one host per hour. */
        perHostPerHour: positiveInt,
        /** Blogs one OPML import may name; a longer list is refused (split it). */
        maxImportEntries: positiveInt,
        /** Discovery requests of an import to one host start at least this far apart. */
        importHostIntervalMs: z.number().int().min(0).max(60_000),
        /**
         * Follow a site nobody registered by itself once autoFollowMinLinks followed blogs link to
         * it or it sent a verified ping (never a blocked host; only when discovery finds a feed).
         */
        autoFollow: z.boolean().default(false),
        autoFollowMinLinks: positiveInt.max(1000).default(2),
        /** Automatic follows (and failed attempts) per 24 hours. */
        autoFollowPerDay: z.number().int().min(0).max(1000).default(10),
      })
      .strict()
      .default({
        moderation: null,
        showPendingWhenJoined: false,
        perClientPerHour: 10,
        perHostPerHour: 5,
        maxImportEntries: 200,
        importHostIntervalMs: 250,
        autoFollow: false,
        autoFollowMinLinks: 2,
        autoFollowPerDay: 10,
      }),
    /** Bearer token for moderation (approve, block); null turns the moderation API off. */
    adminToken: z.string().min(16).nullable(),
    fetcher: z
      .object({
        allowPrivateNetworks: z.boolean(),
        allowedOrigins: z.array(httpUrl),
        timeoutMs: positiveInt,
        connectTimeoutMs: positiveInt,
        headersTimeoutMs: positiveInt,
        maxBodyBytes: positiveInt,
        maxRedirects: z.number().int().min(0).max(20),
        perHostConcurrency: positiveInt.max(64),
      })
      .strict(),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
type ParsedConfig = z.output<typeof configSchema>;

export interface Config extends Omit<ParsedConfig, 'publicUrl' | 'registry'> {
  /** Always set: the configured base URL, or http://localhost:<port>. */
  publicUrl: string;
  /** With the moderation decided: a null in the file becomes open (only this machine reaches Palaver) or moderate. */
  registry: Omit<ParsedConfig['registry'], 'moderation'> & { moderation: 'open' | 'moderate' | 'closed' };
  /** Whether publicUrl was set explicitly (WebSub subscriptions need a reachable URL). */
  publicUrlExplicit: boolean;
  userAgent: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

// Environment names and where they land; values are coerced from strings before validation.
const envOverrides: { name: string; key: string[]; type: 'number' | 'boolean' | 'string' | 'nullable-string' }[] = [
  { name: 'PORT', key: ['port'], type: 'number' },
  { name: 'HOST', key: ['host'], type: 'string' },
  { name: 'DATABASE_PATH', key: ['databasePath'], type: 'string' },
  { name: 'DATABASE_URL', key: ['databaseUrl'], type: 'nullable-string' },
  { name: 'DATABASE_POOL_SIZE', key: ['database', 'poolSize'], type: 'number' },
  { name: 'PUBLIC_URL', key: ['publicUrl'], type: 'nullable-string' },
  { name: 'POLL_INTERVAL_SECONDS', key: ['pollIntervalSeconds'], type: 'number' },
  { name: 'FETCHER_ALLOW_PRIVATE_NETWORKS', key: ['fetcher', 'allowPrivateNetworks'], type: 'boolean' },
  { name: 'LOG_LEVEL', key: ['logLevel'], type: 'string' },
  { name: 'LOG_FORMAT', key: ['logFormat'], type: 'string' },
  { name: 'PALAVER_ADMIN_TOKEN', key: ['adminToken'], type: 'nullable-string' },
];

function coerceEnv(name: string, raw: string, type: (typeof envOverrides)[number]['type']): unknown {
  switch (type) {
    case 'number': {
      if (!/^\s*-?\d+(\.\d+)?\s*$/.test(raw)) throw new ConfigError(`config: ${name}=${JSON.stringify(raw)} is not a number`);
      return Number(raw);
    }
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return true;
      if (['false', '0', 'no', 'off', ''].includes(v)) return false;
      throw new ConfigError(`config: ${name}=${JSON.stringify(raw)} is not true or false`);
    }
    case 'nullable-string':
      return raw.trim() === '' ? null : raw.trim();
    default:
      return raw;
  }
}

function setPath(target: Record<string, unknown>, key: string[], value: unknown): void {
  let node = target;
  for (const part of key.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[key[key.length - 1]!] = value;
}

function readJsonFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`config: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigError(`config: ${file} must hold a JSON object`);
    }
    return value as Record<string, unknown>;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`config: ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      typeof v === 'object' && v !== null && !Array.isArray(v) && typeof b === 'object' && b !== null && !Array.isArray(b)
        ? deepMerge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

export interface LoadConfigOptions {
  env?: Env;
  /** The operator's file, merged over config/default.json; defaults to PALAVER_CONFIG, else none. */
  file?: string;
  /** Applied after the file and before the environment (tests, the demo). */
  overrides?: Record<string, unknown>;
}

export const defaultConfigFile = path.join(projectRoot, 'config', 'default.json');

/**
 * Loads and validates the settings: config/default.json, the operator's file merged over it
 * deeply (it names only what it changes; an array or a value replaces, an object merges), then
 * the environment. Throws ConfigError naming every bad key and the file or variable it came from.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const operatorFile = options.file ?? (env.PALAVER_CONFIG?.trim() || null);
  let raw = readJsonFile(defaultConfigFile);
  const overlay = operatorFile ? { file: operatorFile, values: readJsonFile(operatorFile) } : undefined;
  if (overlay) raw = deepMerge(raw, overlay.values);
  if (options.overrides) raw = deepMerge(raw, options.overrides);
  const sources = new Map<string, string>();
  for (const o of envOverrides) {
    const value = env[o.name];
    if (value === undefined) continue;
    setPath(raw, o.key, coerceEnv(o.name, value, o.type));
    sources.set(o.key.join('.'), o.name);
  }
  return validateConfig(raw, { file: defaultConfigFile, overlay, sources });
}

/** Whether `values` sets `key` (or replaces an object on its way with something else). */
function setsKey(values: unknown, key: PropertyKey[]): boolean {
  if (values === undefined) return false;
  let node: unknown = values;
  for (const part of key) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return node !== values;
    if (!Object.hasOwn(node, part)) return false;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return true;
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** Tells whether a listen address reaches only this machine (localhost, 127.0.0.0/8, ::1). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || /^127(?:\.\d{1,3}){3}$/.test(h) || h === '::1' || h === '::ffff:127.0.0.1';
}

/** Validates a settings object; exported for tests that build settings in memory. */
export function validateConfig(
  raw: unknown,
  context: { file?: string; overlay?: { file: string; values: unknown }; sources?: Map<string, string> } = {},
): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    // Where a key's value came from: an environment variable, the operator's file, the defaults.
    // A rule across keys (leaseSeconds ≤ maxLeaseSeconds) breaks where their object was changed.
    const origin = (key: PropertyKey[], acrossKeys = false): string => {
      const from = context.sources?.get(key.join('.'));
      if (from) return ` (from ${from})`;
      const values = context.overlay?.values;
      const inOverlay = setsKey(values, key) || (acrossKeys && key.length > 1 && setsKey(values, key.slice(0, -1)));
      const file = context.overlay && inOverlay ? context.overlay.file : context.file;
      return file ? ` (in ${displayPath(file)})` : '';
    };
    const lines = result.error.issues.flatMap((issue) => {
      const key = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((k) => `config: unknown key ${key ? `${key}.` : ''}${k}${origin([...issue.path, k])}`);
      }
      return [`config: ${key || '(root)'}: ${issue.message}${origin(issue.path, issue.code === 'custom')}`];
    });
    throw new ConfigError(lines.join('\n'));
  }
  const parsed = result.data;
  const publicUrl = parsed.publicUrl ?? `http://localhost:${parsed.port}`;
  // Open to registrations by default only where nobody else can reach Palaver: listening on
  // loopback is not enough behind a reverse proxy, which a public PUBLIC_URL or a trusted proxy gives away.
  const onlyThisMachine = isLoopbackHost(parsed.host) && isLoopbackHost(new URL(publicUrl).hostname) && parsed.server.trustedProxies.length === 0;
  return {
    ...parsed,
    registry: { ...parsed.registry, moderation: parsed.registry.moderation ?? (onlyThisMachine ? 'open' : 'moderate') },
    publicUrl,
    publicUrlExplicit: parsed.publicUrl !== null,
    userAgent: `Palaver/0.1 (+${publicUrl}; follows blog debates)`,
  };
}
