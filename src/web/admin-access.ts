// Who acts as the operator: a request with the admin token (Authorization: Bearer) or with the
// session cookie /admin/login hands out for it. The cookie holds a random session id, never the
// token; sessions live in memory (a restart asks for the token again); each carries the CSRF
// token its forms must send back; login attempts are limited per client and overall.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AppDeps } from './deps.ts';
import { clientKey } from './client-key.ts';
import { createWindowLimiter } from './window-limiter.ts';

export const adminCookieName = 'palaver_admin';
const sessionMs = 8 * 3600_000;
const maxSessions = 1000;

export interface AdminSession {
  id: string;
  /** Sent back by every form of the session (hidden field `csrf`). */
  csrf: string;
  expiresAt: number;
}

export type LoginResult = { ok: true; setCookie: string; session: AdminSession } | { ok: false; status: 401 | 429; message: string; retryAfterSeconds?: number };

export interface AdminAccess {
  /** Whether a token is configured at all (without one, nothing is administered over HTTP). */
  readonly enabled: boolean;
  /** The live session of the request's cookie, if any. */
  session(request: FastifyRequest): AdminSession | null;
  /** True for the bearer token or a live session. */
  isAdmin(request: FastifyRequest): boolean;
  /** True when the request carries the configured token as a bearer token. */
  hasBearerToken(request: FastifyRequest): boolean;
  /** Checks a presented token, within the login limits; opens a session when it is right. */
  login(request: FastifyRequest, given: string): LoginResult;
  /** True when the form's CSRF token is that of the request's session. */
  checkCsrf(request: FastifyRequest, token: unknown): boolean;
  /** Ends the request's session; returns the Set-Cookie that clears it. */
  logout(request: FastifyRequest): string;
}

/** Tells whether a presented token is the configured admin token (in constant time). */
export function isAdminToken(configured: string | null, given: string): boolean {
  if (!configured) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(configured);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(request: FastifyRequest, name: string): string {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return '';
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function createAdminAccess(deps: AppDeps): AdminAccess {
  const token = deps.config.adminToken;
  const secure = deps.config.publicUrl.startsWith('https:');
  const now = () => (deps.now ?? (() => new Date()))().getTime();
  const sessions = new Map<string, AdminSession>();
  // A token is long and random; these only stop someone trying thousands of guesses a second.
  const perClient = createWindowLimiter({ limit: 10, windowMs: 15 * 60_000, now });
  const overall = createWindowLimiter({ limit: 100, windowMs: 60_000, now });

  const session = (request: FastifyRequest): AdminSession | null => {
    const id = cookieValue(request, adminCookieName);
    if (!id) return null;
    const found = sessions.get(id);
    if (!found) return null;
    if (found.expiresAt <= now()) {
      sessions.delete(id);
      return null;
    }
    return found;
  };
  const hasBearerToken = (request: FastifyRequest) => isAdminToken(token, /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '');

  return {
    enabled: token !== null,
    session,
    hasBearerToken,
    isAdmin: (request) => token !== null && (hasBearerToken(request) || session(request) !== null),
    login(request, given) {
      const key = clientKey(request.ip);
      if (!perClient.take(key)) {
        return { ok: false, status: 429, message: 'Too many login attempts from your address; try again later.', retryAfterSeconds: perClient.retryAfterSeconds(key) };
      }
      if (!overall.take('all')) {
        return { ok: false, status: 429, message: 'Too many login attempts; try again in a minute.', retryAfterSeconds: overall.retryAfterSeconds('all') };
      }
      if (!isAdminToken(token, given)) return { ok: false, status: 401, message: 'That is not the admin token.' };
      const created: AdminSession = { id: randomBytes(32).toString('base64url'), csrf: randomBytes(24).toString('base64url'), expiresAt: now() + sessionMs };
      sessions.set(created.id, created);
      for (const id of sessions.keys()) {
        if (sessions.size <= maxSessions) break;
        sessions.delete(id);
      }
      const setCookie = `${adminCookieName}=${created.id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${sessionMs / 1000}${secure ? '; Secure' : ''}`;
      return { ok: true, setCookie, session: created };
    },
    logout(request) {
      const current = session(request);
      if (current) sessions.delete(current.id);
      return `${adminCookieName}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
    },
    checkCsrf(request, given) {
      const current = session(request);
      return current !== null && typeof given === 'string' && sameSecret(given, current.csrf);
    },
  };
}

const byApp = new WeakMap<AppDeps, AdminAccess>();

/** Returns the admin access of an app (one per app, shared by its routes). */
export function adminAccessFor(deps: AppDeps): AdminAccess {
  let access = byApp.get(deps);
  if (!access) {
    access = createAdminAccess(deps);
    byApp.set(deps, access);
  }
  return access;
}
