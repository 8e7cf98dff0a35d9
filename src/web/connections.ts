// Caps on the server's open connections, in all and per client (an IPv4 address, an IPv6 /64).
// Without them a flood of idle or trickling connections takes every file descriptor the process
// may open (each holds one for up to server.headersTimeoutMs), and the poller's fetches and the
// database need descriptors too: readers are locked out and every feed polled meanwhile fails.
// The per-client cap keeps one address from taking the whole allowance from everyone else; a
// trusted proxy's connections carry many readers and are under the total cap only. At either cap
// a connection kept alive between requests yields its place to a new one.
import fs from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import proxyAddr from '@fastify/proxy-addr';
import type { FastifyBaseLogger } from 'fastify';
import { clientKey } from './client-key.ts';

export interface ConnectionLimits {
  /** Connections open at once; beyond it new ones are closed as they arrive. */
  maxConnections: number;
  /** Connections one client may hold open at once; 0 for no per-client cap. */
  maxConnectionsPerClient: number;
  /** Reverse proxies (server.trustedProxies), whose connections no per-client cap counts. */
  trustedProxies: string[];
}

/** What was refused since the last report. */
export interface RefusedConnections {
  overTotal: number;
  overPerClient: number;
  /** The client refused most often over its own cap, if any. */
  busiestClient: string | null;
}

const maxNamedClients = 1000;

/** The process's limit on open files (the soft limit Node runs under), where the system tells it (Linux); null elsewhere. */
export function readOpenFileLimit(limitsFile = '/proc/self/limits'): number | null {
  let text: string;
  try {
    text = fs.readFileSync(limitsFile, 'utf8');
  } catch {
    return null;
  }
  const soft = /^Max open files\s+(\d+|unlimited)/m.exec(text)?.[1];
  return soft === undefined || soft === 'unlimited' ? null : Number(soft);
}

/**
 * The total cap that leaves open files for the poller's fetches and the database: a quarter of
 * the process's limit (at least 64) is kept from connections. Null when the configured cap fits.
 */
export function connectionsWithin(maxConnections: number, openFileLimit: number | null): number | null {
  if (openFileLimit === null) return null;
  const allowed = Math.max(1, openFileLimit - Math.max(64, Math.floor(openFileLimit / 4)));
  return maxConnections > allowed ? allowed : null;
}

/**
 * The caps to apply under the process's open-file limit: a total lowered to fit (connectionsWithin)
 * lowers the per-client cap in the same proportion, or a few addresses would fill the smaller
 * total as one could not fill the configured one. `lowered` says whether anything changed.
 */
export function limitsWithin<L extends ConnectionLimits>(limits: L, openFileLimit: number | null): L & { lowered: boolean } {
  const total = connectionsWithin(limits.maxConnections, openFileLimit);
  if (total === null) return { ...limits, lowered: false };
  const perClient = limits.maxConnectionsPerClient === 0 ? 0 : Math.max(1, Math.floor((limits.maxConnectionsPerClient * total) / limits.maxConnections));
  return { ...limits, maxConnections: total, maxConnectionsPerClient: Math.min(limits.maxConnectionsPerClient, perClient), lowered: true };
}

/**
 * Applies the caps to a server; refusals are reported to `report` at most once per `reportEveryMs`.
 * What listened to the server's connections before (HTTP itself) hears only of those let in.
 */
export function limitConnections(
  server: Server,
  limits: ConnectionLimits,
  report: (refused: RefusedConnections) => void,
  reportEveryMs = 60_000,
): void {
  let overTotal = 0;
  const overPerClient = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;

  const flush = () => {
    timer = null;
    let busiestClient: string | null = null;
    let most = 0;
    let perClient = 0;
    for (const [client, n] of overPerClient) {
      perClient += n;
      if (n > most) [busiestClient, most] = [client, n];
    }
    const refused = { overTotal, overPerClient: perClient, busiestClient };
    overTotal = 0;
    overPerClient.clear();
    report(refused);
  };
  // The first refusal is reported at once, later ones gathered: a flood writes one line a minute.
  const refusedOne = () => {
    if (timer) return;
    flush();
    timer = setTimeout(() => {
      if (overTotal > 0 || overPerClient.size > 0) flush();
      timer = null;
    }, reportEveryMs);
    timer.unref();
  };

  const perClientCap = limits.maxConnectionsPerClient;
  const isProxy = limits.trustedProxies.length > 0 ? proxyAddr.compile(limits.trustedProxies) : () => false;
  // Every connection counted, with its client (null: a trusted proxy's, or no per-client cap);
  // those kept alive between requests, in all and per client, the one idle longest first.
  const counted = new WeakMap<Socket, { client: string | null }>();
  let total = 0;
  const idle = new Set<Socket>();
  const held = new Map<string, { count: number; idle: Set<Socket> }>();
  const release = (socket: Socket) => {
    const entry = counted.get(socket);
    if (!entry) return;
    counted.delete(socket);
    total -= 1;
    idle.delete(socket);
    if (entry.client === null) return;
    const h = held.get(entry.client);
    if (!h) return;
    h.count -= 1;
    h.idle.delete(socket);
    if (h.count <= 0) held.delete(entry.client);
  };
  // Many readers may share one address behind a NAT (a venue's Wi-Fi), and browsers keep
  // connections alive between pages: at a cap, one idle that way gives its place to the new
  // connection. Only connections in the middle of a request (a flood's half-sent ones) refuse it.
  const makeRoom = (spares: Set<Socket> | undefined): boolean => {
    const spare = spares?.values().next().value;
    if (!spare) return false;
    release(spare);
    spare.destroy();
    return true;
  };
  // HTTP's own handling of a connection (a request parser, its timers and handlers) listens to
  // the same event and was there first. It is taken over and given only the connections the caps
  // let in: a flood's refused connections are closed before any of it is set up (about a fifth
  // of the service's CPU per refused connection, measured with 3,000 from one address).
  const serve = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    const client = perClientCap > 0 && !(address && isProxy(address, 0)) ? clientKey(address) : null;
    if (client !== null && (held.get(client)?.count ?? 0) >= perClientCap && !makeRoom(held.get(client)?.idle)) {
      // Bounded: only clients at their cap are named, at most maxNamedClients of them between reports.
      const key = overPerClient.has(client) || overPerClient.size < maxNamedClients ? client : 'others';
      overPerClient.set(key, (overPerClient.get(key) ?? 0) + 1);
      socket.destroy();
      refusedOne();
      return;
    }
    if (total >= limits.maxConnections && !makeRoom(idle)) {
      overTotal += 1;
      socket.destroy();
      refusedOne();
      return;
    }
    total += 1;
    counted.set(socket, { client });
    if (client !== null) {
      const h = held.get(client) ?? { count: 0, idle: new Set<Socket>() };
      h.count += 1;
      held.set(client, h);
    }
    socket.once('close', () => release(socket));
    for (const listener of serve) listener.call(server, socket);
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    const entry = counted.get(socket);
    if (!entry) return;
    idle.delete(socket);
    if (entry.client !== null) held.get(entry.client)?.idle.delete(socket);
    response.once('finish', () => {
      if (counted.get(socket) !== entry || socket.destroyed) return;
      idle.add(socket);
      if (entry.client !== null) held.get(entry.client)?.idle.add(socket);
    });
  });
  server.once('close', () => {
    if (timer) clearTimeout(timer);
  });
}

/** Logs refused connections as one warning line. */
export function logRefusedConnections(log: FastifyBaseLogger): (refused: RefusedConnections) => void {
  return (refused) => {
    const parts: string[] = [];
    if (refused.overPerClient > 0) parts.push(`${refused.overPerClient} over the per-client limit (most from ${refused.busiestClient})`);
    if (refused.overTotal > 0) parts.push(`${refused.overTotal} over the total limit`);
    const n = refused.overTotal + refused.overPerClient;
    log.warn({ refusedConnections: refused }, `refused ${n} connection${n === 1 ? '' : 's'}: ${parts.join(', ')}`);
  };
}
