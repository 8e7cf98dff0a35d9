// The guarded fetcher: the only way Palaver makes outbound HTTP requests. It builds each request,
// follows redirects with the address guard on every hop, and applies the limits (time, bytes,
// hosts), with the host limiter (host-limiter.ts), the body reader (body-reader.ts) and the words
// for failures (fetch-errors.ts) beside it; it knows nothing about feeds or the database.
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { Agent } from 'undici';
import { type AddressPolicy, checkFetchableUrl, createGuardedLookup, isAllowedOrigin, isPublicAddress } from './address-guard.ts';
import { drain, readBody } from './body-reader.ts';
import { describeTransportError, findFetchError, formatSeconds, rewrap } from './fetch-errors.ts';
import { createHostLimiter } from './host-limiter.ts';
import { type Fetch, FetchError, type FetchRequest, type FetchResponse, type Redirect } from './types.ts';

export interface FetcherOptions {
  /** e.g. 'Palaver/0.1 (+http://localhost:3000)' */
  userAgent: string;
  /** The whole fetch, redirects and body included, from the moment it gets a slot for its host. */
  timeoutMs: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  /** Cap after decompression, checked while streaming. */
  maxBodyBytes: number;
  maxRedirects: number;
  /** At most this many requests in flight per host:port; the rest wait their turn. */
  perHostConcurrency: number;
  allowPrivateNetworks: boolean;
  /** Exact origins (scheme://host:port) allowed even if private: the demo's own fixture blogs. */
  allowedOrigins?: string[];
  /** Resolves host names (default dns.lookup); tests pass one to play DNS without a network. */
  lookup?: LookupFunction;
  /**
   * Hands out the turns of each host:port instead of an in-process limiter of perHostConcurrency
   * (several processes sharing one limit through the database).
   */
  hostLimiter?: { acquire(key: string, signal?: AbortSignal): Promise<() => void> };
}

export interface Fetcher {
  fetch: Fetch;
  close(): Promise<void>;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

// Feed types first, HTML last: the same fetcher serves discovery on home pages.
const defaultAccept =
  'application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, application/feed+json;q=0.9, ' +
  'application/json;q=0.8, application/xml;q=0.8, text/xml;q=0.8, text/html;q=0.5, */*;q=0.1';

// The fetcher sets these itself; a caller's value would break framing, the guard or etiquette.
const reservedRequestHeaders = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'upgrade',
  'expect',
  'te',
  'trailer',
  'proxy-connection',
  'user-agent',
  'accept-encoding',
]);

// Credentials meant for one origin must not follow a redirect to another (RFC 9110 §15.4).
const originBoundRequestHeaders = new Set(['authorization', 'cookie', 'proxy-authorization']);

/** Creates a fetcher with its own connection pools; close() releases them. */
export function createFetcher(options: FetcherOptions): Fetcher {
  const policy: AddressPolicy = {
    allowPrivateNetworks: options.allowPrivateNetworks,
    allowedOrigins: options.allowedOrigins ?? [],
  };
  const resolve: LookupFunction = options.lookup ?? (dns.lookup as unknown as LookupFunction);
  const agentOptions = {
    headersTimeout: options.headersTimeoutMs,
    // The total deadline is the real limit; undici's idle timer only needs to stay out of its way.
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 4_000,
  };
  // Two pools: one refuses private addresses after DNS, the other serves allowed origins (or
  // everything when private networks are allowed). A pool never mixes the two kinds.
  const openAgent = new Agent({
    ...agentOptions,
    connect: { timeout: options.connectTimeoutMs, lookup: resolve },
  });
  const guardedAgent = options.allowPrivateNetworks
    ? openAgent
    : new Agent({
        ...agentOptions,
        connect: {
          timeout: options.connectTimeoutMs,
          lookup: createGuardedLookup(resolve, (ip) => isPublicAddress(ip)),
        },
      });
  const agentFor = (url: URL): Agent =>
    options.allowPrivateNetworks || isAllowedOrigin(url, policy.allowedOrigins) ? openAgent : guardedAgent;
  const limiter = options.hostLimiter ?? createHostLimiter(options.perHostConcurrency);

  const fetchOne = async (request: FetchRequest): Promise<FetchResponse> => {
    const ctx = new FetchContext(request, options);
    try {
      return await followRedirects(request, ctx);
    } finally {
      ctx.dispose();
    }
  };

  async function followRedirects(request: FetchRequest, ctx: FetchContext): Promise<FetchResponse> {
    let url = checkFetchableUrl(request.url, policy);
    ctx.throwIfAborted(url);
    let method = request.method ?? 'GET';
    let body = request.body;
    let contentType = request.contentType;
    let headers = buildRequestHeaders(request, options.userAgent);
    const redirects: Redirect[] = [];
    const seen = new Set([url.href]);

    for (;;) {
      const hop = await performHop(url, method, body, contentType, headers, request.maxBytes ?? options.maxBodyBytes, ctx);
      if (hop.kind === 'answer') {
        return {
          requestedUrl: request.url,
          url: url.href,
          status: hop.status,
          headers: hop.headers,
          body: hop.body,
          redirects,
          notModified: hop.status === 304,
        };
      }
      if (redirects.length >= options.maxRedirects) {
        throw new FetchError(
          'too-many-redirects',
          url.href,
          `gave up after ${options.maxRedirects} redirects (the last one pointed to ${hop.location})`,
        );
      }
      const next = checkRedirectTarget(url, hop.location);
      redirects.push({ from: url.href, to: next.href, status: hop.status });
      if (seen.has(next.href)) {
        throw new FetchError('too-many-redirects', url.href, `the address redirects in a loop (back to ${next.href})`);
      }
      seen.add(next.href);
      // RFC 9110 §15.4.4: 303 means "GET the other one"; browsers do the same for 301/302 after POST.
      if (hop.status === 303 ? method !== 'HEAD' : (hop.status === 301 || hop.status === 302) && method === 'POST') {
        method = 'GET';
        body = undefined;
        contentType = undefined;
      }
      if (next.origin !== url.origin) headers = dropOriginBoundHeaders(headers);
      url = next;
    }
  }

  function checkRedirectTarget(from: URL, location: string): URL {
    let target: URL;
    try {
      target = new URL(location, from);
    } catch (err) {
      throw new FetchError('redirect-invalid', from.href, `redirects to "${location}", which is not a valid address`, {
        cause: err,
      });
    }
    try {
      return checkFetchableUrl(target, policy);
    } catch (err) {
      if (!(err instanceof FetchError)) throw err;
      throw new FetchError(err.code, from.href, `redirects to ${target.href}, but ${err.message}`, { cause: err });
    }
  }

  async function performHop(
    url: URL,
    method: NonNullable<FetchRequest['method']>,
    body: FetchRequest['body'],
    contentType: string | undefined,
    baseHeaders: Record<string, string>,
    maxBytes: number,
    ctx: FetchContext,
  ): Promise<HopResult> {
    ctx.phase = 'waiting';
    const release = await limiter.acquire(hostKey(url), ctx.signal).catch((err: unknown) => {
      throw ctx.translate(err, url);
    });
    ctx.armDeadline();
    let responseBody: Readable | null = null;
    try {
      ctx.phase = 'headers';
      const headers = { ...baseHeaders };
      if (body !== undefined && contentType) headers['content-type'] = contentType;
      const res = await agentFor(url).request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        headers,
        body: body ?? null,
        signal: ctx.signal,
      });
      responseBody = res.body;
      // Errors reach us through reading; without a listener, one on a body we stop reading
      // (too large, bad encoding) would be an uncaught exception and take the process down.
      res.body.on('error', ignoreError);
      ctx.phase = 'body';
      const answerHeaders = flattenHeaders(res.headers);
      // A repeated Location would be joined with ", " in answerHeaders; only the first counts.
      const rawLocation = res.headers['location'];
      const location = Array.isArray(rawLocation) ? rawLocation[0] : rawLocation;
      if (redirectStatuses.has(res.statusCode) && location) {
        await drain(res.body);
        return { kind: 'redirect', status: res.statusCode, location };
      }
      if (res.statusCode === 304 || res.statusCode === 204 || method === 'HEAD') {
        await drain(res.body);
        return { kind: 'answer', status: res.statusCode, headers: answerHeaders, body: Buffer.alloc(0) };
      }
      const bytes = await readBody(res.body, answerHeaders, maxBytes, url);
      return { kind: 'answer', status: res.statusCode, headers: answerHeaders, body: bytes };
    } catch (err) {
      throw ctx.translate(err, url);
    } finally {
      // A half-read body holds a socket; destroying it frees the connection for the next fetch.
      if (responseBody && !responseBody.destroyed) responseBody.destroy();
      release();
    }
  }

  return {
    fetch: fetchOne,
    close: async () => {
      await Promise.all([openAgent.close(), guardedAgent === openAgent ? undefined : guardedAgent.close()]);
    },
  };
}

type HopResult =
  | { kind: 'redirect'; status: number; location: string }
  | { kind: 'answer'; status: number; headers: Record<string, string>; body: Buffer };

// One fetch call: its abort signal (caller's signal plus the total deadline), and which phase it
// is in so that a timeout can say what did not arrive in time.
class FetchContext {
  readonly signal: AbortSignal;
  phase: 'waiting' | 'headers' | 'body' = 'waiting';
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly onCallerAbort: (() => void) | undefined;

  constructor(
    private readonly request: FetchRequest,
    private readonly options: FetcherOptions,
  ) {
    this.signal = this.controller.signal;
    const callerSignal = request.signal;
    if (callerSignal) {
      this.onCallerAbort = () =>
        this.controller.abort(new FetchError('aborted', request.url, 'the request was cancelled before it finished'));
      if (callerSignal.aborted) this.onCallerAbort();
      else callerSignal.addEventListener('abort', this.onCallerAbort, { once: true });
    }
  }

  armDeadline(): void {
    if (this.timer || this.signal.aborted) return;
    const limit = formatSeconds(this.options.timeoutMs);
    this.timer = setTimeout(() => {
      const message = this.phase === 'body' ? `body not complete within ${limit}` : `no complete answer within ${limit}`;
      this.controller.abort(new FetchError('timeout', this.request.url, message));
    }, this.options.timeoutMs);
  }

  throwIfAborted(url: URL): void {
    if (this.signal.aborted) throw this.translate(this.signal.reason, url);
  }

  /** Turns whatever a hop threw into a FetchError naming the hop's URL. */
  translate(err: unknown, url: URL): FetchError {
    const reason: unknown = this.signal.aborted ? this.signal.reason : err;
    if (reason instanceof FetchError) return reason.url === url.href ? reason : rewrap(reason, url);
    const nested = findFetchError(err);
    if (nested) return rewrap(nested, url);
    return describeTransportError(err, url, this.options);
  }

  dispose(): void {
    clearTimeout(this.timer);
    if (this.onCallerAbort) this.request.signal?.removeEventListener('abort', this.onCallerAbort);
  }
}

function ignoreError(): void {}

function hostKey(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

function buildRequestHeaders(request: FetchRequest, userAgent: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    const key = name.toLowerCase();
    if (!reservedRequestHeaders.has(key)) headers[key] = value;
  }
  headers['user-agent'] = userAgent;
  headers['accept'] = request.accept ?? headers['accept'] ?? defaultAccept;
  headers['accept-encoding'] = 'gzip, deflate, br';
  if (request.etag) headers['if-none-match'] = request.etag;
  if (request.lastModified) headers['if-modified-since'] = request.lastModified;
  return headers;
}

function dropOriginBoundHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !originBoundRequestHeaders.has(name)));
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const key = name.toLowerCase();
    if (key === 'set-cookie' || value === undefined) continue;
    headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

// Reading a small redirect or 304 body to its end lets undici reuse the connection; the answer
// is already complete, so a failure while discarding the rest changes nothing.
