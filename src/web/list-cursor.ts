// Cursors of the JSON lists (/api/blogs, /api/conversations): where the next page starts,
// opaque to clients (base64url JSON), checked when they come back.
import { z } from 'zod';
import { HttpError } from './errors.ts';

/** Encodes where a list's next page starts. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Decodes a cursor that must match `schema`; a damaged one is a 400. */
export function decodeCursor<T>(raw: unknown, schema: z.ZodType<T>): T | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || raw.length > 200) throw new HttpError(400, 'invalid-cursor', 'That cursor is not one Palaver gave out; start again without it.');
  try {
    return schema.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
  } catch {
    throw new HttpError(400, 'invalid-cursor', 'That cursor is not one Palaver gave out; start again without it.');
  }
}
