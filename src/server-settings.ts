// Settings of the HTTP server that bound what one client can hold: how long a request may take
// to arrive, how many connections may be open, and which reverse proxies may name the reader.
import proxyAddr from '@fastify/proxy-addr';
import { z } from 'zod';

/** A whole number of at least 1, as every count and duration in the settings is. */
export const positiveInt = z.number().int().min(1);

function validProxyAddresses(addresses: string[], ctx: z.RefinementCtx): void {
  try {
    proxyAddr.compile(addresses);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `${(err as Error).message} (an IP address, a CIDR range such as 10.0.0.0/8, loopback, linklocal or uniquelocal)` });
  }
}

/** The `server` key of the settings. */
export const serverSettings = z
  .object({
    /** The whole request (headers and body) must arrive within this; a trickling client is cut off (408). */
    requestTimeoutMs: positiveInt.min(1000),
    /** The request headers must arrive within this. */
    headersTimeoutMs: positiveInt.min(1000),
    /** Connections open at once; more are closed as they arrive, keeping file descriptors for the poller and the database. */
    maxConnections: positiveInt.min(16).default(2048),
    /** Connections one client (an IPv4 address, an IPv6 /64) may hold open at once; 0 for no per-client cap. */
    maxConnectionsPerClient: z.number().int().min(0).default(256),
    /**
     * Addresses of reverse proxies in front of Palaver (IPs, CIDR ranges, or `loopback`,
     * `linklocal`, `uniquelocal`): a request through one is counted under the client address
     * the proxy names in X-Forwarded-For, and the proxy's own connections under no per-client cap.
     */
    trustedProxies: z.array(z.string()).max(100).superRefine(validProxyAddresses).default([]),
  })
  .strict()
  .refine((v) => v.headersTimeoutMs <= v.requestTimeoutMs, { message: 'headersTimeoutMs must not exceed requestTimeoutMs', path: ['headersTimeoutMs'] })
  .refine((v) => v.maxConnectionsPerClient <= v.maxConnections, { message: 'maxConnectionsPerClient must not exceed maxConnections', path: ['maxConnectionsPerClient'] })
  .default({ requestTimeoutMs: 30_000, headersTimeoutMs: 20_000, maxConnections: 2048, maxConnectionsPerClient: 256, trustedProxies: [] });
