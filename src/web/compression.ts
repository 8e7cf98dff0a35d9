// Compressed answers (RFC 9110 §8.4.1): brotli or gzip, as the client's Accept-Encoding asks.
// @fastify/compress compresses what a route sends, once per request; the pages, feeds and static
// files Palaver keeps rendered are compressed once per rendering and the result kept beside them
// (sendKept), so a cached page costs no compression per reader. Never for an operator's session:
// its pages carry the session's CSRF token beside text taken from the request (BREACH).
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { negotiate } from '@fastify/accept-negotiator';
import compress from '@fastify/compress';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { adminCookieName } from './admin-access.ts';

export type Coding = 'br' | 'gzip';

const codings: Coding[] = ['br', 'gzip'];

// Quality 4 compresses a page about as well as gzip -6 in about the same time; brotli's default
// (11) takes tens of times longer. A window of 1 MiB holds a whole big page.
const brotliOptions = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4, [zlib.constants.BROTLI_PARAM_LGWIN]: 20 } };
const gzipOptions = { level: 6 };

/** Bodies below this size go as they are: the saving is smaller than the cost. */
export const minCompressedBytes = 1024;

const compressors: Record<Coding, (body: Buffer) => Promise<Buffer>> = {
  br: (body) => promisify(zlib.brotliCompress)(body, brotliOptions),
  gzip: (body) => promisify(zlib.gzip)(body, gzipOptions),
};

/** A body sent many times (a cached page, a feed, a static file), with its compressed forms once made. */
export interface KeptBody {
  body: Buffer;
  /** Each coding's bytes, made when a client first asks for it (in libuv's pool, off the event loop). */
  encoded?: Partial<Record<Coding, Promise<Buffer>>>;
  /** The size of the compressed forms made so far, for the caches' byte limits. */
  encodedBytes?: number;
}

// The operator's pages hold the session's CSRF token; compressed, their sizes would tell it to
// someone who can make the browser send requests with text of their choosing (BREACH).
function isOperatorSession(request: FastifyRequest): boolean {
  return request.headers.cookie?.includes(`${adminCookieName}=`) ?? false;
}

/**
 * Registers compression for every route: what a route sends, compressed per request when it is
 * text of 1 KiB or more (small bodies in place, larger ones in libuv's pool); request bodies are
 * never decompressed (a ping or a form arrives as sent, within its byte limit).
 */
export async function registerCompression(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', async (request) => {
    // @fastify/compress leaves a request with this header uncompressed.
    if (isOperatorSession(request)) request.headers['x-no-compression'] = 'operator session';
  });
  await app.register(compress, {
    encodings: codings,
    threshold: minCompressedBytes,
    brotliOptions,
    zlibOptions: gzipOptions,
    globalDecompression: false,
  });
}

function addVary(reply: FastifyReply, header: string): void {
  const current = reply.getHeader('vary');
  const list = typeof current === 'string' ? current.split(',').map((v) => v.trim()).filter(Boolean) : [];
  if (!list.some((v) => v.toLowerCase() === header.toLowerCase())) reply.header('vary', [...list, header].join(', '));
}

/**
 * How a kept body goes to this request: its coding, or null for the body as it is; says in Vary
 * that the answer depends on Accept-Encoding (for a 304 too).
 */
export function negotiateCoding(request: FastifyRequest, reply: FastifyReply, kept: KeptBody): Coding | null {
  if (kept.body.length < minCompressedBytes) return null;
  addVary(reply, 'Accept-Encoding');
  const accepted = request.headers['accept-encoding'];
  // The same switch as @fastify/compress's: set for an operator's session (registerCompression).
  if (typeof accepted !== 'string' || request.headers['x-no-compression'] !== undefined) return null;
  const coding = negotiate(accepted, codings);
  return coding === 'br' || coding === 'gzip' ? coding : null;
}

/** The ETag of the body as sent: a compressed form is another representation with the same content, so its validator is weak (RFC 9110 §8.8.1). */
export function etagAsSent(etag: string, coding: Coding | null): string {
  return coding && !etag.startsWith('W/') ? `W/${etag}` : etag;
}

/** The kept body in `coding`, compressed the first time it is asked for. */
function encodedBody(kept: KeptBody, coding: Coding): Promise<Buffer> {
  const encoded = (kept.encoded ??= {});
  let made = encoded[coding];
  if (!made) {
    made = compressors[coding](kept.body).then((bytes) => {
      kept.encodedBytes = (kept.encodedBytes ?? 0) + bytes.length;
      return bytes;
    });
    // A failure is not kept: the next request tries again.
    made.catch(() => delete encoded[coding]);
    encoded[coding] = made;
  }
  return made;
}

/** Sends a kept body of `type` in the coding negotiateCoding picked. */
export async function sendKept(reply: FastifyReply, kept: KeptBody, type: string, coding: Coding | null): Promise<FastifyReply> {
  reply.type(type);
  if (!coding) return reply.send(kept.body);
  return reply.header('content-encoding', coding).send(await encodedBody(kept, coding));
}
