// A tiny HTTP server for fixture blogs on loopback: the demo's blogs and the tests' feeds.
// It only maps paths to answers and counts hits; what a "blog" serves is up to the caller.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StaticAnswer {
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

export type RouteHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: Buffer,
) => void | Promise<void>;

export type Route = StaticAnswer | RouteHandler;

export interface FixtureServer {
  /** http://host:port, without a trailing slash */
  origin: string;
  port: number;
  host: string;
  /** Replaces or adds the answer for a path (path includes the query string when routed so). */
  set(path: string, route: Route): void;
  remove(path: string): void;
  /** Requests seen, in order, with method, path and headers. */
  hits: { method: string; path: string; headers: http.IncomingHttpHeaders }[];
  hitCount(path: string): number;
  close(): Promise<void>;
}

/** Starts a server on host:port (port 0 picks a free one) answering from the given routes. */
export async function startFixtureServer(
  routes: Record<string, Route> = {},
  options: { host?: string; port?: number } = {},
): Promise<FixtureServer> {
  const table = new Map<string, Route>(Object.entries(routes));
  const hits: FixtureServer['hits'] = [];
  const sockets = new Set<import('node:net').Socket>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      hits.push({ method: req.method ?? 'GET', path, headers: req.headers });
      // Exact match first (path with query), then the path alone.
      const route = table.get(path) ?? table.get(path.split('?')[0] ?? path);
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!doctype html><title>Not found</title><h1>Not found</h1>');
        return;
      }
      if (typeof route === 'function') {
        Promise.resolve(route(req, res, Buffer.concat(chunks))).catch((err: unknown) => {
          if (!res.headersSent) res.writeHead(500);
          res.end(String(err));
        });
        return;
      }
      res.writeHead(route.status ?? 200, route.headers ?? {});
      res.end(route.body ?? '');
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    origin,
    port,
    host,
    set: (path, route) => void table.set(path, route),
    remove: (path) => void table.delete(path),
    hits,
    hitCount: (path) => hits.filter((h) => h.path === path).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
