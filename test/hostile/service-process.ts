// The whole service (npm start's src/main.ts) in a child process on a free loopback port, for the
// hostile cases that kill -9 it, restart it, or run the CLI beside it. Settings come from a
// config file written next to its database.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import defaults from '../../config/default.json' with { type: 'json' };

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

export interface ServiceProcess {
  origin: string;
  child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Kills it with SIGKILL and waits until it is gone. */
  kill9(): Promise<void>;
  /** Stops it with SIGTERM and waits until it is gone. */
  stop(): Promise<void>;
}

/** Finds a free port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Deep-merges `over` into a copy of `base` (objects only; arrays and values replace). */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? merge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** Writes a complete settings file: the defaults with `overrides` merged in. */
export function writeConfig(file: string, overrides: Record<string, unknown>): string {
  fs.writeFileSync(file, JSON.stringify(merge(defaults as Record<string, unknown>, overrides), null, 2));
  return file;
}

/** Starts src/main.ts on `port` with the database and config given, and waits until /health answers. */
export async function startServiceProcess(options: {
  port: number;
  databasePath: string;
  configPath: string;
  env?: Record<string, string>;
  /** The process's limit on open files (`ulimit -n`, soft and hard, so Node cannot raise it). */
  fdLimit?: number;
}): Promise<ServiceProcess> {
  const origin = `http://127.0.0.1:${options.port}`;
  const command = [process.execPath, '--import', 'tsx', path.join(root, 'src/main.ts')];
  const [file, args] = options.fdLimit ? ['/bin/sh', ['-c', `ulimit -n ${options.fdLimit} && exec "$@"`, 'sh', ...command]] : [command[0]!, command.slice(1)];
  const child = spawn(file, args, {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(options.port),
      HOST: '127.0.0.1',
      DATABASE_PATH: options.databasePath,
      PALAVER_CONFIG: options.configPath,
      PUBLIC_URL: origin,
      LOG_LEVEL: 'silent',
      FETCHER_ALLOW_PRIVATE_NETWORKS: 'true',
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (gone) throw new Error(`the service exited while starting: ${stderr}`);
    try {
      const res = await fetch(`${origin}/health`);
      if (res.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`the service did not answer /health within a minute: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    origin,
    child,
    stderr: () => stderr,
    async kill9() {
      if (!gone) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!gone) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Asks /health every `everyMs` until `until` resolves; returns the slowest answer in ms (Infinity for a failure). */
export async function sampleHealth(origin: string, until: Promise<unknown>, everyMs = 200): Promise<{ slowestMs: number; samples: number }> {
  let done = false;
  void until.finally(() => (done = true));
  let slowest = 0;
  let samples = 0;
  while (!done) {
    const started = performance.now();
    try {
      const res = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      slowest = Math.max(slowest, res.status === 200 ? performance.now() - started : Infinity);
    } catch {
      slowest = Infinity;
    }
    samples += 1;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return { slowestMs: slowest, samples };
}
