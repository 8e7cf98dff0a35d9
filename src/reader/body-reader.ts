// Reading an answer's body for the fetcher: decompressed (gzip, deflate in either framing, br)
// while streaming and counted after decompression, so neither a large body nor a compression
// bomb costs more than the byte cap.
import { Readable, Transform, pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { FetchError } from './types.ts';

function ignoreError(): void {}

/** Throws an unread body away, reading at most a little of it so the connection can be reused. */
export async function drain(body: Readable & { dump?: (opts: { limit: number }) => Promise<void> }): Promise<void> {
  if (typeof body.dump === 'function') await body.dump({ limit: 16 * 1024 }).catch(ignoreError);
  else body.destroy();
}

/** Reads a body, decompressed, refusing it with a FetchError once it passes `maxBytes`. */
export async function readBody(
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
