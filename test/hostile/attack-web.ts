// A loopback web (port 0) for the attack cases of the hostile suite: each case puts the pages it
// needs (a feed that forms a reply circle, a huge ping source, a squatting feed) at paths of its
// own. It only serves and counts requests; what Palaver makes of them is asserted by the cases.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface AttackWeb {
  /** http://127.0.0.1:port */
  origin: string;
  /** Serves `path` (exact, without the query) with a handler or a fixed answer. */
  route(path: string, answer: Route | { type: string; body: string | Buffer; status?: number; headers?: Record<string, string> }): void;
  /** Requests seen, by path, with the time they arrived. */
  hits: { path: string; at: number }[];
  close(): Promise<void>;
}

/** Starts the attack web on 127.0.0.1. */
export async function startAttackWeb(): Promise<AttackWeb> {
  const routes = new Map<string, Route>();
  const hits: AttackWeb['hits'] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.push({ path, at: Date.now() });
    req.resume();
    const route = routes.get(path);
    if (route) return route(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    hits,
    route(path, answer) {
      routes.set(
        path,
        typeof answer === 'function'
          ? answer
          : (_req, res) => {
              res.writeHead(answer.status ?? 200, { 'content-type': answer.type, ...answer.headers });
              res.end(answer.body);
            },
      );
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An RSS 2.0 feed of the given items (bodies are HTML, wrapped in CDATA). */
export function rssFeed(channel: { title: string; link: string }, items: { title: string; link: string; guid: string; date: Date; html: string }[]): string {
  const body = items
    .map(
      (i) =>
        `<item><title>${i.title}</title><link>${i.link}</link><guid isPermaLink="false">${i.guid}</guid><pubDate>${i.date.toUTCString()}</pubDate><description><![CDATA[${i.html}]]></description></item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${channel.title}</title><link>${channel.link}</link><description>attack web</description>
${body}
</channel></rss>`;
}

/** A home page that announces its feed. */
export function homePage(title: string, feedUrl: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title><link rel="alternate" type="application/rss+xml" href="${feedUrl}"></head><body><h1>${title}</h1></body></html>`;
}
