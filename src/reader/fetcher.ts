// The guarded fetcher: the only way Palaver makes outbound HTTP requests. It owns the address
// guard at connect time, redirects, limits (time, bytes after decompression, hosts) and turning
// every transport failure into a FetchError; it knows nothing about feeds or the database.
import dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Readable, Transform, pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { Agent } from 'undici';
import {
  type AddressPolicy,
  checkFetchableUrl,
  describeAddressRange,
  isAllowedOrigin,
  isPublicAddress,
} from './address-guard.ts';
import { type Fetch, FetchError, type FetchErrorCode, type FetchRequest, type FetchResponse, type Redirect } from './types.ts';

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
  const limiter = createHostLimiter(options.perHostConcurrency);

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

/**
 * Wraps a resolver so that it refuses host names resolving only to addresses the guard rejects,
 * answering both forms net.connect uses: with {all: true} (autoSelectFamily) and without.
 */
export function createGuardedLookup(resolve: LookupFunction, allowAddress: (ip: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    const wantAll = options.all === true;
    const allOptions: LookupOptions = { ...options, all: true };
    resolve(hostname, allOptions, (err, result, family) => {
      if (err) {
        callback(err, wantAll ? [] : '', undefined);
        return;
      }
      const addresses: LookupAddress[] =
        typeof result === 'string' ? [{ address: result, family: family ?? (result.includes(':') ? 6 : 4) }] : result;
      // Dropping private answers and keeping public ones still never reaches a private host.
      const allowed = addresses.filter((a) => allowAddress(a.address));
      const first = allowed[0];
      if (!first) {
        const refused = addresses[0]?.address ?? 'unknown';
        const refusal = new FetchError(
          'blocked-address',
          hostname,
          `refused to connect to private address ${refused} (${describeAddressRange(refused)}): ${hostname} resolves there`,
        ) as FetchError & NodeJS.ErrnoException;
        callback(refusal, wantAll ? [] : '', undefined);
        return;
      }
      if (wantAll) callback(null, allowed);
      else callback(null, first.address, first.family);
    });
  };
}

/** Creates the per-host limiter: at most `limit` holders per key, the rest queue in order. */
export function createHostLimiter(limit: number): {
  acquire(key: string, signal?: AbortSignal): Promise<() => void>;
  /** Keys with holders or waiters; empty when idle, which shows nothing leaks. */
  activeKeys(): string[];
} {
  const hosts = new Map<string, { active: number; waiting: (() => void)[] }>();

  const releaseFor = (key: string): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const slot = hosts.get(key);
      if (!slot) return;
      const next = slot.waiting.shift();
      if (next) {
        next();
        return;
      }
      slot.active -= 1;
      if (slot.active === 0) hosts.delete(key);
    };
  };

  return {
    acquire(key, signal) {
      let slot = hosts.get(key);
      if (!slot) {
        slot = { active: 0, waiting: [] };
        hosts.set(key, slot);
      }
      if (slot.active < limit) {
        slot.active += 1;
        return Promise.resolve(releaseFor(key));
      }
      const queue = slot;
      return new Promise((resolve, reject) => {
        // The slot passes straight from the releaser to this waiter, so `active` stays the same.
        const onTurn = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve(releaseFor(key));
        };
        const onAbort = (): void => {
          const i = queue.waiting.indexOf(onTurn);
          if (i >= 0) queue.waiting.splice(i, 1);
          reject(signal?.reason);
        };
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        queue.waiting.push(onTurn);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    activeKeys: () => [...hosts.keys()],
  };
}

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

function rewrap(err: FetchError, url: URL): FetchError {
  return new FetchError(err.code, url.href, err.message, { cause: err.cause ?? err });
}

// net.connect may hand the guard's refusal back inside an AggregateError (autoSelectFamily).
function findFetchError(err: unknown, depth = 0): FetchError | null {
  if (err instanceof FetchError) return err;
  if (depth > 4 || typeof err !== 'object' || err === null) return null;
  const e = err as { cause?: unknown; errors?: unknown };
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const found = findFetchError(inner, depth + 1);
      if (found) return found;
    }
  }
  return findFetchError(e.cause, depth + 1);
}

function collectCodes(err: unknown, codes: string[] = [], depth = 0): string[] {
  if (depth > 4 || typeof err !== 'object' || err === null) return codes;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') codes.push(e.code);
  if (Array.isArray(e.errors)) for (const inner of e.errors) collectCodes(inner, codes, depth + 1);
  collectCodes(e.cause, codes, depth + 1);
  return codes;
}

// Messages go on a blog's status page: say what happened in words a blog owner knows.
function describeTransportError(err: unknown, url: URL, options: FetcherOptions): FetchError {
  const codes = collectCodes(err);
  const make = (code: FetchErrorCode, message: string): FetchError =>
    new FetchError(code, url.href, message, { cause: err });
  const has = (...wanted: string[]): string | undefined => codes.find((c) => wanted.includes(c));
  const host = url.hostname;

  if (has('UND_ERR_CONNECT_TIMEOUT')) {
    return make('timeout', `could not connect to ${host} within ${formatSeconds(options.connectTimeoutMs)}`);
  }
  if (has('UND_ERR_HEADERS_TIMEOUT')) {
    return make('timeout', `no answer within ${formatSeconds(options.headersTimeoutMs)}`);
  }
  if (has('UND_ERR_BODY_TIMEOUT')) {
    return make('timeout', `body not complete within ${formatSeconds(options.timeoutMs)}`);
  }
  if (has('ENOTFOUND', 'ENODATA', 'ENONAME', 'EAI_NONAME', 'EAI_NODATA')) {
    return make('dns', `the name ${host} could not be found (DNS)`);
  }
  if (has('EAI_AGAIN', 'ESERVFAIL', 'ETIMEOUT', 'ECONNREFUSED_DNS', 'EAI_FAIL')) {
    return make('dns', `the name ${host} could not be looked up right now (DNS)`);
  }
  if (has('ECONNREFUSED')) return make('connect', `${host} refused the connection (is the web server running?)`);
  if (has('EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL')) {
    return make('connect', `${host} cannot be reached from here (no network route)`);
  }
  if (has('ETIMEDOUT')) return make('timeout', `the connection to ${host} timed out`);
  const tls = codes.find((c) => /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_)/.test(c));
  if (tls) return make('connect', `the secure (https) connection to ${host} failed: its certificate is not accepted (${tls})`);
  if (has('UND_ERR_RES_CONTENT_LENGTH_MISMATCH')) {
    return make('network', 'the answer was cut short: it did not match its announced length (Content-Length)');
  }
  if (has('ECONNRESET', 'EPIPE', 'ECONNABORTED')) return make('network', `${host} reset the connection before the answer was complete`);
  if (has('UND_ERR_SOCKET')) return make('network', `${host} closed the connection before the answer was complete`);
  const parser = codes.find((c) => c.startsWith('HPE_'));
  if (parser) return make('network', `the server's answer is not valid HTTP (${parser})`);
  if (has('UND_ERR_CLOSED', 'UND_ERR_DESTROYED')) return make('network', 'the fetcher has been shut down');
  if (has('UND_ERR_INVALID_ARG', 'ERR_INVALID_ARG_VALUE', 'ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN')) {
    return make('invalid-url', 'the request could not be built (invalid header or address)');
  }
  const detail = codes[0] ?? (err instanceof Error ? err.message : String(err));
  return make('network', `the request failed (${detail})`);
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : Number(seconds.toFixed(1)) || seconds} s`;
}

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
async function drain(body: Readable & { dump?: (opts: { limit: number }) => Promise<void> }): Promise<void> {
  if (typeof body.dump === 'function') await body.dump({ limit: 16 * 1024 }).catch(ignoreError);
  else body.destroy();
}

async function readBody(
  raw: Readable,
  headers: Record<string, string>,
  maxBytes: number,
  url: URL,
): Promise<Buffer> {
  const tooLarge = (): FetchError =>
    new FetchError('too-large', url.href, `the answer is larger than the limit of ${formatBytes(maxBytes)}`);
  const encodings = (headers['content-encoding'] ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity');
  const declared = Number(headers['content-length']);
  // Compressed sizes say little about the decoded size, so only a plain body is refused up front.
  if (encodings.length === 0 && Number.isFinite(declared) && declared > maxBytes) throw tooLarge();

  let decoded: AsyncIterable<Buffer> = raw;
  // Encodings are listed in the order they were applied (RFC 9110 §8.4), so undo them backwards.
  for (const encoding of [...encodings].reverse()) decoded = decodeWith(encoding, decoded, url);

  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of decoded) {
    total += chunk.length;
    // Stop while streaming: a gzip bomb never gets to expand past the cap.
    if (total > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

function decodeWith(encoding: string, source: AsyncIterable<Buffer>, url: URL): AsyncIterable<Buffer> {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      // Lenient about a missing gzip trailer, as browsers are: some servers cut it off.
      return runThrough(source, () => zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH }), url);
    case 'deflate':
      return inflateEither(source, url);
    case 'br':
      return runThrough(
        source,
        () => zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }),
        url,
      );
    default:
      throw new FetchError('bad-encoding', url.href, `the answer is compressed with "${encoding}", which cannot be read`);
  }
}

// "deflate" should be zlib-wrapped (RFC 9110 §8.4.1.2), but old IIS and some PHP setups send raw
// deflate; the first two bytes tell which.
async function* inflateEither(source: AsyncIterable<Buffer>, url: URL): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  try {
    while (length < 2) {
      const next = await iterator.next();
      if (next.done) break;
      head.push(next.value);
      length += next.value.length;
    }
  } catch (err) {
    await iterator.return?.();
    throw err;
  }
  const first = Buffer.concat(head, length);
  const zlibWrapped = first.length >= 2 && (first[0]! & 0x0f) === 8 && ((first[0]! << 8) | first[1]!) % 31 === 0;
  const options = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
  yield* runThrough(
    prepend(first, iterator),
    () => (zlibWrapped ? zlib.createInflate(options) : zlib.createInflateRaw(options)),
    url,
  );
}

async function* prepend(first: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    if (first.length > 0) yield first;
    for (;;) {
      const next = await rest.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await rest.return?.();
  }
}

// Streams the source through a decompressor with backpressure; a damaged stream becomes
// 'bad-encoding' while a failure of the connection underneath keeps its own error.
async function* runThrough(
  source: AsyncIterable<Buffer>,
  createDecoder: () => Transform,
  url: URL,
): AsyncGenerator<Buffer> {
  const input = Readable.from(source, { objectMode: false });
  let inputError: unknown;
  input.once('error', (err) => {
    inputError = err;
  });
  const decoder = createDecoder();
  pipeline(input, decoder, () => {
    // Errors surface through the iteration below; this callback only keeps them handled.
  });
  try {
    for await (const chunk of decoder as AsyncIterable<Buffer>) yield chunk;
  } catch (err) {
    if (inputError !== undefined) throw inputError;
    if (!isDecoderError(err)) throw err;
    throw new FetchError('bad-encoding', url.href, `the compressed answer is damaged (${err.message})`, { cause: err });
  } finally {
    input.destroy();
    decoder.destroy();
  }
}

// zlib reports Z_DATA_ERROR and friends; brotli reports ERR__ERROR_FORMAT_… style codes.
function isDecoderError(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  const { code, errno } = err as NodeJS.ErrnoException;
  return typeof errno === 'number' && typeof code === 'string' && /^(Z_|ERR__|ERR_BROTLI|ERR_ZLIB)/.test(code);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KB`;
  return `${bytes} bytes`;
}
