// The token that proves a form was sent from one of Palaver's own pages (a double-submit
// cookie): a random value in a same-site cookie and, the same, in the form's hidden field. A
// page on another site can make a browser post a form here, but cannot read or set the value.
// Pages cached for every reader carry a slot that sendPage fills per reader.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const formCookieName = 'palaver_form';
// What cached pages hold where each reader's token goes: random per process, so no text a
// blog writes can contain it.
export const formTokenSlot = `form-token-${randomBytes(12).toString('hex')}`;

function cookieValue(request: FastifyRequest): string {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === formCookieName) return rest.join('=');
  }
  return '';
}

const wellFormed = /^[A-Za-z0-9_-]{32,64}$/;

/** Returns this reader's form token, setting the cookie that holds it when the reader has none yet. */
export function formTokenFor(request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const known = cookieValue(request);
  if (wellFormed.test(known)) return known;
  const token = randomBytes(24).toString('base64url');
  reply.header('set-cookie', `${formCookieName}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000${secure ? '; Secure' : ''}`);
  return token;
}

/** Tells whether a posted form's token is the reader's (in constant time). */
export function checkFormToken(request: FastifyRequest, given: unknown): boolean {
  const known = cookieValue(request);
  if (!wellFormed.test(known) || typeof given !== 'string') return false;
  const a = Buffer.from(known);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
