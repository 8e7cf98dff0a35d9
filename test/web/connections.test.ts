// The caps on open connections: one client at its cap is refused further connections while
// others are served, unless one of its connections is only kept alive between requests (then
// that one yields); the total cap refuses everyone; refusals are reported once, gathered.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectionsWithin, limitConnections, limitsWithin, logRefusedConnections, readOpenFileLimit, type RefusedConnections } from '../../src/web/connections.ts';
import { testConfig, createTestApp } from '../support/app.ts';

const servers: http.Server[] = [];
const sockets: net.Socket[] = [];
const holding: http.ServerResponse[] = [];
afterEach(async () => {
  for (const r of holding.splice(0)) r.end();
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(limits: { maxConnections: number; maxConnectionsPerClient: number; trustedProxies?: string[] }, reportEveryMs = 60_000) {
  const reports: RefusedConnections[] = [];
  // `/hold` answers its first bytes and holds the rest: the connection stays busy.
  const server = http.createServer((req, res) => {
    if (req.url !== '/hold') return res.end('ok');
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first bytes');
    holding.push(res);
  });
  limitConnections(server, { trustedProxies: [], ...limits }, (r) => reports.push(r), reportEveryMs);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { port: (server.address() as net.AddressInfo).port, reports, server };
}

/**
 * Opens a connection from `from` and asks for `path` on it; resolves once the answer begins
 * (accepted: at `/`, kept alive after it, idle; at `/hold`, busy) or the connection closes
 * unanswered (refused).
 */
function open(port: number, from: string, path = '/hold'): Promise<{ socket: net.Socket; refused: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: from });
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`));
    socket.once('data', () => resolve({ socket, refused: false }));
    socket.on('close', () => resolve({ socket, refused: true }));
  });
}

const closed = (socket: net.Socket) => new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));

/** Opens a connection from `from` that sends half a request; resolves once connected (the service accepts in order). */
async function openHalf(port: number, from: string): Promise<net.Socket> {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress: from });
  sockets.push(socket);
  socket.on('error', () => undefined);
  await new Promise((r) => socket.once('connect', r));
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
  return socket;
}

function get(port: number, from: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, localAddress: from, path: '/', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

describe('connection caps', () => {
  it('refuses a client past its cap while other clients are served, and frees its slots as it closes', async () => {
    const { port, reports } = await serve({ maxConnections: 100, maxConnectionsPerClient: 5 });
    const held = [];
    for (let i = 0; i < 5; i++) held.push(await open(port, '127.0.0.2'));
    expect(held.map((h) => h.refused)).toEqual([false, false, false, false, false]);
    expect((await open(port, '127.0.0.2')).refused).toBe(true);
    expect((await open(port, '127.0.0.2')).refused).toBe(true);
    expect(await get(port, '127.0.0.3')).toBe(200);
    // The first refusal is reported at once; the second waits for the next report.
    expect(reports).toEqual([{ overTotal: 0, overPerClient: 1, busiestClient: '127.0.0.2' }]);
    held[0]!.socket.destroy();
    // The slot is free once the server has seen the close.
    let again = await open(port, '127.0.0.2');
    for (let tries = 0; again.refused && tries < 20; tries++) {
      await new Promise((r) => setTimeout(r, 100));
      again = await open(port, '127.0.0.2');
    }
    expect(again.refused).toBe(false);
  });

  it('sets up HTTP only for the connections it lets in: what listened before it never hears of a refused one', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    const heard: (string | undefined)[] = [];
    // Listening before the caps, as HTTP's own handling of a connection does.
    server.on('connection', (socket: net.Socket) => heard.push(socket.remotePort?.toString()));
    limitConnections(server, { maxConnections: 100, maxConnectionsPerClient: 1, trustedProxies: [] }, () => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    const port = (server.address() as net.AddressInfo).port;
    const first = await openHalf(port, '127.0.0.2');
    expect((await open(port, '127.0.0.2')).refused).toBe(true);
    expect(heard).toEqual([first.localPort?.toString()]);
    // Those let in are served as before.
    expect(await get(port, '127.0.0.3')).toBe(200);
    expect(heard).toHaveLength(2);
  });

  it('lets a connection kept alive between requests give its place to a new one, the one idle longest first', async () => {
    const { port, reports } = await serve({ maxConnections: 100, maxConnectionsPerClient: 3 });
    const idle = [];
    for (let i = 0; i < 3; i++) idle.push(await open(port, '127.0.0.2', '/'));
    expect(idle.map((c) => c.refused)).toEqual([false, false, false]);
    // A browser behind the same address opens another: the oldest idle connection is closed for it.
    expect((await open(port, '127.0.0.2')).refused).toBe(false);
    await closed(idle[0]!.socket);
    expect([idle[1]!.socket.closed, idle[2]!.socket.closed]).toEqual([false, false]);
    expect((await open(port, '127.0.0.2')).refused).toBe(false);
    expect((await open(port, '127.0.0.2')).refused).toBe(false);
    await Promise.all([closed(idle[1]!.socket), closed(idle[2]!.socket)]);
    // Three busy connections: nothing to spare.
    expect((await open(port, '127.0.0.2')).refused).toBe(true);
    expect(reports).toEqual([{ overTotal: 0, overPerClient: 1, busiestClient: '127.0.0.2' }]);
  });

  it('at the total cap, closes the connection idle longest, whoever holds it, for a new one', async () => {
    const { port, reports } = await serve({ maxConnections: 4, maxConnectionsPerClient: 0 });
    const first = await open(port, '127.0.0.10', '/');
    const second = await open(port, '127.0.0.11', '/');
    for (const from of ['127.0.0.12', '127.0.0.13']) expect((await open(port, from)).refused).toBe(false);
    expect((await open(port, '127.0.0.14')).refused).toBe(false);
    await closed(first.socket);
    expect(second.socket.closed).toBe(false);
    expect((await open(port, '127.0.0.15')).refused).toBe(false);
    await closed(second.socket);
    expect((await open(port, '127.0.0.16')).refused).toBe(true);
    expect(reports).toEqual([{ overTotal: 1, overPerClient: 0, busiestClient: null }]);
  });

  it('counts a trusted proxy under the total cap only', async () => {
    const { port } = await serve({ maxConnections: 8, maxConnectionsPerClient: 2, trustedProxies: ['127.0.0.4/32'] });
    for (let i = 0; i < 6; i++) expect((await open(port, '127.0.0.4')).refused).toBe(false);
    expect((await open(port, '127.0.0.5')).refused).toBe(false);
    expect((await open(port, '127.0.0.5')).refused).toBe(false);
    expect((await open(port, '127.0.0.5')).refused).toBe(true);
    expect((await open(port, '127.0.0.4')).refused).toBe(true);
  });

  it('refuses everyone past the total cap', async () => {
    const { port, reports } = await serve({ maxConnections: 6, maxConnectionsPerClient: 0 });
    for (let i = 0; i < 6; i++) expect((await open(port, `127.0.0.${10 + i}`)).refused).toBe(false);
    expect((await open(port, '127.0.0.20')).refused).toBe(true);
    await expect(get(port, '127.0.0.21')).rejects.toThrow();
    expect(reports[0]).toEqual({ overTotal: 1, overPerClient: 0, busiestClient: null });
  });

  it('gathers the refusals after the first into one report per period', async () => {
    const { port, reports } = await serve({ maxConnections: 100, maxConnectionsPerClient: 1 }, 2000);
    await open(port, '127.0.0.2');
    await open(port, '127.0.0.3');
    for (let i = 0; i < 3; i++) await open(port, '127.0.0.2');
    await open(port, '127.0.0.3');
    expect(reports).toHaveLength(1);
    for (let waited = 0; reports.length < 2 && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(reports).toEqual([
      { overTotal: 0, overPerClient: 1, busiestClient: '127.0.0.2' },
      { overTotal: 0, overPerClient: 3, busiestClient: '127.0.0.2' },
    ]);
  });

  it('are logged as one warning naming the busiest client', () => {
    const lines: string[] = [];
    const log = { warn: (_obj: unknown, msg: string) => lines.push(msg) } as unknown as Parameters<typeof logRefusedConnections>[0];
    logRefusedConnections(log)({ overTotal: 0, overPerClient: 1, busiestClient: '127.0.0.2' });
    logRefusedConnections(log)({ overTotal: 3, overPerClient: 40, busiestClient: '2001:db8:0:0::/64' });
    expect(lines).toEqual([
      'refused 1 connection: 1 over the per-client limit (most from 127.0.0.2)',
      'refused 43 connections: 40 over the per-client limit (most from 2001:db8:0:0::/64), 3 over the total limit',
    ]);
  });

  it('are part of the service: settings reach its server, and a per-client cap above the total is refused', async () => {
    expect(() => testConfig({ server: { requestTimeoutMs: 30_000, headersTimeoutMs: 20_000, maxConnections: 100, maxConnectionsPerClient: 200 } })).toThrow(/maxConnectionsPerClient/);
    const service = await createTestApp({ server: { requestTimeoutMs: 30_000, headersTimeoutMs: 20_000, maxConnections: 50, maxConnectionsPerClient: 2 } });
    try {
      await service.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (service.app.server.address() as net.AddressInfo).port;
      await openHalf(port, '127.0.0.2');
      await openHalf(port, '127.0.0.2');
      await closed(await openHalf(port, '127.0.0.2'));
      expect(await get(port, '127.0.0.3')).toBe(200);
    } finally {
      // Half-sent requests would hold the server's close until their timeout.
      for (const s of sockets.splice(0)) s.destroy();
      await service.close();
    }
  });

  it('leave a quarter of the open files the process may use (at least 64) to the poller and the database', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-limits-'));
    const file = (text: string) => {
      const f = path.join(dir, String(Math.random()));
      fs.writeFileSync(f, text);
      return f;
    };
    const head = 'Limit                     Soft Limit           Hard Limit           Units     \n';
    expect(readOpenFileLimit(file(`${head}Max open files            1024                 524288               files     \n`))).toBe(1024);
    expect(readOpenFileLimit(file(`${head}Max open files            unlimited            unlimited            files     \n`))).toBeNull();
    expect(readOpenFileLimit(path.join(dir, 'missing'))).toBeNull();
    fs.rmSync(dir, { recursive: true, force: true });
    expect(connectionsWithin(2048, 1024)).toBe(768);
    expect(connectionsWithin(2048, 256)).toBe(192);
    expect(connectionsWithin(2048, 20_000)).toBeNull();
    expect(connectionsWithin(2048, null)).toBeNull();
  });

  it('lower the per-client cap with the total, in the same proportion, so a few addresses cannot fill the smaller total', () => {
    const configured = { maxConnections: 2048, maxConnectionsPerClient: 256, trustedProxies: [] };
    expect(limitsWithin(configured, 1024)).toEqual({ maxConnections: 768, maxConnectionsPerClient: 96, trustedProxies: [], lowered: true });
    expect(limitsWithin(configured, 256)).toEqual({ maxConnections: 192, maxConnectionsPerClient: 24, trustedProxies: [], lowered: true });
    expect(limitsWithin(configured, 20_000)).toEqual({ ...configured, lowered: false });
    // No per-client cap stays none; a per-client cap above the total is never raised; at least one each.
    expect(limitsWithin({ ...configured, maxConnectionsPerClient: 0 }, 1024).maxConnectionsPerClient).toBe(0);
    expect(limitsWithin({ ...configured, maxConnections: 4096, maxConnectionsPerClient: 4096 }, 1024).maxConnectionsPerClient).toBe(768);
    expect(limitsWithin({ ...configured, maxConnectionsPerClient: 1 }, 100).maxConnectionsPerClient).toBe(1);
  });
});
