// Failures of the guarded fetcher in words: every transport error (DNS, connect, TLS, timeouts,
// resets, broken HTTP) becomes a FetchError with a code and a message for a blog's status page.
import { FetchError, type FetchErrorCode } from './types.ts';

/** Re-addresses a FetchError to the URL of the hop it happened on. */
export function rewrap(err: FetchError, url: URL): FetchError {
  return new FetchError(err.code, url.href, err.message, { cause: err.cause ?? err });
}

/** Finds the FetchError behind a failure (net.connect may hand the guard's refusal back inside an AggregateError). */
export function findFetchError(err: unknown, depth = 0): FetchError | null {
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

/** Turns a transport failure into a FetchError whose message a blog owner understands (it goes on the blog's status page). */
export function describeTransportError(err: unknown, url: URL, options: { connectTimeoutMs: number; headersTimeoutMs: number; timeoutMs: number }): FetchError {
  const codes = collectCodes(err);
  const make = (code: FetchErrorCode, message: string): FetchError =>
    new FetchError(code, url.href, message, { cause: err });
  const has = (...wanted: string[]): string | undefined => codes.find((c) => wanted.includes(c));
  const host = url.hostname;

  const shortage = has('EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM');
  if (shortage) return make('local', `Palaver could not open a connection to ${host}: this machine is short of open files or memory (${shortage}); the site is not at fault`);
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

/** Writes a duration for a message: 5 s, 1.5 s. */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : Number(seconds.toFixed(1)) || seconds} s`;
}
